#include "service/demo.h"
#include "service/ticket_sla.h"

#include "base/buf.h"
#include "base/timefmt.h"
#include "core/tags.h"
#include "service/auth.h"
#include "service/calendar_cache.h"
#include "service/category_rules.h"
#include "service/seed.h"
#include "service/ticket_policy.h"
#include "store/roster.h"
#include "store/audit.h"
#include "store/groups.h"
#include "store/organizations.h"
#include "store/settings.h"
#include "store/tickets.h"
#include "store/users.h"

#include <stdio.h>
#include <string.h>

#define LOADED_MARKER   "demo.loaded_at"
#define PACKAGE_DAYS    182  /* the extra support package runs about six months from today */
#define AUTO_CLOSE_DAYS 4    /* a solved demo ticket is closed this long after (by the system) */
#define COMMENTS_MAX    4    /* per demo ticket */
#define TAG_LIST_MAX    1024 /* bytes of one demo ticket's tag list */

/* Minutes, for the ticket table: created H(3) ago, a reply D(1) + H(2) after. */
#define H(n) ((n)*60)
#define D(n) ((n)*1440)

/* ---- the accounts ---------------------------------------------------------------------------- */

enum { NO_ORG = -1, MAPLE, BRIGHT, GLOW, TIDE, ORG_COUNT };

struct demo_org {
    const char *name;
    const char *plan;
    int64_t rate_cents;
    bool package; /* extra support package until today + PACKAGE_DAYS */
    bool uninstalled;
    bool delinquent;
    bool high_risk;
};

static const struct demo_org orgs[ORG_COUNT] = {
    [MAPLE] = {"Maple & Moss Outfitters", "Growth", 29900, .package = true},
    [BRIGHT] = {"Brightside Pet Supply", "Starter", 4900, .uninstalled = true, .delinquent = true},
    [GLOW] = {"Glowline Supplements", "Pro", 59900, .high_risk = true},
    [TIDE] = {"Tidewater Ceramics", "Starter", 4900},
};

/* ---- the people ------------------------------------------------------------------------------ */

/* Staff first: the report lists the sign-ins in this order. */
/* clang-format off */
enum {
    NOBODY = -1,
    DANA, MARCUS, SOFIA, TOM, AIKO, /* staff */
    HANNAH, LEO, GRACE,             /* Maple & Moss */
    CARLOS, NADIA,                  /* Brightside */
    VICTOR, JESS,                   /* Glowline */
    RUTH, BEN,                      /* Tidewater */
    OMAR,                           /* a prospect, no account */
    PEOPLE_COUNT,
    STAFF_COUNT = HANNAH,
};
/* clang-format on */

/* The default teams, in seed_group_names' order. */
enum { NO_TEAM = -1, PRODUCT, ENGINEERING, BILLING, SALES, TEAM_COUNT };
#define IN(t) (1u << (t))

struct demo_person {
    const char *name;
    const char *phone; /* NULL: none */
    int org;
    const char *account_role;
    unsigned teams; /* IN(team) bits, staff only */
};

static const struct demo_signin signins[PEOPLE_COUNT] = {
    [DANA] = {"dana@rarelogic.example", "admin", "admin (Billing)"},
    [MARCUS] = {"marcus@rarelogic.example", "lead", "support lead (all teams)"},
    [SOFIA] = {"sofia@rarelogic.example", "agent", "agent (Product, Sales)"},
    [TOM] = {"tom@rarelogic.example", "agent", "agent (Billing, Sales)"},
    [AIKO] = {"aiko@rarelogic.example", "agent", "agent (Engineering, Product)"},
    [HANNAH] = {"hannah@maplemoss.example", "end-user",
                "owner, Maple & Moss Outfitters (extra support package)"},
    [LEO] = {"leo@maplemoss.example", "end-user", "member, Maple & Moss Outfitters"},
    [GRACE] = {"billing@maplemoss.example", "end-user", "billing contact, Maple & Moss Outfitters"},
    [CARLOS] = {"carlos@brightsidepets.example", "end-user",
                "owner, Brightside Pet Supply (delinquent, uninstalled)"},
    [NADIA] = {"nadia@brightsidepets.example", "end-user",
               "billing contact, Brightside Pet Supply"},
    [VICTOR] = {"victor@glowline.example", "end-user", "owner, Glowline Supplements (high risk)"},
    [JESS] = {"jess@glowline.example", "end-user", "member, Glowline Supplements"},
    [RUTH] = {"ruth@tidewaterceramics.example", "end-user", "owner, Tidewater Ceramics"},
    [BEN] = {"ben@tidewaterceramics.example", "end-user", "member, Tidewater Ceramics"},
    [OMAR] = {"omar@kettleandcrumb.example", "end-user", "prospect, no account"},
};

