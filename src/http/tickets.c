/* Tickets and their conversation over the JSON API, in Zendesk's Support API v2 shapes:
 * GET/POST /api/v2/tickets, GET/PUT /api/v2/tickets/{id}, GET /api/v2/tickets/show_many,
 * GET /api/v2/tickets/{id}/comments, GET /api/v2/users/{id}/tickets/requested and
 * GET /api/v2/organizations/{id}/tickets, and POST /api/v2/imports/tickets (Zendesk's ticket
 * import, admins only). tickets_render() is shared with search.c. Handlers only check the
 * JSON's shape (types, with 422 naming the field) and render; service/tickets.h decides
 * everything else.
 */
#include "http/handlers.h"

#include "db/db.h"
#include "http/auth.h"
#include "http/paging.h"
#include "http/render.h"
#include "base/timefmt.h"
#include "service/ticket_sla.h"
#include "service/tickets.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* ---- rendering ------------------------------------------------------------------------------- */

/* Stored text came in as valid UTF-8, but what later channels (mail) store must never make a
 * response fail: buf_append_json_str turns invalid bytes into U+FFFD. */
static void text_into(struct buf *b, const char *key, const char *s)
{
    buf_appendf(b, ",\"%s\":", key);
    buf_append_json_str(b, s, strlen(s));
}

static void id_into(struct buf *b, const char *key, int64_t id)
{
    if (id)
        buf_appendf(b, ",\"%s\":%lld", key, (long long)id);
    else
        buf_appendf(b, ",\"%s\":null", key);
}

/* Written as text, not built as jansson objects: a page of 100 tickets spent most of its CPU
 * creating, dumping and freeing objects. The keys and their order are the API's (docs/openapi.json
 * and the tests pin them). */
static const char *fact_json(enum priority_fact f)
{
    return f == PRIORITY_FACT_YES ? "true" : f == PRIORITY_FACT_NO ? "false" : "null";
}

int tickets_render_text(struct buf *b, const struct ticket *t, int64_t now, bool staff)
{
    size_t start = b->len;
    buf_appendf(b, "{\"id\":%lld,\"url\":\"/api/v2/tickets/%lld.json\"", (long long)t->id,
                (long long)t->id);
    text_into(b, "subject", t->subject);
    text_into(b, "description", t->description);
    text_into(b, "status", t->status);
    text_into(b, "priority", t->priority);
    buf_appendf(b, ",\"requester_id\":%lld,\"submitter_id\":%lld", (long long)t->requester_id,
                (long long)t->submitter_id);
    id_into(b, "assignee_id", t->assignee_id);
    id_into(b, "organization_id", t->organization_id);
    id_into(b, "group_id", t->group_id);
    buf_append_cstr(b, ",\"tags\":[");
    for (const char *p = t->tags, *sep = ""; *p; sep = ",") {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        buf_append_cstr(b, sep);
        buf_append_json_str(b, p, len);
        p += len + (sp != NULL);
    }
    buf_append_cstr(b, "],\"via\":{\"channel\":");
    buf_append_json_str(b, t->channel, strlen(t->channel));
    buf_append_char(b, '}');
    buf_append_char(b, ',');
    render_time_member(b, "created_at", t->created_at, 0);
    buf_append_char(b, ',');
    render_time_member(b, "updated_at", t->updated_at, 0);
    if (t->category)
        text_into(b, "category", t->category);
    else
        buf_append_cstr(b, ",\"category\":null");
    id_into(b, "follow_up_of", t->follow_up_of);
    /* The support policy (issue 5): the triage facts, and for staff the recorded decision
     * (service/ticket_policy.c writes it as JSON object text). */
    buf_appendf(b,
                ",\"triage\":{\"service_down\":%s,\"data_lost\":%s,\"feature_down\":%s,"
                "\"workaround\":%s},\"priority_set_by_hand\":%s",
                fact_json(t->triage.service_down), fact_json(t->triage.data_lost),
                fact_json(t->triage.feature_down), fact_json(t->triage.workaround),
                t->priority_set_by_hand ? "true" : "false");
    if (staff) {
        buf_append_cstr(b, ",\"policy\":");
        buf_append_cstr(b, t->policy ? t->policy : "null");
    }
    /* frontdesk's own: the SLA summary, its state as of now (service/ticket_sla.h). */
    const char *state = ticket_sla_state_now(t, now);
    buf_append_cstr(b, ",\"sla\":{\"state\":");
    if (*state)
        buf_appendf(b, "\"%s\"", state);
    else
        buf_append_cstr(b, "null");
    buf_append_char(b, ',');
    render_time_member(b, "warn_at", t->sla_warn_at, 1);
    buf_append_char(b, ',');
    render_time_member(b, "due_at", t->sla_due_at, 1);
    buf_append_char(b, '}');
    int rc = buf_append_char(b, '}');
    if (rc) { /* the buffer's cap: leave it as it was */
        b->len = start;
        if (b->ptr)
            b->ptr[start] = '\0';
    }
    return rc;
}

