/* test_roster: the core/roster.h contract, as tables. America/Toronto weeks across both DST
 * changes of 2026 (167 and 169 hours), weeks long before the anchor, midnights that do not exist
 * or follow a repeated hour (America/Santiago), overlapping overrides (the newest wins, "until"
 * names the next takeover), skipped leads, an empty rotation and a bad anchor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/timefmt.h"
#include "core/roster.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int64_t utc(const char *iso)
{
    int64_t t;
    if (timefmt_parse_iso8601(iso, strlen(iso), &t))
        fail_msg("bad instant %s", iso);
    return t;
}

static int64_t day(const char *ymd)
{
    int y, m, d;
    if (sscanf(ymd, "%d-%d-%d", &y, &m, &d) != 3)
        fail_msg("bad date %s", ymd);
    return timefmt_days_from_civil((struct civil_date){y, m, d});
}

static struct calendar *zone(const char *z)
{
    struct cal_spec *s = calloc(1, sizeof *s);
    snprintf(s->zone, sizeof s->zone, "%s", z);
    struct calendar *c = NULL;
    struct err e;
    err_clear(&e);
    if (cal_new(s, &c, &e))
        fail_msg("cal_new: %s (%s)", e.message, e.field);
    free(s);
    return c;
}

struct want {
    const char *at;
    int64_t user_id;
    enum roster_source source;
    const char *until; /* NULL: 0 */
};

static void check(const struct calendar *cal, const struct roster_spec *r, const struct want *w,
                  size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct roster_duty d;
        print_message("case %zu: %s\n", i, w[i].at);
        assert_int_equal(roster_on_duty(cal, r, utc(w[i].at), &d), 0);
        assert_int_equal(d.user_id, w[i].user_id);
        assert_string_equal(roster_source_name(d.source), roster_source_name(w[i].source));
        assert_int_equal(d.until, w[i].until ? utc(w[i].until) : 0);
    }
}

static const struct roster_lead three[] = {{11, true}, {22, true}, {33, true}};

static void week_bounds_across_dst(void **state)
{
    (void)state;
    struct calendar *cal = zone("America/Toronto");
    static const struct {
        const char *at;
        const char *monday;
        const char *start, *end;
    } t[] = {
        /* Spring forward on Sunday 2026-03-08: a week of 167 hours. */
        {"2026-03-02T05:00:00Z", "2026-03-02", "2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z"},
        {"2026-03-09T03:59:59Z", "2026-03-02", "2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z"},
        {"2026-03-02T04:59:59Z", "2026-02-23", "2026-02-23T05:00:00Z", "2026-03-02T05:00:00Z"},
        /* Fall back on Sunday 2026-11-01: a week of 169 hours. */
        {"2026-10-26T04:00:00Z", "2026-10-26", "2026-10-26T04:00:00Z", "2026-11-02T05:00:00Z"},
        {"2026-11-01T05:30:00Z", "2026-10-26", "2026-10-26T04:00:00Z", "2026-11-02T05:00:00Z"},
        {"2026-11-01T06:30:00Z", "2026-10-26", "2026-10-26T04:00:00Z", "2026-11-02T05:00:00Z"},
        {"2026-11-02T04:59:59Z", "2026-10-26", "2026-10-26T04:00:00Z", "2026-11-02T05:00:00Z"},
        {"2026-11-02T05:00:00Z", "2026-11-02", "2026-11-02T05:00:00Z", "2026-11-09T05:00:00Z"},
    };
    for (size_t i = 0; i < N(t); i++) {
        print_message("case %zu: %s\n", i, t[i].at);
        int64_t monday = roster_week_of(cal, utc(t[i].at));
        assert_int_equal(monday, day(t[i].monday));
        assert_true(roster_is_monday(monday));
        assert_int_equal(roster_day_start(cal, monday), utc(t[i].start));
        assert_int_equal(roster_day_start(cal, monday + 7), utc(t[i].end));
    }
    assert_int_equal(utc("2026-03-09T04:00:00Z") - utc("2026-03-02T05:00:00Z"), 167 * 3600);
    assert_int_equal(utc("2026-11-02T05:00:00Z") - utc("2026-10-26T04:00:00Z"), 169 * 3600);
    cal_free(cal);
}

