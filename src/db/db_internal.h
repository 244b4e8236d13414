/* db_internal: what db.c shares with the drivers (sqlite.c, postgres.c) and migrate.c.
 *
 * db.c owns everything both engines have in common: the pool and its per-thread connections, the
 * statement cache, transaction state, SQLite's writer lock and the checks that keep a caller from
 * misusing a statement. A driver only translates calls into its engine's API through struct
 * db__driver and keeps its engine handles behind the `impl` pointers. Nothing here is exported
 * beyond src/db/. Same threading rules as db.h: a struct db and its statements belong to one
 * thread.
 */
#ifndef FRONTDESK_DB_DB_INTERNAL_H
#define FRONTDESK_DB_DB_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"

/* Statements kept prepared per connection. Application SQL is a fixed set of string constants,
 * so a small bound holds the hot ones; the least recently used statement not in use is evicted
 * when a new one does not fit. Linear scan over hashes: 64 compares beat a hash table here. */
#define DB__CACHE_MAX 64

/* How db_transact() retries ERR_BUSY: attempts in all, backing off 1, 2, 4, ... ms. */
#define DB__TX_ATTEMPTS 5

/* Most write transactions one group commit may hold. A batch never grows beyond the number of
 * threads writing at once (each waits for its own commit), so this only bounds the unexpected. */
#define DB__BATCH_MAX 64

/* Driver operations. Every function is called from the thread that owns the connection, with
 * arguments db.c has already checked (parameter and column indexes are the driver's to check).
 * Functions that can fail return 0 or a negative ERR_* and fill e when it is not NULL, with
 * err.detail carrying the engine's message. */
struct db__driver {
    enum db_dialect dialect;
    /* Writes serialize on the pool's writer lock (SQLite): db.c then asks readonly() before the
     * first step of a statement outside a write transaction. */
    bool single_writer;

    /* Open db->impl for db->pool->target with db->pool->opt; leave db->impl NULL on failure. */
    int (*connect)(struct db *db, struct err *e);
    /* Whether the engine still has a transaction open on db (SQLite rolls a whole transaction
     * back by itself after some errors: disk full, I/O). Needed by single_writer drivers. */
    bool (*tx_open)(struct db *db);
    /* Close db->impl; statements are already finalized. */
    void (*disconnect)(struct db *db);
    /* Make a broken connection usable again. *reset is set when the session was replaced, so
     * server-side state (prepared statements, the open transaction) is gone. May be NULL. */
    int (*check)(struct db *db, bool *reset, struct err *e);

    int (*exec)(struct db *db, const char *sql, struct err *e);
    int (*begin)(struct db *db, enum db_tx_mode mode, struct err *e);
    /* On failure the driver leaves the connection outside the transaction. */
    int (*commit)(struct db *db, struct err *e);
    /* Never fails from the caller's point of view; safe outside a transaction. */
    void (*rollback)(struct db *db);
    int (*last_insert_id)(struct db *db, int64_t *out, struct err *e);

    /* Prepare st->sql into st->impl. cached tells whether the statement will be reused (a driver
     * may then keep a server-side prepared statement). */
    int (*prepare)(struct db_stmt *st, bool cached, struct err *e);
    void (*finalize)(struct db_stmt *st);
    /* Back to the prepared state with no bindings and no result. */
    void (*reset)(struct db_stmt *st);
    bool (*readonly)(const struct db_stmt *st);

    int (*bind_int64)(struct db_stmt *st, int idx, int64_t v);
    int (*bind_double)(struct db_stmt *st, int idx, double v);
    int (*bind_text)(struct db_stmt *st, int idx, const char *s, size_t len);
    int (*bind_blob)(struct db_stmt *st, int idx, const void *p, size_t len);
    int (*bind_null)(struct db_stmt *st, int idx);

    /* DB_ROW, DB_DONE or a negative ERR_*. */
    int (*step)(struct db_stmt *st, struct err *e);
    int (*column_count)(const struct db_stmt *st);
    bool (*column_is_null)(const struct db_stmt *st, int col);
    int64_t (*column_int64)(const struct db_stmt *st, int col);
    double (*column_double)(const struct db_stmt *st, int col);
    /* Never NULL: a NULL or a missing column reads as "" with *len 0. */
    const char *(*column_text)(const struct db_stmt *st, int col, size_t *len);
    const void *(*column_blob)(const struct db_stmt *st, int col, size_t *len);
};

