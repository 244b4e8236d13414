/* test_sla: the core/sla.h contract, rule by rule of issue 4's "SLA clocks on tickets", on the
 * default calendar (America/Toronto, Mon-Fri 09:00-17:00, CA-ON holidays).
 *
 * Every expected instant below was worked out by hand in the comment next to it, in Eastern time
 * (EST = UTC-5 until 2026-03-08, EDT = UTC-4 after), not copied from what sla.c returns. Business
 * durations are written as the sum of the open hours they cover. Weekdays used: 2026-01-09 Fri,
 * 2026-01-12 Mon, 13 Tue, 14 Wed, 15 Thu, 16 Fri, 19 Mon, 20 Tue, 21 Wed.
 *
 * The default targets: first touch business warn 1h30 due 2h; follow-up normal/low business warn
 * 8h due 24h; high 24x7 warn 18h due 24h; urgent 24x7 warn 1h due 4h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "core/calendar.h"
#include "core/sla.h"

#define H 3600
#define M 60

/* ---- table machinery ------------------------------------------------------------------------- */

struct tev {
    const char *at; /* NULL ends the list */
    enum sla_event_kind kind;
    int a, b; /* created: channel, priority; status: status; priority: priority */
};

#define CREATED(t, ch, pr)                                                                         \
    {                                                                                              \
        t, SLA_EV_CREATED, TICKET_CHANNEL_##ch, TICKET_PRIORITY_##pr                               \
    }
#define REPLY(t)                                                                                   \
    {                                                                                              \
        t, SLA_EV_STAFF_REPLY, 0, 0                                                                \
    }
#define MSG(t)                                                                                     \
    {                                                                                              \
        t, SLA_EV_REQUESTER_MESSAGE, 0, 0                                                          \
    }
#define STATUS(t, s)                                                                               \
    {                                                                                              \
        t, SLA_EV_STATUS, TICKET_STATUS_##s, 0                                                     \
    }
#define PRIO(t, p)                                                                                 \
    {                                                                                              \
        t, SLA_EV_PRIORITY, TICKET_PRIORITY_##p, 0                                                 \
    }

struct want_clock {
    enum sla_state state;
    const char *start, *warn, *due, *stop; /* NULL: 0 */
    int64_t elapsed;
};

#define CLK(st, start, warn, due, stop, el)                                                        \
    {                                                                                              \
        SLA_##st, start, warn, due, stop, el                                                       \
    }
#define NOCLK                                                                                      \
    {                                                                                              \
        SLA_NONE, NULL, NULL, NULL, NULL, 0                                                        \
    }

struct sla_case {
    const char *name;
    struct tev ev[12];
    const char *now;
    struct want_clock ft, fu;
    enum sla_state worst;
    const char *next_due, *next_change; /* NULL: 0 */
};

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
    if (iso == NULL)
        return 0;
    if (timefmt_parse_iso8601(iso, strlen(iso), &t))
        fail_msg("bad instant %s", iso);
    return t;
}

static const char *show(int64_t t, char buf[TIMEFMT_ISO_LEN + 1])
{
    if (t == 0)
        return "0";
    timefmt_iso8601(t, buf);
    return buf;
}

static size_t to_events(const struct tev *in, struct sla_event *out)
{
    size_t n = 0;
    for (; in[n].at; n++) {
        out[n] = (struct sla_event){.at = utc(in[n].at), .kind = in[n].kind};
        switch (in[n].kind) {
        case SLA_EV_CREATED:
            out[n].channel = (enum ticket_channel)in[n].a;
            out[n].priority = (enum ticket_priority)in[n].b;
            break;
        case SLA_EV_STATUS:
            out[n].status = (enum ticket_status)in[n].a;
            break;
        case SLA_EV_PRIORITY:
            out[n].priority = (enum ticket_priority)in[n].a;
            break;
        default:
            break;
        }
    }
    return n;
}

static int check_instant(const char *name, const char *what, int64_t got, const char *want)
{
    char b1[TIMEFMT_ISO_LEN + 1], b2[TIMEFMT_ISO_LEN + 1];
    if (got == utc(want))
        return 0;
    print_error("%s: %s = %s, want %s\n", name, what, show(got, b1), show(utc(want), b2));
    return 1;
}

static int check_clock(const char *name, const char *which, const struct sla_clock_state *got,
                       const struct want_clock *want)
{
    char what[32];
    int bad = 0;
    if (got->state != want->state) {
        print_error("%s: %s.state = %s, want %s\n", name, which, sla_state_name(got->state),
                    sla_state_name(want->state));
        bad++;
    }
    snprintf(what, sizeof what, "%s.start", which);
    bad += check_instant(name, what, got->start, want->start);
    snprintf(what, sizeof what, "%s.warn", which);
    bad += check_instant(name, what, got->warn, want->warn);
    snprintf(what, sizeof what, "%s.due", which);
    bad += check_instant(name, what, got->due, want->due);
    snprintf(what, sizeof what, "%s.stop", which);
    bad += check_instant(name, what, got->stop, want->stop);
    if (got->elapsed != want->elapsed) {
        print_error("%s: %s.elapsed = %lld, want %lld\n", name, which, (long long)got->elapsed,
                    (long long)want->elapsed);
        bad++;
    }
    return bad;
}

static void run_cases(const struct sla_case *cases, size_t ncases)
{
    struct sla_targets t;
    sla_targets_default(&t);
    int bad = 0;
    for (size_t i = 0; i < ncases; i++) {
        const struct sla_case *c = &cases[i];
        struct sla_event ev[12];
        size_t n = to_events(c->ev, ev);
        struct sla_result r;
        struct err e;
        err_clear(&e);
        int rc = sla_compute(cal, &t, ev, n, utc(c->now), &r, &e);
        if (rc) {
            print_error("%s: sla_compute = %d (%s: %s)\n", c->name, rc, e.field, e.message);
            bad++;
            continue;
        }
        bad += check_clock(c->name, "first_touch", &r.first_touch, &c->ft);
        bad += check_clock(c->name, "follow_up", &r.follow_up, &c->fu);
        if (r.worst != c->worst) {
            print_error("%s: worst = %s, want %s\n", c->name, sla_state_name(r.worst),
                        sla_state_name(c->worst));
            bad++;
        }
        bad += check_instant(c->name, "next_due", r.next_due, c->next_due);
        bad += check_instant(c->name, "next_change", r.next_change, c->next_change);
    }
    if (bad)
        fail_msg("%d mismatches", bad);
}

#define RUN(cases) run_cases(cases, sizeof cases / sizeof *cases)

/* ---- first touch ----------------------------------------------------------------------------- */

/* Submitted Friday 2026-01-09 16:30 EST (21:30Z). Open that day: 16:30-17:00 = 30 min. Then the
 * weekend; Monday 2026-01-12 opens 09:00 EST = 14:00Z. warn 1h30 = 30 min + 1h -> Mon 10:00 EST =
 * 15:00Z; due 2h = 30 min + 1h30 -> Mon 10:30 EST = 15:30Z. */
#define FRI_1630 "2026-01-09T21:30:00Z"
#define FT_WARN  "2026-01-12T15:00:00Z"
#define FT_DUE   "2026-01-12T15:30:00Z"

