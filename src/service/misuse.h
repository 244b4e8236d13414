/* misuse (service): misuse incidents and their evidence, the "high risk" flag of a client account
 * and the refusal of service (POLICY.md clause 12; issue 5, "Misuse and refusal of service").
 *
 * Rules:
 *  - incidents and their evidence are staff-only, both ways: anyone else gets ERR_FORBIDDEN for
 *    the list and the creation, ERR_NOT_FOUND for one incident (as for what does not exist).
 *    An incident belongs to one organization and optionally one of its tickets (ERR_INVALID
 *    naming "misuse_incident.ticket_id" for a ticket of another account); status "open" or
 *    "closed". Evidence is append-only: a note (body required), a link (an http or https URL,
 *    else ERR_INVALID naming "evidence.url") or an attachment (an upload token of the actor's
 *    own pending, unexpired uploads, claimed as comments claim them, else ERR_INVALID naming
 *    "evidence.upload"; the files move into the incident's evidence).
 *  - high risk: set or cleared by a lead or an admin (ERR_FORBIDDEN otherwise); a reason is
 *    required when setting ("reason"). Audited "account.high_risk_set" and
 *    "account.high_risk_cleared" when the flag changes.
 *  - refusal of service: only the lead on duty at now (service/roster.h) or an admin. Another
 *    lead gets ERR_FORBIDDEN naming "not_on_duty"; agents and requesters ERR_FORBIDDEN. Checked
 *    in this order: permission, the account (ERR_NOT_FOUND), the reason (ERR_INVALID naming
 *    "service_refusal.reason"), the evidence (the named incident must belong to the account and
 *    hold at least one piece of evidence, else ERR_INVALID naming "service_refusal.evidence"),
 *    then ERR_CONFLICT when service is already refused. In the one transaction:
 *    organizations.service_refused = 1, every not-closed ticket of the account is closed with a
 *    public comment carrying misuse_refusal_notice_text() (ticket events for the comment and
 *    the status change), one outbox "refusal_notice" per affected requester (listing their
 *    tickets), and the audit entry "service.refused".
 *  - reversal: the same permission; a reason is required (ERR_INVALID naming "reason"); an account
 *    not refused is ERR_CONFLICT. Clears the flag and stamps the refusal; audit "service.restored".
 *    Closed tickets stay closed (the requester opens a new one).
 *
 * Each call below is one database transaction (db_transact) with its audit entries, except
 * misuse_open_incident, which runs inside the caller's. Results are copied into caller-owned
 * structs; strings of evidence come from the caller's arena. Thread-safe as far as each thread
 * uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_MISUSE_H
#define FRONTDESK_SERVICE_MISUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "store/misuse.h"
#include "store/organizations.h"

/* Who acts: the signed-in caller, and their address for the audit log (NULL off HTTP). */
struct misuse_actor {
    struct access_subject subject;
    const char *ip;
};

/* ---- contract for other modules ------------------------------------------------------------ */

/* Inside the caller's transaction: open an incident on org_id (an existing organization, else
 * ERR_INVALID naming "misuse_incident.organization_id": a ticket without an account cannot open
 * one, so check organization_id first; ticket_id 0: none, otherwise a ticket of org_id) by actor_id
 * (0: the system) with summary (1..MISUSE_SUMMARY_MAX characters after trimming, else ERR_INVALID
 * naming "misuse_incident.summary"), created at now. *id receives its id. No permission check: the
 * caller (service/tickets.c for misuse_report and fraud_assistance tickets) has decided. Audited
 * "misuse.incident_opened". */
int misuse_open_incident(struct db *db, int64_t org_id, int64_t ticket_id, int64_t actor_id,
                         const char *summary, int64_t now, int64_t *id, struct err *e);

/* The refusal notice put on every ticket closed by a refusal of service and mailed to its
 * requester (clause 12): static text, valid for the program's life. */
const char *misuse_refusal_notice_text(void);

/* ---- incidents ----------------------------------------------------------------------------- */

/* Staff only. f's zero fields do not filter; up to limit with id > after, by id. */
int misuse_incident_list(struct db *db, const struct misuse_actor *actor,
                         const struct misuse_incidents_filter *f, int64_t after, unsigned limit,
                         struct misuse_incident *out, size_t *n, struct err *e);

/* Staff only; organization_id required (ERR_INVALID naming "misuse_incident.organization_id"
 * when absent or unknown). */
int misuse_incident_create(const struct env *env, struct db *db, const struct misuse_actor *actor,
                           int64_t organization_id, int64_t ticket_id, const char *summary,
                           struct misuse_incident *out, struct err *e);

/* One incident and up to cap pieces of its evidence (oldest first) into ev[0..*n_ev); ev may be
 * NULL with cap 0. Strings from a. Non-staff: ERR_NOT_FOUND. */
int misuse_incident_get(struct db *db, const struct misuse_actor *actor, int64_t id,
                        struct arena *a, struct misuse_incident *out, struct misuse_evidence *ev,
                        size_t cap, size_t *n_ev, struct err *e);

/* Change the status ("open" or "closed", else ERR_INVALID naming "misuse_incident.status")
 * and/or the summary (NULL: unchanged). Staff only; audited "misuse.incident_updated". */
int misuse_incident_update(const struct env *env, struct db *db, const struct misuse_actor *actor,
                           int64_t id, const char *status, const char *summary,
                           struct misuse_incident *out, struct err *e);

/* Add one piece of evidence (in->kind "note", "link" or "attachment", else ERR_INVALID naming
 * "evidence.kind") and fill *out (strings from a). Staff only; audited "misuse.evidence_added". */
int misuse_evidence_add(const struct env *env, struct db *db, const struct misuse_actor *actor,
                        int64_t incident_id, const struct misuse_evidence_input *in,
                        struct arena *a, struct misuse_evidence *out, struct err *e);

/* The bytes of file file_id (0: the first) of attachment evidence evidence_id on incident
 * incident_id into *out (name and bytes from a). Staff only: anyone else gets ERR_NOT_FOUND, as
 * for an incident that does not exist; so does an evidence of another incident, without files,
 * or without that file. Read-only, not audited. */
int misuse_evidence_content(struct db *db, const struct misuse_actor *actor, int64_t incident_id,
                            int64_t evidence_id, int64_t file_id, struct arena *a,
                            struct misuse_evidence_content *out, struct err *e);

/* ---- accounts ------------------------------------------------------------------------------ */

/* Set or clear organization id's high_risk flag; reason required when setting (may be NULL when
 * clearing). Fills *out. Setting it to what it is already is a no-op (not audited). */
int misuse_set_high_risk(const struct env *env, struct db *db, const struct misuse_actor *actor,
                         int64_t org_id, bool high_risk, const char *reason,
                         struct organization *out, struct err *e);

/* Refuse service to organization org_id on the evidence of incident_id (0: not given, which is
 * ERR_INVALID naming "service_refusal.evidence"). Fills *out; *closed (may be NULL) receives
 * how many tickets were closed. */
int misuse_refuse_service(const struct env *env, struct db *db, const struct misuse_actor *actor,
                          int64_t org_id, int64_t incident_id, const char *reason,
                          struct service_refusal *out, size_t *closed, struct err *e);

/* Reverse the account's standing refusal; fills *out with it, reversed. */
int misuse_restore_service(const struct env *env, struct db *db, const struct misuse_actor *actor,
                           int64_t org_id, const char *reason, struct service_refusal *out,
                           struct err *e);

#endif
