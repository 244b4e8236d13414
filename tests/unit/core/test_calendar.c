/* test_calendar: the core/calendar.h contract. Hand-checked cases first (the default calendar's
 * day, weekends and holidays; add(t, 0) = t; a deadline filling a day ends at 17:00; 17:00 is
 * closed; DST days in America/Toronto with calendars open 00:00-24:00, 01:00-03:00 and across the
 * gap; a calendar open across midnight; time covered twice counted once; a never-open calendar),
 * then a brute-force cross-check: random calendars and instants around DST days and holidays,
 * counted minute by minute against intervals resolved by a separate fold=0 reader built on
 * GLib's offsets directly (not on calendar.c's transition table). The seed is printed so a
 * failure can be replayed with CAL_TEST_SEED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "core/calendar.h"

#define H 3600
#define MON 1
#define TUE 2

static int64_t utc(const char *iso)
{
    int64_t t;
    if (timefmt_parse_iso8601(iso, strlen(iso), &t))
        fail_msg("bad instant %s", iso);
    return t;
}

static const char *iso(int64_t t, char buf[TIMEFMT_ISO_LEN + 1])
{
    timefmt_iso8601(t, buf);
    return buf;
}

static struct calendar *build(const struct cal_spec *s)
{
    struct calendar *c = NULL;
    struct err e;
    err_clear(&e);
    if (cal_new(s, &c, &e))
        fail_msg("cal_new: %s (%s)", e.message, e.field);
    return c;
}

/* A spec in zone z with no hours and no holidays. */
static struct cal_spec *empty_spec(const char *z)
{
    struct cal_spec *s = calloc(1, sizeof *s);
    snprintf(s->zone, sizeof s->zone, "%s", z);
    return s;
}

static void every_day(struct cal_spec *s, int start_min, int end_min)
{
    for (int w = 0; w < 7; w++) {
        s->nhours[w] = 1;
        s->hours[w][0] = (struct cal_interval){start_min, end_min};
    }
}

static void want_add(const struct calendar *c, const char *from, int64_t secs, const char *want)
{
    int64_t out = 0;
    char b[TIMEFMT_ISO_LEN + 1];
    int rc = cal_add(c, utc(from), secs, &out);
    if (rc || out != utc(want))
        fail_msg("add(%s, %lld) = %d %s, want %s", from, (long long)secs, rc, iso(out, b), want);
}

static void want_next_open(const struct calendar *c, const char *at, const char *want)
{
    int64_t out = 0;
    char b[TIMEFMT_ISO_LEN + 1];
    int rc = cal_next_open(c, utc(at), &out);
    if (rc || out != utc(want))
        fail_msg("next_open(%s) = %d %s, want %s", at, rc, iso(out, b), want);
}

static void want_open_until(const struct calendar *c, const char *at, const char *want)
{
    int64_t out = 0;
    char b[TIMEFMT_ISO_LEN + 1];
    int rc = cal_open_until(c, utc(at), &out);
    if (want ? (rc || out != utc(want)) : rc != ERR_NOT_FOUND)
        fail_msg("open_until(%s) = %d %s, want %s", at, rc, iso(out, b), want ? want : "closed");
}

static void want_between(const struct calendar *c, const char *a, const char *b, int64_t want)
{
    int64_t got = cal_between(c, utc(a), utc(b));
    if (got != want)
        fail_msg("between(%s, %s) = %lld, want %lld", a, b, (long long)got, (long long)want);
}

/* ---- the default calendar ------------------------------------------------------------------- */

