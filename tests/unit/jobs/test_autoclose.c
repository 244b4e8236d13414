/* jobs/autoclose (and store/ticket_housekeeping under it) on a fresh, migrated SQLite file, with
 * a pinned clock: which tickets close, the event each close leaves, the batch cap and order.
 * The PostgreSQL path (FOR UPDATE SKIP LOCKED across processes) is driven by
 * tests/api/test_autoclose.py, which runs on both databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/env.h"
#include "base/err.h"
#include "db/db.h"
#include "db/migrate.h"
#include "jobs/autoclose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW  INT64_C(1700000000)
#define DAYS(n) ((int64_t)(n) * 86400)

struct fx {
    char dir[64];
    char path[96];
    struct env env;
    int64_t now;
    struct db *db;
};

static int64_t pinned_now(const struct env *env)
{
    return ((const struct fx *)env->ctx)->now;
}

static int64_t zero_ns(const struct env *env)
{
    return 0;
}

static void exec_ok(struct db *db, const char *sql)
{
    struct err e;
    err_clear(&e);
    int rc = db_exec(db, sql, &e);
    if (rc)
        print_error("%s: %s [%s]\n", sql, e.message, e.detail);
    assert_int_equal(rc, 0);
}

static int64_t scalar(struct db *db, const char *sql)
{
    struct db_stmt *st;
    struct err e;
    assert_int_equal(db_prepare(db, sql, &st, &e), 0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    int64_t v = db_column_int64(st, 0);
    db_stmt_done(st);
    return v;
}

/* A ticket with this status and solved_at (0: NULL); returns its id. */
static int64_t ticket(struct fx *fx, const char *status, int64_t solved_at)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO tickets (subject, channel, requester_id, submitter_id, status, "
             "created_at, updated_at, solved_at) VALUES ('t', 'api', 1, 1, '%s', 0, 0, %s)",
             status, solved_at ? "?" : "NULL");
    struct db_stmt *st;
    struct err e;
    assert_int_equal(db_prepare(fx->db, sql, &st, &e), 0);
    if (solved_at)
        db_bind_int64(st, 1, solved_at);
    assert_int_equal(db_step(st, &e), DB_DONE);
    db_stmt_done(st);
    return scalar(fx->db, "SELECT max(id) FROM tickets");
}

static const char *status_of(struct fx *fx, int64_t id, char out[16])
{
    struct db_stmt *st;
    struct err e;
    assert_int_equal(db_prepare(fx->db, "SELECT status FROM tickets WHERE id = ?", &st, &e), 0);
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st, &e), DB_ROW);
    snprintf(out, 16, "%s", db_column_text(st, 0, NULL));
    db_stmt_done(st);
    return out;
}

static size_t run(struct fx *fx, int days)
{
    struct autoclose_config cfg = {.after_days = days};
    size_t closed = 99999;
    struct err e;
    err_clear(&e);
    int rc = autoclose_run(&fx->env, fx->db, &cfg, &closed, &e);
    if (rc)
        print_error("autoclose_run: %s [%s]\n", e.message, e.detail);
    assert_int_equal(rc, 0);
    return closed;
}

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/fd-test-autoclose-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->path, sizeof fx->path, "%s/t.db", fx->dir);
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s", fx->path);
    struct db_pool *pool;
    struct err e;
    err_clear(&e);
    if (db_pool_open(url, NULL, &pool, &e) || db_pool_conn(pool, &fx->db, &e) ||
        migrate_apply(fx->db, NULL, &e)) {
        print_error("%s: %s [%s]\n", url, e.message, e.detail);
        return -1;
    }
    fx->now = NOW;
    fx->env = (struct env){.now = pinned_now, .monotonic_ns = zero_ns, .db = pool, .ctx = fx};
    exec_ok(fx->db, "INSERT INTO users (id, name, email, role, created_at, updated_at) "
                    "VALUES (1, 'Ada', 'ada@example.com', 'admin', 0, 0)");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    db_pool_free(fx->env.db);
    char p[128];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", fx->path, suffix[i]);
        unlink(p);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void closes_exactly_at_the_deadline(void **state)
{
    struct fx *fx = *state;
    char s[16];
    int64_t due = ticket(fx, "solved", NOW - DAYS(3));
    int64_t early = ticket(fx, "solved", NOW - DAYS(3) + 1);
    int64_t reopened = ticket(fx, "open", NOW - DAYS(30)); /* stale solved_at, not solved */
    int64_t pending = ticket(fx, "pending", 0);
    int64_t closed = ticket(fx, "closed", NOW - DAYS(30));
    int64_t no_instant = ticket(fx, "solved", 0);
    assert_int_equal(run(fx, 3), 1);
    assert_string_equal(status_of(fx, due, s), "closed");
    assert_string_equal(status_of(fx, early, s), "solved");
    assert_string_equal(status_of(fx, reopened, s), "open");
    assert_string_equal(status_of(fx, pending, s), "pending");
    assert_string_equal(status_of(fx, closed, s), "closed");
    assert_string_equal(status_of(fx, no_instant, s), "solved");
    /* One second later the other one is due too; the first is not closed again. */
    fx->now = NOW + 1;
    assert_int_equal(run(fx, 3), 1);
    assert_string_equal(status_of(fx, early, s), "closed");
    assert_int_equal(run(fx, 3), 0);
}

