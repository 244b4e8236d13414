/* test_metrics: the http/metrics.h contract: the Prometheus text rendered after observations:
 * requests_total by method, route label and status, the latency histogram (cumulative buckets,
 * le inclusive, +Inf, count and sum), database errors by kind, the connection gauge and
 * build_info's labels; counters stay exact under concurrent updates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "http/metrics.h"
#include "http/router.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const labels[] = {"/healthz", "/api/v2/tickets/{id}", "/api/v2/tickets"};
#define NLABELS 3
#define BUILD   "version=\"0.1.0\",sqlite=\"3.40.1\""

struct fixture {
    struct metrics *m;
    struct buf out;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->m = metrics_new(NLABELS, labels);
    buf_init(&f->out, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    metrics_free(f->m);
    buf_release(&f->out);
    free(f);
    return 0;
}

static const char *render(struct fixture *f)
{
    buf_clear(&f->out);
    assert_int_equal(metrics_render(f->m, &f->out, BUILD), 0);
    return buf_cstr(&f->out);
}

/* The rendered text has line as one whole line. */
static void assert_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++) {
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return;
    }
    fail_msg("missing line: %s\n--- rendered:\n%s", line, text);
}

static void assert_no_line_starting(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = text; (p = strstr(p, prefix)) != NULL; p += n)
        if (p == text || p[-1] == '\n')
            fail_msg("unexpected line starting %s\n--- rendered:\n%s", prefix, text);
}

static const char empty_text[] =
    "# HELP frontdesk_http_requests_total HTTP requests answered, by route pattern, method and "
    "status.\n"
    "# TYPE frontdesk_http_requests_total counter\n"
    "# HELP frontdesk_http_request_duration_seconds Time from request headers to response "
    "queued.\n"
    "# TYPE frontdesk_http_request_duration_seconds histogram\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"0.0005\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"0.001\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"0.0025\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"0.005\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"0.01\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"0.025\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"0.05\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"0.1\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"0.25\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"0.5\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"1\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"2.5\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"5\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"10\"} 0\n"
    "frontdesk_http_request_duration_seconds_bucket{le=\"+Inf\"} 0\n"
    "frontdesk_http_request_duration_seconds_sum 0.000000000\n"
    "frontdesk_http_request_duration_seconds_count 0\n"
    "# HELP frontdesk_db_errors_total Database errors by kind.\n"
    "# TYPE frontdesk_db_errors_total counter\n"
    "frontdesk_db_errors_total{kind=\"invalid\"} 0\n"
    "frontdesk_db_errors_total{kind=\"conflict\"} 0\n"
    "frontdesk_db_errors_total{kind=\"busy\"} 0\n"
    "frontdesk_db_errors_total{kind=\"io\"} 0\n"
    "frontdesk_db_errors_total{kind=\"internal\"} 0\n"
    "# HELP frontdesk_http_connections Open client connections.\n"
    "# TYPE frontdesk_http_connections gauge\n"
    "frontdesk_http_connections 0\n"
    "# HELP frontdesk_build_info Build information.\n"
    "# TYPE frontdesk_build_info gauge\n"
    "frontdesk_build_info{version=\"0.1.0\",sqlite=\"3.40.1\"} 1\n";

static void render_without_observations_is_exact(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(render(f), empty_text);
}

static void requests_total_has_method_route_and_status(void **state)
{
    struct fixture *f = *state;
    metrics_observe_request(f->m, 0, HTTP_GET, 200, 1000);
    metrics_observe_request(f->m, 0, HTTP_GET, 200, 1000);
    metrics_observe_request(f->m, 1, HTTP_DELETE, 204, 1000);
    metrics_observe_request(f->m, 2, HTTP_POST, 201, 1000);
    metrics_observe_request(f->m, 2, HTTP_POST, 422, 1000);
    const char *t = render(f);
    assert_line(
        t, "frontdesk_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2");
    assert_line(t, "frontdesk_http_requests_total{method=\"DELETE\",route=\"/api/v2/tickets/{id}\","
                   "status=\"204\"} 1");
    assert_line(t, "frontdesk_http_requests_total{method=\"POST\",route=\"/api/v2/tickets\","
                   "status=\"201\"} 1");
    assert_line(t, "frontdesk_http_requests_total{method=\"POST\",route=\"/api/v2/tickets\","
                   "status=\"422\"} 1");
    /* series never observed are not rendered */
    assert_no_line_starting(t, "frontdesk_http_requests_total{method=\"HEAD\"");
    assert_no_line_starting(
        t, "frontdesk_http_requests_total{method=\"GET\",route=\"/api/v2/tickets\"");
}

