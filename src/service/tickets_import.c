/* tickets_import: Zendesk's ticket import (a past on the ticket and its comments, no
 * notifications). */
#include "service/ticket_sla.h"
#include "service/tickets_internal.h"

#include "store/audit.h"
#include "store/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- import ---------------------------------------------------------------------------------- */

struct import_ctx {
    const struct env *env;
    const struct tickets_actor *actor;
    const struct tickets_import_req *req;
    struct ticket_new row;
    const char *tags;
    int64_t created_at, updated_at;
    int64_t *comment_at; /* each comment's instant, from the arena */
    struct arena *a;
    struct ticket *out;
    int64_t now; /* when the import runs (the audit entry's instant) */
};

static int check_instant(int64_t at, int64_t not_before, int64_t now, const char *field,
                         const char *before_what, struct err *e)
{
    if (at > now)
        return err_set(e, ERR_INVALID, field, "%s must not be in the future", field);
    if (at < not_before)
        return err_set(e, ERR_INVALID, field, "%s must not be before %s", field, before_what);
    return 0;
}

/* The comments' checks that need no database, and their instants. */
static int check_import_comments(struct import_ctx *c, int64_t now, int64_t *latest, struct err *e)
{
    const struct tickets_import_req *r = c->req;
    char field[64];
    *latest = c->created_at;
    for (size_t i = 0; i < r->comment_count; i++) {
        const struct tickets_import_comment *m = &r->comments[i];
        snprintf(field, sizeof field, "ticket.comments[%zu].%s", i, m->body_key);
        int rc = tickets__check_body(m->body, e);
        if (rc) {
            snprintf(e->field, sizeof e->field, "%s", field);
            return rc;
        }
        snprintf(field, sizeof field, "ticket.comments[%zu].created_at", i);
        int64_t at = m->created_at.given ? m->created_at.at : c->created_at;
        if ((rc = check_instant(at, c->created_at, now, field, "the ticket's created_at", e)))
            return rc;
        c->comment_at[i] = at;
        if (at > *latest)
            *latest = at;
    }
    return 0;
}

static int check_import(struct import_ctx *c, int64_t now, struct err *e)
{
    const struct tickets_import_req *r = c->req;
    enum ticket_status st = TICKET_STATUS_NEW;
    enum ticket_priority pr = TICKET_PRIORITY_NORMAL;
    enum ticket_channel ch = TICKET_CHANNEL_API;
    int rc;
    if ((rc = tickets__check_subject(r->subject, e)))
        return rc;
    if (!r->requester_id)
        return err_set(e, ERR_INVALID, "ticket.requester_id", "requester_id is required");
    if ((r->status && (rc = tickets__parse_status(r->status, &st, e))) ||
        (r->priority && (rc = tickets__parse_priority(r->priority, &pr, e))) ||
        (r->channel && (rc = tickets__parse_channel(r->channel, &ch, e))))
        return rc;
    c->tags = "";
    if (r->tags.given && (rc = tickets__build_tags(&r->tags, c->a, &c->tags, e)))
        return rc;
    if (r->comment_count > TICKETS_IMPORT_COMMENTS_MAX)
        return err_set(e, ERR_INVALID, "ticket.comments", "an import holds at most %d comments",
                       TICKETS_IMPORT_COMMENTS_MAX);
    c->created_at = r->created_at.given ? r->created_at.at : now;
    if ((rc = check_instant(c->created_at, INT64_MIN, now, "ticket.created_at", "", e)))
        return rc;
    c->comment_at = arena_alloc(c->a, (r->comment_count + 1) * sizeof *c->comment_at);
    if (!c->comment_at)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    int64_t latest;
    if ((rc = check_import_comments(c, now, &latest, e)))
        return rc;
    c->updated_at = r->updated_at.given ? r->updated_at.at : latest;
    if ((rc = check_instant(c->updated_at, c->created_at, now, "ticket.updated_at",
                            "ticket.created_at", e)))
        return rc;
    bool done = st == TICKET_STATUS_SOLVED || st == TICKET_STATUS_CLOSED;
    if (r->solved_at.given && !done)
        return err_set(e, ERR_INVALID, "ticket.solved_at",
                       "solved_at is only for a solved or closed ticket");
    int64_t solved = !done ? 0 : r->solved_at.given ? r->solved_at.at : c->updated_at;
    if (done && (rc = check_instant(solved, c->created_at, now, "ticket.solved_at",
                                    "ticket.created_at", e)))
        return rc;
    c->row = (struct ticket_new){.subject = r->subject,
                                 .status = ticket_status_name(st),
                                 .priority = ticket_priority_name(pr),
                                 .channel = ticket_channel_name(ch),
                                 .requester_id = r->requester_id,
                                 .submitter_id = r->requester_id,
                                 .assignee_id = r->assignee.id,
                                 .group_id = r->group.id,
                                 .solved_at = solved};
    return 0;
}

