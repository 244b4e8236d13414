/* hc_deflections: see hc_deflections.h. */
#include "store/hc_deflections.h"

#include "store/hc_rows.h"

static void read_row(struct db_stmt *st, struct hc_deflection *out)
{
    out->id = db_column_int64(st, 0);
    out->article_id = db_column_int64(st, 1);
    out->created_at = db_column_int64(st, 2);
    out->submitted = db_column_int64(st, 3) != 0;
}

/* Step a statement returning one deflection row, and hand it back. */
static int one_row(struct db_stmt *st, struct hc_deflection *out, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        read_row(st, out);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    return rc == DB_ROW ? 0 : err_set(e, ERR_NOT_FOUND, NULL, "no such deflection");
}

int hc_deflections_store_insert(struct db *db, int64_t article_id, const char *query,
                                const char *token_hash, int64_t now, struct hc_deflection *out,
                                struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db,
        "INSERT INTO hc_deflections (article_id, query, token_hash, created_at, submitted) "
        "SELECT id, ?, ?, ?, 0 FROM hc_articles WHERE id = ? AND draft = 0 "
        "RETURNING id, article_id, created_at, submitted",
        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, query ? query : "");
    db_bind_cstr(st, 2, token_hash);
    db_bind_int64(st, 3, now);
    db_bind_int64(st, 4, article_id);
    return one_row(st, out, e);
}

int hc_deflections_store_mark_submitted(struct db *db, int64_t id, const char *token_hash,
                                        struct hc_deflection *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE hc_deflections SET submitted = 1 WHERE id = ? AND token_hash = ? "
                        "RETURNING id, article_id, created_at, submitted",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_cstr(st, 2, token_hash);
    return one_row(st, out, e);
}

int hc_deflections_store_clear_queries(struct db *db, int64_t before, int64_t max, int64_t *cleared,
                                       struct err *e)
{
    struct db_stmt *st;
    /* Oldest first through the created_at index; the subquery keeps the batch bounded on both
     * dialects (neither takes LIMIT on UPDATE). */
    int rc = db_prepare(db,
                        "UPDATE hc_deflections SET query = '' WHERE id IN ("
                        "SELECT id FROM hc_deflections WHERE created_at < ? AND query <> '' "
                        "ORDER BY created_at LIMIT ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, before);
    db_bind_int64(st, 2, max);
    return db_run_count(st, cleared, e);
}

static int read_line(struct db_stmt *st, struct arena *a, void *item, struct err *e)
{
    struct hc_deflection_line *l = item;
    l->article_id = db_column_int64(st, 0);
    l->opened = db_column_int64(st, 2);
    l->deflected = db_column_int64(st, 3);
    return db_column_text_dup(st, 1, a, &l->title, e);
}

int hc_deflections_store_report(struct db *db, int64_t from, int64_t to, size_t max,
                                struct arena *a, struct hc_deflection_line *out, size_t *n,
                                struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT d.article_id, a.title, COUNT(*) AS opened, "
                        "SUM(CASE WHEN d.submitted = 0 THEN 1 ELSE 0 END) AS deflected "
                        "FROM hc_deflections d JOIN hc_articles a ON a.id = d.article_id "
                        "WHERE d.created_at >= ? AND d.created_at < ? "
                        "GROUP BY d.article_id, a.title "
                        "ORDER BY deflected DESC, opened DESC, d.article_id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, to);
    db_bind_int64(st, 3, (int64_t)max);
    return hc_rows_fill(st, sizeof *out, read_line, a, out, max, n, e);
}
