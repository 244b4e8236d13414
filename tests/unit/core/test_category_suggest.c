/* test_category_suggest: the core/category_suggest.h contract: word-start matching without case,
 * stems, phrases over any white space, the subject counting double, ties to the rule listed
 * first, nothing for no match, and the body read only up to CATEGORY_SUGGEST_BODY_MAX bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/category_suggest.h"

static int found(const char *text, const char *kw)
{
    return category_keyword_found(text, strlen(text), kw);
}

static void test_keyword_matching(void **state)
{
    (void)state;
    static const struct {
        const char *text, *keyword;
        int want;
    } cases[] = {
        {"I want a refund", "refund", 1},
        {"REFUNDS please", "refund", 1},   /* case and a stem */
        {"was it refunded?", "refund", 1}, /* the keyword's end need not end a word */
        {"prerefund", "refund", 0},        /* not at a word start */
        {"re-fund", "refund", 0},
        {"(refund)", "refund", 1},            /* punctuation is a boundary */
        {"money back now", "money back", 1},  /* a phrase */
        {"money \n\t back", "money back", 1}, /* any run of white space */
        {"moneyback", "money back", 0},
        {"money", "money back", 0}, /* the text ends inside the phrase */
        {"", "refund", 0},
        {"refund", "", 0}, /* an empty keyword never matches */
        {"refund", "   ", 0},
        {"café crème", "crème", 1}, /* UTF-8 bytes compare exactly */
        {"cafécrème", "crème", 0},  /* é's bytes are word bytes */
        {"Delete contacts", "delete contact", 1},
        {"x refund", "refund", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (found(cases[i].text, cases[i].keyword) != cases[i].want)
            fail_msg("case %zu: \"%s\" in \"%s\": want %d", i, cases[i].keyword, cases[i].text,
                     cases[i].want);
    }
    assert_int_equal(category_keyword_found(NULL, 0, "refund"), 0);
    /* len bounds the text: a match past it does not count */
    assert_int_equal(category_keyword_found("no refund", 3, "refund"), 0);
}

static const char *const refund_kw[] = {"refund", "money back", "chargeback"};
static const char *const billing_kw[] = {"invoice", "charge", "billing", "refund"};
static const char *const how_kw[] = {"how do i", "how to"};

static const struct category_rule rules[] = {
    {"refund_request", refund_kw, 3},
    {"billing", billing_kw, 4},
    {"how_to", how_kw, 2},
};

static void test_scoring(void **state)
{
    (void)state;
    static const struct {
        const char *subject, *body, *want; /* want NULL: no suggestion */
    } cases[] = {
        {"Refund please", "", "refund_request"},
        {"", "can I get my money back", "refund_request"},
        /* "refund" is in both rules: tie, the first listed wins */
        {"refund", NULL, "refund_request"},
        /* billing: invoice (2, subject) + charge (1, body) = 3 beats refund_request's 1 */
        {"Invoice question", "the charge looks odd, maybe a refund", "billing"},
        /* the subject counts double: billing has refund (2, subject) + invoice (1, body) = 3 */
        {"Refund", "invoice", "billing"},
        /* refund_request: refund (2) + money back (1) = 3 ties billing's 3: the first listed */
        {"Refund", "invoice, or my money back", "refund_request"},
        {"Question", "How do I add a popup?", "how_to"},
        {"Hello", "Just saying hi", NULL},
        {NULL, NULL, NULL},
        /* a keyword counts once, however often it appears */
        {"", "how to how to how to, invoice billing", "billing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = category_suggest(rules, 3, cases[i].subject, cases[i].body);
        if ((got == NULL) != (cases[i].want == NULL) || (got && strcmp(got, cases[i].want) != 0))
            fail_msg("case %zu: got %s, want %s", i, got ? got : "(none)",
                     cases[i].want ? cases[i].want : "(none)");
    }
    assert_null(category_suggest(NULL, 0, "refund", "refund"));
    /* A keyword a rule lists twice counts once: 1 each, the tie goes to the first rule. */
    static const char *const quote_kw[] = {"invoice", "quote"};
    static const char *const twice_kw[] = {"invoice", "invoice"};
    static const struct category_rule dup[] = {{"sales", quote_kw, 2}, {"billing", twice_kw, 2}};
    assert_string_equal(category_suggest(dup, 2, "", "an invoice"), "sales");
}

static void test_body_is_read_up_to_the_cap(void **state)
{
    (void)state;
    size_t n = CATEGORY_SUGGEST_BODY_MAX + 64;
    char *body = malloc(n + 1);
    assert_non_null(body);
    memset(body, 'a', n);
    body[n] = '\0';
    memcpy(body + CATEGORY_SUGGEST_BODY_MAX + 8, " refund", 7);
    assert_null(category_suggest(rules, 3, "", body)); /* past the cap */
    memcpy(body + 100, " refund", 7);
    assert_string_equal(category_suggest(rules, 3, "", body), "refund_request");
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword_matching),
        cmocka_unit_test(test_scoring),
        cmocka_unit_test(test_body_is_read_up_to_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
