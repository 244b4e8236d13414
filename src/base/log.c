#include "base/log.h"

#include "base/timefmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The only mutable globals here: where lines go and whether debug lines are kept. Both are set
 * once in main before threads start. */
static int log_fd = 2;
static int log_debug = 0;

/* Lines longer than this are truncated rather than allocated without bound. */
#define LOG_LINE_LIMIT (16 * 1024)

static __thread struct buf thread_line;
static __thread int thread_line_ready;

void log_set_fd(int fd)
{
    log_fd = fd;
}

void log_set_debug(int enabled)
{
    log_debug = enabled;
}

int log_begin(struct log_rec *r, const char *level, const char *event)
{
    if (!log_debug && strcmp(level, "debug") == 0) {
        r->b = NULL;
        return 1;
    }
    if (!thread_line_ready) {
        buf_init(&thread_line, LOG_LINE_LIMIT);
        thread_line_ready = 1;
    }
    r->b = &thread_line;
    buf_clear(r->b);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts); /* a few ms of resolution, a fraction of the cost */
    /* The calendar part changes once a second: format it then, and only the milliseconds on
     * every line. */
    static __thread time_t cached_sec = -1;
    static __thread char when[TIMEFMT_ISO_MS_LEN + 1];
    if (ts.tv_sec != cached_sec) {
        timefmt_iso8601_ms((int64_t)ts.tv_sec * 1000000000LL, when);
        cached_sec = ts.tv_sec;
    }
    long ms = ts.tv_nsec / 1000000;
    when[20] = (char)('0' + ms / 100);
    when[21] = (char)('0' + ms / 10 % 10);
    when[22] = (char)('0' + ms % 10);
    buf_append(r->b, "{\"ts\":\"", 7);
    buf_append(r->b, when, TIMEFMT_ISO_MS_LEN);
    buf_append_char(r->b, '"');
    log_cstr(r, "level", level);
    log_cstr(r, "event", event);
    return 0;
}

static void log_key(struct log_rec *r, const char *key)
{
    buf_append_char(r->b, ',');
    buf_append_json_str(r->b, key, strlen(key));
    buf_append_char(r->b, ':');
}

void log_str(struct log_rec *r, const char *key, const char *value, size_t len)
{
    if (!r->b)
        return;
    log_key(r, key);
    if (buf_append_json_str(r->b, value, len))
        buf_append_cstr(r->b, "\"(truncated)\"");
}

void log_cstr(struct log_rec *r, const char *key, const char *value)
{
    log_str(r, key, value ? value : "", value ? strlen(value) : 0);
}

void log_int(struct log_rec *r, const char *key, int64_t value)
{
    if (!r->b)
        return;
    log_key(r, key);
    buf_append_int64(r->b, value);
}

void log_null(struct log_rec *r, const char *key)
{
    if (!r->b)
        return;
    log_key(r, key);
    buf_append_cstr(r->b, "null");
}

void log_ms(struct log_rec *r, const char *key, int64_t ns)
{
    if (!r->b)
        return;
    log_key(r, key);
    if (ns < 0)
        ns = 0;
    /* By hand rather than printf: this runs for every request. */
    buf_append_int64(r->b, ns / 1000000);
    int64_t frac = ns / 1000 % 1000;
    char digits[4] = {'.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
                      (char)('0' + frac % 10)};
    buf_append(r->b, digits, 4);
}

void log_end(struct log_rec *r)
{
    if (!r->b)
        return;
    /* Reserve room for the closing brace even when fields filled the buffer. */
    if (buf_append(r->b, "}\n", 2)) {
        r->b->len = LOG_LINE_LIMIT - 2;
        buf_append(r->b, "}\n", 2);
    }
    const char *p = r->b->ptr;
    size_t left = r->b->len;
    while (left) {
        ssize_t n = write(log_fd, p, left);
        if (n <= 0)
            break; /* nowhere to report a failing log sink */
        p += n;
        left -= (size_t)n;
    }
    r->b = NULL;
}

void log_msg(const char *level, const char *event, const char *fmt, ...)
{
    struct log_rec r;
    if (log_begin(&r, level, event))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_cstr(&r, "message", msg);
    log_end(&r);
}
