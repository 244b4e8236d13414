/* calendar: the weekly hours, the holidays and the zone resolved once into UTC intervals.
 *
 * Why one flat table: with every open interval of 1970-2199 as disjoint UTC [start, end) and a
 * running total, between() is two lookups and add() a short search, so queries never walk
 * calendar time, and every oddity (DST switch inside an interval, a day open across midnight,
 * intervals that overlap once resolved) is handled in one place, the construction, where it can
 * be exact. The table is about 60,000 intervals for a Mon-Fri calendar.
 */
#include "core/calendar.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"

#define DAY 86400
#define YEAR_LO HOLIDAYS_YEAR_MIN
#define YEAR_HI HOLIDAYS_YEAR_MAX

/* One resolved interval; cend is the business seconds from the table's start to `end`. */
struct span {
    int64_t start, end, cend;
};

/* A UTC offset change: `before` applies to instants < utc, `after` from utc on. `wall` is where
 * the change sits on the local clock for fold=0 reading: utc + max(before, after), so a wall time
 * in a gap or an overlap still reads with `before` (Python's zoneinfo does the same). */
struct transition {
    int64_t utc, wall;
    int32_t before, after;
};

struct zone {
    int32_t initial;
    size_t n;
    struct transition *t;
};

struct calendar {
    struct cal_spec spec;
    struct zone zone; /* kept to tell local dates and offsets (cal_utc_offset) */
    size_t n;
    struct span *spans;
    int64_t day0;     /* UTC day number of dayidx[0] */
    size_t ndays;
    uint32_t *dayidx; /* dayidx[k]: first span with end > (day0 + k) * DAY */
};

static const char *const weekday_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

const char *cal_weekday_name(int w)
{
    return w >= 0 && w < 7 ? weekday_names[w] : "?";
}

int cal_weekday_parse(const char *s)
{
    for (int w = 0; w < 7; w++)
        if (strcmp(s, weekday_names[w]) == 0)
            return w;
    return -1;
}

void cal_spec_default(struct cal_spec *s)
{
    memset(s, 0, sizeof *s);
    memcpy(s->zone, CAL_DEFAULT_ZONE, sizeof CAL_DEFAULT_ZONE);
    memcpy(s->label, CAL_DEFAULT_LABEL, sizeof CAL_DEFAULT_LABEL);
    for (int w = 1; w <= 5; w++) {
        s->nhours[w] = 1;
        s->hours[w][0] = (struct cal_interval){9 * 60, 17 * 60};
    }
    s->holidays.npresets = 1;
    s->holidays.presets[0] = HOLIDAYS_PRESET_CA_ON;
}

/* IANA names only: GLib would also take POSIX TZ strings and file paths, and a name is looked up
 * under the zoneinfo directory, so "..", absolute paths and odd bytes are refused first. */
static bool zone_name_ok(const char *z)
{
    size_t len = strnlen(z, CAL_ZONE_MAX);
    if (len == 0 || len == CAL_ZONE_MAX || z[0] == '/' || strstr(z, ".."))
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = z[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                  ch == '/' || ch == '_' || ch == '-' || ch == '+' || ch == '.';
        if (!ok)
            return false;
    }
    return true;
}

/* GLib falls back to reading an unknown name as a POSIX TZ string ("EST5", "UTC+5", which means
 * UTC-5), which is no IANA zone: insist on the tzdata file, where GLib itself looks for it. */
static bool zone_file_exists(const char *name)
{
    const char *dir = g_getenv("TZDIR");
    char *path = g_build_filename(dir && *dir ? dir : "/usr/share/zoneinfo", name, NULL);
    bool ok = g_file_test(path, G_FILE_TEST_IS_REGULAR);
    g_free(path);
    return ok;
}

static GTimeZone *zone_open(const char *name, struct err *e)
{
    bool shaped = zone_name_ok(name);
    GTimeZone *tz = shaped && zone_file_exists(name) ? g_time_zone_new_identifier(name) : NULL;
    if (!tz && shaped) /* only a name of safe bytes is quoted back */
        err_set(e, ERR_INVALID, "timezone", "timezone \"%s\" is not a known IANA time zone", name);
    else if (!tz)
        err_set(e, ERR_INVALID, "timezone", "timezone is not an IANA time zone name");
    return tz;
}

