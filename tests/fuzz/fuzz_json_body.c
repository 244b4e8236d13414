/* fuzz_json_body: json_body_parse(), the gate every JSON request body goes through.
 *
 * Input: "CONTENT-TYPE\nBODY". The first line is the Content-Type value ("-" stands for a missing
 * header, i.e. NULL); the rest, to the end of the input, is the body. An input without a newline
 * is all body, sent as application/json. The body is the tail of libFuzzer's buffer, so a read
 * past its end is caught.
 *
 * Invariants (src/http/json_body.h):
 *  - the result is 0, ERR_UNSUPPORTED or ERR_MALFORMED, and on failure e says so with a message
 *    and *out is untouched;
 *  - ERR_UNSUPPORTED exactly when json_body_content_type_ok() says no;
 *  - success implies a non-NULL value, a body that is valid UTF-8 and nesting of at most 64
 *    levels (containers counted: "[1]" is one level), and is exactly what jansson itself accepts
 *    with JSON_REJECT_DUPLICATES | JSON_DECODE_ANY (any value at the top) under those two rules,
 *    so the extra checks refuse nothing else;
 *  - the value survives a round trip: dumped and parsed again it is equal.
 */
#include "fuzz.h"

#include "base/buf.h"
#include "base/err.h"
#include "http/json_body.h"

#include <string.h>

#define MAX_DEPTH 64

/* Nesting of containers: 0 for a scalar, 1 for "[]" or "[1]". jansson bounds it (2048), so the
 * recursion is bounded too. */
static size_t container_depth(const json_t *v)
{
    size_t deepest = 0;
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach((json_t *)v, key, child)
        {
            size_t d = container_depth(child);
            if (d > deepest)
                deepest = d;
        }
        return deepest + 1;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child)
        {
            size_t d = container_depth(child);
            if (d > deepest)
                deepest = d;
        }
        return deepest + 1;
    }
    return 0;
}

static void check_round_trip(const json_t *v)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    FUZZ_CHECK(text != NULL, "json_dumps failed on a value json_body_parse returned");
    json_t *again = (json_t *)0x1;
    struct err e;
    err_clear(&e);
    int rc = json_body_parse("application/json", text, strlen(text), &again, &e);
    FUZZ_CHECK(rc == 0, "re-parsing our own dump \"%.200s\" failed: %d %s", text, rc, e.message);
    FUZZ_CHECK(json_equal((json_t *)v, again), "round trip changed the value: \"%.200s\"", text);
    json_decref(again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    char *ct_copy = NULL;
    const char *content_type = "application/json";
    const char *body = (const char *)data;
    size_t len = size;
    if (nl) {
        ct_copy = fuzz_cstr(data, (size_t)(nl - data));
        content_type = strcmp(ct_copy, "-") == 0 ? NULL : ct_copy;
        body = (const char *)nl + 1;
        len = size - (size_t)(nl + 1 - data);
    }

    json_t *const sentinel = (json_t *)0x1;
    json_t *out = sentinel;
    struct err e;
    err_clear(&e);
    int rc = json_body_parse(content_type, body, len, &out, &e);
    int ct_ok = json_body_content_type_ok(content_type);

    FUZZ_CHECK(rc == 0 || rc == ERR_UNSUPPORTED || rc == ERR_MALFORMED, "unexpected code %d", rc);
    FUZZ_CHECK((rc == ERR_UNSUPPORTED) == !ct_ok, "code %d but content_type_ok=%d for \"%s\"", rc,
               ct_ok, content_type ? content_type : "(null)");
    if (rc) {
        FUZZ_CHECK(out == sentinel, "*out written on failure (code %d)", rc);
        FUZZ_CHECK(e.code == rc, "err code %d, returned %d", e.code, rc);
        FUZZ_CHECK(e.message[0] != '\0', "empty error message for code %d", rc);
    } else {
        FUZZ_CHECK(out != NULL && out != sentinel, "success without a value (out=%p)", (void *)out);
        FUZZ_CHECK(len > 0, "empty body accepted");
        FUZZ_CHECK(utf8_valid(body, len), "invalid UTF-8 accepted (%zu bytes)", len);
        size_t depth = container_depth(out);
        FUZZ_CHECK(depth <= MAX_DEPTH, "nesting %zu accepted", depth);
        check_round_trip(out);
    }

    /* What jansson alone accepts, under the header's two extra rules, must be what we accept. */
    if (ct_ok && len > 0 && utf8_valid(body, len)) {
        json_error_t jerr;
        json_t *ref = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (!ref) {
            FUZZ_CHECK(rc == ERR_MALFORMED, "jansson refuses (%s) but code is %d", jerr.text, rc);
        } else {
            size_t depth = container_depth(ref);
            int want = depth <= MAX_DEPTH ? 0 : ERR_MALFORMED;
            FUZZ_CHECK(rc == want, "nesting %zu: expected %d, got %d (%s)", depth, want, rc,
                       e.message);
            if (!rc)
                FUZZ_CHECK(json_equal(ref, out), "value differs from jansson's own parse");
            json_decref(ref);
        }
    }

    if (!rc)
        json_decref(out);
    free(ct_copy);
    return 0;
}