static const struct sla_case first_touch_cases[] = {
    {"weekend: running Friday 16:45 (15 min)",
     {CREATED(FRI_1630, EMAIL, NORMAL)},
     "2026-01-09T21:45:00Z",
     CLK(RUNNING, FRI_1630, FT_WARN, FT_DUE, NULL, 15 * M),
     NOCLK,
     SLA_RUNNING,
     FT_DUE,
     FT_WARN},
    {"weekend: Saturday counts nothing (30 min)",
     {CREATED(FRI_1630, EMAIL, NORMAL)},
     "2026-01-10T17:00:00Z",
     CLK(RUNNING, FRI_1630, FT_WARN, FT_DUE, NULL, 30 * M),
     NOCLK,
     SLA_RUNNING,
     FT_DUE,
     FT_WARN},
    {"weekend: one second before warn (30 min + 59:59)",
     {CREATED(FRI_1630, EMAIL, NORMAL)},
     "2026-01-12T14:59:59Z",
     CLK(RUNNING, FRI_1630, FT_WARN, FT_DUE, NULL, 30 * M + H - 1),
     NOCLK,
     SLA_RUNNING,
     FT_DUE,
     FT_WARN},
    {"weekend: warning from the warn instant",
     {CREATED(FRI_1630, EMAIL, NORMAL)},
     FT_WARN,
     CLK(WARNING, FRI_1630, FT_WARN, FT_DUE, NULL, 90 * M),
     NOCLK,
     SLA_WARNING,
     FT_DUE,
     FT_DUE},
    {"weekend: breached from the due instant, nothing left to change",
     {CREATED(FRI_1630, EMAIL, NORMAL)},
     FT_DUE,
     CLK(BREACHED, FRI_1630, FT_WARN, FT_DUE, NULL, 2 * H),
     NOCLK,
     SLA_BREACHED,
     FT_DUE,
     NULL},
    /* Tuesday 10:00 EST: Fri 30 min + Mon 8 h + Tue 1 h = 9 h 30. */
    {"weekend: still breached Tuesday",
     {CREATED(FRI_1630, EMAIL, NORMAL)},
     "2026-01-13T15:00:00Z",
     CLK(BREACHED, FRI_1630, FT_WARN, FT_DUE, NULL, 9 * H + 30 * M),
     NOCLK,
     SLA_BREACHED,
     FT_DUE,
     NULL},
    {"weekend: a reply at the due instant is met",
     {CREATED(FRI_1630, EMAIL, NORMAL), REPLY(FT_DUE), STATUS(FT_DUE, PENDING)},
     "2026-01-12T16:00:00Z",
     CLK(MET, FRI_1630, FT_WARN, FT_DUE, FT_DUE, 2 * H),
     NOCLK,
     SLA_MET,
     NULL,
     NULL},
    {"weekend: a reply one minute after due is met_late",
     {CREATED(FRI_1630, EMAIL, NORMAL), REPLY("2026-01-12T15:31:00Z"),
      STATUS("2026-01-12T15:31:00Z", PENDING)},
     "2026-01-12T16:00:00Z",
     CLK(MET_LATE, FRI_1630, FT_WARN, FT_DUE, "2026-01-12T15:31:00Z", 2 * H + M),
     NOCLK,
     SLA_MET_LATE,
     NULL,
     NULL},
    {"weekend: a reply Friday 16:40 is met after 10 min",
     {CREATED(FRI_1630, EMAIL, NORMAL), REPLY("2026-01-09T21:40:00Z"),
      STATUS("2026-01-09T21:40:00Z", SOLVED)},
     "2026-01-12T20:00:00Z",
     CLK(MET, FRI_1630, FT_WARN, FT_DUE, "2026-01-09T21:40:00Z", 10 * M),
     NOCLK,
     SLA_MET,
     NULL,
     NULL},
    {"weekend: a reply at now is applied",
     {CREATED(FRI_1630, EMAIL, NORMAL), REPLY(FT_WARN), STATUS(FT_WARN, PENDING)},
     FT_WARN,
     CLK(MET, FRI_1630, FT_WARN, FT_DUE, FT_WARN, 90 * M),
     NOCLK,
     SLA_MET,
     NULL,
     NULL},
    {"weekend: a reply after now is not applied yet",
     {CREATED(FRI_1630, EMAIL, NORMAL), REPLY("2026-01-12T14:30:00Z"),
      STATUS("2026-01-12T14:30:00Z", PENDING)},
     "2026-01-12T14:29:00Z",
     CLK(RUNNING, FRI_1630, FT_WARN, FT_DUE, NULL, 30 * M + 29 * M),
     NOCLK,
     SLA_RUNNING,
     FT_DUE,
     FT_WARN},
    {"before submission nothing runs",
     {CREATED(FRI_1630, EMAIL, NORMAL)},
     "2026-01-09T21:29:59Z",
     NOCLK,
     NOCLK,
     SLA_NONE,
     NULL,
     NULL},
    /* The example: Wednesday 2025-12-24 16:30 EST (21:30Z): 30 min; Christmas (Thu 25)
     * and Boxing Day (Fri 26) closed, then the weekend; Monday December 29 09:00 EST = 14:00Z:
     * warn 10:00 EST = 15:00Z, due 10:30 EST = 15:30Z ("expected by Monday, December 29,
     * 10:30 a.m. Eastern"). Boxing Day noon: 30 min elapsed. */
    {"holidays: Christmas and Boxing Day 2025",
     {CREATED("2025-12-24T21:30:00Z", WEB, NORMAL)},
     "2025-12-26T17:00:00Z",
     CLK(RUNNING, "2025-12-24T21:30:00Z", "2025-12-29T15:00:00Z", "2025-12-29T15:30:00Z", NULL,
         30 * M),
     NOCLK,
     SLA_RUNNING,
     "2025-12-29T15:30:00Z",
     "2025-12-29T15:00:00Z"},
    /* Christmas 2027 is a Saturday: observed Monday 27; Boxing Day (Sunday) observed Tuesday 28.
     * Friday 2027-12-24 16:00 EST (21:00Z): 1 h. Next open: Wednesday 29 09:00 EST = 14:00Z:
     * warn 09:30 EST = 14:30Z, due 10:00 EST = 15:00Z. Tuesday 28 15:00 EST: still 1 h. */
    {"holidays: observed Christmas and Boxing Day 2027",
     {CREATED("2027-12-24T21:00:00Z", EMAIL, NORMAL)},
     "2027-12-28T20:00:00Z",
     CLK(RUNNING, "2027-12-24T21:00:00Z", "2027-12-29T14:30:00Z", "2027-12-29T15:00:00Z", NULL, H),
     NOCLK,
     SLA_RUNNING,
     "2027-12-29T15:00:00Z",
     "2027-12-29T14:30:00Z"},
    {"holidays: observed 2027, warning Wednesday 09:30",
     {CREATED("2027-12-24T21:00:00Z", EMAIL, NORMAL)},
     "2027-12-29T14:30:00Z",
     CLK(WARNING, "2027-12-24T21:00:00Z", "2027-12-29T14:30:00Z", "2027-12-29T15:00:00Z", NULL,
         90 * M),
     NOCLK,
     SLA_WARNING,
     "2027-12-29T15:00:00Z",
     "2027-12-29T15:00:00Z"},
    /* Daylight saving starts Sunday 2026-03-08. Friday 2026-03-06 16:00 EST (21:00Z): 1 h;
     * Monday 2026-03-09 opens 09:00 EDT = 13:00Z: warn 09:30 EDT = 13:30Z, due 10:00 EDT =
     * 14:00Z (not 15:00Z, which 09:00 EST would give). */
    {"daylight saving: due Monday 10:00 EDT",
     {CREATED("2026-03-06T21:00:00Z", EMAIL, NORMAL)},
     "2026-03-09T14:00:00Z",
     CLK(BREACHED, "2026-03-06T21:00:00Z", "2026-03-09T13:30:00Z", "2026-03-09T14:00:00Z", NULL,
         2 * H),
     NOCLK,
     SLA_BREACHED,
     "2026-03-09T14:00:00Z",
     NULL},
    /* A priority change does not touch the first touch: Tuesday 09:00 EST (14:00Z): warn 10:30
     * EST = 15:30Z, due 11:00 EST = 16:00Z; 30 min at 09:30 EST. */
    {"priority change leaves the first touch alone",
     {CREATED("2026-01-13T14:00:00Z", EMAIL, NORMAL), PRIO("2026-01-13T14:10:00Z", URGENT)},
     "2026-01-13T14:30:00Z",
     CLK(RUNNING, "2026-01-13T14:00:00Z", "2026-01-13T15:30:00Z", "2026-01-13T16:00:00Z", NULL,
         30 * M),
     NOCLK,
     SLA_RUNNING,
     "2026-01-13T16:00:00Z",
     "2026-01-13T15:30:00Z"},
};