static const struct demo_person people[PEOPLE_COUNT] = {
    [DANA] = {"Dana Whitfield", NULL, NO_ORG, NULL, IN(BILLING)},
    [MARCUS] = {"Marcus Oyelaran", "+1 416-555-0100", NO_ORG, NULL,
                IN(PRODUCT) | IN(ENGINEERING) | IN(BILLING) | IN(SALES)},
    [SOFIA] = {"Sofia Alvarez", NULL, NO_ORG, NULL, IN(PRODUCT) | IN(SALES)},
    [TOM] = {"Tom Becker", NULL, NO_ORG, NULL, IN(BILLING) | IN(SALES)},
    [AIKO] = {"Aiko Tanaka", NULL, NO_ORG, NULL, IN(ENGINEERING) | IN(PRODUCT)},
    [HANNAH] = {"Hannah Lindqvist", "+1 416-555-0142", MAPLE, "owner", 0},
    [LEO] = {"Leo Park", NULL, MAPLE, "member", 0},
    [GRACE] = {"Grace Osei", "+1 416-555-0178", MAPLE, "billing_contact", 0},
    [CARLOS] = {"Carlos Mendes", "+1 604-555-0119", BRIGHT, "owner", 0},
    [NADIA] = {"Nadia Fraser", NULL, BRIGHT, "billing_contact", 0},
    [VICTOR] = {"Victor Hale", NULL, GLOW, "owner", 0},
    [JESS] = {"Jess Monroe", "+1 305-555-0166", GLOW, "member", 0},
    [RUTH] = {"Ruth Abernathy", "+1 902-555-0131", TIDE, "owner", 0},
    [BEN] = {"Ben Carter", NULL, TIDE, "member", 0},
    [OMAR] = {"Omar Haddad", "+1 514-555-0187", NO_ORG, NULL, 0},
};

static bool is_staff(int person)
{
    return person >= 0 && person < STAFF_COUNT;
}

/* ---- the tickets ----------------------------------------------------------------------------- */

struct demo_comment {
    int author; /* NOBODY ends the list */
    int after;  /* minutes after the ticket was created */
    bool note;  /* an internal note */
    const char *body;
};

/* One ticket and its conversation. The first comment's author is the submitter: the requester,
 * or for a logged call the agent who took it (the ticket is then born open, assigned). Status
 * follows the staff's comments: their first opens the ticket and sets assignee and team, their
 * last leaves it in its final status (closed: solved, then closed AUTO_CLOSE_DAYS later by the
 * system). So a ticket that ends new has no staff comment, and every other one has some. */
struct demo_ticket {
    const char *subject;
    const char *channel;
    const char *status;
    const char *priority;
    int requester;
    int assignee;
    int team;
    int ago; /* minutes before now it was created */
    const char *tags;
    struct demo_comment c[COMMENTS_MAX];
};

/* One ticket reads as a block, its fields packed as in a table. */
/* clang-format off */
#define END {NOBODY, 0, false, NULL}

/* Realistic requests to an e-commerce marketing platform's desk; the policy clause a ticket
 * shows off is in its tags (refund_request, contact_deletion, feature_request, ...). */
