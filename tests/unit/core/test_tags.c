/* test_tags: the core/tags.h contract: normalizing one tag (trim, ASCII lower case, inner white
 * space to "_", the allowed characters, UTF-8 passed through, 1..80 bytes) and building a
 * sorted, distinct tag list of at most 100 tags from strings and single tags, with the output
 * left untouched on every error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/tags.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ---- normalize ------------------------------------------------------------------------------- */

static void normalizes_to(const char *in, size_t len, const char *want)
{
    struct buf out;
    struct err e;
    buf_init(&out, 0);
    err_clear(&e);
    int rc = tags_normalize(in, len, &out, &e);
    if (rc != 0)
        fail_msg("tags_normalize(\"%.*s\") failed: %s", (int)len, in, e.message);
    assert_string_equal(buf_cstr(&out), want);
    assert_int_equal(out.len, strlen(want));
    /* Idempotent: a normalized tag normalizes to itself. */
    struct buf again;
    buf_init(&again, 0);
    assert_int_equal(tags_normalize(out.ptr, out.len, &again, NULL), 0);
    assert_string_equal(buf_cstr(&again), want);
    buf_release(&again);
    buf_release(&out);
}

/* Expect ERR_INVALID for field "tags", the buffer untouched, and (when not NULL) the message. */
static void refused(const char *in, size_t len, const char *message)
{
    struct buf out;
    struct err e;
    buf_init(&out, 0);
    buf_append_cstr(&out, "keep");
    err_clear(&e);
    int rc = tags_normalize(in, len, &out, &e);
    if (rc != ERR_INVALID)
        fail_msg("tags_normalize(\"%.*s\") = %d (\"%s\"), want ERR_INVALID", (int)len, in, rc,
                 buf_cstr(&out));
    assert_string_equal(e.field, "tags");
    assert_string_equal(buf_cstr(&out), "keep");
    assert_int_equal(out.len, 4);
    if (message)
        assert_string_equal(e.message, message);
    buf_release(&out);
}

#define NORM(lit, want) normalizes_to((lit), sizeof(lit) - 1, (want))
#define BAD(lit)        refused((lit), sizeof(lit) - 1, NULL)
#define BAD_MSG(lit, m) refused((lit), sizeof(lit) - 1, (m))

static void normalize_lowercases_ascii(void **state)
{
    (void)state;
    NORM("billing", "billing");
    NORM("Billing", "billing");
    NORM("VIP", "vip");
    NORM("MiXeD-Case_42", "mixed-case_42");
}

static void normalize_trims_and_joins_inner_spaces(void **state)
{
    (void)state;
    NORM("  billing  ", "billing");
    NORM("\t\r\nbilling\n", "billing");
    NORM("Needs Review", "needs_review");
    NORM("needs   review", "needs_review");
    NORM("needs \t review", "needs_review");
    NORM(" a b c ", "a_b_c");
    NORM("a_ b", "a__b");
}

static void normalize_keeps_allowed_punctuation(void **state)
{
    (void)state;
    NORM("a_b-c:d/e.f", "a_b-c:d/e.f");
    NORM("v2.1", "v2.1");
    NORM("0", "0");
    NORM("_", "_");
    NORM("...", "...");
    NORM("product:app/ios", "product:app/ios");
}

static void normalize_refuses_other_characters(void **state)
{
    (void)state;
    BAD_MSG("a#b",
            "tag \"a#b\" contains \"#\", which is not allowed: use letters, digits and _ - : / .");
    BAD_MSG("a,b", "tag \"a,b\" contains a comma, which is not allowed: use letters, digits and "
                   "_ - : / .");
    BAD_MSG("say \"hi\"", "tag \"say \"hi\"\" contains a double quote, which is not allowed: use "
                          "letters, digits and _ - : / .");
    BAD_MSG("bell\x07", "tag \"bell?\" contains the control character 0x07, which is not "
                        "allowed: use letters, digits and _ - : / .");
    static const char others[] = "!#$%&'()*+,;<=>?@[\\]^`{|}~\"";
    for (size_t i = 0; i < sizeof others - 1; i++) {
        char in[4] = {'x', others[i], 'y', '\0'};
        refused(in, 3, NULL);
    }
    BAD("a\x7f");
    BAD("\x01");
    /* A NUL inside len is a character like any other, and not allowed. */
    BAD("a\0b");
    BAD("ab\0");
}

