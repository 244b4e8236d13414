/* test_throttle: the core/throttle.h contract. Failures inside a window of THROTTLE_WINDOW
 * seconds count; up to THROTTLE_FREE cost nothing; from THROTTLE_FREE on the next attempt waits
 * 2^(n - THROTTLE_FREE) s after the latest failure (1, 2, 4, 8, 16 s); from THROTTLE_LOCK on the
 * key is refused until failures age out of the window below the lock. Boundaries are checked on
 * both sides (4/5/6/9/10/11 failures, a failure exactly at and one second inside the window's
 * edge, the second a delay or a lock ends). Input is oldest first, as the header requires
 * (ties allowed: several failures in one second is the common case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/throttle.h"

#include <stdio.h>

#define NOW INT64_C(1700000000) /* 2023-11-14T22:13:20Z; any instant will do */
#define MAXF 64

/* n failures, all at instant `at`. */
static size_t same_instant(int64_t *f, size_t n, int64_t at)
{
    for (size_t i = 0; i < n; i++)
        f[i] = at;
    return n;
}

/* n failures one second apart, the latest at `latest`, oldest first. */
static size_t one_per_second(int64_t *f, size_t n, int64_t latest)
{
    for (size_t i = 0; i < n; i++)
        f[i] = latest - (int64_t)(n - 1 - i);
    return n;
}

static void want_wait(const int64_t *f, size_t n, int64_t now, int64_t want, const char *what)
{
    int64_t got = throttle_wait(f, n, now);
    if (got != want)
        fail_msg("%s: throttle_wait(n=%zu, now=NOW%+lld) = %lld, want %lld", what, n,
                 (long long)(now - NOW), (long long)got, (long long)want);
}

static void constants_are_the_documented_policy(void **state)
{
    (void)state;
    assert_int_equal(THROTTLE_WINDOW, 15 * 60);
    assert_int_equal(THROTTLE_FREE, 5);
    assert_int_equal(THROTTLE_LOCK, 10);
}

/* ---- the free attempts ---------------------------------------------------------------------- */

static void up_to_four_failures_cost_nothing(void **state)
{
    (void)state;
    int64_t f[MAXF] = {0};
    want_wait(f, 0, NOW, 0, "no failures");
    for (size_t n = 1; n < THROTTLE_FREE; n++) {
        char what[64];
        snprintf(what, sizeof what, "%zu failures this second", n);
        want_wait(f, same_instant(f, n, NOW), NOW, 0, what);
    }
    /* 4 failures, the latest this very second: still free. */
    want_wait(f, one_per_second(f, 4, NOW), NOW, 0, "4 failures, one per second");
}

/* ---- the delay ------------------------------------------------------------------------------ */

static void delay_doubles_from_five_to_nine(void **state)
{
    (void)state;
    int64_t f[MAXF];
    static const int64_t delay[] = {1, 2, 4, 8, 16}; /* for 5, 6, 7, 8, 9 failures */
    for (size_t n = THROTTLE_FREE; n < THROTTLE_LOCK; n++) {
        int64_t d = delay[n - THROTTLE_FREE];
        char what[64];
        snprintf(what, sizeof what, "%zu failures this second", n);
        want_wait(f, same_instant(f, n, NOW), NOW, d, what);
        /* Measured from the latest failure: s seconds later, d - s remain; at d, none. */
        for (int64_t s = 1; s <= d; s++) {
            snprintf(what, sizeof what, "%zu failures, %llds after the latest", n, (long long)s);
            want_wait(f, n, NOW + s, d - s, what);
        }
        snprintf(what, sizeof what, "%zu failures, long after the latest", n);
        want_wait(f, n, NOW + d + 100, 0, what);
    }
}

/* Only the latest failure sets the start of the delay, not the oldest. */
static void delay_runs_from_the_latest_failure(void **state)
{
    (void)state;
    int64_t f[MAXF];
    /* 6 failures, one per second, the latest 1 s ago: 2 s after it is 1 s from now. */
    want_wait(f, one_per_second(f, 6, NOW - 1), NOW, 1, "6 failures, latest 1 s ago");
    /* 5 failures spread over 10 minutes, the latest now: 1 s. */
    int64_t spread[] = {NOW - 600, NOW - 400, NOW - 200, NOW - 100, NOW};
    want_wait(spread, 5, NOW, 1, "5 failures spread, latest now");
    /* Same, the latest 1 s ago: free again. */
    int64_t spread_old[] = {NOW - 600, NOW - 400, NOW - 200, NOW - 100, NOW - 1};
    want_wait(spread_old, 5, NOW, 0, "5 failures spread, latest 1 s ago");
}

