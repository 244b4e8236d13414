/* fuzz_category_rules: category_rules_parse(), which reads an admin's keyword rules (the policy
 * pack's "category_keywords" and the settings), then category_suggest() with the rules it gave.
 *
 * Input: the rules JSON up to the first NUL byte; after it, the subject up to the next NUL and
 * the body (the rest). Without a NUL, the suggestion is asked over the JSON text itself, once as
 * the subject and once as the body, so the seeds' own keywords match.
 *
 * Invariants: a failure is ERR_INVALID or ERR_MALFORMED naming a field under
 * "category_keywords", or ERR_LIMIT (the arena's cap), and leaves the outputs untouched; a
 * success holds rules whose category is a known one (core/policy.h) and listed once, with 1 to
 * CATEGORY_RULES_KEYWORDS_MAX keywords of 1 to CATEGORY_RULES_KEYWORD_MAX bytes each, not only
 * white space. A suggestion is NULL or one of the rules' category pointers, and it is the first
 * rule with the highest score of the header (a keyword found in the subject counts 2, in the
 * first CATEGORY_SUGGEST_BODY_MAX bytes of the body 1), using category_keyword_found() as the
 * matcher; NULL exactly when no keyword is found. A keyword a rule lists twice counts once.
 */
#include "fuzz.h"

#include "base/arena.h"
#include "core/category_suggest.h"
#include "core/policy.h"
#include "service/category_rules.h"

#include <string.h>

/* Enough for the pack's rules (about 6 KiB), small enough that the fuzzer reaches the cap. */
#define ARENA_LIMIT (16 * 1024)

/* The header's score of rule r: its distinct keywords found, 2 in the subject, else 1 in the
 * body. A keyword the rule lists twice counts once. */
static size_t score(const struct category_rule *r, const char *subject, const char *body)
{
    size_t slen = subject ? strlen(subject) : 0;
    size_t blen = body ? strnlen(body, CATEGORY_SUGGEST_BODY_MAX) : 0;
    size_t s = 0;
    for (size_t k = 0; k < r->keyword_count; k++) {
        const char *kw = r->keywords[k];
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = strcmp(r->keywords[j], kw) == 0;
        if (seen)
            continue;
        if (subject && category_keyword_found(subject, slen, kw))
            s += 2;
        else if (body && category_keyword_found(body, blen, kw))
            s += 1;
    }
    return s;
}

static void check_suggest(const struct category_rule *rules, size_t n, const char *subject,
                          const char *body)
{
    const char *got = category_suggest(rules, n, subject, body);
    const char *want = NULL;
    size_t best = 0;
    bool listed = got == NULL;
    for (size_t i = 0; i < n; i++) {
        size_t s = score(&rules[i], subject, body);
        if (s > best) {
            best = s;
            want = rules[i].category;
        }
        if (got == rules[i].category)
            listed = true;
    }
    FUZZ_CHECK(listed, "suggested %s, not a rule's category pointer", got);
    FUZZ_CHECK(got == want, "suggested %s, the header's scoring gives %s (score %zu)",
               got ? got : "(none)", want ? want : "(none)", best);
}

static void check_rules(const struct category_rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct category_rule *r = &rules[i];
        FUZZ_CHECK(r->category && policy_category_valid(r->category), "rule %zu: category %s", i,
                   r->category ? r->category : "(null)");
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(rules[j].category, r->category) != 0,
                       "rules %zu and %zu both have %s", j, i, r->category);
        FUZZ_CHECK(r->keyword_count >= 1 && r->keyword_count <= CATEGORY_RULES_KEYWORDS_MAX,
                   "rule %zu: %zu keywords", i, r->keyword_count);
        for (size_t k = 0; k < r->keyword_count; k++) {
            const char *kw = r->keywords[k];
            FUZZ_CHECK(kw != NULL, "rule %zu keyword %zu is NULL", i, k);
            size_t len = strlen(kw);
            FUZZ_CHECK(len >= 1 && len <= CATEGORY_RULES_KEYWORD_MAX,
                       "rule %zu keyword %zu: %zu bytes", i, k, len);
            FUZZ_CHECK(strspn(kw, " \t\r\n\f\v") < len, "rule %zu keyword %zu is blank", i, k);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t json_len = nul ? (size_t)(nul - data) : size;

    struct arena a;
    arena_init(&a, ARENA_LIMIT);
    struct category_rule *rules = (struct category_rule *)&a, *const rules_before = rules;
    size_t count = 12345;
    struct err e;
    err_clear(&e);
    int rc = category_rules_parse((const char *)data, json_len, &a, &rules, &count, &e);
    if (rc) {
        FUZZ_CHECK(rc == ERR_INVALID || rc == ERR_MALFORMED || rc == ERR_LIMIT, "rc %d", rc);
        FUZZ_CHECK(e.code == rc, "err code %d, returned %d", e.code, rc);
        FUZZ_CHECK(e.message[0] != '\0', "failure %d without a message", rc);
        /* Every failure names its place (the arena's cap names the whole document). */
        FUZZ_CHECK(strncmp(e.field, "category_keywords", 17) == 0, "field \"%s\" (%s)", e.field,
                   e.message);
        FUZZ_CHECK(rules == rules_before && count == 12345, "outputs changed on failure");
        arena_release(&a);
        return 0;
    }
    FUZZ_CHECK(count == 0 || rules != NULL, "%zu rules at NULL", count);
    check_rules(rules, count);

    if (nul) {
        char *tail = fuzz_cstr(nul + 1, size - json_len - 1);
        char *body = memchr(nul + 1, '\0', size - json_len - 1)
                         ? tail + strlen(tail) + 1
                         : NULL; /* no second NUL: all subject, no body */
        check_suggest(rules, count, tail, body);
        check_suggest(rules, count, NULL, tail);
        free(tail);
    } else {
        char *text = fuzz_cstr(data, size);
        check_suggest(rules, count, text, NULL);
        check_suggest(rules, count, NULL, text);
        free(text);
    }
    check_suggest(rules, count, NULL, NULL);
    arena_release(&a);
    return 0;
}