static void normalize_refuses_empty(void **state)
{
    (void)state;
    refused(NULL, 0, "tag is empty");
    BAD_MSG("", "tag is empty");
    BAD_MSG("   ", "tag is empty");
    BAD_MSG(" \t\r\n ", "tag is empty");
}

static void normalize_length_is_1_to_80_bytes(void **state)
{
    (void)state;
    char in[200], want[100];
    memset(in, 'A', 81);
    memset(want, 'a', 80);
    want[80] = '\0';
    normalizes_to(in, 80, want);
    refused(in, 81, NULL);

    /* Trimmed white space does not count. */
    in[0] = ' ';
    memset(in + 1, 'a', 80);
    in[81] = ' ';
    normalizes_to(in, 82, want);

    /* The length is counted after inner spaces collapse: 40 + "_" + 39 = 80 bytes. */
    memset(in, 'a', 40);
    memset(in + 40, ' ', 5);
    memset(in + 45, 'a', 39);
    memset(want, 'a', 80);
    want[40] = '_';
    normalizes_to(in, 84, want);
    in[84] = 'a';
    refused(in, 85, NULL);

    /* Bytes, not characters: 78 + "é" (2 bytes) fits, 79 + "é" does not. */
    memset(in, 'a', 79);
    memcpy(in + 78, "\xc3\xa9", 2);
    memset(want, 'a', 78);
    memcpy(want + 78, "\xc3\xa9", 3);
    normalizes_to(in, 80, want);
    memset(in, 'a', 79);
    memcpy(in + 79, "\xc3\xa9", 2);
    refused(in, 81, NULL);

    /* The message shows the start of the tag, cut at a character. */
    memset(in, 'b', 31);
    memcpy(in + 31, "\xc3\xa9", 2);
    memset(in + 33, 'b', 60);
    char message[128];
    snprintf(message, sizeof message, "tag \"%.31s...\" is longer than 80 bytes", in);
    refused(in, 93, message);
}

static void normalize_passes_utf8_through(void **state)
{
    (void)state;
    NORM("café", "café");
    NORM("Café", "café");
    /* Only ASCII is folded: non-ASCII letters keep their case. */
    NORM("ÉTÉ", "ÉtÉ");
    NORM("日本語", "日本語");
    NORM("Grüße Team", "grüße_team");
    NORM("\xf0\x9f\x90\x9b", "\xf0\x9f\x90\x9b"); /* U+1F41B, 4 bytes */
}

static void normalize_refuses_invalid_utf8(void **state)
{
    (void)state;
    BAD_MSG("\xff", "tag is not valid UTF-8");
    BAD_MSG("caf\xc3", "tag is not valid UTF-8"); /* truncated sequence */
    BAD("\xc3"
        "a");                /* lead byte, then ASCII */
    BAD("\x80");             /* lone continuation */
    BAD("\xc0\xaf");         /* overlong "/" */
    BAD("\xed\xa0\x80");     /* UTF-16 surrogate */
    BAD("\xf4\x90\x80\x80"); /* beyond U+10FFFF */
}

static void normalize_appends_and_respects_the_limit(void **state)
{
    (void)state;
    struct buf out;
    struct err e;
    buf_init(&out, 10);
    assert_int_equal(tags_normalize("One", 3, &out, NULL), 0);
    assert_int_equal(tags_normalize(" Two", 4, &out, NULL), 0);
    assert_string_equal(buf_cstr(&out), "onetwo");
    err_clear(&e);
    assert_int_equal(tags_normalize("three", 5, &out, &e), ERR_LIMIT);
    assert_string_equal(e.field, "tags");
    assert_string_equal(buf_cstr(&out), "onetwo");
    assert_int_equal(tags_normalize("four", 4, &out, NULL), 0);
    assert_string_equal(buf_cstr(&out), "onetwofour");
    buf_release(&out);
}

/* ---- lists ----------------------------------------------------------------------------------- */

/* Parse in (a C string) into a list that starts as `start`; expect rc and the list `want`. */
static void parse_into(const char *start, const char *in, int want_rc, const char *want)
{
    struct buf list;
    struct err e;
    buf_init(&list, 0);
    buf_append_cstr(&list, start);
    err_clear(&e);
    int rc = tags_parse_list(in, strlen(in), &list, &e);
    if (rc != want_rc)
        fail_msg("tags_parse_list(\"%s\") into \"%s\" = %d (%s), want %d", in, start, rc, e.message,
                 want_rc);
    if (rc)
        assert_string_equal(e.field, "tags");
    assert_string_equal(buf_cstr(&list), want);
    buf_release(&list);
}

