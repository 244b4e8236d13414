/* paging: cursor pagination for every list endpoint, as Zendesk's API v2 does it.
 *
 * A client asks for `page[size]` items (default and maximum PAGING_SIZE_MAX) after an opaque
 * cursor `page[after]`; the answer carries
 *     "meta": {"has_more": bool, "after_cursor": "..." | null},
 *     "links": {"next": "/api/v2/...?page%5Bsize%5D=N&page%5Bafter%5D=..." | null}
 * Most lists are ordered by id, so a cursor is the id of the last item a page held. It is
 * encoded (base64url of "id:<decimal id>") so clients treat it as opaque. Lists in another order
 * (a queue by last update) are *keyed*: their cursor carries the last item's sort key too,
 * "at:<decimal key>:<decimal id>". A cursor of one kind is refused by a list of the other.
 *
 * after_cursor is set whenever the page held an item, also on the last page, so a client that
 * keeps it can come back later for what was added since (ids only grow); links.next is null on
 * the last page.
 *
 * A list handler fetches size + 1 rows after the cursor: the extra row only says has_more.
 * Errors are ERR_MALFORMED (HTTP 400) naming "page[size]" or "page[after]". The pure functions
 * are thread-safe; the request ones belong to the request's thread.
 */
#ifndef FRONTDESK_HTTP_PAGING_H
#define FRONTDESK_HTTP_PAGING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "http/request.h"

#define PAGING_SIZE_DEFAULT 100
#define PAGING_SIZE_MAX     100
/* Longest cursor we ever issue: base64url of "at:", 19 digits, ":" and 19 digits is 56
 * characters. */
#define PAGING_CURSOR_MAX 56

struct paging {
    unsigned size;    /* 1..PAGING_SIZE_MAX */
    int64_t after;    /* the last id already seen; 0 to start at the beginning */
    int64_t after_at; /* keyed lists: the sort key of that item (0 when after is 0) */
};

/* The page size from `page[size]`'s text: NULL (absent) gives PAGING_SIZE_DEFAULT; otherwise
 * decimal digits only (no sign, no spaces) with a value 1..PAGING_SIZE_MAX, else ERR_MALFORMED
 * naming "page[size]". *out untouched on failure. */
int paging_parse_size(const char *text, unsigned *out, struct err *e);

/* Issue the cursor for id (> 0) into out, NUL-terminated. */
void paging_cursor_encode(int64_t id, char out[PAGING_CURSOR_MAX + 1]);

/* Decode a cursor that paging_cursor_encode() issued: NULL or "" give 0 (the beginning).
 * Anything else that is not exactly such a cursor (bad base64url, padding, non-canonical bits, a
 * payload other than "id:" and a canonical decimal 1..INT64_MAX) is ERR_MALFORMED naming
 * "page[after]". *out untouched on failure. */
int paging_cursor_decode(const char *text, int64_t *out, struct err *e);

/* Both of the above from the two parameters' texts. */
int paging_parse(const char *size_text, const char *after_text, struct paging *out, struct err *e);

/* Keyed cursors: the sort key (0..INT64_MAX) and id (1..INT64_MAX) of a keyed list's last item.
 * Decoding takes only what encoding issued, as above; NULL or "" give 0 and 0. */
void paging_keyed_encode(int64_t at, int64_t id, char out[PAGING_CURSOR_MAX + 1]);
int paging_keyed_decode(const char *text, int64_t *at, int64_t *id, struct err *e);

/* One query-string argument, decoded (as MHD hands them over). */
struct paging_arg {
    const char *name;
    const char *value; /* NULL for a bare "?flag" */
};

/* Append the next page's link to out: path, then every arg of the request except page[size]
 * and page[after] (so filters carry over), percent-encoded, then page[size] and page[after].
 * Returns 0 or ERR_LIMIT from out. */
int paging_next_link(struct buf *out, const char *path, const struct paging_arg *args, size_t nargs,
                     unsigned size, const char *cursor);
/* Append s percent-encoded as links do (RFC 3986 section 2.3: only unreserved characters stay
 * as they are). Returns 0 or ERR_LIMIT from out. */
int paging_append_encoded(struct buf *out, const char *s);

/* Read page[size] and page[after] of req. Nonzero when they are wrong: the 400 answer is then
 * made and the handler just returns. */
int paging_from_req(struct http_req *req, struct paging *out);
/* The same for a keyed list (fills after_at too). */
int paging_keyed_from_req(struct http_req *req, struct paging *out);

/* Add "meta" and "links" to a list body. last_id is the id of the page's last item (0 for an
 * empty page). Returns 0, or nonzero when the request's memory ran out (then reply 500). */
int paging_add_meta(struct http_req *req, json_t *body, const struct paging *pg, bool has_more,
                    int64_t last_id);
/* Answer 200 with a page: {key: list, "meta", "links"}; list holds the page's rendered items
 * (its reference is taken), the last with id last_id (0 for an empty page); more says whether
 * the service found one past the page. 500 when the request's memory ran out. */
void paging_reply_list(struct http_req *req, const struct paging *pg, const char *key, json_t *list,
                       bool more, int64_t last_id);
/* The same for a keyed list: last_at is the sort key of the page's last item. */
int paging_keyed_add_meta(struct http_req *req, json_t *body, const struct paging *pg,
                          bool has_more, int64_t last_at, int64_t last_id);

#endif
