/* sla: replay a ticket's events into its two SLA clocks (the rules are in sla.h, from issue 4).
 *
 * The replay is one pass over the events that only records where each clock started and
 * stopped: its start instant, the status right after its start instant, the priority in force at
 * its end, and the range of events in between. The instants and the elapsed measure are then
 * derived once per clock by walking that range (walk()). Deriving them at the end rather than
 * keeping running totals is what lets a priority change "recompute warn and due from the clock's
 * start": the walk simply measures every running stretch since the start with the final target,
 * clock kind included, which running totals in one measure could not do after normal -> urgent.
 * Each follow-up clock replaces the previous one, so only the last is walked: O(n) overall.
 */
#include "core/sla.h"

#include <stdbool.h>
#include <stdio.h>

/* Event instants accepted: 1970 up to year 10000, so that adding a target never overflows. */
#define SLA_INSTANT_MAX INT64_C(253402300800)
/* Targets longer than ten years are configuration mistakes, and would overflow nothing but
 * still make no sense for a support desk. */
#define SLA_TARGET_MAX (INT64_C(10) * 366 * 86400)

void sla_targets_default(struct sla_targets *t)
{
    /* Footnote 1 of the support policy, as issue 4 sets the defaults. */
    t->first_touch = (struct sla_target){SLA_CLOCK_BUSINESS, 90 * 60, 2 * 3600};
    t->follow_up[TICKET_PRIORITY_NORMAL] =
        (struct sla_target){SLA_CLOCK_BUSINESS, 8 * 3600, 24 * 3600};
    /* Low is "Normal" in the policy (core/ticket.h). */
    t->follow_up[TICKET_PRIORITY_LOW] = t->follow_up[TICKET_PRIORITY_NORMAL];
    t->follow_up[TICKET_PRIORITY_HIGH] =
        (struct sla_target){SLA_CLOCK_CALENDAR, 18 * 3600, 24 * 3600};
    t->follow_up[TICKET_PRIORITY_URGENT] = (struct sla_target){SLA_CLOCK_CALENDAR, 3600, 4 * 3600};
}

const char *sla_state_name(enum sla_state s)
{
    static const char *const names[] = {
        [SLA_RUNNING] = "running",     [SLA_WARNING] = "warning", [SLA_BREACHED] = "breached",
        [SLA_PAUSED] = "paused",       [SLA_MET] = "met",         [SLA_MET_LATE] = "met_late",
        [SLA_CANCELLED] = "cancelled",
    };
    if ((unsigned)s >= sizeof names / sizeof *names)
        return NULL;
    return names[s]; /* NULL for SLA_NONE */
}

/* ---- checking the input ---------------------------------------------------------------------- */

static int bad_target(struct err *e, const char *name, const char *key, const char *why)
{
    char field[64];
    snprintf(field, sizeof field, "%s.%s", name, key);
    return err_set(e, ERR_INVALID, field, "%s %s", field, why);
}

static int check_target(const struct sla_target *tg, const char *name, struct err *e)
{
    if ((unsigned)tg->clock > SLA_CLOCK_CALENDAR)
        return bad_target(e, name, "clock", "must be business or calendar");
    if (tg->due_s <= 0 || tg->due_s > SLA_TARGET_MAX)
        return bad_target(e, name, "due_s", "must be between 1 second and 10 years");
    if (tg->warn_s < 0 || tg->warn_s > tg->due_s)
        return bad_target(e, name, "warn_s", "must be between 0 and due_s");
    return 0;
}

static int check_targets(const struct sla_targets *t, bool *business, struct err *e)
{
    static const char *const names[TICKET_PRIORITY_COUNT] = {
        "targets.follow_up[0]", "targets.follow_up[1]", "targets.follow_up[2]",
        "targets.follow_up[3]"};
    int rc = check_target(&t->first_touch, "targets.first_touch", e);
    *business = t->first_touch.clock == SLA_CLOCK_BUSINESS;
    for (size_t p = 0; rc == 0 && p < TICKET_PRIORITY_COUNT; p++) {
        rc = check_target(&t->follow_up[p], names[p], e);
        *business = *business || t->follow_up[p].clock == SLA_CLOCK_BUSINESS;
    }
    return rc;
}

