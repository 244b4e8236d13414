/* test_paging: the http/paging.h contract: page[size] parsing (default, range, strict digits),
 * cursors that round-trip and refuse every spelling the server did not issue, and the next-page
 * link that carries filters over and encodes what it carries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "http/paging.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* ---- page[size] ------------------------------------------------------------------------------ */

static void size_defaults_to_the_maximum(void **state)
{
    unsigned v = 7;
    assert_int_equal(paging_parse_size(NULL, &v, NULL), 0);
    assert_int_equal(v, PAGING_SIZE_DEFAULT);
    assert_int_equal(PAGING_SIZE_DEFAULT, 100);
    assert_int_equal(PAGING_SIZE_MAX, 100);
}

static void size_accepts_1_to_100(void **state)
{
    static const struct {
        const char *text;
        unsigned want;
    } cases[] = {{"1", 1}, {"2", 2}, {"50", 50}, {"99", 99}, {"100", 100}, {"007", 7}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned v = 0;
        struct err e;
        err_clear(&e);
        if (paging_parse_size(cases[i].text, &v, &e) != 0)
            fail_msg("page[size]=%s refused: %s", cases[i].text, e.message);
        assert_int_equal(v, cases[i].want);
    }
}

static void size_refuses_everything_else(void **state)
{
    static const char *const bad[] = {"",   "0",  "101", "1000", "999999999999", "-1",   "+5",
                                      " 5", "5 ", "5x",  "abc",  "1e2",          "0x10", "١"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned v = 42;
        struct err e;
        err_clear(&e);
        int rc = paging_parse_size(bad[i], &v, &e);
        if (rc != ERR_MALFORMED)
            fail_msg("page[size]=\"%s\": rc %d, want ERR_MALFORMED", bad[i], rc);
        assert_int_equal(v, 42); /* untouched */
        assert_string_equal(e.field, "page[size]");
        assert_non_null(strstr(e.message, "page[size]"));
    }
}

/* ---- cursors --------------------------------------------------------------------------------- */

