#include "core/policy.h"

#include <string.h>

/* The clauses are those of seed/rarelogic-support-policies.txt, numbered as in POLICY.md; the
 * sentence after each entry's clause quotes what it rests on. */
static const struct policy_category categories[] = {
    /* 1.4 "Answering platform & Ecommerce related questions"; 2 "Answers 'How to' questions" */
    {"how_to", "How-to question", POLICY_IN_SCOPE, "clauses 1.4, 2", POLICY_TEAM_NONE, 0, NULL,
     "Support answers how-to questions about the platform, so this request is in scope."},
    /* 1.4; 2 "Handles any and all customer inquiries" */
    {"ecommerce_question", "E-commerce question", POLICY_IN_SCOPE, "clauses 1.4, 2",
     POLICY_TEAM_NONE, 0, NULL,
     "Support answers platform and e-commerce questions as completely as it can, so this request "
     "is in scope."},
    /* 2 "Responds to complaints" */
    {"complaint", "Complaint", POLICY_IN_SCOPE, "clause 2", POLICY_TEAM_NONE, 0, NULL,
     "Support responds to complaints, so this request is in scope."},
    /* 2 "Explains plan rates & have sales conversations" */
    {"sales", "Plan rates and sales", POLICY_IN_SCOPE, "clause 2", POLICY_TEAM_SALES, 0,
     "scope.in_scope.sales",
     "Support explains plan rates and holds sales conversations, so this request is in scope and "
     "goes to the sales team."},
    /* 2 "Explains billing costs"; 1.5 "Taking reasonable steps to ensure identity before
     * releasing billing or revenue information" */
    {"billing", "Billing", POLICY_IN_SCOPE, "clauses 1.5, 2", POLICY_TEAM_NONE,
     POLICY_FLAG_NEEDS_IDENTITY, "scope.in_scope.billing",
     "Support explains billing costs, but only after the requester's identity has been verified."},
    /* 1.6 "Providing strategy or 'success' discussions upon request"; 2 "Advises on strategy when
     * asked"; 8 "not responsible for the success or failure of any marketing strategy" */
    {"strategy_session", "Strategy session request", POLICY_IN_SCOPE, "clauses 1.6, 2, 8",
     POLICY_TEAM_NONE, POLICY_FLAG_STRATEGY_DISCLAIMER, "scope.in_scope.strategy_session",
     "Support offers strategy sessions on request, and the response reminds the client that "
     "marketing strategies are undertaken at the owner's discretion and their outcome is the "
     "owner's."},
    /* 2 "Provides live demonstrations to clients" */
    {"live_demo", "Live demo request", POLICY_IN_SCOPE, "clause 2", POLICY_TEAM_NONE, 0,
     "scope.in_scope.live_demo",
     "Support provides live demonstrations to clients, so this request is in scope."},
    /* 2 "Takes feature requests and escalates them to the appropriate teams" */
    {"feature_request", "Feature request", POLICY_IN_SCOPE, "clause 2", POLICY_TEAM_PRODUCT,
     POLICY_FLAG_ESCALATES_TO_PRODUCT, "scope.in_scope.feature_request",
     "Support takes feature requests and escalates them to the product team, so please link this "
     "ticket to a feature item."},
    /* 2 "Addresses incidences of platform misuse"; 12 (refusal needs evidence: the incident
     * collects it) */
    {"misuse_report", "Misuse report", POLICY_IN_SCOPE, "clauses 2, 12", POLICY_TEAM_NONE,
     POLICY_FLAG_OPENS_MISUSE_INCIDENT, "scope.in_scope.misuse_report",
     "Support addresses platform misuse, so this report is in scope and opens a misuse incident "
     "on the reported account."},
    /* 2 "Handles any and all customer inquiries and comments" */
    {"other", "Other", POLICY_IN_SCOPE, "clause 2", POLICY_TEAM_NONE, 0, NULL,
     "Support handles any and all customer inquiries and comments, so this request is in scope."},
    /* 3 "Create templates from scratch²" */
    {"template_from_scratch", "Template built from scratch", POLICY_IN_SCOPE_BY_PACKAGE,
     "clause 3 (²)", POLICY_TEAM_NONE, 0, "scope.in_scope_by_package.template_from_scratch",
     "Building a template from scratch is included in this account's extra support package."},
    /* 3 "Custom Code work²" */
    {"custom_code", "Custom code", POLICY_IN_SCOPE_BY_PACKAGE, "clause 3 (²)", POLICY_TEAM_NONE, 0,
     "scope.in_scope_by_package.custom_code",
     "Custom code work is included in this account's extra support package."},
    /* 3 "Copywriting²" */
    {"copywriting", "Copywriting", POLICY_IN_SCOPE_BY_PACKAGE, "clause 3 (²)", POLICY_TEAM_NONE, 0,
     "scope.in_scope_by_package.copywriting",
     "Copywriting is included in this account's extra support package."},
    /* 4 "managing the owners account or marketing practices²" */
    {"account_management", "Managing the account or its marketing", POLICY_IN_SCOPE_BY_PACKAGE,
     "clause 4 (²)", POLICY_TEAM_NONE, 0, "scope.in_scope_by_package.account_management",
     "Managing the account or its marketing is included in this account's extra support "
     "package."},
    /* 3 "Custom integrations" (no ²: never, package or not) */
    {"custom_integration", "Custom integration", POLICY_OUT_OF_SCOPE, "clause 3", POLICY_TEAM_NONE,
     0, "scope.out_of_scope.custom_integration",
     "Support is under no obligation to build custom integrations, so please answer with the "
     "out-of-scope response."},
    /* 3 "Give business advice"; 8 marketing outcomes are the owner's (POLICY.md row 8) */
    {"business_advice", "Business advice", POLICY_OUT_OF_SCOPE, "clauses 3, 8", POLICY_TEAM_NONE, 0,
     "scope.out_of_scope.business_advice",
     "Support is under no obligation to give business advice, so please answer with the "
     "out-of-scope response."},
    /* 3 "Discuss anyone else's business, revenue or billing" */
    {"third_party_info", "Anyone else's business or billing", POLICY_OUT_OF_SCOPE, "clause 3",
     POLICY_TEAM_NONE, 0, "scope.out_of_scope.third_party_info",
     "Support never discusses anyone else's business, revenue or billing, so please answer with "
     "the out-of-scope response."},
    /* 7 "There are no refunds for services rendered**" */
    {"refund_request", "Refund request", POLICY_ANSWER, "clause 7 (**)", POLICY_TEAM_NONE, 0,
     "scope.policy_answer.refund_request",
     "There are no refunds for services rendered, so please answer with the refund policy."},
    /* 9 "not required to delete contacts from your account" */
    {"contact_deletion", "Contact deletion", POLICY_ANSWER, "clause 9", POLICY_TEAM_NONE,
     POLICY_FLAG_SELF_SERVE_ARTICLE, "scope.policy_answer.contact_deletion",
     "Staff are not required to delete contacts, so please point the client to the self-serve "
     "help article on deleting them."},
    /* 3 "Assist in fraudulent practices or make exceptions for scams, phishing, or spam
     * accounts"; 12 and *** (refusal of service to those whose purpose is fraud) */
    {"fraud_assistance", "Fraud assistance", POLICY_ANSWER, "clauses 3, 12", POLICY_TEAM_NONE,
     POLICY_FLAG_FLAGS_ACCOUNT | POLICY_FLAG_OPENS_MISUSE_INCIDENT,
     "scope.policy_answer.fraud_assistance",
     "Support never assists fraudulent practices or makes exceptions for scams, phishing or spam, "
     "so the account is flagged and a misuse incident is opened."},
};