json_t *tickets_render(const struct ticket *t, int64_t now, bool staff)
{
    struct buf b;
    buf_init(&b, 0);
    tickets_render_text(&b, t, now, staff);
    json_t *o = json_loadb(b.ptr, b.len, 0, NULL);
    buf_release(&b);
    return o ? o : json_object();
}

void tickets_reply_list(struct http_req *req, const struct ticket *items, size_t n, json_t *rest,
                        bool staff)
{
    int64_t now = req->env->now(req->env);
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "{\"tickets\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_append_char(&b, ',');
        tickets_render_text(&b, &items[i], now, staff);
    }
    buf_append_char(&b, ']');
    http_reply_json_list(req, &b, rest);
}

/* A JSON string of stored text, invalid UTF-8 bytes as U+FFFD (see text_into). */
static json_t *text_json(const char *s)
{
    size_t len = strlen(s);
    if (utf8_valid(s, len))
        return json_stringn(s, len);
    struct buf b;
    buf_init(&b, 0);
    while (len) {
        size_t ok = utf8_valid_prefix(s, len);
        buf_append(&b, s, ok);
        if (ok < len) {
            buf_append(&b, "\xEF\xBF\xBD", 3);
            ok++;
        }
        s += ok;
        len -= ok;
    }
    json_t *v = json_stringn(b.ptr ? b.ptr : "", b.len);
    buf_release(&b);
    return v;
}

static json_t *comment_json(const struct ticket_comment *c, const struct attachment *at,
                            size_t at_count)
{
    /* html_body arrives with the help center's Markdown rendering (cmark); until then the
     * comment has only its source. */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)c->id));
    json_object_set_new(o, "type", json_string("Comment"));
    json_object_set_new(o, "author_id", json_integer((json_int_t)c->author_id));
    json_object_set_new(o, "body", text_json(c->body));
    json_object_set_new(o, "public", json_boolean(c->public));
    json_object_set_new(o, "created_at", render_time(c->created_at, 0));
    json_object_set_new(o, "via", json_pack("{s:s}", "channel", c->channel));
    json_t *list = json_array();
    for (size_t i = 0; i < at_count; i++)
        if (at[i].comment_id == c->id)
            json_array_append_new(list, attachments_render(&at[i]));
    json_object_set_new(o, "attachments", list);
    return o;
}

static void reply_ticket(struct http_req *req, int status, const struct ticket *t, bool staff)
{
    if (status == 201) {
        char loc[64];
        snprintf(loc, sizeof loc, "/api/v2/tickets/%lld.json", (long long)t->id);
        http_add_header(req, "Location", loc);
    }
    /* Written as text like the lists: parsing the ticket back to dump it again cost a third of
     * a read's CPU once the policy's decision came along. */
    struct buf b;
    buf_init(&b, 0);
    buf_append_cstr(&b, "{\"ticket\":");
    tickets_render_text(&b, t, req->env->now(req->env), staff);
    buf_append_char(&b, '}');
    http_reply_json_text(req, status, &b);
}

