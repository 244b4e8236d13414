/* migrate: numbered SQL migrations embedded in the binary, applied in order and recorded.
 *
 * Files are migrations/<dialect>/NNNN_name.sql; NNNN is the version (1, 2, ...: no gaps). The
 * applied versions are rows of schema_migrations(version, name, applied_at). migrate_apply()
 * runs every pending migration in one write transaction (on PostgreSQL under an advisory lock,
 * so two processes starting together apply each migration once) and is idempotent. A database
 * whose recorded version is newer than the newest embedded one is refused with ERR_CONFLICT:
 * an older binary must not write to a schema it does not know. Not thread-safe per connection,
 * like every use of a struct db.
 */
#ifndef FRONTDESK_DB_MIGRATE_H
#define FRONTDESK_DB_MIGRATE_H

#include "base/err.h"
#include "db/db.h"

struct migrate_status {
    int current; /* highest applied version, 0 for an empty database */
    int latest;  /* highest embedded version for this dialect */
};

/* Read the schema state without changing anything. */
int migrate_status(struct db *db, struct migrate_status *out, struct err *e);
/* Apply what is pending. *applied (when not NULL) receives how many migrations ran. */
int migrate_apply(struct db *db, int *applied, struct err *e);

#endif
