#include "http/netaddr.h"

#include "base/buf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static const unsigned char v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int netaddr_parse(const char *s, size_t len, struct netaddr *out)
{
    struct slice t = slice_trim((struct slice){s, len});
    char tmp[NETADDR_STRLEN];
    if (t.len == 0 || t.len >= sizeof tmp || memchr(t.ptr, '\0', t.len))
        return ERR_INVALID;
    memcpy(tmp, t.ptr, t.len);
    tmp[t.len] = '\0';
    struct netaddr a;
    unsigned char v4[4];
    if (inet_pton(AF_INET, tmp, v4) == 1) {
        memcpy(a.bytes, v4_mapped_prefix, 12);
        memcpy(a.bytes + 12, v4, 4);
    } else if (inet_pton(AF_INET6, tmp, a.bytes) != 1) {
        return ERR_INVALID;
    }
    *out = a;
    return 0;
}

int netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out)
{
    if (!sa)
        return ERR_INVALID;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        memcpy(out->bytes, v4_mapped_prefix, 12);
        memcpy(out->bytes + 12, &in->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        memcpy(out->bytes, &in6->sin6_addr, 16);
        return 0;
    }
    return ERR_INVALID;
}

void netaddr_format(const struct netaddr *a, char out[NETADDR_STRLEN])
{
    if (memcmp(a->bytes, v4_mapped_prefix, 12) == 0)
        inet_ntop(AF_INET, a->bytes + 12, out, NETADDR_STRLEN);
    else
        inet_ntop(AF_INET6, a->bytes, out, NETADDR_STRLEN);
}

bool netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
    return memcmp(a->bytes, b->bytes, 16) == 0;
}

static int parse_cidr(struct slice item, struct netaddr_cidr *out)
{
    const char *slash = memchr(item.ptr, '/', item.len);
    size_t addr_len = slash ? (size_t)(slash - item.ptr) : item.len;
    struct netaddr a;
    if (netaddr_parse(item.ptr, addr_len, &a))
        return ERR_INVALID;
    /* The prefix counts in the notation written: dotted quads in 32 bits, anything with a colon
     * (including ::ffff:a.b.c.d) in 128. */
    bool v4 = memchr(item.ptr, ':', addr_len) == NULL;
    unsigned max = v4 ? 32 : 128;
    unsigned prefix = max;
    if (slash) {
        struct slice p = slice_trim((struct slice){slash + 1, item.len - addr_len - 1});
        if (p.len == 0 || p.len > 3)
            return ERR_INVALID;
        prefix = 0;
        for (size_t i = 0; i < p.len; i++) {
            if (p.ptr[i] < '0' || p.ptr[i] > '9')
                return ERR_INVALID;
            prefix = prefix * 10 + (unsigned)(p.ptr[i] - '0');
        }
        if (prefix > max)
            return ERR_INVALID;
    }
    out->addr = a;
    out->prefix = v4 ? prefix + 96 : prefix;
    return 0;
}

int netaddr_list_parse(const char *s, const char *field, struct netaddr_list *out, struct err *e)
{
    struct netaddr_list list = {.count = 0};
    size_t len = strlen(s);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ',')
            continue;
        struct slice item = slice_trim((struct slice){s + start, i - start});
        start = i + 1;
        if (item.len == 0) {
            if (i == len && list.count == 0 && slice_trim(slice_from_cstr(s)).len == 0)
                break; /* the empty list */
            return err_set(e, ERR_INVALID, field, "empty entry in address list");
        }
        if (list.count == NETADDR_LIST_MAX)
            return err_set(e, ERR_INVALID, field, "more than %d entries in address list",
                           NETADDR_LIST_MAX);
        if (parse_cidr(item, &list.items[list.count]))
            return err_set(e, ERR_INVALID, field, "\"%.*s\" is not an IP address or CIDR block",
                           (int)(item.len > 64 ? 64 : item.len), item.ptr);
        list.count++;
    }
    *out = list;
    return 0;
}

static bool cidr_contains(const struct netaddr_cidr *c, const struct netaddr *a)
{
    unsigned full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->addr.bytes, a->bytes, full) != 0)
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (c->addr.bytes[full] & mask) == (a->bytes[full] & mask);
}

bool netaddr_list_contains(const struct netaddr_list *list, const struct netaddr *a)
{
    for (unsigned i = 0; i < list->count; i++)
        if (cidr_contains(&list->items[i], a))
            return true;
    return false;
}

struct netaddr netaddr_client(const struct netaddr *peer, const char *xff,
                              const struct netaddr_list *trusted)
{
    struct netaddr client = *peer;
    if (!xff || !netaddr_list_contains(trusted, peer))
        return client;
    /* Walk right to left: each hop we trust vouches for the one before it. Stop at the first hop
     * we do not trust (that is the client) or at garbage (then the last trusted hop is all we
     * know). */
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        struct netaddr hop;
        if (netaddr_parse(xff + start, end - start, &hop))
            return client;
        client = hop;
        if (!netaddr_list_contains(trusted, &hop))
            return client;
        end = start ? start - 1 : 0;
    }
    return client;
}
