#include "service/ticket_sla.h"

#include "base/xalloc.h"
#include "core/ticket.h"
#include "service/calendar_cache.h"
#include "service/policy_pack.h"
#include "service/roster.h"
#include "service/tickets_internal.h"
#include "store/outbox.h"
#include "store/users.h"

#include "base/timefmt.h"
#include <stdio.h>

#include <stdlib.h>
#include <string.h>

/* The ticket's rows as core/sla.h events. The values a ticket is born with (status, priority,
 * channel: old value NULL, at the first instant) make one SLA_EV_CREATED; its first comment is
 * the submission itself, not a message to answer. Other public comments are a staff reply or a
 * requester's message by their author's role. Rows come in id order, which imports keep in time
 * order too; a stable sort by instant makes sure of it. */
static size_t to_events(const struct ticket_sla_row *rows, size_t n, struct sla_event *ev)
{
    struct sla_event created = {.kind = SLA_EV_CREATED,
                                .status = TICKET_STATUS_NEW,
                                .priority = TICKET_PRIORITY_NORMAL,
                                .channel = TICKET_CHANNEL_API};
    size_t i = 0;
    created.at = n ? rows[0].at : 0;
    for (; i < n && rows[i].born && rows[i].at == created.at; i++) {
        const struct ticket_sla_row *r = &rows[i];
        size_t len = strlen(r->value);
        if (!strcmp(r->field, "status"))
            ticket_status_parse(r->value, len, &created.status);
        else if (!strcmp(r->field, "priority"))
            ticket_priority_parse(r->value, len, &created.priority);
        else if (!strcmp(r->field, "via"))
            ticket_channel_parse(r->value, len, &created.channel);
    }
    size_t m = 0;
    ev[m++] = created;
    /* The engine starts every ticket new; one created in another status (staff may, an import
     * does) gets that status at the same instant. */
    if (created.status != TICKET_STATUS_NEW)
        ev[m++] =
            (struct sla_event){.at = created.at, .kind = SLA_EV_STATUS, .status = created.status};
    bool submission_seen = false;
    for (size_t k = 0; k < n; k++) {
        const struct ticket_sla_row *r = &rows[k];
        size_t len = strlen(r->value);
        struct sla_event x = {.at = r->at};
        if (!strcmp(r->field, "comment")) {
            if (!submission_seen && r->at == created.at) {
                submission_seen = true;
                continue;
            }
            submission_seen = true;
            x.kind = strcmp(r->author_role, "end-user") == 0 ? SLA_EV_REQUESTER_MESSAGE
                                                             : SLA_EV_STAFF_REPLY;
        } else if (k < i) {
            continue; /* part of the birth */
        } else if (!strcmp(r->field, "status")) {
            if (ticket_status_parse(r->value, len, &x.status))
                continue;
            x.kind = SLA_EV_STATUS;
        } else if (!strcmp(r->field, "priority")) {
            if (ticket_priority_parse(r->value, len, &x.priority))
                continue;
            x.kind = SLA_EV_PRIORITY;
        } else {
            continue;
        }
        if (x.at < created.at)
            x.at = created.at;
        /* Insertion keeps the sort stable and costs nothing on rows already in order. */
        size_t at = m;
        while (at > 1 && ev[at - 1].at > x.at) {
            ev[at] = ev[at - 1];
            at--;
        }
        ev[at] = x;
        m++;
    }
    return m;
}

int ticket_sla_compute_with(struct db *db, int64_t ticket_id, const struct calendar *cal,
                            const struct sla_targets *targets, int64_t now, struct sla_result *out,
                            struct err *e)
{
    struct ticket_sla_row *rows = NULL;
    size_t n = 0;
    int rc = tickets_sla_events(db, ticket_id, TICKET_SLA_EVENTS_MAX, &rows, &n, e);
    if (!rc && n == 0)
        rc = tickets__not_found(e, ticket_id);
    if (!rc) {
        struct sla_event *ev = xmalloc((n + 2) * sizeof *ev); /* + the creation and its status */
        size_t m = to_events(rows, n, ev);
        rc = sla_compute(cal, targets, ev, m, now, out, e);
        free(ev);
    }
    free(rows);
    return rc;
}

int ticket_sla_compute(const struct env *env, struct db *db, int64_t ticket_id, int64_t now,
                       struct sla_result *out, struct err *e)
{
    struct sla_targets targets;
    const struct calendar *cal = NULL;
    struct calendar_ref *ref = NULL;
    int rc = policy_pack_sla(env, db, &targets, e);
    rc = rc ? rc : calendar_cache_acquire(env, db, &cal, &ref, e);
    if (rc)
        return rc;
    rc = ticket_sla_compute_with(db, ticket_id, cal, &targets, now, out, e);
    calendar_cache_release(ref);
    return rc;
}