/* ---- the lock ------------------------------------------------------------------------------- */

static void ten_failures_lock_until_the_oldest_leaves_the_window(void **state)
{
    (void)state;
    int64_t f[MAXF];
    /* Ten this second: locked for the whole window. */
    want_wait(f, same_instant(f, THROTTLE_LOCK, NOW), NOW, THROTTLE_WINDOW, "10 this second");
    /* Ten, the oldest 100 s ago: it leaves the window in 800 s. */
    int64_t g[THROTTLE_LOCK] = {NOW - 100, NOW - 90, NOW - 80, NOW - 70, NOW - 60,
                                NOW - 50,  NOW - 40, NOW - 30, NOW - 20, NOW - 10};
    want_wait(g, THROTTLE_LOCK, NOW, 800, "10, oldest 100 s ago");
    /* Much more than the 16 s delay nine would cost: the lock is not a delay. */
    want_wait(g, THROTTLE_LOCK, NOW + 100, 700, "10, oldest 200 s ago");
    want_wait(g, THROTTLE_LOCK, NOW + 799, 1, "10, one second before the oldest leaves");
    /* At NOW + 800 the oldest is exactly THROTTLE_WINDOW old: out. Nine remain, the latest
     * 810 s ago: the 16 s delay has long passed. */
    want_wait(g, THROTTLE_LOCK, NOW + 800, 0, "10, the oldest just left");
}

/* When the lock ends, the delay of nine failures still runs from the latest one. */
static void lock_release_falls_back_to_the_delay(void **state)
{
    (void)state;
    int64_t f[THROTTLE_LOCK];
    /* Oldest 899 s ago, the other nine 10 s ago. */
    f[0] = NOW - 899;
    for (size_t i = 1; i < THROTTLE_LOCK; i++)
        f[i] = NOW - 10;
    want_wait(f, THROTTLE_LOCK, NOW, 1, "10, the oldest leaves in 1 s");
    /* One second later nine are left; 16 s after the latest (NOW - 10) is NOW + 6. */
    want_wait(f, THROTTLE_LOCK, NOW + 1, 5, "nine left after the lock");
    want_wait(f, THROTTLE_LOCK, NOW + 5, 1, "nine left, 1 s of delay to go");
    want_wait(f, THROTTLE_LOCK, NOW + 6, 0, "nine left, delay over");
}

/* Eleven counted: one leaving is not enough, ten would remain. The wait is until the count
 * falls below THROTTLE_LOCK, i.e. until the second oldest leaves. */
static void eleven_failures_lock_until_fewer_than_ten_remain(void **state)
{
    (void)state;
    int64_t f[11] = {NOW - 500, NOW - 400, NOW - 300, NOW - 200, NOW - 100, NOW - 90,
                     NOW - 80,  NOW - 70,  NOW - 60,  NOW - 50,  NOW - 40};
    want_wait(f, 11, NOW, 500, "11, second oldest 400 s ago");
    /* After the oldest leaves (NOW + 400), ten remain: still locked, 100 s to go. */
    want_wait(f, 11, NOW + 400, 100, "11, the oldest just left");
    want_wait(f, 11, NOW + 499, 1, "11, one second before the lock ends");
    /* At NOW + 500 nine remain, the latest 540 s ago: free. */
    want_wait(f, 11, NOW + 500, 0, "11, two left");
    /* Many more: locked until all but nine have left. */
    int64_t g[MAXF];
    size_t n = one_per_second(g, 40, NOW); /* NOW - 39 .. NOW */
    /* The 31st oldest (index 30) is NOW - 9: it leaves at NOW + 891. */
    want_wait(g, n, NOW, 891, "40, one per second");
}

/* ---- the window ----------------------------------------------------------------------------- */

