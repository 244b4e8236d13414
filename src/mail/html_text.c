/* mail/html_text: HTML made readable text, and the visible part of a reply (parse.h). Each is
 * one linear pass with bounded look-ahead. */
#include "mail/parse.h"
#include "mail/text.h"

#include "base/xalloc.h"

/* ---- HTML to text ------------------------------------------------------------------------ */

struct html_out {
    struct buf b;
    int pending_nl; /* line breaks owed before the next text (at most 2: one blank line) */
    bool pending_space;
    bool started;
};

static void html_break(struct html_out *h, int n)
{
    if (h->started && n > h->pending_nl)
        h->pending_nl = n;
    h->pending_space = false;
}

static void html_text(struct html_out *h, const char *s, size_t n, bool pre)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (pre && c == '\n') {
            h->pending_nl = h->pending_nl < 1 ? 1 : h->pending_nl;
            h->pending_space = false;
            h->started = true;
            continue;
        }
        if (is_wsp(c) || c == '\f') {
            if (h->started && !h->pending_nl)
                h->pending_space = true;
            continue;
        }
        if (h->pending_nl) {
            buf_append(&h->b, "\n\n", (size_t)h->pending_nl);
            h->pending_nl = 0;
        } else if (h->pending_space) {
            buf_append_char(&h->b, ' ');
        }
        h->pending_space = false;
        buf_append_char(&h->b, c);
        h->started = true;
    }
}

struct entity {
    const char *name;
    uint32_t cp;
};

static const struct entity entities[] = {
    {"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", ' '},      {"euro", 0x20AC},  {"copy", 0xA9},    {"reg", 0xAE},     {"trade", 0x2122},
    {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
    {"ldquo", 0x201C},  {"rdquo", 0x201D}, {"bull", 0x2022},  {"middot", 0xB7},  {"laquo", 0xAB},
    {"raquo", 0xBB},    {"eacute", 0xE9},  {"egrave", 0xE8},  {"agrave", 0xE0},  {"uuml", 0xFC},
    {"ouml", 0xF6},     {"auml", 0xE4},    {"szlig", 0xDF},   {"ccedil", 0xE7},  {"pound", 0xA3},
    {"yen", 0xA5},      {"cent", 0xA2},    {"deg", 0xB0},     {"times", 0xD7},   {"shy", 0xAD},
    {"zwnj", 0x200C},
};

/* Decode the entity at s[0] == '&'; returns bytes consumed (0: not an entity) and the code
 * point. Bounded: at most 32 bytes are looked at. */
static size_t html_entity(const char *s, size_t n, uint32_t *cp)
{
    size_t max = n < 33 ? n : 33;
    if (max >= 3 && s[1] == '#') {
        size_t i = 2;
        uint32_t v = 0;
        bool hex = i < max && (s[i] == 'x' || s[i] == 'X');
        if (hex)
            i++;
        size_t digits = 0;
        while (i < max && (hex ? g_ascii_isxdigit(s[i]) : g_ascii_isdigit(s[i]))) {
            if (v < 0x110000)
                v = v * (hex ? 16 : 10) +
                    (uint32_t)(hex ? g_ascii_xdigit_value(s[i]) : g_ascii_digit_value(s[i]));
            i++;
            digits++;
        }
        if (digits == 0)
            return 0;
        if (i < max && s[i] == ';')
            i++;
        if (v >= 0x80 && v < 0xA0) /* the numeric references browsers read as Windows-1252 */
            v = mail_cp1252_code_point((unsigned char)v);
        *cp = v;
        return i;
    }
    size_t i = 1;
    while (i < max && g_ascii_isalnum(s[i]))
        i++;
    if (i == 1 || i >= max || s[i] != ';')
        return 0;
    for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++) {
        if (strlen(entities[k].name) == i - 1 && memcmp(entities[k].name, s + 1, i - 1) == 0) {
            *cp = entities[k].cp;
            return i + 1;
        }
    }
    return 0;
}

