/* tags: Zendesk-style ticket tags, normalized and kept as a sorted set.
 *
 * A tag is 1..TAGS_MAX_LEN bytes of: ASCII letters (stored lower case), digits, "_", "-", ":",
 * "/", "." and any non-ASCII character in valid UTF-8 (passed through unchanged: we have no
 * Unicode tables in the core, so "UTF-8 letters" is approximated by "anything beyond ASCII", and
 * non-ASCII letters keep their case, so "É" and "é" are different tags). Normalizing trims
 * ASCII white space (space, tab, CR, LF, VT, FF) at both ends and turns each run of it inside
 * into one "_", as Zendesk does with "needs review" -> "needs_review". Normalizing is idempotent:
 * a normalized tag normalizes to itself.
 *
 * A tag list is a string of distinct normalized tags in ascending byte order (for UTF-8 that is
 * code point order), joined by single spaces, with no leading or trailing space; "" is the empty
 * list. A normalized tag never holds a space, so the list is unambiguous. It holds at most
 * TAGS_MAX_COUNT tags, so at most 100 * 81 - 1 bytes.
 *
 * Errors name the field "tags": ERR_INVALID for a bad tag, ERR_LIMIT for too many tags or when
 * the caller's buffer refuses to grow. Every function leaves its output buffer exactly as it was
 * when it fails. Pure; thread-safe (no shared state); allocates only through the caller's buf.
 */
#ifndef FRONTDESK_CORE_TAGS_H
#define FRONTDESK_CORE_TAGS_H

#include "base/buf.h"
#include "base/err.h"

#include <stddef.h>

#define TAGS_MAX_LEN   80  /* bytes of one normalized tag */
#define TAGS_MAX_COUNT 100 /* distinct tags on one list */

/* Normalize one tag, [in, in+len) (in may be NULL when len is 0), and append it to out.
 * Returns 0, or ERR_INVALID when the tag is empty after trimming, is not valid UTF-8, holds a
 * character that is not allowed (a comma included) or is longer than TAGS_MAX_LEN bytes after
 * normalization; ERR_LIMIT when out's limit refuses it. */
int tags_normalize(const char *in, size_t len, struct buf *out, struct err *e);

/* Add one tag, normalized as by tags_normalize() (so "needs review" adds "needs_review"), to the
 * tag list held in list, keeping it sorted and unique; adding a tag that is already there
 * changes nothing. This is the form for Zendesk's array of tags: one call per element.
 * list must hold a tag list (possibly empty); ERR_INTERNAL when it visibly does not.
 * Returns 0, ERR_INVALID for a bad tag, ERR_LIMIT when the list would hold more than
 * TAGS_MAX_COUNT tags or list's limit refuses the bytes. O(bytes in list). */
int tags_add(struct buf *list, const char *tag, size_t len, struct err *e);

/* Add the tags of a string, [in, in+len), to the tag list held in list: this is the form for
 * Zendesk's `tags` given as a string. Tags are separated by any mix of spaces, tabs, CR, LF and
 * commas; empty items ("a,,b", a trailing comma) are skipped, so an input of separators only
 * adds nothing. Each tag is normalized; duplicates (after normalization, and with those already
 * in list) are dropped; the result is sorted. To replace rather than merge, pass an empty list.
 * list must hold a tag list (possibly empty); ERR_INTERNAL when it visibly does not.
 * Returns 0, or ERR_INVALID naming the first bad tag, or ERR_LIMIT when the result would hold
 * more than TAGS_MAX_COUNT distinct tags or list's limit refuses the bytes; on any error list is
 * unchanged. O(len * log TAGS_MAX_COUNT) plus the list's bytes. */
int tags_parse_list(const char *in, size_t len, struct buf *list, struct err *e);

#endif
