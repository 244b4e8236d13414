#include "store/chat.h"

#include <string.h>

#define SESSION_COLUMNS                                                                            \
    "s.id, s.ticket_id, s.requester_id, s.status, s.started_at, coalesce(s.accepted_at, 0), "      \
    "coalesce(s.accepted_by, 0), coalesce(s.ended_at, 0), coalesce(s.ended_by, 0), r.name, "       \
    "coalesce(a.name, ''), t.subject"
#define SESSION_FROM                                                                               \
    " FROM chat_sessions s JOIN users r ON r.id = s.requester_id JOIN tickets t ON "               \
    "t.id = s.ticket_id LEFT JOIN users a ON a.id = s.accepted_by"

static void read_session(struct db_stmt *st, struct chat_session *s)
{
    s->id = db_column_int64(st, 0);
    s->ticket_id = db_column_int64(st, 1);
    s->requester_id = db_column_int64(st, 2);
    db_column_copy(st, 3, s->status, sizeof s->status);
    s->started_at = db_column_int64(st, 4);
    s->accepted_at = db_column_int64(st, 5);
    s->accepted_by = db_column_int64(st, 6);
    s->ended_at = db_column_int64(st, 7);
    s->ended_by = db_column_int64(st, 8);
    db_column_copy(st, 9, s->requester_name, sizeof s->requester_name);
    db_column_copy(st, 10, s->accepted_by_name, sizeof s->accepted_by_name);
    db_column_copy(st, 11, s->subject, sizeof s->subject);
}

static int one_session(struct db_stmt *st, struct chat_session *out, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW) {
        read_session(st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such chat");
    }
    db_stmt_done(st);
    return rc;
}

