/* Misuse incidents and their evidence (staff only), an account's high-risk flag and the refusal
 * of service (POLICY.md clause 12). The rules live in service/misuse.h; this file reads the
 * request and renders the answer. A lead who is not on duty is answered 403 with the error code
 * "not_on_duty", so clients can tell it from a plain lack of permission. */
#include "http/handlers.h"

#include "base/xalloc.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/download.h"
#include "http/paging.h"
#include "http/render.h"
#include "service/misuse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rendering ----------------------------------------------------------------------------- */

static json_t *render_incident(const struct misuse_incident *m)
{
    char url[64];
    snprintf(url, sizeof url, "/api/v2/misuse_incidents/%lld.json", (long long)m->id);
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer((json_int_t)m->id));
    json_object_set_new(j, "url", json_string(url));
    json_object_set_new(j, "organization_id", json_integer((json_int_t)m->organization_id));
    json_object_set_new(j, "ticket_id", render_id(m->ticket_id));
    json_object_set_new(j, "summary", json_string(m->summary));
    json_object_set_new(j, "status", json_string(m->status));
    json_object_set_new(j, "created_by", render_id(m->created_by));
    json_object_set_new(j, "evidence_count", json_integer((json_int_t)m->evidence_count));
    json_object_set_new(j, "created_at", render_time(m->created_at, 0));
    json_object_set_new(j, "updated_at", render_time(m->updated_at, 0));
    return j;
}

static json_t *opt_string(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Attachment evidence serves its files at content_url (the first file) and, for each file,
 * content_url?file_id=ID (misuse_evidence_content_get). */
static json_t *render_evidence(const struct misuse_evidence *v)
{
    char content[112], file_url[144];
    snprintf(content, sizeof content, "/api/v2/misuse_incidents/%lld/evidence/%lld/content",
             (long long)v->incident_id, (long long)v->id);
    json_t *files = json_array();
    for (size_t i = 0; i < v->n_files; i++) {
        const struct misuse_evidence_file *f = &v->files[i];
        snprintf(file_url, sizeof file_url, "%s?file_id=%lld", content, (long long)f->id);
        json_array_append_new(files, json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)f->id,
                                               "file_name", f->file_name, "content_url", file_url,
                                               "content_type", f->content_type, "size",
                                               (json_int_t)f->size));
    }
    bool attachment = !strcmp(v->kind, "attachment");
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer((json_int_t)v->id));
    json_object_set_new(j, "incident_id", json_integer((json_int_t)v->incident_id));
    json_object_set_new(j, "kind", json_string(v->kind));
    json_object_set_new(j, "body", opt_string(v->body));
    json_object_set_new(j, "url", opt_string(v->url));
    json_object_set_new(j, "content_url", opt_string(attachment ? content : NULL));
    json_object_set_new(j, "attachments", files);
    json_object_set_new(j, "created_by", render_id(v->created_by));
    json_object_set_new(j, "created_at", render_time(v->created_at, 0));
    return j;
}

static json_t *render_refusal(const struct service_refusal *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer((json_int_t)r->id));
    json_object_set_new(j, "organization_id", json_integer((json_int_t)r->organization_id));
    json_object_set_new(j, "incident_id", json_integer((json_int_t)r->incident_id));
    json_object_set_new(j, "reason", json_string(r->reason));
    json_object_set_new(j, "refused_by", json_integer((json_int_t)r->refused_by));
    json_object_set_new(j, "created_at", render_time(r->created_at, 0));
    json_object_set_new(j, "reversed_at", render_time(r->reversed_at, 1));
    json_object_set_new(j, "reversed_by", render_id(r->reversed_by));
    json_object_set_new(j, "reverse_reason",
                        r->reversed_at ? json_string(r->reverse_reason) : json_null());
    return j;
}

/* ---- requests ------------------------------------------------------------------------------ */

static int signed_in(struct http_req *req, struct misuse_actor *actor, struct db **db)
{
    struct auth_principal who;
    if (auth_require(req, &who))
        return -1;
    actor->subject = who.subject;
    actor->ip = req->client_text;
    return http_req_db(req, db);
}

