/* metrics: counters and a latency histogram, rendered in Prometheus' text format (0.0.4).
 *
 * Requests are counted by route pattern, method and status; latencies go to one histogram with
 * fixed buckets (0.5 ms to 10 s); database errors are counted by kind. Every counter is a relaxed
 * atomic: updates are thread-safe and lock-free, a scrape sees each value whole (not a snapshot
 * across values, which Prometheus does not need). Label values are our own route patterns, so
 * they need no escaping beyond what render does anyway.
 */
#ifndef FRONTDESK_HTTP_METRICS_H
#define FRONTDESK_HTTP_METRICS_H

#include <stdint.h>

#include "base/buf.h"

struct metrics;

/* route_labels[i] labels route index i; the array must outlive the metrics. */
struct metrics *metrics_new(unsigned nroutes, const char *const *route_labels);
void metrics_free(struct metrics *m);

/* route: a route index, or -1 when no route matched. method: one HTTP_* bit. */
void metrics_observe_request(struct metrics *m, int route, unsigned method, int status,
                             int64_t duration_ns);
void metrics_db_error(struct metrics *m, int err_code);
void metrics_connection_delta(struct metrics *m, int delta);

/* Append the exposition text. build_labels is inserted verbatim into frontdesk_build_info's
 * label set, e.g. version="0.1.0",sqlite="3.40.1". */
int metrics_render(struct metrics *m, struct buf *out, const char *build_labels);

#endif
