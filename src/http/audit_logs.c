/* GET /api/v2/audit_logs: frontdesk's own, admins only. The append-only audit log (sign-ins,
 * sign-outs, tokens, staff and role changes, setup), oldest first by id with cursor pagination
 * (http/paging.h), so after_cursor also serves to come back for what was added since.
 * Filters: filter[action]=auth.sign_in (exact), filter[actor_id]=7. Each entry:
 *     {"id", "created_at", "actor_id" | null, "action", "target_type" | null,
 *      "target_id" | null, "ip" | null, "detail": {...}}
 * There is no write endpoint: the table refuses UPDATE and DELETE by trigger.
 */
#include "http/handlers.h"

#include "db/db.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "store/audit.h"

#include <string.h>

#define ACTION_MAX 128 /* bytes of a filter[action] value */

struct list_ctx {
    const struct audit_filter *f;
    const struct paging *pg;
    struct arena *a;
    struct audit_record *items; /* pg->size + 1 */
    size_t n;
};

static int list_tx(struct db *db, void *arg, struct err *e)
{
    struct list_ctx *c = arg;
    return audit_list(db, c->f, c->pg->after, c->pg->size + 1, c->a, c->items, &c->n, e);
}

static json_t *entry_json(const struct audit_record *r)
{
    const struct audit_entry *a = &r->entry;
    json_t *detail = a->detail ? json_loads(a->detail, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!json_is_object(detail)) { /* written by frontdesk as an object; never fail a listing */
        json_decref(detail);
        detail = json_object();
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)r->id));
    json_object_set_new(o, "created_at", render_time(a->at, 0));
    json_object_set_new(o, "actor_id", render_id(a->actor_id));
    json_object_set_new(o, "action", json_string(a->action));
    json_object_set_new(o, "target_type",
                        a->target_type ? json_string(a->target_type) : json_null());
    json_object_set_new(o, "target_id", render_id(a->target_id));
    json_object_set_new(o, "ip", a->ip ? json_string(a->ip) : json_null());
    json_object_set_new(o, "detail", detail);
    return o;
}

/* filter[actor_id]: a positive decimal id. */
static int actor_filter(struct http_req *req, int64_t *out)
{
    const char *v = http_req_query(req, "filter[actor_id]");
    *out = 0;
    if (!v)
        return 0;
    int64_t id = 0;
    size_t len = strlen(v);
    bool ok = len >= 1 && len <= 19;
    for (size_t i = 0; ok && i < len; i++) {
        ok = v[i] >= '0' && v[i] <= '9' && id <= (INT64_MAX - (v[i] - '0')) / 10;
        id = ok ? id * 10 + (v[i] - '0') : 0;
    }
    if (!ok || id == 0) {
        http_reply_error(req, 400, "filter[actor_id]", "filter[actor_id] must be a user id");
        return -1;
    }
    *out = id;
    return 0;
}

void audit_logs_get(struct http_req *req)
{
    struct auth_principal who;
    struct paging pg;
    struct audit_filter f = {0};
    if (auth_require_admin(req, &who) || paging_from_req(req, &pg) ||
        actor_filter(req, &f.actor_id))
        return;
    f.action = http_req_query(req, "filter[action]");
    if (f.action && (!*f.action || strlen(f.action) > ACTION_MAX)) {
        http_reply_error(req, 400, "filter[action]", "filter[action] must be 1 to %d bytes",
                         ACTION_MAX);
        return;
    }
    struct list_ctx c = {&f, &pg, &req->arena, NULL, 0};
    c.items = arena_alloc(&req->arena, (pg.size + 1) * sizeof *c.items);
    struct db *db;
    struct err e;
    err_clear(&e);
    if (!c.items) {
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    if (db_pool_conn(req->env->db, &db, &e) || db_transact(db, DB_TX_READ, list_tx, &c, &e)) {
        http_reply_err(req, &e);
        return;
    }
    bool has_more = c.n > pg.size;
    size_t count = has_more ? pg.size : c.n;
    json_t *items = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(items, entry_json(&c.items[i]));
    paging_reply_list(req, &pg, "audit_logs", items, has_more, count ? c.items[count - 1].id : 0);
}
