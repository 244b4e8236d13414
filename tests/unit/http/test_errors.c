/* test_errors: the http/errors.h contract: the one table from ERR_* codes to statuses, the
 * error-body code and reason phrase per status, and the exact JSON error body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "http/errors.h"

#include <stdbool.h>
#include <string.h>

static void status_for_each_err_code(void **state)
{
    assert_int_equal(http_status_for_err(ERR_INVALID), 422);
    assert_int_equal(http_status_for_err(ERR_MALFORMED), 400);
    assert_int_equal(http_status_for_err(ERR_FORBIDDEN), 403);
    assert_int_equal(http_status_for_err(ERR_NOT_FOUND), 404);
    assert_int_equal(http_status_for_err(ERR_CONFLICT), 409);
    assert_int_equal(http_status_for_err(ERR_LIMIT), 413);
    assert_int_equal(http_status_for_err(ERR_UNSUPPORTED), 415);
    assert_int_equal(http_status_for_err(ERR_BUSY), 503);
    assert_int_equal(http_status_for_err(ERR_IO), 503);
    assert_int_equal(http_status_for_err(ERR_INTERNAL), 500);
}

static void status_for_unknown_code_is_500(void **state)
{
    assert_int_equal(http_status_for_err(ERR_OK), 500);
    assert_int_equal(http_status_for_err(-99), 500);
    assert_int_equal(http_status_for_err(42), 500);
}

static const struct {
    int status;
    const char *code;
    const char *reason;
} table[] = {
    {400, "bad_request", "Bad Request"},
    {401, "unauthorized", "Unauthorized"},
    {403, "forbidden", "Forbidden"},
    {404, "not_found", "Not Found"},
    {405, "method_not_allowed", "Method Not Allowed"},
    {408, "request_timeout", "Request Timeout"},
    {409, "conflict", "Conflict"},
    {411, "length_required", "Length Required"},
    {413, "payload_too_large", "Payload Too Large"},
    {415, "unsupported_media_type", "Unsupported Media Type"},
    {422, "invalid", "Unprocessable Entity"},
    {429, "too_many_requests", "Too Many Requests"},
    {500, "internal", "Internal Server Error"},
    {501, "not_implemented", "Not Implemented"},
    {503, "unavailable", "Service Unavailable"},
};

static void error_code_for_each_status(void **state)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        assert_string_equal(http_error_code_for_status(table[i].status), table[i].code);
}

static void reason_phrase_for_each_status(void **state)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        assert_string_equal(http_reason_phrase(table[i].status), table[i].reason);
}

static void every_err_code_status_has_a_code_and_phrase(void **state)
{
    const int codes[] = {ERR_INVALID, ERR_NOT_FOUND,   ERR_CONFLICT, ERR_BUSY,      ERR_IO,
                         ERR_LIMIT,   ERR_UNSUPPORTED, ERR_INTERNAL, ERR_MALFORMED, ERR_FORBIDDEN};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        int status = http_status_for_err(codes[i]);
        bool listed = false;
        for (size_t j = 0; j < sizeof table / sizeof table[0]; j++)
            listed = listed || table[j].status == status;
        assert_true(listed);
    }
}

static void unknown_status_falls_back_by_class(void **state)
{
    assert_string_equal(http_error_code_for_status(418), "bad_request");
    assert_string_equal(http_error_code_for_status(499), "bad_request");
    assert_string_equal(http_error_code_for_status(502), "internal");
    assert_string_equal(http_error_code_for_status(599), "internal");
    assert_string_equal(http_reason_phrase(418), "Client Error");
    assert_string_equal(http_reason_phrase(502), "Server Error");
    assert_non_null(http_reason_phrase(0));
    assert_non_null(http_reason_phrase(-1));
    assert_non_null(http_reason_phrase(999));
}

static void check_body(const char *code, const char *message, const char *field, const char *want)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(http_error_body(&b, code, message, field), 0);
    assert_string_equal(buf_cstr(&b), want);
    buf_release(&b);
}

static void body_with_field(void **state)
{
    check_body("invalid", "email is not a valid address", "user.email",
               "{\"error\":{\"code\":\"invalid\",\"message\":\"email is not a valid address\","
               "\"field\":\"user.email\"}}");
}

static void body_with_null_field(void **state)
{
    check_body("not_found", "no such ticket", NULL,
               "{\"error\":{\"code\":\"not_found\",\"message\":\"no such ticket\","
               "\"field\":null}}");
}

static void body_with_empty_field_is_null(void **state)
{
    check_body("conflict", "already exists", "",
               "{\"error\":{\"code\":\"conflict\",\"message\":\"already exists\","
               "\"field\":null}}");
}

static void body_escapes_quotes_and_backslashes(void **state)
{
    check_body("invalid", "\"x\" is not a number", "a\"b",
               "{\"error\":{\"code\":\"invalid\",\"message\":\"\\\"x\\\" is not a number\","
               "\"field\":\"a\\\"b\"}}");
    check_body("bad_request", "path C:\\tmp", NULL,
               "{\"error\":{\"code\":\"bad_request\",\"message\":\"path C:\\\\tmp\","
               "\"field\":null}}");
}

static void body_escapes_control_characters_and_bad_utf8(void **state)
{
    check_body("bad_request", "line1\nline2\t\xff", NULL,
               "{\"error\":{\"code\":\"bad_request\",\"message\":\"line1\\u000aline2\\u0009"
               "\xef\xbf\xbd\",\"field\":null}}");
}

static void body_keeps_utf8_message(void **state)
{
    check_body("invalid", "caf\xc3\xa9 ferm\xc3\xa9", "nom",
               "{\"error\":{\"code\":\"invalid\",\"message\":\"caf\xc3\xa9 ferm\xc3\xa9\","
               "\"field\":\"nom\"}}");
}

static void body_appends_to_existing_content(void **state)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_append_cstr(&b, ">"), 0);
    assert_int_equal(http_error_body(&b, "internal", "", NULL), 0);
    assert_string_equal(buf_cstr(&b),
                        ">{\"error\":{\"code\":\"internal\",\"message\":\"\",\"field\":null}}");
    buf_release(&b);
}

static void body_past_buffer_limit_reports_limit(void **state)
{
    struct buf b;
    buf_init(&b, 20);
    assert_int_equal(http_error_body(&b, "invalid", "a long message that does not fit", NULL),
                     ERR_LIMIT);
    assert_true(b.len <= 20);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_for_each_err_code),
        cmocka_unit_test(status_for_unknown_code_is_500),
        cmocka_unit_test(error_code_for_each_status),
        cmocka_unit_test(reason_phrase_for_each_status),
        cmocka_unit_test(every_err_code_status_has_a_code_and_phrase),
        cmocka_unit_test(unknown_status_falls_back_by_class),
        cmocka_unit_test(body_with_field),
        cmocka_unit_test(body_with_null_field),
        cmocka_unit_test(body_with_empty_field_is_null),
        cmocka_unit_test(body_escapes_quotes_and_backslashes),
        cmocka_unit_test(body_escapes_control_characters_and_bad_utf8),
        cmocka_unit_test(body_keeps_utf8_message),
        cmocka_unit_test(body_appends_to_existing_content),
        cmocka_unit_test(body_past_buffer_limit_reports_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
