#include "service/ticket_mail.h"

#include <stdbool.h>
#include <string.h>

#include "base/buf.h"
#include "core/placeholders.h"
#include "core/ticket_token.h"
#include "service/calendar_cache.h"
#include "service/secrets.h"
#include "service/tickets_internal.h"
#include "store/outbox.h"
#include "store/users.h"

/* "Re: SUBJECT [#ID-HEX]" (the prefix only when given). */
static int subject_with_token(const struct env *env, const struct ticket *t, const char *prefix,
                              struct buf *out)
{
    char token[TICKET_TOKEN_MAX];
    ticket_token_format(env->secrets->mail_key, t->id, token);
    return buf_appendf(out, "%s%s %s", prefix, t->subject, token);
}

/* "Hello Carol," from the requester's name, or "Hello," without one. */
static int greeting(const struct user *u, struct buf *out)
{
    struct slice first = placeholders_first_name(u->name, strlen(u->name));
    if (!first.len)
        return buf_append_cstr(out, "Hello,\n\n");
    return buf_appendf(out, "Hello %.*s,\n\n", (int)first.len, first.ptr);
}

/* The hours and, while the first-response clock runs, when to expect it. */
static int expectations(const struct env *env, struct db *db, const struct ticket *t, int64_t now,
                        struct buf *out, struct err *e)
{
    const struct calendar *cal;
    struct calendar_ref *ref;
    int rc = calendar_cache_acquire(env, db, &cal, &ref, e);
    if (rc)
        return rc;
    rc = buf_append_cstr(out, "Our support hours are ");
    rc = rc ? rc : placeholders_support_hours(cal_spec_of(cal), out);
    rc = rc ? rc : buf_append_cstr(out, ".");
    bool running = !strcmp(t->sla_state, "running") || !strcmp(t->sla_state, "warning");
    if (!rc && running && t->sla_due_at > now) {
        rc = buf_append_cstr(out, " You can expect a first response by ");
        rc = rc ? rc : placeholders_local_time(cal, t->sla_due_at, out);
        rc = rc ? rc : buf_append_cstr(out, ". This is our aim, not a guarantee.");
    }
    calendar_cache_release(ref);
    return rc ? err_set(e, ERR_LIMIT, NULL, "acknowledgement too long") : 0;
}

static int queue(struct db *db, const char *kind, const struct user *to, const struct ticket *t,
                 struct buf *subject, struct buf *body, int64_t now, struct err *e)
{
    struct outbox_new m = {.kind = kind,
                           .to_address = to->email,
                           .subject = buf_cstr(subject),
                           .body = buf_cstr(body),
                           .ticket_id = t->id};
    return outbox_insert(db, &m, now, NULL, e);
}

int ticket_mail_acknowledge(const struct env *env, struct db *db, const struct ticket *t,
                            int64_t now, struct err *e)
{
    struct user u;
    int rc = users_get(db, t->requester_id, &u, e);
    if (rc || !u.email[0])
        return rc;
    struct buf subject, body;
    buf_init(&subject, 4096);
    buf_init(&body, 64 * 1024);
    char token[TICKET_TOKEN_MAX];
    ticket_token_format(env->secrets->mail_key, t->id, token);
    if (subject_with_token(env, t, "We received your request: ", &subject) || greeting(&u, &body) ||
        buf_appendf(&body,
                    "Thank you for contacting support. We received your request \"%s\"; its "
                    "number is #%lld.\n\n",
                    t->subject, (long long)t->id))
        rc = err_set(e, ERR_LIMIT, NULL, "acknowledgement too long");
    rc = rc ? rc : expectations(env, db, t, now, &body, e);
    if (!rc && buf_appendf(&body,
                           "\n\nTo add anything, reply to this message and keep %s in the "
                           "subject.\n",
                           token))
        rc = err_set(e, ERR_LIMIT, NULL, "acknowledgement too long");
    rc = rc ? rc : queue(db, "acknowledgement", &u, t, &subject, &body, now, e);
    buf_release(&subject);
    buf_release(&body);
    return rc;
}

int ticket_mail_reply(const struct env *env, struct db *db, const struct ticket *t,
                      const char *body_text, int64_t now, struct err *e)
{
    struct user u;
    int rc = users_get(db, t->requester_id, &u, e);
    if (rc || !u.email[0])
        return rc;
    struct buf subject, body;
    buf_init(&subject, 4096);
    buf_init(&body, 0);
    char token[TICKET_TOKEN_MAX];
    ticket_token_format(env->secrets->mail_key, t->id, token);
    if (subject_with_token(env, t, "Re: ", &subject) ||
        buf_appendf(&body,
                    "%s\n\n-- \nReply to this message to answer; keep %s in the subject so it "
                    "reaches your request #%lld.\n",
                    body_text, token, (long long)t->id))
        rc = err_set(e, ERR_LIMIT, NULL, "reply too long");
    rc = rc ? rc : queue(db, "reply", &u, t, &subject, &body, now, e);
    buf_release(&subject);
    buf_release(&body);
    return rc;
}

struct deliveries_ctx {
    const struct access_subject *s;
    int64_t ticket_id;
    struct arena *a;
    struct outbox_delivery *out;
    size_t *n;
};

static int deliveries_tx(struct db *db, void *arg, struct err *e)
{
    struct deliveries_ctx *c = arg;
    struct ticket t;
    int rc = tickets__read_visible(db, c->s, c->ticket_id, c->a, &t, e);
    if (rc)
        return rc;
    if (!access_is_staff(c->s))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff see a ticket's mail deliveries");
    return outbox_list_for_ticket(db, c->ticket_id, TICKET_MAIL_DELIVERIES_MAX, c->a, c->out, c->n,
                                  e);
}

int ticket_mail_deliveries(struct db *db, const struct access_subject *s, int64_t ticket_id,
                           struct arena *a, struct outbox_delivery *out, size_t *n, struct err *e)
{
    struct deliveries_ctx c = {s, ticket_id, a, out, n};
    return db_transact(db, DB_TX_READ, deliveries_tx, &c, e);
}
