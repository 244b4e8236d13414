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
    int64_t unwanted;
    return db_step_returning_id(st, id ? id : &unwanted, e);
}

#define CLAIM_SQL                                                                                  \
    "SELECT id, kind, to_address, subject, body, coalesce(ticket_id, 0), attempts, "               \
    "coalesce(message_id, '') FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? "       \
    "ORDER BY next_attempt_at, id LIMIT ?"

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
        rc = db_column_text_dup(st, 1, a, &m->kind, e);
        rc = rc ? rc : db_column_text_dup(st, 2, a, &m->to_address, e);
        rc = rc ? rc : db_column_text_dup(st, 3, a, &m->subject, e);
        rc = rc ? rc : db_column_text_dup(st, 4, a, &m->body, e);
        rc = rc ? rc : db_column_text_dup(st, 7, a, &m->message_id, e);
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

int outbox_pending(struct db *db, int64_t now, int64_t stale_before, bool *any, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT EXISTS (SELECT 1 FROM outbox WHERE status = 'queued' AND "
                        "next_attempt_at <= ?) OR EXISTS (SELECT 1 FROM outbox WHERE status = "
                        "'sending' AND claimed_at < ?)",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, stale_before);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *any = db_column_int64(st, 0) != 0;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "EXISTS returned no row");
    }
    db_stmt_done(st);
    return rc;
}

/* Received mail sorts before sent mail of the same second: our answer follows the question. */
#define THREAD_SQL                                                                                 \
    "SELECT message_id, received FROM ("                                                           \
    "SELECT message_id, received_at AS at, 0 AS seq, 1 AS received FROM mail_inbound "             \
    "WHERE ticket_id = ? AND message_id IS NOT NULL "                                              \
    "UNION ALL SELECT message_id, created_at AS at, id AS seq, 0 AS received FROM outbox "         \
    "WHERE ticket_id = ? AND id <> ? AND message_id IS NOT NULL AND status IN ('sent', "           \
    "'sending')) AS mail ORDER BY at, received DESC, seq LIMIT 1000"

int outbox_thread(struct db *db, int64_t ticket_id, int64_t outbox_id, struct arena *a,
                  const char **in_reply_to, const char **references, struct err *e)
{
    *in_reply_to = *references = NULL;
    struct db_stmt *st;
    int rc = db_prepare(db, THREAD_SQL, &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, ticket_id);
    db_bind_int64(st, 3, outbox_id);
    const char *ids[1000];
    size_t n = 0;
    const char *last_received = NULL;
    while ((rc = db_step(st, e)) == DB_ROW && n < sizeof ids / sizeof ids[0]) {
        size_t len;
        const char *v = db_column_text(st, 0, &len);
        /* only well-formed ids: "<...>" without spaces, never a header's worth of anything */
        if (len < 3 || len > 250 || v[0] != '<' || v[len - 1] != '>' || memchr(v, ' ', len))
            continue;
        if ((rc = db_column_text_dup(st, 0, a, &ids[n], e)))
            break;
        if (db_column_int64(st, 1))
            last_received = ids[n];
        n++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!n)
        return 0;
    *in_reply_to = last_received ? last_received : ids[n - 1];
    size_t from = n > OUTBOX_REFERENCES_MAX ? n - (OUTBOX_REFERENCES_MAX - 1) : 1;
    size_t total = strlen(ids[0]) + 1;
    for (size_t i = from; i < n; i++)
        total += strlen(ids[i]) + 1;
    char *refs = arena_alloc(a, total);
    if (!refs)
        return err_set(e, ERR_LIMIT, NULL, "out of memory threading mail");
    char *p = refs;
    for (size_t i = 0; i < n; i = i ? i + 1 : from) {
        if (p != refs)
            *p++ = ' ';
        size_t len = strlen(ids[i]);
        memcpy(p, ids[i], len);
        p += len;
    }
    *p = '\0';
    *references = refs;
    return 0;
}

int outbox_list_for_ticket(struct db *db, int64_t ticket_id, size_t limit, struct arena *a,
                           struct outbox_delivery *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT id, kind, to_address, subject, status, last_error, attempts, "
                        "created_at, coalesce(sent_at, 0) FROM outbox WHERE ticket_id = ? "
                        "ORDER BY id DESC LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, (int64_t)limit);
    size_t count = 0;
    while ((rc = db_step(st, e)) == DB_ROW && count < limit) {
        struct outbox_delivery *d = &out[count];
        d->id = db_column_int64(st, 0);
        rc = db_column_text_dup(st, 1, a, &d->kind, e);
        rc = rc ? rc : db_column_text_dup(st, 2, a, &d->to_address, e);
        rc = rc ? rc : db_column_text_dup(st, 3, a, &d->subject, e);
        rc = rc ? rc : db_column_text_dup(st, 4, a, &d->status, e);
        d->last_error = NULL;
        if (!rc && !db_column_is_null(st, 5))
            rc = db_column_text_dup(st, 5, a, &d->last_error, e);
        if (rc)
            break;
        d->attempts = (int)db_column_int64(st, 6);
        d->created_at = db_column_int64(st, 7);
        d->sent_at = db_column_int64(st, 8);
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}
