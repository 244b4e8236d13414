/* email_addr: is this string an email address we accept for a person?
 *
 * The practical subset of RFC 5321/5322 addresses that mail systems deliver to: a dot-atom local
 * part (RFC 5322 section 3.2.3 atext, no leading, trailing or doubled dots, at most 64 octets),
 * "@", and a domain of at least two DNS labels (letters, digits, hyphens not at either end,
 * 1-63 octets each; UTF-8 octets allowed for internationalised names), 254 octets in all
 * (RFC 5321 section 4.5.3.1 with the path's angle brackets removed). Quoted local parts and
 * address literals are refused: nobody signs in with them. Pure; thread-safe.
 */
#ifndef FRONTDESK_CORE_EMAIL_ADDR_H
#define FRONTDESK_CORE_EMAIL_ADDR_H

#include <stdbool.h>
#include <stddef.h>

bool email_addr_valid(const char *s, size_t len);

#endif
