#include "store/mail_inbound.h"

#include <string.h>

#define COLUMNS                                                                                    \
    "id, source, status, outcome, reason, coalesce(ticket_id, 0), coalesce(comment_id, 0), "       \
    "message_id, from_address, subject, size, received_at, coalesce(processed_at, 0), attempts"

static int read_row(struct db_stmt *st, struct arena *a, struct mail_inbound *m, struct err *e)
{
    memset(m, 0, sizeof *m);
    m->id = db_column_int64(st, 0);
    m->ticket_id = db_column_int64(st, 5);
    m->comment_id = db_column_int64(st, 6);
    /* A NULL column stays a NULL pointer (m is zeroed). */
    const struct {
        int col;
        const char **out;
    } texts[] = {{1, &m->source},     {2, &m->status},       {3, &m->outcome}, {4, &m->reason},
                 {7, &m->message_id}, {8, &m->from_address}, {9, &m->subject}};
    int rc = 0;
    for (size_t i = 0; i < sizeof texts / sizeof *texts && !rc; i++)
        if (!db_column_is_null(st, texts[i].col))
            rc = db_column_text_dup(st, texts[i].col, a, texts[i].out, e);
    m->size = db_column_int64(st, 10);
    m->received_at = db_column_int64(st, 11);
    m->processed_at = db_column_int64(st, 12);
    m->attempts = db_column_int64(st, 13);
    return rc;
}

static int id_by_sha(struct db *db, const char *sha_hex, int64_t *id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id FROM mail_inbound WHERE raw_sha256 = ?", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, sha_hex);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *id = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no inbound mail with that hash");
    }
    db_stmt_done(st);
    return rc;
}

int mail_inbound_insert(struct db *db, const char *source, const char *raw, size_t len,
                        const char *sha_hex, int64_t now, int64_t *id, bool *inserted,
                        struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO mail_inbound (source, raw_sha256, size, received_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (raw_sha256) DO NOTHING RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, source);
    db_bind_cstr(st, 2, sha_hex);
    db_bind_int64(st, 3, (int64_t)len);
    db_bind_int64(st, 4, now);
    rc = db_step(st, e);
    int64_t got = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_stmt_done(st);
    if (rc == DB_ROW) {
        rc = db_prepare(db, "INSERT INTO mail_inbound_raw (inbound_id, raw) VALUES (?, ?)", &st, e);
        if (rc)
            return rc;
        db_bind_int64(st, 1, got);
        db_bind_blob(st, 2, raw, len);
        if ((rc = db_run(st, e)))
            return rc;
        *id = got;
        *inserted = true;
        return 0;
    }
    if (rc < 0 && rc != ERR_CONFLICT)
        return rc;
    /* DO NOTHING (or, on an engine that still reports it, the unique violation): the same bytes
     * are stored already, possibly by a concurrent writer. */
    rc = id_by_sha(db, sha_hex, &got, e);
    if (!rc) {
        *id = got;
        *inserted = false;
    }
    return rc;
}

int mail_inbound_get(struct db *db, int64_t id, bool with_raw, bool lock, struct arena *a,
                     struct mail_inbound *out, struct err *e)
{
    const char *sql;
    bool pg_lock = lock && db_dialect(db) == DB_DIALECT_POSTGRES;
    if (with_raw) /* the columns' names are mail_inbound's alone */
        sql = pg_lock ? "SELECT " COLUMNS ", raw FROM mail_inbound JOIN mail_inbound_raw "
                        "ON inbound_id = id WHERE id = ? FOR UPDATE"
                      : "SELECT " COLUMNS ", raw FROM mail_inbound JOIN mail_inbound_raw "
                        "ON inbound_id = id WHERE id = ?";
    else
        sql = pg_lock ? "SELECT " COLUMNS " FROM mail_inbound WHERE id = ? FOR UPDATE"
                      : "SELECT " COLUMNS " FROM mail_inbound WHERE id = ?";
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        struct mail_inbound m;
        rc = read_row(st, a, &m, e);
        if (!rc && with_raw) {
            size_t len;
            const void *p = db_column_blob(st, 14, &len);
            char *copy = arena_alloc(a, len + 1);
            if (!copy) {
                rc = err_set(e, ERR_LIMIT, NULL, "out of memory reading inbound mail");
            } else {
                if (len)
                    memcpy(copy, p, len);
                m.raw = copy;
                m.raw_len = len;
            }
        }
        if (!rc)
            *out = m;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, "id", "inbound mail %lld not found", (long long)id);
    }
    db_stmt_done(st);
    return rc;
}