static void first_touch(void **state)
{
    (void)state;
    RUN(first_touch_cases);
}

/* ---- channels and cancellation --------------------------------------------------------------- */

/* Tuesday 2026-01-13 10:00 EST = 15:00Z: first-touch warn 11:30 EST = 16:30Z, due 12:00 EST =
 * 17:00Z. A normal follow-up from 10:00 EST: warn 8 h = Tue 7 h + Wed 1 h -> Wed 10:00 EST =
 * 2026-01-14T15:00Z; due 24 h = Tue 7 + Wed 8 + Thu 8 + Fri 1 -> Fri 10:00 EST =
 * 2026-01-16T15:00Z. */
#define T1000    "2026-01-13T15:00:00Z"
#define FT1_WARN "2026-01-13T16:30:00Z"
#define FT1_DUE  "2026-01-13T17:00:00Z"
#define FU1_WARN "2026-01-14T15:00:00Z"
#define FU1_DUE  "2026-01-16T15:00:00Z"

static const struct sla_case channel_cases[] = {
    {"voice: met at creation",
     {CREATED(T1000, VOICE, NORMAL)},
     "2026-01-13T15:10:00Z",
     CLK(MET, T1000, FT1_WARN, FT1_DUE, T1000, 0),
     NOCLK,
     SLA_MET,
     NULL,
     NULL},
    /* The call is a staff reply: left open at the call, a follow-up runs from it. */
    {"voice: left open, the follow-up runs from the call",
     {CREATED(T1000, VOICE, NORMAL), STATUS(T1000, OPEN)},
     "2026-01-13T16:00:00Z",
     CLK(MET, T1000, FT1_WARN, FT1_DUE, T1000, 0),
     CLK(RUNNING, T1000, FU1_WARN, FU1_DUE, NULL, H),
     SLA_RUNNING,
     FU1_DUE,
     FU1_WARN},
    /* The requester's chat messages before the first staff message are the first touch's. */
    {"chat: first touch at the first staff chat message (20 min)",
     {CREATED(T1000, CHAT, NORMAL), MSG("2026-01-13T15:01:00Z"), MSG("2026-01-13T15:05:00Z"),
      REPLY("2026-01-13T15:20:00Z"), STATUS("2026-01-13T15:20:00Z", SOLVED)},
     "2026-01-13T16:00:00Z",
     CLK(MET, T1000, FT1_WARN, FT1_DUE, "2026-01-13T15:20:00Z", 20 * M),
     NOCLK,
     SLA_MET,
     NULL,
     NULL},
    {"chat: first staff message 12:05 EST is late (2 h 05)",
     {CREATED(T1000, CHAT, NORMAL), MSG("2026-01-13T15:01:00Z"), REPLY("2026-01-13T17:05:00Z"),
      STATUS("2026-01-13T17:05:00Z", SOLVED)},
     "2026-01-13T18:00:00Z",
     CLK(MET_LATE, T1000, FT1_WARN, FT1_DUE, "2026-01-13T17:05:00Z", 2 * H + 5 * M),
     NOCLK,
     SLA_MET_LATE,
     NULL,
     NULL},
    /* A reply and the close at one instant (a refusal): the reply counts, nothing is cancelled
     * and no follow-up starts on a closed ticket. 10:00-10:30 EST: 30 min. */
    {"reply and close together: met, no follow-up",
     {CREATED(T1000, EMAIL, NORMAL), REPLY("2026-01-13T15:30:00Z"),
      STATUS("2026-01-13T15:30:00Z", CLOSED)},
     "2026-01-13T16:00:00Z",
     CLK(MET, T1000, FT1_WARN, FT1_DUE, "2026-01-13T15:30:00Z", 30 * M),
     NOCLK,
     SLA_MET,
     NULL,
     NULL},
    /* Solved does not pause a first touch; closed without a reply cancels it (1 h elapsed);
     * events after the close are ignored. */
    {"closed without a reply: first touch cancelled, nothing else",
     {CREATED(T1000, EMAIL, NORMAL), MSG("2026-01-13T15:30:00Z"),
      STATUS("2026-01-13T15:50:00Z", SOLVED), STATUS("2026-01-13T16:00:00Z", CLOSED),
      REPLY("2026-01-13T16:30:00Z"), MSG("2026-01-13T16:40:00Z")},
     "2026-01-13T18:30:00Z",
     CLK(CANCELLED, T1000, FT1_WARN, FT1_DUE, "2026-01-13T16:00:00Z", H),
     NOCLK,
     SLA_NONE,
     NULL,
     NULL},
};

static void channels_and_cancel(void **state)
{
    (void)state;
    RUN(channel_cases);
}

/* ---- follow-up: when it starts -----------------------------------------------------------------
 */

/* Submitted Tuesday 09:00 EST (14:00Z), first reply 10:00 EST (15:00Z): first touch met after 1 h,
 * warn 10:30 EST = 15:30Z, due 11:00 EST = 16:00Z. */
#define T0900    "2026-01-13T14:00:00Z"
#define FT0_WARN "2026-01-13T15:30:00Z"
#define FT0_DUE  "2026-01-13T16:00:00Z"
#define FT0_MET  CLK(MET, T0900, FT0_WARN, FT0_DUE, T1000, H)

/* A requester message Wednesday 11:00 EST (2026-01-14T16:00Z): warn 8 h = Wed 6 + Thu 2 -> Thu
 * 11:00 EST = 2026-01-15T16:00Z; due 24 h = Wed 6 + Thu 8 + Fri 8 + Mon 2 -> Mon 2026-01-19
 * 11:00 EST = 16:00Z. */