static const struct demo_ticket tickets[] = {
    {"Popups stopped showing on our store this morning", "email", "open", "urgent", HANNAH, AIKO,
     ENGINEERING, H(2), "outage popups",
     {{HANNAH, 0, false,
       "Hi team,\n\nSince about 8 this morning none of our signup or exit popups are showing on "
       "maplemoss.example. Nothing changed on our side. It's the start of our holiday sale and "
       "we're losing signups every minute. Please help!\n\nHannah"},
      {AIKO, 25, false,
       "Hi Hannah, thanks for the quick report. We can reproduce it: the popup script is not "
       "loading for a group of stores, yours included. Our engineers are on it and I'll update "
       "you within the hour."},
      {AIKO, 32, true,
       "Script CDN answers 503 for shops on cluster eu-2. Incident opened with Engineering; no "
       "workaround for the customer, so Critical."},
      END}},
    {"Abandoned cart flow sent 0 emails today", "chat", "open", "urgent", JESS, AIKO, ENGINEERING,
     H(3), "automation flows",
     {{JESS, 0, false,
       "Chat transcript: our abandoned cart flow shows 240 entered today and 0 emails sent. It "
       "was working yesterday. Is something down?"},
      {AIKO, 6, false,
       "Thanks Jess. I see the flow is stuck in 'queued' since 02:10. I've raised it with "
       "engineering and will follow up here."},
      {JESS, H(1) + 40, false, "Still nothing sent as of now. Any news?"},
      END}},
    {"How do I add a discount code to the welcome email?", "web", "new", "normal", RUTH, NOBODY,
     NO_TEAM, 40, "how_to",
     {{RUTH, 0, false,
       "I'd like new subscribers to get WELCOME10 in the first email of the welcome series. "
       "Where do I put the code so it shows as a button?"},
      END}},
    {"Refund for last month? We stopped using the app", "email", "pending", "normal", CARLOS, TOM,
     BILLING, D(6), "billing refund_request",
     {{CARLOS, 0, false,
       "We uninstalled RareLogic three weeks ago and want a refund for last month's charge. We "
       "barely used it."},
      {TOM, H(3), true,
       "Account delinquent since October, uninstalled on the 3rd. Charges are for the months it "
       "was installed (includes contact storage). Policy 7: no refund for services rendered."},
      {TOM, H(3) + 10, false,
       "Hi Carlos, thanks for writing. Our policy is that we don't refund services already "
       "provided, and while the app was installed that included storing your contacts. Your "
       "account has an open balance for October and November; once it's settled no further "
       "charges will be made since the app is uninstalled. Would you like me to send the "
       "invoice again?"},
      END}},
    {"Please delete the contacts who unsubscribed", "web", "solved", "normal", BEN, SOFIA, PRODUCT,
     D(9), "contact_deletion",
     {{BEN, 0, false,
       "We have about 1,800 unsubscribed contacts. Can you delete them for us so we stop paying "
       "for them?"},
      {SOFIA, H(2), false,
       "Hi Ben! You can do this yourself in a couple of minutes: Audience > Segments > "
       "'Unsubscribed', select all, then Actions > Delete contacts. Our help article 'Deleting "
       "contacts in bulk' has screenshots. Let me know if anything is unclear."},
      {BEN, H(5), false, "Done, that was easy. Thanks!"},
      {SOFIA, H(5) + 20, false, "Great to hear. I'll mark this as solved."},
      }},
    {"Feature request: send SMS in each customer's time zone", "web", "hold", "high", LEO, SOFIA,
     PRODUCT, D(8), "feature_request sms",
     {{LEO, 0, false,
       "We sell across Canada and the US. It would be great if scheduled SMS went out at 10 am "
       "in each customer's own time zone instead of ours."},
      {SOFIA, H(1), false,
       "Thanks Leo, that makes a lot of sense. I've passed it to our product team with your "
       "use case and will let you know when there's news."},
      {SOFIA, H(1) + 5, true, "Linked to FR-112: four other accounts asked for local-time sends."},
      END}},
    {"Call: pricing for 50k contacts and a live demo", "voice", "solved", "normal", OMAR, TOM,
     SALES, D(4), "sales",
     {{TOM, 0, false,
       "Inbound call from Omar (Kettle & Crumb bakery, Shopify, ~50k contacts). Asked about "
       "Growth vs Pro pricing and wants a live demo for his marketing lead."},
      {TOM, H(2), false,
       "Hi Omar, great talking to you. As promised: Growth covers up to 50,000 contacts and Pro "
       "adds SMS and advanced segments. Your demo is booked for Thursday at 2 pm Eastern; the "
       "invite is on its way."},
      END}},
    {"Invoice shows two charges for November", "email", "open", "high", GRACE, TOM, BILLING,
     D(1) + H(2), "billing duplicate_charge",
     {{GRACE, 0, false,
       "Our card statement shows two charges of $299.00 on November 1. Can you check? Invoice "
       "numbers RL-20931 and RL-20932."},
      {TOM, H(1), true,
       "Grace is the billing contact on file. Card retry after a timeout charged twice; finance "
       "will reverse RL-20932."},
      {TOM, H(1) + 10, false,
       "Hi Grace, you're right, the second charge was a duplicate from a payment retry. We're "
       "reversing it; you can expect it back on your card within 5 to 7 business days."},
      END}},
    {"Why was our account flagged?", "email", "hold", "normal", VICTOR, MARCUS, BILLING, D(3),
     "high_risk",
     {{VICTOR, 0, false,
       "Our dashboard says the account is under review and sends are limited. Nobody told us "
       "why. We have a launch next week."},
      {MARCUS, H(4), true,
       "High-risk flag from payments: chargeback ratio 2.8% last month plus two spam "
       "complaints. Waiting on the payments team's evidence before any decision."},
      {MARCUS, H(4) + 15, false,
       "Hi Victor, I'm the support lead looking after this. Your account is under a routine "
       "review triggered by payment disputes. I'm waiting on details from our payments team and "
       "expect to update you by Friday."},
      END}},
    {"Update our billing email address", "email", "closed", "low", NADIA, TOM, BILLING, D(25),
     "billing",
     {{NADIA, 0, false, "Please send invoices to accounts@brightsidepets.example from now on."},
      {TOM, H(5), false,
       "Hi Nadia, done: future invoices go to accounts@brightsidepets.example."},
      END}},
    {"Can I use our own font in email templates?", "chat", "closed", "normal", RUTH, SOFIA,
     PRODUCT, D(20), "how_to templates",
     {{RUTH, 0, false, "Chat transcript: can I upload our brand font for the templates?"},
      {SOFIA, 4, false,
       "Yes: Templates > Brand > Fonts > Add web font, then paste the font's URL. Outlook falls "
       "back to the font you choose as a fallback, so pick one close to yours."},
      {RUTH, 9, false, "Perfect, thank you!"},
      {SOFIA, 11, false, "You're welcome, Ruth. Have a great day!"}}},
    {"Help building a holiday template from scratch", "web", "solved", "high", HANNAH, SOFIA,
     PRODUCT, D(5), "extra_support templates",
     {{HANNAH, 0, false,
       "We'd love a holiday gift guide template with three product blocks and a countdown. Can "
       "you build it for us? We have the extra support package."},
      {SOFIA, H(3), true, "Extra support package active: templates from scratch are in scope."},
      {SOFIA, D(1) + H(1), false,
       "Hi Hannah, your 'Holiday Gift Guide' template is ready in Templates > Shared with you. "
       "The countdown ends on December 24 at midnight; everything else is editable."},
      END}},
    {"API: 429 Too Many Requests when syncing products", "api", "new", "low", BEN, NOBODY,
     NO_TEAM, H(3), "api",
     {{BEN, 0, false,
       "Our nightly product sync gets HTTP 429 after about 600 requests. What's the rate limit "
       "and should we be batching?"},
      END}},
    {"Shopify order sync missing 12 orders", "web", "pending", "normal", JESS, AIKO, ENGINEERING,
     D(2), "integration shopify",
     {{JESS, 0, false,
       "Twelve orders from Saturday never showed up in RareLogic, so those customers didn't get "
       "their post-purchase email."},
      {AIKO, H(2), false,
       "Hi Jess, could you send two or three of the missing order numbers? I'll trace them "
       "through the sync log."},
      END}},
    {"Call: segment counts look wrong", "voice", "closed", "normal", LEO, AIKO, ENGINEERING,
     D(18), "segments",
     {{AIKO, 0, false,
       "Leo called: 'VIP customers' segment shows 312 but their Shopify report says 340. Walked "
       "through the conditions together."},
      {AIKO, H(1), false,
       "Hi Leo, following up on our call: the 28 missing customers have no email consent, and "
       "segments only count contacts you can email. Adding 'SMS consent' as an OR condition "
       "brings it to 340."},
      END}},
    {"Do you integrate with WooCommerce?", "web", "new", "normal", OMAR, NOBODY, NO_TEAM, D(1),
     "sales",
     {{OMAR, 0, false,
       "We also run a second store on WooCommerce. Does RareLogic connect to it, or only to "
       "Shopify?"},
      END}},
    {"Call: storage charges after we uninstalled", "voice", "open", "normal", CARLOS, MARCUS,
     BILLING, D(1) + H(4), "billing delinquent",
     {{MARCUS, 0, false,
       "Carlos called about charges after uninstalling. Explained that charges cover the months "
       "the app was installed, including contact storage, and that nothing is charged after "
       "the uninstall."},
      {MARCUS, 10, true,
       "Caller raised his voice and swore twice; asked him to keep it respectful (clause 5). No "
       "ban. Tom has the refund ticket."},
      {CARLOS, H(3), false,
       "I still don't see why I pay for storage I never asked for. Send me the breakdown."},
      END}},
    {"Upgrading mid-month: is it prorated?", "email", "solved", "normal", RUTH, TOM, SALES, D(7),
     "billing plans",
     {{RUTH, 0, false,
       "If we move from Starter to Growth on the 15th, do we pay the full month of Growth?"},
      {TOM, H(2), false,
       "Hi Ruth, no: the upgrade is prorated to the day, and the unused part of Starter is "
       "credited on your next invoice."},
      END}},
    {"Can you write our product descriptions?", "chat", "closed", "normal", VICTOR, SOFIA,
     PRODUCT, D(15), "copywriting out_of_scope",
     {{VICTOR, 0, false,
       "Chat transcript: we need copy for 40 new products. Can your team write it?"},
      {SOFIA, 5, false,
       "Hi Victor, copywriting isn't something our support team can take on with your current "
       "plan, but our help center has a guide to writing product blurbs that convert, and our "
       "extra support package includes copywriting help if you'd like to know more."},
      END}},
    {"Webhook signature verification fails after key rotation", "api", "pending", "high", HANNAH,
     AIKO, ENGINEERING, D(4), "api webhooks",
     {{HANNAH, 0, false,
       "Since we rotated the signing key on Monday our endpoint rejects every webhook: the "
       "signature never matches."},
      {AIKO, H(2), false,
       "Hi Hannah, after a rotation both keys sign for 24 hours. Could you check that your "
       "endpoint uses the new key's secret, and send one failing delivery id?"},
      END}},
    {"Welcome email shows {{first_name}} literally", "email", "open", "normal", BEN, SOFIA,
     PRODUCT, D(2), "templates",
     {{BEN, 0, false,
       "Some customers get 'Hi {{first_name}}' in the welcome email instead of their name."},
      {SOFIA, H(3), false,
       "Hi Ben, that happens when the merge tag is typed with curly quotes or extra spaces. "
       "Could you re-insert it with the Personalize button and send a test?"},
      {BEN, D(1), false, "Re-inserted it, the test looks fine, but a customer still got the "
                         "raw tag this morning."},
      END}},
    {"How do I export my subscriber list to CSV?", "email", "solved", "low", JESS, SOFIA, PRODUCT,
     D(10), "how_to",
     {{JESS, 0, false, "I need a CSV of all subscribers for our accountant."},
      {SOFIA, H(1), false,
       "Hi Jess: Audience > All contacts > Export, pick the fields you want, and the CSV arrives "
       "by email within a few minutes."},
      END}},
    {"Copy of our receipts for Q3", "web", "closed", "normal", GRACE, TOM, BILLING, D(24),
     "billing",
     {{GRACE, 0, false, "Could you send the receipts for July, August and September?"},
      {TOM, H(4), false,
       "Hi Grace, the three receipts are attached to your billing page under Settings > Billing "
       "> Invoices, and I've emailed them to you as well."},
      END}},
    {"Can we reinstall and keep our old data?", "web", "new", "normal", NADIA, NOBODY, NO_TEAM,
     H(5), "reinstall",
     {{NADIA, 0, false,
       "If we reinstall the app, will our old contacts and flows still be there?"},
      END}},
    {"Call: SMS not delivered to Canadian numbers", "voice", "hold", "normal", RUTH, AIKO,
     ENGINEERING, D(3) + H(2), "sms carrier",
     {{AIKO, 0, false,
       "Ruth called: SMS to +1 902 numbers show 'delivered' for us but customers get nothing "
       "since Tuesday."},
      {AIKO, H(2), true, "Carrier ticket CX-4471 opened with our SMS provider; waiting on them."},
      {AIKO, H(2) + 5, false,
       "Hi Ruth, we've opened a case with our SMS carrier and are waiting for their answer. "
       "I'll update you as soon as I hear back."},
      END}},
    {"Strategy session on win-back campaigns", "web", "pending", "normal", VICTOR, SOFIA, PRODUCT,
     D(2) + H(5), "strategy_session",
     {{VICTOR, 0, false,
       "We'd like a call to plan a win-back campaign for customers who haven't bought in six "
       "months."},
      {SOFIA, H(3), false,
       "Hi Victor, happy to. I can do Tuesday 11 am or Wednesday 3 pm Eastern: which suits you? "
       "As always, we share what works for other stores but can't promise results."},
      END}},
    {"How to A/B test subject lines", "chat", "solved", "high", LEO, SOFIA, PRODUCT, D(3),
     "how_to campaigns",
     {{LEO, 0, false, "Chat transcript: how do I test two subject lines on one campaign?"},
      {SOFIA, 3, false,
       "In the campaign editor choose 'A/B test', add the second subject line and pick the "
       "split (we suggest 20% per variant); the winner goes to the rest after 4 hours."},
      {LEO, 7, false, "Got it, thanks!"},
      {SOFIA, 8, false, "Good luck with the campaign, Leo!"}}},
    {"Do you offer a nonprofit discount?", "email", "closed", "low", OMAR, TOM, SALES, D(21),
     "sales",
     {{OMAR, 0, false, "We donate part of our sales to a food bank. Any nonprofit pricing?"},
      {TOM, H(6), false,
       "Hi Omar, our discounts are for registered charities only, so a bakery wouldn't qualify, "
       "but annual billing saves two months on any plan."},
      END}},
    {"Change the card on file", "chat", "pending", "low", BEN, TOM, BILLING, D(1) + H(1),
     "billing",
     {{BEN, 0, false, "Chat transcript: I need to change the credit card we pay with."},
      {TOM, 4, false,
       "Hi Ben, for security only the account owner or billing contact can change the card. "
       "Could you ask Ruth to do it under Settings > Billing, or to reply here authorising you?"},
      END}},
    {"Custom code: countdown timer on product pages?", "email", "new", "high", HANNAH, NOBODY,
     NO_TEAM, 20, "custom_code extra_support",
     {{HANNAH, 0, false,
       "Could you help us add a small script that shows the sale countdown on our product "
       "pages too, not just in emails?"},
      END}},
    {"Bulk contact import via API drops phone numbers", "api", "solved", "normal", JESS, AIKO,
     ENGINEERING, D(6), "api import",
     {{JESS, 0, false,
       "POST /contacts/bulk imports the emails fine but every phone field is empty afterwards."},
      {AIKO, H(2), false,
       "Hi Jess, phone numbers must be in E.164 form (+13055550166); others are dropped. The "
       "response lists them under 'skipped_fields'."},
      {JESS, H(4), false, "That was it, the reimport worked."},
      {AIKO, H(4) + 15, false, "Great! Solving this one; reply any time if it comes back."}}},
    {"Payment failed: how do I pay the overdue invoice?", "email", "closed", "normal", CARLOS,
     MARCUS, BILLING, D(28), "billing delinquent",
     {{CARLOS, 0, false, "We got a payment failed notice. How do we pay the overdue invoice?"},
      {MARCUS, H(3), false,
       "Hi Carlos, you can pay it from Settings > Billing > Pay now with a new card. Accounts "
       "stay delinquent until it's paid, and storage is charged while the app stays installed."},
      END}},
};
/* clang-format on */

