#include "base/log.h"

#include "base/timefmt.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* A thread's line buffer is freed when the thread exits: a key's destructor sees the buffer
 * (threads come and go: the job scheduler, tests). */
static pthread_key_t thread_line_key;
static pthread_once_t thread_line_once = PTHREAD_ONCE_INIT;

static void thread_line_free(void *p)
{
    buf_release(p);
}

static void thread_line_key_create(void)
{
    pthread_key_create(&thread_line_key, thread_line_free);
}

void log_set_fd(int fd)
{
    log_fd = fd;
}

/* Buffered mode: the sink's own state, guarded by sink_lock. */
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sink_wake = PTHREAD_COND_INITIALIZER;
static struct buf sink_pending; /* whole lines waiting for the flusher */
static _Atomic bool sink_buffered; /* written under sink_lock, read without it too */
static bool sink_urgent;
static bool sink_stopping;
static pthread_t sink_flusher;

static void write_all(const char *p, size_t left)
{
    while (left) {
        ssize_t n = write(log_fd, p, left);
        if (n <= 0)
            return; /* nowhere to report a failing log sink */
        p += n;
        left -= (size_t)n;
    }
}

static void *flusher_main(void *arg)
{
    struct buf out;
    buf_init(&out, 0);
    pthread_mutex_lock(&sink_lock);
    for (;;) {
        /* Wait up to LOG_FLUSH_MS for lines to gather, unless something presses. */
        if (!sink_urgent && !sink_stopping && sink_pending.len < LOG_FLUSH_BYTES) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += LOG_FLUSH_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&sink_wake, &sink_lock, &until);
        }
        /* Swap the buffers and write outside the lock, so workers never wait on the disk. */
        struct buf tmp = out;
        out = sink_pending;
        sink_pending = tmp;
        buf_clear(&sink_pending);
        sink_urgent = false;
        bool stop = sink_stopping && !out.len;
        pthread_mutex_unlock(&sink_lock);
        if (out.len)
            write_all(out.ptr, out.len);
        buf_clear(&out);
        if (stop)
            break;
        pthread_mutex_lock(&sink_lock);
    }
    buf_release(&out);
    return NULL;
}

int log_start_buffering(void)
{
    pthread_mutex_lock(&sink_lock);
    buf_init(&sink_pending, 0);
    sink_stopping = false;
    sink_buffered = true;
    int rc = pthread_create(&sink_flusher, NULL, flusher_main, NULL);
    if (rc)
        sink_buffered = false;
    pthread_mutex_unlock(&sink_lock);
    return rc ? -1 : 0;
}

void log_stop_buffering(void)
{
    pthread_mutex_lock(&sink_lock);
    if (!sink_buffered) {
        pthread_mutex_unlock(&sink_lock);
        return;
    }
    sink_stopping = true;
    pthread_cond_signal(&sink_wake);
    pthread_mutex_unlock(&sink_lock);
    pthread_join(sink_flusher, NULL);
    pthread_mutex_lock(&sink_lock);
    sink_buffered = false;
    if (sink_pending.len)
        write_all(sink_pending.ptr, sink_pending.len);
    buf_release(&sink_pending);
    pthread_mutex_unlock(&sink_lock);
}

/* Hand a finished line to the sink. */
static void sink_line(const char *p, size_t len, bool urgent)
{
    if (!sink_buffered) { /* read without the lock: set before threads start, cleared after */
        write_all(p, len);
        return;
    }
    pthread_mutex_lock(&sink_lock);
    if (!sink_buffered) {
        pthread_mutex_unlock(&sink_lock);
        write_all(p, len);
        return;
    }
    /* Far behind (a stalled disk): write here, under the lock, to keep the order and the
     * memory bounded rather than grow without end. */
    if (sink_pending.len + len > 16 * LOG_FLUSH_BYTES) {
        write_all(sink_pending.ptr, sink_pending.len);
        buf_clear(&sink_pending);
    }
    buf_append(&sink_pending, p, len);
    if (urgent || sink_pending.len >= LOG_FLUSH_BYTES) {
        sink_urgent = true;
        pthread_cond_signal(&sink_wake);
    }
    pthread_mutex_unlock(&sink_lock);
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
        pthread_once(&thread_line_once, thread_line_key_create);
        pthread_setspecific(thread_line_key, &thread_line);
        thread_line_ready = 1;
    }
    r->b = &thread_line;
    r->urgent = strcmp(level, "warn") == 0 || strcmp(level, "error") == 0;
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

/* Keys are our own snake_case literals: they need no escaping. */
static void log_key(struct log_rec *r, const char *key)
{
    buf_append(r->b, ",\"", 2);
    buf_append(r->b, key, strlen(key));
    buf_append(r->b, "\":", 2);
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
    sink_line(r->b->ptr, r->b->len, r->urgent);
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
