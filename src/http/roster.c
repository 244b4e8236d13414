/* roster: the duty roster through the API (issue 5, service/roster.h).
 *
 *   GET    /api/v2/roster                 staff: the rotation {"roster": {"anchor_date",
 *                                         "lead_ids", "updated_at"}}
 *   PUT    /api/v2/roster                 admins: replace it (same shape), audited
 *   GET    /api/v2/roster/overrides       staff: the one-off overrides, by id (paged)
 *   POST   /api/v2/roster/overrides       admins: {"roster_override": {"user_id", "starts_at",
 *                                         "ends_at", "reason"}} -> 201, audited
 *   DELETE /api/v2/roster/overrides/{id}  admins -> 204, audited
 *   GET    /api/v2/roster/now             staff: {"on_duty": {"user_id", "name", "email",
 *                                         "source", "until"}}
 */
#include "http/handlers.h"

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "service/roster.h"

#include <stdlib.h>
#include <string.h>

static int signed_in(struct http_req *req, struct people_actor *actor, struct db **db)
{
    struct auth_principal who;
    if (auth_require(req, &who))
        return -1;
    people_http_actor(req, &who, actor);
    return people_http_db(req, db);
}

/* New reference: the "roster" object. */
static json_t *render_roster(const struct roster_row *r)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < r->nleads; i++)
        json_array_append_new(ids, json_integer((json_int_t)r->lead_ids[i]));
    return json_pack("{s:o, s:o, s:o}", "anchor_date",
                     r->set ? json_string(r->anchor_date) : json_null(), "lead_ids", ids,
                     "updated_at", r->set ? render_time(r->updated_at, 0) : json_null());
}

/* New reference: the "roster_override" object. */
static json_t *render_override(const struct roster_override_row *o)
{
    return json_pack("{s:I, s:I, s:o, s:o, s:s, s:o, s:o}", "id", (json_int_t)o->id, "user_id",
                     (json_int_t)o->user_id, "starts_at", render_time(o->starts_at, 0), "ends_at",
                     render_time(o->ends_at, 0), "reason", o->reason, "created_by",
                     render_id(o->created_by), "created_at", render_time(o->created_at, 0));
}

static void show_roster(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    struct err e;
    err_clear(&e);
    struct roster_row *r = xmalloc(sizeof *r);
    if (roster_show(db, &actor, r, &e))
        http_reply_err(req, &e);
    else
        http_reply_json(req, 200, json_pack("{s:o}", "roster", render_roster(r)));
    free(r);
}

/* "lead_ids": an array of ids; nonzero when the 422 answer is made. */
static int read_lead_ids(struct http_req *req, json_t *obj, int64_t *out, size_t *n)
{
    json_t *v = json_object_get(obj, "lead_ids");
    if (!json_is_array(v)) {
        http_reply_error(req, 422, "roster.lead_ids",
                         "lead_ids is required: an array of the ids of leads, in rotation order");
        return -1;
    }
    if (json_array_size(v) > ROSTER_LEADS_MAX) {
        http_reply_error(req, 422, "roster.lead_ids", "lead_ids has more than %d entries",
                         ROSTER_LEADS_MAX);
        return -1;
    }
    size_t i;
    json_t *id;
    json_array_foreach(v, i, id)
    {
        if (!json_is_integer(id) || json_integer_value(id) <= 0) {
            http_reply_error(req, 422, "roster.lead_ids",
                             "lead_ids[%zu] must be an id (a positive whole number)", i);
            return -1;
        }
        out[i] = (int64_t)json_integer_value(id);
    }
    *n = json_array_size(v);
    return 0;
}

static void update_roster(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *r = people_http_wrapped(req, "roster", &body);
    const char *anchor;
    bool given;
    int64_t ids[ROSTER_LEADS_MAX];
    size_t n = 0;
    if (r && !people_http_string(req, r, "anchor_date", "roster.anchor_date", &given, &anchor) &&
        !read_lead_ids(req, r, ids, &n)) {
        struct err e;
        err_clear(&e);
        struct roster_row *out = xmalloc(sizeof *out);
        if (roster_update(req->env, db, &actor, anchor, ids, n, out, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 200, json_pack("{s:o}", "roster", render_roster(out)));
        free(out);
    }
    json_decref(body);
}

void roster_item(struct http_req *req)
{
    if (req->method == HTTP_PUT)
        update_roster(req);
    else
        show_roster(req);
}

static void list_overrides(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    struct paging pg;
    if (signed_in(req, &actor, &db) || paging_from_req(req, &pg))
        return;
    struct roster_override_row *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (roster_overrides_page(db, &actor, pg.after, pg.size + 1, rows, &n, &e)) {
        http_reply_err(req, &e);
    } else {
        bool more = n > pg.size;
        n = more ? pg.size : n;
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, render_override(&rows[i]));
        paging_reply_list(req, &pg, "roster_overrides", list, more, n ? rows[n - 1].id : 0);
    }
    free(rows);
}

/* A required instant of obj under key; nonzero when the 422 answer is made. */
static int read_instant(struct http_req *req, json_t *obj, const char *key, const char *field,
                        int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!s || timefmt_parse_iso8601(s, strlen(s), out)) {
        http_reply_error(req, 422, field, "%s is required: an instant as 2026-11-26T14:00:00Z",
                         key);
        return -1;
    }
    return 0;
}

static void create_override(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *o = people_http_wrapped(req, "roster_override", &body);
    struct roster_override_input in = {0, 0, 0, NULL};
    bool given;
    if (o && !people_http_ref(req, o, "user_id", "roster_override.user_id", &given, &in.user_id) &&
        !read_instant(req, o, "starts_at", "roster_override.starts_at", &in.starts_at) &&
        !read_instant(req, o, "ends_at", "roster_override.ends_at", &in.ends_at) &&
        !people_http_string(req, o, "reason", "roster_override.reason", &given, &in.reason)) {
        struct err e;
        err_clear(&e);
        struct roster_override_row *out = xmalloc(sizeof *out);
        if (roster_override_add(req->env, db, &actor, &in, out, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 201, json_pack("{s:o}", "roster_override", render_override(out)));
        free(out);
    }
    json_decref(body);
}

void roster_overrides_collection(struct http_req *req)
{
    if (req->method == HTTP_POST)
        create_override(req);
    else
        list_overrides(req);
}

void roster_overrides_item(struct http_req *req)
{
    int64_t id = people_http_id(req);
    struct people_actor actor;
    struct db *db;
    if (!id || signed_in(req, &actor, &db))
        return;
    struct err e;
    err_clear(&e);
    if (roster_override_remove(req->env, db, &actor, id, &e))
        http_reply_err(req, &e);
    else
        http_reply(req, 204, NULL, "", 0);
}

void roster_now_get(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    struct err e;
    err_clear(&e);
    struct roster_now *now = xmalloc(sizeof *now);
    if (roster_now_show(req->env, db, &actor, now, &e)) {
        http_reply_err(req, &e);
    } else {
        bool who = now->duty.user_id != 0;
        json_t *o = json_pack("{s:o, s:o, s:o, s:s, s:o}", "user_id", render_id(now->duty.user_id),
                              "name", who ? json_string(now->user.name) : json_null(), "email",
                              who ? json_string(now->user.email) : json_null(), "source",
                              roster_source_name(now->duty.source), "until",
                              render_time(now->duty.until, 1));
        http_reply_json(req, 200, json_pack("{s:o}", "on_duty", o));
    }
    free(now);
}
