/* Zendesk's Attachments API: POST /api/v2/uploads?filename=NAME[&token=T] with the raw file as
 * the body, GET /api/v2/attachments/{id} and GET /api/v2/attachments/{id}/content. The body's
 * Content-Type is ignored: service/attachments.h sniffs the type from the bytes. The content is
 * served as a download that no browser renders in our origin: Content-Disposition: attachment
 * (RFC 6266), nosniff (added to every response by server.c), a CSP sandbox and no caching by
 * shared caches.
 */
#include "http/handlers.h"

#include "http/auth.h"
#include "core/sniff.h"
#include "http/render.h"
#include "service/attachments.h"

#include <stdio.h>
#include <string.h>

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

/* RFC 6266 section 4.3: a quoted ASCII fallback (one '_' per character that is not printable
 * ASCII, or is '"' or '\\'), then filename* (RFC 8187) with every byte outside attr-char
 * percent-encoded. */
static void disposition(struct buf *b, const char *name)
{
    static const char attr_char[] = "!#$&+-.^_`|~";
    buf_append_cstr(b, "attachment; filename=\"");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p >= 0x80 && *p < 0xc0) /* UTF-8 continuation: its lead byte made the '_' */
            continue;
        buf_append_char(b, *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' ? (char)*p : '_');
    }
    buf_append_cstr(b, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr(attr_char, *p))
            buf_append_char(b, (char)*p);
        else
            buf_appendf(b, "%%%02X", *p);
    }
}

void attachments_content_get(struct http_req *req)
{
    struct attachment at;
    if (show(req, true, &at))
        return;
    struct buf b;
    buf_init(&b, 4096); /* a 255-byte name encodes to at most 3 * 255 + 2 * 255 + 40 */
    disposition(&b, at.file_name);
    http_add_header(req, "Content-Disposition", buf_cstr(&b));
    buf_release(&b);
    http_add_header(req, "Content-Security-Policy", "default-src 'none'; sandbox");
    http_add_header(req, "Cache-Control", "private, no-store");
    /* The reply outlives this frame: the type goes to the arena with the bytes. */
    const char *type = arena_strndup(&req->arena, at.content_type, strlen(at.content_type));
    http_reply(req, 200, type ? type : SNIFF_OCTET, at.data, (size_t)at.size);
}
