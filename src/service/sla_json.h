/* sla_json: SLA targets as JSON, in the policy pack and in the settings (key "policy.sla").
 *
 * Shape (issue 4; policies/rarelogic.json):
 *   {"first_touch": {"clock": "business", "warn_minutes": 90, "due_minutes": 120},
 *    "follow_up": {"normal": {...}, "high": {...}, "urgent": {...}, "low": {...}}}
 * "clock" is "business" (the support calendar) or "calendar" (24x7); minutes are whole numbers
 * 1..525600 (a year) with warn < due. "low" may be left out: it then follows "normal", as the
 * policy treats Low like Normal. Every target object may carry a "why" string, and the root
 * "low_follows" and "guarantee" strings, for people; they are kept out of the struct. Unknown
 * keys and bad values are ERR_INVALID naming the key path ("follow_up.high.due_minutes").
 */
#ifndef FRONTDESK_SERVICE_SLA_JSON_H
#define FRONTDESK_SERVICE_SLA_JSON_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "core/sla.h"

#define SLA_JSON_MAX (64 * 1024)

/* Parse len bytes of text into *out; *out untouched on failure. */
int sla_json_parse(const char *text, size_t len, struct sla_targets *out, struct err *e);
/* Append t as compact JSON of the shape above (every priority listed, no "why"). */
int sla_json_render(const struct sla_targets *t, struct buf *out);

#endif
