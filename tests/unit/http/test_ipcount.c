/* test_ipcount: the http/ipcount.h contract: acquire up to the limit, refuse beyond without
 * change, release frees a slot (and the entry at zero), limit 0 refuses all, addresses are
 * independent, and counts stay exact under concurrent acquire/release from four threads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/ipcount.h"
#include "http/netaddr.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static struct netaddr addr(const char *s)
{
    struct netaddr a;
    assert_int_equal(netaddr_parse(s, strlen(s), &a), 0);
    return a;
}

static void new_table_counts_zero(void **state)
{
    struct ipcount *t = ipcount_new();
    struct netaddr a = addr("192.0.2.1");
    assert_int_equal(ipcount_get(t, &a), 0);
    ipcount_free(t);
}

static void acquire_up_to_limit_then_refuse(void **state)
{
    struct ipcount *t = ipcount_new();
    struct netaddr a = addr("192.0.2.1");
    for (unsigned i = 0; i < 3; i++) {
        assert_true(ipcount_acquire(t, &a, 3));
        assert_int_equal(ipcount_get(t, &a), i + 1);
    }
    assert_false(ipcount_acquire(t, &a, 3));
    assert_false(ipcount_acquire(t, &a, 3));
    assert_int_equal(ipcount_get(t, &a), 3); /* a refusal changes nothing */
    ipcount_free(t);
}

static void release_frees_a_slot(void **state)
{
    struct ipcount *t = ipcount_new();
    struct netaddr a = addr("2001:db8::7");
    assert_true(ipcount_acquire(t, &a, 2));
    assert_true(ipcount_acquire(t, &a, 2));
    assert_false(ipcount_acquire(t, &a, 2));
    ipcount_release(t, &a);
    assert_int_equal(ipcount_get(t, &a), 1);
    assert_true(ipcount_acquire(t, &a, 2));
    assert_false(ipcount_acquire(t, &a, 2));
    ipcount_release(t, &a);
    ipcount_release(t, &a);
    assert_int_equal(ipcount_get(t, &a), 0);
    ipcount_free(t);
}

static void release_to_zero_then_acquire_again(void **state)
{
    struct ipcount *t = ipcount_new();
    struct netaddr a = addr("10.0.0.1");
    for (int round = 0; round < 100; round++) {
        assert_true(ipcount_acquire(t, &a, 1));
        assert_false(ipcount_acquire(t, &a, 1));
        ipcount_release(t, &a);
        assert_int_equal(ipcount_get(t, &a), 0);
    }
    ipcount_free(t);
}

static void release_of_unknown_address_is_harmless(void **state)
{
    struct ipcount *t = ipcount_new();
    struct netaddr a = addr("10.0.0.1");
    struct netaddr b = addr("10.0.0.2");
    ipcount_release(t, &a);
    assert_int_equal(ipcount_get(t, &a), 0);
    assert_true(ipcount_acquire(t, &b, 5));
    ipcount_release(t, &a);
    assert_int_equal(ipcount_get(t, &b), 1);
    /* releasing more than acquired does not wrap below zero */
    ipcount_release(t, &b);
    ipcount_release(t, &b);
    assert_int_equal(ipcount_get(t, &b), 0);
    assert_true(ipcount_acquire(t, &b, 1));
    assert_int_equal(ipcount_get(t, &b), 1);
    ipcount_free(t);
}

static void limit_zero_refuses_everything(void **state)
{
    struct ipcount *t = ipcount_new();
    struct netaddr a = addr("192.0.2.1");
    assert_false(ipcount_acquire(t, &a, 0));
    assert_int_equal(ipcount_get(t, &a), 0);
    assert_true(ipcount_acquire(t, &a, 1));
    assert_false(ipcount_acquire(t, &a, 0)); /* also when the address already holds some */
    assert_int_equal(ipcount_get(t, &a), 1);
    ipcount_free(t);
}

static void lowered_limit_refuses_until_below_it(void **state)
{
    struct ipcount *t = ipcount_new();
    struct netaddr a = addr("192.0.2.1");
    for (int i = 0; i < 5; i++)
        assert_true(ipcount_acquire(t, &a, 5));
    assert_false(ipcount_acquire(t, &a, 3));
    ipcount_release(t, &a);
    ipcount_release(t, &a);
    assert_false(ipcount_acquire(t, &a, 3));
    ipcount_release(t, &a);
    assert_true(ipcount_acquire(t, &a, 3));
    ipcount_free(t);
}

static void addresses_are_counted_independently(void **state)
{
    struct ipcount *t = ipcount_new();
    struct netaddr a = addr("192.0.2.1");
    struct netaddr b = addr("192.0.2.2");
    struct netaddr c = addr("::ffff:192.0.2.1"); /* the same address as a */
    assert_true(ipcount_acquire(t, &a, 2));
    assert_true(ipcount_acquire(t, &b, 2));
    assert_true(ipcount_acquire(t, &c, 2));
    assert_false(ipcount_acquire(t, &a, 2));
    assert_true(ipcount_acquire(t, &b, 2));
    assert_int_equal(ipcount_get(t, &a), 2);
    assert_int_equal(ipcount_get(t, &b), 2);
    ipcount_release(t, &b);
    assert_int_equal(ipcount_get(t, &a), 2);
    assert_int_equal(ipcount_get(t, &b), 1);
    ipcount_free(t);
}

