/* mail/text: what the mail parser's files share (internal to src/mail/): text made valid
 * UTF-8, Windows-1252 decoding, small ASCII helpers, and the nesting pre-scan. */
#ifndef FRONTDESK_MAIL_TEXT_H
#define FRONTDESK_MAIL_TEXT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"

enum clean_mode {
    CLEAN_BODY, /* CRLF and CR to LF, NUL to U+FFFD, other controls kept */
    CLEAN_LINE, /* every control and whitespace run to one space, trimmed (headers) */
};

/* Code point cp as UTF-8 at out (room for 4 bytes; invalid ones become U+FFFD); the length. */
size_t mail_utf8_put(char *out, uint32_t cp);

/* s[0..len) as valid UTF-8 in the arena (invalid bytes become U+FFFD), NULL at the limit. */
char *mail_clean(struct arena *a, const char *s, size_t len, enum clean_mode mode);
char *mail_clean_cstr(struct arena *a, const char *s, enum clean_mode mode);

/* The code point of Windows-1252 byte c (0x80..0x9F per WHATWG; others are Latin-1). */
uint32_t mail_cp1252_code_point(unsigned char c);

/* Windows-1252 bytes to UTF-8 in buf b. */
void mail_cp1252_to_utf8(const unsigned char *s, size_t len, struct buf *b);

/* Is the MIME nesting of raw[0..len) within MAIL_PARSE_DEPTH_MAX? One linear pass over the
 * bytes, before GMime (which recurses per level) sees them. */
bool mail_scan_depth_ok(const char *raw, size_t len);

static inline bool ascii_ieq(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len == n && g_ascii_strncasecmp(s, lit, n) == 0;
}

static inline bool ascii_prefix(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len >= n && g_ascii_strncasecmp(s, lit, n) == 0;
}

static inline bool is_wsp(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline struct slice trim_ws(const char *s, size_t len)
{
    while (len > 0 && is_wsp(s[0])) {
        s++;
        len--;
    }
    while (len > 0 && is_wsp(s[len - 1]))
        len--;
    return (struct slice){s, len};
}

#endif
