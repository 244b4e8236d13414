/* db: one interface over SQLite and PostgreSQL.
 *
 * SQL is written once, in portable SQL with `?` placeholders; the PostgreSQL driver rewrites them
 * to $1, $2, ... (skipping string literals, quoted identifiers and comments). Where a dialect must
 * differ, callers ask db_dialect().
 *
 * Threads. A struct db_pool is shared by all threads: it holds the URL, the options, the single
 * writer lock of SQLite and every connection it opened. Each thread gets its own connection from
 * db_pool_conn(), opened on first use and kept for the thread's life; a struct db and its
 * statements are used by that one thread only. db_pool_free() closes them all, after the threads
 * that used them have stopped.
 *
 * Writes. Every write runs inside db_begin(db, DB_TX_WRITE) ... db_commit(). On SQLite writes
 * queue in the process for the pool's writer lock instead of spinning on SQLite's busy timeout,
 * while readers run in parallel under WAL. (Measured here: concurrent writers left to the busy
 * timeout had a p99 of 90-180 ms, one writer 15 ms.) A write transaction runs on the pool's one
 * writer connection, whose page cache therefore stays warm, inside its own SAVEPOINT of a batch
 * transaction: the struct db it began on sends its statements there until it ends. Ending it
 * while other writers wait leaves the batch open for them; the last one commits the whole batch
 * with one sync, and every transaction in it is answered only after that commit (group commit:
 * as durable as one commit each, and one sync for many). A transaction that fails is rolled back
 * to its savepoint alone. If the engine loses the batch (disk full, I/O error) every transaction
 * in it fails with ERR_BUSY, which db_transact() retries. A write statement stepped outside any
 * transaction takes the writer lock for its autocommit (after committing an open batch), so
 * nothing bypasses the writer. Statements prepared inside a transaction must be handed back
 * before it ends (the commit fails with ERR_INTERNAL otherwise).
 *
 * Durability. SQLite runs in WAL mode with foreign keys on and a busy timeout. By default
 * synchronous=FULL: a commit acknowledged to a client survives power loss. db_options.sqlite_sync
 * = DB_SYNC_NORMAL survives a crash of the process but may lose the last commits on power loss.
 *
 * Errors. Functions return 0 or a negative ERR_* code (base/err.h) and fill struct err when
 * given one. Engine errors map to: ERR_CONFLICT (unique / primary key violation), ERR_INVALID
 * (not-null, check, foreign key, bad data, SQL the engine rejects), ERR_BUSY (locked, deadlock,
 * serialization failure: retry the transaction), ERR_IO (disk, connection lost). ERR_NOT_FOUND
 * is the caller's to return when a lookup finds no row. err.detail carries the engine's own
 * message and SQLSTATE for logs; err.message never does.
 */
#ifndef FRONTDESK_DB_DB_H
#define FRONTDESK_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum db_dialect {
    DB_DIALECT_SQLITE = 1,
    DB_DIALECT_POSTGRES = 2,
};

enum db_sync {
    DB_SYNC_FULL = 0,   /* default: acknowledged commits survive power loss */
    DB_SYNC_NORMAL = 1, /* survive a process crash only; faster commits */
};

struct db_options {
    enum db_sync sqlite_sync;
    int busy_timeout_ms; /* SQLite busy timeout and PostgreSQL lock_timeout; 0 means 5000 */
};

enum db_tx_mode {
    DB_TX_READ = 0,
    DB_TX_WRITE = 1,
};

/* Results of db_step(). */
enum {
    DB_DONE = 0,
    DB_ROW = 1,
};

struct arena;
struct db_pool;
struct db;
struct db_stmt;

/* Parse url ("sqlite:PATH", "sqlite::memory:" is refused because each thread would see its own
 * database, and so is a PATH starting "file:", which SQLite would read as a URI; or a
 * "postgres://" / "postgresql://" URL that libpq accepts), open one connection to
 * prove the database is reachable (creating the SQLite file and its directory's file if absent;
 * the directory itself must exist) and return the pool. *out is untouched on failure. */
int db_pool_open(const char *url, const struct db_options *opt, struct db_pool **out,
                 struct err *e);
/* Close every connection and free the pool. No thread may use it any more. NULL is a no-op. */
void db_pool_free(struct db_pool *pool);
enum db_dialect db_pool_dialect(const struct db_pool *pool);

/* Counters since the pool opened, for /metrics and tests. On SQLite, commits < write_tx shows
 * group commit at work; on PostgreSQL both stay 0 (the server groups commits itself). */
