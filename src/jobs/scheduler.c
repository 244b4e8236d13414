#include "jobs/scheduler.h"

#include "base/log.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct scheduler {
    const struct env *env;
    unsigned interval_s;
    struct scheduler_job jobs[SCHEDULER_JOBS_MAX];
    int64_t due_ns[SCHEDULER_JOBS_MAX]; /* CLOCK_MONOTONIC instant of each job's next run */
    size_t count;
    pthread_t thread;
    pthread_mutex_t lock; /* guards stopping */
    pthread_cond_t wake;  /* signalled by scheduler_stop() */
    bool stopping;
};

static void log_failure(const char *job, const struct err *e)
{
    struct log_rec r;
    if (log_begin(&r, "warn", "job_failed"))
        return;
    log_cstr(&r, "job", job);
    log_cstr(&r, "code", err_code_name(e->code));
    log_cstr(&r, "message", e->message);
    log_cstr(&r, "detail", e->detail);
    log_end(&r);
}

static int64_t mono_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Run the jobs that are due, each then due again an interval later or when it asked. Returns the
 * monotonic instant the next job is due. */
static int64_t run_jobs(struct scheduler *s)
{
    struct err e;
    err_clear(&e);
    struct db *db;
    int64_t interval_ns = (int64_t)s->interval_s * 1000000000LL;
    /* Asked for every tick, not once: the pool resets a broken PostgreSQL connection here. */
    if (db_pool_conn(s->env->db, &db, &e)) {
        log_failure("scheduler", &e);
        return mono_now_ns() + interval_ns;
    }
    for (size_t i = 0; i < s->count; i++) {
        pthread_mutex_lock(&s->lock);
        bool stopping = s->stopping;
        pthread_mutex_unlock(&s->lock);
        if (stopping)
            break;
        if (s->due_ns[i] > mono_now_ns())
            continue;
        err_clear(&e);
        int64_t again = 0;
        if (s->jobs[i].run(s->env, db, s->jobs[i].arg, &again, &e))
            log_failure(s->jobs[i].name, &e);
        if (db_in_transaction(db)) /* a job's bug must not leave the writer lock taken */
            db_rollback(db);
        /* The wish is in env time; the wait is on the monotonic clock: convert the distance. */
        int64_t end = mono_now_ns(), due = end + interval_ns;
        if (again) {
            int64_t in_s = again - s->env->now(s->env);
            int64_t wish = end + (in_s > 0 ? in_s : 0) * 1000000000LL;
            if (wish < due)
                due = wish;
        }
        s->due_ns[i] = due;
    }
    int64_t next = mono_now_ns() + interval_ns;
    for (size_t i = 0; i < s->count; i++)
        if (s->due_ns[i] < next)
            next = s->due_ns[i];
    return next;
}

/* A monotonic instant as the absolute deadline pthread_cond_timedwait() takes for s->wake. This
 * clock is the one place the real clock is read instead of env's: the condition variable needs
 * an instant of its own clock, and no job decision depends on it. */
static struct timespec deadline_at(int64_t mono_ns)
{
    struct timespec ts = {.tv_sec = (time_t)(mono_ns / 1000000000LL),
                          .tv_nsec = (long)(mono_ns % 1000000000LL)};
    return ts;
}

static void *scheduler_main(void *arg)
{
    struct scheduler *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->lock);
        int64_t next = run_jobs(s);
        pthread_mutex_lock(&s->lock);
        struct timespec until = deadline_at(next);
        while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock, &until) == 0)
            ; /* woken without stopping (spurious): keep waiting for the same deadline */
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int scheduler_start(const struct env *env, unsigned interval_s, const struct scheduler_job *jobs,
                    size_t count, struct scheduler **out, struct err *e)
{
    if (count > SCHEDULER_JOBS_MAX)
        return err_set(e, ERR_INVALID, NULL, "too many jobs: %zu, at most %d", count,
                       SCHEDULER_JOBS_MAX);
    if (interval_s < 1)
        return err_set(e, ERR_INVALID, NULL, "the jobs' interval must be at least 1 second");
    struct scheduler *s = xcalloc(1, sizeof *s);
    s->env = env;
    s->interval_s = interval_s;
    if (count)
        memcpy(s->jobs, jobs, count * sizeof *jobs);
    s->count = count;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&s->lock, NULL);
    int rc = pthread_create(&s->thread, NULL, scheduler_main, s);
    if (rc) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return err_set(e, ERR_INTERNAL, NULL, "cannot start the jobs' thread (error %d)", rc);
    }
    *out = s;
    return 0;
}

void scheduler_stop(struct scheduler *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
