/* mail_in: the mail gateway (see mail_in.h for the contract).
 *
 * One transaction per message in the normal path: the raw bytes are inserted first, then
 * everything the message causes (a new requester, the ticket or comment, its attachments, outbox
 * rows, the row's outcome), and it all commits once. Storing and processing apart cost a second
 * commit (a second sync on SQLite) for every message, to protect against something the single
 * transaction protects against as well: if processing fails (a database error, a bug), the
 * transaction is rolled back and the raw bytes are then stored alone, marked failed, so the
 * message is kept and shows up in the failed list; only when that fails too is the message not
 * stored (the caller answers 75 / 503 and the sender retries). The bytes live in a table of
 * their own (mail_inbound_raw), so the row's status update does not rewrite them.
 *
 * The parse runs before the transaction, outside it: it is pure and may take a while on a large
 * message, and SQLite's one writer should not wait for it. A duplicate is parsed for nothing,
 * which is rare (an MTA's retry).
 */
#include "service/mail_in.h"

#include "base/buf.h"
#include "base/log.h"
#include "core/access.h"
#include "core/email_addr.h"
#include "core/sniff.h"
#include "core/ticket_token.h"
#include "mail/parse.h"
#include "service/attachments.h"
#include "service/secrets.h"
#include "service/tickets.h"
#include "store/attachments.h"
#include "store/mail_inbound.h"
#include "store/outbox.h"
#include "store/tickets.h"
#include "store/users.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HOUR             3600
#define ADMINS_MAX       50
#define CONFLICT_RETRIES 3
#define TRUNCATED_NOTE   "\n\n[The message was longer; the full original is kept with it.]"

const char *mail_in_outcome_name(enum mail_in_outcome o)
{
    switch (o) {
    case MAIL_IN_TICKET:
        return "ticket";
    case MAIL_IN_REPLY:
        return "reply";
    case MAIL_IN_BOUNCE:
        return "bounce";
    case MAIL_IN_IGNORED:
        return "ignored";
    case MAIL_IN_FAILED:
        return "failed";
    }
    return "failed";
}

const char *mail_in_source_name(enum mail_in_source s)
{
    switch (s) {
    case MAIL_IN_PIPE:
        return "pipe";
    case MAIL_IN_API:
        return "api";
    case MAIL_IN_IMAP:
        return "imap";
    }
    return "pipe";
}

static enum mail_in_outcome outcome_parse(const char *s)
{
    static const enum mail_in_outcome all[] = {MAIL_IN_TICKET, MAIL_IN_REPLY, MAIL_IN_BOUNCE,
                                               MAIL_IN_IGNORED, MAIL_IN_FAILED};
    for (size_t i = 0; s && i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, mail_in_outcome_name(all[i])) == 0)
            return all[i];
    return MAIL_IN_FAILED;
}

/* ---- one message's processing ------------------------------------------------------------ */

struct proc {
    const struct env *env;
    const struct mail_in_config *cfg;
    struct arena *a;    /* the caller's: the result's strings */
    struct arena *work; /* parsing and the ticket's read-back */
    int64_t id;
    bool retry; /* an admin's retry: the row must be failed */
    /* mail_in_accept: the message to store in the transaction that processes it */
    const char *source;
    const char *raw;
    size_t len;
    const char *sha;
    bool inserted; /* a new row (else the same bytes were stored before) */
    int parse_rc;
    struct err parse_err;
    const struct mail_parsed *p;
    struct mail_in_result *out;
    /* what act() decided */
    struct mail_inbound_result r;
};

