/* fuzz_calendar_json: calendar_json_parse(), which reads the calendar file of the `calendar`
 * commands and (later) the body of PUT /api/v2/calendar.
 *
 * Invariants: a failure is ERR_INVALID, ERR_MALFORMED or ERR_LIMIT with a non-empty field that
 * the one-line message starts with (the key path the CLI prints), no newline in the message,
 * and the output untouched; a success passes cal_spec_check(), its holidays of a year come out
 * sorted with each date once, and rendering it back (calendar_json_render) parses to the same
 * spec (the writer loses nothing the reader keeps).
 */
#include "fuzz.h"

#include "base/buf.h"
#include "core/calendar.h"
#include "service/calendar_json.h"

#include <string.h>

static void same_spec(const struct cal_spec *a, const struct cal_spec *b, const char *text)
{
    FUZZ_CHECK(strcmp(a->zone, b->zone) == 0, "zone %s vs %s after %s", a->zone, b->zone, text);
    FUZZ_CHECK(strcmp(a->label, b->label) == 0, "label %s vs %s after %s", a->label, b->label,
               text);
    for (int w = 0; w < 7; w++) {
        FUZZ_CHECK(a->nhours[w] == b->nhours[w], "weekday %d: %zu vs %zu intervals after %s", w,
                   a->nhours[w], b->nhours[w], text);
        FUZZ_CHECK(memcmp(a->hours[w], b->hours[w], a->nhours[w] * sizeof a->hours[w][0]) == 0,
                   "weekday %d intervals differ after %s", w, text);
    }
    const struct holidays_spec *x = &a->holidays, *y = &b->holidays;
    FUZZ_CHECK(x->npresets == y->npresets && x->nrules == y->nrules && x->ndates == y->ndates,
               "holiday counts differ after %s", text);
    FUZZ_CHECK(memcmp(x->presets, y->presets, x->npresets * sizeof x->presets[0]) == 0,
               "presets differ after %s", text);
    FUZZ_CHECK(memcmp(x->dates, y->dates, x->ndates * sizeof x->dates[0]) == 0,
               "dates differ after %s", text);
    FUZZ_CHECK(memcmp(x->rules, y->rules, x->nrules * sizeof x->rules[0]) == 0,
               "rules differ after %s", text);
}

static void check_holidays(const struct cal_spec *s)
{
    struct holidays_entry *l = malloc(HOLIDAYS_YEAR_MAX_ENTRIES * sizeof *l);
    size_t n = 0;
    int rc = holidays_year(&s->holidays, 2021, l, HOLIDAYS_YEAR_MAX_ENTRIES, &n);
    FUZZ_CHECK(rc == 0, "holidays_year: %d", rc);
    for (size_t i = 1; i < n; i++)
        FUZZ_CHECK(l[i - 1].day < l[i].day, "holidays not sorted or repeated at %zu", i);
    free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cal_spec *s = malloc(sizeof *s);
    FUZZ_CHECK(s != NULL, "out of memory");
    memset(s, 0xA5, sizeof *s);
    struct err e;
    err_clear(&e);
    int rc = calendar_json_parse((const char *)data, size, s, &e);
    if (rc) {
        FUZZ_CHECK(rc == ERR_INVALID || rc == ERR_MALFORMED || rc == ERR_LIMIT, "rc %d", rc);
        FUZZ_CHECK(e.field[0] != '\0', "no field: %s", e.message);
        FUZZ_CHECK(strncmp(e.message, e.field, strlen(e.field)) == 0,
                   "message \"%s\" does not start with field \"%s\"", e.message, e.field);
        FUZZ_CHECK(!strchr(e.message, '\n'), "newline in \"%s\"", e.message);
        const unsigned char *p = (const unsigned char *)s;
        for (size_t i = 0; i < sizeof *s; i++)
            FUZZ_CHECK(p[i] == 0xA5, "output touched at byte %zu on failure", i);
        free(s);
        return 0;
    }
    struct err e2;
    FUZZ_CHECK(cal_spec_check(s, &e2) == 0, "accepted spec fails its check: %s", e2.message);
    check_holidays(s);
    struct buf r;
    buf_init(&r, 0);
    FUZZ_CHECK(calendar_json_render(s, &r) == 0, "render failed");
    struct cal_spec *again = malloc(sizeof *again);
    FUZZ_CHECK(again != NULL, "out of memory");
    rc = calendar_json_parse(r.ptr, r.len, again, &e2);
    FUZZ_CHECK(rc == 0, "rendered %s does not parse: %s", buf_cstr(&r), e2.message);
    same_spec(s, again, buf_cstr(&r));
    buf_release(&r);
    free(again);
    free(s);
    return 0;
}
