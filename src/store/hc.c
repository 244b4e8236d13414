/* hc (store): the rules are in the header; this file explains the why. */
#include "store/hc.h"

#include "base/buf.h"
#include "store/hc_rows.h"

#include <string.h>

#define CATEGORY_COLUMNS "id, name, description, position, created_at, updated_at"
#define SECTION_COLUMNS  "id, category_id, name, description, position, created_at, updated_at"
#define ARTICLE_COLUMNS                                                                            \
    "a.id, a.section_id, a.title, a.body, a.html, a.label_names, a.draft, a.position, "            \
    "a.author_id, a.comments_disabled, a.revision, a.vote_sum, a.vote_count, a.seed_key, "         \
    "a.created_at, a.updated_at, a.edited_at"
#define REVISION_COLUMNS "id, article_id, revision, title, body, label_names, author_id, created_at"

/* The most labels a filter takes (an article has at most HC_LABELS_MAX). */
#define FILTER_LABELS_MAX HC_LABELS_MAX

static int not_found(const char *what, int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, "id", "%s %lld not found", what, (long long)id);
}

/* The row of table what with this id (sql selects it by one parameter) into out. */
static int get_by_id(struct db *db, const char *sql, int64_t id, hc_rows_read_fn read,
                     struct arena *a, void *out, const char *what, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return hc_rows_one(st, read, a, out, not_found, what, id, e);
}

/* Every row of sql (with one id parameter unless id is 0) into a list from a. */
static int list_by_id(struct db *db, const char *sql, int64_t id, size_t size, hc_rows_read_fn read,
                      struct arena *a, void **out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    if (id)
        db_bind_int64(st, 1, id);
    return hc_rows_list(st, size, read, a, out, n, e);
}

/* Run a write st that RETURNING id: ERR_NOT_FOUND (what, id) when it touched no row. */
static int touch_one(struct db_stmt *st, const char *what, int64_t id, struct err *e)
{
    int64_t rows = 0;
    int rc = db_run_count(st, &rows, e);
    if (rc)
        return rc;
    return rows ? 0 : not_found(what, id, e);
}

/* ---- categories and sections ---------------------------------------------------------------- */

/* What a category and a section both write: a section adds its category (has_category). The
 * SQL lists these columns in this order, the section's category_id last. */
struct named_row {
    const char *name, *description;
    int64_t position, created_at, updated_at;
    bool has_category;
    int64_t category_id;
};

/* Bind name, description, position, then the instants given (created_at only when insert),
 * then category_id; returns the next parameter index. */
static int bind_named(struct db_stmt *st, const struct named_row *r, bool insert)
{
    int idx = 1;
    db_bind_cstr(st, idx++, r->name);
    db_bind_cstr(st, idx++, r->description);
    db_bind_int64(st, idx++, r->position);
    if (insert)
        db_bind_int64(st, idx++, r->created_at);
    db_bind_int64(st, idx++, r->updated_at);
    if (r->has_category)
        db_bind_int64(st, idx++, r->category_id);
    return idx;
}

static struct named_row category_row(const struct hc_category *c)
{
    return (struct named_row){.name = c->name,
                              .description = c->description,
                              .position = c->position,
                              .created_at = c->created_at,
                              .updated_at = c->updated_at};
}

static struct named_row section_row(const struct hc_section *s)
{
    return (struct named_row){.name = s->name,
                              .description = s->description,
                              .position = s->position,
                              .created_at = s->created_at,
                              .updated_at = s->updated_at,
                              .has_category = true,
                              .category_id = s->category_id};
}

/* A category or a section: its statements, how its row reads and what a miss names. */
struct named_kind {
    const char *get_sql, *insert_sql, *update_sql, *what;
    hc_rows_read_fn read;
};

static int named_get(struct db *db, const struct named_kind *k, int64_t id, struct arena *a,
                     void *out, struct err *e)
{
    return get_by_id(db, k->get_sql, id, k->read, a, out, k->what, e);
}

/* Insert r as kind, then read the new row back into out. */
static int named_create(struct db *db, const struct named_kind *k, const struct named_row *r,
                        struct arena *a, void *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, k->insert_sql, &st, e);
    if (rc)
        return rc;
    bind_named(st, r, true);
    int64_t id = 0;
    rc = db_step_returning_id(st, &id, e);
    return rc ? rc : named_get(db, k, id, a, out, e);
}

