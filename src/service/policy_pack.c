#include "service/policy_pack.h"

#include "base/embed.h"
#include "base/xalloc.h"
#include "service/calendar_json.h"
#include "service/category_rules.h"
#include "service/sla_json.h"
#include "service/text_cache.h"
#include "store/audit.h"
#include "store/settings.h"
#include "store/tickets.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

extern const struct embed_table policy_files;

#define PACK_PATH "rarelogic.json"

/* The text of one top-level object of the shipped pack, into out. */
static int pack_part(const char *key, struct buf *out, struct err *e)
{
    const struct embed_file *f = embed_find(&policy_files, PACK_PATH, strlen(PACK_PATH));
    if (!f)
        return err_set(e, ERR_INTERNAL, NULL, "the policy pack %s is not in the binary", PACK_PATH);
    json_error_t jerr;
    json_t *root = json_loadb((const char *)f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *part = root ? json_object_get(root, key) : NULL;
    char *text = part ? json_dumps(part, JSON_COMPACT) : NULL;
    int rc = text ? buf_append_cstr(out, text)
                  : err_set(e, ERR_INTERNAL, NULL, "the policy pack has no valid \"%s\"", key);
    free(text);
    json_decref(root);
    return rc;
}

/* A shipped default that does not parse is a bug in the pack, not the caller's input. */
static int pack_broken(int rc, const char *what, struct err *e)
{
    if (rc && e) {
        char why[sizeof e->message];
        memcpy(why, e->message, sizeof why);
        err_set(e, ERR_INTERNAL, NULL, "the policy pack's %s is invalid: %s", what, why);
        return ERR_INTERNAL;
    }
    return rc ? ERR_INTERNAL : 0;
}

int policy_pack_default_calendar(struct cal_spec *out, struct err *e)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = pack_part("calendar", &b, e);
    if (!rc)
        rc = pack_broken(calendar_json_parse(b.ptr, b.len, out, e), "calendar", e);
    buf_release(&b);
    return rc;
}

int policy_pack_default_sla(struct sla_targets *out, struct err *e)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = pack_part("sla", &b, e);
    if (!rc)
        rc = pack_broken(sla_json_parse(b.ptr, b.len, out, e), "sla", e);
    buf_release(&b);
    return rc;
}

/* Check text as keyword rules: the stored value is always one category_rules_parse accepts. */
static int check_keywords(const char *text, size_t len, struct err *e)
{
    struct arena a;
    arena_init(&a, 1u << 20);
    struct category_rule *rules;
    size_t n;
    int rc = category_rules_parse(text, len, &a, &rules, &n, e);
    arena_release(&a);
    return rc;
}

/* The pack's keyword rules as compact JSON text, checked. */
static int pack_keywords(struct buf *out, struct err *e)
{
    int rc = pack_part("category_keywords", out, e);
    return rc ? rc : pack_broken(check_keywords(out->ptr, out->len, e), "category_keywords", e);
}

int policy_pack_seed(struct db *db, int64_t now, struct policy_pack_seed_report *out, struct err *e)
{
    *out = (struct policy_pack_seed_report){false, false, false};
    struct cal_spec *cal = xmalloc(sizeof *cal);
    struct sla_targets sla;
    struct buf cal_text, sla_text;
    buf_init(&cal_text, 0);
    buf_init(&sla_text, 0);
    /* Stored as the renderers write them: the settings hold what the server will read back,
     * checked now rather than at the first ticket. */
    int rc = policy_pack_default_calendar(cal, e);
    rc = rc ? rc : policy_pack_default_sla(&sla, e);
    rc = rc ? rc : calendar_json_render(cal, &cal_text);
    rc = rc ? rc : sla_json_render(&sla, &sla_text);
    int added = 0;
    if (!rc)
        rc = settings_put_new(db, POLICY_KEY_CALENDAR, buf_cstr(&cal_text), now, &added, e);
    out->calendar_added = added;
    if (!rc)
        rc = settings_put_new(db, POLICY_KEY_SLA, buf_cstr(&sla_text), now, &added, e);
    out->sla_added = !rc && added;
    buf_clear(&sla_text);
    rc = rc ? rc : pack_keywords(&sla_text, e);
    if (!rc)
        rc = settings_put_new(db, POLICY_KEY_KEYWORDS, buf_cstr(&sla_text), now, &added, e);
    out->keywords_added = !rc && added;
    buf_release(&cal_text);
    buf_release(&sla_text);
    free(cal);
    return rc;
}

int policy_pack_calendar_text(struct db *db, struct buf *out, struct err *e)
{
    int rc = settings_get(db, POLICY_KEY_CALENDAR, out, e);
    if (rc != ERR_NOT_FOUND)
        return rc;
    struct cal_spec *cal = xmalloc(sizeof *cal);
    rc = policy_pack_default_calendar(cal, e);
    if (!rc)
        rc = calendar_json_render(cal, out);
    free(cal);
    return rc;
}

