#include "http/auth.h"

#include "base/log.h"
#include "db/db.h"
#include "service/auth.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#define SESSION_COOKIE "fd_session"

static void principal_from_user(struct auth_principal *p, const struct user *u)
{
    p->user = *u;
    p->subject.user_id = u->id;
    p->subject.organization_id = u->organization_id;
    enum access_role role = ACCESS_END_USER;
    access_role_parse(u->role, strlen(u->role), &role);
    p->subject.role = role;
    enum access_account_role ar = ACCESS_ACCOUNT_NONE;
    if (u->account_role[0])
        access_account_role_parse(u->account_role, strlen(u->account_role), &ar);
    p->subject.account_role = ar;
}

static int unauthorized(struct http_req *req, const char *why)
{
    http_add_header(req, "WWW-Authenticate", "Bearer realm=\"frontdesk\"");
    http_reply_error(req, 401, NULL, "%s", why);
    return -1;
}

enum cookie_state { COOKIE_ABSENT, COOKIE_FOUND, COOKIE_INVALID };

/* The value of cookie name (matched exactly) in a Cookie header, copied into out (cap bytes).
 * A value that does not fit is COOKIE_INVALID: a credential was sent, and it is not ours. */
static enum cookie_state cookie_value(const char *header, const char *name, char *out, size_t cap)
{
    size_t name_len = strlen(name);
    const char *p = header;
    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
            size_t vlen = len - name_len - 1;
            if (vlen >= cap)
                return COOKIE_INVALID;
            memcpy(out, p + name_len + 1, vlen);
            out[vlen] = '\0';
            return COOKIE_FOUND;
        }
        p = end;
    }
    return COOKIE_ABSENT;
}

static bool is_write(unsigned method)
{
    return method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE);
}

static int resolve_token(struct http_req *req, struct db *db, const char *secret,
                         enum auth_via via, const char *basic_email, struct auth_principal *out)
{
    struct err e;
    err_clear(&e);
    struct api_token_row token;
    struct user user;
    int rc = auth_token_resolve(req->env, db, secret, &token, &user, &e);
    if (rc == ERR_NOT_FOUND)
        return unauthorized(req, "the API token is unknown or revoked");
    if (rc) {
        http_reply_err(req, &e);
        return -1;
    }
    if (basic_email && strcasecmp(basic_email, user.email) != 0)
        return unauthorized(req, "the API token does not belong to that email");
    principal_from_user(out, &user);
    out->via = via;
    out->token_id = token.id;
    return 0;
}

/* "Basic base64(email/token:TOKEN)", Zendesk's API-token form. */
static int resolve_basic(struct http_req *req, struct db *db, const char *b64,
                         struct auth_principal *out)
{
    char decoded[512];
    size_t len = 0;
    if (sodium_base642bin((unsigned char *)decoded, sizeof decoded - 1, b64, strlen(b64), " ",
                          &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return unauthorized(req, "malformed Basic credentials");
    decoded[len] = '\0';
    char *colon = memchr(decoded, ':', len);
    static const char suffix[] = "/token";
    if (!colon || memchr(decoded, '\0', len) ||
        (size_t)(colon - decoded) <= sizeof suffix - 1 ||
        strncmp(colon - (sizeof suffix - 1), suffix, sizeof suffix - 1) != 0)
        return unauthorized(req, "use email/token:API_TOKEN with Basic authentication; "
                                 "passwords are for the web sign-in only");
    *(colon - (sizeof suffix - 1)) = '\0';
    int rc = resolve_token(req, db, colon + 1, AUTH_VIA_BASIC, decoded, out);
    sodium_memzero(decoded, sizeof decoded);
    return rc;
}

static int resolve_session(struct http_req *req, struct db *db, const char *secret,
                           struct auth_principal *out)
{
    struct err e;
    err_clear(&e);
    struct session_row session;
    struct user user;
    int rc = auth_session_resolve(req->env, db, secret, &session, &user, &e);
    if (rc == ERR_NOT_FOUND) {
        /* Tell the browser to drop the dead cookie. */
        http_add_header(req, "Set-Cookie", SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; "
                                           "SameSite=Lax");
        return unauthorized(req, "the session has ended: sign in again");
    }
    if (rc) {
        http_reply_err(req, &e);
        return -1;
    }
    if (is_write(req->method)) {
        char expected[AUTH_SECRET_LEN + 1];
        auth_csrf_token(req->env, secret, expected);
        const char *sent = http_req_header(req, "X-CSRF-Token");
        if (!sent || strlen(sent) != AUTH_SECRET_LEN ||
            sodium_memcmp(sent, expected, AUTH_SECRET_LEN) != 0) {
            http_reply_error(req, 403, "X-CSRF-Token",
                             "missing or wrong X-CSRF-Token header for a cookie-authenticated "
                             "write");
            return -1;
        }
    }
    principal_from_user(out, &user);
    out->via = AUTH_VIA_SESSION;
    out->session_id = session.id;
    auth_csrf_token(req->env, secret, out->csrf_token);
    return 0;
}

int auth_resolve(struct http_req *req, struct auth_principal *out)
{
    memset(out, 0, sizeof *out);
    const char *authz = http_req_header(req, "Authorization");
    char cookie[AUTH_SECRET_LEN + 8];
    enum cookie_state cs = authz ? COOKIE_ABSENT
                                 : cookie_value(http_req_header(req, "Cookie"), SESSION_COOKIE,
                                                cookie, sizeof cookie);
    if (!authz && cs == COOKIE_ABSENT)
        return 0;
    if (cs == COOKIE_INVALID)
        return unauthorized(req, "the session has ended: sign in again");
    struct err e;
    err_clear(&e);
    struct db *db;
    if (db_pool_conn(req->env->db, &db, &e)) {
        http_reply_err(req, &e);
        return -1;
    }
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) == 0)
            return resolve_token(req, db, authz + 7, AUTH_VIA_BEARER, NULL, out);
        if (strncasecmp(authz, "Basic ", 6) == 0)
            return resolve_basic(req, db, authz + 6, out);
        return unauthorized(req, "unsupported Authorization scheme: use Bearer or Basic");
    }
    return resolve_session(req, db, cookie, out);
}

int auth_require(struct http_req *req, struct auth_principal *out)
{
    if (auth_resolve(req, out))
        return -1;
    if (!out->subject.user_id)
        return unauthorized(req, "sign in or send an API token");
    return 0;
}

int auth_require_staff(struct http_req *req, struct auth_principal *out)
{
    if (auth_require(req, out))
        return -1;
    if (!access_is_staff(&out->subject)) {
        http_reply_error(req, 403, NULL, "this needs a staff account");
        return -1;
    }
    return 0;
}

int auth_require_admin(struct http_req *req, struct auth_principal *out)
{
    if (auth_require(req, out))
        return -1;
    if (!access_is_admin(&out->subject)) {
        http_reply_error(req, 403, NULL, "this needs an administrator");
        return -1;
    }
    return 0;
}