static int check_hours(const struct cal_spec *s, struct err *e)
{
    for (int w = 0; w < 7; w++) {
        char field[16] = "hours.";
        memcpy(field + 6, weekday_names[w], 4);
        if (s->nhours[w] > CAL_DAY_INTERVALS_MAX)
            return err_set(e, ERR_INVALID, field, "%s has more than %d intervals", field,
                           CAL_DAY_INTERVALS_MAX);
        int prev_end = 0;
        for (size_t i = 0; i < s->nhours[w]; i++) {
            const struct cal_interval *iv = &s->hours[w][i];
            if (iv->start < 0 || iv->end > 24 * 60 || iv->start >= iv->end)
                return err_set(e, ERR_INVALID, field, "%s[%zu] must end after it starts, within 00:00-24:00",
                               field, i);
            if (iv->start < prev_end)
                return err_set(e, ERR_INVALID, field, "%s[%zu] overlaps or precedes the interval before it",
                               field, i);
            prev_end = iv->end;
        }
    }
    return 0;
}

static int check_holidays(const struct holidays_spec *h, struct err *e)
{
    if (h->npresets > HOLIDAYS_PRESETS_MAX)
        return err_set(e, ERR_INVALID, "holidays.presets", "holidays.presets has more than %d entries",
                       HOLIDAYS_PRESETS_MAX);
    for (size_t i = 0; i < h->npresets; i++)
        if (h->presets[i] != HOLIDAYS_PRESET_CA_ON && h->presets[i] != HOLIDAYS_PRESET_CA)
            return err_set(e, ERR_INVALID, "holidays.presets", "holidays.presets[%zu] is not a known preset", i);
    if (h->nrules > HOLIDAYS_RULES_MAX)
        return err_set(e, ERR_INVALID, "holidays.rules", "holidays.rules has more than %d entries",
                       HOLIDAYS_RULES_MAX);
    for (size_t i = 0; i < h->nrules; i++) {
        char field[48];
        snprintf(field, sizeof field, "holidays.rules[%zu]", i);
        int rc = holidays_rule_check(&h->rules[i], field, e);
        if (rc)
            return rc;
    }
    if (h->ndates > HOLIDAYS_DATES_MAX)
        return err_set(e, ERR_INVALID, "holidays.dates", "holidays.dates has more than %d entries",
                       HOLIDAYS_DATES_MAX);
    int64_t lo = timefmt_days_from_civil((struct civil_date){YEAR_LO, 1, 1});
    int64_t hi = timefmt_days_from_civil((struct civil_date){YEAR_HI + 1, 1, 1});
    for (size_t i = 0; i < h->ndates; i++)
        if (h->dates[i] < lo || h->dates[i] >= hi)
            return err_set(e, ERR_INVALID, "holidays.dates", "holidays.dates[%zu] is not in 1970-2199", i);
    return 0;
}

int cal_spec_check(const struct cal_spec *s, struct err *e)
{
    GTimeZone *tz = zone_open(s->zone, e);
    if (!tz)
        return ERR_INVALID;
    g_time_zone_unref(tz);
    int rc = check_hours(s, e);
    return rc ? rc : check_holidays(&s->holidays, e);
}

/* ---- the zone as a table of offset changes ----------------------------------------------------- */

static int32_t offset_at(GTimeZone *tz, int64_t t)
{
    return g_time_zone_get_offset(tz, g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, t));
}

/* GLib numbers its intervals in time order but does not say where they start, so each boundary
 * is found by bisection on the interval index: about 33 lookups per transition, a few hundred
 * transitions for a zone over [lo, hi). Intervals that change only the abbreviation or the DST
 * flag are dropped: only offsets matter here. */
static void zone_load(GTimeZone *tz, int64_t lo, int64_t hi, struct zone *z)
{
    int first = g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, lo);
    int last = g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, hi);
    z->initial = offset_at(tz, lo);
    z->n = 0;
    z->t = xmalloc(((size_t)(last - first) + 1) * sizeof *z->t);
    int64_t from = lo;
    for (int k = first + 1; k <= last; k++) {
        int64_t a = from, b = hi; /* find(a) < k <= find(b) */
        while (b - a > 1) {
            int64_t mid = a + (b - a) / 2;
            if (g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, mid) >= k)
                b = mid;
            else
                a = mid;
        }
        from = b;
        int32_t before = offset_at(tz, b - 1), after = offset_at(tz, b);
        if (before == after || (z->n && z->t[z->n - 1].utc == b))
            continue;
        z->t[z->n++] = (struct transition){b, b + (before > after ? before : after), before, after};
    }
}

/* UTC instant of local wall time `wall` (seconds as if the zone were UTC), fold=0. *hint is the
 * index of the last transition at or before the previous answer: wall times are asked in
 * increasing order (nearly), so this is a short walk instead of a search. */
