/* test_search_query: the core/search_query.h contract: every property and operator, free text
 * and phrases, negation, the reference kinds (me, none, id, email or name), the masks that
 * comparisons turn into, and the errors (ERR_INVALID naming "query" with the position, the
 * output untouched).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/search_query.h"

#include <stdio.h>
#include <string.h>

#define BIT(x) (1u << (x))

static struct search_query parsed(const char *text)
{
    struct search_query q;
    struct err e;
    err_clear(&e);
    int rc = search_query_parse(text, strlen(text), &q, &e);
    if (rc)
        fail_msg("search_query_parse(\"%s\") = %d: %s", text, rc, e.message);
    return q;
}

static void value_is(const struct search_term *t, const char *want)
{
    char got[256];
    snprintf(got, sizeof got, "%.*s", (int)t->value.len, t->value.ptr);
    assert_string_equal(got, want);
}

/* Expect ERR_INVALID naming "query" with this message, and the output untouched. */
static void refused(const char *text, const char *message)
{
    struct search_query q;
    memset(&q, 0x5A, sizeof q);
    struct err e;
    err_clear(&e);
    int rc = search_query_parse(text, strlen(text), &q, &e);
    if (rc != ERR_INVALID)
        fail_msg("search_query_parse(\"%s\") = %d, want ERR_INVALID", text, rc);
    assert_string_equal(e.field, "query");
    assert_string_equal(e.message, message);
    const unsigned char *p = (const unsigned char *)&q;
    for (size_t i = 0; i < sizeof q; i++)
        assert_int_equal(p[i], 0x5A);
}

static void test_type_and_status(void **state)
{
    (void)state;
    struct search_query q = parsed("type:ticket status:open");
    assert_int_equal(q.count, 2);
    assert_int_equal(q.terms[0].field, SEARCH_TYPE);
    assert_int_equal(q.terms[1].field, SEARCH_STATUS);
    assert_int_equal(q.terms[1].op, SEARCH_OP_EQ);
    assert_int_equal(q.terms[1].mask, BIT(1));
    assert_int_equal(q.terms[1].pos, 12);
    value_is(&q.terms[1], "open");
}

static void test_comparisons_become_masks(void **state)
{
    (void)state;
    assert_int_equal(parsed("status<solved").terms[0].mask, BIT(0) | BIT(1) | BIT(2) | BIT(3));
    assert_int_equal(parsed("status<=pending").terms[0].mask, BIT(0) | BIT(1) | BIT(2));
    assert_int_equal(parsed("status>hold").terms[0].mask, BIT(4) | BIT(5));
    assert_int_equal(parsed("status>=closed").terms[0].mask, BIT(5));
    assert_int_equal(parsed("status<new").terms[0].mask, 0);
    assert_int_equal(parsed("priority>normal").terms[0].mask, BIT(2) | BIT(3));
    assert_int_equal(parsed("priority:LOW").terms[0].mask, BIT(0));
    assert_int_equal(parsed("Status:OPEN").terms[0].mask, BIT(1));
}

static void test_references(void **state)
{
    (void)state;
    struct search_query q = parsed("assignee:me assignee:none assignee:42 assignee:A@B.example "
                                   "requester:me requester:7 organization:\"Acme Shop\" "
                                   "organization:none group:Billing group:3");
    assert_int_equal(q.count, 10);
    enum search_ref want[] = {SEARCH_REF_ME,   SEARCH_REF_NONE, SEARCH_REF_ID,   SEARCH_REF_NAME,
                              SEARCH_REF_ME,   SEARCH_REF_ID,   SEARCH_REF_NAME, SEARCH_REF_NONE,
                              SEARCH_REF_NAME, SEARCH_REF_ID};
    for (size_t i = 0; i < q.count; i++)
        assert_int_equal(q.terms[i].ref, want[i]);
    assert_int_equal(q.terms[2].id, 42);
    assert_int_equal(q.terms[5].id, 7);
    assert_int_equal(q.terms[9].id, 3);
    value_is(&q.terms[3], "A@B.example");
    value_is(&q.terms[6], "Acme Shop");
    assert_int_equal(q.terms[6].field, SEARCH_ORGANIZATION);
}

