/* fuzz_markdown: markdown_to_html(), markdown_to_text() and markdown_escape()
 * (src/core/markdown.h), which render help-center articles and comments anyone may write.
 *
 * Invariants: any bytes render (up to MARKDOWN_INPUT_MAX) to valid UTF-8; the HTML is inert by
 * a reference reading of what cmark may emit (every '<' opens a known tag with known,
 * double-quoted attributes, or is "<!-- raw HTML omitted -->"; no href/src is a javascript:,
 * vbscript:, file: or non-raster data: URL as a browser would read it); rendering twice gives the
 * same bytes; the text has no NUL; and for one line of printable ASCII without surrounding
 * spaces, the text of its escape is the line itself.
 */
#include "fuzz.h"

#include "core/markdown.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

static const char *const tags[] = {"p",  "em", "strong",     "code", "pre", "a",  "img",
                                   "h1", "h2", "h3",         "h4",   "h5",  "h6", "ul",
                                   "ol", "li", "blockquote", "hr",   "br",  NULL};
static const char *const attrs[] = {"href", "src", "alt", "title", "start", "class", NULL};

static bool in_list(const char *const *list, const char *s, size_t n)
{
    for (size_t i = 0; list[i]; i++)
        if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
            return true;
    return false;
}

static bool dangerous_url(const char *v, size_t n)
{
    char u[64];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof u; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '\t' || c == '\n' || c == '\r' || (k == 0 && c <= ' '))
            continue;
        if (c == '&' && n - i >= 5 && memcmp(v + i, "&amp;", 5) == 0)
            i += 4;
        u[k++] = (char)tolower(c);
    }
    u[k] = '\0';
    static const char *const raster[] = {"data:image/png", "data:image/gif", "data:image/jpeg",
                                         "data:image/webp"};
    for (size_t i = 0; i < 4; i++)
        if (strncmp(u, raster[i], strlen(raster[i])) == 0)
            return false;
    return strncmp(u, "javascript:", 11) == 0 || strncmp(u, "vbscript:", 9) == 0 ||
           strncmp(u, "file:", 5) == 0 || strncmp(u, "data:", 5) == 0;
}

static void check_inert(const char *h)
{
    static const char omitted[] = "<!-- raw HTML omitted -->";
    const char *p = h;
    while ((p = strchr(p, '<')) != NULL) {
        if (strncmp(p, omitted, sizeof omitted - 1) == 0) {
            p += sizeof omitted - 1;
            continue;
        }
        const char *at = p++;
        if (*p == '/')
            p++;
        const char *name = p;
        while (isalnum((unsigned char)*p))
            p++;
        FUZZ_CHECK(in_list(tags, name, (size_t)(p - name)), "unknown tag at \"%.40s\"", at);
        while (*p != '>') {
            if (p[0] == ' ' && p[1] == '/' && p[2] == '>') {
                p += 2;
                break;
            }
            FUZZ_CHECK(*p == ' ', "junk in a tag at \"%.40s\"", at);
            const char *an = ++p;
            while (isalpha((unsigned char)*p))
                p++;
            FUZZ_CHECK(in_list(attrs, an, (size_t)(p - an)), "attribute at \"%.40s\"", at);
            FUZZ_CHECK(p[0] == '=' && p[1] == '"', "unquoted attribute at \"%.40s\"", at);
            const char *v = p + 2, *q = strchr(v, '"');
            FUZZ_CHECK(q && !memchr(v, '<', (size_t)(q - v)), "attribute value at \"%.40s\"", at);
            bool url = (p - an == 4 && memcmp(an, "href", 4) == 0) ||
                       (p - an == 3 && memcmp(an, "src", 3) == 0);
            FUZZ_CHECK(!url || !dangerous_url(v, (size_t)(q - v)), "dangerous url \"%.*s\"",
                       (int)(q - v), v);
            p = q + 1;
        }
        p++;
    }
}

/* One line of printable ASCII, no space at either end: its escape reads back as itself. */
static bool plain_line(const uint8_t *d, size_t n)
{
    if (n == 0 || d[0] == ' ' || d[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++)
        if (d[i] < 0x20 || d[i] > 0x7e)
            return false;
    return true;
}

static void check_escape(const uint8_t *data, size_t size)
{
    struct buf esc, text;
    buf_init(&esc, 0);
    buf_init(&text, 0);
    struct err e;
    FUZZ_CHECK(markdown_escape((const char *)data, size, &esc) == 0, "escape failed");
    FUZZ_CHECK(markdown_to_text(esc.ptr, esc.len, &text, &e) == 0, "%s", e.message);
    FUZZ_CHECK(text.len == size && memcmp(text.ptr, data, size) == 0,
               "\"%.*s\" escaped as \"%s\" reads \"%s\"", (int)size, (const char *)data,
               buf_cstr(&esc), buf_cstr(&text));
    buf_release(&esc);
    buf_release(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MARKDOWN_INPUT_MAX)
        return 0;
    const char *md = (const char *)data;
    struct buf html, again, text;
    buf_init(&html, 0);
    buf_init(&again, 0);
    buf_init(&text, 0);
    struct err e;
    FUZZ_CHECK(markdown_to_html(md, size, &html, &e) == 0, "html: %s", e.message);
    const char *h = buf_cstr(&html);
    FUZZ_CHECK(utf8_valid(h, html.len) && strlen(h) == html.len, "html not UTF-8 text");
    check_inert(h);
    FUZZ_CHECK(markdown_to_html(md, size, &again, &e) == 0, "html again: %s", e.message);
    FUZZ_CHECK(again.len == html.len && memcmp(again.ptr ? again.ptr : "", h, html.len) == 0,
               "not deterministic");
    FUZZ_CHECK(markdown_to_text(md, size, &text, &e) == 0, "text: %s", e.message);
    const char *t = buf_cstr(&text);
    FUZZ_CHECK(utf8_valid(t, text.len) && strlen(t) == text.len, "text not UTF-8 text");
    buf_release(&html);
    buf_release(&again);
    buf_release(&text);
    if (plain_line(data, size))
        check_escape(data, size);
    return 0;
}
