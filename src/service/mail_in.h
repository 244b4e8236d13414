/* mail_in: the mail gateway's one code path for inbound mail (issue 6, "Email in"), shared by
 * `frontdesk mail-in` (an MTA's pipe), POST /api/v2/mail/inbound and the IMAP poller.
 *
 * One message, one write transaction (the parse runs just before it, outside any transaction):
 *   1. store: the raw message is inserted first (mail_inbound, status 'received', the bytes in
 *      mail_inbound_raw). An identical message (same SHA-256 of the raw bytes) already stored is
 *      not stored again: the earlier row's outcome is returned with duplicate = true, and nothing
 *      else happens. That makes every way in idempotent (an MTA retry, an IMAP message fetched
 *      twice after a crash, copies racing: on PostgreSQL the second insert waits for the first
 *      transaction, then sees its row).
 *   2. process, in the same transaction: a parse failure (mail/parse.h) marks the row 'failed'
 *      with the parser's reason (the failed-inbound list admins see and retry); otherwise thread
 *      it and act: a reply on its ticket (tickets_update as the sender, channel email), a new
 *      ticket (tickets_create, channel email; a new end-user when the sender is unknown), a
 *      bounce linked to the ticket it bounces from (the address marked bouncing), and the row
 *      becomes 'processed' with its outcome and ticket. Then one commit.
 *   3. only when that transaction fails for another reason than the message (a database error,
 *      a bug; a unique violation by a concurrent writer is first retried a few times): it is
 *      rolled back whole and the raw message is stored alone, in a transaction of its own, as
 *      'failed' with reason "error_<code>" (or the error's reason), so nothing is lost. When
 *      that fails too, the message is not stored (-1: the sender retries).
 * Threading (mail_in_thread): In-Reply-To or References naming a Message-ID of the outbox (mail
 * we sent) or of mail_inbound (mail we received) that belongs to a ticket; else the subject's
 * ticket token (core/ticket_token.h) verified with the instance's key; a bare "#123" or a forged
 * token never threads. The ticket must be the sender's (or their account's, or the sender is
 * staff), else a new ticket. Reply-To never decides who someone is.
 * Loops and noise (no automatic reply, via tickets_create_req.suppress_auto_reply): automatic
 * mail (mail_parsed.automatic), our own addresses or Message-ID domain, and a sender past
 * --mail-in-hourly-max messages an hour (that also makes one admin alert an hour).
 *
 * Thread-safe as far as each thread uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_MAIL_IN_H
#define FRONTDESK_SERVICE_MAIL_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

struct mail_parsed; /* mail/parse.h */

#define MAIL_IN_RAW_MAX (40u * 1024 * 1024) /* a larger message is refused (ERR_LIMIT) unstored */

/* Where a message came in: stored in mail_inbound.source. */
enum mail_in_source { MAIL_IN_PIPE, MAIL_IN_API, MAIL_IN_IMAP };

/* What became of a message: mail_inbound.outcome. */
enum mail_in_outcome {
    MAIL_IN_TICKET,  /* "ticket": a new ticket */
    MAIL_IN_REPLY,   /* "reply": a comment on an existing ticket (or the follow-up it made) */
    MAIL_IN_BOUNCE,  /* "bounce": a delivery status report, linked to its ticket if known */
    MAIL_IN_IGNORED, /* "ignored": nothing to do (our own mail come back, an empty auto-reply) */
    MAIL_IN_FAILED,  /* "failed": kept in the failed-inbound list with a reason */
};

/* The gateway's settings (config flags, see docs/configuration.md). */
struct mail_in_config {
    const char *our_addresses; /* comma-separated: mail from these is ours (loops); may be NULL */
    const char *our_domain;    /* Message-IDs "@our_domain" are ours; from --mail-from */
    int hourly_max;            /* --mail-in-hourly-max: auto-replies stop past it (default 20) */
    size_t attachment_max;     /* one file (default 20 MiB) */
    size_t total_max;          /* all files of a message (default 25 MiB) */
};

struct mail_in_result {
    int64_t inbound_id; /* the mail_inbound row */
    enum mail_in_outcome outcome;
    int64_t ticket_id;  /* 0: none */
    bool duplicate;     /* the same bytes were stored before; this is that row's outcome */
    const char *reason; /* MAIL_IN_FAILED: the reason (arena or static), else NULL */
};

/* Store and process one raw message. 0 whenever the message is stored (a failed parse is stored
 * too: outcome MAIL_IN_FAILED); -1 only when it could not be stored (the database is down, or
 * ERR_LIMIT past MAIL_IN_RAW_MAX), so the caller can ask the sender to retry (exit 75, 503). */
int mail_in_accept(const struct env *env, struct db *db, const struct mail_in_config *cfg,
                   enum mail_in_source source, const char *raw, size_t len, struct arena *a,
                   struct mail_in_result *out, struct err *e);

/* Process a stored message again (an admin's retry of a failed one): step 2 above, in one
 * transaction; when it fails, the row stays failed with the new reason. A row that is not
 * failed is ERR_CONFLICT naming "status". */
int mail_in_retry(const struct env *env, struct db *db, const struct mail_in_config *cfg,
                  int64_t inbound_id, struct arena *a, struct mail_in_result *out, struct err *e);

/* The ticket a parsed message answers (the threading above): a Message-ID it names (In-Reply-To,
 * then References newest first) that we sent or received on a ticket, else a ticket token in
 * the subject that verifies with env->secrets->mail_key; a ticket since deleted is none.
 * *ticket_id 0: none. Only reads, on the caller's connection and transaction (mail_in_accept's
 * own, or a read transaction); the ticket read back is allocated from a. Whether the sender may
 * write on that ticket is the caller's to decide. */
int mail_in_thread(const struct env *env, struct db *db, const struct mail_parsed *p,
                   struct arena *a, int64_t *ticket_id, struct err *e);

const char *mail_in_outcome_name(enum mail_in_outcome o);
const char *mail_in_source_name(enum mail_in_source s);

#endif