static const char *dup_str(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* Is addr one of the comma-separated addresses of list (any case, spaces around ignored)? */
static bool in_list(const char *list, const char *addr)
{
    size_t alen = strlen(addr);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        struct slice s = slice_trim((struct slice){p, end ? (size_t)(end - p) : strlen(p)});
        if (s.len == alen && strncasecmp(s.ptr, addr, alen) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* Mail we sent (or our MTA made in our name) come back: never a ticket. */
static bool is_ours(const struct mail_in_config *cfg, const struct mail_parsed *p)
{
    if (cfg->our_addresses && in_list(cfg->our_addresses, p->from_address))
        return true;
    if (!cfg->our_domain || !cfg->our_domain[0] || !p->message_id)
        return false;
    size_t dlen = strlen(cfg->our_domain), mlen = strlen(p->message_id);
    /* "<...@domain>" */
    return mlen > dlen + 2 && p->message_id[mlen - 1] == '>' &&
           p->message_id[mlen - dlen - 2] == '@' &&
           strncasecmp(p->message_id + mlen - dlen - 1, cfg->our_domain, dlen) == 0;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

static bool is_automatic(const struct mail_auto *m)
{
    return m->auto_submitted || m->precedence_bulk || m->suppress || m->list || m->daemon_sender;
}

static void subject_of_user(const struct user *u, struct access_subject *s)
{
    memset(s, 0, sizeof *s);
    s->user_id = u->id;
    s->organization_id = u->organization_id;
    enum access_role role = ACCESS_END_USER;
    access_role_parse(u->role, strlen(u->role), &role);
    s->role = role;
    enum access_account_role ar = ACCESS_ACCOUNT_NONE;
    if (u->account_role[0])
        access_account_role_parse(u->account_role, strlen(u->account_role), &ar);
    s->account_role = ar;
}

int mail_in_thread(const struct env *env, struct db *db, const struct mail_parsed *p,
                   struct arena *a, int64_t *ticket_id, struct err *e)
{
    *ticket_id = 0;
    int rc = 0;
    if (p->in_reply_to)
        rc = mail_inbound_ticket_of(db, p->in_reply_to, ticket_id, e);
    for (size_t i = p->reference_count; !rc && !*ticket_id && i > 0; i--)
        rc = mail_inbound_ticket_of(db, p->references[i - 1], ticket_id, e);
    if (!rc && !*ticket_id && p->subject && env->secrets)
        *ticket_id = ticket_token_find(env->secrets->mail_key, p->subject, strlen(p->subject));
    if (!rc && *ticket_id) { /* a token of a ticket since deleted names nothing */
        struct ticket t;
        int g = tickets_get(db, *ticket_id, false, a, &t, e);
        if (g == ERR_NOT_FOUND)
            *ticket_id = 0;
        else if (g)
            rc = g;
    }
    return rc;
}

/* A display name usable as a user's name: control characters made spaces, trimmed, at most
 * USER_NAME_MAX characters; the address's local part when nothing is left. */
static void requester_name(const struct mail_parsed *p, char *out, size_t cap)
{
    size_t n = 0, chars = 0;
    const char *s = p->from_name ? p->from_name : "";
    for (const unsigned char *q = (const unsigned char *)s; *q && n + 4 < cap; q++) {
        bool lead = (*q & 0xC0) != 0x80;
        if (lead && chars == USER_NAME_MAX)
            break;
        chars += lead;
        out[n++] = *q < 0x20 || *q == 0x7f ? ' ' : (char)*q;
    }
    out[n] = '\0';
    struct slice t = slice_trim((struct slice){out, n});
    memmove(out, t.ptr, t.len);
    out[t.len] = '\0';
    if (!utf8_valid(out, t.len))
        out[0] = '\0';
    if (!out[0]) {
        const char *at = strchr(p->from_address, '@');
        size_t l = at ? (size_t)(at - p->from_address) : strlen(p->from_address);
        snprintf(out, cap, "%.*s", (int)(l < USER_NAME_MAX ? l : USER_NAME_MAX), p->from_address);
    }
}

/* The sender as a user: found by address (any case), or created as an end-user. */
static int sender_user(struct db *db, const struct mail_parsed *p, int64_t now, struct user *out,
                       struct err *e)
{
    int rc = users_find_by_email(db, p->from_address, out, NULL, e);
    if (rc != ERR_NOT_FOUND)
        return rc;
    char name[USER_NAME_MAX * 4 + 1];
    requester_name(p, name, sizeof name);
    struct user_new u = {.name = name, .email = p->from_address, .role = "end-user"};
    return users_insert(db, &u, now, out, e);
}

static void human_size(size_t n, char *out, size_t cap)
{
    if (n >= 1024 * 1024)
        snprintf(out, cap, "%.1f MB", (double)n / (1024.0 * 1024.0));
    else if (n >= 1024)
        snprintf(out, cap, "%.1f KB", (double)n / 1024.0);
    else
        snprintf(out, cap, "%zu bytes", n);
}

static void mb(size_t n, char *out, size_t cap)
{
    snprintf(out, cap, "%.0f MB", (double)n / (1024.0 * 1024.0));
}

/* "Attachment big.bin (31.4 MB) was not kept: larger than 20 MB." */
static int dropped_line(struct buf *b, const struct mail_in_config *cfg,
                        const struct mail_dropped *d)
{
    char size[32], cap[32];
    human_size(d->size, size, sizeof size);
    if (strcmp(d->reason, "too_large") == 0) {
        mb(cfg->attachment_max, cap, sizeof cap);
        return buf_appendf(b, "Attachment %s (%s) was not kept: larger than %s.\n", d->filename,
                           size, cap);
    }
    if (strcmp(d->reason, "total_too_large") == 0) {
        mb(cfg->total_max, cap, sizeof cap);
        return buf_appendf(b,
                           "Attachment %s (%s) was not kept: the attachments together are "
                           "larger than %s.\n",
                           d->filename, size, cap);
    }
    return buf_appendf(b, "Attachment %s (%s) was not kept: more than %d files.\n", d->filename,
                       size, ATTACHMENTS_PER_COMMENT);
}

/* The comment: the visible text, cut to what a comment holds, then a line per dropped file. */
static const char *comment_body(const struct proc *c, struct err *e)
{
    const struct mail_parsed *p = c->p;
    struct buf drops;
    buf_init(&drops, 64 * 1024);
    for (size_t i = 0; i < p->dropped_count; i++)
        dropped_line(&drops, c->cfg, &p->dropped[i]);
    const char *text = p->visible && *p->visible ? p->visible : p->text ? p->text : "";
    size_t room = TICKET_COMMENT_MAX - drops.len - sizeof TRUNCATED_NOTE - 4;
    size_t len = strlen(text);
    bool cut = len > room;
    if (cut) { /* at a character boundary */
        len = room;
        while (len && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    struct buf b;
    buf_init(&b, TICKET_COMMENT_MAX + 1);
    bool blank = true;
    for (size_t i = 0; i < len && blank; i++)
        blank = text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n';
    if (blank)
        buf_append_cstr(&b, drops.len ? "" : "(This message had no text.)");
    else
        buf_append(&b, text, len);
    if (cut)
        buf_append_cstr(&b, TRUNCATED_NOTE);
    if (drops.len)
        buf_appendf(&b, "%s%.*s", blank ? "" : "\n\n", (int)(drops.len - 1), drops.ptr);
    char *s = arena_strndup(c->work, buf_cstr(&b), b.len);
    buf_release(&b);
    buf_release(&drops);
    if (!s)
        err_set(e, ERR_LIMIT, NULL, "out of memory building the comment");
    return s;
}

/* A subject a ticket takes: "(no subject)" for none, control characters made spaces, at most
 * TICKET_SUBJECT_MAX characters. */
static const char *ticket_subject(struct arena *a, const char *s)
{
    if (!s || !*s)
        return "(no subject)";
    size_t len = strlen(s), n = 0, chars = 0;
    char *out = arena_alloc(a, len + 1);
    if (!out)
        return "(no subject)";
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool lead = (ch & 0xC0) != 0x80;
        if (lead && chars == TICKET_SUBJECT_MAX)
            break;
        chars += lead;
        out[n++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
    }
    out[n] = '\0';
    struct slice t = slice_trim((struct slice){out, n});
    if (!t.len)
        return "(no subject)";
    out[t.len + (size_t)(t.ptr - out)] = '\0';
    return t.ptr;
}

/* A name an upload may carry (service/attachments.h): at most ATTACHMENTS_NAME_MAX bytes cut at
 * a character, no '/', '\\' or control character (made '_'); "attachment" when none. */
static const char *file_name(struct arena *a, const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len > ATTACHMENTS_NAME_MAX) {
        len = ATTACHMENTS_NAME_MAX;
        while (len && ((unsigned char)name[len] & 0xC0) == 0x80)
            len--;
    }
    char *out = len ? arena_strndup(a, name, len) : NULL;
    if (!out)
        return "attachment";
    for (char *q = out; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f || *q == '/' || *q == '\\')
            *q = '_';
    return out;
}

/* The files kept, stored as pending uploads of the sender under a fresh token that the comment
 * claims (service/attachments.h), so they land on the comment like any upload. NULL token when
 * there are none. */
static int store_uploads(struct proc *c, struct db *db, int64_t uploader, int64_t now,
                         const char **token, struct err *e)
{
    const struct mail_parsed *p = c->p;
    *token = NULL;
    if (!p->attachment_count)
        return 0;
    unsigned char raw[32];
    c->env->random_bytes(c->env, raw, sizeof raw);
    char *t = arena_alloc(c->work, ATTACHMENTS_TOKEN_LEN + 2);
    if (!t)
        return err_set(e, ERR_LIMIT, NULL, "out of memory");
    sodium_bin2base64(t, ATTACHMENTS_TOKEN_LEN + 2, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    for (size_t i = 0; i < p->attachment_count; i++) {
        const struct mail_attachment *at = &p->attachments[i];
        struct attachment_upload u = {.token = t,
                                      .uploader_id = uploader,
                                      .file_name = file_name(c->work, at->filename),
                                      .content_type = sniff_content_type(at->data, at->size),
                                      .data = at->data,
                                      .size = at->size,
                                      .expires_at = now + ATTACHMENTS_TOKEN_TTL};
        int64_t id;
        int rc = attachments_insert_upload(db, &u, now, &id, e);
        if (rc)
            return rc;
    }
    *token = t;
    return 0;
}

static int last_comment(struct db *db, int64_t ticket_id, int64_t *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT max(id) FROM ticket_comments WHERE ticket_id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    rc = db_step(st, e);
    *out = rc == DB_ROW && !db_column_is_null(st, 0) ? db_column_int64(st, 0) : 0;
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* Tell the sender which files were not kept (not for automatic mail: robots do not read). */
static int tell_dropped(struct proc *c, struct db *db, int64_t ticket_id, int64_t now,
                        struct err *e)
{
    const struct mail_parsed *p = c->p;
    struct buf b;
    buf_init(&b, 64 * 1024);
    buf_appendf(&b, "We received your message \"%s\", but not all of its attachments:\n\n",
                ticket_subject(c->work, p->subject));
    for (size_t i = 0; i < p->dropped_count; i++)
        dropped_line(&b, c->cfg, &p->dropped[i]);
    buf_append_cstr(&b, "\nPlease send large files another way, or split them over several "
                        "messages.\n");
    struct outbox_new m = {.kind = "attachment_dropped",
                           .to_address = p->from_address,
                           .subject = "Some of your attachments were not kept",
                           .body = buf_cstr(&b),
                           .ticket_id = ticket_id};
    int rc = outbox_insert(db, &m, now, NULL, e);
    buf_release(&b);
    return rc;
}

/* Past the hourly maximum: one alert an hour per sender to every admin. */
static int rate_alert(struct proc *c, struct db *db, int64_t now, int64_t count, struct err *e)
{
    bool first;
    int rc = mail_rate_alert_once(db, c->p->from_address, now / HOUR, &first, e);
    if (rc || !first)
        return rc;
    char(*to)[USER_EMAIL_MAX + 1] = arena_alloc(c->work, ADMINS_MAX * sizeof *to);
    if (!to)
        return err_set(e, ERR_LIMIT, NULL, "out of memory");
    size_t n = 0;
    if ((rc = users_notify_emails(db, "admin", 0, to, ADMINS_MAX, &n, e)))
        return rc;
    char body[1024];
    snprintf(body, sizeof body,
             "%s has sent %lld messages in the last hour, more than the limit of %d.\n"
             "Their mail is still stored and threaded, but gets no automatic replies until the "
             "rate falls.\n",
             c->p->from_address, (long long)count + 1, c->cfg->hourly_max);
    for (size_t i = 0; !rc && i < n; i++) {
        struct outbox_new m = {.kind = "mail_rate_alert",
                               .to_address = to[i],
                               .subject = "Inbound mail: a sender is over the hourly limit",
                               .body = body};
        rc = outbox_insert(db, &m, now, NULL, e);
    }
    return rc;
}

/* A delivery status report: linked to the ticket of the message that bounced, the address
 * marked bouncing. */
static int bounce(struct proc *c, struct db *db, int64_t now, struct err *e)
{
    const struct mail_bounce *b = &c->p->bounce;
    int64_t ticket_id = 0;
    int rc = b->original_message_id
                 ? mail_inbound_ticket_of(db, b->original_message_id, &ticket_id, e)
                 : 0;
    if (!rc && b->recipient && *b->recipient)
        rc = mail_bouncing_mark(db, b->recipient, b->status, now, e);
    if (!rc && ticket_id) {
        struct ticket_event ev = {.ticket_id = ticket_id,
                                  .at = now,
                                  .field = "mail_bounced",
                                  .new_value = b->recipient ? b->recipient : ""};
        rc = tickets_event_insert(db, &ev, e);
    }
    c->r.outcome = "bounce";
    c->r.ticket_id = ticket_id;
    return rc;
}

static int create(struct proc *c, struct db *db, const struct user *u, const char *body,
                  const char *token, bool suppress, struct ticket *t, struct err *e)
{
    struct tickets_actor actor = {.channel = TICKET_CHANNEL_EMAIL};
    subject_of_user(u, &actor.subject);
    const char *uploads[1] = {token};
    struct tickets_create_req req = {.subject = ticket_subject(c->work, c->p->subject),
                                     .comment = {.body = body,
                                                 .is_public = -1,
                                                 .uploads = uploads,
                                                 .upload_count = token ? 1 : 0},
                                     .suppress_auto_reply = suppress};
    c->r.outcome = "ticket";
    return tickets_create_tx(c->env, db, &actor, &req, c->work, t, e);
}

/* A reply on ticket_id as the sender; *done false when it must become a new ticket instead
 * (the sender may not write there: banned, or the ticket refuses the comment). */
static int reply(struct proc *c, struct db *db, const struct user *u, int64_t ticket_id,
                 const char *body, const char *token, struct ticket *t, bool *done, struct err *e)
{
    struct tickets_actor actor = {.channel = TICKET_CHANNEL_EMAIL};
    subject_of_user(u, &actor.subject);
    const char *uploads[1] = {token};
    struct tickets_update_req req = {
        .comment = {
            .body = body, .is_public = 1, .uploads = uploads, .upload_count = token ? 1 : 0}};
    bool follow_up = false;
    struct err ue;
    err_clear(&ue);
    int rc = tickets_update_tx(c->env, db, &actor, ticket_id, &req, c->work, t, &follow_up, &ue);
    *done = rc == 0;
    if (rc == ERR_FORBIDDEN || rc == ERR_CONFLICT || rc == ERR_NOT_FOUND)
        return 0; /* checks that wrote nothing: a new ticket instead */
    if (rc)
        *e = ue;
    c->r.outcome = "reply";
    return rc;
}

/* What a parsed message does. */
static int act(struct proc *c, struct db *db, struct err *e)
{
    const struct mail_parsed *p = c->p;
    int64_t now = c->env->now(c->env);
    c->r.status = "processed";
    if (p->bounce.is_bounce)
        return bounce(c, db, now, e);
    if (is_ours(c->cfg, p)) {
        c->r.outcome = "ignored";
        c->r.reason = "ours";
        return 0;
    }
    bool automatic = is_automatic(&p->automatic);
    const char *text = p->visible && *p->visible ? p->visible : p->text;
    if (automatic && blank(text) && !p->attachment_count) {
        c->r.outcome = "ignored";
        c->r.reason = "empty_auto_reply";
        return 0;
    }
    if (!email_addr_valid(p->from_address, strlen(p->from_address))) {
        c->r.status = "failed";
        c->r.outcome = "failed";
        c->r.reason = "bad_sender";
        return 0;
    }
    int64_t count;
    int rc = mail_inbound_count_from(db, p->from_address, now - HOUR, &count, e);
    bool over = !rc && count >= c->cfg->hourly_max;
    if (!rc && over)
        rc = rate_alert(c, db, now, count, e);
    int64_t ticket_id = 0;
    rc = rc ? rc : mail_in_thread(c->env, db, p, c->work, &ticket_id, e);
    struct user u;
    rc = rc ? rc : sender_user(db, p, now, &u, e);
    const char *body = rc ? NULL : comment_body(c, e);
    const char *token = NULL;
    if (!rc && !body)
        rc = ERR_LIMIT;
    rc = rc ? rc : store_uploads(c, db, u.id, now, &token, e);
    if (rc)
        return rc;
    struct ticket t;
    bool done = false;
    if (ticket_id) {
        struct ticket old;
        struct access_subject s;
        subject_of_user(&u, &s);
        rc = tickets_get(db, ticket_id, true, c->work, &old, e);
        if (!rc && access_can_view_ticket(&s, old.requester_id, old.organization_id))
            rc = reply(c, db, &u, ticket_id, body, token, &t, &done, e);
    }
    if (!rc && !done)
        rc = create(c, db, &u, body, token, automatic || over, &t, e);
    if (rc)
        return rc;
    c->r.ticket_id = t.id;
    rc = last_comment(db, t.id, &c->r.comment_id, e);
    if (!rc && p->dropped_count && !automatic && !over)
        rc = tell_dropped(c, db, t.id, now, e);
    return rc;
}

static void fill_out(struct proc *c, const struct mail_inbound *m)
{
    struct mail_in_result *o = c->out;
    o->inbound_id = m->id;
    o->outcome = outcome_parse(m->outcome);
    o->ticket_id = m->ticket_id;
    o->reason =
        o->outcome == MAIL_IN_FAILED ? dup_str(c->a, m->reason ? m->reason : "failed") : NULL;
}

/* The row c->id (locked) as the message's processing leaves it: failed with the parser's reason,
 * or whatever act() decided. */
static int process_row(struct proc *c, struct db *db, struct err *e)
{
    memset(&c->r, 0, sizeof c->r);
    int rc;
    if (c->parse_rc) {
        c->r.status = "failed";
        c->r.outcome = "failed";
        c->r.reason = c->parse_err.reason[0]     ? c->parse_err.reason
                      : c->parse_rc == ERR_LIMIT ? "too_large"
                                                 : "unreadable";
    } else {
        c->r.message_id = c->p->message_id;
        c->r.from_address = c->p->from_address;
        c->r.subject = c->p->subject;
        if ((rc = act(c, db, e)))
            return rc;
    }
    rc = mail_inbound_finish(db, c->id, &c->r, c->env->now(c->env), e);
    if (rc)
        return rc;
    struct mail_inbound m = {
        .id = c->id, .outcome = c->r.outcome, .reason = c->r.reason, .ticket_id = c->r.ticket_id};
    fill_out(c, &m);
    return 0;
}

/* mail_in_accept's one transaction: the raw bytes first, then the processing. The same bytes
 * stored before answer that row's outcome (on PostgreSQL the insert waits for a concurrent
 * transaction storing them, then sees its row). */
static int accept_tx(struct db *db, void *arg, struct err *e)
{
    struct proc *c = arg;
    int rc = mail_inbound_insert(db, c->source, c->raw, c->len, c->sha, c->env->now(c->env), &c->id,
                                 &c->inserted, e);
    if (rc)
        return rc;
    if (!c->inserted) {
        struct mail_inbound m;
        if ((rc = mail_inbound_get(db, c->id, false, true, c->work, &m, e)))
            return rc;
        if (strcmp(m.status, "received") != 0) {
            fill_out(c, &m);
            return 0;
        }
        /* stored but never processed (stored by an older version, or its processing and
         * the failure's record both failed): process it now */
    }
    return process_row(c, db, e);
}

/* An admin's retry: the row must still be failed. */
static int retry_tx(struct db *db, void *arg, struct err *e)
{
    struct proc *c = arg;
    struct mail_inbound m;
    int rc = mail_inbound_get(db, c->id, false, true, c->work, &m, e);
    if (rc)
        return rc;
    if (strcmp(m.status, "failed") != 0)
        return err_set(e, ERR_CONFLICT, "status", "inbound mail %lld is %s, not failed",
                       (long long)c->id, m.status);
    return process_row(c, db, e);
}

/* Run tx, again on a unique violation: a concurrent writer's row (two messages of one new sender
 * at once make the same user); the transaction is rolled back whole and run again sees it. */
static int run(struct proc *c, struct db *db, int (*tx)(struct db *, void *, struct err *),
               struct err *e)
{
    for (int attempt = 0;; attempt++) {
        err_clear(e);
        int rc = db_transact(db, DB_TX_WRITE, tx, c, e);
        if (rc != ERR_CONFLICT || attempt == CONFLICT_RETRIES || strcmp(e->field, "status") == 0)
            return rc;
    }
}

/* "error_<code>", or the error's own reason: why processing failed for another reason than the
 * message (a bug, a refusal the gateway did not expect). */
static void failure_reason(int rc, const struct err *e, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s", e->reason[0] ? e->reason : "error_",
             e->reason[0] ? "" : err_code_name(rc));
}

struct fail_ctx {
    struct proc *c;
    const char *reason;
    bool fields; /* with the parsed Message-ID, sender and subject */
};

static void failed_result(const struct fail_ctx *f, struct mail_inbound_result *r)
{
    *r = (struct mail_inbound_result){.status = "failed", .outcome = "failed", .reason = f->reason};
    if (f->c->p && f->fields) {
        r->message_id = f->c->p->message_id;
        r->from_address = f->c->p->from_address;
        r->subject = f->c->p->subject;
    }
}

/* The row of a retry that failed: stays in the failed list with the new reason. */
static int fail_tx(struct db *db, void *arg, struct err *e)
{
    struct fail_ctx *f = arg;
    struct mail_inbound_result r;
    failed_result(f, &r);
    return mail_inbound_finish(db, f->c->id, &r, f->c->env->now(f->c->env), e);
}

/* The processing transaction of a new message failed: the raw bytes alone, as failed. */
static int store_failed_tx(struct db *db, void *arg, struct err *e)
{
    struct fail_ctx *f = arg;
    struct proc *c = f->c;
    int rc = mail_inbound_insert(db, c->source, c->raw, c->len, c->sha, c->env->now(c->env), &c->id,
                                 &c->inserted, e);
    if (rc)
        return rc;
    if (!c->inserted) { /* a concurrent writer stored the same bytes meanwhile */
        struct mail_inbound m;
        if ((rc = mail_inbound_get(db, c->id, false, false, c->work, &m, e)))
            return rc;
        fill_out(c, &m);
        return 0;
    }
    struct mail_inbound_result r;
    failed_result(f, &r);
    if ((rc = mail_inbound_finish(db, c->id, &r, c->env->now(c->env), e)))
        return rc;
    struct mail_inbound m = {.id = c->id, .outcome = "failed", .reason = f->reason};
    fill_out(c, &m);
    return 0;
}

static void parse(struct proc *c, const char *raw, size_t len, struct mail_parsed *parsed)
{
    struct mail_parse_limits lim = {.attachment_max = c->cfg->attachment_max,
                                    .total_max = c->cfg->total_max,
                                    .attachments_max = ATTACHMENTS_PER_COMMENT};
    err_clear(&c->parse_err);
    mail_parse_init();
    c->parse_rc = mail_parse(raw, len, &lim, c->work, parsed, &c->parse_err);
    c->p = c->parse_rc ? NULL : parsed;
}

/* ---- the contract ------------------------------------------------------------------------ */

struct read_ctx {
    int64_t id;
    bool with_raw;
    struct arena *a;
    struct mail_inbound m;
};

static int read_tx(struct db *db, void *arg, struct err *e)
{
    struct read_ctx *r = arg;
    return mail_inbound_get(db, r->id, r->with_raw, false, r->a, &r->m, e);
}

/* Parsing holds decoded parts in memory: a few times the message, capped. */
static size_t work_limit(size_t len)
{
    return 8 * len + 64u * 1024 * 1024;
}

int mail_in_accept(const struct env *env, struct db *db, const struct mail_in_config *cfg,
                   enum mail_in_source source, const char *raw, size_t len, struct arena *a,
                   struct mail_in_result *out, struct err *e)
{
    if (len > MAIL_IN_RAW_MAX)
        return err_set(e, ERR_LIMIT, "message", "a message of %zu bytes is over the limit of %u",
                       len, MAIL_IN_RAW_MAX);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)raw, len);
    char sha[MAIL_INBOUND_SHA_HEX + 1];
    sodium_bin2hex(sha, sizeof sha, h, sizeof h);
    struct mail_in_result res = {0};
    struct arena work;
    arena_init(&work, work_limit(len));
    struct proc c = {.env = env,
                     .cfg = cfg,
                     .a = a,
                     .work = &work,
                     .source = mail_in_source_name(source),
                     .raw = raw,
                     .len = len,
                     .sha = sha,
                     .out = &res};
    struct mail_parsed parsed;
    parse(&c, raw, len, &parsed);
    struct err te;
    int rc = run(&c, db, accept_tx, &te);
    if (rc) {
        char reason[64];
        failure_reason(rc, &te, reason, sizeof reason);
        /* With the parsed fields, then (should one of them be what the database refused)
         * without. */
        struct fail_ctx f = {&c, reason, true};
        rc = db_transact(db, DB_TX_WRITE, store_failed_tx, &f, e);
        if (rc && c.p) {
            f.fields = false;
            err_clear(e);
            rc = db_transact(db, DB_TX_WRITE, store_failed_tx, &f, e);
        }
        if (rc)
            log_msg("warn", "mail_in_failed", "inbound mail %.12s not stored: %s (%s); %s (%s)",
                    sha, te.message, te.detail, e->message, e->detail);
        else
            log_msg("warn", "mail_in_failed", "inbound mail %lld stored as failed: %s (%s)",
                    (long long)c.id, te.message, te.detail);
    }
    arena_release(&work);
    if (rc)
        return rc;
    res.duplicate = !c.inserted;
    *out = res;
    return 0;
}

int mail_in_retry(const struct env *env, struct db *db, const struct mail_in_config *cfg,
                  int64_t inbound_id, struct arena *a, struct mail_in_result *out, struct err *e)
{
    struct arena work;
    arena_init(&work, 0);
    struct read_ctx r = {inbound_id, true, &work, {0}};
    int rc = db_transact(db, DB_TX_READ, read_tx, &r, e);
    if (!rc && strcmp(r.m.status, "failed") != 0)
        rc = err_set(e, ERR_CONFLICT, "status", "inbound mail %lld is %s, not failed",
                     (long long)inbound_id, r.m.status);
    if (rc) {
        arena_release(&work);
        return rc;
    }
    work.limit = work.used_total + work_limit(r.m.raw_len);
    struct mail_in_result res = {.inbound_id = inbound_id};
    struct proc c = {.env = env,
                     .cfg = cfg,
                     .a = a,
                     .work = &work,
                     .id = inbound_id,
                     .retry = true,
                     .out = &res};
    struct mail_parsed parsed;
    parse(&c, r.m.raw, r.m.raw_len, &parsed);
    struct err te;
    rc = run(&c, db, retry_tx, &te);
    if (rc == ERR_CONFLICT && strcmp(te.field, "status") == 0) {
        arena_release(&work);
        return err_set(e, rc, "status", "inbound mail %lld is no longer failed",
                       (long long)inbound_id);
    }
    if (rc) { /* the row stays failed, with this failure's reason */
        log_msg("warn", "mail_in_failed", "inbound mail %lld: %s (%s)", (long long)inbound_id,
                te.message, te.detail);
        char reason[64];
        failure_reason(rc, &te, reason, sizeof reason);
        struct fail_ctx f = {&c, reason, true};
        struct err fe;
        err_clear(&fe);
        if (db_transact(db, DB_TX_WRITE, fail_tx, &f, &fe) == 0) {
            res.outcome = MAIL_IN_FAILED;
            res.reason = dup_str(a, reason);
        } else { /* as it was */
            res.outcome = MAIL_IN_FAILED;
            res.reason = "unprocessed";
        }
    }
    arena_release(&work);
    *out = res;
    return 0;
}
