/* db: the engine-independent half of db.h. See db_internal.h for how work is split with the
 * drivers. */
#include "db/db.h"

#include "base/arena.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "db/db_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_BUSY_TIMEOUT_MS 5000

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int revive(struct db *db, struct err *e);

/* ---- writer lock --------------------------------------------------------------------------- */

/* References rather than a plain lock: an autocommit write may still be stepping when the same
 * connection begins a write transaction, and locking twice from one thread would deadlock. The
 * waiting count tells the holder whether ending its transaction should leave the batch open. */
static void writer_acquire(struct db *db)
{
    if (db->writer_refs++ == 0) {
        struct db_pool *pool = db->pool;
        atomic_fetch_add(&pool->writers_waiting, 1);
        pthread_mutex_lock(&pool->writer);
        atomic_fetch_sub(&pool->writers_waiting, 1);
    }
}

static void writer_release(struct db *db)
{
    if (db->writer_refs > 0 && --db->writer_refs == 0)
        pthread_mutex_unlock(&db->pool->writer);
}

/* ---- group commit (single-writer engines) -------------------------------------------------- */

/* The batch transaction is open on pool->wconn between write transactions only while the writer
 * lock is held or some thread is blocked on it; each such thread, once it holds the lock, either
 * adds its transaction to the batch or commits the batch first (batch_end). So a released batch
 * always has someone to commit it, and nobody waits on a batch nobody will end. */

static void batch_wake(struct db_pool *pool, int rc)
{
    pthread_mutex_lock(&pool->batch_lock);
    for (struct db__waiter *w = pool->batch_waiters; w; w = w->next) {
        w->rc = rc;
        w->done = true;
    }
    pthread_mutex_unlock(&pool->batch_lock);
    pthread_cond_broadcast(&pool->batch_done);
    pool->batch_waiters = NULL;
}

/* With the writer lock held: commit the open batch, if any, and answer every transaction that
 * waits for it. An empty batch (its only transactions failed) is rolled back. Returns the
 * commit's result, ERR_BUSY when the engine had already lost the batch. */
static int batch_end(struct db_pool *pool)
{
    struct db *w = pool->wconn;
    if (!w || !w->in_tx)
        return 0;
    int rc = 0;
    struct err e = {0};
    if (!w->drv->tx_open(w)) {
        if (pool->batch_len)
            rc = err_set(&e, ERR_BUSY, NULL, "the database rolled back the batch");
    } else if (pool->batch_len == 0) {
        w->drv->rollback(w);
    } else {
        rc = w->drv->commit(w, &e);
        if (!rc) {
            atomic_fetch_add(&pool->stat_commits, 1);
            atomic_fetch_add(&pool->stat_write_tx, pool->batch_len);
        }
    }
    if (rc)
        log_msg("error", "db_batch_failed", "%d write transactions lost: %s (%s)", pool->batch_len,
                e.message, e.detail);
    w->in_tx = false;
    pool->batch_len = 0;
    batch_wake(pool, rc);
    return rc;
}

/* A transaction released into a batch learns the batch's fate from a code only. */
static int batch_error(struct err *e, int rc)
{
    if (rc == ERR_BUSY)
        return err_set(e, rc, NULL, "the database is busy, try again");
    return err_set(e, rc, NULL, "the database could not commit the transaction");
}

static int group_begin(struct db *db, struct err *e)
{
    struct db_pool *pool = db->pool;
    struct db *w = pool->wconn;
    writer_acquire(db);
    if (!w->in_tx) {
        int rc = w->drv->begin(w, DB_TX_WRITE, e);
        if (rc) {
            writer_release(db);
            return rc;
        }
        w->in_tx = true;
        w->tx_mode = DB_TX_WRITE;
        pool->batch_len = 0;
    }
    int rc = w->drv->exec(w, "SAVEPOINT fd_tx", e);
    if (rc) {
        batch_end(pool);
        writer_release(db);
        return rc;
    }
    db->in_tx = true;
    db->tx_mode = DB_TX_WRITE;
    db->tx_conn = w;
    return 0;
}