static int64_t zone_to_utc(const struct zone *z, int64_t wall, size_t *hint)
{
    size_t i = *hint; /* number of transitions with t.wall <= wall */
    while (i > 0 && z->t[i - 1].wall > wall)
        i--;
    while (i < z->n && z->t[i].wall <= wall)
        i++;
    *hint = i;
    return wall - (i ? z->t[i - 1].after : z->initial);
}

/* ---- construction ----------------------------------------------------------------------------- */

static int64_t civil_day(int64_t y, int m, int d)
{
    return timefmt_days_from_civil((struct civil_date){y, m, d});
}

/* closed[d - d0] for every local date of 1970-2199 that is a holiday. */
static bool *holiday_map(const struct holidays_spec *h, int64_t d0, size_t ndays)
{
    bool *closed = xcalloc(ndays, 1);
    struct holidays_entry *list = xmalloc(HOLIDAYS_YEAR_MAX_ENTRIES * sizeof *list);
    for (int y = YEAR_LO; y <= YEAR_HI; y++) {
        size_t n = 0;
        if (holidays_year(h, y, list, HOLIDAYS_YEAR_MAX_ENTRIES, &n))
            continue; /* cannot happen: the year is in range and the cap is the bound */
        for (size_t i = 0; i < n; i++)
            closed[list[i].day - d0] = true;
    }
    free(list);
    return closed;
}

static int by_start(const void *pa, const void *pb)
{
    const struct span *a = pa, *b = pb;
    return (a->start > b->start) - (a->start < b->start);
}

/* Every open interval of every open local date, resolved to UTC, in date order. */
static size_t resolve_days(const struct cal_spec *s, const struct zone *z, int64_t d0, size_t ndays,
                           struct span **out)
{
    bool *closed = holiday_map(&s->holidays, d0, ndays);
    size_t cap = 1024, n = 0;
    struct span *sp = xmalloc(cap * sizeof *sp);
    size_t hint = 0;
    for (size_t k = 0; k < ndays; k++) {
        int64_t d = d0 + (int64_t)k;
        int w = timefmt_weekday_from_days(d);
        if (closed[k])
            continue;
        for (size_t i = 0; i < s->nhours[w]; i++) {
            int64_t a = zone_to_utc(z, d * DAY + s->hours[w][i].start * 60, &hint);
            int64_t b = zone_to_utc(z, d * DAY + s->hours[w][i].end * 60, &hint);
            if (b <= a)
                continue; /* the issue: an interval whose UTC end is not after its start */
            if (n == cap)
                sp = xrealloc(sp, (cap *= 2) * sizeof *sp);
            sp[n++] = (struct span){a, b, 0};
        }
    }
    free(closed);
    *out = sp;
    return n;
}

/* Sort (only when a zone's jump made days overlap), merge overlapping and touching spans so time
 * open for several reasons counts once, then the running totals. */
static size_t normalize(struct span *sp, size_t n)
{
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = sp[i - 1].start <= sp[i].start;
    if (!sorted)
        qsort(sp, n, sizeof *sp, by_start);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && sp[i].start <= sp[m - 1].end) {
            if (sp[i].end > sp[m - 1].end)
                sp[m - 1].end = sp[i].end;
        } else {
            sp[m++] = sp[i];
        }
    }
    int64_t total = 0;
    for (size_t i = 0; i < m; i++) {
        total += sp[i].end - sp[i].start;
        sp[i].cend = total;
    }
    return m;
}