/* ---- input ----------------------------------------------------------------------------------- */

/* An id in a path segment: a canonical decimal 1..INT64_MAX. Anything else names no object. */
static int path_id(struct http_req *req, const char *param, int64_t *out)
{
    struct slice v = http_req_param(req, param);
    int64_t id = 0;
    bool ok = v.len >= 1 && v.len <= 19 && v.ptr[0] != '0';
    for (size_t i = 0; ok && i < v.len; i++) {
        ok = v.ptr[i] >= '0' && v.ptr[i] <= '9' && id <= (INT64_MAX - (v.ptr[i] - '0')) / 10;
        id = ok ? id * 10 + (v.ptr[i] - '0') : 0;
    }
    if (!ok) {
        http_reply_error(req, 404, NULL, "nothing at %s", req->path);
        return -1;
    }
    *out = id;
    return 0;
}

/* The members of the body, checked for type; each failure is 422 naming the field. */
struct reader {
    struct http_req *req;
    bool failed;
};

static void bad(struct reader *r, const char *field, const char *what)
{
    if (!r->failed)
        http_reply_error(r->req, 422, field, "%s must be %s", field, what);
    r->failed = true;
}

/* A string member; NULL when absent or null. */
static const char *opt_string(struct reader *r, json_t *obj, const char *key, const char *field)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        bad(r, field, "a string");
        return NULL;
    }
    return json_string_value(v);
}

/* An object member; NULL when absent or null. */
static json_t *opt_object(struct reader *r, json_t *obj, const char *key, const char *field)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_object(v)) {
        bad(r, field, "an object");
        return NULL;
    }
    return v;
}

/* An id member: absent (not given), null (given, 0) or a positive integer. */
static struct tickets_ref opt_ref(struct reader *r, json_t *obj, const char *key, const char *field)
{
    json_t *v = json_object_get(obj, key);
    struct tickets_ref ref = {v != NULL, 0};
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            bad(r, field, "a positive integer id or null");
        else
            ref.id = (int64_t)json_integer_value(v);
    }
    return ref;
}

static struct tickets_tags opt_tags(struct reader *r, json_t *obj)
{
    struct tickets_tags t = {false, NULL, 0};
    json_t *v = json_object_get(obj, "tags");
    if (!v || json_is_null(v))
        return t;
    if (!json_is_array(v)) {
        bad(r, "ticket.tags", "an array of strings");
        return t;
    }
    t.given = true;
    t.count = json_array_size(v);
    struct slice *items = arena_alloc(&r->req->arena, (t.count + 1) * sizeof *items);
    if (!items) {
        bad(r, "ticket.tags", "a shorter array");
        return t;
    }
    for (size_t i = 0; i < t.count; i++) {
        json_t *s = json_array_get(v, i);
        if (!json_is_string(s)) {
            bad(r, "ticket.tags", "an array of strings");
            return t;
        }
        items[i] = (struct slice){json_string_value(s), json_string_length(s)};
    }
    t.items = items;
    return t;
}

/* comment.uploads: an array of upload tokens (strings); the service checks what they name. */
static void opt_uploads(struct reader *r, json_t *comment, struct tickets_comment *c)
{
    json_t *v = json_object_get(comment, "uploads");
    if (!v || json_is_null(v))
        return;
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    const char **items = arena_alloc(&r->req->arena, (n + 1) * sizeof *items);
    if (!json_is_array(v) || !items) {
        bad(r, "ticket.comment.uploads", "an array of upload tokens");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        items[i] = json_string_value(json_array_get(v, i));
        if (!items[i]) {
            bad(r, "ticket.comment.uploads", "an array of upload tokens");
            return;
        }
    }
    c->uploads = items;
    c->upload_count = n;
}

