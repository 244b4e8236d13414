#include "store/tickets.h"
#include "store/tickets_internal.h"

#include "base/buf.h"
#include "base/xalloc.h"
#include "core/ticket.h"

#include <stdlib.h>
#include <string.h>

/* The first parameter of every ticket SELECT is with_internal (1/0), used by the description's
 * subquery; the tags' aggregate is the one place where the dialects differ, and each dialect's
 * text is a separate cached statement. */
#define DESCRIPTION_SQL                                                                            \
    "coalesce((SELECT c.body FROM ticket_comments c WHERE c.ticket_id = t.id "                     \
    "AND (c.public = 1 OR ? = 1) ORDER BY c.id LIMIT 1), '')"
#define TAGS_SQLITE                                                                                \
    "coalesce((SELECT group_concat(tag, ' ') FROM ticket_tags WHERE ticket_id = t.id), '')"
#define TAGS_POSTGRES                                                                              \
    "coalesce((SELECT string_agg(tag, ' ') FROM ticket_tags WHERE ticket_id = t.id), '')"
#define TICKET_COLUMNS(TAGS)                                                                       \
    "t.id, t.subject, " DESCRIPTION_SQL ", t.status, t.priority, t.channel, t.requester_id, "      \
    "t.submitter_id, coalesce(t.organization_id, 0), coalesce(t.assignee_id, 0), "                 \
    "coalesce(t.group_id, 0), coalesce(t.follow_up_of, 0), t.category, " TAGS ", t.created_at, "   \
    "t.updated_at, coalesce(t.solved_at, 0), coalesce(t.sla_state, ''), "                          \
    "coalesce(t.sla_warn_at, 0), coalesce(t.sla_due_at, 0), "                                      \
    "coalesce(t.triage_service_down, -1), coalesce(t.triage_data_lost, -1), "                      \
    "coalesce(t.triage_feature_down, -1), coalesce(t.triage_workaround, -1), "                     \
    "t.priority_set_by_hand, t.scope_override, t.suggested_category, t.policy"

const char *tickets__columns(struct db *db)
{
    return db_dialect(db) == DB_DIALECT_POSTGRES ? TICKET_COLUMNS(TAGS_POSTGRES)
                                                 : TICKET_COLUMNS(TAGS_SQLITE);
}

static void bind_ref(struct db_stmt *st, int idx, int64_t id)
{
    if (id)
        db_bind_int64(st, idx, id);
    else
        db_bind_null(st, idx);
}

static void copy_enum(struct db_stmt *st, int col, char out[TICKET_ENUM_MAX])
{
    size_t len;
    const char *v = db_column_text(st, col, &len);
    if (len >= TICKET_ENUM_MAX)
        len = TICKET_ENUM_MAX - 1; /* the schema's CHECKs allow nothing longer */
    memcpy(out, v, len);
    out[len] = '\0';
}

static int cmp_tag(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Neither engine promises the aggregate's order (SQLite's group_concat has no ORDER BY before
 * 3.44, and PostgreSQL's ORDER BY would follow the database's collation, not bytes), so the tag
 * list is put in byte order here, where it is cheap: at most TAGS_MAX_COUNT short tags. */
static int sort_tags(const char *agg, struct arena *a, const char **out, struct err *e)
{
    size_t len = strlen(agg), count = 0;
    if (len == 0) {
        *out = "";
        return 0;
    }
    char *copy = arena_strndup(a, agg, len);
    char *sorted = arena_alloc(a, len + 1);
    for (size_t i = 0; i < len; i++)
        count += agg[i] == ' ';
    char **tags = arena_alloc(a, (count + 1) * sizeof *tags);
    if (!copy || !sorted || !tags)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory reading tags");
    size_t n = 0;
    for (char *p = copy, *sp; p; p = sp ? sp + 1 : NULL) {
        sp = strchr(p, ' ');
        if (sp)
            *sp = '\0';
        tags[n++] = p;
    }
    qsort(tags, n, sizeof *tags, cmp_tag);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(tags[i]);
        if (i)
            sorted[at++] = ' ';
        memcpy(sorted + at, tags[i], l);
        at += l;
    }
    sorted[at] = '\0';
    *out = sorted;
    return 0;
}

