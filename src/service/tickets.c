#include "service/tickets.h"

#include "core/email_addr.h"
#include "core/tags.h"
#include "service/attachments.h"
#include "store/groups.h"
#include "store/organizations.h"
#include "store/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_LIST_MAX (TAGS_MAX_COUNT * (TAGS_MAX_LEN + 1))
#define EVENTS_MAX   16 /* more than the fields one update can change */

/* ---- validation ------------------------------------------------------------------------------ */

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool blank(const char *s)
{
    struct slice t = slice_trim(slice_from_cstr(s));
    for (size_t i = 0; i < t.len; i++)
        if (t.ptr[i] != '\r' && t.ptr[i] != '\n')
            return false;
    return true;
}

/* A subject is one line (it becomes a mail header later): no control characters but tab. */
static int check_subject(const char *s, struct err *e)
{
    if (!s || blank(s))
        return err_set(e, ERR_INVALID, "ticket.subject", "subject must not be empty");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return err_set(e, ERR_INVALID, "ticket.subject",
                           "subject must be one line without control characters");
    if (utf8_chars(s) > TICKET_SUBJECT_MAX)
        return err_set(e, ERR_INVALID, "ticket.subject", "subject must be at most %d characters",
                       TICKET_SUBJECT_MAX);
    return 0;
}

static int check_body(const char *s, struct err *e)
{
    if (!s || blank(s))
        return err_set(e, ERR_INVALID, "ticket.comment.body", "comment body must not be empty");
    if (strlen(s) > TICKET_COMMENT_MAX)
        return err_set(e, ERR_INVALID, "ticket.comment.body",
                       "comment body must be at most %d bytes", TICKET_COMMENT_MAX);
    return 0;
}

static int parse_status(const char *s, enum ticket_status *out, struct err *e)
{
    if (ticket_status_parse(s, strlen(s), out))
        return err_set(e, ERR_INVALID, "ticket.status",
                       "status must be one of new, open, pending, hold, solved, closed");
    return 0;
}

static int parse_priority(const char *s, enum ticket_priority *out, struct err *e)
{
    if (ticket_priority_parse(s, strlen(s), out))
        return err_set(e, ERR_INVALID, "ticket.priority",
                       "priority must be one of low, normal, high, urgent");
    return 0;
}

static int parse_channel(const char *s, enum ticket_channel *out, struct err *e)
{
    if (ticket_channel_parse(s, strlen(s), out))
        return err_set(e, ERR_INVALID, "ticket.via.channel",
                       "via.channel must be one of email, web, voice, chat, api");
    return 0;
}

/* The tag list of Zendesk's array: each element normalized, duplicates dropped, sorted. Every
 * failure (a bad tag, too many) is the client's input, so it is 422 naming "ticket.tags". */
static int build_tags(const struct tickets_tags *t, struct arena *a, const char **out,
                      struct err *e)
{
    struct buf list;
    buf_init(&list, TAG_LIST_MAX);
    int rc = 0;
    for (size_t i = 0; i < t->count && !rc; i++)
        rc = tags_add(&list, t->items[i].ptr, t->items[i].len, e);
    if (rc) {
        buf_release(&list);
        e->code = ERR_INVALID;
        snprintf(e->field, sizeof e->field, "ticket.tags");
        return ERR_INVALID;
    }
    char *p = arena_strndup(a, buf_cstr(&list), list.len);
    buf_release(&list);
    if (!p)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    *out = p;
    return 0;
}

static int not_found(struct err *e, int64_t id)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "ticket %lld not found", (long long)id);
}

static bool is_staff_role(const char *role)
{
    return strcmp(role, "agent") == 0 || strcmp(role, "lead") == 0 || strcmp(role, "admin") == 0;
}

/* An assignee is a staff member; a group must exist. */
static int check_assignee(struct db *db, int64_t id, struct err *e)
{
    struct user u;
    int rc = users_get(db, id, &u, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "ticket.assignee_id", "user %lld does not exist",
                       (long long)id);
    if (!rc && !is_staff_role(u.role))
        return err_set(e, ERR_INVALID, "ticket.assignee_id",
                       "user %lld is not staff: only agents, leads and admins take tickets",
                       (long long)id);
    return rc;
}

static int check_group(struct db *db, int64_t id, struct err *e)
{
    struct group g;
    int rc = groups_get(db, id, &g, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "ticket.group_id", "group %lld does not exist",
                       (long long)id);
    return rc;
}

/* ---- events ---------------------------------------------------------------------------------- */

/* Changes gathered before anything is written, so a refusal can still come after them. Short
 * values (ids, and status or priority names about to be overwritten in place) are copied into
 * the struct's own pool, so recording an event never fails for want of memory; long ones
 * (subject, tags) point to strings that outlive the transaction. */