int chat_store_insert(struct db *db, int64_t ticket_id, int64_t requester_id,
                      const char *token_hash, int64_t now, struct chat_session *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO chat_sessions (ticket_id, requester_id, status, started_at, "
                        "visitor_token_hash) VALUES (?, ?, 'waiting', ?, ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, requester_id);
    db_bind_int64(st, 3, now);
    db_bind_cstr(st, 4, token_hash);
    int64_t id;
    rc = db_step_returning_id(st, &id, e);
    return rc ? rc : chat_store_get(db, id, out, e);
}

int chat_store_get(struct db *db, int64_t id, struct chat_session *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " SESSION_COLUMNS SESSION_FROM " WHERE s.id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    return one_session(st, out, e);
}

int chat_store_by_token(struct db *db, const char *token_hash, struct chat_session *out,
                        struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(
        db, "SELECT " SESSION_COLUMNS SESSION_FROM " WHERE s.visitor_token_hash = ?", &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, token_hash);
    return one_session(st, out, e);
}

/* Run an UPDATE ... RETURNING id; no row is ERR_CONFLICT with msg. */
static int transition(struct db_stmt *st, const char *msg, struct err *e)
{
    int rc = db_step(st, e);
    db_stmt_done(st);
    if (rc == DB_DONE)
        return err_set(e, ERR_CONFLICT, "chat.status", "%s", msg);
    return rc < 0 ? rc : 0;
}

int chat_store_accept(struct db *db, int64_t id, int64_t agent_id, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE chat_sessions SET status = 'active', accepted_at = ?, "
                        "accepted_by = ? WHERE id = ? AND status = 'waiting' RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, agent_id);
    db_bind_int64(st, 3, id);
    return transition(st, "the chat is not waiting: it was accepted or has ended", e);
}

int chat_store_end(struct db *db, int64_t id, int64_t by_id, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE chat_sessions SET status = 'ended', ended_at = ?, ended_by = ? "
                        "WHERE id = ? AND status <> 'ended' RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    if (by_id)
        db_bind_int64(st, 2, by_id);
    db_bind_int64(st, 3, id);
    return transition(st, "the chat has ended already", e);
}

int chat_store_list(struct db *db, const char *status, int64_t requester_id,
                    struct chat_session *out, size_t max, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT " SESSION_COLUMNS SESSION_FROM
                        " WHERE (s.status = ? OR (CAST(? AS BIGINT) = 1 AND s.status <> 'ended')) "
                        "AND (CAST(? AS BIGINT) = 0 OR s.requester_id = ?) "
                        "ORDER BY s.started_at, s.id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, status ? status : "");
    db_bind_int64(st, 2, status ? 0 : 1);
    db_bind_int64(st, 3, requester_id);
    db_bind_int64(st, 4, requester_id);
    db_bind_int64(st, 5, (int64_t)max);
    size_t k = 0;
    while ((rc = db_step(st, e)) == DB_ROW && k < max)
        read_session(st, &out[k++]);
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = k;
    return 0;
}

#define MESSAGE_SELECT                                                                             \
    "SELECT c.id, c.author_id, u.name, u.role, c.body, c.created_at FROM ticket_comments c "       \
    "JOIN users u ON u.id = c.author_id "

static int read_message(struct db_stmt *st, struct arena *a, struct chat_message *m, struct err *e)
{
    size_t len;
    m->id = db_column_int64(st, 0);
    m->author_id = db_column_int64(st, 1);
    const char *role = db_column_text(st, 3, &len);
    m->author_is_staff = !(len == 8 && memcmp(role, "end-user", 8) == 0);
    m->created_at = db_column_int64(st, 5);
    int rc = db_column_text_dup(st, 2, a, &m->author_name, e);
    return rc ? rc : db_column_text_dup(st, 4, a, &m->body, e);
}

int chat_store_messages(struct db *db, int64_t ticket_id, int64_t after, struct arena *a,
                        struct chat_message *out, size_t max, size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        MESSAGE_SELECT "WHERE c.ticket_id = ? AND c.public = 1 AND c.id > ? "
                                       "ORDER BY c.id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, after);
    db_bind_int64(st, 3, (int64_t)max);
    size_t k = 0;
    while ((rc = db_step(st, e)) == DB_ROW && k < max) {
        if ((rc = read_message(st, a, &out[k], e)))
            break;
        k++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = k;
    return 0;
}

int chat_store_message(struct db *db, int64_t ticket_id, int64_t comment_id, struct arena *a,
                       struct chat_message *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, MESSAGE_SELECT "WHERE c.ticket_id = ? AND c.id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, comment_id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = read_message(st, a, out, e);
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such message");
    db_stmt_done(st);
    return rc;
}

int chat_store_poll(struct db *db, int64_t ended_since, struct chat_poll_row *out, size_t max,
                    size_t *n, struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db,
                   "SELECT s.id, s.status, (SELECT coalesce(max(c.id), 0) FROM ticket_comments c "
                   "WHERE c.ticket_id = s.ticket_id AND c.public = 1) FROM chat_sessions s "
                   "WHERE s.status <> 'ended' OR s.ended_at >= ? ORDER BY s.id LIMIT ?",
                   &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ended_since);
    db_bind_int64(st, 2, (int64_t)max);
    size_t k = 0;
    while ((rc = db_step(st, e)) == DB_ROW && k < max) {
        size_t len;
        const char *status = db_column_text(st, 1, &len);
        out[k].id = db_column_int64(st, 0);
        out[k].ended = len == 5 && memcmp(status, "ended", 5) == 0;
        out[k].accepted = !(len == 7 && memcmp(status, "waiting", 7) == 0);
        out[k].last_message_id = db_column_int64(st, 2);
        k++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = k;
    return 0;
}

int chat_store_poll_one(struct db *db, int64_t id, struct chat_poll_row *out, struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db,
                   "SELECT s.id, s.status, (SELECT coalesce(max(c.id), 0) FROM ticket_comments c "
                   "WHERE c.ticket_id = s.ticket_id AND c.public = 1) FROM chat_sessions s "
                   "WHERE s.id = ?",
                   &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        size_t len;
        const char *status = db_column_text(st, 1, &len);
        out->id = db_column_int64(st, 0);
        out->ended = len == 5 && memcmp(status, "ended", 5) == 0;
        out->accepted = !(len == 7 && memcmp(status, "waiting", 7) == 0);
        out->last_message_id = db_column_int64(st, 2);
    }
    db_stmt_done(st);
    if (rc == DB_DONE)
        return err_set(e, ERR_NOT_FOUND, "chat", "no such chat");
    return rc < 0 ? rc : 0;
}

int chat_store_presence_set(struct db *db, int64_t user_id, const char *status, int64_t now,
                            struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO agent_presence (user_id, status, updated_at) VALUES (?, ?, ?) "
                        "ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, "
                        "updated_at = excluded.updated_at",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id);
    db_bind_cstr(st, 2, status);
    db_bind_int64(st, 3, now);
    return db_run(st, e);
}

int chat_store_presence_get(struct db *db, int64_t user_id, char status[CHAT_STATUS_MAX + 1],
                            int64_t *updated_at, struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db, "SELECT status, updated_at FROM agent_presence WHERE user_id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        db_column_copy(st, 0, status, CHAT_STATUS_MAX + 1);
        *updated_at = db_column_int64(st, 1);
        rc = 0;
    } else if (rc == DB_DONE) {
        memcpy(status, "away", sizeof "away");
        *updated_at = 0;
        rc = 0;
    }
    db_stmt_done(st);
    return rc;
}

int chat_store_online_count(struct db *db, int64_t since, int64_t *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT count(*) FROM agent_presence p JOIN users u ON u.id = p.user_id "
                        "WHERE p.status = 'online' AND p.updated_at >= ? AND u.active = 1 AND "
                        "u.role <> 'end-user'",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, since);
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