/* A failure exactly THROTTLE_WINDOW old is out; one second younger is in. */
static void window_edge_is_exclusive(void **state)
{
    (void)state;
    int64_t out5[] = {NOW - THROTTLE_WINDOW, NOW, NOW, NOW, NOW};
    want_wait(out5, 5, NOW, 0, "5, the oldest exactly a window old");
    int64_t in5[] = {NOW - THROTTLE_WINDOW + 1, NOW, NOW, NOW, NOW};
    want_wait(in5, 5, NOW, 1, "5, the oldest a window old less 1 s");

    int64_t out10[THROTTLE_LOCK], in10[THROTTLE_LOCK];
    out10[0] = NOW - THROTTLE_WINDOW;
    in10[0] = NOW - THROTTLE_WINDOW + 1;
    for (size_t i = 1; i < THROTTLE_LOCK; i++)
        out10[i] = in10[i] = NOW;
    want_wait(out10, THROTTLE_LOCK, NOW, 16, "10, the oldest exactly a window old: nine count");
    want_wait(in10, THROTTLE_LOCK, NOW, 1, "10, all inside: locked until the oldest leaves");
}

/* Failures from before the window may be passed (oldest first) and change nothing. */
static void failures_older_than_the_window_are_ignored(void **state)
{
    (void)state;
    int64_t f[MAXF];
    /* Twenty failures an hour ago: nothing. */
    want_wait(f, same_instant(f, 20, NOW - 3600), NOW, 0, "20 an hour ago");
    /* Thirty old ones, then four recent ones: four count, free. */
    size_t n = 0;
    for (; n < 30; n++)
        f[n] = NOW - 2 * THROTTLE_WINDOW + (int64_t)n;
    for (size_t i = 0; i < 4; i++)
        f[n++] = NOW;
    want_wait(f, n, NOW, 0, "30 old + 4 recent");
    /* One more recent one: five count, 1 s. */
    f[n++] = NOW;
    want_wait(f, n, NOW, 1, "30 old + 5 recent");
    /* Ten old ones then six recent ones: the delay of six, not a lock. */
    n = 0;
    for (; n < 10; n++)
        f[n] = NOW - THROTTLE_WINDOW - 10 + (int64_t)n; /* NOW - 910 .. NOW - 901 */
    for (size_t i = 0; i < 6; i++)
        f[n++] = NOW;
    want_wait(f, n, NOW, 2, "10 old + 6 recent");
}

/* Twelve failures a minute apart, walked second by second over two windows: the lock holds
 * while ten or more are inside (the oldest two leaving changes nothing until the third does at
 * NOW + 320), counts down one second per second, and then nothing is owed (the latest failure
 * is long past any delay). */
static void a_lock_counts_down_second_by_second(void **state)
{
    (void)state;
    int64_t f[12];
    for (size_t i = 0; i < 12; i++)
        f[i] = NOW - 700 + (int64_t)i * 60; /* NOW - 700 .. NOW - 40 */
    for (int64_t t = NOW; t <= NOW + 2 * THROTTLE_WINDOW; t++) {
        int64_t want = t < NOW + 320 ? NOW + 320 - t : 0;
        int64_t got = throttle_wait(f, 12, t);
        if (got != want)
            fail_msg("at NOW%+lld: wait %lld, want %lld", (long long)(t - NOW), (long long)got,
                     (long long)want);
    }
}

/* Ties are allowed by "oldest first": the realistic burst is many failures in one second, and
 * the answer must not depend on which tied element comes last. */
static void ties_are_in_order(void **state)
{
    (void)state;
    int64_t f[] = {NOW - 5, NOW - 5, NOW - 5, NOW, NOW, NOW};
    want_wait(f, 6, NOW, 2, "6 with ties, latest now");
    int64_t g[] = {NOW - 5, NOW - 5, NOW - 5, NOW - 5, NOW - 5};
    want_wait(g, 5, NOW, 0, "5 tied 5 s ago");
    want_wait(g, 5, NOW - 5, 1, "5 tied, this second");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constants_are_the_documented_policy),
        cmocka_unit_test(up_to_four_failures_cost_nothing),
        cmocka_unit_test(delay_doubles_from_five_to_nine),
        cmocka_unit_test(delay_runs_from_the_latest_failure),
        cmocka_unit_test(ten_failures_lock_until_the_oldest_leaves_the_window),
        cmocka_unit_test(lock_release_falls_back_to_the_delay),
        cmocka_unit_test(eleven_failures_lock_until_fewer_than_ten_remain),
        cmocka_unit_test(window_edge_is_exclusive),
        cmocka_unit_test(failures_older_than_the_window_are_ignored),
        cmocka_unit_test(a_lock_counts_down_second_by_second),
        cmocka_unit_test(ties_are_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
