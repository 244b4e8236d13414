/* credentials: sessions, API tokens, password-reset tokens and sign-in failures.
 *
 * Only keyed hashes of secrets are stored (hex of BLAKE2b-256 keyed with the instance's token
 * key; see service/auth.c); lookups are by hash. Runs on the caller's connection and
 * transaction.
 */
#ifndef FRONTDESK_STORE_CREDENTIALS_H
#define FRONTDESK_STORE_CREDENTIALS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define CRED_HASH_HEX 64

struct session_row {
    int64_t id;
    int64_t user_id;
    int64_t created_at;
    int64_t last_seen_at;
    int64_t expires_at;
};

int sessions_insert(struct db *db, const char *hash, int64_t user_id, int64_t now,
                    int64_t expires_at, const char *ip, const char *user_agent, int64_t *id,
                    struct err *e);
/* ERR_NOT_FOUND when no session has this hash. */
int sessions_find(struct db *db, const char *hash, struct session_row *out, struct err *e);
int sessions_touch(struct db *db, int64_t id, int64_t now, struct err *e);
int sessions_delete(struct db *db, int64_t id, struct err *e);
/* Delete every session of user_id; *deleted (may be NULL) receives how many. */
int sessions_delete_user(struct db *db, int64_t user_id, int64_t *deleted, struct err *e);

struct api_token_row {
    int64_t id;
    int64_t user_id;
    char name[256];
    int64_t created_at;
    int64_t last_used_at; /* 0: never */
    int64_t revoked_at;   /* 0: live */
};

int api_tokens_insert(struct db *db, int64_t user_id, const char *name, const char *hash,
                      int64_t now, struct api_token_row *out, struct err *e);
/* A live (not revoked) token by hash; ERR_NOT_FOUND otherwise. */
int api_tokens_find_live(struct db *db, const char *hash, struct api_token_row *out,
                         struct err *e);
int api_tokens_touch(struct db *db, int64_t id, int64_t now, struct err *e);
/* A token by id, live or revoked; ERR_NOT_FOUND when absent. */
int api_tokens_get(struct db *db, int64_t id, struct api_token_row *out, struct err *e);
/* Tokens of user_id (0: everyone's) with id > after, by id, at most cap into out; *n receives
 * how many. */
int api_tokens_list(struct db *db, int64_t user_id, int64_t after, size_t cap,
                    struct api_token_row *out, size_t *n, struct err *e);
/* Mark revoked at now (a revoked token stays revoked: its first revocation time is kept). */
int api_tokens_revoke(struct db *db, int64_t id, int64_t now, struct err *e);

/* Password resets: one-time tokens with an expiry. */
int password_resets_insert(struct db *db, const char *hash, int64_t user_id, int64_t now,
                           int64_t expires_at, struct err *e);
/* Mark the token used when it is unused and unexpired, returning its user; ERR_NOT_FOUND
 * otherwise (unknown, used or expired are the same answer). */
int password_resets_consume(struct db *db, const char *hash, int64_t now, int64_t *user_id,
                            struct err *e);

/* Sign-in failures per key ("email:a@b.c", "ip:192.0.2.1"). */
/* Serialise sign-in attempts on key until the transaction ends (PostgreSQL: an advisory
 * transaction lock; SQLite's single writer serialises write transactions already). */
int sign_in_failures_lock(struct db *db, const char *key, struct err *e);
/* Record a failure; *id (may be NULL) receives its id. */
int sign_in_failures_add(struct db *db, const char *key, int64_t now, int64_t *id, struct err *e);
int sign_in_failures_delete(struct db *db, int64_t id, struct err *e);
/* Failures of key since `since`, oldest first, at most cap of the newest; *n receives the count. */
int sign_in_failures_since(struct db *db, const char *key, int64_t since, int64_t *out,
                           size_t cap, size_t *n, struct err *e);
int sign_in_failures_clear(struct db *db, const char *key, struct err *e);
/* Drop failures older than before (housekeeping: jobs/attempts_sweep.c); *deleted how many. */
int sign_in_failures_prune(struct db *db, int64_t before, int64_t *deleted, struct err *e);

#endif
