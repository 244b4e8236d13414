/* The commands that only touch the database: migrate, init, version. */
#include "app/commands.h"

#include "db/migrate.h"
#include "service/demo.h"
#include "service/secrets.h"
#include "service/seed.h"
#include "service/setup.h"
#include "version.h"

#include <microhttpd.h>
#include <sqlite3.h>
#include <libpq-fe.h>
#include <stdio.h>

void cmd_build_labels(char *out, size_t len)
{
    int pq = PQlibVersion();
    snprintf(out, len, "version=\"%s\",sqlite=\"%s\",libpq=\"%d.%d\",libmicrohttpd=\"%s\"",
             FRONTDESK_VERSION, sqlite3_libversion(), pq / 10000, pq % 100, MHD_get_version());
}

int cmd_open_database(const struct config *cfg, struct env *env, int *applied)
{
    struct err e;
    err_clear(&e);
    struct db_pool *pool = NULL;
    struct db *db;
    int rc = db_pool_open(cfg->db_url, &cfg->db, &pool, &e);
    if (!rc)
        rc = db_pool_conn(pool, &db, &e);
    if (!rc)
        rc = migrate_apply(db, applied, &e);
    /* One copy per process, read-only after this point (threads start later). */
    static struct secrets secrets;
    if (!rc)
        rc = secrets_load(env, db, &secrets, &e);
    if (rc) {
        fprintf(stderr, "frontdesk %s: %s%s%s\n", cfg->cmd_name, e.message, e.detail[0] ? ": " : "",
                e.detail);
        db_pool_free(pool);
        return 1;
    }
    env->db = pool;
    env->secrets = &secrets;
    return 0;
}

int cmd_migrate(const struct config *cfg, struct env *env)
{
    int applied = 0;
    if (cmd_open_database(cfg, env, &applied))
        return 1;
    struct db *db;
    struct migrate_status st = {0, 0};
    struct err e;
    err_clear(&e);
    if (db_pool_conn(env->db, &db, &e) == 0)
        migrate_status(db, &st, &e);
    printf("frontdesk migrate: schema version %d (applied %d migration%s)\n", st.current, applied,
           applied == 1 ? "" : "s");
    db_pool_free(env->db);
    env->db = NULL;
    return 0;
}

static void print_seeded(const struct seed_report *seeded)
{
    if (seeded->policy.calendar_added)
        printf("frontdesk init: support calendar loaded from the policy pack\n");
    if (seeded->policy.sla_added)
        printf("frontdesk init: SLA targets loaded from the policy pack\n");
    if (seeded->already_loaded) {
        printf("frontdesk init: default teams were loaded by an earlier init\n");
        return;
    }
    printf("frontdesk init: default teams loaded (%d new):", seeded->groups_added);
    for (int i = 0; i < SEED_GROUPS_COUNT; i++)
        printf(" %s%s", seed_group_names[i], i + 1 < SEED_GROUPS_COUNT ? "," : "\n");
}

static void print_demo(const struct demo_report *demo)
{
    if (demo->already_loaded) {
        printf("frontdesk init: demo data was loaded by an earlier init; nothing added\n");
        return;
    }
    printf("frontdesk init: demo data loaded: %d client accounts, %d people, %d tickets, "
           "%d comments\n",
           demo->organizations, demo->users, demo->tickets, demo->comments);
    printf("Demo sign-ins (every one with the password %s):\n", DEMO_PASSWORD);
    for (size_t i = 0; i < demo->signin_count; i++)
        printf("  %-32s %-9s %s\n", demo->signins[i].email, demo->signins[i].role,
               demo->signins[i].what);
}

/* Default content first, then the demo (which brings its own admin), and only then the setup
 * token, which is issued only while no administrator exists. */
int cmd_init(const struct config *cfg, struct env *env)
{
    int applied = 0;
    if (cmd_open_database(cfg, env, &applied))
        return 1;
    struct err e;
    err_clear(&e);
    struct db *db;
    struct seed_report seeded = {0};
    struct demo_report demo = {0};
    char token[SETUP_TOKEN_LEN + 1];
    int rc = db_pool_conn(env->db, &db, &e);
    if (!rc)
        rc = seed_load(env, db, &seeded, &e);
    if (!rc && cfg->demo)
        rc = demo_load(env, db, &demo, &e);
    if (rc >= 0)
        rc = setup_init_instance(env, db, token, &e);
    db_pool_free(env->db);
    env->db = NULL;
    if (rc < 0) {
        fprintf(stderr, "frontdesk init: %s\n", e.message);
        return 1;
    }
    printf("frontdesk init: database ready (%s, %d migration%s applied)\n", cfg->db_url, applied,
           applied == 1 ? "" : "s");
    print_seeded(&seeded);
    if (cfg->demo)
        print_demo(&demo);
    if (rc == SETUP_TOKEN_ISSUED)
        printf("No administrator exists yet. Create one with POST /api/v2/setup and this one-time\n"
               "setup token (a later init replaces it):\nsetup token: %s\n",
               token);
    return 0;
}

int cmd_version(const struct config *cfg, struct env *env)
{
    char labels[256];
    cmd_build_labels(labels, sizeof labels);
    printf("frontdesk %s\n%s\n", FRONTDESK_VERSION, labels);
    return 0;
}
