/* calls (service): the rules are in the header; this file explains the why. */
#include "service/calls.h"

#include "base/buf.h"
#include "service/bans.h"
#include "service/tickets.h"
#include "store/audit.h"
#include "store/users.h"

#include <stdio.h>
#include <string.h>

static int need_staff(const struct calls_actor *actor, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "calls are logged and read by staff only");
    return 0;
}

static int call_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "call %lld not found", (long long)id);
}

static int callback_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "callback request %lld not found", (long long)id);
}

static int audit(struct db *db, const struct calls_actor *actor, int64_t now, const char *action,
                 const char *target_type, int64_t target_id, struct buf *detail, struct err *e)
{
    struct audit_entry entry = {.at = now,
                                .actor_id = actor->subject.user_id,
                                .action = action,
                                .target_type = target_type,
                                .target_id = target_id,
                                .ip = actor->ip,
                                .detail = buf_cstr(detail)};
    int rc = audit_append(db, &entry, e);
    buf_release(detail);
    return rc;
}

static void json_id_or_null(struct buf *b, int64_t id)
{
    if (id)
        buf_append_int64(b, id);
    else
        buf_append_cstr(b, "null");
}

/* ---- checking input -------------------------------------------------------------------------- */

int calls_phone_normalize(const char *s, const char *field, char out[CALLS_PHONE_MAX + 1],
                          struct err *e)
{
    size_t n = 0, digits = 0;
    bool ok = s != NULL;
    for (const char *p = s; ok && *p; p++) {
        if (*p >= '0' && *p <= '9') {
            ok = ++digits <= 15;
            if (ok)
                out[n++] = *p;
        } else if (*p == '+') {
            ok = n == 0 && digits == 0; /* only first */
            if (ok)
                out[n++] = '+';
        } else {
            ok = *p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')';
        }
    }
    if (!ok || digits < 5)
        return err_set(e, ERR_INVALID, field,
                       "phone number must be like +1 555 010 0199: an optional '+' then 5 to 15 "
                       "digits (spaces, dashes, dots and parentheses are allowed)");
    out[n] = '\0';
    return 0;
}

/* Check text s for field: not blank, at most max_chars characters, no control characters but
 * line breaks and tabs (where multiline allows them). */
static int check_text(const char *s, const char *field, size_t max_chars, bool multiline,
                      bool required, struct err *e)
{
    const char *name = strrchr(field, '.') + 1;
    struct slice t = slice_trim(slice_from_cstr(s ? s : ""));
    if (t.len == 0)
        return required ? err_set(e, ERR_INVALID, field, "%s must not be empty", name) : 0;
    size_t chars = 0;
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.ptr[i];
        bool allowed = multiline && (c == '\n' || c == '\r' || c == '\t');
        if ((c < 0x20 || c == 0x7f) && !allowed)
            return err_set(e, ERR_INVALID, field, "%s must not contain control characters", name);
        chars += (c & 0xC0) != 0x80;
    }
    if (chars > max_chars)
        return err_set(e, ERR_INVALID, field, "%s must be at most %zu characters", name, max_chars);
    return 0;
}

/* The checks of a call that need no database, in the order a client reads its body. */
static int check_call(const struct calls_input *in, int64_t now, char phone[CALLS_PHONE_MAX + 1],
                      struct err *e)
{
    if (!in->direction || (strcmp(in->direction, "inbound") && strcmp(in->direction, "outbound")))
        return err_set(e, ERR_INVALID, "call.direction",
                       "direction must be \"inbound\" or \"outbound\"");
    int rc = calls_phone_normalize(in->phone_number, "call.phone_number", phone, e);
    if (rc)
        return rc;
    if (!in->duration_given || in->duration_seconds < 0 ||
        in->duration_seconds > CALLS_DURATION_MAX)
        return err_set(e, ERR_INVALID, "call.duration_seconds",
                       "duration_seconds must be a whole number of seconds from 0 to %d",
                       CALLS_DURATION_MAX);
    if (!in->notes || slice_trim(slice_from_cstr(in->notes)).len == 0)
        return err_set(e, ERR_INVALID, "call.notes", "notes must not be empty");
    if (strlen(in->notes) > TICKET_COMMENT_MAX)
        return err_set(e, ERR_INVALID, "call.notes", "notes must be at most %d bytes",
                       TICKET_COMMENT_MAX);
    if (in->started_at_given && (in->started_at > now || in->started_at < 0))
        return err_set(e, ERR_INVALID, "call.started_at", "started_at must not be in the future");
    if (in->ticket_id) {
        const char *extra = in->subject            ? "call.subject"
                            : in->requester_id     ? "call.requester_id"
                            : in->inline_requester ? "call.requester"
                                                   : NULL;
        if (extra)
            return err_set(e, ERR_INVALID, extra,
                           "%s is for a call that opens a ticket, not one logged on ticket %lld",
                           strchr(extra, '.') + 1, (long long)in->ticket_id);
        return 0;
    }
    if (!in->subject || slice_trim(slice_from_cstr(in->subject)).len == 0)
        return err_set(e, ERR_INVALID, "call.subject",
                       "subject is required for a call that opens a ticket");
    if (!in->requester_id && !in->inline_requester)
        return err_set(e, ERR_INVALID, "call.requester_id",
                       "a call that opens a ticket needs requester_id or requester {name, email}");
    return 0;
}

