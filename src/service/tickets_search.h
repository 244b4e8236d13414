/* tickets_search: Zendesk's search over tickets (GET /api/v2/search), transport-free.
 *
 * The query language is parsed by core/search_query; this module resolves its references and
 * runs it in one read transaction, showing the caller only what core/access lets them see.
 * Zendesk pages search by offset (page, per_page), unlike the cursor pages of other lists.
 * Thread-safe as long as each thread uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_TICKETS_SEARCH_H
#define FRONTDESK_SERVICE_TICKETS_SEARCH_H

#include "core/search_query.h"
#include "service/tickets.h"

#define TICKETS_SEARCH_PER_PAGE_MAX 100
#define TICKETS_SEARCH_RESULTS_MAX  1000 /* as Zendesk: pages stop after this many results */

struct tickets_search_page {
    struct ticket *items; /* from the arena, by id */
    size_t count;
    int64_t total; /* every match, on every page */
};

/* Search the tickets s may see (core/search_query.h is the language). References resolve
 * inside the transaction: "me" is s, an email names a user, a name an organization or group
 * (ASCII case-insensitive); what resolves to nothing matches nothing (or everything, negated).
 * Free text matches the subject and the comments s may see: requesters never match an
 * internal note's text. page counts from 1, per_page is 1..TICKETS_SEARCH_PER_PAGE_MAX; a page
 * past TICKETS_SEARCH_RESULTS_MAX results is ERR_INVALID naming "page"; a bad tag is
 * ERR_INVALID naming "query". ERR_FORBIDDEN when anonymous. */
int tickets_search(struct db *db, const struct access_subject *s, const struct search_query *q,
                   unsigned page, unsigned per_page, struct arena *a,
                   struct tickets_search_page *out, struct err *e);

#endif
