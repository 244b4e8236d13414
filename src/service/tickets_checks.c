/* tickets_checks: what creating, updating and importing tickets share: field checks worded for
 * the API, the events a change records, and a new ticket's birth. See tickets_internal.h. */
#include "service/tickets_internal.h"

#include "core/tags.h"
#include "service/attachments.h"
#include "store/groups.h"
#include "store/users.h"

#include <stdio.h>
#include <string.h>

#define TAG_LIST_MAX (TAGS_MAX_COUNT * (TAGS_MAX_LEN + 1))

/* ---- validation ------------------------------------------------------------------------------ */

size_t tickets__utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

bool tickets__blank(const char *s)
{
    struct slice t = slice_trim(slice_from_cstr(s));
    for (size_t i = 0; i < t.len; i++)
        if (t.ptr[i] != '\r' && t.ptr[i] != '\n')
            return false;
    return true;
}

/* A subject is one line (it becomes a mail header later): no control characters but tab. */
int tickets__check_subject(const char *s, struct err *e)
{
    if (!s || tickets__blank(s))
        return err_set(e, ERR_INVALID, "ticket.subject", "subject must not be empty");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return err_set(e, ERR_INVALID, "ticket.subject",
                           "subject must be one line without control characters");
    if (tickets__utf8_chars(s) > TICKET_SUBJECT_MAX)
        return err_set(e, ERR_INVALID, "ticket.subject", "subject must be at most %d characters",
                       TICKET_SUBJECT_MAX);
    return 0;
}

int tickets__check_body(const char *s, struct err *e)
{
    if (!s || tickets__blank(s))
        return err_set(e, ERR_INVALID, "ticket.comment.body", "comment body must not be empty");
    if (strlen(s) > TICKET_COMMENT_MAX)
        return err_set(e, ERR_INVALID, "ticket.comment.body",
                       "comment body must be at most %d bytes", TICKET_COMMENT_MAX);
    return 0;
}

int tickets__parse_status(const char *s, enum ticket_status *out, struct err *e)
{
    if (ticket_status_parse(s, strlen(s), out))
        return err_set(e, ERR_INVALID, "ticket.status",
                       "status must be one of new, open, pending, hold, solved, closed");
    return 0;
}

int tickets__parse_priority(const char *s, enum ticket_priority *out, struct err *e)
{
    if (ticket_priority_parse(s, strlen(s), out))
        return err_set(e, ERR_INVALID, "ticket.priority",
                       "priority must be one of low, normal, high, urgent");
    return 0;
}

int tickets__parse_channel(const char *s, enum ticket_channel *out, struct err *e)
{
    if (ticket_channel_parse(s, strlen(s), out))
        return err_set(e, ERR_INVALID, "ticket.via.channel",
                       "via.channel must be one of email, web, voice, chat, api");
    return 0;
}

/* The tag list of Zendesk's array: each element normalized, duplicates dropped, sorted. Every
 * failure (a bad tag, too many) is the client's input, so it is 422 naming "ticket.tags". */
int tickets__build_tags(const struct tickets_tags *t, struct arena *a, const char **out,
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

int tickets__not_found(struct err *e, int64_t id)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "ticket %lld not found", (long long)id);
}

/* An assignee is a staff member; a group must exist. */
int tickets__check_assignee(struct db *db, int64_t id, struct err *e)
{
    struct user u;
    int rc = users_get(db, id, &u, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "ticket.assignee_id", "user %lld does not exist",
                       (long long)id);
    if (!rc && !access_role_name_is_staff(u.role))
        return err_set(e, ERR_INVALID, "ticket.assignee_id",
                       "user %lld is not staff: only agents, leads and admins take tickets",
                       (long long)id);
    return rc;
}

int tickets__check_group(struct db *db, int64_t id, struct err *e)
{
    struct group g;
    int rc = groups_get(db, id, &g, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "ticket.group_id", "group %lld does not exist",
                       (long long)id);
    return rc;
}

/* ---- events ---------------------------------------------------------------------------------- */

const char *tickets__keep(struct changes *c, const char *s)
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
const char *tickets__keep_id(struct changes *c, int64_t id)
{
    char tmp[CHANGE_TEXT];
    if (!id)
        return NULL;
    snprintf(tmp, sizeof tmp, "%lld", (long long)id);
    return tickets__keep(c, tmp);
}

