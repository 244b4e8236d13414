/* hc_search: full-text search over the help center's PUBLISHED articles (issue 7, "Search"),
 * one function over both dialects (migrations 0027_hc_search.sql keep the index right with
 * triggers, so nothing else maintains it).
 *
 *  - SQLite: the FTS5 table hc_articles_fts (porter stemmer over unicode61, a prefix index of
 *    4 characters), ranked by bm25() with the title weighing 10, the labels 4 and the body 1;
 *    ties in FTS5's own stable order; the snippet is FTS5's snippet() of the body. A query that
 *    matches more than HC_SEARCH_RANK_MAX articles lists those matching in the title or labels
 *    first (ranked unless they too are that many), then those matching in the body only,
 *    newest first: ranking every one of
 *    10,000 articles costs tens of milliseconds, and a word that common says little.
 *  - PostgreSQL: hc_articles.search_vector ('english': title weight A, body B, labels C) under a
 *    GIN index, ranked by ts_rank_cd(), ties by id; the snippet is ts_headline() of the body.
 * Every word must match (AND); a word of HC_SEARCH_PREFIX_MIN characters or more matches as a
 * prefix too ("refu" finds "refunds"), a shorter one only as itself (a prefix of two or three
 * letters matches most of a large help center, and ranking all of it is what costs: see
 * bench/RESULTS.md).
 *
 * Words are never query syntax: the caller hands in words of letters and digits only (ASCII
 * letters lower-cased; bytes >= 0x80 are kept as they are), and this module quotes each one for
 * its dialect (FTS5: "word"*, tsquery: 'word':*), so no input can reach the query language.
 *
 * Snippets come back raw: the plain text of the body around the best match with each matched
 * word between HC_SEARCH_MARK_OPEN and HC_SEARCH_MARK_CLOSE; on PostgreSQL every '<' of the text
 * reads HC_SEARCH_MARK_LT (ts_headline would drop what looks like a tag). The caller escapes the
 * text and turns the marks into markup (service/hc_search.h).
 *
 * Strings in results are from the caller's arena. Thread-safe as far as each thread uses its own
 * connection.
 */
#ifndef FRONTDESK_STORE_HC_SEARCH_H
#define FRONTDESK_STORE_HC_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#define HC_SEARCH_WORDS_MAX  10   /* words of one query */
#define HC_SEARCH_LABELS_MAX 20   /* labels of one filter (any of them) */
#define HC_SEARCH_LIMIT_MAX  100  /* hits of one page */
#define HC_SEARCH_PREFIX_MIN 4    /* characters of a word that also matches as a prefix */
#define HC_SEARCH_RANK_MAX   1000 /* SQLite: matches ranked in full (see hc_search()) */

#define HC_SEARCH_MARK_OPEN  '\x01'
#define HC_SEARCH_MARK_CLOSE '\x02'
#define HC_SEARCH_MARK_LT    '\x03'

struct hc_search_query {
    const char *const *words; /* 1..HC_SEARCH_WORDS_MAX words, as described above */
    size_t word_count;
    int64_t section_id;        /* 0: any */
    int64_t category_id;       /* 0: any */
    const char *const *labels; /* articles with any of them; label_count 0: any article */
    size_t label_count;
    int64_t offset;
    size_t limit; /* 1..HC_SEARCH_LIMIT_MAX */
};

/* One published article found, with the columns of hc_articles a reader may see. */
struct hc_search_hit {
    int64_t id, section_id;
    const char *title;
    const char *html;        /* the rendered body */
    const char *label_names; /* "billing,refunds", "" for none */
    int64_t position;
    int64_t author_id; /* 0: none */
    bool comments_disabled;
    int64_t revision;
    int64_t vote_sum, vote_count;
    int64_t created_at, updated_at, edited_at;
    const char *snippet; /* raw, with the marks above */
};

/* Up to q->limit hits from the q->offset-th, best first, into out[0..*n), and how many
 * published articles match in all into *total (a hit unpublished between the ranking and the
 * reading of its columns is left out of out but counted). ERR_INVALID when q breaks the limits
 * above; otherwise the database's errors. *n and *total are untouched on failure. */
int hc_search(struct db *db, const struct hc_search_query *q, struct arena *a,
              struct hc_search_hit *out, size_t *n, int64_t *total, struct err *e);

/* Set the plain text search reads of article id (hc_articles.body_text: what a reader sees of
 * the body, core/markdown.h markdown_to_text()); the index follows by the migration's
 * triggers. A no-op when it is unchanged or there is no such article. */
int hc_search_text_set(struct db *db, int64_t article_id, const char *text, size_t len,
                       struct err *e);

#endif
