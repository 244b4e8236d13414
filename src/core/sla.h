/* sla: the SLA clocks of a ticket, computed from its events (issue 4, "SLA clocks on tickets";
 * docs/sla.md has the state table and how the issue was read).
 *
 * A ticket has two clocks, each on a target with a warning point and a due point measured on the
 * support calendar (business seconds, core/calendar.h) or 24x7 (plain seconds):
 *
 * First touch (issue: "starts when the ticket is submitted and stops at the first public reply by
 * staff"):
 * - starts at SLA_EV_CREATED; stops at the first SLA_EV_STAFF_REPLY: met when stop <= due,
 *   met_late otherwise. It never pauses (the issue pauses follow-ups only).
 * - a voice ticket ("opened from a logged phone call has its first touch at the call") is met at
 *   creation: the call is its first staff public reply.
 * - a chat ticket's first touch is the first staff chat message, which the caller sends as
 *   SLA_EV_STAFF_REPLY: nothing special happens here.
 * - closed without any staff public reply (spam, a ban, a refusal): cancelled at the close, left
 *   out of reports.
 *
 * Follow-up, on the target of the ticket's priority ("for whatever is not answered at the first
 * touch"; "the clock runs whenever support owes the requester the next step"):
 * - starts (a) at a staff public reply after which the ticket is open or hold; "after which"
 *   means after every event of the same instant, so a reply and the status set with it belong
 *   together; (b) at the first unanswered requester message on a ticket that is not closed, once
 *   some staff public reply exists (before that the first touch covers it). Further requester
 *   messages do not restart a clock that is running or paused.
 * - only a staff public reply stops it (met when stop <= due, met_late otherwise; for a clock
 *   stopped while paused, met_late when its due was reached before the pause). A call logged on
 *   the ticket is sent as SLA_EV_STAFF_REPLY.
 * - pending or solved without a public reply pauses it: the elapsed measure is kept and it
 *   resumes when the status is new, open or hold again. A requester message on a non-closed
 *   ticket reopens it as ticket_requester_reply() says (new, pending, hold, solved -> open), so
 *   the caller need not send that status change (sending it too is harmless).
 * - warn and due are the instants at which the elapsed measure, counting only running stretches
 *   since the clock's start, reaches warn_s and due_s. A priority change recomputes both from the
 *   start with the new priority's target, clock kind included (normal -> urgent switches the
 *   whole stretch to the 24x7 measure). A paused clock has no warn/due instant in the future: the
 *   ones not yet reached are 0.
 * - closed ends a clock that never got its reply as cancelled.
 * - there is one follow-up clock at a time: a reply that stops one and leaves the ticket open or
 *   hold starts the next one, which is the one reported.
 *
 * Closed is final (core/ticket.h): events after the close are ignored. Events later than `now`
 * are checked but not applied, so the result is the ticket as it stood at `now`.
 *
 * Changes of the calendar or the targets apply to every clock judged with them; keeping stored
 * met clocks as they were ("for running clocks only") is the caller's business.
 *
 * Pure: no I/O, no clock, no allocation; thread-safe (a calendar is immutable). Instants are
 * int64_t seconds since the Unix epoch, UTC.
 */
#ifndef FRONTDESK_CORE_SLA_H
#define FRONTDESK_CORE_SLA_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "core/calendar.h"
#include "core/ticket.h"

/* ---- targets --------------------------------------------------------------------------------- */

enum sla_clock {
    SLA_CLOCK_BUSINESS, /* business seconds on the support calendar */
    SLA_CLOCK_CALENDAR, /* plain seconds, 24x7 */
};

/* Measured from the clock's start: 0 <= warn_s <= due_s, due_s > 0. */
struct sla_target {
    enum sla_clock clock;
    int64_t warn_s;
    int64_t due_s;
};

/* follow_up is indexed by enum ticket_priority (low, normal, high, urgent). The policy treats low
 * like normal; it has its own slot so a pack may still tell them apart. */
struct sla_targets {
    struct sla_target first_touch;
    struct sla_target follow_up[TICKET_PRIORITY_COUNT];
};

