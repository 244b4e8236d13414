#include "store/misuse.h"

#include <stdio.h>
#include <string.h>

#define INCIDENT_COLUMNS                                                                           \
    "i.id, i.organization_id, i.ticket_id, i.summary, i.status, i.created_by, i.created_at, "      \
    "i.updated_at, (SELECT COUNT(*) FROM misuse_evidence v WHERE v.incident_id = i.id)"
#define EVIDENCE_COLUMNS "id, incident_id, kind, body, url, created_by, created_at"
#define REFUSAL_COLUMNS                                                                            \
    "id, organization_id, incident_id, reason, refused_by, created_at, reversed_at, reversed_by, " \
    "reverse_reason"

static void read_incident(struct db_stmt *st, struct misuse_incident *o)
{
    o->id = db_column_int64(st, 0);
    o->organization_id = db_column_int64(st, 1);
    o->ticket_id = db_column_int64(st, 2);
    db_column_copy(st, 3, o->summary, sizeof o->summary);
    db_column_copy(st, 4, o->status, sizeof o->status);
    o->created_by = db_column_int64(st, 5);
    o->created_at = db_column_int64(st, 6);
    o->updated_at = db_column_int64(st, 7);
    o->evidence_count = db_column_int64(st, 8);
}

static int incident_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, "id", "misuse incident %lld not found", (long long)id);
}

/* Read the one row a statement answers, or ERR_NOT_FOUND for id; hands the statement back. */
static int incident_row(struct db_stmt *st, int64_t id, struct misuse_incident *out, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_incident(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = incident_not_found(id, e);
    }
    db_stmt_done(st);
    return rc;
}

int misuse_incidents_insert(struct db *db, int64_t organization_id, int64_t ticket_id,
                            int64_t created_by, const char *summary, int64_t now,
                            struct misuse_incident *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO misuse_incidents (organization_id, ticket_id, summary, "
                        "status, created_by, created_at, updated_at) "
                        "VALUES (?, ?, ?, 'open', ?, ?, ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, organization_id);
    if (ticket_id)
        db_bind_int64(st, 2, ticket_id);
    db_bind_cstr(st, 3, summary);
    if (created_by)
        db_bind_int64(st, 4, created_by);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, now);
    int64_t id;
    rc = db_step_returning_id(st, &id, e);
    return rc ? rc : misuse_incidents_get(db, id, out, e);
}

int misuse_incidents_get(struct db *db, int64_t id, struct misuse_incident *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " INCIDENT_COLUMNS " FROM misuse_incidents i WHERE i.id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return incident_row(st, id, out, e);
}

int misuse_incidents_save(struct db *db, struct misuse_incident *in, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE misuse_incidents SET summary = ?, status = ?, updated_at = ? "
                        "WHERE id = ? RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, in->summary);
    db_bind_cstr(st, 2, in->status);
    db_bind_int64(st, 3, now);
    db_bind_int64(st, 4, in->id);
    int64_t rows = 0;
    rc = db_run_count(st, &rows, e);
    if (rc)
        return rc;
    if (!rows)
        return incident_not_found(in->id, e);
    return misuse_incidents_get(db, in->id, in, e);
}

int misuse_incidents_list(struct db *db, const struct misuse_incidents_filter *f, int64_t after,
                          unsigned limit, struct misuse_incident *out, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " INCIDENT_COLUMNS " FROM misuse_incidents i WHERE i.id > ? "
                        "AND (CAST(? AS BIGINT) = 0 OR i.organization_id = CAST(? AS BIGINT)) "
                        "AND (CAST(? AS TEXT) IS NULL OR i.status = CAST(? AS TEXT)) "
                        "ORDER BY i.id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, after);
    db_bind_int64(st, 2, f->organization_id);
    db_bind_int64(st, 3, f->organization_id);
    db_bind_cstr(st, 4, f->status);
    db_bind_cstr(st, 5, f->status);
    db_bind_int64(st, 6, limit);
    size_t k = 0;
    while ((rc = db_step(st, e)) == DB_ROW && k < limit)
        read_incident(st, &out[k++]);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = k;
    return 0;
}

/* ---- evidence ------------------------------------------------------------------------------ */

static int read_evidence(struct db_stmt *st, struct arena *a, struct misuse_evidence *v,
                         struct err *e)
{
    memset(v, 0, sizeof *v);
    v->id = db_column_int64(st, 0);
    v->incident_id = db_column_int64(st, 1);
    db_column_copy(st, 2, v->kind, sizeof v->kind);
    v->created_by = db_column_int64(st, 5);
    v->created_at = db_column_int64(st, 6);
    int rc = 0; /* a NULL body or url stays NULL (v is zeroed) */
    if (!db_column_is_null(st, 3))
        rc = db_column_text_dup(st, 3, a, &v->body, e);
    if (!rc && !db_column_is_null(st, 4))
        rc = db_column_text_dup(st, 4, a, &v->url, e);
    return rc;
}