static void requests_total_exact_block_order(void **state)
{
    struct fixture *f = *state;
    metrics_observe_request(f->m, 1, HTTP_PATCH, 409, 1);
    metrics_observe_request(f->m, 0, HTTP_HEAD, 200, 1);
    metrics_observe_request(f->m, -1, HTTP_GET, 404, 1);
    metrics_observe_request(f->m, 0, HTTP_GET, 503, 1);
    metrics_observe_request(f->m, 0, HTTP_GET, 200, 1);
    const char *t = render(f);
    const char *want =
        "# TYPE frontdesk_http_requests_total counter\n"
        "frontdesk_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"
        "frontdesk_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1\n"
        "frontdesk_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"503\"} 1\n"
        "frontdesk_http_requests_total{method=\"HEAD\",route=\"/healthz\",status=\"200\"} 1\n"
        "frontdesk_http_requests_total{method=\"PATCH\",route=\"/api/v2/tickets/{id}\","
        "status=\"409\"} 1\n"
        "# HELP frontdesk_http_request_duration_seconds";
    if (!strstr(t, want))
        fail_msg("requests block differs; rendered:\n%s", t);
}

static void unmatched_and_out_of_range_routes_are_unmatched(void **state)
{
    struct fixture *f = *state;
    metrics_observe_request(f->m, -1, HTTP_GET, 404, 1);
    metrics_observe_request(f->m, NLABELS, HTTP_GET, 404, 1);
    metrics_observe_request(f->m, 1000, HTTP_GET, 404, 1);
    const char *t = render(f);
    assert_line(
        t, "frontdesk_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 3");
}

static void unlisted_statuses_count_in_their_class(void **state)
{
    struct fixture *f = *state;
    metrics_observe_request(f->m, 0, HTTP_GET, 418, 1);
    metrics_observe_request(f->m, 0, HTTP_GET, 451, 1);
    metrics_observe_request(f->m, 0, HTTP_GET, 502, 1);
    metrics_observe_request(f->m, 0, HTTP_GET, 299, 1);
    metrics_observe_request(f->m, 0, HTTP_GET, 308, 1);
    metrics_observe_request(f->m, 0, HTTP_GET, 101, 1);
    metrics_observe_request(f->m, 0, HTTP_GET, 431, 1);
    const char *t = render(f);
    assert_line(
        t, "frontdesk_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"4xx\"} 2");
    assert_line(
        t, "frontdesk_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"5xx\"} 1");
    assert_line(
        t, "frontdesk_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"2xx\"} 1");
    assert_line(
        t, "frontdesk_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"3xx\"} 1");
    assert_line(
        t, "frontdesk_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"1xx\"} 1");
    assert_line(
        t, "frontdesk_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"431\"} 1");
}

static void every_http_method_has_its_name(void **state)
{
    struct fixture *f = *state;
    const unsigned bits[] = {HTTP_GET,   HTTP_HEAD,   HTTP_POST,    HTTP_PUT,
                             HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS, 0};
    const char *const names[] = {"GET",   "HEAD",   "POST",    "PUT",
                                 "PATCH", "DELETE", "OPTIONS", "OTHER"};
    for (int i = 0; i < 8; i++)
        metrics_observe_request(f->m, 2, bits[i], 200, 1);
    metrics_observe_request(f->m, 2, 1u << 20, 200, 1); /* an unknown bit is OTHER too */
    const char *t = render(f);
    for (int i = 0; i < 8; i++) {
        char line[200];
        snprintf(line, sizeof line,
                 "frontdesk_http_requests_total{method=\"%s\",route=\"/api/v2/tickets\","
                 "status=\"200\"} %d",
                 names[i], i == 7 ? 2 : 1);
        assert_line(t, line);
    }
}

static void route_label_quotes_are_escaped(void **state)
{
    static const char *const odd[] = {"/a\"b\\c"};
    struct metrics *m = metrics_new(1, odd);
    struct buf b;
    buf_init(&b, 0);
    metrics_observe_request(m, 0, HTTP_GET, 200, 1);
    assert_int_equal(metrics_render(m, &b, ""), 0);
    assert_line(
        buf_cstr(&b),
        "frontdesk_http_requests_total{method=\"GET\",route=\"/a\\\"b\\\\c\",status=\"200\"} 1");
    buf_release(&b);
    metrics_free(m);
}

