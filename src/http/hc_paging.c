/* hc_paging: the rules are in the header; this file explains the why. */
#include "http/hc_paging.h"

#include "base/buf.h"
#include "http/paging.h"
#include "http/server.h"

#include <microhttpd.h>
#include <string.h>

#define LINK_ARGS_MAX 16 /* a list's own arguments carried into its links */

/* A query argument of decimal digits only, value 1..max; absent gives dflt. Ten digits at most,
 * so the value cannot overflow before it is compared. Nonzero after answering 400 naming it. */
static int page_arg(struct http_req *req, const char *name, int64_t dflt, int64_t max, int64_t *out)
{
    const char *v = http_req_query(req, name);
    if (!v) {
        *out = dflt;
        return 0;
    }
    int64_t n = 0;
    size_t i = 0;
    for (; v[i] >= '0' && v[i] <= '9' && i < 10; i++)
        n = n * 10 + (v[i] - '0');
    if (i == 0 || v[i] || n < 1 || n > max) {
        http_reply_error(req, 400, name, "%s must be a whole number from 1 to %lld", name,
                         (long long)max);
        return -1;
    }
    *out = n;
    return 0;
}

int hc_paging_from_req(struct http_req *req, int64_t per_page_max, struct hc_page *out)
{
    return page_arg(req, "page", 1, HC_PAGING_PAGE_MAX, &out->page) ||
           page_arg(req, "per_page", HC_PAGING_PER_PAGE_DEFAULT, per_page_max, &out->per_page);
}

void hc_paging_bounds(const struct hc_page *pg, size_t n, size_t *from, size_t *to)
{
    uint64_t start = (uint64_t)hc_paging_offset(pg);
    *from = start < n ? (size_t)start : n;
    *to = n - *from < (size_t)pg->per_page ? n : *from + (size_t)pg->per_page;
}

int64_t hc_paging_offset(const struct hc_page *pg)
{
    return (pg->page - 1) * pg->per_page;
}

json_t *hc_paging_link(struct http_req *req, const char *path, const struct paging_arg *args,
                       size_t nargs, const struct hc_page *pg, int64_t page)
{
    struct buf b;
    buf_init(&b, 8192);
    buf_append_cstr(&b, http_server_public_url(req->server));
    buf_append_cstr(&b, path);
    buf_append_char(&b, '?');
    for (size_t i = 0; i < nargs; i++) {
        paging_append_encoded(&b, args[i].name);
        if (args[i].value) {
            buf_append_char(&b, '=');
            paging_append_encoded(&b, args[i].value);
        }
        buf_append_char(&b, '&');
    }
    buf_appendf(&b, "page=%lld&per_page=%lld", (long long)page, (long long)pg->per_page);
    json_t *s = json_stringn(b.ptr, b.len);
    buf_release(&b);
    return s;
}

void hc_paging_members(struct http_req *req, json_t *body, const char *path,
                       const struct paging_arg *args, size_t nargs, const struct hc_page *pg,
                       int64_t total)
{
    int64_t pages = (total + pg->per_page - 1) / pg->per_page;
    json_object_set_new(body, "next_page",
                        pg->page < pages ? hc_paging_link(req, path, args, nargs, pg, pg->page + 1)
                                         : json_null());
    json_object_set_new(body, "previous_page",
                        pg->page > 1 ? hc_paging_link(req, path, args, nargs, pg, pg->page - 1)
                                     : json_null());
    json_object_set_new(body, "count", json_integer((json_int_t)total));
    json_object_set_new(body, "page", json_integer((json_int_t)pg->page));
    json_object_set_new(body, "per_page", json_integer((json_int_t)pg->per_page));
    json_object_set_new(body, "page_count", json_integer((json_int_t)pages));
}

struct link_args {
    struct paging_arg arg[LINK_ARGS_MAX];
    size_t n;
};

/* The request's arguments but page and per_page, which each link sets anew. */
static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct link_args *l = cls;
    if (l->n == LINK_ARGS_MAX)
        return MHD_NO;
    if (strcmp(key, "page") && strcmp(key, "per_page"))
        l->arg[l->n++] = (struct paging_arg){key, value};
    return MHD_YES;
}

void hc_paging_reply(struct http_req *req, const struct hc_page *pg, const char *key, json_t *list,
                     int64_t total)
{
    struct link_args l = {.n = 0};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &l);
    json_t *body = json_object();
    json_object_set_new(body, key, list);
    hc_paging_members(req, body, req->path, l.arg, l.n, pg, total);
    http_reply_json(req, 200, body);
}
