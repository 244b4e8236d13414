/* Zendesk's users API: list, search, show, create and update people; also the request readers
 * the people handlers share (declared in handlers.h). Who may do what is the service's call
 * (service/people.h); this file turns JSON into its inputs and its results into JSON. */
#include "http/handlers.h"

#include "base/xalloc.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "service/people.h"

#include <stdlib.h>
#include <string.h>

/* ---- request readers ---------------------------------------------------------------------- */

void people_http_actor(struct http_req *req, const struct auth_principal *who,
                       struct people_actor *out)
{
    out->subject = who->subject;
    out->ip = req->client_text;
}

int people_http_db(struct http_req *req, struct db **out)
{
    return http_req_db(req, out);
}

int64_t people_http_id(struct http_req *req)
{
    int64_t id;
    return http_req_id(req, "id", &id) ? 0 : id;
}

json_t *people_http_wrapped(struct http_req *req, const char *key, json_t **body)
{
    *body = NULL;
    if (http_req_json(req, body))
        return NULL;
    json_t *obj = json_is_object(*body) ? json_object_get(*body, key) : NULL;
    if (!json_is_object(obj)) {
        http_reply_error(req, 422, key, "expected a JSON object {\"%s\": {...}}", key);
        return NULL;
    }
    return obj;
}

/* The member, or NULL when absent (then *given is false). */
static json_t *member(json_t *obj, const char *key, bool *given)
{
    json_t *v = json_object_get(obj, key);
    *given = v != NULL;
    return v;
}

