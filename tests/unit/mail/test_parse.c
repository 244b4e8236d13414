/* test_parse: the mail/parse.h contract. Every message of the corpus tests/data/mail/ (directory
 * in MAIL_CORPUS_DIR) against its committed NAME.expected.json, each within 2 s; the 30 MB
 * message built in memory from the corpus recipe (make_corpus.py big_message()); nesting at 50,
 * 51 and 2,000 levels; HTML to text; quoted-history trimming; charsets; attachment caps; ids;
 * automatic-mail flags; senders; errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/buf.h"
#include "mail/parse.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void assert_utf8(const char *s)
{
    if (s)
        assert_true(utf8_valid(s, strlen(s)));
}

/* Every string of a successful parse is valid UTF-8 and the counts agree with the arrays. */
static void assert_invariants(const struct mail_parsed *p)
{
    assert_non_null(p->from_address);
    assert_non_null(strchr(p->from_address, '@'));
    assert_non_null(p->subject);
    assert_non_null(p->text);
    assert_non_null(p->visible);
    const char *strs[] = {p->from_address,  p->from_name,     p->reply_to,
                          p->subject,       p->message_id,    p->in_reply_to,
                          p->text,          p->visible,       p->bounce.recipient,
                          p->bounce.action, p->bounce.status, p->bounce.original_message_id};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        assert_utf8(strs[i]);
    if (p->text[0])
        assert_true(p->visible[0] != '\0');
    for (size_t i = 0; i < p->to_count; i++)
        assert_utf8(p->to[i]);
    assert_true(p->reference_count <= MAIL_PARSE_REFERENCES_MAX);
    for (size_t i = 0; i < p->reference_count; i++)
        assert_utf8(p->references[i]);
    for (size_t i = 0; i < p->attachment_count; i++) {
        assert_utf8(p->attachments[i].filename);
        assert_utf8(p->attachments[i].content_type);
        assert_true(p->attachments[i].data != NULL);
    }
    for (size_t i = 0; i < p->dropped_count; i++)
        assert_utf8(p->dropped[i].filename);
}

static bool is_auto(const struct mail_parsed *p)
{
    const struct mail_auto *m = &p->automatic;
    return m->auto_submitted || m->precedence_bulk || m->suppress || m->list || m->daemon_sender;
}

/* Parse raw against the expected object; 2 s at most. */
static void check_message(const char *name, const char *raw, size_t len, json_t *exp)
{
    struct arena a;
    arena_init(&a, 0);
    struct mail_parsed p;
    struct err e;
    err_clear(&e);
    double t0 = now_s();
    int rc = mail_parse(raw, len, NULL, &a, &p, &e);
    double took = now_s() - t0;
    print_message("# %s: rc %d %s (%.1f ms)\n", name, rc, e.reason, took * 1000);
    assert_true(took < 2.0);

    const char *outcome = json_string_value(json_object_get(exp, "outcome"));
    assert_non_null(outcome);
    if (strcmp(outcome, "failed") == 0) {
        assert_int_equal(rc, ERR_INVALID);
        assert_string_equal(e.reason, json_string_value(json_object_get(exp, "reason")));
        assert_string_equal(e.field, "raw");
        arena_release(&a);
        return;
    }
    assert_int_equal(rc, 0);
    assert_invariants(&p);
    json_t *v;
    if ((v = json_object_get(exp, "subject")))
        assert_string_equal(p.subject, json_string_value(v));
    if ((v = json_object_get(exp, "from")))
        assert_string_equal(p.from_address, json_string_value(v));
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(exp, "text_contains"), i, item)
    {
        if (!strstr(p.text, json_string_value(item)))
            fail_msg("%s: text lacks \"%s\":\n%s", name, json_string_value(item), p.text);
    }
    json_array_foreach(json_object_get(exp, "visible_excludes"), i, item)
    {
        if (strstr(p.visible, json_string_value(item)))
            fail_msg("%s: visible has \"%s\":\n%s", name, json_string_value(item), p.visible);
    }
    json_t *atts = json_object_get(exp, "attachments");
    if (atts) {
        assert_int_equal(p.attachment_count, json_array_size(atts));
        json_array_foreach(atts, i, item)
            assert_string_equal(p.attachments[i].filename, json_string_value(item));
    }
    json_t *drops = json_object_get(exp, "dropped");
    if (drops) {
        assert_int_equal(p.dropped_count, json_array_size(drops));
        json_array_foreach(drops, i, item)
            assert_string_equal(p.dropped[i].filename, json_string_value(item));
    }
    if ((v = json_object_get(exp, "auto")))
        assert_int_equal(is_auto(&p), json_is_true(v));
    assert_int_equal(p.bounce.is_bounce, strcmp(outcome, "bounce") == 0);
    if ((v = json_object_get(exp, "bounce_recipient"))) {
        assert_non_null(p.bounce.recipient);
        assert_string_equal(p.bounce.recipient, json_string_value(v));
    }
    arena_release(&a);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void test_corpus(void **state)
{
    (void)state;
    const char *dir = getenv("MAIL_CORPUS_DIR");
    if (!dir)
        dir = "tests/data/mail";
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    const char *suffix = ".expected.json";
    while ((de = readdir(d)) != NULL && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > strlen(suffix) && strcmp(de->d_name + l - strlen(suffix), suffix) == 0)
            names[n++] = strndup(de->d_name, l - strlen(suffix));
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_str);
    assert_true(n >= 25);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.expected.json", dir, names[i]);
        json_error_t jerr;
        json_t *exp = json_load_file(path, 0, &jerr);
        if (!exp)
            fail_msg("%s: %s", path, jerr.text);
        if (strcmp(names[i], "big_attachment") != 0) { /* built at test time: test_big */
            snprintf(path, sizeof path, "%s/%s.eml", dir, names[i]);
            size_t len;
            char *raw = read_file(path, &len);
            check_message(names[i], raw, len, exp);
            free(raw);
            checked++;
        }
        json_decref(exp);
        free(names[i]);
    }
    assert_true(checked >= 24);
}

