/* html: see html.h. Escaping scans for the five special bytes and copies the runs between them,
 * so text without any costs one pass and one copy (a page is mostly stored article HTML and
 * short names). */
#include "http/html.h"

#include "base/err.h"

#include <string.h>

void html_init(struct html *h, size_t limit)
{
    buf_init(&h->out, limit);
    h->rc = 0;
}

void html_release(struct html *h)
{
    buf_release(&h->out);
}

static void put(struct html *h, const char *s, size_t len)
{
    if (!h->rc)
        h->rc = buf_append(&h->out, s, len);
}

void html__lit(struct html *h, const char *s, size_t len)
{
    put(h, s, len);
}

static const char *entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

/* Escape a run that is valid UTF-8. */
static int escape_valid(struct buf *b, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *ent = entity((unsigned char)s[i]);
        if (!ent)
            continue;
        int rc = buf_append(b, s + start, i - start);
        rc = rc ? rc : buf_append_cstr(b, ent);
        if (rc)
            return rc;
        start = i + 1;
    }
    return buf_append(b, s + start, len - start);
}

int html_escape(struct buf *b, const char *s, size_t len)
{
    size_t base = b->len;
    int rc = 0;
    while (len && !rc) {
        size_t ok = utf8_valid_prefix(s, len);
        rc = escape_valid(b, s, ok);
        if (!rc && ok < len) {
            rc = buf_append_cstr(b, "\xEF\xBF\xBD"); /* U+FFFD for the bad byte */
            ok++;
        }
        s += ok;
        len -= ok;
    }
    if (rc) {
        b->len = base;
        if (b->ptr)
            b->ptr[base] = '\0';
    }
    return rc;
}

void html_textn(struct html *h, const char *s, size_t len)
{
    if (!h->rc && s)
        h->rc = html_escape(&h->out, s, len);
}

void html_text(struct html *h, const char *s)
{
    if (s)
        html_textn(h, s, strlen(s));
}

void html_int(struct html *h, int64_t v)
{
    if (!h->rc)
        h->rc = buf_append_int64(&h->out, v);
}

void html__attr(struct html *h, const char *name, const char *value)
{
    if (!value)
        return;
    put(h, " ", 1);
    put(h, name, strlen(name));
    put(h, "=\"", 2);
    html_text(h, value);
    put(h, "\"", 1);
}

void html__attr_id(struct html *h, const char *name, const char *prefix, int64_t id)
{
    put(h, " ", 1);
    put(h, name, strlen(name));
    put(h, "=\"", 2);
    html_text(h, prefix);
    html_int(h, id);
    put(h, "\"", 1);
}

void html_trusted_markdown(struct html *h, const char *rendered, size_t len)
{
    put(h, rendered, len);
}