int policy_pack_calendar(struct db *db, struct cal_spec *out, struct err *e)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = policy_pack_calendar_text(db, &b, e);
    if (!rc)
        rc = pack_broken(calendar_json_parse(b.ptr, b.len, out, e), "stored calendar", e);
    buf_release(&b);
    return rc;
}

int policy_pack_sla_text(struct db *db, struct buf *out, struct err *e)
{
    int rc = settings_get(db, POLICY_KEY_SLA, out, e);
    if (rc != ERR_NOT_FOUND)
        return rc;
    struct sla_targets t;
    rc = policy_pack_default_sla(&t, e);
    return rc ? rc : sla_json_render(&t, out);
}

static int build_sla(const char *text, size_t len, void **value, struct err *e)
{
    struct sla_targets *t = xmalloc(sizeof *t);
    int rc = pack_broken(sla_json_parse(text, len, t, e), "stored SLA targets", e);
    if (rc) {
        free(t);
        return rc;
    }
    *value = t;
    return 0;
}

/* Every SLA refresh reads the targets: parsing their JSON each time was a twentieth of a
 * ticket's creation. */
static struct text_cache sla_cache =
    TEXT_CACHE_INIT(policy_pack_sla_text, build_sla, free, 1000 * 1000 * 1000LL);

int policy_pack_sla(const struct env *env, struct db *db, struct sla_targets *out, struct err *e)
{
    const void *value;
    struct text_cache_ref *ref;
    int rc = text_cache_acquire(&sla_cache, env, db, &value, &ref, e);
    if (rc)
        return rc;
    *out = *(const struct sla_targets *)value;
    text_cache_release(&sla_cache, ref);
    return 0;
}

int policy_pack_keywords_text(struct db *db, struct buf *out, struct err *e)
{
    int rc = settings_get(db, POLICY_KEY_KEYWORDS, out, e);
    return rc == ERR_NOT_FOUND ? pack_keywords(out, e) : rc;
}

struct set_ctx {
    const struct env *env;
    int64_t actor_id;
    const char *ip;
    const char *key;    /* the setting */
    const char *action; /* the audit entry's */
    const char *text;
    bool rejudge; /* the SLA clocks depend on the value */
};

/* Store the new value, audit it, and have every ticket whose clocks still run judged again on
 * it: the SLA sweep refreshes them (a batch after another) from now on. Stopped clocks keep the
 * state they had, as the issue asks ("for running clocks only"). */
static int set_tx(struct db *db, void *arg, struct err *e)
{
    struct set_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc = settings_put(db, c->key, c->text, now, e);
    if (rc)
        return rc;
    struct audit_entry a = {.at = now,
                            .actor_id = c->actor_id,
                            .action = c->action,
                            .target_type = "policy",
                            .ip = c->ip,
                            .detail = c->text};
    rc = audit_append(db, &a, e);
    return rc || !c->rejudge ? rc : tickets_sla_rejudge_open(db, now, e);
}

static int set_policy(const struct env *env, struct db *db, int64_t actor_id, const char *ip,
                      const char *key, const char *action, const char *text, struct err *e)
{
    struct set_ctx c = {
        env, actor_id, ip, key, action, text, strcmp(key, POLICY_KEY_KEYWORDS) != 0};
    return db_transact(db, DB_TX_WRITE, set_tx, &c, e);
}

int policy_pack_set_calendar(const struct env *env, struct db *db, int64_t actor_id, const char *ip,
                             const struct cal_spec *spec, struct err *e)
{
    struct buf text;
    buf_init(&text, 0);
    int rc = calendar_json_render(spec, &text);
    if (!rc)
        rc = set_policy(env, db, actor_id, ip, POLICY_KEY_CALENDAR, "calendar.changed",
                        buf_cstr(&text), e);
    buf_release(&text);
    return rc;
}

int policy_pack_set_sla(const struct env *env, struct db *db, int64_t actor_id, const char *ip,
                        const struct sla_targets *t, struct err *e)
{
    struct buf text;
    buf_init(&text, 0);
    int rc = sla_json_render(t, &text);
    if (!rc)
        rc = set_policy(env, db, actor_id, ip, POLICY_KEY_SLA, "sla_targets.changed",
                        buf_cstr(&text), e);
    buf_release(&text);
    if (!rc)
        text_cache_forget(&sla_cache);
    return rc;
}

int policy_pack_set_keywords(const struct env *env, struct db *db, int64_t actor_id, const char *ip,
                             const char *text, size_t len, struct err *e)
{
    int rc = check_keywords(text, len, e);
    if (rc)
        return rc;
    /* Stored compact, as the pack's default is: one canonical form to compare and show. */
    json_t *j = json_loadb(text, len, 0, NULL);
    char *compact = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!compact)
        return err_set(e, ERR_LIMIT, NULL, "out of memory storing the keyword rules");
    rc = set_policy(env, db, actor_id, ip, POLICY_KEY_KEYWORDS, "category_keywords.changed",
                    compact, e);
    free(compact);
    if (!rc)
        category_rules_forget();
    return rc;
}
