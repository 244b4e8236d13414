/* feature_items (service): the rules are in the header; this file explains the why. */
#include "service/feature_items.h"

#include "base/buf.h"
#include "store/audit.h"
#include "store/outbox.h"
#include "store/tickets.h"

#include <stdlib.h>
#include <string.h>

static const char *const statuses[] = {"under_review", "planned", "shipped", "declined"};

bool feature_items_status_valid(const char *s)
{
    for (size_t i = 0; s && i < sizeof statuses / sizeof statuses[0]; i++)
        if (strcmp(s, statuses[i]) == 0)
            return true;
    return false;
}

static int need_staff(const struct feature_items_actor *actor, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "feature items are internal to staff");
    return 0;
}

static int item_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "feature item %lld not found", (long long)id);
}

static int ticket_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "ticket %lld not found", (long long)id);
}

/* ---- checking input -------------------------------------------------------------------------- */

/* Check text s for field: trimmed of spaces, not empty, at most max_chars characters, no control
 * characters except line breaks and tabs where multiline allows them. The trimmed copy goes to
 * *out from a. */
static int clean_text(const char *s, const char *field, size_t max_chars, bool multiline,
                      struct arena *a, const char **out, struct err *e)
{
    const char *name = strchr(field, '.') + 1;
    struct slice t = slice_trim(slice_from_cstr(s));
    if (t.len == 0 && !multiline)
        return err_set(e, ERR_INVALID, field, "%s must not be empty", name);
    size_t chars = 0;
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.ptr[i];
        bool allowed = multiline && (c == '\n' || c == '\r' || c == '\t');
        if ((c < 0x20 || c == 0x7f) && !allowed)
            return err_set(e, ERR_INVALID, field, "%s must not contain control characters", name);
        chars += (c & 0xC0) != 0x80;
    }
    if (chars > max_chars)
        return err_set(e, ERR_INVALID, field, "%s must be at most %zu characters", name, max_chars);
    char *copy = arena_strndup(a, t.ptr, t.len);
    if (!copy)
        return err_set(e, ERR_LIMIT, field, "%s is too long for this request", name);
    *out = copy;
    return 0;
}

/* Check in into *clean (members NULL where not given); with create the title is required. */
static int check_input(const struct feature_items_input *in, bool create, struct arena *a,
                       struct feature_items_input *clean, struct err *e)
{
    *clean = (struct feature_items_input){0};
    int rc = 0;
    if (in->title)
        rc = clean_text(in->title, "feature_item.title", FEATURE_ITEMS_TITLE_MAX, false, a,
                        &clean->title, e);
    else if (create)
        rc = err_set(e, ERR_INVALID, "feature_item.title", "title is required");
    if (!rc && in->description)
        rc = clean_text(in->description, "feature_item.description", FEATURE_ITEMS_DESCRIPTION_MAX,
                        true, a, &clean->description, e);
    if (!rc && in->status) {
        if (!feature_items_status_valid(in->status))
            return err_set(e, ERR_INVALID, "feature_item.status",
                           "status must be one of under_review, planned, shipped, declined");
        clean->status = in->status;
    }
    return rc;
}

/* ---- audit ----------------------------------------------------------------------------------- */

static int audit(struct db *db, const struct feature_items_actor *actor, int64_t now,
                 const char *action, int64_t item_id, struct buf *detail, struct err *e)
{
    struct audit_entry entry = {.at = now,
                                .actor_id = actor->subject.user_id,
                                .action = action,
                                .target_type = "feature_item",
                                .target_id = item_id,
                                .ip = actor->ip,
                                .detail = buf_cstr(detail)};
    int rc = audit_append(db, &entry, e);
    buf_release(detail);
    return rc;
}

static void json_id_or_null(struct buf *b, int64_t id)
{
    if (id)
        buf_append_int64(b, id);
    else
        buf_append_cstr(b, "null");
}

/* ---- reading --------------------------------------------------------------------------------- */

int feature_items_get(struct db *db, const struct feature_items_actor *actor, int64_t id,
                      struct arena *a, struct feature_item *out, struct err *e)
{
    int rc = need_staff(actor, e);
    if (!rc)
        rc = feature_items_store_get(db, id, a, out, e);
    return rc == ERR_NOT_FOUND ? item_not_found(id, e) : rc;
}