/* End db's transaction in the batch: keep it (commit) or undo it, then decide who commits. */
static int group_end(struct db *db, bool commit, struct err *e)
{
    struct db_pool *pool = db->pool;
    struct db *w = db->tx_conn;
    int own = 0;
    if (w->stmts_out) {
        log_msg("error", "db_stmt_leak", "%d statements still in use when a transaction ended",
                w->stmts_out);
        if (commit)
            own = err_set(e, ERR_INTERNAL, NULL, "a statement outlived its transaction");
        commit = false;
    }
    if (w->drv->tx_open(w)) {
        if (commit) {
            own = w->drv->exec(w, "RELEASE fd_tx", e);
            if (!own)
                pool->batch_len++;
        }
        if (!commit || own) {
            w->drv->exec(w, "ROLLBACK TO fd_tx", NULL);
            w->drv->exec(w, "RELEASE fd_tx", NULL);
        }
    }
    db->in_tx = false;
    db->tx_conn = NULL;

    if (!w->drv->tx_open(w)) {
        /* The engine rolled everything back: every transaction in the batch is lost. */
        batch_end(pool);
        if (commit && !own)
            own = batch_error(e, ERR_BUSY);
    } else if (atomic_load(&pool->writers_waiting) > 0 && pool->batch_len < DB__BATCH_MAX) {
        /* Others wait for the lock: leave the batch open, one of them commits it. */
        if (!commit || own) {
            writer_release(db);
            return own;
        }
        struct db__waiter me = {.next = pool->batch_waiters};
        pool->batch_waiters = &me;
        writer_release(db);
        pthread_mutex_lock(&pool->batch_lock);
        while (!me.done)
            pthread_cond_wait(&pool->batch_done, &pool->batch_lock);
        pthread_mutex_unlock(&pool->batch_lock);
        return me.rc ? batch_error(e, me.rc) : 0;
    } else {
        int rc = batch_end(pool);
        if (commit && !own && rc)
            own = batch_error(e, rc);
    }
    writer_release(db);
    return own;
}

/* Take the writer lock for a write on db's own connection (an autocommit statement, db_exec()
 * outside a transaction): an open batch is committed first, so the engine's lock is free. */
static void writer_acquire_solo(struct db *db)
{
    writer_acquire(db);
    if (db->writer_refs == 1)
        batch_end(db->pool);
}

/* ---- statements ---------------------------------------------------------------------------- */

static uint64_t sql_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void stmt_free(struct db_stmt *st)
{
    if (st->holds_writer) {
        st->holds_writer = false;
        writer_release(st->db);
    }
    st->db->drv->finalize(st);
    free(st->sql);
    free(st);
}

/* Forget every cached statement. When the server session was replaced (closing false), a
 * statement still in use becomes uncached so db_stmt_done() frees it later; when the connection
 * closes, nobody may hold one any more and all go. */
static void cache_flush(struct db *db, bool closing)
{
    for (int i = 0; i < db->cache_len; i++) {
        struct db_stmt *st = db->cache[i];
        if (st->in_use && !closing)
            st->cached = false;
        else
            stmt_free(st);
    }
    db->cache_len = 0;
}

static struct db_stmt *cache_find(struct db *db, const char *sql, uint64_t hash)
{
    for (int i = 0; i < db->cache_len; i++) {
        struct db_stmt *st = db->cache[i];
        if (st->hash == hash && strcmp(st->sql, sql) == 0)
            return st;
    }
    return NULL;
}

/* Make room for one more entry by evicting the least recently used idle statement. False when
 * every cached statement is in use (the new one then stays uncached). */
static bool cache_make_room(struct db *db)
{
    if (db->cache_len < DB__CACHE_MAX)
        return true;
    int victim = -1;
    for (int i = 0; i < db->cache_len; i++) {
        struct db_stmt *st = db->cache[i];
        if (!st->in_use && (victim < 0 || st->last_used < db->cache[victim]->last_used))
            victim = i;
    }
    if (victim < 0)
        return false;
    stmt_free(db->cache[victim]);
    db->cache[victim] = db->cache[--db->cache_len];
    return true;
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
    /* PostgreSQL would prepare an empty query happily and do nothing; refuse it on both. */
    if (!sql[strspn(sql, " \t\r\n;")])
        return err_set(e, ERR_INVALID, NULL, "the statement is empty");
    if (db->tx_conn)
        return db_prepare(db->tx_conn, sql, out, e);
    if (!db->in_tx) {
        int rc = revive(db, e);
        if (rc)
            return rc;
    }
    uint64_t hash = sql_hash(sql);
    struct db_stmt *st = cache_find(db, sql, hash);
    if (st && !st->in_use) {
        st->in_use = true;
        st->last_used = ++db->tick;
        db->stmts_out++;
        *out = st;
        return 0;
    }
    /* A hit that is in use means nested use of the same SQL: give a private statement. */
    bool cache_it = !st && cache_make_room(db);
    st = xcalloc(1, sizeof *st);
    st->db = db;
    st->sql = xstrdup(sql);
    st->hash = hash;
    int rc = db->drv->prepare(st, cache_it, e);
    if (rc) {
        free(st->sql);
        free(st);
        return rc;
    }
    st->in_use = true;
    st->last_used = ++db->tick;
    db->stmts_out++;
    if (cache_it) {
        st->cached = true;
        db->cache[db->cache_len++] = st;
    }
    *out = st;
    return 0;
}

