/* timefmt: civil-date arithmetic and ISO 8601 rendering of UTC instants.
 *
 * Instants are int64_t seconds since the Unix epoch, UTC, everywhere inside frontdesk. This module
 * converts them to and from proleptic Gregorian calendar dates without gmtime() (not thread-safe,
 * and banned here), using the days-from-civil algorithm described by Howard Hinnant
 * ("chrono-Compatible Low-Level Date Algorithms"). Pure; thread-safe.
 */
#ifndef FRONTDESK_BASE_TIMEFMT_H
#define FRONTDESK_BASE_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct civil_date {
    int64_t year;
    int month; /* 1..12 */
    int day;   /* 1..31 */
};

/* Days since 1970-01-01 of a civil date (may be negative). The date must be valid. */
int64_t timefmt_days_from_civil(struct civil_date d);
struct civil_date timefmt_civil_from_days(int64_t days);
/* 0 = Sunday ... 6 = Saturday. */
int timefmt_weekday_from_days(int64_t days);
bool timefmt_is_leap_year(int64_t year);
int timefmt_days_in_month(int64_t year, int month);

/* "2026-11-26T08:26:08Z": out needs TIMEFMT_ISO_LEN + 1 bytes. Years outside 0..9999 are
 * clamped to that range, which JSON consumers expect. */
#define TIMEFMT_ISO_LEN 20
void timefmt_iso8601(int64_t t, char out[TIMEFMT_ISO_LEN + 1]);
/* Same with milliseconds, from nanoseconds: "2026-11-26T08:26:08.123Z" (24 chars + NUL). */
#define TIMEFMT_ISO_MS_LEN 24
void timefmt_iso8601_ms(int64_t unix_ns, char out[TIMEFMT_ISO_MS_LEN + 1]);

/* Parse "YYYY-MM-DDTHH:MM:SSZ" (also with fractional seconds, which are dropped, or a +HH:MM /
 * -HH:MM offset). Returns 0 and stores the instant, or ERR_INVALID. */
int timefmt_parse_iso8601(const char *s, size_t len, int64_t *out);

#endif
