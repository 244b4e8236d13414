/* tickets_internal: what the ticket repository's files share (tickets.c, ticket_queues.c).
 * Not for use outside src/store/. */
#ifndef FRONTDESK_STORE_TICKETS_INTERNAL_H
#define FRONTDESK_STORE_TICKETS_INTERNAL_H

#include "store/tickets.h"

/* The column list every ticket SELECT reads, for a `tickets t` in the FROM clause. Its one
 * parameter, the first of the statement, is with_internal (1/0) for the description. */
const char *tickets__columns(struct db *db);
/* Read those columns, from column 0 of st's current row, into *t (strings from a). */
int tickets__read(struct db_stmt *st, struct arena *a, struct ticket *t, struct err *e);

#endif
