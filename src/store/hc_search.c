#include "store/hc_search.h"

#include "store/hc_rows.h"

#include "base/buf.h"

#include <string.h>

/* A search is two steps, so the costly parts run only for the page: the ranked page, then
 * each hit's columns (one statement per hit, by primary key).
 *
 * SQLite: the count of all matches first (cheap: no ranking), which says whether to rank them
 * all (sqlite_page()); the page is then one statement over the FTS5 table alone. `ORDER BY rank`
 * with the weights given by `rank MATCH` lets FTS5 rank the matches itself (bm25 of each, an
 * internal sort) and hand them over in order, so snippet() runs only for the rows of the page and
 * the article rows are not touched while ranking (they are large: reading a column after the HTML
 * walks its overflow pages). The FTS table holds published articles only (the triggers), so no
 * draft test is needed there. Ties come in FTS5's own (stable) order. PostgreSQL: the ranked ids of
 * the page with the count beside each row (counted apart only for an empty page past the first),
 * over the GIN index of published articles; ts_headline() for the page's hits only. Ties by id. */

#define HIT_COLUMNS                                                                                \
    "a.id, a.section_id, a.title, a.html, a.label_names, a.position, a.author_id, "                \
    "a.comments_disabled, a.revision, a.vote_sum, a.vote_count, a.created_at, a.updated_at, "      \
    "a.edited_at"
#define HIT_SQL "SELECT " HIT_COLUMNS " FROM hc_articles a WHERE a.id = ? AND a.draft = 0"

/* FTS5: bm25() weights of title, body_text, label_names. */
#define SQLITE_ID "hc_articles_fts.rowid"
#define SQLITE_PAGE                                                                                \
    "SELECT hc_articles_fts.rowid, snippet(hc_articles_fts, 1, char(1), char(2), '…', 24)"       \
    " FROM hc_articles_fts WHERE hc_articles_fts MATCH ?"                                          \
    " AND rank MATCH 'bm25(10.0, 1.0, 4.0)'"
#define SQLITE_COUNT "SELECT count(*) FROM hc_articles_fts WHERE hc_articles_fts MATCH ?"

/* PostgreSQL: ts_rank_cd() with the default weights (A 1.0, B 0.4, C 0.2). */
#define PG_ID "a.id"
#define PG_FROM                                                                                    \
    " FROM hc_articles a, to_tsquery('english', ?) q WHERE a.draft = 0 AND a.search_vector @@ q"
#define PG_PAGE  "SELECT a.id, count(*) OVER (), ts_rank_cd(a.search_vector, q) AS r" PG_FROM
#define PG_COUNT "SELECT count(*)" PG_FROM
#define PG_SNIPPET                                                                                 \
    "SELECT ts_headline('english', replace(a.body_text, '<', chr(3)), "                            \
    "to_tsquery('english', ?), 'StartSel=' || chr(1) || ', StopSel=' || chr(2) || "                \
    "', MaxWords=35, MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=\" … \"')"      \
    " FROM hc_articles a WHERE a.id = ?"

static bool word_ok(const char *w)
{
    if (!w || !*w)
        return false;
    for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p >= 0x80))
            return false;
    }
    return true;
}

static int check_query(const struct hc_search_query *q, struct err *e)
{
    if (q->word_count < 1 || q->word_count > HC_SEARCH_WORDS_MAX)
        return err_set(e, ERR_INVALID, "query", "a search takes 1 to %d words",
                       HC_SEARCH_WORDS_MAX);
    for (size_t i = 0; i < q->word_count; i++) {
        if (!word_ok(q->words[i]))
            return err_set(e, ERR_INVALID, "query", "a search word holds letters and digits only");
    }
    if (q->label_count > HC_SEARCH_LABELS_MAX)
        return err_set(e, ERR_INVALID, "label_names", "at most %d labels", HC_SEARCH_LABELS_MAX);
    if (q->limit < 1 || q->limit > HC_SEARCH_LIMIT_MAX || q->offset < 0)
        return err_set(e, ERR_INVALID, "per_page", "a page holds 1 to %d results",
                       HC_SEARCH_LIMIT_MAX);
    return 0;
}

/* The words in the dialect's query language, each quoted: FTS5 `"refu"* AND "a"`, tsquery
 * `'refu':* & 'a'`. word_ok() left no quote of either kind to escape. */
static void match_text(struct buf *m, bool pg, const struct hc_search_query *q)
{
    for (size_t i = 0; i < q->word_count; i++) {
        const char *w = q->words[i];
        size_t chars = 0;
        for (const unsigned char *c = (const unsigned char *)w; *c; c++)
            chars += (*c & 0xC0) != 0x80;
        bool prefix = chars >= HC_SEARCH_PREFIX_MIN;
        if (i)
            buf_append_cstr(m, pg ? " & " : " AND ");
        buf_appendf(m, pg ? "'%s'%s" : "\"%s\"%s", w, prefix ? (pg ? ":*" : "*") : "");
    }
}

