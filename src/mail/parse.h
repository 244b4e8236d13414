/* mail/parse: one RFC 5322 message, as bytes, into the facts the mail gateway needs (issue 6,
 * "Email in"). GMime does the MIME work; this file decides what a support desk reads from it.
 *
 * Pure enough to fuzz: no I/O, no database, no global state beyond GMime's one-time init
 * (mail_parse_init(), idempotent and thread-safe, called by whoever parses first). Every string in
 * the result is UTF-8 (each part's declared charset converted; undeclared 8-bit text read as
 * Windows-1252 when it is not valid UTF-8), NUL-terminated, allocated from the caller's arena.
 * Bounded: MIME nesting deeper than MAIL_PARSE_DEPTH_MAX fails ("too_deep"), and parsing
 * a message of n bytes takes O(n) time and at most a small multiple of n in memory.
 */
#ifndef FRONTDESK_MAIL_PARSE_H
#define FRONTDESK_MAIL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

#define MAIL_PARSE_DEPTH_MAX      50
#define MAIL_PARSE_REFERENCES_MAX 20 /* the last ones kept of a longer References chain */

/* Caps on what is kept of the attachments (the raw message is always kept whole elsewhere). */
struct mail_parse_limits {
    size_t attachment_max;  /* one file; a larger one is dropped (listed in dropped[]) */
    size_t total_max;       /* all kept files together; past it the rest are dropped */
    size_t attachments_max; /* how many files are kept at most */
};

struct mail_attachment {
    const char *filename; /* decoded (RFC 2231 / 2047), path parts removed; "attachment" if none */
    const char *content_type;  /* "image/png" (lower case, no parameters) */
    const unsigned char *data; /* decoded bytes (arena) */
    size_t size;
    bool inline_part; /* Content-Disposition: inline (an image in the HTML, say) */
};

struct mail_dropped {
    const char *filename;
    size_t size;        /* its decoded size */
    const char *reason; /* "too_large" | "total_too_large" | "too_many" */
};

/* Why a message is automatic (loop and noise rules): any of these set means no automatic reply. */
struct mail_auto {
    bool auto_submitted;  /* Auto-Submitted present with a value other than "no" */
    bool precedence_bulk; /* Precedence: bulk, list or junk */
    bool suppress;        /* X-Auto-Response-Suppress present (any value but "None") */
    bool list;            /* List-Id or List-Unsubscribe present */
    bool daemon_sender;   /* the sender's local part is mailer-daemon or postmaster (any case) */
};

/* A delivery status report (RFC 3464 multipart/report; report-type=delivery-status). */
struct mail_bounce {
    bool is_bounce;
    const char *recipient;           /* Final-Recipient (the address part), or NULL */
    const char *action;              /* "failed", "delayed", ... or NULL */
    const char *status;              /* "5.1.1" or NULL */
    const char *original_message_id; /* Message-ID of the returned message ("<...>") or NULL */
};

struct mail_parsed {
    const char *from_address; /* lower-cased domain, local part as written; NULL: none usable */
    const char *from_name;    /* decoded display name, or NULL */
    const char *reply_to;     /* the address, or NULL (never decides who someone is) */
    const char **to;          /* addresses of To, then Cc */
    size_t to_count;
    const char *subject;     /* decoded, unfolded, trimmed; "" when absent */
    const char *message_id;  /* "<...>" as written, or NULL */
    const char *in_reply_to; /* the first "<...>" of In-Reply-To, or NULL */
    const char **references; /* each "<...>", oldest first, at most MAIL_PARSE_REFERENCES_MAX */
    size_t reference_count;
    int64_t date; /* Date header as Unix seconds, 0 when absent or unreadable */

    const char *text;    /* the whole body as text: text/plain preferred, else HTML made text */
    const char *visible; /* text with quoted history and signature trimmed ("On ... wrote:",
                            "-----Original Message-----", "> " runs at the end, "-- " sig);
                            never empty when text is not: falls back to text */
    bool text_from_html; /* no text/plain part: text was made from HTML */

    struct mail_attachment *attachments;
    size_t attachment_count;
    struct mail_dropped *dropped;
    size_t dropped_count;

    struct mail_auto automatic;
    struct mail_bounce bounce;
    bool malformed; /* GMime reported a defect it could work around (kept, parse succeeded) */
};

/* Idempotent and thread-safe. */
void mail_parse_init(void);

/* Parse raw[0..len). 0 and *out filled, or ERR_INVALID with e->reason one of:
 *   "empty"        nothing but whitespace,
 *   "not_mail"     no header block (GMime could not read a message),
 *   "no_sender"    no From (or Sender) address,
 *   "too_deep"     MIME nesting past MAIL_PARSE_DEPTH_MAX,
 *   "bad_boundary" a multipart whose boundary is missing or never occurs,
 * and e->message saying it in words; ERR_LIMIT when the arena's limit is reached. */
int mail_parse(const char *raw, size_t len, const struct mail_parse_limits *limits, struct arena *a,
               struct mail_parsed *out, struct err *e);

/* HTML to readable text (block elements to line breaks, entities decoded, script/style dropped,
 * links as "text (URL)"), for mail_parse and for tests. */
char *mail_html_to_text(const char *html, size_t len, struct arena *a);

/* The visible part of a reply (see mail_parsed.visible). */
char *mail_trim_quoted(const char *text, struct arena *a);

#endif