#define PARSE(in, want) parse_into("", (in), 0, (want))

static void list_splits_on_spaces_and_commas(void **state)
{
    (void)state;
    PARSE("a", "a");
    PARSE("a b c", "a b c");
    PARSE("a,b,c", "a b c");
    PARSE("a, b ,c", "a b c");
    PARSE("  ,, a ,b,, ", "a b");
    PARSE("x\ty\nz\r\nw", "w x y z");
    PARSE("Needs Review", "needs review");
}

static void list_of_nothing_is_empty(void **state)
{
    (void)state;
    PARSE("", "");
    PARSE("   ", "");
    PARSE(",,,", "");
    PARSE(" , \t,\n", "");
    struct buf list;
    buf_init(&list, 0);
    assert_int_equal(tags_parse_list(NULL, 0, &list, NULL), 0);
    assert_int_equal(list.len, 0);
    assert_string_equal(buf_cstr(&list), "");
    buf_release(&list);
}

static void list_drops_duplicates(void **state)
{
    (void)state;
    PARSE("a a a", "a");
    PARSE("VIP vip Vip,vIP", "vip");
    PARSE("b a b a", "a b");
}

static void list_is_sorted_by_bytes(void **state)
{
    (void)state;
    /* "1" 0x31 < "_" 0x5f < "b" 0x62 < "z" 0x7a < "é" 0xc3 0xa9; a prefix sorts first. */
    PARSE("é z b2 b10 B1 _x 1 b", "1 _x b b1 b10 b2 z é");
    PARSE("c b a", "a b c");
    PARSE("a: a. a- a/ a_ a", "a a- a. a/ a: a_");
}

static void list_merges_into_an_existing_list(void **state)
{
    (void)state;
    parse_into("b d", "c,A", 0, "a b c d");
    parse_into("b d", "d", 0, "b d");
    parse_into("b d", "", 0, "b d");
    parse_into("b d", "D B", 0, "b d");
}

static void list_refuses_a_bad_tag_whole(void **state)
{
    (void)state;
    parse_into("", "good bad# other", ERR_INVALID, "");
    parse_into("keep", "good bad# other", ERR_INVALID, "keep");
    parse_into("keep", "ok \xff", ERR_INVALID, "keep");
    char in[100];
    memset(in, 'x', 81);
    in[81] = '\0';
    parse_into("keep", in, ERR_INVALID, "keep");

    struct buf list;
    struct err e;
    buf_init(&list, 0);
    err_clear(&e);
    assert_int_equal(tags_parse_list("fine a;b", 8, &list, &e), ERR_INVALID);
    assert_string_equal(e.message, "tag \"a;b\" contains \";\", which is not allowed: use "
                                   "letters, digits and _ - : / .");
    buf_release(&list);
}

/* "t000 t001 ... t(n-1)" */
static void numbered_tags(char *out, size_t size, int from, int n)
{
    size_t o = 0;
    for (int i = from; i < from + n; i++)
        o += (size_t)snprintf(out + o, size - o, "%sT%03d", i > from ? "," : "", i);
}

static void list_holds_at_most_100_tags(void **state)
{
    (void)state;
    char in[2048], twice[4096], want[2048];
    struct buf list;
    struct err e;

    numbered_tags(in, sizeof in, 0, 100);
    numbered_tags(want, sizeof want, 0, 100);
    for (char *p = want; *p; p++)
        *p = *p == ',' ? ' ' : *p == 'T' ? 't' : *p;
    buf_init(&list, 0);
    assert_int_equal(tags_parse_list(in, strlen(in), &list, NULL), 0);
    assert_string_equal(buf_cstr(&list), want);

    /* Duplicates do not count, in the input or against the list. */
    snprintf(twice, sizeof twice, "%s %s", in, in);
    assert_int_equal(tags_parse_list(twice, strlen(twice), &list, NULL), 0);
    assert_string_equal(buf_cstr(&list), want);

    /* One more is refused, and the list stays as it was. */
    err_clear(&e);
    assert_int_equal(tags_parse_list("t100", 4, &list, &e), ERR_LIMIT);
    assert_string_equal(e.field, "tags");
    assert_string_equal(e.message, "a ticket may have at most 100 tags");
    assert_string_equal(buf_cstr(&list), want);
    assert_int_equal(tags_add(&list, "t100", 4, NULL), ERR_LIMIT);
    assert_int_equal(tags_add(&list, "T050", 4, NULL), 0);
    assert_string_equal(buf_cstr(&list), want);

    /* 101 distinct in one input. */
    buf_clear(&list);
    numbered_tags(in, sizeof in, 0, 101);
    assert_int_equal(tags_parse_list(in, strlen(in), &list, NULL), ERR_LIMIT);
    assert_string_equal(buf_cstr(&list), "");
    buf_release(&list);
}

