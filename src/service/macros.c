/* macros: the macro library's use cases (see macros.h). The pack's macros come from the policy
 * pack compiled into the binary, like the calendar and the SLA targets (policy_pack.c). */
#include "service/macros.h"

#include "base/embed.h"
#include "core/placeholders.h"
#include "service/calendar_cache.h"
#include "service/identity.h"
#include "store/audit.h"
#include "store/tickets.h"
#include "store/users.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

extern const struct embed_table policy_files;

#define PACK_PATH  "rarelogic.json"
#define KEY_PREFIX "scope."

/* ---- the pack ------------------------------------------------------------------------------- */

static int pack_broken(json_t *root, size_t i, const char *why, struct err *e)
{
    json_decref(root);
    return err_set(e, ERR_INTERNAL, NULL, "the policy pack's macros[%zu] is invalid: %s", i, why);
}

/* One pack entry as a row to seed; strings borrowed from the parsed pack. */
static int pack_entry(json_t *root, size_t i, json_t *o, struct macro *m, struct err *e)
{
    const char *key = json_string_value(json_object_get(o, "key"));
    const char *title = json_string_value(json_object_get(o, "title"));
    const char *description = json_string_value(json_object_get(o, "description"));
    const char *body = json_string_value(json_object_get(o, "body"));
    json_t *identity = json_object_get(o, "needs_identity");
    if (!key || strncmp(key, KEY_PREFIX, strlen(KEY_PREFIX)) != 0 || strlen(key) > MACRO_KEY_MAX)
        return pack_broken(root, i, "\"key\" must be a response key \"scope....\"", e);
    if (!title || !*title || !body || !*body || strlen(body) > MACRO_BODY_MAX)
        return pack_broken(root, i, "\"title\" and \"body\" must be non-empty strings", e);
    if (!json_is_boolean(identity))
        return pack_broken(root, i, "\"needs_identity\" must be true or false", e);
    *m = (struct macro){.key = key,
                        .title = title,
                        .description = description ? description : "",
                        .body = body,
                        .active = true,
                        .needs_identity = json_is_true(identity)};
    return 0;
}

/* The pack's "macros" array: *root owns it (json_decref it), *list borrows. */
static int pack_macros(json_t **root, json_t **list, struct err *e)
{
    const struct embed_file *f = embed_find(&policy_files, PACK_PATH, strlen(PACK_PATH));
    if (!f)
        return err_set(e, ERR_INTERNAL, NULL, "the policy pack %s is not in the binary", PACK_PATH);
    json_error_t jerr;
    *root = json_loadb((const char *)f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
    *list = *root ? json_object_get(*root, "macros") : NULL;
    if (!json_is_array(*list)) {
        json_decref(*root);
        return err_set(e, ERR_INTERNAL, NULL, "the policy pack has no valid \"macros\"");
    }
    return 0;
}

int macros_seed(struct db *db, int64_t now, size_t *added, struct err *e)
{
    json_t *root = NULL, *list = NULL;
    int rc = pack_macros(&root, &list, e);
    if (rc)
        return rc;
    size_t count = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        struct macro m;
        rc = pack_entry(root, i, json_array_get(list, i), &m, e);
        if (rc)
            return rc; /* pack_entry released root */
        bool inserted = false;
        rc = macros_store_insert_absent(db, &m, now, &inserted, e);
        if (rc)
            break;
        count += inserted;
    }
    json_decref(root);
    if (!rc && added)
        *added = count;
    return rc;
}

int macros_find_by_key(struct db *db, const char *key, int64_t *id, struct err *e)
{
    if (!key || !*key) {
        *id = 0;
        return 0;
    }
    return macros_store_find_key(db, key, id, e);
}

/* ---- rules ---------------------------------------------------------------------------------- */

static int need_staff(const struct access_subject *s, struct err *e)
{
    if (!access_is_staff(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "macros are for staff");
    return 0;
}

/* Pack macros are the policy's own words: only leads and admins change them. */
static int may_change(const struct access_subject *s, const struct macro *m, struct err *e)
{
    if (m->key && !access_is_lead_or_admin(s))
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "only a support lead or an administrator may change the policy pack's "
                       "macro \"%s\"",
                       m->key);
    return 0;
}

static int macro_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "macro %lld not found", (long long)id);
}

/* Characters of valid UTF-8 (bytes that do not continue a sequence). */
static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

