/* test_priority: the core/priority.h contract.
 *
 * The derivation is checked for every combination of the four triage facts (yes, no, unknown:
 * 3^4 = 81) with the package active or not (162 cases) against expect_priority() below, which
 * states issue 5's rule literally and is written independently of priority.c: "critical when any
 * of the first three holds and no workaround exists; otherwise high when the account's extra
 * support package is active; otherwise normal", with the header's reading of unknown facts (an
 * impact not given does not hold; "no workaround exists" holds only when the workaround is given
 * as no). The override rule is checked at its boundaries (19/20 characters, white space only,
 * multibyte UTF-8 counting as one character, invalid UTF-8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/priority.h"

/* ---- the rule, stated literally ---------------------------------------------------------------
 */

struct tri {
    enum priority_fact value;
    const char *label; /* "yes", "no", "unknown" */
};

static const struct tri tris[] = {
    {PRIORITY_FACT_YES, "yes"},
    {PRIORITY_FACT_NO, "no"},
    {PRIORITY_FACT_UNKNOWN, "unknown"},
};

static bool is(const char *label, const char *want)
{
    return strcmp(label, want) == 0;
}

/* Issue 5: critical when (service down or data lost or critical feature unavailable) and no
 * workaround exists; otherwise high when the package is active; otherwise normal. A fact holds
 * only when given as "yes"; "no workaround exists" only when the workaround is given as "no". */
static enum ticket_priority expect_priority(const char *down, const char *lost, const char *feature,
                                            const char *workaround, bool package,
                                            const char **basis)
{
    bool any_impact = is(down, "yes") || is(lost, "yes") || is(feature, "yes");
    bool no_workaround = is(workaround, "no");
    if (any_impact && no_workaround) {
        *basis = "critical";
        return TICKET_PRIORITY_URGENT;
    }
    if (package) {
        *basis = "package";
        return TICKET_PRIORITY_HIGH;
    }
    *basis = "default";
    return TICKET_PRIORITY_NORMAL;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

/* The parts of the reason that the facts dictate, whatever the exact wording around them. */
static void check_reason(const struct priority_decision *d, const char *down, const char *lost,
                         const char *feature, const char *workaround, bool package)
{
    const char *r = d->reason;
    assert_true(strlen(r) < sizeof d->reason);
    const char *name = ticket_priority_policy_name(d->priority);
    assert_non_null(name);
    assert_int_equal(strncmp(r, name, strlen(name)), 0);
    assert_int_equal(r[strlen(name)], ':');
    assert_true(ends_with(r, " (priority definitions)."));
    /* One sentence: the only period is the last character. */
    assert_ptr_equal(strchr(r, '.'), r + strlen(r) - 1);

    if (d->priority == TICKET_PRIORITY_URGENT) {
        assert_int_equal(strstr(r, "the service is down") != NULL, is(down, "yes"));
        assert_int_equal(strstr(r, "data is unavailable or lost") != NULL, is(lost, "yes"));
        assert_int_equal(strstr(r, "a critical documented feature is unavailable") != NULL,
                         is(feature, "yes"));
        assert_non_null(strstr(r, "no workaround exists"));
        assert_null(strstr(r, "package"));
        return;
    }
    bool any_impact = is(down, "yes") || is(lost, "yes") || is(feature, "yes");
    if (!any_impact)
        assert_non_null(strstr(r, "nothing is reported down, lost or unavailable"));
    else if (is(workaround, "yes"))
        assert_non_null(strstr(r, "a workaround exists"));
    else
        assert_non_null(strstr(r, "it is not known whether a workaround exists"));
    assert_non_null(strstr(r, package ? "package is active" : "package is not active"));
}

/* ---- derivation ------------------------------------------------------------------------------ */

static void every_combination(void **state)
{
    (void)state;
    int cases = 0, urgent = 0, high = 0, normal = 0;
    size_t longest = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 3; b++)
            for (size_t c = 0; c < 3; c++)
                for (size_t w = 0; w < 3; w++)
                    for (int p = 0; p < 2; p++) {
                        struct priority_facts f = {
                            .service_down = tris[a].value,
                            .data_lost = tris[b].value,
                            .feature_down = tris[c].value,
                            .workaround = tris[w].value,
                        };
                        struct priority_decision d;
                        memset(&d, 0x5a, sizeof d); /* every field must be written */
                        priority_derive(&f, p == 1, &d);

                        const char *basis;
                        enum ticket_priority want =
                            expect_priority(tris[a].label, tris[b].label, tris[c].label,
                                            tris[w].label, p == 1, &basis);
                        char what[128];
                        snprintf(what, sizeof what,
                                 "down=%s lost=%s feature=%s workaround=%s "
                                 "package=%d",
                                 tris[a].label, tris[b].label, tris[c].label, tris[w].label, p);
                        if (d.priority != want)
                            print_error("%s\n", what);
                        assert_int_equal(d.priority, want);
                        assert_string_equal(d.basis, basis);
                        assert_string_equal(d.clause, "priority definitions");
                        check_reason(&d, tris[a].label, tris[b].label, tris[c].label, tris[w].label,
                                     p == 1);
                        if (strlen(d.reason) > longest)
                            longest = strlen(d.reason);

                        cases++;
                        urgent += want == TICKET_PRIORITY_URGENT;
                        high += want == TICKET_PRIORITY_HIGH;
                        normal += want == TICKET_PRIORITY_NORMAL;
                    }
    assert_int_equal(cases, 162);
    /* Cross-check of the reference by counting: an impact holds in 27 - 8 = 19 of the 27
     * impact combinations (8 have none given as yes), and "no" is one of 3 workaround values,
     * so 19 critical cases per package state; the other 81 - 19 = 62 are high with the package
     * and normal without. */
    assert_int_equal(urgent, 38);
    assert_int_equal(high, 62);
    assert_int_equal(normal, 62);
    assert_true(longest < PRIORITY_REASON_MAX);
}

