/* test_mail_compose: the core/mail_compose.h contract: the exact bytes of a simple message, RFC
 * 2047 subjects and names (checked with a small reference decoder), folding limits, header
 * injection, quoted-printable bodies, the HTML made from text, the boundary, the optional
 * headers and the refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/mail_compose.h"

#define MSG_ID   "<outbox-12.9f3a@rarelogic.example>"
#define BOUNDARY "=_frontdesk_09ad478e333675b9" /* FNV-1a 64 of MSG_ID, computed apart */

static struct mail_message base_message(void)
{
    return (struct mail_message){
        .from_name = "RareLogic Support",
        .from_address = "support@rarelogic.example",
        .to_address = "ada@example.com",
        .subject = "Your ticket #12",
        .text = "Hello Ada,\n\nWe fixed it.\nThanks",
        .message_id = MSG_ID,
        .date = 1796223600, /* 2026-12-02T15:00:00Z, a Wednesday */
    };
}

/* Compose m (which must succeed); the text, which the test frees. */
static char *compose(const struct mail_message *m)
{
    struct buf b;
    buf_init(&b, 0);
    struct err e;
    err_clear(&e);
    int rc = mail_compose(m, &b, &e);
    assert_int_equal(rc, 0);
    return buf_detach(&b, NULL);
}

/* The header block: everything before the first empty line. */
static size_t header_len(const char *msg)
{
    const char *end = strstr(msg, "\r\n\r\n");
    assert_non_null(end);
    return (size_t)(end - msg) + 2;
}

/* The unfolded value of header name (CRLF before whitespace removed), NULL when absent. */
static char *header_value(const char *msg, const char *name)
{
    size_t hlen = header_len(msg), nlen = strlen(name);
    for (const char *p = msg; p < msg + hlen;) {
        const char *eol = strstr(p, "\r\n");
        if (strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            if (*v == ' ') /* the one space after the colon; the value's own are kept */
                v++;
            const char *end = eol;
            while (end[2] == ' ' || end[2] == '\t')
                end = strstr(end + 2, "\r\n");
            char *out = malloc((size_t)(end - v) + 1);
            size_t n = 0;
            for (const char *q = v; q < end; q++) {
                if (q[0] == '\r' && q[1] == '\n') {
                    q++;
                    continue;
                }
                out[n++] = *q;
            }
            out[n] = '\0';
            return out;
        }
        p = eol + 2;
    }
    return NULL;
}

