/* tickets (service): the use cases of tickets and their conversation, transport-free, so the
 * API, the mail gateway and the CLI give a ticket identical treatment. Each call is one database
 * transaction: a ticket, its tags, its comment and its events commit together or not at all.
 *
 * Who may do what (core/access.h decides visibility):
 *  - reading: a ticket the caller may not see is ERR_NOT_FOUND, exactly like one that does not
 *    exist; internal notes (and a description that would come from one) only reach staff;
 *  - creating: staff for anyone (requester by id, or inline by email: found case-insensitively
 *    or created as an end-user), requesters for themselves only; the account (organization)
 *    always comes from the requester;
 *  - updating: staff change subject, status, priority, assignee, group and tags and add public
 *    replies or internal notes; a requester (or the owner of the requester's account) may only
 *    add a public comment, which applies ticket_requester_reply(): it reopens the ticket, or, on
 *    a closed ticket, creates a follow-up ticket that carries the comment instead.
 * A requester naming a staff-only field is ERR_FORBIDDEN naming it. A closed ticket is final:
 * staff changes to it are ERR_CONFLICT.
 *
 * Errors name the field as the API spells it: "ticket.subject", "ticket.comment.body",
 * "ticket.status", "ticket.priority", "ticket.via.channel", "ticket.requester_id",
 * "ticket.requester.email", "ticket.requester.name", "ticket.assignee_id", "ticket.group_id",
 * "ticket.tags". Bad values and unknown references are ERR_INVALID (422); an invalid status
 * change is ERR_CONFLICT (409) naming both states.
 *
 * Events (table ticket_events, old_value NULL on creation), one row per changed field, with
 * the actor and the instant: subject, status, priority, via (the channel), requester_id,
 * submitter_id, organization_id, assignee_id, group_id, tags (the tag list), follow_up_of;
 * "comment" (a public comment, new_value its id) and "internal_note" (same, for a note); on a
 * closed ticket that got a follow-up, "follow_up" with the new ticket's id.
 * solved_at is set when a ticket becomes solved, cleared when it is reopened, and kept when it
 * is closed (it says when the work was done; auto-close only reads it while solved).
 *
 * Results are read back inside the same transaction as the reader may see them, with strings
 * from the caller's arena. Thread-safe as far as each thread uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_TICKETS_H
#define FRONTDESK_SERVICE_TICKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "core/priority.h"
#include "core/ticket.h"
#include "db/db.h"
#include "store/attachments.h"
#include "store/tickets.h"

#define TICKETS_SHOW_MANY_MAX 100 /* ids in one show_many, as Zendesk allows */

/* Who acts, and through which channel their writes arrive (web for the portal's session, api
 * for a token, email for the mail gateway). */
struct tickets_actor {
    struct access_subject subject;
    enum ticket_channel channel;
};

/* An optional reference: not given, given as null (id 0), or given as an id. */
struct tickets_ref {
    bool given;
    int64_t id;
};

/* An optional tag list, as Zendesk's array: each element normalized by core/tags.h. */
struct tickets_tags {
    bool given;
    const struct slice *items;
    size_t count;
};

/* author_id writes the comment on behalf of another user (a phone call logged for the
 * requester, say): staff only (a requester naming it is ERR_FORBIDDEN naming
 * "ticket.comment.author_id"); the user must exist, and be staff for an internal note, else
 * ERR_INVALID naming it. The comment's event keeps the actor who wrote it down, and a comment
 * staff log for the requester does not apply the requester-reply rule (staff set the status). */
struct tickets_comment {
    const char *body;  /* NULL: no comment */
    int is_public;     /* -1: not given (public), 0: internal note, 1: public */
    int64_t author_id; /* 0: not given (the actor) */
    /* Upload tokens the comment claims (service/attachments.h): the actor's own; needs a body. */
    const char *const *uploads;
    size_t upload_count;
};

/* An optional text: not given, given as null (value NULL), or given. */
struct tickets_text {
    bool given;
    const char *value;
};

