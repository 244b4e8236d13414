/* auth: who is calling. Resolves a request's credentials into a principal and answers the
 * request itself (401/403) when they do not hold up, so handlers read as
 *
 *     struct auth_principal who;
 *     if (auth_require_staff(req, &who))
 *         return;
 *
 * Credentials, as Zendesk clients send them:
 *  - `Authorization: Bearer TOKEN` (an API token);
 *  - `Authorization: Basic base64("email/token:TOKEN")` (Zendesk's API-token form; a plain
 *    password over Basic is refused);
 *  - the `fd_session` cookie of the web UI. Writes (POST, PUT, PATCH, DELETE) authenticated by
 *    the cookie must also send `X-CSRF-Token` with the session's CSRF token (given at sign-in
 *    and by GET /api/v2/users/me), or they answer 403.
 * A request with no credentials is anonymous (subject.user_id == 0). A request with bad
 * credentials (unknown, revoked or expired token or session) answers 401: a client that tried
 * to authenticate must learn it failed. Thread-safe (per request).
 */
#ifndef FRONTDESK_HTTP_AUTH_H
#define FRONTDESK_HTTP_AUTH_H

#include <stdint.h>

#include "core/access.h"
#include "http/request.h"
#include "service/auth.h"
#include "store/users.h"

enum auth_via {
    AUTH_VIA_NONE = 0,
    AUTH_VIA_SESSION,
    AUTH_VIA_BEARER,
    AUTH_VIA_BASIC,
};

struct auth_principal {
    struct access_subject subject; /* what core/access judges */
    struct user user;              /* the signed-in user; zeroed when anonymous */
    enum auth_via via;
    int64_t session_id; /* AUTH_VIA_SESSION only */
    char csrf_token[AUTH_SECRET_LEN + 1]; /* AUTH_VIA_SESSION only: what X-CSRF-Token carries */
    int64_t token_id;   /* AUTH_VIA_BEARER / AUTH_VIA_BASIC only */
};

/* Resolve credentials; anonymous is fine. Nonzero (and the 401/403 answer made) on bad ones. */
int auth_resolve(struct http_req *req, struct auth_principal *out);
/* Signed in, any role; 401 when anonymous. */
int auth_require(struct http_req *req, struct auth_principal *out);
/* Staff (agent, lead, admin); 403 for requesters. */
int auth_require_staff(struct http_req *req, struct auth_principal *out);
/* Admin only; 403 otherwise. */
int auth_require_admin(struct http_req *req, struct auth_principal *out);

#endif