/* The warn instant of the clock whose due is the soonest. */
static int64_t warn_of_next_due(const struct sla_result *r)
{
    if (r->next_due && r->first_touch.due == r->next_due)
        return r->first_touch.warn;
    if (r->next_due && r->follow_up.due == r->next_due)
        return r->follow_up.warn;
    return 0;
}

#define NOTIFY_MAX 64 /* recipients of one notification */

/* The lead on duty at now (service/roster.h), as the one recipient of a breach; *n stays 0 when
 * nobody is on duty. */
static int lead_on_duty(const struct env *env, struct db *db, int64_t now,
                        char (*to)[USER_EMAIL_MAX + 1], size_t *n, struct err *e)
{
    const struct calendar *cal;
    struct calendar_ref *ref;
    int rc = calendar_cache_acquire(env, db, &cal, &ref, e);
    if (rc)
        return rc;
    struct roster_duty d;
    rc = roster_duty_at(db, cal, now, &d, e);
    calendar_cache_release(ref);
    struct user u;
    rc = rc || !d.user_id ? rc : users_get(db, d.user_id, &u, e);
    if (!rc && d.user_id && u.active) {
        memcpy(to[0], u.email, sizeof to[0]);
        *n = 1;
    }
    return rc;
}

/* Who hears of a crossing: a warning goes to whoever works the ticket; a breach to the lead on
 * duty, or when nobody is, to the leads (else the admins). */
static int recipients(const struct env *env, struct db *db, const struct ticket *t, bool breach,
                      int64_t now, char (*to)[USER_EMAIL_MAX + 1], size_t *n, struct err *e)
{
    *n = 0;
    int rc = 0;
    if (breach) {
        rc = lead_on_duty(env, db, now, to, n, e);
        if (rc || *n)
            return rc;
    }
    if (!breach && t->assignee_id) {
        struct user u;
        rc = users_get(db, t->assignee_id, &u, e);
        if (!rc && u.active) {
            memcpy(to[0], u.email, sizeof to[0]);
            *n = 1;
        }
        if (rc || *n)
            return rc;
    }
    if (!breach && t->group_id) {
        rc = users_notify_emails(db, NULL, t->group_id, to, NOTIFY_MAX, n, e);
        if (rc || *n)
            return rc;
    }
    rc = users_notify_emails(db, "lead", 0, to, NOTIFY_MAX, n, e);
    if (!rc && !*n)
        rc = users_notify_emails(db, "admin", 0, to, NOTIFY_MAX, n, e);
    return rc;
}

struct crossing {
    const char *field; /* "sla_first_touch" / "sla_follow_up" */
    const char *what;  /* "first response" / "follow-up" */
    const struct sla_clock_state *clock;
    enum sla_clock measure;
};