static void exact_reasons(void **state)
{
    (void)state;
    struct {
        struct priority_facts f;
        bool package;
        const char *reason;
    } cases[] = {
        {{.service_down = PRIORITY_FACT_YES, .workaround = PRIORITY_FACT_NO},
         false,
         "Critical: the service is down and no workaround exists (priority definitions)."},
        {{.service_down = PRIORITY_FACT_YES, .workaround = PRIORITY_FACT_NO},
         true,
         "Critical: the service is down and no workaround exists (priority definitions)."},
        {{PRIORITY_FACT_NO, PRIORITY_FACT_YES, PRIORITY_FACT_UNKNOWN, PRIORITY_FACT_NO},
         false,
         "Critical: data is unavailable or lost and no workaround exists (priority "
         "definitions)."},
        {{PRIORITY_FACT_YES, PRIORITY_FACT_YES, PRIORITY_FACT_NO, PRIORITY_FACT_NO},
         false,
         "Critical: the service is down and data is unavailable or lost, and no workaround "
         "exists (priority definitions)."},
        {{PRIORITY_FACT_YES, PRIORITY_FACT_YES, PRIORITY_FACT_YES, PRIORITY_FACT_NO},
         true,
         "Critical: the service is down, data is unavailable or lost and a critical documented "
         "feature is unavailable, and no workaround exists (priority definitions)."},
        {{.feature_down = PRIORITY_FACT_YES, .workaround = PRIORITY_FACT_YES},
         true,
         "High Priority Non-critical: a workaround exists for the reported impact, and the "
         "account's extra support package is active (priority definitions)."},
        {{.service_down = PRIORITY_FACT_YES},
         false,
         "Normal: it is not known whether a workaround exists, and the account's extra support "
         "package is not active (priority definitions)."},
        {{.service_down = PRIORITY_FACT_YES},
         true,
         "High Priority Non-critical: it is not known whether a workaround exists, and the "
         "account's extra support package is active (priority definitions)."},
        {{0},
         false,
         "Normal: nothing is reported down, lost or unavailable, and the account's extra "
         "support package is not active (priority definitions)."},
        {{PRIORITY_FACT_NO, PRIORITY_FACT_NO, PRIORITY_FACT_NO, PRIORITY_FACT_NO},
         true,
         "High Priority Non-critical: nothing is reported down, lost or unavailable, and the "
         "account's extra support package is active (priority definitions)."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct priority_decision d;
        priority_derive(&cases[i].f, cases[i].package, &d);
        assert_string_equal(d.reason, cases[i].reason);
    }
}

/* The documented choice: an unknown workaround is "a workaround may exist", never "none". */
static void unknown_workaround_is_not_none(void **state)
{
    (void)state;
    struct priority_facts f = {PRIORITY_FACT_YES, PRIORITY_FACT_YES, PRIORITY_FACT_YES,
                               PRIORITY_FACT_UNKNOWN};
    struct priority_decision d;
    priority_derive(&f, false, &d);
    assert_int_equal(d.priority, TICKET_PRIORITY_NORMAL);
    assert_string_equal(d.basis, "default");
    priority_derive(&f, true, &d);
    assert_int_equal(d.priority, TICKET_PRIORITY_HIGH);
    assert_string_equal(d.basis, "package");
    /* Given as no, the same facts are critical. */
    f.workaround = PRIORITY_FACT_NO;
    priority_derive(&f, false, &d);
    assert_int_equal(d.priority, TICKET_PRIORITY_URGENT);
    assert_string_equal(d.basis, "critical");
}

/* Values outside the enum count like unknown: they never raise the priority. */
static void out_of_range_facts_count_as_unknown(void **state)
{
    (void)state;
    enum priority_fact bad = (enum priority_fact)7;
    struct priority_decision d;

    struct priority_facts f = {bad, bad, bad, PRIORITY_FACT_NO};
    priority_derive(&f, false, &d);
    assert_int_equal(d.priority, TICKET_PRIORITY_NORMAL);

    struct priority_facts g = {PRIORITY_FACT_YES, PRIORITY_FACT_NO, PRIORITY_FACT_NO, bad};
    priority_derive(&g, false, &d);
    assert_int_equal(d.priority, TICKET_PRIORITY_NORMAL);
    assert_non_null(strstr(d.reason, "it is not known whether a workaround exists"));
    priority_derive(&g, true, &d);
    assert_int_equal(d.priority, TICKET_PRIORITY_HIGH);
}

/* ---- re-derivation --------------------------------------------------------------------------- */

static void rederive_unless_set_by_hand(void **state)
{
    (void)state;
    assert_true(priority_rederive(false));
    assert_false(priority_rederive(true));

    /* A ticket's life as a caller would run it. */
    struct priority_facts f = {.service_down = PRIORITY_FACT_YES};
    struct priority_decision d;
    priority_derive(&f, false, &d);
    enum ticket_priority stored = d.priority;
    bool by_hand = false;
    assert_int_equal(stored, TICKET_PRIORITY_NORMAL);

    /* The agent learns there is no workaround: re-derived to urgent. */
    f.workaround = PRIORITY_FACT_NO;
    priority_derive(&f, false, &d);
    if (priority_rederive(by_hand))
        stored = d.priority;
    assert_int_equal(stored, TICKET_PRIORITY_URGENT);

    /* Staff lower it by hand, with a justification. */
    assert_int_equal(priority_check_override(d.priority, TICKET_PRIORITY_HIGH,
                                             "client confirmed the outage is on their side", NULL),
                     0);
    stored = TICKET_PRIORITY_HIGH;
    by_hand = true;

    /* The package ends: facts change, the hand-set priority stays. */
    priority_derive(&f, false, &d);
    if (priority_rederive(by_hand))
        stored = d.priority;
    assert_int_equal(stored, TICKET_PRIORITY_HIGH);
}

/* ---- override -------------------------------------------------------------------------------- */

static const char *const just19 = "0123456789abcdefghi";  /* 19 */
static const char *const just20 = "0123456789abcdefghij"; /* 20 */

static void expect_refused(enum ticket_priority derived, enum ticket_priority wanted,
                           const char *justification)
{
    struct err e;
    err_clear(&e);
    assert_int_equal(priority_check_override(derived, wanted, justification, &e), ERR_INVALID);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, "ticket.policy_justification");
    assert_true(e.message[0] >= 'a' && e.message[0] <= 'z');
    assert_int_not_equal(e.message[strlen(e.message) - 1], '.');
}

