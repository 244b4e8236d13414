/* buf: borrowed slices and owned, capped, growable byte buffers.
 *
 * struct slice borrows bytes it does not own (pointer + length, not NUL-terminated).
 * struct buf owns its bytes, keeps them NUL-terminated for convenience (the NUL is not counted in
 * len) and never grows past its limit: an append that would is refused whole with ERR_LIMIT and
 * leaves the buffer as it was, so a caller can report "too large" without a half-written value.
 * Lifecycle: buf_init() / buf_release(); buf_clear() empties for reuse; buf_detach() hands the
 * bytes to the caller (free() them). Not thread-safe: one owner at a time.
 */
#ifndef FRONTDESK_BASE_BUF_H
#define FRONTDESK_BASE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct slice {
    const char *ptr;
    size_t len;
};

#define SLICE_LIT(s) ((struct slice){(s), sizeof(s) - 1})

struct slice slice_from_cstr(const char *s);
bool slice_eq(struct slice a, struct slice b);
/* ASCII case-insensitive comparison (HTTP tokens, header names). */
bool slice_eq_nocase(struct slice a, struct slice b);
bool slice_eq_cstr(struct slice a, const char *s);
/* Trim ASCII spaces and tabs from both ends. */
struct slice slice_trim(struct slice s);

struct buf {
    char *ptr; /* NULL until the first append; buf_cstr() never returns NULL */
    size_t len;
    size_t cap;
    size_t limit; /* maximum len; 0 means SIZE_MAX / 2 */
};

void buf_init(struct buf *b, size_t limit);
void buf_release(struct buf *b);
void buf_clear(struct buf *b);
/* Hand the bytes over: returns a malloc'd NUL-terminated string (never NULL), stores its length
 * in *len when len is not NULL, and leaves b empty but usable. */
char *buf_detach(struct buf *b, size_t *len);
/* The content as a C string, valid until the next change to b. */
const char *buf_cstr(const struct buf *b);

/* Slow path of buf_append: grows the buffer or refuses with ERR_LIMIT. */
int buf__append_grow(struct buf *b, const void *data, size_t len);

/* Inline: appends are on every request's path (the log line), and most fit. */
static inline int buf_append(struct buf *b, const void *data, size_t len)
{
    if (b->ptr && len < b->cap - b->len && len <= b->limit - b->len) {
        __builtin_memcpy(b->ptr + b->len, data, len);
        b->len += len;
        b->ptr[b->len] = '\0';
        return 0;
    }
    return buf__append_grow(b, data, len);
}
int buf_append_cstr(struct buf *b, const char *s);
int buf_append_char(struct buf *b, char c);
int buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vappendf(struct buf *b, const char *fmt, va_list ap);
int buf_append_int64(struct buf *b, int64_t v);
/* Append s as a JSON string literal, quotes included. Control characters are escaped; bytes that
 * are not valid UTF-8 become U+FFFD so the output is always valid JSON (log lines carry whatever
 * a client sent). */
int buf_append_json_str(struct buf *b, const char *s, size_t len);

/* Is [s, s+len) valid UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF)? */
bool utf8_valid(const char *s, size_t len);
/* Length of the longest valid UTF-8 prefix: the byte offset of the first bad sequence, or len. */
size_t utf8_valid_prefix(const char *s, size_t len);

#endif
