#include "store/users.h"

#include <stdio.h>
#include <string.h>

#define USER_COLUMNS                                                                               \
    "id, name, email, role, coalesce(phone, ''), coalesce(organization_id, 0), "                   \
    "coalesce(account_role, ''), active, password_hash IS NOT NULL, created_at, updated_at"

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

/* Read USER_COLUMNS starting at column 0. */
static void read_user(struct db_stmt *st, struct user *u)
{
    u->id = db_column_int64(st, 0);
    db_column_copy(st, 1, u->name, sizeof u->name);
    db_column_copy(st, 2, u->email, sizeof u->email);
    db_column_copy(st, 3, u->role, sizeof u->role);
    db_column_copy(st, 4, u->phone, sizeof u->phone);
    u->organization_id = db_column_int64(st, 5);
    db_column_copy(st, 6, u->account_role, sizeof u->account_role);
    u->active = db_column_int64(st, 7) != 0;
    u->has_password = db_column_int64(st, 8) != 0;
    u->created_at = db_column_int64(st, 9);
    u->updated_at = db_column_int64(st, 10);
}

int users_insert(struct db *db, const struct user_new *u, int64_t now, struct user *out,
                 struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO users (name, email, role, password_hash, phone, "
                        "organization_id, account_role, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING " USER_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, u->name);
    db_bind_cstr(st, 2, u->email);
    db_bind_cstr(st, 3, u->role);
    db_bind_cstr(st, 4, u->password_hash);
    db_bind_cstr(st, 5, u->phone);
    if (u->organization_id)
        db_bind_int64(st, 6, u->organization_id);
    else
        db_bind_null(st, 6);
    db_bind_cstr(st, 7, u->account_role);
    db_bind_int64(st, 8, now);
    db_bind_int64(st, 9, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_user(st, out);
        rc = 0;
    } else if (rc == ERR_CONFLICT) {
        rc = err_set(e, ERR_CONFLICT, "email", "a user with email %s already exists", u->email);
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    }
    db_stmt_done(st);
    return rc;
}

int users_get(struct db *db, int64_t id, struct user *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_user(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, "id", "user %lld not found", (long long)id);
    }
    db_stmt_done(st);
    return rc;
}

int users_find_by_email(struct db *db, const char *email, struct user *out, char *hash,
                        struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " USER_COLUMNS ", coalesce(password_hash, '') FROM users "
                        "WHERE lower(email) = lower(?)",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, email);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_user(st, out);
        if (hash)
            db_column_copy(st, 11, hash, USER_PASSWORD_HASH_MAX + 1);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, "email", "no user with that email");
    }
    db_stmt_done(st);
    return rc;
}

int users_set_password(struct db *db, int64_t id, const char *password_hash, int64_t now,
                       struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, password_hash);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, id);
    return db_run(st, e);
}

int users_save(struct db *db, struct user *u, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE users SET name = ?, email = ?, role = ?, phone = ?, "
                        "organization_id = ?, account_role = ?, active = ?, updated_at = ? "
                        "WHERE id = ? RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, u->name);
    db_bind_cstr(st, 2, u->email);
    db_bind_cstr(st, 3, u->role);
    db_bind_cstr(st, 4, u->phone[0] ? u->phone : NULL);
    if (u->organization_id)
        db_bind_int64(st, 5, u->organization_id);
    else
        db_bind_null(st, 5);
    db_bind_cstr(st, 6, u->account_role[0] ? u->account_role : NULL);
    db_bind_int64(st, 7, u->active ? 1 : 0);
    db_bind_int64(st, 8, now);
    db_bind_int64(st, 9, u->id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        u->updated_at = now;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, "id", "user %lld not found", (long long)u->id);
    } else if (rc == ERR_CONFLICT) {
        rc = err_set(e, ERR_CONFLICT, "email", "a user with email %s already exists", u->email);
    }
    db_stmt_done(st);
    return rc;
}