/* The filters as conditions on the article whose id is id_expr. */
static void filters_sql(struct buf *sql, const char *id_expr, const struct hc_search_query *q)
{
    if (q->section_id)
        buf_appendf(sql,
                    " AND EXISTS (SELECT 1 FROM hc_articles fa WHERE fa.id = %s"
                    " AND fa.section_id = ?)",
                    id_expr);
    if (q->category_id)
        buf_appendf(sql,
                    " AND EXISTS (SELECT 1 FROM hc_articles fa JOIN hc_sections fs"
                    " ON fs.id = fa.section_id WHERE fa.id = %s AND fs.category_id = ?)",
                    id_expr);
    if (q->label_count) {
        buf_appendf(sql,
                    " AND EXISTS (SELECT 1 FROM hc_article_labels fl WHERE fl.article_id = %s"
                    " AND fl.label IN (",
                    id_expr);
        for (size_t i = 0; i < q->label_count; i++)
            buf_append_cstr(sql, i ? ", ?" : "?");
        buf_append_cstr(sql, "))");
    }
}

/* Prepare head + filters + tail and bind the match text and the filters; *next is the next
 * parameter's number. */
static int prepare(struct db *db, bool pg, const struct hc_search_query *q, const struct buf *m,
                   const char *head, const char *tail, struct db_stmt **st, int *next,
                   struct err *e)
{
    struct buf sql;
    buf_init(&sql, 0);
    buf_append_cstr(&sql, head);
    filters_sql(&sql, pg ? PG_ID : SQLITE_ID, q);
    buf_append_cstr(&sql, tail);
    int rc = db_prepare(db, buf_cstr(&sql), st, e);
    buf_release(&sql);
    if (rc)
        return rc;
    int i = 1;
    db_bind_text(*st, i++, buf_cstr(m), m->len);
    if (q->section_id)
        db_bind_int64(*st, i++, q->section_id);
    if (q->category_id)
        db_bind_int64(*st, i++, q->category_id);
    for (size_t l = 0; l < q->label_count; l++)
        db_bind_cstr(*st, i++, q->labels[l]);
    *next = i;
    return 0;
}

/* limit rows of the search m in the order tail gives from the offset-th: their ids into ids[],
 * with the raw snippets (SQLite) into snippets[], and their number into *n; the number of all
 * matches into *total when the statement tells it (PostgreSQL; untouched otherwise). */
