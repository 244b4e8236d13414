/* test_json_body: the http/json_body.h contract: Content-Type acceptance (application/json,
 * any case, optional parameters, a charset only when UTF-8), then empty body, UTF-8 validity
 * with the byte offset, JSON syntax with line and column, duplicate keys, \u0000 and the depth
 * limit of 64, in that order; *out untouched on failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/err.h"
#include "http/json_body.h"

#include <string.h>

#define CT "application/json"

static json_t *const SENTINEL = (json_t *)(uintptr_t)0x5a5a5a50;

/* Parse body (len bytes) and expect failure with code; returns the filled err. */
static struct err parse_fails(const char *ct, const char *body, size_t len, int code)
{
    struct err e;
    err_clear(&e);
    json_t *out = SENTINEL;
    int rc = json_body_parse(ct, body, len, &out, &e);
    if (rc != code)
        fail_msg("rc %d (%s), want %d; message: %s", rc, err_code_name(rc), code, e.message);
    assert_int_equal(e.code, code);
    assert_ptr_equal(out, SENTINEL);
    assert_true(strlen(e.message) > 0);
    return e;
}

static json_t *parse_ok(const char *ct, const char *body, size_t len)
{
    struct err e;
    err_clear(&e);
    json_t *out = NULL;
    int rc = json_body_parse(ct, body, len, &out, &e);
    if (rc)
        fail_msg("rc %d, want 0; message: %s", rc, e.message);
    assert_non_null(out);
    return out;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* "[[[...[inner]...]]]" with depth brackets, in a static buffer (no leak when an assertion
 * longjmps out). */
static char *nested(int depth, const char *inner)
{
    static char s[4096];
    size_t il = strlen(inner);
    assert_true((size_t)depth * 2 + il < sizeof s);
    memset(s, '[', (size_t)depth);
    memcpy(s + depth, inner, il);
    memset(s + depth + il, ']', (size_t)depth);
    s[depth * 2 + il] = '\0';
    return s;
}

/* ---- Content-Type ------------------------------------------------------------------------- */

static void content_type_plain_json_is_accepted(void **state)
{
    assert_true(json_body_content_type_ok("application/json"));
}

static void content_type_is_case_insensitive(void **state)
{
    assert_true(json_body_content_type_ok("Application/JSON"));
    assert_true(json_body_content_type_ok("APPLICATION/JSON"));
    assert_true(json_body_content_type_ok("Application/JSON; charset=UTF-8"));
}

static void content_type_utf8_charset_is_accepted(void **state)
{
    assert_true(json_body_content_type_ok("application/json; charset=utf-8"));
    assert_true(json_body_content_type_ok("application/json;charset=utf-8"));
    assert_true(json_body_content_type_ok("application/json;charset=\"utf-8\""));
    assert_true(json_body_content_type_ok("application/json; charset=\"UTF-8\""));
    assert_true(json_body_content_type_ok("application/json; charset=utf8"));
    assert_true(json_body_content_type_ok("application/json ; charset = utf-8 "));
    assert_true(json_body_content_type_ok("application/json; CHARSET=utf-8"));
}

static void content_type_other_parameters_are_ignored(void **state)
{
    assert_true(json_body_content_type_ok("application/json; foo=bar"));
    assert_true(json_body_content_type_ok("application/json; foo=bar; charset=utf-8"));
    assert_true(json_body_content_type_ok("application/json;"));
    assert_true(json_body_content_type_ok("  application/json  "));
}

static void content_type_other_charset_is_refused(void **state)
{
    assert_false(json_body_content_type_ok("application/json; charset=latin1"));
    assert_false(json_body_content_type_ok("application/json; charset=iso-8859-1"));
    assert_false(json_body_content_type_ok("application/json; charset=utf-16"));
    assert_false(json_body_content_type_ok("application/json; charset=\"latin1\""));
    assert_false(json_body_content_type_ok("application/json; charset="));
    assert_false(json_body_content_type_ok("application/json; foo=bar; charset=latin1"));
}

static void content_type_other_types_are_refused(void **state)
{
    assert_false(json_body_content_type_ok(NULL));
    assert_false(json_body_content_type_ok(""));
    assert_false(json_body_content_type_ok("text/plain"));
    assert_false(json_body_content_type_ok("text/json"));
    assert_false(json_body_content_type_ok("application/jsonx"));
    assert_false(json_body_content_type_ok("application/json-patch+json"));
    assert_false(json_body_content_type_ok("application/x-www-form-urlencoded"));
    assert_false(json_body_content_type_ok("multipart/form-data; boundary=x"));
    assert_false(json_body_content_type_ok("application"));
    assert_false(json_body_content_type_ok("; charset=utf-8"));
}

static void parse_with_wrong_content_type_is_unsupported(void **state)
{
    struct err e = parse_fails("text/plain", "{}", 2, ERR_UNSUPPORTED);
    assert_string_equal(e.field, "Content-Type");
    e = parse_fails(NULL, "{}", 2, ERR_UNSUPPORTED);
    assert_string_equal(e.field, "Content-Type");
    e = parse_fails("application/json; charset=latin1", "{}", 2, ERR_UNSUPPORTED);
    assert_string_equal(e.field, "Content-Type");
}

static void content_type_is_checked_before_the_body(void **state)
{
    parse_fails("text/plain", "", 0, ERR_UNSUPPORTED);
    parse_fails("text/plain", "\xff", 1, ERR_UNSUPPORTED);
}

/* ---- body --------------------------------------------------------------------------------- */

static void empty_body_is_malformed(void **state)
{
    struct err e = parse_fails(CT, "", 0, ERR_MALFORMED);
    assert_string_equal(e.field, "");
}

static void invalid_utf8_names_the_byte_offset(void **state)
{
    struct err e = parse_fails(CT, "{\"a\":\"\xff\"}", 8, ERR_MALFORMED);
    assert_string_equal(e.message, "request body is not valid UTF-8 at byte 6");
    e = parse_fails(CT, "\xc0\xaf{}", 4, ERR_MALFORMED);
    assert_string_equal(e.message, "request body is not valid UTF-8 at byte 0");
    e = parse_fails(CT, "{\"caf\xc3\xa9\":\"\xed\xa0\x80\"}", 15, ERR_MALFORMED);
    assert_string_equal(e.message, "request body is not valid UTF-8 at byte 10");
    /* a sequence cut by the end of the body */
    e = parse_fails(CT, "{\"a\":1}\xe2\x82", 9, ERR_MALFORMED);
    assert_string_equal(e.message, "request body is not valid UTF-8 at byte 7");
}

static void utf8_is_checked_before_syntax(void **state)
{
    struct err e = parse_fails(CT, "{{{\xff", 4, ERR_MALFORMED);
    assert_contains(e.message, "UTF-8 at byte 3");
}

static void malformed_json_names_line_and_column(void **state)
{
    const char body[] = "{\"a\": }";
    struct err e = parse_fails(CT, body, sizeof body - 1, ERR_MALFORMED);
    assert_contains(e.message, "malformed JSON");
    assert_contains(e.message, "line 1, column 7");
    const char multi[] = "{\n  \"a\": 1,\n  \"b\": x\n}";
    e = parse_fails(CT, multi, sizeof multi - 1, ERR_MALFORMED);
    assert_contains(e.message, "line 3, column 8");
}

static void truncated_json_is_malformed(void **state)
{
    parse_fails(CT, "{\"a\":", 5, ERR_MALFORMED);
    parse_fails(CT, "[1,2", 4, ERR_MALFORMED);
    parse_fails(CT, "{", 1, ERR_MALFORMED);
    parse_fails(CT, "   ", 3, ERR_MALFORMED);
}

static void trailing_garbage_is_malformed(void **state)
{
    parse_fails(CT, "{\"a\":1} x", 9, ERR_MALFORMED);
    parse_fails(CT, "{}{}", 4, ERR_MALFORMED);
}

static void body_is_read_to_len_not_nul(void **state)
{
    parse_fails(CT, "{\"a\":1}\0", 8, ERR_MALFORMED);
    json_t *v = parse_ok(CT, "{\"a\":1}garbage", 7);
    assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
    json_decref(v);
}

static void duplicate_keys_are_refused(void **state)
{
    const char body[] = "{\"a\":1,\"a\":2}";
    struct err e = parse_fails(CT, body, sizeof body - 1, ERR_MALFORMED);
    assert_contains(e.message, "line 1");
    const char nested_dup[] = "{\"x\":{\"k\":true,\"k\":false}}";
    parse_fails(CT, nested_dup, sizeof nested_dup - 1, ERR_MALFORMED);
}

static void escaped_nul_is_refused(void **state)
{
    const char body[] = "{\"a\":\"x\\u0000y\"}";
    parse_fails(CT, body, sizeof body - 1, ERR_MALFORMED);
    const char key[] = "{\"\\u0000\":1}";
    parse_fails(CT, key, sizeof key - 1, ERR_MALFORMED);
}

static void lone_surrogate_escape_is_refused(void **state)
{
    const char body[] = "{\"a\":\"\\ud800\"}";
    parse_fails(CT, body, sizeof body - 1, ERR_MALFORMED);
}

static void nesting_of_64_levels_is_accepted(void **state)
{
    char *s = nested(64, "");
    json_t *v = parse_ok(CT, s, strlen(s));
    json_decref(v);
    /* 64 levels holding a value: the value is not a level of nesting */
    s = nested(64, "1");
    v = parse_ok(CT, s, strlen(s));
    json_decref(v);
    s = nested(63, "{\"k\":\"v\"}");
    v = parse_ok(CT, s, strlen(s));
    json_decref(v);
}

static void nesting_deeper_than_64_is_refused(void **state)
{
    char *s = nested(65, "");
    struct err e = parse_fails(CT, s, strlen(s), ERR_MALFORMED);
    assert_contains(e.message, "64");
    s = nested(64, "{}");
    parse_fails(CT, s, strlen(s), ERR_MALFORMED);
    s = nested(1000, "1");
    parse_fails(CT, s, strlen(s), ERR_MALFORMED);
}

static void deep_objects_count_like_arrays(void **state)
{
    /* {"a":{"a":...{}...}} with 64 objects is fine, 65 is not */
    char buf[1024];
    for (int depth = 64; depth <= 65; depth++) {
        size_t n = 0;
        for (int i = 0; i < depth - 1; i++) {
            memcpy(buf + n, "{\"a\":", 5);
            n += 5;
        }
        memcpy(buf + n, "{}", 2);
        n += 2;
        memset(buf + n, '}', (size_t)depth - 1);
        n += (size_t)depth - 1;
        if (depth == 64) {
            json_t *v = parse_ok(CT, buf, n);
            json_decref(v);
        } else {
            parse_fails(CT, buf, n, ERR_MALFORMED);
        }
    }
}

static void valid_object_parses(void **state)
{
    const char body[] =
        "{\"subject\":\"Printer on fire\",\"priority\":3,\"tags\":[\"hw\",\"urgent\"],"
        "\"nested\":{\"ok\":true,\"none\":null},\"ratio\":0.5,"
        "\"name\":\"caf\xc3\xa9 \\u00e9\"}";
    json_t *v = parse_ok(CT "; charset=utf-8", body, sizeof body - 1);
    assert_true(json_is_object(v));
    assert_string_equal(json_string_value(json_object_get(v, "subject")), "Printer on fire");
    assert_int_equal(json_integer_value(json_object_get(v, "priority")), 3);
    assert_int_equal(json_array_size(json_object_get(v, "tags")), 2);
    assert_true(json_is_true(json_object_get(json_object_get(v, "nested"), "ok")));
    assert_true(json_is_null(json_object_get(json_object_get(v, "nested"), "none")));
    assert_string_equal(json_string_value(json_object_get(v, "name")), "caf\xc3\xa9 \xc3\xa9");
    json_decref(v);
}

static void valid_array_and_whitespace_parse(void **state)
{
    json_t *v = parse_ok(CT, " \n\t[1, 2, 3] \r\n", 15);
    assert_true(json_is_array(v));
    assert_int_equal(json_array_size(v), 3);
    json_decref(v);
    v = parse_ok(CT, "{}", 2);
    assert_int_equal(json_object_size(v), 0);
    json_decref(v);
}

static void success_returns_new_reference(void **state)
{
    json_t *v = parse_ok(CT, "{\"a\":[1]}", 9);
    assert_int_equal(v->refcount, 1);
    json_decref(v);
}

static void parse_works_without_err(void **state)
{
    json_t *out = SENTINEL;
    assert_int_equal(json_body_parse("text/plain", "{}", 2, &out, NULL), ERR_UNSUPPORTED);
    assert_int_equal(json_body_parse(CT, "", 0, &out, NULL), ERR_MALFORMED);
    assert_int_equal(json_body_parse(CT, "{", 1, &out, NULL), ERR_MALFORMED);
    assert_ptr_equal(out, SENTINEL);
    assert_int_equal(json_body_parse(CT, "{}", 2, &out, NULL), 0);
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_type_plain_json_is_accepted),
        cmocka_unit_test(content_type_is_case_insensitive),
        cmocka_unit_test(content_type_utf8_charset_is_accepted),
        cmocka_unit_test(content_type_other_parameters_are_ignored),
        cmocka_unit_test(content_type_other_charset_is_refused),
        cmocka_unit_test(content_type_other_types_are_refused),
        cmocka_unit_test(parse_with_wrong_content_type_is_unsupported),
        cmocka_unit_test(content_type_is_checked_before_the_body),
        cmocka_unit_test(empty_body_is_malformed),
        cmocka_unit_test(invalid_utf8_names_the_byte_offset),
        cmocka_unit_test(utf8_is_checked_before_syntax),
        cmocka_unit_test(malformed_json_names_line_and_column),
        cmocka_unit_test(truncated_json_is_malformed),
        cmocka_unit_test(trailing_garbage_is_malformed),
        cmocka_unit_test(body_is_read_to_len_not_nul),
        cmocka_unit_test(duplicate_keys_are_refused),
        cmocka_unit_test(escaped_nul_is_refused),
        cmocka_unit_test(lone_surrogate_escape_is_refused),
        cmocka_unit_test(nesting_of_64_levels_is_accepted),
        cmocka_unit_test(nesting_deeper_than_64_is_refused),
        cmocka_unit_test(deep_objects_count_like_arrays),
        cmocka_unit_test(valid_object_parses),
        cmocka_unit_test(valid_array_and_whitespace_parse),
        cmocka_unit_test(success_returns_new_reference),
        cmocka_unit_test(parse_works_without_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