#define NCATEGORIES (sizeof categories / sizeof categories[0])

/* Package categories when no package is active at `now`, in the order of the table above. */
static const struct {
    const char *id;
    const char *macro;
    const char *reason;
} no_package[] = {
    {"template_from_scratch", "scope.out_of_scope.template_from_scratch",
     "Building a template from scratch needs an active extra support package, which this account "
     "does not have, so please answer with the out-of-scope response."},
    {"custom_code", "scope.out_of_scope.custom_code",
     "Custom code work needs an active extra support package, which this account does not have, "
     "so please answer with the out-of-scope response."},
    {"copywriting", "scope.out_of_scope.copywriting",
     "Copywriting needs an active extra support package, which this account does not have, so "
     "please answer with the out-of-scope response."},
    {"account_management", "scope.out_of_scope.account_management",
     "Managing the account or its marketing needs an active extra support package, which this "
     "account does not have, so please answer with the out-of-scope response."},
};

/* Refund variants (clause 7 and its ** footnote). */
#define REFUND_INSTALLED_MACRO "scope.policy_answer.refund_request.installed"
#define REFUND_INSTALLED_REASON                                                                    \
    "There are no refunds for services rendered, which include storing the account's data while "  \
    "the app is installed, so please answer with the refund policy."
#define REFUND_DELINQUENT_MACRO "scope.policy_answer.refund_request.delinquent"
#define REFUND_DELINQUENT_REASON                                                                   \
    "There are no refunds for services rendered, and as a delinquent account it is charged for "   \
    "its data storage for as long as the app stays installed, so please answer with the refund "   \
    "policy."

/* Clause 12 and ***. */
#define REFUSED_CLAUSE "clause 12 (***)"
#define REFUSED_MACRO  "scope.service_refused"
#define REFUSED_REASON                                                                             \
    "Service to this account has been refused by the support lead for phishing, spam or scam "     \
    "activity, so please close the ticket with the refusal notice."

size_t policy_categories(const struct policy_category **out)
{
    if (out)
        *out = categories;
    return NCATEGORIES;
}

