/* hc_search_bench: help-center search in process (issue 7, "Benchmarks": "With 10,000 published
 * articles: search at p99 under 5 ms on SQLite"). Built and run by bench/hc_search against a
 * build's static libraries.
 *
 * Fills the database (any URL frontdesk takes; migrated first) with ARTICLES published articles
 * when it holds fewer: 20 sections of 4 categories, a title of 4 to 8 words and a body of 150 to
 * 450 words (paragraphs of sentences) drawn from a vocabulary of 50,000 made-up words (Heaps'
 * law: about as many distinct words as 3 million words of English hold) whose frequencies follow
 * Zipf's law (s = 1), so a few words are in nearly every article, as "the" and "account" are in
 * a real help center, and most are in few. The body is its own plain text (body_text) and HTML;
 * the migration's triggers index every article as it is inserted.
 *
 * Then times hc_search_articles() (service/hc_search.h: its read transaction, the ranked page,
 * the snippets and their HTML; per_page 30, page 1), one call after another on one connection,
 * for QUERIES random queries per round: one or two words (even odds), each cut to a prefix of 4
 * to 6 characters with odds 1 in 3. Words are drawn by their frequency in the text; MODE says
 * which:
 *   content  all but the 100 most frequent (the function words nobody searches for alone);
 *   all      every word, those too (a word in every article: the worst case).
 *
 * Usage: hc_search_bench DB_URL ARTICLES QUERIES ROUNDS MODE SEED
 * Prints per round "round R N P50_US P90_US P99_US MAX_US MEAN_US MEAN_RESULTS MEAN_TOTAL
 * CPU_P50_US CPU_P99_US": wall-clock latency of each call, then the calling thread's CPU time
 * of each (which other jobs on the machine disturb much less).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "db/db.h"
#include "db/migrate.h"
#include "service/hc_search.h"

#define VOCABULARY     50000 /* Heaps' law: about that many distinct words in 3 million of English */
#define FUNCTION_WORDS 100   /* the most frequent words, which people do not search for */
#define SECTIONS       20

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void) /* xorshift64 */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double uniform(void)
{
    return (double)(rng() >> 11) / (double)(1ull << 53);
}

static char words[VOCABULARY][16];
static double zipf_cdf[VOCABULARY];

/* Distinct made-up words: the word of rank i spells a permutation of i (i * 7919 + 12345 modulo
 * 75^3, one to one as 7919 shares no factor with 3 or 5) in three base-75 syllables
 * ("kabebo"), and every fourth one has a fourth syllable, so lengths vary from 6 to 8 letters.
 * The permutation scatters the frequent words over the alphabet, as English's are: without it
 * every prefix of a rare word would also be the prefix of a function word. */
static void make_vocabulary(void)
{
    static const char cons[] = "bcdfgklmnprstvz";
    static const char vow[] = "aeiou";
    double sum = 0;
    for (int i = 0; i < VOCABULARY; i++) {
        char *w = words[i];
        int n = (int)(((long)i * 7919 + 12345) % (75L * 75 * 75)), len = 0;
        int syl = i % 4 == 0 ? 4 : 3;
        for (int k = 0; k < syl; k++) {
            int d = k < 3 ? n % 75 : (i / 4) % 75;
            n /= 75;
            w[len++] = cons[d / 5];
            w[len++] = vow[d % 5];
        }
        w[len] = '\0';
        sum += 1.0 / (i + 1);
        zipf_cdf[i] = sum;
    }
    for (int i = 0; i < VOCABULARY; i++)
        zipf_cdf[i] /= sum;
}

