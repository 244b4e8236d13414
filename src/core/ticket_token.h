/* ticket_token: the token in a mail subject that threads a reply into its ticket (issue 6).
 *
 * "[#123-ab12cd34]": the ticket id, then 8 hex digits (32 bits) of HMAC-SHA-256 keyed with the
 * instance's mail key (service/secrets.h, made at init and kept in the database, so every
 * process agrees). A bare "#123" or a token with the wrong suffix names no ticket: nobody can
 * thread mail into a ticket they only know the number of.
 */
#ifndef FRONTDESK_CORE_TICKET_TOKEN_H
#define FRONTDESK_CORE_TICKET_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TICKET_TOKEN_KEY_BYTES 32
#define TICKET_TOKEN_MAX       40 /* "[#" + 19 digits + "-" + 8 hex + "]" + NUL fits */

/* Write the token of ticket_id (> 0) into out. */
void ticket_token_format(const unsigned char key[TICKET_TOKEN_KEY_BYTES], int64_t ticket_id,
                         char out[TICKET_TOKEN_MAX]);

/* The ticket id of the first token in subject whose suffix verifies (compared in constant time),
 * or 0 when there is none. Tokens that do not verify are skipped, not trusted. */
int64_t ticket_token_find(const unsigned char key[TICKET_TOKEN_KEY_BYTES], const char *subject,
                          size_t len);

#endif
