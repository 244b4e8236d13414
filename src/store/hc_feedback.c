#include "store/hc_feedback.h"

#include "store/hc_rows.h"

#include <stdio.h>
#include <string.h>

static int not_found(const char *what, int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "%s %lld not found", what, (long long)id);
}

static int no_vote(const char *what, int64_t article_id, struct err *e)
{
    (void)what;
    return err_set(e, ERR_NOT_FOUND, NULL, "no vote on article %lld", (long long)article_id);
}

/* An INSERT ... RETURNING its row that returned none. */
static int no_row(const char *what, int64_t id, struct err *e)
{
    (void)what;
    (void)id;
    return err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
}

static int read_article(struct db_stmt *st, struct arena *a, void *item, struct err *e)
{
    (void)a;
    (void)e;
    *(struct hc_feedback_article *)item =
        (struct hc_feedback_article){.id = db_column_int64(st, 0),
                                     .draft = db_column_int64(st, 1) != 0,
                                     .comments_disabled = db_column_int64(st, 2) != 0,
                                     .vote_sum = db_column_int64(st, 3),
                                     .vote_count = db_column_int64(st, 4)};
    return 0;
}

int hc_feedback_store_article(struct db *db, int64_t id, bool lock, struct hc_feedback_article *out,
                              struct err *e)
{
    bool pg = db_dialect(db) == DB_DIALECT_POSTGRES;
    struct db_stmt *st;
    int rc = db_prepare(db,
                        lock && pg ? "SELECT id, draft, comments_disabled, vote_sum, vote_count "
                                     "FROM hc_articles WHERE id = ? FOR UPDATE"
                                   : "SELECT id, draft, comments_disabled, vote_sum, vote_count "
                                     "FROM hc_articles WHERE id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return hc_rows_one(st, read_article, NULL, out, not_found, "article", id, e);
}

/* ---- votes ----------------------------------------------------------------------------------- */

#define VOTE_COLUMNS "id, article_id, user_id, voter_hash, value, created_at, updated_at"

static int read_vote(struct db_stmt *st, struct arena *a, void *item, struct err *e)
{
    (void)a;
    (void)e;
    struct hc_vote *v = item;
    v->id = db_column_int64(st, 0);
    v->article_id = db_column_int64(st, 1);
    v->user_id = db_column_int64(st, 2); /* NULL reads as 0 */
    db_column_copy(st, 3, v->voter_hash, sizeof v->voter_hash);
    v->value = (int)db_column_int64(st, 4);
    v->created_at = db_column_int64(st, 5);
    v->updated_at = db_column_int64(st, 6);
    return 0;
}

int hc_feedback_store_vote_find(struct db *db, int64_t article_id, const struct hc_voter *v,
                                struct hc_vote *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        v->user_id ? "SELECT " VOTE_COLUMNS
                                     " FROM hc_votes WHERE article_id = ? AND user_id = ?"
                                   : "SELECT " VOTE_COLUMNS
                                     " FROM hc_votes WHERE article_id = ? AND voter_hash = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, article_id);
    if (v->user_id)
        db_bind_int64(st, 2, v->user_id);
    else
        db_bind_cstr(st, 2, v->voter_hash);
    return hc_rows_one(st, read_vote, NULL, out, no_vote, "vote", article_id, e);
}

int hc_feedback_store_vote_get(struct db *db, int64_t id, struct hc_vote *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " VOTE_COLUMNS " FROM hc_votes WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return hc_rows_one(st, read_vote, NULL, out, not_found, "vote", id, e);
}

int hc_feedback_store_voter_known(struct db *db, const char *voter_hash, bool *known, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM hc_votes WHERE voter_hash = ? LIMIT 1", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, voter_hash);
    rc = db_step(st, e);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *known = rc == DB_ROW;
    return 0;
}

int hc_feedback_store_vote_insert(struct db *db, int64_t article_id, const struct hc_voter *v,
                                  int value, int64_t now, struct hc_vote *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO hc_votes (article_id, user_id, voter_hash, value, created_at, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING " VOTE_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, article_id);
    if (v->user_id)
        db_bind_int64(st, 2, v->user_id);
    else
        db_bind_cstr(st, 3, v->voter_hash);
    db_bind_int64(st, 4, value);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, now);
    return hc_rows_one(st, read_vote, NULL, out, no_row, "vote", 0, e);
}

/* Run st (an UPDATE or DELETE ... RETURNING id): ERR_NOT_FOUND (what, id) when it hit no row. */
static int run_one(struct db_stmt *st, const char *what, int64_t id, struct err *e)
{
    int64_t rows = 0;
    int rc = db_run_count(st, &rows, e);
    if (rc)
        return rc;
    return rows ? 0 : not_found(what, id, e);
}

/* Run sql (a DELETE ... WHERE id = ? RETURNING id) for id: ERR_NOT_FOUND (what, id) when it hit
 * no row. */
static int delete_one(struct db *db, const char *sql, const char *what, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return run_one(st, what, id, e);
}

int hc_feedback_store_vote_set(struct db *db, int64_t id, int value, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db, "UPDATE hc_votes SET value = ?, updated_at = ? WHERE id = ? RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, value);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, id);
    return run_one(st, "vote", id, e);
}

int hc_feedback_store_vote_delete(struct db *db, int64_t id, struct err *e)
{
    return delete_one(db, "DELETE FROM hc_votes WHERE id = ? RETURNING id", "vote", id, e);
}

int hc_feedback_store_counts_add(struct db *db, int64_t article_id, int64_t dsum, int64_t dcount,
                                 struct err *e)
{
    struct db_stmt *st;
    /* A delta, not a value computed by the caller: correct whatever else committed meanwhile,
     * and the row's lock is held from here (or from the caller's FOR UPDATE) to the commit. */
    int rc = db_prepare(db,
                        "UPDATE hc_articles SET vote_sum = vote_sum + ?, "
                        "vote_count = vote_count + ? WHERE id = ? RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, dsum);
    db_bind_int64(st, 2, dcount);
    db_bind_int64(st, 3, article_id);
    return run_one(st, "article", article_id, e);
}

/* One page of an article's list: *total from count_sql, then at most limit rows of list_sql
 * (parameters: article_id, LIMIT, OFFSET) into out, read with read. */
static int page_of(struct db *db, const char *count_sql, const char *list_sql, int64_t article_id,
                   int64_t offset, size_t limit, size_t size, hc_rows_read_fn read, struct arena *a,
                   void *out, size_t *n, int64_t *total, struct err *e)
{
    int64_t count = 0;
    struct db_stmt *st;
    int rc = db_prepare(db, count_sql, &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, article_id);
    rc = hc_rows_count(st, &count, e);
    rc = rc ? rc : db_prepare(db, list_sql, &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, article_id);
    db_bind_int64(st, 2, (int64_t)limit);
    db_bind_int64(st, 3, offset);
    rc = hc_rows_fill(st, size, read, a, out, limit, n, e);
    if (!rc)
        *total = count;
    return rc;
}

int hc_feedback_store_votes_list(struct db *db, int64_t article_id, int64_t offset, size_t limit,
                                 struct hc_vote *out, size_t *n, int64_t *total, struct err *e)
{
    return page_of(db, "SELECT COUNT(*) FROM hc_votes WHERE article_id = ?",
                   "SELECT " VOTE_COLUMNS " FROM hc_votes WHERE article_id = ? ORDER BY id "
                   "LIMIT ? OFFSET ?",
                   article_id, offset, limit, sizeof *out, read_vote, NULL, out, n, total, e);
}

/* ---- comments -------------------------------------------------------------------------------- */

#define COMMENT_COLUMNS "id, article_id, author_id, body, html, hidden, created_at, updated_at"

static int read_comment(struct db_stmt *st, struct arena *a, void *item, struct err *e)
{
    struct hc_comment *c = item;
    *c = (struct hc_comment){.id = db_column_int64(st, 0),
                             .article_id = db_column_int64(st, 1),
                             .author_id = db_column_int64(st, 2),
                             .hidden = db_column_int64(st, 5) != 0,
                             .created_at = db_column_int64(st, 6),
                             .updated_at = db_column_int64(st, 7)};
    int rc = db_column_text_dup(st, 3, a, &c->body, e);
    return rc ? rc : db_column_text_dup(st, 4, a, &c->html, e);
}

int hc_feedback_store_comment_insert(struct db *db, int64_t article_id, int64_t author_id,
                                     const char *body, const char *html, int64_t now,
                                     struct arena *a, struct hc_comment *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO hc_comments (article_id, author_id, body, html, hidden, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?) "
                        "RETURNING " COMMENT_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, article_id);
    db_bind_int64(st, 2, author_id);
    db_bind_cstr(st, 3, body);
    db_bind_cstr(st, 4, html);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, now);
    return hc_rows_one(st, read_comment, a, out, no_row, "comment", 0, e);
}