extern const struct db__driver db__sqlite_driver;
extern const struct db__driver db__pg_driver;

/* A write transaction that was released into the open batch and waits for its commit. Lives on
 * the waiting thread's stack; linked into pool->batch_waiters while the batch is open. */
struct db__waiter {
    struct db__waiter *next;
    bool done; /* under pool->batch_lock */
    int rc;    /* the batch's outcome: 0 or a negative ERR_* */
};

struct db_pool {
    const struct db__driver *drv;
    char *target;          /* SQLite: the file path; PostgreSQL: the URL as given */
    struct db_options opt; /* defaults filled in: busy_timeout_ms > 0 */
    /* Each thread's struct db. A key per pool lets several pools live in one process (tests do)
     * and closes a thread's connection when the thread exits. */
    pthread_key_t key;
    pthread_mutex_t lock; /* guards conns */
    struct db *conns;     /* every open connection, linked through db->next */

    /* Single-writer engines (SQLite): group commit. Every write transaction runs on wconn, the
     * pool's one writer connection, inside its own SAVEPOINT of a batch transaction, while
     * holding `writer`. Whoever ends a transaction while others wait for `writer` leaves the
     * batch open for them and waits; the last one commits it once for all (see db.c). */
    pthread_mutex_t writer;
    atomic_int writers_waiting; /* threads blocked on `writer` */
    struct db *wconn;
    int batch_len;                    /* transactions released into the open batch */
    struct db__waiter *batch_waiters; /* their threads; under `writer` */
    pthread_mutex_t batch_lock;       /* guards each waiter's done and rc */
    pthread_cond_t batch_done;
    atomic_llong stat_write_tx; /* write transactions committed */
    atomic_llong stat_commits;  /* engine commits that carried them */
};

enum db__stmt_state {
    DB__STMT_FRESH = 0, /* prepared or reset, bindable */
    DB__STMT_RUNNING,   /* stepped, rows may follow */
    DB__STMT_FINISHED,  /* DB_DONE or an error was returned: further steps return DB_DONE */
};

struct db {
    struct db_pool *pool;
    const struct db__driver *drv;
    void *impl;      /* sqlite3 *, or the PostgreSQL driver's connection state */
    struct db *next; /* in pool->conns */
    bool in_tx;
    enum db_tx_mode tx_mode;
    int writer_refs; /* references this connection holds on pool->writer */
    /* While this connection's write transaction runs on the pool's writer connection: that
     * connection. Statements, db_exec() and db_last_insert_id() go there meanwhile. */
    struct db *tx_conn;
    int stmts_out; /* statements prepared and not yet handed back */
    uint64_t tick; /* use counter for the cache's LRU */
    int cache_len;
    struct db_stmt *cache[DB__CACHE_MAX];
};

struct db_stmt {
    struct db *db;
    char *sql;
    uint64_t hash; /* of sql, FNV-1a */
    void *impl;    /* sqlite3_stmt *, or the PostgreSQL driver's statement state */
    bool cached;   /* owned by db->cache; otherwise freed by db_stmt_done() */
    bool in_use;
    bool holds_writer; /* an autocommit write that took the writer lock at its first step */
    enum db__stmt_state state;
    uint64_t last_used;
};

/* Rewrite `?` placeholders to $1, $2, ... for PostgreSQL, appending the result to out. A `?`
 * inside a '...' literal ('' escapes a quote; E'...' also \ escapes), a "..." identifier, a
 * $tag$...$tag$ string, a -- line comment or a (nesting) block comment is copied unchanged; so
 * is everything else. *nparams receives the number of placeholders. Pure: no allocation beyond
 * out. Returns 0, ERR_LIMIT when out's cap is reached or there are more than 65535 placeholders
 * (PostgreSQL's own maximum); out is then left as it was and *nparams untouched. */
int db__pg_rewrite_placeholders(const char *sql, size_t len, struct buf *out, int *nparams);

/* 0 when channel is a name db_notify() and db_listen_open() accept (see db.h), else
 * ERR_INVALID naming "channel". */
int db__channel_check(const char *channel, struct err *e);

#endif