/* A title, trimmed into the arena: 1..MACRO_TITLE_MAX characters on one line. */
static int check_title(const char *v, struct arena *a, const char **out, struct err *e)
{
    struct slice t = slice_trim(slice_from_cstr(v));
    if (!utf8_valid(t.ptr, t.len))
        return err_set(e, ERR_INVALID, "macro.title", "title must be valid UTF-8");
    if (t.len == 0)
        return err_set(e, ERR_INVALID, "macro.title", "title must not be empty");
    if (utf8_chars(t.ptr, t.len) > MACRO_TITLE_MAX)
        return err_set(e, ERR_INVALID, "macro.title", "title must be at most %d characters",
                       MACRO_TITLE_MAX);
    if (memchr(t.ptr, '\n', t.len) || memchr(t.ptr, '\r', t.len))
        return err_set(e, ERR_INVALID, "macro.title", "title must be one line");
    *out = arena_strndup(a, t.ptr, t.len);
    return *out ? 0 : err_set(e, ERR_LIMIT, "macro.title", "title is too large");
}

static int check_input(const struct macros_input *in, bool create, struct arena *a, struct macro *m,
                       struct err *e)
{
    if (create && !in->title)
        return err_set(e, ERR_INVALID, "macro.title", "title is required");
    if (create && !in->body)
        return err_set(e, ERR_INVALID, "macro.actions",
                       "actions must hold one {\"field\": \"comment_value\", \"value\": ...}");
    int rc = in->title ? check_title(in->title, a, &m->title, e) : 0;
    if (rc)
        return rc;
    if (in->description) {
        size_t len = strlen(in->description);
        if (!utf8_valid(in->description, len) ||
            utf8_chars(in->description, len) > MACRO_DESCRIPTION_MAX)
            return err_set(e, ERR_INVALID, "macro.description",
                           "description must be valid UTF-8 of at most %d characters",
                           MACRO_DESCRIPTION_MAX);
        m->description = in->description;
    }
    if (in->body) {
        size_t len = strlen(in->body);
        if (blank(in->body))
            return err_set(e, ERR_INVALID, "macro.actions", "the comment_value must not be empty");
        if (len > MACRO_BODY_MAX)
            return err_set(e, ERR_INVALID, "macro.actions",
                           "the comment_value must be at most %d bytes", MACRO_BODY_MAX);
        if (!utf8_valid(in->body, len))
            return err_set(e, ERR_INVALID, "macro.actions", "the comment_value must be UTF-8");
        m->body = in->body;
    }
    if (in->has_active)
        m->active = in->active;
    if (in->has_needs_identity)
        m->needs_identity = in->needs_identity;
    return 0;
}

/* ---- audit ---------------------------------------------------------------------------------- */

static int audit_macro(struct db *db, const struct access_subject *s, const char *ip, int64_t now,
                       const char *action, int64_t id, const char *detail, struct err *e)
{
    struct audit_entry a = {.at = now,
                            .actor_id = s->user_id,
                            .action = action,
                            .target_type = "macro",
                            .target_id = id,
                            .ip = ip,
                            .detail = detail};
    return audit_append(db, &a, e);
}

/* {"key": key|null, "title": title} into b. */
static int detail_of(const struct macro *m, struct buf *b)
{
    int rc = buf_append_cstr(b, "{\"key\":");
    rc =
        rc ? rc
           : (m->key ? buf_append_json_str(b, m->key, strlen(m->key)) : buf_append_cstr(b, "null"));
    rc = rc ? rc : buf_append_cstr(b, ",\"title\":");
    rc = rc ? rc : buf_append_json_str(b, m->title, strlen(m->title));
    return rc ? rc : buf_append_cstr(b, "}");
}

/* {"key": ..., "fields": ["title", "actions", ...]}: what an update changed. */
static int detail_of_update(const struct macro *m, const struct macros_input *in, struct buf *b)
{
    static const char *const names[] = {"title", "description", "actions", "active",
                                        "needs_identity"};
    bool given[] = {in->title != NULL, in->description != NULL, in->body != NULL, in->has_active,
                    in->has_needs_identity};
    int rc = buf_append_cstr(b, "{\"key\":");
    rc =
        rc ? rc
           : (m->key ? buf_append_json_str(b, m->key, strlen(m->key)) : buf_append_cstr(b, "null"));
    rc = rc ? rc : buf_append_cstr(b, ",\"fields\":[");
    bool first = true;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !rc; i++) {
        if (!given[i])
            continue;
        rc = buf_appendf(b, "%s\"%s\"", first ? "" : ",", names[i]);
        first = false;
    }
    return rc ? rc : buf_append_cstr(b, "]}");
}

/* ---- reads ---------------------------------------------------------------------------------- */

struct read_ctx {
    int64_t id, after;
    unsigned limit;
    struct arena *a;
    struct macro *out;
    size_t *n;
};

static int get_tx(struct db *db, void *arg, struct err *e)
{
    struct read_ctx *c = arg;
    int rc = macros_store_get(db, c->id, c->a, c->out, e);
    return rc == ERR_NOT_FOUND ? macro_not_found(c->id, e) : rc;
}

