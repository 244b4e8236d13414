/* test_timefmt: the base/timefmt.h contract: civil-date arithmetic (proleptic Gregorian,
 * astronomical year numbering: year 0 is 1 BC and a leap year), weekdays, ISO 8601 rendering
 * with its 0000..9999 clamp, the millisecond variant, and parsing with Z, offsets and fractions.
 * Reference values come from Python's datetime/calendar.timegm (years 1..9999); outside that
 * range the tests check the calendar's own rules day by day.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/err.h"
#include "base/timefmt.h"

#include <string.h>

static struct civil_date date(int64_t y, int m, int d)
{
    return (struct civil_date){y, m, d};
}

static void assert_date(struct civil_date got, int64_t y, int m, int d)
{
    assert_int_equal(got.year, y);
    assert_int_equal(got.month, m);
    assert_int_equal(got.day, d);
}

/* The Gregorian rule, written independently of the code under test. */
static bool ref_leap(int64_t y)
{
    if (y % 400 == 0)
        return true;
    if (y % 100 == 0)
        return false;
    return y % 4 == 0;
}

static int ref_days_in_month(int64_t y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ref_leap(y) ? 29 : d[m - 1];
}

/* ---- civil dates -------------------------------------------------------------------------- */

static void days_from_civil_known_dates(void **state)
{
    assert_int_equal(timefmt_days_from_civil(date(1970, 1, 1)), 0);
    assert_int_equal(timefmt_days_from_civil(date(1969, 12, 31)), -1);
    assert_int_equal(timefmt_days_from_civil(date(1970, 1, 2)), 1);
    assert_int_equal(timefmt_days_from_civil(date(2000, 1, 1)), 10957);
    assert_int_equal(timefmt_days_from_civil(date(2000, 3, 1)), 11017);
    assert_int_equal(timefmt_days_from_civil(date(1900, 1, 1)), -25567);
    assert_int_equal(timefmt_days_from_civil(date(1900, 3, 1)), -25508);
    assert_int_equal(timefmt_days_from_civil(date(2024, 2, 29)), 19782);
    assert_int_equal(timefmt_days_from_civil(date(2023, 3, 1)), 19417);
    assert_int_equal(timefmt_days_from_civil(date(1600, 2, 29)), -135081);
    assert_int_equal(timefmt_days_from_civil(date(2100, 3, 1)), 47541);
    assert_int_equal(timefmt_days_from_civil(date(1, 1, 1)), -719162);
    assert_int_equal(timefmt_days_from_civil(date(9999, 12, 31)), 2932896);
}

static void days_from_civil_year_zero_and_negative_years(void **state)
{
    /* year 0 (1 BC) is a leap year: 366 days before 0001-01-01 */
    assert_int_equal(timefmt_days_from_civil(date(0, 1, 1)), -719528);
    assert_int_equal(timefmt_days_from_civil(date(0, 2, 29)), -719528 + 59);
    assert_int_equal(timefmt_days_from_civil(date(0, 12, 31)), -719163);
    /* year -1 (2 BC) is not */
    assert_int_equal(timefmt_days_from_civil(date(-1, 1, 1)), -719528 - 365);
    assert_int_equal(timefmt_days_from_civil(date(-1, 12, 31)), -719529);
    /* a full 400-year cycle has 146097 days, in either direction */
    assert_int_equal(timefmt_days_from_civil(date(-400, 1, 1)), -719528 - 146097);
    assert_int_equal(timefmt_days_from_civil(date(2370, 1, 1)) -
                         timefmt_days_from_civil(date(1970, 1, 1)),
                     146097);
}

static void civil_from_days_known_days(void **state)
{
    assert_date(timefmt_civil_from_days(0), 1970, 1, 1);
    assert_date(timefmt_civil_from_days(-1), 1969, 12, 31);
    assert_date(timefmt_civil_from_days(10957), 2000, 1, 1);
    assert_date(timefmt_civil_from_days(11016), 2000, 2, 29);
    assert_date(timefmt_civil_from_days(-25509), 1900, 2, 28);
    assert_date(timefmt_civil_from_days(-25508), 1900, 3, 1);
    assert_date(timefmt_civil_from_days(19782), 2024, 2, 29);
    assert_date(timefmt_civil_from_days(19417), 2023, 3, 1);
    assert_date(timefmt_civil_from_days(19416), 2023, 2, 28);
    assert_date(timefmt_civil_from_days(-719162), 1, 1, 1);
    assert_date(timefmt_civil_from_days(-719163), 0, 12, 31);
    assert_date(timefmt_civil_from_days(-719528), 0, 1, 1);
    assert_date(timefmt_civil_from_days(-719529), -1, 12, 31);
    assert_date(timefmt_civil_from_days(2932896), 9999, 12, 31);
}