/* Write r to row id of kind; ERR_NOT_FOUND when there is none. */
static int named_update(struct db *db, const struct named_kind *k, const struct named_row *r,
                        int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, k->update_sql, &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, bind_named(st, r, false), id);
    return touch_one(st, k->what, id, e);
}

static int read_category(struct db_stmt *st, struct arena *a, void *item, struct err *e)
{
    struct hc_category *c = item;
    int rc = db_column_text_dup(st, 1, a, &c->name, e);
    rc = rc ? rc : db_column_text_dup(st, 2, a, &c->description, e);
    c->id = db_column_int64(st, 0);
    c->position = db_column_int64(st, 3);
    c->created_at = db_column_int64(st, 4);
    c->updated_at = db_column_int64(st, 5);
    return rc;
}

static const struct named_kind CATEGORY = {
    .get_sql = "SELECT " CATEGORY_COLUMNS " FROM hc_categories WHERE id = ?",
    .insert_sql = "INSERT INTO hc_categories (name, description, position, created_at, "
                  "updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    .update_sql = "UPDATE hc_categories SET name = ?, description = ?, position = ?, "
                  "updated_at = ? WHERE id = ? RETURNING id",
    .what = "category",
    .read = read_category,
};

int hc_store_categories_list(struct db *db, struct arena *a, struct hc_category **out, size_t *n,
                             struct err *e)
{
    return list_by_id(db, "SELECT " CATEGORY_COLUMNS " FROM hc_categories ORDER BY position, id", 0,
                      sizeof **out, read_category, a, (void **)out, n, e);
}

int hc_store_category_get(struct db *db, int64_t id, struct arena *a, struct hc_category *out,
                          struct err *e)
{
    return named_get(db, &CATEGORY, id, a, out, e);
}

int hc_store_category_insert(struct db *db, const struct hc_category *c, struct arena *a,
                             struct hc_category *out, struct err *e)
{
    struct named_row r = category_row(c);
    return named_create(db, &CATEGORY, &r, a, out, e);
}

int hc_store_category_update(struct db *db, const struct hc_category *c, struct err *e)
{
    struct named_row r = category_row(c);
    return named_update(db, &CATEGORY, &r, c->id, e);
}

static int read_section(struct db_stmt *st, struct arena *a, void *item, struct err *e)
{
    struct hc_section *s = item;
    int rc = db_column_text_dup(st, 2, a, &s->name, e);
    rc = rc ? rc : db_column_text_dup(st, 3, a, &s->description, e);
    s->id = db_column_int64(st, 0);
    s->category_id = db_column_int64(st, 1);
    s->position = db_column_int64(st, 4);
    s->created_at = db_column_int64(st, 5);
    s->updated_at = db_column_int64(st, 6);
    return rc;
}

static const struct named_kind SECTION = {
    .get_sql = "SELECT " SECTION_COLUMNS " FROM hc_sections WHERE id = ?",
    .insert_sql = "INSERT INTO hc_sections (name, description, position, created_at, "
                  "updated_at, category_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    .update_sql = "UPDATE hc_sections SET name = ?, description = ?, position = ?, "
                  "updated_at = ?, category_id = ? WHERE id = ? RETURNING id",
    .what = "section",
    .read = read_section,
};

int hc_store_sections_list(struct db *db, int64_t category_id, struct arena *a,
                           struct hc_section **out, size_t *n, struct err *e)
{
    return list_by_id(db,
                      category_id ? "SELECT " SECTION_COLUMNS " FROM hc_sections "
                                    "WHERE category_id = ? ORDER BY position, id"
                                  : "SELECT " SECTION_COLUMNS " FROM hc_sections "
                                    "ORDER BY position, id",
                      category_id, sizeof **out, read_section, a, (void **)out, n, e);
}

int hc_store_section_get(struct db *db, int64_t id, struct arena *a, struct hc_section *out,
                         struct err *e)
{
    return named_get(db, &SECTION, id, a, out, e);
}

int hc_store_section_insert(struct db *db, const struct hc_section *s, struct arena *a,
                            struct hc_section *out, struct err *e)
{
    struct named_row r = section_row(s);
    return named_create(db, &SECTION, &r, a, out, e);
}

int hc_store_section_update(struct db *db, const struct hc_section *s, struct err *e)
{
    struct named_row r = section_row(s);
    return named_update(db, &SECTION, &r, s->id, e);
}

