/* test_markdown: the core/markdown.h contract: CommonMark rendered to HTML that is inert whatever
 * the input (raw HTML omitted, dangerous URLs emptied, text escaped, invalid UTF-8 replaced),
 * bounded in time on pathological input (1 MB of each known bomb), the plain-text walk used for
 * search and snippets, and markdown_escape() making any text render as itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/markdown.h"

static char *html_of(const char *md, size_t len)
{
    struct buf b;
    buf_init(&b, 0);
    struct err e;
    err_clear(&e);
    assert_int_equal(markdown_to_html(md, len, &b, &e), 0);
    return buf_detach(&b, NULL);
}

static char *text_of(const char *md)
{
    struct buf b;
    buf_init(&b, 0);
    struct err e;
    err_clear(&e);
    assert_int_equal(markdown_to_text(md, strlen(md), &b, &e), 0);
    return buf_detach(&b, NULL);
}

static void expect_html(const char *md, const char *want)
{
    char *got = html_of(md, strlen(md));
    assert_string_equal(got, want);
    free(got);
}

/* ---- an inertness checker written from what cmark may emit ---------------------------------- */

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

/* What a browser would run a URL as: entities &amp; &#58; &colon; decoded (cmark only writes
 * &amp; and &quot; there), tab and line ends removed anywhere and C0/space stripped in front
 * (WHATWG URL), lower case. Is it a scheme we forbid? */
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
    if (strncmp(u, "data:image/png", 14) == 0 || strncmp(u, "data:image/gif", 14) == 0 ||
        strncmp(u, "data:image/jpeg", 15) == 0 || strncmp(u, "data:image/webp", 15) == 0)
        return false;
    return strncmp(u, "javascript:", 11) == 0 || strncmp(u, "vbscript:", 9) == 0 ||
           strncmp(u, "file:", 5) == 0 || strncmp(u, "data:", 5) == 0;
}

/* Every '<' opens a known tag with known, double-quoted attributes (no '"' or '<' inside), or is
 * cmark's "<!-- raw HTML omitted -->"; no URL attribute is dangerous; the rest is text, where
 * '<' cannot occur. Returns NULL or what is wrong. */
static const char *inert(const char *h)
{
    static const char omitted[] = "<!-- raw HTML omitted -->";
    const char *p = h;
    while ((p = strchr(p, '<')) != NULL) {
        if (strncmp(p, omitted, sizeof omitted - 1) == 0) {
            p += sizeof omitted - 1;
            continue;
        }
        p++;
        if (*p == '/')
            p++;
        const char *name = p;
        while (isalnum((unsigned char)*p))
            p++;
        if (!in_list(tags, name, (size_t)(p - name)))
            return "unknown tag";
        for (;;) {
            if (*p == '>')
                break;
            if (p[0] == ' ' && p[1] == '/' && p[2] == '>') {
                p += 2;
                break;
            }
            if (*p != ' ')
                return "junk in a tag";
            const char *an = ++p;
            while (isalpha((unsigned char)*p))
                p++;
            if (!in_list(attrs, an, (size_t)(p - an)))
                return "unknown attribute";
            if (p[0] != '=' || p[1] != '"')
                return "unquoted attribute";
            const char *v = p + 2, *q = strchr(v, '"');
            if (!q || memchr(v, '<', (size_t)(q - v)))
                return "bad attribute value";
            bool url = (p - an == 4 && memcmp(an, "href", 4) == 0) ||
                       (p - an == 3 && memcmp(an, "src", 3) == 0);
            if (url && dangerous_url(v, (size_t)(q - v)))
                return "dangerous url";
            p = q + 1;
        }
        p++;
    }
    return NULL;
}

static void assert_inert(const char *md, size_t len)
{
    char *h = html_of(md, len);
    const char *why = inert(h);
    if (why)
        fail_msg("%s in the HTML of \"%.*s\":\n%s", why, (int)(len > 200 ? 200 : len), md, h);
    assert_null(strcasestr(h, "<script"));
    assert_null(strcasestr(h, "<iframe"));
    assert_true(utf8_valid(h, strlen(h)));
    free(h);
}

/* ---- tests ------------------------------------------------------------------------------------
 */

static void basics(void **state)
{
    (void)state;
    expect_html("# Title\n\nSome *em*, **strong** and `code`.\n",
                "<h1>Title</h1>\n<p>Some <em>em</em>, <strong>strong</strong> and "
                "<code>code</code>.</p>\n");
    expect_html("1. one\n   - a\n2. two\n",
                "<ol>\n<li>one\n<ul>\n<li>a</li>\n</ul>\n</li>\n<li>two</li>\n</ol>\n");
    expect_html("[site](https://example.com/a?b=1&c=2 \"T\")",
                "<p><a href=\"https://example.com/a?b=1&amp;c=2\" title=\"T\">site</a></p>\n");
    /* Smart punctuation is off: quotes and dashes stay as written. */
    expect_html("\"a\" -- 'b' ...", "<p>&quot;a&quot; -- 'b' ...</p>\n");
    expect_html("", "");
}

