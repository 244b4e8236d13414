/* ticket_policy: the support policy applied to one ticket (issue 5): its scope decision
 * (core/policy.h) and its derived priority (core/priority.h), recorded on the ticket as staff
 * see it, and the policy exceptions staff make (clause 11).
 *
 * The category decided on is the ticket's own when staff set one; otherwise the keyword rules'
 * suggestion (service/category_rules.h), marked unconfirmed; otherwise "other". So every ticket
 * has a decision from the moment it is created, and staff confirm or correct the category.
 *
 * The decision is recorded (tickets_set_policy) when a ticket is created and whenever an input
 * changes: its category, its triage facts, a scope override, or its account (package, flags):
 * ticket_policy_refresh_organization(). A scope override ("in_scope", clause 11) keeps the
 * computed decision visible and records the effective one, in_scope, as the ticket's
 * policy_decision (what reports count).
 *
 * All functions run inside the caller's write transaction.
 */
#ifndef FRONTDESK_SERVICE_TICKET_POLICY_H
#define FRONTDESK_SERVICE_TICKET_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "core/policy.h"
#include "core/priority.h"
#include "db/db.h"
#include "store/tickets.h"

struct ticket_policy {
    const char *category;    /* the category decided on (static or the caller's string) */
    bool category_confirmed; /* staff set it; false for a suggestion or the "other" fallback */
    struct policy_decision scope;
    struct priority_decision priority;
};

/* Decide for a ticket of account org_id (0: none) with category (NULL: not set), the rules'
 * suggestion (NULL: none) and triage facts at now. Reads the account and the calendar. */
int ticket_policy_decide(const struct env *env, struct db *db, int64_t org_id, const char *category,
                         const char *suggested, const struct priority_facts *triage, int64_t now,
                         struct ticket_policy *out, struct err *e);

/* The decision p of ticket t as staff see it, as made at now: JSON object text (from a) and the
 * kind reports count (the override's when t->scope_override is set; its latest scope exception
 * gives the override's details, so a ticket not yet written has none). */
int ticket_policy_render(struct db *db, const struct ticket *t, const struct ticket_policy *p,
                         int64_t now, struct arena *a, const char **text, const char **kind,
                         struct err *e);

/* Record p as t's decision (ticket_policy_render, then the ticket's row), at now. */
int ticket_policy_record(struct db *db, const struct ticket *t, const struct ticket_policy *p,
                         int64_t now, struct arena *a, struct err *e);

/* A policy exception: kind "priority" or "scope", the decision replaced (from) and what staff
 * chose (to), with the justification; a row in policy_exceptions and an audit entry
 * "policy.exception" on the ticket. */
int ticket_policy_exception(struct db *db, int64_t ticket_id, const char *kind, const char *from,
                            const char *to, const char *justification, int64_t actor, int64_t now,
                            struct err *e);

/* The account org_id changed (support package, flags): decide again for each of its tickets
 * that is not closed, re-deriving the priority of those staff did not set by hand (an event by
 * the system, and the SLA clocks refreshed). became_high_risk: the account was just marked
 * high-risk, so its tickets go to the lead on duty's queue (assigned to them; nobody on duty:
 * left as they are). */
int ticket_policy_refresh_organization(const struct env *env, struct db *db, int64_t org_id,
                                       int64_t now, bool became_high_risk, struct err *e);

/* Accounts whose extra support package lapsed at the end of its last day (local midnight) are
 * decided again, their tickets' priority re-derived (issue 5: "active at that moment"): one
 * write transaction for at most TICKET_POLICY_LAPSED_BATCH accounts; *accounts says how many. */
#define TICKET_POLICY_LAPSED_BATCH 50
int ticket_policy_sweep_lapsed(const struct env *env, struct db *db, int64_t now, size_t *accounts,
                               struct err *e);

/* The assignee a high-risk account's ticket goes to: the support lead on duty at now (0: nobody
 * on duty). */
int ticket_policy_high_risk_assignee(const struct env *env, struct db *db, int64_t now,
                                     int64_t *user_id, struct err *e);

/* Staff only (ERR_FORBIDDEN otherwise): up to limit exceptions matching f with id > after, by id,
 * into out[0..*n) (strings from a). One read transaction. */
struct policy_exception;
struct policy_exceptions_filter;
int ticket_policy_exceptions_list(struct db *db, const struct access_subject *s,
                                  const struct policy_exceptions_filter *f, int64_t after,
                                  unsigned limit, struct arena *a, struct policy_exception *out,
                                  size_t *n, struct err *e);

/* Is the triage fact given (yes or no)? "yes", "no" or NULL for events and JSON. */
const char *ticket_policy_fact_name(enum priority_fact f);

#endif
