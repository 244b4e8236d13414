/* hc_search: search the help center's published articles (issue 7, "Search"), transport-free;
 * GET /api/v2/help_center/articles/search and the pages' search box and request-form
 * suggestions call it.
 *
 * Anyone may search (signed in or not) and everyone finds the same: published articles only,
 * never a draft, staff included. The query is text as a person types it, never query syntax:
 * it is cut into words at everything but letters and digits (ASCII punctuation, white space,
 * Unicode punctuation and symbols: quotes and operators are just separators), ASCII letters
 * are lower-cased, and the first HC_SEARCH_WORDS_MAX words are kept. Every word must match the
 * title, body or labels; a word of four characters or more also matches as a prefix ("refu"
 * finds "refunds"; store/hc_search.h HC_SEARCH_PREFIX_MIN); both dialects stem English words
 * ("refunds" finds "refund"). Results come
 * best first (a title match ranks above a body-only one; store/hc_search.h says how).
 *
 * A query that cannot find anything is not an error: no words (empty, only punctuation), longer
 * than HC_SEARCH_QUERY_MAX bytes, or not UTF-8 gives an empty page with total 0.
 *
 * The snippet of each result is HTML: the plain text of the body around the match, escaped,
 * with each matched word in <em>...</em>. It is made from the text, never from the article's
 * HTML, and only <em> and </em> (balanced) ever appear in it, so no article text can inject
 * markup. Thread-safe as far as each thread uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_HC_SEARCH_H
#define FRONTDESK_SERVICE_HC_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "service/hc.h"
#include "store/hc_search.h"

#define HC_SEARCH_QUERY_MAX        500 /* bytes of a query that can find something */
#define HC_SEARCH_PER_PAGE_DEFAULT 30
#define HC_SEARCH_PER_PAGE_MAX     HC_SEARCH_LIMIT_MAX

struct hc_search_req {
    const char *query;   /* NULL is empty */
    int64_t section_id;  /* 0: any */
    int64_t category_id; /* 0: any */
    const char *labels;  /* "billing,refunds": articles with any of them; NULL or "": any */
    unsigned page;       /* from 1 */
    unsigned per_page;   /* 1..HC_SEARCH_PER_PAGE_MAX */
};

struct hc_search_result {
    struct hc_article article; /* published; body (the Markdown) is NULL, seed_key NULL */
    const char *snippet;       /* HTML, as above */
};

struct hc_search_page {
    struct hc_search_result *items; /* from the arena, best first */
    size_t count;
    int64_t total; /* every match, on every page */
};

/* Search in one read transaction. ERR_INVALID naming "page" or "per_page" out of range, or
 * "label_names" with more than HC_SEARCH_LABELS_MAX labels; otherwise the database's errors.
 * *out is untouched on failure. */
int hc_search_articles(struct db *db, const struct hc_search_req *req, struct arena *a,
                       struct hc_search_page *out, struct err *e);

/* Append the snippet HTML of raw (store/hc_search.h's marks) to out: text escaped (& < > " '),
 * runs of white space and control characters as one space, each marked word in <em>, and only
 * balanced <em>...</em> ever written. Returns 0 or ERR_LIMIT from out. */
int hc_search_snippet_html(const char *raw, size_t len, struct buf *out);

/* Make the plain text of an article's Markdown (core/markdown.h markdown_to_text(); control
 * characters but line breaks and tabs as spaces) and store it as the text search reads
 * (store/hc_search.h hc_search_text_set()), in the caller's write transaction: whoever saves an
 * article's body calls it (service/hc.c, with each revision). ERR_LIMIT past MARKDOWN_INPUT_MAX;
 * otherwise the database's errors. */
int hc_search_index_text(struct db *db, int64_t article_id, const char *markdown, struct err *e);

#endif
