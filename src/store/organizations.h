/* organizations: the client accounts (Zendesk's organizations): the businesses using the
 * platform, with their plan and rate, extra support package, install status and flags.
 * Repository over table organizations; runs on the caller's connection and transaction; the
 * service layer decides who may read and write what (service/people.h).
 *
 * Billing facts (an admin-imported JSON document) live in the same row but are not part of
 * struct organization: they are read and written only through organizations_billing_get/_set,
 * so no code that renders an organization can leak them by accident.
 *
 * Names are unique case-insensitively (lower(name): ASCII folding on SQLite, the database's on
 * PostgreSQL). Dates are 'YYYY-MM-DD' text, checked by the caller. Lists are ordered by id and
 * start after a given id (cursor pagination, http/paging.h). Thread-safe as far as the
 * connection is (one thread per connection).
 */
#ifndef FRONTDESK_STORE_ORGANIZATIONS_H
#define FRONTDESK_STORE_ORGANIZATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"

#define ORGANIZATION_NAME_MAX    255          /* characters */
#define ORGANIZATION_PLAN_MAX    64           /* characters */
#define ORGANIZATION_DATE_LEN    10           /* "YYYY-MM-DD" */
#define ORGANIZATION_STATUS_MAX  11           /* "uninstalled" */
#define ORGANIZATION_BILLING_MAX (256 * 1024) /* bytes of billing facts JSON */

struct organization {
    int64_t id;
    char name[ORGANIZATION_NAME_MAX * 4 + 1];              /* UTF-8 */
    char plan[ORGANIZATION_PLAN_MAX * 4 + 1];              /* "" when none */
    int64_t plan_rate_cents;                               /* monthly, >= 0 */
    char support_package_until[ORGANIZATION_DATE_LEN + 1]; /* last day; "" when none */
    char install_status[ORGANIZATION_STATUS_MAX + 1];      /* "installed" or "uninstalled" */
    bool delinquent;
    bool high_risk;
    bool service_refused;
    int64_t created_at;
    int64_t updated_at;
};

/* Insert the fields of *o (id and instants are ignored) created and updated at now, then fill
 * o->id, o->created_at and o->updated_at. A taken name (any case) is ERR_CONFLICT naming
 * "name". */
int organizations_insert(struct db *db, struct organization *o, int64_t now, struct err *e);

/* By id; ERR_NOT_FOUND when absent. */
int organizations_get(struct db *db, int64_t id, struct organization *out, struct err *e);

/* Inside a write transaction, lock the row until commit (PostgreSQL: FOR UPDATE; SQLite: the
 * writer lock already serializes). ERR_NOT_FOUND when absent. */
int organizations_lock(struct db *db, int64_t id, struct err *e);

/* Write back every field of *o by o->id and set o->updated_at to now. ERR_NOT_FOUND when no
 * such organization; a taken name is ERR_CONFLICT naming "name". */
int organizations_save(struct db *db, struct organization *o, int64_t now, struct err *e);

/* Up to limit organizations with id > after, by id, into out[0..*n). only_id, when not 0,
 * restricts the list to that one organization (a member's view). */
int organizations_list(struct db *db, int64_t only_id, int64_t after, unsigned limit,
                       struct organization *out, size_t *n, struct err *e);

/* Append the billing facts (JSON object text, "{}" when none were imported) to out.
 * ERR_NOT_FOUND when no such organization; ERR_LIMIT from out. */
int organizations_billing_get(struct db *db, int64_t id, struct buf *out, struct err *e);

/* Replace the billing facts with json (len bytes of JSON object text, checked by the caller,
 * at most ORGANIZATION_BILLING_MAX else ERR_LIMIT naming "billing"). updated_at is left alone:
 * billing facts are not part of what the organization shows. ERR_NOT_FOUND when absent. */
int organizations_billing_set(struct db *db, int64_t id, const char *json, size_t len,
                              struct err *e);

#endif
