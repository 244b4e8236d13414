/* fuzz_netaddr: addresses and address lists from headers and configuration.
 *
 * Every input goes to the three parsers of src/http/netaddr.h:
 *  - netaddr_parse() on the raw bytes (length-delimited, not terminated);
 *  - netaddr_list_parse() on a NUL-terminated copy (the FRONTDESK_TRUSTED_PROXIES value);
 *  - netaddr_client() with the copy as the X-Forwarded-For value, behind a fixed trusted list,
 *    once from a trusted peer and once from an untrusted one.
 *
 * Invariants:
 *  - parse: success means the trimmed bytes hold no NUL (they are the address, all of them), and
 *    formatting then parsing gives the same address (RFC 5952 text or a dotted quad, always
 *    terminated and shorter than NETADDR_STRLEN); failure leaves *out untouched;
 *  - list: at most NETADDR_LIST_MAX entries, prefixes at most 128; every entry's address is
 *    contained in the list; failure is ERR_INVALID naming the field and leaves *out untouched;
 *    a prefix counts in the notation written, so a lone dotted-quad entry (no ':') has a prefix
 *    of at least 96 on the 16-byte form; a single address without '/' or ',' parses as a list
 *    exactly when it parses alone;
 *  - client: an untrusted peer is the client whatever the header says; a trusted peer yields what
 *    a reference walk over the comma-separated entries yields (right to left, stop at the first
 *    untrusted hop or at garbage), with membership tested bit by bit.
 */
#include "fuzz.h"

#include "base/err.h"
#include "http/netaddr.h"

#include <string.h>

static const char trusted_text[] = "10.0.0.0/8, 192.168.0.0/16, 172.16.0.0/12, 127.0.0.1, ::1, "
                                   "fd00::/8, 2001:db8:1::/48, 198.51.100.7/32, 0.0.0.0/32";

static bool bit_of(const struct netaddr *a, unsigned i)
{
    return (a->bytes[i / 8] >> (7 - i % 8)) & 1;
}

/* Membership bit by bit: an independent check of netaddr_list_contains(). */
static bool ref_contains(const struct netaddr_list *l, const struct netaddr *a)
{
    for (unsigned k = 0; k < l->count; k++) {
        bool all = true;
        for (unsigned i = 0; i < l->items[k].prefix && all; i++)
            all = bit_of(&l->items[k].addr, i) == bit_of(a, i);
        if (all)
            return true;
    }
    return false;
}

static void check_parse(const uint8_t *data, size_t size)
{
    struct netaddr a;
    memset(&a, 0xA5, sizeof a);
    struct netaddr before = a;
    if (netaddr_parse((const char *)data, size, &a)) {
        FUZZ_CHECK(netaddr_equal(&a, &before), "out written on failure");
        return;
    }
    FUZZ_CHECK(memchr(data, '\0', size) == NULL,
               "accepted %zu bytes holding a NUL: only the part before it was read", size);
    char text[NETADDR_STRLEN + 1];
    memset(text, 'x', sizeof text);
    netaddr_format(&a, text);
    size_t n = strnlen(text, sizeof text);
    FUZZ_CHECK(n > 0 && n < NETADDR_STRLEN, "formatted length %zu", n);
    struct netaddr b;
    FUZZ_CHECK(netaddr_parse(text, n, &b) == 0, "our own text \"%s\" does not parse", text);
    FUZZ_CHECK(netaddr_equal(&a, &b), "\"%s\" parses to a different address", text);
    char again[NETADDR_STRLEN];
    netaddr_format(&b, again);
    FUZZ_CHECK(strcmp(text, again) == 0, "format not canonical: \"%s\" then \"%s\"", text, again);
}

