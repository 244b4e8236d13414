#include "service/sla_report.h"

#include "base/xalloc.h"
#include "core/calendar.h"
#include "base/timefmt.h"
#include "service/calendar_cache.h"
#include "service/policy_pack.h"
#include "service/ticket_sla.h"

#include <stdlib.h>
#include <string.h>

#define DAY    86400
#define GROUPS (TICKET_PRIORITY_COUNT * TICKET_CHANNEL_COUNT)

struct submitted {
    int64_t id, created_at;
    char priority[TICKET_ENUM_MAX], channel[TICKET_ENUM_MAX];
};

/* Tickets submitted within a day of [from, to) in UTC, by id: the local dates are judged after. */
static int load(struct db *db, int64_t from, int64_t to, struct submitted **out, size_t *n,
                struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db,
                   "SELECT id, created_at, priority, channel FROM tickets WHERE created_at >= ? "
                   "AND created_at < ? ORDER BY id LIMIT ?",
                   &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, (from - 1) * DAY);
    db_bind_int64(st, 2, (to + 1) * DAY);
    db_bind_int64(st, 3, SLA_REPORT_TICKETS_MAX + 1);
    size_t cap = 256, count = 0;
    struct submitted *list = xmalloc(cap * sizeof *list);
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (count == SLA_REPORT_TICKETS_MAX) {
            rc = err_set(e, ERR_LIMIT, "from",
                         "more than %d tickets in the range: ask for fewer weeks",
                         SLA_REPORT_TICKETS_MAX);
            break;
        }
        if (count == cap)
            list = xrealloc(list, (cap *= 2) * sizeof *list);
        struct submitted *t = &list[count++];
        t->id = db_column_int64(st, 0);
        t->created_at = db_column_int64(st, 1);
        db_column_copy(st, 2, t->priority, sizeof t->priority);
        db_column_copy(st, 3, t->channel, sizeof t->channel);
    }
    db_stmt_done(st);
    if (rc < 0) {
        free(list);
        return rc;
    }
    *out = list;
    *n = count;
    return 0;
}

static int by_value(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Nearest-rank percentile of sorted v[0..n), n > 0, in minutes. */
static double rank(const int64_t *v, size_t n, int pct)
{
    size_t k = ((size_t)pct * n + 99) / 100;
    return (double)v[k ? k - 1 : 0] / 60.0;
}

struct group {
    struct sla_report_row row;
    int64_t *times; /* first-touch elapsed business seconds of answered tickets */
    size_t ntimes, cap;
};

static void add_time(struct group *g, int64_t seconds)
{
    if (g->ntimes == g->cap)
        g->times = xrealloc(g->times, (g->cap = g->cap ? g->cap * 2 : 16) * sizeof *g->times);
    g->times[g->ntimes++] = seconds;
}

static void count_clock(const struct sla_clock_state *c, int *met, int *late)
{
    if (c->state == SLA_MET)
        (*met)++;
    else if (c->state == SLA_MET_LATE || c->state == SLA_BREACHED ||
             (c->state == SLA_PAUSED && c->due && c->due <= c->stop))
        (*late)++;
}

int sla_report_build(const struct env *env, struct db *db, const struct access_subject *s,
                     int64_t from, int64_t to, struct arena *a, struct sla_report *out,
                     struct err *e)
{
    if (!access_is_staff(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "the SLA report is for staff");
    if (to <= from)
        return err_set(e, ERR_INVALID, "to", "to must be after from");
    if (to - from > SLA_REPORT_WEEKS_MAX * 7)
        return err_set(e, ERR_INVALID, "to", "a report covers at most %d weeks",
                       SLA_REPORT_WEEKS_MAX);
    /* Whole weeks: from the Monday on or before `from` to the Monday on or after `to`. */
    from -= (timefmt_weekday_from_days(from) + 6) % 7;
    to += (7 - (timefmt_weekday_from_days(to) + 6) % 7) % 7;
    size_t weeks = (size_t)((to - from) / 7);
    struct submitted *list = NULL;
    size_t n = 0;
    const struct calendar *cal;
    struct calendar_ref *ref;
    struct sla_targets targets;
    int rc = policy_pack_sla(env, db, &targets, e);
    rc = rc ? rc : calendar_cache_acquire(env, db, &cal, &ref, e);
    if (rc)
        return rc;
    rc = load(db, from, to, &list, &n, e);
    struct group *g = xcalloc(weeks * GROUPS, sizeof *g);
    int64_t now = env->now(env);
    for (size_t i = 0; i < n && !rc; i++) {
        int64_t day = cal_local_day(cal, list[i].created_at);
        if (day < from || day >= to)
            continue;
        enum ticket_priority p = TICKET_PRIORITY_NORMAL;
        enum ticket_channel ch = TICKET_CHANNEL_API;
        ticket_priority_parse(list[i].priority, strlen(list[i].priority), &p);
        ticket_channel_parse(list[i].channel, strlen(list[i].channel), &ch);
        struct sla_result r;
        rc = ticket_sla_compute_with(db, list[i].id, cal, &targets, now, &r, e);
        if (rc)
            break;
        struct group *x = &g[(size_t)((day - from) / 7) * GROUPS + p * TICKET_CHANNEL_COUNT + ch];
        x->row.tickets++;
        count_clock(&r.first_touch, &x->row.first_touch_met, &x->row.first_touch_late);
        if (r.first_touch.state == SLA_MET || r.first_touch.state == SLA_MET_LATE)
            add_time(x, r.first_touch.elapsed);
        x->row.follow_up_met += r.follow_ups_met;
        x->row.follow_up_late += r.follow_ups_late;
    }
    calendar_cache_release(ref);
    free(list);
    size_t used = 0;
    for (size_t k = 0; k < weeks * GROUPS; k++)
        used += g[k].row.tickets > 0;
    struct sla_report_row *rows = used ? arena_alloc(a, used * sizeof *rows) : NULL;
    if (!rc && used && !rows)
        rc = err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    size_t m = 0;
    for (size_t k = 0; k < weeks * GROUPS; k++) {
        struct group *x = &g[k];
        if (!rc && x->row.tickets) {
            x->row.week = from + (int64_t)(k / GROUPS) * 7;
            x->row.priority = (enum ticket_priority)((k % GROUPS) / TICKET_CHANNEL_COUNT);
            x->row.channel = (enum ticket_channel)(k % TICKET_CHANNEL_COUNT);
            if (x->ntimes) {
                qsort(x->times, x->ntimes, sizeof *x->times, by_value);
                x->row.first_touch_timed = true;
                x->row.first_touch_median_minutes = rank(x->times, x->ntimes, 50);
                x->row.first_touch_p90_minutes = rank(x->times, x->ntimes, 90);
            }
            rows[m++] = x->row;
        }
        free(x->times);
    }
    free(g);
    if (rc)
        return rc;
    *out = (struct sla_report){.from = from, .to = to, .rows = rows, .count = m};
    return 0;
}
