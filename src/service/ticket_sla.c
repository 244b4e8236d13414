#include "service/ticket_sla.h"

#include "base/xalloc.h"
#include "core/ticket.h"
#include "service/calendar_cache.h"
#include "service/policy.h"
#include "service/tickets_internal.h"

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

int ticket_sla_compute(const struct env *env, struct db *db, int64_t ticket_id, int64_t now,
                       struct sla_result *out, struct err *e)
{
    struct ticket_sla_row *rows = xmalloc(TICKET_SLA_EVENTS_MAX * sizeof *rows);
    struct sla_event *ev = xmalloc((TICKET_SLA_EVENTS_MAX + 2) * sizeof *ev);
    size_t n = 0;
    struct sla_targets targets;
    const struct calendar *cal = NULL;
    struct calendar_ref *ref = NULL;
    int rc = tickets_sla_events(db, ticket_id, rows, TICKET_SLA_EVENTS_MAX, &n, e);
    if (!rc && n == 0)
        rc = tickets__not_found(e, ticket_id);
    rc = rc ? rc : policy_sla(db, &targets, e);
    rc = rc ? rc : calendar_cache_acquire(env, db, &cal, &ref, e);
    if (!rc) {
        size_t m = to_events(rows, n, ev);
        rc = sla_compute(cal, &targets, ev, m, now, out, e);
        calendar_cache_release(ref);
    }
    free(rows);
    free(ev);
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

int ticket_sla_refresh(const struct env *env, struct db *db, int64_t ticket_id, int64_t now,
                       struct err *e)
{
    struct sla_result r;
    int rc = ticket_sla_compute(env, db, ticket_id, now, &r, e);
    if (rc)
        return rc;
    const char *state = sla_state_name(r.worst);
    return tickets_set_sla(db, ticket_id, state, warn_of_next_due(&r), r.next_due, e);
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
