#include "store/feature_items.h"

#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An item with its counts, computed from the links: both are correlated subqueries over the
 * index feature_item_tickets_item. COUNT(DISTINCT ...) skips NULLs, so a ticket without an
 * organization adds to ticket_count only. */
#define ITEM_SELECT                                                                                \
    "SELECT f.id, f.title, f.description, f.status, f.created_at, f.updated_at, f.shipped_at, "    \
    "(SELECT COUNT(*) FROM feature_item_tickets l WHERE l.feature_item_id = f.id) "                \
    "AS ticket_count, "                                                                            \
    "(SELECT COUNT(DISTINCT t.organization_id) FROM feature_item_tickets l "                       \
    "JOIN tickets t ON t.id = l.ticket_id WHERE l.feature_item_id = f.id) AS account_count "       \
    "FROM feature_items f"

static int read_item(struct db_stmt *st, struct arena *a, struct feature_item *f, struct err *e)
{
    int rc = db_column_text_dup(st, 1, a, &f->title, e);
    rc = rc ? rc : db_column_text_dup(st, 2, a, &f->description, e);
    if (rc)
        return rc;
    f->id = db_column_int64(st, 0);
    db_column_copy(st, 3, f->status, sizeof f->status);
    f->created_at = db_column_int64(st, 4);
    f->updated_at = db_column_int64(st, 5);
    f->shipped_at = db_column_int64(st, 6); /* NULL reads as 0 */
    f->ticket_count = db_column_int64(st, 7);
    f->account_count = db_column_int64(st, 8);
    return 0;
}

static int item_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, "id", "feature item %lld not found", (long long)id);
}

int feature_items_store_insert(struct db *db, const char *title, const char *description,
                               const char *status, int64_t created_by, int64_t now, struct arena *a,
                               struct feature_item *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO feature_items (title, description, status, created_by, "
                        "created_at, updated_at, shipped_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                        "RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, title);
    db_bind_cstr(st, 2, description);
    db_bind_cstr(st, 3, status);
    if (created_by)
        db_bind_int64(st, 4, created_by);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, now);
    /* An item born shipped has shipped: nobody is linked yet, so nobody is left to notify. */
    if (strcmp(status, "shipped") == 0)
        db_bind_int64(st, 7, now);
    int64_t id;
    rc = db_step_returning_id(st, &id, e);
    return rc ? rc : feature_items_store_get(db, id, a, out, e);
}

int feature_items_store_get(struct db *db, int64_t id, struct arena *a, struct feature_item *out,
                            struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, ITEM_SELECT " WHERE f.id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        struct feature_item f;
        rc = read_item(st, a, &f, e);
        if (!rc)
            *out = f;
    } else if (rc == DB_DONE) {
        rc = item_not_found(id, e);
    }
    db_stmt_done(st);
    return rc;
}

int feature_items_store_lock(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        db_dialect(db) == DB_DIALECT_POSTGRES
                            ? "SELECT id FROM feature_items WHERE id = ? FOR UPDATE"
                            : "SELECT id FROM feature_items WHERE id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = 0;
    else if (rc == DB_DONE)
        rc = item_not_found(id, e);
    db_stmt_done(st);
    return rc;
}

int feature_items_store_update(struct db *db, int64_t id, const char *title,
                               const char *description, const char *status, int64_t now,
                               struct err *e)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE feature_items SET %s%s%supdated_at = ? WHERE id = ? "
             "RETURNING id",
             title ? "title = ?, " : "", description ? "description = ?, " : "",
             status ? "status = ?, " : "");
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    int i = 1;
    if (title)
        db_bind_cstr(st, i++, title);
    if (description)
        db_bind_cstr(st, i++, description);
    if (status)
        db_bind_cstr(st, i++, status);
    db_bind_int64(st, i++, now);
    db_bind_int64(st, i, id);
    rc = db_step(st, e);
    db_stmt_done(st);
    if (rc == DB_DONE)
        return item_not_found(id, e);
    return rc < 0 ? rc : 0;
}

