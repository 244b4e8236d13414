/* ipcount: how many connections (or requests) each client address holds, with a cap.
 *
 * A chained hash table under one mutex; entries exist only while their count is above zero, so
 * memory follows the number of distinct clients connected now, not ever. Operations are O(1)
 * on average and take the lock briefly: they run once per connection (or per proxied request),
 * not per byte. Thread-safe.
 */
#ifndef FRONTDESK_HTTP_IPCOUNT_H
#define FRONTDESK_HTTP_IPCOUNT_H

#include <stdbool.h>

#include "http/netaddr.h"

struct ipcount;

struct ipcount *ipcount_new(void);
void ipcount_free(struct ipcount *t);
/* Count one more for a when it holds fewer than limit; false (and no change) otherwise. */
bool ipcount_acquire(struct ipcount *t, const struct netaddr *a, unsigned limit);
/* Give back one acquired for a. */
void ipcount_release(struct ipcount *t, const struct netaddr *a);
/* Current count for a (tests, metrics). */
unsigned ipcount_get(struct ipcount *t, const struct netaddr *a);

#endif
