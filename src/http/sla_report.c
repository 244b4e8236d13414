/* sla_report: GET /api/v2/sla/report?from=YYYY-MM-DD&to=YYYY-MM-DD (staff; frontdesk's own), the
 * SLA report of service/sla_report.h. from is included, to excluded; both are widened to whole
 * weeks (Monday to Monday). Without them: the four weeks up to the end of this week. */
#include "http/handlers.h"

#include "base/timefmt.h"
#include "http/auth.h"
#include "service/people.h"
#include "service/sla_report.h"

#include <stdio.h>
#include <string.h>

/* A date argument as days since 1970-01-01; nonzero with the 400 answer made when malformed. */
static int date_arg(struct http_req *req, const char *name, int64_t *out)
{
    const char *v = http_req_query(req, name);
    if (!v)
        return 0;
    if (!people_date_valid(v, strlen(v))) {
        http_reply_error(req, 400, name, "%s must be a date like 2026-11-23", name);
        return -1;
    }
    struct civil_date d = {0};
    sscanf(v, "%4lld-%2d-%2d", (long long *)&d.year, &d.month, &d.day);
    *out = timefmt_days_from_civil(d);
    return 0;
}

static void date_into(struct buf *b, const char *key, int64_t day)
{
    struct civil_date d = timefmt_civil_from_days(day);
    buf_appendf(b, "\"%s\":\"%04lld-%02d-%02d\"", key, (long long)d.year, d.month, d.day);
}

static void share_into(struct buf *b, int met, int late)
{
    if (met + late)
        buf_appendf(b, ",\"share_met\":%.4f", (double)met / (met + late));
    else
        buf_append_cstr(b, ",\"share_met\":null");
}

static void row_into(struct buf *b, const struct sla_report_row *r)
{
    buf_append_char(b, '{');
    date_into(b, "week", r->week);
    buf_appendf(b, ",\"priority\":\"%s\",\"channel\":\"%s\",\"tickets\":%d",
                ticket_priority_name(r->priority), ticket_channel_name(r->channel), r->tickets);
    buf_appendf(b, ",\"first_touch\":{\"met\":%d,\"late\":%d", r->first_touch_met,
                r->first_touch_late);
    share_into(b, r->first_touch_met, r->first_touch_late);
    if (r->first_touch_timed)
        buf_appendf(b, ",\"median_minutes\":%.1f,\"p90_minutes\":%.1f}",
                    r->first_touch_median_minutes, r->first_touch_p90_minutes);
    else
        buf_append_cstr(b, ",\"median_minutes\":null,\"p90_minutes\":null}");
    buf_appendf(b, ",\"follow_up\":{\"met\":%d,\"late\":%d", r->follow_up_met, r->follow_up_late);
    share_into(b, r->follow_up_met, r->follow_up_late);
    buf_append_cstr(b, "}}");
}

void sla_report_get(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require_staff(req, &who) || http_req_db(req, &db))
        return;
    int64_t today = req->env->now(req->env) / 86400;
    int64_t to = today + 7 - (timefmt_weekday_from_days(today) + 6) % 7; /* next Monday */
    int64_t from = to - 28;
    if (date_arg(req, "from", &from) || date_arg(req, "to", &to))
        return;
    struct sla_report r;
    struct err e;
    err_clear(&e);
    if (sla_report_build(req->env, db, &who.subject, from, to, &req->arena, &r, &e)) {
        http_reply_err(req, &e);
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "{\"sla_report\":{");
    date_into(&b, "from", r.from);
    buf_append_char(&b, ',');
    date_into(&b, "to", r.to);
    buf_append_cstr(&b, ",\"rows\":[");
    for (size_t i = 0; i < r.count; i++) {
        if (i)
            buf_append_char(&b, ',');
        row_into(&b, &r.rows[i]);
    }
    buf_append_cstr(&b, "]}}");
    http_reply_json_text(req, 200, &b);
}