/* Fill v->files from table misuse_evidence_files. */
static int read_files(struct db *db, struct arena *a, struct misuse_evidence *v, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT id, file_name, content_type, size FROM misuse_evidence_files "
                        "WHERE evidence_id = ? ORDER BY id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, v->id);
    v->n_files = 0;
    while ((rc = db_step(st, e)) == DB_ROW && v->n_files < MISUSE_FILES_MAX) {
        struct misuse_evidence_file *f = &v->files[v->n_files++];
        f->id = db_column_int64(st, 0);
        db_column_copy(st, 2, f->content_type, sizeof f->content_type);
        f->size = db_column_int64(st, 3);
        rc = db_column_text_dup(st, 1, a, &f->file_name, e); /* NOT NULL */
        if (rc)
            break;
    }
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static int evidence_get(struct db *db, int64_t id, struct arena *a, struct misuse_evidence *out,
                        struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db, "SELECT " EVIDENCE_COLUMNS " FROM misuse_evidence WHERE id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = read_evidence(st, a, out, e);
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, "id", "evidence %lld not found", (long long)id);
    db_stmt_done(st);
    return rc ? rc : read_files(db, a, out, e);
}

static int evidence_row(struct db *db, int64_t incident_id, const char *kind, const char *body,
                        const char *url, int64_t created_by, int64_t now, int64_t *id,
                        struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO misuse_evidence (incident_id, kind, body, url, created_by, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, incident_id);
    db_bind_cstr(st, 2, kind);
    db_bind_cstr(st, 3, body);
    db_bind_cstr(st, 4, url);
    if (created_by)
        db_bind_int64(st, 5, created_by);
    db_bind_int64(st, 6, now);
    return db_step_returning_id(st, id, e);
}

int misuse_evidence_insert(struct db *db, int64_t incident_id,
                           const struct misuse_evidence_input *in, int64_t created_by, int64_t now,
                           struct arena *a, struct misuse_evidence *out, struct err *e)
{
    int64_t id = 0;
    int rc = evidence_row(db, incident_id, in->kind, in->body, in->url, created_by, now, &id, e);
    return rc ? rc : evidence_get(db, id, a, out, e);
}

/* How many pending, unexpired uploads token holds that uploader made. */
static int count_uploads(struct db *db, const char *token, int64_t uploader, int64_t now,
                         int64_t *count, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT COUNT(*) FROM uploads WHERE token = ? AND uploader_id = ? "
                        "AND expires_at > ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, token);
    db_bind_int64(st, 2, uploader);
    db_bind_int64(st, 3, now);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        *count = db_column_int64(st, 0);
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int misuse_evidence_claim(struct db *db, int64_t incident_id, const char *token, const char *body,
                          int64_t uploader, int64_t now, struct arena *a,
                          struct misuse_evidence *out, struct err *e)
{
    int64_t count = 0, id = 0;
    int rc = count_uploads(db, token, uploader, now, &count, e);
    if (rc)
        return rc;
    if (count < 1 || count > MISUSE_FILES_MAX)
        return err_set(
            e, ERR_INVALID, "evidence.upload",
            "evidence.upload must be a token of your own pending uploads (1 to %d files)",
            MISUSE_FILES_MAX);
    rc = evidence_row(db, incident_id, "attachment", body, NULL, uploader, now, &id, e);
    struct db_stmt *st;
    rc = rc ? rc
            : db_prepare(db,
                         "INSERT INTO misuse_evidence_files (evidence_id, file_name, content_type, "
                         "size, data, created_at) SELECT ?, file_name, content_type, size, data, ? "
                         "FROM uploads WHERE token = ? AND uploader_id = ? AND expires_at > ? "
                         "ORDER BY id",
                         &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, now);
    db_bind_cstr(st, 3, token);
    db_bind_int64(st, 4, uploader);
    db_bind_int64(st, 5, now);
    rc = db_run(st, e);
    rc = rc ? rc
            : db_prepare(db,
                         "DELETE FROM uploads WHERE token = ? AND uploader_id = ? "
                         "AND expires_at > ?",
                         &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, token);
    db_bind_int64(st, 2, uploader);
    db_bind_int64(st, 3, now);
    rc = db_run(st, e);
    return rc ? rc : evidence_get(db, id, a, out, e);
}

int misuse_evidence_list(struct db *db, int64_t incident_id, struct arena *a,
                         struct misuse_evidence *out, size_t cap, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " EVIDENCE_COLUMNS " FROM misuse_evidence WHERE incident_id = ? "
                        "ORDER BY id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, incident_id);
    db_bind_int64(st, 2, (int64_t)cap);
    size_t k = 0;
    while ((rc = db_step(st, e)) == DB_ROW && k < cap) {
        rc = read_evidence(st, a, &out[k++], e);
        if (rc)
            break;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < k && !rc; i++)
        if (!strcmp(out[i].kind, "attachment"))
            rc = read_files(db, a, &out[i], e);
    if (rc)
        return rc;
    *n = k;
    return 0;
}

int misuse_evidence_files_get(struct db *db, int64_t incident_id, int64_t evidence_id,
                              int64_t file_id, struct arena *a, struct misuse_evidence_content *out,
                              struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT f.id, f.file_name, f.content_type, f.size, f.data "
                        "FROM misuse_evidence_files f JOIN misuse_evidence v ON v.id = "
                        "f.evidence_id WHERE v.incident_id = ? AND v.id = ? "
                        "AND (CAST(? AS BIGINT) = 0 OR f.id = ?) ORDER BY f.id LIMIT 1",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, incident_id);
    db_bind_int64(st, 2, evidence_id);
    db_bind_int64(st, 3, file_id);
    db_bind_int64(st, 4, file_id);
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, "id", "evidence file not found");
    } else if (rc == DB_ROW) {
        struct misuse_evidence_content c = {.evidence_id = evidence_id};
        c.id = db_column_int64(st, 0);
        db_column_copy(st, 2, c.content_type, sizeof c.content_type);
        size_t len;
        const void *p = db_column_blob(st, 4, &len);
        void *copy = arena_alloc(a, len ? len : 1);
        rc = db_column_text_dup(st, 1, a, &c.file_name, e); /* NOT NULL */
        if (!rc && !copy)
            rc = err_set(e, ERR_LIMIT, NULL, "out of request memory reading an evidence file");
        if (!rc) {
            if (len)
                memcpy(copy, p, len);
            c.data = copy;
            c.size = (int64_t)len;
            *out = c;
        }
    }
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* ---- refusals ------------------------------------------------------------------------------ */

