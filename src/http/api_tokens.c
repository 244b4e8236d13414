/* API tokens, frontdesk's own resource (Zendesk manages tokens in its admin UI):
 *   GET    /api/v2/api_tokens        the caller's tokens; admins may pass user_id=N or all=true
 *   DELETE /api/v2/api_tokens/{id}   revoke (the owner or an admin); 204, idempotent
 * Tokens are created by `frontdesk token create`, which shows the secret once; nothing here
 * ever shows a secret or its hash. Staff only: requesters have no tokens. */
#include "http/handlers.h"

#include "db/db.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "service/auth.h"

#include <stdio.h>
#include <string.h>

static json_t *token_json(const struct api_token_row *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)t->id));
    json_object_set_new(o, "user_id", json_integer((json_int_t)t->user_id));
    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "created_at", render_time(t->created_at, 0));
    json_object_set_new(o, "last_used_at", render_time(t->last_used_at, 1));
    json_object_set_new(o, "revoked_at", render_time(t->revoked_at, 1));
    return o;
}

/* Whose tokens to list: the caller's, or for admins user_id=N / all=true (0 = everyone's). */
static int owner_filter(struct http_req *req, const struct auth_principal *who, int64_t *out)
{
    const char *all = http_req_query(req, "all");
    const char *user = http_req_query(req, "user_id");
    *out = who->user.id;
    if (!all && !user)
        return 0;
    if (!access_is_admin(&who->subject)) {
        http_reply_error(req, 403, all ? "all" : "user_id", "only admins list others' tokens");
        return -1;
    }
    if (all && strcmp(all, "true") == 0 && !user) {
        *out = 0;
        return 0;
    }
    char *end = NULL;
    long long v = user ? strtoll(user, &end, 10) : 0;
    if (!user || !*user || *end || v <= 0) {
        http_reply_error(req, 400, user ? "user_id" : "all", "expected user_id=<id> or all=true");
        return -1;
    }
    *out = v;
    return 0;
}

static void list_tokens(struct http_req *req, const struct auth_principal *who, struct db *db)
{
    struct paging pg;
    int64_t owner;
    if (paging_from_req(req, &pg) || owner_filter(req, who, &owner))
        return;
    struct api_token_row *rows = arena_alloc(&req->arena, (pg.size + 1) * sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (!rows) {
        http_reply_error(req, 500, NULL, "out of request memory");
        return;
    }
    if (api_tokens_list(db, owner, pg.after, pg.size + 1, rows, &n, &e)) {
        http_reply_err(req, &e);
        return;
    }
    bool more = n > pg.size;
    if (more)
        n = pg.size;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, token_json(&rows[i]));
    paging_reply_list(req, &pg, "api_tokens", list, more, n ? rows[n - 1].id : 0);
}

void api_tokens_collection(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require_staff(req, &who) || http_req_db(req, &db))
        return;
    list_tokens(req, &who, db);
}

void api_tokens_one(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    int64_t id;
    if (auth_require_staff(req, &who) || http_req_id(req, "id", &id) || http_req_db(req, &db))
        return;
    struct err e;
    err_clear(&e);
    if (auth_token_revoke(req->env, db, id, who.user.id, access_is_admin(&who.subject),
                          req->client_text, &e)) {
        http_reply_err(req, &e);
        return;
    }
    http_reply(req, 204, NULL, "", 0);
}
