/* The request lifecycle on libmicrohttpd:
 *   connection opens    -> on_connection(STARTED): count it against its address (ipcount)
 *   headers complete    -> on_request, first call: build the request, framing and limit checks,
 *                          route; errors are answered at once (libmicrohttpd then closes the
 *                          connection, since the body was not read)
 *   body arrives        -> on_request, further calls: append to the capped body buffer
 *   body complete       -> on_request, last call: run the handler, queue its response
 *   response sent       -> on_completed: log line, metrics, free the request
 *   connection closes   -> on_connection(CLOSED): give the address's slot back
 */
#include "http/server.h"

#include "base/log.h"
#include "base/xalloc.h"
#include "http/errors.h"
#include "http/handlers.h"
#include "http/ipcount.h"
#include "http/metrics.h"
#include "http/request.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* How much of an oversized body we read and drop to answer 413 properly (libmicrohttpd 0.9.75
 * only lets a response be queued before the body or after all of it). Past this the connection
 * is cut without an answer: a client streaming without end gets no more of our time. */
#define DISCARD_MAX (8u * 1024 * 1024)
/* Per-request arena cap: handlers' scratch space and response bodies. */
#define REQUEST_ARENA_LIMIT (64u * 1024 * 1024)
/* Bytes a streamed body's reader may fill at a time (server-sent events are small). */
#define STREAM_BLOCK 4096

struct http_server {
    struct http_server_config cfg;
    const struct router *routes;
    const struct env *env;
    struct MHD_Daemon *daemon;
    struct metrics *metrics;
    const char **route_labels;
    struct ipcount *conns_per_ip;    /* direct clients: open connections */
    struct ipcount *inflight_per_ip; /* clients behind trusted proxies: requests in flight */
    _Atomic unsigned inflight;
    _Atomic uint64_t next_request_id;
    char id_prefix[9];
    unsigned port;
};

/* Per connection, from on_connection(STARTED) to CLOSED. */
struct conn_state {
    struct netaddr peer;
    char peer_text[NETADDR_STRLEN]; /* formatted once per connection, not per request */
    bool peer_known;
    bool counted;    /* holds a slot in conns_per_ip */
    bool over_limit; /* every request on it is answered 429 */
    bool via_proxy;  /* peer is a trusted proxy */
};

/* ---- connections ---------------------------------------------------------------------- */

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct conn_state *cs = xcalloc(1, sizeof *cs);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && netaddr_from_sockaddr(ci->client_addr, &cs->peer) == 0) {
            cs->peer_known = true;
            netaddr_format(&cs->peer, cs->peer_text);
            cs->via_proxy = netaddr_list_contains(&s->cfg.trusted_proxies, &cs->peer);
            /* A proxy carries many clients on its connections: those are limited per request
             * by the X-Forwarded-For client instead. */
            if (!cs->via_proxy) {
                cs->counted =
                    ipcount_acquire(s->conns_per_ip, &cs->peer, s->cfg.max_connections_per_ip);
                cs->over_limit = !cs->counted;
            }
        }
        metrics_connection_delta(s->metrics, 1);
        *socket_context = cs;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        struct conn_state *cs = *socket_context;
        if (cs) {
            if (cs->counted)
                ipcount_release(s->conns_per_ip, &cs->peer);
            free(cs);
            *socket_context = NULL;
        }
        metrics_connection_delta(s->metrics, -1);
    }
}

static struct conn_state *conn_state_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* ---- request setup --------------------------------------------------------------------- */

static bool request_id_acceptable(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++)
        if (n == HTTP_REQUEST_ID_MAX || id[n] < 0x21 || id[n] > 0x7e)
            return false;
    return n > 0;
}

static void assign_request_id(struct http_server *s, struct http_req *req)
{
    const char *given = http_req_header(req, "X-Request-Id");
    if (given && request_id_acceptable(given)) {
        memcpy(req->request_id, given, strlen(given) + 1);
        return;
    }
    /* A random per-process prefix and a counter: unique across processes, no syscall per
     * request. */
    static const char hex[] = "0123456789abcdef";
    uint64_t n = atomic_fetch_add_explicit(&s->next_request_id, 1, memory_order_relaxed);
    char *p = req->request_id;
    memcpy(p, s->id_prefix, 8);
    p[8] = '-';
    for (int i = 11; i >= 0; i--, n >>= 4) /* by hand: snprintf showed in profiles */
        p[9 + i] = hex[n & 15];
    p[21] = '\0';
}