int feature_items_store_mark_shipped(struct db *db, int64_t id, int64_t now, bool *first,
                                     struct err *e)
{
    struct db_stmt *st;
    /* The condition makes the first shipment a fact of the row, not of the caller's reading:
     * under the row's lock exactly one transaction ever sees it succeed. */
    int rc = db_prepare(db,
                        "UPDATE feature_items SET shipped_at = ? "
                        "WHERE id = ? AND shipped_at IS NULL RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, id);
    rc = db_step(st, e);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    if (rc == DB_ROW) {
        *first = true;
        return 0;
    }
    rc = feature_items_store_lock(db, id, e); /* not set now: already shipped, or no such item? */
    if (!rc)
        *first = false;
    return rc;
}

int feature_items_store_list(struct db *db, const char *status, int64_t after_count,
                             int64_t after_id, unsigned limit, struct arena *a,
                             struct feature_item *out, size_t *n, struct err *e)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT * FROM (" ITEM_SELECT "%s) x%s ORDER BY x.ticket_count DESC, x.id LIMIT ?",
             status ? " WHERE f.status = ?" : "",
             after_id ? " WHERE x.ticket_count < ? OR (x.ticket_count = ? AND x.id > ?)" : "");
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    int i = 1;
    if (status)
        db_bind_cstr(st, i++, status);
    if (after_id) {
        db_bind_int64(st, i++, after_count);
        db_bind_int64(st, i++, after_count);
        db_bind_int64(st, i++, after_id);
    }
    db_bind_int64(st, i, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW) {
        rc = read_item(st, a, &out[count], e);
        if (rc)
            break;
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

/* ---- links ----------------------------------------------------------------------------------- */

int feature_items_store_link_of(struct db *db, int64_t ticket_id, int64_t *item_id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT feature_item_id FROM feature_item_tickets WHERE ticket_id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    rc = db_step(st, e);
    int64_t id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *item_id = id;
    return 0;
}

int feature_items_store_link(struct db *db, int64_t ticket_id, int64_t item_id, int64_t actor,
                             int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO feature_item_tickets (ticket_id, feature_item_id, linked_by, "
                        "linked_at) VALUES (?, ?, ?, ?) ON CONFLICT (ticket_id) DO UPDATE SET "
                        "feature_item_id = excluded.feature_item_id, "
                        "linked_by = excluded.linked_by, linked_at = excluded.linked_at",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, item_id);
    if (actor)
        db_bind_int64(st, 3, actor);
    db_bind_int64(st, 4, now);
    return db_run(st, e);
}

int feature_items_store_unlink(struct db *db, int64_t ticket_id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db, "DELETE FROM feature_item_tickets WHERE ticket_id = ? RETURNING ticket_id", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    int64_t deleted = 0;
    rc = db_run_count(st, &deleted, e);
    if (!rc && !deleted)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "ticket %lld is not linked to a feature item",
                     (long long)ticket_id);
    return rc;
}

int feature_items_store_tickets(struct db *db, int64_t item_id, int64_t after, unsigned limit,
                                struct arena *a, struct feature_item_ticket *out, size_t *n,
                                struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT t.id, t.subject, t.requester_id, t.organization_id "
                        "FROM feature_item_tickets l JOIN tickets t ON t.id = l.ticket_id "
                        "WHERE l.feature_item_id = ? AND l.ticket_id > ? "
                        "ORDER BY l.ticket_id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, item_id);
    db_bind_int64(st, 2, after);
    db_bind_int64(st, 3, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW) {
        struct feature_item_ticket *t = &out[count];
        rc = db_column_text_dup(st, 1, a, &t->subject, e);
        if (rc)
            break;
        t->id = db_column_int64(st, 0);
        t->requester_id = db_column_int64(st, 2);
        t->organization_id = db_column_int64(st, 3);
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int feature_items_store_requesters(struct db *db, int64_t item_id, size_t cap, struct arena *a,
                                   struct feature_item_requester **out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT t.requester_id, MIN(t.id), u.name, u.email "
                        "FROM feature_item_tickets l JOIN tickets t ON t.id = l.ticket_id "
                        "JOIN users u ON u.id = t.requester_id WHERE l.feature_item_id = ? "
                        "GROUP BY t.requester_id, u.name, u.email ORDER BY t.requester_id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, item_id);
    struct feature_item_requester *list = NULL;
    size_t count = 0, alloc = 0;
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (count == cap) {
            rc = err_set(e, ERR_LIMIT, NULL, "more than %zu people asked for feature item %lld",
                         cap, (long long)item_id);
            break;
        }
        if (count == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            list = xrealloc(list, alloc * sizeof *list);
        }
        struct feature_item_requester *r = &list[count];
        r->user_id = db_column_int64(st, 0);
        r->ticket_id = db_column_int64(st, 1);
        rc = db_column_text_dup(st, 2, a, &r->name, e);
        rc = rc ? rc : db_column_text_dup(st, 3, a, &r->email, e);
        if (rc)
            break;
        count++;
    }
    db_stmt_done(st);
    if (rc < 0) {
        free(list);
        return rc;
    }
    *out = list;
    *n = count;
    return 0;
}