static void test_text_phrases_tags_and_negation(void **state)
{
    (void)state;
    struct search_query q = parsed("  checkout \"card declined\" -refund -\"a: b\" tag:vip "
                                   "-tags:spam\t\n");
    assert_int_equal(q.count, 6);
    value_is(&q.terms[0], "checkout");
    assert_int_equal(q.terms[0].field, SEARCH_TEXT);
    assert_false(q.terms[0].negated);
    value_is(&q.terms[1], "card declined");
    value_is(&q.terms[2], "refund");
    assert_true(q.terms[2].negated);
    value_is(&q.terms[3], "a: b");
    assert_true(q.terms[3].negated);
    assert_int_equal(q.terms[3].field, SEARCH_TEXT);
    assert_int_equal(q.terms[4].field, SEARCH_TAGS);
    value_is(&q.terms[4], "vip");
    assert_int_equal(q.terms[5].field, SEARCH_TAGS);
    assert_true(q.terms[5].negated);
    assert_int_equal(parsed("-x").terms[0].pos, 0);
    value_is(&parsed("--x").terms[0], "-x");
}

static void test_errors_name_the_position(void **state)
{
    (void)state;
    refused("", "query must not be empty");
    refused(" \t ", "query must not be empty");
    refused("status:", "query at position 1: status needs a value");
    refused("a status:bogus",
            "query at position 3: status must be one of new, open, pending, hold, solved, closed");
    refused("priority:top",
            "query at position 1: priority must be one of low, normal, high, urgent");
    refused("foo:bar", "query at position 1: unknown property \"foo\" (quote it to search for the "
                       "text)");
    refused("x \"open", "query at position 3: the quote is never closed");
    refused("a\"b", "query at position 2: a quote may only start a term or a value: quote the "
                    "whole value");
    refused("\"a\"b", "query at position 4: expected white space after the closing quote");
    refused("\"\"", "query at position 1: a quoted phrase must not be empty");
    refused("- x", "query at position 1: '-' must be followed by a term");
    refused(":x", "query at position 1: ':' must follow a property name such as status");
    refused("tags<vip", "query at position 1: '<' and '>' compare status and priority only, not "
                        "tags");
    refused("type:user", "query at position 1: type must be ticket: only tickets are searched");
    refused("-type:ticket", "query at position 1: type cannot be negated");
    refused("assignee:bob", "query at position 1: assignee must be me, none, a user id or an "
                            "email address");
    refused("requester:none", "query at position 1: requester must be me, a user id or an email "
                              "address");
    refused("group:99999999999999999999",
            "query at position 1: group id must be 1 to 9223372036854775807");
    refused("group:0", "query at position 1: group id must be 1 to 9223372036854775807");
    refused("a\x01", "query at position 2: control characters are not allowed");
    refused("ok \xff", "query at position 4: the query is not valid UTF-8");
}

static void test_limits(void **state)
{
    (void)state;
    char many[SEARCH_TERMS_MAX * 2 + 3];
    size_t n = 0;
    for (int i = 0; i < SEARCH_TERMS_MAX; i++) {
        many[n++] = 'a';
        many[n++] = ' ';
    }
    many[n] = '\0';
    assert_int_equal(parsed(many).count, SEARCH_TERMS_MAX);
    many[n++] = 'b';
    many[n] = '\0';
    refused(many, "query at position 49: a query may have at most 24 terms");
    char big[SEARCH_QUERY_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    refused(big, "query must be at most 1024 bytes");
    big[SEARCH_QUERY_MAX] = '\0';
    assert_int_equal(parsed(big).count, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_and_status),
        cmocka_unit_test(test_comparisons_become_masks),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_text_phrases_tags_and_negation),
        cmocka_unit_test(test_errors_name_the_position),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