/* ---- articles ------------------------------------------------------------------------------- */

static int read_article(struct db_stmt *st, struct arena *a, void *item, struct err *e)
{
    struct hc_article *r = item;
    int rc = db_column_text_dup(st, 2, a, &r->title, e);
    rc = rc ? rc : db_column_text_dup(st, 3, a, &r->body, e);
    rc = rc ? rc : db_column_text_dup(st, 4, a, &r->html, e);
    rc = rc ? rc : db_column_text_dup(st, 5, a, &r->label_names, e);
    r->seed_key = NULL;
    if (!rc && !db_column_is_null(st, 13))
        rc = db_column_text_dup(st, 13, a, &r->seed_key, e);
    r->id = db_column_int64(st, 0);
    r->section_id = db_column_int64(st, 1);
    r->draft = db_column_int64(st, 6) != 0;
    r->position = db_column_int64(st, 7);
    r->author_id = db_column_int64(st, 8); /* NULL reads as 0: none */
    r->comments_disabled = db_column_int64(st, 9) != 0;
    r->revision = db_column_int64(st, 10);
    r->vote_sum = db_column_int64(st, 11);
    r->vote_count = db_column_int64(st, 12);
    r->created_at = db_column_int64(st, 14);
    r->updated_at = db_column_int64(st, 15);
    r->edited_at = db_column_int64(st, 16);
    return rc;
}

int hc_store_article_get(struct db *db, int64_t id, struct arena *a, struct hc_article *out,
                         struct err *e)
{
    return get_by_id(db, "SELECT " ARTICLE_COLUMNS " FROM hc_articles a WHERE a.id = ?", id,
                     read_article, a, out, "article", e);
}

int hc_store_article_by_seed(struct db *db, const char *seed_key, struct arena *a,
                             struct hc_article *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " ARTICLE_COLUMNS " FROM hc_articles a WHERE a.seed_key = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, seed_key);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = read_article(st, a, out, e);
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no article seeded as \"%s\"", seed_key);
    db_stmt_done(st);
    return rc;
}

int hc_store_article_lock(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        db_dialect(db) == DB_DIALECT_POSTGRES
                            ? "SELECT id FROM hc_articles WHERE id = ? FOR UPDATE"
                            : "SELECT id FROM hc_articles WHERE id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return touch_one(st, "article", id, e);
}

/* The labels of a normalized list "a,b" into out[0..*n) as slices of it. */
static size_t split_labels(const char *list, struct slice out[FILTER_LABELS_MAX])
{
    size_t n = 0;
    const char *p = list ? list : "";
    while (*p && n < FILTER_LABELS_MAX) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len)
            out[n++] = (struct slice){p, len};
        p += len + (comma ? 1 : 0);
    }
    return n;
}

/* FROM and WHERE of a filtered list into sql; binds are made by bind_filter in the same order. */
static int filter_sql(struct buf *sql, const struct hc_store_filter *f, size_t nlabels)
{
    int rc = buf_append_cstr(sql, " FROM hc_articles a JOIN hc_sections s ON s.id = a.section_id "
                                  "WHERE 1 = 1");
    if (!f->drafts)
        rc = rc ? rc : buf_append_cstr(sql, " AND a.draft = 0");
    if (f->section_id)
        rc = rc ? rc : buf_append_cstr(sql, " AND a.section_id = ?");
    if (f->category_id)
        rc = rc ? rc : buf_append_cstr(sql, " AND s.category_id = ?");
    for (size_t i = 0; i < nlabels; i++)
        rc = rc ? rc
                : buf_append_cstr(sql, " AND EXISTS (SELECT 1 FROM hc_article_labels l "
                                       "WHERE l.article_id = a.id AND l.label = ?)");
    return rc;
}

static int bind_filter(struct db_stmt *st, const struct hc_store_filter *f,
                       const struct slice *labels, size_t nlabels)
{
    int idx = 1;
    if (f->section_id)
        db_bind_int64(st, idx++, f->section_id);
    if (f->category_id)
        db_bind_int64(st, idx++, f->category_id);
    for (size_t i = 0; i < nlabels; i++)
        db_bind_text(st, idx++, labels[i].ptr, labels[i].len);
    return idx;
}

