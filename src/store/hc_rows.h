/* hc_rows: how the help center's store modules (store/hc.c, hc_feedback.c, hc_search.c; issue 7)
 * step their statements: read a list of rows, one row, a count. Each takes a prepared and bound
 * statement and hands it back (db_stmt_done) whatever the outcome. Strings a row reader copies
 * come from the caller's arena. Thread-safe as far as the connection is.
 */
#ifndef FRONTDESK_STORE_HC_ROWS_H
#define FRONTDESK_STORE_HC_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* Fill the item (zeroed, of the list's type) from st's current row: 0 or an error. */
typedef int (*hc_rows_read_fn)(struct db_stmt *st, struct arena *a, void *item, struct err *e);

/* Every row of st, read with read into an array of size-byte items allocated from a (*out; *n
 * items). ERR_LIMIT when a runs out. *out and *n untouched on failure. */
int hc_rows_list(struct db_stmt *st, size_t size, hc_rows_read_fn read, struct arena *a, void **out,
                 size_t *n, struct err *e);

/* At most max rows of st into the caller's array out of size-byte items; *n how many. */
int hc_rows_fill(struct db_stmt *st, size_t size, hc_rows_read_fn read, struct arena *a, void *out,
                 size_t max, size_t *n, struct err *e);

/* The first row of st into out with read; when there is none, what not_found(what, id, e)
 * returns (each module words its own ERR_NOT_FOUND). */
int hc_rows_one(struct db_stmt *st, hc_rows_read_fn read, struct arena *a, void *out,
                int (*not_found)(const char *what, int64_t id, struct err *e), const char *what,
                int64_t id, struct err *e);

/* Column 0 of st's one row (a COUNT(*)) into *out. */
int hc_rows_count(struct db_stmt *st, int64_t *out, struct err *e);

#endif
