/* Phone calls and callback requests (issue 6 "Phone"), in the shape of Zendesk's Talk API where
 * it applies: snake_case members, objects wrapped as {"call": {...}}, lists with cursor paging.
 * Calls are staff only (403 otherwise); callback requests are made by requesters and worked by
 * staff, each reader seeing only what is theirs (service/calls.h holds the rules). */
#include "http/handlers.h"

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "service/calls.h"

#include <stdlib.h>
#include <string.h>

/* New reference: the "call" object. */
static json_t *render_call(const struct call *c)
{
    return json_pack("{s:I, s:I, s:o, s:s, s:s, s:I, s:s, s:b, s:I, s:o, s:o}", "id",
                     (json_int_t)c->id, "ticket_id", (json_int_t)c->ticket_id, "comment_id",
                     render_id(c->comment_id), "direction", c->direction, "phone_number",
                     c->phone_number, "duration_seconds", (json_int_t)c->duration_seconds, "notes",
                     c->notes, "public", c->is_public, "agent_id", (json_int_t)c->agent_id,
                     "started_at", render_time(c->started_at, 0), "created_at",
                     render_time(c->created_at, 0));
}

/* New reference: the "callback_request" object. waited_seconds: how long the requester has
 * waited for the callback (until it was done or cancelled). */
static json_t *render_callback(const struct callback_request *r, int64_t now)
{
    int64_t until = r->resolved_at ? r->resolved_at : now;
    int64_t waited = until > r->created_at ? until - r->created_at : 0;
    return json_pack("{s:I, s:I, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:o, s:o, s:o}", "id",
                     (json_int_t)r->id, "requester_id", (json_int_t)r->requester_id, "ticket_id",
                     render_id(r->ticket_id), "phone_number", r->phone_number, "preferred_time",
                     r->preferred_time, "reason", r->reason, "status", r->status, "assignee_id",
                     render_id(r->assignee_id), "call_id", render_id(r->call_id), "waited_seconds",
                     (json_int_t)waited, "created_at", render_time(r->created_at, 0), "updated_at",
                     render_time(r->updated_at, 0), "resolved_at", render_time(r->resolved_at, 1));
}

/* Signed in (staff with staff_only), and the connection: nonzero after answering. */
static int actor_of(struct http_req *req, bool staff_only, struct calls_actor *actor,
                    struct db **db)
{
    struct auth_principal who;
    if (staff_only ? auth_require_staff(req, &who) : auth_require(req, &who))
        return -1;
    actor->subject = who.subject;
    actor->ip = req->client_text;
    return http_req_db(req, db);
}

/* ---- reading members: each answers 422 naming field and returns nonzero when wrong ----------- */

static int bad(struct http_req *req, const char *field, const char *what)
{
    http_reply_error(req, 422, field, "%s must be %s", strrchr(field, '.') + 1, what);
    return -1;
}

/* A string, or NULL when absent or null. */
static int string_member(struct http_req *req, json_t *obj, const char *key, const char *field,
                         const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return bad(req, field, "a string");
    *out = json_string_value(v);
    return 0;
}

/* An id (positive integer), or 0 when absent or null. */
static int id_member(struct http_req *req, json_t *obj, const char *key, const char *field,
                     bool *given, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    *out = 0;
    *given = v != NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return bad(req, field, "an id (a positive whole number)");
    *out = json_integer_value(v);
    return 0;
}

/* The object under key of the body, or NULL after answering 422 naming key. */
static json_t *wrapped(struct http_req *req, json_t *body, const char *key)
{
    json_t *obj = json_is_object(body) ? json_object_get(body, key) : NULL;
    if (!json_is_object(obj)) {
        http_reply_error(req, 422, key, "expected a JSON object {\"%s\": {...}}", key);
        return NULL;
    }
    return obj;
}

/* ---- calls ----------------------------------------------------------------------------------- */

