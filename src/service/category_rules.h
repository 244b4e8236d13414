/* category_rules: the policy pack's keyword rules that suggest a ticket's request category
 * (core/category_suggest.h), as JSON text and parsed.
 *
 * The rules are a JSON array, in priority order (a tie goes to the rule listed first):
 *   [{"category": "refund_request", "keywords": ["refund", "money back"]}, ...]
 * Each category must be a known one (core/policy.h) and listed at most once; each rule has 1 to
 * CATEGORY_RULES_KEYWORDS_MAX keywords, each 1 to CATEGORY_RULES_KEYWORD_MAX characters of text
 * that is not only white space. Errors name the place: "category_keywords[2].keywords[0]".
 *
 * The rules in force are the settings' POLICY_KEY_KEYWORDS (seeded by `init` from the pack,
 * service/policy_pack.h), or the pack's own when nothing is stored.
 */
#ifndef FRONTDESK_SERVICE_CATEGORY_RULES_H
#define FRONTDESK_SERVICE_CATEGORY_RULES_H

#include <stddef.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/category_suggest.h"
#include "db/db.h"

#define CATEGORY_RULES_KEYWORDS_MAX 50
#define CATEGORY_RULES_KEYWORD_MAX  64

/* Parse and check text[0..len); the rules and their strings come from a. */
int category_rules_parse(const char *text, size_t len, struct arena *a,
                         struct category_rule **rules, size_t *count, struct err *e);

/* How often the rules are compared with the stored ones (a change made through another process
 * shows within this time; one made through this process at once). */
#define CATEGORY_RULES_RECHECK_NS (1000 * 1000 * 1000LL)

/* The category the rules in force suggest for subject and body (a static id, core/policy.h), *out
 * NULL when none. The parsed rules are kept per process (service/text_cache.h); the stored text is
 * read on the caller's connection when they are due for a check. */
int category_rules_suggest(const struct env *env, struct db *db, const char *subject,
                           const char *body, const char **out, struct err *e);

/* Read the stored rules again at the next suggestion (after this process changed them). */
void category_rules_forget(void);

#endif
