#include "core/email_addr.h"

#include "base/buf.h"

#include <string.h>

/* RFC 5322 atext, plus bytes >= 0x80 (RFC 6531 allows UTF-8 local parts). */
static bool is_atext(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80)
        return true;
    return c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool is_label_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c >= 0x80;
}

static bool local_part_valid(const unsigned char *p, size_t len)
{
    if (len == 0 || len > 64 || p[0] == '.' || p[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '.') {
            if (p[i + 1] == '.')
                return false;
        } else if (!is_atext(p[i])) {
            return false;
        }
    }
    return true;
}

static bool domain_valid(const unsigned char *p, size_t len)
{
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && p[i] != '.') {
            if (!is_label_char(p[i]))
                return false;
            continue;
        }
        size_t n = i - start;
        if (n == 0 || n > 63 || p[start] == '-' || p[i - 1] == '-')
            return false;
        labels++;
        start = i + 1;
    }
    return labels >= 2;
}

bool email_addr_valid(const char *s, size_t len)
{
    /* Octets >= 0x80 are accepted below only as parts of well-formed UTF-8 (RFC 6531). */
    if (len < 3 || len > 254 || !utf8_valid(s, len))
        return false;
    const char *at = memchr(s, '@', len);
    if (!at || memchr(at + 1, '@', len - (size_t)(at + 1 - s)))
        return false;
    const unsigned char *u = (const unsigned char *)s;
    size_t local_len = (size_t)(at - s);
    return local_part_valid(u, local_len) && domain_valid(u + local_len + 1, len - local_len - 1);
}

int email_addr_ban_key(const char *s, size_t len, char *out, size_t cap)
{
    if (!email_addr_valid(s, len))
        return -1;
    const char *at = memchr(s, '@', len);
    size_t local_len = (size_t)(at - s);
    const char *plus = memchr(s, '+', local_len);
    size_t keep = plus && plus > s ? (size_t)(plus - s) : local_len;
    size_t n = keep + (len - local_len);
    if (n >= cap)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (i >= keep && i < local_len)
            continue; /* the +tag */
        unsigned char c = (unsigned char)s[i];
        out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    out[o] = '\0';
    return 0;
}
