/* test_arena: the base/arena.h contract: alignment for any type, zeroed memory, the byte limit
 * (NULL past it, never more than the limit in use), clear keeps one block for reuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/arena.h"

#include <stdalign.h>
#include <stdbool.h>
#include <string.h>

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i])
            return false;
    return true;
}

static void arena_init_is_empty(void **state)
{
    struct arena a;
    arena_init(&a, 1234);
    assert_null(a.head);
    assert_int_equal(a.used_total, 0);
    assert_int_equal(a.limit, 1234);
    arena_release(&a);
}

static void arena_alloc_is_aligned_for_any_type(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    const size_t sizes[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1, 5000, 2, 70000, 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = arena_alloc(&a, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
    }
    arena_release(&a);
}

static void arena_alloc_returns_zeroed_disjoint_memory(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    unsigned char *prev = NULL;
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(i * 37 % 300) + 1;
        unsigned char *p = arena_alloc(&a, n);
        assert_non_null(p);
        assert_true(all_zero(p, n));
        memset(p, 0xAB, n); /* would corrupt a neighbour if regions overlapped */
        if (prev)
            assert_int_equal(prev[0], 0xAB);
        prev = p;
    }
    arena_release(&a);
}

static void arena_alloc_zero_bytes_returns_usable_pointer(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    assert_non_null(arena_alloc(&a, 0));
    char *p = arena_alloc(&a, 4);
    assert_non_null(p);
    memcpy(p, "abc", 4);
    arena_release(&a);
}

static void arena_alloc_larger_than_a_block(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    unsigned char *small = arena_alloc(&a, 10);
    unsigned char *big = arena_alloc(&a, 1 << 20);
    assert_non_null(small);
    assert_non_null(big);
    assert_true(all_zero(big, 1 << 20));
    memset(big, 1, 1 << 20);
    memset(small, 2, 10);
    assert_int_equal(big[0], 1);
    assert_int_equal(big[(1 << 20) - 1], 1);
    arena_release(&a);
}

static void arena_strndup_copies_and_terminates(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    char *s = arena_strndup(&a, "hello world", 5);
    assert_non_null(s);
    assert_string_equal(s, "hello");
    char *e = arena_strndup(&a, "", 0);
    assert_non_null(e);
    assert_string_equal(e, "");
    const char raw[3] = {'x', 'y', 'z'}; /* not NUL-terminated */
    char *r = arena_strndup(&a, raw, 3);
    assert_string_equal(r, "xyz");
    arena_release(&a);
}

static void arena_limit_refuses_allocation_larger_than_limit(void **state)
{
    struct arena a;
    arena_init(&a, 4096);
    assert_null(arena_alloc(&a, 5000));
    assert_null(arena_strndup(&a, "abc", 10000));
    arena_release(&a);
}

static void arena_limit_refuses_huge_size_without_wrapping(void **state)
{
    struct arena a;
    arena_init(&a, 1 << 20);
    void *p1 = arena_alloc(&a, SIZE_MAX);
    void *p2 = arena_alloc(&a, SIZE_MAX - 8);
    arena_release(&a); /* before asserting, so a failure does not leak */
    assert_null(p1);
    assert_null(p2);
}

static void arena_limit_is_never_exceeded(void **state)
{
    struct arena a;
    const size_t limit = 64 * 1024;
    arena_init(&a, limit);
    size_t handed = 0;
    int n = 0;
    for (;;) {
        void *p = arena_alloc(&a, 100);
        if (!p)
            break;
        handed += 100;
        n++;
        assert_true(n < 100000);
    }
    assert_true(handed <= limit);
    assert_true(a.used_total <= limit);
    assert_true(handed > limit / 2); /* the limit is usable, not just a guard */
    /* still refused, and a release makes the arena usable again */
    assert_null(arena_alloc(&a, 100));
    arena_release(&a);
    assert_int_equal(a.limit, limit);
    assert_non_null(arena_alloc(&a, 100));
    arena_release(&a);
}

