/* feature_items (service): feature requests (policy clause 2; issue 5 "Feature requests"). A
 * feature-request ticket escalates to the product team: staff link it to a feature item, new or
 * existing, so each item counts the tickets and the client accounts asking for it. Items have a
 * status, "under_review" (the default), "planned", "shipped" or "declined"; moves between them
 * are free.
 *
 * Rules kept here:
 *  - feature items are internal: every call is for staff only (ERR_FORBIDDEN otherwise, also
 *    before anything is looked up, so a requester learns nothing from ids);
 *  - a ticket is linked to at most one item; linking it again moves it; linking a ticket the
 *    caller may not see is ERR_NOT_FOUND like a ticket that does not exist;
 *  - the first time an item becomes "shipped" its shipped_at is set and every distinct requester
 *    of its linked tickets gets one mail (outbox kind "feature_shipped", ticket_id one of their
 *    linked tickets: the lowest-numbered), in the same transaction. Shipping again later (after
 *    moving it back) notifies nobody: the item's row records that it shipped, under its lock, so
 *    the mail goes exactly once however many calls race.
 * Counts are computed from the links when read (store/feature_items.h), so they are exact.
 *
 * Errors name the field as the API spells it: "feature_item.title" (required, one line, at most
 * FEATURE_ITEMS_TITLE_MAX characters), "feature_item.description" (at most
 * FEATURE_ITEMS_DESCRIPTION_MAX characters), "feature_item.status" (exactly one of the four),
 * "feature_item_id" (no such item, or neither or both of it and a new item given); all
 * ERR_INVALID.
 *
 * Audited (table audit_log, same transaction, target "feature_item"): "feature_item.created"
 * (detail {"title"}), "feature_item.status_changed" (detail {"from", "to", "notified": people
 * mailed}), "feature_item.linked" (detail {"ticket_id", "from": the item it was linked to before
 * or null}) and "feature_item.unlinked" (detail {"ticket_id"}).
 *
 * Writes are one transaction each (db_transact); reads are single statements or read-only
 * transactions. Items are read into caller-owned structs whose strings come from the caller's
 * arena. Thread-safe as far as each thread uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_FEATURE_ITEMS_H
#define FRONTDESK_SERVICE_FEATURE_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "store/feature_items.h"

#define FEATURE_ITEMS_TITLE_MAX       255   /* characters */
#define FEATURE_ITEMS_DESCRIPTION_MAX 10000 /* characters */
/* People one shipment mails at most; an item asked for by more fails to ship with ERR_LIMIT
 * rather than mail some of them. */
#define FEATURE_ITEMS_NOTIFY_MAX 100000

/* Who acts: the signed-in caller, and their address for the audit log (NULL off HTTP). */
struct feature_items_actor {
    struct access_subject subject;
    const char *ip;
};

/* What a create or an update carries; NULL members were not given. */
struct feature_items_input {
    const char *title;
    const char *description;
    const char *status;
};

/* Is s one of the four statuses? */
bool feature_items_status_valid(const char *s);

/* One item with its counts. ERR_NOT_FOUND when absent. */
int feature_items_get(struct db *db, const struct feature_items_actor *actor, int64_t id,
                      struct arena *a, struct feature_item *out, struct err *e);

/* Items with status (NULL: any; otherwise ERR_INVALID naming "status" unless one of the four),
 * by ticket_count descending then id, after the item (after_count, after_id) of that order
 * (after_id 0: from the start); up to limit into out[0..*n). */
int feature_items_list(struct db *db, const struct feature_items_actor *actor, const char *status,
                       int64_t after_count, int64_t after_id, unsigned limit, struct arena *a,
                       struct feature_item *out, size_t *n, struct err *e);

/* A new item (title required; status defaults to "under_review"). */
int feature_items_create(const struct env *env, struct db *db,
                         const struct feature_items_actor *actor,
                         const struct feature_items_input *in, struct arena *a,
                         struct feature_item *out, struct err *e);

/* Change what in gives; a status change may ship the item (see above). ERR_NOT_FOUND when
 * absent. */
int feature_items_update(const struct env *env, struct db *db,
                         const struct feature_items_actor *actor, int64_t id,
                         const struct feature_items_input *in, struct arena *a,
                         struct feature_item *out, struct err *e);

/* Link ticket_id to the existing item item_id, or (item_id 0) to a new item made from
 * new_item (NULL when not given); exactly one of the two. *out is the item, counts included. */
int feature_items_link_ticket(const struct env *env, struct db *db,
                              const struct feature_items_actor *actor, int64_t ticket_id,
                              int64_t item_id, const struct feature_items_input *new_item,
                              struct arena *a, struct feature_item *out, struct err *e);

/* Remove ticket_id's link; ERR_NOT_FOUND when the ticket is not visible or has no link. */
int feature_items_unlink_ticket(const struct env *env, struct db *db,
                                const struct feature_items_actor *actor, int64_t ticket_id,
                                struct err *e);

/* The item ticket_id is linked to: *linked false (and *out untouched) when none. */
int feature_items_of_ticket(struct db *db, const struct feature_items_actor *actor,
                            int64_t ticket_id, struct arena *a, struct feature_item *out,
                            bool *linked, struct err *e);

/* Up to limit of the tickets linked to item id with id > after, by id. ERR_NOT_FOUND when the
 * item is absent. */
int feature_items_tickets(struct db *db, const struct feature_items_actor *actor, int64_t id,
                          int64_t after, unsigned limit, struct arena *a,
                          struct feature_item_ticket *out, size_t *n, struct err *e);

#endif
