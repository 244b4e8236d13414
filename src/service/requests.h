/* requests (service): Zendesk's Requests API for people without an account: a visitor's "leave a
 * message" (the chat widget outside support hours) and the portal's "Submit a request without an
 * account" become a web ticket of an end-user, exactly as if that end-user had used the portal.
 *
 * Rules:
 *  - Anonymous: the requester is found by email (any case, as tickets' inline requester is) or
 *    created as an end-user with the name given; an address of a staff member is ERR_INVALID
 *    naming "request.requester.email" (staff use the console), and nothing is written. The
 *    ticket is then created by tickets_create_tx AS THAT END-USER with channel web, so the
 *    acknowledgement, the support policy's decision, bans (ERR_FORBIDDEN, reason
 *    "requester_banned") and SLA clocks apply as for the portal. The user, the ticket and the
 *    audit entry "request.anonymous" (detail {"ticket_id"}: never the address) commit together:
 *    a refused ticket leaves no new user behind.
 *  - Signed in: the request is the caller's own; requester fields are ignored. Staff are
 *    ERR_FORBIDDEN (they create tickets in the console, as any requester). The channel is the
 *    actor's (web for a session, api for a token).
 *  - Rate limit (anonymous only): REQUESTS_ANON_MAX per client address in REQUESTS_ANON_WINDOW
 *    seconds, counted in the attempts table shared with sign-in throttling (key "request:ip:ADDR")
 *    in a transaction of its own before the request's, under a lock per key, so parallel
 *    requests see each other and a refused attempt (a staff address, a ban) still counts.
 *    Beyond it: ERR_LIMIT with *retry_after the seconds until the oldest counted attempt leaves
 *    the window.
 *  - Errors name fields as the API spells them: "request.requester.name",
 *    "request.requester.email", "request.subject", "request.comment.body".
 *
 * Thread-safe as far as each thread uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_REQUESTS_H
#define FRONTDESK_SERVICE_REQUESTS_H

#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "db/db.h"
#include "service/tickets.h"

#define REQUESTS_ANON_MAX    10        /* anonymous requests per client address ... */
#define REQUESTS_ANON_WINDOW (60 * 60) /* ... in this many seconds */

struct requests_new {
    const char *requester_name;  /* anonymous only; required */
    const char *requester_email; /* anonymous only; required */
    const char *subject;
    const char *body;
    const char *ip; /* the client address as text (the rate limit's key, the audit entry) */
};

/* Create a request. actor: the signed-in caller, or subject.user_id 0 for an anonymous one.
 * Fills *out (strings from a) as the requester sees the ticket. On ERR_LIMIT *retry_after holds
 * the seconds to wait; otherwise it is left alone. */
int requests_create(const struct env *env, struct db *db, const struct tickets_actor *actor,
                    const struct requests_new *in, struct arena *a, struct ticket *out,
                    int64_t *retry_after, struct err *e);

#endif
