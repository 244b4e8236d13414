/* Help-center votes and comments (issue 7; Zendesk Help Center API v2 shapes; the rules are in
 * service/hc_feedback.h):
 *   POST   /api/v2/help_center/articles/{id}/up, .../down          anyone -> 201 new, 200 otherwise
 *   GET    /api/v2/help_center/articles/{id}/votes                 staff, offset paging
 *   GET    /api/v2/help_center/articles/{id}/votes/mine            anyone -> {"vote": ...|null}
 *   DELETE /api/v2/help_center/votes/{id}                          its voter or staff -> 204
 *   GET    /api/v2/help_center/articles/{id}/comments              anyone, offset paging
 *   POST   /api/v2/help_center/articles/{id}/comments              signed in -> 201
 *   GET, PUT, DELETE .../articles/{id}/comments/{comment_id}
 * An anonymous voter is the browser's fd_hc_voter cookie: set (HttpOnly, SameSite=Lax, a year)
 * on its first vote; a value that is not one we could have issued is ignored and replaced.
 * Signed-in callers authenticate as everywhere (http/auth.h), so a cookie-session write needs
 * X-CSRF-Token; an anonymous vote has no session to forge, and a cross-site POST carries no
 * SameSite=Lax cookie, so it can only cast a new anonymous vote, which the rate limit bounds. */
#include "http/handlers.h"

#include "base/xalloc.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/hc_paging.h"
#include "http/render.h"
#include "http/server.h"
#include "service/auth.h"
#include "service/hc_feedback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VOTER_COOKIE     "fd_hc_voter"
#define VOTER_COOKIE_AGE (365 * 86400)
#define PER_PAGE_MAX     100

/* ---- the anonymous voter's cookie ------------------------------------------------------------ */

static bool base64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* The fd_hc_voter value of the Cookie header into out when it is shaped like a secret we issue
 * (AUTH_SECRET_LEN base64url characters); false otherwise. */
static bool voter_cookie(struct http_req *req, char out[AUTH_SECRET_LEN + 1])
{
    static const char name[] = VOTER_COOKIE "=";
    const char *p = http_req_header(req, "Cookie");
    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == sizeof name - 1 + AUTH_SECRET_LEN && strncmp(p, name, sizeof name - 1) == 0) {
            const char *v = p + sizeof name - 1;
            size_t i = 0;
            while (i < AUTH_SECRET_LEN && base64url_char(v[i]))
                i++;
            if (i == AUTH_SECRET_LEN) {
                memcpy(out, v, AUTH_SECRET_LEN);
                out[AUTH_SECRET_LEN] = '\0';
                return true;
            }
        }
        p = end;
    }
    return false;
}

static bool over_tls(struct http_req *req)
{
    const char *proto = http_req_header(req, "X-Forwarded-Proto");
    return req->via_proxy && proto && strcmp(proto, "https") == 0;
}

/* ---- rendering ------------------------------------------------------------------------------- */

static const char *public_url(struct http_req *req)
{
    return http_server_public_url(req->server);
}

static json_t *render_vote(struct http_req *req, const struct hc_vote *v)
{
    char url[512];
    snprintf(url, sizeof url, "%s/api/v2/help_center/votes/%lld", public_url(req),
             (long long)v->id);
    return json_pack("{s:I, s:s, s:o, s:i, s:I, s:s, s:o, s:o}", "id", (json_int_t)v->id, "url",
                     url, "user_id", render_id(v->user_id), "value", v->value, "item_id",
                     (json_int_t)v->article_id, "item_type", "Article", "created_at",
                     render_time(v->created_at, 0), "updated_at", render_time(v->updated_at, 0));
}

static json_t *render_comment(struct http_req *req, const struct hc_comment *c)
{
    char url[512], html_url[512];
    snprintf(url, sizeof url, "%s/api/v2/help_center/articles/%lld/comments/%lld", public_url(req),
             (long long)c->article_id, (long long)c->id);
    snprintf(html_url, sizeof html_url, "%s/hc/articles/%lld#comment-%lld", public_url(req),
             (long long)c->article_id, (long long)c->id);
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:o, s:b}", "id",
                     (json_int_t)c->id, "url", url, "html_url", html_url, "body", c->html,
                     "author_id", (json_int_t)c->author_id, "source_id", (json_int_t)c->article_id,
                     "source_type", "Article", "locale", "en-us", "created_at",
                     render_time(c->created_at, 0), "updated_at", render_time(c->updated_at, 0),
                     "hidden", c->hidden);
}

/* ---- votes ----------------------------------------------------------------------------------- */

