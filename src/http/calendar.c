/* calendar: the support calendar through the API (issue 4).
 *
 *   GET /api/v2/support_hours               anyone: open now?, when it next opens or closes, the
 *                                           weekly hours in their zone, the next holidays
 *   GET /api/v2/calendar                    admins: the calendar in force (calendar_json's shape)
 *   PUT /api/v2/calendar                    admins: replace it ({"calendar": {...}}), audited
 *   GET /api/v2/calendar/holidays?year=Y    staff: every closed date of year Y
 *   GET /api/v2/sla_targets                 staff: the SLA targets in force (sla_json's shape)
 *   PUT /api/v2/sla_targets                 admins: replace them ({"sla_targets": {...}}), audited
 * A change of the calendar or the targets has every running clock judged again
 * (service/policy_pack.h).
 */
#include "http/handlers.h"

#include "base/timefmt.h"
#include "core/access.h"
#include "http/auth.h"
#include "http/render.h"
#include "service/calendar_cache.h"
#include "service/calendar_json.h"
#include "service/policy_pack.h"
#include "service/sla_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UPCOMING_HOLIDAYS 5

/* The calendar in force; nonzero when the error answer is made. */
static int current(struct http_req *req, struct db *db, const struct calendar **cal,
                   struct calendar_ref **ref)
{
    struct err e;
    err_clear(&e);
    if (calendar_cache_acquire(req->env, db, cal, ref, &e)) {
        http_reply_err(req, &e);
        return -1;
    }
    return 0;
}

/* The next holidays from today's local date on: this year's and next year's. */
static void upcoming_holidays(const struct calendar *cal, int64_t now, struct buf *b)
{
    const struct cal_spec *spec = cal_spec_of(cal);
    int64_t today = cal_local_day(cal, now);
    struct civil_date d = timefmt_civil_from_days(today);
    struct holidays_entry *list = malloc(2 * HOLIDAYS_YEAR_MAX_ENTRIES * sizeof *list);
    size_t n = 0, got = 0;
    for (int y = (int)d.year; list && y <= (int)d.year + 1 && y <= HOLIDAYS_YEAR_MAX; y++) {
        if (holidays_year(&spec->holidays, y, list + n, 2 * HOLIDAYS_YEAR_MAX_ENTRIES - n, &got))
            break;
        n += got;
    }
    size_t first = 0;
    while (first < n && list[first].day < today)
        first++;
    size_t count = n - first < UPCOMING_HOLIDAYS ? n - first : UPCOMING_HOLIDAYS;
    calendar_json_holidays(list ? list + first : NULL, list ? count : 0, b);
    free(list);
}

/* The calendar's hours object, as calendar_json renders it. */
static void hours_json(const struct cal_spec *spec, struct buf *b)
{
    struct buf whole;
    buf_init(&whole, 0);
    calendar_json_render(spec, &whole);
    const char *h = strstr(buf_cstr(&whole), "\"hours\":");
    const char *end = h ? strstr(h, "},\"holidays\"") : NULL;
    if (h && end)
        buf_append(b, h + strlen("\"hours\":"), (size_t)(end + 1 - (h + strlen("\"hours\":"))));
    else
        buf_append_cstr(b, "{}");
    buf_release(&whole);
}

void support_hours_get(struct http_req *req)
{
    struct db *db;
    const struct calendar *cal;
    struct calendar_ref *ref;
    if (http_req_db(req, &db) || current(req, db, &cal, &ref))
        return;
    const struct cal_spec *spec = cal_spec_of(cal);
    int64_t now = req->env->now(req->env), closes = 0, opens = 0;
    bool open = cal_open_until(cal, now, &closes) == 0;
    bool will_open = !open && cal_next_open(cal, now, &opens) == 0;
    struct buf b;
    buf_init(&b, 0);
    buf_appendf(&b, "{\"support_hours\":{\"open\":%s", open ? "true" : "false");
    buf_append_cstr(&b, ",\"timezone\":");
    buf_append_json_str(&b, spec->zone, strlen(spec->zone));
    buf_append_cstr(&b, ",\"label\":");
    buf_append_json_str(&b, spec->label, strlen(spec->label));
    buf_append_char(&b, ',');
    render_time_member(&b, "now", now, 0);
    buf_append_char(&b, ',');
    render_time_member(&b, "closes_at", open ? closes : 0, 1);
    buf_append_char(&b, ',');
    render_time_member(&b, "opens_at", will_open ? opens : 0, 1);
    buf_append_cstr(&b, ",\"hours\":");
    hours_json(spec, &b);
    buf_append_cstr(&b, ",\"holidays\":");
    upcoming_holidays(cal, now, &b);
    buf_append_cstr(&b, "}}");
    calendar_cache_release(ref);
    http_reply_json_text(req, 200, &b);
}

