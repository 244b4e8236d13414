/* outbox: mail to send, written in the same transaction as whatever caused it (a password
 * reset, an acknowledgement, a reply). The channels issue's delivery thread sends the rows;
 * until then they wait, visible to admins and tests. Runs on the caller's transaction. */
#ifndef FRONTDESK_STORE_OUTBOX_H
#define FRONTDESK_STORE_OUTBOX_H

#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

struct outbox_new {
    const char *kind; /* "password_reset", ... */
    const char *to_address;
    const char *subject;
    const char *body;
    int64_t ticket_id; /* 0: none */
    int64_t send_at;   /* not before this instant (0: now), e.g. the next support hours */
};

int outbox_insert(struct db *db, const struct outbox_new *m, int64_t now, int64_t *id,
                  struct err *e);

#endif
