#include "store/calls.h"

#include <string.h>

#define CALL_COLUMNS                                                                               \
    "id, ticket_id, comment_id, direction, phone_number, duration_seconds, notes, is_public, "     \
    "agent_id, started_at, created_at"

#define CALLBACK_COLUMNS                                                                           \
    "id, requester_id, ticket_id, phone_number, preferred_time, reason, status, assignee_id, "     \
    "call_id, created_at, updated_at, resolved_at"

/* A status's bit from the stored text, in SQL, for filters by mask. CAST: PostgreSQL must know
 * the parameter's type before the bitwise AND. */
#define STATUS_BIT_SQL                                                                             \
    "(CAST(? AS BIGINT) & CASE status WHEN 'open' THEN 1 WHEN 'in_progress' THEN 2 "               \
    "WHEN 'done' THEN 4 ELSE 8 END) <> 0"

static int read_call(struct db_stmt *st, struct arena *a, struct call *c, struct err *e)
{
    int rc = db_column_text_dup(st, 6, a, &c->notes, e);
    if (rc)
        return rc;
    c->id = db_column_int64(st, 0);
    c->ticket_id = db_column_int64(st, 1);
    c->comment_id = db_column_int64(st, 2); /* NULL reads as 0 */
    db_column_copy(st, 3, c->direction, sizeof c->direction);
    db_column_copy(st, 4, c->phone_number, sizeof c->phone_number);
    c->duration_seconds = db_column_int64(st, 5);
    c->is_public = db_column_int64(st, 7) != 0;
    c->agent_id = db_column_int64(st, 8);
    c->started_at = db_column_int64(st, 9);
    c->created_at = db_column_int64(st, 10);
    return 0;
}

static void bind_ref(struct db_stmt *st, int idx, int64_t id)
{
    if (id)
        db_bind_int64(st, idx, id);
    else
        db_bind_null(st, idx);
}

/* Step st once for one row read by reader into out; DB_DONE becomes not_found. */
static int one_call(struct db_stmt *st, struct arena *a, struct call *out, int not_found,
                    struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = read_call(st, a, out, e);
    else if (rc == DB_DONE)
        rc = err_set(e, not_found, NULL,
                     not_found == ERR_NOT_FOUND ? "call not found" : "insert returned no row");
    db_stmt_done(st);
    return rc;
}

int calls_insert(struct db *db, const struct call *c, int64_t now, struct arena *a,
                 struct call *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO calls (ticket_id, comment_id, direction, phone_number, "
                        "duration_seconds, notes, is_public, agent_id, started_at, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING " CALL_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, c->ticket_id);
    bind_ref(st, 2, c->comment_id);
    db_bind_cstr(st, 3, c->direction);
    db_bind_cstr(st, 4, c->phone_number);
    db_bind_int64(st, 5, c->duration_seconds);
    db_bind_cstr(st, 6, c->notes);
    db_bind_int64(st, 7, c->is_public ? 1 : 0);
    db_bind_int64(st, 8, c->agent_id);
    db_bind_int64(st, 9, c->started_at);
    db_bind_int64(st, 10, now);
    return one_call(st, a, out, ERR_INTERNAL, e);
}

int calls_get(struct db *db, int64_t id, struct arena *a, struct call *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " CALL_COLUMNS " FROM calls WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return one_call(st, a, out, ERR_NOT_FOUND, e);
}