static int page(struct db *db, bool pg, const struct hc_search_query *q, const struct buf *m,
                const char *tail, size_t limit, int64_t offset, struct arena *a, int64_t *ids,
                const char **snippets, size_t *n, int64_t *total, struct err *e)
{
    struct db_stmt *st;
    int i;
    int rc = prepare(db, pg, q, m, pg ? PG_PAGE : SQLITE_PAGE, tail, &st, &i, e);
    if (rc)
        return rc;
    db_bind_int64(st, i++, (int64_t)limit);
    db_bind_int64(st, i, offset);
    size_t count = 0;
    while ((rc = db_step(st, e)) == DB_ROW && count < limit) {
        ids[count] = db_column_int64(st, 0);
        if (pg) {
            *total = db_column_int64(st, 1);
        } else {
            rc = db_column_text_dup(st, 1, a, &snippets[count], e);
            if (rc)
                break;
        }
        count++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = count;
    return 0;
}

static int count_all(struct db *db, bool pg, const struct hc_search_query *q, const struct buf *m,
                     int64_t *total, struct err *e)
{
    struct db_stmt *st;
    int i;
    int rc = prepare(db, pg, q, m, pg ? PG_COUNT : SQLITE_COUNT, "", &st, &i, e);
    if (rc)
        return rc;
    return hc_rows_count(st, total, e);
}

static int read_hit(struct db_stmt *st, struct arena *a, struct hc_search_hit *h, struct err *e)
{
    h->id = db_column_int64(st, 0);
    h->section_id = db_column_int64(st, 1);
    h->position = db_column_int64(st, 5);
    h->author_id = db_column_int64(st, 6);
    h->comments_disabled = db_column_int64(st, 7) != 0;
    h->revision = db_column_int64(st, 8);
    h->vote_sum = db_column_int64(st, 9);
    h->vote_count = db_column_int64(st, 10);
    h->created_at = db_column_int64(st, 11);
    h->updated_at = db_column_int64(st, 12);
    h->edited_at = db_column_int64(st, 13);
    int rc = db_column_text_dup(st, 2, a, &h->title, e);
    rc = rc ? rc : db_column_text_dup(st, 3, a, &h->html, e);
    return rc ? rc : db_column_text_dup(st, 4, a, &h->label_names, e);
}

/* The columns of published article id into *h; *found false when it is not (any more). */
static int hit_get(struct db *db, int64_t id, struct arena *a, struct hc_search_hit *h, bool *found,
                   struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, HIT_SQL, &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    *found = rc == DB_ROW;
    if (rc == DB_ROW)
        rc = read_hit(st, a, h, e);
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* PostgreSQL: the raw snippet of hit id. */
static int pg_snippet(struct db *db, const struct buf *m, int64_t id, struct arena *a,
                      const char **out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, PG_SNIPPET, &st, e);
    if (rc)
        return rc;
    db_bind_text(st, 1, buf_cstr(m), m->len);
    db_bind_int64(st, 2, id);
    rc = db_step(st, e);
    *out = "";
    if (rc == DB_ROW)
        rc = db_column_text_dup(st, 0, a, out, e);
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* PostgreSQL: the page ranked, with the count beside it (counted apart only when the page is
 * empty past the first). */
static int pg_page(struct db *db, const struct hc_search_query *q, const struct buf *m,
                   struct arena *a, int64_t *ids, size_t *n, int64_t *total, struct err *e)
{
    *total = -1;
    int rc = page(db, true, q, m, " ORDER BY r DESC, a.id LIMIT ? OFFSET ?", q->limit, q->offset, a,
                  ids, NULL, n, total, e);
    if (!rc && *total < 0 && *n == 0 && q->offset == 0)
        *total = 0;
    return rc || *total >= 0 ? rc : count_all(db, true, q, m, total, e);
}

/* SQLite: the count first, then the page. Up to HC_SEARCH_RANK_MAX matches are all ranked by
 * bm25(). Past that (a word or prefix most articles hold), ranking every match would cost
 * milliseconds while a body match tells little about a word that common: the articles that
 * match in the title or labels come first, ranked (newest first too when they are more than
 * HC_SEARCH_RANK_MAX: a word like "the"), then those that match in the body only, newest
 * first, which FTS5 reads in rowid order without ranking them. */
static int sqlite_page(struct db *db, const struct hc_search_query *q, const struct buf *m,
                       struct arena *a, int64_t *ids, const char **snippets, size_t *n,
                       int64_t *total, struct err *e)
{
    int rc = count_all(db, false, q, m, total, e);
    if (rc || *total <= HC_SEARCH_RANK_MAX)
        return rc ? rc
                  : page(db, false, q, m, " ORDER BY rank LIMIT ? OFFSET ?", q->limit, q->offset, a,
                         ids, snippets, n, total, e);
    struct buf title, body;
    buf_init(&title, 0);
    buf_init(&body, 0);
    buf_appendf(&title, "{title label_names} : (%s)", buf_cstr(m));
    buf_appendf(&body, "(%s) NOT ({title label_names} : (%s))", buf_cstr(m), buf_cstr(m));
    int64_t titled = 0;
    size_t k = 0, more = 0;
    rc = count_all(db, false, q, &title, &titled, e);
    if (!rc && q->offset < titled)
        rc = page(db, false, q, &title,
                  titled <= HC_SEARCH_RANK_MAX ? " ORDER BY rank LIMIT ? OFFSET ?"
                                               : " ORDER BY rowid DESC LIMIT ? OFFSET ?",
                  q->limit, q->offset, a, ids, snippets, &k, total, e);
    if (!rc && k < q->limit)
        rc = page(db, false, q, &body, " ORDER BY rowid DESC LIMIT ? OFFSET ?", q->limit - k,
                  q->offset > titled ? q->offset - titled : 0, a, ids + k, snippets + k, &more,
                  total, e);
    buf_release(&title);
    buf_release(&body);
    if (!rc)
        *n = k + more;
    return rc;
}

int hc_search(struct db *db, const struct hc_search_query *q, struct arena *a,
              struct hc_search_hit *out, size_t *n, int64_t *total, struct err *e)
{
    int rc = check_query(q, e);
    if (rc)
        return rc;
    bool pg = db_dialect(db) == DB_DIALECT_POSTGRES;
    struct buf m;
    buf_init(&m, 0);
    match_text(&m, pg, q);
    int64_t ids[HC_SEARCH_LIMIT_MAX];
    const char *snippets[HC_SEARCH_LIMIT_MAX];
    size_t count = 0, found = 0;
    int64_t all = 0;
    rc = pg ? pg_page(db, q, &m, a, ids, &count, &all, e)
            : sqlite_page(db, q, &m, a, ids, snippets, &count, &all, e);
    for (size_t i = 0; !rc && i < count; i++) {
        bool got;
        rc = hit_get(db, ids[i], a, &out[found], &got, e);
        if (!rc && got && pg)
            rc = pg_snippet(db, &m, ids[i], a, &out[found].snippet, e);
        else if (!rc && got)
            out[found].snippet = snippets[i];
        if (!rc && got)
            found++;
    }
    buf_release(&m);
    if (rc)
        return rc;
    *n = found;
    *total = all;
    return 0;
}

int hc_search_text_set(struct db *db, int64_t article_id, const char *text, size_t len,
                       struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE hc_articles SET body_text = ? WHERE id = ? AND body_text <> ?",
                        &st, e);
    if (rc)
        return rc;
    db_bind_text(st, 1, text, len);
    db_bind_int64(st, 2, article_id);
    db_bind_text(st, 3, text, len);
    return db_run(st, e);
}