static struct tickets_comment opt_comment(struct reader *r, json_t *ticket)
{
    struct tickets_comment c = {NULL, -1, 0, NULL, 0};
    json_t *o = opt_object(r, ticket, "comment", "ticket.comment");
    if (!o)
        return c;
    c.body = opt_string(r, o, "body", "ticket.comment.body");
    json_t *pub = json_object_get(o, "public");
    if (pub && !json_is_null(pub)) {
        if (!json_is_boolean(pub))
            bad(r, "ticket.comment.public", "true or false");
        else
            c.is_public = json_is_true(pub);
    }
    c.author_id = opt_ref(r, o, "author_id", "ticket.comment.author_id").id;
    opt_uploads(r, o, &c);
    return c;
}

/* A string-or-null member: absent (not given), null (given, NULL) or a string. */
static struct tickets_text opt_text(struct reader *r, json_t *obj, const char *key,
                                    const char *field)
{
    json_t *v = json_object_get(obj, key);
    struct tickets_text t = {v != NULL, NULL};
    if (v && !json_is_null(v)) {
        if (!json_is_string(v))
            bad(r, field, "a string or null");
        else
            t.value = json_string_value(v);
    }
    return t;
}

/* The support policy's members: category, triage {facts: true, false or null}, scope_override
 * and policy_justification. */
static struct tickets_policy_in opt_policy(struct reader *r, json_t *t)
{
    static const struct {
        const char *key, *field;
        unsigned bit;
        size_t offset;
    } facts[] = {
        {"service_down", "ticket.triage.service_down", TICKETS_TRIAGE_SERVICE_DOWN,
         offsetof(struct priority_facts, service_down)},
        {"data_lost", "ticket.triage.data_lost", TICKETS_TRIAGE_DATA_LOST,
         offsetof(struct priority_facts, data_lost)},
        {"feature_down", "ticket.triage.feature_down", TICKETS_TRIAGE_FEATURE_DOWN,
         offsetof(struct priority_facts, feature_down)},
        {"workaround", "ticket.triage.workaround", TICKETS_TRIAGE_WORKAROUND,
         offsetof(struct priority_facts, workaround)},
    };
    struct tickets_policy_in p = {0};
    p.category = opt_text(r, t, "category", "ticket.category");
    p.scope_override = opt_text(r, t, "scope_override", "ticket.scope_override");
    p.justification = opt_string(r, t, "policy_justification", "ticket.policy_justification");
    json_t *tri = opt_object(r, t, "triage", "ticket.triage");
    if (!tri)
        return p;
    size_t known = 0;
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        json_t *v = json_object_get(tri, facts[i].key);
        if (!v)
            continue;
        known++;
        enum priority_fact *f = (enum priority_fact *)((char *)&p.triage + facts[i].offset);
        if (json_is_null(v))
            *f = PRIORITY_FACT_UNKNOWN;
        else if (json_is_boolean(v))
            *f = json_is_true(v) ? PRIORITY_FACT_YES : PRIORITY_FACT_NO;
        else
            bad(r, facts[i].field, "true, false or null");
        p.triage_given |= facts[i].bit;
    }
    if (known != json_object_size(tri))
        bad(r, "ticket.triage",
            "an object of service_down, data_lost, feature_down and workaround");
    return p;
}

/* The "ticket" object of a body, or NULL with the answer made. */
static json_t *ticket_object(struct http_req *req, json_t *body)
{
    json_t *t = json_is_object(body) ? json_object_get(body, "ticket") : NULL;
    if (!json_is_object(t)) {
        http_reply_error(req, 422, "ticket", "expected an object {\"ticket\": {...}}");
        return NULL;
    }
    return t;
}

static void actor_of(const struct auth_principal *who, struct tickets_actor *a)
{
    a->subject = who->subject;
    /* The portal and console sign in with a session; tokens are integrations. */
    a->channel = who->via == AUTH_VIA_SESSION ? TICKET_CHANNEL_WEB : TICKET_CHANNEL_API;
}

