/* auth: sign-in, sessions, API tokens, password resets. Transport-free: the HTTP layer (and the
 * CLI for tokens) call these; each is one transaction.
 *
 * Secrets handed to clients (session cookies, API tokens, reset links) are 32 random bytes,
 * base64url (43 characters); only their keyed BLAKE2b-256 hash is stored (secrets.h), so a
 * database dump holds nothing that signs anyone in. Passwords are Argon2id (setup.h documents
 * the parameters). Sessions expire after AUTH_SESSION_IDLE without use and AUTH_SESSION_MAX
 * after sign-in, whichever comes first. Every sign-in, failure, sign-out and token creation is
 * written to the audit log in the same transaction.
 */
#ifndef FRONTDESK_SERVICE_AUTH_H
#define FRONTDESK_SERVICE_AUTH_H

#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"
#include "store/credentials.h"
#include "store/users.h"

#define AUTH_SECRET_LEN 43 /* base64url of 32 bytes, no padding */
#define AUTH_SESSION_IDLE (12 * 3600)
#define AUTH_SESSION_MAX (14 * 86400)
#define AUTH_SESSION_TOUCH_EVERY 300 /* last_seen_at is written at most this often */
#define AUTH_RESET_TTL 3600
#define AUTH_PASSWORD_MIN 12   /* characters */
#define AUTH_PASSWORD_MAX 1024 /* bytes */

/* Keyed hash (hex) of a secret the client holds. out needs CRED_HASH_HEX + 1 bytes. */
void auth_hash_secret(const struct env *env, const char *secret, size_t len,
                      char out[CRED_HASH_HEX + 1]);
/* A fresh secret (NUL-terminated). */
void auth_new_secret(const struct env *env, char out[AUTH_SECRET_LEN + 1]);
/* The CSRF token of a session: derived from the cookie, so nothing more is stored. */
void auth_csrf_token(const struct env *env, const char *session_secret,
                     char out[AUTH_SECRET_LEN + 1]);

struct auth_sign_in {
    const char *email;
    const char *password;
    const char *ip;         /* for throttling and the audit log */
    const char *user_agent; /* stored with the session */
};

/* Check the password and open a session. On success fills *user and the session secret (the
 * cookie value). Failures: ERR_FORBIDDEN with one message for "no such user", "wrong password"
 * and "deactivated" alike (the answer must not tell which); when the email or the address has
 * failed too often (core/throttle.h), ERR_LIMIT with *retry_after in seconds. */
int auth_sign_in(const struct env *env, struct db *db, const struct auth_sign_in *in,
                 struct user *user, char secret[AUTH_SECRET_LEN + 1], int64_t *retry_after,
                 struct err *e);

/* Resolve a session cookie; ERR_NOT_FOUND when unknown or expired (expired ones are deleted).
 * Fills *session and *user. */
int auth_session_resolve(const struct env *env, struct db *db, const char *secret,
                         struct session_row *session, struct user *user, struct err *e);
int auth_sign_out(const struct env *env, struct db *db, int64_t session_id, int64_t user_id,
                  const char *ip, struct err *e);
/* End every session of the user. */
int auth_sign_out_everywhere(const struct env *env, struct db *db, int64_t user_id,
                             const char *ip, struct err *e);

/* Resolve an API token; ERR_NOT_FOUND when unknown or revoked. */
int auth_token_resolve(const struct env *env, struct db *db, const char *secret,
                       struct api_token_row *token, struct user *user, struct err *e);
/* Create an API token for a staff member (ERR_INVALID naming "email" for requesters). The
 * secret is shown once and never stored. */
int auth_token_create(const struct env *env, struct db *db, const char *email, const char *name,
                      int64_t actor_id, struct api_token_row *token,
                      char secret[AUTH_SECRET_LEN + 1], struct err *e);

/* Revoke a token: its owner or an admin may (is_admin). ERR_NOT_FOUND for a token the actor
 * may not see, so ids reveal nothing; audited as api_token.revoked. Idempotent. */
int auth_token_revoke(const struct env *env, struct db *db, int64_t token_id, int64_t actor_id,
                      bool is_admin, const char *ip, struct err *e);

/* Password reset, step one: when the email belongs to a user, store a one-time token and queue
 * the mail with the link (outbox). Unknown emails succeed silently, so the answer reveals
 * nothing. base_url prefixes the link ("http://127.0.0.1:8080"). */
int auth_password_reset_request(const struct env *env, struct db *db, const char *email,
                                const char *base_url, const char *ip, struct err *e);
/* Step two: spend the token, set the new password (validated: ERR_INVALID naming "password"),
 * end every session of the user. */
int auth_password_reset_confirm(const struct env *env, struct db *db, const char *token,
                                const char *password, const char *ip, struct err *e);

/* Hash a password with Argon2id; ERR_INVALID naming field when too short or long. */
int auth_hash_password(const char *password, const char *field,
                       char out[USER_PASSWORD_HASH_MAX + 1], struct err *e);

#endif
