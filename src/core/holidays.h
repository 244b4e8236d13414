/* holidays: the closed dates of a support calendar, computed for any year from rules.
 *
 * A holiday set is a list of presets ("CA-ON", "CA"), extra rules and explicit dates. Rules:
 *   fixed          month/day, optionally *observed*: moved when it falls on a weekend;
 *   nth_weekday    the nth (1..4) or last given weekday of a month;
 *   monday_before  the last Monday strictly before month/day (Victoria Day: May 25);
 *   easter         Gregorian Easter Sunday plus an offset in days (Good Friday -2).
 * Each rule may carry a first and a last year. Observed-date placement (issue 4): take the
 * holidays of a year in order of their actual date; a fixed observed one on Saturday or Sunday
 * is also closed on the first following Monday-Friday date that is not already a holiday of that
 * year, actual or observed (explicit dates count). Christmas on Saturday: Monday 27, Boxing Day
 * (Sunday) then Tuesday 28. The actual date stays closed too.
 *
 * Years 1970-2199. Pure (libc and src/base only); holidays_year() uses scratch memory it frees
 * before returning; thread-safe.
 */
#ifndef FRONTDESK_CORE_HOLIDAYS_H
#define FRONTDESK_CORE_HOLIDAYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define HOLIDAYS_YEAR_MIN 1970
#define HOLIDAYS_YEAR_MAX 2199
#define HOLIDAYS_NAME_MAX 64    /* bytes of a name, NUL included */
#define HOLIDAYS_PRESETS_MAX 4  /* presets named in one set */
#define HOLIDAYS_RULES_MAX 64   /* extra rules in one set */
#define HOLIDAYS_DATES_MAX 512  /* explicit dates in one set */
/* Upper bound of the closed dates of one year: every rule twice (actual and observed), presets
 * (at most 16 rules each) included, plus explicit dates. */
#define HOLIDAYS_YEAR_MAX_ENTRIES \
    (2 * (HOLIDAYS_RULES_MAX + 16 * HOLIDAYS_PRESETS_MAX) + HOLIDAYS_DATES_MAX)
#define HOLIDAYS_LAST (-1) /* holidays_rule.n: the last such weekday of the month */

enum holidays_kind {
    HOLIDAYS_FIXED,
    HOLIDAYS_NTH_WEEKDAY,
    HOLIDAYS_MONDAY_BEFORE,
    HOLIDAYS_EASTER,
};

struct holidays_rule {
    char name[HOLIDAYS_NAME_MAX];
    enum holidays_kind kind;
    int month;     /* 1..12: fixed, nth_weekday, monday_before */
    int day;       /* 1..31: fixed, monday_before */
    bool observed; /* fixed only */
    int weekday;   /* nth_weekday: 0 = Sunday ... 6 = Saturday */
    int n;         /* nth_weekday: 1..4 or HOLIDAYS_LAST */
    int offset;    /* easter: days from Easter Sunday, -366..366 */
    int from_year; /* 0: no first year */
    int to_year;   /* 0: no last year */
};

enum holidays_preset {
    HOLIDAYS_PRESET_CA_ON,
    HOLIDAYS_PRESET_CA,
};

/* What a calendar says about holidays; plain data, the caller owns it (may live on the stack,
 * it is large: keep it in a heap-allocated cal_spec). */
struct holidays_spec {
    size_t npresets;
    enum holidays_preset presets[HOLIDAYS_PRESETS_MAX];
    size_t nrules;
    struct holidays_rule rules[HOLIDAYS_RULES_MAX];
    size_t ndates;
    int64_t dates[HOLIDAYS_DATES_MAX]; /* days since 1970-01-01 */
};

/* One closed date. */
struct holidays_entry {
    int64_t day; /* days since 1970-01-01 */
    char name[HOLIDAYS_NAME_MAX];
    bool observed; /* false when the date is the actual date of any holiday */
};

/* Check a rule: fills e with field `field` ("holidays.rules[0]") plus a suffix naming the bad
 * member (".month", ".n", ...). Returns 0 or ERR_INVALID. */
int holidays_rule_check(const struct holidays_rule *r, const char *field, struct err *e);

/* Preset by exact name ("CA-ON", "CA"): 0 and *out, or ERR_NOT_FOUND. */
int holidays_preset_parse(const char *name, enum holidays_preset *out);
/* Stable name of a preset. */
const char *holidays_preset_name(enum holidays_preset p);

/* Every closed date of `year` (1970-2199), sorted by day, each listed once, written to out
 * (cap entries, HOLIDAYS_YEAR_MAX_ENTRIES is always enough). Includes observed dates that a
 * holiday of the previous year pushed into this one. Returns 0 and sets *n, or ERR_INVALID
 * (year out of range) / ERR_LIMIT (cap too small). The spec's rules must pass
 * holidays_rule_check. */
int holidays_year(const struct holidays_spec *s, int year, struct holidays_entry *out, size_t cap,
                  size_t *n);

/* Gregorian Easter Sunday of `year`, as days since 1970-01-01 (anonymous Gregorian algorithm,
 * "Meeus/Jones/Butcher"). */
int64_t holidays_easter(int year);

#endif
