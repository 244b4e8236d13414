/* identity: the requester's identity before billing (policy clauses 1.5 and 3;
 * service/identity.h). Frontdesk's own routes under a ticket:
 *   POST /api/v2/tickets/{id}/identity/challenge  send a code to the account's owners and
 *                                                 billing contacts (staff or the requester)
 *   POST /api/v2/tickets/{id}/identity/verify     {"code": "123456"} (staff or the requester)
 *   GET  /api/v2/tickets/{id}/identity            the status (staff or the requester)
 *   GET  /api/v2/tickets/{id}/billing             the account's billing facts (staff, once the
 *                                                 requester is verified; audited)
 * The code itself is never part of an answer: it travels by mail only.
 */
#include "http/handlers.h"

#include "http/auth.h"
#include "http/errors.h"
#include "http/render.h"
#include "service/identity.h"

#include <string.h>

/* The caller (signed in, any role), their actor and the ticket id; nonzero once answered. */
static int begin(struct http_req *req, bool staff_only, struct identity_actor *actor, int64_t *id,
                 struct db **db)
{
    struct auth_principal who;
    if ((staff_only ? auth_require_staff(req, &who) : auth_require(req, &who)) ||
        http_req_id(req, "id", id) || http_req_db(req, db))
        return -1;
    actor->subject = who.subject;
    actor->ip = req->client_text;
    return 0;
}

static json_t *render_status(const struct identity_status *s)
{
    json_t *challenge = json_null();
    if (s->has_challenge)
        challenge =
            json_pack("{s:o, s:I, s:b}", "expires_at", render_time(s->challenge_expires_at, 0),
                      "attempts_left", (json_int_t)s->attempts_left, "locked", s->locked);
    return json_pack("{s:b, s:o, s:o, s:o}", "verified", s->verified, "method",
                     s->verified ? json_string(s->method) : json_null(), "verified_until",
                     render_time(s->verified ? s->verified_until : 0, 1), "challenge", challenge);
}

static void reply_status(struct http_req *req, const struct identity_status *s)
{
    http_reply_json(req, 200, json_pack("{s:o}", "identity", render_status(s)));
}

void identity_challenge_post(struct http_req *req)
{
    struct identity_actor actor;
    int64_t id;
    struct db *db;
    if (begin(req, false, &actor, &id, &db))
        return;
    struct identity_challenge_sent sent;
    struct err e;
    err_clear(&e);
    if (identity_challenge(req->env, db, &actor, id, &sent, &e)) {
        http_reply_err(req, &e);
        return;
    }
    json_t *to = json_array();
    for (size_t i = 0; i < sent.count; i++)
        json_array_append_new(to, json_string(sent.sent_to[i]));
    http_reply_json(req, 201,
                    json_pack("{s:{s:I, s:I, s:o, s:o, s:I}}", "identity_challenge", "id",
                              (json_int_t)sent.id, "ticket_id", (json_int_t)sent.ticket_id,
                              "sent_to", to, "expires_at", render_time(sent.expires_at, 0),
                              "attempts_left", (json_int_t)sent.attempts_left));
}

/* 422 naming "code", with how many tries are left beside the usual error members. */
static void reply_wrong_code(struct http_req *req, const struct err *e, int64_t attempts_left)
{
    http_reply_json(req, 422,
                    json_pack("{s:{s:s, s:s, s:s, s:{s:I}}}", "error", "code", "invalid", "message",
                              e->message, "field", "code", "details", "attempts_left",
                              (json_int_t)attempts_left));
}

void identity_verify_post(struct http_req *req)
{
    struct identity_actor actor;
    int64_t id;
    struct db *db;
    json_t *body;
    if (begin(req, false, &actor, &id, &db) || http_req_json(req, &body))
        return;
    json_t *code = json_is_object(body) ? json_object_get(body, "code") : NULL;
    if (!json_is_string(code)) {
        http_reply_error(req, 422, "code", "code is required: the 6 digits that were mailed");
        json_decref(body);
        return;
    }
    struct identity_status status;
    int64_t left = -1;
    struct err e;
    err_clear(&e);
    if (identity_verify(req->env, db, &actor, id, json_string_value(code), json_string_length(code),
                        &status, &left, &e)) {
        if (e.code == ERR_INVALID && strcmp(e.field, "code") == 0 && left >= 0)
            reply_wrong_code(req, &e, left);
        else
            http_reply_err(req, &e);
    } else {
        reply_status(req, &status);
    }
    json_decref(body);
}

void identity_get(struct http_req *req)
{
    struct identity_actor actor;
    int64_t id;
    struct db *db;
    if (begin(req, false, &actor, &id, &db))
        return;
    struct identity_status status;
    struct err e;
    err_clear(&e);
    if (identity_status_show(req->env, db, &actor, id, &status, &e))
        http_reply_err(req, &e);
    else
        reply_status(req, &status);
}

void ticket_billing_get(struct http_req *req)
{
    struct identity_actor actor;
    int64_t id;
    struct db *db;
    if (begin(req, true, &actor, &id, &db))
        return;
    struct organization o;
    struct buf facts;
    buf_init(&facts, ORGANIZATION_BILLING_MAX + 1);
    struct err e;
    err_clear(&e);
    if (identity_billing_disclose(req->env, db, &actor, id, &o, &facts, &e)) {
        http_reply_err(req, &e);
        buf_release(&facts);
        return;
    }
    json_t *f = json_loadb(buf_cstr(&facts), facts.len, 0, NULL);
    buf_release(&facts);
    if (!json_is_object(f)) {
        json_decref(f);
        err_set(&e, ERR_INTERNAL, NULL, "stored billing facts are not a JSON object");
        http_reply_err(req, &e);
        return;
    }
    json_t *billing =
        json_pack("{s:I, s:s, s:s, s:I, s:o, s:b, s:o}", "organization_id", (json_int_t)o.id,
                  "organization_name", o.name, "plan", o.plan, "plan_rate_cents",
                  (json_int_t)o.plan_rate_cents, "support_package_until",
                  o.support_package_until[0] ? json_string(o.support_package_until) : json_null(),
                  "delinquent", o.delinquent, "facts", f);
    http_reply_json(req, 200, json_pack("{s:o}", "billing", billing));
}