int people_http_string(struct http_req *req, json_t *obj, const char *key, const char *field,
                       bool *given, const char **out)
{
    json_t *v = member(obj, key, given);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        http_reply_error(req, 422, field, "%s must be a string", key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

int people_http_ref(struct http_req *req, json_t *obj, const char *key, const char *field,
                    bool *given, int64_t *out)
{
    json_t *v = member(obj, key, given);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        http_reply_error(req, 422, field, "%s must be an id (a positive whole number) or null",
                         key);
        return -1;
    }
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int people_http_integer(struct http_req *req, json_t *obj, const char *key, const char *field,
                        bool *given, int64_t *out)
{
    json_t *v = member(obj, key, given);
    if (!v)
        return 0;
    if (!json_is_integer(v)) {
        http_reply_error(req, 422, field, "%s must be a whole number", key);
        return -1;
    }
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int people_http_boolean(struct http_req *req, json_t *obj, const char *key, const char *field,
                        bool *given, bool *out)
{
    json_t *v = member(obj, key, given);
    if (!v)
        return 0;
    if (!json_is_boolean(v)) {
        http_reply_error(req, 422, field, "%s must be true or false", key);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

/* ---- users -------------------------------------------------------------------------------- */

/* The signed-in caller as the service's actor; answers 401 for anonymous callers. */
static int signed_in(struct http_req *req, struct people_actor *actor, struct db **db)
{
    struct auth_principal who;
    if (auth_require(req, &who))
        return -1;
    people_http_actor(req, &who, actor);
    return people_http_db(req, db);
}

/* Answer one page of users matching f, as {"users": [...], "meta", "links"}. */
static void reply_users(struct http_req *req, const struct people_actor *actor, struct db *db,
                        const struct users_filter *f)
{
    struct paging pg;
    if (paging_from_req(req, &pg))
        return;
    struct user *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (people_users_list(db, actor, f, pg.after, pg.size + 1, rows, &n, &e)) {
        http_reply_err(req, &e);
        free(rows);
        return;
    }
    bool more = n > pg.size;
    if (more)
        n = pg.size;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, render_user(&rows[i]));
    paging_reply_list(req, &pg, "users", list, more, n ? rows[n - 1].id : 0);
    free(rows);
}

static void list_users(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    struct users_filter f = {0};
    const char *role = http_req_query(req, "role");
    enum access_role r;
    if (role && access_role_parse(role, strlen(role), &r)) {
        http_reply_error(req, 400, "role", "role must be end-user, agent, lead or admin");
        return;
    }
    f.role = role;
    reply_users(req, &actor, db, &f);
}

void users_search(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    const char *query = http_req_query(req, "query");
    struct slice q = slice_trim(slice_from_cstr(query ? query : ""));
    if (q.len == 0) {
        http_reply_error(req, 400, "query", "query is required: the start of an email or a name");
        return;
    }
    if (q.len > USERS_PREFIX_MAX) {
        http_reply_error(req, 400, "query", "query must be at most %d bytes", USERS_PREFIX_MAX);
        return;
    }
    char prefix[USERS_PREFIX_MAX + 1];
    memcpy(prefix, q.ptr, q.len);
    prefix[q.len] = '\0';
    struct users_filter f = {.prefix = prefix};
    reply_users(req, &actor, db, &f);
}

void users_in_organization(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    int64_t id = people_http_id(req);
    if (!id || signed_in(req, &actor, &db))
        return;
    struct users_filter f = {.organization_id = id};
    reply_users(req, &actor, db, &f);
}

/* Read the members of a {"user": {...}} object into in. */
static int read_user_input(struct http_req *req, json_t *u, struct people_user_input *in)
{
    memset(in, 0, sizeof *in);
    bool g[7];
    if (people_http_string(req, u, "name", "user.name", &g[0], &in->name) ||
        people_http_string(req, u, "email", "user.email", &g[1], &in->email) ||
        people_http_string(req, u, "role", "user.role", &g[2], &in->role) ||
        people_http_string(req, u, "phone", "user.phone", &g[3], &in->phone) ||
        people_http_ref(req, u, "organization_id", "user.organization_id", &g[4],
                        &in->organization_id) ||
        people_http_string(req, u, "account_role", "user.account_role", &g[5], &in->account_role) ||
        people_http_boolean(req, u, "active", "user.active", &g[6], &in->active))
        return -1;
    static const unsigned bits[7] = {
        PEOPLE_USER_NAME,         PEOPLE_USER_EMAIL,        PEOPLE_USER_ROLE,  PEOPLE_USER_PHONE,
        PEOPLE_USER_ORGANIZATION, PEOPLE_USER_ACCOUNT_ROLE, PEOPLE_USER_ACTIVE};
    for (int i = 0; i < 7; i++)
        in->given |= g[i] ? bits[i] : 0;
    return 0;
}

static void create_user(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *u = people_http_wrapped(req, "user", &body);
    struct people_user_input in;
    if (u && !read_user_input(req, u, &in)) {
        struct err e;
        err_clear(&e);
        struct user created;
        if (people_user_create(req->env, db, &actor, &in, &created, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 201, json_pack("{s:o}", "user", render_user(&created)));
    }
    json_decref(body);
}

void users_collection(struct http_req *req)
{
    if (req->method == HTTP_POST)
        create_user(req);
    else
        list_users(req);
}

static void show_user(struct http_req *req, int64_t id)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    struct err e;
    err_clear(&e);
    struct user u;
    if (people_user_get(db, &actor, id, &u, &e))
        http_reply_err(req, &e);
    else
        http_reply_json(req, 200, json_pack("{s:o}", "user", render_user(&u)));
}

static void update_user(struct http_req *req, int64_t id)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *u = people_http_wrapped(req, "user", &body);
    struct people_user_input in;
    if (u && !read_user_input(req, u, &in)) {
        struct err e;
        err_clear(&e);
        struct user updated;
        if (people_user_update(req->env, db, &actor, id, &in, &updated, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 200, json_pack("{s:o}", "user", render_user(&updated)));
    }
    json_decref(body);
}

void users_item(struct http_req *req)
{
    int64_t id = people_http_id(req);
    if (!id)
        return;
    if (req->method == HTTP_PUT)
        update_user(req, id);
    else
        show_user(req, id);
}
