/* test_access: the core/access.h contract. Role and account-role names round-trip and parse by
 * exact match only (the out-parameter untouched on a miss); the staff predicates; and every
 * visibility rule over a fixed cast of subjects (anonymous, requesters with and without an
 * account as owner, member and billing contact, agent, lead, admin) against objects that are
 * theirs, their account's, another account's and nobody's. Expected answers are written out
 * from the header, not computed the way access.c computes them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/access.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ---- names ----------------------------------------------------------------------------------- */

static void role_names_round_trip(void **state)
{
    (void)state;
    static const struct {
        enum access_role r;
        const char *name;
    } cases[] = {
        {ACCESS_END_USER, "end-user"},
        {ACCESS_AGENT, "agent"},
        {ACCESS_LEAD, "lead"},
        {ACCESS_ADMIN, "admin"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_string_equal(access_role_name(cases[i].r), cases[i].name);
        enum access_role got = (enum access_role)99;
        assert_int_equal(access_role_parse(cases[i].name, strlen(cases[i].name), &got), 0);
        assert_int_equal(got, cases[i].r);
    }
    assert_null(access_role_name(ACCESS_ANONYMOUS));
    assert_null(access_role_name((enum access_role)(ACCESS_ADMIN + 1)));
    assert_null(access_role_name((enum access_role) - 1));
}

static void account_role_names_round_trip(void **state)
{
    (void)state;
    static const struct {
        enum access_account_role r;
        const char *name;
    } cases[] = {
        {ACCESS_ACCOUNT_OWNER, "owner"},
        {ACCESS_ACCOUNT_MEMBER, "member"},
        {ACCESS_ACCOUNT_BILLING_CONTACT, "billing_contact"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_string_equal(access_account_role_name(cases[i].r), cases[i].name);
        enum access_account_role got = (enum access_account_role)99;
        assert_int_equal(access_account_role_parse(cases[i].name, strlen(cases[i].name), &got), 0);
        assert_int_equal(got, cases[i].r);
    }
    assert_null(access_account_role_name(ACCESS_ACCOUNT_NONE));
    assert_null(
        access_account_role_name((enum access_account_role)(ACCESS_ACCOUNT_BILLING_CONTACT + 1)));
    assert_null(access_account_role_name((enum access_account_role) - 1));
}

/* Exact match only: case, white space, prefixes, Zendesk's spellings of other things. */
static void role_parse_refuses_near_misses(void **state)
{
    (void)state;
    static const char *const misses[] = {
        "",          "Agent",        "ADMIN",    "agent ",  " agent",
        "agen",      "agents",       "end_user", "enduser", "end-user\n",
        "anonymous", "support lead", "owner",    "staff",   "null",
    };
    for (size_t i = 0; i < sizeof misses / sizeof *misses; i++) {
        enum access_role got = (enum access_role)77;
        if (access_role_parse(misses[i], strlen(misses[i]), &got) != -1)
            fail_msg("access_role_parse(\"%s\") accepted it as %d", misses[i], (int)got);
        assert_int_equal(got, 77); /* untouched on failure */
    }
    /* The length is what counts, not a NUL: "admin" inside a longer buffer parses... */
    enum access_role got = ACCESS_ANONYMOUS;
    assert_int_equal(access_role_parse("adminx", 5, &got), 0);
    assert_int_equal(got, ACCESS_ADMIN);
    /* ...and a prefix of a name does not. */
    got = (enum access_role)77;
    assert_int_equal(access_role_parse("lead", 3, &got), -1);
    assert_int_equal(got, 77);
    /* An embedded NUL is not the end of the name. */
    assert_int_equal(access_role_parse("lead\0x", 6, &got), -1);
    assert_int_equal(got, 77);
}

static void account_role_parse_refuses_near_misses(void **state)
{
    (void)state;
    static const char *const misses[] = {
        "",
        "Owner",
        "owner ",
        "own",
        "owners",
        "billing contact",
        "billing-contact",
        "billing",
        "BILLING_CONTACT",
        "none",
        "admin",
        "end-user",
    };
    for (size_t i = 0; i < sizeof misses / sizeof *misses; i++) {
        enum access_account_role got = (enum access_account_role)77;
        if (access_account_role_parse(misses[i], strlen(misses[i]), &got) != -1)
            fail_msg("access_account_role_parse(\"%s\") accepted it as %d", misses[i], (int)got);
        assert_int_equal(got, 77);
    }
    enum access_account_role got = ACCESS_ACCOUNT_NONE;
    assert_int_equal(access_account_role_parse("memberX", 6, &got), 0);
    assert_int_equal(got, ACCESS_ACCOUNT_MEMBER);
}

/* ---- the cast -------------------------------------------------------------------------------- */

/* Two client accounts, 7 and 8; people 1..; ids chosen so no id equals another kind of id by
 * accident except where a case says so. */
#define ORG_A 7
#define ORG_B 8

enum who {
    ANON,            /* not signed in */
    ANON_ADMIN,      /* user_id 0 with a staff role: still anonymous (defensive) */
    REQ_LONE,        /* requester 11, no account */
    REQ_OWNER,       /* requester 12, owner of ORG_A */
    REQ_MEMBER,      /* requester 13, member of ORG_A */
    REQ_BILLING,     /* requester 14, billing contact of ORG_A */
    REQ_OWNER_B,     /* requester 15, owner of ORG_B */
    REQ_OWNER_NOORG, /* requester 16 with account role owner but no account (bad data) */
    AGENT,           /* 21 */
    LEAD,            /* 22 */
    ADMIN,           /* 23 */
    AGENT_IN_ORG,    /* 24: staff who also sits in ORG_A as a member */
    WHO_COUNT,
};

static const char *const who_names[] = {
    "anonymous",      "anonymous with admin role",
    "lone requester", "owner of A",
    "member of A",    "billing contact of A",
    "owner of B",     "owner without account",
    "agent",          "lead",
    "admin",          "agent in A",
};

static struct access_subject subject(enum who w)
{
    switch (w) {
    case ANON:
        return (struct access_subject){0, ACCESS_ANONYMOUS, 0, ACCESS_ACCOUNT_NONE};
    case ANON_ADMIN:
        return (struct access_subject){0, ACCESS_ADMIN, ORG_A, ACCESS_ACCOUNT_OWNER};
    case REQ_LONE:
        return (struct access_subject){11, ACCESS_END_USER, 0, ACCESS_ACCOUNT_NONE};
    case REQ_OWNER:
        return (struct access_subject){12, ACCESS_END_USER, ORG_A, ACCESS_ACCOUNT_OWNER};
    case REQ_MEMBER:
        return (struct access_subject){13, ACCESS_END_USER, ORG_A, ACCESS_ACCOUNT_MEMBER};
    case REQ_BILLING:
        return (struct access_subject){14, ACCESS_END_USER, ORG_A, ACCESS_ACCOUNT_BILLING_CONTACT};
    case REQ_OWNER_B:
        return (struct access_subject){15, ACCESS_END_USER, ORG_B, ACCESS_ACCOUNT_OWNER};
    case REQ_OWNER_NOORG:
        return (struct access_subject){16, ACCESS_END_USER, 0, ACCESS_ACCOUNT_OWNER};
    case AGENT:
        return (struct access_subject){21, ACCESS_AGENT, 0, ACCESS_ACCOUNT_NONE};
    case LEAD:
        return (struct access_subject){22, ACCESS_LEAD, 0, ACCESS_ACCOUNT_NONE};
    case ADMIN:
        return (struct access_subject){23, ACCESS_ADMIN, 0, ACCESS_ACCOUNT_NONE};
    case AGENT_IN_ORG:
        return (struct access_subject){24, ACCESS_AGENT, ORG_A, ACCESS_ACCOUNT_MEMBER};
    default:
        break;
    }
    fail_msg("no subject %d", (int)w);
    return (struct access_subject){0};
}

/* ---- staff predicates ------------------------------------------------------------------------ */

static void staff_predicates_for_every_subject(void **state)
{
    (void)state;
    static const struct {
        bool staff, lead_or_admin, admin;
    } want[WHO_COUNT] = {
        [ANON] = {false, false, false},        [ANON_ADMIN] = {false, false, false},
        [REQ_LONE] = {false, false, false},    [REQ_OWNER] = {false, false, false},
        [REQ_MEMBER] = {false, false, false},  [REQ_BILLING] = {false, false, false},
        [REQ_OWNER_B] = {false, false, false}, [REQ_OWNER_NOORG] = {false, false, false},
        [AGENT] = {true, false, false},        [LEAD] = {true, true, false},
        [ADMIN] = {true, true, true},          [AGENT_IN_ORG] = {true, false, false},
    };
    for (int w = 0; w < WHO_COUNT; w++) {
        struct access_subject s = subject((enum who)w);
        if (access_is_staff(&s) != want[w].staff)
            fail_msg("access_is_staff(%s) = %d", who_names[w], access_is_staff(&s));
        if (access_is_lead_or_admin(&s) != want[w].lead_or_admin)
            fail_msg("access_is_lead_or_admin(%s) = %d", who_names[w], access_is_lead_or_admin(&s));
        if (access_is_admin(&s) != want[w].admin)
            fail_msg("access_is_admin(%s) = %d", who_names[w], access_is_admin(&s));
        /* Internal notes follow staff exactly. */
        if (access_can_see_internal(&s) != want[w].staff)
            fail_msg("access_can_see_internal(%s) = %d", who_names[w], access_can_see_internal(&s));
    }
}

/* A signed-in subject whose role value is out of the enum is nobody's staff. */
static void unknown_role_values_are_not_staff(void **state)
{
    (void)state;
    const enum access_role odd[] = {ACCESS_ANONYMOUS, (enum access_role)(ACCESS_ADMIN + 1),
                                    (enum access_role) - 1};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        struct access_subject s = {31, odd[i], 0, ACCESS_ACCOUNT_NONE};
        assert_false(access_is_staff(&s));
        assert_false(access_is_lead_or_admin(&s));
        assert_false(access_is_admin(&s));
        assert_false(access_can_see_internal(&s));
        assert_false(access_can_view_ticket(&s, 99, ORG_B));
        assert_false(access_can_view_user(&s, 99, ORG_B));
        assert_false(access_can_view_organization(&s, ORG_B));
    }
}

/* ---- tickets --------------------------------------------------------------------------------- */

/* Tickets by whose they are: (requester_id, organization_id). */
enum ticket_kind {
    T_LONE_OWN,     /* requested by 11, no account */
    T_OWNER_OWN,    /* requested by 12 (owner of A), account A */
    T_MEMBER_OWN,   /* requested by 13 (member of A), account A */
    T_BILLING_OWN,  /* requested by 14 (billing contact of A), account A */
    T_OTHER_IN_A,   /* requested by 17, another member of A */
    T_OTHER_IN_B,   /* requested by 18, account B */
    T_NOBODY_NOORG, /* requested by 19, no account */
    T_OWNER_NOORG,  /* requested by 12 from before they joined an account: no account */
    T_COUNT,
};

static const struct {
    int64_t requester, org;
    const char *name;
} tickets[T_COUNT] = {
    [T_LONE_OWN] = {11, 0, "lone requester's own"},
    [T_OWNER_OWN] = {12, ORG_A, "owner's own in A"},
    [T_MEMBER_OWN] = {13, ORG_A, "member's own in A"},
    [T_BILLING_OWN] = {14, ORG_A, "billing contact's own in A"},
    [T_OTHER_IN_A] = {17, ORG_A, "another member's in A"},
    [T_OTHER_IN_B] = {18, ORG_B, "someone's in B"},
    [T_NOBODY_NOORG] = {19, 0, "a stranger's without account"},
    [T_OWNER_NOORG] = {12, 0, "owner's own without account"},
};

static void ticket_visibility_matrix(void **state)
{
    (void)state;
    /* 1: may view. Staff: everything. A requester: what they requested; an owner also every
     * ticket of their account; members and billing contacts only their own. */
    static const bool want[WHO_COUNT][T_COUNT] = {
        /*                   lone  ownr  mmbr  bill  othA  othB  nobd  ownr0 */
        [ANON] = {0, 0, 0, 0, 0, 0, 0, 0},        [ANON_ADMIN] = {0, 0, 0, 0, 0, 0, 0, 0},
        [REQ_LONE] = {1, 0, 0, 0, 0, 0, 0, 0},    [REQ_OWNER] = {0, 1, 1, 1, 1, 0, 0, 1},
        [REQ_MEMBER] = {0, 0, 1, 0, 0, 0, 0, 0},  [REQ_BILLING] = {0, 0, 0, 1, 0, 0, 0, 0},
        [REQ_OWNER_B] = {0, 0, 0, 0, 0, 1, 0, 0}, [REQ_OWNER_NOORG] = {0, 0, 0, 0, 0, 0, 0, 0},
        [AGENT] = {1, 1, 1, 1, 1, 1, 1, 1},       [LEAD] = {1, 1, 1, 1, 1, 1, 1, 1},
        [ADMIN] = {1, 1, 1, 1, 1, 1, 1, 1},       [AGENT_IN_ORG] = {1, 1, 1, 1, 1, 1, 1, 1},
    };
    int wrong = 0;
    for (int w = 0; w < WHO_COUNT; w++) {
        struct access_subject s = subject((enum who)w);
        for (int t = 0; t < T_COUNT; t++) {
            bool got = access_can_view_ticket(&s, tickets[t].requester, tickets[t].org);
            if (got != want[w][t]) {
                print_error("access_can_view_ticket(%s, %s) = %d, want %d\n", who_names[w],
                            tickets[t].name, got, want[w][t]);
                wrong++;
            }
        }
    }
    assert_int_equal(wrong, 0);
}

/* An owner with no account (organization_id 0) must not see every account-less ticket by
 * matching 0 == 0; nor may anonymous (user_id 0) match a requester_id of 0. */
static void zero_ids_never_match(void **state)
{
    (void)state;
    struct access_subject owner_noorg = subject(REQ_OWNER_NOORG);
    assert_false(access_can_view_ticket(&owner_noorg, 19, 0));
    assert_false(access_can_view_user(&owner_noorg, 19, 0));
    assert_false(access_can_view_organization(&owner_noorg, 0));
    struct access_subject anon = subject(ANON);
    assert_false(access_can_view_ticket(&anon, 0, 0));
    assert_false(access_can_view_user(&anon, 0, 0));
    assert_false(access_can_view_organization(&anon, 0));
    struct access_subject anon_admin = subject(ANON_ADMIN);
    assert_false(access_can_view_ticket(&anon_admin, 0, ORG_A));
    assert_false(access_can_view_user(&anon_admin, 0, ORG_A));
    assert_false(access_can_view_organization(&anon_admin, ORG_A));
}

/* ---- users ----------------------------------------------------------------------------------- */

enum user_kind {
    U_LONE,     /* 11, no account */
    U_OWNER,    /* 12, owner of A */
    U_MEMBER,   /* 13, member of A */
    U_BILLING,  /* 14, billing contact of A */
    U_OTHER_A,  /* 17, another member of A */
    U_OWNER_B,  /* 15, owner of B */
    U_STRANGER, /* 19, no account */
    U_AGENT,    /* 21, staff */
    U_COUNT,
};

static const struct {
    int64_t id, org;
    const char *name;
} users[U_COUNT] = {
    [U_LONE] = {11, 0, "lone requester"},
    [U_OWNER] = {12, ORG_A, "owner of A"},
    [U_MEMBER] = {13, ORG_A, "member of A"},
    [U_BILLING] = {14, ORG_A, "billing contact of A"},
    [U_OTHER_A] = {17, ORG_A, "another member of A"},
    [U_OWNER_B] = {15, ORG_B, "owner of B"},
    [U_STRANGER] = {19, 0, "stranger"},
    [U_AGENT] = {21, 0, "agent"},
};

static void user_visibility_matrix(void **state)
{
    (void)state;
    /* Staff: anyone; others: themselves, and an account owner the people of their account. */
    static const bool want[WHO_COUNT][U_COUNT] = {
        /*                   lone  ownr  mmbr  bill  othA  ownB  strg  agnt */
        [ANON] = {0, 0, 0, 0, 0, 0, 0, 0},        [ANON_ADMIN] = {0, 0, 0, 0, 0, 0, 0, 0},
        [REQ_LONE] = {1, 0, 0, 0, 0, 0, 0, 0},    [REQ_OWNER] = {0, 1, 1, 1, 1, 0, 0, 0},
        [REQ_MEMBER] = {0, 0, 1, 0, 0, 0, 0, 0},  [REQ_BILLING] = {0, 0, 0, 1, 0, 0, 0, 0},
        [REQ_OWNER_B] = {0, 0, 0, 0, 0, 1, 0, 0}, [REQ_OWNER_NOORG] = {0, 0, 0, 0, 0, 0, 0, 0},
        [AGENT] = {1, 1, 1, 1, 1, 1, 1, 1},       [LEAD] = {1, 1, 1, 1, 1, 1, 1, 1},
        [ADMIN] = {1, 1, 1, 1, 1, 1, 1, 1},       [AGENT_IN_ORG] = {1, 1, 1, 1, 1, 1, 1, 1},
    };
    int wrong = 0;
    for (int w = 0; w < WHO_COUNT; w++) {
        struct access_subject s = subject((enum who)w);
        for (int u = 0; u < U_COUNT; u++) {
            bool got = access_can_view_user(&s, users[u].id, users[u].org);
            if (got != want[w][u]) {
                print_error("access_can_view_user(%s, %s) = %d, want %d\n", who_names[w],
                            users[u].name, got, want[w][u]);
                wrong++;
            }
        }
    }
    assert_int_equal(wrong, 0);
}

/* ---- organizations --------------------------------------------------------------------------- */

static void organization_visibility_matrix(void **state)
{
    (void)state;
    /* Staff: any account; others: their own account, whatever their account role. No account
     * (0) is nobody's to view. */
    static const int64_t orgs[] = {ORG_A, ORG_B, 0, 9};
    static const bool want[WHO_COUNT][4] = {
        /*                   A     B     none  C */
        [ANON] = {0, 0, 0, 0},        [ANON_ADMIN] = {0, 0, 0, 0},
        [REQ_LONE] = {0, 0, 0, 0},    [REQ_OWNER] = {1, 0, 0, 0},
        [REQ_MEMBER] = {1, 0, 0, 0},  [REQ_BILLING] = {1, 0, 0, 0},
        [REQ_OWNER_B] = {0, 1, 0, 0}, [REQ_OWNER_NOORG] = {0, 0, 0, 0},
        [AGENT] = {1, 1, 0, 1},       [LEAD] = {1, 1, 0, 1},
        [ADMIN] = {1, 1, 0, 1},       [AGENT_IN_ORG] = {1, 1, 0, 1},
    };
    int wrong = 0;
    for (int w = 0; w < WHO_COUNT; w++) {
        struct access_subject s = subject((enum who)w);
        for (size_t o = 0; o < sizeof orgs / sizeof *orgs; o++) {
            bool got = access_can_view_organization(&s, orgs[o]);
            if (got != want[w][o]) {
                print_error("access_can_view_organization(%s, %lld) = %d, want %d\n", who_names[w],
                            (long long)orgs[o], got, want[w][o]);
                wrong++;
            }
        }
    }
    assert_int_equal(wrong, 0);
}

static void staff_role_names(void **state)
{
    assert_true(access_role_name_is_staff("agent"));
    assert_true(access_role_name_is_staff("lead"));
    assert_true(access_role_name_is_staff("admin"));
    assert_false(access_role_name_is_staff("end-user"));
    assert_false(access_role_name_is_staff("Admin"));
    assert_false(access_role_name_is_staff("admin "));
    assert_false(access_role_name_is_staff(""));
    assert_false(access_role_name_is_staff(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(staff_role_names),
        cmocka_unit_test(role_names_round_trip),
        cmocka_unit_test(account_role_names_round_trip),
        cmocka_unit_test(role_parse_refuses_near_misses),
        cmocka_unit_test(account_role_parse_refuses_near_misses),
        cmocka_unit_test(staff_predicates_for_every_subject),
        cmocka_unit_test(unknown_role_values_are_not_staff),
        cmocka_unit_test(ticket_visibility_matrix),
        cmocka_unit_test(zero_ids_never_match),
        cmocka_unit_test(user_visibility_matrix),
        cmocka_unit_test(organization_visibility_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
