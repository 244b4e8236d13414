#include "service/secrets.h"

#include "base/buf.h"
#include "store/settings.h"

#include <sodium.h>
#include <string.h>

#define TOKEN_KEY "auth.token_key"
#define MAIL_KEY  "mail.token_key"

/* Read the key stored under name, storing a fresh one first if there is none. Another process
 * may race: whichever key is stored first is everybody's. */
static int load_key(const struct env *env, struct db *db, const char *name,
                    unsigned char out[SECRETS_KEY_BYTES], struct err *e)
{
    unsigned char fresh[SECRETS_KEY_BYTES];
    env->random_bytes(env, fresh, sizeof fresh);
    char value[2 * SECRETS_KEY_BYTES + 3];
    value[0] = '"';
    sodium_bin2hex(value + 1, 2 * SECRETS_KEY_BYTES + 1, fresh, sizeof fresh);
    memcpy(value + 1 + 2 * SECRETS_KEY_BYTES, "\"", 2);
    int inserted;
    int rc = settings_put_new(db, name, value, env->now(env), &inserted, e);
    if (rc)
        goto done;
    struct buf stored;
    buf_init(&stored, 256);
    rc = settings_get(db, name, &stored, e);
    size_t bin_len = 0;
    if (!rc && (stored.len != 2 * SECRETS_KEY_BYTES + 2 ||
                sodium_hex2bin(out, SECRETS_KEY_BYTES, stored.ptr + 1, 2 * SECRETS_KEY_BYTES, NULL,
                               &bin_len, NULL) != 0 ||
                bin_len != SECRETS_KEY_BYTES))
        rc = err_set(e, ERR_INTERNAL, name, "setting %s is malformed", name);
    buf_release(&stored);
done:
    sodium_memzero(fresh, sizeof fresh);
    return rc;
}

struct load_ctx {
    const struct env *env;
    struct secrets *out;
};

static int load_tx(struct db *db, void *arg, struct err *e)
{
    struct load_ctx *c = arg;
    int rc = load_key(c->env, db, TOKEN_KEY, c->out->token_key, e);
    return rc ? rc : load_key(c->env, db, MAIL_KEY, c->out->mail_key, e);
}

int secrets_load(const struct env *env, struct db *db, struct secrets *out, struct err *e)
{
    struct load_ctx c = {env, out};
    return db_transact(db, DB_TX_WRITE, load_tx, &c, e);
}
