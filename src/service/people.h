/* people (service): the use cases of people (users), client accounts (organizations) and teams
 * (groups and their memberships), transport-free, so the API, the web UI and the CLI apply the
 * same rules. Each write is one database transaction: the change, its audit entries and what it
 * implies (ending sessions, leaving teams) commit together or not at all; a failed write leaves
 * nothing behind.
 *
 * Who may do what (core/access.h judges visibility; what a caller may not see is ERR_NOT_FOUND,
 * exactly like what does not exist):
 *  - users: staff read and list everyone; a requester reads themselves, an account owner also
 *    the members of their account. Staff create requesters; only admins create staff, assign
 *    people to client accounts, and change roles, emails and activity. A person may change
 *    their own name and phone, and staff those of requesters. Changing a field one may not
 *    change is ERR_FORBIDDEN naming it; sending a field unchanged is not a change.
 *  - organizations: staff read all; members read their own; only admins write. Billing facts
 *    are admin-only both ways (ERR_FORBIDDEN for staff and for members of the account).
 *  - groups and memberships: staff read; only admins write; only staff can be members.
 *
 * Invariants kept here: staff belong to no client account; an account role needs an account
 * (and defaults to "member" when a person joins one); there is always one active admin left
 * (demoting or deactivating the last is ERR_CONFLICT); someone who stops being staff leaves
 * every team; a deactivated user's sessions end.
 *
 * Audited (table audit_log, same transaction): "staff.added" (detail role, via "api"),
 * "user.role_changed" (old, new), "user.email_changed" (old, new), "user.account_changed"
 * (old and new organization_id and account_role), "user.deactivated", "user.reactivated",
 * "organization.flags_changed" (old and new of delinquent, high_risk, service_refused that
 * changed) and "organization.billing_imported" (bytes).
 *
 * Errors name the field as the API spells it ("user.email", "organization.name",
 * "group_membership.user_id"); bad values, unknown references and taken names or emails are
 * ERR_INVALID (422), as Zendesk answers them. Results are copied into caller-owned structs.
 * Thread-safe as far as each thread uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_PEOPLE_H
#define FRONTDESK_SERVICE_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "store/groups.h"
#include "store/organizations.h"
#include "store/users.h"

#define PEOPLE_PLAN_RATE_MAX 100000000000LL /* cents: a billion a month is surely a typo */

/* Who acts: the signed-in caller, and their address for the audit log (NULL off HTTP). */
struct people_actor {
    struct access_subject subject;
    const char *ip;
};

/* ---- users -------------------------------------------------------------------------------- */

/* Which members a user write carries; an update changes only those. */
enum people_user_field {
    PEOPLE_USER_NAME = 1 << 0,
    PEOPLE_USER_EMAIL = 1 << 1,
    PEOPLE_USER_ROLE = 1 << 2,
    PEOPLE_USER_PHONE = 1 << 3,
    PEOPLE_USER_ORGANIZATION = 1 << 4,
    PEOPLE_USER_ACCOUNT_ROLE = 1 << 5,
    PEOPLE_USER_ACTIVE = 1 << 6,
};

struct people_user_input {
    unsigned given;           /* PEOPLE_USER_* bits */
    const char *name;         /* NULL: given as null (refused) */
    const char *email;        /* NULL: given as null (refused) */
    const char *role;         /* "end-user", "agent", "lead", "admin"; NULL on create: end-user */
    const char *phone;        /* NULL or "": none */
    int64_t organization_id;  /* 0: none */
    const char *account_role; /* "owner", "member", "billing_contact"; NULL: none */
    bool active;
};

/* One user the actor may see; ERR_NOT_FOUND otherwise. */
int people_user_get(struct db *db, const struct people_actor *actor, int64_t id, struct user *out,
                    struct err *e);

/* Up to limit users matching f after id `after` into out[0..*n). Staff may list anything; an
 * account owner may list f->organization_id == their account (ERR_NOT_FOUND for any other
 * account a non-staff caller names); anything else is ERR_FORBIDDEN. */
int people_users_list(struct db *db, const struct people_actor *actor, const struct users_filter *f,
                      int64_t after, unsigned limit, struct user *out, size_t *n, struct err *e);

/* Create a user from in (name and email required; no password: people set theirs through a
 * password reset) and fill *out. */
int people_user_create(const struct env *env, struct db *db, const struct people_actor *actor,
                       const struct people_user_input *in, struct user *out, struct err *e);