#define W1100    "2026-01-14T16:00:00Z"
#define FU2_WARN "2026-01-15T16:00:00Z"
#define FU2_DUE  "2026-01-19T16:00:00Z"

static const struct sla_case start_cases[] = {
    {"reply leaving open: running after 1 h",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN)},
     "2026-01-13T16:00:00Z",
     FT0_MET,
     CLK(RUNNING, T1000, FU1_WARN, FU1_DUE, NULL, H),
     SLA_RUNNING,
     FU1_DUE,
     FU1_WARN},
    {"reply leaving open, status sent first: same",
     {CREATED(T0900, EMAIL, NORMAL), STATUS(T1000, OPEN), REPLY(T1000)},
     "2026-01-13T16:00:00Z",
     FT0_MET,
     CLK(RUNNING, T1000, FU1_WARN, FU1_DUE, NULL, H),
     SLA_RUNNING,
     FU1_DUE,
     FU1_WARN},
    /* Wednesday 10:00 EST: Tue 7 h + Wed 1 h = 8 h. */
    {"reply leaving hold: warning Wednesday 10:00 EST",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, HOLD)},
     FU1_WARN,
     FT0_MET,
     CLK(WARNING, T1000, FU1_WARN, FU1_DUE, NULL, 8 * H),
     SLA_WARNING,
     FU1_DUE,
     FU1_DUE},
    /* Friday 10:00 EST: 24 h. */
    {"reply leaving open: breached Friday 10:00 EST",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN)},
     FU1_DUE,
     FT0_MET,
     CLK(BREACHED, T1000, FU1_WARN, FU1_DUE, NULL, 24 * H),
     SLA_BREACHED,
     FU1_DUE,
     NULL},
    {"reply setting pending: no follow-up",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, PENDING)},
     "2026-01-14T15:00:00Z",
     FT0_MET,
     NOCLK,
     SLA_MET,
     NULL,
     NULL},
    {"reply setting solved: no follow-up",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, SOLVED)},
     "2026-01-14T15:00:00Z",
     FT0_MET,
     NOCLK,
     SLA_MET,
     NULL,
     NULL},
    /* The requester's message reopens the pending ticket; Wednesday 12:00 EST: 1 h. */
    {"first unanswered requester message starts it",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, PENDING), MSG(W1100)},
     "2026-01-14T17:00:00Z",
     FT0_MET,
     CLK(RUNNING, W1100, FU2_WARN, FU2_DUE, NULL, H),
     SLA_RUNNING,
     FU2_DUE,
     FU2_WARN},
    {"requester message with its reopen logged: same",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, PENDING), MSG(W1100),
      STATUS(W1100, OPEN)},
     "2026-01-14T17:00:00Z",
     FT0_MET,
     CLK(RUNNING, W1100, FU2_WARN, FU2_DUE, NULL, H),
     SLA_RUNNING,
     FU2_DUE,
     FU2_WARN},
    /* A second message Thursday 09:00 EST does not restart it; Thursday 10:00 EST: Wed 6 h +
     * Thu 1 h = 7 h. */
    {"a second requester message does not restart it",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, PENDING), MSG(W1100),
      MSG("2026-01-15T14:00:00Z")},
     "2026-01-15T15:00:00Z",
     FT0_MET,
     CLK(RUNNING, W1100, FU2_WARN, FU2_DUE, NULL, 7 * H),
     SLA_RUNNING,
     FU2_DUE,
     FU2_WARN},
    /* Submitted 09:00 EST, message 09:30 EST, no reply: only the first touch (1 h at 10:00). */
    {"a requester message before any reply is the first touch's",
     {CREATED(T0900, EMAIL, NORMAL), MSG("2026-01-13T14:30:00Z")},
     T1000,
     CLK(RUNNING, T0900, FT0_WARN, FT0_DUE, NULL, H),
     NOCLK,
     SLA_RUNNING,
     FT0_DUE,
     FT0_WARN},
    /* The first follow-up is met Wednesday 10:00 EST (8 h); a message Thursday 09:00 EST
     * (14:00Z) starts the next one: warn 8 h = Thursday 17:00 EST (a deadline that fills the day
     * lands on 17:00) = 22:00Z; due 24 h = Thu 8 + Fri 8 + Mon 8 -> Monday 2026-01-19 17:00 EST =
     * 22:00Z. Thursday 10:00 EST: 1 h. */
    {"a message after a met follow-up starts the next one",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN), REPLY(FU1_WARN),
      STATUS(FU1_WARN, PENDING), MSG("2026-01-15T14:00:00Z")},
     "2026-01-15T15:00:00Z",
     FT0_MET,
     CLK(RUNNING, "2026-01-15T14:00:00Z", "2026-01-15T22:00:00Z", "2026-01-19T22:00:00Z", NULL, H),
     SLA_RUNNING,
     "2026-01-19T22:00:00Z",
     "2026-01-15T22:00:00Z"},
};

static void follow_up_start(void **state)
{
    (void)state;
    RUN(start_cases);
}

/* ---- follow-up: met, met_late, cancelled ------------------------------------------------------
 */

