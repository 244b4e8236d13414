/* hc_paging: Zendesk's offset paging for the help-center lists (issue 7; http/hc_content.c,
 * http/hc_feedback.c, http/hc_search.c), as Help Center API v2 answers it:
 *     ?page=P&per_page=K  (P 1..HC_PAGING_PAGE_MAX, default 1; K 1..max, default 30)
 *     {key: [...], "next_page": URL | null, "previous_page": URL | null, "count": N,
 *      "page": P, "per_page": K, "page_count": C}
 * next_page and previous_page are absolute URLs (the server's public URL) that keep the list's
 * other arguments, percent-encoded (RFC 3986 section 2.3), then page and per_page.
 * The rest of the API pages by cursor (http/paging.h); these lists keep Zendesk's offsets because
 * Help Center clients send them. Functions belong to the request's thread.
 */
#ifndef FRONTDESK_HTTP_HC_PAGING_H
#define FRONTDESK_HTTP_HC_PAGING_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "http/paging.h"
#include "http/request.h"

#define HC_PAGING_PER_PAGE_DEFAULT 30
#define HC_PAGING_PAGE_MAX         1000000

struct hc_page {
    int64_t page;     /* 1..HC_PAGING_PAGE_MAX */
    int64_t per_page; /* 1..the list's maximum */
};

/* page and per_page (1..per_page_max) of req. Nonzero when one is not a whole number in range:
 * the 400 answer naming it is then made and the handler just returns. */
int hc_paging_from_req(struct http_req *req, int64_t per_page_max, struct hc_page *out);

/* The rows to skip before page pg. */
int64_t hc_paging_offset(const struct hc_page *pg);

/* The rows of page pg out of n held in memory: [*from, *to). */
void hc_paging_bounds(const struct hc_page *pg, size_t n, size_t *from, size_t *to);

/* A new JSON string: the public URL, path, "?", each of args (http/paging.h's) as name=value&
 * (a NULL value: name&), then
 * page=page&per_page=pg->per_page. */
json_t *hc_paging_link(struct http_req *req, const char *path, const struct paging_arg *args,
                       size_t nargs, const struct hc_page *pg, int64_t page);

/* Add next_page, previous_page, count, page, per_page and page_count to body, after what it
 * holds, for a list of total rows; the links are hc_paging_link(req, path, args, nargs, ...). */
void hc_paging_members(struct http_req *req, json_t *body, const char *path,
                       const struct paging_arg *args, size_t nargs, const struct hc_page *pg,
                       int64_t total);

/* Answer 200 {key: list, next_page, previous_page, count, page, per_page, page_count} for a list
 * of total rows (list's reference is taken); the links go to req's own path with its other
 * query arguments. */
void hc_paging_reply(struct http_req *req, const struct hc_page *pg, const char *key, json_t *list,
                     int64_t total);

#endif
