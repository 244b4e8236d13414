#include "core/priority.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FIELD_JUSTIFICATION "ticket.policy_justification"

/* ---- derivation ------------------------------------------------------------------------------ */

/* A bounded string being built in a fixed buffer: appends past the cap are cut, never
 * overflowed (the test checks that the longest reason fits, so nothing is cut in practice). */
struct line {
    char *buf;
    size_t cap, len;
};

static void put(struct line *l, const char *s)
{
    size_t n = strlen(s);
    if (n > l->cap - 1 - l->len)
        n = l->cap - 1 - l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    l->buf[l->len] = '\0';
}

/* Only an explicit yes holds; unknown and out-of-range values do not (see the header). */
static bool holds(enum priority_fact f)
{
    return f == PRIORITY_FACT_YES;
}

/* "Critical: A and no workaround exists", "Critical: A and B, and no workaround exists",
 * "Critical: A, B and C, and no workaround exists". */
static void critical_reason(const struct priority_facts *f, struct line *l)
{
    const char *impact[3];
    size_t n = 0;
    if (holds(f->service_down))
        impact[n++] = "the service is down";
    if (holds(f->data_lost))
        impact[n++] = "data is unavailable or lost";
    if (holds(f->feature_down))
        impact[n++] = "a critical documented feature is unavailable";
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            put(l, i + 1 == n ? " and " : ", ");
        put(l, impact[i]);
    }
    put(l, n > 1 ? ", and no workaround exists" : " and no workaround exists");
}

void priority_derive(const struct priority_facts *f, bool package_active,
                     struct priority_decision *out)
{
    bool impact = holds(f->service_down) || holds(f->data_lost) || holds(f->feature_down);
    /* "No workaround exists" must be given as such: unknown means one may exist. */
    bool no_workaround = f->workaround == PRIORITY_FACT_NO;

    if (impact && no_workaround) {
        out->priority = TICKET_PRIORITY_URGENT;
        out->basis = "critical";
    } else if (package_active) {
        out->priority = TICKET_PRIORITY_HIGH;
        out->basis = "package";
    } else {
        out->priority = TICKET_PRIORITY_NORMAL;
        out->basis = "default";
    }
    out->clause = PRIORITY_CLAUSE;

    struct line l = {out->reason, sizeof out->reason, 0};
    out->reason[0] = '\0';
    put(&l, ticket_priority_policy_name(out->priority));
    put(&l, ": ");
    if (out->priority == TICKET_PRIORITY_URGENT) {
        critical_reason(f, &l);
    } else {
        /* Why it is not critical, then what the package decided. */
        if (!impact)
            put(&l, "nothing is reported down, lost or unavailable");
        else if (f->workaround == PRIORITY_FACT_YES)
            put(&l, "a workaround exists for the reported impact");
        else
            put(&l, "it is not known whether a workaround exists");
        put(&l, package_active ? ", and the account's extra support package is active"
                               : ", and the account's extra support package is not active");
    }
    put(&l, " (" PRIORITY_CLAUSE ").");
}

/* ---- re-derivation --------------------------------------------------------------------------- */

bool priority_rederive(bool set_by_hand)
{
    return !set_by_hand;
}

/* ---- staff override -------------------------------------------------------------------------- */

/* Decode one UTF-8 sequence at s (NUL-terminated): its code point in *cp and its length, or 0
 * when it is not well-formed (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF, no
 * truncated sequence; the NUL stops a truncated one since it is not a continuation byte). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    size_t n;
    uint32_t c = s[0], min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* Unicode's White_Space property (PropList.txt), which includes the ASCII ones. */
static bool is_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

/* Code points of s once white space is trimmed from both ends, or -1 when s is not valid UTF-8.
 * One pass: count from the first non-space, remember the count at the last non-space. */
static long trimmed_length(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    long count = 0, upto_last = 0;
    bool started = false;
    while (*p) {
        uint32_t c;
        size_t n = utf8_decode(p, &c);
        if (n == 0)
            return -1;
        p += n;
        if (is_space(c)) {
            if (started)
                count++;
            continue;
        }
        started = true;
        upto_last = ++count;
    }
    return upto_last;
}

int priority_check_justification(const char *justification, const char *what, struct err *e)
{
    long n = justification ? trimmed_length(justification) : 0;
    if (n < 0)
        return err_set(e, ERR_INVALID, FIELD_JUSTIFICATION,
                       "%s needs a justification in valid UTF-8", what);
    if (n < PRIORITY_JUSTIFICATION_MIN)
        return err_set(e, ERR_INVALID, FIELD_JUSTIFICATION,
                       "%s needs a written justification of at least %d characters, got %ld", what,
                       PRIORITY_JUSTIFICATION_MIN, n);
    return 0;
}

int priority_check_override(enum ticket_priority derived, enum ticket_priority wanted,
                            const char *justification, struct err *e)
{
    const char *from = ticket_priority_name(derived), *to = ticket_priority_name(wanted);
    if (from == NULL || to == NULL)
        return err_set(e, ERR_INTERNAL, "priority", "priority out of range (derived %d, wanted %d)",
                       (int)derived, (int)wanted);
    if (derived == wanted)
        return 0;

    long n = justification ? trimmed_length(justification) : 0;
    if (n < 0)
        return err_set(e, ERR_INVALID, FIELD_JUSTIFICATION, "justification is not valid UTF-8");
    if (n == 0)
        return err_set(e, ERR_INVALID, FIELD_JUSTIFICATION,
                       "a priority change from %s (derived) to %s needs a written justification "
                       "of at least %d characters",
                       from, to, PRIORITY_JUSTIFICATION_MIN);
    if (n < PRIORITY_JUSTIFICATION_MIN)
        return err_set(e, ERR_INVALID, FIELD_JUSTIFICATION,
                       "justification too short: a priority change from %s (derived) to %s needs "
                       "at least %d characters, got %ld",
                       from, to, PRIORITY_JUSTIFICATION_MIN, n);
    return 0;
}
