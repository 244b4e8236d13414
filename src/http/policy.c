/* The support policy's own API (issue 5; docs/policy.md), frontdesk's own paths:
 *   GET /api/v2/policy/categories          the request categories and how each is decided (staff)
 *   GET /api/v2/policy/exceptions          staff overrides with their justification (staff),
 *                                          filters ticket_id= and kind=priority|scope, by id
 *   GET|PUT /api/v2/policy/category_keywords  the keyword rules that suggest a category
 *                                          (read: staff; replace: admins)
 *   GET /api/v2/policy/report?weeks=8      per week: exceptions, bans, refusals, disclosures,
 *                                          out-of-scope decisions by category (leads, admins)
 */
#include "http/handlers.h"

#include "base/timefmt.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "service/policy_pack.h"
#include "service/policy_report.h"
#include "service/ticket_policy.h"
#include "store/policy_exceptions.h"

#include <stdlib.h>
#include <string.h>

void policy_categories_get(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require_staff(req, &who))
        return;
    const struct policy_category *cats;
    size_t n = policy_categories(&cats);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *team = policy_team_name(cats[i].team);
        json_t *flags = json_array();
        for (unsigned bit = 1; bit < (1u << POLICY_FLAG_COUNT); bit <<= 1)
            if (cats[i].flags & bit)
                json_array_append_new(flags, json_string(policy_flag_name(bit)));
        json_array_append_new(
            list,
            json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id", cats[i].id, "label",
                      cats[i].label, "kind", policy_kind_name(cats[i].kind), "clause",
                      cats[i].clause, "team", team ? json_string(team) : json_null(), "macro",
                      cats[i].macro ? json_string(cats[i].macro) : json_null(), "flags", flags));
    }
    http_reply_json(req, 200, json_pack("{s:o}", "categories", list));
}

/* ---- exceptions ------------------------------------------------------------------------------ */

static json_t *exception_json(const struct policy_exception *x)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:o}", "id", (json_int_t)x->id,
                     "ticket_id", (json_int_t)x->ticket_id, "kind", x->kind, "from", x->from_value,
                     "to", x->to_value, "justification", x->justification, "actor_id",
                     (json_int_t)x->actor_id, "created_at", render_time(x->created_at, 0));
}

void policy_exceptions_get(struct http_req *req)
{
    struct auth_principal who;
    struct paging pg;
    struct policy_exceptions_filter f = {0};
    struct db *db;
    if (auth_require_staff(req, &who) || paging_from_req(req, &pg) ||
        http_req_query_id(req, "ticket_id", &f.ticket_id))
        return;
    f.kind = http_req_query(req, "kind");
    if (f.kind && strcmp(f.kind, "priority") != 0 && strcmp(f.kind, "scope") != 0) {
        http_reply_error(req, 400, "kind", "kind must be priority or scope");
        return;
    }
    struct policy_exception *items = arena_alloc(&req->arena, (pg.size + 1) * sizeof *items);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (!items) {
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    if (http_req_db(req, &db) ||
        ticket_policy_exceptions_list(db, &who.subject, &f, pg.after, pg.size + 1, &req->arena,
                                      items, &n, &e)) {
        if (e.code)
            http_reply_err(req, &e);
        return;
    }
    bool has_more = n > pg.size;
    size_t count = has_more ? pg.size : n;
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(list, exception_json(&items[i]));
    paging_reply_list(req, &pg, "policy_exceptions", list, has_more,
                      count ? items[count - 1].id : 0);
}

/* ---- keyword rules --------------------------------------------------------------------------- */

static void keywords_reply(struct http_req *req, struct db *db)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "{\"category_keywords\":");
    struct err e;
    err_clear(&e);
    if (policy_pack_keywords_text(db, &b, &e)) {
        buf_release(&b);
        http_reply_err(req, &e);
        return;
    }
    buf_append_char(&b, '}');
    http_reply_json_text(req, 200, &b);
}

static void keywords_put(struct http_req *req, const struct auth_principal *who, struct db *db)
{
    json_t *body;
    if (http_req_json(req, &body))
        return;
    json_t *rules = json_is_object(body) ? json_object_get(body, "category_keywords") : NULL;
    char *text = json_is_array(rules) ? json_dumps(rules, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        http_reply_error(
            req, 422, "category_keywords",
            "the body must be {\"category_keywords\": [{\"category\", \"keywords\"}]}");
        return;
    }
    struct err e;
    err_clear(&e);
    int rc = policy_pack_set_keywords(req->env, db, who->subject.user_id, req->client_text, text,
                                      strlen(text), &e);
    free(text);
    if (rc)
        http_reply_err(req, &e);
    else
        keywords_reply(req, db);
}

void policy_category_keywords_item(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    int rc =
        req->method == HTTP_PUT ? auth_require_admin(req, &who) : auth_require_staff(req, &who);
    if (rc || http_req_db(req, &db))
        return;
    if (req->method == HTTP_PUT)
        keywords_put(req, &who, db);
    else
        keywords_reply(req, db);
}

/* ---- report ---------------------------------------------------------------------------------- */

static json_t *week_json(const struct policy_report_week *w)
{
    const struct policy_category *cats;
    size_t ncat = policy_categories(&cats);
    json_t *oos = json_object();
    for (size_t i = 0; i < ncat && i < sizeof w->out_of_scope / sizeof w->out_of_scope[0]; i++)
        if (w->out_of_scope[i])
            json_object_set_new(oos, cats[i].id, json_integer(w->out_of_scope[i]));
    struct civil_date d = timefmt_civil_from_days(w->start);
    char day[16];
    snprintf(day, sizeof day, "%04lld-%02d-%02d", (long long)d.year, d.month, d.day);
    return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:o}", "week_start", day, "exceptions",
                     w->exceptions, "bans", w->bans, "unbans", w->unbans, "refusals", w->refusals,
                     "restorations", w->restorations, "disclosures", w->disclosures, "out_of_scope",
                     oos);
}

void policy_report_get(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require_staff(req, &who) || http_req_db(req, &db))
        return;
    const char *v = http_req_query(req, "weeks");
    long weeks = POLICY_REPORT_WEEKS_DEFAULT;
    if (v) {
        char *end = NULL;
        weeks = strtol(v, &end, 10);
        if (!*v || *end || weeks < 1 || weeks > POLICY_REPORT_WEEKS_MAX) {
            http_reply_error(req, 400, "weeks", "weeks must be 1 to %d", POLICY_REPORT_WEEKS_MAX);
            return;
        }
    }
    struct policy_report r;
    struct err e;
    err_clear(&e);
    if (policy_report_build(req->env, db, &who.subject, (int)weeks, &req->arena, &r, &e)) {
        http_reply_err(req, &e);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < r.count; i++)
        json_array_append_new(list, week_json(&r.weeks[i]));
    http_reply_json(req, 200, json_pack("{s:{s:o}}", "policy_report", "weeks", list));
}
