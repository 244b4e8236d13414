/* test_placeholders: the core/placeholders.h contract: Zendesk-style {{name}} substitution
 * (known names replaced, unknown ones and look-alikes left as written, no recursion, the size
 * cap) and the calendar's wording of support hours and of an instant.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "core/calendar.h"
#include "core/placeholders.h"

static const struct placeholders_value table[] = {
    {"ticket.id", "42"},
    {"ticket.requester.first_name", "Olive"},
    {"ticket.title", "{{ticket.id}} is down"},
    {"support.hours", "Monday to Friday"},
    {"empty", ""},
    {"nothing", NULL},
};
#define NTABLE (sizeof table / sizeof table[0])

/* Render with the table and a generous cap; the text, which the test frees. */
static char *render(const char *tmpl)
{
    struct buf b;
    buf_init(&b, 0);
    struct err e;
    err_clear(&e);
    int rc = placeholders_render_table(tmpl, strlen(tmpl), table, NTABLE, 4096, &b, &e);
    assert_int_equal(rc, 0);
    return buf_detach(&b, NULL);
}

static void expect(const char *tmpl, const char *want)
{
    char *got = render(tmpl);
    assert_string_equal(got, want);
    free(got);
}

static void test_known_names(void **state)
{
    (void)state;
    expect("Hi {{ticket.requester.first_name}}, about #{{ticket.id}}.", "Hi Olive, about #42.");
    expect("{{ticket.id}}{{ticket.id}}", "4242");
    expect("{{ ticket.id }} and {{\tticket.id\t}}", "42 and 42");
    expect("[{{empty}}]", "[]");
    expect("", "");
    expect("no placeholders at all", "no placeholders at all");
}

static void test_unknown_left_as_written(void **state)
{
    (void)state;
    expect("Hi {{ticket.requester.nickname}}!", "Hi {{ticket.requester.nickname}}!");
    expect("{{ Unknown.Thing }} {{ticket.id}}", "{{ Unknown.Thing }} 42");
    expect("{{nothing}}", "{{nothing}}");     /* a NULL value is unknown */
    expect("{{TICKET.ID}}", "{{TICKET.ID}}"); /* names are case-sensitive */
}

static void test_look_alikes(void **state)
{
    (void)state;
    expect("{{}}", "{{}}");
    expect("{{ }}", "{{ }}");
    expect("{{ticket id}}", "{{ticket id}}");
    expect("{{ticket.id", "{{ticket.id");
    expect("{{ticket.id}", "{{ticket.id}");
    expect("{ticket.id}}", "{ticket.id}}");
    expect("{{1abc}}", "{{1abc}}");
    expect("{{", "{{");
    expect("{", "{");
    expect("}}{{", "}}{{");
    /* A brace before a placeholder is text; the placeholder after it still counts. */
    expect("{{{ticket.id}}}", "{42}");
    expect("{{ {{ticket.id}}", "{{ 42");
}

static void test_no_recursion(void **state)
{
    (void)state;
    /* The title's value holds a placeholder: it is inserted as text, never expanded. */
    expect("Re: {{ticket.title}}", "Re: {{ticket.id}} is down");
}

static bool any_lookup(void *ctx, const char *name, size_t len, struct slice *value)
{
    (void)ctx;
    (void)name;
    (void)len;
    *value = SLICE_LIT("V");
    return true;
}

static void test_name_length(void **state)
{
    (void)state;
    /* "{{" + n letters + "}}": a placeholder up to PLACEHOLDERS_NAME_MAX letters, text past it. */
    for (size_t n = PLACEHOLDERS_NAME_MAX; n <= PLACEHOLDERS_NAME_MAX + 1; n++) {
        char tmpl[PLACEHOLDERS_NAME_MAX + 8];
        memset(tmpl, 'a', sizeof tmpl);
        memcpy(tmpl, "{{", 2);
        memcpy(tmpl + 2 + n, "}}", 3);
        struct buf b;
        buf_init(&b, 0);
        struct err e;
        err_clear(&e);
        assert_int_equal(placeholders_render(tmpl, strlen(tmpl), any_lookup, NULL, 200, &b, &e), 0);
        assert_string_equal(buf_cstr(&b), n == PLACEHOLDERS_NAME_MAX ? "V" : tmpl);
        buf_release(&b);
    }
}

