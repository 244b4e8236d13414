/* holidays: rules to closed dates (see holidays.h for the contract and the observed rule). */
#include "core/holidays.h"

#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"

#define EASTER_OFFSET_MAX 366

/* The presets exactly as issue 4 lists them (Ontario public holidays; statutory everywhere). */
#define FIXED(nm, m, d, obs) {.name = nm, .kind = HOLIDAYS_FIXED, .month = m, .day = d, .observed = obs}
#define NTH(nm, m, wd, nth, from) \
    {.name = nm, .kind = HOLIDAYS_NTH_WEEKDAY, .month = m, .weekday = wd, .n = nth, .from_year = from}

static const struct holidays_rule ca_on[] = {
    FIXED("New Year's Day", 1, 1, true),
    NTH("Family Day", 2, 1, 3, 2008),
    {.name = "Good Friday", .kind = HOLIDAYS_EASTER, .offset = -2},
    {.name = "Victoria Day", .kind = HOLIDAYS_MONDAY_BEFORE, .month = 5, .day = 25},
    FIXED("Canada Day", 7, 1, true),
    NTH("Labour Day", 9, 1, 1, 0),
    NTH("Thanksgiving", 10, 1, 2, 0),
    FIXED("Christmas Day", 12, 25, true),
    FIXED("Boxing Day", 12, 26, true),
};

static const struct holidays_rule ca[] = {
    FIXED("New Year's Day", 1, 1, true),
    {.name = "Good Friday", .kind = HOLIDAYS_EASTER, .offset = -2},
    FIXED("Canada Day", 7, 1, true),
    NTH("Labour Day", 9, 1, 1, 0),
    FIXED("Christmas Day", 12, 25, true),
};

static const struct {
    const char *name;
    const struct holidays_rule *rules;
    size_t n;
} presets[] = {
    [HOLIDAYS_PRESET_CA_ON] = {"CA-ON", ca_on, sizeof ca_on / sizeof ca_on[0]},
    [HOLIDAYS_PRESET_CA] = {"CA", ca, sizeof ca / sizeof ca[0]},
};

int holidays_preset_parse(const char *name, enum holidays_preset *out)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (strcmp(name, presets[i].name) == 0) {
            *out = (enum holidays_preset)i;
            return 0;
        }
    return ERR_NOT_FOUND;
}

const char *holidays_preset_name(enum holidays_preset p)
{
    return (unsigned)p < sizeof presets / sizeof presets[0] ? presets[p].name : "?";
}

static int64_t days_of(int64_t year, int month, int day)
{
    return timefmt_days_from_civil((struct civil_date){year, month, day});
}

/* Anonymous Gregorian algorithm (Meeus, "Astronomical Algorithms", ch. 8): valid for every
 * Gregorian year, integer arithmetic only. */
int64_t holidays_easter(int year)
{
    int a = year % 19, b = year / 100, c = year % 100;
    int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;
    return days_of(year, month, day);
}

static bool weekend(int64_t day)
{
    int w = timefmt_weekday_from_days(day);
    return w == 0 || w == 6;
}

/* The actual date of rule r in `year`: 0 and *out, or 1 when the rule does not apply (outside
 * its years, or Feb 29 of a common year). */
static int rule_date(const struct holidays_rule *r, int year, int64_t *out)
{
    if ((r->from_year && year < r->from_year) || (r->to_year && year > r->to_year))
        return 1;
    switch (r->kind) {
    case HOLIDAYS_FIXED:
        if (r->day > timefmt_days_in_month(year, r->month))
            return 1;
        *out = days_of(year, r->month, r->day);
        return 0;
    case HOLIDAYS_NTH_WEEKDAY: {
        if (r->n == HOLIDAYS_LAST) {
            int64_t last = days_of(year, r->month, timefmt_days_in_month(year, r->month));
            *out = last - (timefmt_weekday_from_days(last) - r->weekday + 7) % 7;
        } else {
            int64_t first = days_of(year, r->month, 1);
            *out = first + (r->weekday - timefmt_weekday_from_days(first) + 7) % 7 +
                   7 * (r->n - 1);
        }
        return 0;
    }
    case HOLIDAYS_MONDAY_BEFORE: {
        /* Strictly before: start from the day before, go back to a Monday (weekday 1). */
        int64_t d = days_of(year, r->month, r->day) - 1;
        *out = d - (timefmt_weekday_from_days(d) - 1 + 7) % 7;
        return 0;
    }
    case HOLIDAYS_EASTER:
        *out = holidays_easter(year) + r->offset;
        return 0;
    }
    return 1;
}