/* Errors of the ticket write name the ticket's fields; the client sent a call. */
static int rename_field(int rc, struct err *e)
{
    if (!rc || !e)
        return rc;
    if (strcmp(e->field, "ticket.comment.body") == 0) {
        snprintf(e->field, sizeof e->field, "call.notes");
    } else if (strncmp(e->field, "ticket.", 7) == 0) { /* "ticket." -> "call.": shorter */
        memmove(e->field + 5, e->field + 7, strlen(e->field + 7) + 1);
        memcpy(e->field, "call.", 5);
    }
    return rc;
}

/* ---- calls ----------------------------------------------------------------------------------- */

struct log_ctx {
    const struct env *env;
    const struct calls_actor *actor;
    const struct calls_input *in;
    const char *phone;
    struct arena *a;
    struct calls_logged *out;
};

/* The ticket write on the open transaction: the notes as the agent's comment. */
static int write_ticket(struct db *db, struct log_ctx *c, int64_t *comment_id, struct err *e)
{
    const struct calls_input *in = c->in;
    /* The voice channel also marks the comment as one that came by phone. */
    struct tickets_actor ta = {.subject = c->actor->subject, .channel = TICKET_CHANNEL_VOICE};
    struct tickets_comment comment = {.body = in->notes, .is_public = in->is_public};
    int rc;
    if (in->ticket_id) {
        struct ticket t;
        rc = tickets_get(db, in->ticket_id, true, c->a, &t, e);
        if (rc == ERR_NOT_FOUND)
            return err_set(e, ERR_INVALID, "call.ticket_id", "ticket %lld does not exist",
                           (long long)in->ticket_id);
        struct tickets_update_req req = {.comment = comment, .suppress_mail = true};
        bool follow_up = false;
        rc = rc ? rc
                : tickets_update_tx(c->env, db, &ta, in->ticket_id, &req, c->a, &c->out->ticket,
                                    &follow_up, e);
    } else {
        struct tickets_create_req req = {.subject = in->subject,
                                         .comment = comment,
                                         .requester = {in->requester_id != 0, in->requester_id},
                                         .inline_requester = in->inline_requester,
                                         .requester_name = in->requester_name,
                                         .requester_email = in->requester_email,
                                         .channel = "voice",
                                         .suppress_auto_reply = true};
        rc = tickets_create_tx(c->env, db, &ta, &req, c->a, &c->out->ticket, e);
        c->out->ticket_created = rc == 0;
    }
    if (rc)
        return rename_field(rc, e);
    return calls_last_comment(db, c->out->ticket.id, comment_id, e);
}

static int log_tx(struct db *db, void *arg, struct err *e)
{
    struct log_ctx *c = arg;
    const struct calls_input *in = c->in;
    int64_t now = c->env->now(c->env);
    c->out->ticket_created = false;
    int64_t comment_id = 0;
    int rc = write_ticket(db, c, &comment_id, e);
    if (rc)
        return rc;
    struct call row = {.ticket_id = c->out->ticket.id,
                       .comment_id = comment_id,
                       .duration_seconds = in->duration_seconds,
                       .notes = in->notes,
                       .is_public = in->is_public != 0,
                       .agent_id = c->actor->subject.user_id,
                       .started_at = in->started_at_given ? in->started_at : now};
    snprintf(row.direction, sizeof row.direction, "%s", in->direction);
    snprintf(row.phone_number, sizeof row.phone_number, "%s", c->phone);
    rc = calls_insert(db, &row, now, c->a, &c->out->call, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 0);
    buf_appendf(&d, "{\"ticket_id\":%lld,\"direction\":\"%s\",\"public\":%s,\"ticket_created\":%s}",
                (long long)row.ticket_id, row.direction, row.is_public ? "true" : "false",
                c->out->ticket_created ? "true" : "false");
    return audit(db, c->actor, now, "call.logged", "call", c->out->call.id, &d, e);
}

