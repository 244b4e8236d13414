/* policy: the scope decision of a ticket (issue 5, "Scope (clauses 2, 3, 4, 7, 8, 9)"): given its
 * request category and its client account, is the request in scope, in scope thanks to the extra
 * support package, out of scope, or answered by the policy itself, which clause says so, and what
 * the agent may send.
 *
 * The categories (ids exactly as the issue lists them) live in one constant table in policy.c:
 *
 *   id                     kind                 clause             team     flags
 *   how_to                 in_scope             clauses 1.4, 2     -        -
 *   ecommerce_question     in_scope             clauses 1.4, 2     -        -
 *   complaint              in_scope             clause 2           -        -
 *   sales                  in_scope             clause 2           sales    -
 *   billing                in_scope             clauses 1.5, 2     -        needs_identity
 *   strategy_session       in_scope             clauses 1.6, 2, 8  -        strategy_disclaimer
 *   live_demo              in_scope             clause 2           -        -
 *   feature_request        in_scope             clause 2           product  escalates_to_product
 *   misuse_report          in_scope             clauses 2, 12      -        opens_misuse_incident
 *   other                  in_scope             clause 2           -        -
 *   template_from_scratch  in_scope_by_package  clause 3 (²)       -        -
 *   custom_code            in_scope_by_package  clause 3 (²)       -        -
 *   copywriting            in_scope_by_package  clause 3 (²)       -        -
 *   account_management     in_scope_by_package  clause 4 (²)       -        -
 *   custom_integration     out_of_scope         clause 3           -        -
 *   business_advice        out_of_scope         clauses 3, 8       -        -
 *   third_party_info       out_of_scope         clause 3           -        -
 *   refund_request         policy_answer        clause 7 (**)      -        -
 *   contact_deletion       policy_answer        clause 9           -        self_serve_article
 *   fraud_assistance       policy_answer        clauses 3, 12      -        flags_account,
 *                                                                           opens_misuse_incident
 *
 * The rules of policy_decide(), each with the text it rests on:
 * - An account's extra support package is active at `now` when the local date of `now` in the
 *   calendar's zone is on or before its last day (support_package_until): it lasts through the
 *   end of that day, local midnight, DST included (issue 5: "active through the end of its last
 *   day in the calendar's zone").
 * - A package category (footnote ²: "exceptions made for extra support package purchasers",
 *   clauses 3 and 4) is in_scope_by_package with an active package; otherwise out_of_scope with
 *   POLICY_FLAG_NEEDS_PACKAGE and a reason saying it needs the package.
 * - refund_request (clause 7 and **): no refunds for services rendered. From an installed account
 *   the answer adds that services rendered include storing its data while the app is installed;
 *   from a delinquent account (installed or not) it adds that delinquent accounts that do not
 *   uninstall are charged for the data still stored. Delinquency wins over installed (it says
 *   both). No other category reads `delinquent` or `installed`: the policy ties them to refunds
 *   and storage charges only.
 * - service_refused (clause 12 and ***: service refused by the support lead on duty to a phisher,
 *   spammer or scammer): whatever the category, the decision is policy_answer on "clause 12 (***)"
 *   with POLICY_FLAG_SERVICE_REFUSED and the macro "scope.service_refused": the ticket is closed
 *   with the refusal notice (issue 5, "Misuse and refusal of service"). Nothing else of the
 *   category applies (no routing, escalation, incident or identity step): a refused account is not
 *   served. It takes precedence over every other rule.
 * - high_risk (clause 2: support "responds to high-risk accounts"; issue 5: their tickets carry a
 *   warning in every view and go to the lead on duty's queue): adds POLICY_FLAG_HIGH_RISK to any
 *   decision, refused or not; it changes neither the kind nor the team (the queue is the caller's).
 * - No account (acct NULL: a requester who belongs to no client account) decides like an account
 *   with no package and no flags.
 *
 * Macro ids name a response in the macro library: "scope.<kind>.<category>" (for instance
 * "scope.out_of_scope.custom_integration"), a suffix for a variant ("...refund_request.installed",
 * "...refund_request.delinquent"), "scope.service_refused" for refusals; NULL when the category
 * has no canned response (a how-to question is answered, not templated).
 *
 * Pure: no I/O, no clock, no allocation. Thread-safe: only constant tables. Every string returned
 * here is static and valid forever. Keyword auto-suggest of a category is not here (the pack holds
 * those rules).
 */
#ifndef FRONTDESK_CORE_POLICY_H
#define FRONTDESK_CORE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "core/calendar.h"

#define POLICY_FIELD_CATEGORY "ticket.category"

enum policy_decision_kind {
    POLICY_IN_SCOPE,            /* "in_scope" */
    POLICY_IN_SCOPE_BY_PACKAGE, /* "in_scope_by_package": only with an active package */
    POLICY_OUT_OF_SCOPE,        /* "out_of_scope" */
    POLICY_ANSWER,              /* "policy_answer": the policy itself answers the request */
};

