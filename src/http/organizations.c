/* Zendesk's organizations API for frontdesk's client accounts, with frontdesk's own fields
 * beside Zendesk's, and the account's billing facts (admins only) at .../{id}/billing.
 *
 * Billing facts never appear in an organization's JSON: struct organization does not carry
 * them (store/organizations.h), so render_organization() cannot leak them. Members of an
 * account see its public face only (id, url, name, instants): the plan, its rate and the flags
 * are for staff, since plan and rate are billing information (policy 1.5) and the flags are
 * staff's judgement of the account. */
#include "http/handlers.h"

#include "base/xalloc.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "service/people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* New reference: the "organization" object (not wrapped); full adds frontdesk's own fields. */
static json_t *render_organization(const struct organization *o, bool full)
{
    char url[64];
    snprintf(url, sizeof url, "/api/v2/organizations/%lld.json", (long long)o->id);
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer((json_int_t)o->id));
    json_object_set_new(j, "url", json_string(url));
    json_object_set_new(j, "name", json_string(o->name));
    json_object_set_new(j, "created_at", render_time(o->created_at, 0));
    json_object_set_new(j, "updated_at", render_time(o->updated_at, 0));
    if (!full)
        return j;
    json_object_set_new(j, "plan", json_string(o->plan));
    json_object_set_new(j, "plan_rate_cents", json_integer((json_int_t)o->plan_rate_cents));
    json_object_set_new(j, "support_package_until",
                        o->support_package_until[0] ? json_string(o->support_package_until)
                                                    : json_null());
    json_object_set_new(j, "install_status", json_string(o->install_status));
    json_object_set_new(j, "delinquent", json_boolean(o->delinquent));
    json_object_set_new(j, "high_risk", json_boolean(o->high_risk));
    json_object_set_new(j, "service_refused", json_boolean(o->service_refused));
    return j;
}

json_t *organizations_render(const struct organization *o, bool full)
{
    return render_organization(o, full);
}

static int signed_in(struct http_req *req, struct people_actor *actor, struct db **db)
{
    struct auth_principal who;
    if (auth_require(req, &who))
        return -1;
    people_http_actor(req, &who, actor);
    return people_http_db(req, db);
}

static void reply_organization(struct http_req *req, int status, const struct people_actor *actor,
                               const struct organization *o)
{
    json_t *j = render_organization(o, access_is_staff(&actor->subject));
    http_reply_json(req, status, json_pack("{s:o}", "organization", j));
}

static void list_organizations(struct http_req *req)
{
    struct people_actor actor;
    struct db *db;
    struct paging pg;
    if (signed_in(req, &actor, &db) || paging_from_req(req, &pg))
        return;
    struct organization *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (people_organizations_list(db, &actor, pg.after, pg.size + 1, rows, &n, &e)) {
        http_reply_err(req, &e);
        free(rows);
        return;
    }
    bool more = n > pg.size, full = access_is_staff(&actor.subject);
    if (more)
        n = pg.size;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, render_organization(&rows[i], full));
    paging_reply_list(req, &pg, "organizations", list, more, n ? rows[n - 1].id : 0);
    free(rows);
}

/* Read the members of an {"organization": {...}} object into in. */
static int read_org_input(struct http_req *req, json_t *o, struct people_org_input *in)
{
    memset(in, 0, sizeof *in);
    bool g[8];
    if (people_http_string(req, o, "name", "organization.name", &g[0], &in->name) ||
        people_http_string(req, o, "plan", "organization.plan", &g[1], &in->plan) ||
        people_http_integer(req, o, "plan_rate_cents", "organization.plan_rate_cents", &g[2],
                            &in->plan_rate_cents) ||
        people_http_string(req, o, "support_package_until", "organization.support_package_until",
                           &g[3], &in->support_package_until) ||
        people_http_string(req, o, "install_status", "organization.install_status", &g[4],
                           &in->install_status) ||
        people_http_boolean(req, o, "delinquent", "organization.delinquent", &g[5],
                            &in->delinquent) ||
        people_http_boolean(req, o, "high_risk", "organization.high_risk", &g[6], &in->high_risk) ||
        people_http_boolean(req, o, "service_refused", "organization.service_refused", &g[7],
                            &in->service_refused))
        return -1;
    static const unsigned bits[8] = {PEOPLE_ORG_NAME,           PEOPLE_ORG_PLAN,
                                     PEOPLE_ORG_PLAN_RATE,      PEOPLE_ORG_SUPPORT_PACKAGE_UNTIL,
                                     PEOPLE_ORG_INSTALL_STATUS, PEOPLE_ORG_DELINQUENT,
                                     PEOPLE_ORG_HIGH_RISK,      PEOPLE_ORG_SERVICE_REFUSED};
    for (int i = 0; i < 8; i++)
        in->given |= g[i] ? bits[i] : 0;
    return 0;
}

