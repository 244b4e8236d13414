/* sqlite: the SQLite driver behind db.h (sqlite3 >= 3.35 for RETURNING; built against 3.40).
 *
 * Each connection is opened with SQLITE_OPEN_NOMUTEX: db.h gives a connection to one thread, so
 * SQLite's own per-connection mutex would only cost time. Extended result codes are on, so the
 * error mapping can tell a unique violation from a not-null one.
 */
#include "db/db_internal.h"

#include <sqlite3.h>
#include <string.h>

static sqlite3 *conn_of(const struct db *db)
{
    return db->impl;
}

static sqlite3_stmt *stmt_of(const struct db_stmt *st)
{
    return st->impl;
}

/* Map an (extended) SQLite result code to our vocabulary, following db.h. */
static int map_code(int rc, const char **message)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        *message = "a row with the same key already exists";
        return ERR_CONFLICT;
    case SQLITE_TOOBIG:
        *message = "the value is too large for the database";
        return ERR_LIMIT;
    case SQLITE_MISUSE:
        *message = "the database interface was misused";
        return ERR_INTERNAL;
    }
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        *message = "the values break a database constraint";
        return ERR_INVALID;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        *message = "the database is busy, try again";
        return ERR_BUSY;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        *message = "the database file cannot be read or written";
        return ERR_IO;
    default:
        *message = "the database rejected the statement";
        return ERR_INVALID;
    }
}

/* Fill e from the connection's last error; rc is the code the failing call returned. */
static int fail(sqlite3 *conn, int rc, struct err *e)
{
    const char *message;
    int code = map_code(rc, &message);
    if (e) {
        /* Read the engine message before err_set(), which does not touch SQLite. */
        const char *engine = conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc);
        err_set(e, code, NULL, "%s", message);
        err_detail(e, "%s (sqlite %d)", engine, rc);
    }
    return code;
}

/* Run a PRAGMA and check that it reports the value we asked for (journal_mode can silently stay
 * "delete" on file systems without shared memory). expect NULL: no result to check. */
static int pragma(sqlite3 *conn, const char *sql, const char *expect, struct err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(conn, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return fail(conn, rc, e);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        int code = fail(conn, rc, e);
        sqlite3_finalize(st);
        return code;
    }
    int result = 0;
    if (expect) {
        const char *got = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (!got || sqlite3_stricmp(got, expect) != 0) {
            result = err_set(e, ERR_IO, "db", "cannot configure the sqlite database");
            err_detail(e, "%s returned %s, expected %s", sql, got ? got : "nothing", expect);
        }
    }
    sqlite3_finalize(st);
    return result;
}

static int sq_connect(struct db *db, struct err *e)
{
    const struct db_pool *pool = db->pool;
    sqlite3 *conn = NULL;
    int rc =
        sqlite3_open_v2(pool->target, &conn,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        const char *unused;
        int code = err_set(e, map_code(rc, &unused), "db", "cannot open the sqlite database");
        err_detail(e, "%s: %s (sqlite %d)", pool->target,
                   conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc), rc);
        sqlite3_close_v2(conn);
        return code;
    }
    sqlite3_extended_result_codes(conn, 1);
    /* The timeout first: the journal_mode pragma itself may wait for another connection. */
    sqlite3_busy_timeout(conn, pool->opt.busy_timeout_ms);
    rc = pragma(conn, "PRAGMA journal_mode=WAL", "wal", e);
    if (!rc)
        rc = pragma(conn, "PRAGMA foreign_keys=ON", NULL, e);
    if (!rc)
        rc = pragma(conn,
                    pool->opt.sqlite_sync == DB_SYNC_NORMAL ? "PRAGMA synchronous=NORMAL"
                                                            : "PRAGMA synchronous=FULL",
                    NULL, e);
    if (rc) {
        sqlite3_close_v2(conn);
        return rc;
    }
    db->impl = conn;
    return 0;
}

static bool sq_tx_open(struct db *db)
{
    return !sqlite3_get_autocommit(conn_of(db));
}

static void sq_disconnect(struct db *db)
{
    /* _v2: a statement the caller leaked keeps the connection alive as a zombie instead of
     * making close fail and leak both. */
    sqlite3_close_v2(conn_of(db));
    db->impl = NULL;
}