/* Change the given fields of user id and fill *out with the result. */
int people_user_update(const struct env *env, struct db *db, const struct people_actor *actor,
                       int64_t id, const struct people_user_input *in, struct user *out,
                       struct err *e);

/* ---- organizations ------------------------------------------------------------------------- */

enum people_org_field {
    PEOPLE_ORG_NAME = 1 << 0,
    PEOPLE_ORG_PLAN = 1 << 1,
    PEOPLE_ORG_PLAN_RATE = 1 << 2,
    PEOPLE_ORG_SUPPORT_PACKAGE_UNTIL = 1 << 3,
    PEOPLE_ORG_INSTALL_STATUS = 1 << 4,
    PEOPLE_ORG_DELINQUENT = 1 << 5,
    PEOPLE_ORG_HIGH_RISK = 1 << 6,
    PEOPLE_ORG_SERVICE_REFUSED = 1 << 7,
};

struct people_org_input {
    unsigned given;                    /* PEOPLE_ORG_* bits */
    const char *name;                  /* NULL: given as null (refused) */
    const char *plan;                  /* NULL: none ("") */
    int64_t plan_rate_cents;           /* 0..PEOPLE_PLAN_RATE_MAX */
    const char *support_package_until; /* "YYYY-MM-DD" (a real date); NULL: none */
    const char *install_status;        /* "installed" or "uninstalled" */
    bool delinquent;
    bool high_risk;
    bool service_refused;
};

int people_organization_get(struct db *db, const struct people_actor *actor, int64_t id,
                            struct organization *out, struct err *e);
/* Staff: every organization; anyone else: their own, if any. */
int people_organizations_list(struct db *db, const struct people_actor *actor, int64_t after,
                              unsigned limit, struct organization *out, size_t *n, struct err *e);
/* Admins only; name required, the rest defaults to the table's defaults. */
int people_organization_create(const struct env *env, struct db *db,
                               const struct people_actor *actor, const struct people_org_input *in,
                               struct organization *out, struct err *e);
int people_organization_update(const struct env *env, struct db *db,
                               const struct people_actor *actor, int64_t id,
                               const struct people_org_input *in, struct organization *out,
                               struct err *e);

/* Append organization id's billing facts (JSON object text) to out. Admins only. */
int people_billing_get(struct db *db, const struct people_actor *actor, int64_t id, struct buf *out,
                       struct err *e);
/* Replace them with json (len bytes of a JSON object's text, which the caller has parsed).
 * Admins only; audited. */
int people_billing_set(const struct env *env, struct db *db, const struct people_actor *actor,
                       int64_t id, const char *json, size_t len, struct err *e);

/* Is s a real calendar date spelled "YYYY-MM-DD" (years 0001-9999)? Pure. */
bool people_date_valid(const char *s, size_t len);

/* ---- groups and memberships ---------------------------------------------------------------- */

int people_group_get(struct db *db, const struct people_actor *actor, int64_t id, struct group *out,
                     struct err *e);
int people_groups_list(struct db *db, const struct people_actor *actor, int64_t after,
                       unsigned limit, struct group *out, size_t *n, struct err *e);
/* name NULL: given as null or absent (refused: "group.name" is required). */
int people_group_create(const struct env *env, struct db *db, const struct people_actor *actor,
                        const char *name, struct group *out, struct err *e);
int people_group_update(const struct env *env, struct db *db, const struct people_actor *actor,
                        int64_t id, const char *name, struct group *out, struct err *e);

int people_membership_get(struct db *db, const struct people_actor *actor, int64_t id,
                          struct group_membership *out, struct err *e);
/* Staff; f->group_id or f->user_id, when set, must exist (ERR_NOT_FOUND). */
int people_memberships_list(struct db *db, const struct people_actor *actor,
                            const struct group_memberships_filter *f, int64_t after, unsigned limit,
                            struct group_membership *out, size_t *n, struct err *e);
/* Admins; the user must be staff. 0 for an id means "not given" (refused naming it). */
int people_membership_create(const struct env *env, struct db *db, const struct people_actor *actor,
                             int64_t group_id, int64_t user_id, struct group_membership *out,
                             struct err *e);
int people_membership_delete(const struct env *env, struct db *db, const struct people_actor *actor,
                             int64_t id, struct err *e);

#endif