#define POLICY_KIND_COUNT 4

/* The team a ticket is routed to besides support, if any. */
enum policy_team {
    POLICY_TEAM_NONE,    /* support handles it: name NULL */
    POLICY_TEAM_SALES,   /* "sales" (clause 2: plan rates and sales conversations) */
    POLICY_TEAM_PRODUCT, /* "product" (clause 2: feature requests escalated) */
};

/* Flags of a category and of a decision (bits of `flags`). */
enum policy_flag {
    POLICY_FLAG_NEEDS_IDENTITY = 1u << 0,        /* verify the requester first (clause 1.5) */
    POLICY_FLAG_STRATEGY_DISCLAIMER = 1u << 1,   /* the response carries clause 8's disclaimer */
    POLICY_FLAG_ESCALATES_TO_PRODUCT = 1u << 2,  /* link to a feature item (clause 2) */
    POLICY_FLAG_OPENS_MISUSE_INCIDENT = 1u << 3, /* open a misuse incident (clauses 2, 12) */
    POLICY_FLAG_FLAGS_ACCOUNT = 1u << 4,         /* flag the requester's account (clause 3) */
    POLICY_FLAG_SELF_SERVE_ARTICLE = 1u << 5,    /* the response links the self-serve article */
    POLICY_FLAG_NEEDS_PACKAGE = 1u << 6,   /* out of scope only for want of an active package */
    POLICY_FLAG_HIGH_RISK = 1u << 7,       /* the account is high-risk: warn, lead on duty */
    POLICY_FLAG_SERVICE_REFUSED = 1u << 8, /* close with the refusal notice (clause 12) */
};

#define POLICY_FLAG_COUNT 9

/* One request category: static data, valid forever. */
struct policy_category {
    const char *id;    /* "how_to": what the API and the database store */
    const char *label; /* "How-to question": for people */
    enum policy_decision_kind kind;
    const char *clause; /* "clause 3 (²)": the clause(s) the decision rests on, for staff */
    enum policy_team team;
    unsigned flags;     /* enum policy_flag bits of the category itself */
    const char *macro;  /* the suggested response when in scope or answered; may be NULL */
    const char *reason; /* one polite sentence for staff */
};

/* What the decision needs to know about the ticket's client account. */
struct policy_account {
    /* The extra support package's last day, a local date in the calendar's zone as days since
     * 1970-01-01 (core/holidays.h numbering); ignored unless has_support_package. */
    bool has_support_package;
    int64_t support_package_until;
    bool delinquent;      /* charges are overdue (clause 7, **) */
    bool high_risk;       /* marked high-risk by a lead (clause 2) */
    bool service_refused; /* service refused by the lead on duty (clause 12) */
    bool installed;       /* the app is installed: data is stored (clause 7, **) */
};

struct policy_decision {
    enum policy_decision_kind kind;
    const struct policy_category *category; /* the table entry decided on */
    const char *clause;                     /* "clause 7 (**)" */
    const char *reason;                     /* one polite sentence for staff */
    const char *macro;                      /* suggested macro id, NULL when none */
    enum policy_team team;
    unsigned flags;      /* enum policy_flag bits */
    bool package_active; /* the account's package was active at `now` */
};

/* The category table: sets *out (when not NULL) to its first entry and returns the number of
 * entries, in the order listed above. Static, valid forever. */
size_t policy_categories(const struct policy_category **out);

/* The category whose id is exactly `id` (NUL-terminated, case-sensitive), or NULL when none
 * (NULL and "" included). */
const struct policy_category *policy_category_find(const char *id);

/* True when policy_category_find(id) finds one. */
bool policy_category_valid(const char *id);

/* Decide on a ticket of `category` for the account `acct` (NULL: no client account) at `now`
 * (seconds since the Unix epoch, UTC). cal gives the zone of the package's last day; it may be
 * NULL when acct has no package.
 * Returns 0 and fills *out; or ERR_INVALID with e (may be NULL) naming the field:
 * "ticket.category" for a NULL, empty or unknown category, "calendar" for a NULL cal that is
 * needed, "out" for a NULL out. *out is untouched on failure. O(categories). */
int policy_decide(const char *category, const struct policy_account *acct, int64_t now,
                  const struct calendar *cal, struct policy_decision *out, struct err *e);

/* "in_scope", "in_scope_by_package", "out_of_scope", "policy_answer"; NULL out of range. */
const char *policy_kind_name(enum policy_decision_kind k);
/* "sales", "product"; NULL for POLICY_TEAM_NONE and out of range. */
const char *policy_team_name(enum policy_team t);
/* The name of one flag bit: "needs_identity", "strategy_disclaimer", "escalates_to_product",
 * "opens_misuse_incident", "flags_account", "self_serve_article", "needs_package", "high_risk",
 * "service_refused"; NULL unless f is exactly one known bit. */
const char *policy_flag_name(unsigned f);

#endif
