/* hc_pages: the public help-center pages, rendered on the server (issue 7; DESIGN.md: the one
 * exception to "the server answers JSON"), so they read and navigate without JavaScript and can
 * be indexed; web/js/hc.js enhances them (votes, comments, search as you type).
 *
 *   GET /hc                    home: search box, categories with their sections
 *   GET /hc/categories/{id}    a category: its sections and their articles
 *   GET /hc/sections/{id}      a section: its articles (?after=ID pages on)
 *   GET /hc/articles/{id}      an article: breadcrumbs, body, labels, updated date, "Was this
 *                              article helpful?", comments, "Have more questions?"
 *   GET /hc/search?query=      search results
 *
 * Every page has the same frame: a header with the search box and "Submit a request", the live
 * support status from the calendar ("We're open until 5:00 p.m. Eastern."), breadcrumbs, main,
 * a footer, and the chat widget's script (as web/portal.html has it). All markup goes through
 * http/html.h, which escapes every value; only the stored article HTML (rendered by
 * core/markdown.h when the revision was saved) goes in as is. A draft or a missing object is
 * the 404 page (staff see drafts, marked). The pages answer Cache-Control no-cache; the article
 * page also a weak ETag from what it shows (the article's id, updated_at and vote counts, its
 * comments, the support status, whether staff look), and 304 to a matching If-None-Match.
 *
 * The frame every page shares is http/hc_frame.h; the search page is http/hc_pages_search.c.
 *
 * Cost of an article page: four indexed reads (article, section, category, comments; the
 * comments' authors only when there are comments) and the calendar from its cache; no Markdown
 * is rendered; the page is built into one buffer and copied once into the request's arena
 * (bench/hc_pages).
 */
#include "http/handlers.h"

#include "base/timefmt.h"
#include "core/access.h"
#include "core/calendar.h"
#include "core/holidays.h"
#include "core/placeholders.h"
#include "http/hc_frame.h"
#include "service/hc.h"
#include "service/hc_feedback.h"
#include "store/users.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list of links to articles. */
static void article_links(struct hc_frame *p, const struct hc_article *arts, size_t n)
{
    struct html *h = &p->h;
    html_lit(h, "<ul class=\"hc-list\">");
    for (size_t i = 0; i < n; i++) {
        html_lit(h, "<li>");
        hc_frame_link(h, "/hc/articles/", arts[i].id, arts[i].title);
        if (arts[i].draft)
            html_lit(h, " <span class=\"hc-draft\">Draft</span>");
        html_lit(h, "</li>");
    }
    html_lit(h, "</ul>\n");
}

/* ---- home, category, section ------------------------------------------------------------ */

void hc_page_home(struct http_req *req)
{
    struct hc_frame p;
    if (hc_frame_start(&p, req))
        return;
    struct hc_category *cats = NULL;
    struct hc_section *secs = NULL;
    size_t ncats = 0, nsecs = 0;
    struct err e;
    err_clear(&e);
    if (hc_categories_list(p.db, &req->arena, &cats, &ncats, &e) ||
        hc_sections_list(p.db, 0, &req->arena, &secs, &nsecs, &e)) {
        hc_frame_fail(&p, &e);
        return;
    }
    struct html *h = &p.h;
    hc_frame_head(&p, "Help center", NULL, NULL);
    html_lit(h, "<h1>How can we help?</h1>\n<section class=\"hc-categories\" "
                "aria-label=\"Categories\">\n");
    for (size_t i = 0; i < ncats; i++) {
        html_lit(h, "<section class=\"hc-category\"><h2>");
        hc_frame_link(h, "/hc/categories/", cats[i].id, cats[i].name);
        html_lit(h, "</h2>");
        if (cats[i].description && cats[i].description[0]) {
            html_lit(h, "<p>");
            html_text(h, cats[i].description);
            html_lit(h, "</p>");
        }
        html_lit(h, "<ul class=\"hc-list\">");
        for (size_t j = 0; j < nsecs; j++) {
            if (secs[j].category_id != cats[i].id)
                continue;
            html_lit(h, "<li>");
            hc_frame_link(h, "/hc/sections/", secs[j].id, secs[j].name);
            html_lit(h, "</li>");
        }
        html_lit(h, "</ul></section>\n");
    }
    if (ncats == 0)
        html_lit(h, "<p>Nothing is published yet.</p>\n");
    html_lit(h, "</section>\n");
    hc_frame_foot(&p);
    hc_frame_send(&p, 200);
}

