#include "store/attachments.h"

#include <stdio.h>
#include <string.h>

int attachments_insert_upload(struct db *db, const struct attachment_upload *u, int64_t now,
                              int64_t *id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO uploads (token, uploader_id, file_name, content_type, size, "
                        "data, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, u->token);
    db_bind_int64(st, 2, u->uploader_id);
    db_bind_cstr(st, 3, u->file_name);
    db_bind_cstr(st, 4, u->content_type);
    db_bind_int64(st, 5, (int64_t)u->size);
    db_bind_blob(st, 6, u->data ? u->data : "", u->size);
    db_bind_int64(st, 7, now);
    db_bind_int64(st, 8, u->expires_at);
    return db_step_returning_id(st, id, e);
}

int attachments_token_expiry(struct db *db, const char *token, int64_t uploader_id, int64_t now,
                             int64_t *expires_at, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT min(expires_at) FROM uploads WHERE token = ? AND uploader_id = ? "
                        "AND expires_at > ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, token);
    db_bind_int64(st, 2, uploader_id);
    db_bind_int64(st, 3, now);
    rc = db_step(st, e);
    if (rc == DB_ROW && !db_column_is_null(st, 0)) {
        *expires_at = db_column_int64(st, 0);
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_NOT_FOUND;
    }
    db_stmt_done(st);
    return rc;
}

/* Columns: id, uploader_id, file_name, content_type, size, created_at, then per query. */
static int read_common(struct db_stmt *st, struct arena *a, struct attachment *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    out->id = db_column_int64(st, 0);
    out->uploader_id = db_column_int64(st, 1);
    int rc = db_column_text_dup(st, 2, a, &out->file_name, e);
    if (rc)
        return rc;
    db_column_copy(st, 3, out->content_type, sizeof out->content_type);
    out->size = db_column_int64(st, 4);
    out->created_at = db_column_int64(st, 5);
    return 0;
}

int attachments_list_token(struct db *db, const char *token, struct arena *a,
                           struct attachment *out, size_t cap, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT id, uploader_id, file_name, content_type, size, created_at, "
                        "expires_at FROM uploads WHERE token = ? ORDER BY id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, token);
    size_t count = 0;
    while (count < cap && (rc = db_step(st, e)) == DB_ROW) {
        if ((rc = read_common(st, a, &out[count], e)))
            break;
        out[count].pending = true;
        out[count].expires_at = db_column_int64(st, 6);
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int attachments_claim(struct db *db, const char *token, int64_t uploader_id, int64_t now,
                      int64_t ticket_id, int64_t comment_id, size_t *moved, struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db,
                   "INSERT INTO attachments (id, ticket_id, comment_id, uploader_id, "
                   "file_name, content_type, size, data, created_at) SELECT id, CAST(? AS BIGINT), "
                   "CAST(? AS BIGINT), "
                   "uploader_id, file_name, content_type, size, data, created_at FROM uploads "
                   "WHERE token = ? AND uploader_id = ? AND expires_at > ? RETURNING id",
                   &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, comment_id);
    db_bind_cstr(st, 3, token);
    db_bind_int64(st, 4, uploader_id);
    db_bind_int64(st, 5, now);
    size_t count = 0;
    while ((rc = db_step(st, e)) == DB_ROW)
        count++;
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    /* The moved rows leave uploads; so do their expired siblings, which nobody can claim. */
    if ((rc = db_prepare(db, "DELETE FROM uploads WHERE token = ? AND uploader_id = ?", &st, e)))
        return rc;
    db_bind_cstr(st, 1, token);
    db_bind_int64(st, 2, uploader_id);
    if (count && (rc = db_run(st, e)))
        return rc;
    if (!count)
        db_stmt_done(st);
    *moved = count;
    return 0;
}

int attachments_delete_expired_uploads(struct db *db, int64_t before, unsigned limit,
                                       int64_t *deleted, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "DELETE FROM uploads WHERE id IN (SELECT id FROM uploads "
                        "WHERE expires_at <= ? ORDER BY expires_at LIMIT ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, before);
    db_bind_int64(st, 2, limit);
    return db_run_count(st, deleted, e);
}

int attachments_get(struct db *db, int64_t id, bool with_data, struct arena *a,
                    struct attachment *out, struct err *e)
{
    static const char *const sql[2][2] = {
        {"SELECT a.id, a.uploader_id, a.file_name, a.content_type, a.size, a.created_at, "
         "a.ticket_id, a.comment_id, t.requester_id, t.organization_id, c.public, NULL "
         "FROM attachments a JOIN tickets t ON t.id = a.ticket_id "
         "JOIN ticket_comments c ON c.id = a.comment_id WHERE a.id = ?",
         "SELECT a.id, a.uploader_id, a.file_name, a.content_type, a.size, a.created_at, "
         "a.ticket_id, a.comment_id, t.requester_id, t.organization_id, c.public, a.data "
         "FROM attachments a JOIN tickets t ON t.id = a.ticket_id "
         "JOIN ticket_comments c ON c.id = a.comment_id WHERE a.id = ?"},
        {"SELECT id, uploader_id, file_name, content_type, size, created_at, expires_at, NULL "
         "FROM uploads WHERE id = ?",
         "SELECT id, uploader_id, file_name, content_type, size, created_at, expires_at, data "
         "FROM uploads WHERE id = ?"},
    };
    for (int pending = 0; pending < 2; pending++) {
        struct db_stmt *st;
        int rc = db_prepare(db, sql[pending][with_data], &st, e);
        if (rc)
            return rc;
        db_bind_int64(st, 1, id);
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            struct attachment r;
            int data_col = pending ? 7 : 11;
            rc = read_common(st, a, &r, e);
            if (!rc && pending) {
                r.pending = true;
                r.expires_at = db_column_int64(st, 6);
            } else if (!rc) {
                r.ticket_id = db_column_int64(st, 6);
                r.comment_id = db_column_int64(st, 7);
                r.requester_id = db_column_int64(st, 8);
                r.organization_id = db_column_int64(st, 9);
                r.public = db_column_int64(st, 10) != 0;
            }
            if (!rc && with_data) {
                size_t len;
                const void *p = db_column_blob(st, data_col, &len);
                void *copy = arena_alloc(a, len ? len : 1);
                if (!copy)
                    rc = err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
                else {
                    if (len)
                        memcpy(copy, p, len);
                    r.data = copy;
                    r.size = (int64_t)len;
                }
            }
            db_stmt_done(st);
            if (!rc)
                *out = r;
            return rc;
        }
        db_stmt_done(st);
        if (rc < 0)
            return rc;
    }
    return ERR_NOT_FOUND;
}

int attachments_list_comments(struct db *db, int64_t ticket_id, int64_t first_comment,
                              int64_t last_comment, struct arena *a, struct attachment *out,
                              size_t cap, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT id, uploader_id, file_name, content_type, size, created_at, "
                        "comment_id FROM attachments WHERE ticket_id = ? AND comment_id >= ? AND "
                        "comment_id <= ? ORDER BY comment_id, id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, first_comment);
    db_bind_int64(st, 3, last_comment);
    size_t count = 0;
    while (count < cap && (rc = db_step(st, e)) == DB_ROW) {
        if ((rc = read_common(st, a, &out[count], e)))
            break;
        out[count].ticket_id = ticket_id;
        out[count].comment_id = db_column_int64(st, 6);
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}