static void midnights_that_move(void **state)
{
    (void)state;
    struct calendar *cal = zone("America/Santiago");
    /* 2026-09-06 00:00 does not exist (clocks go from 23:59:59 -04 to 01:00 -03): the day
     * begins at 01:00 -03. On 2026-04-04 the hour 23:00-24:00 happens twice (-03, then -04):
     * 2026-04-05 begins at 00:00 -04, the only 00:00 that day shows. */
    assert_int_equal(roster_day_start(cal, day("2026-09-06")), utc("2026-09-06T04:00:00Z"));
    assert_int_equal(roster_day_start(cal, day("2026-09-07")), utc("2026-09-07T03:00:00Z"));
    assert_int_equal(roster_day_start(cal, day("2026-04-05")), utc("2026-04-05T04:00:00Z"));
    assert_int_equal(roster_day_start(cal, day("2026-04-04")), utc("2026-04-04T03:00:00Z"));
    /* The repeated hour's second pass is still Saturday, in the week of Monday 2026-03-30. */
    assert_int_equal(roster_week_of(cal, utc("2026-04-05T03:30:00Z")), day("2026-03-30"));
    assert_int_equal(roster_week_of(cal, utc("2026-04-06T03:59:59Z")), day("2026-03-30"));
    assert_int_equal(roster_week_of(cal, utc("2026-04-06T04:00:00Z")), day("2026-04-06"));
    cal_free(cal);
}

static void rotation_by_week(void **state)
{
    (void)state;
    struct calendar *cal = zone("America/Toronto");
    struct roster_spec r = {day("2026-11-02"), three, N(three), NULL, 0};
    const struct want w[] = {
        {"2026-11-02T05:00:00Z", 11, ROSTER_SOURCE_ROTATION, "2026-11-09T05:00:00Z"},
        {"2026-11-08T23:00:00Z", 11, ROSTER_SOURCE_ROTATION, "2026-11-09T05:00:00Z"},
        {"2026-11-09T05:00:00Z", 22, ROSTER_SOURCE_ROTATION, "2026-11-16T05:00:00Z"},
        {"2026-11-16T05:00:00Z", 33, ROSTER_SOURCE_ROTATION, "2026-11-23T05:00:00Z"},
        {"2026-11-23T05:00:00Z", 11, ROSTER_SOURCE_ROTATION, "2026-11-30T05:00:00Z"},
        /* Before the anchor, counting backwards: week -1 is leads[2], -2 leads[1]. */
        {"2026-11-02T04:59:59Z", 33, ROSTER_SOURCE_ROTATION, "2026-11-02T05:00:00Z"},
        {"2026-10-26T04:00:00Z", 33, ROSTER_SOURCE_ROTATION, "2026-11-02T05:00:00Z"},
        {"2026-10-26T03:59:59Z", 22, ROSTER_SOURCE_ROTATION, "2026-10-26T04:00:00Z"},
        /* The spring-forward week is week -35: leads[1]; it ends after 167 hours. */
        {"2026-03-02T05:00:00Z", 22, ROSTER_SOURCE_ROTATION, "2026-03-09T04:00:00Z"},
        {"2026-03-09T03:59:59Z", 22, ROSTER_SOURCE_ROTATION, "2026-03-09T04:00:00Z"},
        {"2026-03-09T04:00:00Z", 33, ROSTER_SOURCE_ROTATION, "2026-03-16T04:00:00Z"},
        /* Long before: 2016-11-07 is week -521 (-522 + 1: leads[1]), the week before -522. */
        {"2016-11-07T05:00:00Z", 22, ROSTER_SOURCE_ROTATION, "2016-11-14T05:00:00Z"},
        {"2016-11-07T04:59:59Z", 11, ROSTER_SOURCE_ROTATION, "2016-11-07T05:00:00Z"},
    };
    check(cal, &r, w, N(w));
    /* One lead: every week is theirs. */
    struct roster_spec one = {day("2026-11-02"), three, 1, NULL, 0};
    const struct want w1[] = {
        {"2020-01-01T00:00:00Z", 11, ROSTER_SOURCE_ROTATION, "2020-01-06T05:00:00Z"},
        {"2026-11-04T12:00:00Z", 11, ROSTER_SOURCE_ROTATION, "2026-11-09T05:00:00Z"},
    };
    check(cal, &one, w1, N(w1));
    cal_free(cal);
}

