#include "service/sla_sweep.h"

#include "base/log.h"
#include "service/ticket_sla.h"
#include "store/ticket_housekeeping.h"

struct sweep_ctx {
    const struct env *env;
    int64_t now;
    size_t refreshed;
};

static int sweep_tx(struct db *db, void *arg, struct err *e)
{
    struct sweep_ctx *c = arg;
    c->refreshed = 0; /* db_transact() may run this again after ERR_BUSY */
    int64_t ids[SLA_SWEEP_BATCH];
    size_t n = 0;
    int rc = ticket_housekeeping_sla_due(db, c->now, SLA_SWEEP_BATCH, ids, &n, e);
    for (size_t i = 0; i < n && !rc; i++)
        rc = ticket_sla_refresh(c->env, db, ids[i], c->now, true, e);
    if (!rc)
        c->refreshed = n;
    return rc;
}

int sla_sweep_run(const struct env *env, struct db *db, size_t *refreshed, int64_t *next_at,
                  struct err *e)
{
    struct sweep_ctx c = {.env = env, .now = env->now(env)};
    int rc = db_transact(db, DB_TX_WRITE, sweep_tx, &c, e);
    int64_t next = 0;
    if (!rc)
        rc = ticket_housekeeping_sla_next(db, &next, e);
    if (rc)
        return rc;
    *refreshed = c.refreshed;
    *next_at = c.refreshed == SLA_SWEEP_BATCH ? c.now : next;
    return 0;
}

int sla_sweep_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                  struct err *e)
{
    (void)arg;
    int64_t t0 = env->monotonic_ns(env), next = 0;
    size_t refreshed = 0;
    int rc = sla_sweep_run(env, db, &refreshed, &next, e);
    int64_t poll = env->now(env) + SLA_SWEEP_POLL_S;
    *run_again_at = next && next < poll ? next : poll;
    if (rc || !refreshed)
        return rc;
    struct log_rec r;
    if (!log_begin(&r, "info", "sla_sweep")) {
        log_int(&r, "refreshed", (int64_t)refreshed);
        log_ms(&r, "duration_ms", env->monotonic_ns(env) - t0);
        log_end(&r);
    }
    return 0;
}