static void bind_opt_id(struct db_stmt *st, int idx, int64_t v)
{
    if (v)
        db_bind_int64(st, idx, v);
    else
        db_bind_null(st, idx);
}

int mail_inbound_finish(struct db *db, int64_t id, const struct mail_inbound_result *r, int64_t now,
                        struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE mail_inbound SET status = ?, outcome = ?, reason = ?, "
                        "ticket_id = ?, comment_id = ?, message_id = ?, from_address = ?, "
                        "subject = ?, attempts = attempts + 1, processed_at = ? WHERE id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, r->status);
    db_bind_cstr(st, 2, r->outcome);
    db_bind_cstr(st, 3, r->reason);
    bind_opt_id(st, 4, r->ticket_id);
    bind_opt_id(st, 5, r->comment_id);
    db_bind_cstr(st, 6, r->message_id);
    db_bind_cstr(st, 7, r->from_address);
    db_bind_cstr(st, 8, r->subject);
    db_bind_int64(st, 9, now);
    db_bind_int64(st, 10, id);
    return db_run(st, e);
}

int mail_inbound_list(struct db *db, const char *status, int64_t after, unsigned limit,
                      struct arena *a, struct mail_inbound *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        status ? "SELECT " COLUMNS " FROM mail_inbound WHERE id > ? AND status = ? "
                                 "ORDER BY id LIMIT ?"
                               : "SELECT " COLUMNS " FROM mail_inbound WHERE id > ? "
                                 "ORDER BY id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    int i = 1;
    db_bind_int64(st, i++, after);
    if (status)
        db_bind_cstr(st, i++, status);
    db_bind_int64(st, i, limit);
    size_t k = 0;
    while (k < limit && (rc = db_step(st, e)) == DB_ROW) {
        if ((rc = read_row(st, a, &out[k], e)))
            break;
        k++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = k;
    return 0;
}

static int scalar(struct db_stmt *st, int64_t *out, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW) {
        *out = db_column_is_null(st, 0) ? 0 : db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        *out = 0;
        rc = 0;
    }
    db_stmt_done(st);
    return rc;
}

int mail_inbound_count_from(struct db *db, const char *address, int64_t since, int64_t *out,
                            struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT count(*) FROM mail_inbound WHERE lower(from_address) = lower(?) "
                        "AND received_at >= ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, address);
    db_bind_int64(st, 2, since);
    return scalar(st, out, e);
}

int mail_inbound_ticket_of(struct db *db, const char *message_id, int64_t *ticket_id, struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db,
                   "SELECT ticket_id FROM outbox WHERE message_id = ? AND ticket_id IS NOT NULL "
                   "UNION ALL SELECT ticket_id FROM mail_inbound WHERE message_id = ? AND "
                   "ticket_id IS NOT NULL LIMIT 1",
                   &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, message_id);
    db_bind_cstr(st, 2, message_id);
    return scalar(st, ticket_id, e);
}

int mail_bouncing_mark(struct db *db, const char *address, const char *status, int64_t now,
                       struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db,
                   "INSERT INTO mail_bouncing (address, first_at, last_at, count, last_status) "
                   "VALUES (lower(?), ?, ?, 1, ?) ON CONFLICT (address) DO UPDATE SET "
                   "last_at = excluded.last_at, count = mail_bouncing.count + 1, "
                   "last_status = excluded.last_status",
                   &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, address);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, now);
    db_bind_cstr(st, 4, status);
    return db_run(st, e);
}

int mail_rate_alert_once(struct db *db, const char *address, int64_t hour, bool *first,
                         struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO mail_rate_alerts (address, hour) VALUES (lower(?), ?) "
                        "ON CONFLICT DO NOTHING RETURNING hour",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, address);
    db_bind_int64(st, 2, hour);
    rc = db_step(st, e);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *first = rc == DB_ROW;
    return 0;
}
