/* hc_feedback (service): "Was this article helpful?" votes and article comments of the help
 * center (issue 7; policy clause 1.3). Content itself is service/hc.h.
 *
 * Votes:
 *  - one per voter per article: a signed-in person (by user id), or an anonymous browser known
 *    by its fd_hc_voter cookie (256 random bits, base64url; only its keyed hash is stored, as
 *    session tokens are: auth_hash_secret()). A second vote replaces the first (up then down:
 *    vote_sum +1 then -1, vote_count stays 1); the same vote again changes nothing;
 *  - hc_articles.vote_sum/vote_count change in the SAME transaction as the vote row, by a delta
 *    applied after the article's row is locked (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the
 *    one writer), so they equal SUM/COUNT over hc_votes however many voters race;
 *  - drafts take no votes: ERR_NOT_FOUND to non-staff (as for every draft), ERR_CONFLICT naming
 *    "article.draft" to staff;
 *  - anonymous rate limit: a browser new to us (no cookie, or one no vote carries) may vote at
 *    most HC_VOTE_ANON_NEW_MAX times per client address in HC_VOTE_ANON_WINDOW seconds, counted
 *    in the attempts table shared with sign-in throttling (key "hc_vote:ip:ADDR") in the vote's
 *    transaction under a lock per key; beyond it ERR_LIMIT with *retry_after. A known browser
 *    only changes its own votes (one per article), so it is not counted;
 *  - a vote is withdrawn by its voter or by staff (ERR_NOT_FOUND to anyone else); the list of
 *    an article's votes is for staff.
 *
 * Comments:
 *  - anyone reads the comments of an article they may see (a draft: staff only), oldest first;
 *    hidden comments are seen by staff only (ERR_NOT_FOUND to everyone else, author included);
 *  - a signed-in person comments on a published article whose comments are open; closed:
 *    ERR_FORBIDDEN with reason "comments_disabled" and the message "Article is closed for
 *    comments." (the article page's sentence); a draft: as for votes. The body is Markdown of 1
 *    to HC_COMMENT_MAX bytes (field "comment.body"), rendered (core/markdown.h, raw HTML and
 *    unsafe links off) when saved;
 *  - the author edits the body of their own comment while the article's comments are open; staff
 *    hide or show ("comment.hidden") and delete any comment; the author deletes their own. Anyone
 *    else: ERR_FORBIDDEN (or ERR_NOT_FOUND when they may not see it);
 *  - audited (same transaction, target "hc_comment"): "hc.comment.hidden" (detail {"article_id",
 *    "hidden": the new value}) when staff hide or show one, "hc.comment.deleted" (detail
 *    {"article_id", "author_id"}) when staff delete one (an author deleting their own is not
 *    audited).
 *
 * Writes are one transaction each (db_transact); reads are read-only transactions. Strings in
 * results come from the caller's arena. Thread-safe as far as each thread uses its own
 * connection.
 */
#ifndef FRONTDESK_SERVICE_HC_FEEDBACK_H
#define FRONTDESK_SERVICE_HC_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "store/hc_feedback.h"

#define HC_COMMENT_MAX       (64u * 1024) /* bytes of a comment's Markdown */
#define HC_VOTE_ANON_NEW_MAX 60           /* votes of browsers new to us per address ... */
#define HC_VOTE_ANON_WINDOW  3600         /* ... in this many seconds */

/* Who acts. */
struct hc_feedback_actor {
    struct access_subject subject; /* user_id 0: anonymous */
    /* Anonymous votes only: the browser's fd_hc_voter secret (the cookie value, or a fresh one
     * the caller will set), NUL-terminated; ignored for a signed-in person. */
    const char *voter_secret;
    const char *ip; /* client address: the rate limit's key and the audit log's */
};

/* ---- votes ----------------------------------------------------------------------------------- */

/* Cast value (1 up, -1 down) on article_id. *out is the voter's vote as it now is; *created
 * says whether it is new. On ERR_LIMIT *retry_after holds the seconds to wait. */
int hc_vote_cast(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                 int64_t article_id, int value, struct hc_vote *out, bool *created,
                 int64_t *retry_after, struct err *e);

/* The caller's own vote on article_id into *out, *found false when they have none (an anonymous
 * caller without a secret has none). ERR_NOT_FOUND when the article is not theirs to see. */
int hc_vote_mine(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                 int64_t article_id, struct hc_vote *out, bool *found, struct err *e);

/* Withdraw vote id: its voter or staff. */
int hc_vote_withdraw(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                     int64_t id, struct err *e);

/* Staff: up to limit votes of article_id (drafts too) by id, skipping offset, into out[0..*n);
 * *total counts them all. ERR_FORBIDDEN for others. */
int hc_votes_list(struct db *db, const struct access_subject *s, int64_t article_id, int64_t offset,
                  size_t limit, struct hc_vote *out, size_t *n, int64_t *total, struct err *e);

/* ---- comments -------------------------------------------------------------------------------- */

/* Comments of article_id s may see, oldest first, skipping offset, up to limit into
 * out[0..*n); *total counts them all. */
int hc_comments_list(struct db *db, const struct access_subject *s, int64_t article_id,
                     int64_t offset, size_t limit, struct arena *a, struct hc_comment *out,
                     size_t *n, int64_t *total, struct err *e);

int hc_comment_get(struct db *db, const struct access_subject *s, int64_t article_id, int64_t id,
                   struct arena *a, struct hc_comment *out, struct err *e);

int hc_comment_create(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                      int64_t article_id, const char *body, struct arena *a, struct hc_comment *out,
                      struct err *e);

/* What an update changes: body (NULL: unchanged) and hidden (hidden_given). */
struct hc_comment_req {
    const char *body;
    bool hidden_given;
    bool hidden;
};
int hc_comment_update(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                      int64_t article_id, int64_t id, const struct hc_comment_req *req,
                      struct arena *a, struct hc_comment *out, struct err *e);

int hc_comment_delete(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                      int64_t article_id, int64_t id, struct err *e);

#endif
