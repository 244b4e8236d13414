/* seed: the default content `frontdesk init` loads into an instance: the default teams
 * (groups) Product, Engineering, Billing and Sales, which the policy pack routes to (feature
 * requests to product, sales questions to sales, ...), and the policy pack's defaults
 * (service/policy_pack.h: the support calendar and SLA targets, each stored only where nothing is
 * set yet, so admins' changes survive every later init).
 *
 * Loaded once per database: the load is recorded in settings ("seed.default_groups"), so a
 * later init neither duplicates the teams nor brings back one an admin has renamed. A team
 * that already exists under a default name (any case) is kept as it is. One transaction;
 * idempotent; thread-safe as far as the connection is.
 */
#ifndef FRONTDESK_SERVICE_SEED_H
#define FRONTDESK_SERVICE_SEED_H

#include <stdbool.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"
#include "service/policy_pack.h"

#define SEED_GROUPS_COUNT 4

/* The default teams' names, in the order they are created. */
extern const char *const seed_group_names[SEED_GROUPS_COUNT];

struct seed_report {
    bool already_loaded; /* an earlier init loaded the defaults: nothing was done */
    int groups_added;    /* teams created now (a name already taken is skipped) */
    struct policy_pack_seed_report policy;
};

/* Load what has not been loaded yet and say what happened in *out. */
int seed_load(const struct env *env, struct db *db, struct seed_report *out, struct err *e);

#endif
