/* groups: the teams (Zendesk's groups) and who is in them (group_memberships). Repository over
 * tables groups and group_memberships; runs on the caller's connection and transaction. Only
 * staff may be members, but that is the service's rule (service/people.h): this module only
 * reads and writes.
 *
 * Group names are unique case-insensitively (lower(name)); a user is in a group at most once.
 * Lists are ordered by id and start after a given id (cursor pagination, http/paging.h).
 * Thread-safe as far as the connection is (one thread per connection).
 */
#ifndef FRONTDESK_STORE_GROUPS_H
#define FRONTDESK_STORE_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define GROUP_NAME_MAX 255 /* characters */

struct group {
    int64_t id;
    char name[GROUP_NAME_MAX * 4 + 1]; /* UTF-8 */
    int64_t created_at;
    int64_t updated_at;
};

/* Insert a group named name (len bytes) and fill *out. A taken name (any case) is ERR_CONFLICT
 * naming "name". */
int groups_insert(struct db *db, const char *name, size_t len, int64_t now, struct group *out,
                  struct err *e);
/* Insert a group named name unless one with that name (any case) exists; *inserted says
 * which happened. */
int groups_insert_absent(struct db *db, const char *name, int64_t now, bool *inserted,
                         struct err *e);
/* The id of the group named name (any case), 0 when there is none. */
int groups_find_by_name(struct db *db, const char *name, int64_t *id, struct err *e);
/* By id; ERR_NOT_FOUND when absent. */
int groups_get(struct db *db, int64_t id, struct group *out, struct err *e);
/* Rename and fill *out; ERR_NOT_FOUND when absent, ERR_CONFLICT naming "name" when taken. */
int groups_rename(struct db *db, int64_t id, const char *name, size_t len, int64_t now,
                  struct group *out, struct err *e);
/* Up to limit groups with id > after, by id, into out[0..*n). */
int groups_list(struct db *db, int64_t after, unsigned limit, struct group *out, size_t *n,
                struct err *e);

struct group_membership {
    int64_t id;
    int64_t group_id;
    int64_t user_id;
    int64_t created_at;
};

/* Add user_id to group_id and fill *out. Already a member is ERR_CONFLICT naming "user_id";
 * a group or user that does not exist is ERR_INVALID (foreign key). */
int group_memberships_insert(struct db *db, int64_t group_id, int64_t user_id, int64_t now,
                             struct group_membership *out, struct err *e);
/* By id; ERR_NOT_FOUND when absent. */
int group_memberships_get(struct db *db, int64_t id, struct group_membership *out, struct err *e);
/* Remove one membership; ERR_NOT_FOUND when absent. */
int group_memberships_delete(struct db *db, int64_t id, struct err *e);
/* Remove every membership of user_id (when they stop being staff); *deleted (may be NULL)
 * receives how many. */
int group_memberships_delete_user(struct db *db, int64_t user_id, int64_t *deleted, struct err *e);

/* Which memberships a list holds. Zero fields do not filter. */
struct group_memberships_filter {
    int64_t group_id;
    int64_t user_id;
};

/* Up to limit memberships matching f with id > after, by id, into out[0..*n). */
int group_memberships_list(struct db *db, const struct group_memberships_filter *f, int64_t after,
                           unsigned limit, struct group_membership *out, size_t *n, struct err *e);

#endif
