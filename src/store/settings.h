/* settings: instance-wide key/value settings (table settings). Values are text (JSON by
 * convention). Runs on the caller's connection and transaction. */
#ifndef FRONTDESK_STORE_SETTINGS_H
#define FRONTDESK_STORE_SETTINGS_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"

/* Append the value of key to out; ERR_NOT_FOUND when unset. */
int settings_get(struct db *db, const char *key, struct buf *out, struct err *e);
/* Insert or replace. */
int settings_put(struct db *db, const char *key, const char *value, int64_t now, struct err *e);
/* Insert only when absent; *inserted says which happened. */
int settings_put_new(struct db *db, const char *key, const char *value, int64_t now,
                     int *inserted, struct err *e);
int settings_delete(struct db *db, const char *key, struct err *e);

#endif
