/* GET /api/v2/help_center/articles/search: Zendesk's Help Center article search (issue 7,
 * "Search"; service/hc_search.h is what it finds and how).
 *
 * Anyone may search, signed in or not; bad credentials still answer 401 (http/auth.h). Query
 * arguments: query (text as typed; missing, empty or absurd finds nothing, with 200), section
 * and category (ids, 400 when not one), label_names ("a,b": any of them), page (from 1) and
 * per_page (1..100, default 30), 400 naming them when out of range. The body, as Zendesk's:
 *     {"results": [article + "snippet" + "result_type": "article", ...], "count": N,
 *      "next_page": URL | null, "previous_page": URL | null, "page": P, "per_page": K,
 *      "page_count": C}
 * An article is the public shape (no body_markdown, no revision: search is the same for
 * everyone), its snippet HTML with the matched words in <em>.
 */
#include "http/handlers.h"

#include "http/auth.h"
#include "http/render.h"
#include "http/server.h"
#include "service/hc_search.h"

#include <string.h>

#define SEARCH_PATH "/api/v2/help_center/articles/search.json"

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

/* The link to page of the same search: its arguments as given, then page and per_page. */
static json_t *page_link(struct http_req *req, const struct hc_search_req *s, unsigned page)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, http_server_public_url(req->server));
    buf_append_cstr(&b, SEARCH_PATH "?query=");
    append_encoded(&b, s->query ? s->query : "");
    if (s->section_id)
        buf_appendf(&b, "&section=%lld", (long long)s->section_id);
    if (s->category_id)
        buf_appendf(&b, "&category=%lld", (long long)s->category_id);
    if (s->labels && *s->labels) {
        buf_append_cstr(&b, "&label_names=");
        append_encoded(&b, s->labels);
    }
    buf_appendf(&b, "&page=%u&per_page=%u", page, s->per_page);
    json_t *v = json_stringn(buf_cstr(&b), b.len);
    buf_release(&b);
    return v;
}

/* ["billing", "refunds"] of "billing,refunds". */
static json_t *label_list(const char *names)
{
    json_t *list = json_array();
    const char *p = names ? names : "";
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len)
            json_array_append_new(list, json_stringn(p, len));
        p += len + (end ? 1 : 0);
    }
    return list;
}

static json_t *render_result(struct http_req *req, const struct hc_search_result *r)
{
    const struct hc_article *a = &r->article;
    const char *base = http_server_public_url(req->server);
    struct buf url, html_url;
    buf_init(&url, 0);
    buf_init(&html_url, 0);
    buf_appendf(&url, "%s/api/v2/help_center/articles/%lld", base, (long long)a->id);
    buf_appendf(&html_url, "%s/hc/articles/%lld", base, (long long)a->id);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)a->id));
    json_object_set_new(o, "url", json_stringn(buf_cstr(&url), url.len));
    json_object_set_new(o, "html_url", json_stringn(buf_cstr(&html_url), html_url.len));
    json_object_set_new(o, "author_id", render_id(a->author_id));
    json_object_set_new(o, "comments_disabled", json_boolean(a->comments_disabled));
    json_object_set_new(o, "draft", json_false());
    json_object_set_new(o, "promoted", json_false());
    json_object_set_new(o, "position", json_integer((json_int_t)a->position));
    json_object_set_new(o, "vote_sum", json_integer((json_int_t)a->vote_sum));
    json_object_set_new(o, "vote_count", json_integer((json_int_t)a->vote_count));
    json_object_set_new(o, "section_id", json_integer((json_int_t)a->section_id));
    json_object_set_new(o, "created_at", render_time(a->created_at, 0));
    json_object_set_new(o, "updated_at", render_time(a->updated_at, 0));
    json_object_set_new(o, "edited_at", render_time(a->edited_at, 0));
    json_object_set_new(o, "name", json_string(a->title));
    json_object_set_new(o, "title", json_string(a->title));
    json_object_set_new(o, "source_locale", json_string("en-us"));
    json_object_set_new(o, "locale", json_string("en-us"));
    json_object_set_new(o, "outdated", json_false());
    json_object_set_new(o, "label_names", label_list(a->label_names));
    json_object_set_new(o, "body", json_string(a->html));
    json_object_set_new(o, "snippet", json_string(r->snippet));
    json_object_set_new(o, "result_type", json_string("article"));
    buf_release(&url);
    buf_release(&html_url);
    return o;
}

void hc_search_get(struct http_req *req)
{
    struct auth_principal who;
    if (auth_resolve(req, &who))
        return;
    struct hc_search_req s = {.query = http_req_query(req, "query"),
                              .labels = http_req_query(req, "label_names")};
    if (http_req_query_id(req, "section", &s.section_id) ||
        http_req_query_id(req, "category", &s.category_id) ||
        number_arg(req, "page", 1, 1000000, &s.page) ||
        number_arg(req, "per_page", HC_SEARCH_PER_PAGE_DEFAULT, HC_SEARCH_PER_PAGE_MAX,
                   &s.per_page))
        return;
    struct db *db;
    if (http_req_db(req, &db))
        return;
    struct hc_search_page res;
    struct err e;
    err_clear(&e);
    if (hc_search_articles(db, &s, &req->arena, &res, &e)) {
        http_reply_err(req, &e);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < res.count; i++)
        json_array_append_new(items, render_result(req, &res.items[i]));
    int64_t pages = (res.total + s.per_page - 1) / s.per_page;
    json_t *out = json_object();
    json_object_set_new(out, "results", items);
    json_object_set_new(out, "count", json_integer((json_int_t)res.total));
    json_object_set_new(out, "next_page",
                        (int64_t)s.page < pages ? page_link(req, &s, s.page + 1) : json_null());
    json_object_set_new(out, "previous_page",
                        s.page > 1 ? page_link(req, &s, s.page - 1) : json_null());
    json_object_set_new(out, "page", json_integer(s.page));
    json_object_set_new(out, "per_page", json_integer(s.per_page));
    json_object_set_new(out, "page_count", json_integer((json_int_t)pages));
    http_reply_json(req, 200, out);
}
