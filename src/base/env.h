/* env: what the outside world gives the program, handed down from main as one struct.
 *
 * The clock and the random source are function pointers so unit tests pin time and randomness
 * without touching globals; the database and, later, the mailer and time-zone source are opaque
 * pointers owned by main. Code below app/ never calls time() or reads /dev/urandom directly: it
 * asks its env. The struct is filled before threads start and only read afterwards (thread-safe
 * as long as the callbacks are).
 */
#ifndef FRONTDESK_BASE_ENV_H
#define FRONTDESK_BASE_ENV_H

#include <stddef.h>
#include <stdint.h>

struct db_pool;
struct config;
struct secrets;

struct env {
    /* Wall-clock now, seconds since the Unix epoch (UTC). */
    int64_t (*now)(const struct env *env);
    /* Monotonic nanoseconds, for durations only. */
    int64_t (*monotonic_ns)(const struct env *env);
    /* Fill buf with len cryptographically secure random bytes. */
    void (*random_bytes)(const struct env *env, void *buf, size_t len);
    const struct config *config;
    struct db_pool *db;
    const struct secrets *secrets; /* keys kept in the database, loaded at start */
    void *ctx; /* for the callbacks: a test's pinned clock, say */
};

#endif