static void reply_vote(struct http_req *req, int status, const struct hc_vote *v)
{
    http_reply_json(req, status, json_pack("{s:o}", "vote", render_vote(req, v)));
}

/* What every vote route starts with: the {id} of its path, who calls (anyone) and, for an
 * anonymous caller, the voter cookie's secret ("" when it has none we could have issued). */
struct voter_call {
    int64_t id;
    struct auth_principal who;
    struct db *db;
    char secret[AUTH_SECRET_LEN + 1];
    struct hc_feedback_actor actor; /* points into this struct: do not copy it */
};

/* Nonzero after answering. */
static int voter_call_start(struct http_req *req, struct voter_call *c)
{
    if (http_req_id(req, "id", &c->id) || auth_resolve(req, &c->who) || http_req_db(req, &c->db))
        return -1;
    c->secret[0] = '\0';
    if (!c->who.subject.user_id)
        voter_cookie(req, c->secret);
    c->actor = (struct hc_feedback_actor){
        .subject = c->who.subject, .voter_secret = c->secret, .ip = req->client_text};
    return 0;
}

static void vote(struct http_req *req, int value)
{
    struct voter_call c;
    if (voter_call_start(req, &c))
        return;
    bool issued = !c.who.subject.user_id && !c.secret[0];
    if (issued)
        auth_new_secret(req->env, c.secret);
    struct hc_vote v;
    bool created = false;
    int64_t retry_after = 0;
    struct err e;
    err_clear(&e);
    int rc = hc_vote_cast(req->env, c.db, &c.actor, c.id, value, &v, &created, &retry_after, &e);
    if (rc == ERR_LIMIT && retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%lld", (long long)retry_after);
        http_add_header(req, "Retry-After", ra);
        http_reply_error(req, 429, NULL, "%s", e.message);
        return;
    }
    if (rc) {
        http_reply_err(req, &e);
        return;
    }
    if (issued) {
        char cookie[160];
        snprintf(cookie, sizeof cookie,
                 VOTER_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; "
                              "SameSite=Lax%s",
                 c.secret, VOTER_COOKIE_AGE, over_tls(req) ? "; Secure" : "");
        http_add_header(req, "Set-Cookie", cookie);
    }
    http_add_header(req, "Cache-Control", "no-store");
    reply_vote(req, created ? 201 : 200, &v);
}

void hc_votes_up_post(struct http_req *req)
{
    vote(req, 1);
}

void hc_votes_down_post(struct http_req *req)
{
    vote(req, -1);
}

void hc_votes_mine_get(struct http_req *req)
{
    struct voter_call c;
    if (voter_call_start(req, &c))
        return;
    struct hc_vote v;
    bool found = false;
    struct err e;
    err_clear(&e);
    if (hc_vote_mine(req->env, c.db, &c.actor, c.id, &v, &found, &e)) {
        http_reply_err(req, &e);
        return;
    }
    http_add_header(req, "Cache-Control", "no-store");
    http_reply_json(req, 200,
                    json_pack("{s:o}", "vote", found ? render_vote(req, &v) : json_null()));
}

void hc_votes_list_get(struct http_req *req)
{
    int64_t id;
    struct auth_principal who;
    struct db *db;
    struct hc_page pg;
    if (http_req_id(req, "id", &id) || auth_require_staff(req, &who) ||
        hc_paging_from_req(req, PER_PAGE_MAX, &pg) || http_req_db(req, &db))
        return;
    struct hc_vote *rows = xcalloc((size_t)pg.per_page, sizeof *rows);
    size_t n = 0;
    int64_t total = 0;
    struct err e;
    err_clear(&e);
    if (hc_votes_list(db, &who.subject, id, hc_paging_offset(&pg), (size_t)pg.per_page, rows, &n,
                      &total, &e)) {
        http_reply_err(req, &e);
    } else {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, render_vote(req, &rows[i]));
        hc_paging_reply(req, &pg, "votes", list, total);
    }
    free(rows);
}

void hc_votes_item(struct http_req *req)
{
    struct voter_call c;
    if (voter_call_start(req, &c))
        return;
    struct err e;
    err_clear(&e);
    if (hc_vote_withdraw(req->env, c.db, &c.actor, c.id, &e))
        http_reply_err(req, &e);
    else
        http_reply(req, 204, NULL, "", 0);
}

/* ---- comments -------------------------------------------------------------------------------- */

static void reply_comment(struct http_req *req, int status, const struct hc_comment *c)
{
    http_reply_json(req, status, json_pack("{s:o}", "comment", render_comment(req, c)));
}

