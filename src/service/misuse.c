#include "service/misuse.h"
#include "service/ticket_policy.h"

#include "base/buf.h"
#include "base/xalloc.h"
#include "service/roster.h"
#include "service/ticket_sla.h"
#include "store/audit.h"
#include "store/outbox.h"
#include "store/tickets.h"
#include "store/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CLOSE_BATCH 100 /* tickets read per query while closing an account's tickets */

/* Clause 12, in the polite register of clause 1.2. */
static const char refusal_notice[] =
    "We are sorry to tell you that support for this account has been withdrawn. Under our support "
    "policy (clause 12) we refuse service to accounts used for phishing, spam, scams or other "
    "illegal or fraudulent activity when we hold sufficient evidence of it, and a support lead has "
    "reviewed that evidence for this account. This request is now closed and new requests from "
    "this "
    "account will not be answered. If you believe this decision is a mistake, please reply and a "
    "support lead will review it.";

const char *misuse_refusal_notice_text(void)
{
    return refusal_notice;
}

/* ---- checks -------------------------------------------------------------------------------- */

static int forbidden(const char *what, struct err *e)
{
    return err_set(e, ERR_FORBIDDEN, NULL, "only %s may do this", what);
}

static int staff_only(const struct misuse_actor *actor, struct err *e)
{
    return access_is_staff(&actor->subject) ? 0 : forbidden("staff", e);
}

/* Characters of valid UTF-8 text. */
static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* s trimmed is 1..max characters of UTF-8 (required) or, when !required, absent or empty. On
 * success *out is a copy of the trimmed text from a (NULL when absent or empty). */
static int check_text(const char *s, size_t max, bool required, const char *field, struct arena *a,
                      const char **out, struct err *e)
{
    struct slice t = slice_trim(slice_from_cstr(s ? s : ""));
    if (!t.len) {
        if (required)
            return err_set(e, ERR_INVALID, field, "%s is required", field);
        *out = NULL;
        return 0;
    }
    if (!utf8_valid(t.ptr, t.len))
        return err_set(e, ERR_INVALID, field, "%s is not valid UTF-8", field);
    if (utf8_chars(t.ptr, t.len) > max)
        return err_set(e, ERR_INVALID, field, "%s is longer than %zu characters", field, max);
    char *p = arena_strndup(a, t.ptr, t.len);
    if (!p)
        return err_set(e, ERR_LIMIT, field, "%s does not fit in request memory", field);
    *out = p;
    return 0;
}

/* An absolute http or https URL with a host, no whitespace or control characters. */
static bool url_valid(const char *s)
{
    size_t len = strlen(s), skip;
    if (len > MISUSE_URL_MAX)
        return false;
    if (!strncasecmp(s, "http://", 7))
        skip = 7;
    else if (!strncasecmp(s, "https://", 8))
        skip = 8;
    else
        return false;
    if (len == skip || s[skip] == '/' || s[skip] == '?' || s[skip] == '#')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7F)
            return false;
    }
    return utf8_valid(s, len);
}

/* ---- audit --------------------------------------------------------------------------------- */

static int audit(struct db *db, int64_t actor_id, const char *ip, int64_t now, const char *action,
                 const char *target_type, int64_t target_id, const char *detail, struct err *e)
{
    struct audit_entry a = {.at = now,
                            .actor_id = actor_id,
                            .action = action,
                            .target_type = target_type,
                            .target_id = target_id,
                            .ip = ip,
                            .detail = detail};
    return audit_append(db, &a, e);
}

/* {"reason": reason} (null when NULL) and, when incident_id, "incident_id"; for tickets >= 0
 * also "tickets_closed". Into d, capped. */
static void reason_detail(struct buf *d, const char *reason, int64_t incident_id, int64_t tickets)
{
    buf_append_cstr(d, "{\"reason\":");
    if (reason)
        buf_append_json_str(d, reason, strlen(reason));
    else
        buf_append_cstr(d, "null");
    if (incident_id) {
        buf_append_cstr(d, ",\"incident_id\":");
        buf_append_int64(d, incident_id);
    }
    if (tickets >= 0) {
        buf_append_cstr(d, ",\"tickets_closed\":");
        buf_append_int64(d, tickets);
    }
    buf_append_char(d, '}');
}