struct framing {
    unsigned content_length;
    unsigned transfer_encoding;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct framing *f = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        f->content_length++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
        f->transfer_encoding++;
    return MHD_YES;
}

/* Parse a Content-Length value strictly: digits only (RFC 9110 section 8.6). */
static bool parse_content_length(const char *v, uint64_t *out)
{
    if (!v || !*v)
        return false;
    uint64_t n = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9' || n > (UINT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    *out = n;
    return true;
}

/* Checks that need only the headers. Returns true when it has answered the request. */
static bool precheck(struct http_server *s, struct http_req *req, struct conn_state *cs,
                     const char *version)
{
    struct framing f = {0, 0};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, count_framing, &f);
    req->has_body = f.transfer_encoding > 0;
    if (f.content_length == 1) {
        uint64_t n;
        const char *cl = http_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
        req->has_body = !parse_content_length(cl, &n) || n > 0;
    }
    /* libmicrohttpd 0.9.75 accepts both of these; a proxy in front may read the message
     * differently than we do (request smuggling, RFC 9112 section 6.3), so refuse. */
    if (f.content_length > 1 || (f.content_length && f.transfer_encoding)) {
        req->resp.close = true;
        http_reply_error(req, 400, f.content_length > 1 ? "Content-Length" : "Transfer-Encoding",
                         f.content_length > 1
                             ? "more than one Content-Length header"
                             : "Content-Length and Transfer-Encoding must not be sent together");
        return true;
    }
    const char *te = http_req_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (te && strcasecmp(te, "chunked") != 0) {
        /* libmicrohttpd only decodes "chunked"; any other coding would stall the request. */
        req->resp.close = true;
        http_reply_error(req, 501, "Transfer-Encoding", "transfer coding \"%.64s\" is not supported",
                         te);
        return true;
    }
    if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && !http_req_header(req, MHD_HTTP_HEADER_HOST)) {
        http_reply_error(req, 400, "Host", "HTTP/1.1 requests must send a Host header");
        return true;
    }
    if (cs && cs->over_limit) {
        req->resp.close = true;
        http_reply_error(req, 429, NULL, "too many connections from this address (limit %u)",
                         s->cfg.max_connections_per_ip);
        return true;
    }
    if (req->via_proxy) {
        if (!ipcount_acquire(s->inflight_per_ip, &req->client, s->cfg.max_connections_per_ip)) {
            http_reply_error(req, 429, NULL, "too many requests in flight from this address "
                                             "(limit %u)",
                             s->cfg.max_connections_per_ip);
            return true;
        }
        req->inflight_counted = true;
    }
    enum router_result rr =
        req->method ? router_match(s->routes, req->method, req->path, strlen(req->path), &req->match)
                    : ROUTER_METHOD_NOT_ALLOWED;
    if (!req->method) {
        /* A method we never serve: 405 when the path exists, 404 otherwise. */
        struct router_match probe;
        rr = router_match(s->routes, HTTP_GET, req->path, strlen(req->path), &probe);
        if (rr == ROUTER_FOUND) {
            rr = ROUTER_METHOD_NOT_ALLOWED;
            req->match.allow = probe.route->methods;
        } else {
            req->match.allow = probe.allow;
            rr = probe.allow ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
        }
    }
    if (rr == ROUTER_NOT_FOUND) {
        http_reply_error(req, 404, NULL, "no such resource: %s", req->path);
        return true;
    }
    if (rr == ROUTER_METHOD_NOT_ALLOWED) {
        char allow[64];
        router_allow_header(req->match.allow, allow);
        http_add_header(req, MHD_HTTP_HEADER_ALLOW, allow);
        http_reply_error(req, 405, NULL, "%s is not allowed here; allowed: %s", req->method_str,
                         allow);
        return true;
    }
    uint64_t declared;
    const char *cl = http_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && parse_content_length(cl, &declared) && declared > s->cfg.max_body_size) {
        req->resp.close = true;
        http_reply_error(req, 413, NULL, "request body of %llu bytes is over the limit of %zu",
                         (unsigned long long)declared, s->cfg.max_body_size);
        return true;
    }
    return false;
}

