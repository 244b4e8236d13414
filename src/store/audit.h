/* audit: the append-only record of security-relevant actions (table audit_log, which refuses
 * UPDATE and DELETE by trigger). Written in the same transaction as the action it records. */
#ifndef FRONTDESK_STORE_AUDIT_H
#define FRONTDESK_STORE_AUDIT_H

#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

struct audit_entry {
    int64_t at;
    int64_t actor_id; /* 0: no signed-in actor (setup, the CLI) */
    const char *action; /* "setup.completed", "auth.sign_in", ... */
    const char *target_type;
    int64_t target_id;
    const char *ip;     /* NULL when not over HTTP */
    const char *detail; /* JSON object text; NULL means "{}" */
};

int audit_append(struct db *db, const struct audit_entry *a, struct err *e);

#endif
