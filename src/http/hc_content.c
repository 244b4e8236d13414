/* Help-center content (issue 7; Zendesk Help Center API v2 shapes; the rules are in
 * service/hc.h):
 *   GET  /api/v2/help_center/categories                  anyone; POST staff -> 201
 *   GET  /api/v2/help_center/categories/{id}             anyone; PUT staff
 *   GET  /api/v2/help_center/categories/{id}/sections    anyone; POST staff -> 201
 *   GET  /api/v2/help_center/sections                    anyone
 *   GET  /api/v2/help_center/sections/{id}               anyone; PUT staff
 *   GET  /api/v2/help_center/sections/{id}/articles      anyone; POST staff -> 201
 *   GET  /api/v2/help_center/categories/{id}/articles    anyone
 *   GET  /api/v2/help_center/articles?label_names=a,b    anyone (published; staff ?draft=true too)
 *   GET, PUT, DELETE /api/v2/help_center/articles/{id}   GET anyone (drafts: staff), PUT staff,
 *                                                        DELETE leads and admins -> 204
 *   GET  .../articles/{id}/revisions, .../revisions/{revision}         staff
 *   POST .../articles/{id}/revisions/{revision}/restore                staff
 *   POST /api/v2/help_center/preview {"markdown"} -> {"html"}          staff
 * Lists are Zendesk's offset pages (?page=&per_page=, per_page 1..100, default 30) with
 * next_page and previous_page URLs that keep the other arguments. Writes take `body` as
 * Markdown (the source of truth); reads answer the stored rendering in `body` and, to staff
 * only, the source in `body_markdown` and the current `revision`. */
#include "http/handlers.h"

#include "base/xalloc.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/hc_paging.h"
#include "http/hc_render.h"
#include "http/render.h"
#include "http/server.h"
#include "service/hc.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rendering ------------------------------------------------------------------------------ */

/* How a list's rows render: req and one row. */
typedef json_t *(*render_fn)(struct http_req *req, const void *row);

static json_t *render_category(struct http_req *req, const void *row)
{
    const struct hc_category *c = row;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "url",
                        hc_render_link(req, "/api/v2/help_center/categories/%lld", c->id));
    json_object_set_new(o, "html_url", hc_render_link(req, "/hc/categories/%lld", c->id));
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "description", json_string(c->description));
    json_object_set_new(o, "position", json_integer(c->position));
    hc_render_locale(o);
    json_object_set_new(o, "created_at", render_time(c->created_at, 0));
    json_object_set_new(o, "updated_at", render_time(c->updated_at, 0));
    return o;
}

static json_t *render_section(struct http_req *req, const void *row)
{
    const struct hc_section *s = row;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "url", hc_render_link(req, "/api/v2/help_center/sections/%lld", s->id));
    json_object_set_new(o, "html_url", hc_render_link(req, "/hc/sections/%lld", s->id));
    json_object_set_new(o, "category_id", json_integer(s->category_id));
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "description", json_string(s->description));
    json_object_set_new(o, "position", json_integer(s->position));
    json_object_set_new(o, "sorting", json_string("manual"));
    hc_render_locale(o);
    json_object_set_new(o, "created_at", render_time(s->created_at, 0));
    json_object_set_new(o, "updated_at", render_time(s->updated_at, 0));
    return o;
}

static json_t *render_revision(struct http_req *req, const void *row)
{
    (void)req;
    const struct hc_revision *r = row;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "article_id", json_integer(r->article_id));
    json_object_set_new(o, "revision", json_integer(r->revision));
    json_object_set_new(o, "title", json_string(r->title));
    json_object_set_new(o, "body_markdown", json_string(r->body));
    json_object_set_new(o, "label_names", hc_render_labels(r->label_names));
    json_object_set_new(o, "author_id", render_id(r->author_id));
    json_object_set_new(o, "created_at", render_time(r->created_at, 0));
    return o;
}

static void reply_one(struct http_req *req, int status, const char *key, json_t *obj)
{
    http_reply_json(req, status, json_pack("{s:o}", key, obj));
}

/* Answer page pg of the n rows (each size bytes) of a list read whole. */
static void reply_rows(struct http_req *req, const struct hc_page *pg, const char *key,
                       const void *rows, size_t size, size_t n, render_fn render)
{
    size_t from, to;
    hc_paging_bounds(pg, n, &from, &to);
    json_t *list = json_array();
    for (size_t i = from; i < to; i++)
        json_array_append_new(list, render(req, (const char *)rows + i * size));
    hc_paging_reply(req, pg, key, list, (int64_t)n);
}