/* POST (id 0) or PUT /organizations/{id}. */
static void write_organization(struct http_req *req, int64_t id)
{
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *o = people_http_wrapped(req, "organization", &body);
    struct people_org_input in;
    if (o && !read_org_input(req, o, &in)) {
        struct err e;
        err_clear(&e);
        struct organization out;
        int rc = id ? people_organization_update(req->env, db, &actor, id, &in, &out, &e)
                    : people_organization_create(req->env, db, &actor, &in, &out, &e);
        if (rc)
            http_reply_err(req, &e);
        else
            reply_organization(req, id ? 200 : 201, &actor, &out);
    }
    json_decref(body);
}

void organizations_collection(struct http_req *req)
{
    if (req->method == HTTP_POST)
        write_organization(req, 0);
    else
        list_organizations(req);
}

void organizations_item(struct http_req *req)
{
    int64_t id = people_http_id(req);
    if (!id)
        return;
    if (req->method == HTTP_PUT) {
        write_organization(req, id);
        return;
    }
    struct people_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    struct err e;
    err_clear(&e);
    struct organization o;
    if (people_organization_get(db, &actor, id, &o, &e))
        http_reply_err(req, &e);
    else
        reply_organization(req, 200, &actor, &o);
}

/* GET: {"billing": {...}} as stored. */
static void show_billing(struct http_req *req, const struct people_actor *actor, struct db *db,
                         int64_t id)
{
    struct err e;
    err_clear(&e);
    struct buf text;
    buf_init(&text, ORGANIZATION_BILLING_MAX + 1);
    if (people_billing_get(db, actor, id, &text, &e)) {
        http_reply_err(req, &e);
    } else {
        json_t *facts = json_loadb(buf_cstr(&text), text.len, 0, NULL);
        if (json_is_object(facts)) {
            http_reply_json(req, 200, json_pack("{s:o}", "billing", facts));
        } else {
            json_decref(facts);
            err_set(&e, ERR_INTERNAL, NULL, "stored billing facts are not a JSON object");
            err_detail(&e, "organization %lld", (long long)id);
            http_reply_err(req, &e);
        }
    }
    buf_release(&text);
}

/* PUT {"billing": {...any JSON object...}}: replaces the facts; answers them back. */
static void import_billing(struct http_req *req, const struct people_actor *actor, struct db *db,
                           int64_t id)
{
    json_t *body;
    json_t *facts = people_http_wrapped(req, "billing", &body);
    if (facts) {
        char *text = json_dumps(facts, JSON_COMPACT | JSON_PRESERVE_ORDER);
        struct err e;
        err_clear(&e);
        if (!text) {
            err_set(&e, ERR_INTERNAL, NULL, "could not serialise the billing facts");
            http_reply_err(req, &e);
        } else if (people_billing_set(req->env, db, actor, id, text, strlen(text), &e)) {
            http_reply_err(req, &e);
        } else {
            http_reply_json(req, 200, json_pack("{s:O}", "billing", facts));
        }
        free(text);
    }
    json_decref(body);
}

void organizations_billing(struct http_req *req)
{
    int64_t id = people_http_id(req);
    struct people_actor actor;
    struct db *db;
    if (!id || signed_in(req, &actor, &db))
        return;
    if (req->method == HTTP_PUT)
        import_billing(req, &actor, db, id);
    else
        show_billing(req, &actor, db, id);
}