/* base64url without padding of raw bytes, as a client could forge it. */
static void forge(const char *payload, char *out, size_t cap)
{
    sodium_bin2base64(out, cap, (const unsigned char *)payload, strlen(payload),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void cursor_has_a_fixed_spelling(void **state)
{
    char c[PAGING_CURSOR_MAX + 1];
    paging_cursor_encode(1, c);
    assert_string_equal(c, "aWQ6MQ"); /* base64url("id:1") */
    paging_cursor_encode(INT64_MAX, c);
    assert_true(strlen(c) <= PAGING_CURSOR_MAX);
    for (const char *p = c; *p; p++)
        assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
}

static void cursor_round_trips(void **state)
{
    static const int64_t ids[] = {
        1, 2, 9, 10, 99, 100, 12345, 1000000, INT64_MAX / 10, INT64_MAX - 1, INT64_MAX};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char c[PAGING_CURSOR_MAX + 1];
        paging_cursor_encode(ids[i], c);
        int64_t back = 0;
        struct err e;
        err_clear(&e);
        if (paging_cursor_decode(c, &back, &e) != 0)
            fail_msg("cursor %s of id %lld refused: %s", c, (long long)ids[i], e.message);
        assert_int_equal(back, ids[i]);
    }
}

static void absent_or_empty_cursor_starts_at_the_beginning(void **state)
{
    int64_t v = 99;
    assert_int_equal(paging_cursor_decode(NULL, &v, NULL), 0);
    assert_int_equal(v, 0);
    v = 99;
    assert_int_equal(paging_cursor_decode("", &v, NULL), 0);
    assert_int_equal(v, 0);
}

static void expect_bad_cursor(const char *text)
{
    int64_t v = 77;
    struct err e;
    err_clear(&e);
    int rc = paging_cursor_decode(text, &v, &e);
    if (rc != ERR_MALFORMED)
        fail_msg("cursor \"%s\": rc %d (id %lld), want ERR_MALFORMED", text, rc, (long long)v);
    assert_int_equal(v, 77);
    assert_string_equal(e.field, "page[after]");
    assert_non_null(strstr(e.message, "page[after]"));
}

static void cursor_refuses_bad_base64url(void **state)
{
    expect_bad_cursor("zzz");      /* decodes to bytes that are not "id:..." */
    expect_bad_cursor("aWQ6MQ=");  /* padding */
    expect_bad_cursor("aWQ6MQ=="); /* padding */
    expect_bad_cursor("aWQ6MR");   /* same bytes, non-canonical trailing bits */
    expect_bad_cursor("aWQ6M");    /* truncated */
    expect_bad_cursor("a");        /* one character cannot be base64 */
    expect_bad_cursor("aWQ6MQ ");  /* trailing space */
    expect_bad_cursor(" aWQ6MQ");  /* leading space */
    expect_bad_cursor("aWQ6MQ\n"); /* line feed */
    expect_bad_cursor("aWQ+MQ");   /* standard alphabet */
    expect_bad_cursor("aWQ/MQ");
    expect_bad_cursor("!!!!");
    expect_bad_cursor("1"); /* a raw id is not a cursor */
    expect_bad_cursor("42");
}

static void cursor_refuses_payloads_we_never_issue(void **state)
{
    static const char *const payloads[] = {
        "id:",
        "id:0",
        "id:01",
        "id:-1",
        "id:+1",
        "id: 1",
        "id:1 ",
        "id:1x",
        "id:x",
        "ID:1",
        "xx:1",
        "id=1",
        "1",
        "id:9223372036854775808",
        "id:99999999999999999999",
        "id:1\n",
        "iid:1",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        char c[128];
        forge(payloads[i], c, sizeof c);
        expect_bad_cursor(c);
    }
}

static void cursor_refuses_overlong_text(void **state)
{
    char c[256];
    memset(c, 'A', sizeof c - 1);
    c[sizeof c - 1] = '\0';
    expect_bad_cursor(c);
    c[PAGING_CURSOR_MAX + 1] = '\0';
    expect_bad_cursor(c);
}

static void parse_reads_both(void **state)
{
    struct paging pg = {0, 0, 0};
    char c[PAGING_CURSOR_MAX + 1];
    paging_cursor_encode(500, c);
    assert_int_equal(paging_parse("25", c, &pg, NULL), 0);
    assert_int_equal(pg.size, 25);
    assert_int_equal(pg.after, 500);
    assert_int_equal(paging_parse(NULL, NULL, &pg, NULL), 0);
    assert_int_equal(pg.size, 100);
    assert_int_equal(pg.after, 0);
}

static void parse_leaves_out_untouched_on_either_error(void **state)
{
    struct paging pg = {3, 4, 0};
    struct err e;
    err_clear(&e);
    assert_int_equal(paging_parse("0", "aWQ6MQ", &pg, &e), ERR_MALFORMED);
    assert_string_equal(e.field, "page[size]");
    assert_int_equal(pg.size, 3);
    assert_int_equal(pg.after, 4);
    err_clear(&e);
    assert_int_equal(paging_parse("10", "nope", &pg, &e), ERR_MALFORMED);
    assert_string_equal(e.field, "page[after]");
    assert_int_equal(pg.size, 3);
    assert_int_equal(pg.after, 4);
}

/* ---- keyed cursors ------------------------------------------------------------------------- */

static void keyed_cursor_round_trips(void **state)
{
    const int64_t keys[][2] = {{0, 1}, {1767225600, 42}, {INT64_MAX, INT64_MAX}, {7, 1}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char c[PAGING_CURSOR_MAX + 1];
        paging_keyed_encode(keys[i][0], keys[i][1], c);
        assert_true(strlen(c) <= PAGING_CURSOR_MAX);
        int64_t at = -1, id = -1;
        assert_int_equal(paging_keyed_decode(c, &at, &id, NULL), 0);
        assert_int_equal(at, keys[i][0]);
        assert_int_equal(id, keys[i][1]);
        /* A keyed cursor is not an id cursor, nor the other way round. */
        int64_t v = 77;
        assert_int_equal(paging_cursor_decode(c, &v, NULL), ERR_MALFORMED);
        paging_cursor_encode(keys[i][1], c);
        assert_int_equal(paging_keyed_decode(c, &at, &id, NULL), ERR_MALFORMED);
    }
    char c[PAGING_CURSOR_MAX + 1];
    paging_keyed_encode(5, 9, c);
    assert_string_equal(c, "YXQ6NTo5"); /* base64url("at:5:9") */
    int64_t at = 3, id = 3;
    assert_int_equal(paging_keyed_decode("", &at, &id, NULL), 0);
    assert_true(at == 0 && id == 0);
}

static void keyed_cursor_refuses_payloads_we_never_issue(void **state)
{
    static const char *const payloads[] = {
        "at:", "at:1", "at:1:", "at::1", "at:01:1", "at:1:01", "at:-1:1", "at:1:0", "at:1:-1",
        "at:1:2:3", "at:1:2 ", "at: 1:2", "AT:1:2", "id:1", "at:9223372036854775808:1",
        "at:1:9223372036854775808",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        char c[128];
        forge(payloads[i], c, sizeof c);
        int64_t at = 77, id = 77;
        struct err e;
        err_clear(&e);
        if (paging_keyed_decode(c, &at, &id, &e) != ERR_MALFORMED)
            fail_msg("keyed payload \"%s\" was accepted", payloads[i]);
        assert_true(at == 77 && id == 77);
        assert_string_equal(e.field, "page[after]");
    }
}

/* ---- the next link --------------------------------------------------------------------------- */

static void next_link_without_other_args(void **state)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(paging_next_link(&b, "/api/v2/tickets", NULL, 0, 2, "aWQ6Mg"), 0);
    assert_string_equal(buf_cstr(&b), "/api/v2/tickets?page%5Bsize%5D=2&page%5Bafter%5D=aWQ6Mg");
    buf_release(&b);
}

