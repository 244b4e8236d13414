/* tickets_internal: what the ticket service's files share (tickets.c creates and updates,
 * tickets_read.c shows and lists, tickets_import.c imports, tickets_checks.c holds the checks,
 * events and birth they have in common). Not for use outside src/service/tickets*.c.
 *
 * Checks word their errors for the API (422 naming the field as the client wrote it, e.g.
 * "ticket.subject"), so every path that takes the same field refuses it the same way.
 */
#ifndef FRONTDESK_SERVICE_TICKETS_INTERNAL_H
#define FRONTDESK_SERVICE_TICKETS_INTERNAL_H

#include "service/tickets.h"

#include "core/policy.h"
#include "core/ticket.h"

#define EVENTS_MAX 24 /* more than the fields one update can change */
_Static_assert(EVENTS_MAX <= TICKET_EVENTS_PER_INSERT, "one change's events fit one insert");

/* ---- checks ---------------------------------------------------------------------------------- */

/* Characters (not bytes) of UTF-8 text; is the text empty once trimmed of white space? */
size_t tickets__utf8_chars(const char *s);
bool tickets__blank(const char *s);
int tickets__check_subject(const char *s, struct err *e);
int tickets__check_body(const char *s, struct err *e);
int tickets__parse_status(const char *s, enum ticket_status *out, struct err *e);
int tickets__parse_priority(const char *s, enum ticket_priority *out, struct err *e);
int tickets__parse_channel(const char *s, enum ticket_channel *out, struct err *e);
/* The tag list of Zendesk's array (normalized, distinct, sorted) into *out from a. */
int tickets__build_tags(const struct tickets_tags *t, struct arena *a, const char **out,
                        struct err *e);
int tickets__not_found(struct err *e, int64_t id);
/* An assignee is a staff member; a group must exist (422 naming the field otherwise). */
int tickets__check_assignee(struct db *db, int64_t id, struct err *e);
int tickets__check_group(struct db *db, int64_t id, struct err *e);
/* A comment written on behalf of author: an existing user; staff when it is an internal note. */
int tickets__check_author(struct db *db, int64_t author, bool is_public, const char *field,
                          struct err *e);
/* Read one ticket as s may see it; ERR_NOT_FOUND when absent or not visible. */
int tickets__read_visible(struct db *db, const struct access_subject *s, int64_t id,
                          struct arena *a, struct ticket *out, struct err *e);

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

/* A copy of s in c's pool (NULL and c->overflow set when it does not fit). */
const char *tickets__keep(struct changes *c, const char *s);
/* Decimal text of an id in c's pool, NULL for 0 ("none"). */
const char *tickets__keep_id(struct changes *c, int64_t id);
void tickets__change(struct changes *c, const char *field, const char *old_value,
                     const char *new_value);
/* Insert c's events for the ticket, by actor at now. */
int tickets__write_changes(struct db *db, struct changes *c, int64_t ticket_id, int64_t actor,
                           int64_t now, struct err *e);

/* ---- policy (tickets_policy.c) --------------------------------------------------------------- */

/* The checks of the policy inputs that need no database: a category id, a scope override
 * ("in_scope" or null); for a requester (staff false) only triage facts when creating. */
int tickets__policy_check(const struct tickets_policy_in *in, bool staff, struct err *e);
/* Apply the facts `in` names to *f; one event per fact that changed into c. */
void tickets__triage_apply(const struct tickets_policy_in *in, struct priority_facts *f,
                           struct changes *c);
/* The group a decision routes to (the default team named "Sales" or "Product"), 0 when none or
 * when no team has that name. */
int tickets__team_group(struct db *db, enum policy_team team, int64_t *group_id, struct err *e);

/* ---- birth ----------------------------------------------------------------------------------- */

/* Everything a new ticket is born with, checked. */
struct birth {
    struct ticket_new row;
    const char *tags; /* tag list */
    const char *body;
    bool is_public;
    const char *comment_channel;
    int64_t author_id;          /* the first comment's author; 0: the submitter */
    const char *const *uploads; /* claimed by the first comment, as the actor's */
    size_t upload_count;
};

/* One event per field a ticket is born with (old_value NULL), into c. */
void tickets__birth_changes(struct changes *c, const struct ticket_new *r, const char *tags);
/* Insert the ticket, its tags and first comment, and one event per field it was born with. */
int tickets__give_birth(struct db *db, const struct birth *b, int64_t actor, int64_t now,
                        int64_t *id, struct err *e);

#endif