static void stmt_reset(struct db_stmt *st)
{
    st->db->drv->reset(st);
    st->state = DB__STMT_FRESH;
    if (st->holds_writer) {
        st->holds_writer = false;
        writer_release(st->db);
    }
}

void db_stmt_done(struct db_stmt *st)
{
    if (!st)
        return;
    st->db->stmts_out--;
    if (!st->cached) {
        stmt_free(st);
        return;
    }
    stmt_reset(st);
    st->in_use = false;
}

/* Binding is only meaningful before the first step: the statement must be handed back with
 * db_stmt_done() and prepared again to run with other values. */
#define CHECK_BINDABLE(st)                                                                         \
    do {                                                                                           \
        if ((st)->state != DB__STMT_FRESH)                                                         \
            return ERR_INTERNAL;                                                                   \
    } while (0)

int db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    CHECK_BINDABLE(st);
    return st->db->drv->bind_int64(st, idx, v);
}

int db_bind_double(struct db_stmt *st, int idx, double v)
{
    CHECK_BINDABLE(st);
    return st->db->drv->bind_double(st, idx, v);
}

int db_bind_text(struct db_stmt *st, int idx, const char *s, size_t len)
{
    CHECK_BINDABLE(st);
    return st->db->drv->bind_text(st, idx, s ? s : "", s ? len : 0);
}

int db_bind_cstr(struct db_stmt *st, int idx, const char *s)
{
    CHECK_BINDABLE(st);
    if (!s)
        return st->db->drv->bind_null(st, idx);
    return st->db->drv->bind_text(st, idx, s, strlen(s));
}

int db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
    CHECK_BINDABLE(st);
    return st->db->drv->bind_blob(st, idx, p ? p : "", p ? len : 0);
}

int db_bind_null(struct db_stmt *st, int idx)
{
    CHECK_BINDABLE(st);
    return st->db->drv->bind_null(st, idx);
}

/* Before the first step on a single-writer engine: a write outside any transaction takes the
 * writer lock for its autocommit; a write inside a read transaction is a caller bug (it would
 * bypass the lock, and PostgreSQL refuses it in a READ ONLY transaction anyway). */
static int guard_first_step(struct db_stmt *st, struct err *e)
{
    struct db *db = st->db;
    if (!db->drv->single_writer || db->drv->readonly(st))
        return 0;
    if (db->in_tx) {
        if (db->tx_mode == DB_TX_READ)
            return err_set(e, ERR_INTERNAL, NULL, "write statement in a read transaction");
        return 0;
    }
    writer_acquire_solo(db);
    st->holds_writer = true;
    return 0;
}

int db_step(struct db_stmt *st, struct err *e)
{
    /* Stepping a finished SQLite statement would silently run it again. */
    if (st->state == DB__STMT_FINISHED)
        return DB_DONE;
    if (st->state == DB__STMT_FRESH) {
        int rc = guard_first_step(st, e);
        if (rc) {
            st->state = DB__STMT_FINISHED;
            return rc;
        }
        st->state = DB__STMT_RUNNING;
    }
    int rc = st->db->drv->step(st, e);
    if (rc != DB_ROW) {
        st->state = DB__STMT_FINISHED;
        if (st->holds_writer) {
            st->holds_writer = false;
            writer_release(st->db);
        }
    }
    return rc;
}

int db_column_count(const struct db_stmt *st)
{
    return st->db->drv->column_count(st);
}

bool db_column_is_null(const struct db_stmt *st, int col)
{
    return st->db->drv->column_is_null(st, col);
}

int64_t db_column_int64(const struct db_stmt *st, int col)
{
    return st->db->drv->column_int64(st, col);
}

double db_column_double(const struct db_stmt *st, int col)
{
    return st->db->drv->column_double(st, col);
}