#define TICKET_COUNT (sizeof tickets / sizeof *tickets)

/* ---- loading ------------------------------------------------------------------------------- */

struct demo_ctx {
    const struct env *env;
    const char *hash; /* the demo password's hash, for everyone */
    int64_t now;
    int64_t org_id[ORG_COUNT];
    int64_t person_id[PEOPLE_COUNT];
    int64_t team_id[TEAM_COUNT];
    struct demo_report report;
};

/* The id of the team named name (any case): the groups store has no lookup by name, so this
 * scans the list (a handful of teams). ERR_NOT_FOUND naming "group" when absent. */
static int find_team(struct db *db, const char *name, int64_t *id, struct err *e)
{
    struct group page[8];
    int64_t after = 0;
    for (;;) {
        size_t n = 0;
        int rc = groups_list(db, after, 8, page, &n, e);
        if (rc)
            return rc;
        for (size_t i = 0; i < n; i++) {
            if (slice_eq_nocase(slice_from_cstr(page[i].name), slice_from_cstr(name))) {
                *id = page[i].id;
                return 0;
            }
        }
        if (n < 8)
            return err_set(e, ERR_NOT_FOUND, "group",
                           "default team %s is missing: demo data needs the teams init creates",
                           name);
        after = page[n - 1].id;
    }
}

