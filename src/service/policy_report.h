/* policy_report: what the support policy did, per week (issue 5, "a policy report (exceptions,
 * bans, refusals, disclosures, out-of-scope answers by category per week)").
 *
 * Weeks run Monday to Sunday on the support calendar's local dates; the report covers the last
 * `weeks` of them, the current week included, newest first. Counted per week: policy exceptions
 * (clause 11), bans and unbans (clauses 5, 6), refusals and restorations of service (clause 12),
 * billing disclosures (clause 1.5), each from its audit entries, and the tickets decided out of
 * scope by category (in the week they were decided). Support leads and admins only.
 */
#ifndef FRONTDESK_SERVICE_POLICY_REPORT_H
#define FRONTDESK_SERVICE_POLICY_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "core/policy.h"
#include "db/db.h"

#define POLICY_REPORT_WEEKS_MAX     52
#define POLICY_REPORT_WEEKS_DEFAULT 8
#define POLICY_REPORT_ITEMS_MAX     200000 /* rows read for one report (ERR_LIMIT beyond) */

struct policy_report_week {
    int64_t start; /* its Monday, days since 1970-01-01 */
    int exceptions, bans, unbans, refusals, restorations, disclosures;
    int out_of_scope[32]; /* by index into policy_categories() */
};

struct policy_report {
    struct policy_report_week *weeks; /* newest first, from the arena */
    size_t count;
};

/* ERR_FORBIDDEN unless s is a lead or an admin; ERR_INVALID naming "weeks" outside
 * 1..POLICY_REPORT_WEEKS_MAX. */
int policy_report_build(const struct env *env, struct db *db, const struct access_subject *s,
                        int weeks, struct arena *a, struct policy_report *out, struct err *e);

#endif
