/* placeholders: Zendesk-style {{name}} substitution in canned replies (macros, issue 5), and the
 * wording of the values that come from the support calendar.
 *
 * Syntax: "{{", optional spaces or tabs, a name, optional spaces or tabs, "}}". A name is 1 to
 * PLACEHOLDERS_NAME_MAX bytes of ASCII letters, digits, '_' and '.', starting with a letter or
 * '_' ("ticket.requester.first_name"). Rules of a render:
 *  - a placeholder whose name the lookup knows is replaced by the value, copied as it is: a value
 *    is never scanned again, so a requester named "{{ticket.id}}" stays that text (no
 *    recursion, no injection through names or subjects);
 *  - an unknown placeholder, and text that only looks like one ("{{ }}", "{{a b}}", an
 *    unclosed "{{x"), is left exactly as written;
 *  - the output has a cap: a render that would exceed it fails whole with ERR_LIMIT.
 * Values are plain text; nothing is escaped (a macro body is Markdown source).
 *
 * Pure: libc and src/base (and core/calendar for the calendar wording) only; no allocation but
 * the caller's buffer; thread-safe.
 */
#ifndef FRONTDESK_CORE_PLACEHOLDERS_H
#define FRONTDESK_CORE_PLACEHOLDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "core/calendar.h"

#define PLACEHOLDERS_NAME_MAX 64 /* bytes of a name */

/* The value of the placeholder named [name, name + len) (no braces, no spaces): return true and
 * set *value (borrowed; valid until the render returns), or false when the name is unknown. */
typedef bool (*placeholders_lookup_fn)(void *ctx, const char *name, size_t len,
                                       struct slice *value);

/* Append the rendering of the template [tmpl, tmpl + len) to out, asking lookup (with ctx) for
 * each placeholder. At most max bytes are appended: past that, ERR_LIMIT (e names no field) and
 * out is left as it was. out's own limit also applies (ERR_LIMIT the same way). O(len + output). */
int placeholders_render(const char *tmpl, size_t len, placeholders_lookup_fn lookup, void *ctx,
                        size_t max, struct buf *out, struct err *e);

/* One entry of a key/value table; value NULL counts as unknown. */
struct placeholders_value {
    const char *name;
    const char *value;
};

/* The same with a table of n values (a linear search per placeholder; names are exact and
 * case-sensitive). */
int placeholders_render_table(const char *tmpl, size_t len, const struct placeholders_value *vals,
                              size_t n, size_t max, struct buf *out, struct err *e);

/* The first name of a full name: its first word (runs of ASCII spaces and tabs separate words),
 * or the whole trimmed name when it has one word. A slice of name; empty for an empty name. */
struct slice placeholders_first_name(const char *name, size_t len);

/* The calendar's hours as a sentence, appended to out, e.g.
 *   "Monday to Friday, 9:00 a.m. to 5:00 p.m. Eastern, except Canadian holidays"
 * Weekdays from Monday to Sunday with the same hours are grouped ("Monday to Friday" for three
 * or more in a row, "Saturday and Sunday" for two); groups are joined by "; "; several intervals
 * of a day by " and "; 0:00 and 24:00 read "midnight", a whole day "all day"; the zone's label
 * follows the last time. Holidays: a preset (CA-ON, CA) reads ", except Canadian holidays"
 * (footnote 1: "Excluding major Canadian holidays"), with " and other closures" when there are
 * extra rules or dates too; rules or dates alone read ", except holidays". A calendar never open
 * reads "no regular hours". Returns 0 or ERR_LIMIT from out (out as it was then). */
int placeholders_support_hours(const struct cal_spec *s, struct buf *out);

/* The instant t as a person in the calendar's zone reads it, appended to out:
 * "Monday, December 29, 9:00 a.m. Eastern" (seconds dropped; the label is the calendar's).
 * Returns 0 or ERR_LIMIT from out (out as it was then). */
int placeholders_local_time(const struct calendar *c, int64_t t, struct buf *out);

#endif
