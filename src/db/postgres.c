/* postgres: the PostgreSQL driver behind db.h (libpq, protocol 3).
 *
 * Cached statements are server-side prepared statements named s1, s2, ... per connection;
 * uncached ones (nested use of SQL already in use) run with PQexecParams so nothing has to be
 * deallocated for them. Parameters travel as text, except blobs, which go binary so bytea needs
 * no escaping; results come back as text and are converted on read. A statement runs at its
 * first db_step() and the whole result is held in memory: queries are expected to page with
 * LIMIT, as every store query does.
 */
#include "db/db_internal.h"

#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <libpq-fe.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Type OIDs from the server's pg_type.dat: stable across releases. */
#define BOOLOID  16
#define BYTEAOID 17

struct pg_conn {
    PGconn *conn;
    unsigned last_id; /* of the latest server-side statement name */
    /* Statements evicted while a transaction was open: DEALLOCATE waits until it is closed,
     * because a failing DEALLOCATE would abort the caller's transaction. */
    unsigned *dead;
    size_t ndead, capdead;
};

struct pg_param {
    size_t off; /* into pg_stmt.data */
    size_t len;
    bool set;
    bool binary;
};

struct pg_blob {
    unsigned char *ptr; /* from PQunescapeBytea, NULL until read */
    size_t len;
};

struct pg_stmt {
    unsigned id; /* server-side name s<id>; 0 for an unnamed, uncached statement */
    char *sql;   /* with $n placeholders */
    int nparams;
    struct pg_param *params;
    struct buf data; /* parameter values, text ones NUL-terminated as libpq reads them */
    const char **values;
    int *lengths;
    int *formats;
    PGresult *res; /* NULL until the first step */
    int row;       /* current row, -1 before the first */
    int nrows;
    struct pg_blob *blobs; /* unescaped bytea of the current row, per column */
    int nblobs;
};

static struct pg_conn *pc_of(const struct db *db)
{
    return db->impl;
}

static struct pg_stmt *ps_of(const struct db_stmt *st)
{
    return st->impl;
}

/* ---- placeholders -------------------------------------------------------------------------- */

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || (unsigned char)c >= 0x80;
}

/* sql[i] opens a quoted run closed by q, in which qq stands for one q (and \x for x when
 * backslash). Returns the index after the closing quote, or len when it is unterminated. */
static size_t skip_quoted(const char *sql, size_t len, size_t i, char q, bool backslash)
{
    for (size_t j = i + 1; j < len; j++) {
        if (backslash && sql[j] == '\\')
            j++;
        else if (sql[j] == q) {
            if (j + 1 < len && sql[j + 1] == q)
                j++;
            else
                return j + 1;
        }
    }
    return len;
}

/* sql[i..] is "/" "*": skip the comment, which nests in PostgreSQL. */
static size_t skip_block_comment(const char *sql, size_t len, size_t i)
{
    int depth = 0;
    while (i < len) {
        if (i + 1 < len && sql[i] == '/' && sql[i + 1] == '*') {
            depth++;
            i += 2;
        } else if (i + 1 < len && sql[i] == '*' && sql[i + 1] == '/') {
            i += 2;
            if (--depth == 0)
                return i;
        } else
            i++;
    }
    return len;
}

/* sql[i] is '$' not preceded by an identifier character. When it opens $tag$ or $$, return the
 * index after the matching closing tag (len when unterminated); otherwise return i. */
static size_t skip_dollar_quoted(const char *sql, size_t len, size_t i)
{
    size_t j = i + 1;
    if (j < len && sql[j] >= '0' && sql[j] <= '9')
        return i; /* $1 is a parameter, not a tag */
    while (j < len && sql[j] != '$' && ident_char(sql[j]))
        j++;
    if (j >= len || sql[j] != '$')
        return i;
    size_t tag_len = j + 1 - i;
    for (size_t k = j + 1; k + tag_len <= len; k++)
        if (memcmp(sql + k, sql + i, tag_len) == 0)
            return k + tag_len;
    return len;
}

