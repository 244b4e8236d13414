#include "store/policy_exceptions.h"

#include "base/buf.h"

#define COLUMNS "id, ticket_id, kind, from_value, to_value, justification, actor_id, created_at"

int policy_exceptions_insert(struct db *db, struct policy_exception *x, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO policy_exceptions (ticket_id, kind, from_value, to_value, "
                        "justification, actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                        "RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, x->ticket_id);
    db_bind_cstr(st, 2, x->kind);
    db_bind_cstr(st, 3, x->from_value);
    db_bind_cstr(st, 4, x->to_value);
    db_bind_cstr(st, 5, x->justification);
    db_bind_int64(st, 6, x->actor_id);
    db_bind_int64(st, 7, x->created_at);
    return db_step_returning_id(st, &x->id, e);
}

static int read_row(struct db_stmt *st, struct arena *a, struct policy_exception *x, struct err *e)
{
    x->id = db_column_int64(st, 0);
    x->ticket_id = db_column_int64(st, 1);
    x->actor_id = db_column_int64(st, 6);
    x->created_at = db_column_int64(st, 7);
    int rc = db_column_text_dup(st, 2, a, &x->kind, e);
    rc = rc ? rc : db_column_text_dup(st, 3, a, &x->from_value, e);
    rc = rc ? rc : db_column_text_dup(st, 4, a, &x->to_value, e);
    return rc ? rc : db_column_text_dup(st, 5, a, &x->justification, e);
}

int policy_exceptions_list(struct db *db, const struct policy_exceptions_filter *f, int64_t after,
                           unsigned limit, struct arena *a, struct policy_exception *out, size_t *n,
                           struct err *e)
{
    /* One statement text per combination of filters (four), each cached by the driver. */
    struct buf sql;
    buf_init(&sql, 0);
    buf_append_cstr(&sql, "SELECT " COLUMNS " FROM policy_exceptions WHERE id > ?");
    if (f->ticket_id)
        buf_append_cstr(&sql, " AND ticket_id = ?");
    if (f->kind)
        buf_append_cstr(&sql, " AND kind = ?");
    buf_append_cstr(&sql, " ORDER BY id LIMIT ?");
    struct db_stmt *st;
    int rc = db_prepare(db, buf_cstr(&sql), &st, e);
    buf_release(&sql);
    if (rc)
        return rc;
    int i = 1;
    db_bind_int64(st, i++, after);
    if (f->ticket_id)
        db_bind_int64(st, i++, f->ticket_id);
    if (f->kind)
        db_bind_cstr(st, i++, f->kind);
    db_bind_int64(st, i++, limit);
    size_t count = 0;
    while ((rc = db_step(st, e)) == DB_ROW && count < limit) {
        if ((rc = read_row(st, a, &out[count], e)))
            break;
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int policy_exceptions_last(struct db *db, int64_t ticket_id, const char *kind, struct arena *a,
                           struct policy_exception *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " COLUMNS " FROM policy_exceptions WHERE ticket_id = ? AND "
                        "kind = ? ORDER BY id DESC LIMIT 1",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_cstr(st, 2, kind);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = read_row(st, a, out, e);
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, "id", "no %s exception on ticket %lld", kind,
                     (long long)ticket_id);
    db_stmt_done(st);
    return rc;
}