static int add_orgs(struct db *db, struct demo_ctx *c, struct err *e)
{
    struct civil_date until = timefmt_civil_from_days(c->now / 86400 + PACKAGE_DAYS);
    for (int i = 0; i < ORG_COUNT; i++) {
        const struct demo_org *d = &orgs[i];
        struct organization o = {.plan_rate_cents = d->rate_cents,
                                 .delinquent = d->delinquent,
                                 .high_risk = d->high_risk};
        snprintf(o.name, sizeof o.name, "%s", d->name);
        snprintf(o.plan, sizeof o.plan, "%s", d->plan);
        snprintf(o.install_status, sizeof o.install_status, "%s",
                 d->uninstalled ? "uninstalled" : "installed");
        if (d->package)
            snprintf(o.support_package_until, sizeof o.support_package_until, "%04lld-%02d-%02d",
                     (long long)until.year, until.month, until.day);
        int rc = organizations_insert(db, &o, c->now, e);
        if (rc == ERR_CONFLICT)
            return err_set(e, rc, "name", "demo account %s exists already", d->name);
        if (rc)
            return rc;
        c->org_id[i] = o.id;
        c->report.organizations++;
    }
    return 0;
}

static int add_people(struct db *db, struct demo_ctx *c, struct err *e)
{
    for (int i = 0; i < PEOPLE_COUNT; i++) {
        const struct demo_person *p = &people[i];
        struct user_new u = {.name = p->name,
                             .email = signins[i].email,
                             .role = signins[i].role,
                             .password_hash = c->hash,
                             .phone = p->phone,
                             .organization_id = p->org == NO_ORG ? 0 : c->org_id[p->org],
                             .account_role = p->account_role};
        struct user out;
        int rc = users_insert(db, &u, c->now, &out, e);
        if (rc == ERR_CONFLICT)
            return err_set(e, rc, "email", "demo user %s exists already", u.email);
        for (int t = 0; t < TEAM_COUNT && !rc; t++) {
            struct group_membership m;
            if (p->teams & IN(t))
                rc = group_memberships_insert(db, c->team_id[t], out.id, c->now, &m, e);
        }
        if (rc)
            return rc;
        c->person_id[i] = out.id;
        c->report.users++;
    }
    return 0;
}