/* Answer {"<key>": <text>} where text is a JSON document. */
static void reply_wrapped(struct http_req *req, int status, const char *key, const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    if (!v) {
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    json_t *out = json_object();
    json_object_set_new(out, key, v);
    http_reply_json(req, status, out);
}

static void calendar_get(struct http_req *req, struct db *db)
{
    struct buf text;
    buf_init(&text, 0);
    struct err e;
    err_clear(&e);
    if (policy_pack_calendar_text(db, &text, &e))
        http_reply_err(req, &e);
    else
        reply_wrapped(req, 200, "calendar", buf_cstr(&text));
    buf_release(&text);
}

/* The body's object under key ({"calendar": {...}}) as text, or NULL with the 400/422 answer
 * made. */
static char *body_object(struct http_req *req, const char *key)
{
    json_t *body;
    if (http_req_json(req, &body))
        return NULL;
    json_t *o = json_is_object(body) ? json_object_get(body, key) : NULL;
    char *text = json_is_object(o) ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        http_reply_error(req, 422, key, "the body must be {\"%s\": {...}}", key);
    return text;
}

/* A parser's error field as the client wrote it, inside the body's object: "hours.mon" becomes
 * "calendar.hours.mon"; the parser's name for the whole document (whole) becomes key. */
static void field_in_body(struct err *e, const char *key, const char *whole)
{
    if (!e->field[0] || strcmp(e->field, whole) == 0) {
        snprintf(e->field, sizeof e->field, "%s", key);
        return;
    }
    char field[sizeof e->field + 16];
    int n = snprintf(field, sizeof field, "%s.%s", key, e->field);
    if (n > 0 && (size_t)n < sizeof e->field)
        memcpy(e->field, field, (size_t)n + 1);
}

static void calendar_put(struct http_req *req, const struct auth_principal *who, struct db *db)
{
    char *text = body_object(req, "calendar");
    if (!text)
        return;
    struct cal_spec *spec = malloc(sizeof *spec);
    struct err e;
    err_clear(&e);
    int rc = spec ? calendar_json_parse(text, strlen(text), spec, &e) : ERR_LIMIT;
    free(text);
    if (rc)
        field_in_body(&e, "calendar", "calendar");
    if (!rc)
        rc = policy_pack_set_calendar(req->env, db, who->subject.user_id, req->client_text, spec,
                                      &e);
    free(spec);
    if (rc) {
        http_reply_err(req, &e);
        return;
    }
    calendar_cache_forget();
    calendar_get(req, db);
}

void calendar_item(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require_admin(req, &who) || http_req_db(req, &db))
        return;
    if (req->method == HTTP_PUT)
        calendar_put(req, &who, db);
    else
        calendar_get(req, db);
}

void calendar_holidays_get(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require_staff(req, &who) || http_req_db(req, &db))
        return;
    const char *y = http_req_query(req, "year");
    char *end = NULL;
    long year = y ? strtol(y, &end, 10) : 0;
    if (!y || !*y || *end || year < HOLIDAYS_YEAR_MIN || year > HOLIDAYS_YEAR_MAX) {
        http_reply_error(req, 400, "year", "year must be a year from %d to %d, like year=2027",
                         HOLIDAYS_YEAR_MIN, HOLIDAYS_YEAR_MAX);
        return;
    }
    const struct calendar *cal;
    struct calendar_ref *ref;
    if (current(req, db, &cal, &ref))
        return;
    struct holidays_entry *list = malloc(HOLIDAYS_YEAR_MAX_ENTRIES * sizeof *list);
    size_t n = 0;
    if (list)
        holidays_year(&cal_spec_of(cal)->holidays, (int)year, list, HOLIDAYS_YEAR_MAX_ENTRIES, &n);
    calendar_cache_release(ref);
    struct buf b;
    buf_init(&b, 0);
    calendar_json_holidays(list, n, &b);
    free(list);
    json_t *arr = json_loads(buf_cstr(&b), 0, NULL);
    buf_release(&b);
    if (!arr) {
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    http_reply_json(req, 200, json_pack("{s:I, s:o}", "year", (json_int_t)year, "holidays", arr));
}

static void sla_targets_get(struct http_req *req, struct db *db)
{
    struct buf text;
    buf_init(&text, 0);
    struct err e;
    err_clear(&e);
    if (policy_pack_sla_text(db, &text, &e))
        http_reply_err(req, &e);
    else
        reply_wrapped(req, 200, "sla_targets", buf_cstr(&text));
    buf_release(&text);
}

static void sla_targets_put(struct http_req *req, const struct auth_principal *who, struct db *db)
{
    if (!access_is_admin(&who->subject)) {
        http_reply_error(req, 403, NULL, "only admins change the SLA targets");
        return;
    }
    char *text = body_object(req, "sla_targets");
    if (!text)
        return;
    struct sla_targets t;
    struct err e;
    err_clear(&e);
    int rc = sla_json_parse(text, strlen(text), &t, &e);
    free(text);
    if (rc)
        field_in_body(&e, "sla_targets", "sla");
    if (!rc)
        rc = policy_pack_set_sla(req->env, db, who->subject.user_id, req->client_text, &t, &e);
    if (rc) {
        http_reply_err(req, &e);
        return;
    }
    sla_targets_get(req, db);
}

void sla_targets_item(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require_staff(req, &who) || http_req_db(req, &db))
        return;
    if (req->method == HTTP_PUT)
        sla_targets_put(req, &who, db);
    else
        sla_targets_get(req, db);
}
