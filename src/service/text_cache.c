#include "service/text_cache.h"

#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct text_cache_ref {
    void *value;
    char *text; /* the stored text it was built from */
    int refs;   /* under the cache's lock: the cache's own plus one per holder */
};

static void unref_locked(struct text_cache *c, struct text_cache_ref *r)
{
    if (r && --r->refs == 0) {
        c->destroy(r->value);
        free(r->text);
        free(r);
    }
}

void text_cache_release(struct text_cache *c, struct text_cache_ref *ref)
{
    pthread_mutex_lock(&c->lock);
    unref_locked(c, ref);
    pthread_mutex_unlock(&c->lock);
}

void text_cache_forget(struct text_cache *c)
{
    pthread_mutex_lock(&c->lock);
    c->stale = true;
    pthread_mutex_unlock(&c->lock);
}

/* The cached value with a new reference, when it is still good at now_ns; NULL otherwise. */
static struct text_cache_ref *fresh(struct text_cache *c, int64_t now_ns)
{
    struct text_cache_ref *r = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->current && !c->stale && now_ns - c->checked_ns < c->recheck_ns) {
        r = c->current;
        r->refs++;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

/* The cached value with a new reference when it was built from text (now checked at now_ns). */
static struct text_cache_ref *same(struct text_cache *c, const char *text, int64_t now_ns)
{
    struct text_cache_ref *r = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->current && strcmp(c->current->text, text) == 0) {
        r = c->current;
        r->refs++;
        c->checked_ns = now_ns;
        c->stale = false;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

int text_cache_acquire(struct text_cache *c, const struct env *env, struct db *db,
                       const void **value, struct text_cache_ref **ref, struct err *e)
{
    int64_t now_ns = env->monotonic_ns(env);
    struct text_cache_ref *r = fresh(c, now_ns);
    if (r) {
        *value = r->value;
        *ref = r;
        return 0;
    }
    struct buf text;
    buf_init(&text, 0);
    int rc = c->read(db, &text, e);
    if (!rc && !(r = same(c, buf_cstr(&text), now_ns))) {
        void *v = NULL;
        rc = c->build(buf_cstr(&text), text.len, &v, e); /* outside the lock: it may take ms */
        if (!rc) {
            r = xcalloc(1, sizeof *r);
            r->value = v;
            r->text = xstrndup(buf_cstr(&text), text.len);
            r->refs = 2; /* the caller's and the cache's own */
            pthread_mutex_lock(&c->lock);
            unref_locked(c, c->current);
            c->current = r;
            c->checked_ns = now_ns;
            c->stale = false;
            pthread_mutex_unlock(&c->lock);
        }
    }
    buf_release(&text);
    if (rc)
        return rc;
    *value = r->value;
    *ref = r;
    return 0;
}