/* ---- incidents ----------------------------------------------------------------------------- */

/* ticket_id (when not 0) is a ticket of org_id. */
static int check_ticket(struct db *db, int64_t org_id, int64_t ticket_id, struct err *e)
{
    if (!ticket_id)
        return 0;
    struct arena a;
    arena_init(&a, 1 << 20);
    struct ticket t;
    int rc = tickets_get(db, ticket_id, true, &a, &t, e);
    arena_release(&a);
    if (rc == ERR_NOT_FOUND || (!rc && t.organization_id != org_id))
        return err_set(e, ERR_INVALID, "misuse_incident.ticket_id",
                       "misuse_incident.ticket_id must be a ticket of the organization");
    return rc;
}

static int open_incident(struct db *db, int64_t org_id, int64_t ticket_id, int64_t actor_id,
                         const char *ip, const char *summary, int64_t now,
                         struct misuse_incident *out, struct err *e)
{
    struct arena a;
    arena_init(&a, 0);
    const char *text = NULL;
    int rc = check_text(summary, MISUSE_SUMMARY_MAX, true, "misuse_incident.summary", &a, &text, e);
    struct organization o;
    if (!rc) {
        rc = organizations_get(db, org_id, &o, e);
        if (rc == ERR_NOT_FOUND || (!rc && !org_id))
            rc = err_set(e, ERR_INVALID, "misuse_incident.organization_id",
                         "misuse_incident.organization_id must name an organization");
    }
    rc = rc ? rc : check_ticket(db, org_id, ticket_id, e);
    rc = rc ? rc : misuse_incidents_insert(db, org_id, ticket_id, actor_id, text, now, out, e);
    if (!rc) {
        char detail[96];
        snprintf(detail, sizeof detail, "{\"organization_id\":%lld,\"ticket_id\":%lld}",
                 (long long)org_id, (long long)ticket_id);
        if (!ticket_id)
            snprintf(detail, sizeof detail, "{\"organization_id\":%lld,\"ticket_id\":null}",
                     (long long)org_id);
        rc = audit(db, actor_id, ip, now, "misuse.incident_opened", "misuse_incident", out->id,
                   detail, e);
    }
    arena_release(&a);
    return rc;
}

int misuse_open_incident(struct db *db, int64_t org_id, int64_t ticket_id, int64_t actor_id,
                         const char *summary, int64_t now, int64_t *id, struct err *e)
{
    struct misuse_incident out;
    int rc = open_incident(db, org_id, ticket_id, actor_id, NULL, summary, now, &out, e);
    if (!rc)
        *id = out.id;
    return rc;
}

struct list_ctx {
    const struct misuse_incidents_filter *f;
    int64_t after;
    unsigned limit;
    struct misuse_incident *out;
    size_t *n;
};

static int list_tx(struct db *db, void *arg, struct err *e)
{
    struct list_ctx *c = arg;
    return misuse_incidents_list(db, c->f, c->after, c->limit, c->out, c->n, e);
}

int misuse_incident_list(struct db *db, const struct misuse_actor *actor,
                         const struct misuse_incidents_filter *f, int64_t after, unsigned limit,
                         struct misuse_incident *out, size_t *n, struct err *e)
{
    if (staff_only(actor, e))
        return ERR_FORBIDDEN;
    if (f->status && strcmp(f->status, "open") && strcmp(f->status, "closed"))
        return err_set(e, ERR_INVALID, "status", "status must be \"open\" or \"closed\"");
    struct list_ctx c = {f, after, limit, out, n};
    return db_transact(db, DB_TX_READ, list_tx, &c, e);
}

struct create_ctx {
    const struct env *env;
    const struct misuse_actor *actor;
    int64_t org_id, ticket_id;
    const char *summary;
    struct misuse_incident *out;
};