int hc_feedback_store_comment_get(struct db *db, int64_t article_id, int64_t id, struct arena *a,
                                  struct hc_comment *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db, "SELECT " COMMENT_COLUMNS " FROM hc_comments WHERE id = ? AND article_id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, article_id);
    return hc_rows_one(st, read_comment, a, out, not_found, "comment", id, e);
}

int hc_feedback_store_comment_update(struct db *db, int64_t id, const char *body, const char *html,
                                     int hidden, int64_t now, struct err *e)
{
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE hc_comments SET %s%supdated_at = ? WHERE id = ? RETURNING id",
             body ? "body = ?, html = ?, " : "", hidden >= 0 ? "hidden = ?, " : "");
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    int i = 1;
    if (body) {
        db_bind_cstr(st, i++, body);
        db_bind_cstr(st, i++, html);
    }
    if (hidden >= 0)
        db_bind_int64(st, i++, hidden ? 1 : 0);
    db_bind_int64(st, i++, now);
    db_bind_int64(st, i, id);
    return run_one(st, "comment", id, e);
}

int hc_feedback_store_comment_delete(struct db *db, int64_t id, struct err *e)
{
    return delete_one(db, "DELETE FROM hc_comments WHERE id = ? RETURNING id", "comment", id, e);
}

int hc_feedback_store_comments_list(struct db *db, int64_t article_id, bool include_hidden,
                                    int64_t offset, size_t limit, struct arena *a,
                                    struct hc_comment *out, size_t *n, int64_t *total,
                                    struct err *e)
{
    return page_of(db,
                   include_hidden
                       ? "SELECT COUNT(*) FROM hc_comments WHERE article_id = ?"
                       : "SELECT COUNT(*) FROM hc_comments WHERE article_id = ? AND hidden = 0",
                   include_hidden ? "SELECT " COMMENT_COLUMNS " FROM hc_comments "
                                    "WHERE article_id = ? ORDER BY id LIMIT ? OFFSET ?"
                                  : "SELECT " COMMENT_COLUMNS " FROM hc_comments "
                                    "WHERE article_id = ? AND hidden = 0 ORDER BY id "
                                    "LIMIT ? OFFSET ?",
                   article_id, offset, limit, sizeof *out, read_comment, a, out, n, total, e);
}