static int notify_crossing(const struct env *env, struct db *db, const struct ticket *t,
                           const struct crossing *x, bool breach, int64_t now, struct err *e)
{
    char(*to)[USER_EMAIL_MAX + 1] = xmalloc(NOTIFY_MAX * sizeof *to);
    size_t n = 0;
    int rc = recipients(env, db, t, breach, now, to, &n, e);
    /* Business-hours targets are worked in business hours: their mail waits for the opening. */
    int64_t send_at = now;
    if (!rc && x->measure == SLA_CLOCK_BUSINESS) {
        const struct calendar *cal;
        struct calendar_ref *ref;
        rc = calendar_cache_acquire(env, db, &cal, &ref, e);
        if (!rc) {
            int64_t open;
            if (cal_next_open(cal, now, &open) == 0)
                send_at = open;
            calendar_cache_release(ref);
        }
    }
    char subject[TICKET_SUBJECT_MAX * 4 + 96], body[1024], due[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(x->clock->due, due);
    snprintf(subject, sizeof subject, "[#%lld] %s %s: %s", (long long)t->id,
             breach ? "SLA breached:" : "SLA warning:", x->what, t->subject);
    snprintf(body, sizeof body,
             "Ticket #%lld (%s priority) %s its %s target: due %s UTC.\n\n"
             "Open it in the agent console: /agent.html#/tickets/%lld\n",
             (long long)t->id, t->priority, breach ? "has missed" : "is close to", x->what, due,
             (long long)t->id);
    for (size_t i = 0; i < n && !rc; i++) {
        struct outbox_new m = {.kind = breach ? "sla_breach" : "sla_warning",
                               .to_address = to[i],
                               .subject = subject,
                               .body = body,
                               .ticket_id = t->id,
                               .send_at = send_at};
        rc = outbox_insert(db, &m, now, NULL, e);
    }
    free(to);
    return rc;
}

/* Record the crossings of one clock that are not recorded yet; notify those of a clock still
 * ticking. */
static int record_crossings(const struct env *env, struct db *db, const struct ticket *t,
                            const struct crossing *x, bool notify, int64_t now, struct err *e)
{
    const struct sla_clock_state *c = x->clock;
    if (c->state == SLA_NONE || !c->start)
        return 0;
    int64_t end = c->stop ? c->stop : now;
    bool ticking = c->state == SLA_WARNING || c->state == SLA_BREACHED;
    char cycle[24];
    snprintf(cycle, sizeof cycle, "%lld", (long long)c->start);
    const struct {
        int64_t at;
        const char *state;
        bool breach;
    } kinds[2] = {{c->warn, "warning", false}, {c->due, "breached", true}};
    int rc = 0;
    for (int k = 0; k < 2 && !rc; k++) {
        if (!kinds[k].at || kinds[k].at > end)
            continue;
        bool done = false;
        rc = tickets_event_exists(db, t->id, x->field, cycle, kinds[k].state, &done, e);
        if (rc || done)
            continue;
        struct ticket_event ev = {.ticket_id = t->id,
                                  .actor_id = 0,
                                  .at = kinds[k].at,
                                  .field = x->field,
                                  .old_value = cycle,
                                  .new_value = kinds[k].state};
        rc = tickets_event_insert(db, &ev, e);
        /* A warning that a breach has already overtaken is not worth a mail of its own. */
        bool overtaken = !kinds[k].breach && c->state == SLA_BREACHED;
        if (!rc && notify && ticking && !overtaken)
            rc = notify_crossing(env, db, t, x, kinds[k].breach, now, e);
    }
    return rc;
}

int ticket_sla_refresh(const struct env *env, struct db *db, int64_t ticket_id, int64_t now,
                       bool notify, struct err *e)
{
    struct sla_result r;
    int rc = ticket_sla_compute(env, db, ticket_id, now, &r, e);
    if (rc == ERR_NOT_FOUND) {
        /* No history to judge (rows written outside the API): no clock, and nothing for the
         * sweep to wait for, rather than a batch that fails on it forever. */
        struct ticket_sla_summary none = {NULL, 0, 0, 0};
        if (e)
            err_clear(e);
        return tickets_set_sla(db, ticket_id, &none, e);
    }
    if (rc)
        return rc;
    bool crossed = (r.first_touch.warn && r.first_touch.warn <= now) ||
                   (r.follow_up.warn && r.follow_up.warn <= now);
    if (crossed) {
        /* Rare (a clock past its warn instant): only then read what a notification needs. */
        struct sla_targets targets;
        struct arena a;
        arena_init(&a, 1 << 16);
        struct ticket t;
        rc = policy_pack_sla(env, db, &targets, e);
        rc = rc ? rc : tickets_get(db, ticket_id, false, &a, &t, e);
        if (!rc) {
            enum ticket_priority p = TICKET_PRIORITY_NORMAL;
            ticket_priority_parse(t.priority, strlen(t.priority), &p);
            struct crossing ft = {"sla_first_touch", "first response", &r.first_touch,
                                  targets.first_touch.clock};
            struct crossing fu = {"sla_follow_up", "follow-up", &r.follow_up,
                                  targets.follow_up[p].clock};
            rc = record_crossings(env, db, &t, &ft, notify, now, e);
            rc = rc ? rc : record_crossings(env, db, &t, &fu, notify, now, e);
        }
        arena_release(&a);
        if (rc)
            return rc;
    }
    struct ticket_sla_summary s = {.state = sla_state_name(r.worst),
                                   .warn_at = warn_of_next_due(&r),
                                   .due_at = r.next_due,
                                   .next_at = r.next_change};
    return tickets_set_sla(db, ticket_id, &s, e);
}

const char *ticket_sla_state_now(const struct ticket *t, int64_t now)
{
    const char *s = t->sla_state;
    bool ticking = !strcmp(s, "running") || !strcmp(s, "warning");
    if (ticking && t->sla_due_at && now >= t->sla_due_at)
        return "breached";
    if (!strcmp(s, "running") && t->sla_warn_at && now >= t->sla_warn_at)
        return "warning";
    return s;
}

int ticket_sla_show(const struct env *env, struct db *db, const struct access_subject *s,
                    int64_t ticket_id, struct sla_result *out, struct err *e)
{
    struct arena a;
    arena_init(&a, 4096);
    struct ticket t;
    int rc = tickets__read_visible(db, s, ticket_id, &a, &t, e);
    arena_release(&a);
    return rc ? rc : ticket_sla_compute(env, db, ticket_id, env->now(env), out, e);
}
