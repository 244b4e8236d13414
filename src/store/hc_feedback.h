/* hc_feedback (store): help-center votes and comments (issue 7), over tables hc_votes and
 * hc_comments (migration 0026) and the vote counters of hc_articles. Runs on the caller's
 * connection and transaction; the service (service/hc_feedback.h) decides who may do what.
 *
 * Invariant kept with the service: hc_articles.vote_sum = SUM(hc_votes.value) and vote_count =
 * COUNT(*) of the article's votes. Every change of a vote row is followed, in the same
 * transaction, by hc_feedback_store_counts_add() with the delta, after the article's row was
 * locked by hc_feedback_store_article(..., lock = true).
 *
 * Strings read (comment bodies) come from the caller's arena; ERR_LIMIT when it is full.
 * Thread-safe as far as the connection is (one thread per connection).
 */
#ifndef FRONTDESK_STORE_HC_FEEDBACK_H
#define FRONTDESK_STORE_HC_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#define HC_VOTER_HASH_MAX 128 /* bytes of a stored voter hash, NUL included */

/* What feedback needs to know of an article. */
struct hc_feedback_article {
    int64_t id;
    bool draft;
    bool comments_disabled;
    int64_t vote_sum, vote_count;
};

/* The article id into *out; ERR_NOT_FOUND when absent. With lock (inside a write transaction)
 * its row stays locked until commit (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the writer lock
 * already serializes writers), so vote changes of one article serialize. */
int hc_feedback_store_article(struct db *db, int64_t id, bool lock, struct hc_feedback_article *out,
                              struct err *e);

/* Who votes: a signed-in person (user_id > 0) or an anonymous browser (voter_hash). */
struct hc_voter {
    int64_t user_id;        /* 0: anonymous */
    const char *voter_hash; /* anonymous only */
};

struct hc_vote {
    int64_t id, article_id;
    int64_t user_id;                    /* 0: an anonymous browser's */
    char voter_hash[HC_VOTER_HASH_MAX]; /* "" for a person's */
    int value;                          /* 1 or -1 */
    int64_t created_at, updated_at;
};

/* The voter's vote on article_id; ERR_NOT_FOUND when none. */
int hc_feedback_store_vote_find(struct db *db, int64_t article_id, const struct hc_voter *v,
                                struct hc_vote *out, struct err *e);
/* A vote by id; ERR_NOT_FOUND when absent. */
int hc_feedback_store_vote_get(struct db *db, int64_t id, struct hc_vote *out, struct err *e);
/* Does any vote carry voter_hash (has this anonymous browser voted before, anywhere)? */
int hc_feedback_store_voter_known(struct db *db, const char *voter_hash, bool *known,
                                  struct err *e);
/* Insert the voter's vote and read it back into *out. ERR_CONFLICT when it has one already. */
int hc_feedback_store_vote_insert(struct db *db, int64_t article_id, const struct hc_voter *v,
                                  int value, int64_t now, struct hc_vote *out, struct err *e);
/* Set a vote's value and updated_at. ERR_NOT_FOUND when absent. */
int hc_feedback_store_vote_set(struct db *db, int64_t id, int value, int64_t now, struct err *e);
/* Delete a vote. ERR_NOT_FOUND when absent. */
int hc_feedback_store_vote_delete(struct db *db, int64_t id, struct err *e);
/* vote_sum += dsum, vote_count += dcount on the article, as one atomic UPDATE. */
int hc_feedback_store_counts_add(struct db *db, int64_t article_id, int64_t dsum, int64_t dcount,
                                 struct err *e);
/* Up to limit votes of article_id by id, skipping offset, into out[0..*n); *total counts them
 * all. */
int hc_feedback_store_votes_list(struct db *db, int64_t article_id, int64_t offset, size_t limit,
                                 struct hc_vote *out, size_t *n, int64_t *total, struct err *e);

/* ---- comments -------------------------------------------------------------------------------- */

struct hc_comment {
    int64_t id, article_id, author_id;
    const char *body; /* Markdown */
    const char *html; /* rendered */
    bool hidden;
    int64_t created_at, updated_at;
};

/* Insert a comment and read it back into *out (strings from a). */
int hc_feedback_store_comment_insert(struct db *db, int64_t article_id, int64_t author_id,
                                     const char *body, const char *html, int64_t now,
                                     struct arena *a, struct hc_comment *out, struct err *e);
/* Comment id of article_id (strings from a); ERR_NOT_FOUND when absent or of another article. */
int hc_feedback_store_comment_get(struct db *db, int64_t article_id, int64_t id, struct arena *a,
                                  struct hc_comment *out, struct err *e);
/* Change a comment: body and html (both NULL: unchanged), hidden (< 0: unchanged), updated_at =
 * now. ERR_NOT_FOUND when absent. */
int hc_feedback_store_comment_update(struct db *db, int64_t id, const char *body, const char *html,
                                     int hidden, int64_t now, struct err *e);
/* Delete a comment. ERR_NOT_FOUND when absent. */
int hc_feedback_store_comment_delete(struct db *db, int64_t id, struct err *e);
/* Up to limit comments of article_id, oldest first (by id), hidden ones only when
 * include_hidden, skipping offset, into out[0..*n) (strings from a); *total counts them all. */
int hc_feedback_store_comments_list(struct db *db, int64_t article_id, bool include_hidden,
                                    int64_t offset, size_t limit, struct arena *a,
                                    struct hc_comment *out, size_t *n, int64_t *total,
                                    struct err *e);

#endif
