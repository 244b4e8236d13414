/* hc_seed: the help center's default content (issue 7; service/hc.h hc_seed()).
 *
 * The article texts are Markdown files under policies/help_center/, compiled into the binary
 * (policies/meson.build, table help_center_files) so that they are edited and reviewed as
 * documents, not C strings; this file only says where each one goes. The policies article is
 * policies/help_center/policies.md, a faithful Markdown rendering of the RareLogic Support
 * Policies (its "*" footnote marks written "\*" so they stay text; tests/api/test_hc_seed.py
 * compares the rendered article with the source text line by line).
 *
 * A link to another seeded article is written "{{article:KEY}}" in a file and becomes
 * "/hc/articles/ID" here (the keys referred to are seeded first; a missing one gives "/hc").
 *
 * Idempotent: the load is recorded in settings ("seed.help_center"), so a later init does
 * nothing, neither bringing back an article staff deleted nor touching one they edited; and
 * each article is inserted only when no article carries its seed_key. Seeded content has no
 * author and no audit entry, like the default teams (service/seed.c). One transaction.
 */
#include "service/hc.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/embed.h"
#include "core/markdown.h"
#include "service/hc_search.h"
#include "store/hc.h"
#include "store/settings.h"

#define MARKER    "seed.help_center"
#define ARENA_MAX (1u << 22)

extern const struct embed_table help_center_files;

static const char *const category_name = "General";
static const char *const category_description = "Policies, getting help and how-to guides";

struct seed_section {
    const char *name, *description;
};
static const struct seed_section sections[] = {
    {"Policies", "What RareLogic Support does, and how"},
    {"Getting help", "How and when to reach the support team"},
    {"How-to guides", "Short guides to everyday tasks"},
};

struct seed_article {
    const char *key; /* seed_key, and the file policies/help_center/KEY.md */
    size_t section;  /* index in sections[] */
    int64_t position;
    const char *title;
    const char *labels; /* the stored form: normalized, sorted, comma-separated */
    bool comments_disabled;
};
/* In creation order: an article's {{article:KEY}} links point to articles above it. */
static const struct seed_article articles[] = {
    {"policies", 0, 0, "RareLogic Support Policies", "policy,refunds,support hours", true},
    {"exporting_contacts", 2, 3, "Exporting your contacts", "contacts,export", false},
    {"getting_help", 1, 0, "Getting help", "contact,support hours", false},
    {"contact_deletion", 2, 0, "Deleting contacts yourself", "contacts,delete,self-serve", false},
    {"connecting_your_store", 2, 1, "Connecting your store", "integrations,store", false},
    {"first_email_campaign", 2, 2, "Building your first email campaign", "campaigns,email", false},
    {"understanding_your_invoice", 2, 4, "Understanding your invoice", "billing,invoice", false},
};
#define NSECTIONS (sizeof sections / sizeof sections[0])
#define NARTICLES (sizeof articles / sizeof articles[0])

struct seed_ctx {
    const struct env *env;
    struct arena *a;
    int64_t now;
    int64_t category_id;
    int64_t section_ids[NSECTIONS];
};

/* ---- the containers ----------------------------------------------------------------------- */

/* The category named "General", made when there is none. */
static int seed_category(struct seed_ctx *c, struct db *db, struct err *e)
{
    struct hc_category *list;
    size_t n;
    int rc = hc_store_categories_list(db, c->a, &list, &n, e);
    for (size_t i = 0; !rc && i < n; i++) {
        if (strcmp(list[i].name, category_name) == 0) {
            c->category_id = list[i].id;
            return 0;
        }
    }
    struct hc_category want = {.name = category_name,
                               .description = category_description,
                               .position = 0,
                               .created_at = c->now,
                               .updated_at = c->now};
    struct hc_category got = {0};
    rc = rc ? rc : hc_store_category_insert(db, &want, c->a, &got, e);
    if (!rc)
        c->category_id = got.id;
    return rc;
}

/* Each section of sections[] in the category, by name, made when missing. */
static int seed_sections(struct seed_ctx *c, struct db *db, struct err *e)
{
    struct hc_section *list;
    size_t n;
    int rc = hc_store_sections_list(db, c->category_id, c->a, &list, &n, e);
    for (size_t s = 0; !rc && s < NSECTIONS; s++) {
        c->section_ids[s] = 0;
        for (size_t i = 0; i < n && !c->section_ids[s]; i++)
            if (strcmp(list[i].name, sections[s].name) == 0)
                c->section_ids[s] = list[i].id;
        if (c->section_ids[s])
            continue;
        struct hc_section want = {.category_id = c->category_id,
                                  .name = sections[s].name,
                                  .description = sections[s].description,
                                  .position = (int64_t)s,
                                  .created_at = c->now,
                                  .updated_at = c->now};
        struct hc_section got = {0};
        rc = hc_store_section_insert(db, &want, c->a, &got, e);
        c->section_ids[s] = rc ? 0 : got.id;
    }
    return rc;
}

