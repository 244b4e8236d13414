/* Support bans and abusive-comment flags (policy clauses 5 and 6; service/bans.h): leads and
 * admins ban and unban a requester or a whole account, staff list bans and flag comments. */
#include "http/handlers.h"

#include "base/xalloc.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "service/bans.h"

#include <stdlib.h>
#include <string.h>

/* New reference: the "ban" object. */
static json_t *render_ban(const struct ban *b)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)b->id));
    json_object_set_new(o, "user_id", render_id(b->user_id));
    json_object_set_new(o, "organization_id", render_id(b->organization_id));
    json_object_set_new(o, "address", b->address[0] ? json_string(b->address) : json_null());
    json_object_set_new(o, "reason", json_string(b->reason));
    json_object_set_new(o, "created_by", render_id(b->created_by));
    json_object_set_new(o, "created_at", render_time(b->created_at, 0));
    json_object_set_new(o, "lifted_at", render_time(b->lifted_at, 1));
    json_object_set_new(o, "lifted_by", render_id(b->lifted_by));
    json_object_set_new(o, "lift_reason", b->lifted_at ? json_string(b->lift_reason) : json_null());
    return o;
}

static int signed_in(struct http_req *req, struct bans_actor *actor, struct db **db)
{
    struct auth_principal who;
    if (auth_require(req, &who))
        return -1;
    actor->subject = who.subject;
    actor->ip = req->client_text;
    return http_req_db(req, db);
}

/* The reason of a body {"reason": "..."} or {"<key>": {"reason": "..."}}: *reason NULL when
 * absent or null (the service then names the field). Nonzero with the answer made otherwise;
 * the caller releases *body whatever the result. */
static int read_reason(struct http_req *req, const char *key, const char *field, json_t **body,
                       const char **reason)
{
    *body = NULL;
    *reason = NULL;
    if (http_req_json(req, body))
        return -1;
    if (!json_is_object(*body)) {
        http_reply_error(req, 422, field, "expected a JSON object {\"reason\": \"...\"}");
        return -1;
    }
    json_t *v = json_object_get(*body, "reason");
    json_t *wrapped = json_object_get(*body, key);
    if (!v && json_is_object(wrapped))
        v = json_object_get(wrapped, "reason");
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        http_reply_error(req, 422, field, "reason must be a string");
        return -1;
    }
    *reason = json_string_value(v);
    return 0;
}

/* POST /users/{id}/ban, /unban and /organizations/{id}/ban, /unban. */
static void ban_write(struct http_req *req, bool organization, bool lift)
{
    int64_t id;
    if (http_req_id(req, "id", &id))
        return;
    struct bans_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    json_t *body;
    const char *reason;
    if (!read_reason(req, "ban", "ban.reason", &body, &reason)) {
        struct err e;
        err_clear(&e);
        struct ban *out = xcalloc(1, sizeof *out);
        int64_t now = req->env->now(req->env);
        int rc = organization ? (lift ? bans_unban_organization
                                      : bans_ban_organization)(db, &actor, id, reason, now, out, &e)
                              : (lift ? bans_unban_user : bans_ban_user)(db, &actor, id, reason,
                                                                         now, out, &e);
        if (rc)
            http_reply_err(req, &e);
        else
            http_reply_json(req, 200, json_pack("{s:o}", "ban", render_ban(out)));
        free(out);
    }
    json_decref(body);
}

void bans_user_ban(struct http_req *req)
{
    ban_write(req, false, false);
}

void bans_user_unban(struct http_req *req)
{
    ban_write(req, false, true);
}

void bans_organization_ban(struct http_req *req)
{
    ban_write(req, true, false);
}

void bans_organization_unban(struct http_req *req)
{
    ban_write(req, true, true);
}

void bans_list_get(struct http_req *req)
{
    struct bans_actor actor;
    struct db *db;
    struct paging pg;
    if (signed_in(req, &actor, &db) || paging_from_req(req, &pg))
        return;
    const char *active = http_req_query(req, "active");
    if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0) {
        http_reply_error(req, 400, "active", "expected active=true or active=false");
        return;
    }
    struct ban *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (bans_list(db, &actor, active && strcmp(active, "true") == 0, pg.after, pg.size + 1, rows,
                  &n, &e)) {
        http_reply_err(req, &e);
    } else {
        bool more = n > pg.size;
        n = more ? pg.size : n;
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, render_ban(&rows[i]));
        paging_reply_list(req, &pg, "bans", list, more, n ? rows[n - 1].id : 0);
    }
    free(rows);
}

void bans_comment_flag_post(struct http_req *req)
{
    int64_t ticket_id, comment_id;
    if (http_req_id(req, "id", &ticket_id) || http_req_id(req, "comment_id", &comment_id))
        return;
    struct bans_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    json_t *body;
    const char *reason;
    if (!read_reason(req, "comment_flag", "comment_flag.reason", &body, &reason)) {
        struct err e;
        err_clear(&e);
        struct comment_flag *f = xcalloc(1, sizeof *f);
        if (bans_flag_comment(db, &actor, ticket_id, comment_id, reason, req->env->now(req->env), f,
                              &e)) {
            http_reply_err(req, &e);
        } else {
            json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:o}", "comment_id",
                                  (json_int_t)f->comment_id, "ticket_id", (json_int_t)f->ticket_id,
                                  "flagged_by", (json_int_t)f->flagged_by, "reason", f->reason,
                                  "created_at", render_time(f->created_at, 0));
            http_reply_json(req, 200, json_pack("{s:o}", "comment_flag", o));
        }
        free(f);
    }
    json_decref(body);
}