static int64_t floor_day(int64_t t)
{
    return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

static void build_index(struct calendar *c)
{
    if (c->n == 0)
        return;
    c->day0 = floor_day(c->spans[0].start);
    c->ndays = (size_t)(floor_day(c->spans[c->n - 1].end - 1) - c->day0 + 1);
    c->dayidx = xmalloc(c->ndays * sizeof *c->dayidx);
    size_t i = 0;
    for (size_t k = 0; k < c->ndays; k++) {
        int64_t t = (c->day0 + (int64_t)k) * DAY;
        while (i < c->n && c->spans[i].end <= t)
            i++;
        c->dayidx[k] = (uint32_t)i;
    }
}

int cal_new(const struct cal_spec *s, struct calendar **out, struct err *e)
{
    int rc = cal_spec_check(s, e);
    if (rc)
        return rc;
    GTimeZone *tz = zone_open(s->zone, e);
    if (!tz)
        return ERR_INVALID;
    int64_t d0 = civil_day(YEAR_LO, 1, 1), d1 = civil_day(YEAR_HI + 1, 1, 1);
    /* Two days of margin: offsets are under a day, 24:00 reaches the next date. */
    struct zone z;
    zone_load(tz, (d0 - 2) * DAY, (d1 + 2) * DAY, &z);
    g_time_zone_unref(tz);

    struct calendar *c = xcalloc(1, sizeof *c);
    c->spec = *s;
    c->n = resolve_days(s, &z, d0, (size_t)(d1 - d0), &c->spans);
    c->zone = z;
    c->n = normalize(c->spans, c->n);
    build_index(c);
    *out = c;
    return 0;
}

int cal_new_default(struct calendar **out, struct err *e)
{
    struct cal_spec *s = xmalloc(sizeof *s);
    cal_spec_default(s);
    int rc = cal_new(s, out, e);
    free(s);
    return rc;
}

void cal_free(struct calendar *c)
{
    if (!c)
        return;
    free(c->spans);
    free(c->dayidx);
    free(c->zone.t);
    free(c);
}

const struct cal_spec *cal_spec_of(const struct calendar *c)
{
    return &c->spec;
}

/* ---- queries ---------------------------------------------------------------------------------- */

/* Index of the first span with end > t (c->n when none): the day index, then at most the few
 * spans of one UTC day. */
static size_t first_after(const struct calendar *c, int64_t t)
{
    if (c->n == 0 || t >= c->spans[c->n - 1].end)
        return c->n;
    if (t < c->spans[0].start) /* also keeps floor_day() away from INT64_MIN */
        return 0;
    size_t i = c->dayidx[floor_day(t) - c->day0];
    while (c->spans[i].end <= t)
        i++;
    return i;
}

/* Business seconds from the table's start to t, given i = first_after(t). */
static int64_t total_at(const struct calendar *c, size_t i, int64_t t)
{
    if (i == c->n)
        return c->n ? c->spans[c->n - 1].cend : 0;
    const struct span *s = &c->spans[i];
    return s->cend - (s->end - (t > s->start ? t : s->start));
}

int64_t cal_between(const struct calendar *c, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    return total_at(c, first_after(c, b), b) - total_at(c, first_after(c, a), a);
}

/* Smallest j >= i with cend[j] >= want (want <= the last cend): galloping from i, since a
 * duration of d days spans about d spans, then bisection inside the last gallop step. */
static size_t find_cend(const struct calendar *c, size_t i, int64_t want)
{
    size_t lo = i, step = 1, hi = i;
    while (c->spans[hi].cend < want) {
        lo = hi + 1;
        hi = i + step < c->n - 1 ? i + step : c->n - 1;
        step *= 2;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->spans[mid].cend >= want)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int cal_add(const struct calendar *c, int64_t t, int64_t s, int64_t *out)
{
    if (c->n == 0 || s < 0)
        return ERR_INVALID;
    if (s == 0) {
        *out = t;
        return 0;
    }
    size_t i = first_after(c, t);
    if (i == c->n || s > c->spans[c->n - 1].cend - total_at(c, i, t))
        return ERR_LIMIT;
    int64_t want = total_at(c, i, t) + s;
    const struct span *sp = &c->spans[find_cend(c, i, want)];
    /* want lies in (cend - length, cend]: the instant lands inside the span or on its end. */
    *out = sp->end - (sp->cend - want);
    return 0;
}

int32_t cal_utc_offset(const struct calendar *c, int64_t t)
{
    /* Transitions are few (hundreds) and sorted by utc: a binary search. */
    size_t lo = 0, hi = c->zone.n; /* count of transitions with utc <= t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->zone.t[mid].utc <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? c->zone.t[lo - 1].after : c->zone.initial;
}

int64_t cal_local_day(const struct calendar *c, int64_t t)
{
    return floor_day(t + cal_utc_offset(c, t));
}

int cal_open_until(const struct calendar *c, int64_t t, int64_t *out)
{
    size_t i = first_after(c, t);
    if (i == c->n || t < c->spans[i].start)
        return ERR_NOT_FOUND;
    *out = c->spans[i].end;
    return 0;
}

int cal_next_open(const struct calendar *c, int64_t t, int64_t *out)
{
    if (c->n == 0)
        return ERR_INVALID;
    size_t i = first_after(c, t);
    if (i == c->n)
        return ERR_LIMIT;
    *out = t > c->spans[i].start ? t : c->spans[i].start;
    return 0;
}
