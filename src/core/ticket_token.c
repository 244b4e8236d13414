#include "core/ticket_token.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SUFFIX_HEX 8

/* The first 4 bytes of HMAC-SHA-256(key, decimal id), as 8 lower-case hex digits. */
static void suffix_of(const unsigned char key[TICKET_TOKEN_KEY_BYTES], int64_t id,
                      char out[SUFFIX_HEX + 1])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)id);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, TICKET_TOKEN_KEY_BYTES);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)digits, (unsigned long long)n);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, SUFFIX_HEX + 1, mac, SUFFIX_HEX / 2);
    sodium_memzero(&st, sizeof st);
}

void ticket_token_format(const unsigned char key[TICKET_TOKEN_KEY_BYTES], int64_t ticket_id,
                         char out[TICKET_TOKEN_MAX])
{
    char suffix[SUFFIX_HEX + 1];
    suffix_of(key, ticket_id, suffix);
    snprintf(out, TICKET_TOKEN_MAX, "[#%lld-%s]", (long long)ticket_id, suffix);
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A token starting at s[0] == '[': its id and suffix, or false. */
static bool token_at(const char *s, size_t len, int64_t *id, char suffix[SUFFIX_HEX + 1])
{
    if (len < 2 || s[0] != '[' || s[1] != '#')
        return false;
    size_t i = 2;
    int64_t v = 0;
    size_t digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (digits == 18 || (digits == 0 && s[i] == '0'))
            return false; /* no leading zero, at most 18 digits: fits int64 */
        v = v * 10 + (s[i] - '0');
        i++;
        digits++;
    }
    if (!digits || i + 1 + SUFFIX_HEX + 1 > len || s[i] != '-')
        return false;
    i++;
    for (size_t k = 0; k < SUFFIX_HEX; k++) {
        if (!is_hex(s[i + k]))
            return false;
        char c = s[i + k];
        suffix[k] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    }
    suffix[SUFFIX_HEX] = '\0';
    if (s[i + SUFFIX_HEX] != ']')
        return false;
    *id = v;
    return true;
}

int64_t ticket_token_find(const unsigned char key[TICKET_TOKEN_KEY_BYTES], const char *subject,
                          size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (subject[i] != '[')
            continue;
        int64_t id;
        char given[SUFFIX_HEX + 1];
        if (!token_at(subject + i, len - i, &id, given) || id <= 0)
            continue;
        char want[SUFFIX_HEX + 1];
        suffix_of(key, id, want);
        if (sodium_memcmp(given, want, SUFFIX_HEX) == 0)
            return id;
    }
    return 0;
}
