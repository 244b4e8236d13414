/* calendar_json: the support calendar as JSON, read from a file or an API body and written back.
 *
 * Shape (issue 4; docs/calendar.md):
 *   {"timezone": "America/Toronto", "label": "Eastern",
 *    "hours": {"mon": ["09:00-17:00"], ..., "sun": []},
 *    "holidays": {"presets": ["CA-ON"], "dates": ["2026-12-24"],
 *                 "rules": [{"name": "Civic Holiday", "kind": "nth_weekday", "month": 8,
 *                            "weekday": "mon", "n": 1, "from_year": 2000}]}}
 * A missing top-level key takes the default calendar's value (America/Toronto, label
 * "Eastern", Mon-Fri 09:00-17:00, preset CA-ON); inside "hours" a missing weekday is closed; inside "holidays" a
 * missing key is empty. Unknown keys, wrong types and every value core/calendar refuses are
 * ERR_INVALID whose e->field is the key path ("timezone", "hours.mon", "holidays.dates",
 * "holidays.rules[0].kind") and whose message starts with it; text that is not JSON is
 * ERR_MALFORMED with field "calendar". Thread-safe: no shared state.
 */
#ifndef FRONTDESK_SERVICE_CALENDAR_JSON_H
#define FRONTDESK_SERVICE_CALENDAR_JSON_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "core/calendar.h"
#include "core/holidays.h"

/* Largest calendar document accepted, in bytes. */
#define CALENDAR_JSON_MAX (256 * 1024)

/* Parse len bytes of text (need not be NUL-terminated) into *out, which the caller allocates;
 * the result has passed cal_spec_check() (the zone exists). Returns 0, or ERR_INVALID /
 * ERR_MALFORMED / ERR_LIMIT (over CALENDAR_JSON_MAX) with e filled; *out is untouched then. */
int calendar_json_parse(const char *text, size_t len, struct cal_spec *out, struct err *e);

/* Append s as a compact JSON document of the shape above (every weekday listed, closed ones as
 * [], all three holiday keys), which calendar_json_parse reads back to an equal spec. Returns 0
 * or ERR_LIMIT from the buffer. */
int calendar_json_render(const struct cal_spec *s, struct buf *out);

/* Append a holiday list as a JSON array of {"date": "YYYY-MM-DD", "name": ..., "observed": ...}
 * in the given order. Returns 0 or ERR_LIMIT. */
int calendar_json_holidays(const struct holidays_entry *list, size_t n, struct buf *out);

#endif
