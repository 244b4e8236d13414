#include "store/outbox.h"

int outbox_insert(struct db *db, const struct outbox_new *m, int64_t now, int64_t *id,
                  struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO outbox (kind, to_address, subject, body, ticket_id, "
                        "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, m->kind);
    db_bind_cstr(st, 2, m->to_address);
    db_bind_cstr(st, 3, m->subject);
    db_bind_cstr(st, 4, m->body);
    if (m->ticket_id)
        db_bind_int64(st, 5, m->ticket_id);
    else
        db_bind_null(st, 5);
    db_bind_int64(st, 6, m->send_at > now ? m->send_at : now);
    db_bind_int64(st, 7, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        if (id)
            *id = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    }
    db_stmt_done(st);
    return rc;
}