static int conn(struct http_req *req, struct db **db)
{
    struct err e;
    err_clear(&e);
    int rc = db_pool_conn(req->env->db, db, &e);
    if (rc)
        http_reply_err(req, &e);
    return rc;
}

/* ---- handlers -------------------------------------------------------------------------------- */

static void create(struct http_req *req, const struct auth_principal *who)
{
    json_t *body;
    if (http_req_json(req, &body))
        return;
    json_t *t = ticket_object(req, body);
    struct reader r = {req, t == NULL};
    struct tickets_create_req c = {0};
    if (t) {
        c.subject = opt_string(&r, t, "subject", "ticket.subject");
        c.comment = opt_comment(&r, t);
        c.requester = opt_ref(&r, t, "requester_id", "ticket.requester_id");
        json_t *inl = opt_object(&r, t, "requester", "ticket.requester");
        if (inl) {
            c.inline_requester = true;
            c.requester_name = opt_string(&r, inl, "name", "ticket.requester.name");
            c.requester_email = opt_string(&r, inl, "email", "ticket.requester.email");
        }
        c.status = opt_string(&r, t, "status", "ticket.status");
        c.priority = opt_string(&r, t, "priority", "ticket.priority");
        json_t *via = opt_object(&r, t, "via", "ticket.via");
        if (via)
            c.channel = opt_string(&r, via, "channel", "ticket.via.channel");
        c.assignee = opt_ref(&r, t, "assignee_id", "ticket.assignee_id");
        c.group = opt_ref(&r, t, "group_id", "ticket.group_id");
        c.tags = opt_tags(&r, t);
        c.policy = opt_policy(&r, t);
    }
    struct db *db;
    if (!r.failed && !conn(req, &db)) {
        struct tickets_actor actor;
        actor_of(who, &actor);
        struct ticket out;
        struct err e;
        err_clear(&e);
        if (tickets_create(req->env, db, &actor, &c, &req->arena, &out, &e))
            http_reply_err(req, &e);
        else
            reply_ticket(req, 201, &out, access_is_staff(&who->subject));
    }
    json_decref(body);
}

static void list(struct http_req *req, const struct auth_principal *who, enum tickets_scope scope,
                 int64_t scope_id)
{
    struct paging pg;
    struct db *db;
    if (paging_from_req(req, &pg) || conn(req, &db))
        return;
    struct tickets_page page;
    struct err e;
    err_clear(&e);
    if (tickets_list_page(db, &who->subject, scope, scope_id, pg.after, pg.size, &req->arena, &page,
                          &e)) {
        http_reply_err(req, &e);
        return;
    }
    json_t *rest = json_object();
    int64_t last = page.count ? page.items[page.count - 1].id : 0;
    if (paging_add_meta(req, rest, &pg, page.has_more, last)) {
        json_decref(rest);
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    tickets_reply_list(req, page.items, page.count, rest, access_is_staff(&who->subject));
}

void tickets_root(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, &who))
        return;
    if (req->method == HTTP_POST)
        create(req, &who);
    else
        list(req, &who, TICKETS_SCOPE_ALL, 0);
}

static void show(struct http_req *req, const struct auth_principal *who, int64_t id)
{
    struct db *db;
    if (conn(req, &db))
        return;
    struct ticket t;
    struct err e;
    err_clear(&e);
    if (tickets_show(db, &who->subject, id, &req->arena, &t, &e))
        http_reply_err(req, &e);
    else
        reply_ticket(req, 200, &t, access_is_staff(&who->subject));
}

