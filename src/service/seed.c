#include "service/seed.h"

#include "service/hc.h"
#include "service/macros.h"
#include "store/groups.h"
#include "store/settings.h"

#define GROUPS_MARKER "seed.default_groups"

const char *const seed_group_names[SEED_GROUPS_COUNT] = {"Product", "Engineering", "Billing",
                                                         "Sales"};

struct seed_ctx {
    const struct env *env;
    struct seed_report report;
};

static int seed_tx(struct db *db, void *arg, struct err *e)
{
    struct seed_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    c->report = (struct seed_report){0};
    int inserted = 0;
    int rc = policy_pack_seed(db, now, &c->report.policy, e);
    rc = rc ? rc : macros_seed(db, now, NULL, e); /* the pack's macros, where missing */
    if (rc)
        return rc;
    /* The marker first: when it was there already, nothing else happens. Its value is the
     * version of the defaults, should a later release add some. */
    rc = settings_put_new(db, GROUPS_MARKER, "1", now, &inserted, e);
    if (rc)
        return rc;
    if (!inserted) {
        c->report.already_loaded = true;
        return 0;
    }
    for (int i = 0; i < SEED_GROUPS_COUNT && !rc; i++) {
        bool added = false;
        rc = groups_insert_absent(db, seed_group_names[i], now, &added, e);
        c->report.groups_added += added;
    }
    return rc;
}

int seed_load(const struct env *env, struct db *db, struct seed_report *out, struct err *e)
{
    struct seed_ctx c = {env, {0}};
    int rc = db_transact(db, DB_TX_WRITE, seed_tx, &c, e);
    /* The help center's articles (issue 7): their own transaction and marker. */
    rc = rc ? rc : hc_seed(env, db, e);
    if (!rc)
        *out = c.report;
    return rc;
}
