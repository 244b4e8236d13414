/* test_html: the http/html.h contract: values are always escaped (text and attribute values),
 * markup only from literals, bad UTF-8 becomes U+FFFD, the trusted path is verbatim, and the
 * first error sticks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "http/html.h"

#include <string.h>

static void text_is_escaped(void **state)
{
    (void)state;
    struct html h;
    html_init(&h, 0);
    html_lit(&h, "<p>");
    html_text(&h, "<script>alert(\"x\") & 'y'</script>");
    html_lit(&h, "</p>");
    assert_int_equal(h.rc, 0);
    assert_string_equal(buf_cstr(&h.out), "<p>&lt;script&gt;alert(&quot;x&quot;) &amp; "
                                          "&#39;y&#39;&lt;/script&gt;</p>");
    html_release(&h);
}

static void attributes_are_quoted_and_escaped(void **state)
{
    (void)state;
    struct html h;
    html_init(&h, 0);
    html_lit(&h, "<a");
    html_attr(&h, "href", "/x?a=1&b=\"2\" onmouseover='y'");
    html_attr_id(&h, "data-id", "n-", 42);
    html_attr(&h, "title", NULL);
    html_lit(&h, ">");
    assert_string_equal(buf_cstr(&h.out), "<a href=\"/x?a=1&amp;b=&quot;2&quot; "
                                          "onmouseover=&#39;y&#39;\" data-id=\"n-42\">");
    html_release(&h);
}

static void bad_utf8_becomes_replacement(void **state)
{
    (void)state;
    struct html h;
    html_init(&h, 0);
    html_textn(&h, "a\xFF<\xC3\xA9\xE2\x82", 7);
    assert_string_equal(buf_cstr(&h.out), "a\xEF\xBF\xBD&lt;\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
    html_release(&h);
}

static void trusted_markdown_is_verbatim(void **state)
{
    (void)state;
    struct html h;
    html_init(&h, 0);
    const char *rendered = "<p>a <em>b</em> &amp; c</p>";
    html_trusted_markdown(&h, rendered, strlen(rendered));
    html_int(&h, -7);
    assert_string_equal(buf_cstr(&h.out), "<p>a <em>b</em> &amp; c</p>-7");
    html_release(&h);
}

static void first_error_sticks(void **state)
{
    (void)state;
    struct html h;
    html_init(&h, 8);
    html_lit(&h, "<p>");
    html_text(&h, "&&&"); /* 15 bytes escaped: over the cap, refused whole */
    assert_int_equal(h.rc, ERR_LIMIT);
    assert_string_equal(buf_cstr(&h.out), "<p>");
    html_lit(&h, "x");
    assert_string_equal(buf_cstr(&h.out), "<p>");
    html_release(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_is_escaped),
        cmocka_unit_test(attributes_are_quoted_and_escaped),
        cmocka_unit_test(bad_utf8_becomes_replacement),
        cmocka_unit_test(trusted_markdown_is_verbatim),
        cmocka_unit_test(first_error_sticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
