/* calendar_json: jansson in, struct cal_spec out (and back). The values themselves are judged by
 * core/calendar (cal_spec_check), so the rules live in one place; this file only knows the shape
 * and names the key path of whatever is wrong. */
#include "service/calendar_json.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"

#define BOUND 1000000 /* integers are range-checked by core; this only keeps them inside int */

/* Messages start with the key path, so the CLI's one line names it. */
static int invalid(struct err *e, const char *field, const char *what)
{
    return err_set(e, ERR_INVALID, field, "%s %s", field, what);
}

static bool two_digits(const char *s, int *out)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return false;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

/* "HH:MM" with HH 00-24, MM 00-59, and 24 only as 24:00: minutes from midnight, or -1. */
static int parse_hhmm(const char *s)
{
    int h, m;
    if (!two_digits(s, &h) || s[2] != ':' || !two_digits(s + 3, &m) || h > 24 || m > 59 ||
        (h == 24 && m != 0))
        return -1;
    return h * 60 + m;
}

static int parse_day_hours(json_t *v, const char *field, size_t *n, struct cal_interval *out,
                           struct err *e)
{
    if (!json_is_array(v))
        return invalid(e, field, "must be an array of \"HH:MM-HH:MM\" intervals");
    if (json_array_size(v) > CAL_DAY_INTERVALS_MAX)
        return err_set(e, ERR_INVALID, field, "%s has more than %d intervals", field,
                       CAL_DAY_INTERVALS_MAX);
    size_t i;
    json_t *iv;
    json_array_foreach(v, i, iv) {
        const char *s = json_string_value(iv);
        int a = -1, b = -1;
        if (s && json_string_length(iv) == 11 && s[5] == '-') {
            a = parse_hhmm(s);
            b = parse_hhmm(s + 6);
        }
        if (a < 0 || b < 0)
            return err_set(e, ERR_INVALID, field, "%s[%zu] must be \"HH:MM-HH:MM\" (00:00 to 24:00)",
                           field, i);
        out[i] = (struct cal_interval){a, b};
    }
    *n = json_array_size(v);
    return 0; /* order, overlap and end after start: cal_spec_check */
}