static int create_tx(struct db *db, void *arg, struct err *e)
{
    struct create_ctx *c = arg;
    return open_incident(db, c->org_id, c->ticket_id, c->actor->subject.user_id, c->actor->ip,
                         c->summary, c->env->now(c->env), c->out, e);
}

int misuse_incident_create(const struct env *env, struct db *db, const struct misuse_actor *actor,
                           int64_t organization_id, int64_t ticket_id, const char *summary,
                           struct misuse_incident *out, struct err *e)
{
    if (staff_only(actor, e))
        return ERR_FORBIDDEN;
    if (!organization_id)
        return err_set(e, ERR_INVALID, "misuse_incident.organization_id",
                       "misuse_incident.organization_id is required");
    struct create_ctx c = {env, actor, organization_id, ticket_id, summary, out};
    return db_transact(db, DB_TX_WRITE, create_tx, &c, e);
}

struct get_ctx {
    int64_t id;
    struct arena *a;
    struct misuse_incident *out;
    struct misuse_evidence *ev;
    size_t cap, *n_ev;
};

static int get_tx(struct db *db, void *arg, struct err *e)
{
    struct get_ctx *c = arg;
    int rc = misuse_incidents_get(db, c->id, c->out, e);
    *c->n_ev = 0;
    if (rc || !c->cap)
        return rc;
    return misuse_evidence_list(db, c->id, c->a, c->ev, c->cap, c->n_ev, e);
}

int misuse_incident_get(struct db *db, const struct misuse_actor *actor, int64_t id,
                        struct arena *a, struct misuse_incident *out, struct misuse_evidence *ev,
                        size_t cap, size_t *n_ev, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_NOT_FOUND, "id", "misuse incident %lld not found", (long long)id);
    struct get_ctx c = {id, a, out, ev, cap, n_ev};
    return db_transact(db, DB_TX_READ, get_tx, &c, e);
}

struct update_ctx {
    const struct env *env;
    const struct misuse_actor *actor;
    int64_t id;
    const char *status, *summary;
    struct misuse_incident *out;
};

static int update_tx(struct db *db, void *arg, struct err *e)
{
    struct update_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc = misuse_incidents_get(db, c->id, c->out, e);
    if (rc)
        return rc;
    char old_status[sizeof c->out->status];
    snprintf(old_status, sizeof old_status, "%s", c->out->status);
    if (c->status)
        snprintf(c->out->status, sizeof c->out->status, "%s", c->status);
    if (c->summary)
        snprintf(c->out->summary, sizeof c->out->summary, "%s", c->summary);
    rc = misuse_incidents_save(db, c->out, now, e);
    if (rc)
        return rc;
    char detail[128];
    snprintf(detail, sizeof detail, "{\"old_status\":\"%s\",\"status\":\"%s\",\"summary\":%s}",
             old_status, c->out->status, c->summary ? "true" : "false");
    return audit(db, c->actor->subject.user_id, c->actor->ip, now, "misuse.incident_updated",
                 "misuse_incident", c->id, detail, e);
}

int misuse_incident_update(const struct env *env, struct db *db, const struct misuse_actor *actor,
                           int64_t id, const char *status, const char *summary,
                           struct misuse_incident *out, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_NOT_FOUND, "id", "misuse incident %lld not found", (long long)id);
    if (status && strcmp(status, "open") && strcmp(status, "closed"))
        return err_set(e, ERR_INVALID, "misuse_incident.status",
                       "misuse_incident.status must be \"open\" or \"closed\"");
    struct arena a;
    arena_init(&a, 0);
    const char *text = NULL;
    int rc = summary ? check_text(summary, MISUSE_SUMMARY_MAX, true, "misuse_incident.summary", &a,
                                  &text, e)
                     : 0;
    if (!rc) {
        struct update_ctx c = {env, actor, id, status, text, out};
        rc = db_transact(db, DB_TX_WRITE, update_tx, &c, e);
    }
    arena_release(&a);
    return rc;
}

/* ---- evidence ------------------------------------------------------------------------------ */

