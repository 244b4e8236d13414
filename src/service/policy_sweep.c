#include "service/policy_sweep.h"

#include "base/log.h"
#include "service/ticket_policy.h"

int policy_sweep_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                     struct err *e)
{
    (void)arg;
    int64_t t0 = env->monotonic_ns(env);
    size_t accounts = 0;
    int rc = ticket_policy_sweep_lapsed(env, db, env->now(env), &accounts, e);
    if (rc || !accounts)
        return rc;
    if (accounts == TICKET_POLICY_LAPSED_BATCH) /* more may wait: go on at once */
        *run_again_at = env->now(env);
    struct log_rec r;
    if (!log_begin(&r, "info", "policy_sweep")) {
        log_int(&r, "accounts", (int64_t)accounts);
        log_ms(&r, "duration_ms", env->monotonic_ns(env) - t0);
        log_end(&r);
    }
    return 0;
}
