/* migrate: apply the embedded migrations/<dialect>/NNNN_name.sql files in order. */
#include "db/migrate.h"

#include "base/embed.h"
#include "base/log.h"
#include "db/db.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

/* Generated at build time from migrations/ by tools/embed.c (see migrations/meson.build). */
extern const struct embed_table migrate_files_sqlite;
extern const struct embed_table migrate_files_postgres;

/* Key of the transaction-scoped advisory lock that serializes migrate_apply() across processes
 * on one PostgreSQL database: "frontdes" in ASCII, so it is recognizable in pg_locks. */
#define MIGRATE_LOCK_KEY "7382085259403486579"

/* The highest version a file name may carry; four digits are the convention. */
#define MIGRATE_VERSION_MAX 999999

struct migration {
    int version;
    const char *name; /* after "NNNN_", up to ".sql" */
    int name_len;
    const char *sql; /* NUL-terminated by the embed tool */
};

static const struct embed_table *files_for(enum db_dialect dialect)
{
    return dialect == DB_DIALECT_POSTGRES ? &migrate_files_postgres : &migrate_files_sqlite;
}

/* Parse "NNNN_name.sql". Returns false when the path does not have that shape. */
static bool parse_name(const char *path, struct migration *m)
{
    int version = 0;
    const char *p = path;
    for (; *p >= '0' && *p <= '9'; p++) {
        version = version * 10 + (*p - '0');
        if (version > MIGRATE_VERSION_MAX)
            return false;
    }
    size_t len = strlen(path);
    if (p == path || *p != '_' || len < 4 || strcmp(path + len - 4, ".sql") != 0)
        return false;
    const char *name = p + 1;
    const char *end = path + len - 4;
    if (end <= name)
        return false;
    m->version = version;
    m->name = name;
    m->name_len = (int)(end - name);
    return true;
}

/* Check the embedded set: the table is sorted by path, so with zero-padded numbers the i-th file
 * must carry version i + 1. A gap, a duplicate or a bad name is a packaging bug, caught here
 * rather than half-applied. On success *latest is the newest version (0 with no files). */
static int check_files(const struct embed_table *t, int *latest, struct err *e)
{
    for (size_t i = 0; i < t->count; i++) {
        struct migration m;
        if (!parse_name(t->files[i].path, &m))
            return err_set(e, ERR_INTERNAL, NULL,
                           "embedded migration %s is not named NNNN_name.sql", t->files[i].path);
        if ((size_t)m.version != i + 1)
            return err_set(e, ERR_INTERNAL, NULL,
                           "embedded migrations are not numbered 1, 2, ...: %s is at position %zu",
                           t->files[i].path, i + 1);
    }
    *latest = (int)t->count;
    return 0;
}

/* Does schema_migrations exist? Asked instead of created so that migrate_status() writes
 * nothing. */
static int table_exists(struct db *db, bool *exists, struct err *e)
{
    const char *sql =
        db_dialect(db) == DB_DIALECT_POSTGRES
            ? "SELECT count(*) FROM information_schema.tables "
              "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
            : "SELECT count(*) FROM sqlite_master "
              "WHERE type = 'table' AND name = 'schema_migrations'";
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *exists = db_column_int64(st, 0) > 0;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "count(*) returned no row");
    }
    db_stmt_done(st);
    return rc;
}

static int current_version(struct db *db, int *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &st, e);
    if (rc)
        return rc;
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        int64_t v = db_column_int64(st, 0);
        rc = v < 0 || v > INT32_MAX ? err_set(e, ERR_INVALID, NULL,
                                              "schema_migrations holds version %lld", (long long)v)
                                    : 0;
        if (!rc)
            *out = (int)v;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "max(version) returned no row");
    }
    db_stmt_done(st);
    return rc;
}

int migrate_status(struct db *db, struct migrate_status *out, struct err *e)
{
    int latest;
    int rc = check_files(files_for(db_dialect(db)), &latest, e);
    bool exists = false;
    if (!rc)
        rc = table_exists(db, &exists, e);
    int current = 0;
    if (!rc && exists)
        rc = current_version(db, &current, e);
    if (rc)
        return rc;
    out->current = current;
    out->latest = latest;
    return 0;
}

static int record(struct db *db, const struct migration *m, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", &st, e);
    if (rc)
        return rc;
    rc = db_bind_int64(st, 1, m->version);
    if (!rc)
        rc = db_bind_text(st, 2, m->name, (size_t)m->name_len);
    if (!rc)
        rc = db_bind_int64(st, 3, now);
    if (!rc)
        rc = db_step(st, e);
    db_stmt_done(st);
    return rc == DB_DONE ? 0 : rc;
}

/* Run one file. On failure the message names the migration; the engine's words stay in
 * detail. */
static int apply_one(struct db *db, const struct migration *m, int64_t now, struct err *e)
{
    int rc = db_exec(db, m->sql, e);
    if (rc && e) {
        /* err_set() overwrites both strings: keep copies to build the new ones from. */
        char message[sizeof e->message], detail[sizeof e->detail];
        memcpy(message, e->message, sizeof message);
        memcpy(detail, e->detail, sizeof detail);
        err_set(e, rc, NULL, "migration %04d_%.*s failed: %s", m->version, m->name_len, m->name,
                message);
        err_detail(e, "%s", detail);
        return rc;
    }
    if (!rc)
        rc = record(db, m, now, e);
    if (!rc)
        log_msg("info", "db_migrated", "applied migration %04d_%.*s", m->version, m->name_len,
                m->name);
    return rc;
}

struct apply_ctx {
    const struct embed_table *files;
    int latest;
    int applied;
};

static int apply_tx(struct db *db, void *arg, struct err *e)
{
    struct apply_ctx *ctx = arg;
    ctx->applied = 0;
    int rc = 0;
    if (db_dialect(db) == DB_DIALECT_POSTGRES)
        rc = db_exec(db, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", e);
    if (!rc)
        rc = db_exec(db,
                     "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                     e);
    int current = 0;
    if (!rc)
        rc = current_version(db, &current, e);
    if (rc)
        return rc;
    if (current > ctx->latest)
        return err_set(e, ERR_CONFLICT, "db",
                       "database schema version %d is newer than this binary's %d", current,
                       ctx->latest);
    /* The one wall-clock read in src/db: applied_at is an audit stamp for people, never compared
     * with domain time, and migrate.h keeps migrate_apply() free of an env to ask. */
    int64_t now = (int64_t)time(NULL);
    for (int v = current + 1; v <= ctx->latest && !rc; v++) {
        struct migration m;
        parse_name(ctx->files->files[v - 1].path, &m); /* checked by check_files() */
        m.sql = (const char *)ctx->files->files[v - 1].data;
        rc = apply_one(db, &m, now, e);
        if (!rc)
            ctx->applied++;
    }
    return rc;
}

int migrate_apply(struct db *db, int *applied, struct err *e)
{
    struct apply_ctx ctx = {.files = files_for(db_dialect(db))};
    int rc = check_files(ctx.files, &ctx.latest, e);
    if (!rc)
        rc = db_transact(db, DB_TX_WRITE, apply_tx, &ctx, e);
    if (rc)
        return rc;
    if (applied)
        *applied = ctx.applied;
    return 0;
}
