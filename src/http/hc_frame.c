/* hc_frame: see hc_frame.h. The status sentence reads like the portal's: today's times alone
 * ("until 5:00 p.m. Eastern"), a weekday within the week ("back Monday 9:00 a.m. Eastern"), a
 * full date beyond (placeholders_local_time); it is computed per request from the cached
 * calendar, as /api/v2/support_hours computes open and closed. */
#include "http/hc_frame.h"

#include "base/timefmt.h"
#include "core/calendar.h"
#include "core/placeholders.h"
#include "http/handlers.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PAGE_MAX (8u << 20) /* bytes of one page: the body is at most ~2 MB of HTML */

const char *const hc_frame_day_names[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
const char *const hc_frame_month_names[12] = {"January",   "February", "March",    "April",
                                              "May",       "June",     "July",     "August",
                                              "September", "October",  "November", "December"};

/* ---- the support status ------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* "5:00 p.m." of local minutes-of-day m. */
static void put_clock(struct buf *b, int m)
{
    int h = m / 60;
    buf_appendf(b, "%d:%02d %s", h % 12 == 0 ? 12 : h % 12, m % 60, h < 12 ? "a.m." : "p.m.");
}

/* When t is, read from now in the calendar's zone: "5:00 p.m." today, "Monday 9:00 a.m." within
 * the week, "Monday, December 29, 9:00 a.m." later; then the zone's label. */
static void put_when(struct buf *b, const struct calendar *cal, int64_t now, int64_t t)
{
    int64_t local = t + cal_utc_offset(cal, t);
    int64_t day = floor_div(local, 86400), today = cal_local_day(cal, now);
    int minutes = (int)((local - day * 86400) / 60);
    if (day - today >= 7) {
        placeholders_local_time(cal, t, b);
        return;
    }
    if (day != today)
        buf_appendf(b, "%s ", hc_frame_day_names[timefmt_weekday_from_days(day)]);
    put_clock(b, minutes);
    const char *label = cal_spec_of(cal)->label;
    if (label[0])
        buf_appendf(b, " %.*s", (int)strnlen(label, CAL_LABEL_MAX), label);
}

/* The status sentence into b, and a short key of it into key (for the ETag). */
static void status_sentence(const struct calendar *cal, int64_t now, struct buf *b, char *key,
                            size_t key_len)
{
    int64_t at = 0;
    if (cal_open_until(cal, now, &at) == 0) {
        buf_append_cstr(b, "We\xE2\x80\x99re open until ");
        put_when(b, cal, now, at);
        buf_append_char(b, '.');
        snprintf(key, key_len, "o%lld", (long long)at);
    } else if (cal_next_open(cal, now, &at) == 0) {
        buf_append_cstr(b, "We\xE2\x80\x99re closed \xE2\x80\x94 back ");
        put_when(b, cal, now, at);
        buf_append_char(b, '.');
        snprintf(key, key_len, "c%lld", (long long)at);
    } else {
        buf_append_cstr(b, "We\xE2\x80\x99re closed.");
        snprintf(key, key_len, "c");
    }
    /* Past a day away the sentence names a weekday that changes with today: key the day too. */
    size_t used = strlen(key);
    snprintf(key + used, key_len - used, "-%lld", (long long)cal_local_day(cal, now));
}

/* ---- the page frame ---------------------------------------------------------------------- */

/* Resolve who is asking and the database, and read the calendar; nonzero with the answer made. */
/* Who is asking. A session cookie that no longer holds (expired, signed out elsewhere) reads as
 * a visitor here: a public page must not answer a reader 401. A bad API token still does (its
 * client must learn it failed). */
static int who_is_asking(struct http_req *req, struct auth_principal *who)
{
    if (auth_resolve(req, who) == 0)
        return 0;
    if (req->resp.status != 401 || http_req_header(req, "Authorization"))
        return -1;
    /* Drop the 401 answer and its WWW-Authenticate; keep a Set-Cookie that clears the cookie. */
    struct http_resp old = req->resp;
    memset(&req->resp, 0, sizeof req->resp);
    for (unsigned i = 0; i < old.nheaders; i++)
        if (strcasecmp(old.headers[i].name, "Set-Cookie") == 0)
            http_add_header(req, old.headers[i].name, old.headers[i].value);
    memset(who, 0, sizeof *who);
    return 0;
}

int hc_frame_start(struct hc_frame *p, struct http_req *req)
{
    memset(p, 0, sizeof *p);
    p->req = req;
    if (who_is_asking(req, &p->who) || http_req_db(req, &p->db))
        return -1;
    struct err e;
    err_clear(&e);
    if (calendar_cache_acquire(req->env, p->db, &p->cal, &p->ref, &e)) {
        http_reply_err(req, &e);
        return -1;
    }
    html_init(&p->h, PAGE_MAX);
    buf_init(&p->status, 0);
    status_sentence(p->cal, req->env->now(req->env), &p->status, p->status_key,
                    sizeof p->status_key);
    return 0;
}

void hc_frame_release(struct hc_frame *p)
{
    if (p->ref)
        calendar_cache_release(p->ref);
    html_release(&p->h);
    buf_release(&p->status);
}

void hc_frame_head(struct hc_frame *p, const char *title, const char *query,
                   const struct hc_crumb *crumbs)
{
    struct html *h = &p->h;
    html_lit(h, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>");
    html_text(h, title);
    html_lit(h, " \xE2\x80\x93 Help center</title>\n"
                "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n"
                "<link rel=\"stylesheet\" href=\"/app.css\">\n"
                "<link rel=\"stylesheet\" href=\"/hc.css\">\n"
                "<script type=\"module\" src=\"/js/hc.js\"></script>\n"
                "<script type=\"module\" src=\"/js/chat.js\"></script>\n"
                "</head>\n<body class=\"hc\">\n"
                "<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
                "<header class=\"hc-top\">\n<a class=\"brand\" href=\"/hc\">Help center</a>\n"
                "<form class=\"hc-search\" role=\"search\" action=\"/hc/search\" method=\"get\">"
                "<label for=\"hc-query\" class=\"visually-hidden\">Search the help center</label>"
                "<input id=\"hc-query\" type=\"search\" name=\"query\" maxlength=\"200\" "
                "placeholder=\"Search the help center\" autocomplete=\"off\"");
    html_attr(h, "value", query);
    html_lit(h, "><button type=\"submit\">Search</button></form>\n"
                "<a class=\"hc-submit\" href=\"/portal.html#/new\">Submit a request</a>\n"
                "</header>\n<p class=\"hc-status\" data-hc=\"status\">");
    html_textn(h, p->status.ptr, p->status.len);
    html_lit(h, "</p>\n<nav class=\"hc-crumbs\" aria-label=\"Breadcrumbs\"><ol>");
    if (crumbs && crumbs->name)
        html_lit(h, "<li><a href=\"/hc\">Help center</a></li>");
    else
        html_lit(h, "<li aria-current=\"page\"><span>Help center</span></li>");
    for (const struct hc_crumb *c = crumbs; c && c->name; c++) {
        if (c->prefix) {
            html_lit(h, "<li><a");
            html__attr_id(h, "href", c->prefix, c->id); /* the prefix is ours, escaped anyway */
            html_lit(h, ">");
        } else {
            html_lit(h, "<li aria-current=\"page\"><span>");
        }
        html_text(h, c->name);
        if (c->prefix)
            html_lit(h, "</a></li>");
        else
            html_lit(h, "</span></li>");
    }
    html_lit(h, "</ol></nav>\n<main id=\"main\" class=\"hc-main\" tabindex=\"-1\">\n");
}

void hc_frame_foot(struct hc_frame *p)
{
    html_lit(&p->h,
             "</main>\n<footer class=\"hc-foot\"><p><a href=\"/hc\">Help center</a> \xC2\xB7 "
             "<a href=\"/portal.html#/new\">Submit a request</a> \xC2\xB7 "
             "<a href=\"/portal.html\">My requests</a></p></footer>\n</body>\n</html>\n");
}

void hc_frame_security_headers(struct http_req *req)
{
    http_add_header(req, "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                    "base-uri 'none'; frame-ancestors 'none'");
    http_add_header(req, "Referrer-Policy", "same-origin");
    http_add_header(req, "Cache-Control", "no-cache");
}

/* Answer the page built in p (status 200 or 404), then release p. */
void hc_frame_send(struct hc_frame *p, int status)
{
    struct http_req *req = p->req;
    if (p->h.rc) {
        hc_frame_release(p);
        http_reply_error(req, 500, NULL, "the page could not be produced");
        return;
    }
    char *body = arena_strndup(&req->arena, buf_cstr(&p->h.out), p->h.out.len);
    size_t len = p->h.out.len;
    hc_frame_release(p);
    if (!body) {
        http_reply_error(req, 500, NULL, "the page could not be produced");
        return;
    }
    hc_frame_security_headers(req);
    http_reply(req, status, "text/html; charset=utf-8", body, len);
}

/* The 404 page, into a page whose frame may be half built: start over. */
void hc_frame_not_found(struct hc_frame *p)
{
    buf_clear(&p->h.out);
    p->h.rc = 0;
    struct hc_crumb crumbs[] = {{"Page not found", NULL, 0}, {NULL, NULL, 0}};
    hc_frame_head(p, "Page not found", NULL, crumbs);
    html_lit(&p->h, "<h1>Page not found</h1>\n<p>The page you asked for is not here: it may have "
                    "moved, or it is not published. Try searching, or go back to the "
                    "<a href=\"/hc\">help center</a>.</p>\n");
    hc_frame_foot(p);
    hc_frame_send(p, 404);
}

/* Route parameter {id} as a canonical decimal 1..INT64_MAX, or 0. */
int64_t hc_frame_id(struct http_req *req)
{
    struct slice s = http_req_param(req, "id");
    if (s.len == 0 || s.len > 19 || s.ptr[0] == '0')
        return 0;
    int64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9' || v > (INT64_MAX - (s.ptr[i] - '0')) / 10)
            return 0;
        v = v * 10 + (s.ptr[i] - '0');
    }
    return v;
}

/* A service error: the 404 page for "not found", the error answer otherwise. */
void hc_frame_fail(struct hc_frame *p, const struct err *e)
{
    if (e->code == ERR_NOT_FOUND) {
        hc_frame_not_found(p);
        return;
    }
    hc_frame_release(p);
    http_reply_err(p->req, e);
}

/* "November 26, 2026" of instant t in the calendar's zone, as a <time> element. */
void hc_frame_date(struct hc_frame *p, int64_t t)
{
    char iso[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(t, iso);
    int64_t day = cal_local_day(p->cal, t);
    struct civil_date d = timefmt_civil_from_days(day);
    html_lit(&p->h, "<time");
    html_attr(&p->h, "datetime", iso);
    html_lit(&p->h, ">");
    html_text(&p->h, hc_frame_month_names[d.month - 1]);
    html_lit(&p->h, " ");
    html_int(&p->h, d.day);
    html_lit(&p->h, ", ");
    html_int(&p->h, d.year);
    html_lit(&p->h, "</time>");
}

void hc_frame__link(struct html *h, const char *prefix, int64_t id, const char *text)
{
    html_lit(h, "<a");
    html__attr_id(h, "href", prefix, id);
    html_lit(h, ">");
    html_text(h, text);
    html_lit(h, "</a>");
}

void hc_frame_title(struct html *h, const char *title, const char *description)
{
    html_lit(h, "<h1>");
    html_text(h, title);
    html_lit(h, "</h1>\n");
    if (description && description[0]) {
        html_lit(h, "<p class=\"hc-lead\">");
        html_text(h, description);
        html_lit(h, "</p>\n");
    }
}