#define CHANGE_TEXT 24 /* "-9223372036854775808" and NUL fit */

struct changes {
    struct ticket_event ev[EVENTS_MAX];
    size_t n;
    bool overflow;
    char pool[EVENTS_MAX * 2][CHANGE_TEXT];
    size_t used;
};

static const char *keep(struct changes *c, const char *s)
{
    if (c->used == EVENTS_MAX * 2 || strlen(s) >= CHANGE_TEXT) {
        c->overflow = true;
        return NULL;
    }
    char *p = c->pool[c->used++];
    snprintf(p, CHANGE_TEXT, "%s", s);
    return p;
}

/* Decimal text of an id, NULL for 0 ("none"). */
static const char *keep_id(struct changes *c, int64_t id)
{
    char tmp[CHANGE_TEXT];
    if (!id)
        return NULL;
    snprintf(tmp, sizeof tmp, "%lld", (long long)id);
    return keep(c, tmp);
}

static void change(struct changes *c, const char *field, const char *old_value,
                   const char *new_value)
{
    if (c->n == EVENTS_MAX) {
        c->overflow = true;
        return;
    }
    c->ev[c->n++] =
        (struct ticket_event){.field = field, .old_value = old_value, .new_value = new_value};
}

static int write_changes(struct db *db, struct changes *c, int64_t ticket_id, int64_t actor,
                         int64_t now, struct err *e)
{
    if (c->overflow) /* a bug: EVENTS_MAX is above what one call records */
        return err_set(e, ERR_INTERNAL, NULL, "too many ticket events in one change");
    int rc = 0;
    for (size_t i = 0; i < c->n && !rc; i++) {
        c->ev[i].ticket_id = ticket_id;
        c->ev[i].actor_id = actor;
        c->ev[i].at = now;
        rc = tickets_event_insert(db, &c->ev[i], e);
    }
    return rc;
}

/* ---- creating -------------------------------------------------------------------------------- */

/* Everything a new ticket is born with, checked. */
struct birth {
    struct ticket_new row;
    const char *tags; /* tag list */
    const char *body;
    bool is_public;
    const char *comment_channel;
    int64_t author_id; /* the first comment's author; 0: the submitter */
    const char *const *uploads; /* claimed by the first comment, as the actor's */
    size_t upload_count;
};

/* One event per field a ticket is born with (old_value NULL), into c. */
static void birth_changes(struct changes *c, const struct ticket_new *r, const char *tags)
{
    change(c, "subject", NULL, r->subject);
    change(c, "status", NULL, r->status);
    change(c, "priority", NULL, r->priority);
    change(c, "via", NULL, r->channel);
    change(c, "requester_id", NULL, keep_id(c, r->requester_id));
    change(c, "submitter_id", NULL, keep_id(c, r->submitter_id));
    if (r->organization_id)
        change(c, "organization_id", NULL, keep_id(c, r->organization_id));
    if (r->assignee_id)
        change(c, "assignee_id", NULL, keep_id(c, r->assignee_id));
    if (r->group_id)
        change(c, "group_id", NULL, keep_id(c, r->group_id));
    if (*tags)
        change(c, "tags", NULL, tags);
    if (r->follow_up_of)
        change(c, "follow_up_of", NULL, keep_id(c, r->follow_up_of));
}

/* Insert the ticket, its tags and first comment, and one event per field it was born with. */
static int give_birth(struct db *db, const struct birth *b, int64_t actor, int64_t now, int64_t *id,
                      struct err *e)
{
    const struct ticket_new *r = &b->row;
    int64_t tid, cid;
    int rc = tickets_insert(db, r, now, &tid, e);
    if (!rc && *b->tags)
        rc = tickets_set_tags(db, tid, b->tags, e);
    if (!rc)
        rc = tickets_comment_insert(db, tid, b->author_id ? b->author_id : r->submitter_id, b->body,
                                    b->is_public, b->comment_channel, now, &cid, e);
    if (!rc && b->upload_count)
        rc = attachments_claim_tokens(db, actor, b->uploads, b->upload_count, tid, cid, now, e);
    if (rc)
        return rc;
    struct changes c = {.n = 0};
    birth_changes(&c, r, b->tags);
    change(&c, b->is_public ? "comment" : "internal_note", NULL, keep_id(&c, cid));
    rc = write_changes(db, &c, tid, actor, now, e);
    if (!rc)
        *id = tid;
    return rc;
}

/* A comment written on behalf of author (ticket.comment.author_id, staff only): an existing
 * user; an internal note's author is staff, since requesters never see notes. */
