/* The support policy's inputs on tickets: checks, triage facts and team routing shared by
 * tickets.c's create and update (service/ticket_policy.h decides and records). */
#include "service/tickets_internal.h"

#include "service/ticket_policy.h"
#include "store/groups.h"

#include <string.h>

static int staff_only(const char *field, struct err *e)
{
    return err_set(e, ERR_FORBIDDEN, field, "only staff may set %s", field);
}

int tickets__policy_check(const struct tickets_policy_in *in, bool staff, struct err *e)
{
    if (!staff) {
        if (in->category.given)
            return staff_only("ticket.category", e);
        if (in->scope_override.given)
            return staff_only("ticket.scope_override", e);
        if (in->justification)
            return staff_only("ticket.policy_justification", e);
    }
    if (in->category.value && !policy_category_valid(in->category.value))
        return err_set(e, ERR_INVALID, "ticket.category",
                       "category must be one of the policy's request categories "
                       "(GET /api/v2/policy/categories) or null");
    if (in->scope_override.value && strcmp(in->scope_override.value, "in_scope") != 0)
        return err_set(e, ERR_INVALID, "ticket.scope_override",
                       "scope_override must be \"in_scope\" (serve the request to benefit the "
                       "client, clause 11) or null");
    return 0;
}

static void apply_fact(struct changes *c, const char *field, enum priority_fact want,
                       enum priority_fact *have)
{
    if (want == *have)
        return;
    tickets__change(c, field, ticket_policy_fact_name(*have), ticket_policy_fact_name(want));
    *have = want;
}

void tickets__triage_apply(const struct tickets_policy_in *in, struct priority_facts *f,
                           struct changes *c)
{
    if (in->triage_given & TICKETS_TRIAGE_SERVICE_DOWN)
        apply_fact(c, "triage.service_down", in->triage.service_down, &f->service_down);
    if (in->triage_given & TICKETS_TRIAGE_DATA_LOST)
        apply_fact(c, "triage.data_lost", in->triage.data_lost, &f->data_lost);
    if (in->triage_given & TICKETS_TRIAGE_FEATURE_DOWN)
        apply_fact(c, "triage.feature_down", in->triage.feature_down, &f->feature_down);
    if (in->triage_given & TICKETS_TRIAGE_WORKAROUND)
        apply_fact(c, "triage.workaround", in->triage.workaround, &f->workaround);
}

int tickets__team_group(struct db *db, enum policy_team team, int64_t *group_id, struct err *e)
{
    /* The default teams (service/seed.h) carry the policy's team names. */
    const char *name = team == POLICY_TEAM_SALES     ? "Sales"
                       : team == POLICY_TEAM_PRODUCT ? "Product"
                                                     : NULL;
    *group_id = 0;
    return name ? groups_find_by_name(db, name, group_id, e) : 0;
}
