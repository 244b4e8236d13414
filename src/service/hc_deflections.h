/* hc_deflections: which help-center articles the request form's suggestions answered (issue 7,
 * "Submit a request"). The portal's form suggests articles as the requester types the subject;
 * opening one is recorded (hc_deflections_open), and submitting the form afterwards marks that
 * record (hc_deflections_submitted): an opened suggestion never marked is a deflection, a
 * request the help center answered. Staff read the counts per article (hc_deflections_report).
 *
 * Anyone may open (visitors use the form too); the records hold no person, only the article,
 * the subject typed (capped at HC_DEFLECTION_QUERY_MAX characters), the instant and the keyed
 * hash of a token. Opening hands its creator that token (AUTH_SECRET_LEN characters: 256 random
 * bits, base64url, like every secret of service/auth.h) and only the token marks the record, so
 * nobody can mark records they did not open by counting ids. An anonymous caller opens at most
 * HC_DEFLECTION_ANON_MAX records per client address in HC_DEFLECTION_ANON_WINDOW seconds,
 * counted in the attempts table shared with sign-in throttling (key "hc_deflection:ip:ADDR") in
 * the record's transaction under a lock per key, as anonymous votes are (service/hc_feedback.h).
 * The subject typed is cleared once the record is HC_DEFLECTION_QUERY_DAYS days old
 * (hc_deflections_sweep_job); the counts stay.
 * One transaction per call. Thread-safe as far as each thread uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_HC_DEFLECTIONS_H
#define FRONTDESK_SERVICE_HC_DEFLECTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "service/auth.h"
#include "store/hc_deflections.h"

#define HC_DEFLECTION_QUERY_MAX   250  /* characters of the subject kept with a record */
#define HC_DEFLECTION_REPORT_MAX  1000 /* articles of one report */
#define HC_DEFLECTION_ANON_MAX    120  /* records opened anonymously per address ... */
#define HC_DEFLECTION_ANON_WINDOW 3600 /* ... in this many seconds */
#define HC_DEFLECTION_QUERY_DAYS  90   /* the subject typed is kept this long */
#define HC_DEFLECTION_SWEEP_BATCH 1000 /* queries cleared per sweep transaction */

/* Who opens a suggestion: s (anonymous when s->user_id == 0) from client address ip. */
struct hc_deflection_actor {
    struct access_subject subject;
    const char *ip; /* the anonymous rate limit's key */
};

/* Record that article_id (a published article) was opened from the form after query (NULL or
 * text of at most HC_DEFLECTION_QUERY_MAX characters, valid UTF-8); token receives the secret
 * that alone marks the record (hand it to the caller, and to nobody else). ERR_INVALID naming
 * "deflection.article_id" when there is no such published article, "deflection.query" when the
 * query is too long or not UTF-8; ERR_LIMIT with *retry_after (seconds) when an anonymous
 * actor's address opened HC_DEFLECTION_ANON_MAX records in the last window. */
int hc_deflections_open(const struct env *env, struct db *db,
                        const struct hc_deflection_actor *actor, int64_t article_id,
                        const char *query, struct hc_deflection *out,
                        char token[AUTH_SECRET_LEN + 1], int64_t *retry_after, struct err *e);

/* Mark record id, whose opener holds token, as followed by a submitted request. ERR_NOT_FOUND
 * when there is no such record or token is not its token (NULL included): the same answer, so
 * a wrong token tells nothing about the id. Marking twice is a no-op. */
int hc_deflections_submitted(const struct env *env, struct db *db, int64_t id, const char *token,
                             struct hc_deflection *out, struct err *e);

/* Staff only (ERR_FORBIDDEN otherwise): per article, records made in [from, to) (from < to),
 * into out[0..*n) (room for HC_DEFLECTION_REPORT_MAX; titles from a). */
int hc_deflections_report(struct db *db, const struct access_subject *s, int64_t from, int64_t to,
                          struct arena *a, struct hc_deflection_line *out, size_t *n,
                          struct err *e);

/* A scheduler job (jobs/scheduler.h; arg unused): clears the query of up to
 * HC_DEFLECTION_SWEEP_BATCH records older than HC_DEFLECTION_QUERY_DAYS days in one write
 * transaction, and asks to run again at once while a full batch came back. Clearing from two
 * processes is harmless. A run that cleared something logs one line: event
 * "hc_deflections_sweep", with "cleared" and "duration_ms". */
int hc_deflections_sweep_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                             struct err *e);

#endif
