/* jobs/scheduler: jobs run at start and every interval, on the scheduler's own connection; a
 * job may ask to run again sooner; a failing job is logged and does not stop the others; stop
 * is prompt even mid-interval. Uses
 * the real clock (the interval is a wait on CLOCK_MONOTONIC), so the slowest case takes ~1 s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/env.h"
#include "base/err.h"
#include "base/log.h"
#include "db/db.h"
#include "jobs/scheduler.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct counter {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int runs;
    struct db *db; /* the connection of the last run */
    pthread_t thread;
};

struct fx {
    char dir[64];
    struct env env;
    struct counter a, b;
    char log_path[96];
    int log_fd;
};

static int64_t wall_now(const struct env *env)
{
    return (int64_t)time(NULL);
}

static int64_t mono_ns(const struct env *env)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int count_job(const struct env *env, struct db *db, void *arg, int64_t *again,
                     struct err *e)
{
    struct counter *c = arg;
    pthread_mutex_lock(&c->lock);
    c->runs++;
    c->db = db;
    c->thread = pthread_self();
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

static int failing_job(const struct env *env, struct db *db, void *arg, int64_t *again,
                       struct err *e)
{
    count_job(env, db, arg, again, e);
    return err_set(e, ERR_IO, NULL, "the disk went away");
}

/* A job that wants to run again in a second, whatever the interval (the SLA sweep does so). */
static int eager_job(const struct env *env, struct db *db, void *arg, int64_t *again,
                     struct err *e)
{
    *again = env->now(env) + 1;
    return count_job(env, db, arg, again, e);
}

/* Wait until c has run at least n times or ms pass; returns the count. */
static int wait_runs(struct counter *c, int n, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&c->lock);
    while (c->runs < n && pthread_cond_timedwait(&c->changed, &c->lock, &until) == 0)
        ;
    int runs = c->runs;
    pthread_mutex_unlock(&c->lock);
    return runs;
}

static void counter_init(struct counter *c)
{
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
}

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/fd-test-scheduler-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/t.db", fx->dir);
    struct db_pool *pool;
    struct err e;
    if (db_pool_open(url, NULL, &pool, &e)) {
        print_error("%s: %s\n", url, e.message);
        return -1;
    }
    fx->env = (struct env){.now = wall_now, .monotonic_ns = mono_ns, .db = pool};
    counter_init(&fx->a);
    counter_init(&fx->b);
    snprintf(fx->log_path, sizeof fx->log_path, "%s/log", fx->dir);
    fx->log_fd = open(fx->log_path, O_CREAT | O_WRONLY | O_APPEND, 0600);
    log_set_fd(fx->log_fd);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    log_set_fd(2);
    close(fx->log_fd);
    db_pool_free(fx->env.db);
    char p[128];
    const char *files[] = {"t.db", "t.db-wal", "t.db-shm", "log"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", fx->dir, files[i]);
        unlink(p);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void runs_at_start_then_every_interval(void **state)
{
    struct fx *fx = *state;
    struct scheduler_job jobs[] = {{"count", count_job, &fx->a}};
    struct scheduler *s = NULL;
    struct err e;
    err_clear(&e);
    int64_t t0 = mono_ns(NULL);
    assert_int_equal(scheduler_start(&fx->env, 1, jobs, 1, &s, &e), 0);
    assert_int_equal(wait_runs(&fx->a, 1, 2000), 1);
    assert_true(mono_ns(NULL) - t0 < 500000000); /* the first run does not wait an interval */
    assert_true(wait_runs(&fx->a, 2, 3000) >= 2);
    int64_t elapsed = mono_ns(NULL) - t0;
    assert_true(elapsed >= 900000000); /* ...the second one does */
    scheduler_stop(s);
    /* The job ran on the scheduler's thread, with that thread's own connection. */
    struct db *mine;
    assert_int_equal(db_pool_conn(fx->env.db, &mine, &e), 0);
    assert_non_null(fx->a.db);
    assert_ptr_not_equal(fx->a.db, mine);
    assert_false(pthread_equal(fx->a.thread, pthread_self()));
}

static void stop_is_prompt_mid_interval(void **state)
{
    struct fx *fx = *state;
    struct scheduler_job jobs[] = {{"count", count_job, &fx->a}};
    struct scheduler *s = NULL;
    struct err e;
    assert_int_equal(scheduler_start(&fx->env, 3600, jobs, 1, &s, &e), 0);
    assert_int_equal(wait_runs(&fx->a, 1, 2000), 1);
    int64_t t0 = mono_ns(NULL);
    scheduler_stop(s);
    assert_true(mono_ns(NULL) - t0 < 200000000);
    assert_int_equal(fx->a.runs, 1);
    scheduler_stop(NULL); /* a no-op */
}

static void a_failing_job_is_logged_and_the_next_still_runs(void **state)
{
    struct fx *fx = *state;
    struct scheduler_job jobs[] = {{"breaks", failing_job, &fx->a}, {"count", count_job, &fx->b}};
    struct scheduler *s = NULL;
    struct err e;
    assert_int_equal(scheduler_start(&fx->env, 1, jobs, 2, &s, &e), 0);
    assert_true(wait_runs(&fx->b, 2, 3000) >= 2);
    scheduler_stop(s);
    assert_true(fx->a.runs >= 2);
    char text[4096] = {0};
    FILE *f = fopen(fx->log_path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_non_null(strstr(text, "\"event\":\"job_failed\""));
    assert_non_null(strstr(text, "\"job\":\"breaks\""));
    assert_non_null(strstr(text, "the disk went away"));
    assert_null(strstr(text, "\"job\":\"count\""));
}

static void a_job_may_ask_to_run_again_sooner(void **state)
{
    struct fx *fx = *state;
    struct scheduler_job jobs[] = {{"eager", eager_job, &fx->a}, {"count", count_job, &fx->b}};
    struct scheduler *s = NULL;
    struct err e;
    assert_int_equal(scheduler_start(&fx->env, 3600, jobs, 2, &s, &e), 0);
    assert_true(wait_runs(&fx->a, 3, 4000) >= 3); /* within seconds, not an hour */
    scheduler_stop(s);
    assert_int_equal(fx->b.runs, 1); /* the other job keeps its hour */
}

static void refuses_bad_arguments(void **state)
{
    struct fx *fx = *state;
    struct scheduler_job jobs[SCHEDULER_JOBS_MAX + 1];
    for (size_t i = 0; i <= SCHEDULER_JOBS_MAX; i++)
        jobs[i] = (struct scheduler_job){"count", count_job, &fx->a};
    struct scheduler *s = (struct scheduler *)&fx->b; /* any sentinel: must stay untouched */
    struct err e;
    err_clear(&e);
    assert_int_equal(scheduler_start(&fx->env, 0, jobs, 1, &s, &e), ERR_INVALID);
    assert_int_equal(scheduler_start(&fx->env, 1, jobs, SCHEDULER_JOBS_MAX + 1, &s, &e),
                     ERR_INVALID);
    assert_ptr_equal(s, (struct scheduler *)&fx->b);
    assert_int_equal(fx->a.runs, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(runs_at_start_then_every_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_is_prompt_mid_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(a_failing_job_is_logged_and_the_next_still_runs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_job_may_ask_to_run_again_sooner, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_bad_arguments, setup, teardown),
    };
    return cmocka_run_group_tests_name("jobs_scheduler", tests, NULL, NULL);
}
