/* fuzz_placeholders: placeholders_render() and placeholders_render_table(), which expand the
 * {{name}} placeholders of macro bodies written by staff (core/placeholders.h).
 *
 * Input: the template, length-delimited.
 *
 * Invariants: the output equals a reference renderer written from the header's syntax (so an
 * unknown placeholder, "{{ }}", "{{a b}}" or an unclosed "{{x" stays exactly as written, and a
 * value, even "{{x}}" or one naming another placeholder, is copied and never scanned again);
 * every name the lookup is asked for lies inside the template and is a well-formed name; the
 * render is appended after what out held; with a cap of exactly the output's length it succeeds,
 * one byte less (or a buffer limit one byte short) fails whole with ERR_LIMIT, out as it was and
 * never longer than the cap. placeholders_first_name() gives a slice of its input without blanks.
 */
#include "fuzz.h"

#include "base/buf.h"
#include "core/placeholders.h"

#include <string.h>

#define LONG_NAME "a234567890123456789012345678901234567890123456789012345678901234"

static const struct placeholders_value values[] = {
    {"ticket.id", "4711"},
    {"ticket.title", "{{ticket.id}}"}, /* a value naming a known placeholder */
    {"ticket.requester.name", "Ada {{x}} Lovelace"},
    {"ticket.requester.first_name", "Ada"},
    {"current_user.name", ""},
    {"support.hours", "Monday to Friday, 9:00 a.m. to 5:00 p.m. Eastern"},
    {"support.next_open", "Monday, December 29, 9:00 a.m. Eastern"},
    {"help_center.contact_deletion_url", "https://help.example.com/delete"},
    {"x", "{{x}}"}, /* expands to itself: recursion would never end */
    {"y", "{{"},
    {"z", "}}{{x}}"},
    {"_", "{{ticket.title}}{{y}}"},
    {"ticket.unset", NULL}, /* NULL: unknown */
    {LONG_NAME, "long"},    /* 64 bytes: the longest name */
};
#define NVALUES (sizeof values / sizeof values[0])