static void default_day_and_edges(void **state)
{
    struct calendar *c = NULL;
    struct err e;
    assert_int_equal(cal_new_default(&c, &e), 0);
    /* Thursday 2026-11-26, EST (UTC-5): 09:00 = 14:00Z, 17:00 = 22:00Z. */
    want_add(c, "2026-11-26T14:00:00Z", 0, "2026-11-26T14:00:00Z");
    want_add(c, "2026-11-26T03:00:00Z", 0, "2026-11-26T03:00:00Z"); /* closed: still t */
    want_add(c, "2026-11-26T14:00:00Z", 8 * H, "2026-11-26T22:00:00Z");
    want_add(c, "2026-11-26T14:00:00Z", 8 * H + 1, "2026-11-27T14:00:01Z");
    want_add(c, "2026-11-26T03:00:00Z", 8 * H, "2026-11-26T22:00:00Z");
    want_next_open(c, "2026-11-26T22:00:00Z", "2026-11-27T14:00:00Z");
    want_next_open(c, "2026-11-26T21:59:59Z", "2026-11-26T21:59:59Z");
    want_next_open(c, "2026-11-26T14:00:00Z", "2026-11-26T14:00:00Z");
    want_next_open(c, "2026-11-26T13:59:59Z", "2026-11-26T14:00:00Z");
    want_open_until(c, "2026-11-26T14:00:00Z", "2026-11-26T22:00:00Z");
    want_open_until(c, "2026-11-26T21:59:59Z", "2026-11-26T22:00:00Z");
    want_open_until(c, "2026-11-26T22:00:00Z", NULL); /* 17:00: closed */
    want_open_until(c, "2026-11-26T13:59:59Z", NULL);
    want_open_until(c, "2021-12-27T15:00:00Z", NULL); /* Christmas observed */
    /* Offsets and local dates: EST in November, EDT in June; 04:59Z on Nov 27 is still Nov 26
     * in Toronto (day 20783 is 2026-11-26). */
    assert_int_equal(cal_utc_offset(c, utc("2026-11-26T12:00:00Z")), -5 * 3600);
    assert_int_equal(cal_utc_offset(c, utc("2026-06-12T12:00:00Z")), -4 * 3600);
    assert_int_equal(cal_utc_offset(c, utc("2026-03-08T06:59:59Z")), -5 * 3600);
    assert_int_equal(cal_utc_offset(c, utc("2026-03-08T07:00:00Z")), -4 * 3600);
    assert_int_equal(cal_local_day(c, utc("2026-11-27T04:59:59Z")), 20783);
    assert_int_equal(cal_local_day(c, utc("2026-11-27T05:00:00Z")), 20784);
    /* Friday 17:00 to Monday 09:00 (summer, EDT: 13:00Z). */
    want_next_open(c, "2026-06-12T21:00:00Z", "2026-06-15T13:00:00Z");
    want_between(c, "2026-06-12T20:00:00Z", "2026-06-15T14:00:00Z", 2 * H);
    want_between(c, "2026-06-15T14:00:00Z", "2026-06-12T20:00:00Z", 0);
    want_between(c, "2026-11-26T14:00:00Z", "2026-11-26T14:00:00Z", 0);
    /* A week without holidays: 40 hours, from any instant. */
    want_between(c, "2026-11-09T05:17:00Z", "2026-11-16T05:17:00Z", 40 * H);
    want_add(c, "2026-11-09T14:00:00Z", 40 * H, "2026-11-13T22:00:00Z");
    cal_free(c);
}