static void list_incidents(struct http_req *req)
{
    struct misuse_actor actor;
    struct db *db;
    struct paging pg;
    struct misuse_incidents_filter f = {0, NULL};
    if (signed_in(req, &actor, &db) || paging_from_req(req, &pg) ||
        http_req_query_id(req, "organization_id", &f.organization_id))
        return;
    f.status = http_req_query(req, "status");
    struct misuse_incident *rows = xcalloc(pg.size + 1, sizeof *rows);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (misuse_incident_list(db, &actor, &f, pg.after, pg.size + 1, rows, &n, &e)) {
        http_reply_err(req, &e);
        free(rows);
        return;
    }
    bool more = n > pg.size;
    n = more ? pg.size : n;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, render_incident(&rows[i]));
    paging_reply_list(req, &pg, "misuse_incidents", list, more, n ? rows[n - 1].id : 0);
    free(rows);
}

/* Answer {"misuse_incident": {..., "evidence": [...]}} for incident id. */
static void reply_incident(struct http_req *req, int status, const struct misuse_actor *actor,
                           struct db *db, int64_t id)
{
    struct misuse_evidence *ev = xcalloc(MISUSE_EVIDENCE_SHOW, sizeof *ev);
    struct misuse_incident m;
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (misuse_incident_get(db, actor, id, &req->arena, &m, ev, MISUSE_EVIDENCE_SHOW, &n, &e)) {
        http_reply_err(req, &e);
    } else {
        json_t *j = render_incident(&m), *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, render_evidence(&ev[i]));
        json_object_set_new(j, "evidence", list);
        http_reply_json(req, status, json_pack("{s:o}", "misuse_incident", j));
    }
    free(ev);
}