const char *db_column_text(const struct db_stmt *st, int col, size_t *len)
{
    size_t n;
    const char *s = st->db->drv->column_text(st, col, &n);
    if (len)
        *len = n;
    return s;
}

const void *db_column_blob(const struct db_stmt *st, int col, size_t *len)
{
    size_t n;
    const void *p = st->db->drv->column_blob(st, col, &n);
    if (len)
        *len = n;
    return p;
}

/* ---- connections and the pool -------------------------------------------------------------- */

/* Bring a broken connection back (PostgreSQL). Called by db_pool_conn() and, outside a
 * transaction, by db_begin(), db_prepare() and db_exec(), so a thread that kept its struct db heals
 * at its next unit of work instead of failing with ERR_IO forever. */
static int revive(struct db *db, struct err *e)
{
    if (!db->drv->check)
        return 0;
    bool reset = false;
    int rc = db->drv->check(db, &reset, e);
    if (reset) {
        /* The server session is new: its prepared statements and transaction are gone. */
        cache_flush(db, false);
        db->in_tx = false;
    }
    return rc;
}

static void conn_close(struct db *db)
{
    if (db->in_tx)
        db_rollback(db);
    cache_flush(db, true);
    db->drv->disconnect(db);
    free(db);
}

/* pthread key destructor: the thread is exiting, so its connection goes with it. */
static void conn_at_thread_exit(void *p)
{
    struct db *db = p;
    struct db_pool *pool = db->pool;
    pthread_mutex_lock(&pool->lock);
    for (struct db **link = &pool->conns; *link; link = &(*link)->next) {
        if (*link == db) {
            *link = db->next;
            break;
        }
    }
    pthread_mutex_unlock(&pool->lock);
    conn_close(db);
}

/* Connect a new struct db and list it in pool->conns; attach it to this thread when asked (the
 * writer connection belongs to no thread: whoever holds the writer lock uses it). */
static int conn_open(struct db_pool *pool, bool for_thread, struct db **out, struct err *e)
{
    struct db *db = xcalloc(1, sizeof *db);
    db->pool = pool;
    db->drv = pool->drv;
    int rc = pool->drv->connect(db, e);
    if (rc) {
        free(db);
        return rc;
    }
    if (for_thread && pthread_setspecific(pool->key, db) != 0) {
        db->drv->disconnect(db);
        free(db);
        return err_set(e, ERR_INTERNAL, NULL, "cannot attach the connection to this thread");
    }
    pthread_mutex_lock(&pool->lock);
    db->next = pool->conns;
    pool->conns = db;
    pthread_mutex_unlock(&pool->lock);
    *out = db;
    return 0;
}

int db_pool_conn(struct db_pool *pool, struct db **out, struct err *e)
{
    struct db *db = pthread_getspecific(pool->key);
    if (!db)
        return conn_open(pool, true, out, e);
    int rc = revive(db, e);
    if (rc)
        return rc;
    *out = db;
    return 0;
}

static int parse_url(const char *url, struct db_pool *pool, struct err *e)
{
    if (!url || !*url)
        return err_set(e, ERR_INVALID, "db", "database url is empty");
    if (has_prefix(url, "sqlite:")) {
        const char *path = url + strlen("sqlite:");
        if (!*path)
            return err_set(e, ERR_INVALID, "db", "sqlite database path is empty");
        if (strcmp(path, ":memory:") == 0)
            return err_set(e, ERR_INVALID, "db",
                           "in-memory sqlite databases are not supported: each thread would see "
                           "its own database");
        /* Debian's SQLite is built with SQLITE_USE_URI: "file:" would open a URI, including
         * file::memory: and read-only modes, so the path would not mean what it says. */
        if (has_prefix(path, "file:"))
            return err_set(e, ERR_INVALID, "db",
                           "sqlite url takes a file path, not a file: uri (write ./file:... for "
                           "such a name)");
        pool->drv = &db__sqlite_driver;
        pool->target = xstrdup(path);
        return 0;
    }
    if (has_prefix(url, "postgres://") || has_prefix(url, "postgresql://")) {
        pool->drv = &db__pg_driver;
        pool->target = xstrdup(url);
        return 0;
    }
    return err_set(e, ERR_INVALID, "db",
                   "database url must start with sqlite:, postgres:// or postgresql://");
}

