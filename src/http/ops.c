/* Operations endpoints: liveness, readiness and Prometheus metrics. They take no input and
 * need no authentication: they say nothing a scraper or load balancer may not know. */
#include "http/handlers.h"

#include "db/db.h"
#include "db/migrate.h"
#include "http/metrics.h"
#include "http/server.h"

#include <string.h>

void ops_healthz(struct http_req *req)
{
    static const char body[] = "{\"status\":\"ok\"}";
    http_reply(req, 200, "application/json", body, sizeof body - 1);
}

void ops_readyz(struct http_req *req)
{
    struct err e;
    err_clear(&e);
    struct db *db;
    struct migrate_status st;
    int rc = db_pool_conn(req->env->db, &db, &e);
    if (!rc)
        rc = migrate_status(db, &st, &e);
    if (rc) {
        metrics_db_error(http_server_metrics(req->server), rc);
        http_add_header(req, "Retry-After", "1");
        http_reply_error_code(req, 503, "not_ready", NULL, "database unreachable: %s", e.message);
        return;
    }
    if (st.current != st.latest) {
        http_reply_error_code(req, 503, "not_ready", NULL,
                              "database schema is at version %d, this binary needs %d",
                              st.current, st.latest);
        return;
    }
    json_t *body = json_pack("{s:s, s:i}", "status", "ready", "schema_version", st.current);
    http_reply_json(req, 200, body);
}

void ops_metrics(struct http_req *req)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = metrics_render(http_server_metrics(req->server), &b,
                            http_server_config(req->server)->build_labels);
    /* The database pool's own counters: on SQLite, write transactions per commit is the batch
     * size of the group commit. */
    struct db_pool_stats ds;
    db_pool_stats(req->env->db, &ds);
    if (!rc)
        buf_appendf(&b,
                    "# HELP frontdesk_db_write_transactions_total Write transactions committed "
                    "(SQLite; PostgreSQL reports 0).\n"
                    "# TYPE frontdesk_db_write_transactions_total counter\n"
                    "frontdesk_db_write_transactions_total %lld\n"
                    "# HELP frontdesk_db_commits_total Database commits that carried them (group "
                    "commit: several transactions per commit).\n"
                    "# TYPE frontdesk_db_commits_total counter\n"
                    "frontdesk_db_commits_total %lld\n",
                    ds.write_tx, ds.commits);
    char *p = arena_strndup(&req->arena, buf_cstr(&b), b.len);
    size_t len = b.len;
    buf_release(&b);
    if (!p) {
        http_reply_error(req, 500, NULL, "metrics too large");
        return;
    }
    http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", p, len);
}
