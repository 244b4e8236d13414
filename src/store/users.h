/* users: the people who sign in or write in: requesters (role "end-user") and staff ("agent",
 * "lead", "admin"). Repository over table users; runs on the caller's connection and
 * transaction. Emails are unique case-insensitively (ASCII folding). */
#ifndef FRONTDESK_STORE_USERS_H
#define FRONTDESK_STORE_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define USER_NAME_MAX 255
#define USER_EMAIL_MAX 254
#define USER_ROLE_MAX 16
#define USER_PHONE_MAX 32
#define USER_PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */

struct user {
    int64_t id;
    char name[USER_NAME_MAX * 4 + 1]; /* up to 255 characters of UTF-8 */
    char email[USER_EMAIL_MAX + 1];
    char role[USER_ROLE_MAX + 1]; /* "end-user", "agent", "lead", "admin" */
    char phone[USER_PHONE_MAX + 1]; /* "" when none */
    int64_t organization_id;        /* 0 when none */
    char account_role[USER_ROLE_MAX + 1]; /* "owner", "member", "billing_contact" or "" */
    bool active;
    bool has_password;
    int64_t created_at;
    int64_t updated_at;
};

struct user_new {
    const char *name;
    const char *email;
    const char *role;
    const char *password_hash; /* NULL: cannot sign in with a password */
    const char *phone;         /* NULL: none */
    int64_t organization_id;   /* 0: none */
    const char *account_role;  /* NULL: none */
};

/* How many users have role. */
int users_count_role(struct db *db, const char *role, int64_t *out, struct err *e);
/* Insert and fill *out. A taken email (any case) is ERR_CONFLICT naming "email". */
int users_insert(struct db *db, const struct user_new *u, int64_t now, struct user *out,
                 struct err *e);
/* By id; ERR_NOT_FOUND when absent. */
int users_get(struct db *db, int64_t id, struct user *out, struct err *e);
/* By email, any case; ERR_NOT_FOUND when absent. When hash is not NULL it receives the stored
 * password hash ("" when none; at least USER_PASSWORD_HASH_MAX + 1 bytes). */
int users_find_by_email(struct db *db, const char *email, struct user *out, char *hash,
                        struct err *e);
/* Replace the password hash. */
int users_set_password(struct db *db, int64_t id, const char *password_hash, int64_t now,
                       struct err *e);

/* Write back every field of u a person or an administrator may change (name, email, role,
 * phone, organization_id, account_role, active), by u->id, and set u->updated_at to now.
 * ERR_NOT_FOUND when no such user; a taken email (any case) is ERR_CONFLICT naming "email". */
int users_save(struct db *db, struct user *u, int64_t now, struct err *e);

/* Inside a write transaction, lock the user's row until commit so concurrent updates of one
 * user serialize (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the writer lock already does).
 * ERR_NOT_FOUND when absent. */
int users_lock(struct db *db, int64_t id, struct err *e);

/* How many active administrators there are. Inside a write transaction on PostgreSQL their
 * rows stay locked until commit, so two transactions that each demote or deactivate a
 * different admin cannot both see the other one still standing. */
int users_count_active_admins(struct db *db, int64_t *out, struct err *e);

#define USERS_PREFIX_MAX USER_EMAIL_MAX /* bytes of a search prefix */

/* Which users a list holds. Zero fields do not filter. */
struct users_filter {
    const char *role;        /* exact stored role */
    int64_t organization_id; /* members of this account */
    /* Email or name starting with this text, compared after lower() on both sides (ASCII
     * folding on SQLite, the database's on PostgreSQL); at most USERS_PREFIX_MAX bytes, else
     * ERR_INVALID naming "query". LIKE's wildcards in it match themselves. */
    const char *prefix;
};

/* Up to limit users matching f with id > after, by id, into out[0..*n). */
int users_list(struct db *db, const struct users_filter *f, int64_t after, unsigned limit,
               struct user *out, size_t *n, struct err *e);

/* Who to notify: the active members of a team (group_id), or else the active users with a
 * role; their email addresses into out[0..*n), at most cap, by id. */
int users_notify_emails(struct db *db, const char *role, int64_t group_id,
                        char (*out)[USER_EMAIL_MAX + 1], size_t cap, size_t *n, struct err *e);

#endif
