/* identity: the requester's identity checked before billing is discussed (policy clauses 1.5 and
 * 3, issue 5).
 *
 * A ticket's requester is "verified" for that ticket for 24 hours after either
 *   - "code": they typed the 6-digit code mailed to the owners and billing contacts of the
 *     ticket's organization (POST /api/v2/tickets/{id}/identity/challenge and .../verify), or
 *   - "session": they created or commented on the ticket through a signed-in portal session while
 *     being an owner or billing contact of the ticket's organization (identity_note_session()).
 * Verification belongs to one ticket: a code of another ticket never verifies this one.
 *
 * Codes are uniformly random 000000-999999 from the environment's random source, stored only as a
 * keyed hash (the instance's token key, service/secrets.h), compared in constant time, never
 * returned, logged or audited. A challenge expires 15 minutes after it was created and locks after
 * 5 wrong tries; tries are counted in the same write transaction as the check, so parallel guesses
 * cannot exceed 5. A new challenge supersedes the ticket's open one.
 *
 * Every function runs in one transaction of its own unless it says "inside the caller's
 * transaction". Thread-safe: no shared state.
 */
#ifndef FRONTDESK_SERVICE_IDENTITY_H
#define FRONTDESK_SERVICE_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "core/mask.h"
#include "db/db.h"
#include "store/organizations.h"
#include "store/users.h"

#define IDENTITY_CODE_DIGITS  6
#define IDENTITY_CODE_TTL     (15 * 60)      /* seconds a code is good for */
#define IDENTITY_MAX_ATTEMPTS 5              /* wrong tries that lock a challenge */
#define IDENTITY_VERIFIED_FOR (24 * 60 * 60) /* seconds a verification lasts */
#define IDENTITY_CONTACTS_MAX 32             /* addresses one code goes to, the first by id */
/* Codes one ticket may send per hour: a new code resets the 5 tries, so this bounds guessing
 * (25 tries an hour out of a million codes) and the mail the account's owners receive. More is
 * ERR_CONFLICT with the reason "identity_too_many_codes". */
#define IDENTITY_CODES_PER_HOUR 5

/* Inside the caller's transaction. Sets *verified to whether ticket_id's requester is verified for
 * that ticket at now and *until to the end of that verification (0 when not verified). Both stay
 * untouched on failure. A ticket that does not exist is simply not verified. */
int identity_ticket_verified(struct db *db, int64_t ticket_id, int64_t now, bool *verified,
                             int64_t *until, struct err *e);

/* Inside the caller's transaction. Records a "session" verification of ticket_id, valid until
 * now + 24 h, when user_id is the ticket's requester and an active owner or billing contact of the
 * ticket's organization; otherwise does nothing and returns 0. Call it after a ticket was created
 * or commented on through a signed-in portal session (actor channel web, subject the requester).
 * Audited as "identity.verified" {"method": "session"} when it records something. */
int identity_note_session(struct db *db, int64_t ticket_id, int64_t user_id, int64_t now,
                          struct err *e);

/* ---- the use cases behind the API (each one transaction) ------------------------------------
 *
 * Who: staff, or the ticket's requester (ERR_NOT_FOUND for a ticket the subject may not see at
 * all, ERR_FORBIDDEN for one they see but did not request, e.g. their account's owner). The
 * billing disclosure is for staff only (ERR_FORBIDDEN).
 * Refusals that the API names by an error code of their own carry that code in e->field with
 * e->code ERR_CONFLICT or ERR_FORBIDDEN: "identity_no_contacts", "identity_no_challenge",
 * "identity_locked", "identity_expired", "identity_unverified". A wrong code is ERR_INVALID
 * naming "code". */

struct identity_actor {
    struct access_subject subject;
    const char *ip; /* for the audit log; NULL off HTTP */
};

struct identity_challenge_sent {
    int64_t id;
    int64_t ticket_id;
    int64_t expires_at;
    int64_t attempts_left;
    size_t count;                                                         /* addresses in sent_to */
    char sent_to[IDENTITY_CONTACTS_MAX][MASK_EMAIL_SIZE(USER_EMAIL_MAX)]; /* masked */
};

/* What GET /api/v2/tickets/{id}/identity shows. */
struct identity_status {
    bool verified;
    char method[8];         /* "code" or "session"; "" when not verified */
    int64_t verified_until; /* 0 when not verified */
    bool has_challenge;     /* the newest open or locked challenge (expired ones included) */
    int64_t challenge_expires_at;
    int64_t attempts_left;
    bool locked;
};

/* Send a new code for ticket_id to every owner and billing contact of its organization (outbox
 * kind "identity_code", one row per address), superseding the ticket's open challenge; audit
 * "identity.challenge_sent" {"addresses": n}. "identity_no_contacts" when the ticket has no
 * organization or the organization no such active person. */
int identity_challenge(const struct env *env, struct db *db, const struct identity_actor *actor,
                       int64_t ticket_id, struct identity_challenge_sent *out, struct err *e);

/* Check code (len bytes) against the ticket's open challenge; every wrong try is counted in
 * the same transaction, under the ticket's row lock. Right: the requester is verified for the
 * ticket for IDENTITY_VERIFIED_FOR (audit "identity.verified" {"method": "code"}) and *out
 * receives the new status. Wrong: ERR_INVALID naming "code" with *attempts_left set; the try
 * that exhausts them locks the challenge (audit "identity.locked") and answers
 * "identity_locked", as does every later one. Also "identity_no_challenge",
 * "identity_expired". attempts_left may be NULL. */
int identity_verify(const struct env *env, struct db *db, const struct identity_actor *actor,
                    int64_t ticket_id, const char *code, size_t len, struct identity_status *out,
                    int64_t *attempts_left, struct err *e);

/* The ticket's identity status now. */
int identity_status_show(const struct env *env, struct db *db, const struct identity_actor *actor,
                         int64_t ticket_id, struct identity_status *out, struct err *e);

/* Staff only: the billing facts of the ticket's own organization, once its requester is
 * verified ("identity_unverified" before), into *org and facts (JSON object text appended; the
 * caller inits and releases it, with a cap of at least ORGANIZATION_BILLING_MAX). Audited as
 * "billing.disclosed" {"organization_id", "fields": [...]} on the ticket, in the same
 * transaction as the read. */
int identity_billing_disclose(const struct env *env, struct db *db,
                              const struct identity_actor *actor, int64_t ticket_id,
                              struct organization *org, struct buf *facts, struct err *e);

#endif