void tickets__change(struct changes *c, const char *field, const char *old_value,
                     const char *new_value)
{
    if (c->n == EVENTS_MAX) {
        c->overflow = true;
        return;
    }
    c->ev[c->n++] =
        (struct ticket_event){.field = field, .old_value = old_value, .new_value = new_value};
}

int tickets__write_changes(struct db *db, struct changes *c, int64_t ticket_id, int64_t actor,
                           int64_t now, struct err *e)
{
    if (c->overflow) /* a bug: EVENTS_MAX is above what one call records */
        return err_set(e, ERR_INTERNAL, NULL, "too many ticket events in one change");
    for (size_t i = 0; i < c->n; i++) {
        c->ev[i].ticket_id = ticket_id;
        c->ev[i].actor_id = actor;
        c->ev[i].at = now;
    }
    return tickets_events_insert(db, c->ev, c->n, e);
}

/* ---- creating -------------------------------------------------------------------------------- */

/* One event per field a ticket is born with (old_value NULL), into c. */
void tickets__birth_changes(struct changes *c, const struct ticket_new *r, const char *tags)
{
    tickets__change(c, "subject", NULL, r->subject);
    tickets__change(c, "status", NULL, r->status);
    tickets__change(c, "priority", NULL, r->priority);
    tickets__change(c, "via", NULL, r->channel);
    tickets__change(c, "requester_id", NULL, tickets__keep_id(c, r->requester_id));
    tickets__change(c, "submitter_id", NULL, tickets__keep_id(c, r->submitter_id));
    if (r->organization_id)
        tickets__change(c, "organization_id", NULL, tickets__keep_id(c, r->organization_id));
    if (r->assignee_id)
        tickets__change(c, "assignee_id", NULL, tickets__keep_id(c, r->assignee_id));
    if (r->group_id)
        tickets__change(c, "group_id", NULL, tickets__keep_id(c, r->group_id));
    if (*tags)
        tickets__change(c, "tags", NULL, tags);
    if (r->follow_up_of)
        tickets__change(c, "follow_up_of", NULL, tickets__keep_id(c, r->follow_up_of));
    if (r->category)
        tickets__change(c, "category", NULL, r->category);
    struct tickets_policy_in all = {.triage = r->triage, .triage_given = 0xF};
    struct priority_facts none = {0};
    tickets__triage_apply(&all, &none, c);
    if (r->scope_override)
        tickets__change(c, "scope_override", NULL, r->scope_override);
}

/* Insert the ticket, its tags and first comment, and one event per field it was born with. */
int tickets__give_birth(struct db *db, const struct birth *b, int64_t actor, int64_t now,
                        int64_t *id, struct err *e)
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
    tickets__birth_changes(&c, r, b->tags);
    tickets__change(&c, b->is_public ? "comment" : "internal_note", NULL,
                    tickets__keep_id(&c, cid));
    rc = tickets__write_changes(db, &c, tid, actor, now, e);
    if (!rc)
        *id = tid;
    return rc;
}

/* A comment written on behalf of author (ticket.comment.author_id, staff only): an existing
 * user; an internal note's author is staff, since requesters never see notes. */
int tickets__check_author(struct db *db, int64_t author, bool is_public, const char *field,
                          struct err *e)
{
    struct user u;
    int rc = users_get(db, author, &u, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, field, "user %lld does not exist", (long long)author);
    if (!rc && !is_public && !access_role_name_is_staff(u.role))
        return err_set(e, ERR_INVALID, field,
                       "user %lld is not staff: an internal note is written by staff",
                       (long long)author);
    return rc;
}

/* Read one ticket as s may see it; ERR_NOT_FOUND when absent or not visible. */
int tickets__read_visible(struct db *db, const struct access_subject *s, int64_t id,
                          struct arena *a, struct ticket *out, struct err *e)
{
    struct ticket t;
    int rc = tickets_get(db, id, access_can_see_internal(s), a, &t, e);
    if (rc == ERR_NOT_FOUND ||
        (!rc && !access_can_view_ticket(s, t.requester_id, t.organization_id)))
        return tickets__not_found(e, id);
    if (!rc)
        *out = t;
    return rc;
}
