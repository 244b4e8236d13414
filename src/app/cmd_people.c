/* Operator commands for people and credentials: `staff add` and `token create`. */
#include "app/commands.h"

#include "core/email_addr.h"
#include "service/auth.h"
#include "store/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* One line from standard input, without its line ending; no echo handling: a person at a
 * terminal can pipe it (`printf '%s\n' "$PW" | frontdesk staff add ...`). */
static int read_password(char *out, size_t cap)
{
    if (!fgets(out, (int)cap, stdin))
        return -1;
    size_t n = strlen(out);
    if (n == cap - 1 && out[n - 1] != '\n')
        return -1; /* longer than we accept */
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return 0;
}

struct staff_ctx {
    const struct env *env;
    const struct config *cfg;
    const char *hash;
    struct user *out;
};

static int staff_add_tx(struct db *db, void *arg, struct err *e)
{
    struct staff_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct user_new u = {.name = c->cfg->name,
                         .email = c->cfg->email,
                         .role = c->cfg->role,
                         .password_hash = c->hash};
    int rc = users_insert(db, &u, now, c->out, e);
    if (rc)
        return rc;
    char detail[64];
    snprintf(detail, sizeof detail, "{\"role\":\"%s\",\"via\":\"cli\"}", c->cfg->role);
    struct audit_entry a = {.at = now,
                            .action = "staff.added",
                            .target_type = "user",
                            .target_id = c->out->id,
                            .detail = detail};
    return audit_append(db, &a, e);
}

int cmd_staff_add(const struct config *cfg, struct env *env)
{
    if (!email_addr_valid(cfg->email, strlen(cfg->email))) {
        fprintf(stderr, "frontdesk staff add: --email: \"%s\" is not an email address\n",
                cfg->email);
        return 2;
    }
    char password[AUTH_PASSWORD_MAX + 2];
    if (read_password(password, sizeof password)) {
        fprintf(stderr, "frontdesk staff add: expected the password on standard input (one line, "
                        "at most %d bytes)\n",
                AUTH_PASSWORD_MAX);
        return 1;
    }
    struct err e;
    err_clear(&e);
    char hash[USER_PASSWORD_HASH_MAX + 1];
    int rc = auth_hash_password(password, "password", hash, &e);
    sodium_memzero(password, sizeof password);
    if (rc) {
        fprintf(stderr, "frontdesk staff add: %s\n", e.message);
        return 1;
    }
    if (cmd_open_database(cfg, env, NULL))
        return 1;
    struct db *db;
    struct user created;
    struct staff_ctx c = {env, cfg, hash, &created};
    rc = db_pool_conn(env->db, &db, &e);
    if (!rc)
        rc = db_transact(db, DB_TX_WRITE, staff_add_tx, &c, &e);
    db_pool_free(env->db);
    env->db = NULL;
    if (rc) {
        fprintf(stderr, "frontdesk staff add: %s\n", e.message);
        return 1;
    }
    printf("frontdesk staff add: added %s <%s> with role %s (user %lld)\n", created.name,
           created.email, created.role, (long long)created.id);
    return 0;
}

int cmd_token_create(const struct config *cfg, struct env *env)
{
    if (cmd_open_database(cfg, env, NULL))
        return 1;
    struct err e;
    err_clear(&e);
    struct db *db;
    struct api_token_row token;
    char secret[AUTH_SECRET_LEN + 1];
    int rc = db_pool_conn(env->db, &db, &e);
    if (!rc)
        rc = auth_token_create(env, db, cfg->email, cfg->name, 0, &token, secret, &e);
    db_pool_free(env->db);
    env->db = NULL;
    if (rc) {
        fprintf(stderr, "frontdesk token create: %s\n", e.message);
        return 1;
    }
    /* The token alone on stdout, so scripts can capture it; it is shown this once. */
    printf("%s\n", secret);
    fprintf(stderr, "frontdesk token create: token %lld \"%s\" for %s; it is not shown again\n",
            (long long)token.id, token.name, cfg->email);
    sodium_memzero(secret, sizeof secret);
    return 0;
}
