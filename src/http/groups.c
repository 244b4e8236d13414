/* Zendesk's groups API (frontdesk's teams) and group memberships: staff read, admins write,
 * and only staff can be members (service/people.h). */
#include "http/handlers.h"

#include "base/xalloc.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "service/people.h"

#include <stdio.h>
#include <stdlib.h>

/* New reference: the "group" object (not wrapped). */
static json_t *render_group(const struct group *g)
{
    char url[64];
    snprintf(url, sizeof url, "/api/v2/groups/%lld.json", (long long)g->id);
    return json_pack("{s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)g->id, "url", url, "name",
                     g->name, "created_at", render_time(g->created_at, 0), "updated_at",
                     render_time(g->updated_at, 0));
}

/* New reference: the "group_membership" object. A membership is never edited, so it was last
 * updated when it was made. */
static json_t *render_membership(const struct group_membership *m)
{
    char url[64];
    snprintf(url, sizeof url, "/api/v2/group_memberships/%lld.json", (long long)m->id);
    return json_pack("{s:I, s:s, s:I, s:I, s:o, s:o}", "id", (json_int_t)m->id, "url", url,
                     "user_id", (json_int_t)m->user_id, "group_id", (json_int_t)m->group_id,
                     "created_at", render_time(m->created_at, 0), "updated_at",
                     render_time(m->created_at, 0));
}

static int signed_in(struct http_req *req, struct people_actor *actor, struct db **db)
{
    struct auth_principal who;
    if (auth_require(req, &who))
        return -1;
    people_http_actor(req, &who, actor);
    return people_http_db(req, db);
}

/* ---- groups ------------------------------------------------------------------------------- */

static void list_groups(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    struct paging pg;
    if (signed_in(req, &actor, &db) || paging_from_req(req, &pg))
        return;
    struct group *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (people_groups_list(db, &actor, pg.after, pg.size + 1, rows, &n, &e)) {
        http_reply_err(req, &e);
    } else {
        bool more = n > pg.size;
        n = more ? pg.size : n;
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, render_group(&rows[i]));
        paging_reply_list(req, &pg, "groups", list, more, n ? rows[n - 1].id : 0);
    }
    free(rows);
}

/* POST (id 0) or PUT /groups/{id}: {"group": {"name": ...}}. */
static void write_group(struct http_req *req, int64_t id)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *g = people_http_wrapped(req, "group", &body);
    const char *name;
    bool given;
    if (g && !people_http_string(req, g, "name", "group.name", &given, &name)) {
        struct err e;
        err_clear(&e);
        struct group out;
        int rc = id ? people_group_update(req->env, db, &actor, id, name, &out, &e)
                    : people_group_create(req->env, db, &actor, name, &out, &e);
        if (rc)
            http_reply_err(req, &e);
        else
            http_reply_json(req, id ? 200 : 201, json_pack("{s:o}", "group", render_group(&out)));
    }
    json_decref(body);
}

void groups_collection(struct http_req *req)
{
    if (req->method == HTTP_POST)
        write_group(req, 0);
    else
        list_groups(req);
}

void groups_item(struct http_req *req)
{
    int64_t id = people_http_id(req);
    if (!id)
        return;
    if (req->method == HTTP_PUT) {
        write_group(req, id);
        return;
    }
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    struct err e;
    err_clear(&e);
    struct group g;
    if (people_group_get(db, &actor, id, &g, &e))
        http_reply_err(req, &e);
    else
        http_reply_json(req, 200, json_pack("{s:o}", "group", render_group(&g)));
}

/* ---- memberships -------------------------------------------------------------------------- */

static void list_memberships(struct http_req *req, const struct group_memberships_filter *f)
{
    struct people_actor actor;
    struct db *db;
    struct paging pg;
    if (signed_in(req, &actor, &db) || paging_from_req(req, &pg))
        return;
    struct group_membership *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (people_memberships_list(db, &actor, f, pg.after, pg.size + 1, rows, &n, &e)) {
        http_reply_err(req, &e);
    } else {
        bool more = n > pg.size;
        n = more ? pg.size : n;
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, render_membership(&rows[i]));
        paging_reply_list(req, &pg, "group_memberships", list, more, n ? rows[n - 1].id : 0);
    }
    free(rows);
}

void groups_memberships(struct http_req *req)
{
    struct group_memberships_filter f = {.group_id = people_http_id(req)};
    if (f.group_id)
        list_memberships(req, &f);
}

void groups_user_memberships(struct http_req *req)
{
    struct group_memberships_filter f = {.user_id = people_http_id(req)};
    if (f.user_id)
        list_memberships(req, &f);
}

/* POST {"group_membership": {"user_id", "group_id"}}. */
static void create_membership(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *m = people_http_wrapped(req, "group_membership", &body);
    int64_t user_id, group_id;
    bool given;
    if (m && !people_http_ref(req, m, "user_id", "group_membership.user_id", &given, &user_id) &&
        !people_http_ref(req, m, "group_id", "group_membership.group_id", &given, &group_id)) {
        struct err e;
        err_clear(&e);
        struct group_membership out;
        if (people_membership_create(req->env, db, &actor, group_id, user_id, &out, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 201,
                            json_pack("{s:o}", "group_membership", render_membership(&out)));
    }
    json_decref(body);
}

void group_memberships_collection(struct http_req *req)
{
    struct group_memberships_filter all = {0, 0};
    if (req->method == HTTP_POST)
        create_membership(req);
    else
        list_memberships(req, &all);
}

void group_memberships_item(struct http_req *req)
{
    int64_t id = people_http_id(req);
    struct people_actor actor;
    struct db *db;
    if (!id || signed_in(req, &actor, &db))
        return;
    struct err e;
    err_clear(&e);
    if (req->method == HTTP_DELETE) {
        if (people_membership_delete(req->env, db, &actor, id, &e))
            http_reply_err(req, &e);
        else
            http_reply(req, 204, NULL, "", 0);
        return;
    }
    struct group_membership m;
    if (people_membership_get(db, &actor, id, &m, &e))
        http_reply_err(req, &e);
    else
        http_reply_json(req, 200, json_pack("{s:o}", "group_membership", render_membership(&m)));
}
