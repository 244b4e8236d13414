#include "service/tickets_search.h"

#include "core/tags.h"
#include "store/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct search_ctx {
    const struct access_subject *s;
    const struct search_query *q;
    unsigned page, per_page;
    struct arena *a;
    struct tickets_search_page *out;
};

/* '%' around the text, with LIKE's wildcards and the escape character '!' escaped. */
static int like_pattern(struct slice v, struct arena *a, const char **out, struct err *e)
{
    char *p = arena_alloc(a, v.len * 2 + 3);
    if (!p)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    size_t n = 0;
    p[n++] = '%';
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] == '%' || v.ptr[i] == '_' || v.ptr[i] == '!')
            p[n++] = '!';
        p[n++] = v.ptr[i];
    }
    p[n++] = '%';
    p[n] = '\0';
    *out = p;
    return 0;
}

static int search_tag(const struct search_term *t, struct arena *a, const char **out, struct err *e)
{
    struct buf b;
    buf_init(&b, TAGS_MAX_LEN + 1);
    struct err te;
    err_clear(&te);
    int rc = tags_normalize(t->value.ptr, t->value.len, &b, &te);
    char *p = rc ? NULL : arena_strndup(a, buf_cstr(&b), b.len);
    buf_release(&b);
    if (rc)
        return err_set(e, ERR_INVALID, "query", "query at position %zu: %s", t->pos + 1,
                       te.message);
    if (!p)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    *out = p;
    return 0;
}

/* A reference term's id: the searcher, none (0), an id, or a name looked up (-1: no such). */
static int search_ref(struct db *db, const struct search_ctx *c, const struct search_term *t,
                      int64_t *id, struct err *e)
{
    switch (t->ref) {
    case SEARCH_REF_ME:
        *id = c->s->user_id;
        return 0;
    case SEARCH_REF_NONE:
        *id = 0;
        return 0;
    case SEARCH_REF_ID:
        *id = t->id;
        return 0;
    default:
        break;
    }
    char *name = arena_strndup(c->a, t->value.ptr, t->value.len);
    if (!name)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    if (t->field == SEARCH_ORGANIZATION || t->field == SEARCH_GROUP)
        return tickets_search_name_id(db, t->field == SEARCH_GROUP, name, id, e);
    struct user u;
    int rc = users_find_by_email(db, name, &u, NULL, e);
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        *id = -1;
        return 0;
    }
    if (!rc)
        *id = u.id;
    return rc;
}

static int search_conds(struct db *db, const struct search_ctx *c,
                        struct tickets_search_cond *conds, size_t *n, struct err *e)
{
    size_t k = 0;
    for (size_t i = 0; i < c->q->count; i++) {
        const struct search_term *t = &c->q->terms[i];
        if (t->field == SEARCH_TYPE)
            continue;
        struct tickets_search_cond *d = &conds[k++];
        *d =
            (struct tickets_search_cond){.field = t->field, .negated = t->negated, .mask = t->mask};
        int rc = 0;
        if (t->field == SEARCH_TEXT)
            rc = like_pattern(t->value, c->a, &d->text, e);
        else if (t->field == SEARCH_TAGS)
            rc = search_tag(t, c->a, &d->text, e);
        else if (t->field != SEARCH_STATUS && t->field != SEARCH_PRIORITY)
            rc = search_ref(db, c, t, &d->id, e);
        if (rc)
            return rc;
    }
    *n = k;
    return 0;
}

static int search_tx(struct db *db, void *arg, struct err *e)
{
    struct search_ctx *c = arg;
    struct tickets_search_cond conds[SEARCH_TERMS_MAX];
    struct tickets_search s = {.conds = conds, .with_internal = access_can_see_internal(c->s)};
    int rc = search_conds(db, c, conds, &s.count, e);
    if (rc)
        return rc;
    if (!access_is_staff(c->s)) {
        s.restricted = true;
        s.viewer_id = c->s->user_id;
        s.viewer_account = c->s->account_role == ACCESS_ACCOUNT_OWNER ? c->s->organization_id : 0;
    }
    struct ticket *items = arena_alloc(c->a, c->per_page * sizeof *items);
    if (!items)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    size_t n = 0;
    rc = tickets_search_count(db, &s, &c->out->total, e);
    rc = rc ? rc
            : tickets_search_list(db, &s, (int64_t)(c->page - 1) * c->per_page, c->per_page, c->a,
                                  items, &n, e);
    if (rc)
        return rc;
    c->out->items = items;
    c->out->count = n;
    return 0;
}

int tickets_search(struct db *db, const struct access_subject *s, const struct search_query *q,
                   unsigned page, unsigned per_page, struct arena *a,
                   struct tickets_search_page *out, struct err *e)
{
    if (!s->user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to search");
    if (per_page < 1 || per_page > TICKETS_SEARCH_PER_PAGE_MAX)
        return err_set(e, ERR_INVALID, "per_page", "per_page must be 1 to %d",
                       TICKETS_SEARCH_PER_PAGE_MAX);
    if (page < 1 || (uint64_t)(page - 1) * per_page >= TICKETS_SEARCH_RESULTS_MAX)
        return err_set(e, ERR_INVALID, "page",
                       "page must be at least 1, and search shows at most the first %d results",
                       TICKETS_SEARCH_RESULTS_MAX);
    struct search_ctx c = {s, q, page, per_page, a, out};
    return db_transact(db, DB_TX_READ, search_tx, &c, e);
}

