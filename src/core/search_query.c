/* The query language is Zendesk's search syntax, cut down to the properties tickets have here:
 * https://support.zendesk.com/hc/en-us/articles/4408886879258 (search operators). One pass
 * over the bytes, no backtracking: O(len). */
#include "core/search_query.h"

#include "core/ticket.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define STATUS_COUNT   6
#define PRIORITY_COUNT 4
#define VALUE_WORD_MAX 16 /* longer than any status, priority or keyword */

static const struct {
    const char *name;
    enum search_field field;
} keys[] = {
    {"type", SEARCH_TYPE},
    {"status", SEARCH_STATUS},
    {"priority", SEARCH_PRIORITY},
    {"assignee", SEARCH_ASSIGNEE},
    {"requester", SEARCH_REQUESTER},
    {"organization", SEARCH_ORGANIZATION},
    {"group", SEARCH_GROUP},
    {"tags", SEARCH_TAGS},
    {"tag", SEARCH_TAGS},
};

const char *search_field_name(enum search_field f)
{
    static const char *const names[SEARCH_FIELD_COUNT] = {"text",         "type",     "status",
                                                          "priority",     "assignee", "requester",
                                                          "organization", "group",    "tags"};
    return (unsigned)f < SEARCH_FIELD_COUNT ? names[f] : NULL;
}

static int fail(struct err *e, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct err *e, size_t pos, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set(e, ERR_INVALID, "query", "query at position %zu: %s", pos + 1, what);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The value lower-cased into out (VALUE_WORD_MAX bytes), or false when it is longer. */
static bool lower_word(struct slice v, char out[VALUE_WORD_MAX])
{
    if (v.len >= VALUE_WORD_MAX)
        return false;
    for (size_t i = 0; i < v.len; i++)
        out[i] = lower(v.ptr[i]);
    out[v.len] = '\0';
    return true;
}

static bool word_is(struct slice v, const char *w)
{
    char low[VALUE_WORD_MAX];
    return lower_word(v, low) && strcmp(low, w) == 0;
}

static int find_key(const char *p, size_t len, enum search_field *out)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strlen(keys[i].name) != len)
            continue;
        size_t j = 0;
        while (j < len && lower(p[j]) == keys[i].name[j])
            j++;
        if (j == len) {
            *out = keys[i].field;
            return 0;
        }
    }
    return -1;
}

/* The values v compares op with, as a bit set over count ordered values. */
static unsigned compare_mask(unsigned v, enum search_op op, unsigned count)
{
    unsigned m = 0;
    for (unsigned i = 0; i < count; i++) {
        bool in = op == SEARCH_OP_EQ   ? i == v
                  : op == SEARCH_OP_LT ? i < v
                  : op == SEARCH_OP_LE ? i <= v
                  : op == SEARCH_OP_GT ? i > v
                                       : i >= v;
        if (in)
            m |= 1u << i;
    }
    return m;
}

/* A canonical-enough decimal id: digits only, 1..INT64_MAX. */
static bool parse_id(struct slice v, int64_t *out)
{
    int64_t id = 0;
    if (v.len == 0 || v.len > 19)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] < '0' || v.ptr[i] > '9' || id > (INT64_MAX - (v.ptr[i] - '0')) / 10)
            return false;
        id = id * 10 + (v.ptr[i] - '0');
    }
    *out = id;
    return id > 0;
}

static bool all_digits(struct slice v)
{
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr[i] < '0' || v.ptr[i] > '9')
            return false;
    return v.len > 0;
}

static int ref_value(struct search_term *t, struct err *e)
{
    const char *name = search_field_name(t->field);
    bool people = t->field == SEARCH_ASSIGNEE || t->field == SEARCH_REQUESTER;
    if (people && word_is(t->value, "me")) {
        t->ref = SEARCH_REF_ME;
    } else if (t->field != SEARCH_REQUESTER && word_is(t->value, "none")) {
        t->ref = SEARCH_REF_NONE;
    } else if (all_digits(t->value)) {
        if (!parse_id(t->value, &t->id))
            return fail(e, t->pos, "%s id must be 1 to 9223372036854775807", name);
        t->ref = SEARCH_REF_ID;
    } else if (people && !memchr(t->value.ptr, '@', t->value.len)) {
        return fail(e, t->pos, "%s must be %s, a user id or an email address", name,
                    t->field == SEARCH_ASSIGNEE ? "me, none" : "me");
    } else {
        t->ref = SEARCH_REF_NAME;
    }
    return 0;
}

static int enum_value(struct search_term *t, struct err *e)
{
    char low[VALUE_WORD_MAX];
    bool ok = lower_word(t->value, low);
    if (t->field == SEARCH_STATUS) {
        enum ticket_status s;
        if (!ok || ticket_status_parse(low, strlen(low), &s))
            return fail(e, t->pos,
                        "status must be one of new, open, pending, hold, solved, closed");
        t->mask = compare_mask((unsigned)s, t->op, STATUS_COUNT);
    } else {
        enum ticket_priority p;
        if (!ok || ticket_priority_parse(low, strlen(low), &p))
            return fail(e, t->pos, "priority must be one of low, normal, high, urgent");
        t->mask = compare_mask((unsigned)p, t->op, PRIORITY_COUNT);
    }
    return 0;
}