/* Walk day by day across 1970, across year 0 and through negative years: every day is the
 * previous one plus one by the calendar rules, and converts back to itself. */
static void walk_days(int64_t from, int64_t to)
{
    struct civil_date prev = timefmt_civil_from_days(from - 1);
    for (int64_t z = from; z <= to; z++) {
        struct civil_date d = timefmt_civil_from_days(z);
        struct civil_date want = prev;
        if (want.day < ref_days_in_month(want.year, want.month)) {
            want.day++;
        } else if (want.month < 12) {
            want.month++;
            want.day = 1;
        } else {
            want.year++;
            want.month = 1;
            want.day = 1;
        }
        if (d.year != want.year || d.month != want.month || d.day != want.day)
            fail_msg("day %lld: got %lld-%d-%d, want %lld-%d-%d", (long long)z, (long long)d.year,
                     d.month, d.day, (long long)want.year, want.month, want.day);
        assert_int_equal(timefmt_days_from_civil(d), z);
        prev = d;
    }
}

static void civil_round_trip_around_1970(void **state)
{
    walk_days(-1000000, 1000000); /* about 0708..4707 */
}

static void civil_round_trip_across_year_zero_and_negative_years(void **state)
{
    walk_days(-719528 - 146097 * 3, -719528 + 1000);
}

static void civil_round_trip_far_from_epoch(void **state)
{
    /* a million years each way: year starts are 365 or 366 days apart */
    for (int64_t y = -1000000; y <= 1000000; y += 997) {
        int64_t a = timefmt_days_from_civil(date(y, 1, 1));
        int64_t b = timefmt_days_from_civil(date(y + 1, 1, 1));
        assert_int_equal(b - a, ref_leap(y) ? 366 : 365);
        assert_date(timefmt_civil_from_days(a), y, 1, 1);
        assert_date(timefmt_civil_from_days(b - 1), y, 12, 31);
    }
    walk_days(timefmt_days_from_civil(date(-5000000, 1, 1)),
              timefmt_days_from_civil(date(-4999996, 12, 31)));
    walk_days(timefmt_days_from_civil(date(5000000, 1, 1)),
              timefmt_days_from_civil(date(5000004, 12, 31)));
}

static void leap_years_follow_the_gregorian_rule(void **state)
{
    assert_false(timefmt_is_leap_year(1900));
    assert_true(timefmt_is_leap_year(2000));
    assert_true(timefmt_is_leap_year(2024));
    assert_false(timefmt_is_leap_year(2023));
    assert_false(timefmt_is_leap_year(2100));
    assert_true(timefmt_is_leap_year(1600));
    assert_true(timefmt_is_leap_year(0));
    assert_false(timefmt_is_leap_year(-1));
    assert_true(timefmt_is_leap_year(-4));
    assert_false(timefmt_is_leap_year(-100));
    assert_true(timefmt_is_leap_year(-400));
    for (int64_t y = -2000; y <= 3000; y++)
        assert_int_equal(timefmt_is_leap_year(y), ref_leap(y));
}

static void days_in_month_table(void **state)
{
    static const int want[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; m++)
        assert_int_equal(timefmt_days_in_month(2023, m), want[m - 1]);
    assert_int_equal(timefmt_days_in_month(2024, 2), 29);
    assert_int_equal(timefmt_days_in_month(2000, 2), 29);
    assert_int_equal(timefmt_days_in_month(1900, 2), 28);
    assert_int_equal(timefmt_days_in_month(0, 2), 29);
    assert_int_equal(timefmt_days_in_month(-100, 2), 28);
}

