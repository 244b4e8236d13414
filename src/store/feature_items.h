/* feature_items: the product team's feature items (policy clause 2) and the tickets linked to
 * them. Repository over tables feature_items and feature_item_tickets; runs on the caller's
 * connection and transaction. The service (service/feature_items.h) decides who may do what and
 * what a status change implies; this module only reads and writes.
 *
 * A ticket is linked to at most one item (feature_item_tickets.ticket_id is the key), so
 * re-linking moves it. An item's counts are computed from the links whenever it is read, never
 * stored, so they are exact: ticket_count is the number of linked tickets, account_count the
 * number of distinct organizations of those tickets (a ticket without one counts as a ticket
 * only). Reading an item costs two indexed counts over its links; a listing computes them for
 * every item of the filter before it sorts, which is fine at the size of a feature board.
 *
 * Strings of what is read (title, description, subject) come from the caller's arena and live as
 * long as it does; ERR_LIMIT when the arena is full. Thread-safe as far as the connection is (one
 * thread per connection).
 */
#ifndef FRONTDESK_STORE_FEATURE_ITEMS_H
#define FRONTDESK_STORE_FEATURE_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#define FEATURE_ITEM_STATUS_MAX 16 /* bytes of the longest status ("under_review") + NUL */

struct feature_item {
    int64_t id;
    const char *title;
    const char *description; /* "" when none */
    char status[FEATURE_ITEM_STATUS_MAX];
    int64_t ticket_count;
    int64_t account_count;
    int64_t created_at;
    int64_t updated_at;
    int64_t shipped_at; /* 0 until it first ships; kept when the status moves on */
};

/* Insert an item (status one of the schema's, as the service checked it) created and updated at
 * now by created_by (0: nobody signed in), and read it back into *out (strings from a). */
int feature_items_store_insert(struct db *db, const char *title, const char *description,
                               const char *status, int64_t created_by, int64_t now, struct arena *a,
                               struct feature_item *out, struct err *e);

/* By id, with its counts, into *out (strings from a). ERR_NOT_FOUND when absent. */
int feature_items_store_get(struct db *db, int64_t id, struct arena *a, struct feature_item *out,
                            struct err *e);

/* Inside a write transaction, lock the item's row until commit, so two status changes of one
 * item serialize (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the writer lock already does).
 * ERR_NOT_FOUND when absent. */
int feature_items_store_lock(struct db *db, int64_t id, struct err *e);

/* Write title, description and status (each NULL: unchanged) and updated_at = now.
 * ERR_NOT_FOUND when absent. */
int feature_items_store_update(struct db *db, int64_t id, const char *title,
                               const char *description, const char *status, int64_t now,
                               struct err *e);

/* Set shipped_at = now unless it is set already; *first says whether this call set it (the item
 * ships for the first time). ERR_NOT_FOUND when absent. */
int feature_items_store_mark_shipped(struct db *db, int64_t id, int64_t now, bool *first,
                                     struct err *e);

/* Items with status (NULL: any), ordered by ticket_count descending then id ascending, starting
 * after the item (after_count, after_id) of that order (after_id 0: from the start); up to limit
 * into out[0..*n) (strings from a). */
int feature_items_store_list(struct db *db, const char *status, int64_t after_count,
                             int64_t after_id, unsigned limit, struct arena *a,
                             struct feature_item *out, size_t *n, struct err *e);

/* ---- links ----------------------------------------------------------------------------------- */

/* The item ticket_id is linked to into *item_id (0: none). */
int feature_items_store_link_of(struct db *db, int64_t ticket_id, int64_t *item_id, struct err *e);

/* Link ticket_id to item_id by actor at now, replacing any link the ticket had. */
int feature_items_store_link(struct db *db, int64_t ticket_id, int64_t item_id, int64_t actor,
                             int64_t now, struct err *e);

/* Remove ticket_id's link; ERR_NOT_FOUND when it had none. */
int feature_items_store_unlink(struct db *db, int64_t ticket_id, struct err *e);

/* A linked ticket as the item's ticket list shows it. */
struct feature_item_ticket {
    int64_t id;
    const char *subject;
    int64_t requester_id;
    int64_t organization_id; /* 0: none */
};

/* Up to limit tickets linked to item_id with id > after, by id, into out[0..*n) (subjects from
 * a). */
int feature_items_store_tickets(struct db *db, int64_t item_id, int64_t after, unsigned limit,
                                struct arena *a, struct feature_item_ticket *out, size_t *n,
                                struct err *e);

/* One person who asked for an item: a distinct requester of its linked tickets, with the
 * lowest-numbered of their linked tickets. */
struct feature_item_requester {
    int64_t user_id;
    int64_t ticket_id;
    const char *name;
    const char *email;
};

/* Every distinct requester of item_id's linked tickets, by user id, into *out (malloc'd, the
 * caller frees it; NULL when none) and *n; strings from a. At most cap (ERR_LIMIT beyond). */
int feature_items_store_requesters(struct db *db, int64_t item_id, size_t cap, struct arena *a,
                                   struct feature_item_requester **out, size_t *n, struct err *e);

#endif
