/* policy_pack: the support policy as data, and where it lives.
 *
 * The policy pack compiled into the binary (policies/rarelogic.json) holds the defaults: the
 * support calendar and the SLA targets, with the reasoning beside each value. `init` copies
 * them into the settings (keys POLICY_KEY_CALENDAR, POLICY_KEY_SLA) only where nothing is set
 * yet, so it never overwrites what admins changed. Afterwards the settings are what is in
 * force; a key that is missing (a database from before the pack) reads as the pack's default.
 * Thread-safe: the pack is read-only data, the rest runs on the caller's connection.
 */
#ifndef FRONTDESK_SERVICE_POLICY_PACK_H
#define FRONTDESK_SERVICE_POLICY_PACK_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/env.h"
#include "base/err.h"
#include "core/calendar.h"
#include "core/sla.h"
#include "db/db.h"

#define POLICY_KEY_CALENDAR "policy.calendar"
#define POLICY_KEY_SLA      "policy.sla"
#define POLICY_KEY_KEYWORDS "policy.category_keywords"

/* The pack's defaults, parsed and checked (ERR_INTERNAL: the shipped pack is broken). */
int policy_pack_default_calendar(struct cal_spec *out, struct err *e);
int policy_pack_default_sla(struct sla_targets *out, struct err *e);

struct policy_pack_seed_report {
    bool calendar_added; /* the settings had no calendar: the pack's was stored */
    bool sla_added;
    bool keywords_added; /* the category keyword rules (service/category_rules.h) */
};

/* Inside the caller's write transaction: store the pack's defaults where nothing is set. */
int policy_pack_seed(struct db *db, int64_t now, struct policy_pack_seed_report *out,
                     struct err *e);

/* The calendar in force as JSON text (calendar_json's shape), appended to out. */
int policy_pack_calendar_text(struct db *db, struct buf *out, struct err *e);
/* The calendar and SLA targets in force. */
int policy_pack_calendar(struct db *db, struct cal_spec *out, struct err *e);
/* The SLA targets in force, kept per process and compared with the stored ones at most once a
 * second (service/text_cache.h); a change through this process shows at once. */
int policy_pack_sla(const struct env *env, struct db *db, struct sla_targets *out, struct err *e);

/* Replace the calendar or the SLA targets (an admin's change, checked by the caller's parse),
 * audited as "calendar.changed" / "sla_targets.changed" by actor_id, in one write transaction
 * that also has every ticket whose clocks still run judged again by the SLA sweep. */
int policy_pack_set_calendar(const struct env *env, struct db *db, int64_t actor_id, const char *ip,
                             const struct cal_spec *spec, struct err *e);
int policy_pack_set_sla(const struct env *env, struct db *db, int64_t actor_id, const char *ip,
                        const struct sla_targets *t, struct err *e);
/* The category keyword rules in force as JSON text (service/category_rules.h), appended to out. */
int policy_pack_keywords_text(struct db *db, struct buf *out, struct err *e);
/* Replace them with text (checked here: ERR_INVALID naming the place), audited as
 * "category_keywords.changed" by actor_id, in one write transaction. */
int policy_pack_set_keywords(const struct env *env, struct db *db, int64_t actor_id, const char *ip,
                             const char *text, size_t len, struct err *e);

/* The SLA targets in force as JSON text (sla_json's shape), appended to out. */
int policy_pack_sla_text(struct db *db, struct buf *out, struct err *e);

#endif