/* Text with entities decoded into b (attribute values, and text runs). */
static void html_decode(const char *s, size_t n, struct html_out *h, bool pre, struct buf *raw)
{
    size_t run = 0;
    char tmp[4];
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = s[i] == '&' ? html_entity(s + i, n - i, &cp) : 0;
        if (k == 0) {
            i++;
            run++;
            continue;
        }
        if (raw)
            buf_append(raw, s + i - run, run);
        else
            html_text(h, s + i - run, run, pre);
        run = 0;
        size_t m = mail_utf8_put(tmp, cp);
        if (raw)
            buf_append(raw, tmp, m);
        else if (cp == ' ' && h->started && !h->pending_nl) /* &nbsp; is a space */
            h->pending_space = true;
        else
            html_text(h, tmp, m, pre);
        i += k;
    }
    if (raw)
        buf_append(raw, s + n - run, run);
    else
        html_text(h, s + n - run, run, pre);
}

enum tag_kind {
    TAG_OTHER,
    TAG_BREAK, /* one line break */
    TAG_BLOCK, /* a paragraph: a blank line */
    TAG_ITEM,  /* li: a line starting "- " */
    TAG_CELL,  /* td, th: a space */
    TAG_SKIP,  /* script, style, title, template: content dropped */
    TAG_PRE,
    TAG_A,
};

static enum tag_kind tag_kind(const char *name, size_t n)
{
    static const char *const breaks[] = {
        "br",     "div",     "tr",      "dt",   "dd",      "hr",  "center", "address", "header",
        "footer", "section", "article", "form", "caption", "nav", "aside",  "figure",  NULL};
    static const char *const blocks[] = {"p",     "h1", "h2", "h3", "h4",         "h5", "h6",
                                         "table", "ul", "ol", "dl", "blockquote", NULL};
    /* content dropped up to the closing tag (not head or noscript: a missing </head> would
     * swallow the body, and mail clients show noscript) */
    static const char *const skips[] = {"script", "style", "title", "template", NULL};
    for (int i = 0; breaks[i]; i++)
        if (ascii_ieq(name, n, breaks[i]))
            return TAG_BREAK;
    for (int i = 0; blocks[i]; i++)
        if (ascii_ieq(name, n, blocks[i]))
            return TAG_BLOCK;
    for (int i = 0; skips[i]; i++)
        if (ascii_ieq(name, n, skips[i]))
            return TAG_SKIP;
    if (ascii_ieq(name, n, "li"))
        return TAG_ITEM;
    if (ascii_ieq(name, n, "td") || ascii_ieq(name, n, "th"))
        return TAG_CELL;
    if (ascii_ieq(name, n, "pre"))
        return TAG_PRE;
    if (ascii_ieq(name, n, "a"))
        return TAG_A;
    return TAG_OTHER;
}

/* The end of the tag starting at s[0] == '<' (the index after '>'), quotes respected, or 0. */
static size_t tag_end(const char *s, size_t n)
{
    char q = 0;
    for (size_t i = 1; i < n; i++) {
        if (q) {
            if (s[i] == q)
                q = 0;
        } else if (s[i] == '"' || s[i] == '\'') {
            if (is_wsp(s[i - 1]) || s[i - 1] == '=')
                q = s[i];
        } else if (s[i] == '>') {
            return i + 1;
        }
    }
    return 0;
}

/* The href attribute of a tag s[0..n), entity-decoded into out. */
static void tag_href(const char *s, size_t n, struct buf *out)
{
    for (size_t i = 1; i + 4 < n; i++) {
        if (g_ascii_strncasecmp(s + i, "href", 4) != 0 || !is_wsp(s[i - 1]))
            continue;
        size_t j = i + 4;
        while (j < n && is_wsp(s[j]))
            j++;
        if (j >= n || s[j] != '=')
            continue;
        j++;
        while (j < n && is_wsp(s[j]))
            j++;
        size_t start = j, end;
        if (j < n && (s[j] == '"' || s[j] == '\'')) {
            char q = s[j];
            start = ++j;
            while (j < n && s[j] != q)
                j++;
            end = j;
        } else {
            while (j < n && !is_wsp(s[j]) && s[j] != '>')
                j++;
            end = j;
        }
        struct slice v = trim_ws(s + start, end - start);
        html_decode(v.ptr, v.len, NULL, false, out);
        return;
    }
}