static const char *find(const char *name, size_t len)
{
    for (size_t i = 0; i < NVALUES; i++)
        if (values[i].value && strlen(values[i].name) == len &&
            memcmp(values[i].name, name, len) == 0)
            return values[i].value;
    return NULL;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_name_char(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/* The header's syntax at t[i]: "{{", blanks, a name, blanks, "}}". */
static bool placeholder_at(const char *t, size_t len, size_t i, size_t *name, size_t *name_len,
                           size_t *end)
{
    if (len - i < 2 || t[i] != '{' || t[i + 1] != '{')
        return false;
    size_t p = i + 2;
    while (p < len && (t[p] == ' ' || t[p] == '\t'))
        p++;
    if (p == len || !(is_alpha(t[p]) || t[p] == '_'))
        return false;
    *name = p;
    while (p < len && is_name_char(t[p]))
        p++;
    *name_len = p - *name;
    if (*name_len > PLACEHOLDERS_NAME_MAX)
        return false;
    while (p < len && (t[p] == ' ' || t[p] == '\t'))
        p++;
    if (len - p < 2 || t[p] != '}' || t[p + 1] != '}')
        return false;
    *end = p + 2;
    return true;
}

static void reference(const char *t, size_t len, struct buf *out)
{
    size_t i = 0;
    while (i < len) {
        size_t name, name_len, end;
        const char *v;
        if (placeholder_at(t, len, i, &name, &name_len, &end) && (v = find(t + name, name_len))) {
            FUZZ_CHECK(buf_append_cstr(out, v) == 0, "reference: out of memory");
            i = end;
        } else {
            FUZZ_CHECK(buf_append(out, t + i, 1) == 0, "reference: out of memory");
            i++;
        }
    }
}

struct spy {
    const char *tmpl;
    size_t len;
    size_t calls;
};

static bool spy_lookup(void *ctx, const char *name, size_t len, struct slice *value)
{
    struct spy *s = ctx;
    s->calls++;
    FUZZ_CHECK(name >= s->tmpl && len <= s->len && (size_t)(name - s->tmpl) <= s->len - len,
               "asked for a name outside the template (a value scanned again?)");
    FUZZ_CHECK(len >= 1 && len <= PLACEHOLDERS_NAME_MAX, "name of %zu bytes", len);
    FUZZ_CHECK(is_alpha(name[0]) || name[0] == '_', "name starts with 0x%02x",
               (unsigned char)name[0]);
    for (size_t i = 1; i < len; i++)
        FUZZ_CHECK(is_name_char(name[i]), "name byte 0x%02x", (unsigned char)name[i]);
    const char *v = find(name, len);
    if (!v)
        return false;
    *value = slice_from_cstr(v);
    return true;
}

#define PREFIX "before:"

/* Render into a buffer already holding PREFIX, with the cap max and the buffer limit limit. */
static int render(const char *t, size_t len, bool table, size_t max, size_t limit, struct buf *out)
{
    buf_init(out, limit);
    FUZZ_CHECK(buf_append_cstr(out, PREFIX) == 0, "prefix");
    struct err e;
    err_clear(&e);
    int rc;
    if (table) {
        rc = placeholders_render_table(t, len, values, NVALUES, max, out, &e);
    } else {
        struct spy s = {t, len, 0};
        rc = placeholders_render(t, len, spy_lookup, &s, max, out, &e);
        FUZZ_CHECK(s.calls <= len / 5,
                   /* "{{a}}" at the least, none overlapping */ "%zu lookups in %zu bytes", s.calls,
                   len);
    }
    FUZZ_CHECK(rc == 0 || rc == ERR_LIMIT, "rc %d", rc);
    FUZZ_CHECK(rc == e.code, "rc %d, err code %d", rc, e.code);
    FUZZ_CHECK(out->len >= strlen(PREFIX) && memcmp(out->ptr, PREFIX, strlen(PREFIX)) == 0,
               "the render changed what out held");
    FUZZ_CHECK(out->len - strlen(PREFIX) <= max, "%zu bytes over a cap of %zu",
               out->len - strlen(PREFIX), max);
    FUZZ_CHECK(out->ptr[out->len] == '\0', "out not NUL-terminated");
    if (rc)
        FUZZ_CHECK(out->len == strlen(PREFIX), "out changed by a failed render");
    return rc;
}

static void check_first_name(const char *t, size_t len)
{
    struct slice f = placeholders_first_name(t, len);
    FUZZ_CHECK(f.len == 0 || (f.ptr >= t && f.len <= len && (size_t)(f.ptr - t) <= len - f.len),
               "first name outside the name");
    FUZZ_CHECK(f.len == 0 || (!memchr(f.ptr, ' ', f.len) && !memchr(f.ptr, '\t', f.len)),
               "first name with a blank");
    size_t lead = 0;
    while (lead < len && (t[lead] == ' ' || t[lead] == '\t'))
        lead++;
    FUZZ_CHECK((f.len == 0) == (lead == len), "first name empty: %d, name blank: %d", f.len == 0,
               lead == len);
    if (f.len)
        FUZZ_CHECK(f.ptr == t + lead, "first name does not start at the first word");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *t = (const char *)data;
    struct buf want, got, other;
    buf_init(&want, 0);
    reference(t, size, &want);
    size_t n = want.len;

    FUZZ_CHECK(render(t, size, false, SIZE_MAX, 0, &got) == 0, "render failed");
    FUZZ_CHECK(got.len - strlen(PREFIX) == n &&
                   memcmp(got.ptr + strlen(PREFIX), want.ptr ? want.ptr : "", n) == 0,
               "rendered \"%s\", the header's syntax gives \"%s\"", got.ptr + strlen(PREFIX),
               buf_cstr(&want));
    FUZZ_CHECK(render(t, size, true, n, 0, &other) == 0, "a cap of exactly %zu bytes failed", n);
    FUZZ_CHECK(other.len == got.len && memcmp(other.ptr, got.ptr, got.len) == 0,
               "placeholders_render_table differs from placeholders_render");
    buf_release(&other);
    if (n > 0) {
        FUZZ_CHECK(render(t, size, true, n - 1, 0, &other) == ERR_LIMIT,
                   "a cap of %zu bytes took %zu", n - 1, n);
        buf_release(&other);
        FUZZ_CHECK(render(t, size, false, SIZE_MAX, strlen(PREFIX) + n - 1, &other) == ERR_LIMIT,
                   "a buffer limit one byte short took the render");
        buf_release(&other);
    }
    /* A cap the input picks, anywhere below the output's length. */
    size_t cap = n ? size % (n + 1) : 0;
    FUZZ_CHECK(render(t, size, true, cap, 0, &other) == (cap >= n ? 0 : ERR_LIMIT),
               "a cap of %zu bytes for %zu", cap, n);
    buf_release(&other);
    buf_release(&got);
    buf_release(&want);
    check_first_name(t, size);
    return 0;
}
