/* router: maps a method and a path to a route, with named parameters.
 *
 * Patterns are absolute paths whose segments are literals or parameters in braces:
 * "/api/v2/tickets/{id}". Patterns have no empty segments ("//", a trailing slash); a request
 * path with one matches nothing but the root "/". A path matches a pattern when it has the same number of segments and
 * every literal segment is equal; parameters match any non-empty segment. When several patterns
 * match, the one whose first differing segment is a literal wins, so "/tickets/count" beats
 * "/tickets/{id}" whatever the order of registration. A route carries a set of methods; a path
 * that matches routes but none with the request's method gives ROUTER_METHOD_NOT_ALLOWED and the
 * set of methods that would have matched, for the Allow header. HEAD matches wherever GET does.
 *
 * Fully literal patterns are found through a hash table (one hash of the path per request);
 * parameterised ones are scanned in order, which is fine for the few dozen an API has.
 * Lifecycle: router_init / router_add... / router_release. Matching is read-only and thread-safe
 * once the routes are added.
 */
#ifndef FRONTDESK_HTTP_ROUTER_H
#define FRONTDESK_HTTP_ROUTER_H

#include <stddef.h>

#include "base/buf.h"

enum http_method {
    HTTP_GET = 1 << 0,
    HTTP_HEAD = 1 << 1,
    HTTP_POST = 1 << 2,
    HTTP_PUT = 1 << 3,
    HTTP_PATCH = 1 << 4,
    HTTP_DELETE = 1 << 5,
    HTTP_OPTIONS = 1 << 6,
};

#define ROUTER_MAX_PARAMS 8
#define ROUTER_MAX_SEGMENTS 16

struct http_req;
typedef void (*router_handler_fn)(struct http_req *req);

struct router_route {
    unsigned methods;
    const char *pattern; /* also the metrics and log label */
    router_handler_fn handler;
    const void *data; /* handler-specific: the embedded file for a static route, say */
    unsigned index;   /* position in registration order, for per-route metrics */
    /* compiled pattern */
    unsigned nsegs;
    struct slice segs[ROUTER_MAX_SEGMENTS]; /* literal text, or the parameter name */
    unsigned param_mask;                     /* bit i set: segment i is a parameter */
};

struct router_match {
    const struct router_route *route;
    unsigned nparams;
    struct slice names[ROUTER_MAX_PARAMS];
    struct slice values[ROUTER_MAX_PARAMS]; /* borrowed from the path */
    unsigned allow;                         /* on METHOD_NOT_ALLOWED: methods the path accepts */
};

enum router_result {
    ROUTER_FOUND = 0,
    ROUTER_NOT_FOUND = 1,
    ROUTER_METHOD_NOT_ALLOWED = 2,
};

struct router {
    struct router_route **routes; /* registration order */
    unsigned count;
    unsigned cap;
    struct router_route **literal_slots; /* open addressing over fully literal patterns */
    unsigned literal_cap;                /* power of two */
};

void router_init(struct router *r);
void router_release(struct router *r);

/* Register a route. pattern must outlive the router (a string literal, or embedded data).
 * Registering the same pattern twice merges the methods only when the handler is the same;
 * otherwise, and for a malformed pattern (not starting with '/', an empty segment, braces anywhere but around a whole segment, too many segments or parameters),
 * returns ERR_INVALID. */
int router_add(struct router *r, unsigned methods, const char *pattern, router_handler_fn handler,
               const void *data);

/* Match path (len bytes; no query string) for method (one HTTP_* bit). */
enum router_result router_match(const struct router *r, unsigned method, const char *path,
                                size_t len, struct router_match *out);

/* The value of parameter name, or a zero-length slice with NULL ptr when absent. */
struct slice router_param(const struct router_match *m, const char *name);

/* Decode %XX escapes of a URL path or query value in place and return the new length. "%00"
 * and malformed escapes stay as written: a decoded NUL would end the C string early, so that
 * "/index.html%00.txt" would be served as "/index.html". Pure; fuzzed. */
size_t router_unescape(char *s);

/* HTTP_* bit for a method token, or 0 for one we do not serve. */
unsigned router_method_from_str(const char *method);
/* "GET, HEAD, POST": methods in a fixed order, separated by ", ". out needs 64 bytes. */
void router_allow_header(unsigned methods, char out[64]);

#endif
