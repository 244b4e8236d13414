/* hc_deflections: the help-center suggestions people opened from the request form (issue 7,
 * "Submit a request"; table hc_deflections of migration 0028). A row is one suggestion opened;
 * submitted = 1 when the person submitted the request afterwards, so a deflection is a row that
 * stayed 0. Runs on the caller's connection and transaction; thread-safe as far as the
 * connection is.
 */
#ifndef FRONTDESK_STORE_HC_DEFLECTIONS_H
#define FRONTDESK_STORE_HC_DEFLECTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

struct hc_deflection {
    int64_t id, article_id, created_at;
    int submitted; /* 0 or 1 */
};

/* One article's line of the report: title from the caller's arena. */
struct hc_deflection_line {
    int64_t article_id;
    const char *title;
    int64_t opened, deflected;
};

/* Record article_id opened after query at now, if article_id is a PUBLISHED article, with
 * token_hash (the keyed hash of the creator's secret); *out gets the row. ERR_NOT_FOUND when
 * there is no such published article. */
int hc_deflections_store_insert(struct db *db, int64_t article_id, const char *query,
                                const char *token_hash, int64_t now, struct hc_deflection *out,
                                struct err *e);

/* Set submitted = 1 on row id if its token_hash is token_hash; *out gets the row. ERR_NOT_FOUND
 * when there is no such row or the hash differs (one answer for both). */
int hc_deflections_store_mark_submitted(struct db *db, int64_t id, const char *token_hash,
                                        struct hc_deflection *out, struct err *e);

/* Clear (set to '') the query of up to max rows created before `before` that still hold one;
 * *cleared gets how many. */
int hc_deflections_store_clear_queries(struct db *db, int64_t before, int64_t max, int64_t *cleared,
                                       struct err *e);

/* Per article, rows created in [from, to): opened (rows) and deflected (rows not submitted),
 * most deflected first, then most opened, then article id; up to max lines into out[0..*n). */
int hc_deflections_store_report(struct db *db, int64_t from, int64_t to, size_t max,
                                struct arena *a, struct hc_deflection_line *out, size_t *n,
                                struct err *e);

#endif
