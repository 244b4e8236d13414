#include "service/policy_report.h"

#include "base/timefmt.h"
#include "service/calendar_cache.h"
#include "store/policy_report.h"

#include <stddef.h>
#include <string.h>

_Static_assert(POLICY_REPORT_ITEMS_MAX > 0, "a report reads something");

struct build_ctx {
    const struct env *env;
    int weeks;
    struct arena *a;
    struct policy_report *out;
};

/* The Monday (local date) of the week holding day. */
static int64_t monday_of(int64_t day)
{
    return day - (timefmt_weekday_from_days(day) + 6) % 7;
}

static struct policy_report_week *week_of(struct policy_report *r, const struct calendar *cal,
                                          int64_t at)
{
    int64_t start = monday_of(cal_local_day(cal, at));
    for (size_t i = 0; i < r->count; i++)
        if (r->weeks[i].start == start)
            return &r->weeks[i];
    return NULL; /* outside the report (an instant at a week's edge in another offset) */
}

static void count_audited(struct policy_report_week *w, const char *action)
{
    static const struct {
        const char *action;
        size_t offset;
    } counters[] = {
        {"policy.exception", offsetof(struct policy_report_week, exceptions)},
        {"ban.created", offsetof(struct policy_report_week, bans)},
        {"ban.lifted", offsetof(struct policy_report_week, unbans)},
        {"service.refused", offsetof(struct policy_report_week, refusals)},
        {"service.restored", offsetof(struct policy_report_week, restorations)},
        {"billing.disclosed", offsetof(struct policy_report_week, disclosures)},
    };
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        if (strcmp(action, counters[i].action) == 0)
            (*(int *)((char *)w + counters[i].offset))++;
}

static int build_tx(struct db *db, void *arg, struct err *e)
{
    struct build_ctx *c = arg;
    const struct calendar *cal;
    struct calendar_ref *ref;
    int rc = calendar_cache_acquire(c->env, db, &cal, &ref, e);
    if (rc)
        return rc;
    int64_t now = c->env->now(c->env);
    struct policy_report *r = c->out;
    r->count = (size_t)c->weeks;
    r->weeks = arena_alloc(c->a, r->count * sizeof *r->weeks);
    if (!r->weeks) {
        calendar_cache_release(ref);
        return err_set(e, ERR_LIMIT, NULL, "the report ran out of memory");
    }
    memset(r->weeks, 0, r->count * sizeof *r->weeks);
    int64_t this_monday = monday_of(cal_local_day(cal, now));
    for (size_t i = 0; i < r->count; i++)
        r->weeks[i].start = this_monday - 7 * (int64_t)i;
    /* Instants a day wider than the local weeks on each side; week_of() keeps the right ones. */
    int64_t from = (r->weeks[r->count - 1].start - 1) * 86400, to = (this_monday + 8) * 86400;
    struct policy_report_item *items;
    size_t n;
    rc = policy_report_audited(db, from, to, POLICY_REPORT_ITEMS_MAX, c->a, &items, &n, e);
    for (size_t i = 0; !rc && i < n; i++) {
        struct policy_report_week *w = week_of(r, cal, items[i].at);
        if (w)
            count_audited(w, items[i].what);
    }
    if (!rc)
        rc = policy_report_out_of_scope(db, from, to, POLICY_REPORT_ITEMS_MAX, c->a, &items, &n, e);
    const struct policy_category *cats;
    size_t ncat = policy_categories(&cats);
    for (size_t i = 0; !rc && i < n; i++) {
        struct policy_report_week *w = week_of(r, cal, items[i].at);
        const struct policy_category *k = policy_category_find(items[i].what);
        size_t idx = k ? (size_t)(k - cats) : ncat;
        if (w && idx < ncat && idx < sizeof w->out_of_scope / sizeof w->out_of_scope[0])
            w->out_of_scope[idx]++;
    }
    calendar_cache_release(ref);
    return rc;
}

int policy_report_build(const struct env *env, struct db *db, const struct access_subject *s,
                        int weeks, struct arena *a, struct policy_report *out, struct err *e)
{
    if (!access_is_lead_or_admin(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "the policy report is for support leads and admins");
    if (weeks < 1 || weeks > POLICY_REPORT_WEEKS_MAX)
        return err_set(e, ERR_INVALID, "weeks", "weeks must be 1 to %d", POLICY_REPORT_WEEKS_MAX);
    struct build_ctx c = {env, weeks, a, out};
    return db_transact(db, DB_TX_READ, build_tx, &c, e);
}
