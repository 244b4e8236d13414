/* macros: Zendesk's Macros API over the macro library (service/macros.h), staff only.
 *
 *   GET, POST       /api/v2/macros                              list (paged), create
 *   GET, PUT, DELETE /api/v2/macros/{id}                        one macro
 *   GET             /api/v2/tickets/{id}/macros/{macro_id}/apply  the rendered comment
 * A macro's one action is {"field": "comment_value", "value": body}; "id", "key" and the
 * instants are read-only (ignored when sent).
 */
#include "http/handlers.h"

#include "base/xalloc.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "http/server.h"
#include "service/macros.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* New reference: the "macro" object (not wrapped). */
static json_t *render_macro(const struct macro *m)
{
    json_t *actions = json_pack("[{s:s, s:s}]", "field", "comment_value", "value", m->body);
    return json_pack("{s:I, s:s, s:o, s:s, s:b, s:o, s:b, s:o, s:o}", "id", (json_int_t)m->id,
                     "title", m->title, "key", m->key ? json_string(m->key) : json_null(),
                     "description", m->description, "active", m->active, "actions", actions,
                     "needs_identity", m->needs_identity, "created_at",
                     render_time(m->created_at, 0), "updated_at", render_time(m->updated_at, 0));
}

/* The comment body of "actions": exactly one {"field": "comment_value", "value": "..."}. NULL
 * (the 422 answer made) when it is anything else. */
static const char *read_actions(struct http_req *req, json_t *actions)
{
    const char *body = NULL;
    size_t i;
    json_t *a;
    if (!json_is_array(actions) || json_array_size(actions) == 0) {
        http_reply_error(req, 422, "macro.actions",
                         "actions must be a list holding one comment_value action");
        return NULL;
    }
    json_array_foreach(actions, i, a)
    {
        const char *field = json_string_value(json_object_get(a, "field"));
        json_t *value = json_object_get(a, "value");
        if (!field || strcmp(field, "comment_value") != 0) {
            http_reply_error(req, 422, "macro.actions",
                             "actions[%zu].field must be \"comment_value\" (the only action "
                             "frontdesk's macros take)",
                             i);
            return NULL;
        }
        if (!json_is_string(value) || body) {
            http_reply_error(req, 422, "macro.actions",
                             body ? "only one comment_value action is allowed"
                                  : "the comment_value action's value must be a string");
            return NULL;
        }
        body = json_string_value(value);
    }
    return body;
}

/* Read {"macro": {...}} into in; nonzero when the answer (400, 422) is already made. *body
 * owns the parsed JSON the strings point into. */
static int read_input(struct http_req *req, json_t **body, struct macros_input *in)
{
    memset(in, 0, sizeof *in);
    json_t *m = people_http_wrapped(req, "macro", body);
    if (!m)
        return -1;
    bool given;
    if (people_http_string(req, m, "title", "macro.title", &given, &in->title) ||
        people_http_string(req, m, "description", "macro.description", &given, &in->description) ||
        people_http_boolean(req, m, "active", "macro.active", &in->has_active, &in->active) ||
        people_http_boolean(req, m, "needs_identity", "macro.needs_identity",
                            &in->has_needs_identity, &in->needs_identity))
        return -1;
    json_t *actions = json_object_get(m, "actions");
    if (actions && !(in->body = read_actions(req, actions)))
        return -1;
    return 0;
}

/* Staff only, signed in, with the connection; nonzero when answered. */
static int staff(struct http_req *req, struct auth_principal *who, struct db **db)
{
    return auth_require_staff(req, who) || http_req_db(req, db);
}

static void list_macros(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    struct paging pg;
    if (staff(req, &who, &db) || paging_from_req(req, &pg))
        return;
    struct macro *rows = xcalloc(pg.size + 1, sizeof *rows);
    struct arena a;
    arena_init(&a, 0);
    size_t n = 0;
    bool more = false;
    struct err e;
    err_clear(&e);
    if (macros_list(db, &who.subject, pg.after, pg.size, &a, rows, &n, &more, &e)) {
        http_reply_err(req, &e);
    } else {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, render_macro(&rows[i]));
        paging_reply_list(req, &pg, "macros", list, more, n ? rows[n - 1].id : 0);
    }
    arena_release(&a);
    free(rows);
}

/* POST (id 0) or PUT /macros/{id}. */
static void write_macro(struct http_req *req, int64_t id)
{
    struct auth_principal who;
    struct db *db;
    if (staff(req, &who, &db))
        return;
    json_t *body = NULL;
    struct macros_input in;
    if (!read_input(req, &body, &in)) {
        struct arena a;
        arena_init(&a, 0);
        struct err e;
        err_clear(&e);
        struct macro out;
        int rc =
            id ? macros_update(req->env, db, &who.subject, req->client_text, id, &in, &a, &out, &e)
               : macros_create(req->env, db, &who.subject, req->client_text, &in, &a, &out, &e);
        if (rc)
            http_reply_err(req, &e);
        else
            http_reply_json(req, id ? 200 : 201, json_pack("{s:o}", "macro", render_macro(&out)));
        arena_release(&a);
    }
    json_decref(body);
}

void macros_collection(struct http_req *req)
{
    if (req->method == HTTP_POST)
        write_macro(req, 0);
    else
        list_macros(req);
}

void macros_item(struct http_req *req)
{
    int64_t id;
    if (http_req_id(req, "id", &id))
        return;
    if (req->method == HTTP_PUT) {
        write_macro(req, id);
        return;
    }
    struct auth_principal who;
    struct db *db;
    if (staff(req, &who, &db))
        return;
    struct err e;
    err_clear(&e);
    if (req->method == HTTP_DELETE) {
        if (macros_delete(req->env, db, &who.subject, req->client_text, id, &e))
            http_reply_err(req, &e);
        else
            http_reply(req, 204, NULL, "", 0);
        return;
    }
    struct arena a;
    arena_init(&a, 0);
    struct macro m;
    if (macros_get(db, &who.subject, id, &a, &m, &e))
        http_reply_err(req, &e);
    else
        http_reply_json(req, 200, json_pack("{s:o}", "macro", render_macro(&m)));
    arena_release(&a);
}

void macros_apply_get(struct http_req *req)
{
    int64_t ticket_id, macro_id;
    struct auth_principal who;
    struct db *db;
    if (http_req_id(req, "id", &ticket_id) || http_req_id(req, "macro_id", &macro_id) ||
        staff(req, &who, &db))
        return;
    struct arena a;
    arena_init(&a, 0);
    struct err e;
    err_clear(&e);
    char *text = NULL;
    int rc = macros_apply(req->env, db, &who.subject, http_server_public_url(req->server),
                          ticket_id, macro_id, &a, &text, &e);
    if (rc) /* identity_unverified comes as the error's reason */
        http_reply_err(req, &e);
    else
        http_reply_json(req, 200,
                        json_pack("{s:{s:{s:I}, s:{s:s, s:b}}}", "result", "ticket", "id",
                                  (json_int_t)ticket_id, "comment", "body", text, "public", 1));
    arena_release(&a);
}
