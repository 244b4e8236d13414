#include "service/views.h"

#include "core/ticket.h"

#define BIT(s) (1u << (s))
#define UNSOLVED                                                                                   \
    (BIT(TICKET_STATUS_NEW) | BIT(TICKET_STATUS_OPEN) | BIT(TICKET_STATUS_PENDING) |               \
     BIT(TICKET_STATUS_HOLD))

/* Ids are part of the API (clients bookmark them): never renumber, only append. */
static const struct view builtin[] = {
    {1, "Your unsolved tickets", "Unsolved tickets assigned to you.", UNSOLVED,
     TICKET_QUEUE_ASSIGNED_TO},
    {2, "Unassigned tickets", "Unsolved tickets nobody has taken yet.", UNSOLVED,
     TICKET_QUEUE_UNASSIGNED},
    {3, "All unsolved tickets", "Every ticket that is new, open, pending or on hold.", UNSOLVED,
     TICKET_QUEUE_ANYONE},
    {4, "Pending tickets", "Waiting on the requester.", BIT(TICKET_STATUS_PENDING),
     TICKET_QUEUE_ANYONE},
    {5, "Tickets on hold", "Waiting on a third party.", BIT(TICKET_STATUS_HOLD),
     TICKET_QUEUE_ANYONE},
};

size_t views_count(void)
{
    return sizeof builtin / sizeof builtin[0];
}

const struct view *views_at(size_t i)
{
    return i < views_count() ? &builtin[i] : NULL;
}

int views_check_access(const struct access_subject *s, struct err *e)
{
    if (!access_is_staff(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "views are for staff");
    return 0;
}

int views_find(const struct access_subject *s, int64_t id, const struct view **out, struct err *e)
{
    int rc = views_check_access(s, e);
    if (rc)
        return rc;
    for (size_t i = 0; i < views_count(); i++) {
        if (builtin[i].id == id) {
            *out = &builtin[i];
            return 0;
        }
    }
    return err_set(e, ERR_NOT_FOUND, NULL, "view %lld not found", (long long)id);
}

static struct ticket_queue queue_of(const struct access_subject *s, const struct view *v,
                                    enum ticket_queue_order order)
{
    return (struct ticket_queue){
        .statuses = v->statuses,
        .order = order,
        .assignee = v->assignee,
        .assignee_id = v->assignee == TICKET_QUEUE_ASSIGNED_TO ? s->user_id : 0,
    };
}

struct page_ctx {
    const struct access_subject *s;
    const struct view *v;
    enum ticket_queue_order order;
    int64_t after_at, after_id;
    unsigned size;
    struct arena *a;
    struct views_page *out;
};

static int read_page(struct db *db, void *arg, struct err *e)
{
    struct page_ctx *c = arg;
    /* One row more than the page: its presence is has_more. */
    struct ticket *items = arena_alloc(c->a, (c->size + 1) * sizeof *items);
    if (!items)
        return err_set(e, ERR_LIMIT, NULL, "the request ran out of memory");
    struct ticket_queue q = queue_of(c->s, c->v, c->order);
    size_t n = 0;
    int rc = ticket_queue_page(db, &q, access_can_see_internal(c->s), c->after_at, c->after_id,
                               c->size + 1, c->a, items, &n, e);
    if (rc)
        return rc;
    c->out->items = items;
    c->out->has_more = n > c->size;
    c->out->count = n > c->size ? c->size : n;
    c->out->last_key = c->out->count ? ticket_queue_key(&q, &items[c->out->count - 1]) : 0;
    return 0;
}

int views_tickets_page(struct db *db, const struct access_subject *s, const struct view *v,
                       enum ticket_queue_order order, int64_t after_at, int64_t after_id,
                       unsigned size, struct arena *a, struct views_page *out, struct err *e)
{
    int rc = views_check_access(s, e);
    if (rc)
        return rc;
    /* One statement: no transaction needed for a consistent page. */
    struct page_ctx c = {s, v, order, after_at, after_id, size, a, out};
    return read_page(db, &c, e);
}

int views_ticket_count(struct db *db, const struct access_subject *s, const struct view *v,
                       int64_t *count, struct err *e)
{
    int rc = views_check_access(s, e);
    if (rc)
        return rc;
    struct ticket_queue q = queue_of(s, v, TICKET_QUEUE_BY_UPDATE);
    return ticket_queue_count(db, &q, count, e);
}
