#include "service/category_rules.h"

#include "base/buf.h"
#include "core/policy.h"
#include "base/xalloc.h"
#include "service/policy_pack.h"
#include "service/text_cache.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(struct err *e, const char *field, const char *why)
{
    return err_set(e, ERR_INVALID, field, "%s", why);
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (!strchr(" \t\r\n\f\v", *s))
            return false;
    return true;
}

static int parse_rule(json_t *r, size_t i, struct arena *a, struct category_rule *out,
                      struct err *e)
{
    char field[64];
    json_t *cat = json_object_get(r, "category"), *kws = json_object_get(r, "keywords");
    snprintf(field, sizeof field, "category_keywords[%zu].category", i);
    if (!json_is_string(cat) || !policy_category_valid(json_string_value(cat)))
        return bad(e, field, "must be a known request category id");
    snprintf(field, sizeof field, "category_keywords[%zu].keywords", i);
    size_t n = json_array_size(kws);
    if (!json_is_array(kws) || n == 0 || n > CATEGORY_RULES_KEYWORDS_MAX)
        return err_set(e, ERR_INVALID, field, "must be an array of 1 to %d keywords",
                       CATEGORY_RULES_KEYWORDS_MAX);
    if (json_object_size(r) != 2)
        return bad(e, field, "a rule has exactly the members category and keywords");
    const char **list = arena_alloc(a, n * sizeof *list);
    out->category = arena_strndup(a, json_string_value(cat), json_string_length(cat));
    if (!list || !out->category)
        return err_set(e, ERR_LIMIT, "category_keywords", "the keyword rules are too large");
    for (size_t k = 0; k < n; k++) {
        json_t *kw = json_array_get(kws, k);
        snprintf(field, sizeof field, "category_keywords[%zu].keywords[%zu]", i, k);
        size_t len = json_string_length(kw);
        if (!json_is_string(kw) || len == 0 || len > CATEGORY_RULES_KEYWORD_MAX ||
            blank(json_string_value(kw)) || memchr(json_string_value(kw), '\0', len))
            return err_set(e, ERR_INVALID, field, "a keyword is 1 to %d characters of text",
                           CATEGORY_RULES_KEYWORD_MAX);
        if (!(list[k] = arena_strndup(a, json_string_value(kw), len)))
            return err_set(e, ERR_LIMIT, "category_keywords", "the keyword rules are too large");
    }
    out->keywords = list;
    out->keyword_count = n;
    return 0;
}

int category_rules_parse(const char *text, size_t len, struct arena *a,
                         struct category_rule **rules, size_t *count, struct err *e)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return err_set(e, ERR_MALFORMED, "category_keywords", "not JSON: %s", jerr.text);
    int rc = 0;
    size_t n = json_array_size(root);
    struct category_rule *out = NULL;
    if (!json_is_array(root))
        rc = bad(e, "category_keywords", "must be an array of rules");
    else if (n && !(out = arena_alloc(a, n * sizeof *out)))
        rc = err_set(e, ERR_LIMIT, "category_keywords", "the keyword rules are too large");
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *r = json_array_get(root, i);
        char field[48];
        snprintf(field, sizeof field, "category_keywords[%zu]", i);
        if (!json_is_object(r)) {
            rc = bad(e, field, "a rule is an object with category and keywords");
            break;
        }
        rc = parse_rule(r, i, a, &out[i], e);
        for (size_t j = 0; j < i && !rc; j++)
            if (strcmp(out[j].category, out[i].category) == 0)
                rc = bad(e, field, "each category has at most one rule");
    }
    json_decref(root);
    if (!rc) {
        *rules = out;
        *count = n;
    }
    return rc;
}

/* The rules in force, parsed, kept per process (service/text_cache.h). */
struct parsed_rules {
    struct arena arena;
    struct category_rule *rules;
    size_t count;
};

static int build(const char *text, size_t len, void **value, struct err *e)
{
    struct parsed_rules *p = xcalloc(1, sizeof *p);
    arena_init(&p->arena, 1u << 22);
    int rc = category_rules_parse(text, len, &p->arena, &p->rules, &p->count, e);
    if (rc) {
        arena_release(&p->arena);
        free(p);
        return rc;
    }
    *value = p;
    return 0;
}

static void destroy(void *value)
{
    struct parsed_rules *p = value;
    arena_release(&p->arena);
    free(p);
}

static struct text_cache cache =
    TEXT_CACHE_INIT(policy_pack_keywords_text, build, destroy, CATEGORY_RULES_RECHECK_NS);

void category_rules_forget(void)
{
    text_cache_forget(&cache);
}

int category_rules_suggest(const struct env *env, struct db *db, const char *subject,
                           const char *body, const char **out, struct err *e)
{
    const void *value;
    struct text_cache_ref *ref;
    int rc = text_cache_acquire(&cache, env, db, &value, &ref, e);
    if (rc)
        return rc;
    const struct parsed_rules *p = value;
    const char *id = category_suggest(p->rules, p->count, subject, body);
    /* The table's own string: it outlives the cached rules. */
    const struct policy_category *k = id ? policy_category_find(id) : NULL;
    *out = k ? k->id : NULL;
    text_cache_release(&cache, ref);
    return 0;
}
