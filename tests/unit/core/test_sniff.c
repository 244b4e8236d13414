/* test_sniff: the core/sniff.h contract: each magic number gives its type whatever the rest of
 * the bytes, text is UTF-8 with no NUL and few controls, and no input ever yields an active type
 * (HTML, SVG), which become text/plain or application/octet-stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/sniff.h"

#include <stdio.h>
#include <string.h>

struct case_ {
    const char *bytes;
    size_t len;
    const char *want;
};

#define CASE(lit, want)                                                                            \
    {                                                                                              \
        (lit), sizeof(lit) - 1, (want)                                                             \
    }

static const struct case_ cases[] = {
    CASE("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png"),
    CASE("\x89PNG\r\n\x1a", SNIFF_OCTET), /* one byte short */
    CASE("\xff\xd8\xff\xe0\0\x10JFIF", "image/jpeg"),
    CASE("GIF87a\x01\0", "image/gif"),
    CASE("GIF89a", "image/gif"),
    CASE("GIF88a", "text/plain; charset=utf-8"),
    CASE("RIFF\x24\0\0\0WEBPVP8 ", "image/webp"),
    CASE("RIFF\x24\0\0\0WAVEfmt ", SNIFF_OCTET),
    CASE("%PDF-1.7\n%\xe2\xe3\xcf\xd3", "application/pdf"),
    CASE("PK\x03\x04\x14\0\x06\0", "application/zip"), /* docx, xlsx: zip */
    CASE("PK\x05\x06", "application/zip"),
    CASE("\x1f\x8b\x08\0", "application/gzip"),
    CASE("hello, world\n", SNIFF_TEXT_PLAIN),
    CASE("caf\xc3\xa9 \xe2\x82\xac\tok\r\n", SNIFF_TEXT_PLAIN),
    CASE("", SNIFF_TEXT_PLAIN),
    CASE("text\0with a NUL", SNIFF_OCTET),
    CASE("caf\xe9 latin-1", SNIFF_OCTET),
    CASE("\x01\x02\x03\x04 mostly controls", SNIFF_OCTET),
    CASE("\xc0\xaf overlong", SNIFF_OCTET),
    /* Active content never keeps its type. */
    CASE("<!DOCTYPE html><html><script>alert(1)</script></html>", SNIFF_TEXT_PLAIN),
    CASE("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>", SNIFF_TEXT_PLAIN),
    CASE("\xef\xbb\xbf<html>", SNIFF_TEXT_PLAIN),
    CASE("<html>\0", SNIFF_OCTET),
};

static void table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = sniff_content_type(cases[i].bytes, cases[i].len);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu (%zu bytes): got \"%s\", want \"%s\"", i, cases[i].len, got,
                     cases[i].want);
    }
}

static void null_is_empty(void **state)
{
    (void)state;
    assert_string_equal(sniff_content_type(NULL, 0), SNIFF_TEXT_PLAIN);
}

/* Text is judged on a window: a character cut at its end does not make the text binary, and
 * what lies beyond the window is not read. */
static void text_window(void **state)
{
    (void)state;
    static char big[SNIFF_TEXT_WINDOW + 16];
    memset(big, 'a', sizeof big);
    big[SNIFF_TEXT_WINDOW - 1] = '\xc3'; /* "é" split across the window's end */
    big[SNIFF_TEXT_WINDOW] = '\xa9';
    assert_string_equal(sniff_content_type(big, sizeof big), SNIFF_TEXT_PLAIN);
    big[SNIFF_TEXT_WINDOW + 8] = '\0'; /* past the window */
    assert_string_equal(sniff_content_type(big, sizeof big), SNIFF_TEXT_PLAIN);
    /* The same cut at the very end of a short file is invalid UTF-8. */
    assert_string_equal(sniff_content_type("ab\xc3", 3), SNIFF_OCTET);
}

static void controls_budget(void **state)
{
    (void)state;
    char s[64];
    memset(s, 'x', sizeof s);
    s[0] = '\x01';
    s[1] = '\x02'; /* 2 in 64: within 1 in 32 */
    assert_string_equal(sniff_content_type(s, sizeof s), SNIFF_TEXT_PLAIN);
    s[2] = '\x03'; /* 3 in 64: too many */
    assert_string_equal(sniff_content_type(s, sizeof s), SNIFF_OCTET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(null_is_empty),
        cmocka_unit_test(text_window),
        cmocka_unit_test(controls_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
