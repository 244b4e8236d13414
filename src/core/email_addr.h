/* email_addr: is this string an email address we accept for a person?
 *
 * The practical subset of RFC 5321/5322 addresses that mail systems deliver to: a dot-atom local
 * part (RFC 5322 section 3.2.3 atext, no leading, trailing or doubled dots, at most 64 octets),
 * "@", and a domain of at least two DNS labels (letters, digits, hyphens not at either end,
 * 1-63 octets each; UTF-8 octets allowed for internationalised names), 254 octets in all
 * (RFC 5321 section 4.5.3.1 with the path's angle brackets removed). Quoted local parts and
 * address literals are refused: nobody signs in with them. Also: the key under which support
 * bans match such an address (email_addr_ban_key()). Pure; thread-safe.
 */
#ifndef FRONTDESK_CORE_EMAIL_ADDR_H
#define FRONTDESK_CORE_EMAIL_ADDR_H

#include <stdbool.h>
#include <stddef.h>

bool email_addr_valid(const char *s, size_t len);

/* The bytes email_addr_ban_key() may write, its NUL included (a key is never longer than the
 * 254-octet address it comes from). */
#define EMAIL_ADDR_BAN_KEY_SIZE 255

/* The key under which a support ban (policy clause 5, service/bans.h) matches an address, so
 * that variants of one mailbox do not evade it: the whole address in ASCII lower case (octets
 * >= 0x80 are kept as they are), with a "+tag" removed from the local part (from its first "+"
 * up to the "@"; a local part starting with "+" is kept whole, since nothing would be left).
 * Dots in the local part are NOT removed: the policy names case and "+tag" only, and dots are
 * significant at most providers. "Foo.Bar+x@Example.COM" gives "foo.bar@example.com".
 * Writes the NUL-terminated key to out (cap bytes) and returns 0; returns -1, leaving out
 * untouched, when s is not an address email_addr_valid() accepts or the key does not fit. */
int email_addr_ban_key(const char *s, size_t len, char *out, size_t cap);

#endif
