#include "core/tags.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FIELD "tags"

/* A tag list unpacked: sorted, distinct tags in fixed slots, so a lookup is a binary search and
 * no input, however repetitive, costs more than O(log TAGS_MAX_COUNT) per item. About 8 KiB:
 * it lives on the caller's stack. */
struct tag_set {
    size_t n;
    unsigned char len[TAGS_MAX_COUNT];
    char tag[TAGS_MAX_COUNT][TAGS_MAX_LEN];
};

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Bytes a normalized tag may hold besides lower-case letters, digits and non-ASCII UTF-8. */
static bool is_tag_punct(unsigned char c)
{
    return c == '_' || c == '-' || c == ':' || c == '/' || c == '.';
}

/* A bounded, printable copy of a tag for an error message: at most 32 bytes cut at a UTF-8
 * boundary, "..." when cut, control characters as "?" (messages reach people and logs). */
static const char *shown(const char *s, size_t len, char out[40])
{
    size_t n = len <= 32 ? len : utf8_valid_prefix(s, 32);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    memcpy(out + n, n < len ? "..." : "", n < len ? 4 : 1);
    return out;
}

static int bad_char(struct err *e, const char *s, size_t len, unsigned char c)
{
    char tag[40], what[32];
    if (c == '"')
        snprintf(what, sizeof what, "a double quote");
    else if (c == ',')
        snprintf(what, sizeof what, "a comma");
    else if (c < 0x20 || c == 0x7f)
        snprintf(what, sizeof what, "the control character 0x%02x", c);
    else
        snprintf(what, sizeof what, "\"%c\"", c);
    return err_set(e, ERR_INVALID, FIELD,
                   "tag \"%s\" contains %s, which is not allowed: use letters, digits and "
                   "_ - : / .",
                   shown(s, len, tag), what);
}

/* Normalize [in, in+len) into out[0..*out_len). The whole input is checked before the length,
 * so a long tag with a bad character is reported for the character. */
static int normalize(const char *in, size_t len, char out[TAGS_MAX_LEN], size_t *out_len,
                     struct err *e)
{
    const unsigned char *p = (const unsigned char *)in;
    while (len && is_space(p[0])) {
        p++;
        len--;
    }
    while (len && is_space(p[len - 1]))
        len--;
    if (len == 0)
        return err_set(e, ERR_INVALID, FIELD, "tag is empty");
    if (!utf8_valid((const char *)p, len))
        return err_set(e, ERR_INVALID, FIELD, "tag is not valid UTF-8");
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (is_space(c)) {
            if (is_space(p[i - 1])) /* i > 0: the input is trimmed */
                continue;
            c = '_';
        } else if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c + ('a' - 'A'));
        } else if (!(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     is_tag_punct(c))) {
            return bad_char(e, (const char *)p, len, c);
        }
        if (n < TAGS_MAX_LEN)
            out[n] = (char)c;
        n++;
    }
    if (n > TAGS_MAX_LEN) {
        char tag[40];
        return err_set(e, ERR_INVALID, FIELD, "tag \"%s\" is longer than %d bytes",
                       shown((const char *)p, len, tag), TAGS_MAX_LEN);
    }
    *out_len = n;
    return 0;
}

int tags_normalize(const char *in, size_t len, struct buf *out, struct err *e)
{
    char tag[TAGS_MAX_LEN];
    size_t n;
    int rc = normalize(in, len, tag, &n, e);
    if (rc)
        return rc;
    if (buf_append(out, tag, n))
        return err_set(e, ERR_LIMIT, FIELD, "tag does not fit in the buffer's %zu bytes",
                       out->limit);
    return 0;
}

/* Byte order, a prefix first: memcmp order, which for UTF-8 is code point order. */
static int compare(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* Unpack a tag list, checking what is cheap to check (lengths, order, count), not each byte: the
 * list is ours, written by set_write(). */
static int set_load(struct tag_set *set, const struct buf *list, struct err *e)
{
    const char *p = buf_cstr(list), *end = p + list->len;
    set->n = 0;
    while (p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        size_t n = (size_t)((sp ? sp : end) - p);
        if (n == 0 || n > TAGS_MAX_LEN || set->n == TAGS_MAX_COUNT ||
            (set->n && compare(set->tag[set->n - 1], set->len[set->n - 1], p, n) >= 0) ||
            (sp && sp + 1 == end))
            return err_set(e, ERR_INTERNAL, FIELD, "tag list is not a normalized list");
        memcpy(set->tag[set->n], p, n);
        set->len[set->n++] = (unsigned char)n;
        p += n + (sp != NULL);
    }
    return 0;
}

/* Insert a normalized tag unless present; *changed becomes true when it was inserted. */
static int set_insert(struct tag_set *set, const char *tag, size_t n, bool *changed, struct err *e)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare(set->tag[mid], set->len[mid], tag, n);
        if (c == 0)
            return 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (set->n == TAGS_MAX_COUNT)
        return err_set(e, ERR_LIMIT, FIELD, "a ticket may have at most %d tags", TAGS_MAX_COUNT);
    size_t tail = set->n - lo;
    memmove(set->tag[lo + 1], set->tag[lo], tail * sizeof set->tag[0]);
    memmove(&set->len[lo + 1], &set->len[lo], tail);
    memcpy(set->tag[lo], tag, n);
    set->len[lo] = (unsigned char)n;
    set->n++;
    *changed = true;
    return 0;
}

/* Write the set over list, all or nothing: built aside under list's limit, then swapped in. */
static int set_write(const struct tag_set *set, struct buf *list, struct err *e)
{
    struct buf out;
    buf_init(&out, list->limit);
    int rc = 0;
    for (size_t i = 0; i < set->n && !rc; i++) {
        if (i)
            rc = buf_append_char(&out, ' ');
        if (!rc)
            rc = buf_append(&out, set->tag[i], set->len[i]);
    }
    if (rc) {
        buf_release(&out);
        return err_set(e, ERR_LIMIT, FIELD, "tags do not fit in the buffer's %zu bytes",
                       list->limit);
    }
    struct buf old = *list;
    *list = out;
    buf_release(&old);
    return 0;
}

int tags_add(struct buf *list, const char *tag, size_t len, struct err *e)
{
    struct tag_set set;
    char norm[TAGS_MAX_LEN];
    size_t n;
    bool changed = false;
    int rc = normalize(tag, len, norm, &n, e);
    if (!rc)
        rc = set_load(&set, list, e);
    if (!rc)
        rc = set_insert(&set, norm, n, &changed, e);
    if (!rc && changed)
        rc = set_write(&set, list, e);
    return rc;
}

static bool is_separator(unsigned char c)
{
    return is_space(c) || c == ',';
}

int tags_parse_list(const char *in, size_t len, struct buf *list, struct err *e)
{
    struct tag_set set;
    bool changed = false;
    int rc = set_load(&set, list, e);
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0;
    while (!rc && i < len) {
        while (i < len && is_separator(p[i]))
            i++;
        size_t start = i;
        while (i < len && !is_separator(p[i]))
            i++;
        if (i == start)
            break;
        char norm[TAGS_MAX_LEN];
        size_t n;
        rc = normalize(in + start, i - start, norm, &n, e);
        if (!rc)
            rc = set_insert(&set, norm, n, &changed, e);
    }
    if (!rc && changed)
        rc = set_write(&set, list, e);
    return rc;
}
