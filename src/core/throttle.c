#include "core/throttle.h"

int64_t throttle_wait(const int64_t *failures, size_t n, int64_t now)
{
    /* Only failures inside the window count; the caller may pass older ones. */
    size_t first = 0;
    while (first < n && failures[first] <= now - THROTTLE_WINDOW)
        first++;
    size_t count = n - first;
    if (count < THROTTLE_FREE)
        return 0;
    if (count >= THROTTLE_LOCK) {
        /* Wait until enough failures age out to fall below the lock. */
        int64_t until = failures[first + (count - THROTTLE_LOCK)] + THROTTLE_WINDOW;
        return until > now ? until - now : 1;
    }
    int64_t delay = (int64_t)1 << (count - THROTTLE_FREE);
    int64_t until = failures[n - 1] + delay;
    return until > now ? until - now : 0;
}
