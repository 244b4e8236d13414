/* test_holidays: the core/holidays.h contract. The CA-ON and CA presets over years that exercise
 * every observed case (Christmas on Saturday and on Sunday, New Year's Day and Canada Day on
 * Saturday, Boxing Day on Saturday), each rule kind on its own with from/to years, explicit dates
 * taking part in the observed placement, dates closed for several reasons listed once, Gregorian
 * Easter against a table, and rule validation naming the member. Expected lists were written
 * from a printed calendar, not from the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/timefmt.h"
#include "core/holidays.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t day(int y, int m, int d)
{
    return timefmt_days_from_civil((struct civil_date){y, m, d});
}

/* The year's list as "MM-DD Name;" items, observed ones marked "(o)": one string to compare, so
 * a failure prints the whole year. */
static void listing(const struct holidays_spec *s, int year, char *out, size_t cap)
{
    struct holidays_entry *l = malloc(HOLIDAYS_YEAR_MAX_ENTRIES * sizeof *l);
    size_t n = 0;
    assert_int_equal(holidays_year(s, year, l, HOLIDAYS_YEAR_MAX_ENTRIES, &n), 0);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        struct civil_date d = timefmt_civil_from_days(l[i].day);
        if (d.year != year)
            fail_msg("%d lists a date of %lld", year, (long long)d.year);
        if (i && l[i].day <= l[i - 1].day)
            fail_msg("%d: entries not sorted or repeated at %zu", year, i);
        used += (size_t)snprintf(out + used, cap - used, "%02d-%02d %s%s;", d.month, d.day,
                                 l[i].name, l[i].observed ? " (o)" : "");
    }
    free(l);
}