static void histogram_buckets_are_cumulative_and_inclusive(void **state)
{
    struct fixture *f = *state;
    const int64_t d[] = {
        400000,      /* 0.4 ms  -> le 0.0005 */
        500000,      /* 0.5 ms exactly: le is inclusive */
        500001,      /* -> le 0.001 */
        2500000,     /* -> le 0.0025 */
        7000000,     /* -> le 0.01 */
        1000000000,  /* 1 s exactly -> le 1 */
        3000000000,  /* -> le 5 */
        10000000000, /* 10 s exactly -> le 10 */
        20000000000, /* -> +Inf only */
    };
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        metrics_observe_request(f->m, 0, HTTP_GET, 200, d[i]);
    const char *t = render(f);
    const char *want = "frontdesk_http_request_duration_seconds_bucket{le=\"0.0005\"} 2\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"0.001\"} 3\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"0.0025\"} 4\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"0.005\"} 4\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"0.01\"} 5\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"0.025\"} 5\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"0.05\"} 5\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"0.1\"} 5\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"0.25\"} 5\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"0.5\"} 5\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"1\"} 6\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"2.5\"} 6\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"5\"} 7\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"10\"} 8\n"
                       "frontdesk_http_request_duration_seconds_bucket{le=\"+Inf\"} 9\n"
                       "frontdesk_http_request_duration_seconds_sum 34.010900001\n"
                       "frontdesk_http_request_duration_seconds_count 9\n";
    if (!strstr(t, want))
        fail_msg("histogram block differs; rendered:\n%s", t);
}

static void histogram_sum_is_seconds_with_nine_decimals(void **state)
{
    struct fixture *f = *state;
    metrics_observe_request(f->m, 0, HTTP_GET, 200, 1500000);    /* 0.0015 s */
    metrics_observe_request(f->m, 0, HTTP_GET, 200, 2000000001); /* 2.000000001 s */
    metrics_observe_request(f->m, -1, HTTP_GET, 404, 250000000); /* 0.25 s */
    const char *t = render(f);
    assert_line(t, "frontdesk_http_request_duration_seconds_sum 2.251500001");
    assert_line(t, "frontdesk_http_request_duration_seconds_count 3");
}

static void negative_duration_counts_as_zero(void **state)
{
    struct fixture *f = *state;
    metrics_observe_request(f->m, 0, HTTP_GET, 200, -5000);
    metrics_observe_request(f->m, 0, HTTP_GET, 200, 1);
    const char *t = render(f);
    assert_line(t, "frontdesk_http_request_duration_seconds_bucket{le=\"0.0005\"} 2");
    assert_line(t, "frontdesk_http_request_duration_seconds_sum 0.000000001");
    assert_line(t, "frontdesk_http_request_duration_seconds_count 2");
}

static void db_errors_are_counted_by_kind(void **state)
{
    struct fixture *f = *state;
    metrics_db_error(f->m, ERR_BUSY);
    metrics_db_error(f->m, ERR_BUSY);
    metrics_db_error(f->m, ERR_IO);
    metrics_db_error(f->m, ERR_CONFLICT);
    metrics_db_error(f->m, ERR_CONFLICT);
    metrics_db_error(f->m, ERR_CONFLICT);
    metrics_db_error(f->m, ERR_INVALID);
    metrics_db_error(f->m, ERR_INTERNAL);
    const char *t = render(f);
    const char *want = "# TYPE frontdesk_db_errors_total counter\n"
                       "frontdesk_db_errors_total{kind=\"invalid\"} 1\n"
                       "frontdesk_db_errors_total{kind=\"conflict\"} 3\n"
                       "frontdesk_db_errors_total{kind=\"busy\"} 2\n"
                       "frontdesk_db_errors_total{kind=\"io\"} 1\n"
                       "frontdesk_db_errors_total{kind=\"internal\"} 1\n";
    if (!strstr(t, want))
        fail_msg("db error block differs; rendered:\n%s", t);
}

static void other_db_error_codes_count_as_internal(void **state)
{
    struct fixture *f = *state;
    metrics_db_error(f->m, ERR_NOT_FOUND);
    metrics_db_error(f->m, ERR_LIMIT);
    metrics_db_error(f->m, 12345);
    const char *t = render(f);
    assert_line(t, "frontdesk_db_errors_total{kind=\"internal\"} 3");
    assert_line(t, "frontdesk_db_errors_total{kind=\"invalid\"} 0");
}

