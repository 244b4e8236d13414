/* hc_deflections: the request form's article suggestions (issue 7, "Submit a request";
 * service/hc_deflections.h), Zendesk-style paths of our own:
 *   POST /api/v2/help_center/deflections                 anyone: {"deflection": {"article_id",
 *                                                         "query"}} a suggestion was opened -> 201
 *                                                         with the record's "token" (only here)
 *   POST /api/v2/help_center/deflections/{id}/submitted  its opener: {"deflection": {"token"}}
 *                                                         the request was submitted after (404
 *                                                         for a wrong or missing token, as for
 *                                                         an unknown id)
 *   GET  /api/v2/help_center/deflections/report?from=&to=  staff: per article, opened and
 *                                                         deflected (YYYY-MM-DD, UTC days, from
 *                                                         included, to excluded; default: the
 *                                                         last 30 days through today)
 */
#include "http/handlers.h"

#include "base/timefmt.h"
#include "http/auth.h"
#include "http/render.h"
#include "service/hc_deflections.h"
#include "service/people.h"

#include <stdio.h>
#include <string.h>

/* token: the opener's secret, given once in the creation's answer; NULL elsewhere. */
static void reply_deflection(struct http_req *req, int status, const struct hc_deflection *d,
                             const char *token)
{
    json_t *o = json_pack("{s:I,s:I,s:o}", "id", (json_int_t)d->id, "article_id",
                          (json_int_t)d->article_id, "created_at", render_time(d->created_at, 0));
    if (token)
        json_object_set_new(o, "token", json_string(token));
    http_reply_json(req, status, json_pack("{s:o}", "deflection", o));
}

void hc_deflections_post(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    json_t *body;
    if (auth_resolve(req, &who) || http_req_json(req, &body))
        return;
    json_t *d = json_is_object(body) ? json_object_get(body, "deflection") : NULL;
    json_t *aid = json_is_object(d) ? json_object_get(d, "article_id") : NULL;
    json_t *q = json_is_object(d) ? json_object_get(d, "query") : NULL;
    if (!json_is_object(d)) {
        json_decref(body);
        http_reply_error(req, 422, "deflection", "the body must be {\"deflection\": {...}}");
        return;
    }
    if (!json_is_integer(aid) || json_integer_value(aid) <= 0) {
        json_decref(body);
        http_reply_error(req, 422, "deflection.article_id", "article_id must be an article's id");
        return;
    }
    if (q && !json_is_null(q) && !json_is_string(q)) {
        json_decref(body);
        http_reply_error(req, 422, "deflection.query", "query must be a string");
        return;
    }
    struct hc_deflection out;
    struct err e;
    err_clear(&e);
    int rc = http_req_db(req, &db);
    if (rc) {
        json_decref(body);
        return;
    }
    struct hc_deflection_actor actor = {.subject = who.subject, .ip = req->client_text};
    char token[AUTH_SECRET_LEN + 1];
    int64_t retry_after = 0;
    rc = hc_deflections_open(req->env, db, &actor, (int64_t)json_integer_value(aid),
                             json_is_string(q) ? json_string_value(q) : NULL, &out, token,
                             &retry_after, &e);
    json_decref(body);
    if (rc == ERR_LIMIT && retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%lld", (long long)retry_after);
        http_add_header(req, "Retry-After", ra);
        http_reply_error(req, 429, NULL, "%s", e.message);
    } else if (rc) {
        http_reply_err(req, &e);
    } else {
        reply_deflection(req, 201, &out, token);
    }
}

void hc_deflections_submitted_post(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    int64_t id;
    json_t *body;
    if (http_req_id(req, "id", &id) || auth_resolve(req, &who) || http_req_json(req, &body))
        return;
    if (http_req_db(req, &db)) {
        json_decref(body);
        return;
    }
    /* The body's shape is judged before the id is looked at; past it, a missing or wrong token
     * gets the unknown id's 404: the route tells nobody which ids exist. */
    json_t *d = json_is_object(body) ? json_object_get(body, "deflection") : NULL;
    json_t *t = json_is_object(d) ? json_object_get(d, "token") : NULL;
    if (!json_is_object(d)) {
        json_decref(body);
        http_reply_error(req, 422, "deflection", "the body must be {\"deflection\": {\"token\"}}");
        return;
    }
    struct hc_deflection out;
    struct err e;
    err_clear(&e);
    int rc = hc_deflections_submitted(req->env, db, id,
                                      json_is_string(t) ? json_string_value(t) : NULL, &out, &e);
    json_decref(body);
    if (rc)
        http_reply_err(req, &e);
    else
        reply_deflection(req, 200, &out, NULL);
}

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

void hc_deflections_report_get(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require_staff(req, &who) || http_req_db(req, &db))
        return;
    int64_t to = req->env->now(req->env) / 86400 + 1, from = to - 30;
    if (date_arg(req, "from", &from) || date_arg(req, "to", &to))
        return;
    if (from >= to) {
        http_reply_error(req, 400, "from", "from must be before to");
        return;
    }
    struct hc_deflection_line *lines =
        arena_alloc(&req->arena, HC_DEFLECTION_REPORT_MAX * sizeof *lines);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (!lines)
        err_set(&e, ERR_LIMIT, NULL, "the report is too large");
    if (!lines || hc_deflections_report(db, &who.subject, from * 86400, to * 86400, &req->arena,
                                        lines, &n, &e)) {
        http_reply_err(req, &e);
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    int64_t opened = 0, deflected = 0;
    buf_append_cstr(&b, "{\"deflection_report\":{");
    date_into(&b, "from", from);
    buf_append_char(&b, ',');
    date_into(&b, "to", to);
    buf_append_cstr(&b, ",\"articles\":[");
    for (size_t i = 0; i < n; i++) {
        buf_appendf(&b, "%s{\"article_id\":%lld,\"title\":", i ? "," : "",
                    (long long)lines[i].article_id);
        buf_append_json_str(&b, lines[i].title, strlen(lines[i].title));
        buf_appendf(&b, ",\"opened\":%lld,\"deflected\":%lld}", (long long)lines[i].opened,
                    (long long)lines[i].deflected);
        opened += lines[i].opened;
        deflected += lines[i].deflected;
    }
    buf_appendf(&b, "],\"opened\":%lld,\"deflected\":%lld}}", (long long)opened,
                (long long)deflected);
    http_reply_json_text(req, 200, &b);
}