/* ---- the 30 MB message (make_corpus.py big_message(), byte for byte) ---------------------- */

#define BIG_SIZE 30000000

static void b64_line(struct buf *b, const unsigned char *s, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[4];
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        out[0] = tbl[(v >> 18) & 63];
        out[1] = tbl[(v >> 12) & 63];
        out[2] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out[3] = i + 2 < n ? tbl[v & 63] : '=';
        buf_append(b, out, 4);
    }
    buf_append_char(b, '\n');
}

static char *big_message(size_t *len)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "From: Ada Lovelace <ada@example.com>\nTo: support@rarelogic.example\n"
                        "Subject: A 30 MB attachment\nMessage-ID: <big-1@mail.example.com>\n"
                        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"big\"\n\n"
                        "--big\nContent-Type: text/plain\n\nThe log file is attached.\n"
                        "--big\nContent-Type: application/octet-stream\n"
                        "Content-Disposition: attachment; filename=\"big.bin\"\n"
                        "Content-Transfer-Encoding: base64\n\n");
    unsigned char chunk[57];
    for (size_t off = 0; off < BIG_SIZE; off += 57) {
        size_t n = BIG_SIZE - off < 57 ? BIG_SIZE - off : 57;
        for (size_t i = 0; i < n; i++)
            chunk[i] = (unsigned char)((off + i) % 251);
        b64_line(&b, chunk, n);
    }
    buf_append_cstr(&b, "--big--\n");
    return buf_detach(&b, len);
}

static long maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void test_big(void **state)
{
    (void)state;
    size_t len;
    char *raw = big_message(&len);
    long rss0 = maxrss_kb();

    const char *dir = getenv("MAIL_CORPUS_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/big_attachment.expected.json", dir ? dir : "tests/data/mail");
    json_error_t jerr;
    json_t *exp = json_load_file(path, 0, &jerr);
    assert_non_null(exp);
    check_message("big_attachment", raw, len, exp);
    json_decref(exp);

    struct arena a;
    arena_init(&a, 0);
    struct mail_parsed p;
    struct err e;
    assert_int_equal(mail_parse(raw, len, NULL, &a, &p, &e), 0);
    assert_int_equal(p.dropped_count, 1);
    assert_int_equal(p.dropped[0].size, BIG_SIZE);
    assert_string_equal(p.dropped[0].reason, "too_large");
    assert_int_equal(p.attachment_count, 0);
    arena_release(&a);

    /* under a 40 MB cap it is kept, decoded exactly */
    struct mail_parse_limits big = {40000000, 40000000, 10};
    arena_init(&a, 0);
    assert_int_equal(mail_parse(raw, len, &big, &a, &p, &e), 0);
    assert_int_equal(p.attachment_count, 1);
    assert_int_equal(p.attachments[0].size, BIG_SIZE);
    assert_string_equal(p.attachments[0].content_type, "application/octet-stream");
    for (size_t i = 0; i < BIG_SIZE; i += 99991)
        assert_int_equal(p.attachments[0].data[i], i % 251);
    arena_release(&a);

    /* memory: a small multiple of the raw size (the raw bytes, GMime's copy, the decoded file);
     * not under AddressSanitizer, whose quarantine keeps freed blocks resident */
    long grew_kb = maxrss_kb() - rss0;
    print_message("# big: raw %zu bytes, peak grew %ld KiB\n", len, grew_kb);
    free(raw);
#ifndef UNDER_ASAN
    assert_true((size_t)grew_kb * 1024 < 3 * len);
#endif
}

