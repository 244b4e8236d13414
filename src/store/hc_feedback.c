#include "store/hc_feedback.h"

#include <stdio.h>
#include <string.h>

static int not_found(const char *what, int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "%s %lld not found", what, (long long)id);
}

/* Step st for one row: 0 with the row current, ERR_NOT_FOUND (what, id) on none, or the error. */
static int one_row(struct db_stmt *st, const char *what, int64_t id, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        return 0;
    if (rc == DB_DONE)
        return not_found(what, id, e);
    return rc;
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
    rc = one_row(st, "article", id, e);
    if (!rc)
        *out = (struct hc_feedback_article){.id = db_column_int64(st, 0),
                                            .draft = db_column_int64(st, 1) != 0,
                                            .comments_disabled = db_column_int64(st, 2) != 0,
                                            .vote_sum = db_column_int64(st, 3),
                                            .vote_count = db_column_int64(st, 4)};
    db_stmt_done(st);
    return rc;
}

/* ---- votes ----------------------------------------------------------------------------------- */

#define VOTE_COLUMNS "id, article_id, user_id, voter_hash, value, created_at, updated_at"

static void read_vote(struct db_stmt *st, struct hc_vote *v)
{
    v->id = db_column_int64(st, 0);
    v->article_id = db_column_int64(st, 1);
    v->user_id = db_column_int64(st, 2); /* NULL reads as 0 */
    db_column_copy(st, 3, v->voter_hash, sizeof v->voter_hash);
    v->value = (int)db_column_int64(st, 4);
    v->created_at = db_column_int64(st, 5);
    v->updated_at = db_column_int64(st, 6);
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
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_vote(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no vote on article %lld", (long long)article_id);
    }
    db_stmt_done(st);
    return rc;
}

int hc_feedback_store_vote_get(struct db *db, int64_t id, struct hc_vote *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " VOTE_COLUMNS " FROM hc_votes WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = one_row(st, "vote", id, e);
    if (!rc)
        read_vote(st, out);
    db_stmt_done(st);
    return rc;
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
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_vote(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    }
    db_stmt_done(st);
    return rc;
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
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM hc_votes WHERE id = ? RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return run_one(st, "vote", id, e);
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

/* The number of rows of a one-column COUNT(*) query with one id parameter. */
static int count_of(struct db *db, const char *sql, int64_t id, int64_t *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *out = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "count returned no row");
    }
    db_stmt_done(st);
    return rc;
}

int hc_feedback_store_votes_list(struct db *db, int64_t article_id, int64_t offset, size_t limit,
                                 struct hc_vote *out, size_t *n, int64_t *total, struct err *e)
{
    int64_t count = 0;
    int rc =
        count_of(db, "SELECT COUNT(*) FROM hc_votes WHERE article_id = ?", article_id, &count, e);
    struct db_stmt *st = NULL;
    if (!rc)
        rc = db_prepare(db,
                        "SELECT " VOTE_COLUMNS " FROM hc_votes WHERE article_id = ? ORDER BY id "
                        "LIMIT ? OFFSET ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, article_id);
    db_bind_int64(st, 2, (int64_t)limit);
    db_bind_int64(st, 3, offset);
    size_t got = 0;
    while ((rc = db_step(st, e)) == DB_ROW && got < limit)
        read_vote(st, &out[got++]);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = got;
    *total = count;
    return 0;
}

/* ---- comments -------------------------------------------------------------------------------- */

#define COMMENT_COLUMNS "id, article_id, author_id, body, html, hidden, created_at, updated_at"

static int read_comment(struct db_stmt *st, struct arena *a, struct hc_comment *c, struct err *e)
{
    size_t blen, hlen;
    const char *b = db_column_text(st, 3, &blen);
    const char *h = db_column_text(st, 4, &hlen);
    char *body = arena_strndup(a, b, blen);
    char *html = body ? arena_strndup(a, h, hlen) : NULL;
    if (!html)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory reading comments");
    *c = (struct hc_comment){.id = db_column_int64(st, 0),
                             .article_id = db_column_int64(st, 1),
                             .author_id = db_column_int64(st, 2),
                             .body = body,
                             .html = html,
                             .hidden = db_column_int64(st, 5) != 0,
                             .created_at = db_column_int64(st, 6),
                             .updated_at = db_column_int64(st, 7)};
    return 0;
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
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = read_comment(st, a, out, e);
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    db_stmt_done(st);
    return rc;
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
    rc = one_row(st, "comment", id, e);
    if (!rc)
        rc = read_comment(st, a, out, e);
    db_stmt_done(st);
    return rc;
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
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM hc_comments WHERE id = ? RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return run_one(st, "comment", id, e);
}

int hc_feedback_store_comments_list(struct db *db, int64_t article_id, bool include_hidden,
                                    int64_t offset, size_t limit, struct arena *a,
                                    struct hc_comment *out, size_t *n, int64_t *total,
                                    struct err *e)
{
    int64_t count = 0;
    int rc = count_of(db,
                      include_hidden
                          ? "SELECT COUNT(*) FROM hc_comments WHERE article_id = ?"
                          : "SELECT COUNT(*) FROM hc_comments WHERE article_id = ? AND hidden = 0",
                      article_id, &count, e);
    struct db_stmt *st = NULL;
    if (!rc)
        rc = db_prepare(db,
                        include_hidden ? "SELECT " COMMENT_COLUMNS " FROM hc_comments "
                                         "WHERE article_id = ? ORDER BY id LIMIT ? OFFSET ?"
                                       : "SELECT " COMMENT_COLUMNS " FROM hc_comments "
                                         "WHERE article_id = ? AND hidden = 0 ORDER BY id "
                                         "LIMIT ? OFFSET ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, article_id);
    db_bind_int64(st, 2, (int64_t)limit);
    db_bind_int64(st, 3, offset);
    size_t got = 0;
    while (got < limit && (rc = db_step(st, e)) == DB_ROW) {
        rc = read_comment(st, a, &out[got], e);
        if (rc)
            break;
        got++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = got;
    *total = count;
    return 0;
}
