/* priority: a ticket's priority derived from its triage facts (issue 5, "Priority (priority
 * definitions)"; POLICY.md row "def"), the staff override rule (clause 11) and when a change of
 * facts re-derives it.
 *
 * The rule, from the policy's definitions: the priority is Critical (TICKET_PRIORITY_URGENT) when
 * the service is down or unavailable, data is unavailable or lost, or a critical documented
 * feature is unavailable, and no workaround exists; otherwise High Priority Non-critical
 * (TICKET_PRIORITY_HIGH) when the account's extra support package is active at that moment;
 * otherwise Normal (TICKET_PRIORITY_NORMAL). Derivation never gives TICKET_PRIORITY_LOW.
 *
 * Unknown facts. Each fact is yes, no or unknown (not given: the form, the API or the agent left
 * it out). A fact not given does not hold:
 * - an unknown impact (service down, data lost, critical feature) counts as "no";
 * - an unknown workaround does NOT count as "no workaround exists": a workaround may exist. The
 *   policy makes Critical depend on "no workaround exists", which is itself a fact that must be
 *   given; nothing in the policy text says that silence about workarounds means there is none,
 *   and reading it that way would put every half-filled form on the 1-4 hour Critical clock.
 *   So Critical needs an impact given as yes AND the workaround given as no. The reason then
 *   tells staff that the workaround is not known, so they can ask and fill it in (which
 *   re-derives the priority, see priority_rederive()) or raise it with a justification.
 * Values outside the enum count like unknown: they never raise the priority.
 *
 * Pure: no I/O, no clock (whether the package is active "at that moment" is the caller's answer,
 * computed for now), no allocation. Thread-safe: only constant data. Every string pointer in a
 * result is static, valid forever.
 */
#ifndef FRONTDESK_CORE_PRIORITY_H
#define FRONTDESK_CORE_PRIORITY_H

#include "base/err.h"
#include "core/ticket.h"

#include <stdbool.h>

/* ---- triage facts ---------------------------------------------------------------------------- */

/* One triage fact. UNKNOWN is 0, so a zeroed struct priority_facts means "nothing given". */
enum priority_fact {
    PRIORITY_FACT_UNKNOWN = 0, /* not given */
    PRIORITY_FACT_NO,
    PRIORITY_FACT_YES,
};

struct priority_facts {
    enum priority_fact service_down; /* the service is down or unavailable */
    enum priority_fact data_lost;    /* data is unavailable or lost */
    enum priority_fact feature_down; /* a critical documented feature is unavailable */
    enum priority_fact workaround;   /* a workaround is available */
};

/* ---- derivation ------------------------------------------------------------------------------ */

/* The policy's text that decided, for the decision's `clause`. */
#define PRIORITY_CLAUSE "priority definitions"

/* Longest reason plus its NUL; every reason priority_derive() writes fits (a test checks). */
#define PRIORITY_REASON_MAX 160

struct priority_decision {
    enum ticket_priority priority; /* urgent, high or normal; never low */
    /* Which branch of the definition decided: "critical" (an impact and no workaround),
     * "package" (not critical, the extra support package is active) or "default" (neither). */
    const char *basis;
    const char *clause; /* PRIORITY_CLAUSE */
    /* One sentence for staff, starting with the policy's name of the class
     * (ticket_priority_policy_name) and ending with "(priority definitions).", e.g.
     * "Critical: the service is down and no workaround exists (priority definitions)." or
     * "Normal: it is not known whether a workaround exists, and the account's extra support
     * package is not active (priority definitions)." */
    char reason[PRIORITY_REASON_MAX];
};

/* Derive the priority from the facts *f and whether the account's extra support package is
 * active now. Fills every field of *out. f and out must not be NULL. */
void priority_derive(const struct priority_facts *f, bool package_active,
                     struct priority_decision *out);

/* ---- re-derivation --------------------------------------------------------------------------- */

/* Issue 5: "Changing triage facts or the package re-derives it unless staff set it by hand."
 * Returns true when a change of the triage facts or of the package (activated, expired, ended)
 * must replace the ticket's stored priority with a fresh priority_derive() result, that is when
 * staff did not set the priority by hand (set_by_hand false); false leaves the stored priority
 * alone. set_by_hand is the caller's stored flag: true from the moment staff changed the
 * priority themselves (an event and an audit entry) until they hand it back. */
bool priority_rederive(bool set_by_hand);

/* ---- staff override (clause 11) -------------------------------------------------------------- */

/* Least number of characters of a justification, after trimming. */
#define PRIORITY_JUSTIFICATION_MIN 20

/* May staff set the priority `wanted` on a ticket whose derived priority is `derived`?
 * - wanted == derived: allowed, no justification needed (justification is not read, may be
 *   NULL): this is also how staff hand a ticket back to the derived priority.
 * - any other value (low included, even though the SLA treats it like normal: it is still a
 *   change away from the derived value) is a policy exception and needs a written justification
 *   of at least PRIORITY_JUSTIFICATION_MIN characters once white space is trimmed from both ends
 *   (ASCII white space and Unicode White_Space such as U+00A0 and U+3000). Characters are Unicode
 *   code points: a multibyte UTF-8 sequence counts as one.
 * justification is NUL-terminated UTF-8, or NULL (same as missing).
 * Returns 0 when allowed; ERR_INVALID with field "ticket.policy_justification" when the
 * justification is missing, too short or not valid UTF-8 (the HTTP layer answers 422); or
 * ERR_INTERNAL when derived or wanted is out of the enum's range (a bug: callers parse first).
 * e may be NULL. */
int priority_check_override(enum ticket_priority derived, enum ticket_priority wanted,
                            const char *justification, struct err *e);

/* The justification rule alone, for any policy exception (a scope override too): NULL, invalid
 * UTF-8 or fewer than PRIORITY_JUSTIFICATION_MIN characters once trimmed is ERR_INVALID naming
 * "ticket.policy_justification", the message starting with `what` ("a scope override"). */
int priority_check_justification(const char *justification, const char *what, struct err *e);

#endif
