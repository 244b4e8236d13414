/* mask: addresses shown to someone who must not learn them in full.
 *
 * An identity challenge (service/identity.h) tells the person who asked for it where the code
 * went without disclosing the account's owner and billing addresses to a requester who may be
 * an impostor: "olive@acme.example" shows as "o***@acme.example". The domain stays readable
 * (it says which mailbox provider to check), the local part keeps its first character only (a
 * whole UTF-8 sequence, never half of one), so its length is hidden too. Pure; thread-safe.
 */
#ifndef FRONTDESK_CORE_MASK_H
#define FRONTDESK_CORE_MASK_H

#include <stddef.h>

/* The bytes mask_email() writes at most for an address of len bytes, its NUL included. */
#define MASK_EMAIL_SIZE(len) ((len) + 5)

/* Write the masked form of the address s (len bytes) to out (cap bytes), NUL-terminated:
 * the first character of the local part, "***", "@" and the domain (after the last "@") as
 * given. Anything without a non-empty local part and domain masks whole: "***". Returns the
 * length written, or -1 (out untouched) when cap is smaller than MASK_EMAIL_SIZE(len). */
int mask_email(const char *s, size_t len, char *out, size_t cap);

#endif