static const struct sla_case stop_cases[] = {
    /* Thursday 10:00 EST: Tue 7 + Wed 8 + Thu 1 = 16 h. */
    {"reply Thursday: met",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN),
      REPLY("2026-01-15T15:00:00Z"), STATUS("2026-01-15T15:00:00Z", PENDING)},
     "2026-01-15T16:00:00Z",
     FT0_MET,
     CLK(MET, T1000, FU1_WARN, FU1_DUE, "2026-01-15T15:00:00Z", 16 * H),
     SLA_MET,
     NULL,
     NULL},
    {"reply at the due instant: met",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN), REPLY(FU1_DUE),
      STATUS(FU1_DUE, SOLVED)},
     "2026-01-16T16:00:00Z",
     FT0_MET,
     CLK(MET, T1000, FU1_WARN, FU1_DUE, FU1_DUE, 24 * H),
     SLA_MET,
     NULL,
     NULL},
    {"reply one minute after due: met_late",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN),
      REPLY("2026-01-16T15:01:00Z"), STATUS("2026-01-16T15:01:00Z", PENDING)},
     "2026-01-16T16:00:00Z",
     FT0_MET,
     CLK(MET_LATE, T1000, FU1_WARN, FU1_DUE, "2026-01-16T15:01:00Z", 24 * H + M),
     SLA_MET_LATE,
     NULL,
     NULL},
    /* The late reply leaves the ticket open: the next follow-up runs from Friday 10:01 EST.
     * warn 8 h = Fri 6:59 + Mon 1:01 -> Monday 2026-01-19 10:01 EST = 15:01Z; due 24 h = Fri
     * 6:59 + Mon 8 + Tue 8 + Wed 1:01 -> Wednesday 2026-01-21 10:01 EST = 15:01Z. Friday
     * 11:00 EST: 59 min. */
    {"a reply leaving open meets one clock and starts the next",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN),
      REPLY("2026-01-16T15:01:00Z"), STATUS("2026-01-16T15:01:00Z", OPEN)},
     "2026-01-16T16:00:00Z",
     FT0_MET,
     CLK(RUNNING, "2026-01-16T15:01:00Z", "2026-01-19T15:01:00Z", "2026-01-21T15:01:00Z", NULL,
         59 * M),
     SLA_RUNNING,
     "2026-01-21T15:01:00Z",
     "2026-01-19T15:01:00Z"},
    /* A priority change after the reply does not touch the met clock. */
    {"priority change after met: unchanged",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN),
      REPLY("2026-01-15T15:00:00Z"), STATUS("2026-01-15T15:00:00Z", PENDING),
      PRIO("2026-01-15T15:30:00Z", URGENT)},
     "2026-01-15T16:00:00Z",
     FT0_MET,
     CLK(MET, T1000, FU1_WARN, FU1_DUE, "2026-01-15T15:00:00Z", 16 * H),
     SLA_MET,
     NULL,
     NULL},
    /* Closed while running (Tue 11:00 EST, 1 h): cancelled, keeping the instants it had. */
    {"closed while running: cancelled",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN),
      STATUS("2026-01-13T16:00:00Z", CLOSED), MSG("2026-01-14T15:00:00Z")},
     "2026-01-15T16:00:00Z",
     FT0_MET,
     CLK(CANCELLED, T1000, FU1_WARN, FU1_DUE, "2026-01-13T16:00:00Z", H),
     SLA_MET,
     NULL,
     NULL},
    /* Solved at 11:00 EST (1 h, paused), closed Wednesday: cancelled with 1 h, no instants. */
    {"closed while paused: cancelled",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN),
      STATUS("2026-01-13T16:00:00Z", SOLVED), STATUS("2026-01-14T16:00:00Z", CLOSED)},
     "2026-01-15T16:00:00Z",
     FT0_MET,
     CLK(CANCELLED, T1000, NULL, NULL, "2026-01-14T16:00:00Z", H),
     SLA_MET,
     NULL,
     NULL},
    {"closed after met: stays met",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN),
      REPLY("2026-01-15T15:00:00Z"), STATUS("2026-01-15T15:00:00Z", SOLVED),
      STATUS("2026-01-16T15:00:00Z", CLOSED)},
     "2026-01-16T16:00:00Z",
     FT0_MET,
     CLK(MET, T1000, FU1_WARN, FU1_DUE, "2026-01-15T15:00:00Z", 16 * H),
     SLA_MET,
     NULL,
     NULL},
};

static void follow_up_stop(void **state)
{
    (void)state;
    RUN(stop_cases);
}

/* ---- follow-up: pauses ----------------------------------------------------------------------- */

/* Running from Tuesday 10:00 EST, pending at 12:00 EST (17:00Z): 2 h kept. Reopened Thursday
 * 13:00 EST (2026-01-15T18:00Z): warn needs 6 h more = Thu 4 + Fri 2 -> Friday 11:00 EST =
 * 2026-01-16T16:00Z; due needs 22 h more = Thu 4 + Fri 8 + Mon 8 + Tue 2 -> Tuesday 2026-01-20
 * 11:00 EST = 16:00Z. Thursday 14:00 EST: 2 h + 1 h = 3 h. */
#define T1200    "2026-01-13T17:00:00Z"
#define TH1300   "2026-01-15T18:00:00Z"
#define FU3_WARN "2026-01-16T16:00:00Z"
#define FU3_DUE  "2026-01-20T16:00:00Z"
#define BASE     CREATED(T0900, EMAIL, NORMAL), REPLY(T1000), STATUS(T1000, OPEN)

/* High priority (24x7, warn 18 h, due 24 h) from Tuesday 15:00Z: warn Wednesday 09:00Z, due
 * Wednesday 15:00Z. */
#define BASE_HIGH CREATED(T0900, EMAIL, HIGH), REPLY(T1000), STATUS(T1000, OPEN)

static const struct sla_case pause_cases[] = {
    {"pending pauses: 2 h kept, no instants ahead",
     {BASE, STATUS(T1200, PENDING)},
     "2026-01-14T15:00:00Z",
     FT0_MET,
     CLK(PAUSED, T1000, NULL, NULL, NULL, 2 * H),
     SLA_PAUSED,
     NULL,
     NULL},
    {"reopened: resumes with elapsed kept",
     {BASE, STATUS(T1200, PENDING), STATUS(TH1300, OPEN)},
     "2026-01-15T19:00:00Z",
     FT0_MET,
     CLK(RUNNING, T1000, FU3_WARN, FU3_DUE, NULL, 3 * H),
     SLA_RUNNING,
     FU3_DUE,
     FU3_WARN},
    {"requester message resumes it, start kept",
     {BASE, STATUS(T1200, PENDING), MSG(TH1300)},
     "2026-01-15T19:00:00Z",
     FT0_MET,
     CLK(RUNNING, T1000, FU3_WARN, FU3_DUE, NULL, 3 * H),
     SLA_RUNNING,
     FU3_DUE,
     FU3_WARN},
    {"solved pauses too, reopen resumes",
     {BASE, STATUS(T1200, SOLVED), STATUS(TH1300, OPEN)},
     "2026-01-15T19:00:00Z",
     FT0_MET,
     CLK(RUNNING, T1000, FU3_WARN, FU3_DUE, NULL, 3 * H),
     SLA_RUNNING,
     FU3_DUE,
     FU3_WARN},
    {"pending to hold resumes",
     {BASE, STATUS(T1200, PENDING), STATUS(TH1300, HOLD)},
     "2026-01-15T19:00:00Z",
     FT0_MET,
     CLK(RUNNING, T1000, FU3_WARN, FU3_DUE, NULL, 3 * H),
     SLA_RUNNING,
     FU3_DUE,
     FU3_WARN},
    /* Pending and open at the same instant: no pause; Tuesday 14:00 EST: 4 h. */
    {"pause and resume at one instant: no pause",
     {BASE, STATUS(T1200, PENDING), STATUS(T1200, OPEN)},
     "2026-01-13T19:00:00Z",
     FT0_MET,
     CLK(RUNNING, T1000, FU1_WARN, FU1_DUE, NULL, 4 * H),
     SLA_RUNNING,
     FU1_DUE,
     FU1_WARN},
    /* Pending Wednesday 11:00 EST: Tue 7 + Wed 2 = 9 h, past warn (Wed 10:00 EST), kept. */
    {"paused after warn: warn kept, due not",
     {BASE, STATUS(W1100, PENDING)},
     "2026-01-14T20:00:00Z",
     FT0_MET,
     CLK(PAUSED, T1000, FU1_WARN, NULL, NULL, 9 * H),
     SLA_PAUSED,
     NULL,
     NULL},
    /* Reopened Thursday 09:00 EST: due needs 15 h more = Thu 8 + Fri 7 -> Friday 16:00 EST =
     * 2026-01-16T21:00Z. Thursday 10:00 EST: 10 h, warning. */
    {"paused after warn, reopened: warning, due moved",
     {BASE, STATUS(W1100, PENDING), STATUS("2026-01-15T14:00:00Z", OPEN)},
     "2026-01-15T15:00:00Z",
     FT0_MET,
     CLK(WARNING, T1000, FU1_WARN, "2026-01-16T21:00:00Z", NULL, 10 * H),
     SLA_WARNING,
     "2026-01-16T21:00:00Z",
     "2026-01-16T21:00:00Z"},
    /* Replied while paused before due: met, with no instants (none was reached). */
    {"reply while paused, before due: met",
     {BASE, STATUS(T1200, PENDING), REPLY("2026-01-14T15:00:00Z")},
     "2026-01-14T16:00:00Z",
     FT0_MET,
     CLK(MET, T1000, NULL, NULL, "2026-01-14T15:00:00Z", 2 * H),
     SLA_MET,
     NULL,
     NULL},
    /* 24x7: pending Wednesday 16:00Z after 25 h, due (Wed 15:00Z) already passed. Paused, not
     * breached, both instants kept. */
    {"24x7 paused after due: paused",
     {BASE_HIGH, STATUS("2026-01-14T16:00:00Z", PENDING)},
     "2026-01-15T14:00:00Z",
     FT0_MET,
     CLK(PAUSED, T1000, "2026-01-14T09:00:00Z", "2026-01-14T15:00:00Z", NULL, 25 * H),
     SLA_PAUSED,
     NULL,
     NULL},
    {"reply while paused after due: met_late",
     {BASE_HIGH, STATUS("2026-01-14T16:00:00Z", PENDING), REPLY("2026-01-15T15:00:00Z")},
     "2026-01-15T16:00:00Z",
     FT0_MET,
     CLK(MET_LATE, T1000, "2026-01-14T09:00:00Z", "2026-01-14T15:00:00Z", "2026-01-15T15:00:00Z",
         25 * H),
     SLA_MET_LATE,
     NULL,
     NULL},
    /* 24x7: pending Tuesday 20:00Z after 5 h; reopened at night, Wednesday 02:00Z: warn needs
     * 13 h more -> Wednesday 15:00Z; due 19 h more -> Wednesday 21:00Z. */
    {"24x7 paused: 5 h kept",
     {BASE_HIGH, STATUS("2026-01-13T20:00:00Z", PENDING)},
     "2026-01-13T23:00:00Z",
     FT0_MET,
     CLK(PAUSED, T1000, NULL, NULL, NULL, 5 * H),
     SLA_PAUSED,
     NULL,
     NULL},
    {"24x7 resumed at night: warning Wednesday 16:00Z (19 h)",
     {BASE_HIGH, STATUS("2026-01-13T20:00:00Z", PENDING), STATUS("2026-01-14T02:00:00Z", OPEN)},
     "2026-01-14T16:00:00Z",
     FT0_MET,
     CLK(WARNING, T1000, "2026-01-14T15:00:00Z", "2026-01-14T21:00:00Z", NULL, 19 * H),
     SLA_WARNING,
     "2026-01-14T21:00:00Z",
     "2026-01-14T21:00:00Z"},
};

