/* hc_rows: the rules are in the header; this file explains the why. */
#include "store/hc_rows.h"

#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

int hc_rows_list(struct db_stmt *st, size_t size, hc_rows_read_fn read, struct arena *a, void **out,
                 size_t *n, struct err *e)
{
    /* Read into a growing heap array first: the arena cannot grow one in place. */
    size_t cap = 16, count = 0;
    char *items = xmalloc(cap * size);
    int rc;
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (count == cap) {
            cap *= 2;
            items = xrealloc(items, cap * size);
        }
        memset(items + count * size, 0, size);
        rc = read(st, a, items + count * size, e);
        if (rc)
            break;
        count++;
    }
    db_stmt_done(st);
    void *copy = rc < 0 ? NULL : arena_alloc(a, count ? count * size : 1);
    if (copy)
        memcpy(copy, items, count * size);
    free(items);
    if (rc < 0)
        return rc;
    if (!copy)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory reading the help center");
    *out = copy;
    *n = count;
    return 0;
}

int hc_rows_fill(struct db_stmt *st, size_t size, hc_rows_read_fn read, struct arena *a, void *out,
                 size_t max, size_t *n, struct err *e)
{
    size_t got = 0;
    int rc = 0;
    while (got < max && (rc = db_step(st, e)) == DB_ROW) {
        char *item = (char *)out + got * size;
        memset(item, 0, size);
        rc = read(st, a, item, e);
        if (rc)
            break;
        got++;
    }
    db_stmt_done(st);
    if (rc < 0)
        return rc;
    *n = got;
    return 0;
}

int hc_rows_one(struct db_stmt *st, hc_rows_read_fn read, struct arena *a, void *out,
                int (*not_found)(const char *what, int64_t id, struct err *e), const char *what,
                int64_t id, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW)
        rc = read(st, a, out, e);
    else if (rc == DB_DONE)
        rc = not_found(what, id, e);
    db_stmt_done(st);
    return rc;
}

int hc_rows_count(struct db_stmt *st, int64_t *out, struct err *e)
{
    int rc = db_step(st, e);
    if (rc == DB_ROW) {
        *out = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "count returned no row");
    }
    db_stmt_done(st);
    return rc;
}