/* Check a property term's value and fill what it means. */
static int property_value(struct search_term *t, struct err *e)
{
    const char *name = search_field_name(t->field);
    bool ordered = t->field == SEARCH_STATUS || t->field == SEARCH_PRIORITY;
    if (t->op != SEARCH_OP_EQ && !ordered)
        return fail(e, t->pos, "'<' and '>' compare status and priority only, not %s", name);
    switch (t->field) {
    case SEARCH_TYPE:
        if (t->negated)
            return fail(e, t->pos, "type cannot be negated");
        if (!word_is(t->value, "ticket"))
            return fail(e, t->pos, "type must be ticket: only tickets are searched");
        return 0;
    case SEARCH_STATUS:
    case SEARCH_PRIORITY:
        return enum_value(t, e);
    case SEARCH_TAGS:
    case SEARCH_TEXT:
        return 0;
    default:
        return ref_value(t, e);
    }
}

/* A value starting at p: "quoted" (to the next quote) or bare (to white space). *end is just
 * past it. */
static int scan_value(const char *text, size_t len, size_t p, struct slice *v, size_t *end,
                      struct err *e)
{
    if (p < len && text[p] == '"') {
        const char *q = memchr(text + p + 1, '"', len - p - 1);
        if (!q)
            return fail(e, p, "the quote is never closed");
        size_t close = (size_t)(q - text);
        *v = (struct slice){text + p + 1, close - p - 1};
        *end = close + 1;
        if (*end < len && !is_space(text[*end]))
            return fail(e, *end, "expected white space after the closing quote");
        return 0;
    }
    size_t i = p;
    while (i < len && !is_space(text[i])) {
        if (text[i] == '"')
            return fail(e, i, "a quote may only start a term or a value: quote the whole value");
        i++;
    }
    *v = (struct slice){text + p, i - p};
    *end = i;
    return 0;
}

/* One term starting at *at (not white space); *at moves past it. */
static int parse_term(const char *text, size_t len, size_t *at, struct search_term *t,
                      struct err *e)
{
    size_t p = *at;
    memset(t, 0, sizeof *t);
    t->pos = p;
    if (text[p] == '-') {
        t->negated = true;
        if (++p == len || is_space(text[p]))
            return fail(e, t->pos, "'-' must be followed by a term");
    }
    size_t k = p;
    while (k < len && !is_space(text[k]) && !memchr(":<>\"", text[k], 4))
        k++;
    if (k == len || is_space(text[k]) || (text[k] == '"' && k == p)) { /* free text */
        t->field = SEARCH_TEXT;
        int rc = scan_value(text, len, p, &t->value, at, e);
        if (!rc && t->value.len == 0)
            rc = fail(e, t->pos, "a quoted phrase must not be empty");
        return rc;
    }
    if (text[k] == '"')
        return fail(e, k, "a quote may only start a term or a value: quote the whole value");
    if (k == p)
        return fail(e, k, "'%c' must follow a property name such as status", text[k]);
    if (find_key(text + p, k - p, &t->field))
        return fail(e, p, "unknown property \"%.*s\" (quote it to search for the text)",
                    (int)(k - p > 40 ? 40 : k - p), text + p);
    char c = text[k++];
    bool eq = k < len && text[k] == '=';
    t->op = c == ':'   ? SEARCH_OP_EQ
            : c == '<' ? (eq ? SEARCH_OP_LE : SEARCH_OP_LT)
                       : (eq ? SEARCH_OP_GE : SEARCH_OP_GT);
    if (c != ':' && eq)
        k++;
    int rc = scan_value(text, len, k, &t->value, at, e);
    if (rc)
        return rc;
    if (t->value.len == 0)
        return fail(e, t->pos, "%s needs a value", search_field_name(t->field));
    return property_value(t, e);
}

int search_query_parse(const char *text, size_t len, struct search_query *out, struct err *e)
{
    if (len > SEARCH_QUERY_MAX)
        return err_set(e, ERR_INVALID, "query", "query must be at most %d bytes", SEARCH_QUERY_MAX);
    if (!utf8_valid(text, len))
        return fail(e, utf8_valid_prefix(text, len), "the query is not valid UTF-8");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && !is_space((char)c)) || c == 0x7f)
            return fail(e, i, "control characters are not allowed");
    }
    /* Parsed into a scratch copy so *out stays untouched on failure. */
    static const struct search_query empty;
    struct search_query q = empty;
    size_t at = 0;
    for (;;) {
        while (at < len && is_space(text[at]))
            at++;
        if (at == len)
            break;
        if (q.count == SEARCH_TERMS_MAX)
            return fail(e, at, "a query may have at most %d terms", SEARCH_TERMS_MAX);
        int rc = parse_term(text, len, &at, &q.terms[q.count], e);
        if (rc)
            return rc;
        q.count++;
    }
    if (q.count == 0)
        return err_set(e, ERR_INVALID, "query", "query must not be empty");
    *out = q;
    return 0;
}
