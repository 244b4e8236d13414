/* bans (service): banning requesters, or every person of a client account, from support, and
 * flagging abusive comments (policy clauses 5 and 6; issue 5 "Abuse and bans").
 *
 * A ban targets exactly one of: a user (user_id; the user's address key is recorded beside it,
 * so that the address is covered too), or an organization (organization_id; covers every person
 * of the account at the moment a status is asked, including people added after the ban, because
 * the account is checked at status time, not copied into per-user rows). A ban is active until it
 * is lifted (lifted_at set); lifting keeps the row for the record.
 *
 * Addresses are matched by their ban key (core/email_addr.h email_addr_ban_key(): lower case,
 * "+tag" dropped from the local part; dots are kept), so "Foo+x@Example.com" is banned by a ban
 * on "foo@example.com".
 *
 * Rules kept here: only a lead or an admin bans or unbans (ERR_FORBIDDEN for agents and anyone
 * else); a reason is required (ERR_INVALID naming "ban.reason"); staff cannot be banned
 * (ERR_INVALID naming "ban.user_id"); banning someone already under an active ban of the same
 * target is ERR_CONFLICT; unbanning a target with no active ban is ERR_CONFLICT. Banning ends
 * the sessions of the banned people at once (their sessions rows are deleted, same
 * transaction). API tokens are left alone: bans are about support requests, staff cannot be
 * banned, and an end-user's token is refused by ticket creation anyway (the lead's wiring).
 * Any staff member may flag a comment as abusive.
 *
 * Audited (table audit_log, same transaction): "ban.created" and "ban.lifted" (target "user" or
 * "organization", detail {"ban_id", "reason"}), "comment.flagged_abusive" (target "comment",
 * detail {"ticket_id", "reason"}).
 *
 * Every function that takes a struct db and no actor runs inside the caller's transaction;
 * those taking an actor open their own (db_transact). Thread-safe as far as each thread uses its
 * own connection.
 */
#ifndef FRONTDESK_SERVICE_BANS_H
#define FRONTDESK_SERVICE_BANS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "store/bans.h"

/* ---- the contract other parts call (inside the caller's transaction) ------------------------ */

struct bans_status {
    bool banned;
    int64_t ban_id; /* the active ban that applies (the oldest one); 0 when not banned */
};

/* Is this requester under an active ban? user_id 0 and/or email NULL are allowed. Banned when
 * the user (by id; or, with user_id 0, the user whose address is email, any case), that user's
 * organization (looked up now, so people who joined after an organization ban are covered), or
 * the address key of email or of the user's stored address is under an active ban. Staff are
 * never banned. An unparsable email matches no address ban. Fills *out; 0 or a negative ERR_*
 * code (e may be NULL). */
int bans_requester_status(struct db *db, int64_t user_id, const char *email,
                          struct bans_status *out, struct err *e);

/* The same for a user already read (u not NULL), writing from email (NULL: u's own address
 * only): one query fewer on the path that creates tickets. */
struct user;
int bans_user_status(struct db *db, const struct user *u, const char *email,
                     struct bans_status *out, struct err *e);

/* The short policy notice (clauses 1.2, 5, 6): polite, says support is withdrawn because of
 * abusive behaviour and that the account owner's approval is not needed. A static string,
 * valid for the life of the program; plain text, one paragraph. */
const char *bans_notice_text(void);

/* Queue the notice to address (outbox kind "ban_notice", ticket_id set when not 0), at most one
 * per address key per UTC day of now: a unique row (ban_notices: key, day) is inserted first, so
 * concurrent callers cannot both queue. *queued is true when this call queued it, false when one
 * was already queued today. ERR_INVALID naming "address" for an address without a ban key. */
int bans_queue_notice(struct db *db, const char *address, int64_t ticket_id, int64_t now,
                      bool *queued, struct err *e);

/* ---- the use cases behind the API (each one transaction) ----------------------------------- */

struct bans_actor {
    struct access_subject subject;
    const char *ip; /* for the audit log; NULL off HTTP */
};

/* Ban user `user_id` (ERR_NOT_FOUND when no such user) with reason; fills *out. */
int bans_ban_user(struct db *db, const struct bans_actor *actor, int64_t user_id,
                  const char *reason, int64_t now, struct ban *out, struct err *e);
/* Lift the active ban of user `user_id`; fills *out with the lifted ban. */
int bans_unban_user(struct db *db, const struct bans_actor *actor, int64_t user_id,
                    const char *reason, int64_t now, struct ban *out, struct err *e);
/* The same for an organization (every person of the account, now and later). */
int bans_ban_organization(struct db *db, const struct bans_actor *actor, int64_t org_id,
                          const char *reason, int64_t now, struct ban *out, struct err *e);
int bans_unban_organization(struct db *db, const struct bans_actor *actor, int64_t org_id,
                            const char *reason, int64_t now, struct ban *out, struct err *e);

/* Staff only (ERR_FORBIDDEN otherwise): up to limit bans with id > after, oldest first, only the
 * active ones when active_only; into out[0..*n). */
int bans_list(struct db *db, const struct bans_actor *actor, bool active_only, int64_t after,
              unsigned limit, struct ban *out, size_t *n, struct err *e);

/* Staff only: flag comment `comment_id` of ticket `ticket_id` as abusive with reason (required,
 * ERR_INVALID naming "comment_flag.reason"); ERR_NOT_FOUND when the comment is not on that
 * ticket. Flagging again replaces the reason and flagger. Fills *out. */
int bans_flag_comment(struct db *db, const struct bans_actor *actor, int64_t ticket_id,
                      int64_t comment_id, const char *reason, int64_t now, struct comment_flag *out,
                      struct err *e);

#endif
