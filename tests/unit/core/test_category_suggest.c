/* test_category_suggest: the core/category_suggest.h contract: word-start matching without case,
 * stems, phrases over any white space, the subject counting double, ties to the rule listed
 * first, nothing for no match, and the body read only up to CATEGORY_SUGGEST_BODY_MAX bytes; and
 * category_suggest() equal to a plain reference of those rules on a few thousand random cases. */
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

/* ---- a cross-check against a plain reference of the header's rules ------------------------ */

static int ref_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int ref_word(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static unsigned char ref_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* The header's rules, keyword by keyword, position by position. */
static int ref_found(const char *text, size_t len, const char *keyword)
{
    const unsigned char *t = (const unsigned char *)text;
    const unsigned char *kw = (const unsigned char *)keyword;
    while (ref_space(*kw))
        kw++;
    if (!*kw)
        return 0;
    for (size_t at = 0; at < len; at++) {
        int start = at == 0 || !ref_word(t[at - 1]) || !ref_word(t[at]);
        if (!start)
            continue;
        size_t i = at;
        const unsigned char *k = kw;
        int ok = 1;
        while (*k && ok) {
            if (ref_space(*k)) {
                while (ref_space(*k))
                    k++;
                size_t run = 0;
                while (i < len && ref_space(t[i]))
                    i++, run++;
                ok = run > 0;
            } else {
                ok = i < len && ref_lower(t[i]) == ref_lower(*k);
                i++;
                k++;
            }
        }
        if (ok)
            return 1;
    }
    return 0;
}

static const char *ref_suggest(const struct category_rule *rs, size_t n, const char *subject,
                               const char *body)
{
    size_t slen = subject ? strlen(subject) : 0, blen = body ? strlen(body) : 0;
    if (blen > CATEGORY_SUGGEST_BODY_MAX)
        blen = CATEGORY_SUGGEST_BODY_MAX;
    const char *best = NULL;
    size_t best_score = 0;
    for (size_t r = 0; r < n; r++) {
        size_t score = 0;
        for (size_t k = 0; k < rs[r].keyword_count; k++) {
            int dup = 0;
            for (size_t j = 0; j < k; j++)
                dup |= strcmp(rs[r].keywords[j], rs[r].keywords[k]) == 0;
            if (dup)
                continue;
            if (ref_found(subject, slen, rs[r].keywords[k]))
                score += 2;
            else if (ref_found(body, blen, rs[r].keywords[k]))
                score += 1;
        }
        if (score > best_score) {
            best_score = score;
            best = rs[r].category;
        }
    }
    return best;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rng(uint32_t bound) /* xorshift64*: fixed seed, the same cases every run */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 32) % bound;
}

/* Few distinct bytes, so keywords do occur: letters in both cases, digits, white space,
 * punctuation, and the bytes of "é" (0xC3 0xA9) and a stray 0xC3. */
static const char alphabet[] = "aAbBcCab1 \t\n -.,\xC3\xA9\xC3";

static void random_text(char *out, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[rng(sizeof alphabet - 1)];
    out[len] = '\0';
}

#define RULES_MAX 12
#define KW_MAX    60

static void test_matches_a_reference_on_random_texts(void **state)
{
    (void)state;
    static char kwtext[RULES_MAX][KW_MAX][8];
    static const char *kwptr[RULES_MAX][KW_MAX];
    static const char *const names[RULES_MAX] = {"r0", "r1", "r2", "r3", "r4",  "r5",
                                                 "r6", "r7", "r8", "r9", "r10", "r11"};
    static char subject[64], body[CATEGORY_SUGGEST_BODY_MAX + 200];
    struct category_rule rs[RULES_MAX];
    size_t suggested = 0;
    for (int iter = 0; iter < 4000; iter++) {
        /* Every 50th case has many rules and keywords (past one chunk of the index). */
        size_t nrules = iter % 50 == 0 ? RULES_MAX : 1 + rng(5);
        for (size_t r = 0; r < nrules; r++) {
            size_t nkw = iter % 50 == 0 ? KW_MAX : 1 + rng(6);
            for (size_t k = 0; k < nkw; k++) {
                if (k > 0 && rng(6) == 0) { /* the same keyword twice */
                    memcpy(kwtext[r][k], kwtext[r][rng((uint32_t)k)], sizeof kwtext[r][k]);
                } else {
                    random_text(kwtext[r][k], 1 + rng(4));
                    if (rng(8) == 0)
                        kwtext[r][k][0] = ' '; /* leading white space, or a blank keyword */
                }
                kwptr[r][k] = kwtext[r][k];
            }
            rs[r] = (struct category_rule){names[r], kwptr[r], nkw};
        }
        random_text(subject, rng(20));
        /* Now and then a body past the cap, with a keyword just before and after it. */
        size_t blen = iter % 400 == 7 ? sizeof body - 1 : rng(300);
        random_text(body, blen);
        if (blen > CATEGORY_SUGGEST_BODY_MAX) { /* "zz" ends at the cap, "yy" is past it */
            memcpy(body + CATEGORY_SUGGEST_BODY_MAX - 3, " zz", 3);
            memcpy(body + CATEGORY_SUGGEST_BODY_MAX + 10, " yy", 3);
            kwptr[0][0] = iter / 400 % 2 ? "zz" : "yy";
        }
        const char *subj = rng(10) == 0 ? NULL : subject;
        const char *bod = rng(10) == 0 ? NULL : body;
        const char *want = ref_suggest(rs, nrules, subj, bod);
        const char *got = category_suggest(rs, nrules, subj, bod);
        if (got != want)
            fail_msg("case %d: got %s, want %s (subject \"%s\")", iter, got ? got : "(none)",
                     want ? want : "(none)", subj ? subj : "(null)");
        suggested += got != NULL;
        for (size_t k = 0; k < rs[0].keyword_count; k++) {
            const char *kw = rs[0].keywords[k];
            if (category_keyword_found(body, strlen(body), kw) != ref_found(body, strlen(body), kw))
                fail_msg("case %d: keyword \"%s\" in \"%s\"", iter, kw, body);
        }
    }
    /* The cases are not all "no suggestion" (nor all a suggestion). */
    assert_true(suggested > 1000 && suggested < 3900);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword_matching),
        cmocka_unit_test(test_scoring),
        cmocka_unit_test(test_body_is_read_up_to_the_cap),
        cmocka_unit_test(test_matches_a_reference_on_random_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