/* One holiday of a rule-year while observed dates are placed. `order` keeps the source order
 * (presets, then rules, then explicit dates) so ties sort the same way every time. */
struct pending {
    int64_t day;
    const char *name;
    bool movable; /* fixed and observed */
    bool observed;
    size_t order;
};

static int by_day_then_order(const void *pa, const void *pb)
{
    const struct pending *a = pa, *b = pb;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    if (a->observed != b->observed)
        return a->observed ? 1 : -1; /* the actual date's name wins a shared date */
    return a->order < b->order ? -1 : a->order > b->order;
}

static bool taken(const struct pending *p, size_t n, int64_t day)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].day == day)
            return true;
    return false;
}

static void add_rule(struct pending *p, size_t *n, const struct holidays_rule *r, int year)
{
    int64_t day;
    if (rule_date(r, year, &day) == 0) {
        p[*n] = (struct pending){day, r->name, r->kind == HOLIDAYS_FIXED && r->observed, false, *n};
        (*n)++;
    }
}

/* Every holiday of rule-year `year` (actual dates, then the observed ones placed by the rule of
 * the header) into p, which holds HOLIDAYS_YEAR_MAX_ENTRIES. Dates may fall outside `year`
 * (an Easter offset, an observed date after December 31). O(n^2) in the holidays of one year,
 * which are a few dozen. */
static size_t rule_year(const struct holidays_spec *s, int year, struct pending *p)
{
    size_t n = 0;
    for (size_t i = 0; i < s->npresets; i++)
        for (size_t j = 0; j < presets[s->presets[i]].n; j++)
            add_rule(p, &n, &presets[s->presets[i]].rules[j], year);
    for (size_t i = 0; i < s->nrules; i++)
        add_rule(p, &n, &s->rules[i], year);
    for (size_t i = 0; i < s->ndates; i++)
        if (timefmt_civil_from_days(s->dates[i]).year == year) {
            p[n] = (struct pending){s->dates[i], "Holiday", false, false, n};
            n++;
        }
    qsort(p, n, sizeof *p, by_day_then_order);
    size_t actual = n;
    for (size_t i = 0; i < actual; i++) {
        if (!p[i].movable || !weekend(p[i].day))
            continue;
        /* The same date from two sources (CA-ON plus CA) moves once. */
        bool moved = false;
        for (size_t j = 0; j < i && !moved; j++)
            moved = p[j].day == p[i].day && p[j].movable;
        if (moved)
            continue;
        int64_t d = p[i].day + 1;
        while (weekend(d) || taken(p, n, d))
            d++;
        p[n] = (struct pending){d, p[i].name, false, true, n};
        n++;
    }
    return n;
}