/* The {"comment": {"body", "hidden"}} of a write into *out: a new comment (create) is never
 * hidden, a change gives one of them. Nonzero after answering 422. */
static int comment_input(struct http_req *req, json_t *body, bool create,
                         struct hc_comment_req *out)
{
    json_t *c = json_is_object(body) ? json_object_get(body, "comment") : NULL;
    if (!json_is_object(c)) {
        http_reply_error(req, 422, "comment", "expected a JSON object {\"comment\": {...}}");
        return -1;
    }
    *out = (struct hc_comment_req){0};
    json_t *b = json_object_get(c, "body");
    if (b && !json_is_null(b)) {
        if (!json_is_string(b)) {
            http_reply_error(req, 422, "comment.body", "body must be a string");
            return -1;
        }
        out->body = json_string_value(b);
    }
    json_t *h = json_object_get(c, "hidden");
    if (h && !json_is_null(h)) {
        if (!json_is_boolean(h)) {
            http_reply_error(req, 422, "comment.hidden", "hidden must be true or false");
            return -1;
        }
        out->hidden_given = true;
        out->hidden = json_is_true(h);
    }
    if (create && out->hidden_given) {
        http_reply_error(req, 422, "comment.hidden", "a new comment is never hidden");
        return -1;
    }
    if (!create && !out->body && !out->hidden_given) {
        http_reply_error(req, 422, "comment", "give the comment's body or hidden");
        return -1;
    }
    return 0;
}

static void comments_list(struct http_req *req, int64_t article_id)
{
    struct auth_principal who;
    struct db *db;
    struct hc_page pg;
    if (auth_resolve(req, &who) || hc_paging_from_req(req, PER_PAGE_MAX, &pg) ||
        http_req_db(req, &db))
        return;
    struct hc_comment *rows = xcalloc((size_t)pg.per_page, sizeof *rows);
    size_t n = 0;
    int64_t total = 0;
    struct err e;
    err_clear(&e);
    if (hc_comments_list(db, &who.subject, article_id, hc_paging_offset(&pg), (size_t)pg.per_page,
                         &req->arena, rows, &n, &total, &e)) {
        http_reply_err(req, &e);
    } else {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, render_comment(req, &rows[i]));
        hc_paging_reply(req, &pg, "comments", list, total);
    }
    free(rows);
}

/* POST .../comments (id 0) or PUT .../comments/{id}. */
static void comment_write(struct http_req *req, int64_t article_id, int64_t id)
{
    struct auth_principal who;
    struct db *db;
    json_t *body = NULL;
    if (auth_require(req, &who) || http_req_db(req, &db) || http_req_json(req, &body))
        return;
    struct hc_comment_req in;
    if (!comment_input(req, body, id == 0, &in)) {
        struct hc_feedback_actor actor = {.subject = who.subject, .ip = req->client_text};
        struct hc_comment c;
        struct err e;
        err_clear(&e);
        int rc =
            id ? hc_comment_update(req->env, db, &actor, article_id, id, &in, &req->arena, &c, &e)
               : hc_comment_create(req->env, db, &actor, article_id, in.body, &req->arena, &c, &e);
        if (rc)
            http_reply_err(req, &e);
        else
            reply_comment(req, id ? 200 : 201, &c);
    }
    json_decref(body);
}

void hc_comments_collection(struct http_req *req)
{
    int64_t article_id;
    if (http_req_id(req, "id", &article_id))
        return;
    if (req->method == HTTP_POST)
        comment_write(req, article_id, 0);
    else
        comments_list(req, article_id);
}

void hc_comments_item(struct http_req *req)
{
    int64_t article_id, id;
    if (http_req_id(req, "id", &article_id) || http_req_id(req, "comment_id", &id))
        return;
    if (req->method == HTTP_PUT) {
        comment_write(req, article_id, id);
        return;
    }
    struct auth_principal who;
    struct db *db;
    if ((req->method == HTTP_DELETE ? auth_require(req, &who) : auth_resolve(req, &who)) ||
        http_req_db(req, &db))
        return;
    struct err e;
    err_clear(&e);
    if (req->method == HTTP_DELETE) {
        struct hc_feedback_actor actor = {.subject = who.subject, .ip = req->client_text};
        if (hc_comment_delete(req->env, db, &actor, article_id, id, &e))
            http_reply_err(req, &e);
        else
            http_reply(req, 204, NULL, "", 0);
        return;
    }
    struct hc_comment c;
    if (hc_comment_get(db, &who.subject, article_id, id, &req->arena, &c, &e))
        http_reply_err(req, &e);
    else
        reply_comment(req, 200, &c);
}
