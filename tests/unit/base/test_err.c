/* test_err: the base/err.h contract: err_set fills code, field and message (truncated, never
 * overflowed) and returns the code, err_detail, err_clear, and the stable code names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/err.h"

#include <string.h>

static void err_clear_resets_everything(void **state)
{
    struct err e;
    memset(&e, 'x', sizeof e);
    err_clear(&e);
    assert_int_equal(e.code, ERR_OK);
    assert_string_equal(e.field, "");
    assert_string_equal(e.message, "");
    assert_string_equal(e.detail, "");
}

static void err_set_fills_and_returns_code(void **state)
{
    struct err e;
    err_clear(&e);
    int rc = err_set(&e, ERR_INVALID, "user.email", "%s is not an email address", "bob");
    assert_int_equal(rc, ERR_INVALID);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, "user.email");
    assert_string_equal(e.message, "bob is not an email address");
    assert_string_equal(e.detail, "");
}

static void err_set_null_field_is_empty(void **state)
{
    struct err e;
    err_clear(&e);
    err_set(&e, ERR_NOT_FOUND, NULL, "no such ticket %d", 42);
    assert_string_equal(e.field, "");
    assert_string_equal(e.message, "no such ticket 42");
}

static void err_set_with_null_err_only_returns_code(void **state)
{
    assert_int_equal(err_set(NULL, ERR_CONFLICT, "x", "y"), ERR_CONFLICT);
    assert_int_equal(err_set(NULL, ERR_LIMIT, NULL, "%s", "z"), ERR_LIMIT);
}

static void err_set_clears_previous_detail_and_field(void **state)
{
    struct err e;
    err_clear(&e);
    err_set(&e, ERR_IO, "db", "first");
    err_detail(&e, "SQLSTATE %s", "08006");
    assert_string_equal(e.detail, "SQLSTATE 08006");
    err_set(&e, ERR_BUSY, NULL, "second");
    assert_int_equal(e.code, ERR_BUSY);
    assert_string_equal(e.field, "");
    assert_string_equal(e.message, "second");
    assert_string_equal(e.detail, "");
}

static void err_set_truncates_long_field(void **state)
{
    struct err e;
    err_clear(&e);
    char field[200];
    memset(field, 'f', sizeof field - 1);
    field[sizeof field - 1] = '\0';
    memset(e.message, 'Z', sizeof e.message); /* a guard: field must not spill into message */
    err_set(&e, ERR_INVALID, field, "m");
    assert_int_equal(strlen(e.field), sizeof e.field - 1);
    assert_memory_equal(e.field, field, sizeof e.field - 1);
    assert_string_equal(e.message, "m");
}

static void err_set_truncates_long_message(void **state)
{
    struct err e;
    err_clear(&e);
    char big[1000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memset(e.detail, 'D', sizeof e.detail - 1);
    e.detail[sizeof e.detail - 1] = '\0';
    err_set(&e, ERR_INVALID, "f", "<%s>", big);
    assert_int_equal(strlen(e.message), sizeof e.message - 1);
    assert_int_equal(e.message[0], '<');
    assert_int_equal(e.message[sizeof e.message - 2], 'm');
    assert_string_equal(e.field, "f");
    assert_string_equal(e.detail, "");
}

static void err_detail_sets_and_truncates(void **state)
{
    struct err e;
    err_clear(&e);
    err_set(&e, ERR_IO, NULL, "database unavailable");
    char big[2000];
    memset(big, 'd', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_detail(&e, "%s", big);
    assert_int_equal(strlen(e.detail), sizeof e.detail - 1);
    assert_string_equal(e.message, "database unavailable");
    assert_int_equal(e.code, ERR_IO);
    err_detail(NULL, "ignored %d", 1); /* NULL is a no-op */
}

static void err_code_names_are_stable(void **state)
{
    assert_string_equal(err_code_name(ERR_OK), "ok");
    assert_string_equal(err_code_name(ERR_INVALID), "invalid");
    assert_string_equal(err_code_name(ERR_NOT_FOUND), "not_found");
    assert_string_equal(err_code_name(ERR_CONFLICT), "conflict");
    assert_string_equal(err_code_name(ERR_BUSY), "busy");
    assert_string_equal(err_code_name(ERR_IO), "io");
    assert_string_equal(err_code_name(ERR_LIMIT), "limit");
    assert_string_equal(err_code_name(ERR_UNSUPPORTED), "unsupported");
    assert_string_equal(err_code_name(ERR_INTERNAL), "internal");
    assert_string_equal(err_code_name(ERR_MALFORMED), "malformed");
    assert_string_equal(err_code_name(ERR_FORBIDDEN), "forbidden");
}

static void err_code_name_of_unknown_code_is_internal(void **state)
{
    assert_string_equal(err_code_name(-11), "internal");
    assert_string_equal(err_code_name(1), "internal");
    assert_string_equal(err_code_name(-1000), "internal");
    assert_string_equal(err_code_name(INT32_MIN), "internal");
}

static void err_codes_are_distinct_and_negative(void **state)
{
    const int codes[] = {ERR_INVALID, ERR_NOT_FOUND,   ERR_CONFLICT, ERR_BUSY,      ERR_IO,
                         ERR_LIMIT,   ERR_UNSUPPORTED, ERR_INTERNAL, ERR_MALFORMED, ERR_FORBIDDEN};
    const size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        assert_true(codes[i] < 0);
        for (size_t j = i + 1; j < n; j++)
            assert_int_not_equal(codes[i], codes[j]);
    }
    assert_int_equal(ERR_OK, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(err_clear_resets_everything),
        cmocka_unit_test(err_set_fills_and_returns_code),
        cmocka_unit_test(err_set_null_field_is_empty),
        cmocka_unit_test(err_set_with_null_err_only_returns_code),
        cmocka_unit_test(err_set_clears_previous_detail_and_field),
        cmocka_unit_test(err_set_truncates_long_field),
        cmocka_unit_test(err_set_truncates_long_message),
        cmocka_unit_test(err_detail_sets_and_truncates),
        cmocka_unit_test(err_code_names_are_stable),
        cmocka_unit_test(err_code_name_of_unknown_code_is_internal),
        cmocka_unit_test(err_codes_are_distinct_and_negative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
