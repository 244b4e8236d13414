/* outbox: mail to send, written in the same transaction as whatever caused it (a password
 * reset, an acknowledgement, a reply). The channels issue's delivery thread sends the rows;
 * until then they wait, visible to admins and tests. Runs on the caller's transaction. */
#ifndef FRONTDESK_STORE_OUTBOX_H
#define FRONTDESK_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
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

/* ---- delivery (service/mail_out.h) --------------------------------------------------------- */

/* One row being delivered: what the composer needs. Strings from the caller's arena. */
struct outbox_mail {
    int64_t id;
    const char *kind;
    const char *to_address;
    const char *subject;
    const char *body;
    int64_t ticket_id; /* 0: none */
    int attempts;      /* failed attempts so far */
    const char *message_id;
};

/* Inside the caller's write transaction: claim up to limit rows due at now (status 'queued',
 * next_attempt_at <= now), oldest first: each becomes 'sending' with claimed_at now and, if it
 * had none, the Message-ID make_id writes for it ("<outbox-ID.HEX@DOMAIN>", at most 200 bytes).
 * On PostgreSQL the rows are selected FOR UPDATE SKIP LOCKED, so concurrent claimers never get
 * the same row. Fills out[0..*n). */
int outbox_claim(struct db *db, int64_t now, size_t limit,
                 void (*make_id)(void *arg, int64_t id, char out[201]), void *arg, struct arena *a,
                 struct outbox_mail *out, size_t *n, struct err *e);

/* Settle a claimed row: sent at now; queued again for next_attempt_at with attempts + 1 and the
 * error; or failed with the error (attempts + 1). Only a row still 'sending' changes. */
int outbox_mark_sent(struct db *db, int64_t id, int64_t now, struct err *e);
int outbox_mark_retry(struct db *db, int64_t id, int64_t next_attempt_at, const char *error,
                      struct err *e);
int outbox_mark_failed(struct db *db, int64_t id, const char *error, struct err *e);

/* Give a claimed row back untried: 'queued' again, due as it was, attempts unchanged. */
int outbox_release(struct db *db, int64_t id, struct err *e);

/* Queue again the rows left 'sending' since before stale_before (their process died); *n how
 * many. */
int outbox_reclaim_stale(struct db *db, int64_t stale_before, int64_t *n, struct err *e);

#endif
