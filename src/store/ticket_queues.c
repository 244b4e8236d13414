#include "store/ticket_queues.h"

#include "base/buf.h"
#include "core/ticket.h"
#include "store/tickets_internal.h"

/* The narrowing conditions of q, with a leading " AND"; their parameters are bound by
 * bind_narrowing() in the same order. Status names are the code's own constants, never input. */
static void append_narrowing(struct buf *sql, const struct ticket_queue *q)
{
    if (q->assignee == TICKET_QUEUE_ASSIGNED_TO)
        buf_append_cstr(sql, " AND assignee_id = ?");
    else if (q->assignee == TICKET_QUEUE_UNASSIGNED)
        buf_append_cstr(sql, " AND assignee_id IS NULL");
    if (q->group_id)
        buf_append_cstr(sql, " AND group_id = ?");
}

static int bind_narrowing(struct db_stmt *st, int i, const struct ticket_queue *q)
{
    if (q->assignee == TICKET_QUEUE_ASSIGNED_TO)
        db_bind_int64(st, i++, q->assignee_id);
    if (q->group_id)
        db_bind_int64(st, i++, q->group_id);
    return i;
}

/* No due instant sorts after every due one: the key of a ticket without a running clock. */
#define NO_DUE "9223372036854775807"

/* The statement text depends only on the shape of q (statuses, narrowings, order), so there are
 * a handful of texts and each is cached by the driver. Every branch yields (id, k), k the sort
 * key. The page's keys are merged and cut to the limit first; only then are the page's tickets
 * read with their description and tags, so those subqueries run once per ticket shown, not once
 * per candidate. */
static void page_sql(struct db *db, const struct ticket_queue *q, struct buf *sql)
{
    buf_appendf(sql, "SELECT %s FROM (", tickets__columns(db));
    int branches = 0;
    for (int s = 0; s < TICKET_STATUS_COUNT; s++) {
        if (!(q->statuses & (1u << s)))
            continue;
        const char *status = ticket_status_name((enum ticket_status)s);
        /* One index range per status; an ORDER BY ... LIMIT needs its own subquery inside a
         * compound on both engines. */
        if (q->order == TICKET_QUEUE_BY_DUE) {
            /* Tickets with a due instant in due order (tickets_status_due), then those
             * without one by id. */
            buf_appendf(sql,
                        "%sSELECT id, sla_due_at AS k FROM (SELECT id, sla_due_at FROM tickets "
                        "WHERE status = '%s'",
                        branches ? " UNION ALL " : "", status);
            append_narrowing(sql, q);
            buf_appendf(sql,
                        " AND sla_due_at IS NOT NULL AND (sla_due_at, id) > (?, ?) "
                        "ORDER BY sla_due_at, id LIMIT ?) AS q%da UNION ALL SELECT id, " NO_DUE
                        " AS k FROM (SELECT id FROM tickets WHERE status = '%s'",
                        branches, status);
            append_narrowing(sql, q);
            buf_appendf(sql, " AND sla_due_at IS NULL AND id > ? ORDER BY id LIMIT ?) AS q%db",
                        branches);
        } else {
            buf_appendf(sql,
                        "%sSELECT id, updated_at AS k FROM (SELECT id, updated_at FROM tickets "
                        "WHERE status = '%s'",
                        branches ? " UNION ALL " : "", status);
            append_narrowing(sql, q);
            buf_appendf(sql,
                        " AND (updated_at, id) > (?, ?) ORDER BY updated_at, id LIMIT ?) AS q%d",
                        branches);
        }
        branches++;
    }
    buf_append_cstr(sql, " ORDER BY k, id LIMIT ?) AS page JOIN tickets t ON t.id = page.id "
                         "ORDER BY page.k, page.id");
}

int64_t ticket_queue_key(const struct ticket_queue *q, const struct ticket *t)
{
    if (q->order == TICKET_QUEUE_BY_DUE)
        return t->sla_due_at ? t->sla_due_at : INT64_MAX;
    return t->updated_at;
}

int ticket_queue_page(struct db *db, const struct ticket_queue *q, bool with_internal,
                      int64_t after_at, int64_t after_id, unsigned limit, struct arena *a,
                      struct ticket *out, size_t *n, struct err *e)
{
    *n = 0;
    if (!(q->statuses & ((1u << TICKET_STATUS_COUNT) - 1)))
        return 0;
    /* The first page starts before every key: neither instant is ever negative. */
    if (!after_id)
        after_at = -1;
    struct buf sql;
    buf_init(&sql, 0);
    page_sql(db, q, &sql);
    struct db_stmt *st;
    int rc = db_prepare(db, buf_cstr(&sql), &st, e);
    buf_release(&sql);
    if (rc)
        return rc;
    int i = 1;
    db_bind_int64(st, i++, with_internal);
    for (int s = 0; s < TICKET_STATUS_COUNT; s++) {
        if (!(q->statuses & (1u << s)))
            continue;
        i = bind_narrowing(st, i, q);
        db_bind_int64(st, i++, after_at);
        db_bind_int64(st, i++, after_id);
        db_bind_int64(st, i++, limit);
        if (q->order == TICKET_QUEUE_BY_DUE) {
            /* Past the tickets with a due instant only once the cursor is among those without. */
            i = bind_narrowing(st, i, q);
            db_bind_int64(st, i++, after_at == INT64_MAX ? after_id : 0);
            db_bind_int64(st, i++, limit);
        }
    }
    db_bind_int64(st, i, limit);
    size_t count = 0;
    while ((rc = db_step(st, e)) == DB_ROW && count < limit) {
        rc = tickets__read(st, a, &out[count], e);
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

int ticket_queue_count(struct db *db, const struct ticket_queue *q, int64_t *count, struct err *e)
{
    *count = 0;
    if (!(q->statuses & ((1u << TICKET_STATUS_COUNT) - 1)))
        return 0;
    struct buf sql;
    buf_init(&sql, 0);
    buf_append_cstr(&sql, "SELECT count(*) FROM tickets WHERE status IN (");
    const char *sep = "";
    for (int s = 0; s < TICKET_STATUS_COUNT; s++) {
        if (q->statuses & (1u << s)) {
            buf_appendf(&sql, "%s'%s'", sep, ticket_status_name((enum ticket_status)s));
            sep = ", ";
        }
    }
    buf_append_cstr(&sql, ")");
    append_narrowing(&sql, q);
    struct db_stmt *st;
    int rc = db_prepare(db, buf_cstr(&sql), &st, e);
    buf_release(&sql);
    if (rc)
        return rc;
    bind_narrowing(st, 1, q);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *count = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "count returned no row");
    }
    db_stmt_done(st);
    return rc;
}