/* ---- nesting ------------------------------------------------------------------------------ */

static char *nested(int levels)
{
    struct buf b;
    buf_init(&b, 0);
    buf_appendf(&b, "From: a@example.com\nSubject: deep\n"
                    "Content-Type: multipart/mixed; boundary=\"b0\"\n\n");
    for (int i = 0; i + 1 < levels; i++)
        buf_appendf(&b, "--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n", i, i + 1);
    buf_appendf(&b, "--b%d\nContent-Type: text/plain\n\ninnermost\n--b%d--\n", levels - 1,
                levels - 1);
    for (int i = levels - 2; i >= 0; i--)
        buf_appendf(&b, "--b%d--\n", i);
    return buf_detach(&b, NULL);
}

static void test_nesting(void **state)
{
    (void)state;
    struct arena a;
    struct mail_parsed p;
    struct err e;
    int levels[] = {1, 49, 50, 51, 2000, 100000};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        char *raw = nested(levels[i]);
        arena_init(&a, 0);
        err_clear(&e);
        double t0 = now_s();
        int rc = mail_parse(raw, strlen(raw), NULL, &a, &p, &e);
        double took = now_s() - t0;
        print_message("# %d levels: rc %d (%.2f ms)\n", levels[i], rc, took * 1000);
        if (levels[i] <= MAIL_PARSE_DEPTH_MAX) {
            assert_int_equal(rc, 0);
            assert_string_equal(p.text, "innermost");
        } else {
            assert_int_equal(rc, ERR_INVALID);
            assert_string_equal(e.reason, "too_deep");
            assert_true(took < 0.5);
        }
        arena_release(&a);
        free(raw);
    }
    /* message/rfc822 inside message/rfc822, 60 deep: too deep as well */
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "From: a@example.com\n");
    for (int i = 0; i < 60; i++)
        buf_append_cstr(&b, "Content-Type: message/rfc822\n\nFrom: b@example.com\n");
    buf_append_cstr(&b, "\nhello\n");
    arena_init(&a, 0);
    assert_int_equal(mail_parse(b.ptr, b.len, NULL, &a, &p, &e), ERR_INVALID);
    assert_string_equal(e.reason, "too_deep");
    arena_release(&a);
    buf_release(&b);
}

/* ---- HTML to text -------------------------------------------------------------------------- */

static void html_is(const char *html, const char *want)
{
    struct arena a;
    arena_init(&a, 0);
    char *got = mail_html_to_text(html, strlen(html), &a);
    assert_non_null(got);
    assert_string_equal(got, want);
    arena_release(&a);
}