static enum priority_fact read_fact(struct db_stmt *st, int col)
{
    int64_t v = db_column_int64(st, col); /* the SELECT turns NULL into -1 */
    return v < 0 ? PRIORITY_FACT_UNKNOWN : v ? PRIORITY_FACT_YES : PRIORITY_FACT_NO;
}

int tickets__read(struct db_stmt *st, struct arena *a, struct ticket *t, struct err *e)
{
    memset(t, 0, sizeof *t);
    t->id = db_column_int64(st, 0);
    int rc = db_column_text_dup(st, 1, a, &t->subject, e);
    rc = rc ? rc : db_column_text_dup(st, 2, a, &t->description, e);
    copy_enum(st, 3, t->status);
    copy_enum(st, 4, t->priority);
    copy_enum(st, 5, t->channel);
    t->requester_id = db_column_int64(st, 6);
    t->submitter_id = db_column_int64(st, 7);
    t->organization_id = db_column_int64(st, 8);
    t->assignee_id = db_column_int64(st, 9);
    t->group_id = db_column_int64(st, 10);
    t->follow_up_of = db_column_int64(st, 11);
    if (!rc && !db_column_is_null(st, 12))
        rc = db_column_text_dup(st, 12, a, &t->category, e);
    const char *agg = NULL;
    rc = rc ? rc : db_column_text_dup(st, 13, a, &agg, e);
    rc = rc ? rc : sort_tags(agg, a, &t->tags, e);
    t->created_at = db_column_int64(st, 14);
    t->updated_at = db_column_int64(st, 15);
    t->solved_at = db_column_int64(st, 16);
    db_column_copy(st, 17, t->sla_state, sizeof t->sla_state);
    t->sla_warn_at = db_column_int64(st, 18);
    t->sla_due_at = db_column_int64(st, 19);
    t->triage.service_down = read_fact(st, 20);
    t->triage.data_lost = read_fact(st, 21);
    t->triage.feature_down = read_fact(st, 22);
    t->triage.workaround = read_fact(st, 23);
    t->priority_set_by_hand = db_column_int64(st, 24) != 0;
    if (!rc && !db_column_is_null(st, 25))
        rc = db_column_text_dup(st, 25, a, &t->scope_override, e);
    if (!rc && !db_column_is_null(st, 26))
        rc = db_column_text_dup(st, 26, a, &t->suggested_category, e);
    if (!rc && !db_column_is_null(st, 27))
        rc = db_column_text_dup(st, 27, a, &t->policy, e);
    return rc;
}

/* A triage fact is stored as 1 (yes), 0 (no) or NULL (not given). */
static void bind_fact(struct db_stmt *st, int idx, enum priority_fact v)
{
    if (v == PRIORITY_FACT_YES || v == PRIORITY_FACT_NO)
        db_bind_int64(st, idx, v == PRIORITY_FACT_YES);
    else
        db_bind_null(st, idx);
}

static void bind_opt_text(struct db_stmt *st, int idx, const char *s)
{
    if (s)
        db_bind_cstr(st, idx, s);
    else
        db_bind_null(st, idx);
}