void hc_page_category(struct http_req *req)
{
    struct hc_frame p;
    if (hc_frame_start(&p, req))
        return;
    int64_t id = hc_frame_id(req);
    struct hc_category cat;
    struct hc_section *secs = NULL;
    struct hc_article *arts = NULL;
    size_t nsecs = 0, narts = 0;
    bool more = false;
    struct err e;
    err_clear(&e);
    struct hc_articles_filter f = {.category_id = id, .include_drafts = true, .limit = HC_LIST_MAX};
    if (!id) {
        hc_frame_not_found(&p);
        return;
    }
    if (hc_category_get(p.db, id, &req->arena, &cat, &e) ||
        hc_sections_list(p.db, id, &req->arena, &secs, &nsecs, &e) ||
        hc_articles_list(p.db, &p.who.subject, &f, &req->arena, &arts, &narts, &more, &e)) {
        hc_frame_fail(&p, &e);
        return;
    }
    struct html *h = &p.h;
    struct hc_crumb crumbs[] = {{cat.name, NULL, 0}, {NULL, NULL, 0}};
    hc_frame_head(&p, cat.name, NULL, crumbs);
    hc_frame_title(h, cat.name, cat.description);
    for (size_t i = 0; i < nsecs; i++) {
        html_lit(h, "<section class=\"hc-section\"><h2>");
        hc_frame_link(h, "/hc/sections/", secs[i].id, secs[i].name);
        html_lit(h, "</h2>");
        size_t first = narts, count = 0;
        for (size_t j = 0; j < narts; j++)
            if (arts[j].section_id == secs[i].id) {
                first = first < j ? first : j;
                count++;
            }
        /* The list is ordered by section, so one section's articles are contiguous. */
        if (count)
            article_links(&p, arts + first, count);
        else
            html_lit(h, "<p>No articles yet.</p>");
        html_lit(h, "</section>\n");
    }
    if (nsecs == 0)
        html_lit(h, "<p>No sections yet.</p>\n");
    hc_frame_foot(&p);
    hc_frame_send(&p, 200);
}

/* ?after=ID: a canonical id, or 0 when absent or malformed. */
static int64_t after_arg(struct http_req *req)
{
    const char *v = http_req_query(req, "after");
    if (!v || !*v || *v == '0' || strlen(v) > 19)
        return 0;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    return (errno || *end || n <= 0) ? 0 : (int64_t)n;
}

void hc_page_section(struct http_req *req)
{
    struct hc_frame p;
    if (hc_frame_start(&p, req))
        return;
    int64_t id = hc_frame_id(req);
    struct hc_section sec;
    struct hc_category cat;
    struct hc_article *arts = NULL;
    size_t narts = 0;
    bool more = false;
    struct err e;
    err_clear(&e);
    struct hc_articles_filter f = {
        .section_id = id, .include_drafts = true, .after_id = after_arg(req), .limit = HC_LIST_MAX};
    if (!id) {
        hc_frame_not_found(&p);
        return;
    }
    if (hc_section_get(p.db, id, &req->arena, &sec, &e) ||
        hc_category_get(p.db, sec.category_id, &req->arena, &cat, &e) ||
        hc_articles_list(p.db, &p.who.subject, &f, &req->arena, &arts, &narts, &more, &e)) {
        hc_frame_fail(&p, &e);
        return;
    }
    struct html *h = &p.h;
    struct hc_crumb crumbs[] = {
        {cat.name, "/hc/categories/", cat.id}, {sec.name, NULL, 0}, {NULL, NULL, 0}};
    hc_frame_head(&p, sec.name, NULL, crumbs);
    hc_frame_title(h, sec.name, sec.description);
    if (narts)
        article_links(&p, arts, narts);
    else
        html_lit(h, "<p>No articles yet.</p>\n");
    if (more && narts) {
        html_lit(h, "<p class=\"hc-more-link\"><a rel=\"next\"");
        html_attr_id(h, "href", "?after=", arts[narts - 1].id);
        html_lit(h, ">More articles</a></p>\n");
    }
    hc_frame_foot(&p);
    hc_frame_send(&p, 200);
}