static void want_year(const struct holidays_spec *s, int year, const char *want)
{
    char got[4096];
    listing(s, year, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%d:\n got  %s\n want %s", year, got, want);
}

static struct holidays_spec *preset(enum holidays_preset p)
{
    struct holidays_spec *s = calloc(1, sizeof *s);
    s->npresets = 1;
    s->presets[0] = p;
    return s;
}

static void ca_on_2021_christmas_saturday(void **state)
{
    struct holidays_spec *s = preset(HOLIDAYS_PRESET_CA_ON);
    want_year(s, 2021, "01-01 New Year's Day;02-15 Family Day;04-02 Good Friday;05-24 Victoria Day;"
                       "07-01 Canada Day;09-06 Labour Day;10-11 Thanksgiving;12-25 Christmas Day;"
                       "12-26 Boxing Day;12-27 Christmas Day (o);12-28 Boxing Day (o);");
    free(s);
}

static void ca_on_2022_new_year_saturday_christmas_sunday(void **state)
{
    struct holidays_spec *s = preset(HOLIDAYS_PRESET_CA_ON);
    want_year(s, 2022, "01-01 New Year's Day;01-03 New Year's Day (o);02-21 Family Day;"
                       "04-15 Good Friday;05-23 Victoria Day;07-01 Canada Day;09-05 Labour Day;"
                       "10-10 Thanksgiving;12-25 Christmas Day;12-26 Boxing Day;"
                       "12-27 Christmas Day (o);");
    free(s);
}

static void ca_on_2026_boxing_day_saturday(void **state)
{
    struct holidays_spec *s = preset(HOLIDAYS_PRESET_CA_ON);
    want_year(s, 2026, "01-01 New Year's Day;02-16 Family Day;04-03 Good Friday;05-18 Victoria Day;"
                       "07-01 Canada Day;09-07 Labour Day;10-12 Thanksgiving;12-25 Christmas Day;"
                       "12-26 Boxing Day;12-28 Boxing Day (o);");
    free(s);
}

static void ca_on_2027_and_2028(void **state)
{
    struct holidays_spec *s = preset(HOLIDAYS_PRESET_CA_ON);
    want_year(s, 2027, "01-01 New Year's Day;02-15 Family Day;03-26 Good Friday;05-24 Victoria Day;"
                       "07-01 Canada Day;09-06 Labour Day;10-11 Thanksgiving;12-25 Christmas Day;"
                       "12-26 Boxing Day;12-27 Christmas Day (o);12-28 Boxing Day (o);");
    want_year(s, 2028, "01-01 New Year's Day;01-03 New Year's Day (o);02-21 Family Day;"
                       "04-14 Good Friday;05-22 Victoria Day;07-01 Canada Day;07-03 Canada Day (o);"
                       "09-04 Labour Day;10-09 Thanksgiving;12-25 Christmas Day;12-26 Boxing Day;");
    free(s);
}

static void family_day_starts_in_2008(void **state)
{
    struct holidays_spec *s = preset(HOLIDAYS_PRESET_CA_ON);
    char got[4096];
    listing(s, 2007, got, sizeof got);
    assert_null(strstr(got, "Family Day"));
    listing(s, 2008, got, sizeof got);
    assert_non_null(strstr(got, "02-18 Family Day;"));
    free(s);
}

static void ca_preset_is_the_statutory_five(void **state)
{
    struct holidays_spec *s = preset(HOLIDAYS_PRESET_CA);
    want_year(s, 2021, "01-01 New Year's Day;04-02 Good Friday;07-01 Canada Day;09-06 Labour Day;"
                       "12-25 Christmas Day;12-27 Christmas Day (o);");
    want_year(s, 2022, "01-01 New Year's Day;01-03 New Year's Day (o);04-15 Good Friday;"
                       "07-01 Canada Day;09-05 Labour Day;12-25 Christmas Day;"
                       "12-26 Christmas Day (o);");
    free(s);
}

static void two_presets_share_dates_once(void **state)
{
    struct holidays_spec *s = preset(HOLIDAYS_PRESET_CA_ON);
    s->npresets = 2;
    s->presets[1] = HOLIDAYS_PRESET_CA;
    /* The same New Year's Day from both presets moves once: to Monday 3, not also Tuesday 4. */
    want_year(s, 2022, "01-01 New Year's Day;01-03 New Year's Day (o);02-21 Family Day;"
                       "04-15 Good Friday;05-23 Victoria Day;07-01 Canada Day;09-05 Labour Day;"
                       "10-10 Thanksgiving;12-25 Christmas Day;12-26 Boxing Day;"
                       "12-27 Christmas Day (o);");
    free(s);
}

static struct holidays_rule rule(const char *name, enum holidays_kind k)
{
    struct holidays_rule r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "%s", name);
    r.kind = k;
    return r;
}

static void each_rule_kind(void **state)
{
    struct holidays_spec *s = calloc(1, sizeof *s);
    struct holidays_rule *r = s->rules;
    r[0] = rule("Civic Holiday", HOLIDAYS_NTH_WEEKDAY);
    r[0].month = 8, r[0].weekday = 1, r[0].n = 1;
    r[1] = rule("Last Friday", HOLIDAYS_NTH_WEEKDAY);
    r[1].month = 10, r[1].weekday = 5, r[1].n = HOLIDAYS_LAST;
    r[2] = rule("Victoria", HOLIDAYS_MONDAY_BEFORE);
    r[2].month = 5, r[2].day = 25;
    r[3] = rule("Easter Monday", HOLIDAYS_EASTER);
    r[3].offset = 1;
    r[4] = rule("Remembrance", HOLIDAYS_FIXED);
    r[4].month = 11, r[4].day = 11; /* not observed: stays on Wednesday or a weekend */
    r[5] = rule("Fourth Thursday", HOLIDAYS_NTH_WEEKDAY);
    r[5].month = 11, r[5].weekday = 4, r[5].n = 4;
    s->nrules = 6;
    want_year(s, 2026, "04-06 Easter Monday;05-18 Victoria;08-03 Civic Holiday;10-30 Last Friday;"
                       "11-11 Remembrance;11-26 Fourth Thursday;");
    /* 2021: May 25 is a Tuesday; 2020: May 25 is a Monday, so the Monday strictly before is 18. */
    want_year(s, 2020, "04-13 Easter Monday;05-18 Victoria;08-03 Civic Holiday;10-30 Last Friday;"
                       "11-11 Remembrance;11-26 Fourth Thursday;");
    want_year(s, 2021, "04-05 Easter Monday;05-24 Victoria;08-02 Civic Holiday;10-29 Last Friday;"
                       "11-11 Remembrance;11-25 Fourth Thursday;");
    free(s);
}

