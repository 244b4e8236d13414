/* Inbound mail over the API (issue 6, "Email in"; Zendesk has no such API, so ours):
 *   POST /api/v2/mail/inbound              the raw message as the body (message/rfc822), an
 *                                          admin's API token only: 201 {"inbound_mail"} for a
 *                                          new row, 200 for a duplicate; 413 past
 *                                          MAIL_IN_RAW_MAX (or the server's --max-body-size);
 *                                          503 when it could not be stored
 *   GET  /api/v2/mail/inbound?status=failed  admins; cursor paging by id (http/paging.h)
 *   GET  /api/v2/mail/inbound/{id}         admins
 *   GET  /api/v2/mail/inbound/{id}/raw     admins; the message as stored, as a download
 *   POST /api/v2/mail/inbound/{id}/retry   admins; a failed message processed again (409 when
 *                                          it is not failed)
 * The body's Content-Type is not checked: the bytes are stored whatever they are, as the pipe
 * and IMAP store them. The routes only read the store; service/mail_in.h does the work.
 */
#include "http/handlers.h"

#include "db/db.h"
#include "http/auth.h"
#include "http/download.h"
#include "http/paging.h"
#include "http/render.h"
#include "http/server.h"
#include "service/mail_in.h"
#include "store/mail_inbound.h"

#include <stdio.h>
#include <string.h>

static json_t *opt_str(const char *s)
{
    json_t *v = s ? json_string(s) : NULL; /* NULL too for text that is not UTF-8 */
    return v ? v : json_null();
}

static json_t *render(const struct mail_inbound *m, int duplicate)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)m->id));
    json_object_set_new(o, "source", json_string(m->source));
    json_object_set_new(o, "status", json_string(m->status));
    json_object_set_new(o, "outcome", opt_str(m->outcome));
    json_object_set_new(o, "reason", opt_str(m->reason));
    json_object_set_new(o, "ticket_id", render_id(m->ticket_id));
    json_object_set_new(o, "message_id", opt_str(m->message_id));
    json_object_set_new(o, "from_address", opt_str(m->from_address));
    json_object_set_new(o, "subject", opt_str(m->subject));
    json_object_set_new(o, "size", json_integer((json_int_t)m->size));
    json_object_set_new(o, "received_at", render_time(m->received_at, 0));
    json_object_set_new(o, "processed_at", render_time(m->processed_at, 1));
    json_object_set_new(o, "attempts", json_integer((json_int_t)m->attempts));
    if (duplicate >= 0)
        json_object_set_new(o, "duplicate", json_boolean(duplicate));
    return o;
}

struct get_ctx {
    int64_t id;
    bool with_raw;
    struct arena *a;
    struct mail_inbound m;
};

static int get_tx(struct db *db, void *arg, struct err *e)
{
    struct get_ctx *c = arg;
    return mail_inbound_get(db, c->id, c->with_raw, false, c->a, &c->m, e);
}

static int load(struct http_req *req, struct db *db, int64_t id, bool with_raw,
                struct mail_inbound *out)
{
    struct get_ctx c = {id, with_raw, &req->arena, {0}};
    struct err e;
    err_clear(&e);
    if (db_transact(db, DB_TX_READ, get_tx, &c, &e)) {
        http_reply_err(req, &e);
        return -1;
    }
    *out = c.m;
    return 0;
}

static const struct mail_in_config *config_of(struct http_req *req)
{
    static const struct mail_in_config defaults = {
        .hourly_max = 20, .attachment_max = 20u * 1024 * 1024, .total_max = 25u * 1024 * 1024};
    const struct mail_in_config *c = http_server_config(req->server)->mail_in;
    return c ? c : &defaults;
}

