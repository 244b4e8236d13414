/* views: the ticket queues staff work from, as Zendesk's views are seen through its API.
 *
 * frontdesk's views are built in (Zendesk's "default" views): their conditions are fixed in the
 * table in views.c, every staff member sees the same ones, and "current_user" in a condition is
 * whoever asks. Requesters have no views (ERR_FORBIDDEN). A view's tickets come in queue order,
 * the longest-untouched first (store/ticket_queues.h), keyed on (updated_at, id).
 */
#ifndef FRONTDESK_SERVICE_VIEWS_H
#define FRONTDESK_SERVICE_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "store/ticket_queues.h"
#include "store/tickets.h"

struct view {
    int64_t id;
    const char *title;
    const char *description;
    unsigned statuses; /* as struct ticket_queue's */
    /* TICKET_QUEUE_ASSIGNED_TO means "assigned to the current user" */
    enum ticket_queue_assignee assignee;
};

/* The built-in views, in display order. */
size_t views_count(void);
const struct view *views_at(size_t i);

/* May s use views at all? ERR_FORBIDDEN (naming no field) for requesters and the anonymous. */
int views_check_access(const struct access_subject *s, struct err *e);

/* The view with this id for s: ERR_FORBIDDEN as above, ERR_NOT_FOUND when there is none. */
int views_find(const struct access_subject *s, int64_t id, const struct view **out, struct err *e);

struct views_page {
    struct ticket *items; /* from the arena */
    size_t count;
    bool has_more;
    int64_t last_key; /* the last item's sort key, for the next page's cursor */
};

/* One page of the view's tickets in the given order after the key (after_at, after_id) (0, 0:
 * the first page). */
int views_tickets_page(struct db *db, const struct access_subject *s, const struct view *v,
                       enum ticket_queue_order order, int64_t after_at, int64_t after_id,
                       unsigned size, struct arena *a, struct views_page *out, struct err *e);

/* How many tickets the view holds for s now. */
int views_ticket_count(struct db *db, const struct access_subject *s, const struct view *v,
                       int64_t *count, struct err *e);

#endif