static void follow_up_pause(void **state)
{
    (void)state;
    RUN(pause_cases);
}

/* ---- follow-up: priority changes ---------------------------------------------------------------
 */

static const struct sla_case priority_cases[] = {
    /* Normal -> urgent: recomputed from the start (Tue 15:00Z) on the 24x7 clock: warn 16:00Z,
     * due 19:00Z; at 16:30Z: 1 h 30 plain seconds, warning. */
    {"normal -> urgent: 24x7 from the start",
     {BASE, PRIO("2026-01-13T15:30:00Z", URGENT)},
     "2026-01-13T16:30:00Z",
     FT0_MET,
     CLK(WARNING, T1000, "2026-01-13T16:00:00Z", "2026-01-13T19:00:00Z", NULL, 90 * M),
     SLA_WARNING,
     "2026-01-13T19:00:00Z",
     "2026-01-13T19:00:00Z"},
    /* With a pause: ran 15:00Z-17:00Z (2 h), pending until 18:00Z, urgent at 18:30Z. warn (1 h)
     * was reached in the first stretch at 16:00Z; due needs 2 h from 18:00Z -> 20:00Z. At 19:00Z:
     * 2 h + 1 h = 3 h, warning. */
    {"normal -> urgent after a pause: warn in the past stretch",
     {BASE, STATUS(T1200, PENDING), STATUS("2026-01-13T18:00:00Z", OPEN),
      PRIO("2026-01-13T18:30:00Z", URGENT)},
     "2026-01-13T19:00:00Z",
     FT0_MET,
     CLK(WARNING, T1000, "2026-01-13T16:00:00Z", "2026-01-13T20:00:00Z", NULL, 3 * H),
     SLA_WARNING,
     "2026-01-13T20:00:00Z",
     "2026-01-13T20:00:00Z"},
    /* Urgent from Tue 15:00Z: warn 16:00Z, due 19:00Z; at 20:00Z breached after 5 h. */
    {"urgent: breached after 4 h",
     {CREATED(T0900, EMAIL, URGENT), REPLY(T1000), STATUS(T1000, OPEN)},
     "2026-01-13T20:00:00Z",
     FT0_MET,
     CLK(BREACHED, T1000, "2026-01-13T16:00:00Z", "2026-01-13T19:00:00Z", NULL, 5 * H),
     SLA_BREACHED,
     "2026-01-13T19:00:00Z",
     NULL},
    /* Back to normal at 20:00Z (15:00 EST): business clock from the start, 10:00-15:00 EST = 5 h;
     * warn Wednesday 10:00 EST, due Friday 10:00 EST as for any normal clock from that start. */
    {"urgent -> normal: business clock from the start",
     {CREATED(T0900, EMAIL, URGENT), REPLY(T1000), STATUS(T1000, OPEN),
      PRIO("2026-01-13T20:00:00Z", NORMAL)},
     "2026-01-13T20:00:00Z",
     FT0_MET,
     CLK(RUNNING, T1000, FU1_WARN, FU1_DUE, NULL, 5 * H),
     SLA_RUNNING,
     FU1_DUE,
     FU1_WARN},
    /* Low uses the low slot, which the defaults fill from normal. */
    {"low: as normal",
     {CREATED(T0900, EMAIL, LOW), REPLY(T1000), STATUS(T1000, OPEN)},
     "2026-01-13T16:00:00Z",
     FT0_MET,
     CLK(RUNNING, T1000, FU1_WARN, FU1_DUE, NULL, H),
     SLA_RUNNING,
     FU1_DUE,
     FU1_WARN},
};

static void follow_up_priority(void **state)
{
    (void)state;
    RUN(priority_cases);
}

/* ---- worst ----------------------------------------------------------------------------------- */

/* First touch late: submitted Tue 09:00 EST, replied 12:00 EST (17:00Z): 3 h, met_late. */
#define FT0_LATE CLK(MET_LATE, T0900, FT0_WARN, FT0_DUE, T1200, 3 * H)

/* One clock ticks at a time (a follow-up needs a staff reply, which ends the first touch), so
 * the orderings seen together are a ticking or paused follow-up against a stopped first touch;
 * breached, warning and running alone are in the tables above. Follow-up from Tue 12:00 EST:
 * warn Wed 12:00 EST = 17:00Z, due Fri 12:00 EST = 2026-01-16T17:00Z. */
