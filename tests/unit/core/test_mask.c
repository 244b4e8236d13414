/* test_mask: the core/mask.h contract: an address shows its local part's first character (a
 * whole UTF-8 sequence), "***" and its domain; anything else masks whole; a short buffer is
 * refused and left untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/mask.h"

#include <string.h>

static void masks_to(const char *in, const char *want)
{
    char out[MASK_EMAIL_SIZE(256)];
    int n = mask_email(in, strlen(in), out, sizeof out);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void test_plain_addresses(void **state)
{
    (void)state;
    masks_to("olive@example.com", "o***@example.com");
    masks_to("o@example.com", "o***@example.com");
    masks_to("Bob.Billing+x@Acme.Example", "B***@Acme.Example");
}

static void test_first_character_is_whole_utf8(void **state)
{
    (void)state;
    masks_to("\xc3\xa9lodie@example.fr", "\xc3\xa9***@example.fr"); /* é, 2 bytes */
    masks_to("\xe2\x82\xac"
             "cash@example.com",
             "\xe2\x82\xac***@example.com"); /* €, 3 bytes */
    masks_to("\xf0\x9f\x98\x80x@example.com", "\xf0\x9f\x98\x80***@example.com");
    /* A truncated sequence never copies past the local part. */
    masks_to("\xe2@example.com", "\xe2***@example.com");
    /* A stray continuation byte counts as one. */
    masks_to("\x80"
             "abc@example.com",
             "\x80***@example.com");
}

static void test_domain_after_last_at(void **state)
{
    (void)state;
    masks_to("a@b@example.com", "a***@example.com");
}

static void test_not_an_address_masks_whole(void **state)
{
    (void)state;
    masks_to("", "***");
    masks_to("nobody", "***");
    masks_to("@example.com", "***");
    masks_to("olive@", "***");
}

static void test_short_buffer_is_refused(void **state)
{
    (void)state;
    const char *in = "olive@example.com";
    size_t len = strlen(in);
    char out[64];
    memset(out, 'Z', sizeof out);
    assert_int_equal(mask_email(in, len, out, MASK_EMAIL_SIZE(len) - 1), -1);
    assert_int_equal(out[0], 'Z');
    assert_int_equal(mask_email(in, len, out, MASK_EMAIL_SIZE(len)), 16);
    assert_string_equal(out, "o***@example.com");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_addresses),
        cmocka_unit_test(test_first_character_is_whole_utf8),
        cmocka_unit_test(test_domain_after_last_at),
        cmocka_unit_test(test_not_an_address_masks_whole),
        cmocka_unit_test(test_short_buffer_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