static struct http_req *request_new(struct http_server *s, struct MHD_Connection *conn,
                                    const char *url, const char *method)
{
    struct http_req *req = xcalloc(1, sizeof *req);
    req->server = s;
    req->env = s->env;
    req->conn = conn;
    req->start_ns = s->env->monotonic_ns(s->env);
    req->method_str = method;
    req->method = router_method_from_str(method);
    req->path = url;
    buf_init(&req->body, s->cfg.max_body_size);
    arena_init(&req->arena, REQUEST_ARENA_LIMIT);
    /* Zendesk's API answers every path with a ".json" suffix too; clients use both forms. */
    size_t n = strlen(url);
    if (n > 13 && strncmp(url, "/api/", 5) == 0 && strcmp(url + n - 5, ".json") == 0) {
        char *bare = arena_strndup(&req->arena, url, n - 5);
        if (bare)
            req->path = bare;
    }
    struct conn_state *cs = conn_state_of(conn);
    if (cs && cs->peer_known) {
        req->client = cs->peer;
        req->via_proxy = cs->via_proxy;
        memcpy(req->client_text, cs->peer_text, sizeof req->client_text);
        if (cs->via_proxy) {
            req->client = netaddr_client(&cs->peer, http_req_header(req, "X-Forwarded-For"),
                                         &s->cfg.trusted_proxies);
            netaddr_format(&req->client, req->client_text);
        }
    } else {
        memcpy(req->client_text, "unknown", sizeof "unknown");
    }
    assign_request_id(s, req);
    atomic_fetch_add_explicit(&s->inflight, 1, memory_order_acq_rel);
    return req;
}

/* ---- responses ------------------------------------------------------------------------- */

static enum MHD_Result send_response(struct http_req *req)
{
    if (!req->resp.status) {
        log_msg("error", "handler_no_reply", "handler for %s %s returned without replying",
                req->method_str, req->path);
        http_reply_error(req, 500, NULL, "internal error (request id %s)", req->request_id);
    }
    struct http_resp *r = &req->resp;
    struct MHD_Response *resp =
        r->stream_read
            ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, r->stream_read,
                                                r->stream_cls, r->stream_free)
            : MHD_create_response_from_buffer(r->body_len, (void *)r->body,
                                              MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        if (r->stream_free)
            r->stream_free(r->stream_cls);
        return MHD_NO;
    }
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    for (unsigned i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    if (r->close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(req->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp); /* libmicrohttpd keeps its own reference until sent */
    req->dispatched = true;
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct http_server *s = cls;
    struct http_req *req = *con_cls;
    if (!req) {
        req = request_new(s, conn, url, method);
        *con_cls = req;
        if (precheck(s, req, conn_state_of(conn), version)) {
            /* Answering now, before the body, makes libmicrohttpd close the connection: right
             * for a body we refuse to read, wasteful for a bodiless GET that 404s. Those are
             * answered on the next call, keeping the connection alive. */
            if (req->has_body || req->resp.close)
                return send_response(req);
            req->answer_ready = true;
        }
        return MHD_YES; /* headers are fine; the body (if any) follows */
    }
    if (req->dispatched) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (req->discarding) {
            req->discarded += n;
            return req->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
        }
        if (buf_append(&req->body, upload_data, n) == ERR_LIMIT) {
            /* Only a chunked body gets here: a declared length over the cap was refused above.
             * Drop what we have and the rest, then answer 413 at the end. */
            req->discarding = true;
            req->discarded = req->body.len + n;
            buf_release(&req->body);
        }
        return MHD_YES;
    }
    if (req->answer_ready)
        return send_response(req);
    if (req->discarding) {
        req->resp.close = true;
        http_reply_error(req, 413, NULL, "request body is over the limit of %zu bytes",
                         s->cfg.max_body_size);
        return send_response(req);
    }
    req->match.route->handler(req);
    return send_response(req);
}

