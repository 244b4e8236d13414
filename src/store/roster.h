/* roster (store): the duty roster's rows (migration 0015): the rotation (table duty_roster, one
 * row with id 1, and duty_roster_leads, the leads by slot) and the one-off overrides
 * (duty_roster_overrides). Runs on the caller's connection and transaction; who may write and
 * what is valid is the service's business (service/roster.h). Lists of overrides are ordered by
 * id and start after a given id (cursor pagination, http/paging.h). Thread-safe as far as the
 * connection is (one thread per connection).
 */
#ifndef FRONTDESK_STORE_ROSTER_H
#define FRONTDESK_STORE_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "core/roster.h"
#include "db/db.h"

#define ROSTER_LEADS_MAX  100 /* leads in one rotation */
#define ROSTER_DATE_LEN   10  /* "YYYY-MM-DD" */
#define ROSTER_REASON_MAX 500 /* characters of an override's reason */

/* The rotation as stored. */
struct roster_row {
    bool set; /* false: no rotation was ever saved (the rest is zero) */
    char anchor_date[ROSTER_DATE_LEN + 1];
    int64_t updated_by; /* 0: unknown */
    int64_t updated_at;
    size_t nleads;
    int64_t lead_ids[ROSTER_LEADS_MAX]; /* in rotation order */
};

/* One lead of the rotation (or an override's user) and whether they may still be on duty: an
 * active user with role lead or admin. */
struct roster_row_lead {
    int64_t user_id;
    bool eligible;
};

/* The rotation into *out (out->set false when none was saved). */
int roster_row_get(struct db *db, struct roster_row *out, struct err *e);
/* The rotation's leads with their eligibility, in order, into out[0..*n) (cap
 * ROSTER_LEADS_MAX). */
int roster_row_leads(struct db *db, struct roster_row_lead *out, size_t *n, struct err *e);
/* Inside a write transaction: replace the rotation with anchor_date and lead_ids[0..n) (n <=
 * ROSTER_LEADS_MAX, users that exist) by actor at now. */
int roster_row_put(struct db *db, const char *anchor_date, const int64_t *lead_ids, size_t n,
                   int64_t actor_id, int64_t now, struct err *e);

struct roster_override_row {
    int64_t id;
    int64_t user_id;
    int64_t starts_at;
    int64_t ends_at;
    char reason[ROSTER_REASON_MAX * 4 + 1];
    int64_t created_by; /* 0: unknown */
    int64_t created_at;
    bool eligible; /* the user is still an active lead or admin (read with the row) */
};

/* Insert an override and fill *out. */
int roster_overrides_insert(struct db *db, int64_t user_id, int64_t starts_at, int64_t ends_at,
                            const char *reason, int64_t actor_id, int64_t now,
                            struct roster_override_row *out, struct err *e);
/* By id; ERR_NOT_FOUND when absent. */
int roster_overrides_get(struct db *db, int64_t id, struct roster_override_row *out, struct err *e);
/* Delete one; ERR_NOT_FOUND when absent. */
int roster_overrides_delete(struct db *db, int64_t id, struct err *e);
/* Up to limit overrides with id > after, by id, into out[0..*n). ended_after > 0 keeps only
 * those whose ends_at is later than it (current and future ones). */
int roster_overrides_list(struct db *db, int64_t ended_after, int64_t after, unsigned limit,
                          struct roster_override_row *out, size_t *n, struct err *e);
/* The overrides whose ends_at is later than t, as core/roster.h reads them (eligibility from
 * the user's row), into out[0..*n), at most cap, by id. */
int roster_overrides_current(struct db *db, int64_t t, struct roster_override *out, size_t cap,
                             size_t *n, struct err *e);
/* How many overrides end after t. */
int roster_overrides_count_ending_after(struct db *db, int64_t t, int64_t *out, struct err *e);

#endif
