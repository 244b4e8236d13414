/* tickets: the repository of the ticket aggregate: tables tickets, ticket_tags, ticket_comments
 * and ticket_events (attachments come later). Runs on the caller's connection and transaction;
 * the service layer decides what may be written, this module only writes and reads it.
 *
 * Values are stored as the API spells them (status "hold", priority "urgent", channel "voice"),
 * never as numbers; the store passes them through as text and the service parses them with
 * core/ticket.h. Optional references (assignee, group, organization, follow-up) are 0 when NULL.
 *
 * Reading a ticket also reads its tags (a tag list: distinct, sorted by bytes, joined by single
 * spaces, as core/tags.h defines it) and its description: the body of its first comment that the
 * reader may see. with_internal says whether the reader may see internal notes; without it an
 * internal first comment is skipped, so a note never leaks through the description.
 *
 * Strings of what is read (subject, description, tags, comment bodies) are allocated from the
 * caller's arena and live as long as it does; ERR_LIMIT when the arena is full. Lists are
 * ordered by id ascending and start after a given id (cursor pagination, http/paging.h).
 * Thread-safe as far as the connection is (one thread per connection).
 */
#ifndef FRONTDESK_STORE_TICKETS_H
#define FRONTDESK_STORE_TICKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "core/priority.h"
#include "core/search_query.h"
#include "db/db.h"

#define TICKET_SUBJECT_MAX 255   /* characters of a subject */
#define TICKET_COMMENT_MAX 65536 /* bytes of one comment body (Zendesk's limit too) */
#define TICKET_ENUM_MAX    8     /* bytes of the longest status/priority/channel name + NUL */

struct ticket {
    int64_t id;
    const char *subject;
    const char *description; /* "" when no comment is visible to the reader */
    char status[TICKET_ENUM_MAX];
    char priority[TICKET_ENUM_MAX];
    char channel[TICKET_ENUM_MAX];
    int64_t requester_id;
    int64_t submitter_id;
    int64_t organization_id;
    int64_t assignee_id;
    int64_t group_id;
    int64_t follow_up_of;
    const char *category; /* NULL when none */
    const char *tags;     /* tag list; "" when none */
    int64_t created_at;
    int64_t updated_at;
    int64_t solved_at; /* 0 unless solved (and kept once closed) */
    /* The SLA summary kept on the row (service/ticket_sla.h): the worst state as computed at
     * the last write ("" when no clock runs), and the warn and due instants of the clock due
     * soonest (0 when none). */
    char sla_state[TICKET_ENUM_MAX + 4];
    int64_t sla_warn_at;
    int64_t sla_due_at;
    /* The support policy (issue 5, service/ticket_policy.h): the triage facts (core/priority.h),
     * whether staff set the priority by hand, a scope override ("in_scope" or NULL), the keyword
     * rules' category suggestion (NULL: none) and the recorded decision as staff see it, JSON
     * object text (NULL: never decided, a ticket from before the policy). */
    struct priority_facts triage;
    bool priority_set_by_hand;
    const char *scope_override;
    const char *suggested_category;
    const char *policy;
};

struct ticket_new {
    const char *subject;
    const char *status;
    const char *priority;
    const char *channel;
    int64_t requester_id;
    int64_t submitter_id;
    int64_t organization_id;
    int64_t assignee_id;
    int64_t group_id;
    int64_t follow_up_of;
    int64_t solved_at;
    const char *category;         /* NULL: none */
    struct priority_facts triage; /* zero: nothing given */
    bool priority_set_by_hand;
    const char *suggested_category; /* NULL: none */
    const char *scope_override;     /* NULL or "in_scope" */
    /* The decision recorded with the ticket (tickets_set_policy's fields); policy NULL: none. */
    const char *policy;
    const char *policy_decision;
    int64_t policy_decided_at;
};

/* Insert a ticket (no tags, no comment) created and updated at now; *id receives its id. */
int tickets_insert(struct db *db, const struct ticket_new *t, int64_t now, int64_t *id,
                   struct err *e);

/* The SLA summary kept on a ticket's row (service/ticket_sla.h); "" / NULL and 0 mean none. */
struct ticket_sla_summary {
    const char *state;
    int64_t warn_at, due_at;
    int64_t next_at; /* the next instant the state changes by time alone (the sweep's key) */
};
int tickets_set_sla(struct db *db, int64_t id, const struct ticket_sla_summary *s, struct err *e);

/* Have the SLA sweep judge again, from now on, every ticket whose clocks still run (their
 * summary's state is running, warning, breached or paused): after the calendar or the targets
 * changed. */
int tickets_sla_rejudge_open(struct db *db, int64_t now, struct err *e);

/* Is there an event of the ticket with exactly this field, old and new value? */
int tickets_event_exists(struct db *db, int64_t ticket_id, const char *field, const char *old_value,
                         const char *new_value, bool *exists, struct err *e);

/* What the SLA clocks are computed from: the ticket's status, priority, channel and public
 * comment events, in order. A comment's author role tells staff from requester. */
struct ticket_sla_row {
    int64_t at;
    char field[16];       /* "status", "priority", "via", "comment" */
    bool born;            /* old_value was NULL: a value the ticket was created with */
    char value[24];       /* the new value (a comment's id) */
    char author_role[16]; /* comments: "end-user", "agent", "lead", "admin" */
};
/* The rows into *out (the caller frees it; NULL when none), at most cap (ERR_LIMIT beyond). */
int tickets_sla_events(struct db *db, int64_t ticket_id, size_t cap, struct ticket_sla_row **out,
                       size_t *n, struct err *e);