static void skipped_leads(void **state)
{
    (void)state;
    struct calendar *cal = zone("America/Toronto");
    const struct roster_lead leads[] = {{11, false}, {22, true}, {33, true}};
    struct roster_spec r = {day("2026-11-02"), leads, N(leads), NULL, 0};
    const struct want w[] = {
        {"2026-11-02T05:00:00Z", 22, ROSTER_SOURCE_ROTATION, "2026-11-09T05:00:00Z"},
        {"2026-11-09T05:00:00Z", 22, ROSTER_SOURCE_ROTATION, "2026-11-16T05:00:00Z"},
        {"2026-11-16T05:00:00Z", 33, ROSTER_SOURCE_ROTATION, "2026-11-23T05:00:00Z"},
        {"2026-11-23T05:00:00Z", 22, ROSTER_SOURCE_ROTATION, "2026-11-30T05:00:00Z"},
    };
    check(cal, &r, w, N(w));
    /* The last lead's week wraps to the first eligible one. */
    const struct roster_lead tail[] = {{11, true}, {22, true}, {33, false}};
    struct roster_spec rt = {day("2026-11-02"), tail, N(tail), NULL, 0};
    const struct want wt[] = {
        {"2026-11-16T05:00:00Z", 11, ROSTER_SOURCE_ROTATION, "2026-11-23T05:00:00Z"},
    };
    check(cal, &rt, wt, N(wt));
    const struct roster_lead gone[] = {{11, false}, {22, false}};
    struct roster_spec rg = {day("2026-11-02"), gone, N(gone), NULL, 0};
    const struct want wg[] = {{"2026-11-04T12:00:00Z", 0, ROSTER_SOURCE_NONE, NULL}};
    check(cal, &rg, wg, N(wg));
    cal_free(cal);
}

static void overlapping_overrides(void **state)
{
    (void)state;
    struct calendar *cal = zone("America/Toronto");
    const struct roster_override o[] = {
        /* listed out of creation order on purpose */
        {2, 55, utc("2026-11-05T10:00:00Z"), utc("2026-11-05T20:00:00Z"), true},
        {1, 44, utc("2026-11-04T10:00:00Z"), utc("2026-11-06T10:00:00Z"), true},
        {3, 66, utc("2026-11-04T00:00:00Z"), utc("2026-11-08T00:00:00Z"), false}, /* ignored */
    };
    struct roster_spec r = {day("2026-11-02"), three, N(three), o, N(o)};
    const struct want w[] = {
        {"2026-11-04T09:00:00Z", 11, ROSTER_SOURCE_ROTATION, "2026-11-04T10:00:00Z"},
        {"2026-11-04T10:00:00Z", 44, ROSTER_SOURCE_OVERRIDE, "2026-11-05T10:00:00Z"},
        {"2026-11-05T12:00:00Z", 55, ROSTER_SOURCE_OVERRIDE, "2026-11-05T20:00:00Z"},
        {"2026-11-05T20:00:00Z", 44, ROSTER_SOURCE_OVERRIDE, "2026-11-06T10:00:00Z"},
        {"2026-11-06T10:00:00Z", 11, ROSTER_SOURCE_ROTATION, "2026-11-09T05:00:00Z"},
    };
    check(cal, &r, w, N(w));
    struct roster_duty d;
    assert_int_equal(roster_on_duty(cal, &r, utc("2026-11-05T12:00:00Z"), &d), 0);
    assert_int_equal(d.override_id, 2);

    /* An older override inside a newer one never shows: the newest covering one wins. */
    const struct roster_override nested[] = {
        {8, 44, utc("2026-11-05T10:00:00Z"), utc("2026-11-05T20:00:00Z"), true},
        {9, 77, utc("2026-11-04T00:00:00Z"), utc("2026-11-07T00:00:00Z"), true},
    };
    struct roster_spec rn = {day("2026-11-02"), three, N(three), nested, N(nested)};
    const struct want wn[] = {
        {"2026-11-03T12:00:00Z", 11, ROSTER_SOURCE_ROTATION, "2026-11-04T00:00:00Z"},
        {"2026-11-05T12:00:00Z", 77, ROSTER_SOURCE_OVERRIDE, "2026-11-07T00:00:00Z"},
        {"2026-11-07T00:00:00Z", 11, ROSTER_SOURCE_ROTATION, "2026-11-09T05:00:00Z"},
    };
    check(cal, &rn, wn, N(wn));
    /* An override that runs past the week's end: until is its end, not the week's. */
    const struct roster_override across[] = {
        {4, 55, utc("2026-11-08T12:00:00Z"), utc("2026-11-10T12:00:00Z"), true},
    };
    struct roster_spec ra = {day("2026-11-02"), three, N(three), across, N(across)};
    const struct want wa[] = {
        {"2026-11-09T06:00:00Z", 55, ROSTER_SOURCE_OVERRIDE, "2026-11-10T12:00:00Z"},
        {"2026-11-10T12:00:00Z", 22, ROSTER_SOURCE_ROTATION, "2026-11-16T05:00:00Z"},
    };
    check(cal, &ra, wa, N(wa));
    cal_free(cal);
}

