/* search_query: the query language of GET /api/v2/search, as Zendesk's search spells it, parsed
 * into a flat list of terms. Pure: no I/O, no allocation; the terms borrow the query text.
 *
 * A query is terms separated by white space (space, tab, CR, LF); every term must hold (AND),
 * except that positive equality terms on the same property match any of their values (OR), as
 * Zendesk's `status:open status:pending` does. A term is
 *     [-]word              free text (subject or comment body contains it)
 *     [-]"a phrase"        free text with spaces; no escapes inside, the next '"' ends it
 *     [-]key OP value      a property; OP is ':' (equals), or '<', '>', '<=', '>=' (status and
 *                          priority only, in their natural order); value may be "quoted"
 * '-' negates a term. Keys (ASCII case-insensitive): type, status, priority, assignee,
 * requester, organization, group, tags (and tag). Values:
 *     type          ticket (the only type searched so far)
 *     status        new, open, pending, hold, solved, closed (ordered that way)
 *     priority      low, normal, high, urgent (ordered that way)
 *     assignee      me, none, a user id, or an email (any other text: a name to resolve)
 *     requester     me, a user id, or an email
 *     organization  none, an id, or a name
 *     group         none, an id, or a name
 *     tags          one tag (the caller normalizes it with core/tags.h)
 * A word with ':' '<' or '>' whose key is not one of these is refused, so a typo never silently
 * becomes free text; quote it ("error:500") to search for it.
 *
 * Errors are ERR_INVALID naming "query", the message giving the 1-based byte position:
 * `query: at position 8: status must be one of new, open, pending, hold, solved, closed`.
 * Limits: SEARCH_QUERY_MAX bytes, SEARCH_TERMS_MAX terms. Thread-safe.
 */
#ifndef FRONTDESK_CORE_SEARCH_QUERY_H
#define FRONTDESK_CORE_SEARCH_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define SEARCH_QUERY_MAX 1024 /* bytes of a query */
#define SEARCH_TERMS_MAX 24

enum search_field {
    SEARCH_TEXT,
    SEARCH_TYPE,
    SEARCH_STATUS,
    SEARCH_PRIORITY,
    SEARCH_ASSIGNEE,
    SEARCH_REQUESTER,
    SEARCH_ORGANIZATION,
    SEARCH_GROUP,
    SEARCH_TAGS,
};
#define SEARCH_FIELD_COUNT 9

enum search_op {
    SEARCH_OP_EQ, /* ':' (and free text) */
    SEARCH_OP_LT,
    SEARCH_OP_LE,
    SEARCH_OP_GT,
    SEARCH_OP_GE,
};

/* What a reference value (assignee, requester, organization, group) names. */
enum search_ref {
    SEARCH_REF_ID,   /* id holds it */
    SEARCH_REF_ME,   /* the searching user (assignee, requester) */
    SEARCH_REF_NONE, /* no one (assignee, organization, group) */
    SEARCH_REF_NAME, /* value holds an email or a name to resolve */
};

struct search_term {
    enum search_field field;
    enum search_op op;
    bool negated;
    struct slice value; /* the value as written, quotes removed; borrowed from the query */
    /* Status and priority: the set of values the term matches, bit (1u << enum value) of
     * core/ticket.h's enums, with the comparison already applied. */
    unsigned mask;
    enum search_ref ref; /* reference fields */
    int64_t id;          /* SEARCH_REF_ID */
    size_t pos;          /* 0-based byte offset of the term in the query */
};

struct search_query {
    struct search_term terms[SEARCH_TERMS_MAX];
    size_t count; /* >= 1 after a successful parse */
};

/* Parse len bytes of text into *out. Returns 0, or ERR_INVALID naming "query" (empty query,
 * unterminated quote, unknown key, bad value, operator on a property without order, too long,
 * too many terms, invalid UTF-8). *out is untouched on failure. */
int search_query_parse(const char *text, size_t len, struct search_query *out, struct err *e);

/* "status", "tags", ... as keys are spelled; "text" for SEARCH_TEXT. */
const char *search_field_name(enum search_field f);

#endif