/* Which triage facts a request names (bits of tickets_policy_in.triage_given). */
enum {
    TICKETS_TRIAGE_SERVICE_DOWN = 1u << 0,
    TICKETS_TRIAGE_DATA_LOST = 1u << 1,
    TICKETS_TRIAGE_FEATURE_DOWN = 1u << 2,
    TICKETS_TRIAGE_WORKAROUND = 1u << 3,
};

/* The support policy's inputs (issue 5; service/ticket_policy.h). The category, a scope override
 * and a justification are staff's; requesters may give triage facts when they create a ticket.
 * A priority staff set away from the one the triage facts derive, and a scope override to
 * "in_scope", need policy_justification (at least 20 characters, 422 naming
 * "ticket.policy_justification" otherwise) and are recorded as policy exceptions. */
struct tickets_policy_in {
    struct tickets_text category;       /* a category id (core/policy.h) or null */
    struct priority_facts triage;       /* the facts named in triage_given (null: unknown) */
    unsigned triage_given;              /* TICKETS_TRIAGE_* */
    struct tickets_text scope_override; /* "in_scope" or null (withdraw the override) */
    const char *justification;          /* NULL: none */
};

struct tickets_create_req {
    const char *subject;
    struct tickets_comment comment;
    struct tickets_ref requester; /* requester_id; 0 is "not given" too */
    bool inline_requester;        /* requester: {name, email} */
    const char *requester_name;   /* NULL: the email's local part */
    const char *requester_email;
    const char *status;   /* NULL: "new" */
    const char *priority; /* NULL: "normal" */
    const char *channel;  /* via.channel; NULL: the actor's channel */
    struct tickets_ref assignee;
    struct tickets_ref group;
    struct tickets_tags tags;
    struct tickets_policy_in policy;
    /* No acknowledgement mail: the mail gateway sets it for automatic mail (an out-of-office
     * reply, a list) and for senders past the hourly limit, so two robots never talk forever. */
    bool suppress_auto_reply;
};

/* Create a ticket and its first comment (authored by the submitter, the actor). Fills *out as
 * the actor may see it.
 * When an end-user creates a ticket for themself by web, email or API and it is not stored
 * closed (a ban, a refusal), an "acknowledgement" mail to them (service/ticket_mail.h) is queued
 * in the same transaction. */
int tickets_create(const struct env *env, struct db *db, const struct tickets_actor *actor,
                   const struct tickets_create_req *req, struct arena *a, struct ticket *out,
                   struct err *e);

/* The same, on the caller's open write transaction: the mail gateway links its inbound row to
 * the ticket in one transaction. */
int tickets_create_tx(const struct env *env, struct db *db, const struct tickets_actor *actor,
                      const struct tickets_create_req *req, struct arena *a, struct ticket *out,
                      struct err *e);

struct tickets_update_req {
    const char *subject;  /* NULL: unchanged */
    const char *status;   /* NULL: unchanged */
    const char *priority; /* NULL: unchanged */
    struct tickets_ref assignee;
    struct tickets_ref group;
    struct tickets_tags tags; /* given: replaces the tags */
    struct tickets_comment comment;
    struct tickets_policy_in policy;
    /* No reply mail to the requester for a staff public comment: a chat message, which the chat
     * itself shows. */
    bool suppress_mail;
};

/* Update ticket id. Fills *out with the updated ticket, or, when a requester's comment on a
 * closed ticket made a follow-up, with the follow-up ticket and *follow_up = true. */
int tickets_update(const struct env *env, struct db *db, const struct tickets_actor *actor,
                   int64_t id, const struct tickets_update_req *req, struct arena *a,
                   struct ticket *out, bool *follow_up, struct err *e);

/* The same, on the caller's open write transaction. */
int tickets_update_tx(const struct env *env, struct db *db, const struct tickets_actor *actor,
                      int64_t id, const struct tickets_update_req *req, struct arena *a,
                      struct ticket *out, bool *follow_up, struct err *e);

