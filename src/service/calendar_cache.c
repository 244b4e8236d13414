#include "service/calendar_cache.h"

#include "base/xalloc.h"
#include "service/calendar_json.h"
#include "service/policy_pack.h"
#include "service/text_cache.h"

#include <stdlib.h>

static int build(const char *text, size_t len, void **value, struct err *e)
{
    struct cal_spec *spec = xmalloc(sizeof *spec);
    int rc = calendar_json_parse(text, len, spec, e);
    struct calendar *cal = NULL;
    if (!rc)
        rc = cal_new(spec, &cal, e);
    free(spec);
    if (!rc)
        *value = cal;
    return rc;
}

static void destroy(void *value)
{
    cal_free(value);
}

/* struct calendar_ref is the text cache's reference under the name calendar_cache.h gives it:
 * never defined, only converted back. */
static struct text_cache cache =
    TEXT_CACHE_INIT(policy_pack_calendar_text, build, destroy, CALENDAR_CACHE_RECHECK_NS);

void calendar_cache_release(struct calendar_ref *ref)
{
    text_cache_release(&cache, (struct text_cache_ref *)ref);
}

void calendar_cache_forget(void)
{
    text_cache_forget(&cache);
}

int calendar_cache_acquire(const struct env *env, struct db *db, const struct calendar **out,
                           struct calendar_ref **ref, struct err *e)
{
    const void *value;
    struct text_cache_ref *r;
    int rc = text_cache_acquire(&cache, env, db, &value, &r, e);
    if (!rc) {
        *out = value;
        *ref = (struct calendar_ref *)r;
    }
    return rc;
}
