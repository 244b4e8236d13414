#include "store/credentials.h"

#include <stdio.h>
#include <string.h>

int sessions_insert(struct db *db, const char *hash, int64_t user_id, int64_t now,
                    int64_t expires_at, const char *ip, const char *user_agent, int64_t *id,
                    struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, "
                        "expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, hash);
    db_bind_int64(st, 2, user_id);
    db_bind_int64(st, 3, now);
    db_bind_int64(st, 4, now);
    db_bind_int64(st, 5, expires_at);
    db_bind_cstr(st, 6, ip);
    db_bind_cstr(st, 7, user_agent);
    return db_step_returning_id(st, id, e);
}

int sessions_find(struct db *db, const char *hash, struct session_row *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT id, user_id, created_at, last_seen_at, expires_at FROM sessions "
                        "WHERE token_hash = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, hash);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        out->id = db_column_int64(st, 0);
        out->user_id = db_column_int64(st, 1);
        out->created_at = db_column_int64(st, 2);
        out->last_seen_at = db_column_int64(st, 3);
        out->expires_at = db_column_int64(st, 4);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such session");
    }
    db_stmt_done(st);
    return rc;
}

int sessions_touch(struct db *db, int64_t id, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, id);
    return db_run(st, e);
}

int sessions_delete(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM sessions WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return db_run(st, e);
}

int sessions_delete_user(struct db *db, int64_t user_id, int64_t *deleted, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM sessions WHERE user_id = ? RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id);
    return db_run_count(st, deleted, e);
}

static void read_token(struct db_stmt *st, struct api_token_row *t)
{
    t->id = db_column_int64(st, 0);
    t->user_id = db_column_int64(st, 1);
    size_t len;
    const char *name = db_column_text(st, 2, &len);
    if (len >= sizeof t->name)
        len = sizeof t->name - 1;
    memcpy(t->name, name, len);
    t->name[len] = '\0';
    t->created_at = db_column_int64(st, 3);
    t->last_used_at = db_column_int64(st, 4);
    t->revoked_at = db_column_int64(st, 5);
}

#define TOKEN_COLUMNS                                                                              \
    "id, user_id, name, created_at, coalesce(last_used_at, 0), coalesce(revoked_at, 0)"

int api_tokens_insert(struct db *db, int64_t user_id, const char *name, const char *hash,
                      int64_t now, struct api_token_row *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
                        "VALUES (?, ?, ?, ?) RETURNING " TOKEN_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id);
    db_bind_cstr(st, 2, name);
    db_bind_cstr(st, 3, hash);
    db_bind_int64(st, 4, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_token(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    }
    db_stmt_done(st);
    return rc;
}

int api_tokens_find_live(struct db *db, const char *hash, struct api_token_row *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " TOKEN_COLUMNS " FROM api_tokens "
                        "WHERE token_hash = ? AND revoked_at IS NULL",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, hash);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_token(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such token");
    }
    db_stmt_done(st);
    return rc;
}

int api_tokens_touch(struct db *db, int64_t id, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, id);
    return db_run(st, e);
}

int api_tokens_get(struct db *db, int64_t id, struct api_token_row *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_token(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, "id", "API token %lld not found", (long long)id);
    }
    db_stmt_done(st);
    return rc;
}

int api_tokens_list(struct db *db, int64_t user_id, int64_t after, size_t cap,
                    struct api_token_row *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE (? = 0 OR user_id = ?) "
                        "AND id > ? ORDER BY id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, user_id);
    db_bind_int64(st, 3, after);
    db_bind_int64(st, 4, (int64_t)cap);
    size_t count = 0;
    while (count < cap && (rc = db_step(st, e)) == DB_ROW)
        read_token(st, &out[count++]);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int api_tokens_revoke(struct db *db, int64_t id, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db, "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, id);
    return db_run(st, e);
}

int password_resets_insert(struct db *db, const char *hash, int64_t user_id, int64_t now,
                           int64_t expires_at, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) "
                        "VALUES (?, ?, ?, ?)",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, hash);
    db_bind_int64(st, 2, user_id);
    db_bind_int64(st, 3, now);
    db_bind_int64(st, 4, expires_at);
    return db_run(st, e);
}

int password_resets_consume(struct db *db, const char *hash, int64_t now, int64_t *user_id,
                            struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE password_resets SET used_at = ? WHERE token_hash = ? "
                        "AND used_at IS NULL AND expires_at > ? RETURNING user_id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_cstr(st, 2, hash);
    db_bind_int64(st, 3, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *user_id = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, "token", "the reset link is unknown, used or expired");
    }
    db_stmt_done(st);
    return rc;
}

int sign_in_failures_lock(struct db *db, const char *key, struct err *e)
{
    if (db_dialect(db) != DB_DIALECT_POSTGRES)
        return 0;
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT pg_advisory_xact_lock(hashtext(?))", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, key);
    return db_run(st, e);
}

int sign_in_failures_add(struct db *db, const char *key, int64_t now, int64_t *id, struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db, "INSERT INTO sign_in_failures (key, at) VALUES (?, ?) RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, key);
    db_bind_int64(st, 2, now);
    rc = db_step(st, e);
    if (rc == DB_ROW && id)
        *id = db_column_int64(st, 0);
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int sign_in_failures_delete(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM sign_in_failures WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return db_run(st, e);
}

int sign_in_failures_since(struct db *db, const char *key, int64_t since, int64_t *out, size_t cap,
                           size_t *n, struct err *e)
{
    struct db_stmt *st;
    /* The newest `cap`, returned oldest first. */
    int rc = db_prepare(db,
                        "SELECT at FROM (SELECT at FROM sign_in_failures WHERE key = ? AND at > ? "
                        "ORDER BY at DESC LIMIT ?) AS recent ORDER BY at",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, key);
    db_bind_int64(st, 2, since);
    db_bind_int64(st, 3, (int64_t)cap);
    size_t count = 0;
    while ((rc = db_step(st, e)) == DB_ROW && count < cap)
        out[count++] = db_column_int64(st, 0);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int sign_in_failures_clear(struct db *db, const char *key, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM sign_in_failures WHERE key = ?", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, key);
    return db_run(st, e);
}

int sign_in_failures_prune(struct db *db, int64_t before, int64_t *deleted, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM sign_in_failures WHERE at < ? RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, before);
    return db_run_count(st, deleted, e);
}