static int b64val(char c)
{
    const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(abc, c);
    return c && p ? (int)(p - abc) : -1;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A reference RFC 2047 decoder (utf-8 charset, B and Q): encoded words are decoded, whitespace
 * between two adjacent encoded words dropped, other text copied. Caller frees. */
static char *decode_2047(const char *s)
{
    char *out = malloc(strlen(s) + 1);
    size_t n = 0;
    bool after_word = false;
    while (*s) {
        size_t ws = strspn(s, " \t");
        const char *w = s + ws;
        if (strncmp(w, "=?utf-8?", 8) == 0 && (w[8] == 'B' || w[8] == 'Q') && w[9] == '?') {
            const char *end = strstr(w + 10, "?=");
            assert_non_null(end);
            if (!after_word) {
                memcpy(out + n, s, ws);
                n += ws;
            }
            if (w[8] == 'B') {
                unsigned v = 0;
                int bits = 0;
                for (const char *p = w + 10; p < end && *p != '='; p++) {
                    int d = b64val(*p);
                    assert_true(d >= 0);
                    v = v << 6 | (unsigned)d;
                    bits += 6;
                    if (bits >= 8) {
                        bits -= 8;
                        out[n++] = (char)(v >> bits & 0xFF);
                    }
                }
            } else {
                for (const char *p = w + 10; p < end; p++) {
                    if (*p == '_') {
                        out[n++] = ' ';
                    } else if (*p == '=') {
                        out[n++] = (char)(hexval(p[1]) << 4 | hexval(p[2]));
                        p += 2;
                    } else {
                        out[n++] = *p;
                    }
                }
            }
            s = end + 2;
            after_word = true;
            continue;
        }
        memcpy(out + n, s, ws);
        n += ws;
        s += ws;
        if (*s)
            out[n++] = *s++;
        after_word = false;
    }
    out[n] = '\0';
    return out;
}

/* Every header line at most max octets, CRLF line endings only. */
static void assert_header_lines_within(const char *msg, size_t max)
{
    size_t hlen = header_len(msg);
    for (const char *p = msg; p < msg + hlen;) {
        const char *eol = strstr(p, "\r\n");
        assert_true((size_t)(eol - p) <= max);
        assert_null(memchr(p, '\n', (size_t)(eol - p)));
        assert_null(memchr(p, '\r', (size_t)(eol - p)));
        p = eol + 2;
    }
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_simple_exact(void **state)
{
    (void)state;
    struct mail_message m = base_message();
    char *got = compose(&m);
    assert_string_equal(got, "Date: Wed, 2 Dec 2026 15:00:00 +0000\r\n"
                             "From: RareLogic Support <support@rarelogic.example>\r\n"
                             "To: ada@example.com\r\n"
                             "Subject: Your ticket #12\r\n"
                             "Message-ID: " MSG_ID "\r\n"
                             "MIME-Version: 1.0\r\n"
                             "Content-Type: multipart/alternative; boundary=\"" BOUNDARY "\"\r\n"
                             "\r\n"
                             "--" BOUNDARY "\r\n"
                             "Content-Type: text/plain; charset=utf-8\r\n"
                             "Content-Transfer-Encoding: quoted-printable\r\n"
                             "\r\n"
                             "Hello Ada,\r\n"
                             "\r\n"
                             "We fixed it.\r\n"
                             "Thanks\r\n"
                             "--" BOUNDARY "\r\n"
                             "Content-Type: text/html; charset=utf-8\r\n"
                             "Content-Transfer-Encoding: quoted-printable\r\n"
                             "\r\n"
                             "<!DOCTYPE html>\r\n"
                             "<html><body>\r\n"
                             "<p>Hello Ada,</p>\r\n"
                             "<p>We fixed it.<br>\r\n"
                             "Thanks</p>\r\n"
                             "</body></html>\r\n"
                             "--" BOUNDARY "--\r\n");
    /* The same message gives the same bytes; appended after what out held. */
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "X");
    assert_int_equal(mail_compose(&m, &b, NULL), 0);
    assert_string_equal(buf_cstr(&b) + 1, got);
    assert_int_equal(buf_cstr(&b)[0], 'X');
    buf_release(&b);
    free(got);
}

static void expect_subject_round_trip(const char *subject, bool encoded)
{
    struct mail_message m = base_message();
    m.subject = subject;
    char *msg = compose(&m);
    assert_header_lines_within(msg, 78);
    char *value = header_value(msg, "Subject");
    assert_non_null(value);
    assert_int_equal(strstr(value, "=?utf-8?B?") != NULL, encoded);
    char *decoded = decode_2047(value);
    assert_string_equal(decoded, subject);
    free(decoded);
    free(value);
    free(msg);
}

static void test_subject_rfc2047(void **state)
{
    (void)state;
    expect_subject_round_trip("Your ticket #12", false);
    expect_subject_round_trip("Grüße aus Köln", true);
    expect_subject_round_trip("Grüße aus Köln — Ihr Ticket #12 wurde gelöst, vielen Dank für "
                              "Ihre Geduld und €€€ 日本語のテキストも少し",
                              true);
    expect_subject_round_trip("😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", true); /* 4-octet chars */
    expect_subject_round_trip("looks like =?utf-8?B?QQ==?= but is not", true);
    expect_subject_round_trip("  leading and  double  spaces ", false);

    /* Encoded words hold whole characters: each decodes to valid UTF-8 on its own. */
    struct mail_message m = base_message();
    m.subject = "ééééééééééééééééééééééééééééééééééééééééééééééééé";
    char *msg = compose(&m);
    char *value = header_value(msg, "Subject");
    for (char *p = strstr(value, "=?"); p; p = strstr(p + 2, "=?")) {
        char *end = strstr(p, "?=");
        char save = end[2];
        end[2] = '\0';
        char *one = decode_2047(p);
        assert_true(utf8_valid(one, strlen(one)));
        end[2] = save;
        free(one);
    }
    free(value);
    free(msg);
}

static void test_folding_limits(void **state)
{
    (void)state;
    char words[1000];
    for (int i = 0; i < 200; i++)
        memcpy(words + 5 * i, "word ", 5);
    words[999] = '\0';
    expect_subject_round_trip(words, false);

    char run[2001];
    memset(run, 'x', 2000); /* no space to fold at: encoded words */
    run[2000] = '\0';
    expect_subject_round_trip(run, true);

    /* 69 octets fit after "Subject: " (78 in all); 70 cannot be folded so are encoded. */
    memset(run, 'y', 69);
    run[69] = '\0';
    expect_subject_round_trip(run, false);
    run[69] = 'y';
    run[70] = '\0';
    expect_subject_round_trip(run, true);

    memset(run, ' ', 1500); /* a folded line is never blank: spaces alone are encoded */
    run[1500] = 'z';
    run[1501] = '\0';
    expect_subject_round_trip(run, true);

    /* A long display name is encoded and folded; the address goes on its own line. */
    struct mail_message m = base_message();
    m.from_name = "The RareLogic Support Team of Example Corporation, Customer Success Group";
    char *msg = compose(&m);
    assert_header_lines_within(msg, 78);
    char *value = header_value(msg, "From");
    char *decoded = decode_2047(value);
    assert_string_equal(decoded, "The RareLogic Support Team of Example Corporation, Customer "
                                 "Success Group <support@rarelogic.example>");
    free(decoded);
    free(value);
    free(msg);
}

static void test_header_injection(void **state)
{
    (void)state;
    struct mail_message m = base_message();
    m.subject = "Hi\r\nBcc: x@y.z";
    m.from_name = "Eve\r\nBcc: x@y.z\nX-Evil: 1\x7f";
    m.in_reply_to = "<a@b>\r\nBcc: x@y.z";
    m.references = "<a@b>\r\nBcc: <x@y.z>";
    char *msg = compose(&m);
    assert_null(strstr(msg, "\r\nBcc:"));
    assert_null(strstr(msg, "\r\nX-Evil:"));
    assert_non_null(strstr(msg, "\r\nSubject: Hi  Bcc: x@y.z\r\n"));
    assert_non_null(strstr(msg, "\r\nFrom: \"Eve  Bcc: x@y.z X-Evil: 1 \" <support@"));
    assert_non_null(strstr(msg, "\r\nIn-Reply-To: <a@b>\r\n"));
    assert_non_null(strstr(msg, "\r\nReferences: <a@b> <x@y.z>\r\n"));
    assert_header_lines_within(msg, 998);
    free(msg);
}

static void test_quoted_printable(void **state)
{
    (void)state;
    struct mail_message m = base_message();
    m.text = "x=1 \t\n"
             "trailing  \r\n"
             ".starts with a dot\r"
             ".\n"
             "tab\tinside caf\xc3\xa9 and bad \xff byte\n"
             "0123456789012345678901234567890123456789012345678901234567890123456789"
             "0123456789012345678901234567890123456789=";
    m.html = "<b>x</b>";
    char *msg = compose(&m);
    const char *want =
        "\r\n\r\n"
        "x=3D1 =09\r\n"
        "trailing =20\r\n"
        ".starts with a dot\r\n"
        ".\r\n"
        "tab\tinside caf=C3=A9 and bad =EF=BF=BD byte\r\n"
        "012345678901234567890123456789012345678901234567890123456789012345678901234=\r\n"
        "56789012345678901234567890123456789=3D\r\n"
        "--" BOUNDARY "\r\n";
    assert_non_null(strstr(msg, want));
    assert_non_null(strstr(msg, "\r\n\r\n<b>x</b>\r\n--" BOUNDARY "--\r\n"));
    /* Every body line is within 76 octets. */
    for (const char *p = msg + header_len(msg); *p;) {
        const char *eol = strstr(p, "\r\n");
        assert_true(eol - p <= 76);
        p = eol + 2;
    }
    free(msg);

    /* "=" at the soft-break column is never split from its two hex digits. */
    char line[78] = {0}, want2[100] = {0};
    memset(line, 'a', 74);
    memcpy(line + 74, "==b", 3);
    m.text = line;
    msg = compose(&m);
    memcpy(want2, "\r\n\r\n", 4);
    memcpy(want2 + 4, line, 74);
    memcpy(want2 + 78, "=\r\n=3D=3Db\r\n", sizeof "=\r\n=3D=3Db\r\n");
    assert_non_null(strstr(msg, want2));
    free(msg);
}

static void test_html_from_text(void **state)
{
    (void)state;
    struct mail_message m = base_message();
    m.text = "<script>alert('x')</script>\n \t \nA & \"B\"\nC\n\n\nD";
    char *msg = compose(&m);
    assert_non_null(strstr(msg, "\r\n\r\n<!DOCTYPE html>\r\n<html><body>\r\n"
                                "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>\r\n"
                                "<p>A &amp; &quot;B&quot;<br>\r\nC</p>\r\n"
                                "<p>D</p>\r\n</body></html>\r\n--" BOUNDARY "--\r\n"));
    assert_null(strstr(strstr(msg, "text/html"), "<script>")); /* the text part keeps it */
    free(msg);

    m.text = "";
    msg = compose(&m);
    assert_non_null(strstr(msg, "\r\n\r\n\r\n--" BOUNDARY "\r\n")); /* empty text part */
    assert_non_null(strstr(msg, "<html><body>\r\n</body></html>\r\n--" BOUNDARY "--\r\n"));
    free(msg);
}

static void test_boundary_absent_from_bodies(void **state)
{
    (void)state;
    struct mail_message m = base_message();
    m.text = "--" BOUNDARY "\n" BOUNDARY "\n--" BOUNDARY "--";
    m.html = "<p>--" BOUNDARY "</p>";
    char *msg = compose(&m);
    /* The Content-Type parameter, two delimiters and the close delimiter: nothing else. */
    assert_int_equal(count(msg, BOUNDARY), 4);
    assert_non_null(strstr(msg, "--=3D_frontdesk_09ad478e333675b9"));
    free(msg);

    /* Another Message-ID, another boundary. */
    m.message_id = "<outbox-13.9f3a@rarelogic.example>";
    msg = compose(&m);
    assert_null(strstr(msg, "boundary=\"" BOUNDARY "\""));
    assert_non_null(strstr(msg, "boundary=\"=_frontdesk_"));
    free(msg);
}

static void test_optional_headers(void **state)
{
    (void)state;
    struct mail_message m = base_message();
    m.auto_submitted = true;
    m.in_reply_to = "<in-1@mail.example>";
    m.references = "<r1@a.example>  <r2@a.example>\tbad <no <a b> <r3@a.example>";
    m.from_name = NULL;
    m.date = 0;
    char *msg = compose(&m);
    size_t hlen = header_len(msg);
    char *head = strndup(msg, hlen);
    assert_string_equal(head, "Date: Thu, 1 Jan 1970 00:00:00 +0000\r\n"
                              "From: support@rarelogic.example\r\n"
                              "To: ada@example.com\r\n"
                              "Subject: Your ticket #12\r\n"
                              "Message-ID: " MSG_ID "\r\n"
                              "In-Reply-To: <in-1@mail.example>\r\n"
                              "References: <r1@a.example> <r2@a.example> <r3@a.example>\r\n"
                              "Auto-Submitted: auto-replied\r\n"
                              "MIME-Version: 1.0\r\n"
                              "Content-Type: multipart/alternative; boundary=\"" BOUNDARY "\"\r\n");
    free(head);
    free(msg);

    /* Nothing left to keep: no header. Many identifiers fold one per line when needed. */
    m.auto_submitted = false;
    m.in_reply_to = "not-an-id";
    m.references =
        "<r0000000000000000000000000000@a.example> <r1111111111111111111111111@a.example> "
        "<r2@a.example>";
    m.date = -5;
    msg = compose(&m);
    assert_null(strstr(msg, "In-Reply-To:"));
    assert_null(strstr(msg, "Auto-Submitted:"));
    assert_non_null(strstr(msg, "Date: Thu, 1 Jan 1970 00:00:00 +0000\r\n"));
    assert_non_null(strstr(msg, "References: <r0000000000000000000000000000@a.example>\r\n"
                                " <r1111111111111111111111111@a.example> <r2@a.example>\r\n"));
    assert_header_lines_within(msg, 78);
    free(msg);
}

static void test_from_name(void **state)
{
    (void)state;
    struct mail_message m = base_message();
    m.from_name = "Doe, \"Jane\" \\ Co.";
    char *msg = compose(&m);
    assert_non_null(
        strstr(msg, "\r\nFrom: \"Doe, \\\"Jane\\\" \\\\ Co.\" <support@rarelogic.example>\r\n"));
    free(msg);

    m.from_name = "Søren Support";
    msg = compose(&m);
    char *value = header_value(msg, "From");
    char *decoded = decode_2047(value);
    assert_string_equal(decoded, "Søren Support <support@rarelogic.example>");
    free(decoded);
    free(value);
    free(msg);

    m.from_name = "  ";
    m.from_address = "frontdesk@localhost"; /* the default sender: one label */
    msg = compose(&m);
    assert_non_null(strstr(msg, "\r\nFrom: frontdesk@localhost\r\n"));
    free(msg);
}

static void test_bad_utf8(void **state)
{
    (void)state;
    expect_subject_round_trip("\xef\xbf\xbd", true);
    struct mail_message m = base_message();
    m.subject = "bad \xff\xc3 and \xed\xa0\x80 end";
    char *msg = compose(&m);
    char *value = header_value(msg, "Subject");
    char *decoded = decode_2047(value);
    assert_string_equal(decoded, "bad \xef\xbf\xbd\xef\xbf\xbd and "
                                 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
    free(decoded);
    free(value);
    free(msg);
}

static void expect_invalid(struct mail_message m, const char *field)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "kept");
    struct err e;
    err_clear(&e);
    assert_int_equal(mail_compose(&m, &b, &e), ERR_INVALID);
    assert_string_equal(e.field, field);
    assert_string_equal(buf_cstr(&b), "kept");
    buf_release(&b);
}