/* ---- request parsing ------------------------------------------------------------------------ */

/* Who calls (anyone) and the connection; nonzero after answering. */
static int reader(struct http_req *req, struct auth_principal *who, struct db **db)
{
    return auth_resolve(req, who) || http_req_db(req, db);
}

static int writer(struct http_req *req, struct auth_principal *who, struct db **db)
{
    return auth_require_staff(req, who) || http_req_db(req, db);
}

/* The object body[key]; nonzero after answering 422 naming key when it is not an object. */
static int wrapped(struct http_req *req, json_t *body, const char *key, json_t **out)
{
    json_t *o = json_is_object(body) ? json_object_get(body, key) : NULL;
    if (!json_is_object(o)) {
        http_reply_error(req, 422, key, "expected a JSON object {\"%s\": {...}}", key);
        return -1;
    }
    *out = o;
    return 0;
}

enum member_type { MEMBER_TEXT, MEMBER_INT, MEMBER_BOOL };

/* The member key of obj into *out: NULL when absent, else null or a value of type t. Nonzero
 * after answering 422 naming kind.key when it is another type. */
static int member(struct http_req *req, json_t *obj, const char *kind, const char *key,
                  enum member_type t, json_t **out)
{
    static const char *const must[] = {"a string", "a whole number", "true or false"};
    json_t *v = json_object_get(obj, key);
    bool ok = !v || json_is_null(v) ||
              (t == MEMBER_TEXT  ? json_is_string(v)
               : t == MEMBER_INT ? json_is_integer(v)
                                 : json_is_boolean(v));
    if (!ok) {
        char field[64];
        snprintf(field, sizeof field, "%s.%s", kind, key);
        http_reply_error(req, 422, field, "%s must be %s", key, must[t]);
        return -1;
    }
    *out = v;
    return 0;
}

/* Text: absent leaves *out not given; null is given without a value (the service says whether
 * that is allowed). Numbers and booleans: absent or null leave *out not given. Nonzero after
 * answering 422. */
static int opt_text(struct http_req *req, json_t *obj, const char *kind, const char *key,
                    struct hc_opt_text *out)
{
    json_t *v;
    if (member(req, obj, kind, key, MEMBER_TEXT, &v))
        return -1;
    if (v)
        *out = (struct hc_opt_text){true, json_is_string(v) ? json_string_value(v) : NULL};
    return 0;
}

static int opt_int(struct http_req *req, json_t *obj, const char *kind, const char *key,
                   struct hc_opt_int *out)
{
    json_t *v;
    if (member(req, obj, kind, key, MEMBER_INT, &v))
        return -1;
    if (v && !json_is_null(v))
        *out = (struct hc_opt_int){true, (int64_t)json_integer_value(v)};
    return 0;
}

static int opt_bool(struct http_req *req, json_t *obj, const char *kind, const char *key,
                    struct hc_opt_bool *out)
{
    json_t *v;
    if (member(req, obj, kind, key, MEMBER_BOOL, &v))
        return -1;
    if (v && !json_is_null(v))
        *out = (struct hc_opt_bool){true, json_is_true(v)};
    return 0;
}

/* label_names: an array of strings (null: none). */
static int opt_labels(struct http_req *req, json_t *obj, struct hc_article_req *r)
{
    json_t *v = json_object_get(obj, "label_names");
    if (!v)
        return 0;
    r->labels_given = true;
    if (json_is_null(v))
        return 0;
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    const char **labels = arena_alloc(&req->arena, (n ? n : 1) * sizeof *labels);
    bool ok = json_is_array(v) && labels;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *item = json_array_get(v, i);
        ok = json_is_string(item);
        if (ok)
            labels[i] = json_string_value(item);
    }
    if (!ok) {
        http_reply_error(req, 422, "article.label_names", "label_names must be a list of strings");
        return -1;
    }
    r->labels = labels;
    r->label_count = n;
    return 0;
}

static int article_req(struct http_req *req, json_t *obj, struct hc_article_req *r)
{
    *r = (struct hc_article_req){0};
    return opt_int(req, obj, "article", "section_id", &r->section_id) ||
           opt_text(req, obj, "article", "title", &r->title) ||
           opt_text(req, obj, "article", "body", &r->body) || opt_labels(req, obj, r) ||
           opt_bool(req, obj, "article", "draft", &r->draft) ||
           opt_int(req, obj, "article", "position", &r->position) ||
           opt_bool(req, obj, "article", "comments_disabled", &r->comments_disabled);
}

