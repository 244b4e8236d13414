/* ticket_mail: the mail a ticket sends its requester (issue 6, "Email out"), queued in the
 * outbox in the caller's transaction, so it exists exactly when what caused it committed.
 *
 *  - the acknowledgement (kind "acknowledgement"), when an end-user's request arrives by web,
 *    email or API: the support hours and, from the first-response clock on the support
 *    calendar, "You can expect a first response by Monday, December 29, 10:30 a.m. Eastern";
 *  - a staff public reply (kind "reply"): the reply's text.
 * Both carry the ticket token in the subject ("Re: Invoices page is blank [#123-ab12cd34]",
 * core/ticket_token.h) so the requester's answer threads back into the ticket; mail_out adds
 * In-Reply-To and References from the ticket's earlier mail when it sends them.
 */
#ifndef FRONTDESK_SERVICE_TICKET_MAIL_H
#define FRONTDESK_SERVICE_TICKET_MAIL_H

#include <stdint.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"
#include "core/access.h"
#include "store/outbox.h"
#include "store/tickets.h"

/* Queue the acknowledgement of ticket t (as just created, its SLA summary stored) to its
 * requester. Needs env->secrets. */
int ticket_mail_acknowledge(const struct env *env, struct db *db, const struct ticket *t,
                            int64_t now, struct err *e);

/* Queue staff's public reply body on ticket t to its requester (none when the requester has no
 * address). */
int ticket_mail_reply(const struct env *env, struct db *db, const struct ticket *t,
                      const char *body, int64_t now, struct err *e);

/* Most deliveries GET /api/v2/tickets/{id}/deliveries lists. */
#define TICKET_MAIL_DELIVERIES_MAX 100

/* The newest mail of a ticket the subject may see (ERR_NOT_FOUND otherwise), for staff only
 * (ERR_FORBIDDEN for a requester): staff see whether a reply reached its requester, and why not
 * when it failed. */
int ticket_mail_deliveries(struct db *db, const struct access_subject *s, int64_t ticket_id,
                           struct arena *a, struct outbox_delivery *out, size_t *n, struct err *e);

#endif