/* Decimal text of an id into out, or NULL for 0 ("none"), for event values. */
static const char *id_text(int64_t id, char out[24])
{
    if (!id)
        return NULL;
    snprintf(out, 24, "%lld", (long long)id);
    return out;
}

static int event(struct db *db, int64_t tid, int64_t actor, int64_t at, const char *field,
                 const char *old_value, const char *new_value, struct err *e)
{
    struct ticket_event ev = {tid, actor, at, field, old_value, new_value};
    return tickets_event_insert(db, &ev, e);
}

static int id_event(struct db *db, int64_t tid, int64_t actor, int64_t at, const char *field,
                    int64_t value, struct err *e)
{
    char text[24];
    return event(db, tid, actor, at, field, NULL, id_text(value, text), e);
}

/* The events a ticket is born with, as service/tickets.c records them for a created ticket. */
static int birth_events(struct db *db, int64_t tid, const struct ticket_new *r, const char *tags,
                        int64_t comment_id, bool note, int64_t at, struct err *e)
{
    int64_t by = r->submitter_id;
    int rc = event(db, tid, by, at, "subject", NULL, r->subject, e);
    rc = rc ? rc : event(db, tid, by, at, "status", NULL, r->status, e);
    rc = rc ? rc : event(db, tid, by, at, "priority", NULL, r->priority, e);
    rc = rc ? rc : event(db, tid, by, at, "via", NULL, r->channel, e);
    rc = rc ? rc : id_event(db, tid, by, at, "requester_id", r->requester_id, e);
    rc = rc ? rc : id_event(db, tid, by, at, "submitter_id", r->submitter_id, e);
    if (!rc && r->organization_id)
        rc = id_event(db, tid, by, at, "organization_id", r->organization_id, e);
    if (!rc && r->assignee_id)
        rc = id_event(db, tid, by, at, "assignee_id", r->assignee_id, e);
    if (!rc && r->group_id)
        rc = id_event(db, tid, by, at, "group_id", r->group_id, e);
    if (!rc && *tags)
        rc = event(db, tid, by, at, "tags", NULL, tags, e);
    return rc ? rc : id_event(db, tid, by, at, note ? "internal_note" : "comment", comment_id, e);
}

/* Where a ticket stands while its history is written. */
struct progress {
    int64_t id;
    const char *status;
    int64_t assignee, group, solved_at, last;
};

/* A staff comment at `at` moves the ticket: the first assigns it (when nobody has yet) and
 * opens it, the last leaves it in its final status (closed goes through solved first). */
static int staff_moves(struct db *db, const struct demo_ctx *c, const struct demo_ticket *t,
                       bool last, int64_t actor, int64_t at, struct progress *p, struct err *e)
{
    int rc = 0;
    if (!p->assignee) {
        p->assignee = c->person_id[t->assignee];
        rc = id_event(db, p->id, actor, at, "assignee_id", p->assignee, e);
        if (!rc && t->team != NO_TEAM) {
            p->group = c->team_id[t->team];
            rc = id_event(db, p->id, actor, at, "group_id", p->group, e);
        }
    }
    const char *to = !last ? "open" : strcmp(t->status, "closed") == 0 ? "solved" : t->status;
    if (!rc && strcmp(p->status, to) != 0) {
        rc = event(db, p->id, actor, at, "status", p->status, to, e);
        p->status = to;
        if (strcmp(to, "solved") == 0)
            p->solved_at = at;
    }
    return rc;
}