/* The policy's defaults (issue 4; footnote 1 of the support policy): first touch business warn
 * 1 h 30 min, due 2 h; follow-up normal and low business warn 8 h, due 24 h (1 to 3 business
 * days); high calendar warn 18 h, due 24 h; urgent ("Critical") calendar warn 1 h, due 4 h. */
void sla_targets_default(struct sla_targets *t);

/* ---- states ---------------------------------------------------------------------------------- */

enum sla_state {
    SLA_NONE = 0,  /* the clock never started */
    SLA_RUNNING,   /* before warn */
    SLA_WARNING,   /* from warn until due */
    SLA_BREACHED,  /* from due, still not stopped */
    SLA_PAUSED,    /* waiting on the requester (pending, solved) */
    SLA_MET,       /* stopped at or before due */
    SLA_MET_LATE,  /* stopped after due */
    SLA_CANCELLED, /* the ticket was closed without the reply; left out of reports */
};

/* "running", "warning", "breached", "paused", "met", "met_late", "cancelled": static strings;
 * NULL for SLA_NONE and values out of range. */
const char *sla_state_name(enum sla_state s);

/* ---- events ---------------------------------------------------------------------------------- */

enum sla_event_kind {
    SLA_EV_CREATED,           /* the ticket was submitted: carries channel and priority */
    SLA_EV_STAFF_REPLY,       /* a public reply by staff; a call logged on the ticket; on a chat
                               * ticket, a staff chat message */
    SLA_EV_REQUESTER_MESSAGE, /* a public message by the requester */
    SLA_EV_STATUS,            /* the status changed to `status` */
    SLA_EV_PRIORITY,          /* the priority changed to `priority` */
};

/* Only the fields the kind names are read (they are still range-checked when read). */
struct sla_event {
    int64_t at;
    enum sla_event_kind kind;
    enum ticket_status status;
    enum ticket_priority priority;
    enum ticket_channel channel;
};

/* ---- results --------------------------------------------------------------------------------- */

/* One clock. Instants are 0 when not applicable: stop until stopped; warn/due of a clock that
 * never started, and those a paused clock has not reached yet. A stopped or cancelled clock keeps
 * the warn/due it had when it stopped (they may lie after stop). elapsed is in the clock's
 * measure (business or plain seconds), over running stretches only, up to stop, the last pause
 * or now. */
struct sla_clock_state {
    enum sla_state state;
    int64_t start;
    int64_t warn;
    int64_t due;
    int64_t stop;
    int64_t elapsed;
};

struct sla_result {
    struct sla_clock_state first_touch;
    struct sla_clock_state follow_up;
    /* The worst of the two, in order: breached, warning, running, paused, met_late, met;
     * SLA_NONE when neither clock is in one of those (never started, or cancelled). */
    enum sla_state worst;
    /* The nearest due instant of a clock that is still ticking (running, warning or breached: an
     * overdue clock keeps its due so queues sort it first), 0 if none. */
    int64_t next_due;
    /* The next instant > now at which a state changes by time alone (the warn or due of a
     * running or warning clock), 0 if none: when a scheduler must look again. */
    int64_t next_change;
    /* Every follow-up cycle the ticket went through, for reports: those answered on time, and
     * those answered late or overdue now (cancelled ones left out). At most SLA_CYCLES_MAX
     * answered cycles are judged; later ones are not counted. */
    int follow_ups_met, follow_ups_late;
};

#define SLA_CYCLES_MAX 32

/* Replay the ticket's events ev[0..n) and judge both clocks at `now`.
 * Expects: events sorted by `at` (ties are applied in the given order and judged together), the
 * first one SLA_EV_CREATED and no other; enum fields in range; targets with 0 <= warn_s <= due_s,
 * due_s > 0; cal open some time when a target is on the business clock (cal may be NULL when none
 * is). Returns 0 and fills *out; or ERR_INVALID (e names the field: "events[3].at",
 * "targets.follow_up[2].due_s", "calendar") or ERR_LIMIT (a deadline beyond the calendar's range,
 * year 2199), leaving *out untouched. e may be NULL. O(n) plus a few calendar queries. */
int sla_compute(const struct calendar *cal, const struct sla_targets *t, const struct sla_event *ev,
                size_t n, int64_t now, struct sla_result *out, struct err *e);

#endif