static int call_numbers(struct http_req *req, json_t *c, struct calls_input *in)
{
    json_t *v = json_object_get(c, "duration_seconds");
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v))
            return bad(req, "call.duration_seconds", "a whole number of seconds");
        in->duration_given = true;
        in->duration_seconds = json_integer_value(v);
    }
    v = json_object_get(c, "started_at");
    if (v && !json_is_null(v)) {
        if (!json_is_string(v) ||
            timefmt_parse_iso8601(json_string_value(v), json_string_length(v), &in->started_at))
            return bad(req, "call.started_at", "an ISO 8601 instant like 2026-11-26T09:30:00Z");
        in->started_at_given = true;
    }
    v = json_object_get(c, "public");
    in->is_public = -1;
    if (v) {
        if (!json_is_boolean(v))
            return bad(req, "call.public", "true or false");
        in->is_public = json_is_true(v);
    }
    return 0;
}

static int call_requester(struct http_req *req, json_t *c, struct calls_input *in)
{
    bool given;
    if (id_member(req, c, "requester_id", "call.requester_id", &given, &in->requester_id))
        return -1;
    json_t *r = json_object_get(c, "requester");
    if (!r || json_is_null(r))
        return 0;
    if (!json_is_object(r))
        return bad(req, "call.requester", "an object {\"name\", \"email\"}");
    in->inline_requester = true;
    return string_member(req, r, "name", "call.requester.name", &in->requester_name) ||
           string_member(req, r, "email", "call.requester.email", &in->requester_email);
}

static int call_input(struct http_req *req, json_t *c, struct calls_input *in)
{
    bool given;
    return string_member(req, c, "direction", "call.direction", &in->direction) ||
           string_member(req, c, "phone_number", "call.phone_number", &in->phone_number) ||
           string_member(req, c, "notes", "call.notes", &in->notes) ||
           string_member(req, c, "subject", "call.subject", &in->subject) ||
           call_numbers(req, c, in) ||
           id_member(req, c, "ticket_id", "call.ticket_id", &given, &in->ticket_id) ||
           call_requester(req, c, in);
}

static void create_call(struct http_req *req)
{
    struct calls_actor actor;
    struct db *db;
    json_t *body = NULL;
    if (actor_of(req, true, &actor, &db) || http_req_json(req, &body))
        return;
    json_t *c = wrapped(req, body, "call");
    struct calls_input in = {0};
    if (c && !call_input(req, c, &in)) {
        struct err e;
        err_clear(&e);
        struct calls_logged out;
        if (calls_log(req->env, db, &actor, &in, &req->arena, &out, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 201,
                            json_pack("{s:o, s:o}", "call", render_call(&out.call), "ticket",
                                      tickets_render(&out.ticket, req->env->now(req->env), true)));
    }
    json_decref(body);
}

static void list_calls(struct http_req *req, int64_t ticket_id, bool ticket_required)
{
    struct calls_actor actor;
    struct db *db;
    struct paging pg;
    if (actor_of(req, true, &actor, &db) || paging_from_req(req, &pg))
        return;
    struct call *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (calls_list_page(db, &actor, ticket_id, ticket_required, pg.after, pg.size + 1, &req->arena,
                        rows, &n, &e)) {
        http_reply_err(req, &e);
    } else {
        bool more = n > pg.size;
        n = more ? pg.size : n;
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, render_call(&rows[i]));
        paging_reply_list(req, &pg, "calls", list, more, n ? rows[n - 1].id : 0);
    }
    free(rows);
}

void calls_collection(struct http_req *req)
{
    int64_t ticket_id = 0;
    if (req->method == HTTP_POST)
        create_call(req);
    else if (!http_req_query_id(req, "ticket_id", &ticket_id))
        list_calls(req, ticket_id, false);
}

void calls_item(struct http_req *req)
{
    int64_t id;
    struct calls_actor actor;
    struct db *db;
    if (http_req_id(req, "id", &id) || actor_of(req, true, &actor, &db))
        return;
    struct err e;
    err_clear(&e);
    struct call c;
    if (calls_show(db, &actor, id, &req->arena, &c, &e))
        http_reply_err(req, &e);
    else
        http_reply_json(req, 200, json_pack("{s:o}", "call", render_call(&c)));
}

void calls_ticket_get(struct http_req *req)
{
    int64_t id;
    if (!http_req_id(req, "id", &id))
        list_calls(req, id, true);
}

/* ---- callback requests ----------------------------------------------------------------------- */

