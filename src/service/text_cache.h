/* text_cache: a value built from a stored text (a setting), built once per process and shared
 * by every thread while the text stays the same.
 *
 * The policy's settings are read on hot paths (the calendar by every SLA refresh, the keyword
 * rules by every ticket created), and turning their text into a value costs far more than the
 * work that uses it. A cache reads the stored text again at most once every recheck_ns, so a
 * change made through another server process on the same database is picked up within that
 * time; a change made through this process is picked up at once (text_cache_forget()).
 *
 * A reference keeps its value alive after a newer one replaced it, until released. Values are
 * shared between threads: they must not be changed once built.
 *
 * Declare a cache with TEXT_CACHE_INIT at file scope; it lives for the process.
 */
#ifndef FRONTDESK_SERVICE_TEXT_CACHE_H
#define FRONTDESK_SERVICE_TEXT_CACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

struct text_cache_ref;

struct text_cache {
    /* Append the stored text to out (on the caller's connection and transaction). */
    int (*read)(struct db *db, struct buf *out, struct err *e);
    /* Build the value from text[0..len) (outside the lock), or fail with e. */
    int (*build)(const char *text, size_t len, void **value, struct err *e);
    void (*destroy)(void *value);
    int64_t recheck_ns;
    /* private */
    pthread_mutex_t lock;
    struct text_cache_ref *current;
    int64_t checked_ns; /* monotonic instant of the last comparison with the stored text */
    bool stale;
};

#define TEXT_CACHE_INIT(read_fn, build_fn, destroy_fn, recheck)                                    \
    {                                                                                              \
        .read = (read_fn), .build = (build_fn), .destroy = (destroy_fn), .recheck_ns = (recheck),  \
        .lock = PTHREAD_MUTEX_INITIALIZER, .current = NULL, .checked_ns = 0, .stale = true         \
    }

/* The value in force, on db: *value stays valid until text_cache_release(c, *ref). */
int text_cache_acquire(struct text_cache *c, const struct env *env, struct db *db,
                       const void **value, struct text_cache_ref **ref, struct err *e);
void text_cache_release(struct text_cache *c, struct text_cache_ref *ref);

/* Read the stored text again at the next acquire (after this process changed it). */
void text_cache_forget(struct text_cache *c);

#endif
