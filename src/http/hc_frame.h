/* hc_frame: what every public help-center page shares (issue 7; http/hc_pages.c and
 * http/hc_pages_search.c build on it): who is asking and the database, the live support status
 * from the calendar ("We're open until 5:00 p.m. Eastern."), the frame around the content
 * (head, header with the search box and "Submit a request", status line, breadcrumbs, main,
 * footer, the chat widget and hc.js), the 404 page, and the answer (headers, one copy into the
 * request's arena). Markup goes through http/html.h only.
 *
 * Use: hc_frame_start() (nonzero: the answer is made, return), read what the page shows,
 * hc_frame_head(), the content into f->h, hc_frame_foot(), hc_frame_send() (which releases the
 * frame); or hc_frame_fail() / hc_frame_not_found() (which send and release too). A frame
 * belongs to one request.
 */
#ifndef FRONTDESK_HTTP_HC_FRAME_H
#define FRONTDESK_HTTP_HC_FRAME_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "http/auth.h"
#include "http/html.h"
#include "http/request.h"
#include "service/calendar_cache.h"

/* One breadcrumb after "Help center": a link to prefix + id, or (prefix NULL) the current page. */
struct hc_crumb {
    const char *name; /* NULL ends the list */
    const char *prefix;
    int64_t id;
};

/* A page being built. */
struct hc_frame {
    struct http_req *req;
    struct db *db;
    struct auth_principal who;
    struct html h;
    const struct calendar *cal;
    struct calendar_ref *ref;
    char status_key[64];
    struct buf status; /* the sentence */
};

extern const char *const hc_frame_day_names[7];    /* "Sunday" .. "Saturday" */
extern const char *const hc_frame_month_names[12]; /* "January" .. "December" */

/* Resolve who is asking (auth_resolve: anonymous is fine; a stale session cookie reads as
 * anonymous, a bad API token answers 401), the database and the calendar, and start the page
 * buffer; nonzero with the answer made (401, 503, ...). */
int hc_frame_start(struct hc_frame *f, struct http_req *req);
/* Free what the frame holds (done by hc_frame_send / _fail / _not_found). */
void hc_frame_release(struct hc_frame *f);
/* From the doctype to <main>: title (escaped), the search box's value (NULL: empty) and the
 * breadcrumbs (NULL, or an array ended by a NULL name). */
void hc_frame_head(struct hc_frame *f, const char *title, const char *query,
                   const struct hc_crumb *crumbs);
/* From </main> to the end. */
void hc_frame_foot(struct hc_frame *f);
/* Cache-Control no-cache, the static pages' Content-Security-Policy and Referrer-Policy. */
void hc_frame_security_headers(struct http_req *req);
/* Answer the page built (status 200 or 404; 500 when it could not be built) and release f. */
void hc_frame_send(struct hc_frame *f, int status);
/* Answer the 404 page "Page not found" (whatever was built is dropped) and release f. */
void hc_frame_not_found(struct hc_frame *f);
/* A service error: the 404 page for ERR_NOT_FOUND, the JSON error answer otherwise; releases f. */
void hc_frame_fail(struct hc_frame *f, const struct err *e);
/* Route parameter {id} as a canonical decimal 1..INT64_MAX, or 0 (names nothing). */
int64_t hc_frame_id(struct http_req *req);
/* <time datetime="ISO">November 26, 2026</time>: the date of t in the calendar's zone. */
void hc_frame_date(struct hc_frame *f, int64_t t);
/* <a href="prefix<id>">text (escaped)</a> into h; prefix a literal, as html_attr_id's. */
#define hc_frame_link(h, prefix, id, text) hc_frame__link((h), "" prefix, (id), (text))
void hc_frame__link(struct html *h, const char *prefix, int64_t id, const char *text);
/* <h1>title</h1>, then <p class="hc-lead">description</p> when there is one, into h. */
void hc_frame_title(struct html *h, const char *title, const char *description);

#endif
