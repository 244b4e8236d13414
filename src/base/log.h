/* log: one JSON object per line on the log sink (stderr unless log_set_fd() says otherwise).
 *
 * A line is built with log_begin(), any number of log_* fields, then log_end(), which writes it
 * with a single write(2) so lines from different threads never interleave (O_APPEND files and
 * pipes keep single writes of this size whole). The builder uses a per-thread buffer: a thread
 * builds one line at a time. Every line starts with "ts", "level" and "event". Thread-safe.
 */
#ifndef FRONTDESK_BASE_LOG_H
#define FRONTDESK_BASE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct log_rec {
    struct buf *b;
    int urgent; /* warn and error lines are flushed at once in buffered mode */
};

/* Redirect the sink; the fd stays owned by the caller. Call before threads start. */
void log_set_fd(int fd);

/* Buffered mode, for the server: lines are appended to a shared buffer under a lock and a
 * flusher thread writes them at least every LOG_FLUSH_MS (at once for "warn" and "error"
 * lines, or when LOG_FLUSH_BYTES are waiting), so a request costs a memcpy instead of a
 * write(2) (nginx's access_log buffer=/flush= trade). Lines stay whole and in order; a crash
 * can lose the last LOG_FLUSH_MS of lines. log_stop_buffering() writes what is left and joins
 * the thread; call it before exit. Without buffering every line is one write(2). */
#define LOG_FLUSH_MS 100
#define LOG_FLUSH_BYTES (64 * 1024)
int log_start_buffering(void);
void log_stop_buffering(void);
/* Drop "debug" lines unless enabled. */
void log_set_debug(int enabled);

/* level: "debug", "info", "warn" or "error"; event: a short snake_case name. Returns 0, or
 * nonzero when the line is filtered out (the field calls and log_end() are then no-ops). */
int log_begin(struct log_rec *r, const char *level, const char *event);
/* Keys are snake_case literals (not escaped); values are escaped as JSON. */
void log_str(struct log_rec *r, const char *key, const char *value, size_t len);
void log_cstr(struct log_rec *r, const char *key, const char *value);
void log_int(struct log_rec *r, const char *key, int64_t value);
void log_null(struct log_rec *r, const char *key);
/* A duration in nanoseconds, rendered as milliseconds with three decimals. */
void log_ms(struct log_rec *r, const char *key, int64_t ns);
void log_end(struct log_rec *r);

/* One-shot line with a "message" field. */
void log_msg(const char *level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