struct evidence_ctx {
    const struct env *env;
    const struct misuse_actor *actor;
    int64_t incident_id;
    struct misuse_evidence_input in; /* checked */
    struct arena *a;
    struct misuse_evidence *out;
};

static int evidence_tx(struct db *db, void *arg, struct err *e)
{
    struct evidence_ctx *c = arg;
    int64_t now = c->env->now(c->env), by = c->actor->subject.user_id;
    struct misuse_incident inc;
    int rc = misuse_incidents_get(db, c->incident_id, &inc, e);
    if (rc)
        return rc;
    if (!strcmp(c->in.kind, "attachment"))
        rc = misuse_evidence_claim(db, c->incident_id, c->in.upload, c->in.body, by, now, c->a,
                                   c->out, e);
    else
        rc = misuse_evidence_insert(db, c->incident_id, &c->in, by, now, c->a, c->out, e);
    if (rc)
        return rc;
    char detail[128];
    snprintf(detail, sizeof detail,
             "{\"evidence_id\":%lld,\"kind\":\"%s\",\"organization_id\":%lld}",
             (long long)c->out->id, c->out->kind, (long long)inc.organization_id);
    return audit(db, by, c->actor->ip, now, "misuse.evidence_added", "misuse_incident",
                 c->incident_id, detail, e);
}

static int check_evidence(const struct misuse_evidence_input *in, struct arena *a,
                          struct misuse_evidence_input *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!in->kind ||
        (strcmp(in->kind, "note") && strcmp(in->kind, "link") && strcmp(in->kind, "attachment")))
        return err_set(e, ERR_INVALID, "evidence.kind",
                       "evidence.kind must be \"note\", \"link\" or \"attachment\"");
    out->kind = in->kind;
    bool note = !strcmp(in->kind, "note");
    int rc = check_text(in->body, MISUSE_BODY_MAX, note, "evidence.body", a, &out->body, e);
    if (rc)
        return rc;
    if (!strcmp(in->kind, "link")) {
        if (!in->url || !url_valid(in->url))
            return err_set(e, ERR_INVALID, "evidence.url",
                           "evidence.url must be an http or https URL");
        out->url = in->url;
    } else if (in->url) {
        return err_set(e, ERR_INVALID, "evidence.url", "evidence.url is only for a link");
    }
    if (!strcmp(in->kind, "attachment")) {
        if (!in->upload || !*in->upload)
            return err_set(e, ERR_INVALID, "evidence.upload",
                           "evidence.upload is required for an attachment");
        out->upload = in->upload;
    } else if (in->upload) {
        return err_set(e, ERR_INVALID, "evidence.upload",
                       "evidence.upload is only for an attachment");
    }
    return 0;
}

int misuse_evidence_add(const struct env *env, struct db *db, const struct misuse_actor *actor,
                        int64_t incident_id, const struct misuse_evidence_input *in,
                        struct arena *a, struct misuse_evidence *out, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_NOT_FOUND, "id", "misuse incident %lld not found",
                       (long long)incident_id);
    struct evidence_ctx c = {
        .env = env, .actor = actor, .incident_id = incident_id, .a = a, .out = out};
    int rc = check_evidence(in, a, &c.in, e);
    return rc ? rc : db_transact(db, DB_TX_WRITE, evidence_tx, &c, e);
}

struct content_ctx {
    int64_t incident_id, evidence_id, file_id;
    struct arena *a;
    struct misuse_evidence_content *out;
};

static int content_tx(struct db *db, void *arg, struct err *e)
{
    struct content_ctx *c = arg;
    return misuse_evidence_files_get(db, c->incident_id, c->evidence_id, c->file_id, c->a, c->out,
                                     e);
}

int misuse_evidence_content(struct db *db, const struct misuse_actor *actor, int64_t incident_id,
                            int64_t evidence_id, int64_t file_id, struct arena *a,
                            struct misuse_evidence_content *out, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_NOT_FOUND, "id", "misuse incident %lld not found",
                       (long long)incident_id);
    struct content_ctx c = {incident_id, evidence_id, file_id, a, out};
    return db_transact(db, DB_TX_READ, content_tx, &c, e);
}