/* Where the lexical element starting at sql[i] ends when it is one in which `?` is literal
 * text; i itself when it is not such an element. */
static size_t skip_literal(const char *sql, size_t len, size_t i)
{
    char c = sql[i];
    bool after_ident = i > 0 && ident_char(sql[i - 1]);
    if (c == '\'') {
        /* E'...' strings take backslash escapes; a plain '...' does not (standard strings). */
        bool e_string =
            i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !ident_char(sql[i - 2]));
        return skip_quoted(sql, len, i, '\'', e_string);
    }
    if (c == '"')
        return skip_quoted(sql, len, i, '"', false);
    if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
        const char *nl = memchr(sql + i, '\n', len - i);
        return nl ? (size_t)(nl - sql) : len;
    }
    if (c == '/' && i + 1 < len && sql[i + 1] == '*')
        return skip_block_comment(sql, len, i);
    if (c == '$' && !after_ident)
        return skip_dollar_quoted(sql, len, i);
    return i;
}

int db__pg_rewrite_placeholders(const char *sql, size_t len, struct buf *out, int *nparams)
{
    size_t start = out->len;
    size_t copied = 0; /* sql[copied..i) is still to be appended */
    int n = 0;
    int rc = 0;
    size_t i = 0;
    while (i < len && !rc) {
        size_t end = skip_literal(sql, len, i);
        if (end > i) {
            i = end;
            continue;
        }
        if (sql[i] == '?') {
            if (n == 65535) {
                rc = ERR_LIMIT;
                break;
            }
            rc = buf_append(out, sql + copied, i - copied);
            if (!rc)
                rc = buf_appendf(out, "$%d", ++n);
            copied = i + 1;
        }
        i++;
    }
    if (!rc)
        rc = buf_append(out, sql + copied, len - copied);
    if (rc) {
        out->len = start;
        if (out->ptr)
            out->ptr[start] = '\0';
        return rc;
    }
    *nparams = n;
    return 0;
}

/* ---- errors -------------------------------------------------------------------------------- */

static bool state_is(const char *state, const char *prefix)
{
    return strncmp(state, prefix, strlen(prefix)) == 0;
}

/* SQLSTATE to our vocabulary (PostgreSQL manual, appendix A). */
static int map_state(const char *state, const char **message)
{
    if (!strcmp(state, "23505") || !strcmp(state, "23P01")) {
        *message = "a row with the same key already exists";
        return ERR_CONFLICT;
    }
    if (state_is(state, "23")) {
        *message = "the values break a database constraint";
        return ERR_INVALID;
    }
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")) {
        *message = "the database is busy, try again";
        return ERR_BUSY;
    }
    if (!strcmp(state, "25006")) {
        *message = "write statement in a read transaction";
        return ERR_INTERNAL;
    }
    if (!strcmp(state, "25P02")) {
        *message = "the transaction was aborted by an earlier error";
        return ERR_INTERNAL;
    }
    if (state_is(state, "08") || state_is(state, "53") || state_is(state, "57P") ||
        state_is(state, "58") || state_is(state, "XX001") || state_is(state, "XX002")) {
        *message = "the database cannot be reached or written";
        return ERR_IO;
    }
    if (state_is(state, "54")) {
        *message = "the statement exceeds a database limit";
        return ERR_LIMIT;
    }
    if (state_is(state, "22")) {
        *message = "a value is malformed or out of range for the database";
        return ERR_INVALID;
    }
    *message = "the database rejected the statement";
    return ERR_INVALID;
}

/* Fill e from a failed result (r may be NULL when libpq could not even build one). */
static int fail(struct pg_conn *pc, const PGresult *r, struct err *e)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *message;
    int code;
    if (PQstatus(pc->conn) == CONNECTION_BAD) {
        message = "the connection to the database was lost";
        code = ERR_IO;
    } else if (state) {
        code = map_state(state, &message);
    } else {
        message = "the database client rejected the statement";
        code = ERR_INVALID;
    }
    if (!e)
        return code;
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!primary)
        primary =
            r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(pc->conn);
    size_t plen = strlen(primary);
    while (plen && (primary[plen - 1] == '\n' || primary[plen - 1] == ' '))
        plen--;
    const char *constraint = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
    err_set(e, code, NULL, "%s", message);
    err_detail(e, "%.*s (SQLSTATE %s)%s%s", (int)plen, primary, state ? state : "none",
               constraint ? " constraint " : "", constraint ? constraint : "");
    return code;
}

