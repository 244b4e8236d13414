#include "store/groups.h"

#include <stdio.h>
#include <string.h>

#define GROUP_COLUMNS      "id, name, created_at, updated_at"
#define MEMBERSHIP_COLUMNS "id, group_id, user_id, created_at"

static void read_group(struct db_stmt *st, struct group *g)
{
    size_t len;
    const char *name = db_column_text(st, 1, &len);
    if (len >= sizeof g->name)
        len = sizeof g->name - 1;
    g->id = db_column_int64(st, 0);
    memcpy(g->name, name, len);
    g->name[len] = '\0';
    g->created_at = db_column_int64(st, 2);
    g->updated_at = db_column_int64(st, 3);
}

static int name_taken(const char *name, size_t len, struct err *e)
{
    return err_set(e, ERR_CONFLICT, "name", "a group named \"%.*s\" already exists", (int)len,
                   name);
}

static int group_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, "id", "group %lld not found", (long long)id);
}

int groups_insert(struct db *db, const char *name, size_t len, int64_t now, struct group *out,
                  struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO groups (name, created_at, updated_at) VALUES (?, ?, ?) "
                        "RETURNING " GROUP_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_text(st, 1, name, len);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_group(st, out);
        rc = 0;
    } else if (rc == ERR_CONFLICT) {
        rc = name_taken(name, len, e);
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    }
    db_stmt_done(st);
    return rc;
}

int groups_insert_absent(struct db *db, const char *name, int64_t now, bool *inserted,
                         struct err *e)
{
    struct db_stmt *st;
    /* No conflict target: the unique index is on lower(name), and both engines accept a bare
     * DO NOTHING for any unique violation. */
    int rc = db_prepare(db,
                        "INSERT INTO groups (name, created_at, updated_at) VALUES (?, ?, ?) "
                        "ON CONFLICT DO NOTHING RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, name);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, now);
    rc = db_step(st, e);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *inserted = rc == DB_ROW;
    return 0;
}

int groups_find_by_name(struct db *db, const char *name, int64_t *id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id FROM groups WHERE lower(name) = lower(?)", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, name);
    rc = db_step(st, e);
    *id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int groups_get(struct db *db, int64_t id, struct group *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " GROUP_COLUMNS " FROM groups WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_group(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = group_not_found(id, e);
    }
    db_stmt_done(st);
    return rc;
}

int groups_rename(struct db *db, int64_t id, const char *name, size_t len, int64_t now,
                  struct group *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE groups SET name = ?, updated_at = ? WHERE id = ? "
                        "RETURNING " GROUP_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_text(st, 1, name, len);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_group(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = group_not_found(id, e);
    } else if (rc == ERR_CONFLICT) {
        rc = name_taken(name, len, e);
    }
    db_stmt_done(st);
    return rc;
}

int groups_list(struct db *db, int64_t after, unsigned limit, struct group *out, size_t *n,
                struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " GROUP_COLUMNS " FROM groups WHERE id > ? ORDER BY id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, after);
    db_bind_int64(st, 2, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW)
        read_group(st, &out[count++]);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

static void read_membership(struct db_stmt *st, struct group_membership *m)
{
    m->id = db_column_int64(st, 0);
    m->group_id = db_column_int64(st, 1);
    m->user_id = db_column_int64(st, 2);
    m->created_at = db_column_int64(st, 3);
}

int group_memberships_insert(struct db *db, int64_t group_id, int64_t user_id, int64_t now,
                             struct group_membership *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO group_memberships (group_id, user_id, created_at) "
                        "VALUES (?, ?, ?) RETURNING " MEMBERSHIP_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, group_id);
    db_bind_int64(st, 2, user_id);
    db_bind_int64(st, 3, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_membership(st, out);
        rc = 0;
    } else if (rc == ERR_CONFLICT) {
        rc = err_set(e, ERR_CONFLICT, "user_id", "user %lld is already a member of group %lld",
                     (long long)user_id, (long long)group_id);
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    }
    db_stmt_done(st);
    return rc;
}

static int membership_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, "id", "group membership %lld not found", (long long)id);
}

int group_memberships_get(struct db *db, int64_t id, struct group_membership *out, struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db, "SELECT " MEMBERSHIP_COLUMNS " FROM group_memberships WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_membership(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = membership_not_found(id, e);
    }
    db_stmt_done(st);
    return rc;
}

int group_memberships_delete(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM group_memberships WHERE id = ? RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = 0;
    else if (rc == DB_DONE)
        rc = membership_not_found(id, e);
    db_stmt_done(st);
    return rc;
}

int group_memberships_delete_user(struct db *db, int64_t user_id, int64_t *deleted, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM group_memberships WHERE user_id = ? RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id);
    return db_run_count(st, deleted, e);
}

int group_memberships_list(struct db *db, const struct group_memberships_filter *f, int64_t after,
                           unsigned limit, struct group_membership *out, size_t *n, struct err *e)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT " MEMBERSHIP_COLUMNS " FROM group_memberships WHERE id > ?%s%s "
             "ORDER BY id LIMIT ?",
             f->group_id ? " AND group_id = ?" : "", f->user_id ? " AND user_id = ?" : "");
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    int idx = 1;
    db_bind_int64(st, idx++, after);
    if (f->group_id)
        db_bind_int64(st, idx++, f->group_id);
    if (f->user_id)
        db_bind_int64(st, idx++, f->user_id);
    db_bind_int64(st, idx, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW)
        read_membership(st, &out[count++]);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}