int tickets_insert(struct db *db, const struct ticket_new *t, int64_t now, int64_t *id,
                   struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO tickets (subject, channel, requester_id, submitter_id, "
                        "organization_id, status, priority, assignee_id, group_id, follow_up_of, "
                        "created_at, updated_at, solved_at, category, triage_service_down, "
                        "triage_data_lost, triage_feature_down, triage_workaround, "
                        "priority_set_by_hand, suggested_category, scope_override, policy, "
                        "policy_decision, policy_decided_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?) "
                        "RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, t->subject);
    db_bind_cstr(st, 2, t->channel);
    db_bind_int64(st, 3, t->requester_id);
    db_bind_int64(st, 4, t->submitter_id);
    bind_ref(st, 5, t->organization_id);
    db_bind_cstr(st, 6, t->status);
    db_bind_cstr(st, 7, t->priority);
    bind_ref(st, 8, t->assignee_id);
    bind_ref(st, 9, t->group_id);
    bind_ref(st, 10, t->follow_up_of);
    db_bind_int64(st, 11, now);
    db_bind_int64(st, 12, now);
    bind_ref(st, 13, t->solved_at);
    bind_opt_text(st, 14, t->category);
    bind_fact(st, 15, t->triage.service_down);
    bind_fact(st, 16, t->triage.data_lost);
    bind_fact(st, 17, t->triage.feature_down);
    bind_fact(st, 18, t->triage.workaround);
    db_bind_int64(st, 19, t->priority_set_by_hand);
    bind_opt_text(st, 20, t->suggested_category);
    bind_opt_text(st, 21, t->scope_override);
    bind_opt_text(st, 22, t->policy);
    bind_opt_text(st, 23, t->policy ? t->policy_decision : NULL);
    bind_ref(st, 24, t->policy ? t->policy_decided_at : 0);
    return db_step_returning_id(st, id, e);
}

int tickets_save(struct db *db, const struct ticket *t, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE tickets SET subject = ?, status = ?, priority = ?, "
                        "assignee_id = ?, group_id = ?, solved_at = ?, updated_at = ?, "
                        "category = ?, triage_service_down = ?, triage_data_lost = ?, "
                        "triage_feature_down = ?, triage_workaround = ?, "
                        "priority_set_by_hand = ?, scope_override = ?, suggested_category = ? "
                        "WHERE id = ? RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, t->subject);
    db_bind_cstr(st, 2, t->status);
    db_bind_cstr(st, 3, t->priority);
    bind_ref(st, 4, t->assignee_id);
    bind_ref(st, 5, t->group_id);
    bind_ref(st, 6, t->solved_at);
    db_bind_int64(st, 7, t->updated_at);
    bind_opt_text(st, 8, t->category);
    bind_fact(st, 9, t->triage.service_down);
    bind_fact(st, 10, t->triage.data_lost);
    bind_fact(st, 11, t->triage.feature_down);
    bind_fact(st, 12, t->triage.workaround);
    db_bind_int64(st, 13, t->priority_set_by_hand);
    bind_opt_text(st, 14, t->scope_override);
    bind_opt_text(st, 15, t->suggested_category);
    db_bind_int64(st, 16, t->id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = 0;
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, "id", "ticket %lld not found", (long long)t->id);
    db_stmt_done(st);
    return rc;
}

int tickets_set_policy(struct db *db, int64_t id, const char *decision, int64_t decided_at,
                       const char *policy_json, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE tickets SET policy_decision = ?, policy_decided_at = ?, policy = ? "
                        "WHERE id = ?",
                        &st, e);
    if (rc)
        return rc;
    bind_opt_text(st, 1, decision);
    db_bind_int64(st, 2, decided_at);
    bind_opt_text(st, 3, policy_json);
    db_bind_int64(st, 4, id);
    rc = db_step(st, e);
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int tickets_unclosed_of_organization(struct db *db, int64_t org_id, int64_t **ids, size_t *n,
                                     struct err *e)
{
    *ids = NULL;
    *n = 0;
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT id FROM tickets WHERE organization_id = ? AND status <> 'closed' "
                        "ORDER BY id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, org_id);
    size_t cap = 0;
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *ids = xrealloc(*ids, cap * sizeof **ids);
        }
        (*ids)[(*n)++] = db_column_int64(st, 0);
    }
    db_stmt_done(st);
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

static int delete_tags(struct db *db, int64_t ticket_id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM ticket_tags WHERE ticket_id = ?", &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    rc = db_step(st, e);
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int tickets_set_tags(struct db *db, int64_t ticket_id, const char *tags, struct err *e)
{
    int rc = delete_tags(db, ticket_id, e);
    for (const char *p = tags; !rc && *p;) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        struct db_stmt *st;
        rc = db_prepare(db, "INSERT INTO ticket_tags (ticket_id, tag) VALUES (?, ?)", &st, e);
        if (rc)
            break;
        db_bind_int64(st, 1, ticket_id);
        db_bind_text(st, 2, p, len);
        rc = db_step(st, e);
        rc = rc < 0 ? rc : 0;
        db_stmt_done(st);
        p = sp ? sp + 1 : p + len;
    }
    return rc;
}