/* 0 when r is a success, else the mapped error; r is cleared either way. */
static int finish(struct pg_conn *pc, PGresult *r, struct err *e)
{
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = 0;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
        rc = fail(pc, r, e);
    PQclear(r);
    return rc;
}

/* ---- connections --------------------------------------------------------------------------- */

/* Notices (e.g. "relation already exists, skipping") would go to stderr; keep them as debug
 * log lines instead. */
static void on_notice(void *arg, const char *message)
{
    size_t len = strlen(message);
    while (len && message[len - 1] == '\n')
        len--;
    log_msg("debug", "db_notice", "%.*s", (int)len, message);
}

/* Per-session settings: on connect and again after PQreset(), which starts a new session. */
static int session_setup(struct db *db, struct err *e)
{
    struct pg_conn *pc = pc_of(db);
    char sql[64];
    snprintf(sql, sizeof sql, "SET lock_timeout = %d", db->pool->opt.busy_timeout_ms);
    return finish(pc, PQexec(pc->conn, sql), e);
}

/* A new session on url (a libpq URL), with our encoding and application name. */
static int connect_url(const char *url, PGconn **out, struct err *e)
{
    char *parse_error = NULL;
    PQconninfoOption *parsed = PQconninfoParse(url, &parse_error);
    if (!parsed) {
        int code = err_set(e, ERR_INVALID, "db", "database url is not a valid postgresql url");
        err_detail(e, "%s", parse_error ? parse_error : "out of memory");
        PQfreemem(parse_error);
        return code;
    }
    PQconninfoFree(parsed);

    /* The URL is expanded in place of dbname; entries after it override it, entries before
     * would be overridden: the encoding must be ours, the application name only a default. */
    const char *keys[] = {"dbname", "fallback_application_name", "client_encoding", NULL};
    const char *values[] = {url, "frontdesk", "UTF8", NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        int code = err_set(e, ERR_IO, "db", "cannot connect to the postgresql database");
        err_detail(e, "%s", conn ? PQerrorMessage(conn) : "out of memory");
        PQfinish(conn);
        return code;
    }
    PQsetNoticeProcessor(conn, on_notice, NULL);
    *out = conn;
    return 0;
}

static int pg_connect(struct db *db, struct err *e)
{
    PGconn *conn;
    int rc = connect_url(db->pool->target, &conn, e);
    if (rc)
        return rc;
    struct pg_conn *pc = xcalloc(1, sizeof *pc);
    pc->conn = conn;
    db->impl = pc;
    rc = session_setup(db, e);
    if (rc) {
        PQfinish(conn);
        free(pc);
        db->impl = NULL;
    }
    return rc;
}

static void pg_disconnect(struct db *db)
{
    struct pg_conn *pc = pc_of(db);
    PQfinish(pc->conn);
    free(pc->dead);
    free(pc);
    db->impl = NULL;
}

static int pg_check(struct db *db, bool *reset, struct err *e)
{
    struct pg_conn *pc = pc_of(db);
    if (PQstatus(pc->conn) == CONNECTION_OK)
        return 0;
    PQreset(pc->conn);
    *reset = true;
    pc->ndead = 0; /* the old session's statements died with it */
    if (PQstatus(pc->conn) != CONNECTION_OK) {
        int code = err_set(e, ERR_IO, "db", "cannot reconnect to the postgresql database");
        err_detail(e, "%s", PQerrorMessage(pc->conn));
        return code;
    }
    log_msg("info", "db_reconnected", "postgresql connection was reset");
    return session_setup(db, e);
}

