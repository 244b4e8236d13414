/* Magic numbers: PNG (RFC 2083 section 12.11), JPEG (JFIF: FF D8 FF), GIF (GIF87a/GIF89a),
 * WebP (RIFF....WEBP, RFC 9649), PDF ("%PDF-", ISO 32000), ZIP local file header or empty
 * archive (PK\3\4, PK\5\6, PK\7\8; APPNOTE 4.3.7), gzip (1F 8B 08, RFC 1952 section 2.3.1).
 * Everything else is judged as text or not; no pattern ever yields an active type, so HTML and
 * SVG cannot come out of here whatever they look like. */
#include "core/sniff.h"

#include "base/buf.h"

#include <stdbool.h>
#include <string.h>

struct magic {
    const char *bytes;
    size_t len;
    size_t offset;
    const char *type;
};

static const struct magic magics[] = {
    {"\x89PNG\r\n\x1a\n", 8, 0, "image/png"},
    {"\xff\xd8\xff", 3, 0, "image/jpeg"},
    {"GIF87a", 6, 0, "image/gif"},
    {"GIF89a", 6, 0, "image/gif"},
    {"%PDF-", 5, 0, "application/pdf"},
    {"PK\x03\x04", 4, 0, "application/zip"},
    {"PK\x05\x06", 4, 0, "application/zip"},
    {"PK\x07\x08", 4, 0, "application/zip"},
    {"\x1f\x8b\x08", 3, 0, "application/gzip"},
};

static bool has(const unsigned char *p, size_t len, size_t off, const char *bytes, size_t n)
{
    return len >= off + n && memcmp(p + off, bytes, n) == 0;
}

/* UTF-8 with no NUL and few controls. A window cut mid-character is still text: only the bytes
 * before the last (incomplete) sequence are held to validity. */
static bool is_text(const unsigned char *p, size_t len)
{
    size_t n = len > SNIFF_TEXT_WINDOW ? SNIFF_TEXT_WINDOW : len;
    size_t ok = utf8_valid_prefix((const char *)p, n);
    if (ok < n && !(n < len && n - ok <= 3))
        return false;
    for (size_t i = ok; i < n; i++) /* the cut character: lead and continuation bytes only */
        if (p[i] < 0x80)
            return false;
    size_t controls = 0;
    for (size_t i = 0; i < ok; i++) {
        unsigned char c = p[i];
        if (c == 0)
            return false;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) ||
            c == 0x7f)
            controls++;
    }
    return controls * 32 <= ok;
}

const char *sniff_content_type(const void *data, size_t len)
{
    const unsigned char *p = data;
    if (!p || len == 0)
        return SNIFF_TEXT_PLAIN; /* an empty file is (empty) text */
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (has(p, len, magics[i].offset, magics[i].bytes, magics[i].len))
            return magics[i].type;
    if (has(p, len, 0, "RIFF", 4) && has(p, len, 8, "WEBP", 4))
        return "image/webp";
    return is_text(p, len) ? SNIFF_TEXT_PLAIN : SNIFF_OCTET;
}
