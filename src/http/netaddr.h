/* netaddr: IP addresses, CIDR lists and the client address behind trusted proxies.
 *
 * Addresses are held as 16 bytes, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), so one comparison
 * serves both families. The client of a request is the TCP peer, unless the peer is a trusted
 * proxy: then it is the rightmost X-Forwarded-For entry that is not itself a trusted proxy (the
 * leftmost entries are whatever the client chose to send and prove nothing). Parsing reads
 * outside input (headers) and is fuzzed (tests/fuzz/fuzz_netaddr.c). Pure and thread-safe.
 */
#ifndef FRONTDESK_HTTP_NETADDR_H
#define FRONTDESK_HTTP_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct sockaddr;

struct netaddr {
    unsigned char bytes[16];
};

struct netaddr_cidr {
    struct netaddr addr;
    unsigned prefix; /* 0..128, counted on the 16-byte form */
};

#define NETADDR_LIST_MAX 32
#define NETADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

struct netaddr_list {
    struct netaddr_cidr items[NETADDR_LIST_MAX];
    unsigned count;
};

/* Parse "192.0.2.1" or "2001:db8::1" (len bytes, surrounding spaces allowed). 0 or ERR_INVALID. */
int netaddr_parse(const char *s, size_t len, struct netaddr *out);
/* From an AF_INET or AF_INET6 socket address; ERR_INVALID for other families. */
int netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out);
/* Dotted quad for IPv4-mapped addresses, RFC 5952 text otherwise. */
void netaddr_format(const struct netaddr *a, char out[NETADDR_STRLEN]);
bool netaddr_equal(const struct netaddr *a, const struct netaddr *b);

/* Parse a comma-separated list of addresses and CIDR blocks ("10.0.0.0/8, ::1"); an empty string
 * is an empty list. On error names field in e and leaves *out untouched. */
int netaddr_list_parse(const char *s, const char *field, struct netaddr_list *out, struct err *e);
bool netaddr_list_contains(const struct netaddr_list *list, const struct netaddr *a);

/* The request's client as described above. xff may be NULL. */
struct netaddr netaddr_client(const struct netaddr *peer, const char *xff,
                              const struct netaddr_list *trusted);

#endif