/* ---- high risk ----------------------------------------------------------------------------- */

struct high_risk_ctx {
    const struct env *env;
    const struct misuse_actor *actor;
    int64_t org_id;
    bool high_risk;
    const char *reason;
    struct organization *out;
};

static int high_risk_tx(struct db *db, void *arg, struct err *e)
{
    struct high_risk_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc = organizations_lock(db, c->org_id, e);
    rc = rc ? rc : organizations_get(db, c->org_id, c->out, e);
    if (rc || c->out->high_risk == c->high_risk)
        return rc;
    c->out->high_risk = c->high_risk;
    rc = organizations_save(db, c->out, now, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 8192);
    reason_detail(&d, c->reason, 0, -1);
    rc = audit(db, c->actor->subject.user_id, c->actor->ip, now,
               c->high_risk ? "account.high_risk_set" : "account.high_risk_cleared", "organization",
               c->org_id, buf_cstr(&d), e);
    buf_release(&d);
    /* Its open tickets carry the flag (and, newly high-risk, go to the lead on duty). */
    return rc ? rc
              : ticket_policy_refresh_organization(c->env, db, c->org_id, now, c->high_risk, e);
}

int misuse_set_high_risk(const struct env *env, struct db *db, const struct misuse_actor *actor,
                         int64_t org_id, bool high_risk, const char *reason,
                         struct organization *out, struct err *e)
{
    if (!access_is_lead_or_admin(&actor->subject))
        return forbidden("a support lead or an admin", e);
    struct arena a;
    arena_init(&a, 0);
    const char *text = NULL;
    int rc = check_text(reason, MISUSE_REASON_MAX, high_risk, "reason", &a, &text, e);
    if (!rc) {
        struct high_risk_ctx c = {env, actor, org_id, high_risk, text, out};
        rc = db_transact(db, DB_TX_WRITE, high_risk_tx, &c, e);
    }
    arena_release(&a);
    return rc;
}

/* ---- refusal of service -------------------------------------------------------------------- */

/* May the actor refuse or restore service at now? Admins always; a lead only while on duty. */
static int check_on_duty(const struct env *env, struct db *db, const struct misuse_actor *actor,
                         int64_t now, struct err *e)
{
    if (access_is_admin(&actor->subject))
        return 0;
    if (!access_is_lead_or_admin(&actor->subject))
        return forbidden("the support lead on duty or an admin", e);
    int64_t on_duty = 0;
    int rc = roster_lead_on_duty(env, db, now, &on_duty, e);
    if (rc)
        return rc;
    if (on_duty != actor->subject.user_id)
        return err_reason(e, err_set(e, ERR_FORBIDDEN, NULL,
                       "only the support lead on duty or an admin may refuse or restore service"), "not_on_duty");
    return 0;
}

/* The requesters told so far, each with the tickets closed for them. */
struct notified {
    int64_t requester_id;
    int64_t first_ticket;
    struct buf tickets; /* "#1, #2" */
};

struct refuse_ctx {
    const struct env *env;
    const struct misuse_actor *actor;
    int64_t org_id, incident_id;
    const char *reason;
    struct service_refusal *out;
    struct err reason_err; /* the reason's check, answered after the permission's */
    size_t closed;
    struct notified *who;
    size_t n_who;
};

static struct notified *notified_for(struct refuse_ctx *c, int64_t requester_id)
{
    for (size_t i = 0; i < c->n_who; i++)
        if (c->who[i].requester_id == requester_id)
            return &c->who[i];
    c->who = xrealloc(c->who, (c->n_who + 1) * sizeof *c->who);
    struct notified *w = &c->who[c->n_who++];
    w->requester_id = requester_id;
    w->first_ticket = 0;
    buf_init(&w->tickets, 64 * 1024);
    return w;
}

