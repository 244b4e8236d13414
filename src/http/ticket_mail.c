/* ticket_mail: GET /api/v2/tickets/{id}/deliveries, the mail a ticket sent and whether it
 * arrived (frontdesk's own; service/ticket_mail.h). Staff only: a failed reply shows here with
 * the server's reason, so an agent knows the requester never got it. */
#include "http/handlers.h"

#include "http/auth.h"
#include "http/render.h"
#include "service/ticket_mail.h"

#include <string.h>

static void delivery_json(struct buf *b, const struct outbox_delivery *d)
{
    buf_appendf(b, "{\"id\":%lld,\"kind\":", (long long)d->id);
    buf_append_json_str(b, d->kind, strlen(d->kind));
    buf_append_cstr(b, ",\"to\":");
    buf_append_json_str(b, d->to_address, strlen(d->to_address));
    buf_append_cstr(b, ",\"subject\":");
    buf_append_json_str(b, d->subject, strlen(d->subject));
    buf_append_cstr(b, ",\"status\":");
    buf_append_json_str(b, d->status, strlen(d->status));
    buf_appendf(b, ",\"attempts\":%d,\"last_error\":", d->attempts);
    if (d->last_error)
        buf_append_json_str(b, d->last_error, strlen(d->last_error));
    else
        buf_append_cstr(b, "null");
    buf_append_char(b, ',');
    render_time_member(b, "created_at", d->created_at, 0);
    buf_append_char(b, ',');
    render_time_member(b, "sent_at", d->sent_at, 1);
    buf_append_char(b, '}');
}

void tickets_deliveries_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    struct db *db;
    if (auth_require(req, &who) || http_req_id(req, "id", &id) || http_req_db(req, &db))
        return;
    struct arena a;
    arena_init(&a, 4u << 20);
    struct outbox_delivery rows[TICKET_MAIL_DELIVERIES_MAX];
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (ticket_mail_deliveries(db, &who.subject, id, &a, rows, &n, &e)) {
        arena_release(&a);
        http_reply_err(req, &e);
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "{\"deliveries\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_append_char(&b, ',');
        delivery_json(&b, &rows[i]);
    }
    buf_append_cstr(&b, "]}");
    arena_release(&a);
    http_reply_json_text(req, 200, &b);
}
