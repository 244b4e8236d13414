#include "base/arena.h"

#include "base/xalloc.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    size_t cap;
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

#define ARENA_BLOCK_MIN 4096

void arena_init(struct arena *a, size_t limit)
{
    a->head = NULL;
    a->used_total = 0;
    a->limit = limit;
}

void arena_release(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    arena_init(a, a->limit);
}

void arena_clear(struct arena *a)
{
    if (!a->head)
        return;
    struct arena_block *keep = a->head;
    while (keep->next)
        keep = keep->next; /* the oldest block is the first one allocated, usually the smallest */
    struct arena_block *b = a->head;
    while (b != keep) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    keep->used = 0;
    a->head = keep;
    a->used_total = sizeof *keep + keep->cap;
}

void *arena_alloc(struct arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    /* Refuse sizes whose rounding or block header would wrap around SIZE_MAX. */
    if (size > SIZE_MAX / 2 || (a->limit && size > a->limit))
        return NULL;
    size = (size + align - 1) & ~(align - 1);
    struct arena_block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > ARENA_BLOCK_MIN ? size : ARENA_BLOCK_MIN;
        if (b && b->cap * 2 > cap && b->cap * 2 >= size)
            cap = b->cap * 2;
        if (a->limit && (size > a->limit || a->used_total + sizeof *b + cap > a->limit)) {
            cap = size; /* try the smallest block that fits before refusing */
            if (a->limit && a->used_total + sizeof *b + cap > a->limit)
                return NULL;
        }
        b = xmalloc(sizeof *b + cap);
        b->next = a->head;
        b->cap = cap;
        b->used = 0;
        a->head = b;
        a->used_total += sizeof *b + cap;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
