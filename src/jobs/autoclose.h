/* autoclose: the job that closes solved tickets once they have stayed solved long enough
 * (issue 3's status machine: "solved closes automatically after a configurable number of
 * days"). The rule itself is core/ticket.h's ticket_due_for_close(); the SQL is
 * store/ticket_housekeeping.h's.
 *
 * One run closes at most AUTOCLOSE_BATCH_MAX tickets, oldest solved first, in one write
 * transaction: the status change and its ticket_events row (actor NULL, the system; field
 * "status", "solved" -> "closed") commit together or not at all. A bigger backlog drains over
 * the following runs, so the writer is never held for long. Several processes on one
 * PostgreSQL database skip each other's locked rows, so no ticket is closed twice.
 *
 * A run that closed something logs one line: event "autoclose", with "closed" (the count),
 * "after_days" and "duration_ms". Thread-safe: the config is only read.
 */
#ifndef FRONTDESK_JOBS_AUTOCLOSE_H
#define FRONTDESK_JOBS_AUTOCLOSE_H

#include <stddef.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

#define AUTOCLOSE_BATCH_MAX 500

struct autoclose_config {
    int after_days; /* >= 1: a ticket solved this many days (of 86400 s) ago is closed */
};

/* One run at env->now(env): close the due tickets of one batch, in one transaction (retried
 * when busy). *closed receives how many were closed (0 when none was due). Returns 0 or a
 * negative ERR_* code, after which nothing was closed. Logs nothing. */
int autoclose_run(const struct env *env, struct db *db, const struct autoclose_config *cfg,
                  size_t *closed, struct err *e);

/* autoclose_run() as a scheduler job (jobs/scheduler.h): arg is a const struct autoclose_config
 * that outlives the scheduler. Logs the run when it closed something. */
int autoclose_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                  struct err *e);

#endif
