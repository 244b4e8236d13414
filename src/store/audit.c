#include "store/audit.h"

int audit_append(struct db *db, const struct audit_entry *a, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, ip, "
                        "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, a->at);
    if (a->actor_id)
        db_bind_int64(st, 2, a->actor_id);
    else
        db_bind_null(st, 2);
    db_bind_cstr(st, 3, a->action);
    db_bind_cstr(st, 4, a->target_type);
    if (a->target_id)
        db_bind_int64(st, 5, a->target_id);
    else
        db_bind_null(st, 5);
    db_bind_cstr(st, 6, a->ip);
    db_bind_cstr(st, 7, a->detail ? a->detail : "{}");
    rc = db_step(st, e);
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}
