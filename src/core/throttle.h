/* throttle: how long a caller must wait after failed sign-ins.
 *
 * Failures are counted per key (an email address, a client address) over a sliding window of
 * THROTTLE_WINDOW seconds. Up to THROTTLE_FREE failures cost nothing; after that each further
 * attempt must wait 2^(n - THROTTLE_FREE) seconds after the latest failure (1, 2, 4, ... s: a
 * person mistyping barely notices, a guesser slows to a crawl); at THROTTLE_LOCK failures the
 * key is refused until fewer than THROTTLE_LOCK remain in the window. The caller answers 429
 * with Retry-After when the result is above zero. Pure; thread-safe.
 */
#ifndef FRONTDESK_CORE_THROTTLE_H
#define FRONTDESK_CORE_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#define THROTTLE_WINDOW (15 * 60)
#define THROTTLE_FREE 5
#define THROTTLE_LOCK 10

/* failures: instants of failures, sorted oldest first (n of them); those outside the window
 * are ignored. Returns the seconds to wait from now (0: go ahead). */
int64_t throttle_wait(const int64_t *failures, size_t n, int64_t now);

#endif