static void arena_limit_small_allocation_fits_after_large_refused(void **state)
{
    struct arena a;
    arena_init(&a, 8192);
    assert_non_null(arena_alloc(&a, 64));
    assert_null(arena_alloc(&a, 100000));
    assert_non_null(arena_alloc(&a, 64)); /* the refusal changed nothing */
    arena_release(&a);
}

static void arena_limit_below_one_block_still_allocates(void **state)
{
    struct arena a;
    arena_init(&a, 1024);
    char *p = arena_alloc(&a, 256);
    assert_non_null(p);
    assert_true(a.used_total <= 1024);
    arena_release(&a);
}

static void arena_unlimited_when_limit_zero(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    for (int i = 0; i < 64; i++)
        assert_non_null(arena_alloc(&a, 64 * 1024));
    arena_release(&a);
}

static void arena_clear_reuses_the_first_block(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    unsigned char *first = arena_alloc(&a, 32);
    assert_non_null(first);
    memset(first, 0xCD, 32);
    for (int i = 0; i < 100; i++)
        assert_non_null(arena_alloc(&a, 1000)); /* forces several more blocks */
    size_t before = a.used_total;
    arena_clear(&a);
    assert_non_null(a.head);
    assert_true(a.used_total > 0);
    assert_true(a.used_total < before);
    unsigned char *again = arena_alloc(&a, 32);
    assert_ptr_equal(again, first);
    assert_true(all_zero(again, 32)); /* reused memory is zeroed again */
    arena_release(&a);
}

static void arena_clear_keeps_exactly_one_block(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    assert_non_null(arena_alloc(&a, 16));
    size_t one_block = a.used_total;
    for (int i = 0; i < 50; i++)
        assert_non_null(arena_alloc(&a, 3000));
    arena_clear(&a);
    assert_int_equal(a.used_total, one_block);
    arena_clear(&a); /* idempotent */
    assert_int_equal(a.used_total, one_block);
    arena_release(&a);
}

static void arena_clear_on_empty_arena_is_harmless(void **state)
{
    struct arena a;
    arena_init(&a, 100);
    arena_clear(&a);
    assert_null(a.head);
    assert_int_equal(a.used_total, 0);
    arena_release(&a);
}

static void arena_clear_under_limit_gives_back_the_budget(void **state)
{
    struct arena a;
    arena_init(&a, 32 * 1024);
    while (arena_alloc(&a, 512))
        ;
    arena_clear(&a);
    size_t n = 0;
    while (arena_alloc(&a, 512))
        n++;
    assert_true(n * 512 > 16 * 1024);
    arena_release(&a);
}

static void arena_release_frees_everything_and_keeps_limit(void **state)
{
    struct arena a;
    arena_init(&a, 1 << 20);
    for (int i = 0; i < 10; i++)
        assert_non_null(arena_alloc(&a, 10000));
    arena_release(&a);
    assert_null(a.head);
    assert_int_equal(a.used_total, 0);
    assert_int_equal(a.limit, 1 << 20);
    arena_release(&a); /* twice is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_init_is_empty),
        cmocka_unit_test(arena_alloc_is_aligned_for_any_type),
        cmocka_unit_test(arena_alloc_returns_zeroed_disjoint_memory),
        cmocka_unit_test(arena_alloc_zero_bytes_returns_usable_pointer),
        cmocka_unit_test(arena_alloc_larger_than_a_block),
        cmocka_unit_test(arena_strndup_copies_and_terminates),
        cmocka_unit_test(arena_limit_refuses_allocation_larger_than_limit),
        cmocka_unit_test(arena_limit_refuses_huge_size_without_wrapping),
        cmocka_unit_test(arena_limit_is_never_exceeded),
        cmocka_unit_test(arena_limit_small_allocation_fits_after_large_refused),
        cmocka_unit_test(arena_limit_below_one_block_still_allocates),
        cmocka_unit_test(arena_unlimited_when_limit_zero),
        cmocka_unit_test(arena_clear_reuses_the_first_block),
        cmocka_unit_test(arena_clear_keeps_exactly_one_block),
        cmocka_unit_test(arena_clear_on_empty_arena_is_harmless),
        cmocka_unit_test(arena_clear_under_limit_gives_back_the_budget),
        cmocka_unit_test(arena_release_frees_everything_and_keeps_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