static void deallocate(struct pg_conn *pc, unsigned id)
{
    char sql[32];
    snprintf(sql, sizeof sql, "DEALLOCATE s%u", id);
    PQclear(PQexec(pc->conn, sql));
}

/* Deallocate evicted statements now that no transaction is open. Failures are ignored: the
 * worst case is a statement left on the server until the session ends. */
static void flush_dead(struct pg_conn *pc)
{
    if (PQtransactionStatus(pc->conn) != PQTRANS_IDLE)
        return;
    for (size_t i = 0; i < pc->ndead; i++)
        deallocate(pc, pc->dead[i]);
    pc->ndead = 0;
}

static int pg_exec(struct db *db, const char *sql, struct err *e)
{
    return finish(pc_of(db), PQexec(pc_of(db)->conn, sql), e);
}

static int pg_begin(struct db *db, enum db_tx_mode mode, struct err *e)
{
    /* A read transaction sees one snapshot, as it does on SQLite; read-only REPEATABLE READ
     * transactions never fail with serialization errors. */
    return pg_exec(
        db, mode == DB_TX_WRITE ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
}

static void pg_rollback(struct db *db)
{
    struct pg_conn *pc = pc_of(db);
    PGTransactionStatusType ts = PQtransactionStatus(pc->conn);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        PQclear(PQexec(pc->conn, "ROLLBACK"));
    flush_dead(pc);
}

static int pg_commit(struct db *db, struct err *e)
{
    struct pg_conn *pc = pc_of(db);
    PGresult *r = PQexec(pc->conn, "COMMIT");
    int rc;
    if (r && PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "ROLLBACK")) {
        /* COMMIT of a transaction an earlier error aborted succeeds as a ROLLBACK: the caller
         * carried on past a failed statement, which SQLite would have let it do. */
        rc = err_set(e, ERR_INTERNAL, NULL, "the transaction was aborted by an earlier error");
        err_detail(e, "COMMIT returned ROLLBACK");
        PQclear(r);
    } else {
        rc = finish(pc, r, e);
    }
    pg_rollback(db); /* a no-op unless COMMIT left the transaction open */
    return rc;
}

static int pg_last_insert_id(struct db *db, int64_t *out, struct err *e)
{
    struct pg_conn *pc = pc_of(db);
    PGresult *r = PQexec(pc->conn, "SELECT lastval()");
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = finish(pc, r, e);
        return rc ? rc : err_set(e, ERR_INTERNAL, NULL, "lastval() returned no rows");
    }
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        PQclear(r);
        return err_set(e, ERR_INTERNAL, NULL, "lastval() returned no value");
    }
    *out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

/* ---- statements ---------------------------------------------------------------------------- */

static void free_blobs(struct pg_stmt *ps)
{
    for (int i = 0; i < ps->nblobs; i++) {
        PQfreemem(ps->blobs[i].ptr);
        ps->blobs[i].ptr = NULL;
    }
}

static void stmt_free(struct pg_stmt *ps)
{
    free_blobs(ps);
    free(ps->blobs);
    PQclear(ps->res);
    buf_release(&ps->data);
    free(ps->params);
    free(ps->values);
    free(ps->lengths);
    free(ps->formats);
    free(ps->sql);
    free(ps);
}

static int pg_prepare(struct db_stmt *st, bool cached, struct err *e)
{
    struct pg_conn *pc = pc_of(st->db);
    struct pg_stmt *ps = xcalloc(1, sizeof *ps);
    buf_init(&ps->data, 0);
    struct buf sql;
    buf_init(&sql, 0);
    if (db__pg_rewrite_placeholders(st->sql, strlen(st->sql), &sql, &ps->nparams)) {
        buf_release(&sql);
        stmt_free(ps);
        return err_set(e, ERR_LIMIT, NULL, "the statement has more than 65535 parameters");
    }
    ps->sql = buf_detach(&sql, NULL);
    size_t n = (size_t)ps->nparams;
    ps->params = xcalloc(n, sizeof *ps->params);
    ps->values = xcalloc(n, sizeof *ps->values);
    ps->lengths = xcalloc(n, sizeof *ps->lengths);
    ps->formats = xcalloc(n, sizeof *ps->formats);
    ps->row = -1;
    if (cached) {
        flush_dead(pc);
        ps->id = ++pc->last_id;
        char name[16];
        snprintf(name, sizeof name, "s%u", ps->id);
        int rc = finish(pc, PQprepare(pc->conn, name, ps->sql, ps->nparams, NULL), e);
        if (rc) {
            stmt_free(ps);
            return rc;
        }
    }
    st->impl = ps;
    return 0;
}

