/* markdown: CommonMark through cmark (0.30), which never leaves this file.
 *
 * Safety rests on cmark's own safe rendering, the default since 0.29 (CMARK_OPT_UNSAFE is never
 * passed; CMARK_OPT_SAFE is passed too so an older library behaves the same): raw HTML becomes
 * "<!-- raw HTML omitted -->" and _scan_dangerous_url() empties the href/src of javascript:,
 * vbscript:, file: and data: URLs other than data:image/(png|gif|jpeg|webp), after entities and
 * backslash escapes are decoded and ignoring case. Text and attributes are HTML-escaped by cmark.
 * CMARK_OPT_VALIDATE_UTF8 replaces invalid UTF-8 (and NUL) with U+FFFD, so the output is UTF-8.
 * CMARK_OPT_SMART stays off: quotes and dashes are the author's, and the seed policy compares
 * character for character.
 *
 * Bounds: the input is capped at MARKDOWN_INPUT_MAX; cmark's parser is linear in practice on the
 * known pathological shapes (backtick runs, emphasis and bracket bombs, deep nesting: see
 * tests/unit/core/test_markdown.c, which times 1 MB of each), and its renderers iterate, they do
 * not recurse. One shape is not: cmark 0.30.2 walks back over every open image opener ("![")
 * each time a link closes in the same paragraph (CVE-2023-22486, fixed in 0.30.3), so 1 MB of
 * "![[]()" takes minutes. defuse_images() bounds it before parsing (see there).
 */
#include "core/markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#define OPTIONS (CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8)

static int check_input(size_t len, struct err *e)
{
    if (len > MARKDOWN_INPUT_MAX)
        return err_set(e, ERR_LIMIT, NULL, "the markdown is larger than %u bytes",
                       (unsigned)MARKDOWN_INPUT_MAX);
    return 0;
}

/* ---- the image-opener bound (cmark 0.30.2, CVE-2023-22486) ---------------------------------- */

/* Work per paragraph is about (image openers) x (closing brackets): above this product the
 * paragraph's openers are defused. A paragraph of 200 images with 200 links stays as written;
 * past it, over 1 MB, the sum of the products stays under (2 MB / 2 sqrt(T)) x T = 2.7e8
 * pointer steps in cache, well under a second (measured: see the unit test). */
#define IMAGE_WORK_MAX 65536u

/* The end of the line starting at i (the index of its terminator, or len). */
static size_t line_end(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] != '\n' && s[i] != '\r')
        i++;
    return i;
}