static const struct sla_case worst_cases[] = {
    {"running beats met_late",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1200), STATUS(T1200, OPEN)},
     "2026-01-13T18:00:00Z",
     FT0_LATE,
     CLK(RUNNING, T1200, "2026-01-14T17:00:00Z", "2026-01-16T17:00:00Z", NULL, H),
     SLA_RUNNING,
     "2026-01-16T17:00:00Z",
     "2026-01-14T17:00:00Z"},
    {"paused beats met_late",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1200), STATUS(T1200, OPEN),
      STATUS("2026-01-13T18:00:00Z", PENDING)},
     "2026-01-13T19:00:00Z",
     FT0_LATE,
     CLK(PAUSED, T1200, NULL, NULL, NULL, H),
     SLA_PAUSED,
     NULL,
     NULL},
    /* Follow-up met Wednesday 10:00 EST (Tue 5 h + Wed 1 h = 6 h). */
    {"met_late beats met",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1200), STATUS(T1200, OPEN), REPLY(FU1_WARN),
      STATUS(FU1_WARN, PENDING)},
     "2026-01-14T16:00:00Z",
     FT0_LATE,
     CLK(MET, T1200, "2026-01-14T17:00:00Z", "2026-01-16T17:00:00Z", FU1_WARN, 6 * H),
     SLA_MET_LATE,
     NULL,
     NULL},
    /* Closed Tue 13:00 EST while the follow-up ran 1 h. */
    {"cancelled never wins",
     {CREATED(T0900, EMAIL, NORMAL), REPLY(T1200), STATUS(T1200, OPEN),
      STATUS("2026-01-13T18:00:00Z", CLOSED)},
     "2026-01-13T19:00:00Z",
     FT0_LATE,
     CLK(CANCELLED, T1200, "2026-01-14T17:00:00Z", "2026-01-16T17:00:00Z", "2026-01-13T18:00:00Z",
         H),
     SLA_MET_LATE,
     NULL,
     NULL},
};

/* Every follow-up cycle counts in a report, each judged by itself. Default calendar, Normal
 * follow-up (24 business hours). Tue 2026-01-13 09:00 EST submitted; 10:00 answered, left open:
 * cycle 1 runs from 10:00 (due Fri 16 10:00). Wed 14 10:00 answered, left open: cycle 1 met (8 h),
 * cycle 2 runs from Wed 10:00: 7 h Wed, 8 Thu, 8 Fri, 1 h Mon -> due Mon 19 10:00 EST (15:00Z).
 * Tue 20 10:00 answered: cycle 2 met late; cycle 3 runs. */
static void follow_up_cycles_counted(void **state)
{
    (void)state;
    static const struct tev in[] = {
        CREATED("2026-01-13T14:00:00Z", EMAIL, NORMAL),
        REPLY("2026-01-13T15:00:00Z"),
        STATUS("2026-01-13T15:00:00Z", OPEN),
        REPLY("2026-01-14T15:00:00Z"),
        REPLY("2026-01-20T15:00:00Z"),
        {NULL, 0, 0, 0},
    };
    struct sla_targets t;
    sla_targets_default(&t);
    struct sla_event ev[12];
    size_t n = to_events(in, ev);
    struct sla_result r;
    assert_int_equal(sla_compute(cal, &t, ev, n, utc("2026-01-20T16:00:00Z"), &r, NULL), 0);
    assert_int_equal(r.follow_ups_met, 1);
    assert_int_equal(r.follow_ups_late, 1);
    assert_int_equal(r.follow_up.state, SLA_RUNNING); /* cycle 3, not counted yet */
    /* Weeks later cycle 3 is overdue: late too. */
    assert_int_equal(sla_compute(cal, &t, ev, n, utc("2026-02-10T16:00:00Z"), &r, NULL), 0);
    assert_int_equal(r.follow_up.state, SLA_BREACHED);
    assert_int_equal(r.follow_ups_met, 1);
    assert_int_equal(r.follow_ups_late, 2);
    /* Before the second reply only cycle 1 exists, running: nothing counted. */
    assert_int_equal(sla_compute(cal, &t, ev, n, utc("2026-01-13T16:00:00Z"), &r, NULL), 0);
    assert_int_equal(r.follow_ups_met + r.follow_ups_late, 0);
}

static void worst_ordering(void **state)
{
    (void)state;
    RUN(worst_cases);
}

/* ---- targets, names, errors ------------------------------------------------------------------ */

static void defaults_and_names(void **state)
{
    (void)state;
    struct sla_targets t;
    memset(&t, 0xab, sizeof t);
    sla_targets_default(&t);
    assert_int_equal(t.first_touch.clock, SLA_CLOCK_BUSINESS);
    assert_int_equal(t.first_touch.warn_s, 90 * M);
    assert_int_equal(t.first_touch.due_s, 2 * H);
    static const struct {
        enum ticket_priority p;
        enum sla_clock clock;
        int64_t warn, due;
    } want[] = {
        {TICKET_PRIORITY_LOW, SLA_CLOCK_BUSINESS, 8 * H, 24 * H},
        {TICKET_PRIORITY_NORMAL, SLA_CLOCK_BUSINESS, 8 * H, 24 * H},
        {TICKET_PRIORITY_HIGH, SLA_CLOCK_CALENDAR, 18 * H, 24 * H},
        {TICKET_PRIORITY_URGENT, SLA_CLOCK_CALENDAR, 1 * H, 4 * H},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        assert_int_equal(t.follow_up[want[i].p].clock, want[i].clock);
        assert_int_equal(t.follow_up[want[i].p].warn_s, want[i].warn);
        assert_int_equal(t.follow_up[want[i].p].due_s, want[i].due);
    }
    assert_null(sla_state_name(SLA_NONE));
    assert_string_equal(sla_state_name(SLA_RUNNING), "running");
    assert_string_equal(sla_state_name(SLA_WARNING), "warning");
    assert_string_equal(sla_state_name(SLA_BREACHED), "breached");
    assert_string_equal(sla_state_name(SLA_PAUSED), "paused");
    assert_string_equal(sla_state_name(SLA_MET), "met");
    assert_string_equal(sla_state_name(SLA_MET_LATE), "met_late");
    assert_string_equal(sla_state_name(SLA_CANCELLED), "cancelled");
    assert_null(sla_state_name((enum sla_state)99));
    assert_null(sla_state_name((enum sla_state) - 1));
}

/* Targets other than the defaults: the low slot is its own; warn 0 warns at once; a 24x7-only
 * set needs no calendar. */