static void expect_allowed(enum ticket_priority derived, enum ticket_priority wanted,
                           const char *justification)
{
    struct err e;
    err_clear(&e);
    assert_int_equal(priority_check_override(derived, wanted, justification, &e), 0);
    assert_int_equal(e.code, ERR_OK);
}

static void override_every_pair(void **state)
{
    (void)state;
    for (int d = 0; d < TICKET_PRIORITY_COUNT; d++)
        for (int w = 0; w < TICKET_PRIORITY_COUNT; w++) {
            if (d == w) {
                expect_allowed(d, w, NULL);
                expect_allowed(d, w, "");
                expect_allowed(d, w, "\xff"); /* not read */
                continue;
            }
            expect_refused(d, w, NULL);
            expect_refused(d, w, "");
            expect_refused(d, w, just19);
            expect_allowed(d, w, just20);
        }
}

static void override_boundaries(void **state)
{
    (void)state;
    enum ticket_priority N = TICKET_PRIORITY_NORMAL, U = TICKET_PRIORITY_URGENT;
    expect_refused(N, U, just19);
    expect_allowed(N, U, just20);
    expect_allowed(N, U, "0123456789abcdefghijk"); /* 21 */
    /* Trimmed from both ends: padding does not count, inner spaces do. */
    expect_refused(N, U, "   0123456789abcdefghi   ");
    expect_refused(N, U, "\t\n\r\v\f 0123456789abcdefghi\n");
    expect_allowed(N, U, "  0123456789abcdefghij\n");
    expect_refused(N, U, "a                 b");  /* a + 17 spaces + b = 19 */
    expect_allowed(N, U, "a                  b"); /* a + 18 spaces + b = 20 */
    /* White space only. */
    expect_refused(N, U, "                                        ");
    expect_refused(N, U, "\t\n \r\n");
    expect_refused(N, U, "\xc2\xa0\xc2\xa0\xe3\x80\x80\xe2\x80\x83"); /* NBSP, U+3000, U+2003 */
    /* Unicode white space is trimmed too: 19 characters between no-break spaces. */
    expect_refused(N, U,
                   "\xc2\xa0"
                   "0123456789abcdefghi"
                   "\xc2\xa0");
    expect_refused(N, U,
                   "\xe3\x80\x80"
                   "0123456789abcdefghi"
                   "\xe2\x80\xa8");
}

