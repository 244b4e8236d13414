#include "service/tickets.h"
#include "service/ticket_sla.h"
#include "service/tickets_internal.h"

#include "core/email_addr.h"
#include "core/tags.h"
#include "service/attachments.h"
#include "service/bans.h"
#include "service/category_rules.h"
#include "service/identity.h"
#include "service/misuse.h"
#include "service/ticket_mail.h"
#include "store/outbox.h"
#include "service/ticket_policy.h"
#include "store/groups.h"
#include "store/organizations.h"
#include "store/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct create_ctx {
    const struct env *env;
    struct db *db;
    const struct tickets_actor *actor;
    const struct tickets_create_req *req;
    struct birth birth; /* checked before the transaction; references resolved inside */
    struct arena *a;
    struct ticket *out;
};

static int staff_only(const char *field, struct err *e)
{
    return err_set(e, ERR_FORBIDDEN, field, "only staff may set %s", field);
}

/* What a requester may not name when creating: they create for themselves, through their own
 * channel, and the team triages. */
static int check_requester_create(const struct tickets_create_req *r, int64_t self, struct err *e)
{
    if (r->inline_requester || (r->requester.id && r->requester.id != self))
        return staff_only(r->inline_requester ? "ticket.requester" : "ticket.requester_id", e);
    if (r->status)
        return staff_only("ticket.status", e);
    if (r->priority)
        return staff_only("ticket.priority", e);
    if (r->channel)
        return staff_only("ticket.via.channel", e);
    if (r->assignee.given)
        return staff_only("ticket.assignee_id", e);
    if (r->group.given)
        return staff_only("ticket.group_id", e);
    if (r->tags.given)
        return staff_only("ticket.tags", e);
    if (r->comment.author_id)
        return staff_only("ticket.comment.author_id", e);
    return 0;
}

/* The checks that need no database, in the order a client reads its own body. */
static int check_create(struct create_ctx *c, struct err *e)
{
    const struct tickets_create_req *r = c->req;
    const struct access_subject *s = &c->actor->subject;
    bool staff = access_is_staff(s);
    int rc = staff ? 0 : check_requester_create(r, s->user_id, e);
    rc = rc ? rc : tickets__policy_check(&r->policy, staff, e);
    if (rc)
        return rc;
    if ((rc = tickets__check_subject(r->subject, e)) ||
        (rc = tickets__check_body(r->comment.body, e)))
        return rc;
    enum ticket_status st = TICKET_STATUS_NEW;
    enum ticket_priority pr = TICKET_PRIORITY_NORMAL;
    enum ticket_channel ch = c->actor->channel;
    if (r->status && (rc = tickets__parse_status(r->status, &st, e)))
        return rc;
    if (st == TICKET_STATUS_CLOSED) /* closed is reached by closing; imports will bring history */
        return err_set(e, ERR_INVALID, "ticket.status", "a ticket cannot be created closed");
    if (r->priority && (rc = tickets__parse_priority(r->priority, &pr, e)))
        return rc;
    if (r->channel && (rc = tickets__parse_channel(r->channel, &ch, e)))
        return rc;
    if (r->inline_requester) {
        const char *em = r->requester_email;
        if (!em || !email_addr_valid(em, strlen(em)))
            return err_set(e, ERR_INVALID, "ticket.requester.email",
                           "requester email must be an address like name@example.com");
        if (r->requester_name && (tickets__blank(r->requester_name) ||
                                  tickets__utf8_chars(r->requester_name) > USER_NAME_MAX))
            return err_set(e, ERR_INVALID, "ticket.requester.name",
                           "requester name must be 1 to %d characters", USER_NAME_MAX);
        if (r->requester.id)
            return err_set(e, ERR_INVALID, "ticket.requester",
                           "give either requester_id or requester, not both");
    }
    struct birth *b = &c->birth;
    b->tags = "";
    if (r->tags.given && (rc = tickets__build_tags(&r->tags, c->a, &b->tags, e)))
        return rc;
    b->row.subject = r->subject;
    b->row.status = ticket_status_name(st);
    b->row.priority = ticket_priority_name(pr);
    b->row.channel = ticket_channel_name(ch);
    b->row.submitter_id = s->user_id;
    b->row.assignee_id = r->assignee.id;
    b->row.group_id = r->group.id;
    b->row.category = r->policy.category.value;
    tickets__triage_apply(&r->policy, &b->row.triage, &(struct changes){.n = 0});
    b->row.scope_override = r->policy.scope_override.value;
    b->body = r->comment.body;
    /* A requester's comment is always public; staff may open with an internal note. */
    b->is_public = !staff || r->comment.is_public != 0;
    b->comment_channel = b->row.channel;
    b->author_id = r->comment.author_id;
    b->uploads = r->comment.uploads;
    b->upload_count = r->comment.upload_count;
    return 0;
}