static void check_list(const char *s, size_t size)
{
    struct netaddr_list list;
    memset(&list, 0x5A, sizeof list);
    struct netaddr_list before = list;
    struct err e;
    err_clear(&e);
    int rc = netaddr_list_parse(s, "trusted_proxies", &list, &e);
    if (rc) {
        FUZZ_CHECK(rc == ERR_INVALID, "code %d", rc);
        FUZZ_CHECK(e.code == rc && strcmp(e.field, "trusted_proxies") == 0,
                   "err code %d field \"%s\"", e.code, e.field);
        FUZZ_CHECK(memcmp(&list, &before, sizeof list) == 0, "out written on failure");
    } else {
        FUZZ_CHECK(list.count <= NETADDR_LIST_MAX, "count %u", list.count);
        for (unsigned i = 0; i < list.count; i++) {
            const struct netaddr_cidr *c = &list.items[i];
            FUZZ_CHECK(c->prefix <= 128, "entry %u: prefix %u", i, c->prefix);
            FUZZ_CHECK(netaddr_list_contains(&list, &c->addr), "entry %u not in its own list", i);
            FUZZ_CHECK(ref_contains(&list, &c->addr), "reference misses entry %u", i);
        }
    }
    size_t len = strlen(s);
    /* A lone dotted quad counts its prefix in 32 bits: /0 is still only IPv4. */
    if (rc == 0 && list.count == 1 && !strchr(s, ':'))
        FUZZ_CHECK(list.items[0].prefix >= 96, "\"%s\": prefix %u", s, list.items[0].prefix);
    /* A lone address is a one-entry list. */
    if (len == size && !strchr(s, ',') && !strchr(s, '/')) {
        struct netaddr a;
        int alone = netaddr_parse(s, len, &a);
        if (rc == 0 && list.count == 1) {
            FUZZ_CHECK(alone == 0, "list accepts \"%s\", netaddr_parse refuses it", s);
            FUZZ_CHECK(netaddr_equal(&a, &list.items[0].addr), "list and parse disagree");
        } else if (rc == 0) {
            FUZZ_CHECK(list.count == 0 && alone != 0, "count %u for a lone entry", list.count);
        } else {
            FUZZ_CHECK(alone != 0, "netaddr_parse accepts \"%s\", the list refuses it", s);
        }
    }
}

/* The reference walk of netaddr.h: split xff on ',' left to right, then go right to left. */
static struct netaddr ref_client(const struct netaddr *peer, const char *xff,
                                 const struct netaddr_list *trusted)
{
    if (!ref_contains(trusted, peer))
        return *peer;
    size_t len = strlen(xff), n = 0;
    size_t *starts = malloc((len + 2) * sizeof *starts);
    size_t *ends = malloc((len + 2) * sizeof *ends);
    if (!starts || !ends)
        abort();
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || xff[i] == ',') {
            starts[n] = start;
            ends[n] = i;
            n++;
            start = i + 1;
        }
    }
    struct netaddr client = *peer;
    /* "" has no entries at all; "a," has an empty last one, which is garbage. */
    for (size_t k = len ? n : 0; k-- > 0;) {
        struct netaddr hop;
        if (netaddr_parse(xff + starts[k], ends[k] - starts[k], &hop))
            break;
        client = hop;
        if (!ref_contains(trusted, &hop))
            break;
    }
    free(starts);
    free(ends);
    return client;
}

static void check_client(const char *xff)
{
    struct netaddr_list trusted;
    struct err e;
    FUZZ_CHECK(netaddr_list_parse(trusted_text, "trusted", &trusted, &e) == 0, "%s", e.message);

    struct netaddr inside, outside;
    FUZZ_CHECK(netaddr_parse("10.1.2.3", 8, &inside) == 0, "10.1.2.3");
    FUZZ_CHECK(netaddr_parse("2001:db8:2::1", 13, &outside) == 0, "2001:db8:2::1");

    struct netaddr got = netaddr_client(&outside, xff, &trusted);
    FUZZ_CHECK(netaddr_equal(&got, &outside), "an untrusted peer was replaced by the header");
    got = netaddr_client(&inside, NULL, &trusted);
    FUZZ_CHECK(netaddr_equal(&got, &inside), "no header, yet the client is not the peer");

    got = netaddr_client(&inside, xff, &trusted);
    struct netaddr want = ref_client(&inside, xff, &trusted);
    char g[NETADDR_STRLEN], w[NETADDR_STRLEN];
    netaddr_format(&got, g);
    netaddr_format(&want, w);
    FUZZ_CHECK(netaddr_equal(&got, &want), "client %s, reference walk says %s", g, w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_parse(data, size);
    char *s = fuzz_cstr(data, size);
    check_list(s, size);
    check_client(s);
    free(s);
    return 0;
}
