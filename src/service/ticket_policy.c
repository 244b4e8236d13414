#include "service/ticket_policy.h"

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "service/calendar_cache.h"
#include "service/roster.h"
#include "service/ticket_sla.h"
#include "store/audit.h"
#include "store/organizations.h"
#include "store/policy_exceptions.h"
#include "store/ticket_housekeeping.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ticket_policy_fact_name(enum priority_fact f)
{
    return f == PRIORITY_FACT_YES ? "yes" : f == PRIORITY_FACT_NO ? "no" : NULL;
}

/* 'YYYY-MM-DD' (checked when stored) as days since 1970-01-01. */
static bool parse_day(const char *s, int64_t *out)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
        d > timefmt_days_in_month(y, m))
        return false;
    *out = timefmt_days_from_civil((struct civil_date){y, m, d});
    return true;
}

static int read_account(struct db *db, int64_t org_id, struct policy_account *out, struct err *e)
{
    *out = (struct policy_account){0};
    if (!org_id)
        return 0;
    struct organization *o = xmalloc(sizeof *o);
    int rc = organizations_get(db, org_id, o, e);
    if (!rc) {
        out->has_support_package = parse_day(o->support_package_until, &out->support_package_until);
        out->delinquent = o->delinquent;
        out->high_risk = o->high_risk;
        out->service_refused = o->service_refused;
        out->installed = strcmp(o->install_status, "installed") == 0;
    }
    free(o);
    return rc;
}

int ticket_policy_decide(const struct env *env, struct db *db, int64_t org_id, const char *category,
                         const char *suggested, const struct priority_facts *triage, int64_t now,
                         struct ticket_policy *out, struct err *e)
{
    struct policy_account acct;
    int rc = read_account(db, org_id, &acct, e);
    if (rc)
        return rc;
    const struct calendar *cal;
    struct calendar_ref *ref;
    if ((rc = calendar_cache_acquire(env, db, &cal, &ref, e)))
        return rc;
    out->category_confirmed = category != NULL;
    out->category = category ? category : suggested ? suggested : "other";
    rc = policy_decide(out->category, &acct, now, cal, &out->scope, e);
    calendar_cache_release(ref);
    if (rc)
        return rc;
    priority_derive(triage, out->scope.package_active, &out->priority);
    return 0;
}

/* ---- the recorded decision, as JSON text ---------------------------------------------------- */

/* ,"key":"value" (null for NULL), escaped. */
static void member(struct buf *b, const char *key, const char *value)
{
    buf_appendf(b, ",\"%s\":", key);
    if (value)
        buf_append_json_str(b, value, strlen(value));
    else
        buf_append_cstr(b, "null");
}

static void flags_into(struct buf *b, unsigned flags)
{
    buf_append_cstr(b, ",\"flags\":[");
    const char *sep = "";
    for (unsigned bit = 1; bit < (1u << POLICY_FLAG_COUNT); bit <<= 1)
        if (flags & bit) {
            buf_appendf(b, "%s\"%s\"", sep, policy_flag_name(bit));
            sep = ",";
        }
    buf_append_char(b, ']');
}