static void update(struct http_req *req, const struct auth_principal *who, int64_t id)
{
    json_t *body;
    if (http_req_json(req, &body))
        return;
    json_t *t = ticket_object(req, body);
    struct reader r = {req, t == NULL};
    struct tickets_update_req u = {0};
    if (t) {
        u.subject = opt_string(&r, t, "subject", "ticket.subject");
        u.status = opt_string(&r, t, "status", "ticket.status");
        u.priority = opt_string(&r, t, "priority", "ticket.priority");
        u.assignee = opt_ref(&r, t, "assignee_id", "ticket.assignee_id");
        u.group = opt_ref(&r, t, "group_id", "ticket.group_id");
        u.tags = opt_tags(&r, t);
        u.comment = opt_comment(&r, t);
        u.policy = opt_policy(&r, t);
    }
    struct db *db;
    if (!r.failed && !conn(req, &db)) {
        struct tickets_actor actor;
        actor_of(who, &actor);
        struct ticket out;
        bool follow_up = false;
        struct err e;
        err_clear(&e);
        if (tickets_update(req->env, db, &actor, id, &u, &req->arena, &out, &follow_up, &e))
            http_reply_err(req, &e);
        else /* a reply to a closed ticket made a new one: Created, with its Location */
            reply_ticket(req, follow_up ? 201 : 200, &out, access_is_staff(&who->subject));
    }
    json_decref(body);
}

void tickets_one(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (auth_require(req, &who) || path_id(req, "id", &id))
        return;
    if (req->method == HTTP_PUT)
        update(req, &who, id);
    else
        show(req, &who, id);
}

/* "1,2,3": at most TICKETS_SHOW_MANY_MAX positive ids. */
void tickets_many_get(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, &who))
        return;
    int64_t ids[TICKETS_SHOW_MANY_MAX];
    size_t count = 0;
    if (http_req_id_list(req, "ids", ids, TICKETS_SHOW_MANY_MAX, &count))
        return;
    struct db *db;
    if (conn(req, &db))
        return;
    struct ticket *out = arena_alloc(&req->arena, count * sizeof *out);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (!out) {
        http_reply_error(req, 500, NULL, "the response could not be produced");
        return;
    }
    if (tickets_show_many(db, &who.subject, ids, count, &req->arena, out, &n, &e)) {
        http_reply_err(req, &e);
        return;
    }
    tickets_reply_list(req, out, n, NULL, access_is_staff(&who.subject));
}

void tickets_comments_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    struct paging pg;
    struct db *db;
    if (auth_require(req, &who) || path_id(req, "id", &id) || paging_from_req(req, &pg) ||
        conn(req, &db))
        return;
    struct tickets_comment_page page;
    struct err e;
    err_clear(&e);
    if (tickets_comments_page(db, &who.subject, id, pg.after, pg.size, &req->arena, &page, &e)) {
        http_reply_err(req, &e);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < page.count; i++)
        json_array_append_new(
            items, comment_json(&page.items[i], page.attachments, page.attachment_count));
    int64_t last = page.count ? page.items[page.count - 1].id : 0;
    paging_reply_list(req, &pg, "comments", items, page.has_more, last);
}

void tickets_requested_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (auth_require(req, &who) || path_id(req, "id", &id))
        return;
    list(req, &who, TICKETS_SCOPE_REQUESTED_BY, id);
}

void tickets_organization_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (auth_require(req, &who) || path_id(req, "id", &id))
        return;
    list(req, &who, TICKETS_SCOPE_ORGANIZATION, id);
}

/* ---- import ---------------------------------------------------------------------------------- */

/* An ISO 8601 instant member ("2024-01-31T09:30:00Z"); absent or null is not given. */
static struct tickets_instant opt_instant(struct reader *r, json_t *obj, const char *key,
                                          const char *field)
{
    struct tickets_instant t = {false, 0};
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return t;
    if (!json_is_string(v) ||
        timefmt_parse_iso8601(json_string_value(v), json_string_length(v), &t.at)) {
        bad(r, field, "an ISO 8601 instant like 2024-01-31T09:30:00Z");
        return t;
    }
    t.given = true;
    return t;
}