static void test_html_to_text(void **state)
{
    (void)state;
    html_is("", "");
    html_is("plain", "plain");
    html_is("<p>one</p><p>two</p>", "one\n\ntwo");
    html_is("a<br>b<br/>c", "a\nb\nc");
    html_is("<div>  lots   of\n\n  space </div>", "lots of space");
    html_is("&amp; &lt; &gt; &quot; &#39; x&nbsp;y &#8364; &#x20AC; &euro;",
            "& < > \" ' x y € € €");
    html_is("&#150; &#0; &#xD800; &#99999999;",
            "\xE2\x80\x93 \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD");
    html_is("&unknown; &amp &", "&unknown; &amp &");
    html_is("<script>var a = '<p>x</p>';</script>kept<style>p{}</style>", "kept");
    html_is("<SCRIPT type=x>never</SCRIPT >after", "after");
    html_is("<script>unterminated", "");
    html_is("<html><head><meta charset=utf-8><body>no closing head", "no closing head");
    html_is("<noscript>shown</noscript>", "shown");
    html_is("<a href=\"https://x.example/a?b=1&amp;c=2\">the docs</a>",
            "the docs (https://x.example/a?b=1&c=2)");
    html_is("<a href='https://x.example'>https://x.example</a>", "https://x.example");
    html_is("<a href=\"mailto:ada@example.com\">ada@example.com</a>", "ada@example.com");
    html_is("<a href=\"#top\">top</a>", "top");
    html_is("<a href=\"https://x.example\"><img src=x></a>", "https://x.example");
    html_is("<ul><li>one<li>two</ul>", "- one\n- two");
    html_is("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc");
    html_is("<pre>line 1\nline 2</pre>", "line 1\nline 2");
    html_is("<!-- hidden -->shown<!-- unterminated", "shown");
    html_is("1 < 2 and 3 > 2", "1 < 2 and 3 > 2");
    html_is("a <b title=\"x>y\">bold</b>", "a bold");
    html_is("x < y <z", "x < y <z");
    html_is("caf\xC3\xA9 \xFF", "caf\xC3\xA9 \xEF\xBF\xBD");

    /* linear: 100,000 unclosed "<a" and many tags finish quickly */
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < 100000; i++)
        buf_append_cstr(&b, "<a");
    for (int i = 0; i < 20000; i++)
        buf_append_cstr(&b, "<div><a href=\"u\">x</a>&#1;");
    struct arena a;
    arena_init(&a, 0);
    /* (bounds far above the linear time, even under sanitizers; a quadratic pass takes minutes) */
    double t0 = now_s();
    bool made = mail_html_to_text(b.ptr, b.len, &a) != NULL;
    double took = now_s() - t0;
    arena_release(&a);
    print_message("# html: %zu bytes of unclosed and nested tags in %.1f ms\n", b.len, took * 1000);
    assert_true(made && took < 2.0);
    buf_clear(&b);
    for (int i = 0; i < 100000; i++)
        buf_append_cstr(&b, "<script><p>");
    arena_init(&a, 0);
    t0 = now_s();
    made = mail_html_to_text(b.ptr, b.len, &a) != NULL;
    took = now_s() - t0;
    arena_release(&a);
    buf_release(&b);
    assert_true(made && took < 2.0);
}

/* ---- quoted history ------------------------------------------------------------------------ */

static void trim_is(const char *text, const char *want)
{
    struct arena a;
    arena_init(&a, 0);
    char *got = mail_trim_quoted(text, &a);
    assert_non_null(got);
    assert_string_equal(got, want);
    arena_release(&a);
}

static void test_trim_quoted(void **state)
{
    (void)state;
    trim_is("", "");
    trim_is("Just a message.", "Just a message.");
    trim_is("Yes.\n\nOn Mon, Dec 1, 2026 at 9:00 AM Bob <b@x.example> wrote:\n> Well?\n", "Yes.");
    trim_is("Yes.\n\nOn Mon, Dec 1, 2026 at 9:00 AM Bob\n<b@x.example> wrote:\n> Well?\n", "Yes.");
    trim_is("Yes.\r\n\r\nOn Monday Bob wrote:\r\n> Well?\r\n", "Yes.");
    trim_is("Sure.\n\n-----Original Message-----\nFrom: Bob\nSent: Monday\n\nWell?", "Sure.");
    trim_is("Sure.\n\n----- Original Message -----\nWell?", "Sure.");
    trim_is("Sure.\n\nFrom: Bob <b@x.example>\nSent: Monday, December 1, 2026\nTo: Ada\n\nWell?",
            "Sure.");
    trim_is("Sure.\n\n*From:* Bob\n*Sent:* Monday\n\nWell?", "Sure.");
    trim_is("Sure.\n________________________________\nFrom: Bob\nDate: Monday\n\nWell?", "Sure.");
    trim_is("Thanks\n-- \nAda\nEngines Ltd", "Thanks");
    trim_is("Thanks\n\n> quoted\n> more\n\n> and more\n", "Thanks");
    /* interleaved quotes stay: only a trailing run goes */
    trim_is("> question?\nanswer.\n> another?\nsecond answer.",
            "> question?\nanswer.\n> another?\nsecond answer.");
    /* From: without Sent:/Date: is text (a forwarded header the person typed) */
    trim_is("From: the docs, step 3\nthen it fails", "From: the docs, step 3\nthen it fails");
    /* nothing but history: never empty */
    trim_is("On Monday Bob wrote:\n> Well?", "On Monday Bob wrote:\n> Well?");
    trim_is("> all quoted", "> all quoted");
    trim_is("-- \nsig only", "-- \nsig only");
    /* "On ..." that does not end in wrote: is kept */
    trim_is("On Monday the printer broke.\nIt still is.",
            "On Monday the printer broke.\nIt still is.");
}