static void from_and_to_years_bound_a_rule(void **state)
{
    struct holidays_spec *s = calloc(1, sizeof *s);
    s->rules[0] = rule("Jubilee", HOLIDAYS_FIXED);
    s->rules[0].month = 6, s->rules[0].day = 3, s->rules[0].from_year = 2022,
    s->rules[0].to_year = 2023;
    s->nrules = 1;
    want_year(s, 2021, "");
    want_year(s, 2022, "06-03 Jubilee;");
    want_year(s, 2023, "06-03 Jubilee;");
    want_year(s, 2024, "");
    free(s);
}

static void february_29_only_in_leap_years(void **state)
{
    struct holidays_spec *s = calloc(1, sizeof *s);
    s->rules[0] = rule("Leap", HOLIDAYS_FIXED);
    s->rules[0].month = 2, s->rules[0].day = 29, s->rules[0].observed = true;
    s->nrules = 1;
    want_year(s, 2023, "");
    want_year(s, 2024, "02-29 Leap;");
    want_year(s, 2032, "02-29 Leap;03-01 Leap (o);"); /* a Sunday */
    free(s);
}

static void explicit_dates_block_observed_dates(void **state)
{
    struct holidays_spec *s = preset(HOLIDAYS_PRESET_CA_ON);
    s->dates[0] = day(2021, 12, 27);
    s->dates[1] = day(2021, 12, 24);
    s->dates[2] = day(2021, 12, 25); /* also Christmas: listed once, under Christmas's name */
    s->ndates = 3;
    want_year(s, 2021, "01-01 New Year's Day;02-15 Family Day;04-02 Good Friday;05-24 Victoria Day;"
                       "07-01 Canada Day;09-06 Labour Day;10-11 Thanksgiving;12-24 Holiday;"
                       "12-25 Christmas Day;12-26 Boxing Day;12-27 Holiday;"
                       "12-28 Christmas Day (o);12-29 Boxing Day (o);");
    free(s);
}

static void observed_date_may_spill_into_next_year(void **state)
{
    struct holidays_spec *s = calloc(1, sizeof *s);
    s->rules[0] = rule("Year End", HOLIDAYS_FIXED);
    s->rules[0].month = 12, s->rules[0].day = 31, s->rules[0].observed = true;
    s->nrules = 1;
    /* 2022-12-31 is a Saturday: observed Monday 2023-01-02, listed with 2023. */
    want_year(s, 2022, "12-31 Year End;");
    want_year(s, 2023, "01-02 Year End (o);12-31 Year End;");
    free(s);
}

