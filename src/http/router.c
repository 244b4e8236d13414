#include "http/router.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void router_init(struct router *r)
{
    memset(r, 0, sizeof *r);
}

void router_release(struct router *r)
{
    for (unsigned i = 0; i < r->count; i++)
        free(r->routes[i]);
    free(r->routes);
    free(r->literal_slots);
    router_init(r);
}

static uint64_t hash_bytes(const char *p, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Split a path into segments. The root "/" has zero segments. Returns false when the path has
 * more segments than we can hold (no route can match it then). A trailing slash yields a final
 * empty segment, so "/a/" does not match "/a". */
static bool split_path(const char *path, size_t len, struct slice *segs, unsigned *nsegs)
{
    *nsegs = 0;
    if (len == 0 || path[0] != '/')
        return false;
    if (len == 1)
        return true;
    size_t start = 1;
    for (size_t i = 1; i <= len; i++) {
        if (i == len || path[i] == '/') {
            if (*nsegs == ROUTER_MAX_SEGMENTS)
                return false;
            segs[(*nsegs)++] = (struct slice){path + start, i - start};
            start = i + 1;
        }
    }
    return true;
}

static int compile(struct router_route *rt, const char *pattern)
{
    size_t len = strlen(pattern);
    if (!split_path(pattern, len, rt->segs, &rt->nsegs))
        return ERR_INVALID;
    unsigned nparams = 0;
    for (unsigned i = 0; i < rt->nsegs; i++) {
        struct slice s = rt->segs[i];
        bool param = s.len >= 2 && s.ptr[0] == '{' && s.ptr[s.len - 1] == '}';
        /* Braces may only delimit a whole parameter segment: "{id}", never "a{b" or "{{id}". */
        struct slice inner = param ? (struct slice){s.ptr + 1, s.len - 2} : s;
        if (memchr(inner.ptr, '{', inner.len) || memchr(inner.ptr, '}', inner.len))
            return ERR_INVALID;
        if (param) {
            if (inner.len == 0 || ++nparams > ROUTER_MAX_PARAMS)
                return ERR_INVALID;
            rt->segs[i] = (struct slice){s.ptr + 1, s.len - 2};
            rt->param_mask |= 1u << i;
        } else if (s.len == 0) {
            return ERR_INVALID; /* "//" or a trailing slash: a path "/a/" then simply 404s */
        }
    }
    return 0;
}

static void literal_insert(struct router *r, struct router_route *rt);

static void literal_grow(struct router *r)
{
    struct router_route **old = r->literal_slots;
    unsigned old_cap = r->literal_cap;
    r->literal_cap = old_cap ? old_cap * 2 : 64;
    r->literal_slots = xcalloc(r->literal_cap, sizeof *r->literal_slots);
    for (unsigned i = 0; i < old_cap; i++)
        if (old[i])
            literal_insert(r, old[i]);
    free(old);
}

static void literal_insert(struct router *r, struct router_route *rt)
{
    unsigned mask = r->literal_cap - 1;
    unsigned i = (unsigned)hash_bytes(rt->pattern, strlen(rt->pattern)) & mask;
    while (r->literal_slots[i])
        i = (i + 1) & mask;
    r->literal_slots[i] = rt;
}

static struct router_route *literal_find(const struct router *r, const char *path, size_t len)
{
    if (!r->literal_cap)
        return NULL;
    unsigned mask = r->literal_cap - 1;
    unsigned i = (unsigned)hash_bytes(path, len) & mask;
    while (r->literal_slots[i]) {
        const char *p = r->literal_slots[i]->pattern;
        /* Compare lengths first: path is not NUL-terminated and may hold a NUL itself. */
        if (strlen(p) == len && memcmp(p, path, len) == 0)
            return r->literal_slots[i];
        i = (i + 1) & mask;
    }
    return NULL;
}

int router_add(struct router *r, unsigned methods, const char *pattern, router_handler_fn handler,
               const void *data)
{
    if (!methods || !handler || !pattern)
        return ERR_INVALID;
    if (methods & HTTP_GET)
        methods |= HTTP_HEAD;
    for (unsigned i = 0; i < r->count; i++) {
        if (strcmp(r->routes[i]->pattern, pattern) == 0) {
            if (r->routes[i]->handler != handler || r->routes[i]->data != data)
                return ERR_INVALID;
            r->routes[i]->methods |= methods;
            return 0;
        }
    }
    struct router_route *rt = xcalloc(1, sizeof *rt);
    rt->methods = methods;
    rt->pattern = pattern;
    rt->handler = handler;
    rt->data = data;
    if (compile(rt, pattern)) {
        free(rt);
        return ERR_INVALID;
    }
    if (r->count == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->routes = xrealloc(r->routes, r->cap * sizeof *r->routes);
    }
    rt->index = r->count;
    r->routes[r->count++] = rt;
    if (!rt->param_mask) {
        if ((r->literal_cap == 0) || (r->count * 2 > r->literal_cap))
            literal_grow(r);
        literal_insert(r, rt);
    }
    return 0;
}

/* Does rt match the split path? */
static bool route_matches(const struct router_route *rt, const struct slice *segs, unsigned nsegs)
{
    if (rt->nsegs != nsegs)
        return false;
    for (unsigned i = 0; i < nsegs; i++) {
        if (rt->param_mask & (1u << i)) {
            if (segs[i].len == 0)
                return false;
        } else if (!slice_eq(rt->segs[i], segs[i])) {
            return false;
        }
    }
    return true;
}

/* Among two routes matching the same path, the more specific has a literal at the first segment
 * where they differ in kind. Lower param masks read in segment order are more literal. */
static bool more_specific(const struct router_route *a, const struct router_route *b)
{
    unsigned diff = a->param_mask ^ b->param_mask;
    if (!diff)
        return a->index < b->index;
    unsigned first = (unsigned)__builtin_ctz(diff);
    return !(a->param_mask & (1u << first));
}

enum router_result router_match(const struct router *r, unsigned method, const char *path,
                                size_t len, struct router_match *out)
{
    memset(out, 0, sizeof *out);
    unsigned allow = 0;
    const struct router_route *best = NULL;
    const struct router_route *lit = literal_find(r, path, len);
    if (lit) {
        if (lit->methods & method) {
            /* A fully literal pattern is the most specific match there can be. */
            out->route = lit;
            return ROUTER_FOUND;
        }
        allow |= lit->methods;
    }
    struct slice segs[ROUTER_MAX_SEGMENTS];
    unsigned nsegs;
    if (split_path(path, len, segs, &nsegs)) {
        for (unsigned i = 0; i < r->count; i++) {
            const struct router_route *rt = r->routes[i];
            if (!rt->param_mask || !route_matches(rt, segs, nsegs))
                continue;
            allow |= rt->methods;
            if ((rt->methods & method) && (!best || more_specific(rt, best)))
                best = rt;
        }
    }
    if (!best) {
        out->allow = allow;
        return allow ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
    }
    out->route = best;
    for (unsigned i = 0; i < best->nsegs; i++) {
        if (best->param_mask & (1u << i)) {
            out->names[out->nparams] = best->segs[i];
            out->values[out->nparams] = segs[i];
            out->nparams++;
        }
    }
    return ROUTER_FOUND;
}

struct slice router_param(const struct router_match *m, const char *name)
{
    for (unsigned i = 0; i < m->nparams; i++)
        if (slice_eq_cstr(m->names[i], name))
            return m->values[i];
    return (struct slice){NULL, 0};
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t router_unescape(char *s)
{
    char *out = s;
    const char *in = s;
    while (*in) {
        int hi, lo;
        if (in[0] == '%' && (hi = hex_value(in[1])) >= 0 && (lo = hex_value(in[2])) >= 0 &&
            (hi | lo) != 0) {
            *out++ = (char)(hi * 16 + lo);
            in += 3;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}

static const struct {
    unsigned bit;
    const char *name;
} method_names[] = {
    {HTTP_GET, "GET"},     {HTTP_HEAD, "HEAD"},     {HTTP_POST, "POST"},       {HTTP_PUT, "PUT"},
    {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"}, {HTTP_OPTIONS, "OPTIONS"},
};

unsigned router_method_from_str(const char *method)
{
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
        if (strcmp(method, method_names[i].name) == 0)
            return method_names[i].bit;
    return 0;
}

void router_allow_header(unsigned methods, char out[64])
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++) {
        if (!(methods & method_names[i].bit))
            continue;
        size_t l = strlen(method_names[i].name);
        if (n + l + 3 > 64)
            break;
        if (n) {
            memcpy(out + n, ", ", 2);
            n += 2;
        }
        memcpy(out + n, method_names[i].name, l);
        n += l;
        out[n] = '\0';
    }
}