static int bad_event(struct err *e, size_t i, const char *key, const char *why)
{
    char field[64];
    snprintf(field, sizeof field, "events[%zu].%s", i, key);
    return err_set(e, ERR_INVALID, field, "%s %s", field, why);
}

static int check_events(const struct sla_event *ev, size_t n, struct err *e)
{
    if (n == 0)
        return err_set(e, ERR_INVALID, "events", "events must start with the ticket's creation");
    for (size_t i = 0; i < n; i++) {
        const struct sla_event *v = &ev[i];
        if (v->at < 0 || v->at >= SLA_INSTANT_MAX)
            return bad_event(e, i, "at", "is outside the years 1970-9999");
        if (i > 0 && v->at < ev[i - 1].at)
            return bad_event(e, i, "at", "is earlier than the event before it");
        if ((unsigned)v->kind > SLA_EV_PRIORITY)
            return bad_event(e, i, "kind", "is not a known event kind");
        if ((i == 0) != (v->kind == SLA_EV_CREATED))
            return bad_event(e, i, "kind",
                             i == 0 ? "must be created"
                                    : "may be created only for the first event");
        bool wants_priority = v->kind == SLA_EV_CREATED || v->kind == SLA_EV_PRIORITY;
        if (wants_priority && (unsigned)v->priority >= TICKET_PRIORITY_COUNT)
            return bad_event(e, i, "priority", "is not a known priority");
        if (v->kind == SLA_EV_CREATED && (unsigned)v->channel >= TICKET_CHANNEL_COUNT)
            return bad_event(e, i, "channel", "is not a known channel");
        if (v->kind == SLA_EV_STATUS && (unsigned)v->status >= TICKET_STATUS_COUNT)
            return bad_event(e, i, "status", "is not a known status");
    }
    return 0;
}

/* ---- status ---------------------------------------------------------------------------------- */

/* The status after one event. A requester message reopens as core/ticket.h says, so that a
 * follow-up started by it runs even when the caller logs the message without the status change.
 * Shared by the replay and the walk so both see the same status at every instant. */
static enum ticket_status status_step(enum ticket_status s, const struct sla_event *v)
{
    if (v->kind == SLA_EV_STATUS)
        return v->status;
    if (v->kind == SLA_EV_REQUESTER_MESSAGE)
        ticket_requester_reply(s, &s); /* closed: untouched, and the message is ignored */
    return s;
}

/* Does a follow-up run in this status? Pending and solved wait on the requester (a pause);
 * closed never reaches here (it ends the clock). */
static bool status_runs(enum ticket_status s)
{
    return s == TICKET_STATUS_NEW || s == TICKET_STATUS_OPEN || s == TICKET_STATUS_HOLD;
}

/* ---- measuring ------------------------------------------------------------------------------- */

static int64_t measure(const struct calendar *cal, enum sla_clock k, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    return k == SLA_CLOCK_BUSINESS ? cal_between(cal, a, b) : b - a;
}

/* The earliest u >= a with measure(a, u) == s. */
static int advance(const struct calendar *cal, enum sla_clock k, int64_t a, int64_t s, int64_t *u)
{
    if (k == SLA_CLOCK_CALENDAR) {
        *u = a + s;
        return 0;
    }
    return cal_add(cal, a, s, u);
}

/* A threshold (warn_s or due_s) and the instant the running measure reached it. */
struct mark {
    int64_t goal;
    bool reached;
    int64_t at;
};

/* A running stretch from a, ending at b (or open-ended when b < 0): mark each threshold the
 * measure acc + measure(a, .) gets to within it. */