static void pg_finalize(struct db_stmt *st)
{
    struct pg_conn *pc = pc_of(st->db);
    struct pg_stmt *ps = ps_of(st);
    if (ps->id && PQstatus(pc->conn) == CONNECTION_OK) {
        if (PQtransactionStatus(pc->conn) == PQTRANS_IDLE) {
            deallocate(pc, ps->id);
        } else {
            if (pc->ndead == pc->capdead) {
                pc->capdead = pc->capdead ? 2 * pc->capdead : 8;
                pc->dead = xrealloc(pc->dead, pc->capdead * sizeof *pc->dead);
            }
            pc->dead[pc->ndead++] = ps->id;
        }
    }
    stmt_free(ps);
    st->impl = NULL;
}

static void pg_reset(struct db_stmt *st)
{
    struct pg_stmt *ps = ps_of(st);
    free_blobs(ps);
    PQclear(ps->res);
    ps->res = NULL;
    ps->row = -1;
    ps->nrows = 0;
    buf_clear(&ps->data);
    memset(ps->params, 0, (size_t)ps->nparams * sizeof *ps->params);
}

static bool pg_readonly(const struct db_stmt *st)
{
    return true; /* PostgreSQL needs no writer lock: the question is never asked */
}

/* Store one parameter's bytes (text gets its terminating NUL, as libpq reads text with strlen). */
static int bind_bytes(struct db_stmt *st, int idx, const void *p, size_t len, bool binary)
{
    struct pg_stmt *ps = ps_of(st);
    if (idx < 1 || idx > ps->nparams)
        return ERR_INVALID;
    if (len > INT_MAX)
        return ERR_LIMIT;
    size_t off = ps->data.len;
    int rc = buf_append(&ps->data, p, len);
    if (!rc && !binary)
        rc = buf_append_char(&ps->data, '\0');
    if (rc)
        return rc;
    ps->params[idx - 1] = (struct pg_param){.off = off, .len = len, .set = true, .binary = binary};
    return 0;
}

static int pg_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    return bind_bytes(st, idx, tmp, (size_t)n, false);
}

static int pg_bind_double(struct db_stmt *st, int idx, double v)
{
    char tmp[40];
    int n;
    /* float8in spells the special values this way; %.17g round-trips every finite double. */
    if (isnan(v))
        n = snprintf(tmp, sizeof tmp, "NaN");
    else if (isinf(v))
        n = snprintf(tmp, sizeof tmp, "%s", v < 0 ? "-Infinity" : "Infinity");
    else
        n = snprintf(tmp, sizeof tmp, "%.17g", v);
    return bind_bytes(st, idx, tmp, (size_t)n, false);
}

static int pg_bind_text(struct db_stmt *st, int idx, const char *s, size_t len)
{
    /* PostgreSQL text cannot hold NUL; refuse rather than let libpq cut the value short. */
    if (memchr(s, '\0', len))
        return ERR_INVALID;
    return bind_bytes(st, idx, s, len, false);
}

static int pg_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
    return bind_bytes(st, idx, p, len, true);
}

static int pg_bind_null(struct db_stmt *st, int idx)
{
    struct pg_stmt *ps = ps_of(st);
    if (idx < 1 || idx > ps->nparams)
        return ERR_INVALID;
    ps->params[idx - 1] = (struct pg_param){.set = false};
    return 0;
}

