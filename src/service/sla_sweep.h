/* sla_sweep: moves SLA clocks to warning and breached on time (issue 4).
 *
 * A ticket's stored summary says when its state next changes by time alone (sla_next_at,
 * service/ticket_sla.h). Each run takes the tickets whose instant has come, soonest first, at
 * most SLA_SWEEP_BATCH in one write transaction (on PostgreSQL FOR UPDATE SKIP LOCKED, so two
 * server processes never take the same ticket), and refreshes each: the crossing is recorded as
 * one event and notified, and the summary moves on to the next instant. Then it reads the
 * soonest instant left (one index probe) and asks the scheduler to run again then, or within
 * SLA_SWEEP_POLL_S at most, since another process may have written a sooner one. So a wake-up
 * costs one index range, however many tickets are open.
 */
#ifndef FRONTDESK_SERVICE_SLA_SWEEP_H
#define FRONTDESK_SERVICE_SLA_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

#define SLA_SWEEP_BATCH  200
#define SLA_SWEEP_POLL_S 5

/* One run at env->now(env): *refreshed tickets crossed; *next_at the soonest instant left (0:
 * none; now when a full batch suggests more are waiting). */
int sla_sweep_run(const struct env *env, struct db *db, size_t *refreshed, int64_t *next_at,
                  struct err *e);

/* sla_sweep_run() as a scheduler job (jobs/scheduler.h's scheduler_job_fn); arg unused. Logs a
 * run that crossed something (event "sla_sweep"). */
int sla_sweep_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                  struct err *e);

#endif