static int normalized_tags(const char *in, struct buf *out, struct err *e)
{
    return tags_parse_list(in, strlen(in), out, e);
}

/* Index of the last staff comment, or -1; also checks the table's own rules (a bug otherwise). */
static int last_staff_comment(const struct demo_ticket *t, size_t index, struct err *e)
{
    int last = -1;
    for (int i = 0; i < COMMENTS_MAX && t->c[i].body; i++)
        if (is_staff(t->c[i].author))
            last = i;
    bool is_new = strcmp(t->status, "new") == 0;
    if (is_new != (last < 0) || (!is_new && t->assignee == NOBODY))
        return err_set(e, ERR_INTERNAL, NULL, "demo ticket %zu: status and staff comments disagree",
                       index + 1);
    return last;
}

/* The policy of a demo ticket, as staff would have triaged it: the category its tags name (the
 * clause it shows off), else the keyword rules' suggestion; an urgent ticket's facts say the
 * service is down with no workaround, so Critical is derived; a priority the facts do not give
 * reads as set by hand. */
static int demo_policy(struct db *db, const struct demo_ctx *c, const struct demo_ticket *t,
                       struct ticket *saved, int64_t org_id, struct arena *a,
                       struct ticket_policy *out, struct err *e)
{
    /* Of several, the most telling: the policy's own answer before a limit of scope before an
     * ordinary request (refund_request over billing). */
    static const enum policy_decision_kind telling[] = {
        POLICY_ANSWER, POLICY_OUT_OF_SCOPE, POLICY_IN_SCOPE_BY_PACKAGE, POLICY_IN_SCOPE};
    const char *category = NULL;
    char tag[48];
    for (size_t k = 0; k < sizeof telling / sizeof telling[0] && !category; k++)
        for (const char *p = t->tags; *p && !category;) {
            size_t len = strcspn(p, " ");
            snprintf(tag, sizeof tag, "%.*s", (int)len, p);
            const struct policy_category *pc = policy_category_find(tag);
            if (pc && pc->kind == telling[k])
                category = pc->id;
            p += len + (p[len] == ' ');
        }
    if (strcmp(t->priority, "urgent") == 0)
        saved->triage = (struct priority_facts){.service_down = PRIORITY_FACT_YES,
                                                .workaround = PRIORITY_FACT_NO};
    saved->category = category;
    int rc =
        category_rules_suggest(c->env, db, t->subject, t->c[0].body, &saved->suggested_category, e);
    rc = rc ? rc
            : ticket_policy_decide(c->env, db, org_id, category, saved->suggested_category,
                                   &saved->triage, c->now, out, e);
    if (!rc)
        saved->priority_set_by_hand =
            strcmp(ticket_priority_name(out->priority.priority), t->priority) != 0;
    return rc;
}

/* The duty roster: the support lead and the admin take turns, the lead this week. */
static int add_roster(struct db *db, const struct demo_ctx *c, struct err *e)
{
    const struct calendar *cal;
    struct calendar_ref *ref;
    int rc = calendar_cache_acquire(c->env, db, &cal, &ref, e);
    if (rc)
        return rc;
    int64_t today = cal_local_day(cal, c->now);
    calendar_cache_release(ref);
    struct civil_date d =
        timefmt_civil_from_days(today - (timefmt_weekday_from_days(today) + 6) % 7);
    char monday[16];
    snprintf(monday, sizeof monday, "%04lld-%02d-%02d", (long long)d.year, d.month, d.day);
    const int64_t leads[] = {c->person_id[MARCUS], c->person_id[DANA]};
    return roster_row_put(db, monday, leads, 2, 0, c->now, e);
}