static int named_req(struct http_req *req, json_t *obj, const char *kind, struct hc_named_req *r)
{
    *r = (struct hc_named_req){0};
    return opt_text(req, obj, kind, "name", &r->name) ||
           opt_text(req, obj, kind, "description", &r->description) ||
           opt_int(req, obj, kind, "position", &r->position) ||
           (strcmp(kind, "section") == 0 && opt_int(req, obj, kind, "category_id", &r->parent_id));
}

/* ---- categories ----------------------------------------------------------------------------- */

static void categories_list(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    struct hc_page pg;
    if (reader(req, &who, &db) || hc_paging_from_req(req, HC_LIST_MAX, &pg))
        return;
    struct hc_category *rows;
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (hc_categories_list(db, &req->arena, &rows, &n, &e)) {
        http_reply_err(req, &e);
        return;
    }
    reply_rows(req, &pg, "categories", rows, sizeof *rows, n, render_category);
}

/* POST (id 0) or PUT /categories/{id}: {"category": {...}}. */
static void category_write(struct http_req *req, int64_t id)
{
    struct auth_principal who;
    struct db *db;
    json_t *body = NULL, *obj;
    if (writer(req, &who, &db) || http_req_json(req, &body))
        return;
    struct hc_named_req r;
    if (!wrapped(req, body, "category", &obj) && !named_req(req, obj, "category", &r)) {
        struct err e;
        err_clear(&e);
        struct hc_category out;
        int rc = id ? hc_category_update(req->env, db, &who.subject, id, &r, &req->arena, &out, &e)
                    : hc_category_create(req->env, db, &who.subject, &r, &req->arena, &out, &e);
        if (rc)
            http_reply_err(req, &e);
        else
            reply_one(req, id ? 200 : 201, "category", render_category(req, &out));
    }
    json_decref(body);
}

void hc_categories_collection(struct http_req *req)
{
    if (req->method == HTTP_POST)
        category_write(req, 0);
    else
        categories_list(req);
}

void hc_categories_item(struct http_req *req)
{
    int64_t id;
    if (http_req_id(req, "id", &id))
        return;
    if (req->method == HTTP_PUT) {
        category_write(req, id);
        return;
    }
    struct auth_principal who;
    struct db *db;
    if (reader(req, &who, &db))
        return;
    struct err e;
    err_clear(&e);
    struct hc_category c;
    if (hc_category_get(db, id, &req->arena, &c, &e))
        http_reply_err(req, &e);
    else
        reply_one(req, 200, "category", render_category(req, &c));
}

/* ---- sections ------------------------------------------------------------------------------- */

/* GET /sections (category_id 0) or /categories/{id}/sections. */
static void sections_list(struct http_req *req, int64_t category_id)
{
    struct auth_principal who;
    struct db *db;
    struct hc_page pg;
    if (reader(req, &who, &db) || hc_paging_from_req(req, HC_LIST_MAX, &pg))
        return;
    struct err e;
    err_clear(&e);
    struct hc_category c;
    struct hc_section *rows;
    size_t n = 0;
    if ((category_id && hc_category_get(db, category_id, &req->arena, &c, &e)) ||
        hc_sections_list(db, category_id, &req->arena, &rows, &n, &e)) {
        http_reply_err(req, &e);
        return;
    }
    reply_rows(req, &pg, "sections", rows, sizeof *rows, n, render_section);
}

/* POST /categories/{category_id}/sections (id 0) or PUT /sections/{id}. */
static void section_write(struct http_req *req, int64_t category_id, int64_t id)
{
    struct auth_principal who;
    struct db *db;
    json_t *body = NULL, *obj;
    if (writer(req, &who, &db) || http_req_json(req, &body))
        return;
    struct hc_named_req r;
    struct err e;
    err_clear(&e);
    struct hc_category c;
    if (category_id && hc_category_get(db, category_id, &req->arena, &c, &e)) {
        http_reply_err(req, &e);
    } else if (!wrapped(req, body, "section", &obj) && !named_req(req, obj, "section", &r)) {
        if (category_id)
            r.parent_id = (struct hc_opt_int){true, category_id};
        struct hc_section out;
        int rc = id ? hc_section_update(req->env, db, &who.subject, id, &r, &req->arena, &out, &e)
                    : hc_section_create(req->env, db, &who.subject, &r, &req->arena, &out, &e);
        if (rc)
            http_reply_err(req, &e);
        else
            reply_one(req, id ? 200 : 201, "section", render_section(req, &out));
    }
    json_decref(body);
}