static void connections_gauge_follows_deltas(void **state)
{
    struct fixture *f = *state;
    metrics_connection_delta(f->m, 1);
    metrics_connection_delta(f->m, 1);
    metrics_connection_delta(f->m, 1);
    metrics_connection_delta(f->m, -1);
    assert_line(render(f), "frontdesk_http_connections 2");
    metrics_connection_delta(f->m, -2);
    assert_line(render(f), "frontdesk_http_connections 0");
}

static void build_info_labels_are_verbatim(void **state)
{
    struct fixture *f = *state;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(metrics_render(f->m, &b, "version=\"1.2.3\",libpq=\"15.4\""), 0);
    assert_line(buf_cstr(&b), "frontdesk_build_info{version=\"1.2.3\",libpq=\"15.4\"} 1");
    buf_release(&b);
    assert_line(render(f), "frontdesk_build_info{version=\"0.1.0\",sqlite=\"3.40.1\"} 1");
}

static void render_appends_and_is_repeatable(void **state)
{
    struct fixture *f = *state;
    metrics_observe_request(f->m, 0, HTTP_GET, 200, 1);
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_append_cstr(&b, "PREFIX\n"), 0);
    assert_int_equal(metrics_render(f->m, &b, BUILD), 0);
    assert_memory_equal(buf_cstr(&b), "PREFIX\n# HELP", 13);
    size_t first = b.len - 7;
    buf_clear(&b);
    assert_int_equal(metrics_render(f->m, &b, BUILD), 0);
    assert_int_equal(b.len, first); /* rendering does not change the counters */
    buf_release(&b);
}

static void render_into_small_buffer_reports_limit(void **state)
{
    struct fixture *f = *state;
    struct buf b;
    buf_init(&b, 100);
    assert_int_equal(metrics_render(f->m, &b, BUILD), ERR_LIMIT);
    assert_true(b.len <= 100);
    buf_release(&b);
}

static void metrics_free_null_is_a_noop(void **state)
{
    metrics_free(NULL);
}

struct worker {
    struct metrics *m;
    int id;
};

#define PER_THREAD 20000

static void *observe_many(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        metrics_observe_request(w->m, 1, HTTP_GET, 200, 1000000); /* 1 ms */
        metrics_db_error(w->m, ERR_BUSY);
        metrics_connection_delta(w->m, (i & 1) ? -1 : 1);
    }
    return NULL;
}

static void concurrent_updates_are_exact(void **state)
{
    struct fixture *f = *state;
    pthread_t th[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){f->m, i};
        assert_int_equal(pthread_create(&th[i], NULL, observe_many, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    const char *t = render(f);
    assert_line(t, "frontdesk_http_requests_total{method=\"GET\",route=\"/api/v2/tickets/{id}\","
                   "status=\"200\"} 80000");
    assert_line(t, "frontdesk_http_request_duration_seconds_bucket{le=\"0.001\"} 80000");
    assert_line(t, "frontdesk_http_request_duration_seconds_bucket{le=\"0.0005\"} 0");
    assert_line(t, "frontdesk_http_request_duration_seconds_count 80000");
    assert_line(t, "frontdesk_http_request_duration_seconds_sum 80.000000000");
    assert_line(t, "frontdesk_db_errors_total{kind=\"busy\"} 80000");
    assert_line(t, "frontdesk_http_connections 0");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(render_without_observations_is_exact),
        T(requests_total_has_method_route_and_status),
        T(requests_total_exact_block_order),
        T(unmatched_and_out_of_range_routes_are_unmatched),
        T(unlisted_statuses_count_in_their_class),
        T(every_http_method_has_its_name),
        cmocka_unit_test(route_label_quotes_are_escaped),
        T(histogram_buckets_are_cumulative_and_inclusive),
        T(histogram_sum_is_seconds_with_nine_decimals),
        T(negative_duration_counts_as_zero),
        T(db_errors_are_counted_by_kind),
        T(other_db_error_codes_count_as_internal),
        T(connections_gauge_follows_deltas),
        T(build_info_labels_are_verbatim),
        T(render_appends_and_is_repeatable),
        T(render_into_small_buffer_reports_limit),
        cmocka_unit_test(metrics_free_null_is_a_noop),
        T(concurrent_updates_are_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
