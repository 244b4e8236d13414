#include "store/users.h"

#include <stdio.h>
#include <string.h>

int users_count_role(struct db *db, const char *role, int64_t *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT count(*) FROM users WHERE role = ?", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, role);
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

static void copy_text(struct db_stmt *st, int col, char *out, size_t cap)
{
    size_t len;
    const char *v = db_column_text(st, col, &len);
    if (len >= cap)
        len = cap - 1;
    memcpy(out, v, len);
    out[len] = '\0';
}

int users_insert(struct db *db, const struct user_new *u, int64_t now, struct user *out,
                 struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO users (name, email, role, password_hash, created_at, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                        "RETURNING id, name, email, role, created_at, updated_at",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, u->name);
    db_bind_cstr(st, 2, u->email);
    db_bind_cstr(st, 3, u->role);
    db_bind_cstr(st, 4, u->password_hash);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        struct user r;
        r.id = db_column_int64(st, 0);
        copy_text(st, 1, r.name, sizeof r.name);
        copy_text(st, 2, r.email, sizeof r.email);
        copy_text(st, 3, r.role, sizeof r.role);
        r.created_at = db_column_int64(st, 4);
        r.updated_at = db_column_int64(st, 5);
        *out = r;
        rc = 0;
    } else if (rc == ERR_CONFLICT) {
        rc = err_set(e, ERR_CONFLICT, "email", "a user with email %s already exists", u->email);
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    }
    db_stmt_done(st);
    return rc;
}