static void empty_rotation(void **state)
{
    (void)state;
    struct calendar *cal = zone("America/Toronto");
    struct roster_spec r = {0, NULL, 0, NULL, 0};
    const struct want w[] = {{"2026-11-04T12:00:00Z", 0, ROSTER_SOURCE_NONE, NULL}};
    check(cal, &r, w, N(w));
    const struct roster_override o[] = {
        {1, 44, utc("2026-11-05T10:00:00Z"), utc("2026-11-05T20:00:00Z"), true},
    };
    struct roster_spec ro = {0, NULL, 0, o, N(o)};
    const struct want wo[] = {
        {"2026-11-04T12:00:00Z", 0, ROSTER_SOURCE_NONE, "2026-11-05T10:00:00Z"},
        {"2026-11-05T10:00:00Z", 44, ROSTER_SOURCE_OVERRIDE, "2026-11-05T20:00:00Z"},
        {"2026-11-05T20:00:00Z", 0, ROSTER_SOURCE_NONE, NULL},
    };
    check(cal, &ro, wo, N(wo));
    cal_free(cal);
}

static void anchor_must_be_monday(void **state)
{
    (void)state;
    struct calendar *cal = zone("America/Toronto");
    assert_true(roster_is_monday(day("2026-11-02")));
    assert_true(roster_is_monday(day("1969-12-29")));
    assert_false(roster_is_monday(day("2026-11-03")));
    assert_false(roster_is_monday(day("1970-01-01")));
    struct roster_spec r = {day("2026-11-03"), three, N(three), NULL, 0};
    struct roster_duty d = {99, ROSTER_SOURCE_OVERRIDE, 5, 7};
    assert_int_equal(roster_on_duty(cal, &r, utc("2026-11-04T12:00:00Z"), &d), ERR_INVALID);
    assert_int_equal(d.user_id, 99); /* untouched */
    assert_string_equal(roster_source_name(ROSTER_SOURCE_NONE), "none");
    assert_string_equal(roster_source_name(ROSTER_SOURCE_ROTATION), "rotation");
    assert_string_equal(roster_source_name(ROSTER_SOURCE_OVERRIDE), "override");
    cal_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(week_bounds_across_dst), cmocka_unit_test(midnights_that_move),
        cmocka_unit_test(rotation_by_week),       cmocka_unit_test(skipped_leads),
        cmocka_unit_test(overlapping_overrides),  cmocka_unit_test(empty_rotation),
        cmocka_unit_test(anchor_must_be_monday),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