static void raw_html_omitted(void **state)
{
    (void)state;
    expect_html("<script>alert(1)</script>\n", "<!-- raw HTML omitted -->\n");
    expect_html("a <img src=x onerror=alert(1)> b", "<p>a <!-- raw HTML omitted --> b</p>\n");
    expect_html("<iframe src=\"https://evil\"></iframe>", "<!-- raw HTML omitted -->\n");
    expect_html("x <!-- c --> y", "<p>x <!-- raw HTML omitted --> y</p>\n");
    expect_html("x <![CDATA[<script>]]> y", "<p>x <!-- raw HTML omitted --> y</p>\n");
}

static void dangerous_urls_emptied(void **state)
{
    (void)state;
    expect_html("[x](javascript:alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](JaVaScRiPt:alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](javascript&#58;alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](&#106;avascript:alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](javascript&colon;alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](vbscript:msgbox)", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](file:///etc/passwd)", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p><a href=\"\">x</a></p>\n");
    expect_html("<javascript:alert(1)>", "<p><a href=\"\">javascript:alert(1)</a></p>\n");
    expect_html("![i](javascript:alert(1))", "<p><img src=\"\" alt=\"i\" /></p>\n");
    expect_html("[x]\n\n[x]: javascript:alert(1)", "<p><a href=\"\">x</a></p>\n");
    /* Raster images inline are fine; SVG (scriptable) is not. */
    expect_html("![d](data:image/png;base64,iVBORw0KGgo=)",
                "<p><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"d\" /></p>\n");
    expect_html("![d](data:image/svg+xml;base64,PHN2Zz4=)", "<p><img src=\"\" alt=\"d\" /></p>\n");
    /* A line end cannot be in a destination: no link at all. */
    expect_html("[x](java\nscript:alert(1))", "<p>[x](java\nscript:alert(1))</p>\n");
    /* A tab inside <...> is percent-encoded, so the browser does not strip it. */
    expect_html("[x](<java\tscript:alert(1)>)",
                "<p><a href=\"java%09script:alert(1)\">x</a></p>\n");
    /* Attribute text is escaped: the quote cannot close the attribute. */
    expect_html("![x\" onerror=\"alert(1)](a.png)",
                "<p><img src=\"a.png\" alt=\"x&quot; onerror=&quot;alert(1)\" /></p>\n");
}

struct hostile {
    const char *md;
    size_t len;
};
#define H(lit)                                                                                     \
    {                                                                                              \
        (lit), sizeof(lit) - 1                                                                     \
    }

static const struct hostile corpus[] = {
    H("<script>alert(1)</script>"),
    H("<SCRIPT SRC=//evil/x.js></SCRIPT>"),
    H("text <script>alert(1)</script> text"),
    H("<img src=x onerror=alert(1)>"),
    H("a <img src=x onerror=alert(1)> b"),
    H("<iframe src=javascript:alert(1)></iframe>"),
    H("<!-- <script>alert(1)</script> -->"),
    H("<![CDATA[<script>alert(1)</script>]]>"),
    H("<svg/onload=alert(1)>"),
    H("<a href=\"javascript:alert(1)\">x</a>"),
    H("<div onclick=alert(1)>\n\n*md*\n\n</div>"),
    H("[x](javascript:alert(1))"),
    H("[x](JaVaScRiPt:alert(1))"),
    H("[x]( javascript:alert(1) )"),
    H("[x](<javascript:alert(1)>)"),
    H("[x](java\nscript:alert(1))"),
    H("[x](java\tscript:alert(1))"),
    H("[x](<java\tscript:alert(1)>)"),
    H("[x](javascript&#58;alert(1))"),
    H("[x](javascript&#x3A;alert(1))"),
    H("[x](&#x6A;&#x61;vascript:alert(1))"),
    H("[x](javascript&colon;alert(1))"),
    H("[x](\\javascript:alert(1))"),
    H("[x](&#1;javascript:alert(1))"),
    H("[x](&#9;javascript:alert(1))"),
    H("[x](vbscript:msgbox(1))"),
    H("[x](file:///etc/passwd)"),
    H("[x](data:text/html,<script>alert(1)</script>)"),
    H("[x](DATA:text/html;base64,PHNjcmlwdD4=)"),
    H("![x](javascript:alert(1))"),
    H("![x](data:image/svg+xml,<svg/onload=alert(1)>)"),
    H("![x\" onerror=\"alert(1)](a.png)"),
    H("[x](a.png \"t\\\" onmouseover=\\\"alert(1)\")"),
    H("<javascript:alert(1)>"),
    H("<JAVASCRIPT:alert(1)>"),
    H("<data:text/html,x>"),
    H("[ref]\n\n[ref]: javascript:alert(1) \"t\""),
    H("[ref]\n\n[ref]: <java\tscript:alert(1)>"),
    H("``<script>`` and `<img onerror=x>`"),
    H("```html\n<script>alert(1)</script>\n```"),
    H("    <script>alert(1)</script>"),
    H("```\" onload=\"x\n```"),
    H("a\0b\0<script>"),
    H("\xff\xfe<script>\xc0\xaf"),
    H("[\xe2\x80](javascript:\xed\xa0\x80)"),
    H("*"
      "**"
      "***"
      "****"),
    H("> > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > x"),
    H("- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - x"),
};

static void hostile_corpus_inert(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++)
        assert_inert(corpus[i].md, corpus[i].len);
}

