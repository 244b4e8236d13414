/* test_policy: the core/policy.h contract, the scope decision of issue 5 ("Scope (clauses 2, 3,
 * 4, 7, 8, 9)"), on the default calendar (America/Toronto).
 *
 * The expectations below are written out by hand from the issue, POLICY.md and the policy text
 * (seed/rarelogic-support-policies.txt), not read from policy.c's table: every category x every
 * package scenario x every set of account flags is decided and compared with them.
 *
 * Package scenarios put `now` around local midnight in Eastern time: EST = UTC-5 in January and
 * November (after 2026-11-01), EDT = UTC-4 in July and after 2026-03-08. The package lasts through
 * the end of its last local day, so 23:59:59 local on that day is active and 00:00:00 local the
 * next day is not, whatever the UTC date is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/timefmt.h"
#include "core/calendar.h"
#include "core/policy.h"

static struct calendar *cal;

static int group_setup(void **state)
{
    (void)state;
    struct err e;
    err_clear(&e);
    return cal_new_default(&cal, &e);
}

static int group_teardown(void **state)
{
    (void)state;
    cal_free(cal);
    return 0;
}

static int64_t utc(const char *iso)
{
    int64_t t;
    if (timefmt_parse_iso8601(iso, strlen(iso), &t))
        fail_msg("bad instant %s", iso);
    return t;
}

static int64_t day(int64_t y, int m, int d)
{
    return timefmt_days_from_civil((struct civil_date){y, m, d});
}

/* ---- expectations, written out ------------------------------------------------------------ */

#define IN  POLICY_IN_SCOPE
#define PKG POLICY_IN_SCOPE_BY_PACKAGE
#define OUT POLICY_OUT_OF_SCOPE
#define ANS POLICY_ANSWER

#define F_IDENTITY   POLICY_FLAG_NEEDS_IDENTITY
#define F_DISCLAIMER POLICY_FLAG_STRATEGY_DISCLAIMER
#define F_PRODUCT    POLICY_FLAG_ESCALATES_TO_PRODUCT
#define F_INCIDENT   POLICY_FLAG_OPENS_MISUSE_INCIDENT
#define F_FLAGACCT   POLICY_FLAG_FLAGS_ACCOUNT
#define F_ARTICLE    POLICY_FLAG_SELF_SERVE_ARTICLE
#define F_NEEDPKG    POLICY_FLAG_NEEDS_PACKAGE
#define F_HIGHRISK   POLICY_FLAG_HIGH_RISK
#define F_REFUSED    POLICY_FLAG_SERVICE_REFUSED

/* One outcome: what the decision is. reason_has: a phrase the reason must contain. */
struct outcome {
    enum policy_decision_kind kind;
    const char *macro; /* NULL: none */
    unsigned flags;
    const char *reason_has;
};

/* A category as the issue lists it, with its outcome when the account has an active package and
 * when it has none (the same for every category that is not package-only). */
struct want_cat {
    const char *id;
    const char *clause;
    enum policy_team team;
    struct outcome with_pkg, without_pkg;
};

#define SAME(kind, macro, flags, has)                                                              \
    {kind, macro, flags, has},                                                                     \
    {                                                                                              \
        kind, macro, flags, has                                                                    \
    }