/* ---- the article page --------------------------------------------------------------------- */

#define PAGE_COMMENTS HC_LIST_MAX

/* The "Getting help" article's live part: the hours sentence and this year's holidays. */
static void getting_help(struct hc_frame *p)
{
    struct html *h = &p->h;
    const struct cal_spec *spec = cal_spec_of(p->cal);
    struct buf hours;
    buf_init(&hours, 0);
    placeholders_support_hours(spec, &hours);
    html_lit(h, "<section class=\"hc-hours\" aria-labelledby=\"hc-hours-title\">"
                "<h2 id=\"hc-hours-title\">Support hours</h2><p data-hc=\"hours\">");
    html_textn(h, hours.ptr, hours.len);
    html_lit(h, ".</p>");
    buf_release(&hours);
    int64_t today = cal_local_day(p->cal, p->req->env->now(p->req->env));
    struct civil_date d = timefmt_civil_from_days(today);
    struct holidays_entry *list = malloc(HOLIDAYS_YEAR_MAX_ENTRIES * sizeof *list);
    size_t n = 0;
    if (!list || holidays_year(&spec->holidays, (int)d.year, list, HOLIDAYS_YEAR_MAX_ENTRIES, &n))
        n = 0;
    html_lit(h, "<h3>Holidays in ");
    html_int(h, d.year);
    html_lit(h, "</h3>");
    if (n == 0)
        html_lit(h, "<p>No holidays this year.</p>");
    else
        html_lit(h, "<ul class=\"hc-holidays\" data-hc=\"holidays\">");
    for (size_t i = 0; i < n; i++) {
        struct civil_date hd = timefmt_civil_from_days(list[i].day);
        char iso[16];
        snprintf(iso, sizeof iso, "%04lld-%02d-%02d", (long long)hd.year, hd.month, hd.day);
        html_lit(h, "<li");
        if (list[i].day < today)
            html_lit(h, " class=\"hc-past\"");
        html_lit(h, "><time");
        html_attr(h, "datetime", iso);
        html_lit(h, ">");
        html_text(h, hc_frame_day_names[timefmt_weekday_from_days(list[i].day)]);
        html_lit(h, ", ");
        html_text(h, hc_frame_month_names[hd.month - 1]);
        html_lit(h, " ");
        html_int(h, hd.day);
        html_lit(h, "</time> \xE2\x80\x94 ");
        html_text(h, list[i].name);
        if (list[i].observed)
            html_lit(h, " (observed)");
        html_lit(h, "</li>");
    }
    if (n)
        html_lit(h, "</ul>");
    html_lit(h, "</section>\n");
    free(list);
}

static void labels(struct hc_frame *p, const char *names)
{
    if (!names || !names[0])
        return;
    struct html *h = &p->h;
    html_lit(h, "<div class=\"hc-labels\"><span>Labels:</span> <ul>");
    const char *s = names;
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len) {
            html_lit(h, "<li>");
            html_textn(h, s, len);
            html_lit(h, "</li>");
        }
        s += len + (end ? 1 : 0);
    }
    html_lit(h, "</ul></div>\n");
}

static void votes(struct hc_frame *p, const struct hc_article *a)
{
    struct html *h = &p->h;
    int64_t up = (a->vote_count + a->vote_sum) / 2;
    html_lit(h, "<section class=\"hc-vote\" aria-labelledby=\"hc-vote-title\""
                " data-hc=\"vote\"><h2 id=\"hc-vote-title\">Was this article helpful?</h2>"
                "<div class=\"hc-vote-buttons\">"
                "<button type=\"button\" data-vote=\"up\" aria-pressed=\"false\" disabled>"
                "Yes</button>"
                "<button type=\"button\" data-vote=\"down\" aria-pressed=\"false\" disabled>"
                "No</button></div>"
                "<p class=\"hc-vote-count\" data-hc=\"votes\" aria-live=\"polite\">");
    html_int(h, up);
    html_lit(h, " out of ");
    html_int(h, a->vote_count);
    html_lit(h, " found this helpful</p></section>\n");
}

