#include "jobs/autoclose.h"

#include "base/log.h"
#include "core/ticket.h"
#include "store/ticket_housekeeping.h"

#include <stdbool.h>
#include <stdint.h>

struct run_ctx {
    const struct env *env;
    int after_days;
    struct ticket_housekeeping_solved batch[AUTOCLOSE_BATCH_MAX];
    size_t closed;
};

static int close_batch(struct db *db, void *arg, struct err *e)
{
    struct run_ctx *c = arg;
    c->closed = 0; /* db_transact() may run this again after ERR_BUSY */
    int64_t now = c->env->now(c->env);
    /* The SQL narrows the candidates with an index-friendly bound; ticket_due_for_close() stays
     * the rule each ticket is judged by. after_days is at most 365 (config), so no overflow. */
    int64_t cutoff = now - (int64_t)c->after_days * TICKET_CLOSE_DAY_SECONDS;
    size_t n = 0;
    int rc = ticket_housekeeping_solved_before(db, cutoff, AUTOCLOSE_BATCH_MAX, c->batch, &n, e);
    for (size_t i = 0; !rc && i < n; i++) {
        if (!ticket_due_for_close(TICKET_STATUS_SOLVED, c->batch[i].solved_at, now,
                                  c->after_days))
            continue;
        bool closed = false;
        rc = ticket_housekeeping_close(db, c->batch[i].id, now, &closed, e);
        if (!rc && closed)
            c->closed++;
    }
    return rc;
}

int autoclose_run(const struct env *env, struct db *db, const struct autoclose_config *cfg,
                  size_t *closed, struct err *e)
{
    if (cfg->after_days < 1) /* ticket_due_for_close() would never close: nothing to select */
        return err_set(e, ERR_INVALID, "after_days", "auto-close needs at least 1 day, got %d",
                       cfg->after_days);
    /* The batch (8 KB) lives on the caller's stack: one run, one owner, nothing to free. */
    struct run_ctx c = {.env = env, .after_days = cfg->after_days};
    int rc = db_transact(db, DB_TX_WRITE, close_batch, &c, e);
    if (rc)
        return rc;
    *closed = c.closed;
    return 0;
}

int autoclose_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                  struct err *e)
{
    (void)run_again_at; /* the regular interval */
    const struct autoclose_config *cfg = arg;
    int64_t t0 = env->monotonic_ns(env);
    size_t closed = 0;
    int rc = autoclose_run(env, db, cfg, &closed, e);
    if (rc || !closed)
        return rc;
    struct log_rec r;
    if (!log_begin(&r, "info", "autoclose")) {
        log_int(&r, "closed", (int64_t)closed);
        log_int(&r, "after_days", cfg->after_days);
        log_ms(&r, "duration_ms", env->monotonic_ns(env) - t0);
        log_end(&r);
    }
    return 0;
}