/* Case-insensitive search for "</name" from s; the index or n. Linear: name is short and fixed. */
static size_t find_close(const char *s, size_t n, const char *name)
{
    size_t k = strlen(name);
    for (size_t i = 0; i + 2 + k <= n; i++)
        if (s[i] == '<' && s[i + 1] == '/' && g_ascii_strncasecmp(s + i + 2, name, k) == 0)
            return i;
    return n;
}

char *mail_html_to_text(const char *html, size_t len, struct arena *a)
{
    struct html_out h = {0};
    buf_init(&h.b, 0);
    struct buf href;
    buf_init(&href, 0);
    size_t link_start = 0;
    bool in_link = false;
    int pre = 0;
    bool tags_ok = true; /* false once a '<' had no '>' after it: the rest is text */
    size_t i = 0, text = 0;

    while (i < len) {
        if (html[i] != '<' || !tags_ok) {
            i++;
            continue;
        }
        html_decode(html + text, i - text, &h, pre > 0, NULL);
        const char *t = html + i;
        size_t rest = len - i;
        if (rest >= 4 && memcmp(t, "<!--", 4) == 0) {
            const char *end = g_strstr_len(t + 4, (gssize)(rest - 4), "-->");
            i = end ? (size_t)(end - html) + 3 : len;
            text = i;
            continue;
        }
        size_t te = tag_end(t, rest);
        if (te == 0) {
            tags_ok = false;
            text = i;
            i++;
            continue;
        }
        bool closing = rest > 1 && t[1] == '/';
        size_t ns = closing ? 2 : 1, ne = ns;
        while (ne < te && (g_ascii_isalnum(t[ne]) || t[ne] == '-'))
            ne++;
        if (ne == ns && !(t[1] == '!' || t[1] == '?')) {
            /* "<" not followed by a name: text */
            text = i;
            i++;
            continue;
        }
        enum tag_kind kind = tag_kind(t + ns, ne - ns);
        i += te;
        text = i;
        switch (kind) {
        case TAG_BREAK:
            html_break(&h, 1);
            break;
        case TAG_BLOCK:
            html_break(&h, 2);
            break;
        case TAG_ITEM:
            if (!closing) {
                html_break(&h, 1);
                html_text(&h, "-", 1, false);
                h.pending_space = true;
            } else {
                html_break(&h, 1);
            }
            break;
        case TAG_CELL:
            if (!closing && h.started && !h.pending_nl)
                h.pending_space = true;
            break;
        case TAG_PRE:
            pre += closing ? (pre > 0 ? -1 : 0) : 1;
            html_break(&h, 2);
            break;
        case TAG_SKIP:
            if (!closing && t[te - 2] != '/') {
                char name[16];
                size_t nl = ne - ns < sizeof name - 1 ? ne - ns : sizeof name - 1;
                memcpy(name, t + ns, nl);
                name[nl] = '\0';
                size_t c = find_close(html + i, len - i, name);
                i += c;
                text = i;
            }
            break;
        case TAG_A:
            if (!closing) {
                buf_clear(&href);
                tag_href(t, te, &href);
                in_link = true;
                link_start = h.b.len;
            } else if (in_link) {
                in_link = false;
                struct slice shown =
                    trim_ws(h.b.ptr ? h.b.ptr + link_start : "", h.b.len - link_start);
                const char *u = buf_cstr(&href);
                size_t ul = href.len;
                const char *bare = u;
                if (ascii_prefix(u, ul, "mailto:"))
                    bare = u + 7;
                bool same = slice_eq_cstr(shown, u) || slice_eq_cstr(shown, bare);
                if (ul > 0 && u[0] != '#' && !ascii_prefix(u, ul, "javascript:") && !same) {
                    if (shown.len > 0) {
                        buf_append_cstr(&h.b, " (");
                        buf_append(&h.b, u, ul);
                        buf_append_char(&h.b, ')');
                    } else {
                        html_text(&h, u, ul, false);
                    }
                    h.started = true;
                }
            }
            break;
        case TAG_OTHER:
            break;
        }
    }
    html_decode(html + text, len - text, &h, pre > 0, NULL);
    char *out = mail_clean(a, h.b.ptr ? h.b.ptr : "", h.b.len, CLEAN_BODY);
    buf_release(&h.b);
    buf_release(&href);
    return out;
}

/* ---- quoted history ---------------------------------------------------------------------- */

struct line {
    const char *p;
    size_t n; /* without the line break, trailing whitespace removed */
};

