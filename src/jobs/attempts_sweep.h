/* attempts_sweep: the job that forgets counted attempts once no limit reads them any more.
 *
 * The sign_in_failures table counts attempts per key for every sliding-window limit: failed
 * sign-ins per address and per client (core/throttle.h, 15 minutes), anonymous requests,
 * anonymous votes and deflections per client (an hour each). A row older than the longest of
 * those windows changes no answer, so it only takes space; without this job the table grew with
 * every anonymous request forever. One run deletes the rows older than ATTEMPTS_SWEEP_AGE (a day:
 * well past every window, and long enough to look into last night's burst) in one statement
 * over the table's index on the instant. Two processes deleting at once is harmless.
 *
 * A run that deleted something logs one line: event "attempts_sweep", with "deleted".
 */
#ifndef FRONTDESK_JOBS_ATTEMPTS_SWEEP_H
#define FRONTDESK_JOBS_ATTEMPTS_SWEEP_H

#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

#define ATTEMPTS_SWEEP_AGE (24 * 3600)

/* attempts older than ATTEMPTS_SWEEP_AGE at env->now(env) deleted, as a scheduler job
 * (jobs/scheduler.h); arg is unused. */
int attempts_sweep_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                       struct err *e);

#endif
