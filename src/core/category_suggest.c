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

/* One pass over the text for all keywords: at each word start, only the keywords whose first
 * byte (folded) is the text's byte there are tried, and a keyword leaves its bucket once found.
 * The keywords are taken in chunks of CHUNK so the index fits on the stack (no allocation): the
 * pack's rules (at most CATEGORY_RULES_KEYWORDS_MAX keywords per rule, one rule per category) fit
 * one chunk, so the text is read once for the subject and once for the body. */
#define CHUNK 256
#define END   UINT16_MAX

struct chunk {
    const unsigned char *kw[CHUNK]; /* after its leading white space; never empty */
    size_t rule[CHUNK];             /* index of its rule, non-decreasing */
    unsigned char score[CHUNK];     /* 2: found in the subject, 1: in the body, 0: not found */
    uint16_t next[CHUNK];           /* the bucket's next keyword, END */
    uint16_t head[256];             /* by folded first byte: the first keyword not yet found */
    size_t n, left;                 /* keywords, and those not found yet */
};

/* Give every keyword not yet found that occurs in text[0..len) at a word start the score w. */
static void scan(struct chunk *ch, const unsigned char *t, size_t len, unsigned char w)
{
    for (size_t at = 0; at < len && ch->left; at++) {
        if (at > 0 && is_word(t[at - 1]) && is_word(t[at]))
            continue; /* inside a word: not a word start */
        uint16_t *link = &ch->head[fold(t[at])];
        while (*link != END) {
            uint16_t i = *link;
            if (match_at(t, len, at, ch->kw[i])) {
                ch->score[i] = w;
                ch->left--;
                *link = ch->next[i]; /* found: out of the bucket */
            } else {
                link = &ch->next[i];
            }
        }
    }
}

const char *category_suggest(const struct category_rule *rules, size_t rule_count,
                             const char *subject, const char *body)
{
    const unsigned char *s = (const unsigned char *)subject, *b = (const unsigned char *)body;
    size_t slen = subject ? strlen(subject) : 0;
    size_t blen = body ? strnlen(body, CATEGORY_SUGGEST_BODY_MAX) : 0;
    struct chunk ch;
    const char *best = NULL;
    size_t best_score = 0, cur_rule = SIZE_MAX, cur_score = 0;
    size_t r = 0, k = 0; /* the next keyword to index: rules[r].keywords[k] */
    while (r < rule_count) {
        ch.n = 0;
        for (size_t i = 0; i < 256; i++)
            ch.head[i] = END;
        while (r < rule_count && ch.n < CHUNK) {
            if (k >= rules[r].keyword_count) {
                r++;
                k = 0;
                continue;
            }
            const unsigned char *kw = (const unsigned char *)rules[r].keywords[k];
            bool dup = listed_before(&rules[r], k); /* a keyword counts once per rule */
            k++;
            while (is_space(*kw))
                kw++;
            if (dup || !*kw)
                continue; /* a blank keyword never matches */
            size_t i = ch.n++;
            ch.kw[i] = kw;
            ch.rule[i] = r;
            ch.score[i] = 0;
            ch.next[i] = ch.head[fold(*kw)];
            ch.head[fold(*kw)] = (uint16_t)i;
        }
        ch.left = ch.n;
        scan(&ch, s, slen, 2);
        scan(&ch, b, blen, 1);
        /* Rules in order, a rule's score carried across chunks: a tie keeps the first. */
        for (size_t i = 0; i < ch.n; i++) {
            if (ch.rule[i] != cur_rule) {
                if (cur_rule != SIZE_MAX && cur_score > best_score) {
                    best_score = cur_score;
                    best = rules[cur_rule].category;
                }
                cur_rule = ch.rule[i];
                cur_score = 0;
            }
            cur_score += ch.score[i];
        }
    }
    if (cur_rule != SIZE_MAX && cur_score > best_score)
        best = rules[cur_rule].category;
    return best;
}