static int add_ticket(struct db *db, struct demo_ctx *c, size_t index, struct buf *tags,
                      struct err *e)
{
    const struct demo_ticket *t = &tickets[index];
    int last_staff = last_staff_comment(t, index, e);
    if (last_staff < -1)
        return last_staff;
    buf_clear(tags);
    int rc = normalized_tags(t->tags, tags, e);
    if (rc)
        return rc;
    int64_t t0 = c->now - (int64_t)t->ago * 60;
    const struct demo_comment *first = &t->c[0];
    bool logged = is_staff(first->author); /* a call logged by the agent who took it */
    int org = people[t->requester].org;
    struct ticket_new row = {.subject = t->subject,
                             .status = logged ? "open" : "new",
                             .priority = t->priority,
                             .channel = t->channel,
                             .requester_id = c->person_id[t->requester],
                             .submitter_id = c->person_id[first->author],
                             .organization_id = org == NO_ORG ? 0 : c->org_id[org],
                             .assignee_id = logged ? c->person_id[first->author] : 0,
                             .group_id = logged && t->team != NO_TEAM ? c->team_id[t->team] : 0};
    struct progress p = {
        .status = row.status, .assignee = row.assignee_id, .group = row.group_id, .last = t0};
    int64_t cid;
    rc = tickets_insert(db, &row, t0, &p.id, e);
    if (!rc && buf_cstr(tags)[0])
        rc = tickets_set_tags(db, p.id, buf_cstr(tags), e);
    rc = rc ? rc
            : tickets_comment_insert(db, p.id, row.submitter_id, first->body, !first->note,
                                     t->channel, t0, &cid, e);
    rc = rc ? rc : birth_events(db, p.id, &row, buf_cstr(tags), cid, first->note, t0, e);
    for (int i = 0; i < COMMENTS_MAX && t->c[i].body && !rc; i++) {
        const struct demo_comment *cm = &t->c[i];
        int64_t at = t0 + (int64_t)cm->after * 60, by = c->person_id[cm->author];
        bool staff = is_staff(cm->author);
        if (i > 0) {
            /* Staff answer from the agent console (web); requesters keep their channel. */
            rc = tickets_comment_insert(db, p.id, by, cm->body, !cm->note,
                                        staff ? "web" : t->channel, at, &cid, e);
            rc = rc ? rc
                    : id_event(db, p.id, by, at, cm->note ? "internal_note" : "comment", cid, e);
        }
        if (!rc && staff)
            rc = staff_moves(db, c, t, i == last_staff, by, at, &p, e);
        p.last = at;
        c->report.comments++;
    }
    if (!rc && strcmp(t->status, "closed") == 0) {
        p.last = p.solved_at + AUTO_CLOSE_DAYS * 86400;
        rc = event(db, p.id, 0, p.last, "status", "solved", "closed", e);
        p.status = "closed";
    }
    if (rc)
        return rc;
    if (p.last > c->now)
        return err_set(e, ERR_INTERNAL, NULL, "demo ticket %zu ends in the future", index + 1);
    struct ticket saved = {.id = p.id,
                           .subject = t->subject,
                           .assignee_id = p.assignee,
                           .group_id = p.group,
                           .solved_at = p.solved_at,
                           .updated_at = p.last};
    snprintf(saved.status, sizeof saved.status, "%s", p.status);
    snprintf(saved.priority, sizeof saved.priority, "%s", t->priority);
    struct arena a;
    arena_init(&a, 1u << 20);
    struct ticket_policy pol;
    rc = demo_policy(db, c, t, &saved, org == NO_ORG ? 0 : c->org_id[org], &a, &pol, e);
    rc = rc ? rc : tickets_save(db, &saved, e);
    rc = rc ? rc : ticket_policy_record(db, &saved, &pol, c->now, &a, e);
    arena_release(&a);
    /* The clocks as they stand now, after the demo's history (queues sort by them). */
    rc = rc ? rc : ticket_sla_refresh(c->env, db, p.id, c->now, false, e);
    if (!rc)
        c->report.tickets++;
    return rc;
}

static int add_tickets(struct db *db, struct demo_ctx *c, struct err *e)
{
    struct buf tags;
    buf_init(&tags, TAG_LIST_MAX);
    int rc = 0;
    for (size_t i = 0; i < TICKET_COUNT && !rc; i++)
        rc = add_ticket(db, c, i, &tags, e);
    buf_release(&tags);
    return rc;
}

static int demo_tx(struct db *db, void *arg, struct err *e)
{
    struct demo_ctx *c = arg;
    c->now = c->env->now(c->env);
    c->report = (struct demo_report){.signins = signins, .signin_count = PEOPLE_COUNT};
    char at[TIMEFMT_ISO_LEN + 1], value[TIMEFMT_ISO_LEN + 3];
    timefmt_iso8601(c->now, at);
    snprintf(value, sizeof value, "\"%s\"", at);
    /* The marker first: when it was there already, nothing else happens. */
    int inserted = 0;
    int rc = settings_put_new(db, LOADED_MARKER, value, c->now, &inserted, e);
    if (rc)
        return rc;
    if (!inserted) {
        c->report.already_loaded = true;
        return 0;
    }
    for (int i = 0; i < TEAM_COUNT && !rc; i++)
        rc = find_team(db, seed_group_names[i], &c->team_id[i], e);
    rc = rc ? rc : add_orgs(db, c, e);
    rc = rc ? rc : add_people(db, c, e);
    rc = rc ? rc : add_roster(db, c, e);
    rc = rc ? rc : add_tickets(db, c, e);
    if (rc)
        return rc;
    char detail[160];
    snprintf(detail, sizeof detail,
             "{\"organizations\": %d, \"users\": %d, \"tickets\": %d, \"comments\": %d}",
             c->report.organizations, c->report.users, c->report.tickets, c->report.comments);
    struct audit_entry a = {.at = c->now, .action = "demo.loaded", .detail = detail};
    return audit_append(db, &a, e);
}

int demo_load(const struct env *env, struct db *db, struct demo_report *out, struct err *e)
{
    /* Hashed once, outside the transaction (Argon2id takes ~0.1 s), and shared by everyone. */
    char hash[USER_PASSWORD_HASH_MAX + 1];
    int rc = auth_hash_password(DEMO_PASSWORD, "password", hash, e);
    if (rc)
        return rc;
    struct demo_ctx c = {.env = env, .hash = hash};
    rc = db_transact(db, DB_TX_WRITE, demo_tx, &c, e);
    if (!rc)
        *out = c.report;
    return rc;
}