static int parse_hours(json_t *v, struct cal_spec *s, struct err *e)
{
    if (!json_is_object(v))
        return invalid(e, "hours", "must be an object of weekdays (mon ... sun)");
    memset(s->nhours, 0, sizeof s->nhours); /* a weekday left out is closed */
    const char *key;
    json_t *day;
    json_object_foreach(v, key, day) {
        char field[80];
        snprintf(field, sizeof field, "hours.%.64s", key);
        int w = cal_weekday_parse(key);
        if (w < 0)
            return invalid(e, field, "is not a weekday (mon, tue, wed, thu, fri, sat, sun)");
        int rc = parse_day_hours(day, field, &s->nhours[w], s->hours[w], e);
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_presets(json_t *v, struct holidays_spec *h, struct err *e)
{
    const char *field = "holidays.presets";
    if (!json_is_array(v))
        return invalid(e, field, "must be an array of preset names");
    if (json_array_size(v) > HOLIDAYS_PRESETS_MAX)
        return err_set(e, ERR_INVALID, field, "%s has more than %d entries", field,
                       HOLIDAYS_PRESETS_MAX);
    size_t i;
    json_t *p;
    json_array_foreach(v, i, p) {
        const char *name = json_string_value(p);
        if (!name || holidays_preset_parse(name, &h->presets[i]))
            return err_set(e, ERR_INVALID, field, "%s[%zu] is not a known preset (CA-ON, CA)", field,
                           i);
    }
    h->npresets = json_array_size(v);
    return 0;
}

static int parse_dates(json_t *v, struct holidays_spec *h, struct err *e)
{
    const char *field = "holidays.dates";
    if (!json_is_array(v))
        return invalid(e, field, "must be an array of \"YYYY-MM-DD\" dates");
    if (json_array_size(v) > HOLIDAYS_DATES_MAX)
        return err_set(e, ERR_INVALID, field, "%s has more than %d entries", field,
                       HOLIDAYS_DATES_MAX);
    size_t i;
    json_t *d;
    json_array_foreach(v, i, d) {
        const char *s = json_string_value(d);
        int c1, c2, m, day;
        bool ok = s && json_string_length(d) == 10 && two_digits(s, &c1) && two_digits(s + 2, &c2) &&
                  s[4] == '-' && two_digits(s + 5, &m) && s[7] == '-' && two_digits(s + 8, &day);
        int year = ok ? c1 * 100 + c2 : 0;
        ok = ok && year >= HOLIDAYS_YEAR_MIN && year <= HOLIDAYS_YEAR_MAX && m >= 1 && m <= 12 &&
             day >= 1 && day <= timefmt_days_in_month(year, m);
        if (!ok)
            return err_set(e, ERR_INVALID, field, "%s[%zu] must be a date \"YYYY-MM-DD\" in 1970-2199",
                           field, i);
        h->dates[i] = timefmt_days_from_civil((struct civil_date){year, m, day});
    }
    h->ndates = json_array_size(v);
    return 0;
}

/* ---- rules ------------------------------------------------------------------------------------ */

static const char *const kind_names[] = {
    [HOLIDAYS_FIXED] = "fixed",
    [HOLIDAYS_NTH_WEEKDAY] = "nth_weekday",
    [HOLIDAYS_MONDAY_BEFORE] = "monday_before",
    [HOLIDAYS_EASTER] = "easter",
};

/* The keys each kind takes besides name, kind, from_year and to_year. */
static const char *const kind_keys[] = {
    [HOLIDAYS_FIXED] = " month day observed ",
    [HOLIDAYS_NTH_WEEKDAY] = " month weekday n ",
    [HOLIDAYS_MONDAY_BEFORE] = " month day ",
    [HOLIDAYS_EASTER] = " offset ",
};

static bool kind_takes(enum holidays_kind k, const char *key)
{
    char word[72];
    snprintf(word, sizeof word, " %.64s ", key);
    return strstr(kind_keys[k], word) || strstr(" name kind from_year to_year ", word);
}

static int rule_int(json_t *v, const char *field, int *out, struct err *e)
{
    json_int_t x = json_integer_value(v);
    if (!json_is_integer(v) || x < -BOUND || x > BOUND)
        return invalid(e, field, "must be an integer");
    *out = (int)x;
    return 0;
}

static int rule_member(json_t *v, const char *key, const char *field, struct holidays_rule *r,
                       struct err *e)
{
    if (strcmp(key, "name") == 0) {
        const char *s = json_string_value(v);
        if (!s || json_string_length(v) == 0 || json_string_length(v) >= HOLIDAYS_NAME_MAX)
            return invalid(e, field, "must be a string of 1 to 63 bytes");
        memcpy(r->name, s, json_string_length(v) + 1);
        return 0;
    }
    if (strcmp(key, "observed") == 0) {
        if (!json_is_boolean(v))
            return invalid(e, field, "must be true or false");
        r->observed = json_is_true(v);
        return 0;
    }
    if (strcmp(key, "weekday") == 0) {
        const char *s = json_string_value(v);
        if (!s || (r->weekday = cal_weekday_parse(s)) < 0)
            return invalid(e, field, "must be one of mon, tue, wed, thu, fri, sat, sun");
        return 0;
    }
    if (strcmp(key, "n") == 0) {
        const char *s = json_string_value(v);
        if (s && strcmp(s, "last") == 0) {
            r->n = HOLIDAYS_LAST;
            return 0;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 4)
            return invalid(e, field, "must be 1 to 4 or \"last\"");
        r->n = (int)json_integer_value(v);
        return 0;
    }
    if (strcmp(key, "kind") == 0)
        return 0; /* read first, by parse_rule */
    int *dst = strcmp(key, "month") == 0    ? &r->month
               : strcmp(key, "day") == 0    ? &r->day
               : strcmp(key, "offset") == 0 ? &r->offset
               : strcmp(key, "from_year") == 0 ? &r->from_year
                                               : &r->to_year;
    return rule_int(v, field, dst, e);
}

static int parse_rule(json_t *v, size_t idx, struct holidays_rule *r, struct err *e)
{
    char base[40], field[112];
    snprintf(base, sizeof base, "holidays.rules[%zu]", idx);
    if (!json_is_object(v))
        return invalid(e, base, "must be an object");
    memset(r, 0, sizeof *r);
    snprintf(field, sizeof field, "%s.kind", base);
    const char *kind = json_string_value(json_object_get(v, "kind"));
    int k = -1;
    for (int i = 0; kind && i < 4; i++)
        if (strcmp(kind, kind_names[i]) == 0)
            k = i;
    if (k < 0)
        return invalid(e, field,
                       json_object_get(v, "kind") ? "must be fixed, nth_weekday, monday_before or easter"
                                                  : "is required");
    r->kind = (enum holidays_kind)k;
    const char *key;
    json_t *m;
    json_object_foreach(v, key, m) {
        snprintf(field, sizeof field, "%s.%.64s", base, key);
        if (!kind_takes(r->kind, key)) {
            char what[64];
            snprintf(what, sizeof what, "is not a key of a %s rule", kind_names[k]);
            return invalid(e, field, what);
        }
        int rc = rule_member(m, key, field, r, e);
        if (rc)
            return rc;
    }
    /* Required members: all of the kind's keys but observed, and the name. */
    static const char *const required[] = {"name", "month", "day", "weekday", "n", "offset"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (kind_takes(r->kind, required[i]) && !json_object_get(v, required[i])) {
            snprintf(field, sizeof field, "%s.%s", base, required[i]);
            return invalid(e, field, "is required");
        }
    return 0; /* ranges: holidays_rule_check, through cal_spec_check */
}

static int parse_rules(json_t *v, struct holidays_spec *h, struct err *e)
{
    if (!json_is_array(v))
        return invalid(e, "holidays.rules", "must be an array of rules");
    if (json_array_size(v) > HOLIDAYS_RULES_MAX)
        return err_set(e, ERR_INVALID, "holidays.rules", "holidays.rules has more than %d entries",
                       HOLIDAYS_RULES_MAX);
    size_t i;
    json_t *r;
    json_array_foreach(v, i, r) {
        int rc = parse_rule(r, i, &h->rules[i], e);
        if (rc)
            return rc;
    }
    h->nrules = json_array_size(v);
    return 0;
}

static int parse_holidays(json_t *v, struct holidays_spec *h, struct err *e)
{
    if (!json_is_object(v))
        return invalid(e, "holidays", "must be an object (presets, dates, rules)");
    memset(h, 0, sizeof *h); /* a key left out is empty */
    const char *key;
    json_t *m;
    json_object_foreach(v, key, m) {
        int rc;
        if (strcmp(key, "presets") == 0)
            rc = parse_presets(m, h, e);
        else if (strcmp(key, "dates") == 0)
            rc = parse_dates(m, h, e);
        else if (strcmp(key, "rules") == 0)
            rc = parse_rules(m, h, e);
        else {
            char field[80];
            snprintf(field, sizeof field, "holidays.%.64s", key);
            rc = invalid(e, field, "is not a known key (presets, dates, rules)");
        }
        if (rc)
            return rc;
    }
    return 0;
}

_Static_assert(CAL_LABEL_MAX == 32, "the label's message says 31 bytes");

static int parse_root(json_t *root, struct cal_spec *s, struct err *e)
{
    if (!json_is_object(root))
        return invalid(e, "calendar", "must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        int rc = 0;
        if (strcmp(key, "timezone") == 0) {
            const char *z = json_string_value(v);
            if (!z || json_string_length(v) == 0 || json_string_length(v) >= CAL_ZONE_MAX)
                return invalid(e, "timezone", "must be an IANA time zone name");
            memcpy(s->zone, z, json_string_length(v) + 1);
        } else if (strcmp(key, "label") == 0) {
            const char *l = json_string_value(v);
            size_t n = l ? json_string_length(v) : 0;
            bool ok = n > 0 && n < CAL_LABEL_MAX && strlen(l) == n;
            for (size_t i = 0; ok && i < n; i++)
                ok = (unsigned char)l[i] >= 0x20 && l[i] != 0x7f;
            if (!ok)
                return invalid(e, "label", "must be 1 to 31 bytes of text on one line, like "
                                           "\"Eastern\"");
            memcpy(s->label, l, n + 1);
        } else if (strcmp(key, "hours") == 0) {
            rc = parse_hours(v, s, e);
        } else if (strcmp(key, "holidays") == 0) {
            rc = parse_holidays(v, &s->holidays, e);
        } else {
            char field[72];
            snprintf(field, sizeof field, "%.64s", key[0] ? key : "\"\"");
            rc = invalid(e, field, "is not a known key (timezone, label, hours, holidays)");
        }
        if (rc)
            return rc;
    }
    return cal_spec_check(s, e);
}

/* Keys and tokens quoted from the input end up in one-line messages: no control bytes there,
 * and never an empty field (an empty key at the top level). */
static void one_line(struct err *e)
{
    if (!e)
        return;
    for (char *p = e->message; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    for (char *p = e->field; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    if (!e->field[0])
        memcpy(e->field, "\"\"", 3);
}

int calendar_json_parse(const char *text, size_t len, struct cal_spec *out, struct err *e)
{
    if (len > CALENDAR_JSON_MAX)
        return err_set(e, ERR_LIMIT, "calendar", "calendar is larger than %d bytes",
                       CALENDAR_JSON_MAX);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        err_set(e, ERR_MALFORMED, "calendar", "calendar is not valid JSON: %s (line %d, column %d)",
                jerr.text, jerr.line, jerr.column);
        one_line(e);
        return ERR_MALFORMED;
    }
    struct cal_spec *s = xmalloc(sizeof *s);
    cal_spec_default(s);
    int rc = parse_root(root, s, e);
    if (rc == 0)
        *out = *s;
    else
        one_line(e);
    free(s);
    json_decref(root);
    return rc;
}

/* ---- rendering -------------------------------------------------------------------------------- */

static void render_rule(const struct holidays_rule *r, struct buf *out)
{
    buf_append_cstr(out, "{\"name\":");
    buf_append_json_str(out, r->name, strlen(r->name));
    buf_appendf(out, ",\"kind\":\"%s\"", kind_names[r->kind]);
    switch (r->kind) {
    case HOLIDAYS_FIXED:
        buf_appendf(out, ",\"month\":%d,\"day\":%d,\"observed\":%s", r->month, r->day,
                    r->observed ? "true" : "false");
        break;
    case HOLIDAYS_NTH_WEEKDAY:
        buf_appendf(out, ",\"month\":%d,\"weekday\":\"%s\"", r->month, cal_weekday_name(r->weekday));
        if (r->n == HOLIDAYS_LAST)
            buf_append_cstr(out, ",\"n\":\"last\"");
        else
            buf_appendf(out, ",\"n\":%d", r->n);
        break;
    case HOLIDAYS_MONDAY_BEFORE: buf_appendf(out, ",\"month\":%d,\"day\":%d", r->month, r->day); break;
    case HOLIDAYS_EASTER: buf_appendf(out, ",\"offset\":%d", r->offset); break;
    }
    if (r->from_year)
        buf_appendf(out, ",\"from_year\":%d", r->from_year);
    if (r->to_year)
        buf_appendf(out, ",\"to_year\":%d", r->to_year);
    buf_append_char(out, '}');
}

static void render_date(int64_t day, struct buf *out)
{
    struct civil_date d = timefmt_civil_from_days(day);
    buf_appendf(out, "\"%04lld-%02d-%02d\"", (long long)d.year, d.month, d.day);
}

/* Into an uncapped buffer first, then one append: out's cap refuses the whole document or
 * takes all of it, never half. */
int calendar_json_render(const struct cal_spec *s, struct buf *dst)
{
    struct buf b, *out = &b;
    buf_init(&b, 0);
    buf_append_cstr(out, "{\"timezone\":");
    buf_append_json_str(out, s->zone, strnlen(s->zone, CAL_ZONE_MAX));
    buf_append_cstr(out, ",\"label\":");
    buf_append_json_str(out, s->label, strnlen(s->label, CAL_LABEL_MAX));
    buf_append_cstr(out, ",\"hours\":{");
    for (int i = 0; i < 7; i++) {
        int w = (i + 1) % 7; /* Monday first, as people read a week */
        buf_appendf(out, "%s\"%s\":[", i ? "," : "", cal_weekday_name(w));
        for (size_t j = 0; j < s->nhours[w]; j++) {
            const struct cal_interval *iv = &s->hours[w][j];
            buf_appendf(out, "%s\"%02d:%02d-%02d:%02d\"", j ? "," : "", iv->start / 60,
                        iv->start % 60, iv->end / 60, iv->end % 60);
        }
        buf_append_char(out, ']');
    }
    buf_append_cstr(out, "},\"holidays\":{\"presets\":[");
    for (size_t i = 0; i < s->holidays.npresets; i++)
        buf_appendf(out, "%s\"%s\"", i ? "," : "", holidays_preset_name(s->holidays.presets[i]));
    buf_append_cstr(out, "],\"dates\":[");
    for (size_t i = 0; i < s->holidays.ndates; i++) {
        if (i)
            buf_append_char(out, ',');
        render_date(s->holidays.dates[i], out);
    }
    buf_append_cstr(out, "],\"rules\":[");
    for (size_t i = 0; i < s->holidays.nrules; i++) {
        if (i)
            buf_append_char(out, ',');
        render_rule(&s->holidays.rules[i], out);
    }
    buf_append_cstr(out, "]}}");
    int rc = buf_append(dst, b.ptr, b.len);
    buf_release(&b);
    return rc;
}

int calendar_json_holidays(const struct holidays_entry *list, size_t n, struct buf *dst)
{
    struct buf b, *out = &b;
    buf_init(&b, 0);
    buf_append_char(out, '[');
    for (size_t i = 0; i < n; i++) {
        buf_append_cstr(out, i ? ",{\"date\":" : "{\"date\":");
        render_date(list[i].day, out);
        buf_append_cstr(out, ",\"name\":");
        buf_append_json_str(out, list[i].name, strnlen(list[i].name, HOLIDAYS_NAME_MAX));
        buf_appendf(out, ",\"observed\":%s}", list[i].observed ? "true" : "false");
    }
    buf_append_char(out, ']');
    int rc = buf_append(dst, b.ptr, b.len);
    buf_release(&b);
    return rc;
}
