/* outbox: mail to send, written in the same transaction as whatever caused it (a password
 * reset, an acknowledgement, a reply). The channels issue's delivery thread sends the rows;
 * until then they wait, visible to admins and tests. Runs on the caller's transaction. */
#ifndef FRONTDESK_STORE_OUTBOX_H
#define FRONTDESK_STORE_OUTBOX_H

#include <stdbool.h>
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

/* Is there work for a delivery run: a row due at now, or one left 'sending' since before
 * stale_before? Two index probes, so an idle delivery thread costs next to nothing. */
int outbox_pending(struct db *db, int64_t now, int64_t stale_before, bool *any, struct err *e);

/* The Message-IDs a mail of ticket_id threads under (RFC 5322 3.6.4): the ticket's mail so far,
 * received (mail_inbound) and sent (outbox, this row excepted), oldest first. *in_reply_to is the
 * newest received one (what the requester last wrote), else the newest sent one; *references
 * the first and the OUTBOX_REFERENCES_MAX - 1 newest, space-separated. Both NULL when the ticket
 * has no mail yet. Strings from a. */
#define OUTBOX_REFERENCES_MAX 10
int outbox_thread(struct db *db, int64_t ticket_id, int64_t outbox_id, struct arena *a,
                  const char **in_reply_to, const char **references, struct err *e);

/* A ticket's mail as staff see it on the ticket (GET /api/v2/tickets/{id}/deliveries). */
struct outbox_delivery {
    int64_t id;
    const char *kind, *to_address, *subject, *status, *last_error; /* last_error: NULL if none */
    int attempts;
    int64_t created_at, sent_at; /* sent_at 0: not sent */
};

/* The mail of ticket_id, newest first, at most limit rows; strings from a. */
int outbox_list_for_ticket(struct db *db, int64_t ticket_id, size_t limit, struct arena *a,
                           struct outbox_delivery *out, size_t *n, struct err *e);

#endif