/* One ticket; ERR_NOT_FOUND when absent or not visible. */
int tickets_show(struct db *db, const struct access_subject *s, int64_t id, struct arena *a,
                 struct ticket *out, struct err *e);

/* The visible tickets among ids (at most TICKETS_SHOW_MANY_MAX; duplicates count once), by id,
 * into out (room for count entries); absent and invisible ones are left out. */
int tickets_show_many(struct db *db, const struct access_subject *s, const int64_t *ids,
                      size_t count, struct arena *a, struct ticket *out, size_t *n, struct err *e);

enum tickets_scope {
    TICKETS_SCOPE_ALL,          /* every ticket the subject may see */
    TICKETS_SCOPE_REQUESTED_BY, /* requested by user scope_id (ERR_NOT_FOUND unless visible) */
    TICKETS_SCOPE_ORGANIZATION, /* of organization scope_id (ERR_NOT_FOUND unless visible) */
};

/* One page of a list: up to size items (size >= 1) with id > after. */
struct tickets_page {
    struct ticket *items; /* from the arena */
    size_t count;
    bool has_more;
};

int tickets_list_page(struct db *db, const struct access_subject *s, enum tickets_scope scope,
                      int64_t scope_id, int64_t after, unsigned size, struct arena *a,
                      struct tickets_page *out, struct err *e);

struct tickets_comment_page {
    struct ticket_comment *items; /* from the arena */
    size_t count;
    bool has_more;
    /* The attachments of those comments, by comment then id (no bytes), from the arena. */
    struct attachment *attachments;
    size_t attachment_count;
};

/* One page of a ticket's comments the subject may see; ERR_NOT_FOUND for a ticket they may not
 * see. */
int tickets_comments_page(struct db *db, const struct access_subject *s, int64_t ticket_id,
                          int64_t after, unsigned size, struct arena *a,
                          struct tickets_comment_page *out, struct err *e);

/* ---- import ---------------------------------------------------------------------------------- */

#define TICKETS_IMPORT_COMMENTS_MAX 1000

/* An optional instant. */
struct tickets_instant {
    bool given;
    int64_t at;
};

struct tickets_import_comment {
    int64_t author_id;                 /* required: an existing user */
    const char *body;                  /* required */
    const char *body_key;              /* "value" or "body", as the client named it (for errors) */
    int is_public;                     /* -1: not given (public) */
    struct tickets_instant created_at; /* not given: the ticket's created_at */
};

struct tickets_import_req {
    const char *subject;
    int64_t requester_id; /* required; also the submitter, as Zendesk's import has it */
    struct tickets_ref assignee;
    struct tickets_ref group;
    const char *status;   /* NULL: "new"; any status, closed included */
    const char *priority; /* NULL: "normal" */
    const char *channel;  /* NULL: "api" */
    struct tickets_tags tags;
    struct tickets_instant created_at; /* not given: now */
    struct tickets_instant updated_at; /* not given: the latest of created_at and the comments' */
    struct tickets_instant solved_at;  /* solved or closed only; not given: updated_at */
    const struct tickets_import_comment *comments;
    size_t comment_count;
};

/* Zendesk's ticket import, for admins (ERR_FORBIDDEN otherwise): a ticket with its history as
 * it was, in one transaction. Past instants are kept on the ticket and its comments; nothing is
 * sent (no outbox row). Events: the fields the ticket is born with at its created_at, actor the
 * importing admin; one "comment" or "internal_note" per comment at the comment's created_at,
 * actor its author. Instants must not be in the future, a comment not before the ticket, and
 * updated_at and solved_at not before created_at. Errors name the field as sent:
 * "ticket.created_at", "ticket.comments[2].author_id", "ticket.comments[0].value", ... Fills
 * *out as staff see it. */
int tickets_import(const struct env *env, struct db *db, const struct tickets_actor *actor,
                   const struct tickets_import_req *req, struct arena *a, struct ticket *out,
                   struct err *e);

#endif
