/* macros: the shared canned replies staff answer with (Zendesk's macros, seen through its API).
 *
 * A macro is a title, a description and one action, the public comment body, written with
 * Zendesk-style placeholders ({{ticket.requester.first_name}}, {{support.hours}}, ...; see
 * core/placeholders.h and docs/policy.md "## Macros"). The policy pack (policies/rarelogic.json
 * "macros") ships one macro per macro key core/policy.c can return; `init` seeds those where no
 * macro with that key exists, so it never overwrites what leads changed. Pack macros carry their
 * key; macros staff add have none.
 *
 * Rules (issue 5, clause 1.2): staff (agent, lead, admin) read every macro and may create
 * macros; updating or deleting a pack macro (one with a key) needs a lead or an admin, other
 * macros any staff member. Applying renders the body for one ticket; a macro marked
 * needs_identity (the billing ones) renders only once the ticket's requester is verified
 * (service/identity.h), else ERR_FORBIDDEN naming "identity_unverified". Requesters and the
 * anonymous get ERR_FORBIDDEN. Every write is one transaction with its audit entry
 * ("macro.created" and "macro.deleted" with detail {"key", "title"}, "macro.updated" with
 * {"key", "fields"}; target the macro). A key is never set or changed through here.
 *
 * Validation errors name the API's fields: "macro.title", "macro.actions", "macro.description".
 * Thread-safe as far as the connection is.
 */
#ifndef FRONTDESK_SERVICE_MACROS_H
#define FRONTDESK_SERVICE_MACROS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "store/macros.h"

/* What a create or an update says; NULL / has_* false: not given (an update keeps the stored
 * value; a create needs title and body). Strings are NUL-terminated UTF-8 the caller owns. */
struct macros_input {
    const char *title;       /* "macro.title": 1..MACRO_TITLE_MAX characters after trimming */
    const char *description; /* "macro.description": 0..MACRO_DESCRIPTION_MAX */
    const char *body;        /* the comment_value action ("macro.actions"): 1..MACRO_BODY_MAX */
    bool has_active;
    bool active;
    bool has_needs_identity;
    bool needs_identity;
};

/* Inside the caller's transaction: the id of the macro with this pack key, *id 0 when none.
 * (Contract, contracts.md "Macros".) */
int macros_find_by_key(struct db *db, const char *key, int64_t *id, struct err *e);

/* Inside the caller's write transaction: insert every pack macro whose key no macro has yet.
 * *added (may be NULL) receives how many were inserted. ERR_INTERNAL: the shipped pack is
 * broken. */
int macros_seed(struct db *db, int64_t now, size_t *added, struct err *e);

/* One macro by id for staff s; strings from the arena. ERR_NOT_FOUND when absent. */
int macros_get(struct db *db, const struct access_subject *s, int64_t id, struct arena *a,
               struct macro *out, struct err *e);
/* Up to limit macros with id > after, by id, into out[0..*n) (strings from the arena); *has_more
 * says whether more follow. out must hold limit + 1 (the extra row only says has_more). */
int macros_list(struct db *db, const struct access_subject *s, int64_t after, unsigned limit,
                struct arena *a, struct macro *out, size_t *n, bool *has_more, struct err *e);

/* Create a macro without a key (audit "macro.created"); fills *out from the arena. */
int macros_create(const struct env *env, struct db *db, const struct access_subject *s,
                  const char *ip, const struct macros_input *in, struct arena *a, struct macro *out,
                  struct err *e);
/* Change the given fields (audit "macro.updated", detail {"key", "fields": [...]}: the fields
 * given, as the API names them). ERR_FORBIDDEN for an agent on a pack macro; ERR_NOT_FOUND. */
int macros_update(const struct env *env, struct db *db, const struct access_subject *s,
                  const char *ip, int64_t id, const struct macros_input *in, struct arena *a,
                  struct macro *out, struct err *e);
/* Delete (audit "macro.deleted"); ERR_FORBIDDEN for an agent on a pack macro. */
int macros_delete(const struct env *env, struct db *db, const struct access_subject *s,
                  const char *ip, int64_t id, struct err *e);

/* Where the self-serve article on deleting contacts lives (clause 9), under the public URL:
 * {{help_center.contact_deletion_url}} renders public_url + this path. */
#define MACROS_CONTACT_DELETION_PATH "/hc/articles/deleting-contacts-yourself"

/* Render macro macro_id for ticket ticket_id as staff s sees it: *body (from the arena,
 * NUL-terminated) is the comment text with every known placeholder filled, unknown ones left as
 * written, at most MACRO_BODY_MAX bytes (ERR_LIMIT past that). public_url (no trailing slash)
 * prefixes links. Nothing is written; an inactive macro renders too. ERR_NOT_FOUND for a
 * missing ticket or macro; ERR_FORBIDDEN with field "identity_unverified" for a needs_identity
 * macro while the ticket's requester is not verified (service/identity.h). The placeholders:
 *   {{ticket.id}}, {{ticket.title}} (its subject), {{ticket.requester.name}},
 *   {{ticket.requester.first_name}} (the name's first word), {{current_user.name}} (s's name),
 *   {{support.hours}} and {{support.next_open}} (core/placeholders.h's wording of the calendar
 *   in force; next_open is now when support is open now), {{help_center.contact_deletion_url}}. */
int macros_apply(const struct env *env, struct db *db, const struct access_subject *s,
                 const char *public_url, int64_t ticket_id, int64_t macro_id, struct arena *a,
                 char **body, struct err *e);

#endif