int calls_log(const struct env *env, struct db *db, const struct calls_actor *actor,
              const struct calls_input *in, struct arena *a, struct calls_logged *out,
              struct err *e)
{
    char phone[CALLS_PHONE_MAX + 1];
    int rc = need_staff(actor, e);
    rc = rc ? rc : check_call(in, env->now(env), phone, e);
    if (rc)
        return rc;
    struct calls_logged r;
    struct log_ctx c = {env, actor, in, phone, a, &r};
    rc = db_transact(db, DB_TX_WRITE, log_tx, &c, e);
    if (!rc)
        *out = r;
    return rc;
}

int calls_show(struct db *db, const struct calls_actor *actor, int64_t id, struct arena *a,
               struct call *out, struct err *e)
{
    int rc = need_staff(actor, e);
    if (!rc)
        rc = calls_get(db, id, a, out, e);
    return rc == ERR_NOT_FOUND ? call_not_found(id, e) : rc;
}

struct list_ctx {
    int64_t ticket_id;
    bool ticket_required;
    int64_t after;
    unsigned limit;
    struct arena *a;
    struct call *out;
    size_t *n;
};

static int list_tx(struct db *db, void *arg, struct err *e)
{
    struct list_ctx *c = arg;
    if (c->ticket_required) {
        struct ticket t;
        int rc = tickets_get(db, c->ticket_id, true, c->a, &t, e);
        if (rc == ERR_NOT_FOUND)
            return err_set(e, ERR_NOT_FOUND, NULL, "ticket %lld not found",
                           (long long)c->ticket_id);
        if (rc)
            return rc;
    }
    return calls_list(db, c->ticket_id, c->after, c->limit, c->a, c->out, c->n, e);
}

int calls_list_page(struct db *db, const struct calls_actor *actor, int64_t ticket_id,
                    bool ticket_required, int64_t after, unsigned limit, struct arena *a,
                    struct call *out, size_t *n, struct err *e)
{
    int rc = need_staff(actor, e);
    if (rc)
        return rc;
    struct list_ctx c = {ticket_id, ticket_required && ticket_id, after, limit, a, out, n};
    return db_transact(db, DB_TX_READ, list_tx, &c, e);
}

/* ---- callback requests ----------------------------------------------------------------------- */

static bool own(const struct calls_actor *actor, const struct callback_request *r)
{
    return access_is_staff(&actor->subject) || r->requester_id == actor->subject.user_id;
}

struct callback_ctx {
    const struct env *env;
    const struct calls_actor *actor;
    int64_t id;
    const struct calls_callback_input *in;
    const struct calls_callback_update *upd;
    const char *phone;
    struct arena *a;
    struct callback_request *out;
};

static int create_tx(struct db *db, void *arg, struct err *e)
{
    struct callback_ctx *c = arg;
    const struct calls_callback_input *in = c->in;
    int64_t self = c->actor->subject.user_id;
    int64_t now = c->env->now(c->env);
    /* The row lock serializes one requester's requests, so the count below holds at commit. */
    int rc = users_lock(db, self, e);
    struct bans_status ban = {0};
    rc = rc ? rc : bans_requester_status(db, self, NULL, &ban, e);
    if (rc)
        return rc;
    if (ban.banned)
        return err_reason(e, err_set(e, ERR_FORBIDDEN, NULL, "%s", bans_notice_text()),
                          "requester_banned");
    if (in->ticket_id) {
        struct ticket t;
        rc = tickets_get(db, in->ticket_id, false, c->a, &t, e);
        if (rc == ERR_NOT_FOUND || (!rc && t.requester_id != self))
            return err_set(e, ERR_INVALID, "callback_request.ticket_id",
                           "ticket_id must be one of your own tickets");
        if (rc)
            return rc;
    }
    int64_t open = 0;
    rc = callback_requests_count(db, self, CALLBACK_OPEN | CALLBACK_IN_PROGRESS, &open, e);
    if (rc)
        return rc;
    if (open >= CALLS_CALLBACKS_OPEN_MAX)
        return err_set(e, ERR_INVALID, "callback_request",
                       "you already have %d callback requests waiting; we will call you back, or "
                       "cancel one to ask again",
                       CALLS_CALLBACKS_OPEN_MAX);
    struct callback_request row = {.requester_id = self,
                                   .ticket_id = in->ticket_id,
                                   .preferred_time = in->preferred_time,
                                   .reason = in->reason};
    snprintf(row.phone_number, sizeof row.phone_number, "%s", c->phone);
    rc = callback_requests_insert(db, &row, now, c->a, c->out, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 0);
    buf_append_cstr(&d, "{\"ticket_id\":");
    json_id_or_null(&d, in->ticket_id);
    buf_append_char(&d, '}');
    return audit(db, c->actor, now, "callback_request.created", "callback_request", c->out->id, &d,
                 e);
}

