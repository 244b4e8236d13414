/* Embedded web assets. Paths are looked up in a table made at build time, never on the file
 * system, so "../" and friends cannot reach anything that was not compiled in. */
#include "http/handlers.h"

#include <string.h>

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
};

const char *static_content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
            if (strcmp(dot, content_types[i].ext) == 0)
                return content_types[i].type;
    return "application/octet-stream";
}

/* Compare opaque tags ignoring a weak prefix "W/". */
static bool tag_equal(struct slice candidate, const char *etag)
{
    if (candidate.len >= 2 && candidate.ptr[0] == 'W' && candidate.ptr[1] == '/') {
        candidate.ptr += 2;
        candidate.len -= 2;
    }
    if (etag[0] == 'W' && etag[1] == '/')
        etag += 2;
    return slice_eq_cstr(candidate, etag);
}

bool static_etag_matches(const char *if_none_match, const char *etag)
{
    if (!if_none_match)
        return false;
    struct slice all = slice_trim(slice_from_cstr(if_none_match));
    if (slice_eq_cstr(all, "*"))
        return true;
    size_t start = 0;
    for (size_t i = 0; i <= all.len; i++) {
        if (i < all.len && all.ptr[i] != ',')
            continue;
        struct slice item = slice_trim((struct slice){all.ptr + start, i - start});
        if (item.len && tag_equal(item, etag))
            return true;
        start = i + 1;
    }
    return false;
}

void static_serve(struct http_req *req)
{
    const struct embed_file *f = req->match.route->data;
    http_add_header(req, "ETag", f->etag);
    /* Revalidate every time: the ETag makes that a cheap 304, and a new build is seen at once. */
    http_add_header(req, "Cache-Control", "no-cache");
    const char *type = static_content_type(f->path);
    if (strncmp(type, "text/html", 9) == 0) {
        http_add_header(req, "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                        "base-uri 'none'; frame-ancestors 'none'");
        http_add_header(req, "Referrer-Policy", "same-origin");
    }
    if (static_etag_matches(http_req_header(req, "If-None-Match"), f->etag)) {
        http_reply(req, 304, NULL, "", 0);
        return;
    }
    http_reply(req, 200, type, f->data, f->len);
}