int users_lock(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        db_dialect(db) == DB_DIALECT_POSTGRES
                            ? "SELECT id FROM users WHERE id = ? FOR UPDATE"
                            : "SELECT id FROM users WHERE id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = 0;
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, "id", "user %lld not found", (long long)id);
    db_stmt_done(st);
    return rc;
}

int users_count_active_admins(struct db *db, int64_t *out, struct err *e)
{
    /* PostgreSQL refuses FOR UPDATE with an aggregate, so the rows are counted here. */
    bool lock = db_dialect(db) == DB_DIALECT_POSTGRES && db_in_transaction(db);
    struct db_stmt *st;
    int rc = db_prepare(db,
                        lock ? "SELECT id FROM users WHERE role = 'admin' AND active = 1 FOR UPDATE"
                             : "SELECT id FROM users WHERE role = 'admin' AND active = 1",
                        &st, e);
    if (rc)
        return rc;
    int64_t n = 0;
    while ((rc = db_step(st, e)) == DB_ROW)
        n++;
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *out = n;
    return 0;
}

/* LIKE pattern matching what starts with prefix: '!' escapes the wildcards and itself, which
 * SQLite and PostgreSQL both accept with ESCAPE '!' (a backslash would need care on both). */
static int prefix_pattern(const char *prefix, char out[2 * USERS_PREFIX_MAX + 2], struct err *e)
{
    size_t n = 0, len = strlen(prefix);
    if (len > USERS_PREFIX_MAX)
        return err_set(e, ERR_INVALID, "query", "query must be at most %d bytes", USERS_PREFIX_MAX);
    for (size_t i = 0; i < len; i++) {
        if (prefix[i] == '%' || prefix[i] == '_' || prefix[i] == '!')
            out[n++] = '!';
        out[n++] = prefix[i];
    }
    out[n++] = '%';
    out[n] = '\0';
    return 0;
}

int users_list(struct db *db, const struct users_filter *f, int64_t after, unsigned limit,
               struct user *out, size_t *n, struct err *e)
{
    char pattern[2 * USERS_PREFIX_MAX + 2];
    if (f->prefix) {
        int rc = prefix_pattern(f->prefix, pattern, e);
        if (rc)
            return rc;
    }
    /* Eight shapes of one query at most, each cached by its text. */
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT " USER_COLUMNS " FROM users WHERE id > ?%s%s%s ORDER BY id "
             "LIMIT ?",
             f->role ? " AND role = ?" : "", f->organization_id ? " AND organization_id = ?" : "",
             f->prefix ? " AND (lower(email) LIKE lower(?) ESCAPE '!' OR lower(name) LIKE "
                         "lower(?) ESCAPE '!')"
                       : "");
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    int idx = 1;
    db_bind_int64(st, idx++, after);
    if (f->role)
        db_bind_cstr(st, idx++, f->role);
    if (f->organization_id)
        db_bind_int64(st, idx++, f->organization_id);
    if (f->prefix) {
        db_bind_cstr(st, idx++, pattern);
        db_bind_cstr(st, idx++, pattern);
    }
    db_bind_int64(st, idx, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW)
        read_user(st, &out[count++]);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int users_notify_emails(struct db *db, const char *role, int64_t group_id,
                        char (*out)[USER_EMAIL_MAX + 1], size_t cap, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = group_id ? db_prepare(db,
                                   "SELECT u.email FROM group_memberships m JOIN users u ON u.id = "
                                   "m.user_id WHERE m.group_id = ? AND u.active = 1 ORDER BY u.id",
                                   &st, e)
                      : db_prepare(db,
                                   "SELECT email FROM users WHERE role = ? AND active = 1 "
                                   "ORDER BY id",
                                   &st, e);
    if (rc)
        return rc;
    if (group_id)
        db_bind_int64(st, 1, group_id);
    else
        db_bind_cstr(st, 1, role);
    size_t count = 0;
    while (count < cap && (rc = db_step(st, e)) == DB_ROW)
        db_column_copy(st, 0, out[count++], USER_EMAIL_MAX + 1);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}