void hc_category_sections(struct http_req *req)
{
    int64_t id;
    if (http_req_id(req, "id", &id))
        return;
    if (req->method == HTTP_POST)
        section_write(req, id, 0);
    else
        sections_list(req, id);
}

void hc_sections_get(struct http_req *req)
{
    sections_list(req, 0);
}

void hc_sections_item(struct http_req *req)
{
    int64_t id;
    if (http_req_id(req, "id", &id))
        return;
    if (req->method == HTTP_PUT) {
        section_write(req, 0, id);
        return;
    }
    struct auth_principal who;
    struct db *db;
    if (reader(req, &who, &db))
        return;
    struct err e;
    err_clear(&e);
    struct hc_section s;
    if (hc_section_get(db, id, &req->arena, &s, &e))
        http_reply_err(req, &e);
    else
        reply_one(req, 200, "section", render_section(req, &s));
}

/* ---- articles ------------------------------------------------------------------------------- */

/* ?label_names=a,b normalized into "a,b" from the request's arena (NULL when absent or empty).
 * Nonzero after answering 400 naming label_names. */
static int label_filter(struct http_req *req, const char **out)
{
    const char *q = http_req_query(req, "label_names");
    *out = NULL;
    if (!q)
        return 0;
    struct buf b;
    buf_init(&b, 0);
    struct err e;
    err_clear(&e);
    size_t count = 0;
    int rc = 0;
    for (const char *p = q; *p && !rc;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        struct slice t = slice_trim((struct slice){p, len});
        const char *label;
        if (t.len && ++count > HC_LABELS_MAX)
            rc = err_set(&e, ERR_MALFORMED, "label_names", "at most %d labels", HC_LABELS_MAX);
        else if (t.len)
            rc = hc_label_normalize(t.ptr, t.len, "label_names", &req->arena, &label, &e);
        if (!rc && t.len) {
            if (b.len)
                buf_append_char(&b, ',');
            buf_append_cstr(&b, label);
        }
        p += len + (comma ? 1 : 0);
    }
    if (rc) {
        http_reply_error(req, 400, "label_names", "%s", e.message);
    } else if (b.len) {
        *out = arena_strndup(&req->arena, b.ptr, b.len);
    }
    buf_release(&b);
    return rc;
}

/* GET /articles, /sections/{id}/articles or /categories/{id}/articles. */
static void articles_list(struct http_req *req, int64_t section_id, int64_t category_id)
{
    struct auth_principal who;
    struct db *db;
    struct hc_page pg;
    struct hc_articles_filter f = {.section_id = section_id, .category_id = category_id};
    if (reader(req, &who, &db) || hc_paging_from_req(req, HC_LIST_MAX, &pg) ||
        label_filter(req, &f.label))
        return;
    const char *draft = http_req_query(req, "draft");
    f.include_drafts = draft && strcmp(draft, "true") == 0;
    f.offset = (size_t)hc_paging_offset(&pg);
    f.limit = (size_t)pg.per_page;
    struct err e;
    err_clear(&e);
    struct hc_section s;
    struct hc_category c;
    struct hc_article *rows;
    size_t n = 0;
    bool more = false;
    int64_t total = 0;
    if ((section_id && hc_section_get(db, section_id, &req->arena, &s, &e)) ||
        (category_id && hc_category_get(db, category_id, &req->arena, &c, &e)) ||
        hc_articles_count(db, &who.subject, &f, &total, &e) ||
        hc_articles_list(db, &who.subject, &f, &req->arena, &rows, &n, &more, &e)) {
        http_reply_err(req, &e);
        return;
    }
    bool staff = access_is_staff(&who.subject);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, hc_render_article(req, &rows[i], staff));
    hc_paging_reply(req, &pg, "articles", list, total);
}

/* POST /sections/{section_id}/articles (id 0) or PUT /articles/{id}. */
static void article_write(struct http_req *req, int64_t section_id, int64_t id)
{
    struct auth_principal who;
    struct db *db;
    json_t *body = NULL, *obj;
    if (writer(req, &who, &db) || http_req_json(req, &body))
        return;
    struct hc_article_req r;
    struct err e;
    err_clear(&e);
    struct hc_section s;
    if (section_id && hc_section_get(db, section_id, &req->arena, &s, &e)) {
        http_reply_err(req, &e);
    } else if (!wrapped(req, body, "article", &obj) && !article_req(req, obj, &r)) {
        if (section_id)
            r.section_id = (struct hc_opt_int){true, section_id};
        struct hc_article out;
        int rc = id ? hc_article_update(req->env, db, &who.subject, id, &r, &req->arena, &out, &e)
                    : hc_article_create(req->env, db, &who.subject, &r, &req->arena, &out, &e);
        if (rc)
            http_reply_err(req, &e);
        else
            reply_one(req, id ? 200 : 201, "article", hc_render_article(req, &out, true));
    }
    json_decref(body);
}

