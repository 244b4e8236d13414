#include "service/people.h"

#include "base/timefmt.h"
#include "core/email_addr.h"
#include "store/audit.h"
#include "store/credentials.h"

#include <stdio.h>
#include <string.h>

/* ---- values ------------------------------------------------------------------------------- */

/* The last segment of an API field name: "name" of "user.name", for messages. */
static const char *short_name(const char *field)
{
    const char *dot = strrchr(field, '.');
    return dot ? dot + 1 : field;
}

/* A C0 or C1 control character, or DEL, at s[i] (valid UTF-8): names end up in mail headers
 * and log lines, where a line break would be an injection. */
static bool control_at(const unsigned char *s, size_t len, size_t i)
{
    if (s[i] < 0x20 || s[i] == 0x7f)
        return true;
    return s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f;
}

/* Check s as a one-line text of at most max_chars characters and copy it, without leading and
 * trailing spaces, into out (cap bytes, which max_chars * 4 + 1 always fits). */
static int clean_text(const char *s, const char *field, size_t max_chars, bool allow_empty,
                      char *out, size_t cap, struct err *e)
{
    struct slice t = slice_trim(slice_from_cstr(s ? s : ""));
    if (!s || (t.len == 0 && !allow_empty))
        return err_set(e, ERR_INVALID, field, "%s must not be empty", short_name(field));
    size_t chars = 0;
    for (size_t i = 0; i < t.len; i++) {
        if (control_at((const unsigned char *)t.ptr, t.len, i))
            return err_set(e, ERR_INVALID, field, "%s must not contain control characters",
                           short_name(field));
        chars += ((unsigned char)t.ptr[i] & 0xC0) != 0x80;
    }
    if (chars > max_chars || t.len >= cap)
        return err_set(e, ERR_INVALID, field, "%s must be at most %zu characters",
                       short_name(field), max_chars);
    memcpy(out, t.ptr, t.len);
    out[t.len] = '\0';
    return 0;
}

static int copy_checked(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s);
    if (n >= cap)
        return -1;
    memcpy(out, s, n + 1);
    return 0;
}

/* A phone number as people write them: digits, spaces, + - ( ) . and "ext"/"x" for an
 * extension; at least one digit. */
static int clean_phone(const char *s, char out[USER_PHONE_MAX + 1], struct err *e)
{
    struct slice t = slice_trim(slice_from_cstr(s ? s : ""));
    bool digit = false;
    for (size_t i = 0; i < t.len; i++) {
        char c = t.ptr[i];
        digit |= c >= '0' && c <= '9';
        static const char allowed[] = "0123456789 +-().extEXT";
        if (!memchr(allowed, c, sizeof allowed - 1))
            return err_set(e, ERR_INVALID, "user.phone",
                           "phone may hold only digits, spaces, + - ( ) . and ext");
    }
    if (t.len && !digit)
        return err_set(e, ERR_INVALID, "user.phone", "phone must contain digits");
    if (t.len > USER_PHONE_MAX)
        return err_set(e, ERR_INVALID, "user.phone", "phone must be at most %d characters",
                       USER_PHONE_MAX);
    memcpy(out, t.ptr, t.len);
    out[t.len] = '\0';
    return 0;
}

bool people_date_valid(const char *s, size_t len)
{
    if (len != ORGANIZATION_DATE_LEN || s[4] != '-' || s[7] != '-')
        return false;
    int v[3] = {0, 0, 0};
    static const int start[3] = {0, 5, 8}, width[3] = {4, 2, 2};
    for (int f = 0; f < 3; f++)
        for (int i = start[f]; i < start[f] + width[f]; i++) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            v[f] = v[f] * 10 + (s[i] - '0');
        }
    return v[0] >= 1 && v[1] >= 1 && v[1] <= 12 && v[2] >= 1 &&
           v[2] <= timefmt_days_in_month(v[0], v[1]);
}

/* ---- audit -------------------------------------------------------------------------------- */

