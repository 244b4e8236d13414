/* fuzz_pg_placeholders: db__pg_rewrite_placeholders(), the lexer that turns SQLite-style `?`
 * into PostgreSQL's $1, $2, ... (src/db/db_internal.h). Our SQL is not outside input, but the
 * function is a hand-written lexer over arbitrary text, so it is fuzzed like one.
 *
 * The input is the SQL text (length-delimited). Invariants:
 *  - with no cap the call succeeds (fewer than 65536 `?` fit in any input libFuzzer makes);
 *  - the output is the input with some `?` replaced by $1, $2, ... in order and nothing else
 *    changed, *nparams is how many, and the text already in the buffer is kept;
 *  - the `?` replaced are exactly those a reference lexer, written from the header's rules,
 *    finds outside '...' (E'...' with backslash escapes), "...", $tag$...$tag$, -- comments and
 *    nesting block comments;
 *  - under a cap the call is all or nothing: ERR_LIMIT leaves the buffer as it was and *nparams
 *    untouched.
 */
#include "fuzz.h"

#include "base/buf.h"
#include "base/err.h"
#include "db/db_internal.h"

#include <string.h>

static bool ident(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c >= 0x80;
}

/* Length of the $tag$ opening at s[i] (i.e. "$", tag, "$"), or 0 when s[i] opens none. */
static size_t dollar_tag(const unsigned char *s, size_t len, size_t i)
{
    if (i > 0 && ident(s[i - 1]))
        return 0;
    size_t j = i + 1;
    if (j < len && s[j] >= '0' && s[j] <= '9')
        return 0;
    while (j < len && s[j] != '$' && ident(s[j]))
        j++;
    return j < len && s[j] == '$' ? j + 1 - i : 0;
}

enum lex_state { NORMAL, SQUOTE, ESTRING, DQUOTE, LINE, BLOCK, DOLLAR };

/* Marks is_ph[i] for every `?` the header's rules make a placeholder; returns how many. A state
 * machine rather than the skip-ahead functions of postgres.c, so the two can disagree. */
static size_t ref_placeholders(const unsigned char *s, size_t len, bool *is_ph)
{
    enum lex_state st = NORMAL;
    size_t n = 0, tag = 0, tag_len = 0;
    int depth = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        bool two = i + 1 < len;
        switch (st) {
        case NORMAL:
            if (c == '?') {
                is_ph[i] = true;
                n++;
            } else if (c == '\'') {
                bool e =
                    i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') && (i < 2 || !ident(s[i - 2]));
                st = e ? ESTRING : SQUOTE;
            } else if (c == '"') {
                st = DQUOTE;
            } else if (c == '-' && two && s[i + 1] == '-') {
                st = LINE;
                i++;
            } else if (c == '/' && two && s[i + 1] == '*') {
                st = BLOCK;
                depth = 1;
                i++;
            } else if (c == '$' && (tag_len = dollar_tag(s, len, i)) > 0) {
                st = DOLLAR;
                tag = i;
                i += tag_len - 1;
            }
            break;
        case SQUOTE:
        case DQUOTE:
        case ESTRING: {
            unsigned char q = st == DQUOTE ? '"' : '\'';
            if (st == ESTRING && c == '\\')
                i++;
            else if (c == q && two && s[i + 1] == q)
                i++;
            else if (c == q)
                st = NORMAL;
            break;
        }
        case LINE:
            if (c == '\n')
                st = NORMAL;
            break;
        case BLOCK:
            if (c == '/' && two && s[i + 1] == '*') {
                depth++;
                i++;
            } else if (c == '*' && two && s[i + 1] == '/') {
                i++;
                if (--depth == 0)
                    st = NORMAL;
            }
            break;
        case DOLLAR:
            if (i + tag_len <= len && memcmp(s + i, s + tag, tag_len) == 0) {
                i += tag_len - 1;
                st = NORMAL;
            }
            break;
        }
        i++;
    }
    return n;
}