static int check_author(struct db *db, int64_t author, bool is_public, const char *field,
                        struct err *e)
{
    struct user u;
    int rc = users_get(db, author, &u, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, field, "user %lld does not exist", (long long)author);
    if (!rc && !is_public && !is_staff_role(u.role))
        return err_set(e, ERR_INVALID, field,
                       "user %lld is not staff: an internal note is written by staff",
                       (long long)author);
    return rc;
}

struct create_ctx {
    const struct env *env;
    const struct tickets_actor *actor;
    const struct tickets_create_req *req;
    struct birth birth; /* checked before the transaction; references resolved inside */
    struct arena *a;
    struct ticket *out;
};

static int staff_only(const char *field, struct err *e)
{
    return err_set(e, ERR_FORBIDDEN, field, "only staff may set %s", field);
}

/* What a requester may not name when creating: they create for themselves, through their own
 * channel, and the team triages. */
static int check_requester_create(const struct tickets_create_req *r, int64_t self, struct err *e)
{
    if (r->inline_requester || (r->requester.id && r->requester.id != self))
        return staff_only(r->inline_requester ? "ticket.requester" : "ticket.requester_id", e);
    if (r->status)
        return staff_only("ticket.status", e);
    if (r->priority)
        return staff_only("ticket.priority", e);
    if (r->channel)
        return staff_only("ticket.via.channel", e);
    if (r->assignee.given)
        return staff_only("ticket.assignee_id", e);
    if (r->group.given)
        return staff_only("ticket.group_id", e);
    if (r->tags.given)
        return staff_only("ticket.tags", e);
    if (r->comment.author_id)
        return staff_only("ticket.comment.author_id", e);
    return 0;
}

/* The checks that need no database, in the order a client reads its own body. */
static int check_create(struct create_ctx *c, struct err *e)
{
    const struct tickets_create_req *r = c->req;
    const struct access_subject *s = &c->actor->subject;
    bool staff = access_is_staff(s);
    int rc = staff ? 0 : check_requester_create(r, s->user_id, e);
    if (rc)
        return rc;
    if ((rc = check_subject(r->subject, e)) || (rc = check_body(r->comment.body, e)))
        return rc;
    enum ticket_status st = TICKET_STATUS_NEW;
    enum ticket_priority pr = TICKET_PRIORITY_NORMAL;
    enum ticket_channel ch = c->actor->channel;
    if (r->status && (rc = parse_status(r->status, &st, e)))
        return rc;
    if (st == TICKET_STATUS_CLOSED) /* closed is reached by closing; imports will bring history */
        return err_set(e, ERR_INVALID, "ticket.status", "a ticket cannot be created closed");
    if (r->priority && (rc = parse_priority(r->priority, &pr, e)))
        return rc;
    if (r->channel && (rc = parse_channel(r->channel, &ch, e)))
        return rc;
    if (r->inline_requester) {
        const char *em = r->requester_email;
        if (!em || !email_addr_valid(em, strlen(em)))
            return err_set(e, ERR_INVALID, "ticket.requester.email",
                           "requester email must be an address like name@example.com");
        if (r->requester_name &&
            (blank(r->requester_name) || utf8_chars(r->requester_name) > USER_NAME_MAX))
            return err_set(e, ERR_INVALID, "ticket.requester.name",
                           "requester name must be 1 to %d characters", USER_NAME_MAX);
        if (r->requester.id)
            return err_set(e, ERR_INVALID, "ticket.requester",
                           "give either requester_id or requester, not both");
    }
    struct birth *b = &c->birth;
    b->tags = "";
    if (r->tags.given && (rc = build_tags(&r->tags, c->a, &b->tags, e)))
        return rc;
    b->row.subject = r->subject;
    b->row.status = ticket_status_name(st);
    b->row.priority = ticket_priority_name(pr);
    b->row.channel = ticket_channel_name(ch);
    b->row.submitter_id = s->user_id;
    b->row.assignee_id = r->assignee.id;
    b->row.group_id = r->group.id;
    b->body = r->comment.body;
    /* A requester's comment is always public; staff may open with an internal note. */
    b->is_public = !staff || r->comment.is_public != 0;
    b->comment_channel = b->row.channel;
    b->author_id = r->comment.author_id;
    b->uploads = r->comment.uploads;
    b->upload_count = r->comment.upload_count;
    return 0;
}

