/* hc: the help center's content (issue 7; policy clause 1.3): categories > sections > articles,
 * each article's every edit kept as a revision that can be viewed and restored.
 *
 * Who may do what:
 *  - reading: anyone (signed in or not) reads categories, sections and PUBLISHED articles; a
 *    draft is ERR_NOT_FOUND to everyone but staff, exactly like one that does not exist;
 *  - writing (create, update, publish, move, restore a revision, delete): staff with the role
 *    hc_can_write() allows (agents write and preview drafts; leads and admins also publish and
 *    delete; see docs/help_center.md), else ERR_FORBIDDEN.
 * Every write is one transaction with its audit entry ("hc.article.created", ".updated",
 * ".published", ".unpublished", ".restored", ".deleted"; "hc.category.*", "hc.section.*").
 * An article's html is rendered (core/markdown.h) when a revision is saved and stored with it,
 * so reading never renders. Errors name the field as the API spells it ("article.title",
 * "article.body", "article.section_id", "article.label_names", "article.position",
 * "section.name", "section.category_id", "category.name", ...).
 *
 * Strings in results are from the caller's arena. Thread-safe as far as each thread uses its own
 * connection.
 */
#ifndef FRONTDESK_SERVICE_HC_H
#define FRONTDESK_SERVICE_HC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"

#define HC_TITLE_MAX  300        /* characters of a title, a category or section name */
#define HC_BODY_MAX   (1u << 20) /* bytes of an article body (Markdown) */
#define HC_LABELS_MAX 20         /* labels of one article */
#define HC_LABEL_MAX  64         /* characters of one label */
#define HC_LIST_MAX   100        /* items of one list page */

struct hc_category {
    int64_t id;
    const char *name, *description;
    int64_t position;
    int64_t created_at, updated_at;
};

struct hc_section {
    int64_t id, category_id;
    const char *name, *description;
    int64_t position;
    int64_t created_at, updated_at;
};

struct hc_article {
    int64_t id, section_id;
    const char *title;
    const char *body;        /* Markdown source */
    const char *html;        /* rendered, safe to put in a page as is */
    const char *label_names; /* "billing,refunds" (normalized, sorted), "" for none */
    bool draft;
    int64_t position;
    int64_t author_id; /* 0: none (seeded) */
    bool comments_disabled;
    int64_t revision; /* the current revision's number */
    int64_t vote_sum, vote_count;
    const char *seed_key; /* NULL unless init seeded it ("policies", "getting_help", ...) */
    int64_t created_at, updated_at, edited_at;
};

struct hc_revision {
    int64_t id, article_id, revision;
    const char *title, *body, *label_names;
    int64_t author_id;
    int64_t created_at;
};

/* Can s write help-center content at all (create, edit drafts, preview)? Staff. */
bool hc_can_write(const struct access_subject *s);
/* Can s publish, unpublish and delete? Leads and admins. */
bool hc_can_publish(const struct access_subject *s);

/* ---- reading -------------------------------------------------------------------------------- */

int hc_categories_list(struct db *db, struct arena *a, struct hc_category **out, size_t *n,
                       struct err *e);
int hc_category_get(struct db *db, int64_t id, struct arena *a, struct hc_category *out,
                    struct err *e);
/* category_id 0: every section. Ordered by position, then id. */
int hc_sections_list(struct db *db, int64_t category_id, struct arena *a, struct hc_section **out,
                     size_t *n, struct err *e);
int hc_section_get(struct db *db, int64_t id, struct arena *a, struct hc_section *out,
                   struct err *e);

/* One article as s may see it (a draft only for staff; ERR_NOT_FOUND otherwise). */
int hc_article_get(struct db *db, const struct access_subject *s, int64_t id, struct arena *a,
                   struct hc_article *out, struct err *e);

/* The article init seeded under key (e.g. "policies", "contact_deletion"), as s may see it. */
int hc_article_by_seed(struct db *db, const struct access_subject *s, const char *seed_key,
                       struct arena *a, struct hc_article *out, struct err *e);

struct hc_articles_filter {
    int64_t section_id;  /* 0: any */
    int64_t category_id; /* 0: any */
    const char *label;   /* NULL: any; a normalized label */
    bool include_drafts; /* honoured for staff only */
    int64_t after_id;    /* paging: ids greater than this, in (section position, position, id)
                            order within a section; across sections by id */
    size_t limit;        /* <= HC_LIST_MAX */
    size_t offset;       /* (added by "content") Zendesk's page/per_page paging: rows skipped
                            when after_id is 0 */
};
/* label may hold several normalized labels "a,b": an article must have every one. Order: within
 * a section by position, id; within a category by section (position, id), then position, id;
 * otherwise by id. */