/* Repeat the UTF-8 sequence ch n times into buf. */
static const char *repeat(char *buf, size_t cap, const char *ch, int n)
{
    size_t len = strlen(ch), at = 0;
    for (int i = 0; i < n; i++) {
        assert_true(at + len < cap);
        memcpy(buf + at, ch, len);
        at += len;
    }
    buf[at] = '\0';
    return buf;
}

static void override_counts_characters_not_bytes(void **state)
{
    (void)state;
    enum ticket_priority H = TICKET_PRIORITY_HIGH, U = TICKET_PRIORITY_URGENT;
    char buf[128];
    const char *seqs[] = {
        "\xc3\xa9",         /* U+00E9, 2 bytes */
        "\xe2\x82\xac",     /* U+20AC, 3 bytes */
        "\xf0\x9f\x98\x80", /* U+1F600, 4 bytes */
    };
    for (size_t i = 0; i < 3; i++) {
        expect_refused(H, U, repeat(buf, sizeof buf, seqs[i], 19)); /* 38..76 bytes */
        expect_allowed(H, U, repeat(buf, sizeof buf, seqs[i], 20));
    }
    /* Mixed: 10 ASCII + 3 of different widths + 6 two-byte = 19; one more two-byte makes 20. */
    expect_refused(H, U,
                   "abcdefghij"
                   "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    expect_allowed(H, U,
                   "abcdefghij"
                   "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
}

static void override_refuses_invalid_utf8(void **state)
{
    (void)state;
    enum ticket_priority N = TICKET_PRIORITY_NORMAL, H = TICKET_PRIORITY_HIGH;
    const char *bad[] = {
        "\xff"
        "0123456789abcdefghij",     /* never valid */
        "0123456789abcdefghij\x80", /* lone continuation */
        "\xc0\xaf"
        "0123456789abcdefghij", /* overlong '/' */
        "\xe0\x80\xaf"
        "0123456789abcdefghij", /* overlong, 3 bytes */
        "\xed\xa0\x80"
        "0123456789abcdefghij", /* surrogate U+D800 */
        "\xf4\x90\x80\x80"
        "0123456789abcdefghij",         /* above U+10FFFF */
        "0123456789abcdefghij\xe2\x82", /* truncated at the end */
        "0123456789\xc3"
        "abcdefghij", /* truncated inside */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct err e;
        err_clear(&e);
        expect_refused(N, H, bad[i]);
        assert_int_equal(priority_check_override(N, H, bad[i], &e), ERR_INVALID);
        assert_non_null(strstr(e.message, "UTF-8"));
    }
    /* The largest code point and the last before the surrogates are fine. */
    char buf[128];
    expect_allowed(N, H, repeat(buf, sizeof buf, "\xf4\x8f\xbf\xbf", 20));
    expect_allowed(N, H, repeat(buf, sizeof buf, "\xed\x9f\xbf", 20));
}

static void override_messages(void **state)
{
    (void)state;
    struct err e;
    err_clear(&e);
    assert_int_equal(
        priority_check_override(TICKET_PRIORITY_NORMAL, TICKET_PRIORITY_URGENT, NULL, &e),
        ERR_INVALID);
    assert_string_equal(e.message, "a priority change from normal (derived) to urgent needs a "
                                   "written justification of at least 20 characters");
    err_clear(&e);
    assert_int_equal(
        priority_check_override(TICKET_PRIORITY_URGENT, TICKET_PRIORITY_LOW, "  too short ", &e),
        ERR_INVALID);
    assert_string_equal(e.message, "justification too short: a priority change from urgent "
                                   "(derived) to low needs at least 20 characters, got 9");
    /* e may be NULL. */
    assert_int_equal(
        priority_check_override(TICKET_PRIORITY_NORMAL, TICKET_PRIORITY_HIGH, "x", NULL),
        ERR_INVALID);
    assert_int_equal(
        priority_check_override(TICKET_PRIORITY_NORMAL, TICKET_PRIORITY_HIGH, just20, NULL), 0);
}

static void override_out_of_range_is_internal(void **state)
{
    (void)state;
    enum ticket_priority bad = (enum ticket_priority)TICKET_PRIORITY_COUNT;
    struct err e;
    err_clear(&e);
    assert_int_equal(priority_check_override(bad, TICKET_PRIORITY_HIGH, just20, &e), ERR_INTERNAL);
    err_clear(&e);
    assert_int_equal(priority_check_override(TICKET_PRIORITY_HIGH, bad, just20, &e), ERR_INTERNAL);
    assert_int_equal(priority_check_override(bad, bad, NULL, NULL), ERR_INTERNAL);
    assert_int_equal(
        priority_check_override((enum ticket_priority) - 1, TICKET_PRIORITY_LOW, just20, NULL),
        ERR_INTERNAL);
}

/* priority_check_justification(): the rule alone, for any policy exception. */
static void justification_rule(void **state)
{
    (void)state;
    const char *what = "a scope override";
    const char *refused[] = {
        NULL,
        "",
        "   \t\n ",                 /* white space only */
        "\xc2\xa0\xe3\x80\x80",     /* NBSP, U+3000 only */
        "  0123456789abcdefghi \n", /* 19 once trimmed */
        "\xe2\x80\x83"
        "0123456789abcdefgh\xc3\xa9"
        "\xc2\xa0", /* 19, the last one 2 bytes */
        /* 19 x U+00E9 (38 bytes) */
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        struct err e;
        err_clear(&e);
        assert_int_equal(priority_check_justification(refused[i], what, &e), ERR_INVALID);
        assert_int_equal(e.code, ERR_INVALID);
        assert_string_equal(e.field, "ticket.policy_justification");
        assert_memory_equal(e.message, what, strlen(what));
        assert_int_equal(priority_check_justification(refused[i], what, NULL), ERR_INVALID);
    }
    const char *allowed[] = {
        "0123456789abcdefghij",                /* 20 */
        " \t0123456789abcdefghij\n",           /* 20 once trimmed */
        "a                  b",                /* inner spaces count: 20 */
        "0123456789abcdefghi\xf0\x9f\x98\x80", /* 19 + a 4-byte character */
        /* 20 x U+20AC (60 bytes) */
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
    };
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++) {
        struct err e;
        err_clear(&e);
        assert_int_equal(priority_check_justification(allowed[i], what, &e), 0);
        assert_int_equal(priority_check_justification(allowed[i], what, NULL), 0);
    }
    /* The count is in the message: 19 characters of 38 bytes read "got 19". */
    struct err e;
    err_clear(&e);
    assert_int_equal(priority_check_justification(refused[6], what, &e), ERR_INVALID);
    assert_non_null(strstr(e.message, "got 19"));
    /* Invalid UTF-8 is refused however long it is, the message starting with `what` too. */
    const char *bad[] = {
        "\xff"
        "0123456789abcdefghij",
        "0123456789abcdefghij\x80",
        "\xc0\xaf"
        "0123456789abcdefghij",
        "0123456789abcdefghij\xe2\x82",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err_clear(&e);
        assert_int_equal(priority_check_justification(bad[i], what, &e), ERR_INVALID);
        assert_string_equal(e.field, "ticket.policy_justification");
        assert_non_null(strstr(e.message, "UTF-8"));
        assert_memory_equal(e.message, what, strlen(what));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_combination),
        cmocka_unit_test(exact_reasons),
        cmocka_unit_test(unknown_workaround_is_not_none),
        cmocka_unit_test(out_of_range_facts_count_as_unknown),
        cmocka_unit_test(rederive_unless_set_by_hand),
        cmocka_unit_test(override_every_pair),
        cmocka_unit_test(override_boundaries),
        cmocka_unit_test(override_counts_characters_not_bytes),
        cmocka_unit_test(override_refuses_invalid_utf8),
        cmocka_unit_test(override_messages),
        cmocka_unit_test(override_out_of_range_is_internal),
        cmocka_unit_test(justification_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
