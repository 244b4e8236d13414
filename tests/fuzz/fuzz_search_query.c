/* fuzz_search_query: search_query_parse(), which reads the `query` of GET /api/v2/search.
 *
 * Invariants: a failure is ERR_INVALID naming "query" and leaves the output untouched; a
 * success has 1..SEARCH_TERMS_MAX terms whose values are non-empty slices of the input at or
 * after the term's position, whose masks stay within the statuses (6) and priorities (4), and
 * whose ids are positive; and rendering the terms back in canonical form (every value quoted)
 * parses to the same terms (the grammar loses nothing the parser keeps).
 */
#include "fuzz.h"

#include "base/buf.h"
#include "core/search_query.h"

#include <string.h>

static const char *const ops[] = {":", "<", "<=", ">", ">="};

static void render(const struct search_query *q, struct buf *out)
{
    for (size_t i = 0; i < q->count; i++) {
        const struct search_term *t = &q->terms[i];
        if (i)
            buf_append_char(out, ' ');
        if (t->negated)
            buf_append_char(out, '-');
        if (t->field != SEARCH_TEXT) {
            buf_append_cstr(out, search_field_name(t->field));
            buf_append_cstr(out, ops[t->op]);
        }
        buf_append_char(out, '"');
        buf_append(out, t->value.ptr, t->value.len);
        buf_append_char(out, '"');
    }
}

static void same_terms(const struct search_query *a, const struct search_query *b,
                       const char *rendered)
{
    FUZZ_CHECK(a->count == b->count, "%zu terms, %zu after rendering as %s", a->count, b->count,
               rendered);
    for (size_t i = 0; i < a->count; i++) {
        const struct search_term *x = &a->terms[i], *y = &b->terms[i];
        FUZZ_CHECK(x->field == y->field && x->op == y->op && x->negated == y->negated &&
                       x->mask == y->mask && x->ref == y->ref && x->id == y->id &&
                       x->value.len == y->value.len &&
                       memcmp(x->value.ptr, y->value.ptr, x->value.len) == 0,
                   "term %zu differs after rendering as %s", i, rendered);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct search_query q;
    memset(&q, 0xA5, sizeof q);
    struct err e;
    err_clear(&e);
    int rc = search_query_parse(text, size, &q, &e);
    if (rc) {
        FUZZ_CHECK(rc == ERR_INVALID, "rc %d", rc);
        FUZZ_CHECK(strcmp(e.field, "query") == 0, "field \"%s\"", e.field);
        FUZZ_CHECK(strncmp(e.message, "query", 5) == 0, "message \"%s\"", e.message);
        const unsigned char *p = (const unsigned char *)&q;
        for (size_t i = 0; i < sizeof q; i++)
            FUZZ_CHECK(p[i] == 0xA5, "output touched at byte %zu on failure", i);
        return 0;
    }
    FUZZ_CHECK(q.count >= 1 && q.count <= SEARCH_TERMS_MAX, "%zu terms", q.count);
    for (size_t i = 0; i < q.count; i++) {
        const struct search_term *t = &q.terms[i];
        FUZZ_CHECK(t->value.len > 0 && t->value.ptr >= text + t->pos &&
                       t->value.ptr + t->value.len <= text + size,
                   "term %zu's value is not a non-empty slice of the input after its position", i);
        FUZZ_CHECK(t->pos < size, "term %zu at %zu of %zu", i, t->pos, size);
        if (t->field == SEARCH_STATUS)
            FUZZ_CHECK(t->mask < (1u << 6), "status mask %#x", t->mask);
        else if (t->field == SEARCH_PRIORITY)
            FUZZ_CHECK(t->mask < (1u << 4), "priority mask %#x", t->mask);
        else
            FUZZ_CHECK(t->op == SEARCH_OP_EQ, "operator %d on %s", t->op,
                       search_field_name(t->field));
        if (t->ref == SEARCH_REF_ID && t->field >= SEARCH_ASSIGNEE && t->field <= SEARCH_GROUP)
            FUZZ_CHECK(t->id > 0, "id %lld", (long long)t->id);
    }
    struct buf r;
    buf_init(&r, 0);
    render(&q, &r);
    if (r.len <= SEARCH_QUERY_MAX) {
        struct search_query again;
        rc = search_query_parse(r.ptr, r.len, &again, &e);
        FUZZ_CHECK(rc == 0, "rendered %s does not parse: %s", buf_cstr(&r), e.message);
        same_terms(&q, &again, buf_cstr(&r));
    }
    buf_release(&r);
    return 0;
}