/* The author's name as readers see it ("Support" for staff). Looked up once per author. */
static void author(struct hc_frame *p, int64_t author_id, struct user *cache, size_t *ncache)
{
    struct html *h = &p->h;
    for (size_t i = 0; i < *ncache; i++)
        if (cache[i].id == author_id) {
            html_text(h, cache[i].name);
            if (access_role_name_is_staff(cache[i].role))
                html_lit(h, " <span class=\"hc-staff\">(Support)</span>");
            return;
        }
    struct user u;
    if (author_id && users_get(p->db, author_id, &u, NULL) == 0 && *ncache < PAGE_COMMENTS) {
        cache[(*ncache)++] = u;
        author(p, author_id, cache, ncache);
        return;
    }
    html_lit(h, "Someone");
}

static void comments(struct hc_frame *p, const struct hc_article *a, const struct hc_comment *list,
                     size_t n, int64_t total)
{
    struct html *h = &p->h;
    html_lit(h, "<section class=\"hc-comments\" aria-labelledby=\"hc-comments-title\"");
    html_attr(h, "data-comments", a->comments_disabled ? "closed" : "open");
    html_lit(h, "><h2 id=\"hc-comments-title\">Comments</h2>");
    struct user *cache = n ? malloc(n * sizeof *cache) : NULL;
    size_t ncache = 0;
    if (n == 0 && !a->comments_disabled)
        html_lit(h, "<p class=\"hc-none\" data-hc=\"no-comments\">No comments yet.</p>");
    html_lit(h, "<ol class=\"hc-comment-list\" data-hc=\"comments\">");
    for (size_t i = 0; i < n && cache; i++) {
        html_lit(h, "<li");
        html_attr_id(h, "id", "comment-", list[i].id);
        if (list[i].hidden)
            html_lit(h, " class=\"hc-hidden\"");
        html_lit(h, "><article class=\"hc-comment\"><header>");
        author(p, list[i].author_id, cache, &ncache);
        html_lit(h, " \xC2\xB7 ");
        hc_frame_date(p, list[i].created_at);
        if (list[i].hidden)
            html_lit(h, " <span class=\"hc-draft\">Hidden</span>");
        html_lit(h, "</header><div class=\"hc-body\">");
        html_trusted_markdown(h, list[i].html, strlen(list[i].html));
        html_lit(h, "</div></article></li>");
    }
    free(cache);
    html_lit(h, "</ol>");
    if (total > (int64_t)n)
        html_lit(h, "<p class=\"hc-none\">Only the first comments are shown.</p>");
    if (a->comments_disabled)
        html_lit(h, "<p class=\"hc-closed\" data-hc=\"closed\">Article is closed for comments."
                    "</p>");
    else
        html_lit(h, "<div data-hc=\"comment-form\"><p><a href=\"/portal.html\">Sign in</a> to "
                    "leave a comment.</p></div>");
    html_lit(h, "</section>\n");
}

/* W/"..." of what the page shows. */
static void article_etag(struct hc_frame *p, const struct hc_article *a, const struct hc_comment *c,
                         size_t n, int64_t total, char *out, size_t cap)
{
    uint64_t hash = 1469598103934665603ULL; /* FNV-1a over the comments shown */
    for (size_t i = 0; i < n; i++) {
        int64_t parts[3] = {c[i].id, c[i].updated_at, c[i].hidden};
        const unsigned char *b = (const unsigned char *)parts;
        for (size_t k = 0; k < sizeof parts; k++)
            hash = (hash ^ b[k]) * 1099511628211ULL;
    }
    snprintf(out, cap, "W/\"hc%lld-%lld-%lld-%lld-%lld-%llx-%s-%c\"", (long long)a->id,
             (long long)a->updated_at, (long long)a->vote_sum, (long long)a->vote_count,
             (long long)total, (unsigned long long)hash, p->status_key,
             access_is_staff(&p->who.subject) ? 's' : 'p');
}

