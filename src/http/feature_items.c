/* Feature items (frontdesk's own; policy clause 2): the product team's board of feature
 * requests and the tickets linked to them. Staff only: requesters get 403 on every route
 * (service/feature_items.h holds the rules). */
#include "http/handlers.h"

#include "base/xalloc.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "service/feature_items.h"

#include <stdlib.h>

/* New reference: the "feature_item" object. */
static json_t *render_item(const struct feature_item *f)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o}", "id", (json_int_t)f->id,
                     "title", f->title, "description", f->description, "status", f->status,
                     "ticket_count", (json_int_t)f->ticket_count, "account_count",
                     (json_int_t)f->account_count, "created_at", render_time(f->created_at, 0),
                     "updated_at", render_time(f->updated_at, 0), "shipped_at",
                     render_time(f->shipped_at, 1));
}

static void reply_item(struct http_req *req, int status, const struct feature_item *f)
{
    http_reply_json(req, status, json_pack("{s:o}", "feature_item", render_item(f)));
}

/* Staff signed in, and the connection: nonzero after answering (401, 403, 503). */
static int staff(struct http_req *req, struct feature_items_actor *actor, struct db **db)
{
    struct auth_principal who;
    if (auth_require_staff(req, &who))
        return -1;
    actor->subject = who.subject;
    actor->ip = req->client_text;
    return http_req_db(req, db);
}

/* A string member of obj, or NULL when absent or null; nonzero after answering 422 naming
 * field when it is something else. */
static int string_member(struct http_req *req, json_t *obj, const char *key, const char *field,
                         const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        http_reply_error(req, 422, field, "%s must be a string", key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* The members of a {"title", "description", "status"} object; nonzero after answering. */
static int item_input(struct http_req *req, json_t *obj, struct feature_items_input *in)
{
    if (!json_is_object(obj)) {
        http_reply_error(req, 422, "feature_item",
                         "expected a JSON object {\"feature_item\": {...}}");
        return -1;
    }
    return string_member(req, obj, "title", "feature_item.title", &in->title) ||
           string_member(req, obj, "description", "feature_item.description", &in->description) ||
           string_member(req, obj, "status", "feature_item.status", &in->status);
}

/* ---- the board ------------------------------------------------------------------------------- */

static void list_items(struct http_req *req)
{
    struct feature_items_actor actor;
    struct db *db;
    struct paging pg;
    if (staff(req, &actor, &db) || paging_keyed_from_req(req, &pg))
        return;
    struct feature_item *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (feature_items_list(db, &actor, http_req_query(req, "status"), pg.after_at, pg.after,
                           pg.size + 1, &req->arena, rows, &n, &e)) {
        http_reply_err(req, &e);
        free(rows);
        return;
    }
    bool more = n > pg.size;
    n = more ? pg.size : n;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, render_item(&rows[i]));
    json_t *body = json_pack("{s:o}", "feature_items", list);
    /* Keyed by ticket_count (the sort key), then id. */
    if (paging_keyed_add_meta(req, body, &pg, more, n ? rows[n - 1].ticket_count : 0,
                              n ? rows[n - 1].id : 0)) {
        json_decref(body);
        http_reply_error(req, 500, NULL, "internal error (request id %s)", req->request_id);
    } else {
        http_reply_json(req, 200, body);
    }
    free(rows);
}

/* POST (id 0) or PUT /feature_items/{id}: {"feature_item": {...}}. */
static void write_item(struct http_req *req, int64_t id)
{
    struct feature_items_actor actor;
    struct db *db;
    json_t *body = NULL;
    if (staff(req, &actor, &db) || http_req_json(req, &body))
        return;
    struct feature_items_input in = {0};
    json_t *obj = json_is_object(body) ? json_object_get(body, "feature_item") : NULL;
    if (!item_input(req, obj, &in)) {
        struct err e;
        err_clear(&e);
        struct feature_item out;
        int rc = id ? feature_items_update(req->env, db, &actor, id, &in, &req->arena, &out, &e)
                    : feature_items_create(req->env, db, &actor, &in, &req->arena, &out, &e);
        if (rc)
            http_reply_err(req, &e);
        else
            reply_item(req, id ? 200 : 201, &out);
    }
    json_decref(body);
}

void feature_items_collection(struct http_req *req)
{
    if (req->method == HTTP_POST)
        write_item(req, 0);
    else
        list_items(req);
}

void feature_items_item(struct http_req *req)
{
    int64_t id;
    if (http_req_id(req, "id", &id))
        return;
    if (req->method == HTTP_PUT) {
        write_item(req, id);
        return;
    }
    struct feature_items_actor actor;
    struct db *db;
    if (staff(req, &actor, &db))
        return;
    struct err e;
    err_clear(&e);
    struct feature_item f;
    if (feature_items_get(db, &actor, id, &req->arena, &f, &e))
        http_reply_err(req, &e);
    else
        reply_item(req, 200, &f);
}

void feature_items_tickets_get(struct http_req *req)
{
    int64_t id;
    struct feature_items_actor actor;
    struct db *db;
    struct paging pg;
    if (http_req_id(req, "id", &id) || staff(req, &actor, &db) || paging_from_req(req, &pg))
        return;
    struct feature_item_ticket *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (feature_items_tickets(db, &actor, id, pg.after, pg.size + 1, &req->arena, rows, &n, &e)) {
        http_reply_err(req, &e);
        free(rows);
        return;
    }
    bool more = n > pg.size;
    n = more ? pg.size : n;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:o}", "id", (json_int_t)rows[i].id,
                                              "subject", rows[i].subject, "requester_id",
                                              (json_int_t)rows[i].requester_id, "organization_id",
                                              render_id(rows[i].organization_id)));
    paging_reply_list(req, &pg, "tickets", list, more, n ? rows[n - 1].id : 0);
    free(rows);
}

