/* scheduler: one background thread per server process that runs a fixed list of jobs, one
 * after the other, at start and then every interval seconds; a job may ask to run again sooner
 * (the SLA sweep sleeps until the next clock crossing, not a whole interval).
 *
 * The thread has its own database connection (db_pool_conn() called from it), so a job never
 * competes with the HTTP workers for theirs. A job is one function; it takes its "now" from
 * the env, does a bounded amount of work (a batch, one transaction) and returns, so stopping
 * waits for at most one job's batch. A failed job is logged ("job_failed", level warn) and
 * runs again at the next tick; it does not stop the others.
 *
 * Several processes on one PostgreSQL database each run their own scheduler: jobs must lease
 * their rows (FOR UPDATE SKIP LOCKED) so that none is processed twice.
 *
 * Intervals are measured on CLOCK_MONOTONIC, so a wall-clock step neither fires a burst of runs
 * nor stalls the schedule, and from the end of one run to the start of the next, so a slow run
 * delays the schedule instead of piling runs up behind it.
 *
 * Lifecycle: scheduler_start() allocates and starts; scheduler_stop() wakes the thread (also in
 * the middle of a wait), joins it and frees everything. Both are called from one controlling
 * thread (main); the scheduler itself is not shared. The thread inherits the caller's signal
 * mask, so start it after blocking the stop signals.
 */
#ifndef FRONTDESK_JOBS_SCHEDULER_H
#define FRONTDESK_JOBS_SCHEDULER_H

#include <stddef.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

#define SCHEDULER_JOBS_MAX 8

/* One run of a job on the scheduler thread's connection (outside any transaction; the job opens
 * its own). Returns 0 or a negative ERR_* code with e filled; the scheduler logs failures.
 * *run_again_at comes in as 0; a job that wants its next run before the regular interval sets it
 * to that instant (env time, seconds); one in the past means as soon as possible. */
typedef int (*scheduler_job_fn)(const struct env *env, struct db *db, void *arg,
                                int64_t *run_again_at, struct err *e);

struct scheduler_job {
    const char *name; /* snake_case, for the log; a string literal or kept alive by the caller */
    scheduler_job_fn run;
    void *arg; /* passed to run; must outlive the scheduler */
};

struct scheduler;

/* Copy jobs[0..count) (count <= SCHEDULER_JOBS_MAX; the array itself may go away) and start the
 * thread, which runs every job at once and then every interval_s seconds (>= 1). env, env->db
 * and the jobs' args must outlive the scheduler. Returns 0 with *out set, ERR_INVALID for a bad
 * count or interval, or ERR_INTERNAL when the thread cannot be created; *out is untouched on
 * failure. */
int scheduler_start(const struct env *env, unsigned interval_s, const struct scheduler_job *jobs,
                    size_t count, struct scheduler **out, struct err *e);

/* Ask the thread to stop, wait for the job in progress to return, join it and free s. Call it
 * before db_pool_free(). NULL is a no-op. */
void scheduler_stop(struct scheduler *s);

#endif
