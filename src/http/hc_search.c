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
#include "http/hc_paging.h"
#include "http/hc_render.h"
#include "http/render.h"
#include "http/server.h"
#include "service/hc_search.h"

#include <stdio.h>

#define SEARCH_PATH "/api/v2/help_center/articles/search.json"

/* What the page links of a search carry: its arguments as given (query always), into args
 * (the ids written into section and category); returns how many. */
static size_t link_args(const struct hc_search_req *s, char section[24], char category[24],
                        struct paging_arg args[4])
{
    size_t n = 0;
    args[n++] = (struct paging_arg){"query", s->query ? s->query : ""};
    if (s->section_id) {
        snprintf(section, 24, "%lld", (long long)s->section_id);
        args[n++] = (struct paging_arg){"section", section};
    }
    if (s->category_id) {
        snprintf(category, 24, "%lld", (long long)s->category_id);
        args[n++] = (struct paging_arg){"category", category};
    }
    if (s->labels && *s->labels)
        args[n++] = (struct paging_arg){"label_names", s->labels};
    return n;
}

static json_t *render_result(struct http_req *req, const struct hc_search_result *r)
{
    json_t *o = hc_render_article(req, &r->article, false);
    json_object_set_new(o, "snippet", json_string(r->snippet));
    json_object_set_new(o, "result_type", json_string("article"));
    return o;
}

void hc_search_get(struct http_req *req)
{
    struct auth_principal who;
    if (auth_resolve(req, &who))
        return;
    struct hc_search_req s = {.query = http_req_query(req, "query"),
                              .labels = http_req_query(req, "label_names")};
    struct hc_page pg;
    if (http_req_query_id(req, "section", &s.section_id) ||
        http_req_query_id(req, "category", &s.category_id) ||
        hc_paging_from_req(req, HC_SEARCH_PER_PAGE_MAX, &pg))
        return;
    s.page = (unsigned)pg.page;
    s.per_page = (unsigned)pg.per_page;
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
    char section[24], category[24];
    struct paging_arg args[4];
    size_t n = link_args(&s, section, category, args);
    json_t *out = json_pack("{s:o}", "results", items);
    hc_paging_members(req, out, SEARCH_PATH, args, n, &pg, res.total);
    http_reply_json(req, 200, out);
}