static const struct want_cat want[] = {
    /* in scope (clause 2; 1.4 for questions, 1.5 identity, 1.6 and 8 strategy) */
    {"how_to", "clauses 1.4, 2", POLICY_TEAM_NONE, SAME(IN, NULL, 0, "how-to")},
    {"ecommerce_question", "clauses 1.4, 2", POLICY_TEAM_NONE, SAME(IN, NULL, 0, "e-commerce")},
    {"complaint", "clause 2", POLICY_TEAM_NONE, SAME(IN, NULL, 0, "complaints")},
    {"sales", "clause 2", POLICY_TEAM_SALES, SAME(IN, "scope.in_scope.sales", 0, "sales team")},
    {"billing", "clauses 1.5, 2", POLICY_TEAM_NONE,
     SAME(IN, "scope.in_scope.billing", F_IDENTITY, "identity")},
    {"strategy_session", "clauses 1.6, 2, 8", POLICY_TEAM_NONE,
     SAME(IN, "scope.in_scope.strategy_session", F_DISCLAIMER, "owner's")},
    {"live_demo", "clause 2", POLICY_TEAM_NONE,
     SAME(IN, "scope.in_scope.live_demo", 0, "demonstrations")},
    {"feature_request", "clause 2", POLICY_TEAM_PRODUCT,
     SAME(IN, "scope.in_scope.feature_request", F_PRODUCT, "product team")},
    {"misuse_report", "clauses 2, 12", POLICY_TEAM_NONE,
     SAME(IN, "scope.in_scope.misuse_report", F_INCIDENT, "misuse incident")},
    {"other", "clause 2", POLICY_TEAM_NONE, SAME(IN, NULL, 0, "inquiries")},
    /* in scope only with an active extra support package (footnote ²) */
    {"template_from_scratch",
     "clause 3 (²)",
     POLICY_TEAM_NONE,
     {PKG, "scope.in_scope_by_package.template_from_scratch", 0, "extra support package"},
     {OUT, "scope.out_of_scope.template_from_scratch", F_NEEDPKG,
      "needs an active extra support package"}},
    {"custom_code",
     "clause 3 (²)",
     POLICY_TEAM_NONE,
     {PKG, "scope.in_scope_by_package.custom_code", 0, "extra support package"},
     {OUT, "scope.out_of_scope.custom_code", F_NEEDPKG, "needs an active extra support package"}},
    {"copywriting",
     "clause 3 (²)",
     POLICY_TEAM_NONE,
     {PKG, "scope.in_scope_by_package.copywriting", 0, "extra support package"},
     {OUT, "scope.out_of_scope.copywriting", F_NEEDPKG, "needs an active extra support package"}},
    {"account_management",
     "clause 4 (²)",
     POLICY_TEAM_NONE,
     {PKG, "scope.in_scope_by_package.account_management", 0, "extra support package"},
     {OUT, "scope.out_of_scope.account_management", F_NEEDPKG,
      "needs an active extra support package"}},
    /* out of scope, package or not */
    {"custom_integration", "clause 3", POLICY_TEAM_NONE,
     SAME(OUT, "scope.out_of_scope.custom_integration", 0, "custom integrations")},
    {"business_advice", "clauses 3, 8", POLICY_TEAM_NONE,
     SAME(OUT, "scope.out_of_scope.business_advice", 0, "business advice")},
    {"third_party_info", "clause 3", POLICY_TEAM_NONE,
     SAME(OUT, "scope.out_of_scope.third_party_info", 0, "anyone else's")},
    /* policy answers (refund_request: the account's variant is in refund_want below) */
    {"refund_request", "clause 7 (**)", POLICY_TEAM_NONE,
     SAME(ANS, "scope.policy_answer.refund_request", 0, "no refunds for services rendered")},
    {"contact_deletion", "clause 9", POLICY_TEAM_NONE,
     SAME(ANS, "scope.policy_answer.contact_deletion", F_ARTICLE, "self-serve help article")},
    {"fraud_assistance", "clauses 3, 12", POLICY_TEAM_NONE,
     SAME(ANS, "scope.policy_answer.fraud_assistance", F_FLAGACCT | F_INCIDENT, "flagged")},
};

#define NWANT (sizeof want / sizeof want[0])

/* refund_request by [delinquent][installed] (clause 7 and **). */
static const struct outcome refund_want[2][2] = {
    {{ANS, "scope.policy_answer.refund_request", 0, "no refunds for services rendered"},
     {ANS, "scope.policy_answer.refund_request.installed", 0, "while the app is installed"}},
    {{ANS, "scope.policy_answer.refund_request.delinquent", 0, "delinquent account"},
     {ANS, "scope.policy_answer.refund_request.delinquent", 0, "delinquent account"}},
};

