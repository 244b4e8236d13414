/* calendar: business-time arithmetic on UTC instants for a support calendar.
 *
 * A calendar is an IANA time zone, weekly wall-clock hours per weekday and a holiday set
 * (core/holidays.h). Each local date of 1970-2199 that is not a holiday contributes its weekday's
 * intervals [start, end); both ends are wall times on that date. A wall time that does not exist
 * (spring forward) or occurs twice (fall back) resolves with the offset in force *before* the
 * transition (zoneinfo's fold=0); 24:00 is 00:00 of the next date read the same way; an interval
 * whose UTC end is not after its start contributes nothing; time covered by several intervals
 * counts once.
 *
 * cal_new() resolves all of that once into a sorted array of disjoint UTC intervals with running
 * totals and a per-UTC-day index (about 1.7 MB for the default calendar, built in milliseconds),
 * so each query below is O(1) plus a galloping search over the intervals it spans: no stepping.
 * Instants outside the built range (local dates 1970-01-01 .. 2199-12-31) are closed.
 *
 * A struct calendar is immutable once built and safe to share between threads. The time zone
 * comes from GLib's GTimeZone (tzdata), which stays inside calendar.c.
 */
#ifndef FRONTDESK_CORE_CALENDAR_H
#define FRONTDESK_CORE_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "core/holidays.h"

#define CAL_ZONE_MAX 64        /* bytes of a zone name, NUL included */
#define CAL_DAY_INTERVALS_MAX 8 /* intervals of one weekday */
#define CAL_DEFAULT_ZONE "America/Toronto"
#define CAL_LABEL_MAX 32 /* bytes of the zone's label for people, NUL included */
#define CAL_DEFAULT_LABEL "Eastern"

/* A wall-clock interval in minutes from local midnight: 0 <= start < end <= 1440 (24:00). */
struct cal_interval {
    int start;
    int end;
};

/* What a calendar is made of: plain data the caller owns (about 11 KB: allocate it). */
struct cal_spec {
    char zone[CAL_ZONE_MAX];
    /* What people call the zone ("Eastern"): shown beside times ("9:00 a.m. Eastern"). The
     * arithmetic never reads it. */
    char label[CAL_LABEL_MAX];
    /* hours[w]: weekday w (0 = Sunday ... 6 = Saturday), nhours[w] intervals sorted and not
     * overlapping (touching is fine); a weekday with none is closed. */
    size_t nhours[7];
    struct cal_interval hours[7][CAL_DAY_INTERVALS_MAX];
    struct holidays_spec holidays;
};

struct calendar; /* opaque, immutable once built, safe to share between threads */

/* Fill s with the default calendar: America/Toronto, Mon-Fri 09:00-17:00, preset CA-ON. */
void cal_spec_default(struct cal_spec *s);

/* Check a spec without building it: the zone exists, the intervals are well-formed and in order
 * (field "hours.mon", ...), the rules are valid ("holidays.rules[2].month"), explicit dates lie in
 * 1970-2199 ("holidays.dates"). Returns 0 or ERR_INVALID with e filled. */
int cal_spec_check(const struct cal_spec *s, struct err *e);

/* Build a calendar from s (checked as by cal_spec_check). Returns 0 and *out (free it with
 * cal_free), or ERR_INVALID with e filled. The calendar keeps its own copy of s. */
int cal_new(const struct cal_spec *s, struct calendar **out, struct err *e);
/* The default calendar: America/Toronto, Mon-Fri 09:00-17:00, preset CA-ON. */
int cal_new_default(struct calendar **out, struct err *e);
void cal_free(struct calendar *c);

/* The spec the calendar was built from; valid as long as c. */
const struct cal_spec *cal_spec_of(const struct calendar *c);

/* Business seconds in [a, b); 0 when b <= a. */
int64_t cal_between(const struct calendar *c, int64_t a, int64_t b);
/* Earliest u >= t with cal_between(c, t, u) == s (s >= 0). ERR_INVALID when the calendar is never
 * open (or s < 0), ERR_LIMIT when u would lie beyond the built range; *out untouched then. */
int cal_add(const struct calendar *c, int64_t t, int64_t s, int64_t *out);
/* Earliest instant >= t inside an open interval (t itself when open). ERR_INVALID when never
 * open, ERR_LIMIT when no open time is left after t in the built range. */
int cal_next_open(const struct calendar *c, int64_t t, int64_t *out);

/* The zone's UTC offset at t, in seconds (east positive: -18000 for EST), and the local date
 * of t as days since 1970-01-01 (the day numbers of core/holidays.h). */
int32_t cal_utc_offset(const struct calendar *c, int64_t t);
int64_t cal_local_day(const struct calendar *c, int64_t t);

/* When support closes next, seen from t while it is open: the end of the open time holding t
 * (intervals that touch, like 22:00-24:00 and the next day's 00:00-06:00, are one open time).
 * ERR_NOT_FOUND when closed at t (see cal_next_open). */
int cal_open_until(const struct calendar *c, int64_t t, int64_t *out);

/* Weekday names as in the calendar file: "sun", "mon", ... "sat" (index 0..6), and back
 * (-1 when unknown). */
const char *cal_weekday_name(int w);
int cal_weekday_parse(const char *s);

#endif
