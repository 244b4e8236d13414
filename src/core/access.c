#include "core/access.h"

#include <string.h>

static const char *const role_names[] = {NULL, "end-user", "agent", "lead", "admin"};
static const char *const account_role_names[] = {NULL, "owner", "member", "billing_contact"};

static int parse_name(const char *const *names, size_t n, const char *s, size_t len, int *out)
{
    for (size_t i = 1; i < n; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return -1;
}

const char *access_role_name(enum access_role r)
{
    return (unsigned)r < sizeof role_names / sizeof role_names[0] ? role_names[r] : NULL;
}

int access_role_parse(const char *s, size_t len, enum access_role *out)
{
    int v;
    if (parse_name(role_names, sizeof role_names / sizeof role_names[0], s, len, &v))
        return -1;
    *out = (enum access_role)v;
    return 0;
}

const char *access_account_role_name(enum access_account_role r)
{
    return (unsigned)r < sizeof account_role_names / sizeof account_role_names[0]
               ? account_role_names[r]
               : NULL;
}

int access_account_role_parse(const char *s, size_t len, enum access_account_role *out)
{
    int v;
    if (parse_name(account_role_names, sizeof account_role_names / sizeof account_role_names[0], s,
                   len, &v))
        return -1;
    *out = (enum access_account_role)v;
    return 0;
}

bool access_is_staff(const struct access_subject *s)
{
    return s->user_id &&
           (s->role == ACCESS_AGENT || s->role == ACCESS_LEAD || s->role == ACCESS_ADMIN);
}

bool access_role_name_is_staff(const char *role)
{
    enum access_role r;
    return role && access_role_parse(role, strlen(role), &r) == 0 &&
           (r == ACCESS_AGENT || r == ACCESS_LEAD || r == ACCESS_ADMIN);
}

bool access_is_lead_or_admin(const struct access_subject *s)
{
    return s->user_id && (s->role == ACCESS_LEAD || s->role == ACCESS_ADMIN);
}

bool access_is_admin(const struct access_subject *s)
{
    return s->user_id && s->role == ACCESS_ADMIN;
}

static bool owns_account(const struct access_subject *s, int64_t organization_id)
{
    return organization_id && s->organization_id == organization_id &&
           s->account_role == ACCESS_ACCOUNT_OWNER;
}

bool access_can_view_ticket(const struct access_subject *s, int64_t requester_id,
                            int64_t organization_id)
{
    if (!s->user_id)
        return false;
    if (access_is_staff(s))
        return true;
    return requester_id == s->user_id || owns_account(s, organization_id);
}

bool access_can_see_internal(const struct access_subject *s)
{
    return access_is_staff(s);
}

bool access_can_view_user(const struct access_subject *s, int64_t user_id, int64_t organization_id)
{
    if (!s->user_id)
        return false;
    return access_is_staff(s) || user_id == s->user_id || owns_account(s, organization_id);
}

bool access_can_view_organization(const struct access_subject *s, int64_t organization_id)
{
    if (!s->user_id || !organization_id)
        return false;
    return access_is_staff(s) || s->organization_id == organization_id;
}
