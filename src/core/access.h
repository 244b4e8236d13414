/* access: who may see and change what. Pure rules over a subject (the signed-in caller) and the
 * facts of an object, so every path (API, web, mail) asks the same questions and unit tests
 * can enumerate the answers.
 *
 * Roles follow Zendesk's (end-user, agent, admin) plus frontdesk's support lead ("lead"), who
 * may do what an agent does and, later, ban requesters and refuse service (policy clauses 5, 12).
 * A requester sees only tickets they requested; an account owner also sees every ticket of
 * their account; nobody outside staff ever sees an internal note. What a subject may not see
 * answers "not found", never "forbidden", so ids of other accounts' objects leak nothing.
 * Thread-safe; no I/O.
 */
#ifndef FRONTDESK_CORE_ACCESS_H
#define FRONTDESK_CORE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum access_role {
    ACCESS_ANONYMOUS = 0,
    ACCESS_END_USER,
    ACCESS_AGENT,
    ACCESS_LEAD,
    ACCESS_ADMIN,
};

enum access_account_role {
    ACCESS_ACCOUNT_NONE = 0,
    ACCESS_ACCOUNT_OWNER,
    ACCESS_ACCOUNT_MEMBER,
    ACCESS_ACCOUNT_BILLING_CONTACT,
};

struct access_subject {
    int64_t user_id; /* 0 when anonymous */
    enum access_role role;
    int64_t organization_id; /* 0 when none */
    enum access_account_role account_role;
};

/* "end-user", "agent", "lead", "admin" (the stored and API values); NULL for anonymous. */
const char *access_role_name(enum access_role r);
/* 0 and *out, or -1 for an unknown name (exact match). */
int access_role_parse(const char *s, size_t len, enum access_role *out);
const char *access_account_role_name(enum access_account_role r); /* NULL for none */
int access_account_role_parse(const char *s, size_t len, enum access_account_role *out);

bool access_is_staff(const struct access_subject *s);
/* Is the stored role name ("agent", "lead", "admin", "end-user") a staff role? False for any
 * other text. */
bool access_role_name_is_staff(const char *role);
bool access_is_lead_or_admin(const struct access_subject *s);
bool access_is_admin(const struct access_subject *s);

/* May s read the ticket with these facts (and its public comments)? */
bool access_can_view_ticket(const struct access_subject *s, int64_t requester_id,
                            int64_t organization_id);
/* May s read internal notes (and write them)? Staff only. */
bool access_can_see_internal(const struct access_subject *s);
/* May s read this user's profile? Staff: anyone; others: themselves, and an account owner the
 * members of their account. */
bool access_can_view_user(const struct access_subject *s, int64_t user_id, int64_t organization_id);
/* May s read this organization (account)? Staff; or its own members. */
bool access_can_view_organization(const struct access_subject *s, int64_t organization_id);

#endif