/* The references, which need the database. */
static int check_import_refs(struct db *db, struct import_ctx *c, struct err *e)
{
    const struct tickets_import_req *r = c->req;
    struct user requester;
    int rc = users_get(db, r->requester_id, &requester, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "ticket.requester_id", "user %lld does not exist",
                       (long long)r->requester_id);
    if (rc)
        return rc;
    c->row.organization_id = requester.organization_id;
    if ((r->assignee.id && (rc = tickets__check_assignee(db, r->assignee.id, e))) ||
        (r->group.id && (rc = tickets__check_group(db, r->group.id, e))))
        return rc;
    for (size_t i = 0; i < r->comment_count; i++) {
        char field[64];
        snprintf(field, sizeof field, "ticket.comments[%zu].author_id", i);
        if (!r->comments[i].author_id)
            return err_set(e, ERR_INVALID, field, "%s is required", field);
        if ((rc = tickets__check_author(db, r->comments[i].author_id, r->comments[i].is_public != 0,
                                        field, e)))
            return rc;
    }
    return 0;
}

static int import_tx(struct db *db, void *arg, struct err *e)
{
    struct import_ctx *c = arg;
    const struct tickets_import_req *r = c->req;
    int64_t actor = c->actor->subject.user_id, tid;
    int rc = check_import_refs(db, c, e);
    rc = rc ? rc : tickets_insert(db, &c->row, c->created_at, &tid, e);
    if (!rc && *c->tags)
        rc = tickets_set_tags(db, tid, c->tags, e);
    if (rc)
        return rc;
    struct changes born = {.n = 0};
    tickets__birth_changes(&born, &c->row, c->tags);
    rc = tickets__write_changes(db, &born, tid, actor, c->created_at, e);
    for (size_t i = 0; i < r->comment_count && !rc; i++) {
        const struct tickets_import_comment *m = &r->comments[i];
        struct changes ch = {.n = 0};
        int64_t cid;
        rc = tickets_comment_insert(db, tid, m->author_id, m->body, m->is_public != 0,
                                    c->row.channel, c->comment_at[i], &cid, e);
        if (!rc) {
            tickets__change(&ch, m->is_public ? "comment" : "internal_note", NULL,
                            tickets__keep_id(&ch, cid));
            rc = tickets__write_changes(db, &ch, tid, m->author_id, c->comment_at[i], e);
        }
    }
    rc = rc ? rc : tickets_set_instants(db, tid, c->created_at, c->updated_at, c->row.solved_at, e);
    if (!rc) {
        /* An import writes history in someone else's name: the audit log says who did it. */
        char detail[96];
        snprintf(detail, sizeof detail, "{\"comments\":%zu,\"created_at\":%lld}",
                 r->comment_count, (long long)c->created_at);
        struct audit_entry a = {.at = c->now,
                                .actor_id = actor,
                                .action = "ticket.imported",
                                .target_type = "ticket",
                                .target_id = tid,
                                .detail = detail};
        rc = audit_append(db, &a, e);
    }
    rc = rc ? rc : ticket_sla_refresh(c->env, db, tid, c->now, false, e);
    return rc ? rc : tickets_get(db, tid, true, c->a, c->out, e);
}

int tickets_import(const struct env *env, struct db *db, const struct tickets_actor *actor,
                   const struct tickets_import_req *req, struct arena *a, struct ticket *out,
                   struct err *e)
{
    if (!access_is_admin(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only admins import tickets");
    struct import_ctx c = {
        .env = env, .actor = actor, .req = req, .a = a, .out = out, .now = env->now(env)};
    int rc = check_import(&c, c.now, e);
    return rc ? rc : db_transact(db, DB_TX_WRITE, import_tx, &c, e);
}
