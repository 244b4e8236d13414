/* ticket_queues: the tickets of a queue (a view), page by page, in the order support works them.
 *
 * A queue is a set of statuses, optionally narrowed to one assignee, to unassigned tickets or to
 * one team. Its tickets come oldest update first (updated_at, then id, ascending): the ticket
 * that has waited longest without anyone touching it leads; or by SLA due instant, soonest
 * first (tickets_status_due), the tickets whose clocks are not running after them by id. Pages are
 * keyed on (updated_at, id) so each is an index range (the status, assignee and team indexes all
 * end in updated_at, id; migration 0008): one range per status, merged, which both engines do in
 * well under a millisecond at a million tickets. A ticket updated while someone pages moves to the
 * end of the queue; it may then show up again on a later page, as in any live queue, and none is
 * skipped that was in the queue the whole time. Runs on the caller's connection and transaction;
 * strings come from the caller's arena.
 */
#ifndef FRONTDESK_STORE_TICKET_QUEUES_H
#define FRONTDESK_STORE_TICKET_QUEUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"
#include "store/tickets.h"

enum ticket_queue_assignee {
    TICKET_QUEUE_ANYONE = 0,  /* assigned or not */
    TICKET_QUEUE_ASSIGNED_TO, /* to assignee_id */
    TICKET_QUEUE_UNASSIGNED,  /* to nobody */
};

enum ticket_queue_order {
    TICKET_QUEUE_BY_UPDATE = 0, /* least recently updated first: (updated_at, id) */
    TICKET_QUEUE_BY_DUE,        /* SLA due soonest first, then tickets without one by id */
};

struct ticket_queue {
    unsigned statuses; /* a set: bit (1u << enum ticket_status) for each status the queue holds */
    enum ticket_queue_order order;
    enum ticket_queue_assignee assignee;
    int64_t assignee_id; /* with TICKET_QUEUE_ASSIGNED_TO */
    int64_t group_id;    /* 0: any team */
};

/* Up to limit tickets of q after the key (after_at, after_id), in queue order, into
 * out[0..*n). after_id 0 starts at the beginning. An empty status set holds nothing. */
int ticket_queue_page(struct db *db, const struct ticket_queue *q, bool with_internal,
                      int64_t after_at, int64_t after_id, unsigned limit, struct arena *a,
                      struct ticket *out, size_t *n, struct err *e);

/* A ticket's key in q's order, for the next page's cursor: its updated_at, or its SLA due
 * instant (INT64_MAX when it has none). */
int64_t ticket_queue_key(const struct ticket_queue *q, const struct ticket *t);

/* How many tickets q holds now. */
int ticket_queue_count(struct db *db, const struct ticket_queue *q, int64_t *count, struct err *e);

#endif
