#include "service/calendar_cache.h"

#include "base/xalloc.h"
#include "service/calendar_json.h"
#include "service/policy_pack.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct calendar_ref {
    struct calendar *cal;
    char *text; /* the stored JSON it was built from */
    int refs;   /* under lock: the cache's own plus one per holder */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct calendar_ref *current;
static int64_t checked_ns; /* monotonic instant of the last comparison with the stored text */
static bool stale = true;

static void unref_locked(struct calendar_ref *r)
{
    if (r && --r->refs == 0) {
        cal_free(r->cal);
        free(r->text);
        free(r);
    }
}

void calendar_cache_release(struct calendar_ref *ref)
{
    pthread_mutex_lock(&lock);
    unref_locked(ref);
    pthread_mutex_unlock(&lock);
}

void calendar_cache_forget(void)
{
    pthread_mutex_lock(&lock);
    stale = true;
    pthread_mutex_unlock(&lock);
}

/* The cached calendar with a new reference, when it is still good at now_ns; NULL otherwise. */
static struct calendar_ref *fresh(int64_t now_ns)
{
    struct calendar_ref *r = NULL;
    pthread_mutex_lock(&lock);
    if (current && !stale && now_ns - checked_ns < CALENDAR_CACHE_RECHECK_NS) {
        r = current;
        r->refs++;
    }
    pthread_mutex_unlock(&lock);
    return r;
}

/* Build from text (outside the lock: it takes milliseconds). */
static int build(const char *text, size_t len, struct calendar_ref **out, struct err *e)
{
    struct cal_spec *spec = xmalloc(sizeof *spec);
    int rc = calendar_json_parse(text, len, spec, e);
    struct calendar *cal = NULL;
    if (!rc)
        rc = cal_new(spec, &cal, e);
    free(spec);
    if (rc)
        return rc;
    struct calendar_ref *r = xcalloc(1, sizeof *r);
    r->cal = cal;
    r->text = xstrndup(text, len);
    r->refs = 1; /* the caller's */
    *out = r;
    return 0;
}

int calendar_cache_acquire(const struct env *env, struct db *db, const struct calendar **out,
                           struct calendar_ref **ref, struct err *e)
{
    int64_t now_ns = env->monotonic_ns(env);
    struct calendar_ref *r = fresh(now_ns);
    if (r) {
        *out = r->cal;
        *ref = r;
        return 0;
    }
    struct buf text;
    buf_init(&text, 0);
    int rc = policy_pack_calendar_text(db, &text, e);
    if (rc) {
        buf_release(&text);
        return rc;
    }
    pthread_mutex_lock(&lock);
    bool same = current && strcmp(current->text, buf_cstr(&text)) == 0;
    if (same) {
        r = current;
        r->refs++;
        checked_ns = now_ns;
        stale = false;
    }
    pthread_mutex_unlock(&lock);
    if (!same) {
        rc = build(text.ptr, text.len, &r, e);
        if (!rc) {
            pthread_mutex_lock(&lock);
            unref_locked(current);
            current = r;
            r->refs++; /* the cache's own */
            checked_ns = now_ns;
            stale = false;
            pthread_mutex_unlock(&lock);
        }
    }
    buf_release(&text);
    if (rc)
        return rc;
    *out = r->cal;
    *ref = r;
    return 0;
}