static void log_request(struct http_server *s, struct http_req *req, int64_t duration_ns,
                        enum MHD_RequestTerminationCode toe)
{
    struct log_rec r;
    if (log_begin(&r, "info", "request"))
        return;
    log_cstr(&r, "request_id", req->request_id);
    log_cstr(&r, "method", req->method_str);
    if (req->match.route)
        log_cstr(&r, "route", req->match.route->pattern);
    else
        log_null(&r, "route");
    log_cstr(&r, "path", req->path);
    log_int(&r, "status", req->resp.status);
    log_ms(&r, "duration_ms", duration_ns);
    log_cstr(&r, "client", req->client_text);
    log_int(&r, "bytes", (int64_t)req->resp.body_len);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        log_cstr(&r, "termination", toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout"
                                    : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT ? "client_abort"
                                    : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? "shutdown"
                                                                                     : "error");
    log_end(&r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct http_req *req = *con_cls;
    if (!req)
        return;
    int64_t duration = s->env->monotonic_ns(s->env) - req->start_ns;
    /* A request that never got an answer (client gone mid-body) is logged with status 0 so
     * it can be found; metrics count it under its route with that status class. */
    metrics_observe_request(s->metrics, req->match.route ? (int)req->match.route->index : -1,
                            req->method, req->resp.status, duration);
    log_request(s, req, duration, toe);
    if (req->inflight_counted)
        ipcount_release(s->inflight_per_ip, &req->client);
    buf_release(&req->body);
    arena_release(&req->arena);
    free(req);
    *con_cls = NULL;
    atomic_fetch_sub_explicit(&s->inflight, 1, memory_order_acq_rel);
}

static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    return router_unescape(s);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_msg("warn", "libmicrohttpd", "%s", msg);
}

/* ---- lifecycle ------------------------------------------------------------------------- */

static int make_listen_addr(const struct http_server_config *cfg, struct sockaddr_storage *ss,
                            bool *ipv6, struct err *e)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, cfg->listen_host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)cfg->listen_port);
        *ipv6 = false;
        return 0;
    }
    if (inet_pton(AF_INET6, cfg->listen_host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)cfg->listen_port);
        *ipv6 = true;
        return 0;
    }
    return err_set(e, ERR_INVALID, "listen", "\"%s\" is not an IP address", cfg->listen_host);
}

int http_server_start(const struct http_server_config *cfg, const struct router *routes,
                      const struct env *env, struct http_server **out, struct err *e)
{
    struct sockaddr_storage ss;
    bool ipv6 = false;
    int rc = make_listen_addr(cfg, &ss, &ipv6, e);
    if (rc)
        return rc;
    struct http_server *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->routes = routes;
    s->env = env;
    s->route_labels = xcalloc(routes->count ? routes->count : 1, sizeof *s->route_labels);
    for (unsigned i = 0; i < routes->count; i++)
        s->route_labels[i] = routes->routes[i]->pattern;
    s->metrics = metrics_new(routes->count, s->route_labels);
    s->conns_per_ip = ipcount_new();
    s->inflight_per_ip = ipcount_new();
    unsigned char rnd[4];
    env->random_bytes(env, rnd, sizeof rnd);
    snprintf(s->id_prefix, sizeof s->id_prefix, "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);

    /* Suspend/resume: a chat stream with nothing to send parks its connection instead of a
     * worker (http/chat.c). */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s,
        /* first, so libmicrohttpd's own start-up messages come through it too */
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, s,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->idle_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->connection_memory,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        int saved = errno;
        http_server_stop(s);
        return err_set(e, ERR_IO, "listen", "cannot listen on %s:%u: %s", cfg->listen_host,
                       cfg->listen_port, saved ? strerror(saved) : "libmicrohttpd refused");
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : cfg->listen_port;
    *out = s;
    return 0;
}

unsigned http_server_port(const struct http_server *s)
{
    return s->port;
}

struct metrics *http_server_metrics(struct http_server *s)
{
    return s->metrics;
}

const struct http_server_config *http_server_config(const struct http_server *s)
{
    return &s->cfg;
}

const char *http_server_public_url(const struct http_server *s)
{
    return s->cfg.public_url ? s->cfg.public_url : "";
}

void http_server_quiesce(struct http_server *s)
{
    if (!s->daemon)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    chat_streams_shutdown(); /* open chat streams end now, so the drain is not held up */
}

unsigned http_server_drain(struct http_server *s, int64_t timeout_ms)
{
    const struct timespec tick = {0, 10 * 1000 * 1000};
    for (int64_t waited = 0;; waited += 10) {
        unsigned left = atomic_load_explicit(&s->inflight, memory_order_acquire);
        if (!left || waited >= timeout_ms)
            return left;
        nanosleep(&tick, NULL);
    }
}

void http_server_stop(struct http_server *s)
{
    if (!s)
        return;
    /* libmicrohttpd refuses to stop with a suspended connection: end the streams first. */
    chat_streams_shutdown();
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    chat_streams_join();
    metrics_free(s->metrics);
    ipcount_free(s->conns_per_ip);
    ipcount_free(s->inflight_per_ip);
    free(s->route_labels);
    free(s);
}
