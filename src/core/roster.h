/* roster: who is the lead on duty at an instant (issue 5, "Misuse and refusal of service").
 *
 * A duty roster is a weekly rotation plus one-off overrides:
 * - the rotation is an ordered list of leads and an anchor date, a Monday in the calendar's zone
 *   (days since 1970-01-01). Weeks start on Monday 00:00 local time, so across a DST change a
 *   week lasts 167 or 169 hours. Week k after the anchor's week (k < 0 before it: counting
 *   backwards the same way) belongs to leads[k mod n], with mod the mathematical one (>= 0).
 *   A lead that is no longer eligible (demoted or deactivated) is skipped: their week goes to
 *   the next eligible lead in list order (wrapping), so nobody else's weeks move.
 * - an override puts a user on duty over [starts_at, ends_at). Where several cover an instant,
 *   the most recently created wins (the highest id); ineligible overrides are ignored.
 * A local midnight that occurs twice or not at all resolves as core/calendar.h resolves wall
 * times: with the offset in force before the transition (fold=0).
 *
 * Pure: no I/O, no clock; the caller passes the instant and the calendar (only its zone is
 * read). Thread-safe.
 */
#ifndef FRONTDESK_CORE_ROSTER_H
#define FRONTDESK_CORE_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"

struct roster_lead {
    int64_t user_id;
    bool eligible; /* still a lead or admin, and active */
};

struct roster_override {
    int64_t id; /* creation order: a higher id was created later and wins */
    int64_t user_id;
    int64_t starts_at; /* inclusive */
    int64_t ends_at;   /* exclusive; > starts_at */
    bool eligible;
};

/* The roster as plain data the caller owns. nleads 0 means no rotation (anchor_day unused). */
struct roster_spec {
    int64_t anchor_day; /* a Monday, days since 1970-01-01 in the calendar's zone */
    const struct roster_lead *leads;
    size_t nleads;
    const struct roster_override *overrides; /* any order */
    size_t noverrides;
};

enum roster_source {
    ROSTER_SOURCE_NONE = 0,
    ROSTER_SOURCE_ROTATION,
    ROSTER_SOURCE_OVERRIDE,
};

struct roster_duty {
    int64_t user_id; /* 0 when nobody is on duty */
    enum roster_source source;
    int64_t override_id; /* the winning override's id (source override), else 0 */
    /* The next instant after t at which this answer may change: the end of the rotation week,
     * the end of the winning override, or the start of an override that would take over; 0
     * when nothing is scheduled to change it (nobody on duty and no override ahead). */
    int64_t until;
};

/* The API's name of a source: "none", "rotation", "override". */
const char *roster_source_name(enum roster_source s);

/* True when day (days since 1970-01-01) is a Monday. */
bool roster_is_monday(int64_t day);

/* The UTC instant local day `day` begins in cal's zone (00:00 local, fold=0; when midnight does
 * not exist, the instant the day's first wall time begins). */
int64_t roster_day_start(const struct calendar *cal, int64_t day);

/* The Monday (days since 1970-01-01) starting the local week that holds t: the week
 * [roster_day_start(monday), roster_day_start(monday + 7)) that contains t. */
int64_t roster_week_of(const struct calendar *cal, int64_t t);

/* Who is on duty at t. r->anchor_day must be a Monday when r->nleads > 0 (ERR_INVALID
 * otherwise, *out untouched). Returns 0 and fills *out. */
int roster_on_duty(const struct calendar *cal, const struct roster_spec *r, int64_t t,
                   struct roster_duty *out);

#endif
