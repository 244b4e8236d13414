/* people_internal: what the people service's files share (people.c: users; people_accounts.c:
 * client accounts and billing; people_teams.c: teams and memberships). Not for use outside
 * src/service/people*.c. */
#ifndef FRONTDESK_SERVICE_PEOPLE_INTERNAL_H
#define FRONTDESK_SERVICE_PEOPLE_INTERNAL_H

#include "service/people.h"

/* Check s as a one-line text of at most max_chars characters and copy it, without leading and
 * trailing spaces, into out (cap bytes, which max_chars * 4 + 1 always fits). ERR_INVALID naming
 * field otherwise. */
int people__clean_text(const char *s, const char *field, size_t max_chars, bool allow_empty,
                       char *out, size_t cap, struct err *e);

/* Append an audit entry by actor at now. */
int people__audit(struct db *db, const struct people_actor *actor, int64_t now, const char *action,
                  const char *target_type, int64_t target_id, const char *detail, struct err *e);

int people__user_not_found(int64_t id, struct err *e);

#endif
