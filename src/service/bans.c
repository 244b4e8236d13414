/* bans: support bans and abusive-comment flags (policy clauses 5 and 6). */
#include "service/bans.h"

#include "base/buf.h"
#include "core/email_addr.h"
#include "store/audit.h"
#include "store/organizations.h"
#include "store/outbox.h"
#include "store/users.h"

#include <string.h>

#define SECONDS_PER_DAY 86400

/* ---- values ------------------------------------------------------------------------------- */

/* A C0 control other than tab and line breaks, DEL, or a C1 control at s[i] (valid UTF-8). */
static bool control_at(const unsigned char *s, size_t len, size_t i)
{
    if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        return false;
    if (s[i] < 0x20 || s[i] == 0x7f)
        return true;
    return s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A reason: required, trimmed, valid UTF-8 without control characters (line breaks allowed),
 * at most BAN_REASON_MAX characters; copied into out (BAN_REASON_MAX * 4 + 1 bytes). */
static int clean_reason(const char *s, const char *field, char *out, struct err *e)
{
    struct slice t = slice_from_cstr(s ? s : "");
    while (t.len && is_space(t.ptr[0]))
        t.ptr++, t.len--;
    while (t.len && is_space(t.ptr[t.len - 1]))
        t.len--;
    if (t.len == 0)
        return err_set(e, ERR_INVALID, field, "reason is required");
    if (!utf8_valid(t.ptr, t.len))
        return err_set(e, ERR_INVALID, field, "reason must be UTF-8");
    size_t chars = 0;
    for (size_t i = 0; i < t.len; i++) {
        if (control_at((const unsigned char *)t.ptr, t.len, i))
            return err_set(e, ERR_INVALID, field, "reason must not contain control characters");
        chars += ((unsigned char)t.ptr[i] & 0xC0) != 0x80;
    }
    if (chars > BAN_REASON_MAX || t.len > BAN_REASON_MAX * 4)
        return err_set(e, ERR_INVALID, field, "reason must be at most %d characters",
                       BAN_REASON_MAX);
    memcpy(out, t.ptr, t.len);
    out[t.len] = '\0';
    return 0;
}

static int need_lead(const struct bans_actor *actor, struct err *e)
{
    if (!access_is_lead_or_admin(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only a support lead or an admin bans or unbans");
    return 0;
}

static int need_staff(const struct bans_actor *actor, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff do this");
    return 0;
}

/* The UTC day of t, days since 1970-01-01 (floor, also before 1970). */
static int64_t utc_day(int64_t t)
{
    return t >= 0 ? t / SECONDS_PER_DAY : -((-t + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY);
}

/* ---- the contract ------------------------------------------------------------------------- */

/* The status of the known user u (NULL: unknown, user_id 0 or an id with no user) writing from
 * email (NULL: none). */
static int status_of(struct db *db, const struct user *known_user, int64_t user_id,
                     const char *email, struct bans_status *out, struct err *e)
{
    bool known = known_user != NULL;
    const struct user *up = known_user;
    int rc;
    /* Staff cannot be banned (service/bans.h): no address key of a requester reaches them. */
    if (known && access_role_name_is_staff(up->role)) {
        *out = (struct bans_status){false, 0};
        return 0;
    }
    /* The address written in, and the one on file: a ban of either key applies. */
    char key[EMAIL_ADDR_BAN_KEY_SIZE], stored[EMAIL_ADDR_BAN_KEY_SIZE];
    bool has_key = email && email_addr_ban_key(email, strlen(email), key, sizeof key) == 0;
    bool has_stored =
        known && email_addr_ban_key(up->email, strlen(up->email), stored, sizeof stored) == 0;
    if (has_stored && has_key && strcmp(key, stored) == 0)
        has_stored = false;
    int64_t ban_id = 0;
    rc = bans_store_match(db, known ? up->id : user_id, known ? up->organization_id : 0,
                          has_key      ? key
                          : has_stored ? stored
                                       : NULL,
                          &ban_id, e);
    if (!rc && has_key && has_stored) {
        int64_t other = 0;
        rc = bans_store_match(db, 0, 0, stored, &other, e);
        if (other && (!ban_id || other < ban_id))
            ban_id = other;
    }
    if (rc)
        return rc;
    *out = (struct bans_status){ban_id != 0, ban_id};
    return 0;
}

int bans_requester_status(struct db *db, int64_t user_id, const char *email,
                          struct bans_status *out, struct err *e)
{
    struct user u;
    int rc = 0;
    if (user_id)
        rc = users_get(db, user_id, &u, e);
    else if (email && *email)
        rc = users_find_by_email(db, email, &u, NULL, e);
    else
        rc = ERR_NOT_FOUND;
    if (rc && rc != ERR_NOT_FOUND)
        return rc;
    if (e)
        err_clear(e);
    return rc ? status_of(db, NULL, user_id, email, out, e) : status_of(db, &u, 0, email, out, e);
}

int bans_user_status(struct db *db, const struct user *u, const char *email,
                     struct bans_status *out, struct err *e)
{
    return status_of(db, u, 0, email, out, e);
}

const char *bans_notice_text(void)
{
    /* Clause 1.2: respectful; clause 5: why; clause 6: nobody else's approval is needed. */
    return "Hello, and thank you for writing to us. We are sorry to let you know that support "
           "has been withdrawn from you because of abusive behaviour towards our support team "
           "(support policy, clause 5), so this request will not be answered. As our policy "
           "provides (clause 6), this decision does not need the account owner's approval. "
           "We wish you well.";
}

int bans_queue_notice(struct db *db, const char *address, int64_t ticket_id, int64_t now,
                      bool *queued, struct err *e)
{
    char key[EMAIL_ADDR_BAN_KEY_SIZE];
    if (!address || email_addr_ban_key(address, strlen(address), key, sizeof key) != 0)
        return err_set(e, ERR_INVALID, "address", "not an email address a notice can go to");
    bool claimed = false;
    int rc = bans_store_notice_claim(db, key, utc_day(now), now, &claimed, e);
    if (rc)
        return rc;
    if (claimed) {
        struct outbox_new m = {.kind = "ban_notice",
                               .to_address = address,
                               .subject = "Your support request",
                               .body = bans_notice_text(),
                               .ticket_id = ticket_id};
        int64_t id;
        rc = outbox_insert(db, &m, now, &id, e);
        if (rc)
            return rc;
    }
    *queued = claimed;
    return 0;
}

/* ---- banning and unbanning ---------------------------------------------------------------- */

static int audit(struct db *db, const struct bans_actor *actor, int64_t now, const char *action,
                 const char *target_type, int64_t target_id, const char *detail, struct err *e)
{
    struct audit_entry a = {.at = now,
                            .actor_id = actor->subject.user_id,
                            .action = action,
                            .target_type = target_type,
                            .target_id = target_id,
                            .ip = actor->ip,
                            .detail = detail};
    return audit_append(db, &a, e);
}

/* Audit "ban.created" / "ban.lifted" of b with detail {"ban_id", "reason"[, "sessions_ended"]}. */
static int audit_ban(struct db *db, const struct bans_actor *actor, int64_t now, const char *action,
                     const struct ban *b, const char *reason, int64_t sessions_ended, struct err *e)
{
    struct buf d;
    buf_init(&d, 16384);
    buf_appendf(&d, "{\"ban_id\":%lld,\"reason\":", (long long)b->id);
    buf_append_json_str(&d, reason, strlen(reason));
    if (sessions_ended >= 0)
        buf_appendf(&d, ",\"sessions_ended\":%lld", (long long)sessions_ended);
    buf_append_char(&d, '}');
    int rc = audit(db, actor, now, action, b->user_id ? "user" : "organization",
                   b->user_id ? b->user_id : b->organization_id, buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

struct ban_ctx {
    const struct bans_actor *actor;
    int64_t user_id, org_id; /* exactly one set */
    bool lift;
    const char *reason;
    int64_t now;
    struct ban *out;
};

static int check_target(struct db *db, struct ban_ctx *c, char key[EMAIL_ADDR_BAN_KEY_SIZE],
                        struct err *e)
{
    if (c->org_id) {
        struct organization o;
        int rc = organizations_get(db, c->org_id, &o, e);
        if (rc == ERR_NOT_FOUND)
            return err_set(e, ERR_NOT_FOUND, NULL, "organization %lld not found",
                           (long long)c->org_id);
        return rc;
    }
    struct user u;
    int rc = users_get(db, c->user_id, &u, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_NOT_FOUND, NULL, "user %lld not found", (long long)c->user_id);
    if (rc)
        return rc;
    if (!c->lift && access_role_name_is_staff(u.role))
        return err_set(e, ERR_INVALID, "ban.user_id", "staff members cannot be banned");
    if (email_addr_ban_key(u.email, strlen(u.email), key, EMAIL_ADDR_BAN_KEY_SIZE) != 0)
        key[0] = '\0';
    return 0;
}

static int ban_tx(struct db *db, void *arg, struct err *e)
{
    struct ban_ctx *c = arg;
    char key[EMAIL_ADDR_BAN_KEY_SIZE] = "";
    int rc = check_target(db, c, key, e);
    if (rc)
        return rc;
    if (c->lift) {
        struct ban active;
        rc = bans_store_active_for(db, c->user_id, c->org_id, &active, e);
        if (rc == ERR_NOT_FOUND)
            return err_set(e, ERR_CONFLICT, NULL, "there is no active ban to lift");
        if (!rc)
            rc = bans_store_lift(db, active.id, c->reason, c->actor->subject.user_id, c->now,
                                 c->out, e);
        return rc ? rc : audit_ban(db, c->actor, c->now, "ban.lifted", c->out, c->reason, -1, e);
    }
    rc = bans_store_insert(db, c->user_id, c->org_id, key[0] ? key : NULL, c->reason,
                           c->actor->subject.user_id, c->now, c->out, e);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_CONFLICT, NULL, "an active ban exists already");
    /* Clause 5: the ban takes effect at once, also for people signed in right now. */
    int64_t ended = 0;
    if (!rc)
        rc = bans_store_end_sessions(db, c->user_id, c->org_id, &ended, e);
    return rc ? rc : audit_ban(db, c->actor, c->now, "ban.created", c->out, c->reason, ended, e);
}

static int ban_write(struct db *db, const struct bans_actor *actor, int64_t user_id, int64_t org_id,
                     bool lift, const char *reason, int64_t now, struct ban *out, struct err *e)
{
    char r[BAN_REASON_MAX * 4 + 1];
    int rc = need_lead(actor, e);
    if (!rc)
        rc = clean_reason(reason, "ban.reason", r, e);
    if (rc)
        return rc;
    struct ban_ctx c = {actor, user_id, org_id, lift, r, now, out};
    return db_transact(db, DB_TX_WRITE, ban_tx, &c, e);
}

int bans_ban_user(struct db *db, const struct bans_actor *actor, int64_t user_id,
                  const char *reason, int64_t now, struct ban *out, struct err *e)
{
    return ban_write(db, actor, user_id, 0, false, reason, now, out, e);
}

int bans_unban_user(struct db *db, const struct bans_actor *actor, int64_t user_id,
                    const char *reason, int64_t now, struct ban *out, struct err *e)
{
    return ban_write(db, actor, user_id, 0, true, reason, now, out, e);
}

int bans_ban_organization(struct db *db, const struct bans_actor *actor, int64_t org_id,
                          const char *reason, int64_t now, struct ban *out, struct err *e)
{
    return ban_write(db, actor, 0, org_id, false, reason, now, out, e);
}

int bans_unban_organization(struct db *db, const struct bans_actor *actor, int64_t org_id,
                            const char *reason, int64_t now, struct ban *out, struct err *e)
{
    return ban_write(db, actor, 0, org_id, true, reason, now, out, e);
}

int bans_list(struct db *db, const struct bans_actor *actor, bool active_only, int64_t after,
              unsigned limit, struct ban *out, size_t *n, struct err *e)
{
    int rc = need_staff(actor, e);
    return rc ? rc : bans_store_list(db, active_only, after, limit, out, n, e);
}

/* ---- abusive comments ---------------------------------------------------------------------- */

struct flag_ctx {
    const struct bans_actor *actor;
    int64_t ticket_id, comment_id;
    const char *reason;
    int64_t now;
    struct comment_flag *out;
};

static int flag_tx(struct db *db, void *arg, struct err *e)
{
    struct flag_ctx *c = arg;
    int64_t ticket_id = 0;
    int rc = bans_store_comment_ticket(db, c->comment_id, &ticket_id, e);
    if (rc == ERR_NOT_FOUND || (!rc && ticket_id != c->ticket_id))
        return err_set(e, ERR_NOT_FOUND, NULL, "comment %lld not found on ticket %lld",
                       (long long)c->comment_id, (long long)c->ticket_id);
    if (!rc)
        rc = bans_store_flag_comment(db, c->comment_id, c->ticket_id, c->actor->subject.user_id,
                                     c->reason, c->now, c->out, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 16384);
    buf_appendf(&d, "{\"ticket_id\":%lld,\"reason\":", (long long)c->ticket_id);
    buf_append_json_str(&d, c->reason, strlen(c->reason));
    buf_append_char(&d, '}');
    rc = audit(db, c->actor, c->now, "comment.flagged_abusive", "comment", c->comment_id,
               buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

int bans_flag_comment(struct db *db, const struct bans_actor *actor, int64_t ticket_id,
                      int64_t comment_id, const char *reason, int64_t now, struct comment_flag *out,
                      struct err *e)
{
    char r[BAN_REASON_MAX * 4 + 1];
    int rc = need_staff(actor, e);
    if (!rc)
        rc = clean_reason(reason, "comment_flag.reason", r, e);
    if (rc)
        return rc;
    struct flag_ctx c = {actor, ticket_id, comment_id, r, now, out};
    return db_transact(db, DB_TX_WRITE, flag_tx, &c, e);
}
