/* ticket_sla: a ticket's SLA clocks (issue 4), computed by core/sla.h from the ticket's events on
 * the calendar and targets in force (service/policy_pack.h, service/calendar_cache.h).
 *
 * Every write to a ticket refreshes the summary kept on its row (tickets.sla_state, sla_warn_at,
 * sla_due_at: the worst state and the warn and due of the clock due soonest) in the same
 * transaction, so queues sort and filter by it without computing anything. Between writes time
 * moves on: ticket_sla_state_now() reads the summary as of an instant (running turns warning
 * at warn, breached at due), which is exact because nothing but time changes a clock between
 * two writes. GET /api/v2/tickets/{id}/sla computes both clocks in full.
 */
#ifndef FRONTDESK_SERVICE_TICKET_SLA_H
#define FRONTDESK_SERVICE_TICKET_SLA_H

#include <stdbool.h>
#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "core/sla.h"
#include "db/db.h"
#include "store/tickets.h"

/* Events one ticket's clocks are computed from, at most (a ticket beyond it fails with
 * ERR_LIMIT rather than judging from part of its history). */
#define TICKET_SLA_EVENTS_MAX 4096

/* The clocks of ticket_id at now on a given calendar and targets (a report computing many
 * tickets reads those once). */
int ticket_sla_compute_with(struct db *db, int64_t ticket_id, const struct calendar *cal,
                            const struct sla_targets *targets, int64_t now, struct sla_result *out,
                            struct err *e);
/* The clocks of ticket_id at now, on the calendar and targets in force. */
int ticket_sla_compute(const struct env *env, struct db *db, int64_t ticket_id, int64_t now,
                       struct sla_result *out, struct err *e);

/* Inside the caller's write transaction: recompute at now and store the summary on the row.
 * Every crossing a clock has made (warning at its warn instant, breached at its due) and that is
 * not recorded yet becomes one ticket event (field "sla_first_touch" or "sla_follow_up", old
 * value the clock's start as the cycle's key, new value "warning" or "breached", at the
 * crossing's instant, by the system): exactly once per clock cycle, since the check and the
 * insert run under the ticket's write lock. With notify, a crossing of a clock still ticking
 * also queues mail in the outbox: a warning to the assignee (or the team, or the leads), a breach
 * to every support lead (the admins when there is none), sent at once for 24x7 targets and at
 * the next opening for business-hours ones. Imports and the demo pass notify false. */
int ticket_sla_refresh(const struct env *env, struct db *db, int64_t ticket_id, int64_t now,
                       bool notify, struct err *e);

/* The stored summary's state as of now ("" when no clock runs). */
const char *ticket_sla_state_now(const struct ticket *t, int64_t now);

/* For the API: the ticket's clocks as s may see them (ERR_NOT_FOUND like a ticket s may not
 * see). */
int ticket_sla_show(const struct env *env, struct db *db, const struct access_subject *s,
                    int64_t ticket_id, struct sla_result *out, struct err *e);

#endif
