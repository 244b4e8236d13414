/* tickets_read: showing and listing tickets and their comments, as each reader may see them. */
#include "service/tickets_internal.h"

#include "service/attachments.h"
#include "store/organizations.h"
#include "store/users.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading --------------------------------------------------------------------------------- */

int tickets_show(struct db *db, const struct access_subject *s, int64_t id, struct arena *a,
                 struct ticket *out, struct err *e)
{
    /* One statement (the ticket with its description and tags) sees one snapshot by itself: no
     * transaction, which on PostgreSQL saves the BEGIN and COMMIT round trips. */
    return tickets__read_visible(db, s, id, a, out, e);
}

struct many_ctx {
    const struct access_subject *s;
    int64_t *ids; /* sorted, distinct */
    size_t count;
    struct arena *a;
    struct ticket *out;
    size_t n;
};

static int many_tx(struct db *db, void *arg, struct err *e)
{
    struct many_ctx *c = arg;
    c->n = 0;
    for (size_t i = 0; i < c->count; i++) {
        int rc = tickets__read_visible(db, c->s, c->ids[i], c->a, &c->out[c->n], e);
        if (rc == ERR_NOT_FOUND)
            continue;
        if (rc)
            return rc;
        c->n++;
    }
    err_clear(e);
    return 0;
}

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

int tickets_show_many(struct db *db, const struct access_subject *s, const int64_t *ids,
                      size_t count, struct arena *a, struct ticket *out, size_t *n, struct err *e)
{
    if (count > TICKETS_SHOW_MANY_MAX)
        return err_set(e, ERR_INVALID, "ids", "ids may name at most %d tickets",
                       TICKETS_SHOW_MANY_MAX);
    int64_t sorted[TICKETS_SHOW_MANY_MAX];
    memcpy(sorted, ids, count * sizeof *ids);
    qsort(sorted, count, sizeof *sorted, cmp_id);
    size_t distinct = 0;
    for (size_t i = 0; i < count; i++)
        if (distinct == 0 || sorted[distinct - 1] != sorted[i])
            sorted[distinct++] = sorted[i];
    struct many_ctx c = {s, sorted, distinct, a, out, 0};
    int rc = db_transact(db, DB_TX_READ, many_tx, &c, e);
    if (!rc)
        *n = c.n;
    return rc;
}

struct list_ctx {
    const struct access_subject *s;
    enum tickets_scope scope;
    int64_t scope_id;
    int64_t after;
    unsigned size;
    struct arena *a;
    struct tickets_page *out;
};

/* Does the list's owner (a user, an organization) exist and may s see it? */
static int scope_filter(struct db *db, const struct list_ctx *c, struct tickets_filter *f,
                        struct err *e)
{
    const struct access_subject *s = c->s;
    int rc = 0;
    if (c->scope == TICKETS_SCOPE_REQUESTED_BY) {
        struct user u;
        rc = users_get(db, c->scope_id, &u, e);
        if (rc == ERR_NOT_FOUND || (!rc && !access_can_view_user(s, u.id, u.organization_id)))
            return err_set(e, ERR_NOT_FOUND, NULL, "user %lld not found", (long long)c->scope_id);
        f->requester_id = c->scope_id;
    } else if (c->scope == TICKETS_SCOPE_ORGANIZATION) {
        struct organization o;
        rc = organizations_get(db, c->scope_id, &o, e);
        if (rc == ERR_NOT_FOUND || (!rc && !access_can_view_organization(s, c->scope_id)))
            return err_set(e, ERR_NOT_FOUND, NULL, "organization %lld not found",
                           (long long)c->scope_id);
        f->organization_id = c->scope_id;
    }
    if (!access_is_staff(s)) {
        f->restricted = true;
        f->viewer_id = s->user_id;
        f->viewer_account = s->account_role == ACCESS_ACCOUNT_OWNER ? s->organization_id : 0;
    }
    return rc;
}

static int list_tx(struct db *db, void *arg, struct err *e)
{
    struct list_ctx *c = arg;
    struct tickets_filter f = {0};
    int rc = scope_filter(db, c, &f, e);
    if (rc)
        return rc;
    /* One row more than the page: its presence is has_more. */
    struct ticket *items = arena_alloc(c->a, (c->size + 1) * sizeof *items);
    if (!items)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    size_t n = 0;
    rc = tickets_list(db, &f, access_can_see_internal(c->s), c->after, c->size + 1, c->a, items, &n,
                      e);
    if (rc)
        return rc;
    c->out->items = items;
    c->out->has_more = n > c->size;
    c->out->count = n > c->size ? c->size : n;
    return 0;
}

int tickets_list_page(struct db *db, const struct access_subject *s, enum tickets_scope scope,
                      int64_t scope_id, int64_t after, unsigned size, struct arena *a,
                      struct tickets_page *out, struct err *e)
{
    if (!s->user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to list tickets");
    struct list_ctx c = {s, scope, scope_id, after, size, a, out};
    return db_transact(db, DB_TX_READ, list_tx, &c, e);
}

struct comments_ctx {
    const struct access_subject *s;
    int64_t ticket_id;
    int64_t after;
    unsigned size;
    struct arena *a;
    struct tickets_comment_page *out;
};

static int comments_tx(struct db *db, void *arg, struct err *e)
{
    struct comments_ctx *c = arg;
    struct ticket t;
    int rc = tickets__read_visible(db, c->s, c->ticket_id, c->a, &t, e);
    if (rc)
        return rc;
    struct ticket_comment *items = arena_alloc(c->a, (c->size + 1) * sizeof *items);
    if (!items)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    size_t n = 0;
    rc = tickets_comments_list(db, c->ticket_id, access_can_see_internal(c->s), c->after,
                               c->size + 1, c->a, items, &n, e);
    if (rc)
        return rc;
    c->out->items = items;
    c->out->has_more = n > c->size;
    c->out->count = n > c->size ? c->size : n;
    c->out->attachments = NULL;
    c->out->attachment_count = 0;
    if (!c->out->count)
        return 0;
    size_t cap = c->out->count * ATTACHMENTS_PER_COMMENT;
    struct attachment *at = arena_alloc(c->a, cap * sizeof *at);
    if (!at)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    c->out->attachments = at;
    return attachments_list_comments(db, c->ticket_id, items[0].id, items[c->out->count - 1].id,
                                     c->a, at, cap, &c->out->attachment_count, e);
}

int tickets_comments_page(struct db *db, const struct access_subject *s, int64_t ticket_id,
                          int64_t after, unsigned size, struct arena *a,
                          struct tickets_comment_page *out, struct err *e)
{
    if (!s->user_id)
        return tickets__not_found(e, ticket_id);
    struct comments_ctx c = {s, ticket_id, after, size, a, out};
    return db_transact(db, DB_TX_READ, comments_tx, &c, e);
}