static void weekday_known_days(void **state)
{
    assert_int_equal(timefmt_weekday_from_days(0), 4);       /* Thursday 1970-01-01 */
    assert_int_equal(timefmt_weekday_from_days(-1), 3);      /* Wednesday */
    assert_int_equal(timefmt_weekday_from_days(3), 0);       /* Sunday 1970-01-04 */
    assert_int_equal(timefmt_weekday_from_days(10957), 6);   /* Saturday 2000-01-01 */
    assert_int_equal(timefmt_weekday_from_days(-25567), 1);  /* Monday 1900-01-01 */
    assert_int_equal(timefmt_weekday_from_days(19782), 4);   /* Thursday 2024-02-29 */
    assert_int_equal(timefmt_weekday_from_days(-719162), 1); /* Monday 0001-01-01 */
    assert_int_equal(timefmt_weekday_from_days(2932896), 5); /* Friday 9999-12-31 */
}

static void weekday_cycles_and_stays_in_range(void **state)
{
    for (int64_t z = -3000000; z <= 3000000; z += 7001) {
        int w = timefmt_weekday_from_days(z);
        assert_in_range(w, 0, 6);
        assert_int_equal(timefmt_weekday_from_days(z + 1), (w + 1) % 7);
        assert_int_equal(timefmt_weekday_from_days(z + 7), w);
        assert_int_equal(timefmt_weekday_from_days(z - 7 * 1000), w);
    }
}

/* ---- ISO 8601 rendering ------------------------------------------------------------------- */

static void check_iso(int64_t t, const char *want)
{
    char out[TIMEFMT_ISO_LEN + 8];
    memset(out, 'X', sizeof out);
    timefmt_iso8601(t, out);
    assert_string_equal(out, want);
    assert_int_equal(strlen(out), TIMEFMT_ISO_LEN);
    assert_int_equal(out[TIMEFMT_ISO_LEN + 1], 'X'); /* nothing written past the NUL */
}

static void iso8601_formats_instants(void **state)
{
    check_iso(0, "1970-01-01T00:00:00Z");
    check_iso(-1, "1969-12-31T23:59:59Z");
    check_iso(1, "1970-01-01T00:00:01Z");
    check_iso(86399, "1970-01-01T23:59:59Z");
    check_iso(1764145568, "2025-11-26T08:26:08Z");
    check_iso(1795681568, "2026-11-26T08:26:08Z");
    check_iso(951868799, "2000-02-29T23:59:59Z");
    check_iso(-2208988800LL, "1900-01-01T00:00:00Z");
    check_iso(-86400 - 3600, "1969-12-30T23:00:00Z");
}

static void iso8601_formats_range_edges(void **state)
{
    check_iso(-62167219200LL, "0000-01-01T00:00:00Z");
    check_iso(-62135596800LL, "0001-01-01T00:00:00Z");
    check_iso(253402300799LL, "9999-12-31T23:59:59Z");
}

static void iso8601_clamps_outside_0000_to_9999(void **state)
{
    check_iso(-62167219201LL, "0000-01-01T00:00:00Z");
    check_iso(253402300800LL, "9999-12-31T23:59:59Z");
    check_iso(INT64_MIN, "0000-01-01T00:00:00Z");
    check_iso(INT64_MAX, "9999-12-31T23:59:59Z");
    check_iso(-100000000000000LL, "0000-01-01T00:00:00Z");
}

static void check_iso_ms(int64_t ns, const char *want)
{
    char out[TIMEFMT_ISO_MS_LEN + 8];
    memset(out, 'X', sizeof out);
    timefmt_iso8601_ms(ns, out);
    assert_string_equal(out, want);
    assert_int_equal(strlen(out), TIMEFMT_ISO_MS_LEN);
    assert_int_equal(out[TIMEFMT_ISO_MS_LEN + 1], 'X');
}

static void iso8601_ms_formats_milliseconds(void **state)
{
    check_iso_ms(0, "1970-01-01T00:00:00.000Z");
    check_iso_ms(1234567890LL, "1970-01-01T00:00:01.234Z");
    check_iso_ms(999999LL, "1970-01-01T00:00:00.000Z"); /* truncated, not rounded */
    check_iso_ms(1000000LL, "1970-01-01T00:00:00.001Z");
    check_iso_ms(1764145568123456789LL, "2025-11-26T08:26:08.123Z");
    check_iso_ms(1795681568999999999LL, "2026-11-26T08:26:08.999Z");
}

