#include "service/hc_search.h"

#include "core/markdown.h"

#include <string.h>

/* ---- words ------------------------------------------------------------------------------------
 */

/* The code point at s[0..len) (valid UTF-8, checked by the caller) and its length. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *n)
{
    if (s[0] < 0x80 || len < 2) {
        *n = 1;
        return s[0];
    }
    if (s[0] < 0xE0) {
        *n = 2;
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    }
    if (s[0] < 0xF0 || len < 4) {
        *n = len < 3 ? len : 3;
        return len < 3
                   ? 0
                   : (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    }
    *n = 4;
    return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
           (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

/* Is cp part of a word? ASCII letters and digits, and every other character outside the blocks
 * of punctuation and symbols people type between words (Latin-1's, General Punctuation to
 * Miscellaneous Symbols and Arrows, CJK punctuation, the full-width and small forms' ASCII
 * punctuation, emoji): what stays is for the engines' own tokenizers, inside quotes. */
static bool word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7)
        return false;
    if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
        (cp >= 0xFE10 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF20) ||
        (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
        (cp >= 0x1F000 && cp <= 0x1FAFF))
        return false;
    return true;
}

/* Cut text into at most HC_SEARCH_WORDS_MAX words (arena copies, ASCII lower-cased). */
static int cut_words(const char *text, size_t len, struct arena *a, const char **words, size_t *n,
                     struct err *e)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t count = 0, i = 0;
    while (i < len && count < HC_SEARCH_WORDS_MAX) {
        size_t k;
        if (!word_cp(next_cp(s + i, len - i, &k))) {
            i += k;
            continue;
        }
        size_t start = i;
        while (i < len && word_cp(next_cp(s + i, len - i, &k)))
            i += k;
        char *w = arena_strndup(a, text + start, i - start);
        if (!w)
            return err_set(e, ERR_LIMIT, "query", "the query does not fit in memory");
        for (char *p = w; *p; p++) {
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        }
        words[count++] = w;
    }
    *n = count;
    return 0;
}

/* label_names "a, B,c" into labels, each normalized as articles' labels are stored
 * (service/hc.h hc_label_normalize()); empty items skipped. */
static int cut_labels(const char *text, struct arena *a, const char **labels, size_t *n,
                      struct err *e)
{
    size_t count = 0;
    const char *p = text ? text : "";
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        struct slice item = slice_trim((struct slice){p, (size_t)(end - p)});
        if (item.len) {
            if (count == HC_SEARCH_LABELS_MAX)
                return err_set(e, ERR_INVALID, "label_names", "at most %d labels",
                               HC_SEARCH_LABELS_MAX);
            int rc = hc_label_normalize(item.ptr, item.len, "label_names", a, &labels[count], e);
            if (rc)
                return rc;
            count++;
        }
        p = *end ? end + 1 : end;
    }
    *n = count;
    return 0;
}

/* ---- snippets -------------------------------------------------------------------------------- */

int hc_search_snippet_html(const char *raw, size_t len, struct buf *out)
{
    size_t start = out->len;
    bool open = false, space = false;
    int rc = 0;
    for (size_t i = 0; i < len && !rc; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c == (unsigned char)HC_SEARCH_MARK_OPEN || c == (unsigned char)HC_SEARCH_MARK_CLOSE) {
            bool opening = c == (unsigned char)HC_SEARCH_MARK_OPEN;
            if (opening != open) {
                if (space && out->len > start)
                    rc = buf_append_char(out, ' ');
                space = false;
                if (!rc)
                    rc = buf_append_cstr(out, opening ? "<em>" : "</em>");
                open = opening;
            }
            continue;
        }
        if ((c < 0x20 && c != (unsigned char)HC_SEARCH_MARK_LT) || c == 0x7F || c == ' ') {
            space = true;
            continue;
        }
        if (space && out->len > start)
            rc = buf_append_char(out, ' ');
        space = false;
        if (rc)
            break;
        switch (c) {
        case '&':
            rc = buf_append_cstr(out, "&amp;");
            break;
        case '<':
            rc = buf_append_cstr(out, "&lt;");
            break;
        case (unsigned char)HC_SEARCH_MARK_LT:
            rc = buf_append_cstr(out, "&lt;");
            break;
        case '>':
            rc = buf_append_cstr(out, "&gt;");
            break;
        case '"':
            rc = buf_append_cstr(out, "&quot;");
            break;
        case '\'':
            rc = buf_append_cstr(out, "&#39;");
            break;
        default:
            rc = buf_append_char(out, (char)c);
            break;
        }
    }
    if (!rc && open)
        rc = buf_append_cstr(out, "</em>");
    if (rc)
        out->len = start; /* as it was, but for the capacity */
    return rc;
}