static void reply_callback(struct http_req *req, int status, const struct callback_request *r)
{
    http_reply_json(
        req, status,
        json_pack("{s:o}", "callback_request", render_callback(r, req->env->now(req->env))));
}

static void create_callback(struct http_req *req)
{
    struct calls_actor actor;
    struct db *db;
    json_t *body = NULL;
    if (actor_of(req, false, &actor, &db) || http_req_json(req, &body))
        return;
    json_t *c = wrapped(req, body, "callback_request");
    struct calls_callback_input in = {0};
    bool given;
    if (c &&
        !string_member(req, c, "phone_number", "callback_request.phone_number", &in.phone_number) &&
        !string_member(req, c, "preferred_time", "callback_request.preferred_time",
                       &in.preferred_time) &&
        !string_member(req, c, "reason", "callback_request.reason", &in.reason) &&
        !id_member(req, c, "ticket_id", "callback_request.ticket_id", &given, &in.ticket_id)) {
        struct err e;
        err_clear(&e);
        struct callback_request out;
        if (calls_callback_create(req->env, db, &actor, &in, &req->arena, &out, &e))
            http_reply_err(req, &e);
        else
            reply_callback(req, 201, &out);
    }
    json_decref(body);
}

static void list_callbacks(struct http_req *req)
{
    struct calls_actor actor;
    struct db *db;
    struct paging pg;
    if (actor_of(req, false, &actor, &db) || paging_keyed_from_req(req, &pg))
        return;
    struct err e;
    err_clear(&e);
    unsigned mask;
    if (calls_callback_status_mask(http_req_query(req, "status"), &mask, &e)) {
        http_reply_err(req, &e);
        return;
    }
    struct callback_request *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    if (calls_callback_list(db, &actor, mask, pg.after_at, pg.after, pg.size + 1, &req->arena, rows,
                            &n, &e)) {
        http_reply_err(req, &e);
        free(rows);
        return;
    }
    bool more = n > pg.size;
    n = more ? pg.size : n;
    int64_t now = req->env->now(req->env);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, render_callback(&rows[i], now));
    json_t *body = json_pack("{s:o}", "callback_requests", list);
    /* Keyed by created_at (the queue's order), then id. */
    if (paging_keyed_add_meta(req, body, &pg, more, n ? rows[n - 1].created_at : 0,
                              n ? rows[n - 1].id : 0)) {
        json_decref(body);
        http_reply_error(req, 500, NULL, "internal error (request id %s)", req->request_id);
    } else {
        http_reply_json(req, 200, body);
    }
    free(rows);
}

void callback_requests_collection(struct http_req *req)
{
    if (req->method == HTTP_POST)
        create_callback(req);
    else
        list_callbacks(req);
}

static void update_callback(struct http_req *req, struct calls_actor *actor, struct db *db,
                            int64_t id)
{
    json_t *body = NULL;
    if (http_req_json(req, &body))
        return;
    json_t *c = wrapped(req, body, "callback_request");
    struct calls_callback_update in = {0};
    if (c && !string_member(req, c, "status", "callback_request.status", &in.status) &&
        !id_member(req, c, "assignee_id", "callback_request.assignee_id", &in.assignee_given,
                   &in.assignee_id) &&
        !id_member(req, c, "call_id", "callback_request.call_id", &in.call_given, &in.call_id)) {
        struct err e;
        err_clear(&e);
        struct callback_request out;
        if (calls_callback_update(req->env, db, actor, id, &in, &req->arena, &out, &e))
            http_reply_err(req, &e);
        else
            reply_callback(req, 200, &out);
    }
    json_decref(body);
}

void callback_requests_item(struct http_req *req)
{
    int64_t id;
    struct calls_actor actor;
    struct db *db;
    if (http_req_id(req, "id", &id) || actor_of(req, false, &actor, &db))
        return;
    if (req->method == HTTP_PUT) {
        update_callback(req, &actor, db, id);
        return;
    }
    struct err e;
    err_clear(&e);
    struct callback_request r;
    if (calls_callback_show(db, &actor, id, &req->arena, &r, &e))
        http_reply_err(req, &e);
    else
        reply_callback(req, 200, &r);
}