static void read_refusal(struct db_stmt *st, struct service_refusal *r)
{
    r->id = db_column_int64(st, 0);
    r->organization_id = db_column_int64(st, 1);
    r->incident_id = db_column_int64(st, 2);
    db_column_copy(st, 3, r->reason, sizeof r->reason);
    r->refused_by = db_column_int64(st, 4);
    r->created_at = db_column_int64(st, 5);
    r->reversed_at = db_column_int64(st, 6);
    r->reversed_by = db_column_int64(st, 7);
    db_column_copy(st, 8, r->reverse_reason, sizeof r->reverse_reason);
}

static int refusal_row(struct db_stmt *st, struct service_refusal *out, const char *what,
                       struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_refusal(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, NULL, "%s", what);
    }
    db_stmt_done(st);
    return rc;
}

int service_refusals_standing(struct db *db, int64_t organization_id, struct service_refusal *out,
                              struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " REFUSAL_COLUMNS " FROM service_refusals "
                        "WHERE organization_id = ? AND reversed_at IS NULL",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, organization_id);
    return refusal_row(st, out, "the account has no standing refusal of service", e);
}

int service_refusals_insert(struct db *db, int64_t organization_id, int64_t incident_id,
                            const char *reason, int64_t refused_by, int64_t now,
                            struct service_refusal *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO service_refusals (organization_id, incident_id, reason, "
                        "refused_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING " REFUSAL_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, organization_id);
    db_bind_int64(st, 2, incident_id);
    db_bind_cstr(st, 3, reason);
    db_bind_int64(st, 4, refused_by);
    db_bind_int64(st, 5, now);
    rc = refusal_row(st, out, "insert returned no row", e);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_CONFLICT, NULL, "service to this account is already refused");
    return rc == ERR_NOT_FOUND ? err_set(e, ERR_INTERNAL, NULL, "insert returned no row") : rc;
}

int service_refusals_reverse(struct db *db, int64_t id, int64_t reversed_by, const char *reason,
                             int64_t now, struct service_refusal *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE service_refusals SET reversed_at = ?, reversed_by = ?, "
                        "reverse_reason = ? WHERE id = ? AND reversed_at IS NULL "
                        "RETURNING " REFUSAL_COLUMNS,
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, reversed_by);
    db_bind_cstr(st, 3, reason);
    db_bind_int64(st, 4, id);
    return refusal_row(st, out, "the refusal is not standing", e);
}

int misuse_open_ticket_ids(struct db *db, int64_t organization_id, int64_t after, unsigned limit,
                           int64_t *ids, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT id FROM tickets WHERE organization_id = ? AND status <> 'closed' "
                        "AND id > ? ORDER BY id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, organization_id);
    db_bind_int64(st, 2, after);
    db_bind_int64(st, 3, limit);
    size_t k = 0;
    while ((rc = db_step(st, e)) == DB_ROW && k < limit)
        ids[k++] = db_column_int64(st, 0);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = k;
    return 0;
}
