#include "core/ticket.h"

#include <string.h>

/* Index order must match the enums in ticket.h; the static asserts keep the counts honest. */
static const char *const status_names[] = {"new", "open", "pending", "hold", "solved", "closed"};
static const char *const priority_names[] = {"low", "normal", "high", "urgent"};
static const char *const priority_policy_names[] = {"Normal", "Normal",
                                                    "High Priority Non-critical", "Critical"};
static const char *const channel_names[] = {"email", "web", "voice", "chat", "api"};

_Static_assert(sizeof status_names / sizeof *status_names == TICKET_STATUS_COUNT,
               "one name per status");
_Static_assert(TICKET_STATUS_CLOSED + 1 == TICKET_STATUS_COUNT, "TICKET_STATUS_COUNT");
_Static_assert(sizeof priority_names / sizeof *priority_names == TICKET_PRIORITY_COUNT,
               "one name per priority");
_Static_assert(sizeof priority_policy_names / sizeof *priority_policy_names ==
                   TICKET_PRIORITY_COUNT,
               "one policy name per priority");
_Static_assert(TICKET_PRIORITY_URGENT + 1 == TICKET_PRIORITY_COUNT, "TICKET_PRIORITY_COUNT");
_Static_assert(sizeof channel_names / sizeof *channel_names == TICKET_CHANNEL_COUNT,
               "one name per channel");
_Static_assert(TICKET_CHANNEL_API + 1 == TICKET_CHANNEL_COUNT, "TICKET_CHANNEL_COUNT");

/* The status machine: allowed[from][to]. docs/tickets.md shows the same table; change both.
 * In the new column only new -> new is true (nothing returns to new); in the closed row only
 * closed -> closed (closed is final). */
#define T true
#define F false
/* clang-format off */
static const bool allowed[TICKET_STATUS_COUNT][TICKET_STATUS_COUNT] = {
    /* from \ to      new open pending hold solved closed */
    /* new     */   {  T,  T,   T,      T,   T,     F },
    /* open    */   {  F,  T,   T,      T,   T,     F },
    /* pending */   {  F,  T,   T,      T,   T,     F },
    /* hold    */   {  F,  T,   T,      T,   T,     F },
    /* solved  */   {  F,  T,   F,      F,   T,     T },
    /* closed  */   {  F,  F,   F,      F,   F,     T },
};
/* clang-format on */
#undef T
#undef F

/* Index of the name equal to [s, s+len), or -1. Exact bytes, so case, padding and a NUL inside
 * len all fail. */
static int lookup(const char *const *names, size_t n, const char *s, size_t len)
{
    if (len == 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
            return (int)i;
    return -1;
}

static bool status_valid(enum ticket_status s)
{
    return (unsigned)s < TICKET_STATUS_COUNT;
}

const char *ticket_status_name(enum ticket_status s)
{
    return status_valid(s) ? status_names[s] : NULL;
}

int ticket_status_parse(const char *s, size_t len, enum ticket_status *out)
{
    int i = lookup(status_names, TICKET_STATUS_COUNT, s, len);
    if (i < 0)
        return ERR_INVALID;
    *out = (enum ticket_status)i;
    return 0;
}

bool ticket_transition_allowed(enum ticket_status from, enum ticket_status to)
{
    return status_valid(from) && status_valid(to) && allowed[from][to];
}

int ticket_check_transition(enum ticket_status from, enum ticket_status to, struct err *e)
{
    if (!status_valid(from) || !status_valid(to))
        return err_set(e, ERR_INTERNAL, "status", "ticket status out of range (%d -> %d)",
                       (int)from, (int)to);
    if (!allowed[from][to])
        return err_set(e, ERR_CONFLICT, "status", "cannot change status from %s to %s",
                       status_names[from], status_names[to]);
    return 0;
}

enum ticket_reply_effect ticket_requester_reply(enum ticket_status from, enum ticket_status *to)
{
    switch (from) {
    case TICKET_STATUS_OPEN:
        *to = TICKET_STATUS_OPEN;
        return TICKET_REPLY_NO_CHANGE;
    case TICKET_STATUS_NEW:
    case TICKET_STATUS_PENDING:
    case TICKET_STATUS_HOLD:
    case TICKET_STATUS_SOLVED:
        *to = TICKET_STATUS_OPEN;
        return TICKET_REPLY_REOPENS;
    case TICKET_STATUS_CLOSED:
        /* Closed is final (the table has no way out), so the conversation continues in a new
         * ticket that links back to this one. */
        return TICKET_REPLY_FOLLOW_UP;
    }
    return TICKET_REPLY_NO_CHANGE;
}

bool ticket_due_for_close(enum ticket_status s, int64_t solved_at, int64_t now,
                          int close_after_days)
{
    if (s != TICKET_STATUS_SOLVED || close_after_days < 1)
        return false;
    /* int * 86400 fits in int64_t; only the addition can overflow, and only upwards. */
    int64_t span = (int64_t)close_after_days * TICKET_CLOSE_DAY_SECONDS;
    if (solved_at > INT64_MAX - span)
        return false;
    return now >= solved_at + span;
}

const char *ticket_priority_name(enum ticket_priority p)
{
    return (unsigned)p < TICKET_PRIORITY_COUNT ? priority_names[p] : NULL;
}

int ticket_priority_parse(const char *s, size_t len, enum ticket_priority *out)
{
    int i = lookup(priority_names, TICKET_PRIORITY_COUNT, s, len);
    if (i < 0)
        return ERR_INVALID;
    *out = (enum ticket_priority)i;
    return 0;
}

const char *ticket_priority_policy_name(enum ticket_priority p)
{
    return (unsigned)p < TICKET_PRIORITY_COUNT ? priority_policy_names[p] : NULL;
}

const char *ticket_channel_name(enum ticket_channel c)
{
    return (unsigned)c < TICKET_CHANNEL_COUNT ? channel_names[c] : NULL;
}

int ticket_channel_parse(const char *s, size_t len, enum ticket_channel *out)
{
    int i = lookup(channel_names, TICKET_CHANNEL_COUNT, s, len);
    if (i < 0)
        return ERR_INVALID;
    *out = (enum ticket_channel)i;
    return 0;
}