static bool blank_line(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* The chunk [from, *to) of lines up to the next blank line: a paragraph never spans a blank line
 * (CommonMark 4.8), so every paragraph lies inside one chunk. Counts "![" and "]" in it. */
static size_t chunk(const char *s, size_t len, size_t from, size_t *opens, size_t *closes)
{
    size_t i = from;
    *opens = *closes = 0;
    while (i < len) {
        size_t end = line_end(s, len, i);
        bool blank = blank_line(s, i, end);
        for (size_t k = i; k < end; k++) {
            *closes += s[k] == ']';
            *opens += s[k] == '!' && k + 1 < end && s[k + 1] == '[';
        }
        i = end < len ? end + 1 : len;
        if (blank)
            break;
    }
    return i;
}

/* NULL when every chunk is under the bound (parse md as is), else a copy (len in *out_len) where
 * each "![" of an offending chunk is written "!\[": an escaped bracket opens nothing, whatever
 * precedes the "!" (even a backslash, or a code span that ends before it). Counting every "!["
 * and "]", escaped or in code or not, only overestimates. The copy renders the same text with
 * those images' syntax shown literally: a cost borne only by documents no person writes. */
static char *defuse_images(const char *md, size_t len, size_t *out_len)
{
    struct buf b;
    bool copying = false;
    size_t done = 0; /* md[0..done) is in b */
    for (size_t from = 0; from < len;) {
        size_t opens, closes;
        size_t to = chunk(md, len, from, &opens, &closes);
        if (opens && closes > IMAGE_WORK_MAX / opens) {
            if (!copying) {
                buf_init(&b, 0);
                copying = true;
            }
            for (size_t k = from; k < to; k++) {
                if (md[k] == '[' && k > from && md[k - 1] == '!') {
                    (void)buf_append(&b, md + done, k - done);
                    (void)buf_append_char(&b, '\\');
                    done = k;
                }
            }
        }
        from = to;
    }
    if (!copying)
        return NULL;
    (void)buf_append(&b, md + done, len - done); /* no limit: cannot fail */
    return buf_detach(&b, out_len);
}

/* cmark takes a NULL pointer for an empty document badly: give it "". */
static cmark_node *parse(const char *md, size_t len)
{
    size_t safe_len;
    char *safe = defuse_images(md, len, &safe_len);
    cmark_node *doc = safe ? cmark_parse_document(safe, safe_len, OPTIONS)
                           : cmark_parse_document(len ? md : "", len, OPTIONS);
    free(safe);
    return doc;
}

static int append_owned(struct buf *out, char *s, struct err *e)
{
    if (!s)
        return err_set(e, ERR_INTERNAL, NULL, "cannot render the markdown");
    int rc = buf_append(out, s, strlen(s));
    free(s);
    if (rc)
        return err_set(e, ERR_LIMIT, NULL, "the rendered markdown is too large");
    return 0;
}

int markdown_to_html(const char *md, size_t len, struct buf *out, struct err *e)
{
    int rc = check_input(len, e);
    if (rc)
        return rc;
    cmark_node *doc = parse(md, len);
    if (!doc)
        return err_set(e, ERR_INTERNAL, NULL, "cannot parse the markdown");
    char *html = cmark_render_html(doc, OPTIONS);
    cmark_node_free(doc);
    return append_owned(out, html, e);
}

/* ---- plain text ------------------------------------------------------------------------------ */

/* The blocks after which a reader sees a line end. */
static bool ends_line(cmark_node_type t)
{
    switch (t) {
    case CMARK_NODE_PARAGRAPH:
    case CMARK_NODE_HEADING:
    case CMARK_NODE_CODE_BLOCK:
    case CMARK_NODE_THEMATIC_BREAK:
    case CMARK_NODE_ITEM:
    case CMARK_NODE_BLOCK_QUOTE:
    case CMARK_NODE_LIST:
        return true;
    default:
        return false;
    }
}

/* A newline unless the text is empty or already ends a line: blocks never stack blank lines. */
static int newline(struct buf *b)
{
    if (b->len == 0 || b->ptr[b->len - 1] == '\n')
        return 0;
    return buf_append_char(b, '\n');
}

static int append_literal(struct buf *b, cmark_node *n)
{
    const char *s = cmark_node_get_literal(n);
    return s ? buf_append(b, s, strlen(s)) : 0;
}

/* One iterator event. Raw HTML is left out, as the HTML rendering omits it. */
static int text_event(struct buf *b, cmark_event_type ev, cmark_node *n)
{
    cmark_node_type t = cmark_node_get_type(n);
    if (ev == CMARK_EVENT_EXIT)
        return ends_line(t) ? newline(b) : 0;
    switch (t) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_CODE:
        return append_literal(b, n);
    case CMARK_NODE_CODE_BLOCK: {
        int rc = newline(b);
        rc = rc ? rc : append_literal(b, n);
        return rc ? rc : newline(b);
    }
    case CMARK_NODE_SOFTBREAK:
        return buf_append_char(b, ' ');
    case CMARK_NODE_LINEBREAK:
        return buf_append_char(b, '\n');
    case CMARK_NODE_THEMATIC_BREAK:
        return newline(b);
    default:
        return 0;
    }
}

int markdown_to_text(const char *md, size_t len, struct buf *out, struct err *e)
{
    int rc = check_input(len, e);
    if (rc)
        return rc;
    cmark_node *doc = parse(md, len);
    if (!doc)
        return err_set(e, ERR_INTERNAL, NULL, "cannot parse the markdown");
    /* Built apart and appended whole, so out is as it was on failure. */
    struct buf text;
    buf_init(&text, out->limit);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while (!rc && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
        rc = text_event(&text, ev, cmark_iter_get_node(it));
    cmark_iter_free(it);
    cmark_node_free(doc);
    if (!rc && text.len && text.ptr[text.len - 1] == '\n')
        text.ptr[--text.len] = '\0';
    if (!rc)
        rc = buf_append(out, text.ptr ? text.ptr : "", text.len);
    buf_release(&text);
    if (rc)
        return err_set(e, ERR_LIMIT, NULL, "the text of the markdown is too large");
    return 0;
}

/* ---- escaping -------------------------------------------------------------------------------- */

/* Punctuation with a meaning somewhere in CommonMark: emphasis, code, links and images, HTML and
 * entities, headings (ATX and setext), list markers, block quotes, thematic breaks, fences and
 * the backslash itself. Every ASCII punctuation character may be backslash-escaped (spec 2.4),
 * so escaping one that turns out harmless in its place changes nothing in the rendering. */
static bool special(unsigned char c)
{
    return c && strchr("\\`*_{}[]()<>#+-.!|~&=:", c) != NULL;
}

int markdown_escape(const char *s, size_t len, struct buf *out)
{
    size_t start = out->len;
    for (size_t i = 0; i < len; i++) {
        int rc = special((unsigned char)s[i]) ? buf_append_char(out, '\\') : 0;
        rc = rc ? rc : buf_append_char(out, s[i]);
        if (rc) {
            out->len = start;
            if (out->ptr)
                out->ptr[start] = '\0';
            return rc;
        }
    }
    return 0;
}
