/* bans (store): the support bans (table bans), the one-notice-a-day ledger (table ban_notices)
 * and the abusive-comment flags (table comment_flags). Repository only: who may ban whom is the
 * service's rule (service/bans.h). Runs on the caller's connection and transaction.
 *
 * A ban row targets a user (user_id, with the user's address key in address_key) or an
 * organization (organization_id, address_key NULL); active while lifted_at is NULL. At most one
 * active ban per user and per organization (partial unique indexes). Lists are ordered by id and
 * start after a given id (cursor pagination, http/paging.h). Thread-safe as far as the
 * connection is.
 */
#ifndef FRONTDESK_STORE_BANS_H
#define FRONTDESK_STORE_BANS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define BAN_REASON_MAX  1000 /* characters */
#define BAN_ADDRESS_MAX 254  /* octets, as core/email_addr.h */

struct ban {
    int64_t id;
    int64_t user_id;                   /* 0: an organization ban */
    int64_t organization_id;           /* 0: a user ban */
    char address[BAN_ADDRESS_MAX + 1]; /* the address key; "" when none */
    char reason[BAN_REASON_MAX * 4 + 1];
    int64_t created_by;
    int64_t created_at;
    int64_t lifted_at;                        /* 0: active */
    int64_t lifted_by;                        /* 0: none */
    char lift_reason[BAN_REASON_MAX * 4 + 1]; /* "" with lifted_at 0 */
};

/* Insert an active ban on exactly one of user_id / organization_id (the other 0), address a
 * ban key or NULL; fill *out. An active ban of that target already is ERR_CONFLICT. */
int bans_store_insert(struct db *db, int64_t user_id, int64_t organization_id, const char *address,
                      const char *reason, int64_t created_by, int64_t now, struct ban *out,
                      struct err *e);
/* By id; ERR_NOT_FOUND when absent. */
int bans_store_get(struct db *db, int64_t id, struct ban *out, struct err *e);
/* The active ban of a user (user_id != 0) or of an organization; ERR_NOT_FOUND when none. */
int bans_store_active_for(struct db *db, int64_t user_id, int64_t organization_id, struct ban *out,
                          struct err *e);
/* Lift ban id (must be active, ERR_CONFLICT otherwise) and fill *out. */
int bans_store_lift(struct db *db, int64_t id, const char *reason, int64_t lifted_by, int64_t now,
                    struct ban *out, struct err *e);
/* The oldest active ban on user_id (0: skip), organization_id (0: skip) or address key
 * (NULL: skip); *ban_id 0 when none. */
int bans_store_match(struct db *db, int64_t user_id, int64_t organization_id,
                     const char *address_key, int64_t *ban_id, struct err *e);
/* Up to limit bans with id > after, by id, only active ones when active_only, into
 * out[0..*n). */
int bans_store_list(struct db *db, bool active_only, int64_t after, unsigned limit, struct ban *out,
                    size_t *n, struct err *e);

/* Delete the sessions of user_id, or of every user of organization_id (the other 0);
 * *deleted (may be NULL) receives how many. */
int bans_store_end_sessions(struct db *db, int64_t user_id, int64_t organization_id,
                            int64_t *deleted, struct err *e);

/* Record that a notice went to address key `key` on UTC day `day` (days since 1970-01-01);
 * *inserted false (and no error) when one is recorded already. */
int bans_store_notice_claim(struct db *db, const char *key, int64_t day, int64_t now,
                            bool *inserted, struct err *e);

struct comment_flag {
    int64_t comment_id;
    int64_t ticket_id;
    int64_t flagged_by;
    char reason[BAN_REASON_MAX * 4 + 1];
    int64_t created_at;
};

/* The ticket comment_id belongs to; ERR_NOT_FOUND naming "comment_id" when no such comment. */
int bans_store_comment_ticket(struct db *db, int64_t comment_id, int64_t *ticket_id, struct err *e);
/* Insert or replace the flag of a comment and fill *out. */
int bans_store_flag_comment(struct db *db, int64_t comment_id, int64_t ticket_id,
                            int64_t flagged_by, const char *reason, int64_t now,
                            struct comment_flag *out, struct err *e);

#endif
