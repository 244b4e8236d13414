#include "store/bans.h"

#include <string.h>

#define BAN_COLUMNS                                                                                \
    "id, coalesce(user_id, 0), coalesce(organization_id, 0), coalesce(address_key, ''), reason, "  \
    "created_by, created_at, coalesce(lifted_at, 0), coalesce(lifted_by, 0), "                     \
    "coalesce(lift_reason, '')"
#define FLAG_COLUMNS "comment_id, ticket_id, flagged_by, reason, created_at"

static void read_ban(struct db_stmt *st, struct ban *b)
{
    b->id = db_column_int64(st, 0);
    b->user_id = db_column_int64(st, 1);
    b->organization_id = db_column_int64(st, 2);
    db_column_copy(st, 3, b->address, sizeof b->address);
    db_column_copy(st, 4, b->reason, sizeof b->reason);
    b->created_by = db_column_int64(st, 5);
    b->created_at = db_column_int64(st, 6);
    b->lifted_at = db_column_int64(st, 7);
    b->lifted_by = db_column_int64(st, 8);
    db_column_copy(st, 9, b->lift_reason, sizeof b->lift_reason);
}

/* Step st once expecting one ban row: 0 and *out, ERR_NOT_FOUND (naming field) when no row, or
 * the step's error. Hands st back. */
static int one_ban(struct db_stmt *st, const char *field, struct ban *out, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_ban(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, field, "no such ban");
    }
    db_stmt_done(st);
    return rc;
}

int bans_store_insert(struct db *db, int64_t user_id, int64_t organization_id, const char *address,
                      const char *reason, int64_t created_by, int64_t now, struct ban *out,
                      struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO bans (user_id, organization_id, address_key, reason, "
                        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING " BAN_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    if (user_id)
        db_bind_int64(st, 1, user_id);
    if (organization_id)
        db_bind_int64(st, 2, organization_id);
    db_bind_cstr(st, 3, address);
    db_bind_cstr(st, 4, reason);
    db_bind_int64(st, 5, created_by);
    db_bind_int64(st, 6, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_ban(st, out);
        rc = 0;
    } else if (rc == ERR_CONFLICT) {
        rc = err_set(e, ERR_CONFLICT, user_id ? "user_id" : "organization_id",
                     "an active ban of this %s exists already", user_id ? "user" : "organization");
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    }
    db_stmt_done(st);
    return rc;
}

int bans_store_get(struct db *db, int64_t id, struct ban *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " BAN_COLUMNS " FROM bans WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return one_ban(st, "id", out, e);
}

int bans_store_active_for(struct db *db, int64_t user_id, int64_t organization_id, struct ban *out,
                          struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        user_id ? "SELECT " BAN_COLUMNS " FROM bans "
                                  "WHERE user_id = ? AND lifted_at IS NULL"
                                : "SELECT " BAN_COLUMNS " FROM bans "
                                  "WHERE organization_id = ? AND lifted_at IS NULL",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id ? user_id : organization_id);
    return one_ban(st, user_id ? "user_id" : "organization_id", out, e);
}

int bans_store_lift(struct db *db, int64_t id, const char *reason, int64_t lifted_by, int64_t now,
                    struct ban *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE bans SET lifted_at = ?, lifted_by = ?, lift_reason = ? "
                        "WHERE id = ? AND lifted_at IS NULL RETURNING " BAN_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, lifted_by);
    db_bind_cstr(st, 3, reason);
    db_bind_int64(st, 4, id);
    rc = one_ban(st, "id", out, e);
    if (rc == ERR_NOT_FOUND)
        rc = err_set(e, ERR_CONFLICT, "id", "ban %lld is not active", (long long)id);
    return rc;
}

int bans_store_match(struct db *db, int64_t user_id, int64_t organization_id,
                     const char *address_key, int64_t *ban_id, struct err *e)
{
    struct db_stmt *st;
    /* Zero ids and a NULL key match no row: ids start at 1 and NULL equals nothing. */
    int rc = db_prepare(db,
                        "SELECT id FROM bans WHERE lifted_at IS NULL "
                        "AND (user_id = ? OR organization_id = ? OR address_key = ?) "
                        "ORDER BY id LIMIT 1",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, organization_id);
    db_bind_cstr(st, 3, address_key);
    rc = db_step(st, e);
    int64_t id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *ban_id = id;
    return 0;
}

int bans_store_list(struct db *db, bool active_only, int64_t after, unsigned limit, struct ban *out,
                    size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        active_only ? "SELECT " BAN_COLUMNS " FROM bans WHERE id > ? "
                                      "AND lifted_at IS NULL ORDER BY id LIMIT ?"
                                    : "SELECT " BAN_COLUMNS " FROM bans WHERE id > ? "
                                      "ORDER BY id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, after);
    db_bind_int64(st, 2, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW)
        read_ban(st, &out[count++]);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int bans_store_end_sessions(struct db *db, int64_t user_id, int64_t organization_id,
                            int64_t *deleted, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        user_id ? "DELETE FROM sessions WHERE user_id = ? RETURNING id"
                                : "DELETE FROM sessions WHERE user_id IN "
                                  "(SELECT id FROM users WHERE organization_id = ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id ? user_id : organization_id);
    return db_run_count(st, deleted, e);
}

int bans_store_notice_claim(struct db *db, const char *key, int64_t day, int64_t now,
                            bool *inserted, struct err *e)
{
    struct db_stmt *st;
    /* The primary key (address_key, day) decides: a concurrent claimer waits for ours to commit
     * (PostgreSQL) or for the writer lock (SQLite) and then inserts nothing. */
    int rc = db_prepare(db,
                        "INSERT INTO ban_notices (address_key, day, created_at) VALUES (?, ?, ?) "
                        "ON CONFLICT DO NOTHING RETURNING day",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, key);
    db_bind_int64(st, 2, day);
    db_bind_int64(st, 3, now);
    rc = db_step(st, e);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *inserted = rc == DB_ROW;
    return 0;
}

int bans_store_comment_ticket(struct db *db, int64_t comment_id, int64_t *ticket_id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT ticket_id FROM ticket_comments WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, comment_id);
    rc = db_step(st, e);
    int64_t id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_stmt_done(st);
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, "comment_id", "comment %lld not found",
                       (long long)comment_id);
    if (rc < 0)
        return rc;
    *ticket_id = id;
    return 0;
}

int bans_store_flag_comment(struct db *db, int64_t comment_id, int64_t ticket_id,
                            int64_t flagged_by, const char *reason, int64_t now,
                            struct comment_flag *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO comment_flags (comment_id, ticket_id, flagged_by, reason, "
                        "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (comment_id) DO UPDATE "
                        "SET flagged_by = excluded.flagged_by, reason = excluded.reason, "
                        "created_at = excluded.created_at RETURNING " FLAG_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, comment_id);
    db_bind_int64(st, 2, ticket_id);
    db_bind_int64(st, 3, flagged_by);
    db_bind_cstr(st, 4, reason);
    db_bind_int64(st, 5, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        out->comment_id = db_column_int64(st, 0);
        out->ticket_id = db_column_int64(st, 1);
        out->flagged_by = db_column_int64(st, 2);
        db_column_copy(st, 3, out->reason, sizeof out->reason);
        out->created_at = db_column_int64(st, 4);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "insert returned no row");
    }
    db_stmt_done(st);
    return rc;
}