/* Run the statement; unbound parameters are NULL, as in SQLite. */
static int execute(struct db_stmt *st, struct err *e)
{
    struct pg_conn *pc = pc_of(st->db);
    struct pg_stmt *ps = ps_of(st);
    for (int i = 0; i < ps->nparams; i++) {
        const struct pg_param *p = &ps->params[i];
        ps->values[i] = p->set ? ps->data.ptr + p->off : NULL;
        ps->lengths[i] = (int)p->len;
        ps->formats[i] = p->binary ? 1 : 0;
    }
    PGresult *r;
    if (ps->id) {
        char name[16];
        snprintf(name, sizeof name, "s%u", ps->id);
        r = PQexecPrepared(pc->conn, name, ps->nparams, ps->values, ps->lengths, ps->formats, 0);
    } else {
        r = PQexecParams(pc->conn, ps->sql, ps->nparams, NULL, ps->values, ps->lengths, ps->formats,
                         0);
    }
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
        return finish(pc, r, e);
    ps->res = r;
    ps->nrows = s == PGRES_TUPLES_OK ? PQntuples(r) : 0;
    ps->row = -1;
    int nfields = PQnfields(r);
    if (nfields > ps->nblobs) {
        free_blobs(ps);
        ps->blobs = xrealloc(ps->blobs, (size_t)nfields * sizeof *ps->blobs);
        memset(ps->blobs, 0, (size_t)nfields * sizeof *ps->blobs);
        ps->nblobs = nfields;
    }
    return 0;
}

static int pg_step(struct db_stmt *st, struct err *e)
{
    struct pg_stmt *ps = ps_of(st);
    if (!ps->res) {
        int rc = execute(st, e);
        if (rc)
            return rc;
    }
    free_blobs(ps);
    if (ps->row + 1 < ps->nrows) {
        ps->row++;
        return DB_ROW;
    }
    ps->row = ps->nrows;
    return DB_DONE;
}

/* The current row's value at col, or NULL when there is none (no row, no column, SQL NULL). */
static const char *value_at(const struct pg_stmt *ps, int col, size_t *len)
{
    if (!ps->res || ps->row < 0 || ps->row >= ps->nrows || col < 0 || col >= PQnfields(ps->res) ||
        PQgetisnull(ps->res, ps->row, col)) {
        *len = 0;
        return NULL;
    }
    *len = (size_t)PQgetlength(ps->res, ps->row, col);
    return PQgetvalue(ps->res, ps->row, col);
}

static int pg_column_count(const struct db_stmt *st)
{
    const struct pg_stmt *ps = ps_of(st);
    return ps->res ? PQnfields(ps->res) : 0;
}

static bool pg_column_is_null(const struct db_stmt *st, int col)
{
    size_t len;
    return value_at(ps_of(st), col, &len) == NULL;
}