static void test_refusals(void **state)
{
    (void)state;
    static const char *const bad_addresses[] = {
        "ada@example.com\r\nBcc: x@y.z",
        "ada @example.com",
        "<ada@example.com>",
        "ada",
        "ada@",
        "@example.com",
        "Ada <ada@example.com>",
        "",
        "a@b@example.com",
        "ada@exa mple.com",
    };
    for (size_t i = 0; i < sizeof bad_addresses / sizeof *bad_addresses; i++) {
        struct mail_message m = base_message();
        m.to_address = bad_addresses[i];
        expect_invalid(m, "to_address");
        m = base_message();
        m.from_address = bad_addresses[i];
        expect_invalid(m, "from_address");
    }
    struct mail_message m = base_message();
    m.to_address = NULL;
    expect_invalid(m, "to_address");

    static const char *const bad_ids[] = {
        "outbox-12@x", "<>", "<a b@x>", "<a\r\n@x>", "<a<b@x>", "<a@x>>", "<a@x", "",
    };
    for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++) {
        m = base_message();
        m.message_id = bad_ids[i];
        expect_invalid(m, "message_id");
    }
    m = base_message();
    m.message_id = NULL;
    expect_invalid(m, "message_id");

    char id[MAIL_COMPOSE_ID_MAX + 4];
    id[0] = '<';
    memset(id + 1, 'a', MAIL_COMPOSE_ID_MAX);
    memcpy(id + 1 + MAIL_COMPOSE_ID_MAX, ">", 2);
    m.message_id = id;
    free(compose(&m));
    memmove(id + 2, id + 1, MAIL_COMPOSE_ID_MAX + 2);
    expect_invalid(m, "message_id");
}

static void test_limit(void **state)
{
    (void)state;
    struct mail_message m = base_message();
    char *full = compose(&m);
    size_t need = strlen(full);
    free(full);
    struct buf b;
    buf_init(&b, need + 1);
    buf_append_cstr(&b, "x");
    assert_int_equal(mail_compose(&m, &b, NULL), 0); /* exactly fits */
    buf_release(&b);
    buf_init(&b, need);
    buf_append_cstr(&b, "x");
    struct err e;
    err_clear(&e);
    assert_int_equal(mail_compose(&m, &b, &e), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "x");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_exact),
        cmocka_unit_test(test_subject_rfc2047),
        cmocka_unit_test(test_folding_limits),
        cmocka_unit_test(test_header_injection),
        cmocka_unit_test(test_quoted_printable),
        cmocka_unit_test(test_html_from_text),
        cmocka_unit_test(test_boundary_absent_from_bodies),
        cmocka_unit_test(test_optional_headers),
        cmocka_unit_test(test_from_name),
        cmocka_unit_test(test_bad_utf8),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
