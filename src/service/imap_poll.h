/* imap_poll: the IMAP way in of the mail gateway (issue 6, "Email in"), as the scheduler job
 * "imap_poll" (jobs/scheduler.h), registered by `frontdesk serve` only when --imap-url is set.
 *
 * One run connects (mail/imap.h), lists the messages to take in the configured folder (UNSEEN
 * ones; every one not deleted when taken messages are moved to --imap-done-folder), and for the
 * IMAP_POLL_BATCH smallest UIDs: fetches the raw bytes (without setting \Seen) and hands them to
 * mail_in_accept() (source "imap"). Only a message that is stored (0, a duplicate included: the
 * gateway dedups by the SHA-256 of the raw bytes) is then marked as taken, all of them in one
 * command at the end of the run: moved to the done folder or flagged \Seen. So a crash anywhere
 * loses nothing and stores nothing twice (the next run fetches the message again and the gateway
 * answers "duplicate"), and a message the gateway could not store (-1: the database is down)
 * stays untouched on the server for the next run, which then stops there. A message larger
 * than MAIL_IN_RAW_MAX is not downloaded: it stays on the server, logged ("imap_too_large").
 *
 * Schedule: a run at most every --imap-interval seconds (the job skips a tick that comes sooner
 * and asks for its own next one); at once again when more than a batch was waiting. A server
 * that is down, refuses the login or times out makes the run fail (logged by the scheduler as
 * "job_failed" with the reason, never the password); the next run tries again.
 *
 * Thread-safe as the scheduler uses it: one run at a time, on the scheduler's thread.
 */
#ifndef FRONTDESK_SERVICE_IMAP_POLL_H
#define FRONTDESK_SERVICE_IMAP_POLL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"
#include "mail/imap.h"
#include "service/mail_in.h"

#define IMAP_POLL_BATCH 50

struct imap_poll {
    struct imap_config imap;         /* imap.stopping points at stopping below */
    const struct mail_in_config *in; /* the gateway's settings; outlives the poller */
    unsigned interval_s;             /* --imap-interval */
    int64_t next_at;                 /* env time of the next run; 0: at once */
    /* Set by the server when it stops: an IMAP exchange in progress is abandoned; what was
     * stored is marked on the next run. */
    atomic_bool stopping;
};

/* Fill *p; the strings are borrowed (the frozen configuration). ERR_INVALID naming "imap-url"
 * or "imap-done-folder" when they cannot be used, so a typo stops the server at start. */
int imap_poll_init(struct imap_poll *p, const char *url, const char *user, const char *password,
                   bool starttls, const char *done_folder, unsigned interval_s,
                   const struct mail_in_config *in, struct err *e);

/* One poll run as a scheduler job; arg is the struct imap_poll. */
int imap_poll_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                  struct err *e);

#endif
