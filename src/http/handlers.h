/* handlers: every route frontdesk serves, registered in one place.
 *
 * Each resource has its own file of handlers (ops.c, static.c, setup.c, ...); this header
 * declares them and http_routes_register() wires them to patterns, so the whole API surface
 * reads as one table in routes.c.
 */
#ifndef FRONTDESK_HTTP_HANDLERS_H
#define FRONTDESK_HTTP_HANDLERS_H

#include "base/embed.h"
#include "http/request.h"
#include "http/router.h"

/* Register every API route and one route per embedded web asset. web must outlive r.
 * Returns 0 or ERR_INVALID (a malformed pattern: a bug). */
int http_routes_register(struct router *r, const struct embed_table *web);
/* Free what registration allocated (the asset patterns). */
void http_routes_release(struct router *r);

/* ops.c */
void ops_healthz(struct http_req *req);
void ops_readyz(struct http_req *req);
void ops_metrics(struct http_req *req);

/* static.c: route data is the struct embed_file to serve */
void static_serve(struct http_req *req);
/* Content-Type for a file name, by extension. */
const char *static_content_type(const char *path);
/* Does an If-None-Match header value match etag (weak comparison, RFC 9110 13.1.2)? */
bool static_etag_matches(const char *if_none_match, const char *etag);

/* setup.c */
void setup_post(struct http_req *req);

/* sessions.c */
void sessions_sign_in(struct http_req *req);
void sessions_sign_out(struct http_req *req);
void sessions_sign_out_everywhere(struct http_req *req);
void sessions_password_reset(struct http_req *req);
void sessions_password_reset_confirm(struct http_req *req);
void users_me(struct http_req *req);

#endif