/* The requester named inline: found by email (any case), or created as an end-user. */
static int inline_requester(struct db *db, const struct tickets_create_req *r, int64_t now,
                            struct user *out, struct err *e)
{
    int rc = users_find_by_email(db, r->requester_email, out, NULL, e);
    if (rc != ERR_NOT_FOUND)
        return rc;
    char name[USER_NAME_MAX * 4 + 1];
    if (r->requester_name) {
        snprintf(name, sizeof name, "%s", r->requester_name);
    } else { /* Zendesk's default: the local part */
        const char *at = strchr(r->requester_email, '@');
        snprintf(name, sizeof name, "%.*s", (int)(at - r->requester_email), r->requester_email);
    }
    struct user_new u = {.name = name, .email = r->requester_email, .role = "end-user"};
    rc = users_insert(db, &u, now, out, e);
    if (rc == ERR_CONFLICT)
        snprintf(e->field, sizeof e->field, "ticket.requester.email");
    return rc;
}

static int resolve_requester(struct db *db, struct create_ctx *c, int64_t now, struct user *out,
                             struct err *e)
{
    const struct tickets_create_req *r = c->req;
    if (r->inline_requester)
        return inline_requester(db, r, now, out, e);
    int64_t id = r->requester.id ? r->requester.id : c->actor->subject.user_id;
    int rc = users_get(db, id, out, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "ticket.requester_id", "user %lld does not exist",
                       (long long)id);
    return rc;
}

static int create_tx(struct db *db, void *arg, struct err *e)
{
    struct create_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct user requester;
    /* The requester first (it may be a new user): a later refusal must roll it back too. */
    int rc = resolve_requester(db, c, now, &requester, e);
    if (!rc && c->req->assignee.id)
        rc = check_assignee(db, c->req->assignee.id, e);
    if (!rc && c->req->group.id)
        rc = check_group(db, c->req->group.id, e);
    if (!rc && c->birth.author_id)
        rc =
            check_author(db, c->birth.author_id, c->birth.is_public, "ticket.comment.author_id", e);
    if (rc)
        return rc;
    struct birth b = c->birth;
    b.row.requester_id = requester.id;
    b.row.organization_id = requester.organization_id;
    b.row.solved_at = strcmp(b.row.status, "solved") == 0 ? now : 0;
    int64_t id;
    rc = give_birth(db, &b, c->actor->subject.user_id, now, &id, e);
    if (!rc)
        rc = tickets_get(db, id, access_can_see_internal(&c->actor->subject), c->a, c->out, e);
    return rc;
}

