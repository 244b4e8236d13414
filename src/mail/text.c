/* mail/text: see text.h. */
#include "mail/text.h"

/* ---- UTF-8 ------------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, surrogates or > U+10FFFF),
 * 0 when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return left >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

size_t mail_utf8_put(char *out, uint32_t cp)
{
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One pass of mail_clean(): writes to out when not NULL, returns the length either way. */
static size_t clean_pass(const unsigned char *s, size_t len, enum clean_mode mode, char *out)
{
    size_t n = 0;
    bool space = true; /* CLEAN_LINE: the last byte written was a space (or nothing yet) */
    char tmp[4];
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            if (mode == CLEAN_LINE) {
                if (c < 0x20 || c == 0x7F || c == ' ') {
                    if (!space) {
                        if (out)
                            out[n] = ' ';
                        n++;
                        space = true;
                    }
                    continue;
                }
                space = false;
            } else if (c == '\r') {
                if (i < len && s[i] == '\n')
                    continue; /* CRLF: the LF is written next */
                c = '\n';
            } else if (c == 0) {
                n += mail_utf8_put(out ? out + n : tmp, 0xFFFD);
                continue;
            }
            if (out)
                out[n] = (char)c;
            n++;
            continue;
        }
        size_t k = utf8_seq(s + i, len - i);
        space = false;
        if (k == 0) {
            n += mail_utf8_put(out ? out + n : tmp, 0xFFFD);
            i++;
            continue;
        }
        if (out)
            memcpy(out + n, s + i, k);
        n += k;
        i += k;
    }
    if (mode == CLEAN_LINE && space && n > 0)
        n--; /* the trailing space */
    return n;
}

/* s[0..len) as valid UTF-8 in the arena (invalid bytes become U+FFFD), NULL at the limit. */
char *mail_clean(struct arena *a, const char *s, size_t len, enum clean_mode mode)
{
    const unsigned char *u = (const unsigned char *)s;
    if (mode == CLEAN_BODY && !memchr(s, '\r', len) && !memchr(s, '\0', len) && utf8_valid(s, len))
        return arena_strndup(a, s, len); /* the common case: nothing to change */
    size_t n = clean_pass(u, len, mode, NULL);
    char *out = arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t m = clean_pass(u, len, mode, out);
    out[m < n ? m : n] = '\0';
    return out;
}

char *mail_clean_cstr(struct arena *a, const char *s, enum clean_mode mode)
{
    return mail_clean(a, s ? s : "", s ? strlen(s) : 0, mode);
}

/* Windows-1252's 0x80..0x9F (WHATWG encoding standard; the five holes map to the C1 code
 * point, as browsers do). ISO-8859-1 is read the same way: its C1 range is never text. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

uint32_t mail_cp1252_code_point(unsigned char c)
{
    return c >= 0x80 && c < 0xA0 ? cp1252_high[c - 0x80] : c;
}

/* Windows-1252 bytes to UTF-8 in buf b. */
void mail_cp1252_to_utf8(const unsigned char *s, size_t len, struct buf *b)
{
    char tmp[4];
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c < 0x80) {
            buf_append_char(b, (char)c);
            continue;
        }
        uint32_t cp = c < 0xA0 ? cp1252_high[c - 0x80] : c;
        buf_append(b, tmp, mail_utf8_put(tmp, cp));
    }
}
