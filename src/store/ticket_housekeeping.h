/* ticket_housekeeping: the SQL of the system's own changes to tickets (auto-close for now),
 * apart from store/tickets.h, which serves the use cases people start.
 *
 * Runs on the caller's connection and inside the caller's write transaction: selecting a batch
 * and closing it belong in one transaction, so the rows selected are the rows closed.
 *
 * Several server processes may share one PostgreSQL database and run the same housekeeping at
 * the same moment. There the batch is selected with FOR UPDATE SKIP LOCKED: each process gets
 * rows no other open transaction holds, and a ticket a person is updating right now (its row
 * locked by tickets_lock()) waits for the next run. On SQLite the process-wide writer lock
 * already serializes every write transaction, so a plain SELECT is enough. A close also checks
 * the status again, so a ticket that changed since it was selected is left alone.
 *
 * Thread-safe as far as the connection is (one thread per connection).
 */
#ifndef FRONTDESK_STORE_TICKET_HOUSEKEEPING_H
#define FRONTDESK_STORE_TICKET_HOUSEKEEPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* A solved ticket, as auto-close needs it. */
struct ticket_housekeeping_solved {
    int64_t id;
    int64_t solved_at;
};

/* Inside a write transaction: up to max solved tickets with solved_at <= cutoff, oldest
 * solved_at first (then by id), into out[0..*n). On PostgreSQL the rows are locked until the
 * transaction ends and rows locked by others are skipped. Solved tickets without a solved_at
 * are not selected. *n is untouched on failure. */
int ticket_housekeeping_solved_before(struct db *db, int64_t cutoff, size_t max,
                                      struct ticket_housekeeping_solved *out, size_t *n,
                                      struct err *e);

/* Inside a write transaction: close ticket id if it is still solved: status closed, updated_at
 * now (solved_at is kept: it says when the work was done), and one ticket_events row by the
 * system (actor NULL, field "status", old "solved", new "closed", at now). *closed says whether
 * it was closed; a ticket no longer solved (or gone) is left alone with *closed = false. */
/* Up to max tickets whose SLA summary changes state by time at or before now (sla_next_at),
 * soonest first, into ids[0..*n); on PostgreSQL locked FOR UPDATE SKIP LOCKED, so several
 * processes sweeping at once each take different tickets. */
int ticket_housekeeping_sla_due(struct db *db, int64_t now, size_t max, int64_t *ids, size_t *n,
                                struct err *e);
/* The soonest sla_next_at of any ticket (0: none): the sweep sleeps until then. An index probe. */
int ticket_housekeeping_sla_next(struct db *db, int64_t *next, struct err *e);

int ticket_housekeeping_close(struct db *db, int64_t id, int64_t now, bool *closed, struct err *e);

/* Up to limit accounts whose extra support package has lapsed (its last day, 'YYYY-MM-DD', is
 * before today) and that still have a ticket decided as if it were active: not closed, and
 * either at the derived priority high (not set by hand) or decided in scope by the package.
 * Their ids, ascending, into ids[0..*n). */
int ticket_housekeeping_lapsed_packages(struct db *db, const char *today, size_t limit,
                                        int64_t *ids, size_t *n, struct err *e);

#endif
