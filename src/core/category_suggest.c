#include "core/category_suggest.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Does keyword match text starting exactly at text[at]? */
static bool match_at(const unsigned char *text, size_t len, size_t at, const unsigned char *k)
{
    size_t i = at;
    while (*k) {
        if (is_space(*k)) { /* any run of white space in the phrase matches any run in the text */
            while (is_space(*k))
                k++;
            if (i >= len || !is_space(text[i]))
                return false;
            while (i < len && is_space(text[i]))
                i++;
            continue;
        }
        if (i >= len || fold(text[i]) != fold(*k))
            return false;
        i++;
        k++;
    }
    return true;
}

int category_keyword_found(const char *text, size_t len, const char *keyword)
{
    const unsigned char *t = (const unsigned char *)text;
    const unsigned char *k = (const unsigned char *)keyword;
    while (is_space(*k))
        k++;
    if (!*k || !t)
        return 0;
    for (size_t at = 0; at < len; at++) {
        if (at > 0 && is_word(t[at - 1]) && is_word(t[at]))
            continue; /* inside a word: not a word start */
        if (fold(t[at]) == fold(*k) && match_at(t, len, at, k))
            return 1;
    }
    return 0;
}

static bool listed_before(const struct category_rule *rule, size_t k)
{
    for (size_t j = 0; j < k; j++)
        if (strcmp(rule->keywords[j], rule->keywords[k]) == 0)
            return true;
    return false;
}

/* Which folded bytes begin a word of text[0..len) (set[b / 64] bit b % 64): a keyword whose
 * first byte is not among them cannot be found, and most keywords of most texts are not. */
static void word_start_bytes(const unsigned char *t, size_t len, uint64_t set[4])
{
    set[0] = set[1] = set[2] = set[3] = 0;
    for (size_t at = 0; at < len; at++)
        if (!(at > 0 && is_word(t[at - 1]) && is_word(t[at]))) {
            unsigned char c = fold(t[at]);
            set[c / 64] |= (uint64_t)1 << (c % 64);
        }
}

static bool may_start(const uint64_t set[4], const char *keyword)
{
    const unsigned char *k = (const unsigned char *)keyword;
    while (is_space(*k))
        k++;
    unsigned char c = fold(*k);
    return (set[c / 64] >> (c % 64)) & 1;
}

const char *category_suggest(const struct category_rule *rules, size_t rule_count,
                             const char *subject, const char *body)
{
    size_t slen = subject ? strlen(subject) : 0;
    size_t blen = body ? strnlen(body, CATEGORY_SUGGEST_BODY_MAX) : 0;
    uint64_t in_subject[4], in_body[4];
    word_start_bytes((const unsigned char *)subject, slen, in_subject);
    word_start_bytes((const unsigned char *)body, blen, in_body);
    const char *best = NULL;
    size_t best_score = 0;
    for (size_t r = 0; r < rule_count; r++) {
        size_t score = 0;
        for (size_t k = 0; k < rules[r].keyword_count; k++) {
            const char *kw = rules[r].keywords[k];
            if (listed_before(&rules[r], k))
                continue; /* a keyword counts once, however often the rule lists it */
            if (may_start(in_subject, kw) && category_keyword_found(subject, slen, kw))
                score += 2;
            else if (may_start(in_body, kw) && category_keyword_found(body, blen, kw))
                score += 1;
        }
        if (score > best_score) { /* strictly greater: a tie keeps the rule listed first */
            best_score = score;
            best = rules[r].category;
        }
    }
    return best;
}