static int stretch(const struct calendar *cal, enum sla_clock k, int64_t a, int64_t b, int64_t *acc,
                   struct mark *m, size_t nm)
{
    int64_t len = b < 0 ? INT64_MAX : measure(cal, k, a, b);
    for (size_t i = 0; i < nm; i++) {
        if (m[i].reached || m[i].goal - *acc > len)
            continue;
        int rc = advance(cal, k, a, m[i].goal - *acc, &m[i].at);
        if (rc)
            return rc;
        m[i].reached = true;
    }
    if (b >= 0)
        *acc += len;
    return 0;
}

/* Where a clock started and ended, as the replay recorded it. */
struct run {
    bool started;
    bool open;              /* started and not stopped */
    enum sla_state stopped; /* SLA_MET (met or late: the walk decides) or SLA_CANCELLED */
    int64_t start, stop;
    size_t from;                /* first event after the start instant */
    size_t to;                  /* first event of the stop instant, or the end of the replay */
    enum ticket_status status0; /* the status after the start instant's events */
    enum ticket_priority prio;  /* the priority in force at the end */
};

/* What the walk finds. last_run is the end of the last running stretch (the stop, the last
 * pause, or now): a due reached before it was overrun. */
enum { WARN, DUE };
struct walk {
    int64_t elapsed;
    struct mark m[2]; /* [WARN], [DUE] */
    bool running;     /* still running at the end */
    int64_t last_run;
};

/* Measure a run from its start to `end` with target tg: running stretches are those where the
 * status (from status0, stepped through ev[from..to)) lets the clock run; a clock that does not
 * pause (first touch) runs throughout. Statuses are judged per instant, after all its events,
 * so a pause and a resume at the same instant make no stretch. */
static int walk(const struct calendar *cal, const struct sla_target *tg, bool pauses,
                const struct run *r, const struct sla_event *ev, int64_t end, struct walk *w)
{
    enum ticket_status st = r->status0;
    bool running = !pauses || status_runs(st);
    int64_t acc = 0, seg = r->start;
    *w = (struct walk){.m = {{tg->warn_s, false, 0}, {tg->due_s, false, 0}}, .last_run = r->start};
    for (size_t i = r->from; pauses && i < r->to; i++) {
        st = status_step(st, &ev[i]);
        if (i + 1 < r->to && ev[i + 1].at == ev[i].at)
            continue;
        bool now_running = status_runs(st);
        if (running && !now_running) {
            int rc = stretch(cal, tg->clock, seg, ev[i].at, &acc, w->m, 2);
            if (rc)
                return rc;
            w->last_run = ev[i].at;
        } else if (!running && now_running) {
            seg = ev[i].at;
        }
        running = now_running;
    }
    w->running = running;
    w->elapsed = acc;
    if (!running)
        return 0;
    /* Still running at the end: the thresholds not reached yet lie ahead on this stretch. */
    int rc = stretch(cal, tg->clock, seg, -1, &acc, w->m, 2);
    if (rc)
        return rc;
    w->elapsed += measure(cal, tg->clock, seg, end);
    w->last_run = end;
    return 0;
}

/* Judge one clock at `now` from its run. */
static int judge(const struct calendar *cal, const struct sla_target *tg, bool pauses,
                 const struct run *r, const struct sla_event *ev, int64_t now,
                 struct sla_clock_state *out)
{
    *out = (struct sla_clock_state){0};
    if (!r->started)
        return 0;
    struct walk w;
    int rc = walk(cal, tg, pauses, r, ev, r->open ? now : r->stop, &w);
    if (rc)
        return rc;
    out->start = r->start;
    out->warn = w.m[WARN].reached ? w.m[WARN].at : 0;
    out->due = w.m[DUE].reached ? w.m[DUE].at : 0;
    out->elapsed = w.elapsed;
    if (!r->open) {
        out->stop = r->stop;
        if (r->stopped == SLA_CANCELLED)
            out->state = SLA_CANCELLED;
        else /* "met when stop <= due": overrun means it ran on past its due */
            out->state = w.m[DUE].reached && w.m[DUE].at < w.last_run ? SLA_MET_LATE : SLA_MET;
    } else if (!w.running) {
        out->state = SLA_PAUSED;
    } else if (now >= w.m[DUE].at) {
        out->state = SLA_BREACHED;
    } else if (now >= w.m[WARN].at) {
        out->state = SLA_WARNING;
    } else {
        out->state = SLA_RUNNING;
    }
    return 0;
}

