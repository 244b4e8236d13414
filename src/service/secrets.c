#include "service/secrets.h"

#include "base/buf.h"
#include "store/settings.h"

#include <sodium.h>
#include <string.h>

#define TOKEN_KEY "auth.token_key"

struct load_ctx {
    const struct env *env;
    struct secrets *out;
};

static int load_tx(struct db *db, void *arg, struct err *e)
{
    struct load_ctx *c = arg;
    /* Propose a fresh key; keep whichever key is stored first (another process may race). */
    unsigned char fresh[SECRETS_KEY_BYTES];
    c->env->random_bytes(c->env, fresh, sizeof fresh);
    char value[2 * SECRETS_KEY_BYTES + 3];
    value[0] = '"';
    sodium_bin2hex(value + 1, 2 * SECRETS_KEY_BYTES + 1, fresh, sizeof fresh);
    memcpy(value + 1 + 2 * SECRETS_KEY_BYTES, "\"", 2);
    int inserted;
    int rc = settings_put_new(db, TOKEN_KEY, value, c->env->now(c->env), &inserted, e);
    if (rc)
        return rc;
    struct buf stored;
    buf_init(&stored, 256);
    rc = settings_get(db, TOKEN_KEY, &stored, e);
    size_t bin_len = 0;
    if (!rc && (stored.len != 2 * SECRETS_KEY_BYTES + 2 ||
                sodium_hex2bin(c->out->token_key, SECRETS_KEY_BYTES, stored.ptr + 1,
                               2 * SECRETS_KEY_BYTES, NULL, &bin_len, NULL) != 0 ||
                bin_len != SECRETS_KEY_BYTES))
        rc = err_set(e, ERR_INTERNAL, TOKEN_KEY, "setting %s is malformed", TOKEN_KEY);
    buf_release(&stored);
    sodium_memzero(fresh, sizeof fresh);
    return rc;
}

int secrets_load(const struct env *env, struct db *db, struct secrets *out, struct err *e)
{
    struct load_ctx c = {env, out};
    return db_transact(db, DB_TX_WRITE, load_tx, &c, e);
}