/* ---- the articles ------------------------------------------------------------------------- */

static int too_long(struct err *e)
{
    return err_set(e, ERR_LIMIT, NULL, "a seed article is too long");
}

/* The file's text with each {{article:KEY}} replaced by that article's page path. */
static int expand_links(struct db *db, struct arena *a, const char *text, size_t len,
                        struct buf *out, struct err *e)
{
    static const char open[] = "{{article:";
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *at = memmem(p, (size_t)(end - p), open, sizeof open - 1);
        const char *close = at ? memmem(at, (size_t)(end - at), "}}", 2) : NULL;
        if (!at || !close)
            return buf_append(out, p, (size_t)(end - p)) ? too_long(e) : 0;
        if (buf_append(out, p, (size_t)(at - p)))
            return too_long(e);
        const char *key = at + sizeof open - 1;
        char *k = arena_strndup(a, key, (size_t)(close - key));
        struct hc_article target;
        int rc = k ? hc_store_article_by_seed(db, k, a, &target, e) : ERR_LIMIT;
        if (rc == 0)
            rc = buf_appendf(out, "/hc/articles/%lld", (long long)target.id);
        else if (rc == ERR_NOT_FOUND)
            rc = buf_append_cstr(out, "/hc");
        if (rc)
            return rc == ERR_LIMIT ? too_long(e) : rc;
        p = close + 2;
    }
    return 0;
}

static int seed_article(struct seed_ctx *c, struct db *db, const struct seed_article *sa,
                        struct err *e)
{
    struct hc_article old;
    int rc = hc_store_article_by_seed(db, sa->key, c->a, &old, e);
    if (rc != ERR_NOT_FOUND)
        return rc; /* 0: seeded before, left as it is */
    char path[96];
    snprintf(path, sizeof path, "%s.md", sa->key);
    const struct embed_file *f = embed_find(&help_center_files, path, strlen(path));
    if (!f)
        return err_set(e, ERR_INTERNAL, NULL, "seed article %s is not in the binary", path);
    struct buf md, html;
    buf_init(&md, HC_BODY_MAX);
    buf_init(&html, 0);
    rc = expand_links(db, c->a, (const char *)f->data, f->len, &md, e);
    rc = rc ? rc : markdown_to_html(buf_cstr(&md), md.len, &html, e);
    struct hc_article art = {.section_id = c->section_ids[sa->section],
                             .title = sa->title,
                             .body = buf_cstr(&md),
                             .html = buf_cstr(&html),
                             .label_names = sa->labels,
                             .draft = false,
                             .position = sa->position,
                             .comments_disabled = sa->comments_disabled,
                             .revision = 1,
                             .seed_key = sa->key,
                             .created_at = c->now,
                             .updated_at = c->now,
                             .edited_at = c->now};
    struct hc_article got = {0};
    rc = rc ? rc : hc_store_article_insert(db, &art, c->a, &got, e);
    struct hc_revision r = {.article_id = got.id,
                            .revision = 1,
                            .title = art.title,
                            .body = art.body,
                            .label_names = art.label_names,
                            .created_at = c->now};
    rc = rc ? rc : hc_store_revision_insert(db, &r, e);
    rc = rc ? rc : hc_store_labels_set(db, got.id, art.label_names, e);
    rc = rc ? rc : hc_search_index_text(db, got.id, art.body, e);
    buf_release(&md);
    buf_release(&html);
    return rc;
}

static int seed_tx(struct db *db, void *arg, struct err *e)
{
    struct seed_ctx *c = arg;
    c->now = c->env->now(c->env);
    arena_clear(c->a);
    int inserted = 0;
    int rc = settings_put_new(db, MARKER, "1", c->now, &inserted, e);
    if (rc || !inserted)
        return rc; /* loaded by an earlier init */
    rc = seed_category(c, db, e);
    rc = rc ? rc : seed_sections(c, db, e);
    for (size_t i = 0; !rc && i < NARTICLES; i++)
        rc = seed_article(c, db, &articles[i], e);
    return rc;
}

int hc_seed(const struct env *env, struct db *db, struct err *e)
{
    struct arena a;
    arena_init(&a, ARENA_MAX);
    struct seed_ctx c = {.env = env, .a = &a};
    int rc = db_transact(db, DB_TX_WRITE, seed_tx, &c, e);
    arena_release(&a);
    return rc;
}
