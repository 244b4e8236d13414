/* users: the people who sign in (staff now; requesters join with the ticketing issue).
 * Repository over table users; runs on the caller's connection and transaction. */
#ifndef FRONTDESK_STORE_USERS_H
#define FRONTDESK_STORE_USERS_H

#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define USER_NAME_MAX 255
#define USER_EMAIL_MAX 254
#define USER_ROLE_MAX 16

struct user {
    int64_t id;
    char name[USER_NAME_MAX * 4 + 1]; /* up to 255 characters of UTF-8 */
    char email[USER_EMAIL_MAX + 1];
    char role[USER_ROLE_MAX + 1]; /* "end-user", "agent", "lead", "admin" */
    int64_t created_at;
    int64_t updated_at;
};

struct user_new {
    const char *name;
    const char *email;
    const char *role;
    const char *password_hash; /* NULL: cannot sign in with a password */
};

/* How many users have role. */
int users_count_role(struct db *db, const char *role, int64_t *out, struct err *e);
/* Insert and fill *out. A taken email (any case) is ERR_CONFLICT naming "email". */
int users_insert(struct db *db, const struct user_new *u, int64_t now, struct user *out,
                 struct err *e);

#endif
