#include "http/metrics.h"

#include "base/err.h"
#include "base/xalloc.h"
#include "http/router.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Statuses we count individually; anything else lands in its class's "other" slot. */
static const int status_slots[] = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405,
                                   408, 409, 411, 413, 415, 422, 429, 431, 500, 501, 503};
#define NSTATUS (sizeof status_slots / sizeof status_slots[0])
#define NSTATUS_ALL (NSTATUS + 5) /* plus 1xx..5xx "other" */

static const unsigned method_bits[] = {HTTP_GET,   HTTP_HEAD,   HTTP_POST,   HTTP_PUT,
                                       HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS, 0};
static const char *const method_names[] = {"GET",   "HEAD",   "POST",    "PUT",
                                           "PATCH", "DELETE", "OPTIONS", "OTHER"};
#define NMETHOD (sizeof method_bits / sizeof method_bits[0])

/* Upper bounds in seconds, as nanoseconds. */
static const int64_t bucket_ns[] = {500000,    1000000,   2500000,    5000000,    10000000,
                                    25000000,  50000000,  100000000,  250000000,  500000000,
                                    1000000000, 2500000000, 5000000000, 10000000000};
static const char *const bucket_labels[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01",
                                            "0.025",  "0.05",  "0.1",    "0.25",  "0.5",
                                            "1",      "2.5",   "5",      "10"};
#define NBUCKET (sizeof bucket_ns / sizeof bucket_ns[0])

static const int db_error_codes[] = {ERR_INVALID, ERR_CONFLICT, ERR_BUSY, ERR_IO, ERR_INTERNAL};
#define NDBERR (sizeof db_error_codes / sizeof db_error_codes[0])

struct metrics {
    unsigned nroutes; /* plus one row for "no route" */
    const char *const *route_labels;
    _Atomic uint64_t *requests; /* [(nroutes + 1) * NMETHOD * NSTATUS_ALL] */
    _Atomic uint64_t buckets[NBUCKET + 1];
    _Atomic uint64_t duration_sum_ns;
    _Atomic uint64_t duration_count;
    _Atomic uint64_t db_errors[NDBERR];
    _Atomic int64_t connections;
};

struct metrics *metrics_new(unsigned nroutes, const char *const *route_labels)
{
    struct metrics *m = xcalloc(1, sizeof *m);
    m->nroutes = nroutes;
    m->route_labels = route_labels;
    m->requests = xcalloc((size_t)(nroutes + 1) * NMETHOD * NSTATUS_ALL, sizeof *m->requests);
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    free((void *)m->requests);
    free(m);
}

static unsigned status_slot(int status)
{
    for (unsigned i = 0; i < NSTATUS; i++)
        if (status_slots[i] == status)
            return i;
    int cls = status / 100;
    return NSTATUS + (unsigned)(cls >= 1 && cls <= 5 ? cls - 1 : 4);
}

static unsigned method_slot(unsigned method)
{
    for (unsigned i = 0; i < NMETHOD - 1; i++)
        if (method_bits[i] == method)
            return i;
    return NMETHOD - 1;
}

void metrics_observe_request(struct metrics *m, int route, unsigned method, int status,
                             int64_t duration_ns)
{
    unsigned r = (route >= 0 && (unsigned)route < m->nroutes) ? (unsigned)route + 1 : 0;
    size_t idx = ((size_t)r * NMETHOD + method_slot(method)) * NSTATUS_ALL + status_slot(status);
    atomic_fetch_add_explicit(&m->requests[idx], 1, memory_order_relaxed);
    unsigned b = 0;
    while (b < NBUCKET && duration_ns > bucket_ns[b])
        b++;
    atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->duration_sum_ns, (uint64_t)(duration_ns > 0 ? duration_ns : 0),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->duration_count, 1, memory_order_relaxed);
}

void metrics_db_error(struct metrics *m, int err_code)
{
    for (unsigned i = 0; i < NDBERR; i++) {
        if (db_error_codes[i] == err_code || i == NDBERR - 1) {
            atomic_fetch_add_explicit(&m->db_errors[i], 1, memory_order_relaxed);
            return;
        }
    }
}