static void nul_and_bad_utf8_replaced(void **state)
{
    (void)state;
    char *h = html_of("a\0b", 3);
    assert_string_equal(h, "<p>a\xef\xbf\xbd"
                           "b</p>\n");
    free(h);
    h = html_of("caf\xe9", 4);
    assert_string_equal(h, "<p>caf\xef\xbf\xbd</p>\n");
    free(h);
}

/* ---- bounded ------------------------------------------------------------------------------------
 */

/* n bytes (or a little less) of pat repeated, then tail. */
static char *repeat(const char *pat, const char *tail, size_t n, size_t *len)
{
    size_t pl = strlen(pat), tl = strlen(tail), count = (n - tl) / pl;
    char *s = malloc(count * pl + tl + 1);
    assert_non_null(s);
    for (size_t i = 0; i < count; i++)
        memcpy(s + i * pl, pat, pl);
    memcpy(s + count * pl, tail, tl + 1);
    *len = count * pl + tl;
    return s;
}

/* The bound per 1 MB bomb, generous: linear inputs take under 0.5 s in the normal build, the
 * unfixed image bomb takes minutes. Sanitizers slow cmark down about 4 times. */
#if defined(__SANITIZE_ADDRESS__)
#define BOMB_SECONDS 10.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BOMB_SECONDS 10.0
#endif
#endif
#ifndef BOMB_SECONDS
#define BOMB_SECONDS 2.0
#endif

/* CPU seconds, not wall time: the test machine is shared and loaded. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const struct {
    const char *pat, *tail;
} bombs[] = {
    {"`", ""},         {"``a", ""},   {"*a", ""},     {"**a", ""},         {"*a**", ""},
    {"_a", ""},        {"***_", ""},  {"*a_", ""},    {"[", ""},           {"![", ""},
    {"]", ""},         {"[a](", ""},  {"![[]()", ""}, {"[![]()", ""},      {"`\\`![[]()", ""},
    {"![[]()x\n", ""}, {"<a ", ""},   {"a <!--", ""}, {"a <![CDATA[", ""}, {"&#", ""},
    {"> ", "x"},       {"> - ", "x"}, {"1. ", "x"},   {"[x] ", ""},        {"[x]: y\n", "[x]"},
    {"\\", ""},        {"a  \n", ""}, {"<", ""},      {"(", ""},
};

/* The image-opener bound's worst case: paragraphs just under its product, back to back. */
static char *just_under(size_t n, size_t *len)
{
    const char *pat = "![[]()";
    struct buf b;
    buf_init(&b, 0);
    while (b.len + 260 * 6 + 2 < n) {
        for (int i = 0; i < 255; i++)
            buf_append_cstr(&b, pat);
        buf_append_cstr(&b, "\n\n");
    }
    return buf_detach(&b, len);
}

static void render_timed(const char *what, const char *md, size_t len, double *worst)
{
    struct buf b;
    buf_init(&b, 0);
    struct err e;
    double t0 = cpu_now();
    assert_int_equal(markdown_to_html(md, len, &b, &e), 0);
    double html = cpu_now() - t0;
    buf_clear(&b);
    t0 = cpu_now();
    assert_int_equal(markdown_to_text(md, len, &b, &e), 0);
    double text = cpu_now() - t0;
    buf_release(&b);
    print_message("# %-14s html %.3f s, text %.3f s (cpu)\n", what, html, text);
    if (html > *worst)
        *worst = html;
    if (text > *worst)
        *worst = text;
    if (html >= BOMB_SECONDS || text >= BOMB_SECONDS)
        fail_msg("%s: 1 MB took %.2f s (html) / %.2f s (text)", what, html, text);
}

