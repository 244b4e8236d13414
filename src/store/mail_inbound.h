/* mail_inbound (store): inbound mail as it arrived, and what the gateway made of it (issue 6,
 * "Email in"; service/mail_in.h decides). Tables mail_inbound (one row per distinct raw message,
 * unique by the SHA-256 of its bytes; the bytes themselves in mail_inbound_raw, written once, so
 * that updating a row never rewrites them), mail_bouncing (addresses our mail bounced from) and
 * mail_rate_alerts (one admin alert per sender and hour). Runs on the caller's connection and
 * transaction. Strings and bytes read are allocated from the caller's arena (ERR_LIMIT when it
 * is full). Thread-safe as far as the connection is.
 */
#ifndef FRONTDESK_STORE_MAIL_INBOUND_H
#define FRONTDESK_STORE_MAIL_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#define MAIL_INBOUND_SHA_HEX 64

struct mail_inbound {
    int64_t id;
    const char *source;     /* "pipe", "api", "imap" */
    const char *status;     /* "received", "processed", "failed" */
    const char *outcome;    /* NULL until processed */
    const char *reason;     /* NULL unless failed */
    int64_t ticket_id;      /* 0: none */
    int64_t comment_id;     /* 0: none */
    const char *message_id; /* NULL: none */
    const char *from_address;
    const char *subject;
    int64_t size;
    int64_t received_at;
    int64_t processed_at; /* 0: not yet */
    int64_t attempts;
    const char *raw; /* NULL unless asked for; raw_len bytes (not NUL-terminated) */
    size_t raw_len;
};

/* Store raw[0..len) under its hex SHA-256 (sha_hex), received at now (status 'received'; the
 * bytes in mail_inbound_raw), unless a row with that hash exists: *id is the row either way and
 * *inserted says which. A concurrent insert of the same bytes is not an error (ON CONFLICT DO
 * NOTHING, which on PostgreSQL waits for the other transaction, then the other row is read). */
int mail_inbound_insert(struct db *db, const char *source, const char *raw, size_t len,
                        const char *sha_hex, int64_t now, int64_t *id, bool *inserted,
                        struct err *e);

/* Row id, with its raw bytes when with_raw; ERR_NOT_FOUND when absent. In a write transaction
 * on PostgreSQL with lock, the row stays locked until commit (FOR UPDATE). */
int mail_inbound_get(struct db *db, int64_t id, bool with_raw, bool lock, struct arena *a,
                     struct mail_inbound *out, struct err *e);

/* What processing found (status "processed" or "failed"): attempts + 1, processed_at now.
 * Strings may be NULL (SQL NULL); ids 0 are NULL. */
struct mail_inbound_result {
    const char *status;
    const char *outcome;
    const char *reason;
    int64_t ticket_id;
    int64_t comment_id;
    const char *message_id;
    const char *from_address;
    const char *subject;
};
int mail_inbound_finish(struct db *db, int64_t id, const struct mail_inbound_result *r, int64_t now,
                        struct err *e);

/* Up to limit rows with id > after (status NULL: any), by id, into out[0..*n). No raw. */
int mail_inbound_list(struct db *db, const char *status, int64_t after, unsigned limit,
                      struct arena *a, struct mail_inbound *out, size_t *n, struct err *e);

/* How many rows from address (any case) were received at or after since. */
int mail_inbound_count_from(struct db *db, const char *address, int64_t since, int64_t *out,
                            struct err *e);

/* The ticket of the mail that carried Message-ID message_id ("<...>"): sent by us (outbox) or
 * received (mail_inbound) and linked to a ticket; *ticket_id 0 when none. */
int mail_inbound_ticket_of(struct db *db, const char *message_id, int64_t *ticket_id,
                           struct err *e);

/* Mark address (stored lower case) as bouncing at now with the report's status (may be NULL):
 * first_at kept, last_at now, count + 1. */
int mail_bouncing_mark(struct db *db, const char *address, const char *status, int64_t now,
                       struct err *e);

/* Record the hour's alert for address; *first says whether it is the first of that hour. */
int mail_rate_alert_once(struct db *db, const char *address, int64_t hour, bool *first,
                         struct err *e);

#endif