void hc_section_articles(struct http_req *req)
{
    int64_t id;
    if (http_req_id(req, "id", &id))
        return;
    if (req->method == HTTP_POST)
        article_write(req, id, 0);
    else
        articles_list(req, id, 0);
}

void hc_category_articles_get(struct http_req *req)
{
    int64_t id;
    if (!http_req_id(req, "id", &id))
        articles_list(req, 0, id);
}

void hc_articles_get(struct http_req *req)
{
    articles_list(req, 0, 0);
}

void hc_articles_item(struct http_req *req)
{
    int64_t id;
    if (http_req_id(req, "id", &id))
        return;
    if (req->method == HTTP_PUT) {
        article_write(req, 0, id);
        return;
    }
    struct auth_principal who;
    struct db *db;
    struct err e;
    err_clear(&e);
    if (req->method == HTTP_DELETE) {
        if (writer(req, &who, &db))
            return;
        if (hc_article_delete(req->env, db, &who.subject, id, &e))
            http_reply_err(req, &e);
        else
            http_reply(req, 204, NULL, "", 0);
        return;
    }
    if (reader(req, &who, &db))
        return;
    struct hc_article a;
    if (hc_article_get(db, &who.subject, id, &req->arena, &a, &e))
        http_reply_err(req, &e);
    else
        reply_one(req, 200, "article", hc_render_article(req, &a, access_is_staff(&who.subject)));
}

/* ---- revisions and preview ------------------------------------------------------------------ */

void hc_revisions_get(struct http_req *req)
{
    int64_t id;
    struct auth_principal who;
    struct db *db;
    struct hc_page pg;
    if (http_req_id(req, "id", &id) || writer(req, &who, &db) ||
        hc_paging_from_req(req, HC_LIST_MAX, &pg))
        return;
    struct err e;
    err_clear(&e);
    struct hc_revision *rows;
    size_t n = 0;
    if (hc_revisions_list(db, &who.subject, id, &req->arena, &rows, &n, &e)) {
        http_reply_err(req, &e);
        return;
    }
    reply_rows(req, &pg, "revisions", rows, sizeof *rows, n, render_revision);
}

void hc_revisions_item_get(struct http_req *req)
{
    int64_t id, revision;
    struct auth_principal who;
    struct db *db;
    if (http_req_id(req, "id", &id) || http_req_id(req, "revision", &revision) ||
        writer(req, &who, &db))
        return;
    struct err e;
    err_clear(&e);
    struct hc_revision r;
    if (hc_revision_get(db, &who.subject, id, revision, &req->arena, &r, &e))
        http_reply_err(req, &e);
    else
        reply_one(req, 200, "revision", render_revision(req, &r));
}

void hc_revisions_restore_post(struct http_req *req)
{
    int64_t id, revision;
    struct auth_principal who;
    struct db *db;
    if (http_req_id(req, "id", &id) || http_req_id(req, "revision", &revision) ||
        writer(req, &who, &db))
        return;
    struct err e;
    err_clear(&e);
    struct hc_article a;
    if (hc_article_restore(req->env, db, &who.subject, id, revision, &req->arena, &a, &e))
        http_reply_err(req, &e);
    else
        reply_one(req, 200, "article", hc_render_article(req, &a, true));
}

void hc_preview_post(struct http_req *req)
{
    struct auth_principal who;
    json_t *body = NULL;
    if (auth_require_staff(req, &who) || http_req_json(req, &body))
        return;
    json_t *md = json_is_object(body) ? json_object_get(body, "markdown") : NULL;
    if (!json_is_string(md)) {
        http_reply_error(req, 422, "markdown", "expected a JSON object {\"markdown\": \"...\"}");
    } else {
        struct err e;
        err_clear(&e);
        const char *html;
        if (hc_render(json_string_value(md), json_string_length(md), "markdown", &req->arena, &html,
                      &e))
            http_reply_err(req, &e);
        else
            http_reply_json(req, 200, json_pack("{s:s}", "html", html));
    }
    json_decref(body);
}