static void test_cap(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "kept:");
    struct err e;
    err_clear(&e);
    const char *t = "#{{ticket.id}}!"; /* renders "#42!", 4 bytes */
    assert_int_equal(placeholders_render_table(t, strlen(t), table, NTABLE, 4, &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "kept:#42!");
    assert_int_equal(placeholders_render_table(t, strlen(t), table, NTABLE, 3, &b, &e), ERR_LIMIT);
    assert_int_equal(e.code, ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "kept:#42!"); /* as it was */
    /* The cap counts the values too, not only the template. */
    assert_int_equal(
        placeholders_render_table("{{ticket.requester.first_name}}", 31, table, NTABLE, 4, &b, &e),
        ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "kept:#42!");
    buf_release(&b);
}

static bool counting_lookup(void *ctx, const char *name, size_t len, struct slice *value)
{
    int *calls = ctx;
    (*calls)++;
    if (len == 1 && name[0] == 'x') {
        *value = SLICE_LIT("{{x}}");
        return true;
    }
    return false;
}

static void test_callback(void **state)
{
    (void)state;
    int calls = 0;
    struct buf b;
    buf_init(&b, 0);
    struct err e;
    err_clear(&e);
    const char *t = "{{x}}-{{y}}-{{x}}";
    assert_int_equal(placeholders_render(t, strlen(t), counting_lookup, &calls, 100, &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "{{x}}-{{y}}-{{x}}");
    assert_int_equal(calls, 3); /* once per placeholder; the values were not looked at again */
    buf_release(&b);
}

static void test_first_name(void **state)
{
    (void)state;
    struct slice s = placeholders_first_name("  Olive  Owner ", 15);
    assert_int_equal(s.len, 5);
    assert_memory_equal(s.ptr, "Olive", 5);
    s = placeholders_first_name("Cher", 4);
    assert_int_equal(s.len, 4);
    s = placeholders_first_name("", 0);
    assert_int_equal(s.len, 0);
    s = placeholders_first_name("Zoë\tKravitz", strlen("Zoë\tKravitz"));
    assert_int_equal(s.len, strlen("Zoë"));
}

/* ---- the calendar's wording --------------------------------------------------------------- */

static char *hours_of(const struct cal_spec *s)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(placeholders_support_hours(s, &b), 0);
    return buf_detach(&b, NULL);
}

static void expect_hours(const struct cal_spec *s, const char *want)
{
    char *got = hours_of(s);
    assert_string_equal(got, want);
    free(got);
}

static void test_hours_default(void **state)
{
    (void)state;
    struct cal_spec *s = calloc(1, sizeof *s);
    cal_spec_default(s);
    expect_hours(s, "Monday to Friday, 9:00 a.m. to 5:00 p.m. Eastern, except Canadian holidays");
    s->holidays.ndates = 1;
    expect_hours(s, "Monday to Friday, 9:00 a.m. to 5:00 p.m. Eastern, except Canadian holidays "
                    "and other closures");
    s->holidays.npresets = 0;
    expect_hours(s, "Monday to Friday, 9:00 a.m. to 5:00 p.m. Eastern, except holidays");
    s->holidays.ndates = 0;
    expect_hours(s, "Monday to Friday, 9:00 a.m. to 5:00 p.m. Eastern");
    free(s);
}

