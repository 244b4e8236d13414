/* setup: bringing a new instance to life.
 *
 * init records when the instance was created and, while no administrator exists, issues a
 * one-time setup token (printed once by `frontdesk init`, stored only as a BLAKE2b hash, replaced
 * by every later init). POST /api/v2/setup trades the token for the first administrator account;
 * after that the token is gone and setup answers "conflict". This is how a fresh deployment gets
 * its first admin without a default password (the pattern Jenkins' initial admin password uses).
 * Each call is one transaction. Thread-safe as long as each thread uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_SETUP_H
#define FRONTDESK_SERVICE_SETUP_H

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"
#include "store/users.h"

#define SETUP_TOKEN_LEN 43 /* 32 random bytes, base64url without padding */

enum {
    SETUP_ADMIN_EXISTS = 0,
    SETUP_TOKEN_ISSUED = 1,
};

/* Record the instance's creation time once and, while no admin exists, issue a new token into
 * token (NUL-terminated). Returns SETUP_TOKEN_ISSUED, SETUP_ADMIN_EXISTS or a negative code. */
int setup_init_instance(const struct env *env, struct db *db, char token[SETUP_TOKEN_LEN + 1],
                        struct err *e);

struct setup_request {
    const char *token;
    const char *name;
    const char *email;
    const char *password;
    const char *ip; /* for the audit log; may be NULL */
};

/* Create the first administrator. Errors, in the order they are checked:
 * ERR_CONFLICT when setup is already complete; ERR_FORBIDDEN (field "setup_token") for a missing
 * or wrong token; ERR_INVALID naming "user.name", "user.email" or "user.password". On success
 * fills *out; the token is spent and an audit entry "setup.completed" is written. */
int setup_create_admin(const struct env *env, struct db *db, const struct setup_request *req,
                       struct user *out, struct err *e);

#endif
