/* request: what a handler sees of an HTTP request, and how it answers.
 *
 * The server (server.c) builds a struct http_req when a request's headers are complete, reads
 * the body into req->body (capped by --max-body-size), routes it and calls the route's handler
 * once with the whole request. The handler answers with exactly one http_reply* call; a handler
 * that returns without replying answers 500 (a bug, logged). Everything a reply points to must
 * live until the request completes: use the request's arena or static data.
 * A request belongs to one worker thread; nothing here is shared.
 */
#ifndef FRONTDESK_HTTP_REQUEST_H
#define FRONTDESK_HTTP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/env.h"
#include "base/err.h"
#include "http/netaddr.h"
#include "http/router.h"

struct MHD_Connection;
struct http_server;

#define HTTP_MAX_RESP_HEADERS 12
#define HTTP_REQUEST_ID_MAX 128

struct http_header {
    const char *name;
    const char *value;
};

struct http_resp {
    int status; /* 0 until a reply is made */
    const char *content_type;
    const void *body;
    size_t body_len;
    struct http_header headers[HTTP_MAX_RESP_HEADERS];
    unsigned nheaders;
    bool close; /* send Connection: close and drop the connection afterwards */
    /* A body made as it is sent (server-sent events, http/chat.c): when stream_read is set the
     * server answers with libmicrohttpd's content reader stream_read(stream_cls, pos, buf, max)
     * and an unknown length (chunked), and calls stream_free(stream_cls) once the response is
     * gone; body is ignored. The reader may suspend the connection (MHD_suspend_connection) and
     * return 0; whoever resumes it later must hold it by a lock stream_free also takes. */
    ssize_t (*stream_read)(void *cls, uint64_t pos, char *buf, size_t max);
    void (*stream_free)(void *cls);
    void *stream_cls;
};

struct http_req {
    struct http_server *server;
    const struct env *env;
    struct MHD_Connection *conn;
    unsigned method;        /* HTTP_* bit, 0 for a method we do not serve */
    const char *method_str; /* as sent, valid for the request */
    const char *path;       /* decoded path, no query string */
    struct router_match match;
    char request_id[HTTP_REQUEST_ID_MAX + 1];
    struct netaddr client; /* the peer, or the X-Forwarded-For client behind a trusted proxy */
    char client_text[NETADDR_STRLEN]; /* client as text, for logs and the audit log */
    bool via_proxy;        /* the peer is a trusted proxy */
    struct buf body;
    struct arena arena;
    int64_t start_ns; /* monotonic */
    struct http_resp resp;
    /* server bookkeeping */
    bool dispatched;
    bool has_body;     /* Content-Length > 0 or Transfer-Encoding */
    bool answer_ready; /* answered by the header checks; sent on the next call */
    bool discarding; /* body over the cap: read and dropped until the end, then 413 */
    size_t discarded;
    bool inflight_counted;
};

/* A request header (case-insensitive name) or NULL. Valid for the request. */
const char *http_req_header(struct http_req *req, const char *name);
/* A query-string argument, decoded, or NULL. */
const char *http_req_query(struct http_req *req, const char *name);
/* A route parameter: "id" of "/tickets/{id}". */
struct slice http_req_param(struct http_req *req, const char *name);

/* A route parameter that names an object by id: a canonical decimal 1..INT64_MAX. Anything
 * else names no object: the 404 answer is made and the result is nonzero. */
int http_req_id(struct http_req *req, const char *name, int64_t *out);

/* An optional query argument that is an id, by the same rule: *out 0 when absent; otherwise the
 * 400 answer naming the argument is made and the result is nonzero. */
int http_req_query_id(struct http_req *req, const char *name, int64_t *out);

/* The query argument `name` as a list of ids ("1,2,3": 1 to max canonical-enough decimals
 * 1..INT64_MAX, no spaces) into ids[0..*n). Otherwise the 400 answer naming the argument is
 * made and the result is nonzero. */
int http_req_id_list(struct http_req *req, const char *name, int64_t *ids, size_t max,
                     size_t *n);

struct db;
/* This worker thread's database connection; on failure the 503/500 answer is made and the
 * result is nonzero. */
int http_req_db(struct http_req *req, struct db **out);

/* Parse the body as JSON (see json_body.h). On failure the error reply is already made and the
 * result is nonzero: the handler just returns. */
int http_req_json(struct http_req *req, json_t **out);

/* Answer with the JSON text in b (copied into the request's arena; b is released). 500 when
 * the arena is full. */
void http_reply_json_text(struct http_req *req, int status, struct buf *b);

/* Answer 200 with a list body: head holds `{"key":[...]` (JSON text, the list still open for
 * more members); the members of rest (meta, links; NULL for none) are appended and the object
 * closed. head is released and rest's reference taken. */
void http_reply_json_list(struct http_req *req, struct buf *head, json_t *rest);

/* Answer with body (not copied: arena or static memory). */
void http_reply(struct http_req *req, int status, const char *content_type, const void *body,
                size_t len);
/* Serialise value (compact, UTF-8) and answer; takes the reference to value. */
void http_reply_json(struct http_req *req, int status, json_t *value);
/* The JSON error body with the code that belongs to status (errors.h). field may be NULL. */
void http_reply_error(struct http_req *req, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Same, with an explicit code ("invalid_json", say). */
void http_reply_error_code(struct http_req *req, int status, const char *code, const char *field,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Answer for a struct err: status from the one table. Internal errors answer a generic message
 * and log the detail with the request id. */
void http_reply_err(struct http_req *req, const struct err *e);
/* Add a response header; both strings are copied into the request's arena. */
void http_add_header(struct http_req *req, const char *name, const char *value);

#endif
