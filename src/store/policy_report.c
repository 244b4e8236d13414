#include "store/policy_report.h"

static int collect(struct db_stmt *st, size_t cap, struct arena *a, struct policy_report_item **out,
                   size_t *n, struct err *e)
{
    size_t count = 0, room = 64;
    struct policy_report_item *items = arena_alloc(a, room * sizeof *items);
    int rc;
    while (items && (rc = db_step(st, e)) == DB_ROW) {
        if (count == cap) {
            rc = err_set(e, ERR_LIMIT, "weeks",
                         "more than %zu items in the range: ask for fewer "
                         "weeks",
                         cap);
            break;
        }
        if (count == room) { /* grow in the arena: the old block is left to it */
            struct policy_report_item *more = arena_alloc(a, 2 * room * sizeof *more);
            if (!more) {
                items = NULL;
                break;
            }
            for (size_t i = 0; i < count; i++)
                more[i] = items[i];
            items = more;
            room *= 2;
        }
        items[count].at = db_column_int64(st, 1);
        if (db_column_text_dup(st, 0, a, &items[count].what, NULL)) { /* only ERR_LIMIT */
            items = NULL;
            break;
        }
        count++;
    }
    db_stmt_done(st);
    if (!items)
        return err_set(e, ERR_LIMIT, NULL, "the report ran out of memory");
    if (rc < 0)
        return rc;
    *out = items;
    *n = count;
    return 0;
}

int policy_report_audited(struct db *db, int64_t from, int64_t to, size_t cap, struct arena *a,
                          struct policy_report_item **out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT action, at FROM audit_log WHERE at >= ? AND at < ? AND action IN "
                        "('policy.exception', 'ban.created', 'ban.lifted', 'service.refused', "
                        "'service.restored', 'billing.disclosed') ORDER BY at, id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, to);
    return collect(st, cap, a, out, n, e);
}

int policy_report_out_of_scope(struct db *db, int64_t from, int64_t to, size_t cap, struct arena *a,
                               struct policy_report_item **out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT coalesce(category, suggested_category, 'other'), policy_decided_at "
                        "FROM tickets WHERE policy_decided_at >= ? AND policy_decided_at < ? "
                        "AND policy_decision = 'out_of_scope' ORDER BY policy_decided_at, id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, to);
    return collect(st, cap, a, out, n, e);
}