static void leaves_a_system_event_and_keeps_solved_at(void **state)
{
    struct fx *fx = *state;
    int64_t id = ticket(fx, "solved", NOW - DAYS(10));
    assert_int_equal(run(fx, 4), 1);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM ticket_events WHERE ticket_id = %lld AND actor_id IS NULL "
             "AND at = %lld AND field = 'status' AND old_value = 'solved' "
             "AND new_value = 'closed'",
             (long long)id, (long long)NOW);
    assert_int_equal(scalar(fx->db, sql), 1);
    assert_int_equal(scalar(fx->db, "SELECT count(*) FROM ticket_events"), 1);
    snprintf(sql, sizeof sql, "SELECT solved_at FROM tickets WHERE id = %lld", (long long)id);
    assert_int_equal(scalar(fx->db, sql), NOW - DAYS(10));
    snprintf(sql, sizeof sql, "SELECT updated_at FROM tickets WHERE id = %lld", (long long)id);
    assert_int_equal(scalar(fx->db, sql), NOW);
}

static void a_run_closes_one_batch_oldest_first(void **state)
{
    struct fx *fx = *state;
    /* Inserted newest first, so id order and solved_at order disagree. */
    for (int i = 0; i < AUTOCLOSE_BATCH_MAX + 20; i++)
        ticket(fx, "solved", NOW - DAYS(5) - (AUTOCLOSE_BATCH_MAX + 20 - i));
    int64_t oldest = scalar(fx->db, "SELECT min(id) FROM tickets");
    int64_t newest = scalar(fx->db, "SELECT max(id) FROM tickets");
    assert_int_equal(run(fx, 4), AUTOCLOSE_BATCH_MAX);
    char s[16];
    assert_string_equal(status_of(fx, oldest, s), "closed");
    assert_string_equal(status_of(fx, newest, s), "solved");
    assert_int_equal(run(fx, 4), 20);
    assert_int_equal(scalar(fx->db, "SELECT count(*) FROM tickets WHERE status = 'solved'"), 0);
    assert_int_equal(scalar(fx->db, "SELECT count(*) FROM ticket_events"),
                     AUTOCLOSE_BATCH_MAX + 20);
}

static void refuses_less_than_a_day(void **state)
{
    struct fx *fx = *state;
    ticket(fx, "solved", NOW - DAYS(100));
    struct autoclose_config cfg = {.after_days = 0};
    size_t closed = 7;
    struct err e;
    err_clear(&e);
    assert_int_equal(autoclose_run(&fx->env, fx->db, &cfg, &closed, &e), ERR_INVALID);
    assert_int_equal(closed, 7);
    assert_int_equal(scalar(fx->db, "SELECT count(*) FROM tickets WHERE status = 'closed'"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(closes_exactly_at_the_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(leaves_a_system_event_and_keeps_solved_at, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_run_closes_one_batch_oldest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_less_than_a_day, setup, teardown),
    };
    return cmocka_run_group_tests_name("jobs_autoclose", tests, NULL, NULL);
}