int calls_callback_create(const struct env *env, struct db *db, const struct calls_actor *actor,
                          const struct calls_callback_input *in, struct arena *a,
                          struct callback_request *out, struct err *e)
{
    if (!actor->subject.user_id || access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "callback requests are made by requesters, signed in to the portal");
    char phone[CALLS_PHONE_MAX + 1];
    int rc = calls_phone_normalize(in->phone_number, "callback_request.phone_number", phone, e);
    rc = rc ? rc
            : check_text(in->preferred_time, "callback_request.preferred_time",
                         CALLS_PREFERRED_TIME_MAX, false, false, e);
    rc = rc ? rc
            : check_text(in->reason, "callback_request.reason", CALLS_REASON_MAX, true, true, e);
    if (rc)
        return rc;
    struct callback_request r;
    struct callback_ctx c = {env, actor, 0, in, NULL, phone, a, &r};
    rc = db_transact(db, DB_TX_WRITE, create_tx, &c, e);
    if (!rc)
        *out = r;
    return rc;
}

int calls_callback_show(struct db *db, const struct calls_actor *actor, int64_t id, struct arena *a,
                        struct callback_request *out, struct err *e)
{
    struct callback_request r;
    int rc = actor->subject.user_id ? callback_requests_get(db, id, a, &r, e) : ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND || (!rc && !own(actor, &r)))
        return callback_not_found(id, e);
    if (!rc)
        *out = r;
    return rc;
}

int calls_callback_status_mask(const char *list, unsigned *mask, struct err *e)
{
    unsigned m = 0;
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char name[16];
        unsigned bit = 0;
        if (len < sizeof name) {
            memcpy(name, p, len);
            name[len] = '\0';
            bit = callback_status_bit(name);
        }
        if (!bit)
            return err_set(e, ERR_INVALID, "status",
                           "status must be a comma-separated list of open, in_progress, done, "
                           "cancelled");
        m |= bit;
        p = end ? end + 1 : p + len;
    }
    *mask = m ? m : CALLBACK_ANY;
    return 0;
}