/* A refused account (clause 12, ***), whatever the category. */
static const struct outcome refused_want = {ANS, "scope.service_refused", F_REFUSED,
                                            "refusal notice"};
#define REFUSED_CLAUSE "clause 12 (***)"

/* ---- scenarios ------------------------------------------------------------------------------ */

struct pkg_case {
    const char *name;
    bool has;
    int64_t y;
    int m, d;        /* the package's last local day, when has */
    const char *now; /* ISO 8601 with the local offset */
    bool active;
};

static const struct pkg_case pkgs[] = {
    {"none", false, 0, 0, 0, "2026-01-15T12:00:00-05:00", false},
    {"active a month more", true, 2026, 2, 14, "2026-01-15T12:00:00-05:00", true},
    {"expired yesterday", true, 2026, 1, 14, "2026-01-15T12:00:00-05:00", false},
    {"expired yesterday, at local midnight", true, 2026, 1, 14, "2026-01-15T00:00:00-05:00", false},
    {"expired long ago", true, 2025, 1, 15, "2026-01-15T12:00:00-05:00", false},
    {"expires today, at noon", true, 2026, 1, 15, "2026-01-15T12:00:00-05:00", true},
    {"expires today, at its first second", true, 2026, 1, 15, "2026-01-15T00:00:00-05:00", true},
    /* 23:59:59 EST is 04:59:59Z the next UTC day: a UTC date would call it expired */
    {"expires today, just before local midnight (EST)", true, 2026, 1, 15,
     "2026-01-15T23:59:59-05:00", true},
    {"expires today, at local midnight (EST)", true, 2026, 1, 15, "2026-01-16T00:00:00-05:00",
     false},
    /* 19:30 EST on the 15th is already the 16th in UTC */
    {"expires today, evening after the UTC date changed", true, 2026, 1, 15, "2026-01-16T00:30:00Z",
     true},
    /* 22:00 EST on the 14th is the 15th in UTC: still the last day locally */
    {"expired yesterday by UTC date, still its last local day", true, 2026, 1, 14,
     "2026-01-15T03:00:00Z", true},
    {"expires today, just before local midnight (EDT)", true, 2026, 7, 15,
     "2026-07-15T23:59:59-04:00", true},
    {"expires today, at local midnight (EDT)", true, 2026, 7, 15, "2026-07-16T00:00:00-04:00",
     false},
    /* 2026-03-08: clocks spring forward at 02:00; the day has 23 hours */
    {"expires on the spring-forward day, just before midnight", true, 2026, 3, 8,
     "2026-03-08T23:59:59-04:00", true},
    {"expires on the spring-forward day, at midnight", true, 2026, 3, 8,
     "2026-03-09T00:00:00-04:00", false},
    /* 2026-11-01: clocks fall back at 02:00; the day has 25 hours */
    {"expires on the fall-back day, just before midnight", true, 2026, 11, 1,
     "2026-11-01T23:59:59-05:00", true},
    {"expires on the fall-back day, at midnight", true, 2026, 11, 1, "2026-11-02T00:00:00-05:00",
     false},
    {"expires on the fall-back day, in the repeated hour", true, 2026, 11, 1,
     "2026-11-01T01:30:00-05:00", true},
};

#define NPKGS (sizeof pkgs / sizeof pkgs[0])

struct flag_case {
    const char *name;
    bool delinquent, high_risk, service_refused, installed;
};

static const struct flag_case flagsets[] = {
    {"no flags", false, false, false, false},
    {"delinquent", true, false, false, false},
    {"high_risk", false, true, false, false},
    {"service_refused", false, false, true, false},
    {"installed", false, false, false, true},
    {"delinquent+installed", true, false, false, true},
    {"high_risk+service_refused", false, true, true, false},
    {"all flags", true, true, true, true},
};