static void next_link_carries_filters_and_drops_old_paging(void **state)
{
    const struct paging_arg args[] = {
        {"page[size]", "5"}, {"status", "open"}, {"page[after]", "aWQ6MQ"},
        {"q", "a b&c=d/é"},  {"flag", NULL},
    };
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(paging_next_link(&b, "/api/v2/x", args, 5, 5, "aWQ6Mg"), 0);
    assert_string_equal(buf_cstr(&b), "/api/v2/x?status=open&q=a%20b%26c%3Dd%2F%C3%A9&flag"
                                      "&page%5Bsize%5D=5&page%5Bafter%5D=aWQ6Mg");
    buf_release(&b);
}

static void next_link_at_the_limit_leaves_the_buffer_as_it_was(void **state)
{
    struct buf b;
    buf_init(&b, 40);
    assert_int_equal(buf_append_cstr(&b, "keep"), 0);
    assert_int_equal(paging_next_link(&b, "/api/v2/tickets", NULL, 0, 100, "aWQ6MTIzNDU2"),
                     ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "keep");
    assert_int_equal(b.len, 4);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(size_defaults_to_the_maximum),
        cmocka_unit_test(size_accepts_1_to_100),
        cmocka_unit_test(size_refuses_everything_else),
        cmocka_unit_test(cursor_has_a_fixed_spelling),
        cmocka_unit_test(cursor_round_trips),
        cmocka_unit_test(absent_or_empty_cursor_starts_at_the_beginning),
        cmocka_unit_test(cursor_refuses_bad_base64url),
        cmocka_unit_test(cursor_refuses_payloads_we_never_issue),
        cmocka_unit_test(cursor_refuses_overlong_text),
        cmocka_unit_test(parse_reads_both),
        cmocka_unit_test(parse_leaves_out_untouched_on_either_error),
        cmocka_unit_test(keyed_cursor_round_trips),
        cmocka_unit_test(keyed_cursor_refuses_payloads_we_never_issue),
        cmocka_unit_test(next_link_without_other_args),
        cmocka_unit_test(next_link_carries_filters_and_drops_old_paging),
        cmocka_unit_test(next_link_at_the_limit_leaves_the_buffer_as_it_was),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