/* The requester named inline: found by email (any case), or created as an end-user. */
static int inline_requester(struct db *db, const struct tickets_create_req *r, int64_t now,
                            struct user *out, struct err *e)
{
    int rc = users_find_by_email(db, r->requester_email, out, NULL, e);
    if (rc != ERR_NOT_FOUND)
        return rc;
    char name[USER_NAME_MAX * 4 + 1];
    if (r->requester_name) {
        snprintf(name, sizeof name, "%s", r->requester_name);
    } else { /* Zendesk's default: the local part */
        const char *at = strchr(r->requester_email, '@');
        snprintf(name, sizeof name, "%.*s", (int)(at - r->requester_email), r->requester_email);
    }
    struct user_new u = {.name = name, .email = r->requester_email, .role = "end-user"};
    rc = users_insert(db, &u, now, out, e);
    if (rc == ERR_CONFLICT)
        snprintf(e->field, sizeof e->field, "ticket.requester.email");
    return rc;
}

static int resolve_requester(struct db *db, struct create_ctx *c, int64_t now, struct user *out,
                             struct err *e)
{
    const struct tickets_create_req *r = c->req;
    if (r->inline_requester)
        return inline_requester(db, r, now, out, e);
    int64_t id = r->requester.id ? r->requester.id : c->actor->subject.user_id;
    int rc = users_get(db, id, out, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "ticket.requester_id", "user %lld does not exist",
                       (long long)id);
    return rc;
}

/* The policy of a new ticket, before it is written (the keyword rules' suggestion came before the
 * transaction): the decision, the priority (derived, or staff's with a justification), the team
 * it routes to, and the decision recorded with the row. */
static int create_policy(struct db *db, struct create_ctx *c, struct birth *b, int64_t now,
                         struct ticket_policy *p, enum ticket_priority *wanted, struct err *e)
{
    const struct tickets_policy_in *in = &c->req->policy;
    int rc = ticket_policy_decide(c->env, db, b->row.organization_id, b->row.category,
                                  b->row.suggested_category, &b->row.triage, now, p, e);
    if (rc)
        return rc;
    enum ticket_priority derived = p->priority.priority;
    *wanted = derived;
    if (c->req->priority) { /* staff's, parsed by check_create */
        ticket_priority_parse(b->row.priority, strlen(b->row.priority), wanted);
        if ((rc = priority_check_override(derived, *wanted, in->justification, e)))
            return rc;
        b->row.priority_set_by_hand = *wanted != derived;
    }
    b->row.priority = ticket_priority_name(*wanted);
    if (b->row.scope_override &&
        (rc = priority_check_justification(in->justification, "a scope override", e)))
        return rc;
    if (!rc && !c->req->group.given && p->scope.team != POLICY_TEAM_NONE)
        rc = tickets__team_group(db, p->scope.team, &b->row.group_id, e);
    /* A refused account is not served (clause 12): its ticket is kept, closed, and the requester
     * is told why. A high-risk account's goes to the lead on duty's queue (clause 2). */
    if (p->scope.flags & POLICY_FLAG_SERVICE_REFUSED)
        b->row.status = ticket_status_name(TICKET_STATUS_CLOSED);
    else if (!rc && (p->scope.flags & POLICY_FLAG_HIGH_RISK) && !c->req->assignee.given)
        rc = ticket_policy_high_risk_assignee(c->env, db, now, &b->row.assignee_id, e);
    /* Recorded with the row, unless an override's exception (written after it) belongs in it. */
    if (!rc && !b->row.scope_override) {
        struct ticket t = {.suggested_category = b->row.suggested_category};
        rc = ticket_policy_render(db, &t, p, now, c->a, &b->row.policy, &b->row.policy_decision, e);
        b->row.policy_decided_at = now;
    }
    return rc;
}

/* A misuse incident for a misuse report or a request for help with fraud (clauses 3 and 12),
 * on a ticket of a client account, once staff set that category. */