static void test_hours_shapes(void **state)
{
    (void)state;
    struct cal_spec *s = calloc(1, sizeof *s);
    memcpy(s->zone, "America/Vancouver", 18);
    memcpy(s->label, "Pacific", 8);
    expect_hours(s, "no regular hours");
    /* Saturday 10-14, Sunday 10-14, Monday 8:30-12 and 13-17:45, Wednesday midnight-6 */
    s->nhours[6] = s->nhours[0] = 1;
    s->hours[6][0] = s->hours[0][0] = (struct cal_interval){600, 840};
    s->nhours[1] = 2;
    s->hours[1][0] = (struct cal_interval){510, 720};
    s->hours[1][1] = (struct cal_interval){780, 1065};
    s->nhours[3] = 1;
    s->hours[3][0] = (struct cal_interval){0, 360};
    expect_hours(s, "Monday, 8:30 a.m. to 12:00 p.m. and 1:00 p.m. to 5:45 p.m.; Wednesday, "
                    "midnight to 6:00 a.m.; Saturday and Sunday, 10:00 a.m. to 2:00 p.m. Pacific");
    memset(s->nhours, 0, sizeof s->nhours);
    for (int w = 0; w < 7; w++) {
        s->nhours[w] = 1;
        s->hours[w][0] = (struct cal_interval){0, 1440};
    }
    expect_hours(s, "Monday to Sunday, all day");
    free(s);
}

static void expect_local(const struct calendar *c, const char *iso, const char *want)
{
    int64_t t;
    assert_int_equal(timefmt_parse_iso8601(iso, strlen(iso), &t), 0);
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(placeholders_local_time(c, t, &b), 0);
    assert_string_equal(buf_cstr(&b), want);
    buf_release(&b);
}

static void test_local_time(void **state)
{
    (void)state;
    struct calendar *c;
    struct err e;
    err_clear(&e);
    assert_int_equal(cal_new_default(&c, &e), 0);
    /* EST (UTC-5) in December, EDT (UTC-4) in July. */
    expect_local(c, "2025-12-29T14:00:00Z", "Monday, December 29, 9:00 a.m. Eastern");
    expect_local(c, "2026-07-02T17:30:59Z", "Thursday, July 2, 1:30 p.m. Eastern");
    expect_local(c, "2026-01-01T05:00:00Z", "Thursday, January 1, 12:00 a.m. Eastern");
    expect_local(c, "2026-01-01T04:59:00Z", "Wednesday, December 31, 11:59 p.m. Eastern");
    expect_local(c, "2026-06-01T16:00:00Z", "Monday, June 1, 12:00 p.m. Eastern");
    cal_free(c);
}

static void test_local_time_next_open(void **state)
{
    (void)state;
    struct calendar *c;
    struct err e;
    err_clear(&e);
    assert_int_equal(cal_new_default(&c, &e), 0);
    /* Friday 2025-12-26 (Boxing Day) evening: Monday 29 opens at 9:00 local. */
    int64_t t, open;
    assert_int_equal(timefmt_parse_iso8601("2025-12-26T23:00:00Z", 20, &t), 0);
    assert_int_equal(cal_next_open(c, t, &open), 0);
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(placeholders_local_time(c, open, &b), 0);
    assert_string_equal(buf_cstr(&b), "Monday, December 29, 9:00 a.m. Eastern");
    buf_release(&b);
    cal_free(c);
}

static void test_wording_limit(void **state)
{
    (void)state;
    struct cal_spec *s = calloc(1, sizeof *s);
    cal_spec_default(s);
    struct buf b;
    buf_init(&b, 10);
    buf_append_cstr(&b, "x");
    assert_int_equal(placeholders_support_hours(s, &b), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "x");
    buf_release(&b);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_names),   cmocka_unit_test(test_unknown_left_as_written),
        cmocka_unit_test(test_look_alikes),   cmocka_unit_test(test_no_recursion),
        cmocka_unit_test(test_name_length),   cmocka_unit_test(test_cap),
        cmocka_unit_test(test_callback),      cmocka_unit_test(test_first_name),
        cmocka_unit_test(test_hours_default), cmocka_unit_test(test_hours_shapes),
        cmocka_unit_test(test_local_time),    cmocka_unit_test(test_local_time_next_open),
        cmocka_unit_test(test_wording_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
