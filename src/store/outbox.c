#include "store/outbox.h"

#include <string.h>

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

#define CLAIM_SQL                                                                                  \
    "SELECT id, kind, to_address, subject, body, coalesce(ticket_id, 0), attempts, "               \
    "coalesce(message_id, '') FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? "       \
    "ORDER BY next_attempt_at, id LIMIT ?"

static int text(struct db_stmt *st, int col, struct arena *a, const char **out, struct err *e)
{
    size_t len;
    const char *v = db_column_text(st, col, &len);
    if (!(*out = arena_strndup(a, v, len)))
        return err_set(e, ERR_LIMIT, NULL, "out of memory reading the outbox");
    return 0;
}

static int select_due(struct db *db, int64_t now, size_t limit, struct arena *a,
                      struct outbox_mail *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db, db_dialect(db) == DB_DIALECT_POSTGRES ? CLAIM_SQL " FOR UPDATE SKIP LOCKED" : CLAIM_SQL,
        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, (int64_t)limit);
    size_t count = 0;
    while ((rc = db_step(st, e)) == DB_ROW && count < limit) {
        struct outbox_mail *m = &out[count];
        m->id = db_column_int64(st, 0);
        m->ticket_id = db_column_int64(st, 5);
        m->attempts = (int)db_column_int64(st, 6);
        rc = text(st, 1, a, &m->kind, e);
        rc = rc ? rc : text(st, 2, a, &m->to_address, e);
        rc = rc ? rc : text(st, 3, a, &m->subject, e);
        rc = rc ? rc : text(st, 4, a, &m->body, e);
        rc = rc ? rc : text(st, 7, a, &m->message_id, e);
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

static int step_done(struct db_stmt *st, struct err *e)
{
    int rc = db_step(st, e);
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int outbox_claim(struct db *db, int64_t now, size_t limit,
                 void (*make_id)(void *arg, int64_t id, char out[201]), void *arg, struct arena *a,
                 struct outbox_mail *out, size_t *n, struct err *e)
{
    size_t count = 0;
    int rc = select_due(db, now, limit, a, out, &count, e);
    for (size_t i = 0; i < count && !rc; i++) {
        struct outbox_mail *m = &out[i];
        if (!*m->message_id) {
            char id[201];
            make_id(arg, m->id, id);
            if (!(m->message_id = arena_strndup(a, id, strlen(id))))
                return err_set(e, ERR_LIMIT, NULL, "out of memory claiming the outbox");
        }
        struct db_stmt *st;
        rc = db_prepare(db,
                        "UPDATE outbox SET status = 'sending', claimed_at = ?, message_id = ? "
                        "WHERE id = ? AND status = 'queued'",
                        &st, e);
        if (rc)
            break;
        db_bind_int64(st, 1, now);
        db_bind_cstr(st, 2, m->message_id);
        db_bind_int64(st, 3, m->id);
        rc = step_done(st, e);
    }
    if (!rc)
        *n = count;
    return rc;
}

int outbox_mark_sent(struct db *db, int64_t id, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL "
                        "WHERE id = ? AND status = 'sending'",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, id);
    return step_done(st, e);
}

int outbox_mark_retry(struct db *db, int64_t id, int64_t next_attempt_at, const char *error,
                      struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE outbox SET status = 'queued', attempts = attempts + 1, "
                        "next_attempt_at = ?, last_error = ?, claimed_at = NULL "
                        "WHERE id = ? AND status = 'sending'",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, next_attempt_at);
    db_bind_cstr(st, 2, error);
    db_bind_int64(st, 3, id);
    return step_done(st, e);
}

int outbox_mark_failed(struct db *db, int64_t id, const char *error, struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db,
                   "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, "
                   "claimed_at = NULL WHERE id = ? AND status = 'sending'",
                   &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, error);
    db_bind_int64(st, 2, id);
    return step_done(st, e);
}

int outbox_release(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE outbox SET status = 'queued', claimed_at = NULL "
                        "WHERE id = ? AND status = 'sending'",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return step_done(st, e);
}

int outbox_reclaim_stale(struct db *db, int64_t stale_before, int64_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE outbox SET status = 'queued', claimed_at = NULL "
                        "WHERE status = 'sending' AND claimed_at < ? RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, stale_before);
    return db_run_count(st, n, e);
}