int tickets_get(struct db *db, int64_t id, bool with_internal, struct arena *a, struct ticket *out,
                struct err *e)
{
    struct db_stmt *st;
    int rc =
        db_prepare(db,
                   db_dialect(db) == DB_DIALECT_POSTGRES
                       ? "SELECT " TICKET_COLUMNS(TAGS_POSTGRES) " FROM tickets t WHERE t.id = ?"
                       : "SELECT " TICKET_COLUMNS(TAGS_SQLITE) " FROM tickets t WHERE t.id = ?",
                   &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, with_internal);
    db_bind_int64(st, 2, id);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        struct ticket t;
        rc = tickets__read(st, a, &t, e);
        if (!rc)
            *out = t;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOT_FOUND, "id", "ticket %lld not found", (long long)id);
    }
    db_stmt_done(st);
    return rc;
}

int tickets_lock(struct db *db, int64_t id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        db_dialect(db) == DB_DIALECT_POSTGRES
                            ? "SELECT id FROM tickets WHERE id = ? FOR UPDATE"
                            : "SELECT id FROM tickets WHERE id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = 0;
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, "id", "ticket %lld not found", (long long)id);
    db_stmt_done(st);
    return rc;
}

int tickets_list(struct db *db, const struct tickets_filter *f, bool with_internal, int64_t after,
                 unsigned limit, struct arena *a, struct ticket *out, size_t *n, struct err *e)
{
    /* One statement text per combination of filters (a handful), each cached by the driver. */
    struct buf sql;
    buf_init(&sql, 0);
    buf_appendf(&sql, "SELECT %s FROM tickets t WHERE t.id > ?", tickets__columns(db));
    if (f->requester_id)
        buf_append_cstr(&sql, " AND t.requester_id = ?");
    if (f->organization_id)
        buf_append_cstr(&sql, " AND t.organization_id = ?");
    if (f->restricted)
        buf_append_cstr(&sql, " AND (t.requester_id = ? OR t.organization_id = ?)");
    buf_append_cstr(&sql, " ORDER BY t.id LIMIT ?");
    struct db_stmt *st;
    int rc = db_prepare(db, buf_cstr(&sql), &st, e);
    buf_release(&sql);
    if (rc)
        return rc;
    int i = 1;
    db_bind_int64(st, i++, with_internal);
    db_bind_int64(st, i++, after);
    if (f->requester_id)
        db_bind_int64(st, i++, f->requester_id);
    if (f->organization_id)
        db_bind_int64(st, i++, f->organization_id);
    if (f->restricted) {
        db_bind_int64(st, i++, f->viewer_id);
        db_bind_int64(st, i++, f->viewer_account); /* 0 matches no account */
    }
    db_bind_int64(st, i++, limit);
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

int tickets_set_sla(struct db *db, int64_t id, const struct ticket_sla_summary *s, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE tickets SET sla_state = ?, sla_warn_at = ?, sla_due_at = ?, "
                        "sla_next_at = ? WHERE id = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, s->state && *s->state ? s->state : NULL);
    bind_ref(st, 2, s->warn_at);
    bind_ref(st, 3, s->due_at);
    bind_ref(st, 4, s->next_at);
    db_bind_int64(st, 5, id);
    return db_run(st, e);
}

int tickets_sla_rejudge_open(struct db *db, int64_t now, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE tickets SET sla_next_at = ? WHERE sla_state IN ('running', "
                        "'warning', 'breached', 'paused')",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    return db_run(st, e);
}

int tickets_event_exists(struct db *db, int64_t ticket_id, const char *field, const char *old_value,
                         const char *new_value, bool *exists, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND field = ? "
                        "AND old_value = ? AND new_value = ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_cstr(st, 2, field);
    db_bind_cstr(st, 3, old_value);
    db_bind_cstr(st, 4, new_value);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *exists = db_column_int64(st, 0) > 0;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "count returned no row");
    }
    db_stmt_done(st);
    return rc;
}

