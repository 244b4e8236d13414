#include "service/setup.h"

#include "base/buf.h"
#include "base/timefmt.h"
#include "core/email_addr.h"
#include "service/auth.h"
#include "store/audit.h"
#include "store/settings.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_HASH_KEY "setup.token_hash"

/* Hex of BLAKE2b-256 of the token: tokens carry 256 bits of entropy, so a fast hash is enough
 * (nobody can brute-force the preimage), and the database never holds a usable token. */
static void token_hash_hex(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static int admin_exists(struct db *db, bool *out, struct err *e)
{
    int64_t n = 0;
    int rc = users_count_role(db, "admin", &n, e);
    if (!rc)
        *out = n > 0;
    return rc;
}

struct init_ctx {
    const struct env *env;
    char *token;
    int result;
};

static int init_tx(struct db *db, void *arg, struct err *e)
{
    struct init_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    char created[TIMEFMT_ISO_LEN + 3];
    created[0] = '"';
    timefmt_iso8601(now, created + 1);
    memcpy(created + 1 + TIMEFMT_ISO_LEN, "\"", 2);
    int inserted;
    int rc = settings_put_new(db, "instance.created_at", created, now, &inserted, e);
    bool exists = false;
    if (!rc)
        rc = admin_exists(db, &exists, e);
    if (rc)
        return rc;
    if (exists) {
        c->result = SETUP_ADMIN_EXISTS;
        return settings_delete(db, TOKEN_HASH_KEY, e);
    }
    unsigned char raw[32];
    c->env->random_bytes(c->env, raw, sizeof raw);
    sodium_bin2base64(c->token, SETUP_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char hash[65], value[68];
    token_hash_hex(c->token, hash);
    value[0] = '"';
    memcpy(value + 1, hash, 64);
    memcpy(value + 65, "\"", 2);
    c->result = SETUP_TOKEN_ISSUED;
    return settings_put(db, TOKEN_HASH_KEY, value, now, e);
}

int setup_init_instance(const struct env *env, struct db *db, char token[SETUP_TOKEN_LEN + 1],
                        struct err *e)
{
    struct init_ctx c = {env, token, 0};
    token[0] = '\0';
    int rc = db_transact(db, DB_TX_WRITE, init_tx, &c, e);
    return rc ? rc : c.result;
}

/* Does the presented token match the stored hash? Constant time in the comparison. */
static int token_matches(struct db *db, const char *token, bool *out, struct err *e)
{
    struct buf stored;
    buf_init(&stored, 128);
    int rc = settings_get(db, TOKEN_HASH_KEY, &stored, e);
    *out = false;
    if (rc == ERR_NOT_FOUND) {
        rc = 0;
    } else if (!rc && token && stored.len == 66) {
        char hash[65];
        token_hash_hex(token, hash);
        *out = sodium_memcmp(hash, stored.ptr + 1, 64) == 0;
    }
    buf_release(&stored);
    return rc;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int validate(const struct setup_request *r, struct err *e)
{
    struct slice name = slice_trim(slice_from_cstr(r->name ? r->name : ""));
    if (name.len == 0)
        return err_set(e, ERR_INVALID, "user.name", "name must not be empty");
    if (utf8_chars(r->name) > USER_NAME_MAX)
        return err_set(e, ERR_INVALID, "user.name", "name must be at most %d characters",
                       USER_NAME_MAX);
    if (!r->email || !email_addr_valid(r->email, strlen(r->email)))
        return err_set(e, ERR_INVALID, "user.email", "email must be an address like name@example.com");
    return 0; /* the password is checked where it is hashed: auth_hash_password() */
}

/* Everything that may refuse the request before the password is hashed (which is slow on
 * purpose), inside a read transaction so the checks see one state. */
static int precheck_tx(struct db *db, void *arg, struct err *e)
{
    const struct setup_request *r = arg;
    bool exists, ok;
    int rc = admin_exists(db, &exists, e);
    if (rc)
        return rc;
    if (exists)
        return err_set(e, ERR_CONFLICT, NULL, "setup is already complete: an administrator exists");
    rc = token_matches(db, r->token, &ok, e);
    if (rc)
        return rc;
    if (!ok)
        return err_set(e, ERR_FORBIDDEN, "setup_token",
                       "setup token is missing or wrong: use the one `frontdesk init` printed last");
    return validate(r, e);
}

struct create_ctx {
    const struct env *env;
    const struct setup_request *req;
    const char *password_hash;
    struct user *out;
};

static int create_tx(struct db *db, void *arg, struct err *e)
{
    struct create_ctx *c = arg;
    /* Check again under the write lock: two setups may have raced past the precheck. */
    int rc = precheck_tx(db, (void *)c->req, e);
    if (rc)
        return rc;
    int64_t now = c->env->now(c->env);
    struct user_new u = {.name = c->req->name,
                         .email = c->req->email,
                         .role = "admin",
                         .password_hash = c->password_hash};
    rc = users_insert(db, &u, now, c->out, e);
    if (rc == ERR_CONFLICT) /* users_insert names "email"; our caller's field is "user.email" */
        snprintf(e->field, sizeof e->field, "user.email");
    if (!rc)
        rc = settings_delete(db, TOKEN_HASH_KEY, e);
    if (!rc) {
        struct audit_entry a = {.at = now,
                                .actor_id = c->out->id,
                                .action = "setup.completed",
                                .target_type = "user",
                                .target_id = c->out->id,
                                .ip = c->req->ip};
        rc = audit_append(db, &a, e);
    }
    return rc;
}

int setup_create_admin(const struct env *env, struct db *db, const struct setup_request *req,
                       struct user *out, struct err *e)
{
    int rc = db_transact(db, DB_TX_READ, precheck_tx, (void *)req, e);
    if (rc)
        return rc;
    char hash[USER_PASSWORD_HASH_MAX + 1];
    rc = auth_hash_password(req->password, "user.password", hash, e);
    if (rc)
        return rc;
    struct create_ctx c = {env, req, hash, out};
    rc = db_transact(db, DB_TX_WRITE, create_tx, &c, e);
    sodium_memzero(hash, sizeof hash);
    return rc;
}