/* ---- the replay ------------------------------------------------------------------------------ */

struct replay {
    enum ticket_status status;
    enum ticket_priority prio;
    bool replied;       /* some staff public reply so far (the first touch is done) */
    bool group_replied; /* a staff public reply at the instant being applied */
    bool group_started; /* a follow-up started at the instant being applied */
    bool closed;
    struct run ft, fu;
    struct run answered[SLA_CYCLES_MAX]; /* follow-up cycles a staff reply stopped */
    size_t nanswered;
};

static void run_start(struct run *r, int64_t at)
{
    *r = (struct run){.started = true, .open = true, .start = at};
}

/* g: the first event of the instant at which the run stops. */
static void run_stop(struct run *r, int64_t at, size_t g, enum sla_state how)
{
    r->open = false;
    r->stopped = how;
    r->stop = at;
    r->to = g;
}

static void staff_reply(struct replay *p, int64_t at, size_t g)
{
    p->replied = true;
    p->group_replied = true;
    if (p->ft.open)
        run_stop(&p->ft, at, g, SLA_MET);
    if (p->fu.open) {
        p->fu.prio = p->prio;
        run_stop(&p->fu, at, g, SLA_MET);
        if (p->nanswered < SLA_CYCLES_MAX)
            p->answered[p->nanswered++] = p->fu;
    }
}

static void apply(struct replay *p, const struct sla_event *v, size_t g)
{
    switch (v->kind) {
    case SLA_EV_CREATED:
        p->status = TICKET_STATUS_NEW; /* a ticket is born new (core/ticket.h) */
        p->prio = v->priority;
        run_start(&p->ft, v->at);
        if (v->channel == TICKET_CHANNEL_VOICE) /* the call is the first touch */
            staff_reply(p, v->at, g);
        break;
    case SLA_EV_STAFF_REPLY:
        staff_reply(p, v->at, g);
        break;
    case SLA_EV_REQUESTER_MESSAGE:
        if (p->status == TICKET_STATUS_CLOSED)
            break;
        p->status = status_step(p->status, v);
        /* Before any staff reply the first touch covers the message; an open follow-up is
         * not restarted by further messages. */
        if (p->replied && !p->fu.open) {
            run_start(&p->fu, v->at);
            p->group_started = true;
        }
        break;
    case SLA_EV_STATUS:
        p->status = v->status;
        break;
    case SLA_EV_PRIORITY:
        p->prio = v->priority;
        break;
    }
}

/* After all events of instant `at` (ev[g..end)): a reply that leaves support working starts a
 * follow-up; a close ends whatever still runs. */
static void settle(struct replay *p, int64_t at, size_t g, size_t end)
{
    bool working = p->status == TICKET_STATUS_OPEN || p->status == TICKET_STATUS_HOLD;
    if (p->group_replied && working && !p->fu.open) {
        run_start(&p->fu, at);
        p->group_started = true;
    }
    if (p->group_started) {
        p->fu.from = end;
        p->fu.status0 = p->status;
    }
    if (p->status == TICKET_STATUS_CLOSED) {
        if (p->ft.open)
            run_stop(&p->ft, at, g, SLA_CANCELLED);
        if (p->fu.open) {
            p->fu.prio = p->prio;
            run_stop(&p->fu, at, g, SLA_CANCELLED);
        }
        p->closed = true;
    }
    p->group_replied = p->group_started = false;
}