int tickets_sla_events(struct db *db, int64_t ticket_id, size_t cap, struct ticket_sla_row **out,
                       size_t *n, struct err *e)
{
    /* A comment event names its comment; its author's role tells a staff reply from a
     * requester's message. The CASE keeps PostgreSQL from casting other events' values. */
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT e.at, e.field, coalesce(e.old_value, ''), e.old_value IS NULL, "
                        "coalesce(e.new_value, ''), coalesce(u.role, '') FROM ticket_events e "
                        "LEFT JOIN ticket_comments c ON c.id = CASE WHEN e.field = 'comment' "
                        "THEN CAST(e.new_value AS BIGINT) END "
                        "LEFT JOIN users u ON u.id = c.author_id "
                        "WHERE e.ticket_id = ? AND e.field IN ('status', 'priority', 'via', "
                        "'comment') ORDER BY e.id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    /* Sized to the ticket, which usually has a dozen rows: every write reads them. */
    size_t count = 0, have = 0;
    struct ticket_sla_row *rows = NULL;
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (count == cap) {
            rc = err_set(e, ERR_LIMIT, NULL, "ticket %lld has more than %zu events",
                         (long long)ticket_id, cap);
            break;
        }
        if (count == have)
            rows = xrealloc(rows, (have = have ? have * 2 : 16) * sizeof *rows);
        struct ticket_sla_row *r = &rows[count++];
        r->at = db_column_int64(st, 0);
        db_column_copy(st, 1, r->field, sizeof r->field);
        r->born = db_column_int64(st, 3) != 0;
        db_column_copy(st, 4, r->value, sizeof r->value);
        db_column_copy(st, 5, r->author_role, sizeof r->author_role);
    }
    db_stmt_done(st);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *n = count;
    return 0;
}

int tickets_comment_insert(struct db *db, int64_t ticket_id, int64_t author_id, const char *body,
                           bool public, const char *channel, int64_t now, int64_t *id,
                           struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO ticket_comments (ticket_id, author_id, body, public, channel, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, author_id);
    db_bind_cstr(st, 3, body);
    db_bind_int64(st, 4, public);
    db_bind_cstr(st, 5, channel);
    db_bind_int64(st, 6, now);
    return db_step_returning_id(st, id, e);
}