struct db_pool_stats {
    long long write_tx; /* write transactions committed */
    long long commits;  /* engine commits that carried them */
};
void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out);
/* This thread's connection, opened on first use; a PostgreSQL connection found broken is reset
 * here. The pointer stays valid until db_pool_free(). */
int db_pool_conn(struct db_pool *pool, struct db **out, struct err *e);

enum db_dialect db_dialect(const struct db *db);

/* Run one or more statements without parameters or results (DDL, migrations). */
int db_exec(struct db *db, const char *sql, struct err *e);

/* Transactions do not nest: db_begin() inside an open transaction is ERR_INTERNAL.
 * db_rollback() always leaves the connection outside a transaction and releases the writer lock;
 * it is safe to call when no transaction is open. db_commit() leaves the connection outside the
 * transaction too, whether it succeeds or not.
 * A DB_TX_READ transaction sees one snapshot on both engines (PostgreSQL: REPEATABLE READ READ
 * ONLY); a write statement inside it is ERR_INTERNAL. Treat any error inside a transaction as
 * its end: SQLite undoes only the failed statement, but PostgreSQL aborts the whole transaction,
 * and its COMMIT then fails with ERR_INTERNAL. */
int db_begin(struct db *db, enum db_tx_mode mode, struct err *e);
int db_commit(struct db *db, struct err *e);
void db_rollback(struct db *db);
bool db_in_transaction(const struct db *db);

/* Run fn(db, arg, e) inside a transaction: commit when it returns 0, roll back otherwise, and
 * retry the whole transaction up to a few times when it fails with ERR_BUSY. Returns fn's result
 * or the commit's error. */
typedef int (*db_tx_fn)(struct db *db, void *arg, struct err *e);
int db_transact(struct db *db, enum db_tx_mode mode, db_tx_fn fn, void *arg, struct err *e);

/* A prepared statement for sql, from this connection's cache (keyed by the SQL text; prepared on
 * first use). It comes reset with no bindings. Hand it back with db_stmt_done() before preparing
 * the same SQL again; preparing SQL whose cached statement is still in use gives a fresh,
 * uncached one, so nested use is correct, only slower. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e);
/* Reset the statement and return it to the cache. NULL is a no-op. */
void db_stmt_done(struct db_stmt *st);

/* Parameters are numbered from 1, as in SQL; unbound ones are NULL. Values are copied. Binding
 * after the first db_step() is ERR_INTERNAL; an index out of range is ERR_INVALID, and so is
 * text containing a NUL byte on PostgreSQL (use a blob). */
int db_bind_int64(struct db_stmt *st, int idx, int64_t v);
int db_bind_double(struct db_stmt *st, int idx, double v);
int db_bind_text(struct db_stmt *st, int idx, const char *s, size_t len);
int db_bind_cstr(struct db_stmt *st, int idx, const char *s); /* NULL binds SQL NULL */
int db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len);
int db_bind_null(struct db_stmt *st, int idx);

/* DB_ROW when a row is available, DB_DONE at the end, or a negative ERR_* code. After DB_DONE
 * or an error the statement stays finished: stepping again returns DB_DONE without running it
 * again. */
int db_step(struct db_stmt *st, struct err *e);

/* Columns are numbered from 0 and read from the current row. Text and blob pointers stay valid
 * until the next db_step() or db_stmt_done() on this statement. A NULL reads as 0, 0.0, "" and
 * an empty blob; use db_column_is_null() to tell. db_column_count() is reliable once db_step()
 * has run (PostgreSQL executes the statement at its first step and reports 0 before). */
int db_column_count(const struct db_stmt *st);
bool db_column_is_null(const struct db_stmt *st, int col);
int64_t db_column_int64(const struct db_stmt *st, int col);
double db_column_double(const struct db_stmt *st, int col);
const char *db_column_text(const struct db_stmt *st, int col, size_t *len);
const void *db_column_blob(const struct db_stmt *st, int col, size_t *len);

/* Conveniences shared by every repository. */
/* Step a statement that returns no rows (or whose rows do not matter) once and hand it back:
 * 0 or a negative code. */
int db_run(struct db_stmt *st, struct err *e);
/* Step through every row (a DELETE ... RETURNING, say), count them into *rows (may be NULL)
 * and hand the statement back: 0 or a negative code. */