int feature_items_list(struct db *db, const struct feature_items_actor *actor, const char *status,
                       int64_t after_count, int64_t after_id, unsigned limit, struct arena *a,
                       struct feature_item *out, size_t *n, struct err *e)
{
    int rc = need_staff(actor, e);
    if (rc)
        return rc;
    if (status && !feature_items_status_valid(status))
        return err_set(e, ERR_INVALID, "status",
                       "status must be one of under_review, planned, shipped, declined");
    return feature_items_store_list(db, status, after_count, after_id, limit, a, out, n, e);
}

int feature_items_tickets(struct db *db, const struct feature_items_actor *actor, int64_t id,
                          int64_t after, unsigned limit, struct arena *a,
                          struct feature_item_ticket *out, size_t *n, struct err *e)
{
    int rc = need_staff(actor, e);
    struct feature_item f;
    if (!rc)
        rc = feature_items_store_get(db, id, a, &f, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? item_not_found(id, e) : rc;
    return feature_items_store_tickets(db, id, after, limit, a, out, n, e);
}

/* Read ticket_id as the actor may see it; ERR_NOT_FOUND otherwise. */
static int visible_ticket(struct db *db, const struct feature_items_actor *actor, int64_t ticket_id,
                          struct arena *a, struct err *e)
{
    struct ticket t;
    int rc = tickets_get(db, ticket_id, access_can_see_internal(&actor->subject), a, &t, e);
    if (rc == ERR_NOT_FOUND ||
        (!rc && !access_can_view_ticket(&actor->subject, t.requester_id, t.organization_id)))
        return ticket_not_found(ticket_id, e);
    return rc;
}

struct of_ticket_ctx {
    const struct feature_items_actor *actor;
    int64_t ticket_id;
    struct arena *a;
    struct feature_item *out;
    bool linked;
};

static int of_ticket_tx(struct db *db, void *arg, struct err *e)
{
    struct of_ticket_ctx *c = arg;
    int64_t item_id = 0;
    int rc = visible_ticket(db, c->actor, c->ticket_id, c->a, e);
    rc = rc ? rc : feature_items_store_link_of(db, c->ticket_id, &item_id, e);
    if (rc || !item_id)
        return rc;
    c->linked = true;
    return feature_items_store_get(db, item_id, c->a, c->out, e);
}

int feature_items_of_ticket(struct db *db, const struct feature_items_actor *actor,
                            int64_t ticket_id, struct arena *a, struct feature_item *out,
                            bool *linked, struct err *e)
{
    int rc = need_staff(actor, e);
    if (rc)
        return rc;
    struct feature_item f;
    struct of_ticket_ctx c = {actor, ticket_id, a, &f, false};
    rc = db_transact(db, DB_TX_READ, of_ticket_tx, &c, e);
    if (rc)
        return rc;
    if (c.linked)
        *out = f;
    *linked = c.linked;
    return 0;
}

/* ---- writing --------------------------------------------------------------------------------- */

/* The mail one requester gets when an item ships: polite (clause 1.2), naming the feature and
 * the ticket they asked in. */
static int notify_one(struct db *db, const struct feature_item *f,
                      const struct feature_item_requester *r, int64_t now, struct err *e)
{
    struct buf subject, body;
    buf_init(&subject, 0);
    buf_init(&body, 0);
    buf_appendf(&subject, "Now available: %s", f->title);
    if (*r->name)
        buf_appendf(&body, "Hello %s,\n\n", r->name);
    else
        buf_append_cstr(&body, "Hello,\n\n");
    buf_appendf(&body,
                "Thank you for taking the time to tell us what you needed. You asked us about "
                "\"%s\" (ticket #%lld), and we are glad to let you know that it is now "
                "available.\n\n"
                "Thank you for helping us improve. If you have any question about it, simply "
                "reply to this message and we will be happy to help.\n\n"
                "Kind regards,\nThe support team\n",
                f->title, (long long)r->ticket_id);
    struct outbox_new m = {.kind = "feature_shipped",
                           .to_address = r->email,
                           .subject = buf_cstr(&subject),
                           .body = buf_cstr(&body),
                           .ticket_id = r->ticket_id};
    int rc = outbox_insert(db, &m, now, NULL, e);
    buf_release(&subject);
    buf_release(&body);
    return rc;
}

/* Mail every distinct requester of f's linked tickets; *notified receives how many. */
static int notify_shipped(struct db *db, const struct feature_item *f, int64_t now, struct arena *a,
                          int64_t *notified, struct err *e)
{
    struct feature_item_requester *people = NULL;
    size_t n = 0;
    int rc = feature_items_store_requesters(db, f->id, FEATURE_ITEMS_NOTIFY_MAX, a, &people, &n, e);
    for (size_t i = 0; i < n && !rc; i++)
        rc = notify_one(db, f, &people[i], now, e);
    free(people);
    if (!rc)
        *notified = (int64_t)n;
    return rc;
}

/* Inside the transaction: the item id now has status new_status (its old one was old). Ship it
 * when that is its first shipment, and audit the change. */
static int status_changed(struct db *db, const struct feature_items_actor *actor, int64_t id,
                          const char *old, const char *new_status, int64_t now, struct arena *a,
                          struct err *e)
{
    int64_t notified = 0;
    int rc = 0;
    if (strcmp(new_status, "shipped") == 0) {
        bool first = false;
        rc = feature_items_store_mark_shipped(db, id, now, &first, e);
        struct feature_item f;
        if (!rc && first)
            rc = feature_items_store_get(db, id, a, &f, e);
        if (!rc && first)
            rc = notify_shipped(db, &f, now, a, &notified, e);
    }
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 0);
    buf_append_cstr(&d, "{\"from\":");
    buf_append_json_str(&d, old, strlen(old));
    buf_append_cstr(&d, ",\"to\":");
    buf_append_json_str(&d, new_status, strlen(new_status));
    buf_appendf(&d, ",\"notified\":%lld}", (long long)notified);
    return audit(db, actor, now, "feature_item.status_changed", id, &d, e);
}

