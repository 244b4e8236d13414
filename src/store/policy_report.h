/* policy_report (store): the rows the policy report counts (service/policy_report.h): audited
 * policy actions and out-of-scope decisions in an interval of instants. Runs on the caller's
 * connection.
 */
#ifndef FRONTDESK_STORE_POLICY_REPORT_H
#define FRONTDESK_STORE_POLICY_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* One counted thing: when, and what ("policy.exception", "ban.created", ... for audit rows; the
 * category id for out-of-scope decisions). */
struct policy_report_item {
    int64_t at;
    const char *what;
};

/* The audit entries of the actions the report counts (policy.exception, ban.created, ban.lifted,
 * service.refused, service.restored, billing.disclosed) with from <= at < to, at most cap
 * (ERR_LIMIT beyond), into *out from a. */
int policy_report_audited(struct db *db, int64_t from, int64_t to, size_t cap, struct arena *a,
                          struct policy_report_item **out, size_t *n, struct err *e);

/* The tickets decided out of scope with from <= policy_decided_at < to, by category (the
 * ticket's own, else the suggestion, else "other"), at most cap (ERR_LIMIT beyond). */
int policy_report_out_of_scope(struct db *db, int64_t from, int64_t to, size_t cap, struct arena *a,
                               struct policy_report_item **out, size_t *n, struct err *e);

#endif
