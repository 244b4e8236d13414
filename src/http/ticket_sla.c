/* ticket_sla: GET /api/v2/tickets/{id}/sla, a ticket's SLA clocks in full (frontdesk's own;
 * service/ticket_sla.h). Whoever may see the ticket may see its clocks. */
#include "http/handlers.h"

#include "base/timefmt.h"
#include "http/auth.h"
#include "http/render.h"
#include "service/ticket_sla.h"

static void state(struct buf *b, enum sla_state s)
{
    const char *name = sla_state_name(s);
    if (name)
        buf_appendf(b, "\"state\":\"%s\"", name);
    else
        buf_append_cstr(b, "\"state\":null");
}

static void clock_json(struct buf *b, const char *key, const struct sla_clock_state *c)
{
    buf_appendf(b, ",\"%s\":{", key);
    state(b, c->state);
    buf_append_char(b, ',');
    render_time_member(b, "started_at", c->state ? c->start : 0, 1);
    buf_append_char(b, ',');
    render_time_member(b, "warn_at", c->warn, 1);
    buf_append_char(b, ',');
    render_time_member(b, "due_at", c->due, 1);
    buf_append_char(b, ',');
    render_time_member(b, "stopped_at", c->stop, 1);
    buf_appendf(b, ",\"elapsed_seconds\":%lld}", (long long)c->elapsed);
}

void tickets_sla_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    struct db *db;
    if (auth_require(req, &who) || http_req_id(req, "id", &id) || http_req_db(req, &db))
        return;
    struct sla_result r;
    struct err e;
    err_clear(&e);
    if (ticket_sla_show(req->env, db, &who.subject, id, &r, &e)) {
        http_reply_err(req, &e);
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "{\"sla\":{");
    state(&b, r.worst);
    buf_append_char(&b, ',');
    render_time_member(&b, "due_at", r.next_due, 1);
    clock_json(&b, "first_touch", &r.first_touch);
    clock_json(&b, "follow_up", &r.follow_up);
    buf_append_cstr(&b, "}}");
    http_reply_json_text(req, 200, &b);
}
