/* fuzz_email_addr: email_addr_valid(), which judges addresses from sign-up forms and mail.
 *
 * The input is the candidate address (length-delimited, not terminated). It is compared with a
 * reference written from the rules in src/core/email_addr.h, in both directions: 3..254 octets;
 * exactly one '@'; a dot-atom local part of 1..64 octets (RFC 5322 atext or octets >= 0x80, no
 * leading, trailing or doubled dot); a domain of at least two labels of 1..63 octets (letters,
 * digits, '-' not at either end, octets >= 0x80); octets >= 0x80 only as well-formed UTF-8
 * (RFC 6531; utf8_valid() is the judge, tested on its own). Validity does not depend on ASCII
 * case.
 */
#include "fuzz.h"

#include "base/buf.h"
#include "core/email_addr.h"

#include <string.h>

static bool ref_atext(unsigned char c)
{
    static const char specials[] = "!#$%&'*+-/=?^_`{|}~";
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80)
        return true;
    for (const char *p = specials; *p; p++)
        if (c == (unsigned char)*p)
            return true;
    return false;
}

static bool ref_local(const unsigned char *p, size_t len)
{
    if (len < 1 || len > 64 || p[0] == '.' || p[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '.' ? (i > 0 && p[i - 1] == '.') : !ref_atext(p[i]))
            return false;
    }
    return true;
}

static bool ref_label(const unsigned char *p, size_t len)
{
    if (len < 1 || len > 63 || p[0] == '-' || p[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c >= 0x80))
            return false;
    }
    return true;
}

static bool ref_domain(const unsigned char *p, size_t len)
{
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && p[i] != '.')
            continue;
        if (!ref_label(p + start, i - start))
            return false;
        labels++;
        start = i + 1;
    }
    return labels >= 2;
}

static bool ref_valid(const unsigned char *s, size_t len, size_t *ats)
{
    size_t at = 0;
    *ats = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '@') {
            at = i;
            (*ats)++;
        }
    }
    if (len < 3 || len > 254 || *ats != 1 || !utf8_valid((const char *)s, len))
        return false;
    return ref_local(s, at) && ref_domain(s + at + 1, len - at - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool got = email_addr_valid((const char *)data, size);
    size_t ats;
    bool want = ref_valid(data, size, &ats);
    if (got)
        FUZZ_CHECK(ats == 1, "valid with %zu '@' (%zu bytes)", ats, size);
    FUZZ_CHECK(got == want, "\"%.*s\" (%zu bytes): valid=%d, reference says %d",
               (int)(size > 300 ? 300 : size), (const char *)data, size, got, want);

    /* Changing ASCII case changes nothing. */
    char *upper = malloc(size ? size : 1);
    if (!upper)
        abort();
    for (size_t i = 0; i < size; i++)
        upper[i] = (char)(data[i] >= 'a' && data[i] <= 'z' ? data[i] - 'a' + 'A' : data[i]);
    bool got_upper = email_addr_valid(upper, size);
    FUZZ_CHECK(got_upper == got, "upper-casing turns valid=%d into %d", got, got_upper);
    free(upper);
    return 0;
}
