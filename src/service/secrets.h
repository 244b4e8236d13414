/* secrets: keys the instance keeps in its database, so every server process shares them.
 *
 * token_key keys the BLAKE2b hashes under which sessions, API tokens and reset links are
 * stored. The tokens' 256 random bits are what make them unguessable; the key separates one
 * instance's hashes from another's, so a token hash copied between instances means nothing.
 * mail_key keys the HMAC of the ticket token in mail subjects ("[#123-ab12cd34]",
 * core/ticket_token.h), so a reply threads into a ticket only when its sender got our mail.
 * Created once (by init, or by the first process that needs it), never rotated implicitly.
 */
#ifndef FRONTDESK_SERVICE_SECRETS_H
#define FRONTDESK_SERVICE_SECRETS_H

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

#define SECRETS_KEY_BYTES 32

struct secrets {
    unsigned char token_key[SECRETS_KEY_BYTES];
    unsigned char mail_key[SECRETS_KEY_BYTES];
};

/* Load the keys, creating any that are missing (one write transaction). */
int secrets_load(const struct env *env, struct db *db, struct secrets *out, struct err *e);

#endif