/* ---- charsets -------------------------------------------------------------------------- */

static void parse_ok(const char *raw, struct arena *a, struct mail_parsed *p)
{
    struct err e;
    err_clear(&e);
    int rc = mail_parse(raw, strlen(raw), NULL, a, p, &e);
    if (rc != 0)
        fail_msg("parse failed: %d %s %s", rc, e.reason, e.message);
    assert_invariants(p);
}

static void test_charsets(void **state)
{
    (void)state;
    struct arena a;
    struct mail_parsed p;
    arena_init(&a, 0);
    /* declared UTF-8 with invalid bytes: replaced, the rest kept */
    parse_ok("From: a@example.com\nContent-Type: text/plain; charset=utf-8\n\nok \xC3\xA9 bad "
             "\xFF\xC3 end\n",
             &a, &p);
    assert_string_equal(p.text, "ok \xC3\xA9 bad \xEF\xBF\xBD\xEF\xBF\xBD end");
    /* KOI8-R: converted by GMime */
    parse_ok("From: a@example.com\nContent-Type: text/plain; "
             "charset=koi8-r\n\n\xF0\xD2\xC9\xD7\xC5\xD4\n",
             &a, &p);
    assert_string_equal(p.text, "Привет");
    /* an unknown charset: the bytes as Windows-1252 when they are not UTF-8 */
    parse_ok("From: a@example.com\nContent-Type: text/plain; charset=x-nonsense\n\n\x93hi\x94\n",
             &a, &p);
    assert_string_equal(p.text, "“hi”");
    /* us-ascii label with 8-bit bytes */
    parse_ok("From: a@example.com\nContent-Type: text/plain; charset=us-ascii\n\ncaf\xE9\n", &a,
             &p);
    assert_string_equal(p.text, "café");
    /* NUL in a body, CR line ends */
    parse_ok("From: a@example.com\n\nA\rB\r\nC\n", &a, &p);
    assert_string_equal(p.text, "A\nB\nC");
    /* raw 8-bit headers in Windows-1252, a folded subject, control characters */
    parse_ok("From: \x93"
             "Ada\x94 <a@example.com>\nSubject: caf\xE9\n  folded\x01"
             "here\n\nx\n",
             &a, &p);
    assert_string_equal(p.from_name, "“Ada”");
    assert_string_equal(p.subject, "café folded here");
    /* RFC 2047 in an unknown charset, and broken base64 in a word */
    parse_ok("From: a@example.com\nSubject: =?x-bogus?Q?abc?= =?utf-8?B?!!!?=\n\nx\n", &a, &p);
    assert_utf8(p.subject);
    /* HTML in ISO-8859-1 */
    parse_ok("From: a@example.com\nContent-Type: text/html; charset=iso-8859-1\n\n<p>d\xE9j\xE0 "
             "vu</p>\n",
             &a, &p);
    assert_string_equal(p.text, "déjà vu");
    assert_true(p.text_from_html);
    arena_release(&a);

    /* an embedded NUL byte */
    const char raw[] = "From: a@example.com\n\nbefore\0after\n";
    struct err e;
    arena_init(&a, 0);
    assert_int_equal(mail_parse(raw, sizeof raw - 1, NULL, &a, &p, &e), 0);
    assert_string_equal(p.text, "before\xEF\xBF\xBD"
                                "after");
    arena_release(&a);
}

/* ---- attachment limits ------------------------------------------------------------------- */

static const char *three_files =
    "From: a@example.com\nContent-Type: multipart/mixed; boundary=m\n\n"
    "--m\nContent-Type: text/plain\n\nbody\n"
    "--m\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment; filename=a.bin\n"
    "Content-Transfer-Encoding: base64\n\nAAAAAAAAAAAAAAAA\n"
    "--m\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment; filename=b.bin\n\n12345678\n"
    "--m\nContent-Type: image/PNG\n"
    "Content-Disposition: inline; filename=\"../../c.png\"\n\n1234\n"
    "--m--\n";

