#include "store/macros.h"

#include <string.h>

#define MACRO_COLUMNS                                                                              \
    "id, pack_key, title, description, body, active, needs_identity, created_by, created_at, "     \
    "updated_at"

static int read_macro(struct db_stmt *st, struct arena *a, struct macro *m, struct err *e)
{
    struct macro r = {
        .id = db_column_int64(st, 0),
        .active = db_column_int64(st, 5) != 0,
        .needs_identity = db_column_int64(st, 6) != 0,
        .created_by = db_column_int64(st, 7),
        .created_at = db_column_int64(st, 8),
        .updated_at = db_column_int64(st, 9),
    };
    int rc = db_column_is_null(st, 1) ? 0 : db_column_text_dup(st, 1, a, &r.key, e);
    rc = rc ? rc : db_column_text_dup(st, 2, a, &r.title, e);
    rc = rc ? rc : db_column_text_dup(st, 3, a, &r.description, e);
    rc = rc ? rc : db_column_text_dup(st, 4, a, &r.body, e);
    if (rc == ERR_LIMIT)
        return err_set(e, ERR_LIMIT, NULL, "too many macros for one answer");
    if (!rc)
        *m = r;
    return rc;
}

/* The one row a statement returns into *out: ERR_NOT_FOUND naming "id" when none. */
static int one_row(struct db_stmt *st, int64_t id, struct arena *a, struct macro *out,
                   struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = read_macro(st, a, out, e);
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, "id", "macro %lld not found", (long long)id);
    db_stmt_done(st);
    return rc;
}

static void bind_fields(struct db_stmt *st, int first, const struct macro *m)
{
    db_bind_cstr(st, first, m->title);
    db_bind_cstr(st, first + 1, m->description ? m->description : "");
    db_bind_cstr(st, first + 2, m->body);
    db_bind_int64(st, first + 3, m->active);
    db_bind_int64(st, first + 4, m->needs_identity);
}

static void bind_insert(struct db_stmt *st, const struct macro *m, int64_t now)
{
    bind_fields(st, 1, m);
    db_bind_cstr(st, 6, m->key);
    if (m->created_by)
        db_bind_int64(st, 7, m->created_by);
    else
        db_bind_null(st, 7);
    db_bind_int64(st, 8, now);
    db_bind_int64(st, 9, now);
}

int macros_store_insert(struct db *db, const struct macro *m, int64_t now, struct arena *a,
                        struct macro *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO macros (title, description, body, active, needs_identity, "
                        "pack_key, created_by, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING " MACRO_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    bind_insert(st, m, now);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = read_macro(st, a, out, e);
    else if (rc == ERR_CONFLICT)
        rc = err_set(e, ERR_CONFLICT, "macro.key", "a macro with key \"%s\" already exists",
                     m->key ? m->key : "");
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    db_stmt_done(st);
    return rc;
}

int macros_store_insert_absent(struct db *db, const struct macro *m, int64_t now, bool *inserted,
                               struct err *e)
{
    struct db_stmt *st;
    /* No conflict target: the unique index is partial, and both engines accept a bare DO
     * NOTHING for any unique violation. */
    int rc = db_prepare(db,
                        "INSERT INTO macros (title, description, body, active, needs_identity, "
                        "pack_key, created_by, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    bind_insert(st, m, now);
    rc = db_step(st, e);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *inserted = rc == DB_ROW;
    return 0;
}

int macros_store_get(struct db *db, int64_t id, struct arena *a, struct macro *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " MACRO_COLUMNS " FROM macros WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return one_row(st, id, a, out, e);
}

int macros_store_find_key(struct db *db, const char *key, int64_t *id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id FROM macros WHERE pack_key = ?", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, key);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        *id = db_column_int64(st, 0);
    else if (rc == DB_DONE)
        *id = 0;
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int macros_store_update(struct db *db, const struct macro *m, int64_t now, struct arena *a,
                        struct macro *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE macros SET title = ?, description = ?, body = ?, active = ?, "
                        "needs_identity = ?, updated_at = ? WHERE id = ? RETURNING " MACRO_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    bind_fields(st, 1, m);
    db_bind_int64(st, 6, now);
    db_bind_int64(st, 7, m->id);
    return one_row(st, m->id, a, out, e);
}

int macros_store_delete(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM macros WHERE id = ? RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    int64_t rows = 0;
    rc = db_run_count(st, &rows, e);
    if (!rc && rows == 0)
        rc = err_set(e, ERR_NOT_FOUND, "id", "macro %lld not found", (long long)id);
    return rc;
}

int macros_store_list(struct db *db, int64_t after, unsigned limit, struct arena *a,
                      struct macro *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " MACRO_COLUMNS " FROM macros WHERE id > ? ORDER BY id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, after);
    db_bind_int64(st, 2, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW) {
        rc = read_macro(st, a, &out[count], e);
        if (rc)
            break;
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}
