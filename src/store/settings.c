#include "store/settings.h"

#include <string.h>

int settings_get(struct db *db, const char *key, struct buf *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT value FROM settings WHERE key = ?", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, key);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        size_t len;
        const char *v = db_column_text(st, 0, &len);
        rc = buf_append(out, v, len);
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, "key", "setting %s is not set", key);
    }
    db_stmt_done(st);
    return rc;
}

static int put(struct db *db, const char *sql, const char *key, const char *value, int64_t now,
               int *changed, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, key);
    db_bind_cstr(st, 2, value);
    db_bind_int64(st, 3, now);
    rc = db_step(st, e);
    if (changed)
        *changed = rc == DB_ROW;
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int settings_put(struct db *db, const char *key, const char *value, int64_t now, struct err *e)
{
    return put(db,
               "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
               "updated_at = excluded.updated_at RETURNING key",
               key, value, now, NULL, e);
}

int settings_put_new(struct db *db, const char *key, const char *value, int64_t now,
                     int *inserted, struct err *e)
{
    return put(db,
               "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
               "ON CONFLICT (key) DO NOTHING RETURNING key",
               key, value, now, inserted, e);
}

int settings_delete(struct db *db, const char *key, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM settings WHERE key = ?", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, key);
    return db_run(st, e);
}