static int audit(struct db *db, const struct people_actor *actor, int64_t now, const char *action,
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

/* A JSON string, or null for NULL and "". */
static void json_text(struct buf *b, const char *s)
{
    if (s && *s)
        buf_append_json_str(b, s, strlen(s));
    else
        buf_append_cstr(b, "null");
}

static void json_id(struct buf *b, int64_t id)
{
    if (id)
        buf_append_int64(b, id);
    else
        buf_append_cstr(b, "null");
}

/* Audit "action" with detail {"old": old, "new": new} (strings). */
static int audit_old_new(struct db *db, const struct people_actor *actor, int64_t now,
                         const char *action, int64_t user_id, const char *old_value,
                         const char *new_value, struct err *e)
{
    struct buf d;
    buf_init(&d, 4096);
    buf_append_cstr(&d, "{\"old\":");
    json_text(&d, old_value);
    buf_append_cstr(&d, ",\"new\":");
    json_text(&d, new_value);
    buf_append_char(&d, '}');
    int rc = audit(db, actor, now, action, "user", user_id, buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

/* ---- users: reading ------------------------------------------------------------------------- */

static int user_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "user %lld not found", (long long)id);
}

int people_user_get(struct db *db, const struct people_actor *actor, int64_t id, struct user *out,
                    struct err *e)
{
    struct user u;
    int rc = users_get(db, id, &u, e);
    if (rc == ERR_NOT_FOUND ||
        (!rc && !access_can_view_user(&actor->subject, id, u.organization_id)))
        return user_not_found(id, e);
    if (!rc)
        *out = u;
    return rc;
}

static bool owns(const struct access_subject *s, int64_t organization_id)
{
    return organization_id && s->organization_id == organization_id &&
           s->account_role == ACCESS_ACCOUNT_OWNER;
}

int people_users_list(struct db *db, const struct people_actor *actor, const struct users_filter *f,
                      int64_t after, unsigned limit, struct user *out, size_t *n, struct err *e)
{
    const struct access_subject *s = &actor->subject;
    if (!access_is_staff(s)) {
        if (!f->organization_id)
            return err_set(e, ERR_FORBIDDEN, NULL, "listing users needs a staff account");
        if (!owns(s, f->organization_id))
            return err_set(e, ERR_NOT_FOUND, NULL, "organization %lld not found",
                           (long long)f->organization_id);
    } else if (f->organization_id) {
        struct organization o;
        int rc = organizations_get(db, f->organization_id, &o, e);
        if (rc)
            return rc == ERR_NOT_FOUND ? err_set(e, rc, NULL, "organization %lld not found",
                                                 (long long)f->organization_id)
                                       : rc;
    }
    return users_list(db, f, after, limit, out, n, e);
}

/* ---- users: writing ------------------------------------------------------------------------- */

/* A user input checked field by field, in the order the API documents them, with its texts
 * copied and trimmed. */
struct user_values {
    unsigned given;
    char name[sizeof((struct user *)0)->name];
    char email[USER_EMAIL_MAX + 1];
    char role[USER_ROLE_MAX + 1];
    char phone[USER_PHONE_MAX + 1];
    int64_t organization_id;
    char account_role[USER_ROLE_MAX + 1];
    bool active;
};

static int check_user_input(const struct people_user_input *in, struct user_values *v,
                            struct err *e)
{
    memset(v, 0, sizeof *v);
    v->given = in->given;
    int rc = 0;
    if (in->given & PEOPLE_USER_NAME)
        rc = clean_text(in->name, "user.name", USER_NAME_MAX, false, v->name, sizeof v->name, e);
    if (!rc && (in->given & PEOPLE_USER_EMAIL) &&
        (!in->email || !email_addr_valid(in->email, strlen(in->email)) ||
         copy_checked(in->email, v->email, sizeof v->email)))
        rc =
            err_set(e, ERR_INVALID, "user.email", "email must be an address like name@example.com");
    enum access_role role;
    if (!rc && (in->given & PEOPLE_USER_ROLE) &&
        (!in->role || access_role_parse(in->role, strlen(in->role), &role) ||
         copy_checked(in->role, v->role, sizeof v->role)))
        rc = err_set(e, ERR_INVALID, "user.role", "role must be end-user, agent, lead or admin");
    if (!rc && (in->given & PEOPLE_USER_PHONE))
        rc = clean_phone(in->phone, v->phone, e);
    if (!rc && (in->given & PEOPLE_USER_ORGANIZATION)) {
        if (in->organization_id < 0)
            rc = err_set(e, ERR_INVALID, "user.organization_id",
                         "organization_id must be the id of an organization, or null");
        v->organization_id = in->organization_id;
    }
    enum access_account_role ar;
    if (!rc && (in->given & PEOPLE_USER_ACCOUNT_ROLE) && in->account_role &&
        (access_account_role_parse(in->account_role, strlen(in->account_role), &ar) ||
         copy_checked(in->account_role, v->account_role, sizeof v->account_role)))
        rc = err_set(e, ERR_INVALID, "user.account_role",
                     "account_role must be owner, member, billing_contact or null");
    v->active = in->active;
    return rc;
}

static bool is_staff_role(const char *role)
{
    return strcmp(role, "end-user") != 0;
}

/* The account-related invariants of a user about to be written: staff belong to no account,
 * an account role needs an account, joining one makes a member by default, and the account
 * must exist. given says which fields the request named, to blame the right one. */
static int check_account(struct db *db, struct user *u, unsigned given, struct err *e)
{
    if (is_staff_role(u->role) && u->organization_id)
        return err_set(e, ERR_INVALID,
                       (given & PEOPLE_USER_ORGANIZATION) ? "user.organization_id" : "user.role",
                       "staff do not belong to a client account: set organization_id to null "
                       "to make this user %s",
                       u->role);
    if (!u->organization_id && u->account_role[0]) {
        if (given & PEOPLE_USER_ACCOUNT_ROLE)
            return err_set(e, ERR_INVALID, "user.account_role",
                           "account_role needs an organization_id");
        u->account_role[0] = '\0'; /* leaving the account ends the role in it */
    }
    if (u->organization_id && !u->account_role[0])
        memcpy(u->account_role, "member", sizeof "member");
    if (!u->organization_id)
        return 0;
    struct organization o;
    int rc = organizations_get(db, u->organization_id, &o, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "user.organization_id", "organization %lld does not exist",
                       (long long)u->organization_id);
    return rc;
}

static int email_taken(const char *email, struct err *e)
{
    return err_set(e, ERR_INVALID, "user.email", "email %s is already being used by another user",
                   email);
}

/* Audit a change of account or account role: who may see an account's tickets depends on it. */
static int audit_account(struct db *db, const struct people_actor *actor, int64_t now,
                         const struct user *before, const struct user *after, struct err *e)
{
    struct buf d;
    buf_init(&d, 1024);
    buf_append_cstr(&d, "{\"old\":{\"organization_id\":");
    json_id(&d, before ? before->organization_id : 0);
    buf_append_cstr(&d, ",\"account_role\":");
    json_text(&d, before ? before->account_role : NULL);
    buf_append_cstr(&d, "},\"new\":{\"organization_id\":");
    json_id(&d, after->organization_id);
    buf_append_cstr(&d, ",\"account_role\":");
    json_text(&d, after->account_role);
    buf_append_cstr(&d, "}}");
    int rc = audit(db, actor, now, "user.account_changed", "user", after->id, buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

struct user_create_ctx {
    const struct env *env;
    const struct people_actor *actor;
    struct user_values *v;
    struct user *out;
};

static int user_create_tx(struct db *db, void *arg, struct err *e)
{
    struct user_create_ctx *c = arg;
    struct user_values *v = c->v;
    /* Check the account invariants on the user as it will be written. */
    struct user u;
    memset(&u, 0, sizeof u);
    memcpy(u.role, v->role, sizeof u.role);
    u.organization_id = v->organization_id;
    memcpy(u.account_role, v->account_role, sizeof u.account_role);
    int rc = check_account(db, &u, v->given, e);
    if (rc)
        return rc;
    int64_t now = c->env->now(c->env);
    struct user_new n = {.name = v->name,
                         .email = v->email,
                         .role = v->role,
                         .phone = v->phone[0] ? v->phone : NULL,
                         .organization_id = u.organization_id,
                         .account_role = u.account_role[0] ? u.account_role : NULL};
    rc = users_insert(db, &n, now, c->out, e);
    if (rc == ERR_CONFLICT)
        return email_taken(v->email, e);
    if (!rc && is_staff_role(v->role)) {
        char detail[64];
        snprintf(detail, sizeof detail, "{\"role\":\"%s\",\"via\":\"api\"}", v->role);
        rc = audit(db, c->actor, now, "staff.added", "user", c->out->id, detail, e);
    }
    if (!rc && c->out->organization_id)
        rc = audit_account(db, c->actor, now, NULL, c->out, e);
    return rc;
}

int people_user_create(const struct env *env, struct db *db, const struct people_actor *actor,
                       const struct people_user_input *in, struct user *out, struct err *e)
{
    const struct access_subject *s = &actor->subject;
    if (!access_is_staff(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "creating users needs a staff account");
    struct people_user_input req = *in;
    req.given |= PEOPLE_USER_NAME | PEOPLE_USER_EMAIL | PEOPLE_USER_ROLE; /* required */
    if (!(in->given & PEOPLE_USER_ROLE) || !in->role)
        req.role = "end-user";
    struct user_values v;
    int rc = check_user_input(&req, &v, e);
    if (rc)
        return rc;
    if (is_staff_role(v.role) && !access_is_admin(s))
        return err_set(e, ERR_FORBIDDEN, "user.role", "only administrators create staff");
    if ((v.organization_id || v.account_role[0]) && !access_is_admin(s))
        return err_set(e, ERR_FORBIDDEN,
                       v.organization_id ? "user.organization_id" : "user.account_role",
                       "only administrators assign people to client accounts");
    if ((in->given & PEOPLE_USER_ACTIVE) && !in->active)
        return err_set(e, ERR_INVALID, "user.active", "a new user is active");
    struct user_create_ctx c = {env, actor, &v, out};
    return db_transact(db, DB_TX_WRITE, user_create_tx, &c, e);
}

struct user_update_ctx {
    const struct env *env;
    const struct people_actor *actor;
    int64_t id;
    struct user_values *v;
    struct user *out;
};

/* Which of the user's fields this request changes, as PEOPLE_USER_* bits, and the user after it. */
static unsigned apply_user_values(const struct user_values *v, const struct user *cur,
                                  struct user *next)
{
    unsigned changed = 0;
    *next = *cur;
    if ((v->given & PEOPLE_USER_NAME) && strcmp(v->name, cur->name) != 0) {
        memcpy(next->name, v->name, sizeof next->name);
        changed |= PEOPLE_USER_NAME;
    }
    if ((v->given & PEOPLE_USER_EMAIL) && strcmp(v->email, cur->email) != 0) {
        memcpy(next->email, v->email, sizeof next->email);
        changed |= PEOPLE_USER_EMAIL;
    }
    if ((v->given & PEOPLE_USER_ROLE) && strcmp(v->role, cur->role) != 0) {
        memcpy(next->role, v->role, sizeof next->role);
        changed |= PEOPLE_USER_ROLE;
    }
    if ((v->given & PEOPLE_USER_PHONE) && strcmp(v->phone, cur->phone) != 0) {
        memcpy(next->phone, v->phone, sizeof next->phone);
        changed |= PEOPLE_USER_PHONE;
    }
    if ((v->given & PEOPLE_USER_ORGANIZATION) && v->organization_id != cur->organization_id) {
        next->organization_id = v->organization_id;
        changed |= PEOPLE_USER_ORGANIZATION;
    }
    if ((v->given & PEOPLE_USER_ACCOUNT_ROLE) && strcmp(v->account_role, cur->account_role) != 0) {
        memcpy(next->account_role, v->account_role, sizeof next->account_role);
        changed |= PEOPLE_USER_ACCOUNT_ROLE;
    }
    if ((v->given & PEOPLE_USER_ACTIVE) && v->active != cur->active) {
        next->active = v->active;
        changed |= PEOPLE_USER_ACTIVE;
    }
    return changed;
}

static const struct {
    unsigned bit;
    const char *field;
} user_fields[] = {
    {PEOPLE_USER_NAME, "user.name"},
    {PEOPLE_USER_EMAIL, "user.email"},
    {PEOPLE_USER_ROLE, "user.role"},
    {PEOPLE_USER_PHONE, "user.phone"},
    {PEOPLE_USER_ORGANIZATION, "user.organization_id"},
    {PEOPLE_USER_ACCOUNT_ROLE, "user.account_role"},
    {PEOPLE_USER_ACTIVE, "user.active"},
};

/* May the actor make these changes to cur? Admins may make any; a person may change their own
 * name and phone, and staff those of requesters. */
static int check_user_changes(const struct access_subject *s, const struct user *cur,
                              unsigned changed, struct err *e)
{
    if (access_is_admin(s))
        return 0;
    unsigned allowed = 0;
    if (s->user_id == cur->id || (access_is_staff(s) && !is_staff_role(cur->role)))
        allowed = PEOPLE_USER_NAME | PEOPLE_USER_PHONE;
    for (size_t i = 0; i < sizeof user_fields / sizeof user_fields[0]; i++)
        if (changed & user_fields[i].bit & ~allowed)
            return err_set(e, ERR_FORBIDDEN, user_fields[i].field,
                           allowed ? "only administrators change %s"
                                   : "you may not change this user's %s",
                           short_name(user_fields[i].field));
    return 0;
}

/* Refuse to leave the instance without an active administrator. */
static int check_last_admin(struct db *db, const struct user *cur, const struct user *next,
                            struct err *e)
{
    bool was = cur->active && strcmp(cur->role, "admin") == 0;
    bool is = next->active && strcmp(next->role, "admin") == 0;
    if (!was || is)
        return 0;
    int64_t admins = 0;
    int rc = users_count_active_admins(db, &admins, e);
    if (rc)
        return rc;
    if (admins <= 1)
        return err_set(e, ERR_CONFLICT, next->active ? "user.role" : "user.active",
                       "user %lld is the last active administrator: make another one first",
                       (long long)cur->id);
    return 0;
}

/* The audit entries and side effects of what changed, after the row is written. */
static int after_user_changes(struct db *db, const struct people_actor *actor, int64_t now,
                              const struct user *cur, const struct user *next, unsigned changed,
                              struct err *e)
{
    int rc = 0;
    if (changed & PEOPLE_USER_ROLE) {
        rc = audit_old_new(db, actor, now, "user.role_changed", cur->id, cur->role, next->role, e);
        if (!rc && !is_staff_role(next->role))
            rc = group_memberships_delete_user(db, cur->id, NULL, e); /* teams are for staff */
    }
    if (!rc && (changed & PEOPLE_USER_EMAIL))
        rc = audit_old_new(db, actor, now, "user.email_changed", cur->id, cur->email, next->email,
                           e);
    if (!rc && (cur->organization_id != next->organization_id ||
                strcmp(cur->account_role, next->account_role) != 0))
        rc = audit_account(db, actor, now, cur, next, e);
    if (!rc && (changed & PEOPLE_USER_ACTIVE)) {
        rc = audit(db, actor, now, next->active ? "user.reactivated" : "user.deactivated", "user",
                   cur->id, NULL, e);
        if (!rc && !next->active)
            rc = sessions_delete_user(db, cur->id, NULL, e);
    }
    return rc;
}

static int user_update_tx(struct db *db, void *arg, struct err *e)
{
    struct user_update_ctx *c = arg;
    const struct access_subject *s = &c->actor->subject;
    struct user cur, next;
    int rc = users_lock(db, c->id, e);
    if (!rc)
        rc = users_get(db, c->id, &cur, e);
    if (rc == ERR_NOT_FOUND || (!rc && !access_can_view_user(s, c->id, cur.organization_id)))
        return user_not_found(c->id, e);
    if (rc)
        return rc;
    unsigned changed = apply_user_values(c->v, &cur, &next);
    rc = check_user_changes(s, &cur, changed, e);
    if (!rc && changed)
        rc = check_account(db, &next, c->v->given, e);
    if (!rc)
        rc = check_last_admin(db, &cur, &next, e);
    if (rc || !changed) {
        *c->out = cur;
        return rc;
    }
    int64_t now = c->env->now(c->env);
    rc = users_save(db, &next, now, e);
    if (rc == ERR_CONFLICT)
        return email_taken(next.email, e);
    if (!rc)
        rc = after_user_changes(db, c->actor, now, &cur, &next, changed, e);
    if (!rc)
        *c->out = next;
    return rc;
}

int people_user_update(const struct env *env, struct db *db, const struct people_actor *actor,
                       int64_t id, const struct people_user_input *in, struct user *out,
                       struct err *e)
{
    if (!actor->subject.user_id)
        return user_not_found(id, e);
    struct user_values v;
    int rc = check_user_input(in, &v, e);
    if (rc)
        return rc;
    struct user_update_ctx c = {env, actor, id, &v, out};
    return db_transact(db, DB_TX_WRITE, user_update_tx, &c, e);
}

/* ---- organizations ------------------------------------------------------------------------- */

static int organization_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "organization %lld not found", (long long)id);
}

int people_organization_get(struct db *db, const struct people_actor *actor, int64_t id,
                            struct organization *out, struct err *e)
{
    if (!access_can_view_organization(&actor->subject, id))
        return organization_not_found(id, e);
    int rc = organizations_get(db, id, out, e);
    return rc == ERR_NOT_FOUND ? organization_not_found(id, e) : rc;
}

int people_organizations_list(struct db *db, const struct people_actor *actor, int64_t after,
                              unsigned limit, struct organization *out, size_t *n, struct err *e)
{
    const struct access_subject *s = &actor->subject;
    if (!s->user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to list organizations");
    if (!access_is_staff(s) && !s->organization_id) {
        *n = 0;
        return 0;
    }
    return organizations_list(db, access_is_staff(s) ? 0 : s->organization_id, after, limit, out, n,
                              e);
}

/* Check the given fields of in and write them into *o. */
static int apply_org_input(const struct people_org_input *in, struct organization *o, struct err *e)
{
    int rc = 0;
    if (in->given & PEOPLE_ORG_NAME)
        rc = clean_text(in->name, "organization.name", ORGANIZATION_NAME_MAX, false, o->name,
                        sizeof o->name, e);
    if (!rc && (in->given & PEOPLE_ORG_PLAN))
        rc = clean_text(in->plan ? in->plan : "", "organization.plan", ORGANIZATION_PLAN_MAX, true,
                        o->plan, sizeof o->plan, e);
    if (!rc && (in->given & PEOPLE_ORG_PLAN_RATE)) {
        if (in->plan_rate_cents < 0 || in->plan_rate_cents > PEOPLE_PLAN_RATE_MAX)
            rc = err_set(e, ERR_INVALID, "organization.plan_rate_cents",
                         "plan_rate_cents must be a whole number of cents from 0 to %lld",
                         PEOPLE_PLAN_RATE_MAX);
        o->plan_rate_cents = in->plan_rate_cents;
    }
    if (!rc && (in->given & PEOPLE_ORG_SUPPORT_PACKAGE_UNTIL)) {
        const char *d = in->support_package_until;
        if (d && !people_date_valid(d, strlen(d)))
            rc = err_set(e, ERR_INVALID, "organization.support_package_until",
                         "support_package_until must be a date like 2026-12-31, or null");
        else
            snprintf(o->support_package_until, sizeof o->support_package_until, "%s", d ? d : "");
    }
    if (!rc && (in->given & PEOPLE_ORG_INSTALL_STATUS)) {
        const char *st = in->install_status;
        if (!st || (strcmp(st, "installed") != 0 && strcmp(st, "uninstalled") != 0))
            rc = err_set(e, ERR_INVALID, "organization.install_status",
                         "install_status must be installed or uninstalled");
        else
            snprintf(o->install_status, sizeof o->install_status, "%s", st);
    }
    if (in->given & PEOPLE_ORG_DELINQUENT)
        o->delinquent = in->delinquent;
    if (in->given & PEOPLE_ORG_HIGH_RISK)
        o->high_risk = in->high_risk;
    if (in->given & PEOPLE_ORG_SERVICE_REFUSED)
        o->service_refused = in->service_refused;
    return rc;
}

static void flag_change(struct buf *d, const char *name, bool old_value, bool new_value)
{
    if (old_value == new_value)
        return;
    buf_appendf(d, "%s\"%s\":{\"old\":%s,\"new\":%s}", d->len > 1 ? "," : "", name,
                old_value ? "true" : "false", new_value ? "true" : "false");
}

/* Audit a change of the flags that decide how the policy treats an account (before NULL: a
 * new account, whose flags were all false). Nothing is written when none changed. */
static int audit_flags(struct db *db, const struct people_actor *actor, int64_t now,
                       const struct organization *before, const struct organization *after,
                       struct err *e)
{
    static const struct organization none;
    if (!before)
        before = &none;
    struct buf d;
    buf_init(&d, 512);
    buf_append_char(&d, '{');
    flag_change(&d, "delinquent", before->delinquent, after->delinquent);
    flag_change(&d, "high_risk", before->high_risk, after->high_risk);
    flag_change(&d, "service_refused", before->service_refused, after->service_refused);
    buf_append_char(&d, '}');
    int rc = 0;
    if (d.len > 2)
        rc = audit(db, actor, now, "organization.flags_changed", "organization", after->id,
                   buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

static int organization_name_taken(const struct organization *o, struct err *e)
{
    return err_set(e, ERR_INVALID, "organization.name",
                   "name \"%s\" is already used by another organization", o->name);
}

struct org_write_ctx {
    const struct env *env;
    const struct people_actor *actor;
    int64_t id; /* 0: create */
    const struct people_org_input *in;
    struct organization *out;
};

static int org_create_tx(struct db *db, void *arg, struct err *e)
{
    struct org_write_ctx *c = arg;
    struct organization o = {.install_status = "installed"};
    int rc = apply_org_input(c->in, &o, e);
    if (rc)
        return rc;
    int64_t now = c->env->now(c->env);
    rc = organizations_insert(db, &o, now, e);
    if (rc == ERR_CONFLICT)
        return organization_name_taken(&o, e);
    if (!rc)
        rc = audit_flags(db, c->actor, now, NULL, &o, e);
    if (!rc)
        *c->out = o;
    return rc;
}

static int org_update_tx(struct db *db, void *arg, struct err *e)
{
    struct org_write_ctx *c = arg;
    struct organization cur, next;
    int rc = organizations_lock(db, c->id, e);
    if (!rc)
        rc = organizations_get(db, c->id, &cur, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? organization_not_found(c->id, e) : rc;
    next = cur;
    rc = apply_org_input(c->in, &next, e);
    if (rc)
        return rc;
    /* next began as a byte copy of cur, so equal bytes mean nothing changes: nothing to write
     * (and updated_at stays). */
    if (memcmp(&cur, &next, sizeof cur) == 0) {
        *c->out = cur;
        return 0;
    }
    int64_t now = c->env->now(c->env);
    rc = organizations_save(db, &next, now, e);
    if (rc == ERR_CONFLICT)
        return organization_name_taken(&next, e);
    if (!rc)
        rc = audit_flags(db, c->actor, now, &cur, &next, e);
    if (!rc)
        *c->out = next;
    return rc;
}

static int need_admin_for_accounts(const struct people_actor *actor, struct err *e)
{
    if (!access_is_admin(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only administrators manage client accounts");
    return 0;
}

int people_organization_create(const struct env *env, struct db *db,
                               const struct people_actor *actor, const struct people_org_input *in,
                               struct organization *out, struct err *e)
{
    int rc = need_admin_for_accounts(actor, e);
    if (rc)
        return rc;
    struct people_org_input req = *in;
    req.given |= PEOPLE_ORG_NAME; /* required */
    struct org_write_ctx c = {env, actor, 0, &req, out};
    return db_transact(db, DB_TX_WRITE, org_create_tx, &c, e);
}

int people_organization_update(const struct env *env, struct db *db,
                               const struct people_actor *actor, int64_t id,
                               const struct people_org_input *in, struct organization *out,
                               struct err *e)
{
    if (!access_can_view_organization(&actor->subject, id))
        return organization_not_found(id, e);
    int rc = need_admin_for_accounts(actor, e);
    if (rc)
        return rc;
    struct org_write_ctx c = {env, actor, id, in, out};
    return db_transact(db, DB_TX_WRITE, org_update_tx, &c, e);
}

/* Billing facts: only admins, whatever else the caller may see of the account (policy 1.5:
 * billing reaches a ticket only after identity is verified, which is the policy issue's). */
static int need_billing_access(const struct people_actor *actor, int64_t id, struct err *e)
{
    if (!access_can_view_organization(&actor->subject, id))
        return organization_not_found(id, e);
    if (!access_is_admin(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "billing facts are for administrators only");
    return 0;
}

int people_billing_get(struct db *db, const struct people_actor *actor, int64_t id, struct buf *out,
                       struct err *e)
{
    int rc = need_billing_access(actor, id, e);
    if (!rc)
        rc = organizations_billing_get(db, id, out, e);
    return rc == ERR_NOT_FOUND ? organization_not_found(id, e) : rc;
}

struct billing_ctx {
    const struct env *env;
    const struct people_actor *actor;
    int64_t id;
    const char *json;
    size_t len;
};

static int billing_set_tx(struct db *db, void *arg, struct err *e)
{
    struct billing_ctx *c = arg;
    int rc = organizations_billing_set(db, c->id, c->json, c->len, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? organization_not_found(c->id, e) : rc;
    char detail[48];
    snprintf(detail, sizeof detail, "{\"bytes\":%zu}", c->len);
    return audit(db, c->actor, c->env->now(c->env), "organization.billing_imported", "organization",
                 c->id, detail, e);
}

int people_billing_set(const struct env *env, struct db *db, const struct people_actor *actor,
                       int64_t id, const char *json, size_t len, struct err *e)
{
    int rc = need_billing_access(actor, id, e);
    if (rc)
        return rc;
    struct billing_ctx c = {env, actor, id, json, len};
    return db_transact(db, DB_TX_WRITE, billing_set_tx, &c, e);
}

/* ---- groups and memberships ---------------------------------------------------------------- */

static int need_staff(const struct people_actor *actor, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "teams are for staff");
    return 0;
}

static int need_admin_for_teams(const struct people_actor *actor, struct err *e)
{
    if (!access_is_admin(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only administrators manage teams");
    return 0;
}

static int group_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "group %lld not found", (long long)id);
}

int people_group_get(struct db *db, const struct people_actor *actor, int64_t id, struct group *out,
                     struct err *e)
{
    int rc = need_staff(actor, e);
    if (!rc)
        rc = groups_get(db, id, out, e);
    return rc == ERR_NOT_FOUND ? group_not_found(id, e) : rc;
}

int people_groups_list(struct db *db, const struct people_actor *actor, int64_t after,
                       unsigned limit, struct group *out, size_t *n, struct err *e)
{
    int rc = need_staff(actor, e);
    return rc ? rc : groups_list(db, after, limit, out, n, e);
}

struct group_write_ctx {
    const struct env *env;
    int64_t id; /* 0: create */
    const char *name;
    struct group *out;
};

static int group_write_tx(struct db *db, void *arg, struct err *e)
{
    struct group_write_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    size_t len = strlen(c->name);
    int rc = c->id ? groups_rename(db, c->id, c->name, len, now, c->out, e)
                   : groups_insert(db, c->name, len, now, c->out, e);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_INVALID, "group.name", "name \"%s\" is already used by another group",
                       c->name);
    return rc == ERR_NOT_FOUND ? group_not_found(c->id, e) : rc;
}

static int group_write(const struct env *env, struct db *db, const struct people_actor *actor,
                       int64_t id, const char *name, struct group *out, struct err *e)
{
    int rc = need_admin_for_teams(actor, e);
    char clean[GROUP_NAME_MAX * 4 + 1];
    if (!rc)
        rc = clean_text(name, "group.name", GROUP_NAME_MAX, false, clean, sizeof clean, e);
    if (rc)
        return rc;
    struct group_write_ctx c = {env, id, clean, out};
    return db_transact(db, DB_TX_WRITE, group_write_tx, &c, e);
}

int people_group_create(const struct env *env, struct db *db, const struct people_actor *actor,
                        const char *name, struct group *out, struct err *e)
{
    return group_write(env, db, actor, 0, name, out, e);
}

int people_group_update(const struct env *env, struct db *db, const struct people_actor *actor,
                        int64_t id, const char *name, struct group *out, struct err *e)
{
    int rc = need_staff(actor, e);
    struct group g;
    if (!rc) /* a group that does not exist is "not found" before the name is judged */
        rc = groups_get(db, id, &g, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? group_not_found(id, e) : rc;
    return group_write(env, db, actor, id, name, out, e);
}

static int membership_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "group membership %lld not found", (long long)id);
}

int people_membership_get(struct db *db, const struct people_actor *actor, int64_t id,
                          struct group_membership *out, struct err *e)
{
    int rc = need_staff(actor, e);
    if (!rc)
        rc = group_memberships_get(db, id, out, e);
    return rc == ERR_NOT_FOUND ? membership_not_found(id, e) : rc;
}

int people_memberships_list(struct db *db, const struct people_actor *actor,
                            const struct group_memberships_filter *f, int64_t after, unsigned limit,
                            struct group_membership *out, size_t *n, struct err *e)
{
    int rc = need_staff(actor, e);
    if (rc)
        return rc;
    if (f->group_id) {
        struct group g;
        rc = groups_get(db, f->group_id, &g, e);
        if (rc)
            return rc == ERR_NOT_FOUND ? group_not_found(f->group_id, e) : rc;
    }
    if (f->user_id) {
        struct user u;
        rc = users_get(db, f->user_id, &u, e);
        if (rc)
            return rc == ERR_NOT_FOUND ? user_not_found(f->user_id, e) : rc;
    }
    return group_memberships_list(db, f, after, limit, out, n, e);
}

struct membership_ctx {
    const struct env *env;
    int64_t group_id;
    int64_t user_id;
    struct group_membership *out;
};

static int membership_create_tx(struct db *db, void *arg, struct err *e)
{
    struct membership_ctx *c = arg;
    struct group g;
    struct user u;
    int rc = groups_get(db, c->group_id, &g, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "group_membership.group_id", "group %lld does not exist",
                       (long long)c->group_id);
    if (!rc)
        rc = users_get(db, c->user_id, &u, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "group_membership.user_id", "user %lld does not exist",
                       (long long)c->user_id);
    if (rc)
        return rc;
    if (!is_staff_role(u.role))
        return err_set(e, ERR_INVALID, "group_membership.user_id",
                       "only staff can be members of a team: user %lld is a requester",
                       (long long)c->user_id);
    rc = group_memberships_insert(db, c->group_id, c->user_id, c->env->now(c->env), c->out, e);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_INVALID, "group_membership.user_id",
                       "user %lld is already a member of group %lld", (long long)c->user_id,
                       (long long)c->group_id);
    return rc;
}

int people_membership_create(const struct env *env, struct db *db, const struct people_actor *actor,
                             int64_t group_id, int64_t user_id, struct group_membership *out,
                             struct err *e)
{
    int rc = need_admin_for_teams(actor, e);
    if (rc)
        return rc;
    if (user_id <= 0)
        return err_set(e, ERR_INVALID, "group_membership.user_id",
                       "user_id must be the id of a staff member");
    if (group_id <= 0)
        return err_set(e, ERR_INVALID, "group_membership.group_id",
                       "group_id must be the id of a group");
    struct membership_ctx c = {env, group_id, user_id, out};
    return db_transact(db, DB_TX_WRITE, membership_create_tx, &c, e);
}

struct membership_delete_ctx {
    int64_t id;
};

static int membership_delete_tx(struct db *db, void *arg, struct err *e)
{
    int64_t id = ((struct membership_delete_ctx *)arg)->id;
    int rc = group_memberships_delete(db, id, e);
    return rc == ERR_NOT_FOUND ? membership_not_found(id, e) : rc;
}

int people_membership_delete(const struct env *env, struct db *db, const struct people_actor *actor,
                             int64_t id, struct err *e)
{
    (void)env;
    int rc = need_staff(actor, e);
    if (!rc)
        rc = need_admin_for_teams(actor, e);
    if (rc)
        return rc;
    struct membership_delete_ctx c = {id};
    return db_transact(db, DB_TX_WRITE, membership_delete_tx, &c, e);
}
