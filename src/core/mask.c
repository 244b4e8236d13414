#include "core/mask.h"

#include <string.h>

/* Bytes of the UTF-8 sequence that starts with lead (1 for a stray continuation byte, so a
 * malformed address never makes us copy more than it holds). */
static size_t utf8_seq_len(unsigned char lead)
{
    if (lead >= 0xF0 && lead < 0xF8)
        return 4;
    if (lead >= 0xE0)
        return lead < 0xF0 ? 3 : 1;
    if (lead >= 0xC0)
        return 2;
    return 1;
}

int mask_email(const char *s, size_t len, char *out, size_t cap)
{
    if (cap < MASK_EMAIL_SIZE(len))
        return -1;
    const char *at = NULL;
    for (size_t i = len; i > 0; i--)
        if (s[i - 1] == '@') {
            at = s + i - 1;
            break;
        }
    size_t local = at ? (size_t)(at - s) : 0;
    size_t domain = at ? len - local - 1 : 0;
    if (!local || !domain) {
        memcpy(out, "***", 4);
        return 3;
    }
    size_t first = utf8_seq_len((unsigned char)s[0]);
    if (first > local)
        first = 1;
    size_t n = 0;
    memcpy(out, s, first);
    n += first;
    memcpy(out + n, "***", 3);
    n += 3;
    memcpy(out + n, at, domain + 1);
    n += domain + 1;
    out[n] = '\0';
    return (int)n;
}