/* Apply the events up to `now` (whole instants), stopping after a close. Returns the number of
 * events applied. */
static size_t replay(struct replay *p, const struct sla_event *ev, size_t n, int64_t now)
{
    size_t i = 0;
    while (i < n && ev[i].at <= now && !p->closed) {
        size_t end = i;
        while (end < n && ev[end].at == ev[i].at)
            apply(p, &ev[end++], i);
        settle(p, ev[i].at, i, end);
        i = end;
    }
    return i;
}

/* ---- the result ------------------------------------------------------------------------------ */

/* Higher is worse; cancelled and none never win. */
static int severity(enum sla_state s)
{
    switch (s) {
    case SLA_BREACHED:
        return 6;
    case SLA_WARNING:
        return 5;
    case SLA_RUNNING:
        return 4;
    case SLA_PAUSED:
        return 3;
    case SLA_MET_LATE:
        return 2;
    case SLA_MET:
        return 1;
    default:
        return 0;
    }
}

static void summarize(const struct sla_clock_state *c, int64_t now, struct sla_result *out)
{
    if (severity(c->state) > severity(out->worst))
        out->worst = c->state;
    if (c->state != SLA_RUNNING && c->state != SLA_WARNING && c->state != SLA_BREACHED)
        return;
    if (out->next_due == 0 || c->due < out->next_due)
        out->next_due = c->due;
    /* Running: the warn comes first (it may equal the due); warning: the due. */
    int64_t change = c->state == SLA_RUNNING ? c->warn : c->due;
    if (change > now && (out->next_change == 0 || change < out->next_change))
        out->next_change = change;
}

int sla_compute(const struct calendar *cal, const struct sla_targets *t, const struct sla_event *ev,
                size_t n, int64_t now, struct sla_result *out, struct err *e)
{
    bool business;
    int rc = check_targets(t, &business, e);
    if (rc == 0)
        rc = check_events(ev, n, e);
    if (rc)
        return rc;
    int64_t open_at;
    if (business && (cal == NULL || cal_next_open(cal, ev[0].at, &open_at) == ERR_INVALID))
        return err_set(e, ERR_INVALID, "calendar",
                       "calendar is never open but a target is on the business clock");

    struct replay p = {0};
    size_t applied = replay(&p, ev, n, now);
    if (p.ft.open)
        p.ft.to = applied;
    if (p.fu.open) {
        p.fu.to = applied;
        p.fu.prio = p.prio;
    }

    struct sla_result r = {0};
    rc = judge(cal, &t->first_touch, false, &p.ft, ev, now, &r.first_touch);
    if (rc == 0)
        rc = judge(cal, &t->follow_up[p.fu.prio], true, &p.fu, ev, now, &r.follow_up);
    if (rc)
        return err_set(e, rc, "calendar", "a deadline lies beyond the calendar's range");
    /* Every answered cycle judged with the priority in force when it was answered; the current
     * one counts too when it is overdue. */
    for (size_t i = 0; i < p.nanswered && rc == 0; i++) {
        struct sla_clock_state c;
        rc = judge(cal, &t->follow_up[p.answered[i].prio], true, &p.answered[i], ev, now, &c);
        if (rc == 0 && c.state == SLA_MET)
            r.follow_ups_met++;
        else if (rc == 0 && c.state == SLA_MET_LATE)
            r.follow_ups_late++;
    }
    if (rc)
        return err_set(e, rc, "calendar", "a deadline lies beyond the calendar's range");
    if (r.follow_up.state == SLA_BREACHED ||
        (r.follow_up.state == SLA_PAUSED && r.follow_up.due && r.follow_up.due <= now))
        r.follow_ups_late++;
    summarize(&r.first_touch, now, &r);
    summarize(&r.follow_up, now, &r);
    *out = r;
    return 0;
}