static int open_incident(struct db *db, int64_t ticket_id, int64_t org_id,
                         const struct ticket_policy *p, int64_t actor, int64_t now, struct err *e)
{
    if (!org_id || !p->category_confirmed || !(p->scope.flags & POLICY_FLAG_OPENS_MISUSE_INCIDENT))
        return 0;
    char summary[160];
    snprintf(summary, sizeof summary, "Opened by ticket #%lld: %s", (long long)ticket_id,
             p->scope.category->label);
    int64_t incident;
    return misuse_open_incident(db, org_id, ticket_id, actor, summary, now, &incident, e);
}

/* What a new ticket's decision sets in motion: the refusal notice to the requester of a refused
 * account, or a misuse incident. */
static int policy_follow_through(struct db *db, int64_t ticket_id, int64_t org_id,
                                 const struct user *requester, const struct ticket_policy *p,
                                 int64_t actor, int64_t now, struct err *e)
{
    if (p->scope.flags & POLICY_FLAG_SERVICE_REFUSED) {
        struct outbox_new m = {.kind = "refusal_notice",
                               .to_address = requester->email,
                               .subject = "Support for your account has been withdrawn",
                               .body = misuse_refusal_notice_text(),
                               .ticket_id = ticket_id};
        return outbox_insert(db, &m, now, NULL, e);
    }
    return open_incident(db, ticket_id, org_id, p, actor, now, e);
}

/* The policy exceptions a new ticket was created with, then its decision recorded. */
static int create_exceptions(struct db *db, struct create_ctx *c, const struct birth *b, int64_t id,
                             const struct ticket_policy *p, enum ticket_priority wanted,
                             int64_t now, struct err *e)
{
    int64_t actor = c->actor->subject.user_id;
    const char *just = c->req->policy.justification;
    int rc = 0;
    if (b->row.priority_set_by_hand)
        rc = ticket_policy_exception(db, id, "priority", ticket_priority_name(p->priority.priority),
                                     ticket_priority_name(wanted), just, actor, now, e);
    if (!rc && b->row.scope_override)
        rc = ticket_policy_exception(db, id, "scope", policy_kind_name(p->scope.kind),
                                     b->row.scope_override, just, actor, now, e);
    if (rc || b->row.policy) /* recorded with the row already */
        return rc;
    struct ticket t = {.id = id,
                       .scope_override = b->row.scope_override,
                       .suggested_category = b->row.suggested_category};
    return ticket_policy_record(db, &t, p, now, c->a, e);
}

/* A banned requester (clauses 5 and 6): mail is kept but closed at once with the policy notice
 * (at most one a day per address), so agents never see it in a queue; every other way in is
 * refused with the notice. *closed_by_ban says the ticket is to be stored closed. */
static int check_ban(struct db *db, const struct user *requester, const char *channel, int64_t now,
                     bool *closed_by_ban, struct err *e)
{
    struct bans_status ban;
    *closed_by_ban = false;
    int rc = bans_user_status(db, requester, NULL, &ban, e);
    if (rc || !ban.banned)
        return rc;
    if (strcmp(channel, "email") != 0)
        return err_reason(e, err_set(e, ERR_FORBIDDEN, NULL, "%s", bans_notice_text()),
                          "requester_banned");
    *closed_by_ban = true;
    return 0;
}

/* The acknowledgement goes to an end-user who wrote in by web, email or API, unless the mail
 * gateway asks not to (automatic mail) or the ticket was stored closed (a ban or a refusal has
 * its own notice). A phone call or a chat is answered as it happens; staff need no receipt. */
static bool acknowledges(const struct create_ctx *c, const struct birth *b)
{
    enum ticket_channel ch = c->actor->channel;
    return !access_is_staff(&c->actor->subject) && !c->req->suppress_auto_reply &&
           strcmp(b->row.status, "closed") != 0 &&
           strcmp(c->out->status, "closed") != 0 &&
           (ch == TICKET_CHANNEL_WEB || ch == TICKET_CHANNEL_EMAIL || ch == TICKET_CHANNEL_API);
}