static void custom_targets(void **state)
{
    (void)state;
    struct sla_targets t = {
        .first_touch = {SLA_CLOCK_CALENDAR, 0, 60},
        .follow_up = {{SLA_CLOCK_CALENDAR, 100, 200},
                      {SLA_CLOCK_CALENDAR, 1000, 2000},
                      {SLA_CLOCK_CALENDAR, 1000, 2000},
                      {SLA_CLOCK_CALENDAR, 1000, 2000}},
    };
    struct sla_event ev[] = {
        {.at = 1000, .kind = SLA_EV_CREATED, .priority = TICKET_PRIORITY_LOW},
        {.at = 1010, .kind = SLA_EV_STAFF_REPLY},
        {.at = 1010, .kind = SLA_EV_STATUS, .status = TICKET_STATUS_OPEN},
    };
    struct sla_result r;
    struct err e;
    /* At creation: warn_s 0 puts warn at the start, so it is warning already. */
    assert_int_equal(sla_compute(NULL, &t, ev, 1, 1000, &r, &e), 0);
    assert_int_equal(r.first_touch.state, SLA_WARNING);
    assert_int_equal(r.first_touch.warn, 1000);
    assert_int_equal(r.first_touch.due, 1060);
    assert_int_equal(r.next_change, 1060);
    assert_int_equal(sla_compute(NULL, &t, ev, 1, 1060, &r, &e), 0);
    assert_int_equal(r.first_touch.state, SLA_BREACHED);
    /* Met at 1010 (10 s); the low follow-up from 1010: warn 1110, due 1210. */
    assert_int_equal(sla_compute(NULL, &t, ev, 3, 1110, &r, &e), 0);
    assert_int_equal(r.first_touch.state, SLA_MET);
    assert_int_equal(r.first_touch.elapsed, 10);
    assert_int_equal(r.follow_up.state, SLA_WARNING);
    assert_int_equal(r.follow_up.warn, 1110);
    assert_int_equal(r.follow_up.due, 1210);
    assert_int_equal(r.follow_up.elapsed, 100);
    assert_int_equal(r.next_due, 1210);
    assert_int_equal(r.next_change, 1210);

    /* A calendar that is never open is fine when no target is on the business clock. */
    struct cal_spec *s = calloc(1, sizeof *s);
    struct calendar *closed = NULL;
    snprintf(s->zone, sizeof s->zone, "UTC");
    assert_int_equal(cal_new(s, &closed, &e), 0);
    assert_int_equal(sla_compute(closed, &t, ev, 3, 1110, &r, &e), 0);
    /* ... and refused when one is. */
    t.follow_up[TICKET_PRIORITY_HIGH].clock = SLA_CLOCK_BUSINESS;
    err_clear(&e);
    assert_int_equal(sla_compute(closed, &t, ev, 3, 1110, &r, &e), ERR_INVALID);
    assert_string_equal(e.field, "calendar");
    err_clear(&e);
    assert_int_equal(sla_compute(NULL, &t, ev, 3, 1110, &r, &e), ERR_INVALID);
    assert_string_equal(e.field, "calendar");
    cal_free(closed);
    free(s);
}

static void expect_error(const struct sla_targets *t, const struct sla_event *ev, size_t n,
                         int code, const char *field)
{
    struct sla_result r, before;
    memset(&r, 0x5a, sizeof r);
    before = r;
    struct err e;
    err_clear(&e);
    int rc = sla_compute(cal, t, ev, n, utc("2199-12-31T23:59:00Z"), &r, &e);
    if (rc != code || strcmp(e.field, field) != 0)
        fail_msg("got %d field \"%s\" (%s), want %d field \"%s\"", rc, e.field, e.message, code,
                 field);
    if (e.message[0] == '\0')
        fail_msg("no message for field %s", field);
    if (memcmp(&r, &before, sizeof r) != 0)
        fail_msg("out was touched on failure (field %s)", field);
}

static void bad_input(void **state)
{
    (void)state;
    struct sla_targets t;
    sla_targets_default(&t);
    const int64_t t0 = utc(T0900);
    struct sla_event ok[] = {
        {.at = t0, .kind = SLA_EV_CREATED},
        {.at = t0 + 10, .kind = SLA_EV_STAFF_REPLY},
        {.at = t0 + 20, .kind = SLA_EV_STATUS, .status = TICKET_STATUS_OPEN},
    };
    struct sla_event ev[3];
    struct sla_result r;
    struct err e;
    assert_int_equal(sla_compute(cal, &t, ok, 3, t0 + 30, &r, &e), 0);

    expect_error(&t, ok, 0, ERR_INVALID, "events");

    memcpy(ev, ok, sizeof ok);
    ev[0].kind = SLA_EV_STAFF_REPLY;
    expect_error(&t, ev, 3, ERR_INVALID, "events[0].kind");

    memcpy(ev, ok, sizeof ok);
    ev[2].at = t0 + 5;
    expect_error(&t, ev, 3, ERR_INVALID, "events[2].at");

    memcpy(ev, ok, sizeof ok);
    ev[0].at = -1;
    expect_error(&t, ev, 3, ERR_INVALID, "events[0].at");

    memcpy(ev, ok, sizeof ok);
    ev[1].kind = SLA_EV_CREATED;
    expect_error(&t, ev, 3, ERR_INVALID, "events[1].kind");

    memcpy(ev, ok, sizeof ok);
    ev[1].kind = (enum sla_event_kind)42;
    expect_error(&t, ev, 3, ERR_INVALID, "events[1].kind");

    memcpy(ev, ok, sizeof ok);
    ev[2].status = (enum ticket_status)TICKET_STATUS_COUNT;
    expect_error(&t, ev, 3, ERR_INVALID, "events[2].status");

    memcpy(ev, ok, sizeof ok);
    ev[0].priority = (enum ticket_priority)TICKET_PRIORITY_COUNT;
    expect_error(&t, ev, 3, ERR_INVALID, "events[0].priority");

    memcpy(ev, ok, sizeof ok);
    ev[2].kind = SLA_EV_PRIORITY;
    ev[2].priority = (enum ticket_priority) - 1;
    expect_error(&t, ev, 3, ERR_INVALID, "events[2].priority");

    memcpy(ev, ok, sizeof ok);
    ev[0].channel = (enum ticket_channel)TICKET_CHANNEL_COUNT;
    expect_error(&t, ev, 3, ERR_INVALID, "events[0].channel");

    struct sla_targets bt = t;
    bt.first_touch.warn_s = bt.first_touch.due_s + 1;
    expect_error(&bt, ok, 3, ERR_INVALID, "targets.first_touch.warn_s");
    bt = t;
    bt.follow_up[TICKET_PRIORITY_HIGH].due_s = 0;
    expect_error(&bt, ok, 3, ERR_INVALID, "targets.follow_up[2].due_s");
    bt = t;
    bt.follow_up[TICKET_PRIORITY_URGENT].warn_s = -1;
    expect_error(&bt, ok, 3, ERR_INVALID, "targets.follow_up[3].warn_s");
    bt = t;
    bt.first_touch.clock = (enum sla_clock)7;
    expect_error(&bt, ok, 3, ERR_INVALID, "targets.first_touch.clock");

    /* A business deadline past the calendar's last date (2199-12-31, a Tuesday): submitted at
     * 18:00 EST that day, after closing, so no business time is left for it. */
    struct sla_event late[] = {{.at = utc("2199-12-31T23:00:00Z"), .kind = SLA_EV_CREATED}};
    expect_error(&t, late, 1, ERR_LIMIT, "calendar");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_touch),
        cmocka_unit_test(channels_and_cancel),
        cmocka_unit_test(follow_up_start),
        cmocka_unit_test(follow_up_stop),
        cmocka_unit_test(follow_up_pause),
        cmocka_unit_test(follow_up_priority),
        cmocka_unit_test(follow_up_cycles_counted),
        cmocka_unit_test(worst_ordering),
        cmocka_unit_test(defaults_and_names),
        cmocka_unit_test(custom_targets),
        cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