void hc_page_article(struct http_req *req)
{
    struct hc_frame p;
    if (hc_frame_start(&p, req))
        return;
    int64_t id = hc_frame_id(req);
    struct hc_article art;
    struct hc_section sec;
    struct hc_category cat;
    struct err e;
    err_clear(&e);
    if (!id) {
        hc_frame_not_found(&p);
        return;
    }
    struct hc_comment *list = arena_alloc(&req->arena, PAGE_COMMENTS * sizeof *list);
    size_t n = 0;
    int64_t total = 0;
    if (!list) {
        hc_frame_release(&p);
        http_reply_error(req, 500, NULL, "the page could not be produced");
        return;
    }
    if (hc_article_get(p.db, &p.who.subject, id, &req->arena, &art, &e) ||
        hc_section_get(p.db, art.section_id, &req->arena, &sec, &e) ||
        hc_category_get(p.db, sec.category_id, &req->arena, &cat, &e) ||
        hc_comments_list(p.db, &p.who.subject, id, 0, PAGE_COMMENTS, &req->arena, list, &n, &total,
                         &e)) {
        hc_frame_fail(&p, &e);
        return;
    }
    char etag[256];
    article_etag(&p, &art, list, n, total, etag, sizeof etag);
    http_add_header(req, "ETag", etag);
    if (static_etag_matches(http_req_header(req, "If-None-Match"), etag)) {
        hc_frame_release(&p);
        hc_frame_security_headers(req);
        http_reply(req, 304, NULL, "", 0);
        return;
    }
    struct html *h = &p.h;
    struct hc_crumb crumbs[] = {{cat.name, "/hc/categories/", cat.id},
                                {sec.name, "/hc/sections/", sec.id},
                                {art.title, NULL, 0},
                                {NULL, NULL, 0}};
    hc_frame_head(&p, art.title, NULL, crumbs);
    html_lit(h, "<article class=\"hc-article\"");
    html_attr_id(h, "data-article-id", "", art.id);
    html_lit(h, "><header><h1>");
    html_text(h, art.title);
    html_lit(h, "</h1><p class=\"hc-meta\">");
    if (art.draft)
        html_lit(h, "<span class=\"hc-draft\">Draft: only staff see this</span> ");
    html_lit(h, "Updated ");
    hc_frame_date(&p, art.updated_at);
    html_lit(h, "</p></header>\n<div class=\"hc-body\">");
    html_trusted_markdown(h, art.html, strlen(art.html));
    html_lit(h, "</div>\n");
    if (art.seed_key && strcmp(art.seed_key, "getting_help") == 0)
        getting_help(&p);
    labels(&p, art.label_names);
    html_lit(h, "</article>\n");
    votes(&p, &art);
    comments(&p, &art, list, n, total);
    html_lit(h, "<p class=\"hc-ask\">Have more questions? "
                "<a href=\"/portal.html#/new\" data-hc=\"submit\">Submit a request</a></p>\n");
    hc_frame_foot(&p);
    hc_frame_send(&p, 200);
}

/* The self-serve contact-deletion article under the fixed address the support policy's answer
 * (clause 9, macros.h MACROS_CONTACT_DELETION_PATH) links to, also in mail already sent: a
 * redirect to the article init seeded, wherever its id fell. */
void hc_page_contact_deletion(struct http_req *req)
{
    struct hc_frame p;
    if (hc_frame_start(&p, req))
        return;
    struct hc_article art;
    struct err e;
    err_clear(&e);
    if (hc_article_by_seed(p.db, &p.who.subject, "contact_deletion", &req->arena, &art, &e)) {
        hc_frame_fail(&p, &e);
        return;
    }
    hc_frame_release(&p);
    char location[64];
    snprintf(location, sizeof location, "/hc/articles/%lld", (long long)art.id);
    http_add_header(req, "Location", location);
    hc_frame_security_headers(req);
    http_reply(req, 301, "text/plain; charset=utf-8", "", 0);
}
