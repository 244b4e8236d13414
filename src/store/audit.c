#include "store/audit.h"

int audit_append(struct db *db, const struct audit_entry *a, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, ip, "
                        "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, a->at);
    if (a->actor_id)
        db_bind_int64(st, 2, a->actor_id);
    else
        db_bind_null(st, 2);
    db_bind_cstr(st, 3, a->action);
    db_bind_cstr(st, 4, a->target_type);
    if (a->target_id)
        db_bind_int64(st, 5, a->target_id);
    else
        db_bind_null(st, 5);
    db_bind_cstr(st, 6, a->ip);
    db_bind_cstr(st, 7, a->detail ? a->detail : "{}");
    rc = db_step(st, e);
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int audit_list(struct db *db, const struct audit_filter *f, int64_t after, unsigned limit,
               struct arena *a, struct audit_record *out, size_t *n, struct err *e)
{
    /* Four statement texts at most, each cached by the driver. */
    const char *sql =
        f->action && f->actor_id
            ? "SELECT id, at, actor_id, action, target_type, target_id, ip, detail "
              "FROM audit_log WHERE id > ? AND action = ? AND actor_id = ? "
              "ORDER BY id LIMIT ?"
        : f->action   ? "SELECT id, at, actor_id, action, target_type, target_id, ip, detail "
                        "FROM audit_log WHERE id > ? AND action = ? ORDER BY id LIMIT ?"
        : f->actor_id ? "SELECT id, at, actor_id, action, target_type, target_id, ip, detail "
                        "FROM audit_log WHERE id > ? AND actor_id = ? ORDER BY id LIMIT ?"
                      : "SELECT id, at, actor_id, action, target_type, target_id, ip, detail "
                        "FROM audit_log WHERE id > ? ORDER BY id LIMIT ?";
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    int i = 1;
    db_bind_int64(st, i++, after);
    if (f->action)
        db_bind_cstr(st, i++, f->action);
    if (f->actor_id)
        db_bind_int64(st, i++, f->actor_id);
    db_bind_int64(st, i, limit);
    size_t count = 0;
    while ((rc = db_step(st, e)) == DB_ROW && count < limit) {
        struct audit_record *r = &out[count];
        r->id = db_column_int64(st, 0);
        r->entry.at = db_column_int64(st, 1);
        r->entry.actor_id = db_column_is_null(st, 2) ? 0 : db_column_int64(st, 2);
        r->entry.target_id = db_column_is_null(st, 5) ? 0 : db_column_int64(st, 5);
        r->entry.target_type = r->entry.ip = NULL; /* NULL stays NULL */
        rc = db_column_text_dup(st, 3, a, &r->entry.action, e);
        if (!rc && !db_column_is_null(st, 4))
            rc = db_column_text_dup(st, 4, a, &r->entry.target_type, e);
        if (!rc && !db_column_is_null(st, 6))
            rc = db_column_text_dup(st, 6, a, &r->entry.ip, e);
        rc = rc ? rc : db_column_text_dup(st, 7, a, &r->entry.detail, e);
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