static void iso8601_ms_before_epoch_floors(void **state)
{
    check_iso_ms(-1, "1969-12-31T23:59:59.999Z");
    check_iso_ms(-1000000LL, "1969-12-31T23:59:59.999Z");
    check_iso_ms(-1000001LL, "1969-12-31T23:59:59.998Z");
    check_iso_ms(-1000000000LL, "1969-12-31T23:59:59.000Z");
    check_iso_ms(-1500000000LL, "1969-12-31T23:59:58.500Z");
}

static void iso8601_ms_int64_extremes(void **state)
{
    check_iso_ms(INT64_MAX, "2262-04-11T23:47:16.854Z");
    check_iso_ms(INT64_MIN, "1677-09-21T00:12:43.145Z");
}

/* ---- ISO 8601 parsing --------------------------------------------------------------------- */

static void check_parse(const char *s, int64_t want)
{
    int64_t got = 0x5a5a5a5a;
    int rc = timefmt_parse_iso8601(s, strlen(s), &got);
    if (rc)
        fail_msg("\"%s\": rc %d, want 0", s, rc);
    assert_int_equal(got, want);
}

static void check_parse_fails(const char *s)
{
    int64_t got = 0x5a5a5a5a;
    int rc = timefmt_parse_iso8601(s, strlen(s), &got);
    if (rc != ERR_INVALID)
        fail_msg("\"%s\": rc %d, want ERR_INVALID", s, rc);
    assert_int_equal(got, 0x5a5a5a5a); /* out untouched */
}

static void parse_utc_with_z(void **state)
{
    check_parse("1970-01-01T00:00:00Z", 0);
    check_parse("1969-12-31T23:59:59Z", -1);
    check_parse("2025-11-26T08:26:08Z", 1764145568);
    check_parse("2000-02-29T23:59:59Z", 951868799);
    check_parse("1900-01-01T00:00:00Z", -2208988800LL);
    check_parse("0000-01-01T00:00:00Z", -62167219200LL);
    check_parse("9999-12-31T23:59:59Z", 253402300799LL);
}

static void parse_offsets(void **state)
{
    check_parse("2024-01-01T00:00:00+01:00", 1704063600);
    check_parse("2023-12-31T23:00:00+00:00", 1704063600);
    check_parse("2023-12-31T23:00:00-00:00", 1704063600);
    check_parse("2023-12-31T17:30:00-05:30", 1704063600);
    check_parse("2024-01-01T04:45:00+05:45", 1704063600);
    check_parse("1970-01-01T00:00:00-23:59", 86340);
    check_parse("1970-01-01T00:00:00+23:59", -86340);
}

static void parse_fraction_is_dropped(void **state)
{
    check_parse("2025-11-26T08:26:08.123Z", 1764145568);
    check_parse("2025-11-26T08:26:08.999999999Z", 1764145568);
    check_parse("2025-11-26T08:26:08.0Z", 1764145568);
    check_parse("2025-11-26T09:26:08.5+01:00", 1764145568);
}

static void parse_leap_days(void **state)
{
    check_parse("2024-02-29T00:00:00Z", 19782LL * 86400);
    check_parse("2000-02-29T00:00:00Z", 11016LL * 86400);
    check_parse("1600-02-29T00:00:00Z", -135081LL * 86400);
    check_parse_fails("2023-02-29T00:00:00Z");
    check_parse_fails("1900-02-29T00:00:00Z");
    check_parse_fails("2100-02-29T00:00:00Z");
    check_parse_fails("2024-02-30T00:00:00Z");
}

static void parse_refuses_invalid_dates_and_times(void **state)
{
    check_parse_fails("2024-04-31T00:00:00Z");
    check_parse_fails("2024-06-31T00:00:00Z");
    check_parse_fails("2024-13-01T00:00:00Z");
    check_parse_fails("2024-00-10T00:00:00Z");
    check_parse_fails("2024-01-00T00:00:00Z");
    check_parse_fails("2024-01-32T00:00:00Z");
    check_parse_fails("2024-01-01T24:00:00Z");
    check_parse_fails("2024-01-01T00:60:00Z");
    check_parse_fails("2024-01-01T00:00:60Z");
    check_parse_fails("2024-01-01T99:99:99Z");
}

static void parse_refuses_bad_offsets(void **state)
{
    check_parse_fails("2024-01-01T00:00:00+24:00");
    check_parse_fails("2024-01-01T00:00:00+01:60");
    check_parse_fails("2024-01-01T00:00:00+1:00");
    check_parse_fails("2024-01-01T00:00:00+01:0");
    check_parse_fails("2024-01-01T00:00:00+0100");
    check_parse_fails("2024-01-01T00:00:00+01");
    check_parse_fails("2024-01-01T00:00:00+");
    check_parse_fails("2024-01-01T00:00:00Z+01:00");
}