int hc_store_articles_list(struct db *db, const struct hc_store_filter *f, struct arena *a,
                           struct hc_article **out, size_t *n, struct err *e)
{
    struct slice labels[FILTER_LABELS_MAX];
    size_t nlabels = split_labels(f->label, labels);
    struct buf sql;
    buf_init(&sql, 4096);
    int rc = buf_append_cstr(&sql, "SELECT " ARTICLE_COLUMNS);
    rc = rc ? rc : filter_sql(&sql, f, nlabels);
    /* Keyset: the row after after_id in the list's own order (row values, both engines). */
    const char *order, *after;
    if (f->section_id) {
        order = " ORDER BY a.position, a.id";
        after = " AND (a.position, a.id) > (SELECT position, id FROM hc_articles WHERE id = ?)";
    } else if (f->category_id) {
        order = " ORDER BY s.position, s.id, a.position, a.id";
        after = " AND (s.position, s.id, a.position, a.id) > (SELECT s2.position, s2.id, "
                "a2.position, a2.id FROM hc_articles a2 JOIN hc_sections s2 ON s2.id = "
                "a2.section_id WHERE a2.id = ?)";
    } else {
        order = " ORDER BY a.id";
        after = " AND a.id > ?";
    }
    if (f->after_id)
        rc = rc ? rc : buf_append_cstr(&sql, after);
    rc = rc ? rc : buf_append_cstr(&sql, order);
    rc = rc ? rc : buf_append_cstr(&sql, " LIMIT ? OFFSET ?");
    if (rc) {
        buf_release(&sql);
        return err_set(e, ERR_INTERNAL, NULL, "article list query too long");
    }
    struct db_stmt *st;
    rc = db_prepare(db, buf_cstr(&sql), &st, e);
    buf_release(&sql);
    if (rc)
        return rc;
    int idx = bind_filter(st, f, labels, nlabels);
    if (f->after_id)
        db_bind_int64(st, idx++, f->after_id);
    db_bind_int64(st, idx++, (int64_t)f->limit);
    db_bind_int64(st, idx, f->after_id ? 0 : (int64_t)f->offset);
    return hc_rows_list(st, sizeof **out, read_article, a, (void **)out, n, e);
}

int hc_store_articles_count(struct db *db, const struct hc_store_filter *f, int64_t *count,
                            struct err *e)
{
    struct slice labels[FILTER_LABELS_MAX];
    size_t nlabels = split_labels(f->label, labels);
    struct buf sql;
    buf_init(&sql, 4096);
    int rc = buf_append_cstr(&sql, "SELECT COUNT(*)");
    rc = rc ? rc : filter_sql(&sql, f, nlabels);
    if (rc) {
        buf_release(&sql);
        return err_set(e, ERR_INTERNAL, NULL, "article count query too long");
    }
    struct db_stmt *st;
    rc = db_prepare(db, buf_cstr(&sql), &st, e);
    buf_release(&sql);
    if (rc)
        return rc;
    bind_filter(st, f, labels, nlabels);
    return hc_rows_count(st, count, e);
}