int macros_get(struct db *db, const struct access_subject *s, int64_t id, struct arena *a,
               struct macro *out, struct err *e)
{
    int rc = need_staff(s, e);
    struct read_ctx c = {.id = id, .a = a, .out = out};
    return rc ? rc : db_transact(db, DB_TX_READ, get_tx, &c, e);
}

static int list_tx(struct db *db, void *arg, struct err *e)
{
    struct read_ctx *c = arg;
    return macros_store_list(db, c->after, c->limit, c->a, c->out, c->n, e);
}

int macros_list(struct db *db, const struct access_subject *s, int64_t after, unsigned limit,
                struct arena *a, struct macro *out, size_t *n, bool *has_more, struct err *e)
{
    int rc = need_staff(s, e);
    if (rc)
        return rc;
    /* One row past the page says whether more follow; out holds limit + 1. */
    size_t got = 0;
    struct read_ctx c = {.after = after, .limit = limit + 1, .a = a, .out = out, .n = &got};
    rc = db_transact(db, DB_TX_READ, list_tx, &c, e);
    if (rc)
        return rc;
    *has_more = got > limit;
    *n = *has_more ? limit : got;
    return 0;
}

/* ---- writes --------------------------------------------------------------------------------- */

struct write_ctx {
    const struct env *env;
    const struct access_subject *s;
    const char *ip;
    int64_t id; /* 0: create */
    const struct macros_input *in;
    bool remove;
    struct arena *a;
    struct macro *out;
};