int calls_list(struct db *db, int64_t ticket_id, int64_t after, unsigned limit, struct arena *a,
               struct call *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " CALL_COLUMNS " FROM calls WHERE (CAST(? AS BIGINT) = 0 OR "
                        "ticket_id = ?) AND id > ? ORDER BY id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, ticket_id);
    db_bind_int64(st, 3, after);
    db_bind_int64(st, 4, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW) {
        if ((rc = read_call(st, a, &out[count], e)))
            break;
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int calls_last_comment(struct db *db, int64_t ticket_id, int64_t *comment_id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COALESCE(MAX(id), 0) FROM ticket_comments WHERE ticket_id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    rc = db_step(st, e);
    *comment_id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* ---- callback requests ----------------------------------------------------------------------- */

unsigned callback_status_bit(const char *s)
{
    static const char *const names[] = {"open", "in_progress", "done", "cancelled"};
    for (unsigned i = 0; s && i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return 1u << i;
    return 0;
}

static int read_callback(struct db_stmt *st, struct arena *a, struct callback_request *r,
                         struct err *e)
{
    int rc = db_column_text_dup(st, 4, a, &r->preferred_time, e);
    rc = rc ? rc : db_column_text_dup(st, 5, a, &r->reason, e);
    if (rc)
        return rc;
    r->id = db_column_int64(st, 0);
    r->requester_id = db_column_int64(st, 1);
    r->ticket_id = db_column_int64(st, 2);
    db_column_copy(st, 3, r->phone_number, sizeof r->phone_number);
    db_column_copy(st, 6, r->status, sizeof r->status);
    r->assignee_id = db_column_int64(st, 7);
    r->call_id = db_column_int64(st, 8);
    r->created_at = db_column_int64(st, 9);
    r->updated_at = db_column_int64(st, 10);
    r->resolved_at = db_column_int64(st, 11);
    return 0;
}

static int one_callback(struct db_stmt *st, struct arena *a, struct callback_request *out,
                        int not_found, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = read_callback(st, a, out, e);
    else if (rc == DB_DONE)
        rc = err_set(e, not_found, NULL,
                     not_found == ERR_NOT_FOUND ? "callback request not found"
                                                : "insert returned no row");
    db_stmt_done(st);
    return rc;
}

int callback_requests_insert(struct db *db, const struct callback_request *r, int64_t now,
                             struct arena *a, struct callback_request *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO callback_requests (requester_id, ticket_id, phone_number, "
                        "preferred_time, reason, status, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING " CALLBACK_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, r->requester_id);
    bind_ref(st, 2, r->ticket_id);
    db_bind_cstr(st, 3, r->phone_number);
    db_bind_cstr(st, 4, r->preferred_time ? r->preferred_time : "");
    db_bind_cstr(st, 5, r->reason);
    db_bind_int64(st, 6, now);
    db_bind_int64(st, 7, now);
    return one_callback(st, a, out, ERR_INTERNAL, e);
}

int callback_requests_get(struct db *db, int64_t id, struct arena *a, struct callback_request *out,
                          struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db, "SELECT " CALLBACK_COLUMNS " FROM callback_requests WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return one_callback(st, a, out, ERR_NOT_FOUND, e);
}

int callback_requests_lock(struct db *db, int64_t id, struct err *e)
{
    if (db_dialect(db) != DB_DIALECT_POSTGRES) /* SQLite: the writer lock serializes already */
        return 0;
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id FROM callback_requests WHERE id = ? FOR UPDATE", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return db_run(st, e);
}

int callback_requests_save(struct db *db, const struct callback_request *r, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE callback_requests SET ticket_id = ?, status = ?, assignee_id = ?, "
                        "call_id = ?, updated_at = ?, resolved_at = ? WHERE id = ?",
                        &st, e);
    if (rc)
        return rc;
    bind_ref(st, 1, r->ticket_id);
    db_bind_cstr(st, 2, r->status);
    bind_ref(st, 3, r->assignee_id);
    bind_ref(st, 4, r->call_id);
    db_bind_int64(st, 5, r->updated_at);
    bind_ref(st, 6, r->resolved_at);
    db_bind_int64(st, 7, r->id);
    return db_run(st, e);
}

int callback_requests_count(struct db *db, int64_t requester_id, unsigned mask, int64_t *n,
                            struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT COUNT(*) FROM callback_requests WHERE requester_id = ? "
                        "AND " STATUS_BIT_SQL,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, requester_id);
    db_bind_int64(st, 2, mask);
    rc = db_step(st, e);
    *n = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int callback_requests_list(struct db *db, const struct callback_requests_filter *f,
                           int64_t after_at, int64_t after_id, unsigned limit, struct arena *a,
                           struct callback_request *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " CALLBACK_COLUMNS " FROM callback_requests WHERE " STATUS_BIT_SQL
                        " AND (CAST(? AS BIGINT) = 0 OR requester_id = ?) "
                        "AND (created_at > ? OR (created_at = ? AND id > ?)) "
                        "ORDER BY created_at, id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, f->mask);
    db_bind_int64(st, 2, f->requester_id);
    db_bind_int64(st, 3, f->requester_id);
    /* From the start: every row is after (-1, 0)... created_at >= 0, so (after_at 0, id 0)
     * would skip rows created at 0; start below it. */
    int64_t at = after_id ? after_at : -1;
    db_bind_int64(st, 4, at);
    db_bind_int64(st, 5, at);
    db_bind_int64(st, 6, after_id);
    db_bind_int64(st, 7, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW) {
        if ((rc = read_callback(st, a, &out[count], e)))
            break;
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}
