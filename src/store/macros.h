/* macros (store): the macro library's rows (table macros, migration 0018). Repository only: who
 * may do what, the checks of the values and the audit are the service's (service/macros.h).
 * Runs on the caller's connection and transaction; strings read come from the caller's arena.
 *
 * A pack macro carries its key ("scope.out_of_scope.custom_integration"), unique among macros;
 * staff's own macros have none. Lists are ordered by id and start after a given id (cursor
 * pagination, http/paging.h). Thread-safe as far as the connection is.
 */
#ifndef FRONTDESK_STORE_MACROS_H
#define FRONTDESK_STORE_MACROS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#define MACRO_TITLE_MAX       255   /* characters */
#define MACRO_DESCRIPTION_MAX 1000  /* characters */
#define MACRO_BODY_MAX        65536 /* bytes, as a comment's body (store/tickets.h) */
#define MACRO_KEY_MAX         128   /* bytes */

struct macro {
    int64_t id;
    const char *key; /* NULL: a macro staff added */
    const char *title;
    const char *description; /* "" when none */
    const char *body;        /* the public comment, with {{placeholders}} */
    bool active;
    bool needs_identity;
    int64_t created_by; /* 0: seeded from the pack */
    int64_t created_at;
    int64_t updated_at;
};

/* Insert m (its id, created_at and updated_at are ignored: now) and fill *out from the arena.
 * A key another macro has is ERR_CONFLICT naming "macro.key". */
int macros_store_insert(struct db *db, const struct macro *m, int64_t now, struct arena *a,
                        struct macro *out, struct err *e);
/* Insert m unless a macro with its key (not NULL) exists; *inserted says which happened. */
int macros_store_insert_absent(struct db *db, const struct macro *m, int64_t now, bool *inserted,
                               struct err *e);
/* By id, into *out (strings from a). ERR_NOT_FOUND when absent. */
int macros_store_get(struct db *db, int64_t id, struct arena *a, struct macro *out, struct err *e);
/* The id of the macro with this key into *id, 0 when there is none. */
int macros_store_find_key(struct db *db, const char *key, int64_t *id, struct err *e);
/* Store title, description, body, active and needs_identity of m (by m->id) with updated_at now,
 * and fill *out. ERR_NOT_FOUND when absent. */
int macros_store_update(struct db *db, const struct macro *m, int64_t now, struct arena *a,
                        struct macro *out, struct err *e);
/* Delete by id; ERR_NOT_FOUND when absent. */
int macros_store_delete(struct db *db, int64_t id, struct err *e);
/* Up to limit macros with id > after, by id, into out[0..*n) (strings from a). ERR_LIMIT when
 * the arena runs out. */
int macros_store_list(struct db *db, int64_t after, unsigned limit, struct arena *a,
                      struct macro *out, size_t *n, struct err *e);

#endif