/* Close ticket id with a public comment carrying the notice, as the actor. */
static int close_ticket(struct db *db, struct refuse_ctx *c, int64_t id, int64_t now, struct err *e)
{
    int64_t actor = c->actor->subject.user_id, cid = 0;
    struct arena a;
    arena_init(&a, 1 << 20);
    struct ticket t;
    int rc = tickets_lock(db, id, e);
    rc = rc ? rc : tickets_get(db, id, true, &a, &t, e);
    rc = rc ? rc : tickets_comment_insert(db, id, actor, refusal_notice, true, "api", now, &cid, e);
    if (rc) {
        arena_release(&a);
        return rc;
    }
    char old_status[TICKET_ENUM_MAX], cid_text[24];
    snprintf(old_status, sizeof old_status, "%s", t.status);
    snprintf(cid_text, sizeof cid_text, "%lld", (long long)cid);
    snprintf(t.status, sizeof t.status, "closed");
    t.updated_at = now;
    struct ticket_event ev[2] = {
        {id, actor, now, "comment", NULL, cid_text},
        {id, actor, now, "status", old_status, "closed"},
    };
    rc = tickets_save(db, &t, e);
    rc = rc ? rc : tickets_events_insert(db, ev, 2, e);
    rc = rc ? rc : ticket_sla_refresh(c->env, db, id, now, false, e);
    if (!rc && t.requester_id) {
        struct notified *w = notified_for(c, t.requester_id);
        if (!w->first_ticket)
            w->first_ticket = id;
        else
            buf_append_cstr(&w->tickets, ", ");
        buf_appendf(&w->tickets, "#%lld", (long long)id);
    }
    c->closed += !rc;
    arena_release(&a);
    return rc;
}

/* One "refusal_notice" per requester whose tickets were closed. */
static int queue_notices(struct db *db, struct refuse_ctx *c, int64_t now, struct err *e)
{
    int rc = 0;
    for (size_t i = 0; i < c->n_who && !rc; i++) {
        struct user u;
        rc = users_get(db, c->who[i].requester_id, &u, e);
        if (rc)
            break;
        struct buf body;
        buf_init(&body, 128 * 1024);
        buf_appendf(&body, "Hello %s,\n\n%s\n\nRequests closed: %s\n", u.name, refusal_notice,
                    buf_cstr(&c->who[i].tickets));
        struct outbox_new m = {.kind = "refusal_notice",
                               .to_address = u.email,
                               .subject = "Support for your account has been withdrawn",
                               .body = buf_cstr(&body),
                               .ticket_id = c->who[i].first_ticket};
        rc = outbox_insert(db, &m, now, NULL, e);
        buf_release(&body);
    }
    return rc;
}

static int close_all(struct db *db, struct refuse_ctx *c, int64_t now, struct err *e)
{
    int64_t ids[CLOSE_BATCH], after = 0;
    size_t n;
    do {
        int rc = misuse_open_ticket_ids(db, c->org_id, after, CLOSE_BATCH, ids, &n, e);
        for (size_t i = 0; i < n && !rc; i++)
            rc = close_ticket(db, c, ids[i], now, e);
        if (rc)
            return rc;
        after = n ? ids[n - 1] : after;
    } while (n == CLOSE_BATCH);
    return queue_notices(db, c, now, e);
}