/* Inside the transaction: insert the checked item in and audit it. */
static int create_in_tx(struct db *db, const struct feature_items_actor *actor,
                        const struct feature_items_input *in, int64_t now, struct arena *a,
                        struct feature_item *out, struct err *e)
{
    int rc = feature_items_store_insert(db, in->title, in->description ? in->description : "",
                                        in->status ? in->status : "under_review",
                                        actor->subject.user_id, now, a, out, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 0);
    buf_append_cstr(&d, "{\"title\":");
    buf_append_json_str(&d, out->title, strlen(out->title));
    buf_append_cstr(&d, ",\"status\":");
    buf_append_json_str(&d, out->status, strlen(out->status));
    buf_append_char(&d, '}');
    return audit(db, actor, now, "feature_item.created", out->id, &d, e);
}

struct write_ctx {
    const struct env *env;
    const struct feature_items_actor *actor;
    int64_t id;        /* the item; 0: create */
    int64_t ticket_id; /* linking: the ticket */
    const struct feature_items_input *in;
    struct arena *a;
    struct feature_item *out;
};

static int create_tx(struct db *db, void *arg, struct err *e)
{
    struct write_ctx *c = arg;
    return create_in_tx(db, c->actor, c->in, c->env->now(c->env), c->a, c->out, e);
}

int feature_items_create(const struct env *env, struct db *db,
                         const struct feature_items_actor *actor,
                         const struct feature_items_input *in, struct arena *a,
                         struct feature_item *out, struct err *e)
{
    struct feature_items_input clean;
    int rc = need_staff(actor, e);
    rc = rc ? rc : check_input(in, true, a, &clean, e);
    if (rc)
        return rc;
    struct feature_item f;
    struct write_ctx c = {env, actor, 0, 0, &clean, a, &f};
    rc = db_transact(db, DB_TX_WRITE, create_tx, &c, e);
    if (!rc)
        *out = f;
    return rc;
}

static bool same(const char *given, const char *stored)
{
    return !given || strcmp(given, stored) == 0;
}

