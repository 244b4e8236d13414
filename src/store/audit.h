/* audit: the append-only record of security-relevant actions (table audit_log, which refuses
 * UPDATE and DELETE by trigger). Written in the same transaction as the action it records, and
 * read back by id, oldest first, so cursor pagination (http/paging.h) works as for every other
 * list and a client can come back later for what was added since. Runs on the caller's
 * connection; thread-safe as far as the connection is. */
#ifndef FRONTDESK_STORE_AUDIT_H
#define FRONTDESK_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
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

/* One stored entry: its id and what was appended (strings from the caller's arena; ip and
 * target_type NULL when NULL, detail the stored JSON text). */
struct audit_record {
    int64_t id;
    struct audit_entry entry;
};

/* Which entries a listing holds; zero fields do not filter. */
struct audit_filter {
    const char *action; /* exact match */
    int64_t actor_id;
};

/* Up to limit entries matching f with id > after, by id, into out[0..*n). ERR_LIMIT when the
 * arena runs out. */
int audit_list(struct db *db, const struct audit_filter *f, int64_t after, unsigned limit,
               struct arena *a, struct audit_record *out, size_t *n, struct err *e);

#endif
