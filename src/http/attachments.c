/* Zendesk's Attachments API: POST /api/v2/uploads?filename=NAME[&token=T] with the raw file as
 * the body, GET /api/v2/attachments/{id} and GET /api/v2/attachments/{id}/content. The body's
 * Content-Type is ignored: service/attachments.h sniffs the type from the bytes. The content is
 * served as a download that no browser renders in our origin (http/download.h).
 */
#include "http/handlers.h"

#include "http/auth.h"
#include "http/download.h"
#include "http/render.h"
#include "service/attachments.h"

#include <stdio.h>

json_t *attachments_render(const struct attachment *at)
{
    char url[80];
    snprintf(url, sizeof url, "/api/v2/attachments/%lld/content", (long long)at->id);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)at->id));
    json_object_set_new(o, "file_name", json_string(at->file_name));
    json_object_set_new(o, "content_url", json_string(url));
    json_object_set_new(o, "content_type", json_string(at->content_type));
    json_object_set_new(o, "size", json_integer((json_int_t)at->size));
    json_object_set_new(o, "inline", json_false());
    return o;
}

void uploads_post(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require(req, &who))
        return;
    const char *name = http_req_query(req, "filename");
    if (!name) {
        http_reply_error(req, 422, "filename", "filename is required: ?filename=NAME");
        return;
    }
    if (people_http_db(req, &db))
        return;
    struct attachments_uploaded *up = arena_alloc(&req->arena, sizeof *up);
    if (!up) {
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    struct err e;
    err_clear(&e);
    if (attachments_upload(req->env, db, &who.subject, name, http_req_query(req, "token"),
                           req->body.ptr, req->body.len, &req->arena, up, &e)) {
        http_reply_err(req, &e);
        return;
    }
    json_t *all = json_array();
    for (size_t i = 0; i < up->count; i++)
        json_array_append_new(all, attachments_render(&up->all[i]));
    http_reply_json(req, 201,
                    json_pack("{s:{s:s,s:o,s:o,s:o}}", "upload", "token", up->token, "expires_at",
                              render_time(up->expires_at, 0), "attachment",
                              attachments_render(&up->attachment), "attachments", all));
}

static int show(struct http_req *req, bool with_data, struct attachment *out)
{
    struct auth_principal who;
    struct db *db;
    int64_t id;
    if (auth_require(req, &who) || !(id = people_http_id(req)) || people_http_db(req, &db))
        return -1;
    struct err e;
    err_clear(&e);
    if (attachments_show(db, &who.subject, id, with_data, &req->arena, out, &e)) {
        http_reply_err(req, &e);
        return -1;
    }
    return 0;
}

void attachments_item_get(struct http_req *req)
{
    struct attachment at;
    if (!show(req, false, &at))
        http_reply_json(req, 200, json_pack("{s:o}", "attachment", attachments_render(&at)));
}

void attachments_content_get(struct http_req *req)
{
    struct attachment at;
    if (show(req, true, &at))
        return;
    download_reply(req, at.file_name, at.content_type, at.data, (size_t)at.size);
}
