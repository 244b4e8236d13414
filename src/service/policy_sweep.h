/* policy_sweep: the job that keeps decisions true as time passes. An account's extra support
 * package lasts through the end of its last day in the calendar's zone; after that its tickets'
 * priority is no longer "High Priority Non-critical" by the package (issue 5: "active at that
 * moment") and package-only requests are out of scope again. Each run decides again for a batch
 * of accounts whose package lapsed (service/ticket_policy.h, ticket_policy_sweep_lapsed), and
 * asks to run again at once while a full batch came back. Refreshing an account twice from two
 * processes is harmless: the second finds nothing stale.
 *
 * A run that refreshed something logs one line: event "policy_sweep", with "accounts" and
 * "duration_ms".
 */
#ifndef FRONTDESK_SERVICE_POLICY_SWEEP_H
#define FRONTDESK_SERVICE_POLICY_SWEEP_H

#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

/* A scheduler job (jobs/scheduler.h); arg is unused. */
int policy_sweep_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                     struct err *e);

#endif