static bool line_ends_wrote(struct line l)
{
    static const char *const ends[] = {
        "wrote:", "writes:", "a écrit :", "a écrit:", "schrieb:", "escribió:", NULL};
    for (int i = 0; ends[i]; i++) {
        size_t k = strlen(ends[i]);
        if (l.n >= k && g_ascii_strncasecmp(l.p + l.n - k, ends[i], k) == 0)
            return true;
    }
    return false;
}

static bool line_starts_on(struct line l)
{
    struct slice t = trim_ws(l.p, l.n);
    return ascii_prefix(t.ptr, t.len, "on ") || ascii_prefix(t.ptr, t.len, "le ") ||
           ascii_prefix(t.ptr, t.len, "am ") || ascii_prefix(t.ptr, t.len, "el ");
}

static bool line_is_original(struct line l)
{
    struct slice t = trim_ws(l.p, l.n);
    size_t i = 0;
    while (i < t.len && (t.ptr[i] == '-' || t.ptr[i] == ' '))
        i++;
    if (i < 2)
        return false;
    struct slice rest = {t.ptr + i, t.len - i};
    return ascii_prefix(rest.ptr, rest.len, "original message");
}

static bool line_header(struct line l, const char *name)
{
    struct slice t = trim_ws(l.p, l.n);
    if (t.len > 1 && t.ptr[0] == '*') /* "*From:*" of a plain-text Outlook quote */
        t = (struct slice){t.ptr + 1, t.len - 1};
    return ascii_prefix(t.ptr, t.len, name);
}

static bool line_blank(struct line l)
{
    return trim_ws(l.p, l.n).len == 0;
}

static bool line_rule(struct line l)
{
    struct slice t = trim_ws(l.p, l.n);
    if (t.len < 8)
        return false;
    for (size_t i = 0; i < t.len; i++)
        if (t.ptr[i] != '_' && t.ptr[i] != '-')
            return false;
    return true;
}

char *mail_trim_quoted(const char *text, struct arena *a)
{
    if (!text)
        text = "";
    size_t len = strlen(text);
    /* lines, once: the look-ahead below is bounded, so the whole is linear */
    size_t count = 1;
    for (size_t i = 0; i < len; i++)
        count += text[i] == '\n';
    struct line *ln = xmalloc(count * sizeof *ln);
    size_t nl = 0;
    for (const char *p = text, *end = text + len; p <= end && nl < count;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
        ln[nl].p = p;
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--; /* so "-- " (the signature separator) reads as "--" */
        ln[nl++].n = n;
        if (!e)
            break;
        p = e + 1;
    }

    size_t cut = nl; /* the first line not shown */
    for (size_t i = 0; i < nl && cut == nl; i++) {
        struct line l = ln[i];
        if ((l.n == 2 && l.p[0] == '-' && l.p[1] == '-') || line_is_original(l)) {
            cut = i;
        } else if (line_starts_on(l) && line_ends_wrote(l)) {
            cut = i;
        } else if (line_starts_on(l) && i + 1 < nl && line_ends_wrote(ln[i + 1]) &&
                   !line_blank(ln[i + 1])) {
            cut = i;
        } else if (line_header(l, "from:")) {
            for (size_t k = i + 1; k < nl && k <= i + 4; k++) {
                if (line_header(ln[k], "sent:") || line_header(ln[k], "date:")) {
                    cut = i;
                    if (i > 0 && line_rule(ln[i - 1]))
                        cut = i - 1;
                    break;
                }
            }
        }
    }
    /* a trailing run of "> " lines (blank lines inside it included) */
    size_t q = cut;
    while (q > 0 && (line_blank(ln[q - 1]) || ln[q - 1].p[0] == '>'))
        q--;
    bool any_quote = false;
    for (size_t k = q; k < cut; k++)
        any_quote = any_quote || (ln[k].n > 0 && ln[k].p[0] == '>');
    if (any_quote)
        cut = q;

    size_t keep = cut < nl ? (size_t)(ln[cut].p - text) : len;
    free(ln);
    struct slice t = trim_ws(text, keep);
    if (t.len == 0) /* nothing but history: show it all */
        t = trim_ws(text, len);
    return arena_strndup(a, t.ptr, t.len);
}