static void default_holidays_and_weekends(void **state)
{
    struct calendar *c = NULL;
    struct err e;
    assert_int_equal(cal_new_default(&c, &e), 0);
    /* Friday Dec 24 2021 is open; Sat 25 to Tue 28 closed (Christmas observed 27, Boxing 28). */
    want_between(c, "2021-12-24T14:00:00Z", "2021-12-29T14:00:00Z", 8 * H);
    want_add(c, "2021-12-24T21:00:00Z", 2 * H, "2021-12-29T15:00:00Z");
    want_next_open(c, "2021-12-24T22:00:00Z", "2021-12-29T14:00:00Z");
    /* New Year 2022 observed Monday 3 January. */
    want_next_open(c, "2021-12-31T22:00:00Z", "2022-01-04T14:00:00Z");
    /* Good Friday 2026-04-03 (EDT): Thursday 17:00 to Monday 09:00. */
    want_next_open(c, "2026-04-02T21:00:00Z", "2026-04-06T13:00:00Z");
    /* A 200-hour deadline: 25 business days. */
    want_add(c, "2026-11-02T14:00:00Z", 200 * H, "2026-12-04T22:00:00Z");
    int64_t out = 0;
    assert_int_equal(cal_add(c, utc("2199-12-30T14:00:00Z"), 1000 * H, &out), ERR_LIMIT);
    assert_int_equal(cal_add(c, utc("2026-01-01T00:00:00Z"), -1, &out), ERR_INVALID);
    assert_int_equal(cal_next_open(c, utc("2199-12-31T23:00:00Z"), &out), ERR_LIMIT);
    want_next_open(c, "1960-01-01T00:00:00Z", "1970-01-02T14:00:00Z"); /* Jan 1 1970 a holiday */
    assert_int_equal(cal_between(c, INT64_MIN, INT64_MAX), cal_between(c, 0, INT64_C(7258118400)));
    assert_int_equal(cal_next_open(c, INT64_MIN, &out), 0);
    assert_int_equal(out, utc("1970-01-02T14:00:00Z"));
    cal_free(c);
}

/* ---- DST -------------------------------------------------------------------------------------- */

