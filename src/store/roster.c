#include "store/roster.h"

#include <string.h>

/* An active lead or admin: who may be on duty. The users table keeps active as 0/1 on both
 * engines (migration 0003). */
#define ELIGIBLE "(u.active = 1 AND u.role IN ('lead', 'admin'))"

int roster_row_get(struct db *db, struct roster_row *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db, "SELECT anchor_date, updated_by, updated_at FROM duty_roster WHERE id = 1", &st, e);
    if (rc)
        return rc;
    struct roster_row r;
    memset(&r, 0, sizeof r);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        r.set = true;
        db_column_copy(st, 0, r.anchor_date, sizeof r.anchor_date);
        r.updated_by = db_column_int64(st, 1);
        r.updated_at = db_column_int64(st, 2);
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, "SELECT user_id FROM duty_roster_leads ORDER BY slot LIMIT ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ROSTER_LEADS_MAX);
    while (r.nleads < ROSTER_LEADS_MAX && (rc = db_step(st, e)) == DB_ROW)
        r.lead_ids[r.nleads++] = db_column_int64(st, 0);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *out = r;
    return 0;
}

int roster_row_leads(struct db *db, struct roster_row_lead *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT l.user_id, CASE WHEN " ELIGIBLE " THEN 1 ELSE 0 END "
                        "FROM duty_roster_leads l JOIN users u ON u.id = l.user_id "
                        "ORDER BY l.slot LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ROSTER_LEADS_MAX);
    size_t count = 0;
    while (count < ROSTER_LEADS_MAX && (rc = db_step(st, e)) == DB_ROW) {
        out[count].user_id = db_column_int64(st, 0);
        out[count].eligible = db_column_int64(st, 1) != 0;
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int roster_row_put(struct db *db, const char *anchor_date, const int64_t *lead_ids, size_t n,
                   int64_t actor_id, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO duty_roster (id, anchor_date, updated_by, updated_at) "
                        "VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                        "anchor_date = excluded.anchor_date, updated_by = excluded.updated_by, "
                        "updated_at = excluded.updated_at",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, anchor_date);
    if (actor_id)
        db_bind_int64(st, 2, actor_id);
    db_bind_int64(st, 3, now);
    rc = db_run(st, e);
    if (!rc)
        rc = db_prepare(db, "DELETE FROM duty_roster_leads", &st, e);
    if (!rc)
        rc = db_run(st, e);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = db_prepare(db, "INSERT INTO duty_roster_leads (slot, user_id) VALUES (?, ?)", &st, e);
        if (rc)
            break;
        db_bind_int64(st, 1, (int64_t)i);
        db_bind_int64(st, 2, lead_ids[i]);
        rc = db_run(st, e);
    }
    return rc;
}

#define OVERRIDE_COLUMNS                                                                           \
    "o.id, o.user_id, o.starts_at, o.ends_at, o.reason, o.created_by, o.created_at, "              \
    "CASE WHEN " ELIGIBLE " THEN 1 ELSE 0 END"
#define OVERRIDE_FROM " FROM duty_roster_overrides o JOIN users u ON u.id = o.user_id"

static void read_override(struct db_stmt *st, struct roster_override_row *o)
{
    o->id = db_column_int64(st, 0);
    o->user_id = db_column_int64(st, 1);
    o->starts_at = db_column_int64(st, 2);
    o->ends_at = db_column_int64(st, 3);
    db_column_copy(st, 4, o->reason, sizeof o->reason);
    o->created_by = db_column_int64(st, 5);
    o->created_at = db_column_int64(st, 6);
    o->eligible = db_column_int64(st, 7) != 0;
}

int roster_overrides_insert(struct db *db, int64_t user_id, int64_t starts_at, int64_t ends_at,
                            const char *reason, int64_t actor_id, int64_t now,
                            struct roster_override_row *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO duty_roster_overrides "
                        "(user_id, starts_at, ends_at, reason, created_by, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, starts_at);
    db_bind_int64(st, 3, ends_at);
    db_bind_cstr(st, 4, reason);
    if (actor_id)
        db_bind_int64(st, 5, actor_id);
    db_bind_int64(st, 6, now);
    int64_t id;
    rc = db_step_returning_id(st, &id, e);
    return rc ? rc : roster_overrides_get(db, id, out, e);
}

int roster_overrides_get(struct db *db, int64_t id, struct roster_override_row *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " OVERRIDE_COLUMNS OVERRIDE_FROM " WHERE o.id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_override(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, "id", "roster override %lld not found", (long long)id);
    }
    db_stmt_done(st);
    return rc;
}

int roster_overrides_delete(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM duty_roster_overrides WHERE id = ? RETURNING id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    int64_t rows = 0;
    rc = db_run_count(st, &rows, e);
    if (!rc && rows == 0)
        rc = err_set(e, ERR_NOT_FOUND, "id", "roster override %lld not found", (long long)id);
    return rc;
}

int roster_overrides_list(struct db *db, int64_t ended_after, int64_t after, unsigned limit,
                          struct roster_override_row *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " OVERRIDE_COLUMNS OVERRIDE_FROM
                        " WHERE o.id > ? AND o.ends_at > ? ORDER BY o.id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, after);
    db_bind_int64(st, 2, ended_after > 0 ? ended_after : INT64_MIN);
    db_bind_int64(st, 3, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW)
        read_override(st, &out[count++]);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int roster_overrides_current(struct db *db, int64_t t, struct roster_override *out, size_t cap,
                             size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT o.id, o.user_id, o.starts_at, o.ends_at, "
                        "CASE WHEN " ELIGIBLE " THEN 1 ELSE 0 END" OVERRIDE_FROM
                        " WHERE o.ends_at > ? ORDER BY o.id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, t);
    db_bind_int64(st, 2, (int64_t)cap);
    size_t count = 0;
    while (count < cap && (rc = db_step(st, e)) == DB_ROW) {
        out[count] = (struct roster_override){db_column_int64(st, 0), db_column_int64(st, 1),
                                              db_column_int64(st, 2), db_column_int64(st, 3),
                                              db_column_int64(st, 4) != 0};
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int roster_overrides_count_ending_after(struct db *db, int64_t t, int64_t *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COUNT(*) FROM duty_roster_overrides WHERE ends_at > ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, t);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *out = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "count returned no row");
    }
    db_stmt_done(st);
    return rc;
}