static void import_comment(struct reader *r, json_t *o, size_t i, struct tickets_import_comment *m)
{
    char field[64];
    snprintf(field, sizeof field, "ticket.comments[%zu]", i);
    if (!json_is_object(o)) {
        bad(r, field, "an object");
        return;
    }
    snprintf(field, sizeof field, "ticket.comments[%zu].author_id", i);
    m->author_id = opt_ref(r, o, "author_id", field).id;
    m->body_key = json_object_get(o, "value") ? "value" : "body";
    snprintf(field, sizeof field, "ticket.comments[%zu].%s", i, m->body_key);
    m->body = opt_string(r, o, m->body_key, field);
    m->is_public = -1;
    json_t *pub = json_object_get(o, "public");
    snprintf(field, sizeof field, "ticket.comments[%zu].public", i);
    if (pub && !json_is_null(pub)) {
        if (!json_is_boolean(pub))
            bad(r, field, "true or false");
        else
            m->is_public = json_is_true(pub);
    }
    snprintf(field, sizeof field, "ticket.comments[%zu].created_at", i);
    m->created_at = opt_instant(r, o, "created_at", field);
}

static void import_comments(struct reader *r, json_t *t, struct tickets_import_req *q)
{
    json_t *v = json_object_get(t, "comments");
    if (!v || json_is_null(v))
        return;
    if (!json_is_array(v)) {
        bad(r, "ticket.comments", "an array of comments");
        return;
    }
    size_t n = json_array_size(v);
    if (n > TICKETS_IMPORT_COMMENTS_MAX) {
        bad(r, "ticket.comments", "an array of at most 1000 comments");
        return;
    }
    struct tickets_import_comment *items = arena_alloc(&r->req->arena, (n + 1) * sizeof *items);
    if (!items) {
        bad(r, "ticket.comments", "a shorter array");
        return;
    }
    memset(items, 0, (n + 1) * sizeof *items);
    for (size_t i = 0; i < n && !r->failed; i++)
        import_comment(r, json_array_get(v, i), i, &items[i]);
    q->comments = items;
    q->comment_count = n;
}

static void import_request(struct reader *r, json_t *t, struct tickets_import_req *q)
{
    q->subject = opt_string(r, t, "subject", "ticket.subject");
    q->requester_id = opt_ref(r, t, "requester_id", "ticket.requester_id").id;
    q->assignee = opt_ref(r, t, "assignee_id", "ticket.assignee_id");
    q->group = opt_ref(r, t, "group_id", "ticket.group_id");
    q->status = opt_string(r, t, "status", "ticket.status");
    q->priority = opt_string(r, t, "priority", "ticket.priority");
    json_t *via = opt_object(r, t, "via", "ticket.via");
    if (via)
        q->channel = opt_string(r, via, "channel", "ticket.via.channel");
    q->tags = opt_tags(r, t);
    q->created_at = opt_instant(r, t, "created_at", "ticket.created_at");
    q->updated_at = opt_instant(r, t, "updated_at", "ticket.updated_at");
    q->solved_at = opt_instant(r, t, "solved_at", "ticket.solved_at");
    import_comments(r, t, q);
}

void tickets_import_post(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require_admin(req, &who))
        return;
    json_t *body;
    if (http_req_json(req, &body))
        return;
    json_t *t = ticket_object(req, body);
    struct reader r = {req, t == NULL};
    struct tickets_import_req q = {0};
    if (t)
        import_request(&r, t, &q);
    struct db *db;
    if (!r.failed && !conn(req, &db)) {
        struct tickets_actor actor;
        actor_of(&who, &actor);
        struct ticket out;
        struct err e;
        err_clear(&e);
        if (tickets_import(req->env, db, &actor, &q, &req->arena, &out, &e))
            http_reply_err(req, &e);
        else
            reply_ticket(req, 201, &out, access_is_staff(&who.subject));
    }
    json_decref(body);
}
