/* Requests without an account: see requests.h for the rules. The attempt is counted in a
 * transaction of its own (it must stay counted when the request is refused); the requester, the
 * ticket and the audit entry share the next one, so a refused ticket leaves no user behind. */
#include "service/requests.h"

#include "core/email_addr.h"
#include "store/audit.h"
#include "store/credentials.h"
#include "store/users.h"

#include <stdio.h>
#include <string.h>

#define KEY_MAX 80

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* Presence, in the order a client reads its own body; lengths and characters of the subject and
 * the body are tickets_create's to judge (inside the transaction, after the user is written:
 * its refusal rolls the user back). */
static int check_new(const struct requests_new *in, bool anonymous, struct err *e)
{
    if (anonymous) {
        const char *n = in->requester_name, *m = in->requester_email;
        if (!n || blank(n) || utf8_chars(n) > USER_NAME_MAX || has_control(n))
            return err_set(e, ERR_INVALID, "request.requester.name",
                           "give your name: 1 to %d characters on one line", USER_NAME_MAX);
        if (!m || strlen(m) > USER_EMAIL_MAX || !email_addr_valid(m, strlen(m)))
            return err_set(e, ERR_INVALID, "request.requester.email",
                           "email must be an address like name@example.com");
    }
    if (!in->subject || blank(in->subject))
        return err_set(e, ERR_INVALID, "request.subject", "subject must not be empty");
    if (!in->body || blank(in->body))
        return err_set(e, ERR_INVALID, "request.comment.body", "comment body must not be empty");
    return 0;
}

/* tickets_create names fields "ticket.x"; this API spells them "request.x". */
static int as_request_field(int rc, struct err *e)
{
    if (rc && strncmp(e->field, "ticket.", 7) == 0) {
        char f[sizeof e->field];
        snprintf(f, sizeof f, "request.%s", e->field + 7);
        snprintf(e->field, sizeof e->field, "%s", f);
    }
    return rc;
}

/* ---- the rate limit ----------------------------------------------------------------------- */

struct reserve_ctx {
    const struct env *env;
    const char *key;
    int64_t *retry_after;
};

static int reserve_tx(struct db *db, void *arg, struct err *e)
{
    struct reserve_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int64_t times[REQUESTS_ANON_MAX];
    size_t n = 0;
    int rc = sign_in_failures_lock(db, c->key, e);
    if (!rc)
        rc = sign_in_failures_since(db, c->key, now - REQUESTS_ANON_WINDOW, times,
                                    REQUESTS_ANON_MAX, &n, e);
    if (rc)
        return rc;
    if (n >= REQUESTS_ANON_MAX) {
        /* times[0] is the oldest of the newest REQUESTS_ANON_MAX: once it leaves the window
         * there is room for one more. */
        int64_t wait = times[0] + REQUESTS_ANON_WINDOW - now;
        *c->retry_after = wait > 0 ? wait : 1;
        return err_set(e, ERR_LIMIT, NULL,
                       "too many requests from this address: try again in %lld s",
                       (long long)*c->retry_after);
    }
    return sign_in_failures_add(db, c->key, now, NULL, e);
}

/* ---- anonymous ---------------------------------------------------------------------------- */

struct anon_ctx {
    const struct env *env;
    const struct requests_new *in;
    struct arena *a;
    struct ticket *out;
};

/* The end-user behind the address: found in any case, or created; never staff. */
static int requester_of(struct db *db, const struct requests_new *in, int64_t now, struct user *out,
                        struct err *e)
{
    int rc = users_find_by_email(db, in->requester_email, out, NULL, e);
    if (rc == 0) {
        if (strcmp(out->role, "end-user") != 0)
            return err_set(e, ERR_INVALID, "request.requester.email",
                           "this address belongs to a staff account: staff use the console");
        return 0;
    }
    if (rc != ERR_NOT_FOUND)
        return rc;
    err_clear(e);
    struct user_new nu = {
        .name = in->requester_name, .email = in->requester_email, .role = "end-user"};
    rc = users_insert(db, &nu, now, out, e);
    if (rc == ERR_CONFLICT) /* written meanwhile by another request: busy, try again */
        return err_set(e, ERR_BUSY, NULL, "the address was registered meanwhile");
    return rc;
}

static int anon_tx(struct db *db, void *arg, struct err *e)
{
    struct anon_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct user u;
    int rc = requester_of(db, c->in, now, &u, e);
    if (rc)
        return rc;
    /* As that end-user through the portal's channel: what the portal would do, happens. */
    struct tickets_actor ta = {.channel = TICKET_CHANNEL_WEB};
    ta.subject.user_id = u.id;
    ta.subject.role = ACCESS_END_USER;
    ta.subject.organization_id = u.organization_id;
    if (u.account_role[0])
        access_account_role_parse(u.account_role, strlen(u.account_role), &ta.subject.account_role);
    struct tickets_create_req tr = {.subject = c->in->subject,
                                    .comment = {.body = c->in->body, .is_public = -1}};
    rc = as_request_field(tickets_create_tx(c->env, db, &ta, &tr, c->a, c->out, e), e);
    if (rc)
        return rc;
    char detail[48];
    snprintf(detail, sizeof detail, "{\"ticket_id\":%lld}", (long long)c->out->id);
    struct audit_entry ae = {.at = now,
                             .action = "request.anonymous",
                             .target_type = "ticket",
                             .target_id = c->out->id,
                             .ip = c->in->ip,
                             .detail = detail};
    return audit_append(db, &ae, e);
}

int requests_create(const struct env *env, struct db *db, const struct tickets_actor *actor,
                    const struct requests_new *in, struct arena *a, struct ticket *out,
                    int64_t *retry_after, struct err *e)
{
    bool anonymous = actor->subject.user_id == 0;
    if (!anonymous && access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "staff create tickets in the console (POST /api/v2/tickets)");
    int rc = check_new(in, anonymous, e);
    if (rc)
        return rc;
    if (!anonymous) { /* the caller's own, as the portal's form makes it */
        struct tickets_create_req tr = {.subject = in->subject,
                                        .comment = {.body = in->body, .is_public = -1}};
        return as_request_field(tickets_create(env, db, actor, &tr, a, out, e), e);
    }
    char key[KEY_MAX];
    snprintf(key, sizeof key, "request:ip:%s", in->ip ? in->ip : "");
    int64_t wait = 0;
    struct reserve_ctx rc_ctx = {.env = env, .key = key, .retry_after = &wait};
    rc = db_transact(db, DB_TX_WRITE, reserve_tx, &rc_ctx, e);
    if (rc) {
        if (rc == ERR_LIMIT && wait > 0)
            *retry_after = wait;
        return rc;
    }
    struct anon_ctx c = {.env = env, .in = in, .a = a, .out = out};
    return db_transact(db, DB_TX_WRITE, anon_tx, &c, e);
}
