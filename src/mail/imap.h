/* imap: a small IMAP4rev1 client over libcurl (RFC 3501; MOVE RFC 6851; UIDPLUS RFC 4315), just
 * what the mail poller needs (service/imap_poll.h): select one folder, list the UIDs of the
 * messages to take, fetch one message's raw bytes without marking it read, and mark messages
 * as taken (moved to a folder, or flagged \Seen).
 *
 * One session is one IMAP connection, made on first use and kept for the session's calls
 * (libcurl reuses the connection of the easy handle), logged out by imap_close(). The URL is
 * imap://HOST[:PORT]/FOLDER or imaps://HOST[:PORT]/FOLDER (FOLDER URL-encoded, default INBOX);
 * STARTTLS is required on imap:// when the config asks. Every message is addressed by UID
 * within the UIDVALIDITY seen when the folder was selected: when the folder is recreated in
 * the middle of a session (a new UIDVALIDITY), every later call fails with ERR_CONFLICT rather
 * than touch another message under the same number.
 *
 * Fetching never sets \Seen: the folder is re-opened read-only (EXAMINE) for fetching, so a
 * message taken by nobody (the caller could not store it, or crashed) is still unseen and
 * untouched on the server for the next poll; marking re-opens it read-write (SELECT).
 *
 * The password is handed to libcurl and never written to an error message or the log. Every
 * call has a timeout and is abandoned when *stopping becomes true (ERR_BUSY).
 * Not thread-safe: a session belongs to one thread. curl_global_init() must have run.
 */
#ifndef FRONTDESK_MAIL_IMAP_H
#define FRONTDESK_MAIL_IMAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define IMAP_CONNECT_TIMEOUT_S 10  /* TCP, TLS, greeting and login */
#define IMAP_COMMAND_TIMEOUT_S 60  /* one command's whole exchange */
#define IMAP_FETCH_TIMEOUT_S   300 /* one message's download (up to the caller's cap) */

struct imap_config {
    const char *url;             /* imap://HOST[:PORT]/FOLDER or imaps://... */
    const char *user;            /* "" or NULL: no login (a server that needs one refuses) */
    const char *password;        /* never logged */
    bool starttls;               /* imap://: require STARTTLS */
    const char *done_folder;     /* "" or NULL: mark taken messages \Seen; else move them there */
    const atomic_bool *stopping; /* may be NULL; true abandons the call in progress */
};

struct imap_session;

/* Check the URL and prepare a session (no connection yet). ERR_INVALID naming "imap-url" for a
 * URL that is not imap:// or imaps:// with a host, or that carries credentials or parameters.
 * *out is freed with imap_close(). */
int imap_open(const struct imap_config *cfg, struct imap_session **out, struct err *e);

/* Log out (when connected) and free. NULL is a no-op. */
void imap_close(struct imap_session *s);

/* The folder's name as IMAP knows it (decoded from the URL), valid until imap_close(). */
const char *imap_folder(const struct imap_session *s);

/* Select the folder (connecting and logging in first if needed) and list the UIDs of the messages
 * to take: UNSEEN ones, or every one not flagged \Deleted when taken messages are moved away (a
 * message read by a person in a mail client is still to be taken). The smallest max of them go
 * to uids[] in ascending order, *n is how many, *total how many matched in all. Errors:
 * ERR_FORBIDDEN when the server refuses the login; ERR_IO when it cannot be reached, TLS fails,
 * or a command times out; ERR_NOT_FOUND when the folder does not exist; ERR_BUSY when stopping. */
int imap_search(struct imap_session *s, uint32_t *uids, size_t max, size_t *n, size_t *total,
                struct err *e);

/* The size in octets (RFC822.SIZE) of each of uids[0..n) into sizes[] (0 when the message is gone),
 * so the caller can skip what it would refuse without downloading it. */
int imap_sizes(struct imap_session *s, const uint32_t *uids, size_t n, uint64_t *sizes,
               struct err *e);

/* Append message uid's raw bytes (RFC 5322, as stored) to out, whose limit caps the size
 * (ERR_LIMIT past it; out may then hold a prefix). Does not set \Seen. ERR_NOT_FOUND when no such
 * message exists (any more); ERR_CONFLICT when the folder's UIDVALIDITY changed. */
int imap_fetch(struct imap_session *s, uint32_t uid, struct buf *out, struct err *e);

/* Mark uids[0..n) as taken: with a done folder, UID MOVE there (or, without the MOVE capability,
 * UID COPY, \Deleted and UID EXPUNGE, or EXPUNGE without UIDPLUS), creating the folder once if
 * the server says it does not exist; else set \Seen. Each message is marked at most once per
 * call; marking one already marked is harmless. */
int imap_mark_taken(struct imap_session *s, const uint32_t *uids, size_t n, struct err *e);

#endif