static int sq_exec(struct db *db, const char *sql, struct err *e)
{
    int rc = sqlite3_exec(conn_of(db), sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fail(conn_of(db), rc, e);
}

static int sq_begin(struct db *db, enum db_tx_mode mode, struct err *e)
{
    /* IMMEDIATE takes SQLite's write lock now, so a write transaction never fails halfway with
     * SQLITE_BUSY when it first writes (the in-process writer lock is already ours). */
    return sq_exec(db, mode == DB_TX_WRITE ? "BEGIN IMMEDIATE" : "BEGIN", e);
}

static void sq_rollback(struct db *db)
{
    if (!sqlite3_get_autocommit(conn_of(db)))
        sqlite3_exec(conn_of(db), "ROLLBACK", NULL, NULL, NULL);
}

static int sq_commit(struct db *db, struct err *e)
{
    int rc = sq_exec(db, "COMMIT", e);
    /* A failed COMMIT (SQLITE_BUSY, a deferred constraint) leaves the transaction open: close it
     * so the connection is outside a transaction, as db.h promises. */
    if (rc)
        sq_rollback(db);
    return rc;
}

static int sq_last_insert_id(struct db *db, int64_t *out, struct err *e)
{
    *out = sqlite3_last_insert_rowid(conn_of(db));
    return 0;
}

/* Only white space and semicolons may follow the first statement: PostgreSQL cannot prepare
 * several commands either, and silently dropping the rest would hide a bug. */
static bool only_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ';' && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static int sq_prepare(struct db_stmt *st, bool cached, struct err *e)
{
    sqlite3 *conn = conn_of(st->db);
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    int rc =
        sqlite3_prepare_v3(conn, st->sql, -1, cached ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail);
    if (rc != SQLITE_OK)
        return fail(conn, rc, e);
    if (!stmt)
        return err_set(e, ERR_INVALID, NULL, "the statement is empty");
    if (tail && !only_blank(tail)) {
        sqlite3_finalize(stmt);
        int code = err_set(e, ERR_INVALID, NULL, "only one statement can be prepared at a time");
        err_detail(e, "trailing text: %.80s", tail);
        return code;
    }
    st->impl = stmt;
    return 0;
}

static void sq_finalize(struct db_stmt *st)
{
    sqlite3_finalize(stmt_of(st));
    st->impl = NULL;
}

static void sq_reset(struct db_stmt *st)
{
    sqlite3_reset(stmt_of(st));
    sqlite3_clear_bindings(stmt_of(st));
}

static bool sq_readonly(const struct db_stmt *st)
{
    return sqlite3_stmt_readonly(stmt_of(st)) != 0;
}

/* Bind errors have no struct err to fill; the code alone says enough (SQLITE_RANGE: invalid). */
static int bind_result(int rc)
{
    const char *unused;
    return rc == SQLITE_OK ? 0 : map_code(rc, &unused);
}

static int sq_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    return bind_result(sqlite3_bind_int64(stmt_of(st), idx, v));
}

static int sq_bind_double(struct db_stmt *st, int idx, double v)
{
    return bind_result(sqlite3_bind_double(stmt_of(st), idx, v));
}

static int sq_bind_text(struct db_stmt *st, int idx, const char *s, size_t len)
{
    return bind_result(
        sqlite3_bind_text64(stmt_of(st), idx, s, len, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int sq_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
    /* An empty blob must stay a blob, not become NULL (sqlite binds NULL for a NULL pointer). */
    if (len == 0)
        return bind_result(sqlite3_bind_zeroblob(stmt_of(st), idx, 0));
    return bind_result(sqlite3_bind_blob64(stmt_of(st), idx, p, len, SQLITE_TRANSIENT));
}

static int sq_bind_null(struct db_stmt *st, int idx)
{
    return bind_result(sqlite3_bind_null(stmt_of(st), idx));
}

static int sq_step(struct db_stmt *st, struct err *e)
{
    int rc = sqlite3_step(stmt_of(st));
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return fail(conn_of(st->db), rc, e);
}

static int sq_column_count(const struct db_stmt *st)
{
    return sqlite3_column_count(stmt_of(st));
}

static bool sq_column_is_null(const struct db_stmt *st, int col)
{
    return sqlite3_column_type(stmt_of(st), col) == SQLITE_NULL;
}

static int64_t sq_column_int64(const struct db_stmt *st, int col)
{
    return sqlite3_column_int64(stmt_of(st), col);
}

static double sq_column_double(const struct db_stmt *st, int col)
{
    return sqlite3_column_double(stmt_of(st), col);
}

static const char *sq_column_text(const struct db_stmt *st, int col, size_t *len)
{
    const unsigned char *s = sqlite3_column_text(stmt_of(st), col);
    if (!s) {
        *len = 0;
        return "";
    }
    *len = (size_t)sqlite3_column_bytes(stmt_of(st), col);
    return (const char *)s;
}

static const void *sq_column_blob(const struct db_stmt *st, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(stmt_of(st), col);
    if (!p) {
        *len = 0;
        return "";
    }
    *len = (size_t)sqlite3_column_bytes(stmt_of(st), col);
    return p;
}

const struct db__driver db__sqlite_driver = {
    .dialect = DB_DIALECT_SQLITE,
    .single_writer = true,
    .connect = sq_connect,
    .tx_open = sq_tx_open,
    .disconnect = sq_disconnect,
    .check = NULL,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .last_insert_id = sq_last_insert_id,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .readonly = sq_readonly,
    .bind_int64 = sq_bind_int64,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .column_count = sq_column_count,
    .column_is_null = sq_column_is_null,
    .column_int64 = sq_column_int64,
    .column_double = sq_column_double,
    .column_text = sq_column_text,
    .column_blob = sq_column_blob,
};