static void test_limits(void **state)
{
    (void)state;
    struct arena a;
    struct mail_parsed p;
    struct err e;
    /* a.bin decodes to 12 bytes, b.bin 8 (its line break belongs to the boundary), c.png 4 */
    struct mail_parse_limits lim = {100, 100, 10};
    arena_init(&a, 0);
    assert_int_equal(mail_parse(three_files, strlen(three_files), &lim, &a, &p, &e), 0);
    assert_int_equal(p.attachment_count, 3);
    assert_int_equal(p.attachments[0].size, 12);
    assert_string_equal(p.attachments[1].filename, "b.bin");
    assert_int_equal(p.attachments[1].size, 8);
    assert_memory_equal(p.attachments[1].data, "12345678", 8);
    assert_string_equal(p.attachments[2].filename, "c.png");
    assert_string_equal(p.attachments[2].content_type, "image/png");
    assert_true(p.attachments[2].inline_part);
    assert_false(p.attachments[0].inline_part);
    arena_release(&a);

    /* per file: a.bin (12) too large at 11 */
    lim = (struct mail_parse_limits){11, 100, 10};
    arena_init(&a, 0);
    assert_int_equal(mail_parse(three_files, strlen(three_files), &lim, &a, &p, &e), 0);
    assert_int_equal(p.attachment_count, 2);
    assert_int_equal(p.dropped_count, 1);
    assert_string_equal(p.dropped[0].filename, "a.bin");
    assert_int_equal(p.dropped[0].size, 12);
    assert_string_equal(p.dropped[0].reason, "too_large");
    arena_release(&a);

    /* total: 12 + 8 = 20 > 19, so b.bin goes; c.png still fits (12 + 4) */
    lim = (struct mail_parse_limits){100, 19, 10};
    arena_init(&a, 0);
    assert_int_equal(mail_parse(three_files, strlen(three_files), &lim, &a, &p, &e), 0);
    assert_int_equal(p.attachment_count, 2);
    assert_int_equal(p.dropped_count, 1);
    assert_string_equal(p.dropped[0].filename, "b.bin");
    assert_string_equal(p.dropped[0].reason, "total_too_large");
    arena_release(&a);

    /* count */
    lim = (struct mail_parse_limits){100, 100, 1};
    arena_init(&a, 0);
    assert_int_equal(mail_parse(three_files, strlen(three_files), &lim, &a, &p, &e), 0);
    assert_int_equal(p.attachment_count, 1);
    assert_int_equal(p.dropped_count, 2);
    assert_string_equal(p.dropped[0].reason, "too_many");
    assert_string_equal(p.dropped[1].filename, "c.png");
    assert_int_equal(p.dropped[1].size, 4);
    arena_release(&a);

    /* the arena's own limit: ERR_LIMIT, out untouched */
    arena_init(&a, 64);
    memset(&p, 0x5A, sizeof p);
    struct mail_parsed before = p;
    assert_int_equal(mail_parse(three_files, strlen(three_files), NULL, &a, &p, &e), ERR_LIMIT);
    assert_memory_equal(&p, &before, sizeof p);
    arena_release(&a);
}

/* ---- headers: ids, senders, automatic mail ------------------------------------------------ */

static void test_headers(void **state)
{
    (void)state;
    struct arena a;
    struct mail_parsed p;
    arena_init(&a, 0);
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "From: \"Ada L.\" <Ada.Lovelace@Example.COM>, bob@example.com\n"
                        "Reply-To: Other <other@Elsewhere.example>\n"
                        "To: support@rarelogic.example, Team: x@Y.example, z@y.example;\n"
                        "Cc: <c@example.com>\nMessage-ID: <m1@Example.com>\n"
                        "In-Reply-To: junk <r1@x> <r2@x>\nDate: Wed, 02 Dec 2026 16:00:00 +0100\n"
                        "References:");
    for (int i = 1; i <= 25; i++)
        buf_appendf(&b, " <ref%d@x>", i);
    buf_append_cstr(&b, "\n\nbody\n");
    parse_ok(b.ptr, &a, &p);
    assert_string_equal(p.from_address, "Ada.Lovelace@example.com");
    assert_string_equal(p.from_name, "Ada L.");
    assert_string_equal(p.reply_to, "other@elsewhere.example");
    assert_int_equal(p.to_count, 4);
    assert_string_equal(p.to[1], "x@y.example");
    assert_string_equal(p.to[3], "c@example.com");
    assert_string_equal(p.message_id, "<m1@Example.com>");
    assert_string_equal(p.in_reply_to, "<r1@x>");
    assert_int_equal(p.reference_count, MAIL_PARSE_REFERENCES_MAX);
    assert_string_equal(p.references[0], "<ref6@x>");
    assert_string_equal(p.references[19], "<ref25@x>");
    assert_int_equal(p.date, 1796223600);
    assert_string_equal(p.subject, "");
    assert_false(is_auto(&p));
    buf_release(&b);

    /* Sender when From has no address; a bare Message-ID is bracketed */
    parse_ok("From: undisclosed-recipients:;\nSender: Helper <Helper@Example.org>\n"
             "Message-ID: bare@id\n\nx\n",
             &a, &p);
    assert_string_equal(p.from_address, "Helper@example.org");
    assert_string_equal(p.message_id, "<bare@id>");
    assert_null(p.in_reply_to);
    assert_null(p.reply_to);

    /* automatic mail */
    parse_ok("From: a@example.com\nAuto-Submitted: no\nX-Auto-Response-Suppress: None\n\nx\n", &a,
             &p);
    assert_false(is_auto(&p));
    parse_ok("From: a@example.com\nAuto-Submitted: auto-generated; owner-email=x\n\nx\n", &a, &p);
    assert_true(p.automatic.auto_submitted);
    parse_ok("From: a@example.com\nPrecedence: JUNK\n\nx\n", &a, &p);
    assert_true(p.automatic.precedence_bulk);
    parse_ok("From: a@example.com\nPrecedence: first-class\nList-Id: <l.example.com>\n\nx\n", &a,
             &p);
    assert_false(p.automatic.precedence_bulk);
    assert_true(p.automatic.list);
    parse_ok("From: PostMaster@example.com\n\nx\n", &a, &p);
    assert_true(p.automatic.daemon_sender);
    parse_ok("From: a@example.com\nX-Auto-Response-Suppress: OOF, AutoReply\n\nx\n", &a, &p);
    assert_true(p.automatic.suppress);
    arena_release(&a);
}

