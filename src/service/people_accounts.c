/* people_accounts: the client accounts (Zendesk's organizations) and their billing facts. */
#include "service/people_internal.h"

#include "service/ticket_policy.h"
#include "store/audit.h"

#include <stdio.h>
#include <string.h>

/* ---- organizations ------------------------------------------------------------------------- */

static int organization_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "organization %lld not found", (long long)id);
}

int people_organization_get(struct db *db, const struct people_actor *actor, int64_t id,
                            struct organization *out, struct err *e)
{
    if (!access_can_view_organization(&actor->subject, id))
        return organization_not_found(id, e);
    int rc = organizations_get(db, id, out, e);
    return rc == ERR_NOT_FOUND ? organization_not_found(id, e) : rc;
}

int people_organizations_list(struct db *db, const struct people_actor *actor, int64_t after,
                              unsigned limit, struct organization *out, size_t *n, struct err *e)
{
    const struct access_subject *s = &actor->subject;
    if (!s->user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to list organizations");
    if (!access_is_staff(s) && !s->organization_id) {
        *n = 0;
        return 0;
    }
    return organizations_list(db, access_is_staff(s) ? 0 : s->organization_id, after, limit, out, n,
                              e);
}

/* Check the given fields of in and write them into *o. */
static int apply_org_input(const struct people_org_input *in, struct organization *o, struct err *e)
{
    int rc = 0;
    if (in->given & PEOPLE_ORG_NAME)
        rc = people__clean_text(in->name, "organization.name", ORGANIZATION_NAME_MAX, false,
                                o->name, sizeof o->name, e);
    if (!rc && (in->given & PEOPLE_ORG_PLAN))
        rc = people__clean_text(in->plan ? in->plan : "", "organization.plan",
                                ORGANIZATION_PLAN_MAX, true, o->plan, sizeof o->plan, e);
    if (!rc && (in->given & PEOPLE_ORG_PLAN_RATE)) {
        if (in->plan_rate_cents < 0 || in->plan_rate_cents > PEOPLE_PLAN_RATE_MAX)
            rc = err_set(e, ERR_INVALID, "organization.plan_rate_cents",
                         "plan_rate_cents must be a whole number of cents from 0 to %lld",
                         PEOPLE_PLAN_RATE_MAX);
        o->plan_rate_cents = in->plan_rate_cents;
    }
    if (!rc && (in->given & PEOPLE_ORG_SUPPORT_PACKAGE_UNTIL)) {
        const char *d = in->support_package_until;
        if (d && !people_date_valid(d, strlen(d)))
            rc = err_set(e, ERR_INVALID, "organization.support_package_until",
                         "support_package_until must be a date like 2026-12-31, or null");
        else
            snprintf(o->support_package_until, sizeof o->support_package_until, "%s", d ? d : "");
    }
    if (!rc && (in->given & PEOPLE_ORG_INSTALL_STATUS)) {
        const char *st = in->install_status;
        if (!st || (strcmp(st, "installed") != 0 && strcmp(st, "uninstalled") != 0))
            rc = err_set(e, ERR_INVALID, "organization.install_status",
                         "install_status must be installed or uninstalled");
        else
            snprintf(o->install_status, sizeof o->install_status, "%s", st);
    }
    if (in->given & PEOPLE_ORG_DELINQUENT)
        o->delinquent = in->delinquent;
    if (in->given & PEOPLE_ORG_HIGH_RISK)
        o->high_risk = in->high_risk;
    if (in->given & PEOPLE_ORG_SERVICE_REFUSED)
        o->service_refused = in->service_refused;
    return rc;
}

static void flag_change(struct buf *d, const char *name, bool old_value, bool new_value)
{
    if (old_value == new_value)
        return;
    buf_appendf(d, "%s\"%s\":{\"old\":%s,\"new\":%s}", d->len > 1 ? "," : "", name,
                old_value ? "true" : "false", new_value ? "true" : "false");
}

/* Audit a change of the flags that decide how the policy treats an account (before NULL: a
 * new account, whose flags were all false). Nothing is written when none changed. */
static int audit_flags(struct db *db, const struct people_actor *actor, int64_t now,
                       const struct organization *before, const struct organization *after,
                       struct err *e)
{
    static const struct organization none;
    if (!before)
        before = &none;
    struct buf d;
    buf_init(&d, 512);
    buf_append_char(&d, '{');
    flag_change(&d, "delinquent", before->delinquent, after->delinquent);
    flag_change(&d, "high_risk", before->high_risk, after->high_risk);
    flag_change(&d, "service_refused", before->service_refused, after->service_refused);
    buf_append_char(&d, '}');
    int rc = 0;
    if (d.len > 2)
        rc = people__audit(db, actor, now, "organization.flags_changed", "organization", after->id,
                           buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

static int organization_name_taken(const struct organization *o, struct err *e)
{
    return err_set(e, ERR_INVALID, "organization.name",
                   "name \"%s\" is already used by another organization", o->name);
}

struct org_write_ctx {
    const struct env *env;
    const struct people_actor *actor;
    int64_t id; /* 0: create */
    const struct people_org_input *in;
    struct organization *out;
};

static int org_create_tx(struct db *db, void *arg, struct err *e)
{
    struct org_write_ctx *c = arg;
    struct organization o = {.install_status = "installed"};
    int rc = apply_org_input(c->in, &o, e);
    if (rc)
        return rc;
    int64_t now = c->env->now(c->env);
    rc = organizations_insert(db, &o, now, e);
    if (rc == ERR_CONFLICT)
        return organization_name_taken(&o, e);
    if (!rc)
        rc = audit_flags(db, c->actor, now, NULL, &o, e);
    if (!rc)
        *c->out = o;
    return rc;
}

/* What the support policy reads of an account (service/ticket_policy.c): a change decides again
 * for its open tickets, and re-derives their priority (the package, issue 5). */
static bool policy_inputs_changed(const struct organization *a, const struct organization *b)
{
    return strcmp(a->support_package_until, b->support_package_until) != 0 ||
           strcmp(a->install_status, b->install_status) != 0 || a->delinquent != b->delinquent ||
           a->high_risk != b->high_risk || a->service_refused != b->service_refused;
}

static int org_update_tx(struct db *db, void *arg, struct err *e)
{
    struct org_write_ctx *c = arg;
    struct organization cur, next;
    int rc = organizations_lock(db, c->id, e);
    if (!rc)
        rc = organizations_get(db, c->id, &cur, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? organization_not_found(c->id, e) : rc;
    next = cur;
    rc = apply_org_input(c->in, &next, e);
    if (rc)
        return rc;
    /* next began as a byte copy of cur, so equal bytes mean nothing changes: nothing to write
     * (and updated_at stays). */
    if (memcmp(&cur, &next, sizeof cur) == 0) {
        *c->out = cur;
        return 0;
    }
    int64_t now = c->env->now(c->env);
    rc = organizations_save(db, &next, now, e);
    if (rc == ERR_CONFLICT)
        return organization_name_taken(&next, e);
    if (!rc)
        rc = audit_flags(db, c->actor, now, &cur, &next, e);
    if (!rc && policy_inputs_changed(&cur, &next))
        rc = ticket_policy_refresh_organization(c->env, db, next.id, now,
                                                !cur.high_risk && next.high_risk, e);
    if (!rc)
        *c->out = next;
    return rc;
}

static int need_admin_for_accounts(const struct people_actor *actor, struct err *e)
{
    if (!access_is_admin(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only administrators manage client accounts");
    return 0;
}

int people_organization_create(const struct env *env, struct db *db,
                               const struct people_actor *actor, const struct people_org_input *in,
                               struct organization *out, struct err *e)
{
    int rc = need_admin_for_accounts(actor, e);
    if (rc)
        return rc;
    struct people_org_input req = *in;
    req.given |= PEOPLE_ORG_NAME; /* required */
    struct org_write_ctx c = {env, actor, 0, &req, out};
    return db_transact(db, DB_TX_WRITE, org_create_tx, &c, e);
}

int people_organization_update(const struct env *env, struct db *db,
                               const struct people_actor *actor, int64_t id,
                               const struct people_org_input *in, struct organization *out,
                               struct err *e)
{
    if (!access_can_view_organization(&actor->subject, id))
        return organization_not_found(id, e);
    int rc = need_admin_for_accounts(actor, e);
    if (rc)
        return rc;
    struct org_write_ctx c = {env, actor, id, in, out};
    return db_transact(db, DB_TX_WRITE, org_update_tx, &c, e);
}

/* Billing facts: only admins, whatever else the caller may see of the account (policy 1.5:
 * billing reaches a ticket only after identity is verified, which is the policy issue's). */
static int need_billing_access(const struct people_actor *actor, int64_t id, struct err *e)
{
    if (!access_can_view_organization(&actor->subject, id))
        return organization_not_found(id, e);
    if (!access_is_admin(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "billing facts are for administrators only");
    return 0;
}

int people_billing_get(struct db *db, const struct people_actor *actor, int64_t id, struct buf *out,
                       struct err *e)
{
    int rc = need_billing_access(actor, id, e);
    if (!rc)
        rc = organizations_billing_get(db, id, out, e);
    return rc == ERR_NOT_FOUND ? organization_not_found(id, e) : rc;
}

struct billing_ctx {
    const struct env *env;
    const struct people_actor *actor;
    int64_t id;
    const char *json;
    size_t len;
};

static int billing_set_tx(struct db *db, void *arg, struct err *e)
{
    struct billing_ctx *c = arg;
    int rc = organizations_billing_set(db, c->id, c->json, c->len, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? organization_not_found(c->id, e) : rc;
    char detail[48];
    snprintf(detail, sizeof detail, "{\"bytes\":%zu}", c->len);
    return people__audit(db, c->actor, c->env->now(c->env), "organization.billing_imported",
                         "organization", c->id, detail, e);
}

int people_billing_set(const struct env *env, struct db *db, const struct people_actor *actor,
                       int64_t id, const char *json, size_t len, struct err *e)
{
    int rc = need_billing_access(actor, id, e);
    if (rc)
        return rc;
    struct billing_ctx c = {env, actor, id, json, len};
    return db_transact(db, DB_TX_WRITE, billing_set_tx, &c, e);
}
