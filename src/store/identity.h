/* identity (store): identity challenges and verifications of tickets' requesters (tables
 * identity_challenges and identity_verifications, migration 0014). Runs on the caller's
 * connection and transaction; service/identity.h holds the rules (who may ask, how codes are
 * made, hashed and compared, when a challenge expires or locks). This module only reads and
 * writes, and never sees a code: only its keyed hash.
 *
 * A challenge's status is "open" until it is "verified" (its code was typed), "locked" (too many
 * wrong tries) or "superseded" (a newer challenge was sent for the ticket). Thread-safe as far
 * as the connection is (one thread per connection).
 */
#ifndef FRONTDESK_STORE_IDENTITY_H
#define FRONTDESK_STORE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "store/users.h"

#define IDENTITY_HASH_HEX   64 /* hex digits of a code's keyed BLAKE2b-256 */
#define IDENTITY_STATUS_MAX 10 /* "superseded" */
#define IDENTITY_METHOD_MAX 7  /* "session" */

struct identity_challenge {
    int64_t id;
    int64_t ticket_id;
    int64_t requester_id;    /* whom a right code verifies */
    int64_t organization_id; /* whose contacts were sent the code */
    char code_hash[IDENTITY_HASH_HEX + 1];
    int64_t sent_to;    /* addresses the code went to */
    int64_t created_by; /* 0: nobody signed in */
    int64_t created_at;
    int64_t expires_at;
    int64_t attempts; /* wrong tries so far */
    char status[IDENTITY_STATUS_MAX + 1];
};

/* Insert c (id, attempts and status are ignored: a new challenge is open with no tries) and set
 * c->id. */
int identity_challenges_insert(struct db *db, struct identity_challenge *c, struct err *e);

/* How many challenges of ticket_id were created at or after since, into *count. */
int identity_challenges_count_since(struct db *db, int64_t ticket_id, int64_t since, int64_t *count,
                                    struct err *e);

/* Mark every open or locked challenge of ticket_id superseded at now; *count (may be NULL)
 * receives how many. */
int identity_challenges_supersede(struct db *db, int64_t ticket_id, int64_t now, int64_t *count,
                                  struct err *e);

/* The ticket's newest challenge that is open or locked, into *out with *found true; *found false
 * (and *out untouched) when there is none. */
int identity_challenges_current(struct db *db, int64_t ticket_id, struct identity_challenge *out,
                                bool *found, struct err *e);

/* Count one wrong try of open challenge id; when that makes max_attempts, lock it at now.
 * *attempts receives the count after this try and *locked whether the challenge is now locked.
 * ERR_NOT_FOUND when no open challenge has that id. */
int identity_challenges_wrong_try(struct db *db, int64_t id, int64_t max_attempts, int64_t now,
                                  int64_t *attempts, bool *locked, struct err *e);

/* Close open challenge id as verified at now; ERR_NOT_FOUND when no open challenge has that id. */
int identity_challenges_verified(struct db *db, int64_t id, int64_t now, struct err *e);

struct identity_verification {
    int64_t ticket_id;
    int64_t user_id;
    int64_t organization_id;
    const char *method;   /* "code" or "session" */
    int64_t challenge_id; /* 0: none (a session) */
    int64_t verified_at;
    int64_t verified_until;
};

int identity_verifications_insert(struct db *db, const struct identity_verification *v,
                                  struct err *e);

/* The verification of user_id for ticket_id and organization_id that lasts longest past now:
 * *found, and when found its method (IDENTITY_METHOD_MAX + 1 bytes) and verified_until. */
int identity_verifications_current(struct db *db, int64_t ticket_id, int64_t user_id,
                                   int64_t organization_id, int64_t now, bool *found, char *method,
                                   int64_t *until, struct err *e);

/* Addresses an identity code goes to: the active users of organization_id whose account_role is
 * "owner" or "billing_contact", by id, at most cap of them, into out[0..*n). */
int identity_contacts(struct db *db, int64_t organization_id, char (*out)[USER_EMAIL_MAX + 1],
                      size_t cap, size_t *n, struct err *e);

#endif