static int create_tx(struct db *db, void *arg, struct err *e)
{
    struct write_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct macro m = {.description = "", .active = true, .created_by = c->s->user_id};
    int rc = check_input(c->in, true, c->a, &m, e);
    rc = rc ? rc : macros_store_insert(db, &m, now, c->a, c->out, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 0);
    rc = detail_of(c->out, &d);
    rc = rc ? rc : audit_macro(db, c->s, c->ip, now, "macro.created", c->out->id, buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

static int change_tx(struct db *db, void *arg, struct err *e)
{
    struct write_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct macro m;
    int rc = macros_store_get(db, c->id, c->a, &m, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? macro_not_found(c->id, e) : rc;
    rc = may_change(c->s, &m, e);
    if (!rc && !c->remove)
        rc = check_input(c->in, false, c->a, &m, e);
    if (!rc)
        rc = c->remove ? macros_store_delete(db, c->id, e)
                       : macros_store_update(db, &m, now, c->a, c->out, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 0);
    rc = c->remove ? detail_of(&m, &d) : detail_of_update(&m, c->in, &d);
    rc = rc ? rc
            : audit_macro(db, c->s, c->ip, now, c->remove ? "macro.deleted" : "macro.updated",
                          c->id, buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

int macros_create(const struct env *env, struct db *db, const struct access_subject *s,
                  const char *ip, const struct macros_input *in, struct arena *a, struct macro *out,
                  struct err *e)
{
    int rc = need_staff(s, e);
    struct write_ctx c = {env, s, ip, 0, in, false, a, out};
    return rc ? rc : db_transact(db, DB_TX_WRITE, create_tx, &c, e);
}

int macros_update(const struct env *env, struct db *db, const struct access_subject *s,
                  const char *ip, int64_t id, const struct macros_input *in, struct arena *a,
                  struct macro *out, struct err *e)
{
    int rc = need_staff(s, e);
    struct write_ctx c = {env, s, ip, id, in, false, a, out};
    return rc ? rc : db_transact(db, DB_TX_WRITE, change_tx, &c, e);
}

int macros_delete(const struct env *env, struct db *db, const struct access_subject *s,
                  const char *ip, int64_t id, struct err *e)
{
    int rc = need_staff(s, e);
    struct arena a;
    arena_init(&a, 4 * MACRO_BODY_MAX);
    struct write_ctx c = {env, s, ip, id, NULL, true, &a, NULL};
    rc = rc ? rc : db_transact(db, DB_TX_WRITE, change_tx, &c, e);
    arena_release(&a);
    return rc;
}

/* ---- apply ---------------------------------------------------------------------------------- */

enum value_index {
    V_TICKET_ID,
    V_TICKET_TITLE,
    V_REQUESTER_NAME,
    V_REQUESTER_FIRST,
    V_CURRENT_USER,
    V_HOURS,
    V_NEXT_OPEN,
    V_CONTACT_DELETION,
    V_COUNT,
};

static const char *const value_names[V_COUNT] = {
    [V_TICKET_ID] = "ticket.id",
    [V_TICKET_TITLE] = "ticket.title",
    [V_REQUESTER_NAME] = "ticket.requester.name",
    [V_REQUESTER_FIRST] = "ticket.requester.first_name",
    [V_CURRENT_USER] = "current_user.name",
    [V_HOURS] = "support.hours",
    [V_NEXT_OPEN] = "support.next_open",
    [V_CONTACT_DELETION] = "help_center.contact_deletion_url",
};

struct apply_ctx {
    const struct env *env;
    const struct access_subject *s;
    const char *public_url;
    int64_t ticket_id, macro_id;
    struct arena *a;
    char **body;
};

/* A value built in b, copied into the arena (NULL at its limit: the placeholder stays). */
static const char *keep(struct arena *a, struct buf *b)
{
    const char *v = arena_strndup(a, buf_cstr(b), b->len);
    buf_clear(b);
    return v;
}

/* The calendar's two values; a calendar never open leaves next_open unknown (as written). */
static int calendar_values(struct apply_ctx *c, struct db *db, struct placeholders_value *v,
                           struct err *e)
{
    const struct calendar *cal;
    struct calendar_ref *ref;
    int rc = calendar_cache_acquire(c->env, db, &cal, &ref, e);
    if (rc)
        return rc;
    struct buf b;
    buf_init(&b, 1024);
    int64_t open;
    if (!placeholders_support_hours(cal_spec_of(cal), &b))
        v[V_HOURS].value = keep(c->a, &b);
    if (!cal_next_open(cal, c->env->now(c->env), &open) && !placeholders_local_time(cal, open, &b))
        v[V_NEXT_OPEN].value = keep(c->a, &b);
    buf_release(&b);
    calendar_cache_release(ref);
    return 0;
}

static int person_values(struct apply_ctx *c, struct db *db, const struct ticket *t,
                         struct placeholders_value *v, struct err *e)
{
    struct user u;
    int rc = users_get(db, t->requester_id, &u, e);
    if (rc)
        return rc;
    struct slice first = placeholders_first_name(u.name, strlen(u.name));
    v[V_REQUESTER_NAME].value = arena_strndup(c->a, u.name, strlen(u.name));
    v[V_REQUESTER_FIRST].value = arena_strndup(c->a, first.ptr, first.len);
    rc = users_get(db, c->s->user_id, &u, e);
    if (rc)
        return rc;
    v[V_CURRENT_USER].value = arena_strndup(c->a, u.name, strlen(u.name));
    return 0;
}

static int apply_tx(struct db *db, void *arg, struct err *e)
{
    struct apply_ctx *c = arg;
    struct ticket t;
    int rc = tickets_get(db, c->ticket_id, true, c->a, &t, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? err_set(e, ERR_NOT_FOUND, NULL, "ticket %lld not found",
                                             (long long)c->ticket_id)
                                   : rc;
    struct macro m;
    rc = macros_store_get(db, c->macro_id, c->a, &m, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? macro_not_found(c->macro_id, e) : rc;
    if (m.needs_identity) {
        bool verified = false;
        int64_t until = 0;
        rc = identity_ticket_verified(db, c->ticket_id, c->env->now(c->env), &verified, &until, e);
        if (rc)
            return rc;
        if (!verified) /* clause 1.5: billing macros wait for the requester's verification */
            return err_reason(e, err_set(e, ERR_FORBIDDEN, NULL,
                           "verify the requester's identity before applying this billing macro"), "identity_unverified");
    }
    struct placeholders_value v[V_COUNT];
    for (int i = 0; i < V_COUNT; i++)
        v[i] = (struct placeholders_value){value_names[i], NULL};
    char id[24], url[512];
    snprintf(id, sizeof id, "%lld", (long long)t.id);
    snprintf(url, sizeof url, "%s%s", c->public_url ? c->public_url : "",
             MACROS_CONTACT_DELETION_PATH);
    v[V_TICKET_ID].value = id;
    v[V_TICKET_TITLE].value = t.subject;
    v[V_CONTACT_DELETION].value = url;
    rc = person_values(c, db, &t, v, e);
    rc = rc ? rc : calendar_values(c, db, v, e);
    if (rc)
        return rc;
    struct buf out;
    buf_init(&out, 0);
    rc = placeholders_render_table(m.body, strlen(m.body), v, V_COUNT, MACRO_BODY_MAX, &out, e);
    if (!rc) {
        *c->body = arena_strndup(c->a, buf_cstr(&out), out.len);
        if (!*c->body)
            rc = err_set(e, ERR_LIMIT, NULL, "the rendered macro is too large");
    }
    buf_release(&out);
    return rc;
}

int macros_apply(const struct env *env, struct db *db, const struct access_subject *s,
                 const char *public_url, int64_t ticket_id, int64_t macro_id, struct arena *a,
                 char **body, struct err *e)
{
    int rc = need_staff(s, e);
    struct apply_ctx c = {env, s, public_url, ticket_id, macro_id, a, body};
    return rc ? rc : db_transact(db, DB_TX_READ, apply_tx, &c, e);
}