/* ---- a ticket's link ------------------------------------------------------------------------- */

/* POST {"feature_item_id": id} or {"feature_item": {"title", ...}} (creates the item). */
static void link_ticket(struct http_req *req, struct feature_items_actor *actor, struct db *db,
                        int64_t ticket_id)
{
    json_t *body = NULL;
    if (http_req_json(req, &body))
        return;
    if (!json_is_object(body)) {
        http_reply_error(req, 422, "feature_item_id",
                         "expected a JSON object {\"feature_item_id\": id} or "
                         "{\"feature_item\": {...}}");
        json_decref(body);
        return;
    }
    json_t *ref = json_object_get(body, "feature_item_id");
    json_t *obj = json_object_get(body, "feature_item");
    int64_t item_id = 0;
    struct feature_items_input in = {0};
    bool bad = false;
    if (ref && !json_is_null(ref)) {
        if (!json_is_integer(ref) || json_integer_value(ref) <= 0) {
            http_reply_error(req, 422, "feature_item_id",
                             "feature_item_id must be an id (a positive whole number)");
            bad = true;
        } else {
            item_id = json_integer_value(ref);
        }
    }
    bool make = obj && !json_is_null(obj);
    if (!bad && make)
        bad = item_input(req, obj, &in) != 0;
    if (!bad) {
        struct err e;
        err_clear(&e);
        struct feature_item out;
        if (feature_items_link_ticket(req->env, db, actor, ticket_id, item_id, make ? &in : NULL,
                                      &req->arena, &out, &e))
            http_reply_err(req, &e);
        else
            reply_item(req, 200, &out);
    }
    json_decref(body);
}

void tickets_feature_item(struct http_req *req)
{
    int64_t ticket_id;
    struct feature_items_actor actor;
    struct db *db;
    if (http_req_id(req, "id", &ticket_id) || staff(req, &actor, &db))
        return;
    struct err e;
    err_clear(&e);
    if (req->method == HTTP_POST) {
        link_ticket(req, &actor, db, ticket_id);
    } else if (req->method == HTTP_DELETE) {
        if (feature_items_unlink_ticket(req->env, db, &actor, ticket_id, &e))
            http_reply_err(req, &e);
        else
            http_reply(req, 204, NULL, "", 0);
    } else {
        struct feature_item f;
        bool linked = false;
        if (feature_items_of_ticket(db, &actor, ticket_id, &req->arena, &f, &linked, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(
                req, 200,
                json_pack("{s:o}", "feature_item", linked ? render_item(&f) : json_null()));
    }
}
