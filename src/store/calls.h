/* calls: phone calls staff logged on tickets (table calls) and the callback requests requesters
 * leave in the portal (table callback_requests), migration 0024. Repository only: who may read
 * or write what, and which status moves are allowed, are the service's rules
 * (service/calls.h). Runs on the caller's connection and transaction.
 *
 * Calls are listed by id; callback requests by (created_at, id), oldest first, which is the
 * queue's order (keyed cursors, http/paging.h). Strings of rows read come from the caller's
 * arena (ERR_LIMIT when it runs out). Thread-safe as far as the connection is.
 */
#ifndef FRONTDESK_STORE_CALLS_H
#define FRONTDESK_STORE_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* A normalized number: '+' (optional) and at most 15 digits (E.164). */
#define CALLS_PHONE_MAX 16

struct call {
    int64_t id;
    int64_t ticket_id;
    int64_t comment_id; /* the ticket comment that carries the notes; 0 when it is gone */
    char direction[9];  /* "inbound" | "outbound" */
    char phone_number[CALLS_PHONE_MAX + 1];
    int64_t duration_seconds;
    const char *notes;
    bool is_public;
    int64_t agent_id;
    int64_t started_at;
    int64_t created_at;
};

/* Insert c (id and created_at are made here: created_at = now) and fill *out. */
int calls_insert(struct db *db, const struct call *c, int64_t now, struct arena *a,
                 struct call *out, struct err *e);
/* By id; ERR_NOT_FOUND when absent. */
int calls_get(struct db *db, int64_t id, struct arena *a, struct call *out, struct err *e);
/* Up to limit calls (of ticket_id; 0: of every ticket) with id > after, by id. */
int calls_list(struct db *db, int64_t ticket_id, int64_t after, unsigned limit, struct arena *a,
               struct call *out, size_t *n, struct err *e);
/* The newest comment of ticket_id (the one a write just added), 0 when it has none. */
int calls_last_comment(struct db *db, int64_t ticket_id, int64_t *comment_id, struct err *e);

/* Callback request statuses, as bits so a list can ask for several. */
enum {
    CALLBACK_OPEN = 1u << 0,
    CALLBACK_IN_PROGRESS = 1u << 1,
    CALLBACK_DONE = 1u << 2,
    CALLBACK_CANCELLED = 1u << 3,
    CALLBACK_ANY = 0xf,
};

struct callback_request {
    int64_t id;
    int64_t requester_id;
    int64_t ticket_id; /* 0: none */
    char phone_number[CALLS_PHONE_MAX + 1];
    const char *preferred_time; /* "" when not given */
    const char *reason;
    char status[12];     /* "open" | "in_progress" | "done" | "cancelled" */
    int64_t assignee_id; /* 0: nobody */
    int64_t call_id;     /* 0: none */
    int64_t created_at;
    int64_t updated_at;
    int64_t resolved_at; /* 0 while open or in progress */
};

/* The bit of a status name; 0 for anything else. */
unsigned callback_status_bit(const char *s);

/* Insert r's requester_id, ticket_id, phone_number, preferred_time and reason, status "open",
 * and fill *out. */
int callback_requests_insert(struct db *db, const struct callback_request *r, int64_t now,
                             struct arena *a, struct callback_request *out, struct err *e);
/* By id; ERR_NOT_FOUND when absent. */
int callback_requests_get(struct db *db, int64_t id, struct arena *a, struct callback_request *out,
                          struct err *e);
/* Inside a write transaction, lock the row until commit (PostgreSQL: FOR UPDATE). */
int callback_requests_lock(struct db *db, int64_t id, struct err *e);
/* Write r's ticket_id, status, assignee_id, call_id, updated_at and resolved_at. */
int callback_requests_save(struct db *db, const struct callback_request *r, struct err *e);
/* How many of requester_id's requests have a status in mask. */
int callback_requests_count(struct db *db, int64_t requester_id, unsigned mask, int64_t *n,
                            struct err *e);

/* Which requests a list holds: statuses in mask (never 0), of requester_id (0: anyone). */
struct callback_requests_filter {
    unsigned mask;
    int64_t requester_id;
};

/* Up to limit requests matching f after (after_at, after_id) in (created_at, id) order
 * (after_id 0: from the start). */
int callback_requests_list(struct db *db, const struct callback_requests_filter *f,
                           int64_t after_at, int64_t after_id, unsigned limit, struct arena *a,
                           struct callback_request *out, size_t *n, struct err *e);

#endif