int hc_articles_list(struct db *db, const struct access_subject *s,
                     const struct hc_articles_filter *f, struct arena *a, struct hc_article **out,
                     size_t *n, bool *more, struct err *e);
/* (added by "content") How many articles f matches for s (after_id, offset, limit ignored): the
 * "count" of Zendesk's lists. */
int hc_articles_count(struct db *db, const struct access_subject *s,
                      const struct hc_articles_filter *f, int64_t *count, struct err *e);
/* (added by "content") Normalize a label (trim, lower-case ASCII, inner whitespace runs to one
 * space; 1..HC_LABEL_MAX characters, no comma, no control character) into a copy from a;
 * ERR_INVALID naming field otherwise. */
int hc_label_normalize(const char *s, size_t len, const char *field, struct arena *a,
                       const char **out, struct err *e);
/* (added by "content") Render Markdown to the HTML the help center stores (core/markdown.h),
 * into a copy from a: the editor's preview. ERR_LIMIT past HC_BODY_MAX naming field. */
int hc_render(const char *md, size_t len, const char *field, struct arena *a, const char **out,
              struct err *e);

int hc_revisions_list(struct db *db, const struct access_subject *s, int64_t article_id,
                      struct arena *a, struct hc_revision **out, size_t *n, struct err *e);
int hc_revision_get(struct db *db, const struct access_subject *s, int64_t article_id,
                    int64_t revision, struct arena *a, struct hc_revision *out, struct err *e);

/* ---- writing -------------------------------------------------------------------------------- */

/* An optional text / number / flag: not given, or given. */
struct hc_opt_text {
    bool given;
    const char *value;
};
struct hc_opt_int {
    bool given;
    int64_t value;
};
struct hc_opt_bool {
    bool given;
    bool value;
};

struct hc_article_req {
    struct hc_opt_int section_id;
    struct hc_opt_text title;
    struct hc_opt_text body;
    const char *const *labels; /* given when labels_given */
    size_t label_count;
    bool labels_given;
    struct hc_opt_bool draft; /* false publishes: hc_can_publish() only */
    struct hc_opt_int position;
    struct hc_opt_bool comments_disabled;
};

/* Create (title, body and section_id required; draft unless published by a publisher). */
int hc_article_create(const struct env *env, struct db *db, const struct access_subject *s,
                      const struct hc_article_req *req, struct arena *a, struct hc_article *out,
                      struct err *e);
/* Update: a change of title, body or labels saves a new revision (and renders it); position,
 * section, draft and comments_disabled change the article only. */
int hc_article_update(const struct env *env, struct db *db, const struct access_subject *s,
                      int64_t id, const struct hc_article_req *req, struct arena *a,
                      struct hc_article *out, struct err *e);
/* Restore: a new revision with revision r's title, body and labels. */
int hc_article_restore(const struct env *env, struct db *db, const struct access_subject *s,
                       int64_t id, int64_t revision, struct arena *a, struct hc_article *out,
                       struct err *e);
int hc_article_delete(const struct env *env, struct db *db, const struct access_subject *s,
                      int64_t id, struct err *e);

struct hc_named_req {
    struct hc_opt_int parent_id; /* sections: category_id */
    struct hc_opt_text name;
    struct hc_opt_text description;
    struct hc_opt_int position;
};
int hc_category_create(const struct env *env, struct db *db, const struct access_subject *s,
                       const struct hc_named_req *req, struct arena *a, struct hc_category *out,
                       struct err *e);
int hc_category_update(const struct env *env, struct db *db, const struct access_subject *s,
                       int64_t id, const struct hc_named_req *req, struct arena *a,
                       struct hc_category *out, struct err *e);
int hc_section_create(const struct env *env, struct db *db, const struct access_subject *s,
                      const struct hc_named_req *req, struct arena *a, struct hc_section *out,
                      struct err *e);
int hc_section_update(const struct env *env, struct db *db, const struct access_subject *s,
                      int64_t id, const struct hc_named_req *req, struct arena *a,
                      struct hc_section *out, struct err *e);

/* Seed the default content at init where none exists (service/seed.c calls it): the "Policies"
 * section with the RareLogic Support Policies article (seed_key "policies", published, comments
 * closed), "Getting help" ("getting_help": support hours and holidays from the live calendar,
 * shown by the page), "Deleting contacts yourself" ("contact_deletion"), and a few how-to
 * articles. Idempotent: a later init adds nothing that exists and changes nothing staff edited. */
int hc_seed(const struct env *env, struct db *db, struct err *e);

#endif