void metrics_connection_delta(struct metrics *m, int delta)
{
    atomic_fetch_add_explicit(&m->connections, delta, memory_order_relaxed);
}

static uint64_t load(_Atomic uint64_t *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

static void status_label(unsigned slot, char out[8])
{
    if (slot < NSTATUS) {
        int s = status_slots[slot];
        out[0] = (char)('0' + s / 100);
        out[1] = (char)('0' + s / 10 % 10);
        out[2] = (char)('0' + s % 10);
        out[3] = '\0';
    } else {
        out[0] = (char)('1' + (slot - NSTATUS));
        memcpy(out + 1, "xx", 3);
    }
}

int metrics_render(struct metrics *m, struct buf *out, const char *build_labels)
{
    int rc = buf_append_cstr(out, "# HELP frontdesk_http_requests_total HTTP requests answered, "
                                  "by route pattern, method and status.\n"
                                  "# TYPE frontdesk_http_requests_total counter\n");
    for (unsigned r = 0; r <= m->nroutes && !rc; r++) {
        for (unsigned me = 0; me < NMETHOD && !rc; me++) {
            for (unsigned s = 0; s < NSTATUS_ALL && !rc; s++) {
                uint64_t v = load(&m->requests[((size_t)r * NMETHOD + me) * NSTATUS_ALL + s]);
                if (!v)
                    continue;
                char st[8];
                status_label(s, st);
                rc = buf_append_cstr(out, "frontdesk_http_requests_total{method=\"");
                rc = rc ? rc : buf_append_cstr(out, method_names[me]);
                rc = rc ? rc : buf_append_cstr(out, "\",route=");
                const char *label = r ? m->route_labels[r - 1] : "unmatched";
                rc = rc ? rc : buf_append_json_str(out, label, strlen(label));
                rc = rc ? rc : buf_appendf(out, ",status=\"%s\"} %llu\n", st, (unsigned long long)v);
            }
        }
    }
    rc = rc ? rc
            : buf_append_cstr(out, "# HELP frontdesk_http_request_duration_seconds Time from "
                                   "request headers to response queued.\n"
                                   "# TYPE frontdesk_http_request_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (unsigned b = 0; b <= NBUCKET && !rc; b++) {
        cumulative += load(&m->buckets[b]);
        rc = buf_appendf(out, "frontdesk_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n",
                         b < NBUCKET ? bucket_labels[b] : "+Inf", (unsigned long long)cumulative);
    }
    uint64_t sum = load(&m->duration_sum_ns);
    rc = rc ? rc
            : buf_appendf(out,
                          "frontdesk_http_request_duration_seconds_sum %llu.%09llu\n"
                          "frontdesk_http_request_duration_seconds_count %llu\n",
                          (unsigned long long)(sum / 1000000000ULL),
                          (unsigned long long)(sum % 1000000000ULL),
                          (unsigned long long)load(&m->duration_count));
    rc = rc ? rc
            : buf_append_cstr(out, "# HELP frontdesk_db_errors_total Database errors by kind.\n"
                                   "# TYPE frontdesk_db_errors_total counter\n");
    for (unsigned i = 0; i < NDBERR && !rc; i++)
        rc = buf_appendf(out, "frontdesk_db_errors_total{kind=\"%s\"} %llu\n",
                         err_code_name(db_error_codes[i]), (unsigned long long)load(&m->db_errors[i]));
    rc = rc ? rc
            : buf_appendf(out,
                          "# HELP frontdesk_http_connections Open client connections.\n"
                          "# TYPE frontdesk_http_connections gauge\n"
                          "frontdesk_http_connections %lld\n"
                          "# HELP frontdesk_build_info Build information.\n"
                          "# TYPE frontdesk_build_info gauge\n"
                          "frontdesk_build_info{%s} 1\n",
                          (long long)atomic_load_explicit(&m->connections, memory_order_relaxed),
                          build_labels);
    return rc;
}