/* ---- errors ------------------------------------------------------------------------------ */

static void fails_with(const char *raw, size_t len, const char *reason)
{
    struct arena a;
    arena_init(&a, 0);
    struct mail_parsed p;
    memset(&p, 0x5A, sizeof p);
    struct mail_parsed before = p;
    struct err e;
    err_clear(&e);
    int rc = mail_parse(raw, len, NULL, &a, &p, &e);
    if (rc != ERR_INVALID || strcmp(e.reason, reason) != 0)
        fail_msg("want %s, got %d %s (%s)", reason, rc, e.reason, e.message);
    assert_string_equal(e.field, "raw");
    assert_true(e.message[0] != '\0');
    assert_memory_equal(&p, &before, sizeof p);
    arena_release(&a);
}

#define FAILS(lit, reason) fails_with(lit, sizeof(lit) - 1, reason)

static void test_errors(void **state)
{
    (void)state;
    fails_with(NULL, 0, "empty");
    FAILS("", "empty");
    FAILS(" \r\n\t\n", "empty");
    FAILS("just some words\n", "not_mail");
    FAILS("{\"json\": true}", "not_mail");
    FAILS("\x00\x01\x02", "not_mail");
    FAILS(": no name\n\nx", "not_mail");
    FAILS("Subject: hi\n\nno sender\n", "no_sender");
    FAILS("From: nobody\nSender: also nobody\n\nx\n", "no_sender");
    FAILS("From: <@example.com>\n\nx\n", "no_sender");
    FAILS("From: a@example.com\nContent-Type: multipart/alternative\n\n--x\n\nhi\n--x--\n",
          "bad_boundary");
    FAILS("From: a@example.com\nContent-Type: multipart/mixed; boundary=zz\n\nno parts at all\n",
          "bad_boundary");
    /* a header block only, and mbox "From " lines are mail */
    struct arena a;
    arena_init(&a, 0);
    struct mail_parsed p;
    parse_ok("From a@example.com Wed Dec  2 15:00:00 2026\nFrom: a@example.com\n\nhi\n", &a, &p);
    assert_string_equal(p.text, "hi");
    parse_ok("From: a@example.com", &a, &p);
    assert_string_equal(p.text, "");
    arena_release(&a);
}

/* ---- body selection ---------------------------------------------------------------------- */

