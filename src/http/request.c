#include "http/request.h"

#include "base/buf.h"

#include "base/log.h"
#include "db/db.h"
#include "http/errors.h"
#include "http/json_body.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

const char *http_req_header(struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_req_query(struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct slice http_req_param(struct http_req *req, const char *name)
{
    return router_param(&req->match, name);
}

/* A canonical decimal 1..INT64_MAX (no sign, no leading zero) in v[0..len), into *out. */
static bool canonical_id(const char *v, size_t len, int64_t *out)
{
    int64_t id = 0;
    bool ok = len >= 1 && len <= 19 && v[0] != '0';
    for (size_t i = 0; ok && i < len; i++) {
        ok = v[i] >= '0' && v[i] <= '9' && id <= (INT64_MAX - (v[i] - '0')) / 10;
        id = ok ? id * 10 + (v[i] - '0') : 0;
    }
    if (ok)
        *out = id;
    return ok;
}

int http_req_id(struct http_req *req, const char *name, int64_t *out)
{
    struct slice v = http_req_param(req, name);
    if (!canonical_id(v.ptr, v.len, out)) {
        http_reply_error(req, 404, NULL, "nothing at %s: ids are positive whole numbers",
                         req->path);
        return -1;
    }
    return 0;
}

int http_req_query_id(struct http_req *req, const char *name, int64_t *out)
{
    const char *v = http_req_query(req, name);
    *out = 0;
    if (v && !canonical_id(v, strlen(v), out)) {
        http_reply_error(req, 400, name, "%s must be a positive id", name);
        return -1;
    }
    return 0;
}

/* Ids separated by commas, each a decimal 1..INT64_MAX; at most max of them. */
static int parse_id_list(const char *p, int64_t *ids, size_t max, size_t *n)
{
    size_t count = 0;
    if (!p || !*p)
        return -1;
    for (;;) {
        int64_t v = 0;
        size_t digits = 0;
        for (; *p >= '0' && *p <= '9'; p++, digits++) {
            if (v > (INT64_MAX - (*p - '0')) / 10)
                return -1;
            v = v * 10 + (*p - '0');
        }
        if (!digits || v == 0 || count == max)
            return -1;
        ids[count++] = v;
        if (*p == '\0')
            break;
        if (*p++ != ',')
            return -1;
    }
    *n = count;
    return 0;
}

int http_req_id_list(struct http_req *req, const char *name, int64_t *ids, size_t max, size_t *n)
{
    if (parse_id_list(http_req_query(req, name), ids, max, n) == 0)
        return 0;
    http_reply_error(req, 400, name, "%s must be 1 to %zu ids separated by commas, like %s=1,2,3",
                     name, max, name);
    return -1;
}

int http_req_db(struct http_req *req, struct db **out)
{
    struct err e;
    err_clear(&e);
    if (db_pool_conn(req->env->db, out, &e)) {
        http_reply_err(req, &e);
        return -1;
    }
    return 0;
}

int http_req_json(struct http_req *req, json_t **out)
{
    struct err e;
    err_clear(&e);
    int rc = json_body_parse(http_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE), req->body.ptr,
                             req->body.len, out, &e);
    if (rc == ERR_MALFORMED)
        http_reply_error_code(req, 400, "invalid_json", NULL, "%s", e.message);
    else if (rc)
        http_reply_err(req, &e);
    return rc;
}

void http_reply(struct http_req *req, int status, const char *content_type, const void *body,
                size_t len)
{
    req->resp.status = status;
    req->resp.content_type = content_type;
    req->resp.body = body;
    req->resp.body_len = len;
}

static int dump_into_buf(const char *chunk, size_t size, void *data)
{
    return buf_append(data, chunk, size) ? -1 : 0;
}

void http_reply_json_text(struct http_req *req, int status, struct buf *b)
{
    char *p = arena_strndup(&req->arena, b->ptr ? b->ptr : "", b->len);
    size_t len = b->len;
    buf_release(b);
    if (!p) {
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    http_reply(req, status, "application/json", p, len);
}

void http_reply_json(struct http_req *req, int status, json_t *value)
{
    /* One pass of the dumper into a growing buffer, then one copy into the request's arena:
     * measuring first (json_dumpb with no buffer) would serialize every body twice, and a
     * 100-ticket page spends most of its CPU in the dumper. */
    struct buf b;
    buf_init(&b, 0);
    int rc = json_dump_callback(value, dump_into_buf, &b, JSON_COMPACT);
    json_decref(value);
    if (rc) {
        buf_release(&b);
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    http_reply_json_text(req, status, &b);
}

void http_reply_json_list(struct http_req *req, struct buf *head, json_t *rest)
{
    int rc = 0;
    if (rest && json_object_size(rest)) {
        /* rest's members go in as its own dump, braces dropped: `,"meta":{...},"links":{...}`. */
        buf_append_char(head, ',');
        size_t at = head->len;
        rc = json_dump_callback(rest, dump_into_buf, head, JSON_COMPACT);
        if (!rc && head->len - at >= 2) {
            memmove(head->ptr + at, head->ptr + at + 1, head->len - at - 2);
            head->len -= 2;
        }
    }
    json_decref(rest);
    rc = rc ? rc : buf_append_char(head, '}');
    if (rc) {
        buf_release(head);
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    http_reply_json_text(req, 200, head);
}

static void reply_error_v(struct http_req *req, int status, const char *code, const char *field,
                          const char *fmt, va_list ap)
{
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    struct buf b;
    buf_init(&b, 0);
    http_error_body(&b, code, message, field);
    char *p = arena_strndup(&req->arena, buf_cstr(&b), b.len);
    size_t len = b.len;
    buf_release(&b);
    if (!p) { /* the arena is full: fall back to a body that needs no memory */
        static const char fallback[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of "
                                       "request memory\",\"field\":null}}";
        http_reply(req, 500, "application/json", fallback, sizeof fallback - 1);
        return;
    }
    http_reply(req, status, "application/json", p, len);
}

void http_reply_error(struct http_req *req, int status, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(req, status, http_error_code_for_status(status), field, fmt, ap);
    va_end(ap);
}

void http_reply_error_code(struct http_req *req, int status, const char *code, const char *field,
                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(req, status, code, field, fmt, ap);
    va_end(ap);
}

void http_reply_err(struct http_req *req, const struct err *e)
{
    int status = http_status_for_err(e->code);
    if (status >= 500) {
        struct log_rec r;
        if (!log_begin(&r, "error", "request_error")) {
            log_cstr(&r, "request_id", req->request_id);
            log_cstr(&r, "code", err_code_name(e->code));
            log_cstr(&r, "message", e->message);
            log_cstr(&r, "detail", e->detail);
            log_end(&r);
        }
        if (status == 503) {
            http_add_header(req, "Retry-After", "1");
            http_reply_error(req, 503, NULL, "the service is briefly unavailable, try again");
        } else {
            http_reply_error(req, 500, NULL, "internal error (request id %s)", req->request_id);
        }
        return;
    }
    if (e->reason[0])
        http_reply_error_code(req, status, e->reason, e->field[0] ? e->field : NULL, "%s",
                              e->message);
    else
        http_reply_error(req, status, e->field, "%s", e->message);
}

void http_add_header(struct http_req *req, const char *name, const char *value)
{
    if (req->resp.nheaders == HTTP_MAX_RESP_HEADERS)
        return; /* a programming error: the cap is far above what any handler sets */
    char *n = arena_strndup(&req->arena, name, strlen(name));
    char *v = arena_strndup(&req->arena, value, strlen(value));
    if (!n || !v)
        return;
    req->resp.headers[req->resp.nheaders++] = (struct http_header){n, v};
}