/* ---- search ---------------------------------------------------------------------------------- */

struct search_ctx {
    const struct hc_search_query *q;
    struct arena *a;
    struct hc_search_hit *hits;
    size_t n;
    int64_t total;
};

static int search_tx(struct db *db, void *arg, struct err *e)
{
    struct search_ctx *c = arg;
    return hc_search(db, c->q, c->a, c->hits, &c->n, &c->total, e);
}

static int to_result(const struct hc_search_hit *h, struct arena *a, struct hc_search_result *r,
                     struct err *e)
{
    struct hc_article *art = &r->article;
    memset(r, 0, sizeof *r);
    art->id = h->id;
    art->section_id = h->section_id;
    art->title = h->title;
    art->html = h->html;
    art->label_names = h->label_names;
    art->draft = false;
    art->position = h->position;
    art->author_id = h->author_id;
    art->comments_disabled = h->comments_disabled;
    art->revision = h->revision;
    art->vote_sum = h->vote_sum;
    art->vote_count = h->vote_count;
    art->created_at = h->created_at;
    art->updated_at = h->updated_at;
    art->edited_at = h->edited_at;
    struct buf b;
    buf_init(&b, 0);
    hc_search_snippet_html(h->snippet, strlen(h->snippet), &b);
    r->snippet = arena_strndup(a, buf_cstr(&b), b.len);
    buf_release(&b);
    return r->snippet ? 0 : err_set(e, ERR_LIMIT, NULL, "search results do not fit in memory");
}

int hc_search_articles(struct db *db, const struct hc_search_req *req, struct arena *a,
                       struct hc_search_page *out, struct err *e)
{
    if (req->page < 1 || req->page > 1000000)
        return err_set(e, ERR_INVALID, "page", "page must be a number from 1 to 1000000");
    if (req->per_page < 1 || req->per_page > HC_SEARCH_PER_PAGE_MAX)
        return err_set(e, ERR_INVALID, "per_page", "per_page must be a number from 1 to %d",
                       HC_SEARCH_PER_PAGE_MAX);
    const char *labels[HC_SEARCH_LABELS_MAX];
    size_t label_count = 0;
    int rc = cut_labels(req->labels, a, labels, &label_count, e);
    if (rc)
        return rc;
    const char *text = req->query ? req->query : "";
    size_t len = strlen(text);
    const char *words[HC_SEARCH_WORDS_MAX];
    size_t word_count = 0;
    if (len <= HC_SEARCH_QUERY_MAX && utf8_valid(text, len)) {
        rc = cut_words(text, len, a, words, &word_count, e);
        if (rc)
            return rc;
    }
    if (word_count == 0) {
        *out = (struct hc_search_page){NULL, 0, 0};
        return 0;
    }
    struct hc_search_query q = {
        .words = words,
        .word_count = word_count,
        .section_id = req->section_id,
        .category_id = req->category_id,
        .labels = labels,
        .label_count = label_count,
        .offset = (int64_t)(req->page - 1) * req->per_page,
        .limit = req->per_page,
    };
    struct hc_search_hit *hits = arena_alloc(a, sizeof *hits * req->per_page);
    if (!hits)
        return err_set(e, ERR_LIMIT, NULL, "search results do not fit in memory");
    struct search_ctx c = {.q = &q, .a = a, .hits = hits};
    rc = db_transact(db, DB_TX_READ, search_tx, &c, e);
    if (rc)
        return rc;
    struct hc_search_result *items = c.n ? arena_alloc(a, sizeof *items * c.n) : NULL;
    if (c.n && !items)
        return err_set(e, ERR_LIMIT, NULL, "search results do not fit in memory");
    for (size_t i = 0; i < c.n; i++) {
        rc = to_result(&hits[i], a, &items[i], e);
        if (rc)
            return rc;
    }
    *out = (struct hc_search_page){items, c.n, c.total};
    return 0;
}

/* ---- indexing -------------------------------------------------------------------------------- */

int hc_search_index_text(struct db *db, int64_t article_id, const char *markdown, struct err *e)
{
    struct buf text;
    buf_init(&text, 2 * MARKDOWN_INPUT_MAX);
    int rc = markdown_to_text(markdown, strlen(markdown), &text, e);
    /* Control characters other than line breaks and tabs become spaces: the snippets' marks
     * are control characters, and the text should never hold one. */
    for (size_t i = 0; !rc && i < text.len; i++) {
        unsigned char c = (unsigned char)text.ptr[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
            text.ptr[i] = ' ';
    }
    rc = rc ? rc : hc_search_text_set(db, article_id, buf_cstr(&text), text.len, e);
    buf_release(&text);
    return rc;
}
