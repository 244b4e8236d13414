/* hc_deflections: see hc_deflections.h. */
#include "service/hc_deflections.h"

#include "base/buf.h"
#include "base/log.h"
#include "store/credentials.h"

#include <stdio.h>
#include <string.h>

/* Characters (code points) of valid UTF-8 s[0..len). */
static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Count one anonymous record against its address (see the header); ERR_LIMIT beyond it. */
static int anon_rate(struct db *db, const char *ip, int64_t now, int64_t *retry_after,
                     struct err *e)
{
    char key[96];
    snprintf(key, sizeof key, "hc_deflection:ip:%s", ip ? ip : "");
    int64_t times[HC_DEFLECTION_ANON_MAX];
    size_t n = 0;
    int rc = sign_in_failures_lock(db, key, e);
    if (!rc)
        rc = sign_in_failures_since(db, key, now - HC_DEFLECTION_ANON_WINDOW, times,
                                    HC_DEFLECTION_ANON_MAX, &n, e);
    if (rc)
        return rc;
    if (n >= HC_DEFLECTION_ANON_MAX) {
        /* times[0] is the oldest of the newest HC_DEFLECTION_ANON_MAX: once it leaves the
         * window there is room for one more. */
        int64_t wait = times[0] + HC_DEFLECTION_ANON_WINDOW - now;
        *retry_after = wait > 0 ? wait : 1;
        return err_set(e, ERR_LIMIT, NULL,
                       "too many suggestions opened from this address: try again in %lld s",
                       (long long)*retry_after);
    }
    return sign_in_failures_add(db, key, now, NULL, e);
}

struct open_ctx {
    const struct hc_deflection_actor *actor;
    int64_t now, article_id;
    const char *query, *token_hash;
    struct hc_deflection *out;
    int64_t *retry_after;
};

static int open_tx(struct db *db, void *arg, struct err *e)
{
    struct open_ctx *c = arg;
    int rc = 0;
    if (!c->actor->subject.user_id)
        rc = anon_rate(db, c->actor->ip, c->now, c->retry_after, e);
    if (rc)
        return rc;
    rc = hc_deflections_store_insert(db, c->article_id, c->query, c->token_hash, c->now, c->out, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "deflection.article_id", "no published article has id %lld",
                       (long long)c->article_id);
    return rc;
}

int hc_deflections_open(const struct env *env, struct db *db,
                        const struct hc_deflection_actor *actor, int64_t article_id,
                        const char *query, struct hc_deflection *out,
                        char token[AUTH_SECRET_LEN + 1], int64_t *retry_after, struct err *e)
{
    size_t len = query ? strlen(query) : 0;
    if (query && !utf8_valid(query, len))
        return err_set(e, ERR_INVALID, "deflection.query", "the query must be UTF-8 text");
    if (query && utf8_chars(query, len) > HC_DEFLECTION_QUERY_MAX)
        return err_set(e, ERR_INVALID, "deflection.query", "the query is longer than %d characters",
                       HC_DEFLECTION_QUERY_MAX);
    if (article_id <= 0)
        return err_set(e, ERR_INVALID, "deflection.article_id", "an article id is required");
    char secret[AUTH_SECRET_LEN + 1], hash[CRED_HASH_HEX + 1];
    auth_new_secret(env, secret);
    auth_hash_secret(env, secret, AUTH_SECRET_LEN, hash);
    struct hc_deflection d;
    struct open_ctx c = {actor, env->now(env), article_id, query, hash, &d, retry_after};
    int rc = db_transact(db, DB_TX_WRITE, open_tx, &c, e);
    if (!rc) {
        *out = d;
        memcpy(token, secret, sizeof secret);
    }
    return rc;
}

struct mark_ctx {
    int64_t id;
    const char *token_hash;
    struct hc_deflection *out;
};

static int mark_tx(struct db *db, void *arg, struct err *e)
{
    struct mark_ctx *c = arg;
    return hc_deflections_store_mark_submitted(db, c->id, c->token_hash, c->out, e);
}

int hc_deflections_submitted(const struct env *env, struct db *db, int64_t id, const char *token,
                             struct hc_deflection *out, struct err *e)
{
    /* A token of the wrong shape cannot be one we handed out: the same answer as a wrong one. */
    if (!token || strlen(token) != AUTH_SECRET_LEN)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such deflection");
    char hash[CRED_HASH_HEX + 1];
    auth_hash_secret(env, token, AUTH_SECRET_LEN, hash);
    struct hc_deflection d;
    struct mark_ctx c = {id, hash, &d};
    int rc = db_transact(db, DB_TX_WRITE, mark_tx, &c, e);
    if (!rc)
        *out = d;
    return rc;
}

struct report_ctx {
    int64_t from, to;
    struct arena *a;
    struct hc_deflection_line *out;
    size_t *n;
};

static int report_tx(struct db *db, void *arg, struct err *e)
{
    struct report_ctx *c = arg;
    return hc_deflections_store_report(db, c->from, c->to, HC_DEFLECTION_REPORT_MAX, c->a, c->out,
                                       c->n, e);
}

int hc_deflections_report(struct db *db, const struct access_subject *s, int64_t from, int64_t to,
                          struct arena *a, struct hc_deflection_line *out, size_t *n, struct err *e)
{
    if (!access_is_staff(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff read the deflection report");
    if (from >= to)
        return err_set(e, ERR_INVALID, "from", "from must be before to");
    struct report_ctx c = {from, to, a, out, n};
    return db_transact(db, DB_TX_READ, report_tx, &c, e);
}

/* ---- retention ------------------------------------------------------------------------------ */

struct sweep_ctx {
    int64_t before, cleared;
};

static int sweep_tx(struct db *db, void *arg, struct err *e)
{
    struct sweep_ctx *c = arg;
    c->cleared = 0; /* db_transact() may run this again after ERR_BUSY */
    return hc_deflections_store_clear_queries(db, c->before, HC_DEFLECTION_SWEEP_BATCH, &c->cleared,
                                              e);
}

int hc_deflections_sweep_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                             struct err *e)
{
    (void)arg;
    int64_t t0 = env->monotonic_ns(env);
    struct sweep_ctx c = {.before = env->now(env) - (int64_t)HC_DEFLECTION_QUERY_DAYS * 86400};
    int rc = db_transact(db, DB_TX_WRITE, sweep_tx, &c, e);
    if (rc || !c.cleared)
        return rc;
    if (c.cleared == HC_DEFLECTION_SWEEP_BATCH) /* more may wait: go on at once */
        *run_again_at = env->now(env);
    struct log_rec r;
    if (!log_begin(&r, "info", "hc_deflections_sweep")) {
        log_int(&r, "cleared", c.cleared);
        log_ms(&r, "duration_ms", env->monotonic_ns(env) - t0);
        log_end(&r);
    }
    return 0;
}
