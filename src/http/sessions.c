/* Signing in and out, password resets and "who am I": frontdesk's own endpoints under
 * /api/v2/auth (Zendesk has no sign-in API; its web sign-in is a form) plus Zendesk's
 * GET /api/v2/users/me. */
#include "http/handlers.h"

#include "db/db.h"
#include "http/auth.h"
#include "http/render.h"
#include "http/server.h"
#include "service/auth.h"

#include <stdio.h>
#include <string.h>

/* A string member or NULL; answers 422 naming field when present but not a string. */
static int string_member(struct http_req *req, json_t *obj, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        http_reply_error(req, 422, key, "%s must be a string", key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* Parse a JSON object body; answers and returns NULL when it is not one. */
static json_t *object_body(struct http_req *req)
{
    json_t *body;
    if (http_req_json(req, &body))
        return NULL;
    if (!json_is_object(body)) {
        json_decref(body);
        http_reply_error(req, 422, NULL, "expected a JSON object");
        return NULL;
    }
    return body;
}

/* Secure when the client reached us over TLS: behind a trusted proxy that says so. */
static bool over_tls(struct http_req *req)
{
    const char *proto = http_req_header(req, "X-Forwarded-Proto");
    return req->via_proxy && proto && strcmp(proto, "https") == 0;
}

void sessions_sign_in(struct http_req *req)
{
    json_t *body = object_body(req);
    if (!body)
        return;
    struct auth_sign_in in = {.ip = req->client_text,
                              .user_agent = http_req_header(req, "User-Agent")};
    struct db *db;
    if (string_member(req, body, "email", &in.email) ||
        string_member(req, body, "password", &in.password) || http_req_db(req, &db))
        goto done;
    if (!in.email || !in.password) {
        http_reply_error(req, 422, in.email ? "password" : "email", "%s is required",
                         in.email ? "password" : "email");
        goto done;
    }
    struct err e;
    err_clear(&e);
    struct user user;
    char secret[AUTH_SECRET_LEN + 1];
    int64_t retry_after = 0;
    int rc = auth_sign_in(req->env, db, &in, &user, secret, &retry_after, &e);
    if (rc == ERR_LIMIT) {
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)retry_after);
        http_add_header(req, "Retry-After", v);
        http_reply_error(req, 429, NULL, "%s", e.message);
        goto done;
    }
    if (rc == ERR_FORBIDDEN) {
        http_add_header(req, "WWW-Authenticate", "Bearer realm=\"frontdesk\"");
        http_reply_error(req, 401, NULL, "%s", e.message);
        goto done;
    }
    if (rc) {
        http_reply_err(req, &e);
        goto done;
    }
    char cookie[256];
    snprintf(cookie, sizeof cookie,
             "fd_session=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", secret,
             AUTH_SESSION_MAX, over_tls(req) ? "; Secure" : "");
    http_add_header(req, "Set-Cookie", cookie);
    http_add_header(req, "Cache-Control", "no-store");
    char csrf[AUTH_SECRET_LEN + 1];
    auth_csrf_token(req->env, secret, csrf);
    http_reply_json(req, 200, json_pack("{s:o, s:s}", "user", render_user(&user), "csrf_token", csrf));
done:
    json_decref(body);
}

static void clear_cookie(struct http_req *req)
{
    http_add_header(req, "Set-Cookie", "fd_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
}

void sessions_sign_out(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require(req, &who) || http_req_db(req, &db))
        return;
    struct err e;
    err_clear(&e);
    /* With a token there is no session to end; say so rather than pretend. */
    if (who.via != AUTH_VIA_SESSION) {
        http_reply_error(req, 409, NULL, "not signed in with a session: API tokens are revoked, "
                                         "not signed out");
        return;
    }
    if (auth_sign_out(req->env, db, who.session_id, who.user.id, req->client_text, &e)) {
        http_reply_err(req, &e);
        return;
    }
    clear_cookie(req);
    http_reply(req, 204, NULL, "", 0);
}

void sessions_sign_out_everywhere(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require(req, &who) || http_req_db(req, &db))
        return;
    struct err e;
    err_clear(&e);
    if (auth_sign_out_everywhere(req->env, db, who.user.id, req->client_text, &e)) {
        http_reply_err(req, &e);
        return;
    }
    clear_cookie(req);
    http_reply(req, 204, NULL, "", 0);
}

void sessions_password_reset(struct http_req *req)
{
    json_t *body = object_body(req);
    if (!body)
        return;
    const char *email;
    struct db *db;
    if (string_member(req, body, "email", &email) || http_req_db(req, &db))
        goto done;
    struct err e;
    err_clear(&e);
    const char *base = http_server_public_url(req->server);
    if (auth_password_reset_request(req->env, db, email, base, req->client_text, &e)) {
        http_reply_err(req, &e);
        goto done;
    }
    /* The same answer whether or not the address has an account. */
    http_reply_json(req, 202, json_pack("{s:s}", "status", "queued"));
done:
    json_decref(body);
}

void sessions_password_reset_confirm(struct http_req *req)
{
    json_t *body = object_body(req);
    if (!body)
        return;
    const char *token, *password;
    struct db *db;
    if (string_member(req, body, "token", &token) ||
        string_member(req, body, "password", &password) || http_req_db(req, &db))
        goto done;
    struct err e;
    err_clear(&e);
    if (auth_password_reset_confirm(req->env, db, token, password, req->client_text, &e)) {
        http_reply_err(req, &e);
        goto done;
    }
    http_reply(req, 204, NULL, "", 0);
done:
    json_decref(body);
}

void users_me(struct http_req *req)
{
    struct auth_principal who;
    if (auth_resolve(req, &who))
        return;
    if (!who.subject.user_id) {
        /* Zendesk answers an anonymous caller with an anonymous user, not an error. */
        http_reply_json(req, 200,
                        json_pack("{s:{s:n, s:s, s:s}}", "user", "id", "name", "Anonymous user",
                                  "role", "end-user"));
        return;
    }
    json_t *out = json_pack("{s:o}", "user", render_user(&who.user));
    if (who.via == AUTH_VIA_SESSION) /* the web UI reads its CSRF token here after a reload */
        json_object_set_new(out, "csrf_token", json_string(who.csrf_token));
    http_reply_json(req, 200, out);
}
