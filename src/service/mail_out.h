/* mail_out: the outbox delivered over SMTP (issue 6, "Email out").
 *
 * Every mail frontdesk sends is first an outbox row, written in the same transaction as whatever
 * caused it (store/outbox.h). This job delivers them through the configured SMTP server with
 * libcurl (smtp:// with optional STARTTLS, or smtps://; optional authentication):
 *   1. one write transaction claims up to MAIL_OUT_BATCH due rows (status 'sending', a
 *      Message-ID fixed at the first claim: "<outbox-ID.HEX@DOMAIN>", DOMAIN from --mail-from);
 *      on PostgreSQL FOR UPDATE SKIP LOCKED, so two processes never claim the same row;
 *   2. each row is composed (core/mail_compose.h: multipart text and HTML, Auto-Submitted on
 *      automatic mail, no CR or LF from user input in a header) and sent, outside any
 *      transaction;
 *   3. one small transaction per row settles it: 'sent'; or, after a 4xx reply, a connection
 *      failure or a timeout, 'queued' again with attempts + 1 and next_attempt_at backed off
 *      (MAIL_OUT_BACKOFF_S * 2^(attempts - 1), at most MAIL_OUT_BACKOFF_MAX_S); or 'failed' after
 *      a 5xx reply or MAIL_OUT_ATTEMPTS_MAX attempts, with the server's error (shown to staff).
 * A row left 'sending' for MAIL_OUT_STALE_S (its process died between claim and settle) is
 * queued again: the rare crash between the server's 250 and our commit sends it twice, with the
 * same Message-ID, so it is recognisable. A run that claimed a full batch asks to run again at
 * once. A run stops at the first connection that fails (a server down or hanging would fail the
 * rest of the batch the same way, each after a timeout, while the scheduler's other jobs wait):
 * the rows not tried are given back untouched.
 *
 * Thread-safe: the job runs on a delivery thread of its own (a scheduler with this one job, every
 * MAIL_OUT_INTERVAL_S) with its own connection; curl handles are made per run. curl_global_init() must have run before (cmd_serve does).
 */
#ifndef FRONTDESK_SERVICE_MAIL_OUT_H
#define FRONTDESK_SERVICE_MAIL_OUT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

#define MAIL_OUT_BATCH         50
#define MAIL_OUT_BACKOFF_S     30
#define MAIL_OUT_BACKOFF_MAX_S 3600
#define MAIL_OUT_ATTEMPTS_MAX  8
#define MAIL_OUT_STALE_S       300
#define MAIL_OUT_TIMEOUT_S     30 /* one SMTP transaction, connection included */
#define MAIL_OUT_INTERVAL_S    2  /* the delivery thread looks for due rows this often */

struct mail_out {
    const char *smtp_url; /* smtp://HOST:PORT or smtps://HOST:PORT */
    const char *user;     /* "" or NULL: no authentication */
    const char *password;
    bool starttls; /* require STARTTLS on smtp:// */
    /* The sender, parsed from --mail-from by mail_out_init(). */
    char from_name[256];
    char from_address[256];
    const char *domain; /* into from_address: after the '@' */
    /* Set by the server when it stops: an SMTP transaction in progress is abandoned (its row
     * given back), so a server that hangs never holds up a shutdown. */
    atomic_bool stopping;
};

/* Fill *m from the settings; ERR_INVALID naming "mail-from" when it holds no address. */
int mail_out_init(struct mail_out *m, const char *smtp_url, const char *user, const char *password,
                  bool starttls, const char *mail_from, struct err *e);

/* One delivery run as a scheduler job (jobs/scheduler.h); arg is the struct mail_out. */
int mail_out_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                 struct err *e);

#endif
