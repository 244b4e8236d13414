/* category_suggest: a request category suggested from a ticket's subject and body by the policy
 * pack's keyword rules (issue 5: "Auto-suggest a category from the subject and body with keyword
 * rules in the pack; staff confirm"). A suggestion only: staff confirm it by setting the category.
 *
 * Matching. A keyword (one word or a phrase, as the pack writes it) matches where it starts at a
 * word boundary of the text, ASCII letters compared without case: "refund" matches "Refunds" and
 * "a refund", not "prerefund". The keyword's end need not end a word, so a stem catches its
 * inflections ("refund" -> "refunded"). White space inside a phrase matches any run of white
 * space. Non-ASCII bytes compare exactly.
 *
 * Scoring. Each rule scores the number of its distinct keywords found, a keyword in the subject
 * counting 2 (the subject names the request; a body can wander), in the body only 1. The rule
 * with the highest score wins; a tie goes to the rule listed first (the pack lists the policy
 * answers first, so "refund" beats a generic billing word); no match suggests nothing.
 *
 * Cost: near-linear in the text: one pass over the subject's and one over the body's word starts,
 * each trying only the keywords not yet found whose first byte (ASCII case folded) is the one
 * there (the worst case, many keywords sharing a first byte and failing late, is
 * O(keywords x text)). The body is read up to CATEGORY_SUGGEST_BODY_MAX bytes: the opening of a
 * request says what it is about. category_keyword_found() is the plain one-keyword scan.
 *
 * Pure: no I/O, no allocation; thread-safe.
 */
#ifndef FRONTDESK_CORE_CATEGORY_SUGGEST_H
#define FRONTDESK_CORE_CATEGORY_SUGGEST_H

#include <stddef.h>

#define CATEGORY_SUGGEST_BODY_MAX 16384

struct category_rule {
    const char *category;        /* a category id (core/policy.h) */
    const char *const *keywords; /* NUL-terminated, non-empty */
    size_t keyword_count;
};

/* The suggested category id (a rule's `category` pointer), or NULL when no rule matches.
 * subject and body may be NULL (empty). */
const char *category_suggest(const struct category_rule *rules, size_t rule_count,
                             const char *subject, const char *body);

/* Does keyword occur in text[0..len) at a word start (the rules above)? Exposed for tests. */
int category_keyword_found(const char *text, size_t len, const char *keyword);

#endif
