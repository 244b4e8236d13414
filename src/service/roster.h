/* roster: the duty roster (issue 5, "Misuse and refusal of service"): who is the lead on duty.
 *
 * A weekly rotation (an ordered list of leads and an anchor Monday in the calendar's zone; weeks
 * start Monday 00:00 local, so a week is 167, 168 or 169 hours long across a DST change) plus
 * one-off overrides (user, [starts_at, ends_at), reason; the most recently created override
 * covering an instant wins over the rotation). A lead no longer on the staff as lead or admin
 * (demoted or deactivated) is skipped: the rotation passes their week to the next eligible lead
 * in list order, an override naming them is ignored. The rules are pure (core/roster.h); this
 * module reads the rows (store/roster.h) and the calendar in force (service/calendar_cache.h).
 *
 * Who may do what: staff (agent, lead, admin) read; only admins write (ERR_FORBIDDEN otherwise).
 * Writes are one transaction each, audited in it: "roster.changed" (target "roster" 1, detail
 * {"anchor_date", "lead_ids"}), "roster.override_added" and "roster.override_removed" (target
 * "roster_override" id, detail {"user_id", "starts_at", "ends_at", "reason"}).
 * Errors name the field as the API spells it ("roster.anchor_date", "roster.lead_ids",
 * "roster_override.user_id", ...: ERR_INVALID). Thread-safe as far as each thread uses its own
 * connection.
 */
#ifndef FRONTDESK_SERVICE_ROSTER_H
#define FRONTDESK_SERVICE_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "core/calendar.h"
#include "core/roster.h"
#include "db/db.h"
#include "service/people.h"
#include "store/roster.h"
#include "store/users.h"

/* Overrides that are current or ahead at once, at most (each read of who is on duty reads them
 * all): more is ERR_CONFLICT naming "roster_override". */
#define ROSTER_OVERRIDES_CURRENT_MAX 200
/* Longest override: a year and a day. */
#define ROSTER_OVERRIDE_SPAN_MAX (366 * 86400)

/* Inside the caller's transaction: the user id of the lead on duty at now (Unix seconds), or
 * *user_id 0 when nobody is on duty (no rotation and no override, or every listed lead left
 * the staff). Weeks are read in the zone of the calendar in force (service/calendar_cache.h).
 * Returns 0 or a negative ERR_* code; *user_id is untouched on failure. */
int roster_lead_on_duty(const struct env *env, struct db *db, int64_t now, int64_t *user_id,
                        struct err *e);

/* Inside the caller's transaction: who is on duty at now on calendar cal (the caller's, say from
 * calendar_cache_acquire()), with the source and until when (core/roster.h). */
int roster_duty_at(struct db *db, const struct calendar *cal, int64_t now, struct roster_duty *out,
                   struct err *e);

/* GET /api/v2/roster: the rotation (staff). */
int roster_show(struct db *db, const struct people_actor *actor, struct roster_row *out,
                struct err *e);

/* PUT /api/v2/roster (admins): anchor_date "YYYY-MM-DD", a Monday (NULL: refused, naming
 * "roster.anchor_date"); lead_ids[0..n) distinct active leads or admins, n <=
 * ROSTER_LEADS_MAX ("roster.lead_ids"; n 0 clears the rotation). Fills *out as saved. */
int roster_update(const struct env *env, struct db *db, const struct people_actor *actor,
                  const char *anchor_date, const int64_t *lead_ids, size_t n,
                  struct roster_row *out, struct err *e);

/* GET /api/v2/roster/overrides (staff): up to limit overrides with id > after, by id. */
int roster_overrides_page(struct db *db, const struct people_actor *actor, int64_t after,
                          unsigned limit, struct roster_override_row *out, size_t *n,
                          struct err *e);

struct roster_override_input {
    int64_t user_id;   /* 0: missing */
    int64_t starts_at; /* given: the caller parsed it */
    int64_t ends_at;
    const char *reason; /* NULL: missing */
};

/* POST /api/v2/roster/overrides (admins): user_id an active lead or admin; ends_at after
 * starts_at and after now, at most ROSTER_OVERRIDE_SPAN_MAX later; reason one line of 1 to
 * ROSTER_REASON_MAX characters (trimmed). Fills *out. */
int roster_override_add(const struct env *env, struct db *db, const struct people_actor *actor,
                        const struct roster_override_input *in, struct roster_override_row *out,
                        struct err *e);

/* DELETE /api/v2/roster/overrides/{id} (admins); ERR_NOT_FOUND when absent. */
int roster_override_remove(const struct env *env, struct db *db, const struct people_actor *actor,
                           int64_t id, struct err *e);

/* GET /api/v2/roster/now (staff): who is on duty at env's now, with their name and email
 * (user.id 0 when nobody). */
struct roster_now {
    struct roster_duty duty;
    struct user user;
};
int roster_now_show(const struct env *env, struct db *db, const struct people_actor *actor,
                    struct roster_now *out, struct err *e);

#endif
