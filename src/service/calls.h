/* calls (service): the phone channel (issue 6 "Phone"). Staff log a call on an existing ticket
 * or as a new ticket with via.channel "voice"; requesters ask for a callback from the portal,
 * and those requests form a queue of their own.
 *
 * Calls, staff only (ERR_FORBIDDEN for anyone else, before anything is looked up):
 *  - on an existing ticket (ticket_id): one transaction writes the call row and its notes as a
 *    comment by the agent through tickets_update_tx(), public unless is_public is 0. A public
 *    call is a public exchange with the requester, so it is the staff reply that stops the SLA
 *    clocks (SLA_EV_STAFF_REPLY, core/sla.h); an internal note stops nothing. No reply mail goes
 *    out (suppress_mail): the requester heard it on the phone.
 *  - without ticket_id: tickets_create_tx() opens a ticket with channel "voice" whose first
 *    comment is the notes by the agent, requester by id or inline (found by email or created),
 *    subject required; core/sla.h counts the call as the first touch, met at creation. No
 *    acknowledgement mail (a voice ticket gets none).
 *  The call row and the ticket write commit together or not at all, with the audit entry
 *  "call.logged" (target "call", detail {"ticket_id", "direction", "public", "ticket_created"}).
 *  A phone number is '+' (optional, first) and 5 to 15 digits; spaces, dashes, dots and
 *  parentheses are accepted and dropped (calls_phone_normalize()).
 *
 * Errors name the field as the API spells it, all ERR_INVALID: "call.direction" ("inbound" or
 * "outbound"), "call.phone_number", "call.duration_seconds" (0..CALLS_DURATION_MAX, required),
 * "call.notes" (required, not blank, at most TICKET_COMMENT_MAX bytes), "call.started_at" (not
 * in the future; default now), "call.ticket_id" (no such ticket), "call.subject",
 * "call.requester_id", "call.requester.email", "call.requester.name" (new tickets only; a
 * requester is required; with ticket_id they are refused). Errors of the ticket write name
 * "call.*" for "ticket.*" ("ticket.comment.body" is "call.notes"); a closed ticket is
 * ERR_CONFLICT.
 *
 * Callback requests:
 *  - created by a signed-in requester (end-user; staff get ERR_FORBIDDEN) for themselves:
 *    phone_number, reason (required, at most CALLS_REASON_MAX characters), preferred_time (free
 *    text, at most CALLS_PREFERRED_TIME_MAX characters), ticket_id (their own ticket only, else
 *    ERR_INVALID naming "callback_request.ticket_id"). A banned requester (service/bans.h) is
 *    ERR_FORBIDDEN with reason "requester_banned"; one with CALLS_CALLBACKS_OPEN_MAX requests
 *    open or in progress is ERR_INVALID naming "callback_request" (counted under the
 *    requester's row lock, so concurrent requests cannot pass it together).
 *  - read: staff read all; a requester reads only their own (another's is ERR_NOT_FOUND).
 *  - status: open -> in_progress -> done | cancelled, open -> cancelled, in_progress -> open (let
 *    it go); done and cancelled are final. Anything else is ERR_CONFLICT naming
 *    "callback_request.status". Taking it (in_progress) assigns the agent unless assignee_id
 *    says otherwise; staff may set assignee_id to themselves or null only. "done" may link the
 *    call made (call_id: an existing call, else ERR_INVALID naming "callback_request.call_id";
 *    call_id is refused with any other status); a request without a ticket then takes the
 *    call's ticket when it is the requester's. A requester may only cancel their own request
 *    (ERR_FORBIDDEN naming any other field or status).
 *  Audited: "callback_request.created" (target "callback_request", detail {"ticket_id"}) and
 *  "callback_request.status_changed" (detail {"from", "to", "call_id"}).
 *
 * Each write is one transaction; reads are read transactions. Rows go to caller-owned structs
 * with strings from the caller's arena. Thread-safe as far as each thread uses its own
 * connection.
 */
#ifndef FRONTDESK_SERVICE_CALLS_H
#define FRONTDESK_SERVICE_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "store/calls.h"
#include "store/tickets.h"