static int refuse_tx(struct db *db, void *arg, struct err *e)
{
    struct refuse_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    for (size_t i = 0; i < c->n_who; i++) /* a retried transaction starts afresh */
        buf_release(&c->who[i].tickets);
    c->n_who = 0;
    c->closed = 0;
    int rc = check_on_duty(c->env, db, c->actor, now, e);
    struct organization o;
    rc = rc ? rc : organizations_lock(db, c->org_id, e);
    rc = rc ? rc : organizations_get(db, c->org_id, &o, e);
    if (rc)
        return rc;
    if (c->reason_err.code) {
        if (e)
            *e = c->reason_err;
        return c->reason_err.code;
    }
    struct misuse_incident inc;
    rc = c->incident_id ? misuse_incidents_get(db, c->incident_id, &inc, e) : ERR_NOT_FOUND;
    if (rc && rc != ERR_NOT_FOUND)
        return rc;
    if (rc || inc.organization_id != c->org_id || inc.evidence_count < 1)
        return err_set(e, ERR_INVALID, "service_refusal.evidence",
                       "service_refusal.incident_id must name a misuse incident of this account "
                       "holding at least one piece of evidence");
    struct service_refusal standing;
    rc = service_refusals_standing(db, c->org_id, &standing, e);
    if (rc != ERR_NOT_FOUND)
        return rc ? rc
                  : err_set(e, ERR_CONFLICT, NULL, "service to this account is already refused");
    err_clear(e);
    o.service_refused = true;
    rc = organizations_save(db, &o, now, e);
    rc = rc ? rc
            : service_refusals_insert(db, c->org_id, c->incident_id, c->reason,
                                      c->actor->subject.user_id, now, c->out, e);
    rc = rc ? rc : close_all(db, c, now, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 8192);
    reason_detail(&d, c->reason, c->incident_id, (int64_t)c->closed);
    rc = audit(db, c->actor->subject.user_id, c->actor->ip, now, "service.refused", "organization",
               c->org_id, buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

int misuse_refuse_service(const struct env *env, struct db *db, const struct misuse_actor *actor,
                          int64_t org_id, int64_t incident_id, const char *reason,
                          struct service_refusal *out, size_t *closed, struct err *e)
{
    if (!access_is_lead_or_admin(&actor->subject))
        return forbidden("the support lead on duty or an admin", e);
    struct arena a;
    arena_init(&a, 0);
    struct refuse_ctx c = {
        .env = env, .actor = actor, .org_id = org_id, .incident_id = incident_id, .out = out};
    err_clear(&c.reason_err);
    check_text(reason, MISUSE_REASON_MAX, true, "service_refusal.reason", &a, &c.reason,
               &c.reason_err);
    int rc = db_transact(db, DB_TX_WRITE, refuse_tx, &c, e);
    if (!rc && closed)
        *closed = c.closed;
    for (size_t i = 0; i < c.n_who; i++)
        buf_release(&c.who[i].tickets);
    free(c.who);
    arena_release(&a);
    return rc;
}

struct restore_ctx {
    const struct env *env;
    const struct misuse_actor *actor;
    int64_t org_id;
    const char *reason;
    struct service_refusal *out;
    struct err reason_err; /* the reason's check, answered after the permission's */
};

static int restore_tx(struct db *db, void *arg, struct err *e)
{
    struct restore_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc = check_on_duty(c->env, db, c->actor, now, e);
    struct organization o;
    rc = rc ? rc : organizations_lock(db, c->org_id, e);
    rc = rc ? rc : organizations_get(db, c->org_id, &o, e);
    if (rc)
        return rc;
    if (c->reason_err.code) {
        if (e)
            *e = c->reason_err;
        return c->reason_err.code;
    }
    struct service_refusal standing;
    rc = service_refusals_standing(db, c->org_id, &standing, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_CONFLICT, NULL, "service to this account is not refused");
    rc = rc ? rc
            : service_refusals_reverse(db, standing.id, c->actor->subject.user_id, c->reason, now,
                                       c->out, e);
    o.service_refused = false;
    rc = rc ? rc : organizations_save(db, &o, now, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 8192);
    reason_detail(&d, c->reason, 0, -1);
    rc = audit(db, c->actor->subject.user_id, c->actor->ip, now, "service.restored", "organization",
               c->org_id, buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

int misuse_restore_service(const struct env *env, struct db *db, const struct misuse_actor *actor,
                           int64_t org_id, const char *reason, struct service_refusal *out,
                           struct err *e)
{
    if (!access_is_lead_or_admin(&actor->subject))
        return forbidden("the support lead on duty or an admin", e);
    struct arena a;
    arena_init(&a, 0);
    struct restore_ctx c = {env, actor, org_id, NULL, out, {0}};
    err_clear(&c.reason_err);
    check_text(reason, MISUSE_REASON_MAX, true, "reason", &a, &c.reason, &c.reason_err);
    int rc = db_transact(db, DB_TX_WRITE, restore_tx, &c, e);
    arena_release(&a);
    return rc;
}