#define NFLAGSETS (sizeof flagsets / sizeof flagsets[0])

/* ---- checking ------------------------------------------------------------------------------- */

static const char *str(const char *s)
{
    return s ? s : "(null)";
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* One polite sentence: starts with a capital, ends with a period, no sentence break inside. */
static bool one_sentence(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 20 && s[0] >= 'A' && s[0] <= 'Z' && s[n - 1] == '.' && strstr(s, ". ") == NULL &&
           strchr(s, '\n') == NULL;
}

static int check(const char *what, const struct policy_decision *d, const char *id,
                 const char *clause, enum policy_team team, const struct outcome *o, bool active)
{
    int bad = 0;
    if (d->kind != o->kind) {
        print_error("%s: kind = %s, want %s\n", what, str(policy_kind_name(d->kind)),
                    str(policy_kind_name(o->kind)));
        bad++;
    }
    if (d->category == NULL || strcmp(d->category->id, id) != 0) {
        print_error("%s: category = %s, want %s\n", what, d->category ? d->category->id : "NULL",
                    id);
        bad++;
    }
    if (!same_str(d->clause, clause)) {
        print_error("%s: clause = %s, want %s\n", what, str(d->clause), clause);
        bad++;
    }
    if (!same_str(d->macro, o->macro)) {
        print_error("%s: macro = %s, want %s\n", what, str(d->macro), str(o->macro));
        bad++;
    }
    if (d->team != team) {
        print_error("%s: team = %s, want %s\n", what, str(policy_team_name(d->team)),
                    str(policy_team_name(team)));
        bad++;
    }
    if (d->flags != o->flags) {
        print_error("%s: flags = 0x%x, want 0x%x\n", what, d->flags, o->flags);
        bad++;
    }
    if (d->package_active != active) {
        print_error("%s: package_active = %d, want %d\n", what, d->package_active, active);
        bad++;
    }
    if (!one_sentence(d->reason)) {
        print_error("%s: reason is not one sentence: %s\n", what, str(d->reason));
        bad++;
    } else if (strstr(d->reason, o->reason_has) == NULL) {
        print_error("%s: reason \"%s\" lacks \"%s\"\n", what, d->reason, o->reason_has);
        bad++;
    }
    return bad;
}

/* The expected decision for category w, package scenario p and flags f, from the rules of the
 * issue: refusal first (clause 12), then the package (²), then the refund variants (**), and
 * high_risk added to whatever was decided. */
static void expected(const struct want_cat *w, const struct pkg_case *p, const struct flag_case *f,
                     struct outcome *o, const char **clause, enum policy_team *team)
{
    *clause = w->clause;
    *team = w->team;
    *o = p->active ? w->with_pkg : w->without_pkg;
    if (f->service_refused) {
        *o = refused_want;
        *clause = REFUSED_CLAUSE;
        *team = POLICY_TEAM_NONE;
    } else if (strcmp(w->id, "refund_request") == 0) {
        *o = refund_want[f->delinquent][f->installed];
    }
    if (f->high_risk)
        o->flags |= F_HIGHRISK;
}

static void every_category_package_and_flag(void **state)
{
    (void)state;
    int bad = 0, n = 0;
    for (size_t i = 0; i < NWANT; i++) {
        for (size_t j = 0; j < NPKGS; j++) {
            for (size_t k = 0; k < NFLAGSETS; k++) {
                const struct pkg_case *p = &pkgs[j];
                const struct flag_case *f = &flagsets[k];
                struct policy_account a = {
                    .has_support_package = p->has,
                    .support_package_until = p->has ? day(p->y, p->m, p->d) : 0,
                    .delinquent = f->delinquent,
                    .high_risk = f->high_risk,
                    .service_refused = f->service_refused,
                    .installed = f->installed,
                };
                char what[200];
                snprintf(what, sizeof what, "%s / %s / %s", want[i].id, p->name, f->name);
                struct outcome o;
                const char *clause;
                enum policy_team team;
                expected(&want[i], p, f, &o, &clause, &team);
                struct policy_decision d;
                struct err e;
                err_clear(&e);
                int rc = policy_decide(want[i].id, &a, utc(p->now), cal, &d, &e);
                n++;
                if (rc) {
                    print_error("%s: policy_decide = %d (%s: %s)\n", what, rc, e.field, e.message);
                    bad++;
                    continue;
                }
                bad += check(what, &d, want[i].id, clause, team, &o, p->active);
            }
        }
    }
    assert_int_equal(n, 20 * 18 * 8);
    assert_int_equal(bad, 0);
}

/* A few decisions written out in full, as staff would read them. */
static void written_out(void **state)
{
    (void)state;
    struct policy_decision d;
    struct err e;
    err_clear(&e);
    struct policy_account a = {.has_support_package = true,
                               .support_package_until = day(2026, 1, 15)};

    /* custom code, the package's last day at 23:59:59 EST: in scope by package */
    assert_int_equal(policy_decide("custom_code", &a, utc("2026-01-16T04:59:59Z"), cal, &d, &e), 0);
    assert_int_equal(d.kind, POLICY_IN_SCOPE_BY_PACKAGE);
    assert_string_equal(d.clause, "clause 3 (²)");
    assert_string_equal(d.macro, "scope.in_scope_by_package.custom_code");
    assert_string_equal(d.reason,
                        "Custom code work is included in this account's extra support package.");
    assert_true(d.package_active);
    assert_int_equal(d.flags, 0);

    /* one second later it is midnight in Toronto: out of scope for want of the package */
    assert_int_equal(policy_decide("custom_code", &a, utc("2026-01-16T05:00:00Z"), cal, &d, &e), 0);
    assert_int_equal(d.kind, POLICY_OUT_OF_SCOPE);
    assert_string_equal(d.macro, "scope.out_of_scope.custom_code");
    assert_int_equal(d.flags, POLICY_FLAG_NEEDS_PACKAGE);
    assert_false(d.package_active);

    /* custom integration: out of scope even with the package (no ² in clause 3) */
    assert_int_equal(
        policy_decide("custom_integration", &a, utc("2026-01-15T17:00:00Z"), cal, &d, &e), 0);
    assert_int_equal(d.kind, POLICY_OUT_OF_SCOPE);
    assert_string_equal(d.clause, "clause 3");
    assert_string_equal(d.macro, "scope.out_of_scope.custom_integration");
    assert_true(d.package_active);

    /* a delinquent, installed account asks for a refund */
    struct policy_account del = {.delinquent = true, .installed = true};
    assert_int_equal(
        policy_decide("refund_request", &del, utc("2026-01-15T17:00:00Z"), cal, &d, &e), 0);
    assert_int_equal(d.kind, POLICY_ANSWER);
    assert_string_equal(d.clause, "clause 7 (**)");
    assert_string_equal(d.macro, "scope.policy_answer.refund_request.delinquent");

    /* fraud assistance: never, flags the account, opens a misuse incident */
    assert_int_equal(
        policy_decide("fraud_assistance", NULL, utc("2026-01-15T17:00:00Z"), NULL, &d, &e), 0);
    assert_int_equal(d.kind, POLICY_ANSWER);
    assert_int_equal(d.flags, POLICY_FLAG_FLAGS_ACCOUNT | POLICY_FLAG_OPENS_MISUSE_INCIDENT);

    /* a refused, high-risk account asks for a demo */
    struct policy_account ref = {.service_refused = true, .high_risk = true};
    assert_int_equal(policy_decide("live_demo", &ref, utc("2026-01-15T17:00:00Z"), NULL, &d, &e),
                     0);
    assert_int_equal(d.kind, POLICY_ANSWER);
    assert_string_equal(d.clause, "clause 12 (***)");
    assert_string_equal(d.macro, "scope.service_refused");
    assert_string_equal(d.category->id, "live_demo");
    assert_int_equal(d.team, POLICY_TEAM_NONE);
    assert_int_equal(d.flags, POLICY_FLAG_SERVICE_REFUSED | POLICY_FLAG_HIGH_RISK);

    /* sales from a high-risk account: still the sales team, with the warning */
    struct policy_account hr = {.high_risk = true};
    assert_int_equal(policy_decide("sales", &hr, utc("2026-01-15T17:00:00Z"), NULL, &d, &e), 0);
    assert_int_equal(d.kind, POLICY_IN_SCOPE);
    assert_int_equal(d.team, POLICY_TEAM_SALES);
    assert_int_equal(d.flags, POLICY_FLAG_HIGH_RISK);
}

/* No account (NULL) decides like an account without a package or flags, and needs no calendar. */
static void no_account(void **state)
{
    (void)state;
    struct policy_account none = {0};
    for (size_t i = 0; i < NWANT; i++) {
        struct policy_decision d1, d2;
        struct err e;
        err_clear(&e);
        assert_int_equal(policy_decide(want[i].id, NULL, 0, NULL, &d1, &e), 0);
        assert_int_equal(policy_decide(want[i].id, &none, 0, NULL, &d2, &e), 0);
        assert_int_equal(d1.kind, want[i].without_pkg.kind);
        assert_int_equal(d1.kind, d2.kind);
        assert_ptr_equal(d1.macro, d2.macro);
        assert_ptr_equal(d1.reason, d2.reason);
        assert_int_equal(d1.flags, d2.flags);
        assert_int_equal(d1.flags, want[i].without_pkg.flags);
        assert_false(d1.package_active);
    }
}

/* The list, in the order, with its ids exactly as the issue spells them. */
static void category_list(void **state)
{
    (void)state;
    static const char *const ids[] = {
        "how_to",
        "ecommerce_question",
        "complaint",
        "sales",
        "billing",
        "strategy_session",
        "live_demo",
        "feature_request",
        "misuse_report",
        "other",
        "template_from_scratch",
        "custom_code",
        "copywriting",
        "account_management",
        "custom_integration",
        "business_advice",
        "third_party_info",
        "refund_request",
        "contact_deletion",
        "fraud_assistance",
    };
    const struct policy_category *c = NULL;
    size_t n = policy_categories(&c);
    assert_int_equal(n, 20);
    assert_int_equal(policy_categories(NULL), 20);
    assert_non_null(c);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(c[i].id, ids[i]);
        assert_string_equal(c[i].id, want[i].id);
        assert_string_equal(c[i].clause, want[i].clause);
        assert_int_equal(c[i].kind, want[i].with_pkg.kind);
        assert_int_equal(c[i].team, want[i].team);
        assert_int_equal(c[i].flags, want[i].with_pkg.flags);
        assert_non_null(c[i].label);
        assert_true(one_sentence(c[i].reason));
        assert_ptr_equal(policy_category_find(ids[i]), &c[i]);
        assert_true(policy_category_valid(ids[i]));
    }
}

