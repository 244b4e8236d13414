/* calendar_bench: cal_add and cal_between calls per second, in process, on the default calendar.
 *
 * Built and run by bench/calendar (cc -O2 against build/'s static libraries); see bench/README.md.
 * The work (issue 4, "Benchmarks"): the default calendar (America/Toronto, Mon-Fri 09:00-17:00,
 * CA-ON), starts drawn uniformly over 2020-01-01 .. 2035-12-31 (UTC seconds), durations uniformly
 * over 0 .. 200 business hours. For `between`, the end of each pair is start + a span drawn
 * uniformly over 0 .. 35 calendar days (the wall-clock span of 0 .. 200 business hours, roughly);
 * the same definition as bench/calendar_bh.pl uses for Business::Hours.
 *
 * Usage:
 *   calendar_bench [--rounds N] [--seconds S] [--seed X]
 *       prints one line per measurement, "round R add|between CALLS SECONDS CPU_SECONDS", then
 *       "build_ms M" (cal_new_default) and "checksum C" (so nothing is optimised away).
 *       Within a round the order alternates (add first in odd rounds).
 *   calendar_bench --holidays FROM TO
 *       prints the closed dates (YYYY-MM-DD, one per line) of the default calendar in years
 *       FROM..TO: the holiday list bench/calendar gives Business::Hours.
 * Exit status: 0, or 1 when the calendar could not be built or a call failed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "core/calendar.h"
#include "core/holidays.h"

#define N_CASES (1u << 18) /* per array: 2 MB each, the calendar's table is about 1.7 MB */
#define CHECK_EVERY 4096u  /* calls between two looks at the clock */

static uint64_t rng_state;

static uint64_t splitmix64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int64_t uniform(int64_t lo, int64_t hi) /* [lo, hi] */
{
    return lo + (int64_t)(splitmix64() % (uint64_t)(hi - lo + 1));
}

static double now(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t *starts, *durations, *ends;
static volatile int64_t sink;

/* Run `add` or `between` over the arrays until `seconds` have passed; returns the calls made. */
static uint64_t run(const struct calendar *c, int is_add, double seconds, double *wall,
                    double *cpu, int64_t *checksum)
{
    double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID), t1;
    uint64_t calls = 0;
    int64_t sum = 0;
    size_t i = 0;
    for (;;) {
        for (unsigned k = 0; k < CHECK_EVERY; k++) {
            if (is_add) {
                int64_t out = 0;
                if (cal_add(c, starts[i], durations[i], &out) != 0) {
                    fprintf(stderr, "calendar_bench: cal_add(%" PRId64 ", %" PRId64 ") failed\n",
                            starts[i], durations[i]);
                    exit(1);
                }
                sum += out;
            } else {
                sum += cal_between(c, starts[i], ends[i]);
            }
            i = (i + 1) & (N_CASES - 1);
        }
        calls += CHECK_EVERY;
        t1 = now(CLOCK_MONOTONIC);
        if (t1 - t0 >= seconds)
            break;
    }
    *wall = t1 - t0;
    *cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    *checksum += sum;
    return calls;
}

static int print_holidays(int from, int to)
{
    struct cal_spec *spec = calloc(1, sizeof *spec);
    struct holidays_entry *out = calloc(HOLIDAYS_YEAR_MAX_ENTRIES, sizeof *out);
    if (spec == NULL || out == NULL)
        return 1;
    cal_spec_default(spec);
    for (int y = from; y <= to; y++) {
        size_t n = 0;
        if (holidays_year(&spec->holidays, y, out, HOLIDAYS_YEAR_MAX_ENTRIES, &n) != 0) {
            fprintf(stderr, "calendar_bench: holidays_year(%d) failed\n", y);
            return 1;
        }
        for (size_t k = 0; k < n; k++) {
            time_t t = (time_t)(out[k].day * 86400);
            struct tm tm;
            gmtime_r(&t, &tm);
            printf("%04d-%02d-%02d\n", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        }
    }
    free(spec);
    free(out);
    return 0;
}

int main(int argc, char **argv)
{
    int rounds = 5;
    double seconds = 5;
    uint64_t seed = 20251126;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--holidays") == 0 && i + 2 < argc)
            return print_holidays(atoi(argv[i + 1]), atoi(argv[i + 2]));
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: calendar_bench [--rounds N] [--seconds S] [--seed X] | "
                            "--holidays FROM TO\n");
            return 2;
        }
    }
    if (rounds < 1 || seconds <= 0) {
        fprintf(stderr, "calendar_bench: --rounds and --seconds must be positive\n");
        return 2;
    }

    struct calendar *c = NULL;
    struct err e = {0};
    double b0 = now(CLOCK_MONOTONIC);
    if (cal_new_default(&c, &e) != 0) {
        fprintf(stderr, "calendar_bench: cal_new_default: %s\n", e.message);
        return 1;
    }
    double build_ms = (now(CLOCK_MONOTONIC) - b0) * 1e3;

    starts = malloc(N_CASES * sizeof *starts);
    durations = malloc(N_CASES * sizeof *durations);
    ends = malloc(N_CASES * sizeof *ends);
    if (!starts || !durations || !ends)
        return 1;
    rng_state = seed;
    const int64_t from = 1577836800; /* 2020-01-01T00:00:00Z */
    const int64_t to = 2082758399;   /* 2035-12-31T23:59:59Z */
    for (size_t i = 0; i < N_CASES; i++) {
        starts[i] = uniform(from, to);
        durations[i] = uniform(0, 200 * 3600);
        ends[i] = starts[i] + uniform(0, 35 * 86400);
    }

    int64_t checksum = 0;
    double wall, cpu;
    /* Warm-up: page the arrays and the calendar's table in. */
    run(c, 1, seconds / 5, &wall, &cpu, &checksum);
    run(c, 0, seconds / 5, &wall, &cpu, &checksum);
    for (int r = 1; r <= rounds; r++) {
        for (int k = 0; k < 2; k++) {
            int is_add = (r % 2 == 1) ? (k == 0) : (k == 1);
            uint64_t calls = run(c, is_add, seconds, &wall, &cpu, &checksum);
            printf("round %d %s %" PRIu64 " %.6f %.6f\n", r, is_add ? "add" : "between", calls,
                   wall, cpu);
            fflush(stdout);
        }
    }
    printf("build_ms %.1f\n", build_ms);
    printf("checksum %" PRId64 "\n", checksum);
    sink = checksum;
    cal_free(c);
    free(starts);
    free(durations);
    free(ends);
    return 0;
}
