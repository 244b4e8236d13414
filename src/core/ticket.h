/* ticket: the rules of a ticket's life: its status machine, the requester-reply rule, auto-close,
 * and the names of statuses, priorities and channels (docs/tickets.md is the prose version).
 *
 * Values and names follow Zendesk's Support API (status, priority, via.channel), so the strings
 * here are what the API, the database and the console store and show; an enum is never stored
 * as a number.
 *
 * Invariants of the status machine (the table in ticket.c is the single source of truth):
 * - nothing ever moves to new: a ticket is born new and leaves it for good;
 * - closed is final: a requester reply to a closed ticket creates a follow-up ticket instead;
 * - solved moves only back to open (a reopen) or on to closed;
 * - X -> X is always allowed and means "no change", closed -> closed included, so a client can
 *   send back the status it read.
 *
 * Pure: no I/O, no clock ("now" is a parameter), no allocation. Thread-safe: only constant
 * tables. The *_name() functions return static strings, valid forever, or NULL for a value out
 * of the enum's range; parse functions take a slice (pointer + length, NUL not needed, a NUL
 * inside len never matches) and leave *out untouched on failure.
 */
#ifndef FRONTDESK_CORE_TICKET_H
#define FRONTDESK_CORE_TICKET_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- status ---------------------------------------------------------------------------------- */

enum ticket_status {
    TICKET_STATUS_NEW,     /* "new": nobody has acted on it yet */
    TICKET_STATUS_OPEN,    /* "open": the team is working on it */
    TICKET_STATUS_PENDING, /* "pending": waiting on the requester */
    TICKET_STATUS_HOLD,    /* "hold": waiting on a third party */
    TICKET_STATUS_SOLVED,  /* "solved": the team thinks it is done; the requester may reopen */
    TICKET_STATUS_CLOSED,  /* "closed": final; replies create a follow-up ticket */
};

/* Number of statuses, for tables indexed by status. */
#define TICKET_STATUS_COUNT 6

/* "new", "open", "pending", "hold", "solved", "closed"; NULL when s is out of range. */
const char *ticket_status_name(enum ticket_status s);

/* Parse Zendesk's status value: an exact, lower-case match of one of the names above (no
 * trimming, no case folding). Returns 0 and sets *out, or ERR_INVALID (the caller words the
 * error, since it knows the field's name in its own input). s may be NULL when len is 0. */
int ticket_status_parse(const char *s, size_t len, enum ticket_status *out);

/* May a status change from `from` to `to`? True for the pairs of the transition table (X -> X
 * included); false for any other pair and for values out of range. */
bool ticket_transition_allowed(enum ticket_status from, enum ticket_status to);

/* The same rule, worded for the caller: returns 0 when allowed; otherwise ERR_CONFLICT (HTTP 409)
 * with field "status" and a message naming both states ("cannot change status from closed to
 * open"), or ERR_INTERNAL when a value is out of range (corrupt data, a bug). e may be NULL. */
int ticket_check_transition(enum ticket_status from, enum ticket_status to, struct err *e);

/* ---- requester reply ------------------------------------------------------------------------- */

enum ticket_reply_effect {
    TICKET_REPLY_NO_CHANGE, /* the status stays as it is (*to == from) */
    TICKET_REPLY_REOPENS,   /* the status becomes *to (open) */
    TICKET_REPLY_FOLLOW_UP, /* the ticket is closed: the caller creates a new ticket linked to it
                             * and puts the reply there; *to is untouched */
};

/* What a public reply by the ticket's requester does to a ticket in status `from`:
 * new, pending, hold, solved -> open (TICKET_REPLY_REOPENS, *to = open); open -> open
 * (TICKET_REPLY_NO_CHANGE, *to = open); closed -> TICKET_REPLY_FOLLOW_UP (*to untouched).
 * Every status it sets is allowed by the transition table. A `from` out of range gives
 * TICKET_REPLY_NO_CHANGE with *to untouched. */
enum ticket_reply_effect ticket_requester_reply(enum ticket_status from, enum ticket_status *to);

/* ---- auto-close ------------------------------------------------------------------------------ */

/* Seconds in one auto-close day. */
#define TICKET_CLOSE_DAY_SECONDS 86400

/* Is a ticket in status s, solved at instant solved_at, due to be closed at instant now?
 * True exactly when s is solved and now >= solved_at + close_after_days * 86400 (instants are
 * seconds since the Unix epoch, UTC). A day here is 86400 s, not a calendar or business day in
 * anyone's time zone: auto-close is housekeeping, not an SLA promise, so an hour either way
 * around a DST change does not matter and no time-zone rules are needed.
 * close_after_days must be >= 1 (configuration refuses less); a value < 1 never closes, and a
 * deadline beyond the range of int64_t is never reached. */
bool ticket_due_for_close(enum ticket_status s, int64_t solved_at, int64_t now,
                          int close_after_days);

/* ---- priority -------------------------------------------------------------------------------- */

/* Zendesk's priorities and the support policy's classes:
 * urgent = "Critical", high = "High Priority Non-critical", normal = "Normal"; low is accepted,
 * stored and returned as low, and treated like normal by the SLA (policy name "Normal"). */
enum ticket_priority {
    TICKET_PRIORITY_LOW,
    TICKET_PRIORITY_NORMAL,
    TICKET_PRIORITY_HIGH,
    TICKET_PRIORITY_URGENT,
};

#define TICKET_PRIORITY_COUNT 4

/* "low", "normal", "high", "urgent"; NULL when p is out of range. */
const char *ticket_priority_name(enum ticket_priority p);

/* Exact lower-case match of a name above: 0 and *out set, or ERR_INVALID. s may be NULL when
 * len is 0. */
int ticket_priority_parse(const char *s, size_t len, enum ticket_priority *out);

/* The policy's name of the class, as the console shows it: "Normal" (low and normal),
 * "High Priority Non-critical" (high), "Critical" (urgent); NULL when p is out of range. */
const char *ticket_priority_policy_name(enum ticket_priority p);

/* ---- channel --------------------------------------------------------------------------------- */

/* Where a ticket came from (Zendesk's via.channel). */
enum ticket_channel {
    TICKET_CHANNEL_EMAIL, /* "email": the mail gateway */
    TICKET_CHANNEL_WEB,   /* "web": the portal's form or the agent console */
    TICKET_CHANNEL_VOICE, /* "voice": a phone call, logged by an agent */
    TICKET_CHANNEL_CHAT,  /* "chat": live chat */
    TICKET_CHANNEL_API,   /* "api": a client of the JSON API */
};

#define TICKET_CHANNEL_COUNT 5

/* "email", "web", "voice", "chat", "api"; NULL when c is out of range. */
const char *ticket_channel_name(enum ticket_channel c);

/* Exact lower-case match of a name above: 0 and *out set, or ERR_INVALID. s may be NULL when
 * len is 0. */
int ticket_channel_parse(const char *s, size_t len, enum ticket_channel *out);

#endif