const struct policy_category *policy_category_find(const char *id)
{
    if (id == NULL)
        return NULL;
    for (size_t i = 0; i < NCATEGORIES; i++)
        if (strcmp(categories[i].id, id) == 0)
            return &categories[i];
    return NULL;
}

bool policy_category_valid(const char *id)
{
    return policy_category_find(id) != NULL;
}

/* A bounded, printable copy of an unknown category for the error message: at most 40 bytes,
 * control characters and non-ASCII bytes as "?" (messages reach people and logs). */
static const char *shown(const char *s, char out[48])
{
    size_t n = strlen(s), i;
    for (i = 0; i < n && i < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    memcpy(out + i, n > 40 ? "..." : "", n > 40 ? 4 : 1);
    return out;
}

static void decide_package(const struct policy_category *c, bool active, struct policy_decision *d)
{
    if (active)
        return; /* the table entry is the in_scope_by_package decision */
    for (size_t i = 0; i < sizeof no_package / sizeof no_package[0]; i++) {
        if (strcmp(no_package[i].id, c->id) == 0) {
            d->kind = POLICY_OUT_OF_SCOPE;
            d->macro = no_package[i].macro;
            d->reason = no_package[i].reason;
            d->flags |= POLICY_FLAG_NEEDS_PACKAGE;
            return;
        }
    }
}

static void decide_refund(const struct policy_account *a, struct policy_decision *d)
{
    if (a->delinquent) {
        d->macro = REFUND_DELINQUENT_MACRO;
        d->reason = REFUND_DELINQUENT_REASON;
    } else if (a->installed) {
        d->macro = REFUND_INSTALLED_MACRO;
        d->reason = REFUND_INSTALLED_REASON;
    }
}

int policy_decide(const char *category, const struct policy_account *acct, int64_t now,
                  const struct calendar *cal, struct policy_decision *out, struct err *e)
{
    static const struct policy_account no_account = {0};
    char buf[48];

    if (category == NULL)
        return err_set(e, ERR_INVALID, POLICY_FIELD_CATEGORY, "category is missing");
    if (category[0] == '\0')
        return err_set(e, ERR_INVALID, POLICY_FIELD_CATEGORY, "category must not be empty");
    const struct policy_category *c = policy_category_find(category);
    if (c == NULL)
        return err_set(e, ERR_INVALID, POLICY_FIELD_CATEGORY, "unknown category \"%s\"",
                       shown(category, buf));
    if (out == NULL)
        return err_set(e, ERR_INVALID, "out", "no place for the decision");
    const struct policy_account *a = acct ? acct : &no_account;
    if (a->has_support_package && cal == NULL)
        return err_set(e, ERR_INVALID, "calendar",
                       "a calendar is needed to judge the support package's last day");

    struct policy_decision d = {
        .kind = c->kind,
        .category = c,
        .clause = c->clause,
        .reason = c->reason,
        .macro = c->macro,
        .team = c->team,
        .flags = c->flags,
        /* Through the end of the last local day: compare local dates, not instants. */
        .package_active =
            a->has_support_package && cal_local_day(cal, now) <= a->support_package_until,
    };
    if (a->service_refused) {
        d = (struct policy_decision){
            .kind = POLICY_ANSWER,
            .category = c,
            .clause = REFUSED_CLAUSE,
            .reason = REFUSED_REASON,
            .macro = REFUSED_MACRO,
            .team = POLICY_TEAM_NONE,
            .flags = POLICY_FLAG_SERVICE_REFUSED,
            .package_active = d.package_active,
        };
    } else if (c->kind == POLICY_IN_SCOPE_BY_PACKAGE) {
        decide_package(c, d.package_active, &d);
    } else if (strcmp(c->id, "refund_request") == 0) {
        decide_refund(a, &d);
    }
    if (a->high_risk)
        d.flags |= POLICY_FLAG_HIGH_RISK;
    *out = d;
    return 0;
}

const char *policy_kind_name(enum policy_decision_kind k)
{
    static const char *const names[POLICY_KIND_COUNT] = {"in_scope", "in_scope_by_package",
                                                         "out_of_scope", "policy_answer"};
    return (unsigned)k < POLICY_KIND_COUNT ? names[k] : NULL;
}

const char *policy_team_name(enum policy_team t)
{
    switch (t) {
    case POLICY_TEAM_SALES:
        return "sales";
    case POLICY_TEAM_PRODUCT:
        return "product";
    default:
        return NULL;
    }
}

const char *policy_flag_name(unsigned f)
{
    static const char *const names[POLICY_FLAG_COUNT] = {
        "needs_identity",        "strategy_disclaimer", "escalates_to_product",
        "opens_misuse_incident", "flags_account",       "self_serve_article",
        "needs_package",         "high_risk",           "service_refused"};
    for (unsigned i = 0; i < POLICY_FLAG_COUNT; i++)
        if (f == 1u << i)
            return names[i];
    return NULL;
}