static void dst_days_open_all_day(void **state)
{
    struct cal_spec *s = empty_spec("America/Toronto");
    every_day(s, 0, 24 * 60);
    struct calendar *c = build(s);
    /* 2026-03-08 has 23 hours, 2026-11-01 has 25; local midnights. */
    want_between(c, "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23 * H);
    want_between(c, "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 25 * H);
    want_add(c, "2026-03-08T05:00:00Z", 23 * H, "2026-03-09T04:00:00Z");
    want_next_open(c, "2026-03-08T07:00:00Z", "2026-03-08T07:00:00Z");
    cal_free(c);
    free(s);
}

static void dst_days_open_one_to_three(void **state)
{
    struct cal_spec *s = empty_spec("America/Toronto");
    every_day(s, 60, 180);
    struct calendar *c = build(s);
    /* Spring: 01:00 EST = 06:00Z; 03:00 exists only as EDT = 07:00Z: one hour. */
    want_between(c, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", 1 * H);
    want_add(c, "2026-03-08T00:00:00Z", 1 * H, "2026-03-08T07:00:00Z");
    want_next_open(c, "2026-03-08T07:00:00Z", "2026-03-09T05:00:00Z");
    /* Fall: 01:00 is read as EDT (05:00Z, before the change), 03:00 as EST (08:00Z): three. */
    want_between(c, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", 3 * H);
    want_next_open(c, "2026-11-01T00:00:00Z", "2026-11-01T05:00:00Z");
    want_add(c, "2026-11-01T05:00:00Z", 3 * H, "2026-11-01T08:00:00Z");
    cal_free(c);
    free(s);
}

static void dst_gap_intervals(void **state)
{
    struct cal_spec *s = empty_spec("America/Toronto");
    /* Sunday only. 02:00-03:00 does not exist on 2026-03-08: 02:00 reads as EST = 07:00Z, 03:00
     * as EDT = 07:00Z: end not after start, nothing. */
    s->nhours[0] = 1;
    s->hours[0][0] = (struct cal_interval){120, 180};
    struct calendar *c = build(s);
    want_between(c, "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z", 0);
    want_between(c, "2026-03-14T00:00:00Z", "2026-03-16T00:00:00Z", 1 * H);
    cal_free(c);
    /* 01:00-02:30 and 03:00-04:00 resolve to [06:00Z, 07:30Z) and [07:00Z, 08:00Z): the half
     * hour covered twice counts once, two hours in all. */
    s->nhours[0] = 2;
    s->hours[0][0] = (struct cal_interval){60, 150};
    s->hours[0][1] = (struct cal_interval){180, 240};
    c = build(s);
    want_between(c, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", 2 * H);
    want_add(c, "2026-03-08T00:00:00Z", 2 * H, "2026-03-08T08:00:00Z");
    cal_free(c);
    free(s);
}

static void open_across_midnight(void **state)
{
    struct cal_spec *s = empty_spec("America/Toronto");
    s->nhours[MON] = 1;
    s->hours[MON][0] = (struct cal_interval){22 * 60, 24 * 60};
    s->nhours[TUE] = 1;
    s->hours[TUE][0] = (struct cal_interval){0, 6 * 60};
    struct calendar *c = build(s);
    /* Monday 2026-11-23 22:00 EST = 2026-11-24T03:00Z to Tuesday 06:00 = 11:00Z, in one piece. */
    want_between(c, "2026-11-24T03:00:00Z", "2026-11-24T11:00:00Z", 8 * H);
    want_add(c, "2026-11-24T04:00:00Z", 3 * H, "2026-11-24T07:00:00Z");
    want_add(c, "2026-11-24T04:00:00Z", 7 * H, "2026-11-24T11:00:00Z");
    want_add(c, "2026-11-24T04:00:00Z", 7 * H + 60, "2026-12-01T03:01:00Z");
    want_next_open(c, "2026-11-24T11:00:00Z", "2026-12-01T03:00:00Z");
    want_next_open(c, "2026-11-24T05:00:00Z", "2026-11-24T05:00:00Z");
    /* Midnight inside the open time does not close it. */
    want_open_until(c, "2026-11-24T03:30:00Z", "2026-11-24T11:00:00Z");
    want_open_until(c, "2026-11-24T11:00:00Z", NULL);
    cal_free(c);
    free(s);
}

static void never_open(void **state)
{
    struct cal_spec *s = empty_spec("UTC");
    struct calendar *c = build(s);
    int64_t out = 42;
    assert_int_equal(cal_add(c, 0, 0, &out), ERR_INVALID);
    assert_int_equal(cal_add(c, 0, 10, &out), ERR_INVALID);
    assert_int_equal(cal_next_open(c, 0, &out), ERR_INVALID);
    assert_int_equal(cal_open_until(c, 0, &out), ERR_NOT_FOUND);
    assert_int_equal(out, 42);
    assert_int_equal(cal_between(c, 0, 1000000), 0);
    cal_free(c);
    free(s);
}

static void spec_errors_name_the_field(void **state)
{
    struct cal_spec *s = calloc(1, sizeof *s);
    cal_spec_default(s);
    struct err e;
    err_clear(&e);
    assert_int_equal(cal_spec_check(s, &e), 0);
    snprintf(s->zone, sizeof s->zone, "Mars/Olympus");
    assert_int_equal(cal_spec_check(s, &e), ERR_INVALID);
    assert_string_equal(e.field, "timezone");
    snprintf(s->zone, sizeof s->zone, "EST5"); /* a POSIX TZ string GLib would take, no zone */
    assert_int_equal(cal_spec_check(s, &e), ERR_INVALID);
    snprintf(s->zone, sizeof s->zone, "America"); /* a directory of tzdata */
    assert_int_equal(cal_spec_check(s, &e), ERR_INVALID);
    snprintf(s->zone, sizeof s->zone, "Etc/GMT+5");
    assert_int_equal(cal_spec_check(s, &e), 0);
    snprintf(s->zone, sizeof s->zone, "../../etc/passwd");
    assert_int_equal(cal_spec_check(s, &e), ERR_INVALID);
    assert_string_equal(e.field, "timezone");
    cal_spec_default(s);
    s->nhours[MON] = 2;
    s->hours[MON][1] = (struct cal_interval){16 * 60, 18 * 60}; /* overlaps 09:00-17:00 */
    assert_int_equal(cal_spec_check(s, &e), ERR_INVALID);
    assert_string_equal(e.field, "hours.mon");
    s->hours[MON][1] = (struct cal_interval){17 * 60, 18 * 60}; /* touching is fine */
    assert_int_equal(cal_spec_check(s, &e), 0);
    s->hours[MON][1] = (struct cal_interval){7 * 60, 8 * 60}; /* out of order */
    assert_int_equal(cal_spec_check(s, &e), ERR_INVALID);
    s->nhours[MON] = 1;
    s->hours[TUE][0] = (struct cal_interval){10 * 60, 10 * 60};
    assert_int_equal(cal_spec_check(s, &e), ERR_INVALID);
    assert_string_equal(e.field, "hours.tue");
    cal_spec_default(s);
    s->holidays.ndates = 1;
    s->holidays.dates[0] = -1; /* 1969-12-31 */
    assert_int_equal(cal_spec_check(s, &e), ERR_INVALID);
    assert_string_equal(e.field, "holidays.dates");
    free(s);
}

/* ---- brute force ------------------------------------------------------------------------------ */

static uint64_t rng;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int64_t pick(int64_t n)
{
    return (int64_t)(next_rand() % (uint64_t)n);
}

static int32_t offset_at(GTimeZone *tz, int64_t t)
{
    return g_time_zone_get_offset(tz, g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, t));
}

/* fold=0 written the other way round from calendar.c: try the offset in force a day earlier;
 * when it does not hold at the instant it gives, try the offset found there; when neither
 * holds, the wall time is in a gap and reads with the earlier offset. One change per day at
 * most, which holds for the zones used here. */
static int64_t wall_to_utc(GTimeZone *tz, int64_t wall)
{
    int32_t before = offset_at(tz, wall - 2 * 86400);
    if (offset_at(tz, wall - before) == before)
        return wall - before;
    int32_t after = offset_at(tz, wall - before);
    if (offset_at(tz, wall - after) == after)
        return wall - after;
    return wall - before;
}

struct brute {
    size_t n;
    int64_t a[256], b[256];
};

/* Open intervals of every local date in [d0 - 1, d1 + 1) that is not a holiday. */
static void brute_intervals(const struct cal_spec *s, GTimeZone *tz, int64_t d0, int64_t d1,
                            struct brute *br)
{
    br->n = 0;
    for (int64_t d = d0 - 1; d < d1 + 1; d++) {
        struct civil_date cd = timefmt_civil_from_days(d);
        struct holidays_entry l[HOLIDAYS_YEAR_MAX_ENTRIES];
        size_t nl = 0;
        bool closed = false;
        assert_int_equal(holidays_year(&s->holidays, (int)cd.year, l, HOLIDAYS_YEAR_MAX_ENTRIES, &nl), 0);
        for (size_t i = 0; i < nl; i++)
            closed |= l[i].day == d;
        int w = timefmt_weekday_from_days(d);
        for (size_t i = 0; i < s->nhours[w] && !closed; i++) {
            int64_t a = wall_to_utc(tz, d * 86400 + s->hours[w][i].start * 60);
            int64_t b = wall_to_utc(tz, d * 86400 + s->hours[w][i].end * 60);
            if (b > a && br->n < 256) {
                br->a[br->n] = a;
                br->b[br->n++] = b;
            }
        }
    }
}

static bool open_at(const struct brute *br, int64_t t)
{
    for (size_t i = 0; i < br->n; i++)
        if (t >= br->a[i] && t < br->b[i])
            return true;
    return false;
}

/* Random weekly hours on a 15-minute grid, some days closed, some open to 24:00. */
static void random_hours(struct cal_spec *s)
{
    for (int w = 0; w < 7; w++) {
        s->nhours[w] = 0;
        int at = 0;
        int k = (int)pick(4);
        for (int i = 0; i < k && at < 96; i++) {
            int start = at + (int)pick(96 - at);
            if (start >= 96)
                break;
            int end = start + 1 + (int)pick(96 - start);
            s->hours[w][s->nhours[w]++] = (struct cal_interval){start * 15, end * 15};
            at = end + (int)pick(2); /* sometimes touching */
        }
    }
}

static void one_case(const char *zone, int64_t day0, bool holidays)
{
    struct cal_spec *s = empty_spec(zone);
    random_hours(s);
    if (holidays) {
        s->holidays.npresets = 1;
        s->holidays.presets[0] = HOLIDAYS_PRESET_CA_ON;
    }
    struct calendar *c = build(s);
    GTimeZone *tz = g_time_zone_new_identifier(zone);
    struct brute br;
    int64_t d0 = day0 - 3, d1 = day0 + 5;
    brute_intervals(s, tz, d0 - 7, d1 + 7, &br);
    int64_t lo = d0 * 86400, span = (d1 - d0) * 86400;
    char x[TIMEFMT_ISO_LEN + 1], y[TIMEFMT_ISO_LEN + 1];
    for (int q = 0; q < 4; q++) {
        int64_t a = lo + pick(span / 60) * 60, b = a + pick(span / 60 / 2) * 60;
        int64_t count = 0, first = -1;
        for (int64_t t = a; t < b; t += 60)
            if (open_at(&br, t)) {
                count += 60;
                if (first < 0)
                    first = t;
            }
        int64_t got = cal_between(c, a, b);
        if (got != count)
            fail_msg("%s: between(%s, %s) = %lld, brute force %lld", zone, iso(a, x), iso(b, y),
                     (long long)got, (long long)count);
        if (count > 0) { /* add(a, count) is the end of the last open minute in [a, b) */
            int64_t u = 0, last = b - 60;
            while (!open_at(&br, last))
                last -= 60;
            assert_int_equal(cal_add(c, a, count, &u), 0);
            if (u != last + 60)
                fail_msg("%s: add(%s, %lld) = %s, brute force %s", zone, iso(a, x),
                         (long long)count, iso(u, y), iso(last + 60, x));
            assert_int_equal(cal_next_open(c, a, &u), 0);
            if (u != first)
                fail_msg("%s: next_open(%s) = %s, brute force %s", zone, iso(a, x), iso(u, y),
                         iso(first, x));
        }
    }
    g_time_zone_unref(tz);
    cal_free(c);
    free(s);
}

static void brute_force_cross_check(void **state)
{
    const char *env = getenv("CAL_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)g_get_real_time();
    if (!seed)
        seed = 1;
    printf("# calendar brute force: CAL_TEST_SEED=%llu\n", (unsigned long long)seed);
    fflush(stdout);
    rng = seed;
    static const char *const zones[] = {"America/Toronto", "America/Toronto", "Australia/Lord_Howe",
                                        "Europe/London", "UTC"};
    int64_t dst[] = {timefmt_days_from_civil((struct civil_date){2026, 3, 8}),
                     timefmt_days_from_civil((struct civil_date){2026, 11, 1}),
                     timefmt_days_from_civil((struct civil_date){2021, 12, 25}),
                     timefmt_days_from_civil((struct civil_date){2026, 4, 5}),
                     timefmt_days_from_civil((struct civil_date){2026, 10, 25})};
    for (int i = 0; i < 300; i++) {
        int64_t day0 = i % 2 ? dst[pick(5)]
                             : timefmt_days_from_civil((struct civil_date){2020, 1, 1}) +
                                   pick(16 * 365);
        one_case(zones[pick(5)], day0, pick(2));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_day_and_edges),
        cmocka_unit_test(default_holidays_and_weekends),
        cmocka_unit_test(dst_days_open_all_day),
        cmocka_unit_test(dst_days_open_one_to_three),
        cmocka_unit_test(dst_gap_intervals),
        cmocka_unit_test(open_across_midnight),
        cmocka_unit_test(never_open),
        cmocka_unit_test(spec_errors_name_the_field),
        cmocka_unit_test(brute_force_cross_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
