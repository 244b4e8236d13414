/* Zendesk's Requests API, the end-user's view of a ticket (service/requests.h):
 *
 *   POST /api/v2/requests        anyone: {"request": {"requester": {"name", "email"}, "subject",
 *                                "comment": {"body"}}}; 201 {"request"}; 429 with Retry-After
 *                                past the anonymous limit per client address
 *   GET  /api/v2/requests/{id}   signed in: a request the caller may see (404 otherwise)
 *
 * An anonymous caller sends no cookie, so there is nothing to forge; a cookie session's write
 * goes through auth_resolve's X-CSRF-Token check like every other, and a JSON body needs
 * Content-Type application/json (a form post from another site cannot send it). The answer
 * holds the request and nothing else about the requester or their account: an anonymous caller
 * learns nothing about an existing user from it.
 */
#include "http/handlers.h"

#include "http/auth.h"
#include "http/render.h"
#include "service/requests.h"

#include <stdio.h>

static json_t *render_request(const struct ticket *t)
{
    char url[64];
    snprintf(url, sizeof url, "/api/v2/requests/%lld.json", (long long)t->id);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)t->id));
    json_object_set_new(o, "url", json_string(url));
    json_object_set_new(o, "subject", json_string(t->subject ? t->subject : ""));
    json_object_set_new(o, "description", json_string(t->description ? t->description : ""));
    json_object_set_new(o, "status", json_string(t->status));
    json_object_set_new(o, "priority", json_string(t->priority));
    json_object_set_new(o, "via", json_pack("{s:s}", "channel", t->channel));
    json_object_set_new(o, "requester_id", json_integer((json_int_t)t->requester_id));
    json_object_set_new(o, "created_at", render_time(t->created_at, 0));
    json_object_set_new(o, "updated_at", render_time(t->updated_at, 0));
    return json_pack("{s:o}", "request", o);
}

/* A string member of obj, or NULL when absent or null; nonzero with the 422 answer made when it
 * is something else. */
static int opt_string(struct http_req *req, json_t *obj, const char *key, const char *field,
                      const char **out)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        http_reply_error(req, 422, field, "%s must be a string", field);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* An optional object member; nonzero with the 422 answer made when it is something else. */
static int opt_object(struct http_req *req, json_t *obj, const char *key, const char *field,
                      json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v)) {
        http_reply_error(req, 422, field, "%s must be an object", field);
        return -1;
    }
    *out = v;
    return 0;
}

static void create(struct http_req *req, const struct auth_principal *who, json_t *body)
{
    json_t *r = json_is_object(body) ? json_object_get(body, "request") : NULL;
    if (!json_is_object(r)) {
        http_reply_error(req, 422, "request", "expected an object {\"request\": {...}}");
        return;
    }
    struct requests_new in = {.ip = req->client_text};
    json_t *requester, *comment;
    if (opt_object(req, r, "requester", "request.requester", &requester) ||
        opt_object(req, r, "comment", "request.comment", &comment))
        return;
    bool anonymous = who->subject.user_id == 0;
    /* Signed in, the request is the caller's own: requester fields are ignored (Zendesk). */
    if (anonymous &&
        (opt_string(req, requester, "name", "request.requester.name", &in.requester_name) ||
         opt_string(req, requester, "email", "request.requester.email", &in.requester_email)))
        return;
    if (opt_string(req, r, "subject", "request.subject", &in.subject) ||
        opt_string(req, comment, "body", "request.comment.body", &in.body))
        return;
    struct db *db;
    if (http_req_db(req, &db))
        return;
    struct tickets_actor actor = {
        .subject = who->subject,
        .channel = who->via == AUTH_VIA_BEARER || who->via == AUTH_VIA_BASIC ? TICKET_CHANNEL_API
                                                                             : TICKET_CHANNEL_WEB};
    struct ticket t;
    int64_t retry_after = 0;
    struct err e;
    err_clear(&e);
    int rc = requests_create(req->env, db, &actor, &in, &req->arena, &t, &retry_after, &e);
    if (rc == ERR_LIMIT && retry_after > 0) {
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)retry_after);
        http_add_header(req, "Retry-After", v);
        http_reply_error(req, 429, NULL, "%s", e.message);
        return;
    }
    if (rc) {
        http_reply_err(req, &e);
        return;
    }
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v2/requests/%lld.json", (long long)t.id);
    http_add_header(req, "Location", loc);
    http_add_header(req, "Cache-Control", "no-store");
    http_reply_json(req, 201, render_request(&t));
}

void requests_collection(struct http_req *req)
{
    struct auth_principal who;
    if (auth_resolve(req, &who))
        return;
    json_t *body;
    if (http_req_json(req, &body))
        return;
    create(req, &who, body);
    json_decref(body);
}

void requests_item(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    struct db *db;
    if (auth_require(req, &who) || http_req_id(req, "id", &id) || http_req_db(req, &db))
        return;
    struct ticket t;
    struct err e;
    err_clear(&e);
    if (tickets_show(db, &who.subject, id, &req->arena, &t, &e)) {
        http_reply_err(req, &e);
        return;
    }
    http_reply_json(req, 200, render_request(&t));
}
