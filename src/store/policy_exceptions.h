/* policy_exceptions: staff overriding a policy decision to benefit the client (clause 11), with
 * who, when, why and the decision it replaced (table policy_exceptions). Written in the same
 * transaction as the change it justifies; listed by id (cursor pagination, http/paging.h).
 * Runs on the caller's connection.
 */
#ifndef FRONTDESK_STORE_POLICY_EXCEPTIONS_H
#define FRONTDESK_STORE_POLICY_EXCEPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

struct policy_exception {
    int64_t id;
    int64_t ticket_id;
    const char *kind;          /* "priority" or "scope" */
    const char *from_value;    /* the decision replaced: "normal", "out_of_scope", ... */
    const char *to_value;      /* what staff chose instead */
    const char *justification; /* the written reason */
    int64_t actor_id;
    int64_t created_at;
};

/* Insert *x (id ignored) and set x->id. */
int policy_exceptions_insert(struct db *db, struct policy_exception *x, struct err *e);

/* Which exceptions a listing holds; zero fields do not filter. */
struct policy_exceptions_filter {
    int64_t ticket_id;
    const char *kind;
};

/* Up to limit exceptions with id > after, by id, into out[0..*n) (strings from a). */
int policy_exceptions_list(struct db *db, const struct policy_exceptions_filter *f, int64_t after,
                           unsigned limit, struct arena *a, struct policy_exception *out, size_t *n,
                           struct err *e);

/* The ticket's latest exception of kind into *out (strings from a); ERR_NOT_FOUND when none. */
int policy_exceptions_last(struct db *db, int64_t ticket_id, const char *kind, struct arena *a,
                           struct policy_exception *out, struct err *e);

#endif
