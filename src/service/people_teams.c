/* people_teams: teams (Zendesk's groups) and their members. */
#include "service/people_internal.h"

#include "store/audit.h"

#include <stdio.h>
#include <string.h>

/* ---- groups and memberships ---------------------------------------------------------------- */

static int need_staff(const struct people_actor *actor, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "teams are for staff");
    return 0;
}

static int need_admin_for_teams(const struct people_actor *actor, struct err *e)
{
    if (!access_is_admin(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only administrators manage teams");
    return 0;
}

static int group_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "group %lld not found", (long long)id);
}

int people_group_get(struct db *db, const struct people_actor *actor, int64_t id, struct group *out,
                     struct err *e)
{
    int rc = need_staff(actor, e);
    if (!rc)
        rc = groups_get(db, id, out, e);
    return rc == ERR_NOT_FOUND ? group_not_found(id, e) : rc;
}

int people_groups_list(struct db *db, const struct people_actor *actor, int64_t after,
                       unsigned limit, struct group *out, size_t *n, struct err *e)
{
    int rc = need_staff(actor, e);
    return rc ? rc : groups_list(db, after, limit, out, n, e);
}

struct group_write_ctx {
    const struct env *env;
    int64_t id; /* 0: create */
    const char *name;
    struct group *out;
};

static int group_write_tx(struct db *db, void *arg, struct err *e)
{
    struct group_write_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    size_t len = strlen(c->name);
    int rc = c->id ? groups_rename(db, c->id, c->name, len, now, c->out, e)
                   : groups_insert(db, c->name, len, now, c->out, e);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_INVALID, "group.name", "name \"%s\" is already used by another group",
                       c->name);
    return rc == ERR_NOT_FOUND ? group_not_found(c->id, e) : rc;
}

static int group_write(const struct env *env, struct db *db, const struct people_actor *actor,
                       int64_t id, const char *name, struct group *out, struct err *e)
{
    int rc = need_admin_for_teams(actor, e);
    char clean[GROUP_NAME_MAX * 4 + 1];
    if (!rc)
        rc = people__clean_text(name, "group.name", GROUP_NAME_MAX, false, clean, sizeof clean, e);
    if (rc)
        return rc;
    struct group_write_ctx c = {env, id, clean, out};
    return db_transact(db, DB_TX_WRITE, group_write_tx, &c, e);
}

int people_group_create(const struct env *env, struct db *db, const struct people_actor *actor,
                        const char *name, struct group *out, struct err *e)
{
    return group_write(env, db, actor, 0, name, out, e);
}

int people_group_update(const struct env *env, struct db *db, const struct people_actor *actor,
                        int64_t id, const char *name, struct group *out, struct err *e)
{
    int rc = need_staff(actor, e);
    struct group g;
    if (!rc) /* a group that does not exist is "not found" before the name is judged */
        rc = groups_get(db, id, &g, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? group_not_found(id, e) : rc;
    return group_write(env, db, actor, id, name, out, e);
}

static int membership_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "group membership %lld not found", (long long)id);
}

int people_membership_get(struct db *db, const struct people_actor *actor, int64_t id,
                          struct group_membership *out, struct err *e)
{
    int rc = need_staff(actor, e);
    if (!rc)
        rc = group_memberships_get(db, id, out, e);
    return rc == ERR_NOT_FOUND ? membership_not_found(id, e) : rc;
}

int people_memberships_list(struct db *db, const struct people_actor *actor,
                            const struct group_memberships_filter *f, int64_t after, unsigned limit,
                            struct group_membership *out, size_t *n, struct err *e)
{
    int rc = need_staff(actor, e);
    if (rc)
        return rc;
    if (f->group_id) {
        struct group g;
        rc = groups_get(db, f->group_id, &g, e);
        if (rc)
            return rc == ERR_NOT_FOUND ? group_not_found(f->group_id, e) : rc;
    }
    if (f->user_id) {
        struct user u;
        rc = users_get(db, f->user_id, &u, e);
        if (rc)
            return rc == ERR_NOT_FOUND ? people__user_not_found(f->user_id, e) : rc;
    }
    return group_memberships_list(db, f, after, limit, out, n, e);
}

struct membership_ctx {
    const struct env *env;
    int64_t group_id;
    int64_t user_id;
    struct group_membership *out;
};

static int membership_create_tx(struct db *db, void *arg, struct err *e)
{
    struct membership_ctx *c = arg;
    struct group g;
    struct user u;
    int rc = groups_get(db, c->group_id, &g, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "group_membership.group_id", "group %lld does not exist",
                       (long long)c->group_id);
    if (!rc)
        rc = users_get(db, c->user_id, &u, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "group_membership.user_id", "user %lld does not exist",
                       (long long)c->user_id);
    if (rc)
        return rc;
    if (!access_role_name_is_staff(u.role))
        return err_set(e, ERR_INVALID, "group_membership.user_id",
                       "only staff can be members of a team: user %lld is a requester",
                       (long long)c->user_id);
    rc = group_memberships_insert(db, c->group_id, c->user_id, c->env->now(c->env), c->out, e);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_INVALID, "group_membership.user_id",
                       "user %lld is already a member of group %lld", (long long)c->user_id,
                       (long long)c->group_id);
    return rc;
}

int people_membership_create(const struct env *env, struct db *db, const struct people_actor *actor,
                             int64_t group_id, int64_t user_id, struct group_membership *out,
                             struct err *e)
{
    int rc = need_admin_for_teams(actor, e);
    if (rc)
        return rc;
    if (user_id <= 0)
        return err_set(e, ERR_INVALID, "group_membership.user_id",
                       "user_id must be the id of a staff member");
    if (group_id <= 0)
        return err_set(e, ERR_INVALID, "group_membership.group_id",
                       "group_id must be the id of a group");
    struct membership_ctx c = {env, group_id, user_id, out};
    return db_transact(db, DB_TX_WRITE, membership_create_tx, &c, e);
}

struct membership_delete_ctx {
    int64_t id;
};

static int membership_delete_tx(struct db *db, void *arg, struct err *e)
{
    int64_t id = ((struct membership_delete_ctx *)arg)->id;
    int rc = group_memberships_delete(db, id, e);
    return rc == ERR_NOT_FOUND ? membership_not_found(id, e) : rc;
}

int people_membership_delete(const struct env *env, struct db *db, const struct people_actor *actor,
                             int64_t id, struct err *e)
{
    (void)env;
    int rc = need_staff(actor, e);
    if (!rc)
        rc = need_admin_for_teams(actor, e);
    if (rc)
        return rc;
    struct membership_delete_ctx c = {id};
    return db_transact(db, DB_TX_WRITE, membership_delete_tx, &c, e);
}
