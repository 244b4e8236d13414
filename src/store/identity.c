#include "store/identity.h"

#include <string.h>

#define CHALLENGE_COLUMNS                                                                          \
    "id, ticket_id, requester_id, organization_id, code_hash, sent_to, created_by, created_at, "   \
    "expires_at, attempts, status"

static void read_challenge(struct db_stmt *st, struct identity_challenge *c)
{
    c->id = db_column_int64(st, 0);
    c->ticket_id = db_column_int64(st, 1);
    c->requester_id = db_column_int64(st, 2);
    c->organization_id = db_column_int64(st, 3);
    db_column_copy(st, 4, c->code_hash, sizeof c->code_hash);
    c->sent_to = db_column_int64(st, 5);
    c->created_by = db_column_int64(st, 6);
    c->created_at = db_column_int64(st, 7);
    c->expires_at = db_column_int64(st, 8);
    c->attempts = db_column_int64(st, 9);
    db_column_copy(st, 10, c->status, sizeof c->status);
}

static int no_open_challenge(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, "id", "identity challenge %lld is not open", (long long)id);
}

int identity_challenges_insert(struct db *db, struct identity_challenge *c, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO identity_challenges (ticket_id, requester_id, "
                        "organization_id, code_hash, sent_to, created_by, created_at, "
                        "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, c->ticket_id);
    db_bind_int64(st, 2, c->requester_id);
    db_bind_int64(st, 3, c->organization_id);
    db_bind_cstr(st, 4, c->code_hash);
    db_bind_int64(st, 5, c->sent_to);
    if (c->created_by)
        db_bind_int64(st, 6, c->created_by);
    else
        db_bind_null(st, 6);
    db_bind_int64(st, 7, c->created_at);
    db_bind_int64(st, 8, c->expires_at);
    rc = db_step_returning_id(st, &c->id, e);
    if (!rc) {
        c->attempts = 0;
        memcpy(c->status, "open", sizeof "open");
    }
    return rc;
}

int identity_challenges_count_since(struct db *db, int64_t ticket_id, int64_t since, int64_t *count,
                                    struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT count(*) FROM identity_challenges WHERE ticket_id = ? AND "
                        "created_at >= ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, since);
    rc = db_step(st, e);
    *count = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int identity_challenges_supersede(struct db *db, int64_t ticket_id, int64_t now, int64_t *count,
                                  struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE identity_challenges SET status = 'superseded', closed_at = ? "
                        "WHERE ticket_id = ? AND status IN ('open', 'locked') RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, ticket_id);
    return db_run_count(st, count, e);
}

int identity_challenges_current(struct db *db, int64_t ticket_id, struct identity_challenge *out,
                                bool *found, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " CHALLENGE_COLUMNS " FROM identity_challenges "
                        "WHERE ticket_id = ? AND status IN ('open', 'locked') "
                        "ORDER BY id DESC LIMIT 1",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        read_challenge(st, out);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *found = rc == DB_ROW;
    return 0;
}

int identity_challenges_wrong_try(struct db *db, int64_t id, int64_t max_attempts, int64_t now,
                                  int64_t *attempts, bool *locked, struct err *e)
{
    /* One statement reads and bumps the count, so the check can never act on a stale one. */
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE identity_challenges SET attempts = attempts + 1, "
                        "status = CASE WHEN attempts + 1 >= CAST(? AS BIGINT) THEN 'locked' "
                        "ELSE status END, "
                        "closed_at = CASE WHEN attempts + 1 >= CAST(? AS BIGINT) "
                        "THEN CAST(? AS BIGINT) ELSE closed_at END "
                        "WHERE id = ? AND status = 'open' RETURNING attempts, status",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, max_attempts);
    db_bind_int64(st, 2, max_attempts);
    db_bind_int64(st, 3, now);
    db_bind_int64(st, 4, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *attempts = db_column_int64(st, 0);
        size_t len;
        const char *status = db_column_text(st, 1, &len);
        *locked = len == 6 && memcmp(status, "locked", 6) == 0;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = no_open_challenge(id, e);
    }
    db_stmt_done(st);
    return rc;
}

int identity_challenges_verified(struct db *db, int64_t id, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE identity_challenges SET status = 'verified', closed_at = ? "
                        "WHERE id = ? AND status = 'open' RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, id);
    int64_t rows = 0;
    rc = db_run_count(st, &rows, e);
    if (!rc && rows != 1)
        rc = no_open_challenge(id, e);
    return rc;
}

int identity_verifications_insert(struct db *db, const struct identity_verification *v,
                                  struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO identity_verifications (ticket_id, user_id, organization_id, "
                        "method, challenge_id, verified_at, verified_until) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, v->ticket_id);
    db_bind_int64(st, 2, v->user_id);
    db_bind_int64(st, 3, v->organization_id);
    db_bind_cstr(st, 4, v->method);
    if (v->challenge_id)
        db_bind_int64(st, 5, v->challenge_id);
    else
        db_bind_null(st, 5);
    db_bind_int64(st, 6, v->verified_at);
    db_bind_int64(st, 7, v->verified_until);
    return db_run(st, e);
}

int identity_verifications_current(struct db *db, int64_t ticket_id, int64_t user_id,
                                   int64_t organization_id, int64_t now, bool *found, char *method,
                                   int64_t *until, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT method, verified_until FROM identity_verifications "
                        "WHERE ticket_id = ? AND user_id = ? AND organization_id = ? "
                        "AND verified_until > ? AND verified_at <= ? "
                        "ORDER BY verified_until DESC, id DESC LIMIT 1",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, user_id);
    db_bind_int64(st, 3, organization_id);
    db_bind_int64(st, 4, now);
    db_bind_int64(st, 5, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        db_column_copy(st, 0, method, IDENTITY_METHOD_MAX + 1);
        *until = db_column_int64(st, 1);
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *found = rc == DB_ROW;
    return 0;
}

int identity_contacts(struct db *db, int64_t organization_id, char (*out)[USER_EMAIL_MAX + 1],
                      size_t cap, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT email FROM users WHERE organization_id = ? AND active = 1 "
                        "AND account_role IN ('owner', 'billing_contact') ORDER BY id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, organization_id);
    size_t count = 0;
    while (count < cap && (rc = db_step(st, e)) == DB_ROW)
        db_column_copy(st, 0, out[count++], USER_EMAIL_MAX + 1);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}
