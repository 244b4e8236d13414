/* mail_compose: one outgoing support email as the exact bytes handed to SMTP (issue 6).
 *
 * The message is RFC 5322 with CRLF line endings and MIME (RFC 2045-2047): a
 * multipart/alternative body with a text/plain and a text/html part, both charset=utf-8 and
 * quoted-printable. Headers, in this order: Date (RFC 5322 section 3.3, in UTC, "+0000"), From,
 * To, Subject, Message-ID, In-Reply-To and References (when given), Auto-Submitted:
 * auto-replied (RFC 3834, when asked), MIME-Version: 1.0, Content-Type. Rules:
 *  - no header can be added by input: every control character (0x00-0x1F, 0x7F) in a header
 *    value becomes a space, so a subject "Hi\r\nBcc: x@y.z" stays one Subject line;
 *  - the display name and the subject are written as they are when they are printable ASCII,
 *    hold no "=?" and fit (the name quoted when it has RFC 5322 specials, the subject folded
 *    before spaces at 78 columns); otherwise as RFC 2047 "B" encoded words of UTF-8, at most 40
 *    octets of whole characters each, one per line, so every header line is at most 78 octets
 *    (an address or an identifier may make a line longer, never over RFC 5322's 998);
 *  - invalid UTF-8 in the subject, the name and the bodies becomes U+FFFD; it never fails;
 *  - In-Reply-To and References keep only their identifiers shaped like a Message-ID (below),
 *    one per folded line when they do not fit; a header left without one is omitted;
 *  - bodies: CR LF, lone CR and lone LF are line breaks; quoted-printable lines are at most 76
 *    octets; trailing spaces and tabs, "=", controls and octets >= 0x80 are encoded; a line
 *    starting with "." is kept as it is (dot-stuffing is the SMTP client's job);
 *  - html NULL: the HTML part is made from the text: "&<>\"'" escaped, runs of non-blank lines
 *    become <p> paragraphs with <br> between their lines (a blank line is empty or only spaces
 *    and tabs);
 *  - the boundary is "=_frontdesk_" and 16 hex digits of a 64-bit FNV-1a hash of the
 *    Message-ID, checked against both encoded parts (quoted-printable never writes "=_", so
 *    the check always passes; it is there so the guarantee does not rest on that alone).
 * The same message always gives the same bytes.
 *
 * Pure: libc and src/base (and core/email_addr) only; no allocation but the caller's buffer;
 * thread-safe.
 */
#ifndef FRONTDESK_CORE_MAIL_COMPOSE_H
#define FRONTDESK_CORE_MAIL_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Octets between the angle brackets of a Message-ID we write or keep. */
#define MAIL_COMPOSE_ID_MAX 250

struct mail_message {
    const char *from_name;    /* "RareLogic Support"; NULL or "": the address alone */
    const char *from_address; /* "support@rarelogic.example" */
    const char *to_address;
    const char *subject;     /* UTF-8; NULL reads as "" */
    const char *text;        /* text/plain body, UTF-8; NULL reads as "" */
    const char *html;        /* text/html body; NULL: made from text (see above) */
    const char *message_id;  /* "<outbox-12.9f3a@rarelogic.example>" with the angle brackets */
    const char *in_reply_to; /* NULL or "<...>" */
    const char *references;  /* NULL or "<a> <b>" */
    int64_t date;            /* Unix seconds, rendered in UTC; clamped to years 1970..9999 */
    bool auto_submitted;     /* "Auto-Submitted: auto-replied" (RFC 3834) when true */
};

/* Append the message m to out. Addresses must be a local part and a domain as
 * email_addr_valid() accepts them, a one-label domain ("localhost") allowed too; the Message-ID
 * must be "<", 1..MAIL_COMPOSE_ID_MAX printable ASCII octets other than "<" and ">", ">".
 * Returns 0; ERR_INVALID naming "from_address", "to_address" or "message_id"; or ERR_LIMIT
 * (no field) when out's limit is reached. On failure out is left as it was. O(size of m). */
int mail_compose(const struct mail_message *m, struct buf *out, struct err *e);

/* Is s (NUL-terminated) an address mail_compose() takes: email_addr_valid()'s rules, a one-label
 * domain ("frontdesk@localhost", the default sender) allowed too? */
bool mail_compose_address_valid(const char *s);

#endif
