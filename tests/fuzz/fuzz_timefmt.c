/* fuzz_timefmt: timefmt_parse_iso8601(), which reads the timestamps API clients send.
 *
 * The input is the text (length-delimited, not terminated). Invariants, from
 * src/base/timefmt.h:
 *  - failure is ERR_INVALID and leaves *out untouched;
 *  - the parsed calendar date is valid and survives days_from_civil / civil_from_days;
 *  - an instant within years 0..9999 round-trips: timefmt_iso8601() renders it as 20 canonical
 *    characters that parse back to the same instant and render again identically; the same with
 *    milliseconds through timefmt_iso8601_ms() where nanoseconds fit in 64 bits;
 *  - an input already in canonical form ("YYYY-MM-DDTHH:MM:SSZ") renders back unchanged;
 *  - the instant differs from the one of the same wall time in UTC by the offset given, at most
 *    23:59, and fractional seconds never move it.
 */
#include "fuzz.h"

#include "base/err.h"
#include "base/timefmt.h"

#include <string.h>

#define MIN_T (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define MAX_T 253402300799LL   /* 9999-12-31T23:59:59Z */

static int64_t digits(const uint8_t *p, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

static void check_round_trip(int64_t t)
{
    char text[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(t, text);
    FUZZ_CHECK(strlen(text) == TIMEFMT_ISO_LEN && text[10] == 'T' && text[19] == 'Z',
               "rendering of %lld: \"%s\"", (long long)t, text);
    int64_t back = 0;
    FUZZ_CHECK(timefmt_parse_iso8601(text, TIMEFMT_ISO_LEN, &back) == 0, "\"%s\" does not parse",
               text);
    FUZZ_CHECK(back == t, "%lld renders as \"%s\", which parses as %lld", (long long)t, text,
               (long long)back);
    char again[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(back, again);
    FUZZ_CHECK(strcmp(text, again) == 0, "\"%s\" renders again as \"%s\"", text, again);

    /* Nanoseconds in an int64_t reach years 1677..2262 only. */
    if (t < -9000000000LL || t > 9000000000LL)
        return;
    char ms[TIMEFMT_ISO_MS_LEN + 1];
    timefmt_iso8601_ms(t * 1000000000LL + 999999999LL, ms);
    FUZZ_CHECK(strlen(ms) == TIMEFMT_ISO_MS_LEN && memcmp(ms, text, 19) == 0 &&
                   strcmp(ms + 19, ".999Z") == 0,
               "ms rendering \"%s\" of \"%s\"", ms, text);
    int64_t back_ms = 0;
    FUZZ_CHECK(timefmt_parse_iso8601(ms, TIMEFMT_ISO_MS_LEN, &back_ms) == 0 && back_ms == t,
               "\"%s\" parses as %lld, expected %lld", ms, (long long)back_ms, (long long)t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t t = 0x5EED;
    int rc = timefmt_parse_iso8601((const char *)data, size, &t);
    if (rc) {
        FUZZ_CHECK(rc == ERR_INVALID && t == 0x5EED, "failure: rc %d, *out %lld", rc, (long long)t);
        return 0;
    }
    FUZZ_CHECK(size >= TIMEFMT_ISO_LEN, "accepted %zu bytes", size);

    /* The date and time fields sit at fixed places in every accepted form. */
    struct civil_date d = {digits(data, 4), (int)digits(data + 5, 2), (int)digits(data + 8, 2)};
    int64_t h = digits(data + 11, 2), mi = digits(data + 14, 2), se = digits(data + 17, 2);
    FUZZ_CHECK(d.month >= 1 && d.month <= 12 && d.day >= 1 &&
                   d.day <= timefmt_days_in_month(d.year, d.month) && h < 24 && mi < 60 && se < 60,
               "accepted %04lld-%02d-%02d %02lld:%02lld:%02lld", (long long)d.year, d.month, d.day,
               (long long)h, (long long)mi, (long long)se);
    int64_t days = timefmt_days_from_civil(d);
    struct civil_date back = timefmt_civil_from_days(days);
    FUZZ_CHECK(back.year == d.year && back.month == d.month && back.day == d.day,
               "civil round trip of %04lld-%02d-%02d gives %04lld-%02d-%02d", (long long)d.year,
               d.month, d.day, (long long)back.year, back.month, back.day);
    int wd = timefmt_weekday_from_days(days);
    FUZZ_CHECK(wd >= 0 && wd <= 6, "weekday %d", wd);

    int64_t wall = days * 86400 + h * 3600 + mi * 60 + se;
    int64_t offset = wall - t;
    FUZZ_CHECK(offset > -86400 && offset < 86400 && offset % 60 == 0, "offset %lld s",
               (long long)offset);
    char last = (char)data[size - 1];
    if (last == 'Z' || last == 'z')
        FUZZ_CHECK(offset == 0, "'Z' with an offset of %lld s", (long long)offset);

    if (t >= MIN_T && t <= MAX_T)
        check_round_trip(t);

    if (size == TIMEFMT_ISO_LEN && data[10] == 'T' && data[19] == 'Z') {
        char text[TIMEFMT_ISO_LEN + 1];
        timefmt_iso8601(t, text);
        FUZZ_CHECK(memcmp(text, data, TIMEFMT_ISO_LEN) == 0,
                   "canonical \"%.20s\" renders as "
                   "\"%s\"",
                   (const char *)data, text);
    }
    return 0;
}