static int64_t pg_column_int64(const struct db_stmt *st, int col)
{
    const struct pg_stmt *ps = ps_of(st);
    size_t len;
    const char *v = value_at(ps, col, &len);
    if (!v)
        return 0;
    if (PQftype(ps->res, col) == BOOLOID)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static double pg_column_double(const struct db_stmt *st, int col)
{
    size_t len;
    const char *v = value_at(ps_of(st), col, &len);
    return v ? strtod(v, NULL) : 0.0;
}

static const char *pg_column_text(const struct db_stmt *st, int col, size_t *len)
{
    const char *v = value_at(ps_of(st), col, len);
    return v ? v : "";
}

static const void *pg_column_blob(const struct db_stmt *st, int col, size_t *len)
{
    struct pg_stmt *ps = ps_of(st);
    const char *v = value_at(ps, col, len);
    if (!v)
        return "";
    if (PQftype(ps->res, col) != BYTEAOID)
        return v;
    struct pg_blob *b = &ps->blobs[col];
    if (!b->ptr) {
        b->ptr = PQunescapeBytea((const unsigned char *)v, &b->len);
        if (!b->ptr) {
            /* Only on allocation failure (the text comes from the server's bytea output):
             * the same policy as xmalloc. */
            fprintf(stderr, "frontdesk: out of memory unescaping bytea\n");
            abort();
        }
    }
    *len = b->len;
    return b->ptr;
}

const struct db__driver db__pg_driver = {
    .dialect = DB_DIALECT_POSTGRES,
    .single_writer = false,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .check = pg_check,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .last_insert_id = pg_last_insert_id,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .readonly = pg_readonly,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .column_count = pg_column_count,
    .column_is_null = pg_column_is_null,
    .column_int64 = pg_column_int64,
    .column_double = pg_column_double,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
};

/* ---- notifications: db_listener ------------------------------------------------------------ */

/* Reconnection attempts of a listener are at least this far apart. */
#define LISTEN_RETRY_NS 1000000000LL

struct db_listener {
    char *url;
    char channel[DB_CHANNEL_MAX + 1];
    PGconn *conn;     /* NULL while lost */
    int64_t retry_ns; /* monotonic instant of the next reconnection attempt */
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Connect and LISTEN. The channel was checked to be [a-z0-9_]+, so quoting it is enough. */
static int listen_connect(struct db_listener *l, struct err *e)
{
    PGconn *conn;
    int rc = connect_url(l->url, &conn, e);
    if (rc)
        return rc;
    char sql[DB_CHANNEL_MAX + 16];
    snprintf(sql, sizeof sql, "LISTEN \"%s\"", l->channel);
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        err_set(e, ERR_IO, "db", "cannot listen for notifications");
        err_detail(e, "%s", PQerrorMessage(conn));
        PQclear(r);
        PQfinish(conn);
        return ERR_IO;
    }
    PQclear(r);
    l->conn = conn;
    return 0;
}

int db_listen_open(struct db_pool *pool, const char *channel, struct db_listener **out,
                   struct err *e)
{
    if (db_pool_dialect(pool) != DB_DIALECT_POSTGRES)
        return err_set(e, ERR_UNSUPPORTED, "db", "notifications need a postgresql database");
    int rc = db__channel_check(channel, e);
    if (rc)
        return rc;
    struct db_listener *l = xcalloc(1, sizeof *l);
    l->url = xstrdup(pool->target);
    snprintf(l->channel, sizeof l->channel, "%s", channel);
    if ((rc = listen_connect(l, e))) {
        free(l->url);
        free(l);
        return rc;
    }
    *out = l;
    return 0;
}

int db_listener_fd(const struct db_listener *l)
{
    return l->conn ? PQsocket(l->conn) : -1;
}

int db_listener_next(struct db_listener *l, char *payload, size_t cap, bool *got, struct err *e)
{
    *got = false;
    if (l->conn && (!PQconsumeInput(l->conn) || PQstatus(l->conn) != CONNECTION_OK)) {
        const char *why = PQerrorMessage(l->conn);
        size_t len = strlen(why);
        while (len && (why[len - 1] == '\n' || why[len - 1] == ' '))
            len--;
        log_msg("warn", "db_listen_lost", "notification connection lost: %.*s", (int)len, why);
        PQfinish(l->conn);
        l->conn = NULL;
        l->retry_ns = 0; /* the first attempt at once */
    }
    if (!l->conn) {
        int64_t now = mono_ns();
        if (now < l->retry_ns)
            return err_set(e, ERR_IO, "db", "the notification connection is lost");
        l->retry_ns = now + LISTEN_RETRY_NS;
        int rc = listen_connect(l, e);
        if (rc)
            return rc;
        log_msg("info", "db_listen_reconnected", "listening on %s again", l->channel);
        return DB_LISTEN_RESET;
    }
    PGnotify *n = PQnotifies(l->conn);
    if (!n)
        return DB_LISTEN_OK;
    if (cap) {
        size_t len = strlen(n->extra);
        if (len >= cap)
            len = cap - 1;
        memcpy(payload, n->extra, len);
        payload[len] = '\0';
    }
    PQfreemem(n);
    *got = true;
    return DB_LISTEN_OK;
}

void db_listener_close(struct db_listener *l)
{
    if (!l)
        return;
    PQfinish(l->conn);
    free(l->url);
    free(l);
}
