#include "service/sla_json.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define MINUTES_MAX 525600 /* a year */

static const char *const priority_keys[TICKET_PRIORITY_COUNT] = {
    [TICKET_PRIORITY_LOW] = "low",
    [TICKET_PRIORITY_NORMAL] = "normal",
    [TICKET_PRIORITY_HIGH] = "high",
    [TICKET_PRIORITY_URGENT] = "urgent",
};

static int bad(struct err *e, const char *field, const char *what)
{
    return err_set(e, ERR_INVALID, field, "%s %s", field, what);
}

static int minutes(json_t *v, const char *field, int64_t *out, struct err *e)
{
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > MINUTES_MAX)
        return bad(e, field, "must be a whole number of minutes from 1 to 525600");
    *out = (int64_t)json_integer_value(v) * 60;
    return 0;
}

static int parse_target(json_t *o, const char *path, struct sla_target *t, struct err *e)
{
    char field[96];
    if (!json_is_object(o))
        return bad(e, path, "must be an object (clock, warn_minutes, due_minutes)");
    struct sla_target r = {.clock = SLA_CLOCK_BUSINESS};
    bool have_warn = false, have_due = false;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        snprintf(field, sizeof field, "%s.%.32s", path, key);
        int rc = 0;
        if (strcmp(key, "clock") == 0) {
            const char *c = json_string_value(v);
            if (c && strcmp(c, "business") == 0)
                r.clock = SLA_CLOCK_BUSINESS;
            else if (c && strcmp(c, "calendar") == 0)
                r.clock = SLA_CLOCK_CALENDAR;
            else
                rc = bad(e, field, "must be \"business\" or \"calendar\"");
        } else if (strcmp(key, "warn_minutes") == 0) {
            rc = minutes(v, field, &r.warn_s, e);
            have_warn = true;
        } else if (strcmp(key, "due_minutes") == 0) {
            rc = minutes(v, field, &r.due_s, e);
            have_due = true;
        } else if (strcmp(key, "why") == 0) {
            if (!json_is_string(v))
                rc = bad(e, field, "must be text");
        } else {
            rc = bad(e, field, "is not a known key (clock, warn_minutes, due_minutes, why)");
        }
        if (rc)
            return rc;
    }
    if (!have_warn || !have_due) {
        snprintf(field, sizeof field, "%s.%s", path, have_warn ? "due_minutes" : "warn_minutes");
        return bad(e, field, "is required");
    }
    if (r.warn_s >= r.due_s) {
        snprintf(field, sizeof field, "%s.warn_minutes", path);
        return bad(e, field, "must be less than due_minutes");
    }
    *t = r;
    return 0;
}

static int parse_follow_up(json_t *o, struct sla_targets *t, struct err *e)
{
    if (!json_is_object(o))
        return bad(e, "follow_up", "must be an object of priorities (normal, high, urgent, low)");
    bool have[TICKET_PRIORITY_COUNT] = {false};
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        int p = -1;
        for (int i = 0; i < TICKET_PRIORITY_COUNT; i++)
            if (strcmp(key, priority_keys[i]) == 0)
                p = i;
        char field[64];
        snprintf(field, sizeof field, "follow_up.%.32s", key);
        if (p < 0)
            return bad(e, field, "is not a priority (normal, high, urgent, low)");
        int rc = parse_target(v, field, &t->follow_up[p], e);
        if (rc)
            return rc;
        have[p] = true;
    }
    for (int p = TICKET_PRIORITY_NORMAL; p < TICKET_PRIORITY_COUNT; p++) {
        if (!have[p]) {
            char field[64];
            snprintf(field, sizeof field, "follow_up.%s", priority_keys[p]);
            return bad(e, field, "is required");
        }
    }
    if (!have[TICKET_PRIORITY_LOW])
        t->follow_up[TICKET_PRIORITY_LOW] = t->follow_up[TICKET_PRIORITY_NORMAL];
    return 0;
}

static int parse_root(json_t *root, struct sla_targets *t, struct err *e)
{
    if (!json_is_object(root))
        return bad(e, "sla", "must be an object (first_touch, follow_up)");
    bool first = false, follow = false;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        int rc = 0;
        if (strcmp(key, "first_touch") == 0) {
            rc = parse_target(v, "first_touch", &t->first_touch, e);
            first = true;
        } else if (strcmp(key, "follow_up") == 0) {
            rc = parse_follow_up(v, t, e);
            follow = true;
        } else if (strcmp(key, "low_follows") == 0 || strcmp(key, "guarantee") == 0) {
            if (!json_is_string(v))
                rc = bad(e, key, "must be text");
        } else {
            char field[48];
            snprintf(field, sizeof field, "%.32s", key);
            rc = bad(e, field, "is not a known key (first_touch, follow_up)");
        }
        if (rc)
            return rc;
    }
    if (!first)
        return bad(e, "first_touch", "is required");
    if (!follow)
        return bad(e, "follow_up", "is required");
    return 0;
}

int sla_json_parse(const char *text, size_t len, struct sla_targets *out, struct err *e)
{
    if (len > SLA_JSON_MAX)
        return err_set(e, ERR_LIMIT, "sla", "SLA targets are larger than %d bytes", SLA_JSON_MAX);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return err_set(e, ERR_MALFORMED, "sla", "SLA targets are not valid JSON: %s", jerr.text);
    struct sla_targets t;
    int rc = parse_root(root, &t, e);
    json_decref(root);
    if (!rc)
        *out = t;
    return rc;
}

static void render_target(const struct sla_target *t, struct buf *out)
{
    buf_appendf(out, "{\"clock\":\"%s\",\"warn_minutes\":%lld,\"due_minutes\":%lld}",
                t->clock == SLA_CLOCK_CALENDAR ? "calendar" : "business",
                (long long)(t->warn_s / 60), (long long)(t->due_s / 60));
}

int sla_json_render(const struct sla_targets *t, struct buf *dst)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "{\"first_touch\":");
    render_target(&t->first_touch, &b);
    buf_append_cstr(&b, ",\"follow_up\":{");
    for (int p = TICKET_PRIORITY_COUNT - 1, n = 0; p >= 0; p--, n++) {
        buf_appendf(&b, "%s\"%s\":", n ? "," : "", priority_keys[p]);
        render_target(&t->follow_up[p], &b);
    }
    buf_append_cstr(&b, "}}");
    int rc = buf_append(dst, b.ptr, b.len);
    buf_release(&b);
    return rc;
}