static void test_body_choice(void **state)
{
    (void)state;
    struct arena a;
    struct mail_parsed p;
    arena_init(&a, 0);
    /* html first in the alternative: plain still wins */
    parse_ok("From: a@example.com\nContent-Type: multipart/alternative; boundary=a\n\n"
             "--a\nContent-Type: text/html\n\n<p>html</p>\n--a\nContent-Type: "
             "text/plain\n\nplain\n--a--\n",
             &a, &p);
    assert_string_equal(p.text, "plain");
    assert_false(p.text_from_html);
    /* alternative without plain: the html */
    parse_ok("From: a@example.com\nContent-Type: multipart/alternative; boundary=a\n\n"
             "--a\nContent-Type: text/enriched\n\nrich\n--a\nContent-Type: "
             "text/html\n\n<b>html</b>\n--a--\n",
             &a, &p);
    assert_string_equal(p.text, "html");
    assert_true(p.text_from_html);
    /* mixed: the first text is the body, a later inline text appended, a named one attached */
    parse_ok("From: a@example.com\nContent-Type: multipart/mixed; boundary=m\n\n"
             "--m\nContent-Type: text/plain\n\nfirst\n"
             "--m\nContent-Type: image/gif\nContent-Disposition: inline\n\nGIF\n"
             "--m\nContent-Type: text/plain\n\nsecond\n"
             "--m\nContent-Type: text/plain\nContent-Disposition: attachment\n\nfile\n"
             "--m\nContent-Type: text/html\n\n<p>other kind</p>\n--m--\n",
             &a, &p);
    assert_string_equal(p.text, "first\n\nsecond");
    assert_int_equal(p.attachment_count, 3);
    assert_string_equal(p.attachments[0].content_type, "image/gif");
    assert_string_equal(p.attachments[1].filename, "attachment");
    assert_string_equal(p.attachments[2].content_type, "text/html");
    /* a forwarded message is a file */
    parse_ok("From: a@example.com\nContent-Type: multipart/mixed; boundary=m\n\n"
             "--m\nContent-Type: text/plain\n\nsee below\n"
             "--m\nContent-Type: message/rfc822\n\nFrom: b@example.com\nSubject: old\n\nold "
             "text\n--m--\n",
             &a, &p);
    assert_string_equal(p.text, "see below");
    assert_int_equal(p.attachment_count, 1);
    assert_string_equal(p.attachments[0].content_type, "message/rfc822");
    assert_string_equal(p.attachments[0].filename, "attachment.eml");
    /* a DSN with text/rfc822-headers */
    parse_ok(
        "From: MAILER-DAEMON@mx.example\nContent-Type: multipart/report; "
        "report-type=\"delivery-status\"; boundary=r\n\n"
        "--r\nContent-Type: text/plain\n\nfailed\n"
        "--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        "Original-Recipient: rfc822; <Who@Where.EXAMPLE>\nAction: Delayed\nStatus: 4.4.1 (x)\n\n"
        "--r\nContent-Type: text/rfc822-headers\n\nSubject: x\nMessage-ID:\n "
        "<orig@us.example>\n\n--r--\n",
        &a, &p);
    assert_true(p.bounce.is_bounce);
    assert_string_equal(p.bounce.recipient, "Who@where.example");
    assert_string_equal(p.bounce.action, "delayed");
    assert_string_equal(p.bounce.status, "4.4.1");
    assert_string_equal(p.bounce.original_message_id, "<orig@us.example>");
    assert_int_equal(p.attachment_count, 0);
    /* multipart/report of another type is no bounce */
    parse_ok(
        "From: a@example.com\nContent-Type: multipart/report; report-type=disposition-notification;"
        " boundary=r\n\n--r\nContent-Type: text/plain\n\nread\n--r--\n",
        &a, &p);
    assert_false(p.bounce.is_bounce);
    arena_release(&a);
}

/* malformed: defects GMime works around, not everyday mail */
static void test_malformed(void **state)
{
    (void)state;
    struct arena a;
    struct mail_parsed p;
    arena_init(&a, 0);
    parse_ok("From: a@example.com\nSubject: caf\xE9\nSubject: caf\xE9\n\nfine\n", &a, &p);
    assert_false(p.malformed);
    parse_ok("From: a@example.com\nSubject: =?utf-8?B?broken\n\nfine\n", &a, &p);
    assert_false(p.malformed);
    /* a multipart that never closes */
    parse_ok("From: a@example.com\nContent-Type: multipart/mixed; boundary=m\n\n--m\n"
             "Content-Type: text/plain\n\nhello\n",
             &a, &p);
    assert_true(p.malformed);
    assert_string_equal(p.text, "hello");
    /* two different From fields */
    parse_ok("From: a@example.com\nFrom: b@example.com\n\nbody\n", &a, &p);
    assert_true(p.malformed);
    assert_string_equal(p.from_address, "a@example.com");
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_big),         cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_nesting),     cmocka_unit_test(test_html_to_text),
        cmocka_unit_test(test_trim_quoted), cmocka_unit_test(test_charsets),
        cmocka_unit_test(test_limits),      cmocka_unit_test(test_headers),
        cmocka_unit_test(test_errors),      cmocka_unit_test(test_body_choice),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
