/* views: Zendesk's Views API for frontdesk's built-in queues (service/views.h).
 *
 *   GET /api/v2/views                    the views, in display order
 *   GET /api/v2/views/{id}               one view
 *   GET /api/v2/views/{id}/tickets       its tickets, a page at a time (keyed cursors)
 *   GET /api/v2/views/{id}/count         how many tickets it holds
 *   GET /api/v2/views/count_many?ids=    the same for several views
 * Staff only: a requester gets 403.
 */
#include "http/handlers.h"

#include "core/ticket.h"
#include "http/auth.h"
#include "http/paging.h"
#include "service/views.h"

#include <stdio.h>
#include <string.h>

#define COUNT_MANY_MAX 100

/* The view's conditions in Zendesk's form: {"all": [...], "any": [...]}. Statuses that are
 * exactly the unsolved ones read "status less_than solved", as Zendesk writes that queue. */
static json_t *conditions_json(const struct view *v)
{
    json_t *all = json_array(), *any = json_array();
    unsigned unsolved = (1u << TICKET_STATUS_SOLVED) - 1;
    if (v->statuses == unsolved) {
        json_array_append_new(all, json_pack("{s:s, s:s, s:s}", "field", "status", "operator",
                                             "less_than", "value", "solved"));
    } else {
        json_t *into = __builtin_popcount(v->statuses) == 1 ? all : any;
        for (int s = 0; s < TICKET_STATUS_COUNT; s++)
            if (v->statuses & (1u << s))
                json_array_append_new(into, json_pack("{s:s, s:s, s:s}", "field", "status",
                                                      "operator", "is", "value",
                                                      ticket_status_name((enum ticket_status)s)));
    }
    if (v->assignee != TICKET_QUEUE_ANYONE)
        json_array_append_new(
            all, json_pack("{s:s, s:s, s:o}", "field", "assignee_id", "operator", "is", "value",
                           v->assignee == TICKET_QUEUE_ASSIGNED_TO ? json_string("current_user")
                                                                   : json_null()));
    return json_pack("{s:o, s:o}", "all", all, "any", any);
}

static json_t *render_view(const struct view *v, size_t position)
{
    char url[64];
    snprintf(url, sizeof url, "/api/v2/views/%lld.json", (long long)v->id);
    return json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:I, s:n, s:o, s:{s:s, s:s}}", "id",
                     (json_int_t)v->id, "url", url, "title", v->title, "description",
                     v->description, "active", 1, "default", 1, "position", (json_int_t)position,
                     "restriction", "conditions", conditions_json(v), "execution", "sort_by",
                     "updated_at", "sort_order", "asc");
}

static size_t position_of(const struct view *v)
{
    for (size_t i = 0; i < views_count(); i++)
        if (views_at(i) == v)
            return i + 1;
    return 0;
}

/* The view named by the path's {id} for the signed-in staff member; nonzero when the answer (401,
 * 403, 404) is already made. */
static int view_of_path(struct http_req *req, struct auth_principal *who, const struct view **v)
{
    int64_t id;
    if (auth_require(req, who) || http_req_id(req, "id", &id))
        return -1;
    struct err e;
    err_clear(&e);
    if (views_find(&who->subject, id, v, &e)) {
        http_reply_err(req, &e);
        return -1;
    }
    return 0;
}

void views_list_get(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, &who))
        return;
    struct err e;
    err_clear(&e);
    if (views_check_access(&who.subject, &e)) {
        http_reply_err(req, &e);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < views_count(); i++)
        json_array_append_new(items, render_view(views_at(i), i + 1));
    http_reply_json(req, 200,
                    json_pack("{s:o, s:n, s:n, s:I}", "views", items, "next_page", "previous_page",
                              "count", (json_int_t)views_count()));
}

void views_item_get(struct http_req *req)
{
    struct auth_principal who;
    const struct view *v;
    if (view_of_path(req, &who, &v))
        return;
    http_reply_json(req, 200, json_pack("{s:o}", "view", render_view(v, position_of(v))));
}

void views_tickets_get(struct http_req *req)
{
    struct auth_principal who;
    const struct view *v;
    struct paging pg;
    struct db *db;
    if (view_of_path(req, &who, &v) || paging_keyed_from_req(req, &pg) || http_req_db(req, &db))
        return;
    /* Zendesk's sort_by; frontdesk adds sla_due_at (soonest first, unclocked tickets last). */
    const char *sort = http_req_query(req, "sort_by");
    enum ticket_queue_order order = TICKET_QUEUE_BY_UPDATE;
    if (sort && !strcmp(sort, "sla_due_at"))
        order = TICKET_QUEUE_BY_DUE;
    else if (sort && strcmp(sort, "updated_at") != 0) {
        http_reply_error(req, 400, "sort_by", "sort_by must be updated_at or sla_due_at");
        return;
    }
    struct views_page page;
    struct err e;
    err_clear(&e);
    if (views_tickets_page(db, &who.subject, v, order, pg.after_at, pg.after, pg.size, &req->arena,
                           &page, &e)) {
        http_reply_err(req, &e);
        return;
    }
    json_t *rest = json_object();
    const struct ticket *last = page.count ? &page.items[page.count - 1] : NULL;
    if (paging_keyed_add_meta(req, rest, &pg, page.has_more, page.last_key, last ? last->id : 0)) {
        json_decref(rest);
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    tickets_reply_list(req, page.items, page.count, rest, access_is_staff(&who.subject));
}

/* Zendesk's view_count object. Counts are exact and computed on request, so always fresh. */
static json_t *render_count(const struct view *v, int64_t count)
{
    char url[64], pretty[24];
    snprintf(url, sizeof url, "/api/v2/views/%lld/count.json", (long long)v->id);
    snprintf(pretty, sizeof pretty, "%lld", (long long)count);
    return json_pack("{s:I, s:s, s:I, s:s, s:b}", "view_id", (json_int_t)v->id, "url", url, "value",
                     (json_int_t)count, "pretty", pretty, "fresh", 1);
}

void views_count_get(struct http_req *req)
{
    struct auth_principal who;
    const struct view *v;
    struct db *db;
    if (view_of_path(req, &who, &v) || http_req_db(req, &db))
        return;
    int64_t count;
    struct err e;
    err_clear(&e);
    if (views_ticket_count(db, &who.subject, v, &count, &e)) {
        http_reply_err(req, &e);
        return;
    }
    http_reply_json(req, 200, json_pack("{s:o}", "view_count", render_count(v, count)));
}

void views_count_many_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t ids[COUNT_MANY_MAX];
    size_t n = 0;
    struct db *db;
    if (auth_require(req, &who))
        return;
    struct err e;
    err_clear(&e);
    if (views_check_access(&who.subject, &e)) {
        http_reply_err(req, &e);
        return;
    }
    if (http_req_id_list(req, "ids", ids, COUNT_MANY_MAX, &n) || http_req_db(req, &db))
        return;
    /* Zendesk leaves out ids that name no view rather than failing the whole request. */
    json_t *counts = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct view *v;
        int64_t count;
        err_clear(&e);
        if (views_find(&who.subject, ids[i], &v, &e))
            continue;
        if (views_ticket_count(db, &who.subject, v, &count, &e)) {
            json_decref(counts);
            http_reply_err(req, &e);
            return;
        }
        json_array_append_new(counts, render_count(v, count));
    }
    http_reply_json(req, 200, json_pack("{s:o}", "view_counts", counts));
}