static void pathological_bounded(void **state)
{
    (void)state;
    const size_t mb = 1u << 20;
    double worst = 0;
    for (size_t i = 0; i < sizeof bombs / sizeof bombs[0]; i++) {
        size_t len;
        char *s = repeat(bombs[i].pat, bombs[i].tail, mb, &len);
        char name[32];
        snprintf(name, sizeof name, "%s", bombs[i].pat);
        for (char *c = name; *c; c++)
            *c = *c == '\n' ? '/' : *c; /* one TAP comment line */
        render_timed(name, s, len, &worst);
        free(s);
    }
    size_t len;
    char *s = just_under(mb, &len);
    render_timed("![[]() x255", s, len, &worst);
    free(s);
    print_message("# worst %.3f s\n", worst);
}

static void input_capped(void **state)
{
    (void)state;
    size_t len;
    char *s = repeat("a", "", MARKDOWN_INPUT_MAX + 1, &len);
    assert_int_equal(len, MARKDOWN_INPUT_MAX + 1);
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "kept");
    struct err e;
    assert_int_equal(markdown_to_html(s, len, &b, &e), ERR_LIMIT);
    assert_int_equal(markdown_to_text(s, len, &b, &e), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "kept");
    assert_int_equal(markdown_to_html(s, len - 1, &b, &e), 0);
    buf_release(&b);
    free(s);
    /* The output's limit: refused whole. */
    buf_init(&b, 10);
    buf_append_cstr(&b, "kept");
    assert_int_equal(markdown_to_html("*long enough*", 13, &b, &e), ERR_LIMIT);
    assert_int_equal(markdown_to_text("long enough", 11, &b, &e), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "kept");
    buf_release(&b);
}

/* ---- text ----------------------------------------------------------------------------------- */

static void plain_text(void **state)
{
    (void)state;
    char *t = text_of("# Refunds\n\nThere are *no* refunds for `services`\nrendered.  \nNext.\n\n"
                      "- one\n- two\n  > quoted\n\n```\ncode 1\ncode 2\n```\n\n---\n"
                      "<b>raw</b> and [a link](https://x) ![pic](p.png)\n");
    assert_string_equal(t, "Refunds\nThere are no refunds for services rendered.\nNext.\n"
                           "one\ntwo\nquoted\ncode 1\ncode 2\nraw and a link pic");
    free(t);
    t = text_of("");
    assert_string_equal(t, "");
    free(t);
    t = text_of("a &amp; b &lt;c&gt;");
    assert_string_equal(t, "a & b <c>");
    free(t);
}

/* ---- escape --------------------------------------------------------------------------------- */

static void escape_renders_as_itself(void **state)
{
    (void)state;
    static const struct {
        const char *text, *html;
    } cases[] = {
        {"*", "<p>*</p>\n"},
        {"**", "<p>**</p>\n"},
        {"*** Scammers/Phishers", "<p>*** Scammers/Phishers</p>\n"},
        {"artists***. Refusal", "<p>artists***. Refusal</p>\n"},
        {"1. not a list", "<p>1. not a list</p>\n"},
        {"# not a heading", "<p># not a heading</p>\n"},
        {"- not an item", "<p>- not an item</p>\n"},
        {"+ nor this", "<p>+ nor this</p>\n"},
        {"> no quote", "<p>&gt; no quote</p>\n"},
        {"---", "<p>---</p>\n"},
        {"[a](b) ![c](d)", "<p>[a](b) ![c](d)</p>\n"},
        {"<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
        {"a_b_c `x` ~y~ |z|", "<p>a_b_c `x` ~y~ |z|</p>\n"},
        {"&amp; \\ back", "<p>&amp;amp; \\ back</p>\n"},
        {"text\n===", "<p>text\n===</p>\n"},
        {"https://x.y/?a=b", "<p>https://x.y/?a=b</p>\n"},
        {"plain ‘quotes’ ¹ ²", "<p>plain ‘quotes’ ¹ ²</p>\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b;
        buf_init(&b, 0);
        assert_int_equal(markdown_escape(cases[i].text, strlen(cases[i].text), &b), 0);
        char *h = html_of(b.ptr ? b.ptr : "", b.len);
        if (strcmp(h, cases[i].html) != 0)
            fail_msg("escape of \"%s\" gave \"%s\", renders \"%s\"", cases[i].text, buf_cstr(&b),
                     h);
        free(h);
        buf_release(&b);
    }
    struct buf b;
    buf_init(&b, 4);
    buf_append_cstr(&b, "ab");
    assert_int_equal(markdown_escape("**", 2, &b), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "ab");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(basics),
        cmocka_unit_test(raw_html_omitted),
        cmocka_unit_test(dangerous_urls_emptied),
        cmocka_unit_test(hostile_corpus_inert),
        cmocka_unit_test(nul_and_bad_utf8_replaced),
        cmocka_unit_test(pathological_bounded),
        cmocka_unit_test(input_capped),
        cmocka_unit_test(plain_text),
        cmocka_unit_test(escape_renders_as_itself),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
