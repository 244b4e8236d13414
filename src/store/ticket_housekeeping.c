#include "store/ticket_housekeeping.h"

/* Oldest first, so a backlog larger than one batch drains in the order the work was done. On
 * PostgreSQL, SKIP LOCKED keeps processes sharing the database from closing the same ticket
 * twice and from waiting on each other or on a person's update. */
#define SOLVED_BEFORE_SQL                                                                          \
    "SELECT id, solved_at FROM tickets WHERE status = 'solved' AND solved_at <= ? "                \
    "ORDER BY solved_at, id LIMIT ?"

int ticket_housekeeping_solved_before(struct db *db, int64_t cutoff, size_t max,
                                      struct ticket_housekeeping_solved *out, size_t *n,
                                      struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        db_dialect(db) == DB_DIALECT_POSTGRES ? SOLVED_BEFORE_SQL
                            " FOR UPDATE SKIP LOCKED"
                                                              : SOLVED_BEFORE_SQL,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, cutoff);
    db_bind_int64(st, 2, (int64_t)max);
    size_t count = 0;
    while (count < max && (rc = db_step(st, e)) == DB_ROW) {
        out[count].id = db_column_int64(st, 0);
        out[count].solved_at = db_column_int64(st, 1);
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

#define SLA_DUE_SQL "SELECT id FROM tickets WHERE sla_next_at <= ? ORDER BY sla_next_at, id LIMIT ?"

int ticket_housekeeping_sla_due(struct db *db, int64_t now, size_t max, int64_t *ids, size_t *n,
                                struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db,
        db_dialect(db) == DB_DIALECT_POSTGRES ? SLA_DUE_SQL " FOR UPDATE SKIP LOCKED" : SLA_DUE_SQL,
        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, (int64_t)max);
    size_t count = 0;
    while (count < max && (rc = db_step(st, e)) == DB_ROW)
        ids[count++] = db_column_int64(st, 0);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int ticket_housekeeping_sla_next(struct db *db, int64_t *next, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db, "SELECT coalesce(min(sla_next_at), 0) FROM tickets WHERE sla_next_at IS NOT NULL", &st,
        e);
    if (rc)
        return rc;
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *next = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "min returned no row");
    }
    db_stmt_done(st);
    return rc;
}

int ticket_housekeeping_close(struct db *db, int64_t id, int64_t now, bool *closed, struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db,
                   /* sla_next_at: the SLA sweep judges the closed ticket's clocks
                    * again (a paused follow-up ends cancelled) on its next run. */
                   "UPDATE tickets SET status = 'closed', updated_at = ?, "
                   "sla_next_at = CASE WHEN sla_state IS NULL THEN NULL ELSE CAST(? AS BIGINT) END "
                   "WHERE id = ? AND status = 'solved' RETURNING id",
                   &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, id);
    rc = db_step(st, e);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE) { /* reopened or closed since it was selected */
        *closed = false;
        return 0;
    }
    rc = db_prepare(db,
                    "INSERT INTO ticket_events (ticket_id, actor_id, at, field, old_value, "
                    "new_value) VALUES (?, NULL, ?, 'status', 'solved', 'closed')",
                    &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, now);
    rc = db_step(st, e);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *closed = true;
    return 0;
}

int ticket_housekeeping_lapsed_packages(struct db *db, const char *today, size_t limit,
                                        int64_t *ids, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT o.id FROM organizations o WHERE o.support_package_until < ? "
                        "AND EXISTS (SELECT 1 FROM tickets t WHERE t.organization_id = o.id "
                        "AND t.status <> 'closed' AND ((t.priority = 'high' AND "
                        "t.priority_set_by_hand = 0) OR t.policy_decision = "
                        "'in_scope_by_package')) ORDER BY o.id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, today);
    db_bind_int64(st, 2, (int64_t)limit);
    size_t count = 0;
    while ((rc = db_step(st, e)) == DB_ROW && count < limit)
        ids[count++] = db_column_int64(st, 0);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}
