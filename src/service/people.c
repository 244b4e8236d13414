#include "service/people.h"
#include "service/people_internal.h"

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
int people__clean_text(const char *s, const char *field, size_t max_chars, bool allow_empty,
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

int people__audit(struct db *db, const struct people_actor *actor, int64_t now, const char *action,
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
    int rc = people__audit(db, actor, now, action, "user", user_id, buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

/* ---- users: reading ------------------------------------------------------------------------- */

int people__user_not_found(int64_t id, struct err *e)
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
        return people__user_not_found(id, e);
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
        rc = people__clean_text(in->name, "user.name", USER_NAME_MAX, false, v->name,
                                sizeof v->name, e);
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

/* The account-related invariants of a user about to be written: staff belong to no account,
 * an account role needs an account, joining one makes a member by default, and the account
 * must exist. given says which fields the request named, to blame the right one. */
static int check_account(struct db *db, struct user *u, unsigned given, struct err *e)
{
    if (access_role_name_is_staff(u->role) && u->organization_id)
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
    int rc =
        people__audit(db, actor, now, "user.account_changed", "user", after->id, buf_cstr(&d), e);
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
    if (!rc && access_role_name_is_staff(v->role)) {
        char detail[64];
        snprintf(detail, sizeof detail, "{\"role\":\"%s\",\"via\":\"api\"}", v->role);
        rc = people__audit(db, c->actor, now, "staff.added", "user", c->out->id, detail, e);
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
    if (access_role_name_is_staff(v.role) && !access_is_admin(s))
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
    if (s->user_id == cur->id || (access_is_staff(s) && !access_role_name_is_staff(cur->role)))
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
        if (!rc && !access_role_name_is_staff(next->role))
            rc = group_memberships_delete_user(db, cur->id, NULL, e); /* teams are for staff */
    }
    if (!rc && (changed & PEOPLE_USER_EMAIL))
        rc = audit_old_new(db, actor, now, "user.email_changed", cur->id, cur->email, next->email,
                           e);
    if (!rc && (cur->organization_id != next->organization_id ||
                strcmp(cur->account_role, next->account_role) != 0))
        rc = audit_account(db, actor, now, cur, next, e);
    if (!rc && (changed & PEOPLE_USER_ACTIVE)) {
        rc = people__audit(db, actor, now, next->active ? "user.reactivated" : "user.deactivated",
                           "user", cur->id, NULL, e);
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
        return people__user_not_found(c->id, e);
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
        return people__user_not_found(id, e);
    struct user_values v;
    int rc = check_user_input(in, &v, e);
    if (rc)
        return rc;
    struct user_update_ctx c = {env, actor, id, &v, out};
    return db_transact(db, DB_TX_WRITE, user_update_tx, &c, e);
}
