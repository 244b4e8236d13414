/* hc_pages_search: GET /hc/search?query=&page= (issue 7), the search results page: the words of
 * the query handed to the help center's one search function (store/hc_search.h: published
 * articles only, every word, prefixes), 20 results a page, each with its snippet (matches in
 * <em>, the rest escaped). An empty or absurd query is a page saying so, never an error.
 */
#include "http/handlers.h"

#include "http/hc_frame.h"
#include "store/hc_search.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_PER_PAGE 20
#define SEARCH_WORD_MAX 64 /* bytes of one word */

/* Split q into words of letters and digits (ASCII lower-cased, bytes >= 0x80 kept), as
 * store/hc_search.h wants them; at most HC_SEARCH_WORDS_MAX, each at most SEARCH_WORD_MAX bytes
 * (longer ones cut). Returns the count; words from a. */
static size_t search_words(const char *q, struct arena *a, const char **words)
{
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)q;
    while (*s && n < HC_SEARCH_WORDS_MAX) {
        while (*s && !(*s >= 0x80 || (*s >= '0' && *s <= '9') ||
                       ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')))
            s++;
        char w[SEARCH_WORD_MAX + 1];
        size_t len = 0;
        while (*s && (*s >= 0x80 || (*s >= '0' && *s <= '9') ||
                      ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'))) {
            if (len < SEARCH_WORD_MAX)
                w[len++] = (char)(*s < 0x80 && *s >= 'A' && *s <= 'Z' ? *s | 0x20 : *s);
            s++;
        }
        /* A cut may split a UTF-8 sequence: drop its lead and continuation bytes. */
        while (len && ((unsigned char)w[len - 1] & 0x80) && utf8_valid_prefix(w, len) != len)
            len--;
        if (len && (words[n] = arena_strndup(a, w, len)))
            n++;
    }
    return n;
}

/* A raw snippet (store/hc_search.h's marks) as escaped text with <em> around matches. */
static void snippet(struct html *h, const char *s)
{
    bool open = false;
    size_t start = 0, i = 0;
    for (; s[i]; i++) {
        char c = s[i];
        if (c != HC_SEARCH_MARK_OPEN && c != HC_SEARCH_MARK_CLOSE && c != HC_SEARCH_MARK_LT)
            continue;
        html_textn(h, s + start, i - start);
        start = i + 1;
        if (c == HC_SEARCH_MARK_LT) {
            html_lit(h, "&lt;");
        } else if (c == HC_SEARCH_MARK_OPEN && !open) {
            html_lit(h, "<em>");
            open = true;
        } else if (c == HC_SEARCH_MARK_CLOSE && open) {
            html_lit(h, "</em>");
            open = false;
        }
    }
    html_textn(h, s + start, i - start);
    if (open)
        html_lit(h, "</em>");
}

/* ?page=N, 1..10000; 1 when absent or malformed. */
static int64_t page_arg(struct http_req *req)
{
    const char *v = http_req_query(req, "page");
    if (!v || !*v)
        return 1;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    return (errno || *end || n < 1 || n > 10000) ? 1 : (int64_t)n;
}

/* href="/hc/search?query=Q&page=N" (Q percent-encoded). */
static void search_link(struct html *h, const char *query, int64_t page)
{
    struct buf url;
    buf_init(&url, 0);
    buf_append_cstr(&url, "/hc/search?query=");
    for (const unsigned char *s = (const unsigned char *)query; *s; s++) {
        if ((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z') ||
            strchr("-._~", *s))
            buf_append_char(&url, (char)*s);
        else
            buf_appendf(&url, "%%%02X", *s);
    }
    buf_appendf(&url, "&page=%lld", (long long)page);
    html_attr(h, "href", buf_cstr(&url));
    buf_release(&url);
}

void hc_page_search(struct http_req *req)
{
    struct hc_frame p;
    if (hc_frame_start(&p, req))
        return;
    const char *query = http_req_query(req, "query");
    if (!query)
        query = "";
    if (strlen(query) > 1000 || !utf8_valid(query, strlen(query)))
        query = "";
    int64_t page = page_arg(req);
    const char *words[HC_SEARCH_WORDS_MAX];
    size_t nwords = search_words(query, &req->arena, words);
    struct hc_search_hit *hits = arena_alloc(&req->arena, SEARCH_PER_PAGE * sizeof *hits);
    size_t n = 0;
    int64_t total = 0;
    struct err e;
    err_clear(&e);
    if (!hits) {
        hc_frame_release(&p);
        http_reply_error(req, 500, NULL, "the page could not be produced");
        return;
    }
    if (nwords) {
        struct hc_search_query q = {.words = words,
                                    .word_count = nwords,
                                    .offset = (page - 1) * SEARCH_PER_PAGE,
                                    .limit = SEARCH_PER_PAGE};
        if (hc_search(p.db, &q, &req->arena, hits, &n, &total, &e)) {
            hc_frame_fail(&p, &e);
            return;
        }
    }
    struct html *h = &p.h;
    struct hc_crumb crumbs[] = {{"Search results", NULL, 0}, {NULL, NULL, 0}};
    hc_frame_head(&p, "Search results", query, crumbs);
    html_lit(h, "<h1>Search results</h1>\n<p class=\"hc-lead\" data-hc=\"result-count\">");
    if (!nwords) {
        html_lit(h, "Type a few words to search the help center.</p>\n");
    } else {
        html_int(h, total);
        if (total == 1)
            html_lit(h, " result for \xE2\x80\x9C");
        else
            html_lit(h, " results for \xE2\x80\x9C");
        html_text(h, query);
        html_lit(h, "\xE2\x80\x9D</p>\n");
    }
    if (nwords && n == 0)
        html_lit(h, "<p>No articles match. Try fewer or other words, or "
                    "<a href=\"/portal.html#/new\">submit a request</a>.</p>\n");
    if (n)
        html_lit(h, "<ol class=\"hc-results\">");
    for (size_t i = 0; i < n; i++) {
        html_lit(h, "<li><h2>");
        hc_frame_link(h, "/hc/articles/", hits[i].id, hits[i].title);
        html_lit(h, "</h2><p class=\"hc-snippet\">");
        snippet(h, hits[i].snippet ? hits[i].snippet : "");
        html_lit(h, "</p></li>");
    }
    if (n)
        html_lit(h, "</ol>\n");
    if (page > 1 || page * SEARCH_PER_PAGE < total) {
        html_lit(h, "<nav class=\"hc-pages\" aria-label=\"Result pages\">");
        if (page > 1) {
            html_lit(h, "<a rel=\"prev\"");
            search_link(h, query, page - 1);
            html_lit(h, ">Previous</a> ");
        }
        if (page * SEARCH_PER_PAGE < total) {
            html_lit(h, "<a rel=\"next\"");
            search_link(h, query, page + 1);
            html_lit(h, ">Next</a>");
        }
        html_lit(h, "</nav>\n");
    }
    hc_frame_foot(&p);
    hc_frame_send(&p, 200);
}