int tickets_create(const struct env *env, struct db *db, const struct tickets_actor *actor,
                   const struct tickets_create_req *req, struct arena *a, struct ticket *out,
                   struct err *e)
{
    if (!actor->subject.user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to create tickets");
    struct create_ctx c = {.env = env, .actor = actor, .req = req, .a = a, .out = out};
    int rc = check_create(&c, e);
    return rc ? rc : db_transact(db, DB_TX_WRITE, create_tx, &c, e);
}

/* ---- updating -------------------------------------------------------------------------------- */

struct update_ctx {
    const struct env *env;
    const struct tickets_actor *actor;
    int64_t id;
    const struct tickets_update_req *req;
    struct arena *a;
    struct ticket *out;
    bool follow_up;
};

static int add_comment(struct db *db, int64_t ticket_id, int64_t author, const char *body,
                       bool is_public, const char *channel, int64_t now, struct changes *c,
                       const struct update_ctx *u, struct err *e)
{
    int64_t cid;
    int rc = tickets_comment_insert(db, ticket_id, author, body, is_public, channel, now, &cid, e);
    if (!rc && u && u->req->comment.upload_count) /* the uploads are the actor's own */
        rc = attachments_claim_tokens(db, u->actor->subject.user_id, u->req->comment.uploads,
                                      u->req->comment.upload_count, ticket_id, cid, now, e);
    if (!rc)
        change(c, is_public ? "comment" : "internal_note", NULL, keep_id(c, cid));
    return rc;
}

/* A requester's reply to a closed ticket: a new ticket linked to it carries the comment, for
 * the same requester and account, keeping the team's triage (priority, assignee, group, tags). */
static int follow_up(struct db *db, struct update_ctx *c, const struct ticket *old, int64_t now,
                     struct err *e)
{
    struct user requester;
    int rc = users_get(db, old->requester_id, &requester, e);
    if (rc)
        return rc;
    const char *channel = ticket_channel_name(c->actor->channel);
    struct birth b = {
        .row = {.subject = old->subject,
                .status = ticket_status_name(TICKET_STATUS_NEW),
                .priority = old->priority,
                .channel = channel,
                .requester_id = old->requester_id,
                .submitter_id = c->actor->subject.user_id,
                .organization_id = requester.organization_id,
                .assignee_id = old->assignee_id,
                .group_id = old->group_id,
                .follow_up_of = old->id},
        .tags = old->tags,
        .body = c->req->comment.body,
        .is_public = true,
        .comment_channel = channel,
        .uploads = c->req->comment.uploads,
        .upload_count = c->req->comment.upload_count,
    };
    int64_t id;
    rc = give_birth(db, &b, c->actor->subject.user_id, now, &id, e);
    if (rc)
        return rc;
    struct changes ch = {.n = 0};
    change(&ch, "follow_up", NULL, keep_id(&ch, id));
    rc = write_changes(db, &ch, old->id, c->actor->subject.user_id, now, e);
    c->follow_up = true;
    return rc ? rc : tickets_get(db, id, false, c->a, c->out, e);
}

static int requester_update(struct db *db, struct update_ctx *c, struct ticket *t, int64_t now,
                            struct err *e)
{
    const struct tickets_update_req *r = c->req;
    if (r->subject)
        return staff_only("ticket.subject", e);
    if (r->status)
        return staff_only("ticket.status", e);
    if (r->priority)
        return staff_only("ticket.priority", e);
    if (r->assignee.given)
        return staff_only("ticket.assignee_id", e);
    if (r->group.given)
        return staff_only("ticket.group_id", e);
    if (r->tags.given)
        return staff_only("ticket.tags", e);
    if (r->comment.author_id)
        return staff_only("ticket.comment.author_id", e);
    if (!r->comment.body) /* nothing to do: answer what they may see */
        return tickets_get(db, t->id, false, c->a, c->out, e);
    int rc = check_body(r->comment.body, e);
    if (rc)
        return rc;
    enum ticket_status from, to;
    if (ticket_status_parse(t->status, strlen(t->status), &from))
        return err_set(e, ERR_INTERNAL, NULL, "ticket %lld has status %s", (long long)t->id,
                       t->status);
    to = from;
    enum ticket_reply_effect effect = ticket_requester_reply(from, &to);
    if (effect == TICKET_REPLY_FOLLOW_UP)
        return follow_up(db, c, t, now, e);
    struct changes ch = {.n = 0};
    if (to != from) {
        change(&ch, "status", keep(&ch, t->status), ticket_status_name(to));
        snprintf(t->status, sizeof t->status, "%s", ticket_status_name(to));
        if (from == TICKET_STATUS_SOLVED)
            t->solved_at = 0;
    }
    rc = add_comment(db, t->id, c->actor->subject.user_id, r->comment.body, true,
                     ticket_channel_name(c->actor->channel), now, &ch, c, e);
    t->updated_at = now;
    rc = rc ? rc : tickets_save(db, t, e);
    rc = rc ? rc : write_changes(db, &ch, t->id, c->actor->subject.user_id, now, e);
    return rc ? rc : tickets_get(db, t->id, false, c->a, c->out, e);
}

static int staff_status(const char *status, struct ticket *t, int64_t now, struct changes *ch,
                        struct err *e)
{
    enum ticket_status from, to;
    int rc = parse_status(status, &to, e);
    if (rc)
        return rc;
    if (ticket_status_parse(t->status, strlen(t->status), &from))
        return err_set(e, ERR_INTERNAL, NULL, "ticket %lld has status %s", (long long)t->id,
                       t->status);
    rc = ticket_check_transition(from, to, e);
    if (rc) {
        snprintf(e->field, sizeof e->field, "ticket.status");
        return rc;
    }
    if (from == to)
        return 0;
    change(ch, "status", keep(ch, t->status), ticket_status_name(to));
    snprintf(t->status, sizeof t->status, "%s", ticket_status_name(to));
    if (to == TICKET_STATUS_SOLVED)
        t->solved_at = now;
    else if (from == TICKET_STATUS_SOLVED && to != TICKET_STATUS_CLOSED)
        t->solved_at = 0; /* reopened; kept on close: it says when the work was done */
    return 0;
}

static int staff_ref(struct db *db, const struct tickets_ref *ref, int64_t *field, const char *name,
                     int (*check)(struct db *, int64_t, struct err *), struct changes *ch,
                     struct err *e)
{
    if (!ref->given || ref->id == *field)
        return 0;
    int rc = ref->id ? check(db, ref->id, e) : 0;
    if (rc)
        return rc;
    change(ch, name, keep_id(ch, *field), keep_id(ch, ref->id));
    *field = ref->id;
    return 0;
}

/* Gather the changes of a staff update into t and ch; nothing is written yet. */
static int staff_changes(struct db *db, struct update_ctx *c, struct ticket *t, int64_t now,
                         struct changes *ch, const char **new_tags, struct err *e)
{
    const struct tickets_update_req *r = c->req;
    int rc;
    if (r->subject) {
        if ((rc = check_subject(r->subject, e)))
            return rc;
        if (strcmp(r->subject, t->subject) != 0) {
            change(ch, "subject", t->subject, r->subject);
            t->subject = r->subject;
        }
    }
    if (r->status && (rc = staff_status(r->status, t, now, ch, e)))
        return rc;
    if (r->priority) {
        enum ticket_priority p;
        if ((rc = parse_priority(r->priority, &p, e)))
            return rc;
        const char *name = ticket_priority_name(p);
        if (strcmp(name, t->priority) != 0) {
            change(ch, "priority", keep(ch, t->priority), name);
            snprintf(t->priority, sizeof t->priority, "%s", name);
        }
    }
    if ((rc = staff_ref(db, &r->assignee, &t->assignee_id, "assignee_id", check_assignee, ch, e)) ||
        (rc = staff_ref(db, &r->group, &t->group_id, "group_id", check_group, ch, e)))
        return rc;
    if (r->tags.given) {
        const char *tags;
        if ((rc = build_tags(&r->tags, c->a, &tags, e)))
            return rc;
        if (strcmp(tags, t->tags) != 0) {
            change(ch, "tags", *t->tags ? t->tags : NULL, *tags ? tags : NULL);
            *new_tags = tags;
        }
    }
    if (r->comment.body && (rc = check_body(r->comment.body, e)))
        return rc;
    if (r->comment.body && r->comment.author_id &&
        (rc = check_author(db, r->comment.author_id, r->comment.is_public != 0,
                           "ticket.comment.author_id", e)))
        return rc;
    return 0;
}

static int staff_update(struct db *db, struct update_ctx *c, struct ticket *t, int64_t now,
                        struct err *e)
{
    struct changes ch = {.n = 0};
    const char *new_tags = NULL;
    bool was_closed = strcmp(t->status, "closed") == 0;
    int rc = staff_changes(db, c, t, now, &ch, &new_tags, e);
    if (rc)
        return rc;
    bool commenting = c->req->comment.body != NULL;
    if (was_closed && (ch.n || commenting))
        return err_set(e, ERR_CONFLICT, "ticket.status",
                       "ticket %lld is closed: a closed ticket does not change (a requester's "
                       "reply creates a follow-up)",
                       (long long)t->id);
    if (commenting)
        rc = add_comment(db, t->id,
                         c->req->comment.author_id ? c->req->comment.author_id
                                                   : c->actor->subject.user_id,
                         c->req->comment.body, c->req->comment.is_public != 0,
                         ticket_channel_name(c->actor->channel), now, &ch, c, e);
    if (!rc && new_tags)
        rc = tickets_set_tags(db, t->id, new_tags, e);
    if (!rc && ch.n) {
        t->updated_at = now;
        rc = tickets_save(db, t, e);
        rc = rc ? rc : write_changes(db, &ch, t->id, c->actor->subject.user_id, now, e);
    }
    return rc ? rc : tickets_get(db, t->id, true, c->a, c->out, e);
}

static int update_tx(struct db *db, void *arg, struct err *e)
{
    struct update_ctx *c = arg;
    const struct access_subject *s = &c->actor->subject;
    c->follow_up = false;
    int rc = tickets_lock(db, c->id, e);
    struct ticket t;
    if (!rc)
        rc = tickets_get(db, c->id, true, c->a, &t, e);
    if (rc == ERR_NOT_FOUND ||
        (!rc && !access_can_view_ticket(s, t.requester_id, t.organization_id)))
        return not_found(e, c->id);
    if (rc)
        return rc;
    int64_t now = c->env->now(c->env);
    return access_is_staff(s) ? staff_update(db, c, &t, now, e)
                              : requester_update(db, c, &t, now, e);
}

int tickets_update(const struct env *env, struct db *db, const struct tickets_actor *actor,
                   int64_t id, const struct tickets_update_req *req, struct arena *a,
                   struct ticket *out, bool *follow_up, struct err *e)
{
    if (!actor->subject.user_id)
        return not_found(e, id);
    if (req->comment.upload_count && !req->comment.body)
        return err_set(e, ERR_INVALID, "ticket.comment.body",
                       "a comment with uploads needs a body");
    struct update_ctx c = {.env = env, .actor = actor, .id = id, .req = req, .a = a, .out = out};
    int rc = db_transact(db, DB_TX_WRITE, update_tx, &c, e);
    if (!rc)
        *follow_up = c.follow_up;
    return rc;
}

/* ---- reading --------------------------------------------------------------------------------- */

struct show_ctx {
    const struct access_subject *s;
    int64_t id;
    struct arena *a;
    struct ticket *out;
};

/* Read one ticket as s may see it; ERR_NOT_FOUND when absent or not visible. */
static int read_visible(struct db *db, const struct access_subject *s, int64_t id, struct arena *a,
                        struct ticket *out, struct err *e)
{
    struct ticket t;
    int rc = tickets_get(db, id, access_can_see_internal(s), a, &t, e);
    if (rc == ERR_NOT_FOUND ||
        (!rc && !access_can_view_ticket(s, t.requester_id, t.organization_id)))
        return not_found(e, id);
    if (!rc)
        *out = t;
    return rc;
}

static int show_tx(struct db *db, void *arg, struct err *e)
{
    struct show_ctx *c = arg;
    return read_visible(db, c->s, c->id, c->a, c->out, e);
}

int tickets_show(struct db *db, const struct access_subject *s, int64_t id, struct arena *a,
                 struct ticket *out, struct err *e)
{
    struct show_ctx c = {s, id, a, out};
    return db_transact(db, DB_TX_READ, show_tx, &c, e);
}

struct many_ctx {
    const struct access_subject *s;
    int64_t *ids; /* sorted, distinct */
    size_t count;
    struct arena *a;
    struct ticket *out;
    size_t n;
};

static int many_tx(struct db *db, void *arg, struct err *e)
{
    struct many_ctx *c = arg;
    c->n = 0;
    for (size_t i = 0; i < c->count; i++) {
        int rc = read_visible(db, c->s, c->ids[i], c->a, &c->out[c->n], e);
        if (rc == ERR_NOT_FOUND)
            continue;
        if (rc)
            return rc;
        c->n++;
    }
    err_clear(e);
    return 0;
}

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

int tickets_show_many(struct db *db, const struct access_subject *s, const int64_t *ids,
                      size_t count, struct arena *a, struct ticket *out, size_t *n, struct err *e)
{
    if (count > TICKETS_SHOW_MANY_MAX)
        return err_set(e, ERR_INVALID, "ids", "ids may name at most %d tickets",
                       TICKETS_SHOW_MANY_MAX);
    int64_t sorted[TICKETS_SHOW_MANY_MAX];
    memcpy(sorted, ids, count * sizeof *ids);
    qsort(sorted, count, sizeof *sorted, cmp_id);
    size_t distinct = 0;
    for (size_t i = 0; i < count; i++)
        if (distinct == 0 || sorted[distinct - 1] != sorted[i])
            sorted[distinct++] = sorted[i];
    struct many_ctx c = {s, sorted, distinct, a, out, 0};
    int rc = db_transact(db, DB_TX_READ, many_tx, &c, e);
    if (!rc)
        *n = c.n;
    return rc;
}

struct list_ctx {
    const struct access_subject *s;
    enum tickets_scope scope;
    int64_t scope_id;
    int64_t after;
    unsigned size;
    struct arena *a;
    struct tickets_page *out;
};

/* Does the list's owner (a user, an organization) exist and may s see it? */
static int scope_filter(struct db *db, const struct list_ctx *c, struct tickets_filter *f,
                        struct err *e)
{
    const struct access_subject *s = c->s;
    int rc = 0;
    if (c->scope == TICKETS_SCOPE_REQUESTED_BY) {
        struct user u;
        rc = users_get(db, c->scope_id, &u, e);
        if (rc == ERR_NOT_FOUND || (!rc && !access_can_view_user(s, u.id, u.organization_id)))
            return err_set(e, ERR_NOT_FOUND, NULL, "user %lld not found", (long long)c->scope_id);
        f->requester_id = c->scope_id;
    } else if (c->scope == TICKETS_SCOPE_ORGANIZATION) {
        struct organization o;
        rc = organizations_get(db, c->scope_id, &o, e);
        if (rc == ERR_NOT_FOUND || (!rc && !access_can_view_organization(s, c->scope_id)))
            return err_set(e, ERR_NOT_FOUND, NULL, "organization %lld not found",
                           (long long)c->scope_id);
        f->organization_id = c->scope_id;
    }
    if (!access_is_staff(s)) {
        f->restricted = true;
        f->viewer_id = s->user_id;
        f->viewer_account = s->account_role == ACCESS_ACCOUNT_OWNER ? s->organization_id : 0;
    }
    return rc;
}

static int list_tx(struct db *db, void *arg, struct err *e)
{
    struct list_ctx *c = arg;
    struct tickets_filter f = {0};
    int rc = scope_filter(db, c, &f, e);
    if (rc)
        return rc;
    /* One row more than the page: its presence is has_more. */
    struct ticket *items = arena_alloc(c->a, (c->size + 1) * sizeof *items);
    if (!items)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    size_t n = 0;
    rc = tickets_list(db, &f, access_can_see_internal(c->s), c->after, c->size + 1, c->a, items, &n,
                      e);
    if (rc)
        return rc;
    c->out->items = items;
    c->out->has_more = n > c->size;
    c->out->count = n > c->size ? c->size : n;
    return 0;
}

int tickets_list_page(struct db *db, const struct access_subject *s, enum tickets_scope scope,
                      int64_t scope_id, int64_t after, unsigned size, struct arena *a,
                      struct tickets_page *out, struct err *e)
{
    if (!s->user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to list tickets");
    struct list_ctx c = {s, scope, scope_id, after, size, a, out};
    return db_transact(db, DB_TX_READ, list_tx, &c, e);
}

struct comments_ctx {
    const struct access_subject *s;
    int64_t ticket_id;
    int64_t after;
    unsigned size;
    struct arena *a;
    struct tickets_comment_page *out;
};

static int comments_tx(struct db *db, void *arg, struct err *e)
{
    struct comments_ctx *c = arg;
    struct ticket t;
    int rc = read_visible(db, c->s, c->ticket_id, c->a, &t, e);
    if (rc)
        return rc;
    struct ticket_comment *items = arena_alloc(c->a, (c->size + 1) * sizeof *items);
    if (!items)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    size_t n = 0;
    rc = tickets_comments_list(db, c->ticket_id, access_can_see_internal(c->s), c->after,
                               c->size + 1, c->a, items, &n, e);
    if (rc)
        return rc;
    c->out->items = items;
    c->out->has_more = n > c->size;
    c->out->count = n > c->size ? c->size : n;
    c->out->attachments = NULL;
    c->out->attachment_count = 0;
    if (!c->out->count)
        return 0;
    size_t cap = c->out->count * ATTACHMENTS_PER_COMMENT;
    struct attachment *at = arena_alloc(c->a, cap * sizeof *at);
    if (!at)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    c->out->attachments = at;
    return attachments_list_comments(db, c->ticket_id, items[0].id, items[c->out->count - 1].id,
                                     c->a, at, cap, &c->out->attachment_count, e);
}

int tickets_comments_page(struct db *db, const struct access_subject *s, int64_t ticket_id,
                          int64_t after, unsigned size, struct arena *a,
                          struct tickets_comment_page *out, struct err *e)
{
    if (!s->user_id)
        return not_found(e, ticket_id);
    struct comments_ctx c = {s, ticket_id, after, size, a, out};
    return db_transact(db, DB_TX_READ, comments_tx, &c, e);
}

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
        int rc = check_body(m->body, e);
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
    if ((rc = check_subject(r->subject, e)))
        return rc;
    if (!r->requester_id)
        return err_set(e, ERR_INVALID, "ticket.requester_id", "requester_id is required");
    if ((r->status && (rc = parse_status(r->status, &st, e))) ||
        (r->priority && (rc = parse_priority(r->priority, &pr, e))) ||
        (r->channel && (rc = parse_channel(r->channel, &ch, e))))
        return rc;
    c->tags = "";
    if (r->tags.given && (rc = build_tags(&r->tags, c->a, &c->tags, e)))
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
    if ((r->assignee.id && (rc = check_assignee(db, r->assignee.id, e))) ||
        (r->group.id && (rc = check_group(db, r->group.id, e))))
        return rc;
    for (size_t i = 0; i < r->comment_count; i++) {
        char field[64];
        snprintf(field, sizeof field, "ticket.comments[%zu].author_id", i);
        if (!r->comments[i].author_id)
            return err_set(e, ERR_INVALID, field, "%s is required", field);
        if ((rc = check_author(db, r->comments[i].author_id, r->comments[i].is_public != 0, field,
                               e)))
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
    birth_changes(&born, &c->row, c->tags);
    rc = write_changes(db, &born, tid, actor, c->created_at, e);
    for (size_t i = 0; i < r->comment_count && !rc; i++) {
        const struct tickets_import_comment *m = &r->comments[i];
        struct changes ch = {.n = 0};
        rc = add_comment(db, tid, m->author_id, m->body, m->is_public != 0, c->row.channel,
                         c->comment_at[i], &ch, NULL, e);
        rc = rc ? rc : write_changes(db, &ch, tid, m->author_id, c->comment_at[i], e);
    }
    rc = rc ? rc : tickets_set_instants(db, tid, c->created_at, c->updated_at, c->row.solved_at, e);
    return rc ? rc : tickets_get(db, tid, true, c->a, c->out, e);
}

int tickets_import(const struct env *env, struct db *db, const struct tickets_actor *actor,
                   const struct tickets_import_req *req, struct arena *a, struct ticket *out,
                   struct err *e)
{
    if (!access_is_admin(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only admins import tickets");
    struct import_ctx c = {.env = env, .actor = actor, .req = req, .a = a, .out = out};
    int rc = check_import(&c, env->now(env), e);
    return rc ? rc : db_transact(db, DB_TX_WRITE, import_tx, &c, e);
}