/* Walk input and output together; every `?` of the input is either copied or became the next
 * "$k". Fills replaced[] and returns how many, or aborts on any other difference. */
static int check_shape(const unsigned char *in, size_t len, const char *out, size_t out_len,
                       bool *replaced)
{
    size_t o = 0;
    int k = 0;
    for (size_t i = 0; i < len; i++) {
        FUZZ_CHECK(o < out_len, "output ends early at input byte %zu", i);
        if (in[i] == '?' && out[o] == '$') {
            char want[16];
            int n = snprintf(want, sizeof want, "$%d", ++k);
            FUZZ_CHECK(out_len - o >= (size_t)n && memcmp(out + o, want, (size_t)n) == 0,
                       "input byte %zu: expected %s", i, want);
            o += (size_t)n;
            replaced[i] = true;
        } else {
            FUZZ_CHECK((unsigned char)out[o] == in[i], "input byte %zu (0x%02x) became 0x%02x", i,
                       in[i], (unsigned char)out[o]);
            o++;
        }
    }
    FUZZ_CHECK(o == out_len, "output has %zu extra bytes", out_len - o);
    return k;
}

static void check_cap(const uint8_t *data, size_t size, size_t full_len)
{
    /* A limit from just below to just above what the rewrite needs after a 3-byte prefix. */
    size_t limit = 3 + (size * 7 + (size ? data[0] : 0)) % (full_len + 2);
    struct buf b;
    buf_init(&b, limit);
    FUZZ_CHECK(buf_append(&b, "PRE", 3) == 0, "prefix");
    int n = -7;
    int rc = db__pg_rewrite_placeholders((const char *)data, size, &b, &n);
    if (3 + full_len <= limit) {
        FUZZ_CHECK(rc == 0 && b.len == 3 + full_len, "limit %zu, need %zu: rc %d len %zu", limit,
                   3 + full_len, rc, b.len);
    } else {
        FUZZ_CHECK(rc == ERR_LIMIT, "limit %zu, need %zu: rc %d", limit, 3 + full_len, rc);
        FUZZ_CHECK(n == -7, "*nparams written on failure (%d)", n);
        FUZZ_CHECK(b.len == 3 && strcmp(buf_cstr(&b), "PRE") == 0,
                   "buffer changed on failure: "
                   "len %zu",
                   b.len);
    }
    buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf b;
    buf_init(&b, 0);
    FUZZ_CHECK(buf_append(&b, "PRE", 3) == 0, "prefix");
    int n = -7;
    int rc = db__pg_rewrite_placeholders((const char *)data, size, &b, &n);
    FUZZ_CHECK(rc == 0, "rc %d with no cap", rc);
    FUZZ_CHECK(b.len >= 3 && memcmp(b.ptr, "PRE", 3) == 0, "text already in the buffer lost");
    FUZZ_CHECK(strlen(buf_cstr(&b)) <= b.len, "not terminated");

    bool *replaced = calloc(size ? size : 1, sizeof *replaced);
    bool *want = calloc(size ? size : 1, sizeof *want);
    if (!replaced || !want)
        abort();
    int k = check_shape(data, size, b.ptr + 3, b.len - 3, replaced);
    FUZZ_CHECK(k == n, "%d replacements, *nparams %d", k, n);
    size_t ref_n = ref_placeholders(data, size, want);
    for (size_t i = 0; i < size; i++)
        FUZZ_CHECK(replaced[i] == want[i],
                   "the `?` at byte %zu: replaced=%d, reference says %d "
                   "(%zu bytes)",
                   i, replaced[i], want[i], size);
    FUZZ_CHECK(ref_n == (size_t)n, "reference count %zu, got %d", ref_n, n);

    check_cap(data, size, b.len - 3);
    free(replaced);
    free(want);
    buf_release(&b);
    return 0;
}