static int update_tx(struct db *db, void *arg, struct err *e)
{
    struct write_ctx *c = arg;
    const struct feature_items_input *in = c->in;
    int64_t now = c->env->now(c->env);
    struct feature_item old;
    int rc = feature_items_store_lock(db, c->id, e);
    rc = rc ? rc : feature_items_store_get(db, c->id, c->a, &old, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? item_not_found(c->id, e) : rc;
    /* Sending a value unchanged is not a change: nothing is written, nothing audited. */
    bool status_moves = !same(in->status, old.status);
    if (!same(in->title, old.title) || !same(in->description, old.description) || status_moves)
        rc = feature_items_store_update(db, c->id, in->title, in->description, in->status, now, e);
    if (!rc && status_moves)
        rc = status_changed(db, c->actor, c->id, old.status, in->status, now, c->a, e);
    return rc ? rc : feature_items_store_get(db, c->id, c->a, c->out, e);
}

int feature_items_update(const struct env *env, struct db *db,
                         const struct feature_items_actor *actor, int64_t id,
                         const struct feature_items_input *in, struct arena *a,
                         struct feature_item *out, struct err *e)
{
    struct feature_items_input clean;
    struct feature_item f;
    int rc = need_staff(actor, e);
    /* An item that does not exist is "not found" before its fields are judged. */
    rc = rc ? rc : feature_items_store_get(db, id, a, &f, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? item_not_found(id, e) : rc;
    rc = check_input(in, false, a, &clean, e);
    if (rc)
        return rc;
    struct write_ctx c = {env, actor, id, 0, &clean, a, &f};
    rc = db_transact(db, DB_TX_WRITE, update_tx, &c, e);
    if (!rc)
        *out = f;
    return rc;
}

static int link_tx(struct db *db, void *arg, struct err *e)
{
    struct write_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc = visible_ticket(db, c->actor, c->ticket_id, c->a, e);
    if (rc)
        return rc;
    int64_t item_id = c->id;
    if (item_id) {
        rc = feature_items_store_get(db, item_id, c->a, c->out, e);
        if (rc == ERR_NOT_FOUND)
            return err_set(e, ERR_INVALID, "feature_item_id", "feature item %lld does not exist",
                           (long long)item_id);
    } else {
        rc = create_in_tx(db, c->actor, c->in, now, c->a, c->out, e);
        item_id = c->out->id;
    }
    int64_t before = 0;
    rc = rc ? rc : feature_items_store_link_of(db, c->ticket_id, &before, e);
    if (rc || before == item_id) /* linked there already: nothing changes */
        return rc;
    rc = feature_items_store_link(db, c->ticket_id, item_id, c->actor->subject.user_id, now, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 0);
    buf_appendf(&d, "{\"ticket_id\":%lld,\"from\":", (long long)c->ticket_id);
    json_id_or_null(&d, before);
    buf_append_char(&d, '}');
    rc = audit(db, c->actor, now, "feature_item.linked", item_id, &d, e);
    return rc ? rc : feature_items_store_get(db, item_id, c->a, c->out, e);
}

int feature_items_link_ticket(const struct env *env, struct db *db,
                              const struct feature_items_actor *actor, int64_t ticket_id,
                              int64_t item_id, const struct feature_items_input *new_item,
                              struct arena *a, struct feature_item *out, struct err *e)
{
    int rc = need_staff(actor, e);
    if (rc)
        return rc;
    if ((item_id != 0) == (new_item != NULL))
        return err_set(e, ERR_INVALID, "feature_item_id",
                       "give either feature_item_id (an existing item) or feature_item (a new "
                       "one), not %s",
                       item_id ? "both" : "neither");
    struct feature_items_input clean = {0};
    if (new_item && (rc = check_input(new_item, true, a, &clean, e)))
        return rc;
    struct feature_item f;
    struct write_ctx c = {env, actor, item_id, ticket_id, &clean, a, &f};
    rc = db_transact(db, DB_TX_WRITE, link_tx, &c, e);
    if (!rc)
        *out = f;
    return rc;
}

static int unlink_tx(struct db *db, void *arg, struct err *e)
{
    struct write_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int64_t item_id = 0;
    int rc = visible_ticket(db, c->actor, c->ticket_id, c->a, e);
    rc = rc ? rc : feature_items_store_link_of(db, c->ticket_id, &item_id, e);
    rc = rc ? rc : feature_items_store_unlink(db, c->ticket_id, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 0);
    buf_appendf(&d, "{\"ticket_id\":%lld}", (long long)c->ticket_id);
    return audit(db, c->actor, now, "feature_item.unlinked", item_id, &d, e);
}

int feature_items_unlink_ticket(const struct env *env, struct db *db,
                                const struct feature_items_actor *actor, int64_t ticket_id,
                                struct err *e)
{
    int rc = need_staff(actor, e);
    if (rc)
        return rc;
    struct arena a;
    arena_init(&a, 1 << 20);
    struct write_ctx c = {env, actor, 0, ticket_id, NULL, &a, NULL};
    rc = db_transact(db, DB_TX_WRITE, unlink_tx, &c, e);
    arena_release(&a);
    return rc;
}