static void parse_refuses_garbage(void **state)
{
    check_parse_fails("");
    check_parse_fails("hello");
    check_parse_fails("2024-01-01");
    check_parse_fails("2024-01-01T");
    check_parse_fails("2024-01-01T00:00");
    check_parse_fails("2024-01-01T00:00:00");    /* no zone */
    check_parse_fails("2024-01-01T00:00:00Z ");  /* trailing byte */
    check_parse_fails(" 2024-01-01T00:00:00Z");  /* leading byte */
    check_parse_fails("2024-01-01T00:00:00.Z");  /* fraction without digits */
    check_parse_fails("2024-01-01T00:00:00,5Z"); /* comma decimal */
    check_parse_fails("2024-1-01T00:00:00Z");
    check_parse_fails("24-01-01T00:00:00Z");
    check_parse_fails("20240101T000000Z");
    check_parse_fails("+2024-01-01T00:00:00Z");
    check_parse_fails("-2024-01-01T00:00:00Z");
    check_parse_fails("2024-01-01X00:00:00Z");
    check_parse_fails("2024/01/01T00:00:00Z");
    check_parse_fails("2024-01-01T00:00:0aZ");
    check_parse_fails("abcd-ef-ghTij:kl:mnZ");
}

static void parse_respects_len(void **state)
{
    int64_t got = 0;
    const char s[] = "1970-01-01T00:00:10Zgarbage";
    assert_int_equal(timefmt_parse_iso8601(s, 20, &got), 0);
    assert_int_equal(got, 10);
    got = 77;
    assert_int_equal(timefmt_parse_iso8601(s, 19, &got), ERR_INVALID);
    assert_int_equal(got, 77);
    assert_int_equal(timefmt_parse_iso8601(s, 0, &got), ERR_INVALID);
    /* a NUL inside len is not the end */
    const char nul[] = "1970-01-01T00:00:10Z\0";
    assert_int_equal(timefmt_parse_iso8601(nul, sizeof nul - 1, &got), ERR_INVALID);
}

static void parse_round_trips_formatted_instants(void **state)
{
    for (int64_t t = -62167219200LL; t <= 253402300799LL; t += 86400LL * 365 * 7 + 12345) {
        char out[TIMEFMT_ISO_LEN + 1];
        timefmt_iso8601(t, out);
        int64_t back = 0;
        assert_int_equal(timefmt_parse_iso8601(out, strlen(out), &back), 0);
        assert_int_equal(back, t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(days_from_civil_known_dates),
        cmocka_unit_test(days_from_civil_year_zero_and_negative_years),
        cmocka_unit_test(civil_from_days_known_days),
        cmocka_unit_test(civil_round_trip_around_1970),
        cmocka_unit_test(civil_round_trip_across_year_zero_and_negative_years),
        cmocka_unit_test(civil_round_trip_far_from_epoch),
        cmocka_unit_test(leap_years_follow_the_gregorian_rule),
        cmocka_unit_test(days_in_month_table),
        cmocka_unit_test(weekday_known_days),
        cmocka_unit_test(weekday_cycles_and_stays_in_range),
        cmocka_unit_test(iso8601_formats_instants),
        cmocka_unit_test(iso8601_formats_range_edges),
        cmocka_unit_test(iso8601_clamps_outside_0000_to_9999),
        cmocka_unit_test(iso8601_ms_formats_milliseconds),
        cmocka_unit_test(iso8601_ms_before_epoch_floors),
        cmocka_unit_test(parse_utc_with_z),
        cmocka_unit_test(parse_offsets),
        cmocka_unit_test(parse_fraction_is_dropped),
        cmocka_unit_test(parse_leap_days),
        cmocka_unit_test(parse_refuses_invalid_dates_and_times),
        cmocka_unit_test(parse_refuses_bad_offsets),
        cmocka_unit_test(parse_refuses_garbage),
        cmocka_unit_test(parse_respects_len),
        cmocka_unit_test(parse_round_trips_formatted_instants),
        /* last: UndefinedBehaviorSanitizer may halt on an overflow here */
        cmocka_unit_test(iso8601_ms_int64_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