static void list_respects_the_buffer_limit(void **state)
{
    (void)state;
    struct buf list;
    struct err e;
    buf_init(&list, 7);
    assert_int_equal(tags_parse_list("abc", 3, &list, NULL), 0);
    err_clear(&e);
    assert_int_equal(tags_parse_list("de,fg", 5, &list, &e), ERR_LIMIT);
    assert_string_equal(e.field, "tags");
    assert_string_equal(buf_cstr(&list), "abc");
    assert_int_equal(tags_parse_list("abc DEF", 7, &list, NULL), 0);
    assert_string_equal(buf_cstr(&list), "abc def");
    buf_release(&list);
}

static void list_refuses_a_corrupt_list(void **state)
{
    (void)state;
    static const char *const corrupt[] = {" a", "a ", "a  b", "b a", "a a"};
    for (size_t i = 0; i < sizeof corrupt / sizeof *corrupt; i++) {
        parse_into(corrupt[i], "c", ERR_INTERNAL, corrupt[i]);
        struct buf list;
        buf_init(&list, 0);
        buf_append_cstr(&list, corrupt[i]);
        assert_int_equal(tags_add(&list, "c", 1, NULL), ERR_INTERNAL);
        assert_string_equal(buf_cstr(&list), corrupt[i]);
        buf_release(&list);
    }
    char too_long[100];
    memset(too_long, 'a', 81);
    too_long[81] = '\0';
    parse_into(too_long, "", ERR_INTERNAL, too_long);
}

static void add_inserts_one_normalized_tag(void **state)
{
    (void)state;
    struct buf list;
    struct err e;
    buf_init(&list, 0);
    assert_int_equal(tags_add(&list, "m", 1, NULL), 0);
    assert_string_equal(buf_cstr(&list), "m");
    /* A Zendesk array element keeps its inner spaces as "_", not as a separator. */
    assert_int_equal(tags_add(&list, " Needs Review ", 14, NULL), 0);
    assert_string_equal(buf_cstr(&list), "m needs_review");
    assert_int_equal(tags_add(&list, "A", 1, NULL), 0);
    assert_int_equal(tags_add(&list, "zz", 2, NULL), 0);
    assert_int_equal(tags_add(&list, "M", 1, NULL), 0);
    assert_string_equal(buf_cstr(&list), "a m needs_review zz");
    err_clear(&e);
    assert_int_equal(tags_add(&list, "a,b", 3, &e), ERR_INVALID);
    assert_string_equal(e.field, "tags");
    assert_int_equal(tags_add(&list, "", 0, NULL), ERR_INVALID);
    assert_string_equal(buf_cstr(&list), "a m needs_review zz");
    buf_release(&list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalize_lowercases_ascii),
        cmocka_unit_test(normalize_trims_and_joins_inner_spaces),
        cmocka_unit_test(normalize_keeps_allowed_punctuation),
        cmocka_unit_test(normalize_refuses_other_characters),
        cmocka_unit_test(normalize_refuses_empty),
        cmocka_unit_test(normalize_length_is_1_to_80_bytes),
        cmocka_unit_test(normalize_passes_utf8_through),
        cmocka_unit_test(normalize_refuses_invalid_utf8),
        cmocka_unit_test(normalize_appends_and_respects_the_limit),
        cmocka_unit_test(list_splits_on_spaces_and_commas),
        cmocka_unit_test(list_of_nothing_is_empty),
        cmocka_unit_test(list_drops_duplicates),
        cmocka_unit_test(list_is_sorted_by_bytes),
        cmocka_unit_test(list_merges_into_an_existing_list),
        cmocka_unit_test(list_refuses_a_bad_tag_whole),
        cmocka_unit_test(list_holds_at_most_100_tags),
        cmocka_unit_test(list_respects_the_buffer_limit),
        cmocka_unit_test(list_refuses_a_corrupt_list),
        cmocka_unit_test(add_inserts_one_normalized_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
