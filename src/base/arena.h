/* arena: a bump allocator for work with one lifetime (a request, a job, a message).
 *
 * Allocations are carved from blocks that grow as needed and are all freed by arena_release()
 * or reset by arena_clear() (which keeps the first block for reuse). Individual allocations are
 * never freed. An arena has a byte limit; past it arena_alloc() returns NULL, so work on outside
 * input fails with ERR_LIMIT instead of exhausting memory. Not thread-safe: one owner.
 */
#ifndef FRONTDESK_BASE_ARENA_H
#define FRONTDESK_BASE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;
    size_t used_total; /* bytes handed out plus block overhead, checked against limit */
    size_t limit;      /* 0 means unlimited */
};

void arena_init(struct arena *a, size_t limit);
void arena_release(struct arena *a);
void arena_clear(struct arena *a);
/* size bytes aligned for any type, or NULL when the limit would be passed. Memory is zeroed. */
void *arena_alloc(struct arena *a, size_t size);
/* NUL-terminated copy of len bytes of s, or NULL at the limit. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

#endif