static int check_options(const struct db_options *opt, struct db_options *out, struct err *e)
{
    struct db_options o = {.sqlite_sync = DB_SYNC_FULL, .busy_timeout_ms = 0};
    if (opt)
        o = *opt;
    if (o.sqlite_sync != DB_SYNC_FULL && o.sqlite_sync != DB_SYNC_NORMAL)
        return err_set(e, ERR_INVALID, "sqlite_sync", "unknown sqlite synchronous mode %d",
                       (int)o.sqlite_sync);
    if (o.busy_timeout_ms < 0)
        return err_set(e, ERR_INVALID, "busy_timeout_ms",
                       "busy timeout must not be negative, got %d", o.busy_timeout_ms);
    if (o.busy_timeout_ms == 0)
        o.busy_timeout_ms = DEFAULT_BUSY_TIMEOUT_MS;
    *out = o;
    return 0;
}

int db_pool_open(const char *url, const struct db_options *opt, struct db_pool **out, struct err *e)
{
    struct db_pool *pool = xcalloc(1, sizeof *pool);
    int rc = check_options(opt, &pool->opt, e);
    if (!rc)
        rc = parse_url(url, pool, e);
    if (rc) {
        free(pool->target);
        free(pool);
        return rc;
    }
    if (pthread_key_create(&pool->key, conn_at_thread_exit) != 0) {
        free(pool->target);
        free(pool);
        return err_set(e, ERR_INTERNAL, NULL, "cannot create the per-thread connection slot");
    }
    pthread_mutex_init(&pool->writer, NULL);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_mutex_init(&pool->batch_lock, NULL);
    pthread_cond_init(&pool->batch_done, NULL);
    /* Open this thread's connection now, so a wrong path or an unreachable server fails here. */
    struct db *db;
    rc = conn_open(pool, true, &db, e);
    if (!rc && pool->drv->single_writer)
        rc = conn_open(pool, false, &pool->wconn, e);
    if (rc) {
        db_pool_free(pool);
        return rc;
    }
    *out = pool;
    return 0;
}

void db_pool_free(struct db_pool *pool)
{
    if (!pool)
        return;
    /* Deleting the key first means no destructor can run for it any more. */
    pthread_key_delete(pool->key);
    struct db *db = pool->conns;
    while (db) {
        struct db *next = db->next;
        conn_close(db);
        db = next;
    }
    pthread_cond_destroy(&pool->batch_done);
    pthread_mutex_destroy(&pool->batch_lock);
    pthread_mutex_destroy(&pool->lock);
    pthread_mutex_destroy(&pool->writer);
    free(pool->target);
    free(pool);
}

enum db_dialect db_pool_dialect(const struct db_pool *pool)
{
    return pool->drv->dialect;
}

void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out)
{
    out->write_tx = atomic_load(&pool->stat_write_tx);
    out->commits = atomic_load(&pool->stat_commits);
}

enum db_dialect db_dialect(const struct db *db)
{
    return db->drv->dialect;
}

/* ---- execution and transactions ------------------------------------------------------------ */

int db_exec(struct db *db, const char *sql, struct err *e)
{
    /* db_exec cannot tell a read from a write without parsing, so outside a transaction it always
     * queues as a writer; it runs DDL and migrations, where that costs nothing. */
    if (db->tx_conn)
        return db->drv->exec(db->tx_conn, sql, e);
    if (!db->in_tx) {
        int rc = revive(db, e);
        if (rc)
            return rc;
    }
    bool lock = db->drv->single_writer && !db->in_tx;
    if (lock)
        writer_acquire_solo(db);
    int rc = db->drv->exec(db, sql, e);
    if (lock)
        writer_release(db);
    return rc;
}

int db_begin(struct db *db, enum db_tx_mode mode, struct err *e)
{
    if (db->in_tx)
        return err_set(e, ERR_INTERNAL, NULL, "transaction already open: transactions do not nest");
    if (mode != DB_TX_READ && mode != DB_TX_WRITE)
        return err_set(e, ERR_INTERNAL, NULL, "unknown transaction mode %d", (int)mode);
    int rc = revive(db, e);
    if (rc)
        return rc;
    if (mode == DB_TX_WRITE && db->drv->single_writer)
        return group_begin(db, e);
    rc = db->drv->begin(db, mode, e);
    if (rc)
        return rc;
    db->in_tx = true;
    db->tx_mode = mode;
    return 0;
}