/* A word drawn by its frequency, of rank at least from. */
static int zipf_word_from(int from)
{
    double lo_p = from ? zipf_cdf[from - 1] : 0;
    double u = lo_p + uniform() * (1 - lo_p);
    int lo = from, hi = VOCABULARY - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (zipf_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int zipf_word(void)
{
    return zipf_word_from(0);
}

static void die(const char *what, const struct err *e)
{
    fprintf(stderr, "hc_search_bench: %s: %s %s\n", what, e ? e->message : "", e ? e->detail : "");
    exit(1);
}

static int64_t scalar(struct db *db, const char *sql)
{
    struct err e;
    struct db_stmt *st;
    if (db_prepare(db, sql, &st, &e))
        die(sql, &e);
    if (db_step(st, &e) != DB_ROW)
        die(sql, &e);
    int64_t v = db_column_int64(st, 0);
    db_stmt_done(st);
    return v;
}

static int64_t insert_id(struct db *db, struct db_stmt *st)
{
    struct err e;
    if (db_step(st, &e) != DB_ROW)
        die("insert", &e);
    int64_t id = db_column_int64(st, 0);
    db_stmt_done(st);
    (void)db;
    return id;
}

static void sentence_words(struct buf *b, int n, bool capital)
{
    for (int k = 0; k < n; k++) {
        const char *w = words[zipf_word()];
        if (k)
            buf_append_char(b, ' ');
        if (k == 0 && capital) {
            buf_append_char(b, (char)(w[0] - 'a' + 'A'));
            buf_append_cstr(b, w + 1);
        } else {
            buf_append_cstr(b, w);
        }
    }
}

static void fill(struct db *db, int articles)
{
    struct err e;
    int64_t have = scalar(db, "SELECT count(*) FROM hc_articles WHERE draft = 0");
    if (have >= articles)
        return;
    if (db_begin(db, DB_TX_WRITE, &e))
        die("begin", &e);
    int64_t sections[SECTIONS];
    for (int c = 0; c < 4; c++) {
        struct db_stmt *st;
        if (db_prepare(db,
                       "INSERT INTO hc_categories (name, created_at, updated_at) "
                       "VALUES (?, 1700000000, 1700000000) RETURNING id",
                       &st, &e))
            die("category", &e);
        char name[32];
        snprintf(name, sizeof name, "Bench category %d", c + 1);
        db_bind_cstr(st, 1, name);
        int64_t cat = insert_id(db, st);
        for (int s = 0; s < SECTIONS / 4; s++) {
            if (db_prepare(db,
                           "INSERT INTO hc_sections (category_id, name, created_at, updated_at) "
                           "VALUES (?, ?, 1700000000, 1700000000) RETURNING id",
                           &st, &e))
                die("section", &e);
            snprintf(name, sizeof name, "Bench section %d", c * (SECTIONS / 4) + s + 1);
            db_bind_int64(st, 1, cat);
            db_bind_cstr(st, 2, name);
            sections[c * (SECTIONS / 4) + s] = insert_id(db, st);
        }
    }
    struct buf title, body, html;
    buf_init(&title, 0);
    buf_init(&body, 0);
    buf_init(&html, 0);
    for (int64_t i = have; i < articles; i++) {
        buf_clear(&title);
        buf_clear(&body);
        buf_clear(&html);
        sentence_words(&title, 4 + (int)(rng() % 5), true);
        int target = 150 + (int)(rng() % 301), done = 0;
        buf_append_cstr(&html, "<p>");
        while (done < target) {
            int n = 6 + (int)(rng() % 14);
            if (done && rng() % 5 == 0) {
                buf_append_cstr(&body, "\n\n");
                buf_append_cstr(&html, "</p>\n<p>");
            } else if (done) {
                buf_append_char(&body, ' ');
                buf_append_char(&html, ' ');
            }
            size_t at = body.len;
            sentence_words(&body, n, true);
            buf_append_char(&body, '.');
            buf_append(&html, buf_cstr(&body) + at, body.len - at);
            done += n;
        }
        buf_append_cstr(&html, "</p>\n");
        struct db_stmt *st;
        if (db_prepare(db,
                       "INSERT INTO hc_articles (section_id, title, body, html, body_text, draft, "
                       "position, created_at, updated_at, edited_at) "
                       "VALUES (?, ?, ?, ?, ?, 0, 0, 1700000000, 1700000000, 1700000000)",
                       &st, &e))
            die("article", &e);
        db_bind_int64(st, 1, sections[i % SECTIONS]);
        db_bind_text(st, 2, buf_cstr(&title), title.len);
        db_bind_text(st, 3, buf_cstr(&body), body.len);
        db_bind_text(st, 4, buf_cstr(&html), html.len);
        db_bind_text(st, 5, buf_cstr(&body), body.len);
        if (db_run(st, &e))
            die("article", &e);
    }
    buf_release(&title);
    buf_release(&body);
    buf_release(&html);
    if (db_commit(db, &e))
        die("commit", &e);
}

static void make_query(char *out, size_t cap, bool all)
{
    int n = 1 + (int)(rng() % 2);
    out[0] = '\0';
    for (int k = 0; k < n; k++) {
        const char *w = words[zipf_word_from(all ? 0 : FUNCTION_WORDS)];
        size_t len = strlen(w);
        if (rng() % 3 == 0) {
            size_t p = 4 + (size_t)(rng() % 3);
            if (p < len)
                len = p;
        }
        size_t at = strlen(out);
        if (k && at + 1 < cap)
            out[at++] = ' ';
        if (at + len + 1 > cap)
            break;
        memcpy(out + at, w, len);
        out[at + len] = '\0';
    }
}

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

static int cmp64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static double run_query(struct db *db, struct arena *a, const char *query, int64_t *ns,
                        int64_t *cpu_ns, size_t *results, int64_t *total)
{
    struct hc_search_req req = {.query = query, .page = 1, .per_page = 30};
    struct hc_search_page page;
    struct err e;
    arena_clear(a);
    int64_t c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns();
    if (hc_search_articles(db, &req, a, &page, &e))
        die(query, &e);
    *ns = now_ns() - t0;
    *cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
    *results = page.count;
    *total = page.total;
    return 0;
}

/* A count 1..10,000,000 from the command line; exits on anything else. */
static int count_arg(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 1 || v > 10000000) {
        fprintf(stderr, "hc_search_bench: not a count: %s\n", s);
        exit(2);
    }
    return (int)v;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: hc_search_bench DB_URL ARTICLES QUERIES ROUNDS MODE SEED\n");
        return 2;
    }
    int articles = count_arg(argv[2]), queries = count_arg(argv[3]), rounds = count_arg(argv[4]);
    bool all = strcmp(argv[5], "all") == 0;
    rng_state ^= strtoull(argv[6], NULL, 10) * 0x9E3779B97F4A7C15ull;
    if (!rng_state)
        rng_state = 1;
    make_vocabulary();
    struct err e;
    struct db_pool *pool;
    struct db *db;
    struct db_options opt = {0};
    if (db_pool_open(argv[1], &opt, &pool, &e) || db_pool_conn(pool, &db, &e))
        die("open", &e);
    if (migrate_apply(db, NULL, &e))
        die("migrate", &e);
    int64_t t0 = now_ns();
    fill(db, articles);
    fprintf(stderr, "hc_search_bench: %lld published articles (filled in %.1f s)\n",
            (long long)scalar(db, "SELECT count(*) FROM hc_articles WHERE draft = 0"),
            (double)(now_ns() - t0) / 1e9);
    struct arena a;
    arena_init(&a, 0);
    int64_t *lat = malloc(sizeof *lat * (size_t)queries);
    int64_t *cpu = malloc(sizeof *cpu * (size_t)queries);
    char query[128];
    for (int i = 0; i < 200; i++) { /* warm the caches */
        int64_t ns, cpu_ns, total;
        size_t n;
        make_query(query, sizeof query, all);
        run_query(db, &a, query, &ns, &cpu_ns, &n, &total);
    }
    for (int r = 1; r <= rounds; r++) {
        double sum = 0, res_sum = 0, total_sum = 0;
        for (int i = 0; i < queries; i++) {
            int64_t total;
            size_t n;
            make_query(query, sizeof query, all);
            run_query(db, &a, query, &lat[i], &cpu[i], &n, &total);
            if (getenv("BENCH_SHOW_SLOW") && lat[i] > 5000000)
                fprintf(stderr, "slow: %.1f ms \"%s\" results %zu of %lld\n", lat[i] / 1e6, query,
                        n, (long long)total);
            sum += (double)lat[i];
            res_sum += (double)n;
            total_sum += (double)total;
        }
        qsort(lat, (size_t)queries, sizeof *lat, cmp64);
        qsort(cpu, (size_t)queries, sizeof *cpu, cmp64);
#define PCT(v, p) ((double)(v)[(size_t)((double)(queries - 1) * (p))] / 1000.0)
        printf("round %d %d %.0f %.0f %.0f %.0f %.0f %.1f %.0f %.0f %.0f\n", r, queries,
               PCT(lat, 0.50), PCT(lat, 0.90), PCT(lat, 0.99), (double)lat[queries - 1] / 1000.0,
               sum / queries / 1000.0, res_sum / queries, total_sum / queries, PCT(cpu, 0.50),
               PCT(cpu, 0.99));
        fflush(stdout);
    }
    free(lat);
    free(cpu);
    arena_release(&a);
    db_pool_free(pool);
    return 0;
}
