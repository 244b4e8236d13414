/* GET /api/v2/search?query=...: Zendesk's search API over tickets (core/search_query.h is the
 * language, service/tickets.h decides what the caller may find).
 *
 * Search pages the way Zendesk's does, by page number rather than cursor: `page` (from 1) and
 * `per_page` (1..100, default 100), and the body
 *     {"results": [ticket + "result_type": "ticket", ...], "count": N,
 *      "next_page": "/api/v2/search.json?query=...&page=2&per_page=100" | null,
 *      "previous_page": ... | null}
 * count is every match; pages stop after the first 1000 results, as Zendesk's do. Results are
 * ordered by ticket id. A missing query, or a page or per_page that is not a decimal number, is
 * 400 naming it; a query that does not parse is 422 naming "query", with the position.
 */
#include "http/handlers.h"

#include "db/db.h"
#include "http/auth.h"
#include "service/tickets_search.h"

#include <string.h>

/* A decimal number 1..max from a query argument; NULL gives dflt. */
static int number_arg(struct http_req *req, const char *name, unsigned dflt, unsigned max,
                      unsigned *out)
{
    const char *v = http_req_query(req, name);
    if (!v) {
        *out = dflt;
        return 0;
    }
    unsigned long n = 0;
    size_t len = strlen(v);
    bool ok = len >= 1 && len <= 9;
    for (size_t i = 0; ok && i < len; i++) {
        ok = v[i] >= '0' && v[i] <= '9';
        n = n * 10 + (unsigned long)(v[i] - '0');
    }
    if (!ok || n < 1 || n > max) {
        http_reply_error(req, 400, name, "%s must be a number from 1 to %u", name, max);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

/* RFC 3986 section 2.3: only unreserved characters stay as they are. */
static void append_encoded(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            buf_append_char(out, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_append(out, esc, 3);
        }
    }
}

static json_t *page_link(const char *query, unsigned page, unsigned per_page)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "/api/v2/search.json?query=");
    append_encoded(&b, query);
    buf_appendf(&b, "&page=%u&per_page=%u", page, per_page);
    json_t *v = json_stringn(buf_cstr(&b), b.len);
    buf_release(&b);
    return v;
}

static void reply_results(struct http_req *req, const char *query, unsigned page, unsigned per_page,
                          const struct tickets_search_page *res, bool staff)
{
    json_t *items = json_array();
    for (size_t i = 0; i < res->count; i++) {
        json_t *t = tickets_render(&res->items[i], req->env->now(req->env), staff);
        json_object_set_new(t, "result_type", json_string("ticket"));
        json_array_append_new(items, t);
    }
    uint64_t shown = (uint64_t)page * per_page;
    bool more = shown < (uint64_t)res->total && shown < TICKETS_SEARCH_RESULTS_MAX;
    json_t *out = json_object();
    json_object_set_new(out, "results", items);
    json_object_set_new(out, "count", json_integer((json_int_t)res->total));
    json_object_set_new(out, "next_page",
                        more ? page_link(query, page + 1, per_page) : json_null());
    json_object_set_new(out, "previous_page",
                        page > 1 ? page_link(query, page - 1, per_page) : json_null());
    http_reply_json(req, 200, out);
}

void search_get(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, &who))
        return;
    const char *query = http_req_query(req, "query");
    if (!query) {
        http_reply_error(req, 400, "query",
                         "query is required, like query=type:ticket status:open");
        return;
    }
    unsigned page, per_page;
    if (number_arg(req, "page", 1, 1000000, &page) ||
        number_arg(req, "per_page", TICKETS_SEARCH_PER_PAGE_MAX, TICKETS_SEARCH_PER_PAGE_MAX,
                   &per_page))
        return;
    struct search_query q;
    struct err e;
    err_clear(&e);
    if (search_query_parse(query, strlen(query), &q, &e)) {
        http_reply_err(req, &e);
        return;
    }
    struct db *db;
    struct tickets_search_page res;
    if (db_pool_conn(req->env->db, &db, &e) ||
        tickets_search(db, &who.subject, &q, page, per_page, &req->arena, &res, &e)) {
        http_reply_err(req, &e);
        return;
    }
    reply_results(req, query, page, per_page, &res, access_is_staff(&who.subject));
}
