#include "http/ipcount.h"

#include "base/xalloc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define IPCOUNT_BUCKETS 4096 /* power of two */

struct ipcount_entry {
    struct ipcount_entry *next;
    struct netaddr addr;
    unsigned count;
};

struct ipcount {
    pthread_mutex_t lock;
    struct ipcount_entry *buckets[IPCOUNT_BUCKETS];
};

struct ipcount *ipcount_new(void)
{
    struct ipcount *t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void ipcount_free(struct ipcount *t)
{
    if (!t)
        return;
    for (unsigned i = 0; i < IPCOUNT_BUCKETS; i++) {
        struct ipcount_entry *e = t->buckets[i];
        while (e) {
            struct ipcount_entry *next = e->next;
            free(e);
            e = next;
        }
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static unsigned bucket_of(const struct netaddr *a)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 16; i++) {
        h ^= a->bytes[i];
        h *= 1099511628211ULL;
    }
    return (unsigned)(h & (IPCOUNT_BUCKETS - 1));
}

static struct ipcount_entry **find(struct ipcount *t, const struct netaddr *a)
{
    struct ipcount_entry **p = &t->buckets[bucket_of(a)];
    while (*p && !netaddr_equal(&(*p)->addr, a))
        p = &(*p)->next;
    return p;
}

bool ipcount_acquire(struct ipcount *t, const struct netaddr *a, unsigned limit)
{
    bool ok = false;
    pthread_mutex_lock(&t->lock);
    struct ipcount_entry **p = find(t, a);
    if (!*p) {
        if (limit > 0) {
            struct ipcount_entry *e = xcalloc(1, sizeof *e);
            e->addr = *a;
            e->count = 1;
            *p = e;
            ok = true;
        }
    } else if ((*p)->count < limit) {
        (*p)->count++;
        ok = true;
    }
    pthread_mutex_unlock(&t->lock);
    return ok;
}

void ipcount_release(struct ipcount *t, const struct netaddr *a)
{
    pthread_mutex_lock(&t->lock);
    struct ipcount_entry **p = find(t, a);
    if (*p && --(*p)->count == 0) {
        struct ipcount_entry *dead = *p;
        *p = dead->next;
        free(dead);
    }
    pthread_mutex_unlock(&t->lock);
}

unsigned ipcount_get(struct ipcount *t, const struct netaddr *a)
{
    pthread_mutex_lock(&t->lock);
    struct ipcount_entry **p = find(t, a);
    unsigned n = *p ? (*p)->count : 0;
    pthread_mutex_unlock(&t->lock);
    return n;
}
