#include "jobs/uploads_sweep.h"

#include "base/log.h"
#include "store/attachments.h"

struct sweep_ctx {
    int64_t before;
    int64_t deleted;
};

static int sweep_batch(struct db *db, void *arg, struct err *e)
{
    struct sweep_ctx *c = arg;
    c->deleted = 0; /* db_transact() may run this again after ERR_BUSY */
    return attachments_delete_expired_uploads(db, c->before, UPLOADS_SWEEP_BATCH, &c->deleted, e);
}

int uploads_sweep_run(const struct env *env, struct db *db, int64_t *deleted, struct err *e)
{
    struct sweep_ctx c = {.before = env->now(env) - UPLOADS_SWEEP_GRACE};
    int rc = db_transact(db, DB_TX_WRITE, sweep_batch, &c, e);
    if (!rc)
        *deleted = c.deleted;
    return rc;
}

int uploads_sweep_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                      struct err *e)
{
    (void)arg;
    (void)run_again_at;
    int64_t t0 = env->monotonic_ns(env);
    int64_t deleted = 0;
    int rc = uploads_sweep_run(env, db, &deleted, e);
    if (rc || !deleted)
        return rc;
    struct log_rec r;
    if (!log_begin(&r, "info", "uploads_sweep")) {
        log_int(&r, "deleted", deleted);
        log_ms(&r, "duration_ms", env->monotonic_ns(env) - t0);
        log_end(&r);
    }
    return 0;
}