static void create_incident(struct http_req *req)
{
    struct misuse_actor actor;
    struct db *db;
    if (signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *o = people_http_wrapped(req, "misuse_incident", &body);
    bool g;
    int64_t org = 0, ticket = 0;
    const char *summary = NULL;
    if (o &&
        !people_http_ref(req, o, "organization_id", "misuse_incident.organization_id", &g, &org) &&
        !people_http_ref(req, o, "ticket_id", "misuse_incident.ticket_id", &g, &ticket) &&
        !people_http_string(req, o, "summary", "misuse_incident.summary", &g, &summary)) {
        struct err e;
        err_clear(&e);
        struct misuse_incident m;
        if (misuse_incident_create(req->env, db, &actor, org, ticket, summary, &m, &e))
            http_reply_err(req, &e);
        else
            reply_incident(req, 201, &actor, db, m.id);
    }
    json_decref(body);
}

void misuse_incidents_collection(struct http_req *req)
{
    if (req->method == HTTP_POST)
        create_incident(req);
    else
        list_incidents(req);
}

static void update_incident(struct http_req *req, const struct misuse_actor *actor, struct db *db,
                            int64_t id)
{
    json_t *body;
    json_t *o = people_http_wrapped(req, "misuse_incident", &body);
    bool g_status, g_summary;
    const char *status = NULL, *summary = NULL;
    if (o && !people_http_string(req, o, "status", "misuse_incident.status", &g_status, &status) &&
        !people_http_string(req, o, "summary", "misuse_incident.summary", &g_summary, &summary)) {
        struct err e;
        err_clear(&e);
        struct misuse_incident m;
        if (g_status && !status)
            http_reply_error(req, 422, "misuse_incident.status", "status may not be null");
        else if (g_summary && !summary)
            http_reply_error(req, 422, "misuse_incident.summary", "summary may not be null");
        else if (misuse_incident_update(req->env, db, actor, id, status, summary, &m, &e))
            http_reply_err(req, &e);
        else
            reply_incident(req, 200, actor, db, id);
    }
    json_decref(body);
}

void misuse_incidents_item(struct http_req *req)
{
    int64_t id = people_http_id(req);
    struct misuse_actor actor;
    struct db *db;
    if (!id || signed_in(req, &actor, &db))
        return;
    if (req->method == HTTP_PUT)
        update_incident(req, &actor, db, id);
    else
        reply_incident(req, 200, &actor, db, id);
}

void misuse_evidence_post(struct http_req *req)
{
    int64_t id = people_http_id(req);
    struct misuse_actor actor;
    struct db *db;
    if (!id || signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *o = people_http_wrapped(req, "evidence", &body);
    bool g;
    struct misuse_evidence_input in = {0};
    if (o && !people_http_string(req, o, "kind", "evidence.kind", &g, &in.kind) &&
        !people_http_string(req, o, "body", "evidence.body", &g, &in.body) &&
        !people_http_string(req, o, "url", "evidence.url", &g, &in.url) &&
        !people_http_string(req, o, "upload", "evidence.upload", &g, &in.upload)) {
        struct err e;
        err_clear(&e);
        struct misuse_evidence *v = xcalloc(1, sizeof *v);
        if (misuse_evidence_add(req->env, db, &actor, id, &in, &req->arena, v, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 201, json_pack("{s:o}", "evidence", render_evidence(v)));
        free(v);
    }
    json_decref(body);
}

void misuse_evidence_content_get(struct http_req *req)
{
    int64_t id, evidence_id, file_id;
    struct misuse_actor actor;
    struct db *db;
    if (http_req_id(req, "id", &id) || http_req_id(req, "evidence_id", &evidence_id) ||
        signed_in(req, &actor, &db) || http_req_query_id(req, "file_id", &file_id))
        return;
    struct misuse_evidence_content c;
    struct err e;
    err_clear(&e);
    if (misuse_evidence_content(db, &actor, id, evidence_id, file_id, &req->arena, &c, &e))
        http_reply_err(req, &e);
    else
        download_reply(req, c.file_name, c.content_type, c.data, (size_t)c.size);
}

/* ---- accounts ------------------------------------------------------------------------------ */

/* The request's JSON object: the body itself, or what it wraps under key when it does. */
static json_t *body_object(struct http_req *req, const char *key, json_t **body)
{
    *body = NULL;
    if (http_req_json(req, body))
        return NULL;
    if (!json_is_object(*body)) {
        http_reply_error(req, 422, NULL, "expected a JSON object");
        return NULL;
    }
    json_t *inner = json_object_get(*body, key);
    return json_is_object(inner) ? inner : *body;
}

void misuse_high_risk_put(struct http_req *req)
{
    int64_t id = people_http_id(req);
    struct misuse_actor actor;
    struct db *db;
    if (!id || signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *o = body_object(req, "organization", &body);
    bool g_flag, g;
    bool flag = false;
    const char *reason = NULL;
    if (o && !people_http_boolean(req, o, "high_risk", "high_risk", &g_flag, &flag) &&
        !people_http_string(req, o, "reason", "reason", &g, &reason)) {
        struct err e;
        err_clear(&e);
        struct organization org;
        if (!g_flag)
            http_reply_error(req, 422, "high_risk", "high_risk is required");
        else if (misuse_set_high_risk(req->env, db, &actor, id, flag, reason, &org, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 200,
                            json_pack("{s:o}", "organization", organizations_render(&org, true)));
    }
    json_decref(body);
}

void misuse_refusal_post(struct http_req *req)
{
    int64_t id = people_http_id(req);
    struct misuse_actor actor;
    struct db *db;
    if (!id || signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *o = body_object(req, "service_refusal", &body);
    bool g;
    int64_t incident = 0;
    const char *reason = NULL;
    if (o &&
        !people_http_ref(req, o, "incident_id", "service_refusal.incident_id", &g, &incident) &&
        !people_http_string(req, o, "reason", "service_refusal.reason", &g, &reason)) {
        struct err e;
        err_clear(&e);
        struct service_refusal r;
        if (misuse_refuse_service(req->env, db, &actor, id, incident, reason, &r, NULL, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 201, json_pack("{s:o}", "service_refusal", render_refusal(&r)));
    }
    json_decref(body);
}

void misuse_refusal_reverse_post(struct http_req *req)
{
    int64_t id = people_http_id(req);
    struct misuse_actor actor;
    struct db *db;
    if (!id || signed_in(req, &actor, &db))
        return;
    json_t *body;
    json_t *o = body_object(req, "service_refusal", &body);
    bool g;
    const char *reason = NULL;
    if (o && !people_http_string(req, o, "reason", "reason", &g, &reason)) {
        struct err e;
        err_clear(&e);
        struct service_refusal r;
        if (misuse_restore_service(req->env, db, &actor, id, reason, &r, &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 200, json_pack("{s:o}", "service_refusal", render_refusal(&r)));
    }
    json_decref(body);
}
