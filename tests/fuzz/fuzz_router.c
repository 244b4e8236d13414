/* fuzz_router: router_match() on arbitrary request paths, and router_method_from_str().
 *
 * Input: "METHOD PATH" when it holds a space (the method token goes to router_method_from_str()
 * as a C string), otherwise all of it is the path. The path is matched for every method against
 * the fixed table below, which mixes literal routes (found by hash) and parameterised ones, and
 * compared with a reference matcher written from the contract in src/http/router.h: same number
 * of segments, literals equal byte for byte (a NUL in the path is just a byte), parameters
 * non-empty; among matches, the first differing segment that is a literal wins, then
 * registration order; HEAD wherever GET.
 *
 * Invariants: the result, route, allow set and parameters are the reference's; parameter values
 * are non-empty slices inside the path without '/'; router_param() finds each by name; the Allow
 * header fits its 64 bytes; a method token maps to a single bit, and back.
 */
#include "fuzz.h"

#include "http/router.h"

#include <string.h>

struct route_def {
    unsigned methods;
    const char *pattern;
};

static void handler_a(struct http_req *req)
{
    (void)req;
}

static const struct route_def table[] = {
    {HTTP_GET, "/"},
    {HTTP_GET, "/healthz"},
    {HTTP_GET, "/metrics"},
    {HTTP_GET | HTTP_POST, "/api/v2/tickets"},
    {HTTP_GET, "/api/v2/tickets/count"},
    {HTTP_GET | HTTP_PATCH | HTTP_DELETE, "/api/v2/tickets/{id}"},
    {HTTP_GET | HTTP_POST, "/api/v2/tickets/{id}/messages"},
    {HTTP_GET, "/api/v2/tickets/{id}/messages/{msg}"},
    {HTTP_POST, "/api/v2/tickets/{id}/close"},
    {HTTP_PUT, "/api/v2/{kind}/{id}/tags"},
    {HTTP_GET, "/api/v2/users/me"},
    {HTTP_GET | HTTP_PUT, "/api/v2/users/{id}"},
    {HTTP_DELETE, "/api/v2/users/{id}/sessions/{sid}"},
    {HTTP_OPTIONS, "/api/v2/{any}"},
    {HTTP_GET, "/static/{file}"},
    {HTTP_GET, "/static/app.js"},
    {HTTP_POST, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}"},
    {HTTP_GET, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p"},
    {HTTP_GET, "/x/{p1}/y/{p2}/z/{p3}/w/{p4}/v/{p5}/u/{p6}/t/{p7}/s/{p8}"},
};
#define NROUTES (sizeof table / sizeof table[0])

static const unsigned all_methods[] = {HTTP_GET,   HTTP_HEAD,   HTTP_POST,   HTTP_PUT,
                                       HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS};
static const char *const method_names[] = {"GET",   "HEAD",   "POST",   "PUT",
                                           "PATCH", "DELETE", "OPTIONS"};
#define NMETHODS (sizeof all_methods / sizeof all_methods[0])

/* ---- the reference ------------------------------------------------------------------------- */

#define REF_MAX_SEGS 64

/* Segments of an absolute path; the root has none; false when not absolute or too many. */
static bool ref_split(const char *p, size_t len, struct slice *segs, unsigned *n)
{
    *n = 0;
    if (len == 0 || p[0] != '/')
        return false;
    if (len == 1)
        return true;
    const char *seg = p + 1, *end = p + len;
    for (;;) {
        const char *slash = memchr(seg, '/', (size_t)(end - seg));
        const char *stop = slash ? slash : end;
        if (*n == REF_MAX_SEGS)
            return false;
        segs[(*n)++] = (struct slice){seg, (size_t)(stop - seg)};
        if (!slash)
            return true;
        seg = slash + 1;
    }
}

static bool is_param(struct slice s)
{
    return s.len >= 2 && s.ptr[0] == '{' && s.ptr[s.len - 1] == '}';
}

static bool ref_matches(const char *pattern, const struct slice *segs, unsigned n)
{
    struct slice ps[REF_MAX_SEGS];
    unsigned pn;
    if (!ref_split(pattern, strlen(pattern), ps, &pn) || pn != n)
        return false;
    for (unsigned i = 0; i < n; i++) {
        if (is_param(ps[i]) ? segs[i].len == 0 : !slice_eq(ps[i], segs[i]))
            return false;
    }
    return true;
}

/* Is pattern a more specific than b: at the first segment where one has a parameter and the
 * other a literal, a has the literal. Equal shapes: neither. */
static int ref_compare(const char *a, const char *b)
{
    struct slice as[REF_MAX_SEGS], bs[REF_MAX_SEGS];
    unsigned an, bn;
    ref_split(a, strlen(a), as, &an);
    ref_split(b, strlen(b), bs, &bn);
    for (unsigned i = 0; i < an && i < bn; i++) {
        bool ap = is_param(as[i]), bp = is_param(bs[i]);
        if (ap != bp)
            return ap ? -1 : 1;
    }
    return 0;
}

static unsigned with_head(unsigned methods)
{
    return methods & HTTP_GET ? methods | HTTP_HEAD : methods;
}

/* Index of the route the contract picks for method, or -1; *allow gets the union of methods of
 * every route matching the path. */
static int ref_match(const char *path, size_t len, unsigned method, unsigned *allow)
{
    struct slice segs[REF_MAX_SEGS];
    unsigned n;
    *allow = 0;
    if (!ref_split(path, len, segs, &n))
        return -1;
    int best = -1;
    for (unsigned i = 0; i < NROUTES; i++) {
        if (!ref_matches(table[i].pattern, segs, n))
            continue;
        unsigned m = with_head(table[i].methods);
        *allow |= m;
        if ((m & method) && (best < 0 || ref_compare(table[i].pattern, table[best].pattern) > 0))
            best = (int)i;
    }
    return best;
}

/* ---- the checks ---------------------------------------------------------------------------- */

static void check_match(const struct router *r, const char *path, size_t len, unsigned method)
{
    struct router_match m;
    enum router_result res = router_match(r, method, path, len, &m);
    unsigned want_allow;
    int want = ref_match(path, len, method, &want_allow);

    if (want >= 0) {
        FUZZ_CHECK(res == ROUTER_FOUND, "method %#x: result %d, expected route %s", method,
                   (int)res, table[want].pattern);
        FUZZ_CHECK(m.route != NULL && strcmp(m.route->pattern, table[want].pattern) == 0,
                   "method %#x: matched %s, expected %s (path of %zu bytes)", method,
                   m.route ? m.route->pattern : "(null)", table[want].pattern, len);
    } else if (want_allow) {
        FUZZ_CHECK(res == ROUTER_METHOD_NOT_ALLOWED,
                   "method %#x: result %d (route %s), expected "
                   "405 with allow %#x",
                   method, (int)res, m.route ? m.route->pattern : "-", want_allow);
        FUZZ_CHECK(m.allow == want_allow, "allow %#x, expected %#x", m.allow, want_allow);
        FUZZ_CHECK(!(m.allow & method), "allow %#x holds the refused method %#x", m.allow, method);
        char allow[64];
        router_allow_header(m.allow, allow);
        FUZZ_CHECK(strnlen(allow, sizeof allow) < sizeof allow && allow[0], "Allow header");
    } else {
        FUZZ_CHECK(res == ROUTER_NOT_FOUND,
                   "method %#x: result %d (route %s) for a path no "
                   "pattern matches (%zu bytes)",
                   method, (int)res, m.route ? m.route->pattern : "-", len);
        return;
    }
    if (res != ROUTER_FOUND)
        return;

    FUZZ_CHECK(m.route->methods & method, "route %s lacks method %#x", m.route->pattern, method);
    unsigned params = (unsigned)__builtin_popcount(m.route->param_mask);
    FUZZ_CHECK(m.nparams == params && m.nparams <= ROUTER_MAX_PARAMS, "nparams %u, mask has %u",
               m.nparams, params);
    for (unsigned i = 0; i < m.nparams; i++) {
        struct slice v = m.values[i];
        FUZZ_CHECK(v.ptr >= path && v.len > 0 && v.len <= len && v.ptr + v.len <= path + len,
                   "param %u is not a non-empty slice of the path", i);
        FUZZ_CHECK(memchr(v.ptr, '/', v.len) == NULL, "param %u spans a '/'", i);
        FUZZ_CHECK(v.ptr[-1] == '/', "param %u does not start a segment", i);
        FUZZ_CHECK(v.ptr + v.len == path + len || v.ptr[v.len] == '/', "param %u is cut short", i);
        char name[64];
        FUZZ_CHECK(m.names[i].len > 0 && m.names[i].len < sizeof name, "name %u", i);
        memcpy(name, m.names[i].ptr, m.names[i].len);
        name[m.names[i].len] = '\0';
        struct slice found = router_param(&m, name);
        /* Names are unique within each pattern of the table, so lookup finds this one. */
        FUZZ_CHECK(found.ptr == v.ptr && found.len == v.len, "router_param(\"%s\")", name);
    }
    struct slice absent = router_param(&m, "no-such-param");
    FUZZ_CHECK(absent.ptr == NULL && absent.len == 0, "router_param of an absent name");
}

static void check_method(const char *token)
{
    unsigned bit = router_method_from_str(token);
    bool known = false;
    for (size_t i = 0; i < NMETHODS; i++) {
        if (strcmp(token, method_names[i]) == 0) {
            FUZZ_CHECK(bit == all_methods[i], "\"%s\" maps to %#x", token, bit);
            known = true;
        }
    }
    FUZZ_CHECK(known || bit == 0, "unknown token \"%.40s\" maps to %#x", token, bit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct router r;
    router_init(&r);
    for (size_t i = 0; i < NROUTES; i++)
        FUZZ_CHECK(router_add(&r, table[i].methods, table[i].pattern, handler_a, NULL) == 0,
                   "router_add(%s)", table[i].pattern);

    const char *path = (const char *)data;
    size_t len = size;
    const uint8_t *sp = memchr(data, ' ', size);
    if (sp) {
        char *token = fuzz_cstr(data, (size_t)(sp - data));
        check_method(token);
        free(token);
        path = (const char *)sp + 1;
        len = size - (size_t)(sp + 1 - data);
    }
    for (size_t i = 0; i < NMETHODS; i++)
        check_match(&r, path, len, all_methods[i]);

    router_release(&r);
    return 0;
}