int tickets_comments_list(struct db *db, int64_t ticket_id, bool with_internal, int64_t after,
                          unsigned limit, struct arena *a, struct ticket_comment *out, size_t *n,
                          struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT id, ticket_id, author_id, body, public, channel, created_at "
                        "FROM ticket_comments WHERE ticket_id = ? AND id > ? "
                        "AND (public = 1 OR ? = 1) ORDER BY id LIMIT ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, after);
    db_bind_int64(st, 3, with_internal);
    db_bind_int64(st, 4, limit);
    size_t count = 0;
    while ((rc = db_step(st, e)) == DB_ROW && count < limit) {
        struct ticket_comment *c = &out[count];
        memset(c, 0, sizeof *c);
        c->id = db_column_int64(st, 0);
        c->ticket_id = db_column_int64(st, 1);
        c->author_id = db_column_int64(st, 2);
        rc = db_column_text_dup(st, 3, a, &c->body, e);
        if (rc)
            break;
        c->public = db_column_int64(st, 4) != 0;
        copy_enum(st, 5, c->channel);
        c->created_at = db_column_int64(st, 6);
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

int tickets_event_insert(struct db *db, const struct ticket_event *ev, struct err *e)
{
    return tickets_events_insert(db, ev, 1, e);
}

int tickets_events_insert(struct db *db, const struct ticket_event *ev, size_t n, struct err *e)
{
    if (n == 0)
        return 0;
    if (n > TICKET_EVENTS_PER_INSERT)
        return err_set(e, ERR_INTERNAL, NULL, "%zu events in one insert, at most %d", n,
                       TICKET_EVENTS_PER_INSERT);
    /* One statement for all of them: one round trip on PostgreSQL, one step on SQLite. Its text
     * depends only on n, so each count is one cached statement. */
    struct buf sql;
    buf_init(&sql, 0);
    buf_append_cstr(&sql, "INSERT INTO ticket_events (ticket_id, actor_id, at, field, old_value, "
                          "new_value) VALUES ");
    for (size_t i = 0; i < n; i++)
        buf_append_cstr(&sql, i ? ", (?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?)");
    struct db_stmt *st;
    int rc = db_prepare(db, buf_cstr(&sql), &st, e);
    buf_release(&sql);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int at = (int)i * 6;
        db_bind_int64(st, at + 1, ev[i].ticket_id);
        bind_ref(st, at + 2, ev[i].actor_id);
        db_bind_int64(st, at + 3, ev[i].at);
        db_bind_cstr(st, at + 4, ev[i].field);
        db_bind_cstr(st, at + 5, ev[i].old_value);
        db_bind_cstr(st, at + 6, ev[i].new_value);
    }
    return db_run(st, e);
}

/* ---- search ---------------------------------------------------------------------------------- */

#define SEARCH_BINDS_MAX (SEARCH_TERMS_MAX * 8 + 8)

/* The statement's parameters, gathered while its text is written so both stay in step. */
struct binds {
    struct {
        bool is_text;
        int64_t i;
        const char *s;
    } v[SEARCH_BINDS_MAX];
    size_t n;
};

static void bind_int(struct binds *b, int64_t v)
{
    if (b->n < SEARCH_BINDS_MAX)
        b->v[b->n].is_text = false, b->v[b->n].i = v;
    b->n++;
}

static void bind_str(struct binds *b, const char *v)
{
    if (b->n < SEARCH_BINDS_MAX)
        b->v[b->n].is_text = true, b->v[b->n].s = v;
    b->n++;
}

/* "?, ?" for the names of the bits of mask (at least one is set). */
static void enum_list(struct buf *sql, struct binds *b, unsigned mask, unsigned count,
                      const char *(*name)(unsigned))
{
    bool first = true;
    for (unsigned i = 0; i < count; i++) {
        if (!(mask & (1u << i)))
            continue;
        buf_append_cstr(sql, first ? "?" : ", ?");
        bind_str(b, name(i));
        first = false;
    }
}

static const char *status_name(unsigned i)
{
    return ticket_status_name((enum ticket_status)i);
}

static const char *priority_name(unsigned i)
{
    return ticket_priority_name((enum ticket_priority)i);
}

static void search_cond(struct buf *sql, struct binds *b, const struct tickets_search *s,
                        const struct tickets_search_cond *c)
{
    switch (c->field) {
    case SEARCH_STATUS:
    case SEARCH_PRIORITY: {
        bool status = c->field == SEARCH_STATUS;
        unsigned count = status ? TICKET_STATUS_COUNT : TICKET_PRIORITY_COUNT;
        if (!(c->mask & ((1u << count) - 1))) {
            buf_append_cstr(sql, "1 = 0");
            break;
        }
        buf_append_cstr(sql, status ? "t.status IN (" : "t.priority IN (");
        enum_list(sql, b, c->mask, count, status ? status_name : priority_name);
        buf_append_char(sql, ')');
        break;
    }
    case SEARCH_ASSIGNEE:
        buf_append_cstr(sql, "coalesce(t.assignee_id, 0) = ?");
        bind_int(b, c->id);
        break;
    case SEARCH_REQUESTER:
        buf_append_cstr(sql, "t.requester_id = ?");
        bind_int(b, c->id);
        break;
    case SEARCH_ORGANIZATION:
        buf_append_cstr(sql, "coalesce(t.organization_id, 0) = ?");
        bind_int(b, c->id);
        break;
    case SEARCH_GROUP:
        buf_append_cstr(sql, "coalesce(t.group_id, 0) = ?");
        bind_int(b, c->id);
        break;
    case SEARCH_TAGS:
        buf_append_cstr(sql, "EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id "
                             "AND g.tag = ?)");
        bind_str(b, c->text);
        break;
    case SEARCH_TEXT:
        buf_append_cstr(sql, "(lower(t.subject) LIKE lower(?) ESCAPE '!' OR EXISTS (SELECT 1 "
                             "FROM ticket_comments c WHERE c.ticket_id = t.id AND (c.public = 1 "
                             "OR ? = 1) AND lower(c.body) LIKE lower(?) ESCAPE '!'))");
        bind_str(b, c->text);
        bind_int(b, s->with_internal);
        bind_str(b, c->text);
        break;
    default: /* SEARCH_TYPE: every row here is a ticket */
        buf_append_cstr(sql, "1 = 1");
        break;
    }
}

/* The WHERE clause of a search. Positive conditions of one field are OR'ed in one group (as
 * Zendesk reads status:open status:pending); negated ones and free text each stand alone. */
static void search_where(struct buf *sql, struct binds *b, const struct tickets_search *s)
{
    buf_append_cstr(sql, " WHERE 1 = 1");
    for (int f = 0; f < SEARCH_FIELD_COUNT; f++) {
        bool open = false;
        for (size_t i = 0; i < s->count; i++) {
            const struct tickets_search_cond *c = &s->conds[i];
            if ((int)c->field != f || c->negated || f == SEARCH_TEXT)
                continue;
            buf_append_cstr(sql, open ? " OR " : " AND (");
            search_cond(sql, b, s, c);
            open = true;
        }
        if (open)
            buf_append_char(sql, ')');
    }
    for (size_t i = 0; i < s->count; i++) {
        const struct tickets_search_cond *c = &s->conds[i];
        if (!c->negated && c->field != SEARCH_TEXT)
            continue;
        buf_append_cstr(sql, c->negated ? " AND NOT (" : " AND (");
        search_cond(sql, b, s, c);
        buf_append_char(sql, ')');
    }
    if (s->restricted) {
        buf_append_cstr(sql, " AND (t.requester_id = ? OR t.organization_id = ?)");
        bind_int(b, s->viewer_id);
        bind_int(b, s->viewer_account); /* 0 matches no account */
    }
}

static int bind_all(struct db_stmt *st, int first, const struct binds *b)
{
    for (size_t i = 0; i < b->n; i++) {
        if (b->v[i].is_text)
            db_bind_cstr(st, first + (int)i, b->v[i].s);
        else
            db_bind_int64(st, first + (int)i, b->v[i].i);
    }
    return first + (int)b->n;
}

/* Text and parameters of a search statement: head, the WHERE clause, tail. */
static int search_prepare(struct db *db, const char *head, const struct tickets_search *s,
                          const char *tail, struct binds *b, struct db_stmt **st, struct err *e)
{
    struct buf sql;
    buf_init(&sql, 0);
    buf_append_cstr(&sql, head);
    search_where(&sql, b, s);
    buf_append_cstr(&sql, tail);
    int rc = b->n > SEARCH_BINDS_MAX
                 ? err_set(e, ERR_INTERNAL, NULL, "a search has too many parameters")
                 : db_prepare(db, buf_cstr(&sql), st, e);
    buf_release(&sql);
    return rc;
}

int tickets_search_count(struct db *db, const struct tickets_search *s, int64_t *count,
                         struct err *e)
{
    static const struct binds none;
    struct binds b = none;
    struct db_stmt *st;
    int rc = search_prepare(db, "SELECT count(*) FROM tickets t", s, "", &b, &st, e);
    if (rc)
        return rc;
    bind_all(st, 1, &b);
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

int tickets_search_list(struct db *db, const struct tickets_search *s, int64_t offset,
                        unsigned limit, struct arena *a, struct ticket *out, size_t *n,
                        struct err *e)
{
    static const struct binds none;
    struct binds b = none;
    struct buf head;
    buf_init(&head, 0);
    buf_appendf(&head, "SELECT %s FROM tickets t", tickets__columns(db));
    struct db_stmt *st;
    int rc = search_prepare(db, buf_cstr(&head), s, " ORDER BY t.id LIMIT ? OFFSET ?", &b, &st, e);
    buf_release(&head);
    if (rc)
        return rc;
    db_bind_int64(st, 1, s->with_internal); /* the description's */
    int i = bind_all(st, 2, &b);
    db_bind_int64(st, i++, limit);
    db_bind_int64(st, i, offset);
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

int tickets_set_instants(struct db *db, int64_t id, int64_t created_at, int64_t updated_at,
                         int64_t solved_at, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "UPDATE tickets SET created_at = ?, updated_at = ?, solved_at = ? "
                        "WHERE id = ? RETURNING id",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, created_at);
    db_bind_int64(st, 2, updated_at);
    bind_ref(st, 3, solved_at);
    db_bind_int64(st, 4, id);
    rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = 0;
    else if (rc == DB_DONE)
        rc = err_set(e, ERR_NOT_FOUND, "id", "ticket %lld not found", (long long)id);
    db_stmt_done(st);
    return rc;
}

int tickets_search_name_id(struct db *db, bool group, const char *name, int64_t *id, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        group ? "SELECT id FROM groups WHERE lower(name) = lower(?)"
                              : "SELECT id FROM organizations WHERE lower(name) = lower(?)",
                        &st, e);
    if (rc)
        return rc;
    db_bind_cstr(st, 1, name);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *id = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        *id = -1;
        rc = 0;
    }
    db_stmt_done(st);
    return rc;
}
