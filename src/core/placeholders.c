#include "core/placeholders.h"

#include "base/timefmt.h"

#include <string.h>

static bool name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static size_t skip_blanks(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* A placeholder starting at s[i] ("{{" there): its name and the index just past "}}". False
 * when the text there is not a well-formed placeholder. */
static bool parse_one(const char *s, size_t i, size_t len, struct slice *name, size_t *end)
{
    size_t p = skip_blanks(s, i + 2, len);
    size_t start = p;
    if (p >= len || !name_start(s[p]))
        return false;
    while (p < len && name_char(s[p]))
        p++;
    if (p - start > PLACEHOLDERS_NAME_MAX)
        return false;
    *name = (struct slice){s + start, p - start};
    p = skip_blanks(s, p, len);
    if (p + 1 >= len || s[p] != '}' || s[p + 1] != '}')
        return false;
    *end = p + 2;
    return true;
}

/* Append [p, p + n) unless the render would pass max (counted from base). */
static int put(struct buf *out, size_t base, size_t max, const char *p, size_t n)
{
    if (out->len - base > max || n > max - (out->len - base))
        return ERR_LIMIT;
    return buf_append(out, p, n);
}

int placeholders_render(const char *tmpl, size_t len, placeholders_lookup_fn lookup, void *ctx,
                        size_t max, struct buf *out, struct err *e)
{
    size_t base = out->len, i = 0, copied = 0;
    int rc = 0;
    while (!rc && i + 1 < len) {
        struct slice name, value;
        size_t end;
        if (tmpl[i] != '{' || tmpl[i + 1] != '{' || !parse_one(tmpl, i, len, &name, &end)) {
            i++;
            continue;
        }
        if (!lookup(ctx, name.ptr, name.len, &value)) {
            i = end; /* unknown: stays as written, copied with the text around it */
            continue;
        }
        rc = put(out, base, max, tmpl + copied, i - copied);
        rc = rc ? rc : put(out, base, max, value.ptr, value.len);
        copied = i = end;
    }
    rc = rc ? rc : put(out, base, max, tmpl + copied, len - copied);
    if (rc) {
        out->len = base;
        if (out->ptr)
            out->ptr[base] = '\0';
        return err_set(e, ERR_LIMIT, NULL, "the rendered text would be over %zu bytes", max);
    }
    return 0;
}

struct table {
    const struct placeholders_value *vals;
    size_t n;
};

static bool table_lookup(void *ctx, const char *name, size_t len, struct slice *value)
{
    const struct table *t = ctx;
    for (size_t i = 0; i < t->n; i++) {
        const char *k = t->vals[i].name;
        if (k && t->vals[i].value && strlen(k) == len && memcmp(k, name, len) == 0) {
            *value = slice_from_cstr(t->vals[i].value);
            return true;
        }
    }
    return false;
}

int placeholders_render_table(const char *tmpl, size_t len, const struct placeholders_value *vals,
                              size_t n, size_t max, struct buf *out, struct err *e)
{
    struct table t = {vals, n};
    return placeholders_render(tmpl, len, table_lookup, &t, max, out, e);
}

struct slice placeholders_first_name(const char *name, size_t len)
{
    struct slice s = slice_trim((struct slice){name, len});
    size_t i = 0;
    while (i < s.len && s.ptr[i] != ' ' && s.ptr[i] != '\t')
        i++;
    return (struct slice){s.ptr, i};
}

/* ---- the calendar's wording ----------------------------------------------------------------- */

static const char *const day_names[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

/* Minutes from midnight as "9:00 a.m."; 0 and 1440 read "midnight" (US style, as the portal's
 * times are written). */
static int put_clock(struct buf *b, int minutes)
{
    if (minutes % 1440 == 0)
        return buf_append_cstr(b, "midnight");
    int h = (minutes / 60) % 24, m = minutes % 60;
    int h12 = h % 12 == 0 ? 12 : h % 12;
    return buf_appendf(b, "%d:%02d %s", h12, m, h < 12 ? "a.m." : "p.m.");
}

static bool same_hours(const struct cal_spec *s, int a, int b)
{
    if (s->nhours[a] != s->nhours[b])
        return false;
    for (size_t i = 0; i < s->nhours[a]; i++)
        if (s->hours[a][i].start != s->hours[b][i].start ||
            s->hours[a][i].end != s->hours[b][i].end)
            return false;
    return true;
}

/* "9:00 a.m. to 5:00 p.m. and 6:00 p.m. to 8:00 p.m." of weekday w; *timed says whether it
 * named a time (not "all day"). */
static int put_intervals(struct buf *b, const struct cal_spec *s, int w, bool *timed)
{
    int rc = 0;
    for (size_t i = 0; i < s->nhours[w] && !rc; i++) {
        const struct cal_interval *iv = &s->hours[w][i];
        if (i)
            rc = buf_append_cstr(b, " and ");
        if (iv->start == 0 && iv->end == 1440) {
            rc = rc ? rc : buf_append_cstr(b, "all day");
            continue;
        }
        *timed = true;
        rc = rc ? rc : put_clock(b, iv->start);
        rc = rc ? rc : buf_append_cstr(b, " to ");
        rc = rc ? rc : put_clock(b, iv->end);
    }
    return rc;
}

static int put_days(struct buf *b, int first, int last, int count)
{
    if (count == 1)
        return buf_append_cstr(b, day_names[first]);
    return buf_appendf(b, "%s %s %s", day_names[first], count == 2 ? "and" : "to", day_names[last]);
}

static int put_week(struct buf *b, const struct cal_spec *s, bool *any)
{
    /* Monday first: index k = 0..6 is weekday (k + 1) % 7. */
    bool timed = false;
    int rc = 0, k = 0;
    while (k < 7 && !rc) {
        int w = (k + 1) % 7;
        if (s->nhours[w] == 0) {
            k++;
            continue;
        }
        int run = 1;
        while (k + run < 7 && same_hours(s, w, (k + run + 1) % 7))
            run++;
        if (*any)
            rc = buf_append_cstr(b, "; ");
        rc = rc ? rc : put_days(b, w, (k + run) % 7, run);
        rc = rc ? rc : buf_append_cstr(b, ", ");
        rc = rc ? rc : put_intervals(b, s, w, &timed);
        *any = true;
        k += run;
    }
    if (!rc && timed && s->label[0])
        rc = buf_appendf(b, " %.*s", (int)strnlen(s->label, CAL_LABEL_MAX), s->label);
    return rc;
}

int placeholders_support_hours(const struct cal_spec *s, struct buf *out)
{
    size_t base = out->len;
    bool any = false;
    int rc = put_week(out, s, &any);
    if (!rc && !any)
        rc = buf_append_cstr(out, "no regular hours");
    bool extra = s->holidays.nrules > 0 || s->holidays.ndates > 0;
    if (!rc && any && s->holidays.npresets > 0)
        rc = buf_append_cstr(out, extra ? ", except Canadian holidays and other closures"
                                        : ", except Canadian holidays");
    else if (!rc && any && extra)
        rc = buf_append_cstr(out, ", except holidays");
    if (rc) {
        out->len = base;
        if (out->ptr)
            out->ptr[base] = '\0';
    }
    return rc;
}

/* Floor division: local instants before 1970 would otherwise land on the wrong day. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int placeholders_local_time(const struct calendar *c, int64_t t, struct buf *out)
{
    int64_t local = t + cal_utc_offset(c, t);
    int64_t days = floor_div(local, 86400);
    int minutes = (int)((local - days * 86400) / 60);
    struct civil_date d = timefmt_civil_from_days(days);
    const struct cal_spec *s = cal_spec_of(c);
    size_t base = out->len;
    int rc = buf_appendf(out, "%s, %s %d, ", day_names[timefmt_weekday_from_days(days)],
                         month_names[d.month - 1], d.day);
    /* A time, never "midnight": "Tuesday, December 30, midnight" would read as the wrong day. */
    int h = minutes / 60, m = minutes % 60;
    rc =
        rc ? rc
           : buf_appendf(out, "%d:%02d %s", h % 12 == 0 ? 12 : h % 12, m, h < 12 ? "a.m." : "p.m.");
    if (!rc && s->label[0])
        rc = buf_appendf(out, " %.*s", (int)strnlen(s->label, CAL_LABEL_MAX), s->label);
    if (rc) {
        out->len = base;
        if (out->ptr)
            out->ptr[base] = '\0';
    }
    return rc;
}
