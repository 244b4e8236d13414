#include "service/auth.h"

#include "base/buf.h"
#include "core/email_addr.h"
#include "core/throttle.h"
#include "service/secrets.h"
#include "store/audit.h"
#include "store/outbox.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void auth_hash_secret(const struct env *env, const char *secret, size_t len,
                      char out[CRED_HASH_HEX + 1])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)secret, len, env->secrets->token_key,
                       SECRETS_KEY_BYTES);
    sodium_bin2hex(out, CRED_HASH_HEX + 1, h, sizeof h);
}

void auth_new_secret(const struct env *env, char out[AUTH_SECRET_LEN + 1])
{
    unsigned char raw[32];
    env->random_bytes(env, raw, sizeof raw);
    sodium_bin2base64(out, AUTH_SECRET_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void auth_csrf_token(const struct env *env, const char *session_secret,
                     char out[AUTH_SECRET_LEN + 1])
{
    /* BLAKE2b keyed with the instance key over a label and the session secret: unforgeable
     * without the cookie, and nothing to store or expire separately. */
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, env->secrets->token_key, SECRETS_KEY_BYTES, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)"csrf:", 5);
    crypto_generichash_update(&st, (const unsigned char *)session_secret, strlen(session_secret));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2base64(out, AUTH_SECRET_LEN + 1, h, sizeof h,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int auth_hash_password(const char *password, const char *field,
                       char out[USER_PASSWORD_HASH_MAX + 1], struct err *e)
{
    if (!password || utf8_chars(password) < AUTH_PASSWORD_MIN)
        return err_set(e, ERR_INVALID, field, "password must be at least %d characters",
                       AUTH_PASSWORD_MIN);
    if (strlen(password) > AUTH_PASSWORD_MAX)
        return err_set(e, ERR_INVALID, field, "password must be at most %d bytes",
                       AUTH_PASSWORD_MAX);
    /* Argon2id at libsodium's interactive limits (2 passes, 64 MiB): docs/security.md. */
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
        return err_set(e, ERR_INTERNAL, NULL, "password hashing ran out of memory");
    return 0;
}

static int audit(struct db *db, int64_t now, int64_t actor, const char *action, int64_t user_id,
                 const char *ip, const char *detail, struct err *e)
{
    struct audit_entry a = {.at = now,
                            .actor_id = actor,
                            .action = action,
                            .target_type = user_id ? "user" : NULL,
                            .target_id = user_id,
                            .ip = ip,
                            .detail = detail};
    return audit_append(db, &a, e);
}

/* ---- sign-in ------------------------------------------------------------------------------ */

static int throttled(const struct env *env, struct db *db, const char *key, int64_t now,
                     int64_t *wait, struct err *e)
{
    int64_t times[THROTTLE_LOCK];
    size_t n;
    int rc = sign_in_failures_since(db, key, now - THROTTLE_WINDOW, times, THROTTLE_LOCK, &n, e);
    if (!rc) {
        int64_t w = throttle_wait(times, n, now);
        if (w > *wait)
            *wait = w;
    }
    return rc;
}

struct sign_in_ctx {
    const struct env *env;
    const struct auth_sign_in *in;
    struct user *user;
    char *secret;
    int64_t *retry_after;
    bool ok;
    char email_key[USER_EMAIL_MAX + 8];
    char ip_key[64];
    int64_t ip_attempt; /* the attempt's provisional failure row for the address */
};

/* Before the password is checked, count the attempt as a failure of both keys, under a lock
 * per key: parallel guesses then see each other and cannot all slip under the throttle. A
 * successful attempt takes its rows back afterwards. */
static int reserve_tx(struct db *db, void *arg, struct err *e)
{
    struct sign_in_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int64_t wait = 0;
    /* Always email first, then address: two attempts never wait on each other in a cycle. */
    int rc = sign_in_failures_lock(db, c->email_key, e);
    if (!rc)
        rc = sign_in_failures_lock(db, c->ip_key, e);
    if (!rc)
        rc = throttled(c->env, db, c->email_key, now, &wait, e);
    if (!rc)
        rc = throttled(c->env, db, c->ip_key, now, &wait, e);
    if (rc)
        return rc;
    if (wait > 0) {
        *c->retry_after = wait;
        return err_set(e, ERR_LIMIT, NULL, "too many failed sign-ins: try again in %lld s",
                       (long long)wait);
    }
    rc = sign_in_failures_add(db, c->email_key, now, NULL, e);
    if (!rc)
        rc = sign_in_failures_add(db, c->ip_key, now, &c->ip_attempt, e);
    return rc;
}

/* Argon2id verification runs before the write transaction so the slow part never holds the
 * writer; a user that does not exist is verified against a dummy hash so the time taken does
 * not reveal which emails exist. */
static bool check_password(const char *hash, const char *password)
{
    static char dummy[crypto_pwhash_STRBYTES];
    static int dummy_ready;
    if (!hash[0]) {
        if (!__atomic_load_n(&dummy_ready, __ATOMIC_ACQUIRE)) {
            char tmp[crypto_pwhash_STRBYTES];
            if (crypto_pwhash_str_alg(tmp, "not a password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                      crypto_pwhash_MEMLIMIT_INTERACTIVE,
                                      crypto_pwhash_ALG_ARGON2ID13) == 0) {
                memcpy(dummy, tmp, sizeof dummy);
                __atomic_store_n(&dummy_ready, 1, __ATOMIC_RELEASE);
            }
        }
        if (__atomic_load_n(&dummy_ready, __ATOMIC_ACQUIRE))
            (void)!crypto_pwhash_str_verify(dummy, password, strlen(password));
        return false;
    }
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static int sign_in_record_tx(struct db *db, void *arg, struct err *e)
{
    struct sign_in_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    if (!c->ok) /* the attempt's rows, written by reserve_tx, stay as its failures */
        return audit(db, now, 0, "auth.sign_in_failed", c->user->id, c->in->ip, NULL, e);
    char hash[CRED_HASH_HEX + 1];
    auth_new_secret(c->env, c->secret);
    auth_hash_secret(c->env, c->secret, AUTH_SECRET_LEN, hash);
    int64_t session_id;
    int rc = sessions_insert(db, hash, c->user->id, now, now + AUTH_SESSION_MAX, c->in->ip,
                             c->in->user_agent, &session_id, e);
    /* A right password clears the email's failures; the address keeps its other failures
     * (it may be guessing other accounts) but not this attempt. */
    if (!rc)
        rc = sign_in_failures_clear(db, c->email_key, e);
    if (!rc)
        rc = sign_in_failures_delete(db, c->ip_attempt, e);
    if (!rc)
        rc = audit(db, now, c->user->id, "auth.sign_in", c->user->id, c->in->ip, NULL, e);
    return rc;
}

int auth_sign_in(const struct env *env, struct db *db, const struct auth_sign_in *in,
                 struct user *user, char secret[AUTH_SECRET_LEN + 1], int64_t *retry_after,
                 struct err *e)
{
    struct sign_in_ctx c = {.env = env, .in = in, .user = user, .secret = secret,
                            .retry_after = retry_after};
    snprintf(c.email_key, sizeof c.email_key, "email:%s", in->email ? in->email : "");
    for (char *p = c.email_key; *p; p++) /* the same address in any case is one key */
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    snprintf(c.ip_key, sizeof c.ip_key, "ip:%s", in->ip ? in->ip : "");
    int rc = db_transact(db, DB_TX_WRITE, reserve_tx, &c, e);
    if (rc)
        return rc;
    char hash[USER_PASSWORD_HASH_MAX + 1] = "";
    memset(user, 0, sizeof *user);
    if (in->email && email_addr_valid(in->email, strlen(in->email))) {
        rc = users_find_by_email(db, in->email, user, hash, e);
        if (rc == ERR_NOT_FOUND) {
            memset(user, 0, sizeof *user);
            hash[0] = '\0';
            rc = 0;
        }
        if (rc)
            return rc;
    }
    c.ok = check_password(hash, in->password ? in->password : "") && user->active;
    rc = db_transact(db, DB_TX_WRITE, sign_in_record_tx, &c, e);
    if (rc)
        return rc;
    if (!c.ok)
        return err_set(e, ERR_FORBIDDEN, NULL, "email or password is wrong");
    return 0;
}

/* ---- sessions ----------------------------------------------------------------------------- */

int auth_session_resolve(const struct env *env, struct db *db, const char *secret,
                         struct session_row *session, struct user *user, struct err *e)
{
    char hash[CRED_HASH_HEX + 1];
    auth_hash_secret(env, secret, strlen(secret), hash);
    int rc = sessions_find(db, hash, session, e);
    if (rc)
        return rc;
    int64_t now = env->now(env);
    if (now >= session->expires_at || now >= session->last_seen_at + AUTH_SESSION_IDLE) {
        sessions_delete(db, session->id, e); /* best effort: it is dead either way */
        return err_set(e, ERR_NOT_FOUND, NULL, "session expired");
    }
    rc = users_get(db, session->user_id, user, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? err_set(e, ERR_NOT_FOUND, NULL, "no such session") : rc;
    if (!user->active)
        return err_set(e, ERR_NOT_FOUND, NULL, "account deactivated");
    /* Writing last_seen_at on every request would put every read behind the writer; minutes of
     * precision are plenty for an idle timeout of hours. */
    if (now - session->last_seen_at >= AUTH_SESSION_TOUCH_EVERY)
        sessions_touch(db, session->id, now, e);
    return 0;
}

struct sign_out_ctx {
    const struct env *env;
    int64_t session_id;
    int64_t user_id;
    const char *ip;
};

static int sign_out_tx(struct db *db, void *arg, struct err *e)
{
    struct sign_out_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc;
    char detail[64] = "{}";
    if (c->session_id) {
        rc = sessions_delete(db, c->session_id, e);
    } else {
        int64_t n = 0;
        rc = sessions_delete_user(db, c->user_id, &n, e);
        snprintf(detail, sizeof detail, "{\"sessions\":%lld}", (long long)n);
    }
    if (!rc)
        rc = audit(db, now, c->user_id, c->session_id ? "auth.sign_out" : "auth.sign_out_everywhere",
                   c->user_id, c->ip, detail, e);
    return rc;
}

int auth_sign_out(const struct env *env, struct db *db, int64_t session_id, int64_t user_id,
                  const char *ip, struct err *e)
{
    struct sign_out_ctx c = {env, session_id, user_id, ip};
    return db_transact(db, DB_TX_WRITE, sign_out_tx, &c, e);
}

int auth_sign_out_everywhere(const struct env *env, struct db *db, int64_t user_id,
                             const char *ip, struct err *e)
{
    struct sign_out_ctx c = {env, 0, user_id, ip};
    return db_transact(db, DB_TX_WRITE, sign_out_tx, &c, e);
}

/* ---- API tokens --------------------------------------------------------------------------- */

int auth_token_resolve(const struct env *env, struct db *db, const char *secret,
                       struct api_token_row *token, struct user *user, struct err *e)
{
    char hash[CRED_HASH_HEX + 1];
    auth_hash_secret(env, secret, strlen(secret), hash);
    int rc = api_tokens_find_live(db, hash, token, e);
    if (!rc)
        rc = users_get(db, token->user_id, user, e);
    /* Tokens are for staff: one whose owner was deactivated or became a requester is dead. */
    if (rc == ERR_NOT_FOUND || (!rc && (!user->active || strcmp(user->role, "end-user") == 0)))
        return err_set(e, ERR_NOT_FOUND, NULL, "unknown or revoked API token");
    if (rc)
        return rc;
    int64_t now = env->now(env);
    if (now - token->last_used_at >= AUTH_SESSION_TOUCH_EVERY)
        api_tokens_touch(db, token->id, now, e);
    return 0;
}

struct token_ctx {
    const struct env *env;
    const char *email;
    const char *name;
    int64_t actor_id;
    struct api_token_row *token;
    char *secret;
};

static int token_create_tx(struct db *db, void *arg, struct err *e)
{
    struct token_ctx *c = arg;
    struct user u;
    int rc = users_find_by_email(db, c->email, &u, NULL, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "email", "no user with email %s", c->email);
    if (rc)
        return rc;
    if (strcmp(u.role, "end-user") == 0)
        return err_set(e, ERR_INVALID, "email", "API tokens are for staff; %s is a requester",
                       c->email);
    int64_t now = c->env->now(c->env);
    char hash[CRED_HASH_HEX + 1];
    auth_new_secret(c->env, c->secret);
    auth_hash_secret(c->env, c->secret, AUTH_SECRET_LEN, hash);
    rc = api_tokens_insert(db, u.id, c->name, hash, now, c->token, e);
    if (!rc) {
        struct buf detail;
        buf_init(&detail, 1024);
        buf_append_cstr(&detail, "{\"token_id\":");
        buf_append_int64(&detail, c->token->id);
        buf_append_cstr(&detail, ",\"name\":");
        buf_append_json_str(&detail, c->name, strlen(c->name));
        buf_append_cstr(&detail, "}");
        rc = audit(db, now, c->actor_id, "api_token.created", u.id, NULL, buf_cstr(&detail), e);
        buf_release(&detail);
    }
    return rc;
}

int auth_token_create(const struct env *env, struct db *db, const char *email, const char *name,
                      int64_t actor_id, struct api_token_row *token,
                      char secret[AUTH_SECRET_LEN + 1], struct err *e)
{
    if (!name || !slice_trim(slice_from_cstr(name)).len || strlen(name) > 255)
        return err_set(e, ERR_INVALID, "name", "token name must be 1 to 255 bytes");
    struct token_ctx c = {env, email, name, actor_id, token, secret};
    return db_transact(db, DB_TX_WRITE, token_create_tx, &c, e);
}

struct revoke_ctx {
    const struct env *env;
    int64_t token_id;
    int64_t actor_id;
    bool is_admin;
    const char *ip;
};

static int token_revoke_tx(struct db *db, void *arg, struct err *e)
{
    struct revoke_ctx *c = arg;
    struct api_token_row t;
    int rc = api_tokens_get(db, c->token_id, &t, e);
    if (!rc && !c->is_admin && t.user_id != c->actor_id)
        rc = err_set(e, ERR_NOT_FOUND, "id", "API token %lld not found", (long long)c->token_id);
    if (rc || t.revoked_at)
        return rc; /* revoking twice changes nothing and is not audited twice */
    int64_t now = c->env->now(c->env);
    rc = api_tokens_revoke(db, t.id, now, e);
    if (!rc) {
        char detail[64];
        snprintf(detail, sizeof detail, "{\"token_id\":%lld}", (long long)t.id);
        rc = audit(db, now, c->actor_id, "api_token.revoked", t.user_id, c->ip, detail, e);
    }
    return rc;
}

int auth_token_revoke(const struct env *env, struct db *db, int64_t token_id, int64_t actor_id,
                      bool is_admin, const char *ip, struct err *e)
{
    struct revoke_ctx c = {env, token_id, actor_id, is_admin, ip};
    return db_transact(db, DB_TX_WRITE, token_revoke_tx, &c, e);
}

/* ---- password reset ----------------------------------------------------------------------- */

struct reset_ctx {
    const struct env *env;
    const char *email;
    const char *base_url;
    const char *ip;
    const char *token;
    const char *password_hash;
};

static int reset_request_tx(struct db *db, void *arg, struct err *e)
{
    struct reset_ctx *c = arg;
    struct user u;
    int rc = users_find_by_email(db, c->email, &u, NULL, e);
    if (rc == ERR_NOT_FOUND || (!rc && !u.active))
        return 0; /* say nothing about who exists */
    if (rc)
        return rc;
    int64_t now = c->env->now(c->env);
    char secret[AUTH_SECRET_LEN + 1], hash[CRED_HASH_HEX + 1];
    auth_new_secret(c->env, secret);
    auth_hash_secret(c->env, secret, AUTH_SECRET_LEN, hash);
    rc = password_resets_insert(db, hash, u.id, now, now + AUTH_RESET_TTL, e);
    if (rc)
        return rc;
    struct buf body;
    buf_init(&body, 8192);
    buf_appendf(&body,
                "Hello %s,\n\nSomeone (we hope you) asked to reset the password of your "
                "frontdesk account. Open this link within an hour to choose a new one:\n\n"
                "%s/reset-password.html#token=%s\n\nIf you did not ask for this, ignore this "
                "message: your password stays as it is.\n",
                u.name, c->base_url, secret);
    struct outbox_new m = {.kind = "password_reset",
                           .to_address = u.email,
                           .subject = "Reset your frontdesk password",
                           .body = buf_cstr(&body)};
    rc = outbox_insert(db, &m, now, NULL, e);
    buf_release(&body);
    sodium_memzero(secret, sizeof secret);
    if (!rc)
        rc = audit(db, now, 0, "auth.password_reset_requested", u.id, c->ip, NULL, e);
    return rc;
}

int auth_password_reset_request(const struct env *env, struct db *db, const char *email,
                                const char *base_url, const char *ip, struct err *e)
{
    if (!email || !email_addr_valid(email, strlen(email)))
        return err_set(e, ERR_INVALID, "email", "email must be an address like name@example.com");
    struct reset_ctx c = {.env = env, .email = email, .base_url = base_url, .ip = ip};
    return db_transact(db, DB_TX_WRITE, reset_request_tx, &c, e);
}

static int reset_confirm_tx(struct db *db, void *arg, struct err *e)
{
    struct reset_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    char hash[CRED_HASH_HEX + 1];
    auth_hash_secret(c->env, c->token, strlen(c->token), hash);
    int64_t user_id;
    int rc = password_resets_consume(db, hash, now, &user_id, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_FORBIDDEN, "token", "the reset link is unknown, used or expired");
    if (!rc)
        rc = users_set_password(db, user_id, c->password_hash, now, e);
    if (!rc)
        rc = sessions_delete_user(db, user_id, NULL, e);
    if (!rc)
        rc = audit(db, now, user_id, "auth.password_reset", user_id, c->ip, NULL, e);
    return rc;
}

int auth_password_reset_confirm(const struct env *env, struct db *db, const char *token,
                                const char *password, const char *ip, struct err *e)
{
    if (!token || !*token)
        return err_set(e, ERR_FORBIDDEN, "token", "the reset link is unknown, used or expired");
    char hash[USER_PASSWORD_HASH_MAX + 1];
    int rc = auth_hash_password(password, "password", hash, e);
    if (rc)
        return rc;
    struct reset_ctx c = {.env = env, .token = token, .password_hash = hash, .ip = ip};
    rc = db_transact(db, DB_TX_WRITE, reset_confirm_tx, &c, e);
    sodium_memzero(hash, sizeof hash);
    return rc;
}