static void gregorian_easter_table(void **state)
{
    static const int t[][3] = {{1970, 3, 29}, {2008, 3, 23}, {2021, 4, 4}, {2022, 4, 17},
                               {2027, 3, 28}, {2028, 4, 16}, {2100, 3, 28}, {2199, 4, 14},
                               {2038, 4, 25}, {2285, 3, 22}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        assert_int_equal(holidays_easter(t[i][0]), day(t[i][0], t[i][1], t[i][2]));
}

static void year_range_and_cap(void **state)
{
    struct holidays_spec *s = preset(HOLIDAYS_PRESET_CA_ON);
    struct holidays_entry l[HOLIDAYS_YEAR_MAX_ENTRIES];
    size_t n = 77;
    assert_int_equal(holidays_year(s, 1969, l, HOLIDAYS_YEAR_MAX_ENTRIES, &n), ERR_INVALID);
    assert_int_equal(holidays_year(s, 2200, l, HOLIDAYS_YEAR_MAX_ENTRIES, &n), ERR_INVALID);
    assert_int_equal(holidays_year(s, 2021, l, 3, &n), ERR_LIMIT);
    assert_int_equal(n, 77);
    assert_int_equal(holidays_year(s, 1970, l, HOLIDAYS_YEAR_MAX_ENTRIES, &n), 0);
    assert_int_equal(holidays_year(s, 2199, l, HOLIDAYS_YEAR_MAX_ENTRIES, &n), 0);
    free(s);
}

static void presets_by_name(void **state)
{
    enum holidays_preset p;
    assert_int_equal(holidays_preset_parse("CA-ON", &p), 0);
    assert_int_equal(p, HOLIDAYS_PRESET_CA_ON);
    assert_int_equal(holidays_preset_parse("CA", &p), 0);
    assert_int_equal(p, HOLIDAYS_PRESET_CA);
    assert_int_equal(holidays_preset_parse("ca-on", &p), ERR_NOT_FOUND);
    assert_int_equal(holidays_preset_parse("US", &p), ERR_NOT_FOUND);
    assert_string_equal(holidays_preset_name(HOLIDAYS_PRESET_CA_ON), "CA-ON");
}

static void want_rule_error(struct holidays_rule r, const char *field)
{
    struct err e;
    err_clear(&e);
    assert_int_equal(holidays_rule_check(&r, "holidays.rules[3]", &e), ERR_INVALID);
    assert_string_equal(e.field, field);
    assert_int_equal(strncmp(e.message, field, strlen(field)), 0);
}

static void rule_check_names_the_member(void **state)
{
    struct holidays_rule ok = rule("X", HOLIDAYS_FIXED);
    ok.month = 2, ok.day = 29;
    struct err e;
    assert_int_equal(holidays_rule_check(&ok, "r", &e), 0);
    struct holidays_rule r = ok;
    r.day = 30;
    want_rule_error(r, "holidays.rules[3].day");
    r = ok, r.month = 13;
    want_rule_error(r, "holidays.rules[3].month");
    r = ok, r.name[0] = '\0';
    want_rule_error(r, "holidays.rules[3].name");
    r = ok, r.from_year = 1969;
    want_rule_error(r, "holidays.rules[3].from_year");
    r = ok, r.from_year = 2030, r.to_year = 2029;
    want_rule_error(r, "holidays.rules[3].to_year");
    r = rule("N", HOLIDAYS_NTH_WEEKDAY);
    r.month = 1, r.weekday = 1, r.n = 5;
    want_rule_error(r, "holidays.rules[3].n");
    r.n = 0;
    want_rule_error(r, "holidays.rules[3].n");
    r.n = 4, r.weekday = 7;
    want_rule_error(r, "holidays.rules[3].weekday");
    r = rule("E", HOLIDAYS_EASTER);
    r.offset = 367;
    want_rule_error(r, "holidays.rules[3].offset");
    r.offset = -366;
    assert_int_equal(holidays_rule_check(&r, "r", &e), 0);
    r.kind = (enum holidays_kind)9;
    want_rule_error(r, "holidays.rules[3].kind");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ca_on_2021_christmas_saturday),
        cmocka_unit_test(ca_on_2022_new_year_saturday_christmas_sunday),
        cmocka_unit_test(ca_on_2026_boxing_day_saturday),
        cmocka_unit_test(ca_on_2027_and_2028),
        cmocka_unit_test(family_day_starts_in_2008),
        cmocka_unit_test(ca_preset_is_the_statutory_five),
        cmocka_unit_test(two_presets_share_dates_once),
        cmocka_unit_test(each_rule_kind),
        cmocka_unit_test(from_and_to_years_bound_a_rule),
        cmocka_unit_test(february_29_only_in_leap_years),
        cmocka_unit_test(explicit_dates_block_observed_dates),
        cmocka_unit_test(observed_date_may_spill_into_next_year),
        cmocka_unit_test(gregorian_easter_table),
        cmocka_unit_test(year_range_and_cap),
        cmocka_unit_test(presets_by_name),
        cmocka_unit_test(rule_check_names_the_member),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
