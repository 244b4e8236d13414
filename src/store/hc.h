/* hc (store): the SQL of the help center's content (issue 7): tables hc_categories,
 * hc_sections, hc_articles, hc_article_revisions and hc_article_labels (migration 0025).
 * Runs on the caller's connection and transaction; only reads and writes: who may do what, and
 * what a valid value is, are the service's rules (service/hc.h).
 *
 * The row types are the service's (struct hc_category, hc_section, hc_article, hc_revision in
 * service/hc.h): the contract of issue 7 defines them there, and this module fills them as is
 * (this header includes service/hc.h for the types only; nothing here calls the service).
 * Strings read come from the caller's arena (ERR_LIMIT when it runs out); lists are arrays from
 * the arena too. Lists are ordered by position, then id. Thread-safe as far as the connection is.
 */
#ifndef FRONTDESK_STORE_HC_H
#define FRONTDESK_STORE_HC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"
#include "service/hc.h"

/* ---- categories and sections ---------------------------------------------------------------- */

int hc_store_categories_list(struct db *db, struct arena *a, struct hc_category **out, size_t *n,
                             struct err *e);
/* ERR_NOT_FOUND when absent. */
int hc_store_category_get(struct db *db, int64_t id, struct arena *a, struct hc_category *out,
                          struct err *e);
int hc_store_category_insert(struct db *db, const struct hc_category *c, struct arena *a,
                             struct hc_category *out, struct err *e);
/* Write c's name, description, position and updated_at to row c->id; ERR_NOT_FOUND when
 * absent. */
int hc_store_category_update(struct db *db, const struct hc_category *c, struct err *e);

/* category_id 0: every section. */
int hc_store_sections_list(struct db *db, int64_t category_id, struct arena *a,
                           struct hc_section **out, size_t *n, struct err *e);
int hc_store_section_get(struct db *db, int64_t id, struct arena *a, struct hc_section *out,
                         struct err *e);
int hc_store_section_insert(struct db *db, const struct hc_section *s, struct arena *a,
                            struct hc_section *out, struct err *e);
/* Write s's category_id, name, description, position and updated_at to row s->id. */
int hc_store_section_update(struct db *db, const struct hc_section *s, struct err *e);

/* ---- articles ------------------------------------------------------------------------------- */

int hc_store_article_get(struct db *db, int64_t id, struct arena *a, struct hc_article *out,
                         struct err *e);
int hc_store_article_by_seed(struct db *db, const char *seed_key, struct arena *a,
                             struct hc_article *out, struct err *e);
/* Take the row's lock for the rest of the transaction (PostgreSQL FOR UPDATE; SQLite's writer
 * lock already serialises writers). ERR_NOT_FOUND when absent. */
int hc_store_article_lock(struct db *db, int64_t id, struct err *e);

/* Which articles a list holds. label: a normalized label list ("a,b"), every one required;
 * NULL or "" for any. */
struct hc_store_filter {
    int64_t section_id;
    int64_t category_id;
    const char *label;
    bool drafts; /* include drafts */
    int64_t after_id;
    size_t offset;
    size_t limit;
};
/* Order: within a section (section_id) by position, id; within a category by the section's
 * position and id, then position, id; otherwise by id. after_id (when not 0) starts after that
 * article in this order, else offset rows are skipped. */
int hc_store_articles_list(struct db *db, const struct hc_store_filter *f, struct arena *a,
                           struct hc_article **out, size_t *n, struct err *e);
int hc_store_articles_count(struct db *db, const struct hc_store_filter *f, int64_t *count,
                            struct err *e);
/* Insert art (its id, vote counts ignored) and fill *out. */
int hc_store_article_insert(struct db *db, const struct hc_article *art, struct arena *a,
                            struct hc_article *out, struct err *e);
/* Write every changeable column of art to row art->id (section_id, title, body, html,
 * label_names, draft, position, comments_disabled, revision, updated_at, edited_at). */
int hc_store_article_update(struct db *db, const struct hc_article *art, struct err *e);
/* Delete the article with its revisions and labels; ERR_NOT_FOUND when absent. */
int hc_store_article_delete(struct db *db, int64_t id, struct err *e);
/* Replace article_id's label rows with the labels of label_names ("a,b"; "" for none). */
int hc_store_labels_set(struct db *db, int64_t article_id, const char *label_names, struct err *e);

/* ---- revisions ------------------------------------------------------------------------------ */

int hc_store_revision_insert(struct db *db, const struct hc_revision *r, struct err *e);
/* Every revision of article_id, newest first. */
int hc_store_revisions_list(struct db *db, int64_t article_id, struct arena *a,
                            struct hc_revision **out, size_t *n, struct err *e);
int hc_store_revision_get(struct db *db, int64_t article_id, int64_t revision, struct arena *a,
                          struct hc_revision *out, struct err *e);

#endif