/* ,"override":{...} from the ticket's latest scope exception, or null. */
static int override_into(struct buf *b, struct db *db, const struct ticket *t, struct arena *a,
                         struct err *e)
{
    buf_append_cstr(b, ",\"override\":");
    if (!t->scope_override)
        return buf_append_cstr(b, "null");
    struct policy_exception x;
    int rc = policy_exceptions_last(db, t->id, "scope", a, &x, e);
    if (rc)
        return rc;
    char at[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(x.created_at, at);
    buf_append_char(b, '{');
    buf_appendf(b, "\"decision\":\"%s\"", t->scope_override);
    member(b, "replaced", x.from_value);
    member(b, "justification", x.justification);
    buf_appendf(b, ",\"by\":%lld,\"at\":\"%s\"}", (long long)x.actor_id, at);
    return 0;
}

/* Written as text, not built with jansson: it is on every ticket's creation. The keys are
 * docs/openapi.json's TicketPolicy, in its order. */
int ticket_policy_render(struct db *db, const struct ticket *t, const struct ticket_policy *p,
                         int64_t now, struct arena *a, const char **text, const char **kind,
                         struct err *e)
{
    const struct policy_decision *d = &p->scope;
    bool overridden = t->scope_override != NULL;
    struct buf b;
    buf_init(&b, 0);
    buf_appendf(&b, "{\"decision\":\"%s\"", policy_kind_name(d->kind));
    member(&b, "category", p->category);
    buf_appendf(&b, ",\"category_confirmed\":%s", p->category_confirmed ? "true" : "false");
    member(&b, "clause", d->clause);
    member(&b, "reason", d->reason);
    /* an override to in scope makes the suggested (refusing) response moot */
    member(&b, "macro", overridden ? NULL : d->macro);
    member(&b, "team", policy_team_name(d->team));
    flags_into(&b, d->flags);
    buf_appendf(&b, ",\"package_active\":%s", d->package_active ? "true" : "false");
    member(&b, "suggested_category", t->suggested_category);
    buf_appendf(&b, ",\"priority\":{\"derived\":\"%s\",\"basis\":\"%s\"",
                ticket_priority_name(p->priority.priority), p->priority.basis);
    member(&b, "reason", p->priority.reason);
    buf_append_char(&b, '}');
    int rc = override_into(&b, db, t, a, e);
    char at[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(now, at);
    buf_appendf(&b, ",\"decided_at\":\"%s\"}", at);
    char *kept = rc ? NULL : arena_strndup(a, buf_cstr(&b), b.len);
    buf_release(&b);
    if (rc)
        return rc;
    if (!kept)
        return err_set(e, ERR_LIMIT, NULL, "out of memory recording the policy decision");
    *text = kept;
    *kind = overridden ? t->scope_override : policy_kind_name(d->kind);
    return 0;
}

int ticket_policy_record(struct db *db, const struct ticket *t, const struct ticket_policy *p,
                         int64_t now, struct arena *a, struct err *e)
{
    const char *text, *kind;
    int rc = ticket_policy_render(db, t, p, now, a, &text, &kind, e);
    return rc ? rc : tickets_set_policy(db, t->id, kind, now, text, e);
}

int ticket_policy_exception(struct db *db, int64_t ticket_id, const char *kind, const char *from,
                            const char *to, const char *justification, int64_t actor, int64_t now,
                            struct err *e)
{
    struct policy_exception x = {.ticket_id = ticket_id,
                                 .kind = kind,
                                 .from_value = from,
                                 .to_value = to,
                                 .justification = justification,
                                 .actor_id = actor,
                                 .created_at = now};
    int rc = policy_exceptions_insert(db, &x, e);
    if (rc)
        return rc;
    json_t *d = json_pack("{s:I, s:s, s:s, s:s, s:s}", "exception_id", (json_int_t)x.id, "kind",
                          kind, "from", from, "to", to, "justification", justification);
    char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    if (!detail)
        return err_set(e, ERR_LIMIT, NULL, "out of memory auditing a policy exception");
    struct audit_entry a = {.at = now,
                            .actor_id = actor,
                            .action = "policy.exception",
                            .target_type = "ticket",
                            .target_id = ticket_id,
                            .detail = detail};
    rc = audit_append(db, &a, e);
    free(detail);
    return rc;
}

int ticket_policy_high_risk_assignee(const struct env *env, struct db *db, int64_t now,
                                     int64_t *user_id, struct err *e)
{
    return roster_lead_on_duty(env, db, now, user_id, e);
}

/* Decide again for one ticket of a changed account; lead: assign it to this lead (0: no). */
static int refresh_one(const struct env *env, struct db *db, int64_t id, int64_t now, int64_t lead,
                       struct arena *a, struct err *e)
{
    struct ticket t;
    int rc = tickets_get(db, id, true, a, &t, e);
    if (rc)
        return rc;
    struct ticket_policy p;
    rc = ticket_policy_decide(env, db, t.organization_id, t.category, t.suggested_category,
                              &t.triage, now, &p, e);
    if (rc)
        return rc;
    /* Events by the system (actor 0), on the account's change. */
    struct ticket_event ev[2];
    size_t n = 0;
    char old_priority[sizeof t.priority], old_assignee[24], new_assignee[24];
    const char *derived = ticket_priority_name(p.priority.priority);
    if (priority_rederive(t.priority_set_by_hand) && strcmp(derived, t.priority) != 0) {
        memcpy(old_priority, t.priority, sizeof old_priority);
        ev[n++] = (struct ticket_event){id, 0, now, "priority", old_priority, derived};
        snprintf(t.priority, sizeof t.priority, "%s", derived);
    }
    if (lead && t.assignee_id != lead) {
        snprintf(old_assignee, sizeof old_assignee, "%lld", (long long)t.assignee_id);
        snprintf(new_assignee, sizeof new_assignee, "%lld", (long long)lead);
        ev[n++] = (struct ticket_event){
            id, 0, now, "assignee_id", t.assignee_id ? old_assignee : NULL, new_assignee};
        t.assignee_id = lead;
    }
    if (n) {
        t.updated_at = now;
        rc = tickets_save(db, &t, e);
        rc = rc ? rc : tickets_events_insert(db, ev, n, e);
        rc = rc ? rc : ticket_sla_refresh(env, db, id, now, true, e);
    }
    return rc ? rc : ticket_policy_record(db, &t, &p, now, a, e);
}

int ticket_policy_refresh_organization(const struct env *env, struct db *db, int64_t org_id,
                                       int64_t now, bool became_high_risk, struct err *e)
{
    int64_t *ids = NULL, lead = 0;
    size_t n = 0;
    int rc = became_high_risk ? ticket_policy_high_risk_assignee(env, db, now, &lead, e) : 0;
    rc = rc ? rc : tickets_unclosed_of_organization(db, org_id, &ids, &n, e);
    struct arena a;
    arena_init(&a, 1u << 22);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = refresh_one(env, db, ids[i], now, lead, &a, e);
        arena_clear(&a);
    }
    arena_release(&a);
    free(ids);
    return rc;
}

struct list_ctx {
    const struct policy_exceptions_filter *f;
    int64_t after;
    unsigned limit;
    struct arena *a;
    struct policy_exception *out;
    size_t *n;
};

static int list_tx(struct db *db, void *arg, struct err *e)
{
    struct list_ctx *c = arg;
    return policy_exceptions_list(db, c->f, c->after, c->limit, c->a, c->out, c->n, e);
}

int ticket_policy_exceptions_list(struct db *db, const struct access_subject *s,
                                  const struct policy_exceptions_filter *f, int64_t after,
                                  unsigned limit, struct arena *a, struct policy_exception *out,
                                  size_t *n, struct err *e)
{
    if (!access_is_staff(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "policy exceptions are for staff");
    struct list_ctx c = {f, after, limit, a, out, n};
    return db_transact(db, DB_TX_READ, list_tx, &c, e);
}

struct lapsed_ctx {
    const struct env *env;
    int64_t now;
    size_t accounts;
};

static int lapsed_tx(struct db *db, void *arg, struct err *e)
{
    struct lapsed_ctx *c = arg;
    c->accounts = 0; /* db_transact() may run this again after ERR_BUSY */
    const struct calendar *cal;
    struct calendar_ref *ref;
    int rc = calendar_cache_acquire(c->env, db, &cal, &ref, e);
    if (rc)
        return rc;
    struct civil_date d = timefmt_civil_from_days(cal_local_day(cal, c->now));
    calendar_cache_release(ref);
    char today[16];
    snprintf(today, sizeof today, "%04lld-%02d-%02d", (long long)d.year, d.month, d.day);
    int64_t ids[TICKET_POLICY_LAPSED_BATCH];
    size_t n = 0;
    rc = ticket_housekeeping_lapsed_packages(db, today, TICKET_POLICY_LAPSED_BATCH, ids, &n, e);
    for (size_t i = 0; i < n && !rc; i++)
        rc = ticket_policy_refresh_organization(c->env, db, ids[i], c->now, false, e);
    if (!rc)
        c->accounts = n;
    return rc;
}

int ticket_policy_sweep_lapsed(const struct env *env, struct db *db, int64_t now, size_t *accounts,
                               struct err *e)
{
    struct lapsed_ctx c = {env, now, 0};
    int rc = db_transact(db, DB_TX_WRITE, lapsed_tx, &c, e);
    if (!rc)
        *accounts = c.accounts;
    return rc;
}