int db_commit(struct db *db, struct err *e)
{
    if (!db->in_tx)
        return err_set(e, ERR_INTERNAL, NULL, "no open transaction to commit");
    if (db->tx_conn)
        return group_end(db, true, e);
    int rc = db->drv->commit(db, e);
    db->in_tx = false;
    return rc;
}

void db_rollback(struct db *db)
{
    if (db->tx_conn) {
        group_end(db, false, NULL);
        return;
    }
    db->drv->rollback(db);
    db->in_tx = false;
}

bool db_in_transaction(const struct db *db)
{
    return db->in_tx;
}

/* Exponential backoff, 1 ms << attempt, plus up to 1 ms taken from the clock's low bits so
 * threads that collided do not retry in lockstep (no rand(): this needs spread, not secrecy). */
static void backoff(int attempt)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ns = (1000000L << attempt) + now.tv_nsec % 1000000L;
    struct timespec d = {.tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L};
    nanosleep(&d, NULL);
}

int db_transact(struct db *db, enum db_tx_mode mode, db_tx_fn fn, void *arg, struct err *e)
{
    for (int attempt = 1;; attempt++) {
        int rc = db_begin(db, mode, e);
        if (!rc) {
            rc = fn(db, arg, e);
            if (rc)
                db_rollback(db);
            else
                rc = db_commit(db, e);
        }
        if (rc != ERR_BUSY || attempt >= DB__TX_ATTEMPTS) {
            if (!rc && attempt > 1 && e)
                err_clear(e); /* drop the busy error of an earlier attempt */
            return rc;
        }
        log_msg("debug", "db_tx_retry", "transaction busy, attempt %d of %d", attempt,
                DB__TX_ATTEMPTS);
        backoff(attempt - 1);
    }
}

int db_last_insert_id(struct db *db, int64_t *out, struct err *e)
{
    if (db->tx_conn)
        db = db->tx_conn;
    return db->drv->last_insert_id(db, out, e);
}

int db_run(struct db_stmt *st, struct err *e)
{
    int rc = db_step(st, e);
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

void db_column_copy(const struct db_stmt *st, int col, char *out, size_t cap)
{
    size_t len;
    const char *v = db_column_text(st, col, &len);
    if (len >= cap)
        len = cap - 1;
    memcpy(out, v, len);
    out[len] = '\0';
}

int db_column_text_dup(const struct db_stmt *st, int col, struct arena *a, const char **out,
                       struct err *e)
{
    size_t len;
    const char *v = db_column_text(st, col, &len);
    char *p = arena_strndup(a, v, len);
    if (!p)
        return err_set(e, ERR_LIMIT, NULL, "out of memory reading a text column");
    *out = p;
    return 0;
}

int db_step_returning_id(struct db_stmt *st, int64_t *id, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW) {
        *id = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    }
    db_stmt_done(st);
    return rc;
}

int db_run_count(struct db_stmt *st, int64_t *rows, struct err *e)
{
    int64_t n = 0;
    int rc;
    while ((rc = db_step(st, e)) == DB_ROW)
        n++;
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    if (rows)
        *rows = n;
    return 0;
}

/* ---- notifications ------------------------------------------------------------------------- */

int db__channel_check(const char *channel, struct err *e)
{
    size_t len = channel ? strlen(channel) : 0;
    if (len == 0 || len > DB_CHANNEL_MAX)
        return err_set(e, ERR_INVALID, "channel", "a channel name has 1 to %d bytes",
                       DB_CHANNEL_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = channel[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return err_set(e, ERR_INVALID, "channel",
                           "a channel name has only lower-case letters, digits and _");
    }
    return 0;
}

/* pg_notify() rather than NOTIFY: the channel and the payload travel as parameters, so nothing
 * needs quoting, and the one cached statement serves every channel. */
int db_notify(struct db *db, const char *channel, const char *payload, struct err *e)
{
    int rc = db__channel_check(channel, e);
    if (rc)
        return rc;
    if (!payload)
        payload = "";
    if (strlen(payload) > DB_NOTIFY_PAYLOAD_MAX)
        return err_set(e, ERR_LIMIT, "payload", "a notification payload has at most %d bytes",
                       DB_NOTIFY_PAYLOAD_MAX);
    if (db_dialect(db) != DB_DIALECT_POSTGRES)
        return 0;
    struct db_stmt *st;
    if ((rc = db_prepare(db, "SELECT pg_notify(?, ?)", &st, e)))
        return rc;
    db_bind_cstr(st, 1, channel);
    db_bind_cstr(st, 2, payload);
    return db_run(st, e);
}