int db_run_count(struct db_stmt *st, int64_t *rows, struct err *e);
/* Copy a text column into out (cap bytes), truncated if need be, always NUL-terminated. */
void db_column_copy(const struct db_stmt *st, int col, char *out, size_t cap);
/* Copy a text column of the current row into a, NUL-terminated, and point *out at the copy,
 * which lives as long as the arena. A NULL reads as "" (as db_column_text() reads it); a caller
 * that keeps SQL NULL as a NULL pointer asks db_column_is_null() first. 0, or ERR_LIMIT when the
 * copy would pass the arena's limit (*out untouched). */
int db_column_text_dup(const struct db_stmt *st, int col, struct arena *a, const char **out,
                       struct err *e);
/* Step an INSERT ... RETURNING id once, set *id from column 0 of its row and hand the statement
 * back (as db_run() does, whatever the outcome). 0 on a row; ERR_INTERNAL "insert returned no
 * row" when there is none; otherwise the step's error (ERR_CONFLICT, say, for the caller to
 * word), with *id untouched. A statement whose row carries more than the id is stepped by
 * hand. */
int db_step_returning_id(struct db_stmt *st, int64_t *id, struct err *e);

/* The id generated by the last INSERT on this connection (SQLite's rowid; PostgreSQL's lastval()).
 * Prefer INSERT ... RETURNING id, which both engines support. Returns 0 or a negative code. */
int db_last_insert_id(struct db *db, int64_t *out, struct err *e);

/* Notifications across processes (LISTEN/NOTIFY). Several server processes may share one
 * PostgreSQL database; a process tells the others that something changed by db_notify() inside
 * the transaction that changed it, and each listens on a connection of its own (struct
 * db_listener, outside the pool). Delivery is at most once and best effort: a listener that
 * lost its connection misses what was sent meanwhile (db_listener_next() says so), so a
 * listener must keep a slower way (a periodic query) to find what it missed. One SQLite
 * database is served by one process, so there db_notify() does nothing and there is no
 * listener.
 *
 * Channel names are 1 to DB_CHANNEL_MAX bytes of [a-z0-9_]; payloads are text of at most
 * DB_NOTIFY_PAYLOAD_MAX bytes (PostgreSQL's limit is 8000). */
#define DB_CHANNEL_MAX        63
#define DB_NOTIFY_PAYLOAD_MAX 1000

/* Queue payload on channel. Inside a transaction (the caller's: call it in the one that wrote
 * what the payload names) the notification is sent when the transaction commits and dropped
 * when it rolls back; PostgreSQL folds identical notifications of one transaction into one.
 * Outside a transaction it is sent at once. SQLite: a no-op returning 0. ERR_INVALID for a bad
 * channel name, ERR_LIMIT for a payload too long; otherwise the statement's errors. */
int db_notify(struct db *db, const char *channel, const char *payload, struct err *e);

/* Results of db_listener_next() besides errors. */
enum {
    DB_LISTEN_OK = 0,
    /* The connection was lost and is LISTENing again: notifications sent in between are lost,
     * so re-read whatever they would have told. Returned once per reconnection, before any
     * notification received on the new connection. */
    DB_LISTEN_RESET = 1,
};

struct db_listener;

/* Open a listener on channel: its own PostgreSQL connection to pool's database (not one of the
 * pool's), which runs LISTEN. ERR_UNSUPPORTED on a SQLite pool, ERR_INVALID for a bad channel
 * name, ERR_IO when the server cannot be reached now; *out is untouched on failure. The
 * listener belongs to one thread; it must be closed before the pool is freed. */
int db_listen_open(struct db_pool *pool, const char *channel, struct db_listener **out,
                   struct err *e);
/* The socket to wait on for readability with poll(2) before calling db_listener_next(), or -1
 * while the connection is lost (then call db_listener_next() from time to time: it reconnects).
 * Valid until the next db_listener_next() or db_listener_close(). */
int db_listener_fd(const struct db_listener *l);
/* Read what arrived on the socket without blocking and hand out one notification: *got is set
 * and its payload copied into payload (cap bytes, truncated if need be, NUL-terminated), or
 * *got is cleared when none is pending. Returns DB_LISTEN_OK, or DB_LISTEN_RESET (*got cleared)
 * after a reconnection, or ERR_IO when the connection is lost and could not be opened again
 * (a new attempt is made at most once a second: call again later). */
int db_listener_next(struct db_listener *l, char *payload, size_t cap, bool *got, struct err *e);
/* Close the connection and free the listener. NULL is a no-op. */
void db_listener_close(struct db_listener *l);

#endif