int holidays_year(const struct holidays_spec *s, int year, struct holidays_entry *out, size_t cap,
                  size_t *nout)
{
    if (year < HOLIDAYS_YEAR_MIN || year > HOLIDAYS_YEAR_MAX)
        return ERR_INVALID;
    /* Rule-years around `year` can land dates in it: Easter offsets, observed dates spilling past
     * December 31. Three rule-years of at most HOLIDAYS_YEAR_MAX_ENTRIES each. */
    struct pending *all = xmalloc(4 * HOLIDAYS_YEAR_MAX_ENTRIES * sizeof *all);
    struct pending *tmp = all + 3 * HOLIDAYS_YEAR_MAX_ENTRIES;
    size_t n = 0;
    int64_t lo = days_of(year, 1, 1), hi = days_of(year + 1, 1, 1);
    for (int y = year - 1; y <= year + 1; y++) {
        size_t k = rule_year(s, y, tmp);
        for (size_t i = 0; i < k; i++)
            if (tmp[i].day >= lo && tmp[i].day < hi) {
                all[n] = tmp[i];
                all[n].order = n; /* rule-years in order, then source order within */
                n++;
            }
    }
    qsort(all, n, sizeof *all, by_day_then_order);
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && out[m - 1].day == all[i].day)
            continue; /* listed once: the first by (actual before observed, source order) */
        if (m == cap) {
            rc = ERR_LIMIT;
            break;
        }
        out[m].day = all[i].day;
        size_t len = strlen(all[i].name);
        if (len >= HOLIDAYS_NAME_MAX)
            len = HOLIDAYS_NAME_MAX - 1;
        memcpy(out[m].name, all[i].name, len);
        out[m].name[len] = '\0';
        out[m].observed = all[i].observed;
        m++;
    }
    free(all);
    if (rc == 0)
        *nout = m;
    return rc;
}

static int bad(struct err *e, const char *field, const char *member, const char *msg)
{
    char f[sizeof e->field];
    size_t fl = strlen(field), ml = strlen(member);
    if (fl + ml >= sizeof f)
        fl = ml = 0;
    memcpy(f, field, fl);
    memcpy(f + fl, member, ml);
    f[fl + ml] = '\0';
    return err_set(e, ERR_INVALID, f, "%s%s %s", field, member, msg);
}

int holidays_rule_check(const struct holidays_rule *r, const char *field, struct err *e)
{
    if (r->kind < HOLIDAYS_FIXED || r->kind > HOLIDAYS_EASTER)
        return bad(e, field, ".kind", "is not a known rule kind");
    size_t len = strnlen(r->name, HOLIDAYS_NAME_MAX);
    if (len == 0 || len == HOLIDAYS_NAME_MAX)
        return bad(e, field, ".name", "must be 1 to 63 bytes");
    bool needs_month = r->kind != HOLIDAYS_EASTER;
    if (needs_month && (r->month < 1 || r->month > 12))
        return bad(e, field, ".month", "must be 1 to 12");
    bool needs_day = r->kind == HOLIDAYS_FIXED || r->kind == HOLIDAYS_MONDAY_BEFORE;
    /* 2000 is a leap year, so February 29 passes and is skipped in common years. */
    if (needs_day && (r->day < 1 || r->day > timefmt_days_in_month(2000, r->month)))
        return bad(e, field, ".day", "is not a day of that month");
    if (r->kind == HOLIDAYS_NTH_WEEKDAY) {
        if (r->weekday < 0 || r->weekday > 6)
            return bad(e, field, ".weekday", "must be mon to sun");
        if (r->n != HOLIDAYS_LAST && (r->n < 1 || r->n > 4))
            return bad(e, field, ".n", "must be 1 to 4 or \"last\"");
    }
    if (r->kind == HOLIDAYS_EASTER && (r->offset < -EASTER_OFFSET_MAX || r->offset > EASTER_OFFSET_MAX))
        return bad(e, field, ".offset", "must be -366 to 366 days");
    if (r->from_year && (r->from_year < HOLIDAYS_YEAR_MIN || r->from_year > HOLIDAYS_YEAR_MAX))
        return bad(e, field, ".from_year", "must be 1970 to 2199");
    if (r->to_year && (r->to_year < HOLIDAYS_YEAR_MIN || r->to_year > HOLIDAYS_YEAR_MAX))
        return bad(e, field, ".to_year", "must be 1970 to 2199");
    if (r->from_year && r->to_year && r->from_year > r->to_year)
        return bad(e, field, ".to_year", "is before from_year");
    return 0;
}