static void post(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require_admin(req, &who))
        return;
    if (who.via != AUTH_VIA_BEARER && who.via != AUTH_VIA_BASIC) {
        http_reply_error(req, 403, NULL, "inbound mail is posted with an admin's API token");
        return;
    }
    if (req->body.len > MAIL_IN_RAW_MAX) {
        http_reply_error(req, 413, NULL, "a message is at most %u bytes", MAIL_IN_RAW_MAX);
        return;
    }
    if (people_http_db(req, &db))
        return;
    struct mail_in_result res;
    struct err e;
    err_clear(&e);
    if (mail_in_accept(req->env, db, config_of(req), MAIL_IN_API,
                       req->body.ptr ? req->body.ptr : "", req->body.len, &req->arena, &res, &e)) {
        if (e.code != ERR_LIMIT)
            e.code = ERR_IO; /* not stored: the client retries (503) */
        http_reply_err(req, &e);
        return;
    }
    struct mail_inbound m;
    if (load(req, db, res.inbound_id, false, &m))
        return;
    http_reply_json(req, res.duplicate ? 200 : 201,
                    json_pack("{s:o}", "inbound_mail", render(&m, res.duplicate)));
}

struct list_ctx {
    const char *status;
    const struct paging *pg;
    struct arena *a;
    struct mail_inbound *items;
    size_t n;
};

static int list_tx(struct db *db, void *arg, struct err *e)
{
    struct list_ctx *c = arg;
    return mail_inbound_list(db, c->status, c->pg->after, c->pg->size + 1, c->a, c->items, &c->n,
                             e);
}

static void list(struct http_req *req)
{
    struct auth_principal who;
    struct paging pg;
    struct db *db;
    if (auth_require_admin(req, &who) || paging_from_req(req, &pg))
        return;
    const char *status = http_req_query(req, "status");
    if (status && strcmp(status, "received") != 0 && strcmp(status, "processed") != 0 &&
        strcmp(status, "failed") != 0) {
        http_reply_error(req, 400, "status", "status must be received, processed or failed");
        return;
    }
    if (people_http_db(req, &db))
        return;
    struct list_ctx c = {status, &pg, &req->arena, NULL, 0};
    c.items = arena_alloc(&req->arena, (pg.size + 1) * sizeof *c.items);
    if (!c.items) {
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    struct err e;
    err_clear(&e);
    if (db_transact(db, DB_TX_READ, list_tx, &c, &e)) {
        http_reply_err(req, &e);
        return;
    }
    bool more = c.n > pg.size;
    size_t count = more ? pg.size : c.n;
    json_t *items = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(items, render(&c.items[i], -1));
    paging_reply_list(req, &pg, "inbound_mail", items, more, count ? c.items[count - 1].id : 0);
}

void mail_inbound_root(struct http_req *req)
{
    if (req->method == HTTP_POST)
        post(req);
    else
        list(req);
}

static int admin_item(struct http_req *req, struct db **db, int64_t *id)
{
    struct auth_principal who;
    if (auth_require_admin(req, &who) || !(*id = people_http_id(req)) || people_http_db(req, db))
        return -1;
    return 0;
}

void mail_inbound_item_get(struct http_req *req)
{
    struct db *db;
    int64_t id;
    struct mail_inbound m;
    if (admin_item(req, &db, &id) || load(req, db, id, false, &m))
        return;
    http_reply_json(req, 200, json_pack("{s:o}", "inbound_mail", render(&m, -1)));
}

void mail_inbound_raw_get(struct http_req *req)
{
    struct db *db;
    int64_t id;
    struct mail_inbound m;
    if (admin_item(req, &db, &id) || load(req, db, id, true, &m))
        return;
    char name[48];
    snprintf(name, sizeof name, "inbound-%lld.eml", (long long)id);
    download_reply(req, name, "message/rfc822", m.raw, m.raw_len);
}

void mail_inbound_retry_post(struct http_req *req)
{
    struct db *db;
    int64_t id;
    if (admin_item(req, &db, &id))
        return;
    struct mail_in_result res;
    struct err e;
    err_clear(&e);
    struct mail_inbound m;
    if (mail_in_retry(req->env, db, config_of(req), id, &req->arena, &res, &e)) {
        http_reply_err(req, &e);
        return;
    }
    if (load(req, db, id, false, &m))
        return;
    http_reply_json(req, 200, json_pack("{s:o}", "inbound_mail", render(&m, -1)));
}