static int create_tx(struct db *db, void *arg, struct err *e)
{
    struct create_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct user requester;
    /* The requester first (it may be a new user): a later refusal must roll it back too. */
    int rc = resolve_requester(db, c, now, &requester, e);
    if (!rc && c->req->assignee.id)
        rc = tickets__check_assignee(db, c->req->assignee.id, e);
    if (!rc && c->req->group.id)
        rc = tickets__check_group(db, c->req->group.id, e);
    if (!rc && c->birth.author_id)
        rc = tickets__check_author(db, c->birth.author_id, c->birth.is_public,
                                   "ticket.comment.author_id", e);
    if (rc)
        return rc;
    bool closed_by_ban;
    if ((rc = check_ban(db, &requester, c->birth.row.channel, now, &closed_by_ban, e)))
        return rc;
    struct birth b = c->birth;
    if (closed_by_ban)
        b.row.status = ticket_status_name(TICKET_STATUS_CLOSED);
    b.row.requester_id = requester.id;
    b.row.organization_id = requester.organization_id;
    b.row.solved_at = strcmp(b.row.status, "solved") == 0 ? now : 0;
    struct ticket_policy p;
    enum ticket_priority wanted;
    rc = create_policy(db, c, &b, now, &p, &wanted, e);
    int64_t id;
    rc = rc ? rc : tickets__give_birth(db, &b, c->actor->subject.user_id, now, &id, e);
    rc = rc ? rc : create_exceptions(db, c, &b, id, &p, wanted, now, e);
    bool queued;
    if (!rc && closed_by_ban)
        rc = bans_queue_notice(db, requester.email, id, now, &queued, e);
    else if (!rc)
        rc = policy_follow_through(db, id, b.row.organization_id, &requester, &p,
                                   c->actor->subject.user_id, now, e);
    if (!rc && c->actor->channel == TICKET_CHANNEL_WEB)
        rc = identity_note_session(db, id, c->actor->subject.user_id, now, e);
    rc = rc ? rc : ticket_sla_refresh(c->env, db, id, now, true, e);
    if (!rc)
        rc = tickets_get(db, id, access_can_see_internal(&c->actor->subject), c->a, c->out, e);
    if (!rc && acknowledges(c, &b))
        rc = ticket_mail_acknowledge(c->env, db, c->out, now, e);
    return rc;
}