int hc_store_article_insert(struct db *db, const struct hc_article *art, struct arena *a,
                            struct hc_article *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO hc_articles (section_id, title, body, html, label_names, "
                        "draft, position, author_id, comments_disabled, revision, seed_key, "
                        "created_at, updated_at, edited_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, art->section_id);
    db_bind_cstr(st, 2, art->title);
    db_bind_cstr(st, 3, art->body);
    db_bind_cstr(st, 4, art->html);
    db_bind_cstr(st, 5, art->label_names);
    db_bind_int64(st, 6, art->draft ? 1 : 0);
    db_bind_int64(st, 7, art->position);
    if (art->author_id)
        db_bind_int64(st, 8, art->author_id);
    db_bind_int64(st, 9, art->comments_disabled ? 1 : 0);
    db_bind_int64(st, 10, art->revision);
    db_bind_cstr(st, 11, art->seed_key);
    db_bind_int64(st, 12, art->created_at);
    db_bind_int64(st, 13, art->updated_at);
    db_bind_int64(st, 14, art->edited_at);
    int64_t id = 0;
    rc = db_step_returning_id(st, &id, e);
    return rc ? rc : hc_store_article_get(db, id, a, out, e);
}

int hc_store_article_update(struct db *db, const struct hc_article *art, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE hc_articles SET section_id = ?, title = ?, body = ?, html = ?, "
                        "label_names = ?, draft = ?, position = ?, comments_disabled = ?, "
                        "revision = ?, updated_at = ?, edited_at = ? WHERE id = ? RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, art->section_id);
    db_bind_cstr(st, 2, art->title);
    db_bind_cstr(st, 3, art->body);
    db_bind_cstr(st, 4, art->html);
    db_bind_cstr(st, 5, art->label_names);
    db_bind_int64(st, 6, art->draft ? 1 : 0);
    db_bind_int64(st, 7, art->position);
    db_bind_int64(st, 8, art->comments_disabled ? 1 : 0);
    db_bind_int64(st, 9, art->revision);
    db_bind_int64(st, 10, art->updated_at);
    db_bind_int64(st, 11, art->edited_at);
    db_bind_int64(st, 12, art->id);
    return touch_one(st, "article", art->id, e);
}

int hc_store_article_delete(struct db *db, int64_t id, struct err *e)
{
    /* The labels and revisions go by ON DELETE CASCADE; deleted explicitly as well, so the
     * outcome does not hang on SQLite's foreign_keys pragma. */
    static const char *const dependents[] = {
        "DELETE FROM hc_article_labels WHERE article_id = ?",
        "DELETE FROM hc_article_revisions WHERE article_id = ?",
    };
    struct db_stmt *st;
    int rc = 0;
    for (size_t i = 0; i < sizeof dependents / sizeof dependents[0] && !rc; i++) {
        rc = db_prepare(db, dependents[i], &st, e);
        if (!rc) {
            db_bind_int64(st, 1, id);
            rc = db_run(st, e);
        }
    }
    rc = rc ? rc : db_prepare(db, "DELETE FROM hc_articles WHERE id = ? RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return touch_one(st, "article", id, e);
}

int hc_store_labels_set(struct db *db, int64_t article_id, const char *label_names, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM hc_article_labels WHERE article_id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, article_id);
    rc = db_run(st, e);
    struct slice labels[FILTER_LABELS_MAX];
    size_t n = split_labels(label_names, labels);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = db_prepare(db, "INSERT INTO hc_article_labels (article_id, label) VALUES (?, ?)", &st,
                        e);
        if (rc)
            break;
        db_bind_int64(st, 1, article_id);
        db_bind_text(st, 2, labels[i].ptr, labels[i].len);
        rc = db_run(st, e);
    }
    return rc;
}

/* ---- revisions ------------------------------------------------------------------------------ */

static int read_revision(struct db_stmt *st, struct arena *a, void *item, struct err *e)
{
    struct hc_revision *r = item;
    int rc = db_column_text_dup(st, 3, a, &r->title, e);
    rc = rc ? rc : db_column_text_dup(st, 4, a, &r->body, e);
    rc = rc ? rc : db_column_text_dup(st, 5, a, &r->label_names, e);
    r->id = db_column_int64(st, 0);
    r->article_id = db_column_int64(st, 1);
    r->revision = db_column_int64(st, 2);
    r->author_id = db_column_int64(st, 6);
    r->created_at = db_column_int64(st, 7);
    return rc;
}

int hc_store_revision_insert(struct db *db, const struct hc_revision *r, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO hc_article_revisions (article_id, revision, title, body, "
                        "label_names, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, r->article_id);
    db_bind_int64(st, 2, r->revision);
    db_bind_cstr(st, 3, r->title);
    db_bind_cstr(st, 4, r->body);
    db_bind_cstr(st, 5, r->label_names);
    if (r->author_id)
        db_bind_int64(st, 6, r->author_id);
    db_bind_int64(st, 7, r->created_at);
    return db_run(st, e);
}

int hc_store_revisions_list(struct db *db, int64_t article_id, struct arena *a,
                            struct hc_revision **out, size_t *n, struct err *e)
{
    return list_by_id(db,
                      "SELECT " REVISION_COLUMNS " FROM hc_article_revisions "
                      "WHERE article_id = ? ORDER BY revision DESC",
                      article_id, sizeof **out, read_revision, a, (void **)out, n, e);
}

int hc_store_revision_get(struct db *db, int64_t article_id, int64_t revision, struct arena *a,
                          struct hc_revision *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " REVISION_COLUMNS " FROM hc_article_revisions "
                        "WHERE article_id = ? AND revision = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, article_id);
    db_bind_int64(st, 2, revision);
    return hc_rows_one(st, read_revision, a, out, not_found, "revision", revision, e);
}
