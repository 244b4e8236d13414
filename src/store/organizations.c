#include "store/organizations.h"

#include <stdio.h>
#include <string.h>

/* Never billing_facts: see the header. */
#define ORGANIZATION_COLUMNS                                                                       \
    "id, name, plan, plan_rate_cents, coalesce(support_package_until, ''), install_status, "       \
    "delinquent, high_risk, service_refused, created_at, updated_at"

/* Read ORGANIZATION_COLUMNS starting at column 0. */
static void read_organization(struct db_stmt *st, struct organization *o)
{
    o->id = db_column_int64(st, 0);
    db_column_copy(st, 1, o->name, sizeof o->name);
    db_column_copy(st, 2, o->plan, sizeof o->plan);
    o->plan_rate_cents = db_column_int64(st, 3);
    db_column_copy(st, 4, o->support_package_until, sizeof o->support_package_until);
    db_column_copy(st, 5, o->install_status, sizeof o->install_status);
    o->delinquent = db_column_int64(st, 6) != 0;
    o->high_risk = db_column_int64(st, 7) != 0;
    o->service_refused = db_column_int64(st, 8) != 0;
    o->created_at = db_column_int64(st, 9);
    o->updated_at = db_column_int64(st, 10);
}

/* Bind the eight writable fields of o to parameters first..first+7, in ORGANIZATION_COLUMNS
 * order from name to service_refused. */
static void bind_fields(struct db_stmt *st, int first, const struct organization *o)
{
    db_bind_cstr(st, first, o->name);
    db_bind_cstr(st, first + 1, o->plan);
    db_bind_int64(st, first + 2, o->plan_rate_cents);
    db_bind_cstr(st, first + 3, o->support_package_until[0] ? o->support_package_until : NULL);
    db_bind_cstr(st, first + 4, o->install_status);
    db_bind_int64(st, first + 5, o->delinquent ? 1 : 0);
    db_bind_int64(st, first + 6, o->high_risk ? 1 : 0);
    db_bind_int64(st, first + 7, o->service_refused ? 1 : 0);
}

static int name_taken(const struct organization *o, struct err *e)
{
    return err_set(e, ERR_CONFLICT, "name", "an organization named \"%s\" already exists", o->name);
}

int organizations_insert(struct db *db, struct organization *o, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO organizations (name, plan, plan_rate_cents, "
                        "support_package_until, install_status, delinquent, high_risk, "
                        "service_refused, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    bind_fields(st, 1, o);
    db_bind_int64(st, 9, now);
    db_bind_int64(st, 10, now);
    rc = db_step_returning_id(st, &o->id, e);
    if (!rc)
        o->created_at = o->updated_at = now;
    else if (rc == ERR_CONFLICT)
        rc = name_taken(o, e);
    return rc;
}

static int not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, "id", "organization %lld not found", (long long)id);
}

int organizations_get(struct db *db, int64_t id, struct organization *out, struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db, "SELECT " ORGANIZATION_COLUMNS " FROM organizations WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_organization(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = not_found(id, e);
    }
    db_stmt_done(st);
    return rc;
}

int organizations_lock(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        db_dialect(db) == DB_DIALECT_POSTGRES
                            ? "SELECT id FROM organizations WHERE id = ? FOR UPDATE"
                            : "SELECT id FROM organizations WHERE id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = 0;
    else if (rc == DB_DONE)
        rc = not_found(id, e);
    db_stmt_done(st);
    return rc;
}

int organizations_save(struct db *db, struct organization *o, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE organizations SET name = ?, plan = ?, plan_rate_cents = ?, "
                        "support_package_until = ?, install_status = ?, delinquent = ?, "
                        "high_risk = ?, service_refused = ?, updated_at = ? WHERE id = ? "
                        "RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    bind_fields(st, 1, o);
    db_bind_int64(st, 9, now);
    db_bind_int64(st, 10, o->id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        o->updated_at = now;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = not_found(o->id, e);
    } else if (rc == ERR_CONFLICT) {
        rc = name_taken(o, e);
    }
    db_stmt_done(st);
    return rc;
}

int organizations_list(struct db *db, int64_t only_id, int64_t after, unsigned limit,
                       struct organization *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        only_id ? "SELECT " ORGANIZATION_COLUMNS " FROM organizations "
                                  "WHERE id > ? AND id = ? ORDER BY id LIMIT ?"
                                : "SELECT " ORGANIZATION_COLUMNS " FROM organizations "
                                  "WHERE id > ? ORDER BY id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    int idx = 1;
    db_bind_int64(st, idx++, after);
    if (only_id)
        db_bind_int64(st, idx++, only_id);
    db_bind_int64(st, idx, limit);
    size_t count = 0;
    while (count < limit && (rc = db_step(st, e)) == DB_ROW)
        read_organization(st, &out[count++]);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int organizations_billing_get(struct db *db, int64_t id, struct buf *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT billing_facts FROM organizations WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        size_t len;
        const char *v = db_column_text(st, 0, &len);
        rc = buf_append(out, v, len);
        if (rc)
            err_set(e, rc, "billing", "billing facts are larger than the buffer allows");
    } else if (rc == DB_DONE) {
        rc = not_found(id, e);
    }
    db_stmt_done(st);
    return rc;
}

int organizations_billing_set(struct db *db, int64_t id, const char *json, size_t len,
                              struct err *e)
{
    if (len > ORGANIZATION_BILLING_MAX)
        return err_set(e, ERR_LIMIT, "billing", "billing facts must be at most %d bytes",
                       ORGANIZATION_BILLING_MAX);
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE organizations SET billing_facts = ? WHERE id = ? RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_text(st, 1, json, len);
    db_bind_int64(st, 2, id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = 0;
    else if (rc == DB_DONE)
        rc = not_found(id, e);
    db_stmt_done(st);
    return rc;
}