/* Checks and the category suggestion, which need no transaction. */
static int create_prepare(struct create_ctx *c, struct err *e)
{
    if (!c->actor->subject.user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to create tickets");
    int rc = check_create(c, e);
    struct ticket_new *row = &c->birth.row;
    return rc ? rc
              : category_rules_suggest(c->env, c->db, row->subject, c->birth.body,
                                       &row->suggested_category, e);
}

int tickets_create(const struct env *env, struct db *db, const struct tickets_actor *actor,
                   const struct tickets_create_req *req, struct arena *a, struct ticket *out,
                   struct err *e)
{
    struct create_ctx c = {.env = env, .db = db, .actor = actor, .req = req, .a = a, .out = out};
    /* Before the write transaction: matching keywords holds no lock anyone waits on. */
    int rc = create_prepare(&c, e);
    return rc ? rc : db_transact(db, DB_TX_WRITE, create_tx, &c, e);
}

int tickets_create_tx(const struct env *env, struct db *db, const struct tickets_actor *actor,
                      const struct tickets_create_req *req, struct arena *a, struct ticket *out,
                      struct err *e)
{
    struct create_ctx c = {.env = env, .db = db, .actor = actor, .req = req, .a = a, .out = out};
    int rc = create_prepare(&c, e);
    return rc ? rc : create_tx(db, &c, e);
}

/* ---- updating -------------------------------------------------------------------------------- */

struct update_ctx {
    const struct env *env;
    const struct tickets_actor *actor;
    int64_t id;
    const struct tickets_update_req *req;
    struct arena *a;
    struct ticket *out;
    bool follow_up;
    /* staff_policy()'s findings, written by staff_policy_write() after the save */
    bool was_closed;
    bool decide;
    struct ticket_policy policy;
    bool priority_exception, scope_exception, category_changed;
};

static int add_comment(struct db *db, int64_t ticket_id, int64_t author, const char *body,
                       bool is_public, const char *channel, int64_t now, struct changes *c,
                       const struct update_ctx *u, struct err *e)
{
    int64_t cid;
    int rc = tickets_comment_insert(db, ticket_id, author, body, is_public, channel, now, &cid, e);
    if (!rc && u && u->req->comment.upload_count) /* the uploads are the actor's own */
        rc = attachments_claim_tokens(db, u->actor->subject.user_id, u->req->comment.uploads,
                                      u->req->comment.upload_count, ticket_id, cid, now, e);
    if (!rc)
        tickets__change(c, is_public ? "comment" : "internal_note", NULL, tickets__keep_id(c, cid));
    return rc;
}

/* A requester's reply to a closed ticket: a new ticket linked to it carries the comment, for
 * the same requester and account, keeping the team's triage (priority, assignee, group, tags). */
static int follow_up(struct db *db, struct update_ctx *c, const struct ticket *old, int64_t now,
                     struct err *e)
{
    struct user requester;
    int rc = users_get(db, old->requester_id, &requester, e);
    if (rc)
        return rc;
    const char *channel = ticket_channel_name(c->actor->channel);
    struct birth b = {
        .row = {.subject = old->subject,
                .status = ticket_status_name(TICKET_STATUS_NEW),
                .priority = old->priority,
                .channel = channel,
                .requester_id = old->requester_id,
                .submitter_id = c->actor->subject.user_id,
                .organization_id = requester.organization_id,
                .assignee_id = old->assignee_id,
                .group_id = old->group_id,
                .follow_up_of = old->id,
                .category = old->category,
                .triage = old->triage,
                .priority_set_by_hand = old->priority_set_by_hand,
                .suggested_category = old->suggested_category},
        .tags = old->tags,
        .body = c->req->comment.body,
        .is_public = true,
        .comment_channel = channel,
        .uploads = c->req->comment.uploads,
        .upload_count = c->req->comment.upload_count,
    };
    /* Decided afresh: the account may have changed since (a package bought, service refused);
     * a priority staff set by hand stays theirs. */
    struct ticket_policy p;
    rc = ticket_policy_decide(c->env, db, b.row.organization_id, b.row.category,
                              b.row.suggested_category, &b.row.triage, now, &p, e);
    if (rc)
        return rc;
    if (!b.row.priority_set_by_hand)
        b.row.priority = ticket_priority_name(p.priority.priority);
    if (p.scope.flags & POLICY_FLAG_SERVICE_REFUSED)
        b.row.status = ticket_status_name(TICKET_STATUS_CLOSED);
    int64_t id;
    rc = tickets__give_birth(db, &b, c->actor->subject.user_id, now, &id, e);
    if (rc)
        return rc;
    struct changes ch = {.n = 0};
    tickets__change(&ch, "follow_up", NULL, tickets__keep_id(&ch, id));
    rc = tickets__write_changes(db, &ch, old->id, c->actor->subject.user_id, now, e);
    c->follow_up = true;
    struct ticket born = {.id = id, .suggested_category = b.row.suggested_category};
    rc = rc ? rc : ticket_policy_record(db, &born, &p, now, c->a, e);
    rc = rc ? rc
            : policy_follow_through(db, id, b.row.organization_id, &requester, &p,
                                    c->actor->subject.user_id, now, e);
    rc = rc ? rc : ticket_sla_refresh(c->env, db, id, now, true, e);
    return rc ? rc : tickets_get(db, id, false, c->a, c->out, e);
}

static int requester_update(struct db *db, struct update_ctx *c, struct ticket *t, int64_t now,
                            struct err *e)
{
    const struct tickets_update_req *r = c->req;
    if (r->subject)
        return staff_only("ticket.subject", e);
    if (r->status)
        return staff_only("ticket.status", e);
    if (r->priority)
        return staff_only("ticket.priority", e);
    if (r->assignee.given)
        return staff_only("ticket.assignee_id", e);
    if (r->group.given)
        return staff_only("ticket.group_id", e);
    if (r->tags.given)
        return staff_only("ticket.tags", e);
    if (r->comment.author_id)
        return staff_only("ticket.comment.author_id", e);
    if (r->policy.triage_given) /* the request form's answers; staff keep them up to date */
        return staff_only("ticket.triage", e);
    int prc = tickets__policy_check(&r->policy, false, e);
    if (prc)
        return prc;
    struct bans_status ban; /* a banned requester's portal and API writes are refused */
    if ((prc = bans_requester_status(db, c->actor->subject.user_id, NULL, &ban, e)))
        return prc;
    if (ban.banned)
        return err_reason(e, err_set(e, ERR_FORBIDDEN, NULL, "%s", bans_notice_text()),
                          "requester_banned");
    if (!r->comment.body) /* nothing to do: answer what they may see */
        return tickets_get(db, t->id, false, c->a, c->out, e);
    int rc = tickets__check_body(r->comment.body, e);
    if (rc)
        return rc;
    enum ticket_status from, to;
    if (ticket_status_parse(t->status, strlen(t->status), &from))
        return err_set(e, ERR_INTERNAL, NULL, "ticket %lld has status %s", (long long)t->id,
                       t->status);
    to = from;
    enum ticket_reply_effect effect = ticket_requester_reply(from, &to);
    if (effect == TICKET_REPLY_FOLLOW_UP)
        return follow_up(db, c, t, now, e);
    struct changes ch = {.n = 0};
    if (to != from) {
        tickets__change(&ch, "status", tickets__keep(&ch, t->status), ticket_status_name(to));
        snprintf(t->status, sizeof t->status, "%s", ticket_status_name(to));
        if (from == TICKET_STATUS_SOLVED)
            t->solved_at = 0;
    }
    rc = add_comment(db, t->id, c->actor->subject.user_id, r->comment.body, true,
                     ticket_channel_name(c->actor->channel), now, &ch, c, e);
    /* A signed-in portal session of the owner or a billing contact verifies them (clause 1.5). */
    if (!rc && c->actor->channel == TICKET_CHANNEL_WEB)
        rc = identity_note_session(db, t->id, c->actor->subject.user_id, now, e);
    t->updated_at = now;
    rc = rc ? rc : tickets_save(db, t, e);
    rc = rc ? rc : tickets__write_changes(db, &ch, t->id, c->actor->subject.user_id, now, e);
    rc = rc ? rc : ticket_sla_refresh(c->env, db, t->id, now, true, e);
    return rc ? rc : tickets_get(db, t->id, false, c->a, c->out, e);
}

static int staff_status(const char *status, struct ticket *t, int64_t now, struct changes *ch,
                        struct err *e)
{
    enum ticket_status from, to;
    int rc = tickets__parse_status(status, &to, e);
    if (rc)
        return rc;
    if (ticket_status_parse(t->status, strlen(t->status), &from))
        return err_set(e, ERR_INTERNAL, NULL, "ticket %lld has status %s", (long long)t->id,
                       t->status);
    rc = ticket_check_transition(from, to, e);
    if (rc) {
        snprintf(e->field, sizeof e->field, "ticket.status");
        return rc;
    }
    if (from == to)
        return 0;
    tickets__change(ch, "status", tickets__keep(ch, t->status), ticket_status_name(to));
    snprintf(t->status, sizeof t->status, "%s", ticket_status_name(to));
    if (to == TICKET_STATUS_SOLVED)
        t->solved_at = now;
    else if (from == TICKET_STATUS_SOLVED && to != TICKET_STATUS_CLOSED)
        t->solved_at = 0; /* reopened; kept on close: it says when the work was done */
    return 0;
}

static int staff_ref(struct db *db, const struct tickets_ref *ref, int64_t *field, const char *name,
                     int (*check)(struct db *, int64_t, struct err *), struct changes *ch,
                     struct err *e)
{
    if (!ref->given || ref->id == *field)
        return 0;
    int rc = ref->id ? check(db, ref->id, e) : 0;
    if (rc)
        return rc;
    tickets__change(ch, name, tickets__keep_id(ch, *field), tickets__keep_id(ch, ref->id));
    *field = ref->id;
    return 0;
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void set_priority(struct ticket *t, struct changes *ch, const char *name)
{
    if (strcmp(name, t->priority) == 0)
        return;
    tickets__change(ch, "priority", tickets__keep(ch, t->priority), name);
    snprintf(t->priority, sizeof t->priority, "%s", name);
}

/* The policy part of a staff update: category, triage facts, scope override and priority, into
 * t and ch, with the exceptions they make noted in c for after the save. A priority change away
 * from the derived one needs a justification (priority_check_override) and marks the priority
 * as set by hand; setting the derived one hands it back. Changed triage facts re-derive the
 * priority unless it was set by hand. */
static int staff_policy(struct db *db, struct update_ctx *c, struct ticket *t, int64_t now,
                        struct changes *ch, struct err *e)
{
    const struct tickets_update_req *r = c->req;
    const struct tickets_policy_in *in = &r->policy;
    int rc = tickets__policy_check(in, true, e);
    if (rc)
        return rc;
    if (c->was_closed) { /* nothing changes: let staff_update refuse it naming the status */
        if (r->priority || in->category.given || in->triage_given || in->scope_override.given)
            tickets__change(ch, "policy", NULL, NULL);
        return 0;
    }
    size_t n0 = ch->n;
    if (in->category.given && !same_text(in->category.value, t->category)) {
        tickets__change(ch, "category", t->category, in->category.value);
        t->category = in->category.value;
        c->category_changed = true;
    }
    size_t n1 = ch->n;
    tickets__triage_apply(in, &t->triage, ch);
    bool triage_changed = ch->n > n1;
    bool new_override = false;
    if (in->scope_override.given && !same_text(in->scope_override.value, t->scope_override)) {
        tickets__change(ch, "scope_override", t->scope_override, in->scope_override.value);
        t->scope_override = in->scope_override.value;
        new_override = t->scope_override != NULL;
    }
    enum ticket_priority wanted = TICKET_PRIORITY_NORMAL;
    if (r->priority && (rc = tickets__parse_priority(r->priority, &wanted, e)))
        return rc;
    bool priority_changes = r->priority && strcmp(ticket_priority_name(wanted), t->priority) != 0;
    c->decide = ch->n > n0 || priority_changes || !t->policy;
    if (!c->decide)
        return 0;
    struct ticket_policy *p = &c->policy;
    rc = ticket_policy_decide(c->env, db, t->organization_id, t->category, t->suggested_category,
                              &t->triage, now, p, e);
    if (rc)
        return rc;
    enum ticket_priority derived = p->priority.priority;
    /* Staff's priority differs from the derived one and would take effect: a change, or the
     * current priority kept against facts that would now re-derive it. */
    bool rederives = triage_changed && priority_rederive(t->priority_set_by_hand);
    if (r->priority && wanted != derived && (priority_changes || rederives)) {
        if ((rc = priority_check_override(derived, wanted, in->justification, e)))
            return rc;
        t->priority_set_by_hand = true;
        c->priority_exception = true;
        set_priority(t, ch, ticket_priority_name(wanted));
    } else if (r->priority && wanted == derived) {
        t->priority_set_by_hand = false; /* handed back to the derivation */
        set_priority(t, ch, ticket_priority_name(wanted));
    } else if (rederives) {
        set_priority(t, ch, ticket_priority_name(derived));
    }
    if (new_override) {
        if ((rc = priority_check_justification(in->justification, "a scope override", e)))
            return rc;
        c->scope_exception = true;
    }
    return 0;
}

/* After the save: the exceptions the update made, then the decision recorded. */
static int staff_policy_write(struct db *db, struct update_ctx *c, const struct ticket *t,
                              int64_t now, struct err *e)
{
    if (!c->decide)
        return 0;
    int64_t actor = c->actor->subject.user_id;
    const char *just = c->req->policy.justification;
    const struct ticket_policy *p = &c->policy;
    int rc = 0;
    if (c->priority_exception)
        rc = ticket_policy_exception(db, t->id, "priority",
                                     ticket_priority_name(p->priority.priority), t->priority, just,
                                     actor, now, e);
    if (!rc && c->scope_exception)
        rc = ticket_policy_exception(db, t->id, "scope", policy_kind_name(p->scope.kind),
                                     t->scope_override, just, actor, now, e);
    if (!rc && c->category_changed)
        rc = open_incident(db, t->id, t->organization_id, p, actor, now, e);
    return rc ? rc : ticket_policy_record(db, t, p, now, c->a, e);
}

/* Gather the changes of a staff update into t and ch; nothing is written yet. */
static int staff_changes(struct db *db, struct update_ctx *c, struct ticket *t, int64_t now,
                         struct changes *ch, const char **new_tags, struct err *e)
{
    const struct tickets_update_req *r = c->req;
    int rc;
    if (r->subject) {
        if ((rc = tickets__check_subject(r->subject, e)))
            return rc;
        if (strcmp(r->subject, t->subject) != 0) {
            tickets__change(ch, "subject", t->subject, r->subject);
            t->subject = r->subject;
        }
    }
    if (r->status && (rc = staff_status(r->status, t, now, ch, e)))
        return rc;
    if ((rc = staff_ref(db, &r->assignee, &t->assignee_id, "assignee_id", tickets__check_assignee,
                        ch, e)) ||
        (rc = staff_ref(db, &r->group, &t->group_id, "group_id", tickets__check_group, ch, e)))
        return rc;
    if (r->tags.given) {
        const char *tags;
        if ((rc = tickets__build_tags(&r->tags, c->a, &tags, e)))
            return rc;
        if (strcmp(tags, t->tags) != 0) {
            tickets__change(ch, "tags", *t->tags ? t->tags : NULL, *tags ? tags : NULL);
            *new_tags = tags;
        }
    }
    if (r->comment.body && (rc = tickets__check_body(r->comment.body, e)))
        return rc;
    if (r->comment.body && r->comment.author_id &&
        (rc = tickets__check_author(db, r->comment.author_id, r->comment.is_public != 0,
                                    "ticket.comment.author_id", e)))
        return rc;
    /* Last: a justification is asked for only once everything else is known to be valid. */
    return staff_policy(db, c, t, now, ch, e);
}

/* Staff's public reply is mailed to the requester, unless it is a chat message (the chat shows
 * it) or the comment is logged for the requester themself (a call they made, say). */
static bool mails_reply(const struct update_ctx *c, const struct ticket *t)
{
    const struct tickets_comment *cm = &c->req->comment;
    return cm->body && cm->is_public != 0 && !c->req->suppress_mail &&
           (!cm->author_id || cm->author_id != t->requester_id);
}

static int staff_update(struct db *db, struct update_ctx *c, struct ticket *t, int64_t now,
                        struct err *e)
{
    struct changes ch = {.n = 0};
    const char *new_tags = NULL;
    bool was_closed = strcmp(t->status, "closed") == 0;
    c->was_closed = was_closed;
    int rc = staff_changes(db, c, t, now, &ch, &new_tags, e);
    if (rc)
        return rc;
    bool commenting = c->req->comment.body != NULL;
    if (was_closed && (ch.n || commenting))
        return err_set(e, ERR_CONFLICT, "ticket.status",
                       "ticket %lld is closed: a closed ticket does not change (a requester's "
                       "reply creates a follow-up)",
                       (long long)t->id);
    if (commenting)
        rc = add_comment(db, t->id,
                         c->req->comment.author_id ? c->req->comment.author_id
                                                   : c->actor->subject.user_id,
                         c->req->comment.body, c->req->comment.is_public != 0,
                         ticket_channel_name(c->actor->channel), now, &ch, c, e);
    if (!rc && new_tags)
        rc = tickets_set_tags(db, t->id, new_tags, e);
    if (!rc && (ch.n || c->decide)) { /* decide: set_by_hand may change without an event */
        t->updated_at = ch.n ? now : t->updated_at;
        rc = tickets_save(db, t, e);
        rc = rc ? rc : tickets__write_changes(db, &ch, t->id, c->actor->subject.user_id, now, e);
        rc = rc ? rc : staff_policy_write(db, c, t, now, e);
    }
    if (!rc && mails_reply(c, t))
        rc = ticket_mail_reply(c->env, db, t, c->req->comment.body, now, e);
    if (!rc && (ch.n || commenting))
        rc = ticket_sla_refresh(c->env, db, t->id, now, true, e);
    return rc ? rc : tickets_get(db, t->id, true, c->a, c->out, e);
}

static int update_tx(struct db *db, void *arg, struct err *e)
{
    struct update_ctx *c = arg;
    const struct access_subject *s = &c->actor->subject;
    c->follow_up = false;
    int rc = tickets_lock(db, c->id, e);
    struct ticket t;
    if (!rc)
        rc = tickets_get(db, c->id, true, c->a, &t, e);
    if (rc == ERR_NOT_FOUND ||
        (!rc && !access_can_view_ticket(s, t.requester_id, t.organization_id)))
        return tickets__not_found(e, c->id);
    if (rc)
        return rc;
    int64_t now = c->env->now(c->env);
    return access_is_staff(s) ? staff_update(db, c, &t, now, e)
                              : requester_update(db, c, &t, now, e);
}

static int update(const struct env *env, struct db *db, const struct tickets_actor *actor,
                  int64_t id, const struct tickets_update_req *req, bool in_tx, struct arena *a,
                  struct ticket *out, bool *follow_up, struct err *e)
{
    if (!actor->subject.user_id)
        return tickets__not_found(e, id);
    if (req->comment.upload_count && !req->comment.body)
        return err_set(e, ERR_INVALID, "ticket.comment.body",
                       "a comment with uploads needs a body");
    struct update_ctx c = {.env = env, .actor = actor, .id = id, .req = req, .a = a, .out = out};
    int rc = in_tx ? update_tx(db, &c, e) : db_transact(db, DB_TX_WRITE, update_tx, &c, e);
    if (!rc)
        *follow_up = c.follow_up;
    return rc;
}

int tickets_update(const struct env *env, struct db *db, const struct tickets_actor *actor,
                   int64_t id, const struct tickets_update_req *req, struct arena *a,
                   struct ticket *out, bool *follow_up, struct err *e)
{
    return update(env, db, actor, id, req, false, a, out, follow_up, e);
}

int tickets_update_tx(const struct env *env, struct db *db, const struct tickets_actor *actor,
                      int64_t id, const struct tickets_update_req *req, struct arena *a,
                      struct ticket *out, bool *follow_up, struct err *e)
{
    return update(env, db, actor, id, req, true, a, out, follow_up, e);
}