#define CALLS_DURATION_MAX       86400 /* seconds: a day */
#define CALLS_REASON_MAX         10000 /* characters */
#define CALLS_PREFERRED_TIME_MAX 200   /* characters */
#define CALLS_CALLBACKS_OPEN_MAX 3     /* open or in-progress requests per requester */

/* Who acts: the signed-in caller, and their address for the audit log (NULL off HTTP). */
struct calls_actor {
    struct access_subject subject;
    const char *ip;
};

/* Normalize the phone number s into out: '+' only first, then digits, with spaces, dashes,
 * dots and parentheses dropped; 5 to 15 digits. 0, or ERR_INVALID naming field. */
int calls_phone_normalize(const char *s, const char *field, char out[CALLS_PHONE_MAX + 1],
                          struct err *e);

/* What a logged call carries; NULL or not-given members were absent. */
struct calls_input {
    const char *direction;
    const char *phone_number;
    bool duration_given;
    int64_t duration_seconds;
    const char *notes;
    bool started_at_given;
    int64_t started_at;
    int is_public;     /* -1: not given (public), 0: internal note, 1: public */
    int64_t ticket_id; /* 0: open a new voice ticket */
    /* a new ticket only */
    const char *subject;
    int64_t requester_id;       /* 0: not given */
    bool inline_requester;      /* requester: {name, email} */
    const char *requester_name; /* NULL: the email's local part */
    const char *requester_email;
};

struct calls_logged {
    struct call call;
    struct ticket ticket; /* as staff see it after the write */
    bool ticket_created;
};

int calls_log(const struct env *env, struct db *db, const struct calls_actor *actor,
              const struct calls_input *in, struct arena *a, struct calls_logged *out,
              struct err *e);

/* One call; ERR_NOT_FOUND when absent. */
int calls_show(struct db *db, const struct calls_actor *actor, int64_t id, struct arena *a,
               struct call *out, struct err *e);

/* Up to limit calls with id > after, by id: of ticket_id, or of every ticket (0). With
 * ticket_required, a ticket that does not exist is ERR_NOT_FOUND (the ticket's own list). */
int calls_list_page(struct db *db, const struct calls_actor *actor, int64_t ticket_id,
                    bool ticket_required, int64_t after, unsigned limit, struct arena *a,
                    struct call *out, size_t *n, struct err *e);

/* ---- callback requests ----------------------------------------------------------------------- */

struct calls_callback_input {
    const char *phone_number;
    const char *preferred_time; /* NULL: not given */
    const char *reason;
    int64_t ticket_id; /* 0: none */
};

int calls_callback_create(const struct env *env, struct db *db, const struct calls_actor *actor,
                          const struct calls_callback_input *in, struct arena *a,
                          struct callback_request *out, struct err *e);

/* One request the actor may see; ERR_NOT_FOUND otherwise. */
int calls_callback_show(struct db *db, const struct calls_actor *actor, int64_t id, struct arena *a,
                        struct callback_request *out, struct err *e);

/* The statuses named by a comma-separated list ("open,in_progress") into *mask; NULL or "" is
 * every status. ERR_INVALID naming "status" for an unknown one. */
int calls_callback_status_mask(const char *list, unsigned *mask, struct err *e);

/* The queue, oldest first ((created_at, id) after (after_at, after_id); after_id 0: from the
 * start): every request with a status in mask for staff, the actor's own for a requester. */
int calls_callback_list(struct db *db, const struct calls_actor *actor, unsigned mask,
                        int64_t after_at, int64_t after_id, unsigned limit, struct arena *a,
                        struct callback_request *out, size_t *n, struct err *e);

struct calls_callback_update {
    const char *status; /* NULL: unchanged */
    bool assignee_given;
    int64_t assignee_id; /* 0: nobody */
    bool call_given;
    int64_t call_id;
};

int calls_callback_update(const struct env *env, struct db *db, const struct calls_actor *actor,
                          int64_t id, const struct calls_callback_update *in, struct arena *a,
                          struct callback_request *out, struct err *e);

#endif
