/* core/ticket_token: the subject token that threads mail replies (issue 6). Expected suffixes
 * were computed independently (Python's hmac with SHA-256 over the decimal id). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/ticket_token.h"

static unsigned char key[TICKET_TOKEN_KEY_BYTES];
static unsigned char other_key[TICKET_TOKEN_KEY_BYTES];

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < TICKET_TOKEN_KEY_BYTES; i++) {
        key[i] = (unsigned char)i;
        other_key[i] = (unsigned char)(i + 1);
    }
    return 0;
}

static int64_t find(const unsigned char *k, const char *s)
{
    return ticket_token_find(k, s, strlen(s));
}

static void formats_known_answers(void **state)
{
    (void)state;
    char t[TICKET_TOKEN_MAX];
    ticket_token_format(key, 1, t);
    assert_string_equal(t, "[#1-7761b1cc]");
    ticket_token_format(key, 123, t);
    assert_string_equal(t, "[#123-e7c5538a]");
    ticket_token_format(key, 922337203685477580LL, t);
    assert_string_equal(t, "[#922337203685477580-2e09908a]");
    assert_true(strlen(t) < TICKET_TOKEN_MAX);
}

static void finds_its_own_token_anywhere(void **state)
{
    (void)state;
    assert_int_equal(find(key, "[#123-e7c5538a]"), 123);
    assert_int_equal(find(key, "Re: Invoices page is blank [#123-e7c5538a]"), 123);
    assert_int_equal(find(key, "AW: [#123-e7c5538a] Re: hello"), 123);
    assert_int_equal(find(key, "Re: [#123-E7C5538A]"), 123); /* a client that upper-cases */
    /* a forged token before the real one is skipped, not trusted */
    assert_int_equal(find(key, "[#1-00000000] [#123-e7c5538a]"), 123);
}

static void refuses_bare_forged_and_foreign(void **state)
{
    (void)state;
    assert_int_equal(find(key, "Re: ticket #123"), 0);
    assert_int_equal(find(key, "[#123]"), 0);
    assert_int_equal(find(key, "[#123-e7c5538b]"), 0);       /* one hex digit off */
    assert_int_equal(find(key, "[#124-e7c5538a]"), 0);       /* another ticket's number */
    assert_int_equal(find(other_key, "[#123-e7c5538a]"), 0); /* another instance */
    assert_int_equal(find(key, "[#0123-e7c5538a]"), 0);      /* leading zero */
    assert_int_equal(find(key, "[#123-e7c5538a"), 0);        /* unterminated */
    assert_int_equal(find(key, "[#123-e7c5538]"), 0);        /* 7 digits */
    assert_int_equal(find(key, "[#123-e7c5538aa]"), 0);      /* 9 digits */
    assert_int_equal(find(key, "[#-e7c5538a]"), 0);
    assert_int_equal(find(key, "[#99999999999999999999-e7c5538a]"), 0); /* overflow */
    assert_int_equal(find(key, ""), 0);
    assert_int_equal(find(key, "[#"), 0);
}

static void stays_inside_len(void **state)
{
    (void)state;
    const char s[] = "[#123-e7c5538a]";
    assert_int_equal(ticket_token_find(key, s, sizeof s - 2), 0); /* the ']' is past len */
    assert_int_equal(ticket_token_find(key, s, sizeof s - 1), 123);
}

static void round_trips(void **state)
{
    (void)state;
    char t[TICKET_TOKEN_MAX];
    for (int64_t id = 1; id < 5000; id += 7) {
        ticket_token_format(key, id, t);
        assert_int_equal(find(key, t), id);
        assert_int_equal(find(other_key, t), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_known_answers),
        cmocka_unit_test(finds_its_own_token_anywhere),
        cmocka_unit_test(refuses_bare_forged_and_foreign),
        cmocka_unit_test(stays_inside_len),
        cmocka_unit_test(round_trips),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
