/* server: the HTTP server (libmicrohttpd) with frontdesk's limits, routing, logging and metrics.
 *
 * libmicrohttpd runs its own epoll loop in a pool of worker threads (four per core by default: handlers block on the database);
 * connections are event-driven, so a slow client holds a socket, not a thread. On top of it:
 *  - framing checks libmicrohttpd 0.9.75 lets through: two Content-Length headers, or
 *    Content-Length with Transfer-Encoding, are refused with 400 (request smuggling);
 *  - limits: total connections (libmicrohttpd closes new ones above it), connections per client
 *    address (429 on the excess connection's requests; behind --trusted-proxies the client is
 *    the X-Forwarded-For one and the limit counts its requests in flight), idle timeout, body
 *    size (413), per-connection memory (bounds headers; libmicrohttpd answers oversized headers
 *    itself, see docs/http.md);
 *  - one JSON log line per request with a request id (X-Request-Id, echoed), and metrics.
 * Shutdown is two-step: http_server_quiesce() stops accepting, http_server_drain() waits for
 * requests in flight, http_server_stop() closes the rest. Not copyable; one per process.
 * A handler may answer with a streamed body (http_resp.stream_read: live chat's server-sent
 * events), whose reader parks the connection with MHD_suspend_connection while it has nothing to
 * send (MHD_ALLOW_SUSPEND_RESUME); quiesce and stop end every such stream (http/chat.c's hub)
 * first, so the drain is not held up and libmicrohttpd never stops with a parked connection.
 */
#ifndef FRONTDESK_HTTP_SERVER_H
#define FRONTDESK_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "http/netaddr.h"
#include "http/router.h"

struct mail_in_config;

struct http_server_config {
    char listen_host[64]; /* an IPv4 or IPv6 literal */
    unsigned listen_port; /* 0 picks a free port */
    unsigned threads;
    unsigned max_connections;
    unsigned max_connections_per_ip;
    unsigned idle_timeout_s;
    size_t max_body_size;
    size_t connection_memory;
    struct netaddr_list trusted_proxies;
    const char *build_labels; /* for frontdesk_build_info */
    const char *public_url;   /* for links in mail; never taken from a request's Host */
    const struct mail_in_config *mail_in; /* POST /api/v2/mail/inbound (service/mail_in.h) */
};

struct http_server;
struct metrics;

/* Start serving routes (the router must outlive the server). env->db may be used by handlers.
 * *out untouched on failure (e.g. the address is in use: ERR_IO naming field "listen"). */
int http_server_start(const struct http_server_config *cfg, const struct router *routes,
                      const struct env *env, struct http_server **out, struct err *e);
unsigned http_server_port(const struct http_server *s);
struct metrics *http_server_metrics(struct http_server *s);
const struct http_server_config *http_server_config(const struct http_server *s);
/* How people reach the server ("https://support.example.com"), for links in mail. */
const char *http_server_public_url(const struct http_server *s);
/* Stop accepting new connections. */
void http_server_quiesce(struct http_server *s);
/* Wait until no request is in flight or timeout_ms passes; returns how many are left. */
unsigned http_server_drain(struct http_server *s, int64_t timeout_ms);
/* Close every connection, join the workers and free the server. NULL is a no-op. */
void http_server_stop(struct http_server *s);

#endif
