#include "jobs/attempts_sweep.h"

#include "base/log.h"
#include "store/credentials.h"

struct sweep_ctx {
    int64_t before;
    int64_t deleted;
};

static int sweep_tx(struct db *db, void *arg, struct err *e)
{
    struct sweep_ctx *c = arg;
    return sign_in_failures_prune(db, c->before, &c->deleted, e);
}

int attempts_sweep_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                       struct err *e)
{
    (void)arg;
    (void)run_again_at;
    struct sweep_ctx c = {.before = env->now(env) - ATTEMPTS_SWEEP_AGE};
    int rc = db_transact(db, DB_TX_WRITE, sweep_tx, &c, e);
    if (rc || !c.deleted)
        return rc;
    struct log_rec r;
    if (!log_begin(&r, "info", "attempts_sweep")) {
        log_int(&r, "deleted", c.deleted);
        log_end(&r);
    }
    return 0;
}
