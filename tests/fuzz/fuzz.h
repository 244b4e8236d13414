/* fuzz.h: what every harness in tests/fuzz shares.
 *
 * A harness defines LLVMFuzzerTestOneInput() and nothing else that is global. The same source is
 * linked two ways (tests/fuzz/meson.build): with libFuzzer by scripts/fuzz, and with replay.c,
 * which feeds it every file of the committed corpus during the normal test run. So a harness
 * must be deterministic, must free everything it allocates (LeakSanitizer watches both builds)
 * and reports a broken invariant through FUZZ_CHECK, which prints what it saw and aborts: an
 * abort is how both libFuzzer and the replay learn that an input found a bug.
 */
#ifndef FRONTDESK_TESTS_FUZZ_H
#define FRONTDESK_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with the expression, the location and a printf-style account of the values involved. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n  ", __FILE__, __LINE__, #cond);         \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A NUL-terminated copy of data (embedded NULs then end the string early, as they would for a C
 * caller). Free with free(). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = '\0';
    return s;
}

#endif
