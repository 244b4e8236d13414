/* uploads_sweep: the job that deletes uploads nobody claimed before their token expired.
 *
 * An upload (POST /api/v2/uploads) waits, bytes and all, for a comment to claim its token;
 * tokens expire (service/attachments.h). An expired upload can never be claimed, so it only
 * takes space. One run deletes at most UPLOADS_SWEEP_BATCH of them, oldest expiry first, in one
 * write transaction; a bigger backlog drains over the following runs. Only uploads expired for
 * UPLOADS_SWEEP_GRACE seconds go, so a comment claiming a token in its last second, on a process
 * whose clock runs a little behind, never races the sweep. Deleting the same rows from two
 * processes is harmless: each deletes what is still there.
 *
 * A run that deleted something logs one line: event "uploads_sweep", with "deleted" and
 * "duration_ms".
 */
#ifndef FRONTDESK_JOBS_UPLOADS_SWEEP_H
#define FRONTDESK_JOBS_UPLOADS_SWEEP_H

#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

#define UPLOADS_SWEEP_BATCH 500
#define UPLOADS_SWEEP_GRACE 3600

/* One run at env->now(env); *deleted receives how many uploads went. */
int uploads_sweep_run(const struct env *env, struct db *db, int64_t *deleted, struct err *e);

/* uploads_sweep_run() as a scheduler job (jobs/scheduler.h); arg is unused. */
int uploads_sweep_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                      struct err *e);

#endif