static void validity(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "How_to",
        "HOW_TO",
        "how_to ",
        " how_to",
        "how-to",
        "how_to\n",
        "refund",
        "refunds",
        "in_scope",
        "priority",
        "other_",
        "ticket.category",
        "scope.out_of_scope.custom_integration",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(policy_category_valid(bad[i]));
        assert_null(policy_category_find(bad[i]));
    }
    assert_false(policy_category_valid(NULL));
    assert_null(policy_category_find(NULL));
}

static void expect_error(const char *category, const struct policy_account *a,
                         const struct calendar *c, bool with_out, const char *field,
                         const char *message)
{
    struct policy_decision d, before;
    memset(&d, 0x5a, sizeof d);
    before = d;
    struct err e;
    err_clear(&e);
    int rc = policy_decide(category, a, utc("2026-01-15T17:00:00Z"), c, with_out ? &d : NULL, &e);
    assert_int_equal(rc, ERR_INVALID);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, field);
    assert_string_equal(e.message, message);
    assert_memory_equal(&d, &before, sizeof d);
    /* e may be NULL */
    assert_int_equal(policy_decide(category, a, 0, c, with_out ? &d : NULL, NULL), ERR_INVALID);
}

static void bad_input(void **state)
{
    (void)state;
    struct policy_account pkg = {.has_support_package = true,
                                 .support_package_until = day(2026, 2, 1)};
    expect_error(NULL, NULL, cal, true, "ticket.category", "category is missing");
    expect_error("", NULL, cal, true, "ticket.category", "category must not be empty");
    expect_error("refund", NULL, cal, true, "ticket.category", "unknown category \"refund\"");
    expect_error("How_To", &pkg, cal, true, "ticket.category", "unknown category \"How_To\"");
    expect_error("how_to\x01\xc3\xa9", NULL, cal, true, "ticket.category",
                 "unknown category \"how_to???\"");
    expect_error("a_very_long_category_name_that_nobody_would_ever_write", NULL, cal, true,
                 "ticket.category",
                 "unknown category \"a_very_long_category_name_that_nobody_wo...\"");
    /* a package to judge needs the calendar; the category is checked first */
    expect_error("custom_code", &pkg, NULL, true, "calendar",
                 "a calendar is needed to judge the support package's last day");
    expect_error("how_to", &pkg, NULL, true, "calendar",
                 "a calendar is needed to judge the support package's last day");
    expect_error("nope", &pkg, NULL, true, "ticket.category", "unknown category \"nope\"");
    expect_error("how_to", NULL, cal, false, "out", "no place for the decision");
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(policy_kind_name(POLICY_IN_SCOPE), "in_scope");
    assert_string_equal(policy_kind_name(POLICY_IN_SCOPE_BY_PACKAGE), "in_scope_by_package");
    assert_string_equal(policy_kind_name(POLICY_OUT_OF_SCOPE), "out_of_scope");
    assert_string_equal(policy_kind_name(POLICY_ANSWER), "policy_answer");
    assert_null(policy_kind_name((enum policy_decision_kind)4));
    assert_null(policy_kind_name((enum policy_decision_kind) - 1));

    assert_null(policy_team_name(POLICY_TEAM_NONE));
    assert_string_equal(policy_team_name(POLICY_TEAM_SALES), "sales");
    assert_string_equal(policy_team_name(POLICY_TEAM_PRODUCT), "product");
    assert_null(policy_team_name((enum policy_team)3));

    static const struct {
        unsigned bit;
        const char *name;
    } flags[] = {
        {POLICY_FLAG_NEEDS_IDENTITY, "needs_identity"},
        {POLICY_FLAG_STRATEGY_DISCLAIMER, "strategy_disclaimer"},
        {POLICY_FLAG_ESCALATES_TO_PRODUCT, "escalates_to_product"},
        {POLICY_FLAG_OPENS_MISUSE_INCIDENT, "opens_misuse_incident"},
        {POLICY_FLAG_FLAGS_ACCOUNT, "flags_account"},
        {POLICY_FLAG_SELF_SERVE_ARTICLE, "self_serve_article"},
        {POLICY_FLAG_NEEDS_PACKAGE, "needs_package"},
        {POLICY_FLAG_HIGH_RISK, "high_risk"},
        {POLICY_FLAG_SERVICE_REFUSED, "service_refused"},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        assert_string_equal(policy_flag_name(flags[i].bit), flags[i].name);
    assert_null(policy_flag_name(0));
    assert_null(policy_flag_name(POLICY_FLAG_NEEDS_IDENTITY | POLICY_FLAG_HIGH_RISK));
    assert_null(policy_flag_name(1u << 9));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_category_package_and_flag),
        cmocka_unit_test(written_out),
        cmocka_unit_test(no_account),
        cmocka_unit_test(category_list),
        cmocka_unit_test(validity),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