int calls_callback_list(struct db *db, const struct calls_actor *actor, unsigned mask,
                        int64_t after_at, int64_t after_id, unsigned limit, struct arena *a,
                        struct callback_request *out, size_t *n, struct err *e)
{
    if (!actor->subject.user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to see callback requests");
    struct callback_requests_filter f = {
        .mask = mask ? mask : CALLBACK_ANY,
        .requester_id = access_is_staff(&actor->subject) ? 0 : actor->subject.user_id};
    return callback_requests_list(db, &f, after_at, after_id, limit, a, out, n, e);
}

/* May a request move from one status to another? Staying put is no move. */
static bool may_move(unsigned from, unsigned to)
{
    switch (from) {
    case CALLBACK_OPEN:
        return to & (CALLBACK_IN_PROGRESS | CALLBACK_CANCELLED);
    case CALLBACK_IN_PROGRESS:
        return to & (CALLBACK_OPEN | CALLBACK_DONE | CALLBACK_CANCELLED);
    default:
        return false;
    }
}

/* The requester's part of an update: cancelling their own request, nothing else. */
static int check_requester_update(const struct calls_callback_update *in, struct err *e)
{
    if (in->assignee_given)
        return err_set(e, ERR_FORBIDDEN, "callback_request.assignee_id",
                       "only staff may assign callback requests");
    if (in->call_given)
        return err_set(e, ERR_FORBIDDEN, "callback_request.call_id", "only staff may link a call");
    if (in->status && strcmp(in->status, "cancelled"))
        return err_set(e, ERR_FORBIDDEN, "callback_request.status",
                       "you may only cancel your callback request");
    return 0;
}

/* Staff linking the call they made: it must exist; a request without a ticket takes the
 * call's when that ticket is the requester's. */
static int link_call(struct db *db, struct callback_ctx *c, struct callback_request *r,
                     struct err *e)
{
    struct call call;
    int rc = calls_get(db, c->upd->call_id, c->a, &call, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "callback_request.call_id", "call %lld does not exist",
                       (long long)c->upd->call_id);
    if (rc)
        return rc;
    r->call_id = call.id;
    struct ticket t;
    if (!r->ticket_id && !(rc = tickets_get(db, call.ticket_id, true, c->a, &t, e)) &&
        t.requester_id == r->requester_id)
        r->ticket_id = t.id;
    return rc;
}

static int update_tx(struct db *db, void *arg, struct err *e)
{
    struct callback_ctx *c = arg;
    const struct calls_callback_update *in = c->upd;
    const struct access_subject *s = &c->actor->subject;
    int64_t now = c->env->now(c->env);
    struct callback_request r;
    int rc = callback_requests_lock(db, c->id, e);
    rc = rc ? rc : callback_requests_get(db, c->id, c->a, &r, e);
    if (rc == ERR_NOT_FOUND || (!rc && !own(c->actor, &r)))
        return callback_not_found(c->id, e);
    if (rc)
        return rc;
    bool staff = access_is_staff(s);
    if (!staff && (rc = check_requester_update(in, e)))
        return rc;
    unsigned from = callback_status_bit(r.status);
    unsigned to = in->status ? callback_status_bit(in->status) : from;
    if (from != to && !may_move(from, to))
        return err_set(e, ERR_CONFLICT, "callback_request.status",
                       "a callback request cannot go from %s to %s", r.status, in->status);
    if ((from & (CALLBACK_DONE | CALLBACK_CANCELLED)) &&
        (in->status || in->assignee_given || in->call_given))
        return err_set(e, ERR_CONFLICT, "callback_request.status",
                       "callback request %lld is %s already", (long long)r.id, r.status);
    if (in->call_given && in->call_id && to != CALLBACK_DONE)
        return err_set(e, ERR_INVALID, "callback_request.call_id",
                       "call_id links the call made when the request is done");
    struct callback_request w = r;
    if (in->assignee_given)
        w.assignee_id = in->assignee_id;
    else if (to == CALLBACK_IN_PROGRESS && from != to && !w.assignee_id)
        w.assignee_id = s->user_id; /* taking it */
    if (in->call_given && in->call_id && (rc = link_call(db, c, &w, e)))
        return rc;
    if (from != to) {
        snprintf(w.status, sizeof w.status, "%s", in->status);
        w.resolved_at = to & (CALLBACK_DONE | CALLBACK_CANCELLED) ? now : 0;
    }
    bool changed = from != to || w.assignee_id != r.assignee_id || w.call_id != r.call_id ||
                   w.ticket_id != r.ticket_id;
    if (!changed)
        return callback_requests_get(db, c->id, c->a, c->out, e);
    w.updated_at = now;
    rc = callback_requests_save(db, &w, e);
    if (!rc && from != to) {
        struct buf d;
        buf_init(&d, 0);
        buf_appendf(&d, "{\"from\":\"%s\",\"to\":\"%s\",\"call_id\":", r.status, w.status);
        json_id_or_null(&d, w.call_id);
        buf_append_char(&d, '}');
        rc = audit(db, c->actor, now, "callback_request.status_changed", "callback_request", r.id,
                   &d, e);
    }
    return rc ? rc : callback_requests_get(db, c->id, c->a, c->out, e);
}

int calls_callback_update(const struct env *env, struct db *db, const struct calls_actor *actor,
                          int64_t id, const struct calls_callback_update *in, struct arena *a,
                          struct callback_request *out, struct err *e)
{
    if (!actor->subject.user_id)
        return callback_not_found(id, e);
    if (in->status && !callback_status_bit(in->status))
        return err_set(e, ERR_INVALID, "callback_request.status",
                       "status must be one of open, in_progress, done, cancelled");
    if (in->assignee_given && in->assignee_id && in->assignee_id != actor->subject.user_id &&
        access_is_staff(&actor->subject))
        return err_set(e, ERR_INVALID, "callback_request.assignee_id",
                       "assignee_id may only be yourself or null");
    struct callback_request r;
    struct callback_ctx c = {env, actor, id, NULL, in, NULL, a, &r};
    int rc = db_transact(db, DB_TX_WRITE, update_tx, &c, e);
    if (!rc)
        *out = r;
    return rc;
}