static void many_addresses_share_buckets_correctly(void **state)
{
    struct ipcount *t = ipcount_new();
    enum { N = 20000 };
    static struct netaddr as[N];
    for (int i = 0; i < N; i++) {
        memset(&as[i], 0, sizeof as[i]);
        as[i].bytes[0] = 0x20;
        as[i].bytes[1] = 0x01;
        as[i].bytes[14] = (unsigned char)(i >> 8);
        as[i].bytes[15] = (unsigned char)i;
        for (int k = 0; k <= i % 3; k++)
            assert_true(ipcount_acquire(t, &as[i], 3));
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(ipcount_get(t, &as[i]), (unsigned)(i % 3 + 1));
    for (int i = 0; i < N; i += 2)
        for (int k = 0; k <= i % 3; k++)
            ipcount_release(t, &as[i]);
    for (int i = 0; i < N; i++)
        assert_int_equal(ipcount_get(t, &as[i]), i % 2 ? (unsigned)(i % 3 + 1) : 0);
    ipcount_free(t);
}

static void free_with_entries_left_and_null(void **state)
{
    struct ipcount *t = ipcount_new();
    struct netaddr a = addr("192.0.2.1");
    assert_true(ipcount_acquire(t, &a, 10));
    assert_true(ipcount_acquire(t, &a, 10));
    ipcount_free(t); /* entries still held are freed (LeakSanitizer checks) */
    ipcount_free(NULL);
}

/* ---- concurrency -------------------------------------------------------------------------- */

#define THREADS      4
#define ROUNDS       20000
#define SHARED_LIMIT 6

struct shared {
    struct ipcount *t;
    struct netaddr shared; /* contended by all threads, with a small limit */
    struct netaddr own[THREADS];
    atomic_uint held;     /* successful acquires on shared not yet released */
    atomic_uint max_held; /* the most ever held at once */
    atomic_uint granted;  /* total successful acquires on shared */
    atomic_bool over;     /* a get() saw more than the limit */
    atomic_bool refused;  /* an uncontended acquire was refused */
};

struct worker {
    struct shared *s;
    int id;
};

static void *hammer(void *arg)
{
    struct worker *w = arg;
    struct shared *s = w->s;
    for (int i = 0; i < ROUNDS; i++) {
        /* own address: never contended, limit never reached (no cmocka asserts off the main
         * thread: failures are recorded and checked after the join) */
        if (!ipcount_acquire(s->t, &s->own[w->id], ROUNDS + 1))
            atomic_store(&s->refused, true);
        if (ipcount_acquire(s->t, &s->shared, SHARED_LIMIT)) {
            unsigned h = atomic_fetch_add(&s->held, 1) + 1;
            unsigned m = atomic_load(&s->max_held);
            while (h > m && !atomic_compare_exchange_weak(&s->max_held, &m, h))
                ;
            atomic_fetch_add(&s->granted, 1);
            if (ipcount_get(s->t, &s->shared) > SHARED_LIMIT)
                atomic_store(&s->over, true);
            atomic_fetch_sub(&s->held, 1);
            ipcount_release(s->t, &s->shared);
        }
        if (i % 2)
            ipcount_release(s->t, &s->own[w->id]);
    }
    return NULL;
}

static void concurrent_acquire_release_keeps_counts_exact(void **state)
{
    struct shared s;
    memset(&s, 0, sizeof s);
    s.t = ipcount_new();
    s.shared = addr("203.0.113.1");
    for (int i = 0; i < THREADS; i++) {
        char text[32];
        snprintf(text, sizeof text, "198.51.100.%d", i + 1);
        s.own[i] = addr(text);
    }
    pthread_t th[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){&s, i};
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    /* every shared acquire was released: back to zero, never above the limit */
    assert_int_equal(ipcount_get(s.t, &s.shared), 0);
    assert_false(atomic_load(&s.over));
    assert_false(atomic_load(&s.refused));
    assert_true(atomic_load(&s.max_held) <= SHARED_LIMIT);
    assert_true(atomic_load(&s.granted) > 0);
    /* each thread kept half of its own acquires */
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(ipcount_get(s.t, &s.own[i]), ROUNDS / 2);
    ipcount_free(s.t);
}

struct grab {
    struct ipcount *t;
    const struct netaddr *a;
    unsigned got;
};

static void *grab_many(void *arg)
{
    struct grab *g = arg;
    for (int i = 0; i < 1000; i++)
        if (ipcount_acquire(g->t, g->a, 150))
            g->got++;
    return NULL;
}

static void concurrent_acquire_grants_exactly_the_limit(void **state)
{
    struct ipcount *t = ipcount_new();
    struct netaddr a = addr("192.0.2.99");
    pthread_t th[THREADS];
    struct grab g[THREADS];
    for (int i = 0; i < THREADS; i++) {
        g[i] = (struct grab){t, &a, 0};
        assert_int_equal(pthread_create(&th[i], NULL, grab_many, &g[i]), 0);
    }
    unsigned total = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        total += g[i].got;
    }
    assert_int_equal(total, 150);
    assert_int_equal(ipcount_get(t, &a), 150);
    ipcount_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_table_counts_zero),
        cmocka_unit_test(acquire_up_to_limit_then_refuse),
        cmocka_unit_test(release_frees_a_slot),
        cmocka_unit_test(release_to_zero_then_acquire_again),
        cmocka_unit_test(release_of_unknown_address_is_harmless),
        cmocka_unit_test(limit_zero_refuses_everything),
        cmocka_unit_test(lowered_limit_refuses_until_below_it),
        cmocka_unit_test(addresses_are_counted_independently),
        cmocka_unit_test(many_addresses_share_buckets_correctly),
        cmocka_unit_test(free_with_entries_left_and_null),
        cmocka_unit_test(concurrent_acquire_release_keeps_counts_exact),
        cmocka_unit_test(concurrent_acquire_grants_exactly_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