/* Write back the fields a ticket update may change: subject, status, priority, assignee_id,
 * group_id, solved_at, updated_at, category, the triage facts, priority_set_by_hand,
 * scope_override and suggested_category, from t (by t->id). ERR_NOT_FOUND when no such ticket. */
int tickets_save(struct db *db, const struct ticket *t, struct err *e);

/* Record the ticket's policy decision: its kind (NULL: none), the instant and the whole
 * decision as JSON object text. */
int tickets_set_policy(struct db *db, int64_t id, const char *decision, int64_t decided_at,
                       const char *policy_json, struct err *e);

/* The ids of the account's tickets that are not closed, by id, into *ids (the caller frees it;
 * NULL when none). */
int tickets_unclosed_of_organization(struct db *db, int64_t org_id, int64_t **ids, size_t *n,
                                     struct err *e);

/* Replace the ticket's tags with those of the tag list `tags` ("" removes them all). */
int tickets_set_tags(struct db *db, int64_t ticket_id, const char *tags, struct err *e);

/* By id, into *out (strings from a). ERR_NOT_FOUND when absent. */
int tickets_get(struct db *db, int64_t id, bool with_internal, struct arena *a, struct ticket *out,
                struct err *e);

/* Inside a write transaction, lock the ticket's row until commit so concurrent updates of one
 * ticket serialize (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the writer lock already does).
 * ERR_NOT_FOUND when absent. */
int tickets_lock(struct db *db, int64_t id, struct err *e);

/* Which tickets a list holds. Zero fields do not filter. */
struct tickets_filter {
    int64_t requester_id;
    int64_t organization_id;
    /* Visibility for a reader who is not staff: only tickets they requested, or of the account
     * they own (core/access.h). viewer_account is 0 unless the viewer owns an account. */
    bool restricted;
    int64_t viewer_id;
    int64_t viewer_account;
};

/* Up to limit tickets matching f with id > after, by id, into out[0..*n). */
int tickets_list(struct db *db, const struct tickets_filter *f, bool with_internal, int64_t after,
                 unsigned limit, struct arena *a, struct ticket *out, size_t *n, struct err *e);

struct ticket_comment {
    int64_t id;
    int64_t ticket_id;
    int64_t author_id;
    const char *body;
    bool public;
    char channel[TICKET_ENUM_MAX];
    int64_t created_at;
};

/* Add a comment (public reply, or internal note when !public); *id receives its id. */
int tickets_comment_insert(struct db *db, int64_t ticket_id, int64_t author_id, const char *body,
                           bool public, const char *channel, int64_t now, int64_t *id,
                           struct err *e);

/* Up to limit comments of a ticket with id > after, by id; internal notes only when
 * with_internal. */
int tickets_comments_list(struct db *db, int64_t ticket_id, bool with_internal, int64_t after,
                          unsigned limit, struct arena *a, struct ticket_comment *out, size_t *n,
                          struct err *e);

/* One change to a ticket. Values are text as the API spells them (ids in decimal); NULL for
 * "none" (old_value NULL on creation). */
struct ticket_event {
    int64_t ticket_id;
    int64_t actor_id; /* 0: the system */
    int64_t at;
    const char *field;
    const char *old_value;
    const char *new_value;
};

/* Most events one tickets_events_insert() takes (more than one change ever records). */
#define TICKET_EVENTS_PER_INSERT 32

int tickets_event_insert(struct db *db, const struct ticket_event *ev, struct err *e);
/* Insert ev[0..n) in one statement (n <= TICKET_EVENTS_PER_INSERT). */
int tickets_events_insert(struct db *db, const struct ticket_event *ev, size_t n, struct err *e);

/* ---- search ---------------------------------------------------------------------------------- */

/* One condition of a search, resolved by the service (core/search_query.h says what the terms
 * mean). Non-negated conditions on the same field (free text aside) match any of them (OR);
 * everything else must hold (AND). */
struct tickets_search_cond {
    enum search_field field; /* never SEARCH_TYPE */
    bool negated;
    unsigned mask;    /* status, priority: bit (1u << enum value) of core/ticket.h */
    int64_t id;       /* assignee, requester, organization, group: 0 none, -1 no such object */
    const char *text; /* free text: the LIKE pattern, '!'-escaped, '%' around; tags: the tag */
};

struct tickets_search {
    const struct tickets_search_cond *conds;
    size_t count;
    bool with_internal; /* free text also matches internal notes (and shows the description) */
    /* Visibility for a reader who is not staff, as in struct tickets_filter. */
    bool restricted;
    int64_t viewer_id;
    int64_t viewer_account;
};

/* How many tickets match s; and up to limit of them from the offset-th, by id. Free text is a
 * case-insensitive substring match (lower() on both sides: ASCII folding on SQLite, the
 * database's on PostgreSQL) over the subject and the comment bodies the reader may see. */
int tickets_search_count(struct db *db, const struct tickets_search *s, int64_t *count,
                         struct err *e);
int tickets_search_list(struct db *db, const struct tickets_search *s, int64_t offset,
                        unsigned limit, struct arena *a, struct ticket *out, size_t *n,
                        struct err *e);

/* The id of the organization (table "organizations") or group ("groups") whose name is name,
 * compared after lower() on both sides as their unique indexes do; -1 when there is none. For
 * search terms, which name them as people type them. */
int tickets_search_name_id(struct db *db, bool group, const char *name, int64_t *id, struct err *e);

/* Set the instants of a ticket as an import gives them (created_at, updated_at, solved_at; 0
 * solved_at is NULL). ERR_NOT_FOUND when no such ticket. */
int tickets_set_instants(struct db *db, int64_t id, int64_t created_at, int64_t updated_at,
                         int64_t solved_at, struct err *e);

#endif
