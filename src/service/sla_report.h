/* sla_report: how the SLA targets were met (issue 4), per week, priority and channel.
 *
 * Tickets are counted in the week (Monday to Sunday, on the support calendar's local dates) they
 * were submitted in, under their priority and channel now. For each group: how many first touches
 * were met on time and how many late (met late, or breached and still unanswered); the share met
 * of those decided; the median and 90th percentile first-touch time in business minutes (of
 * those answered; nearest rank); and the same met/late counts for follow-ups (every answered
 * follow-up cycle, and the current one when it is overdue). Cancelled clocks (closed without a reply) and clocks still inside
 * their target are left out. Clocks are computed from the events (service/ticket_sla.h) on the
 * calendar and targets in force. Staff only.
 */
#ifndef FRONTDESK_SERVICE_SLA_REPORT_H
#define FRONTDESK_SERVICE_SLA_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "core/ticket.h"
#include "db/db.h"

#define SLA_REPORT_WEEKS_MAX   26    /* a range longer is refused (ERR_INVALID naming "to") */
#define SLA_REPORT_TICKETS_MAX 50000 /* a range holding more is refused (ERR_LIMIT) */

struct sla_report_row {
    int64_t week; /* the Monday starting it, days since 1970-01-01 */
    enum ticket_priority priority;
    enum ticket_channel channel;
    int tickets;
    int first_touch_met, first_touch_late;
    bool first_touch_timed; /* median and p90 below are set */
    double first_touch_median_minutes, first_touch_p90_minutes;
    int follow_up_met, follow_up_late;
};

struct sla_report {
    int64_t from, to;            /* days since 1970-01-01: [from, to) */
    struct sla_report_row *rows; /* by week, priority, channel; from the arena */
    size_t count;
};

/* The report of the tickets submitted on local dates [from, to) (days since 1970-01-01). */
int sla_report_build(const struct env *env, struct db *db, const struct access_subject *s,
                     int64_t from, int64_t to, struct arena *a, struct sla_report *out,
                     struct err *e);

#endif
