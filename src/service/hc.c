/* hc (service): the help center's content. The rules are in the header; this file explains
 * the why.
 *
 * Agents write drafts; what readers see changes only through a lead or an admin: publishing,
 * unpublishing, deleting, and any change of a published article's title, body, labels, section
 * or position (an agent's edit of a live article would be a publication). Closing or opening
 * comments is moderation, which every staff member does (issue 7 "Comments"), also on a
 * published article. */
#include "service/hc.h"

#include "base/buf.h"
#include "core/markdown.h"
#include "store/audit.h"
#include "store/hc.h"
#include "service/hc_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESCRIPTION_MAX 10000        /* characters of a category's or section's description */
#define POSITION_MAX    1000000000LL /* positions are 0..POSITION_MAX */
#define HTML_MAX        (8u * HC_BODY_MAX)

bool hc_can_write(const struct access_subject *s)
{
    return access_is_staff(s);
}

bool hc_can_publish(const struct access_subject *s)
{
    return access_is_lead_or_admin(s);
}

static int need_writer(const struct access_subject *s, struct err *e)
{
    if (!hc_can_write(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff may write help center content");
    return 0;
}

static int need_publisher(const struct access_subject *s, const char *field, const char *what,
                          struct err *e)
{
    if (!hc_can_publish(s))
        return err_set(e, ERR_FORBIDDEN, field, "only leads and admins may %s", what);
    return 0;
}

static int article_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "article %lld not found", (long long)id);
}

/* ---- checking input ------------------------------------------------------------------------- */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* A one-line name for field: trimmed, 1..max characters, no control characters; the copy goes
 * to *out from a. */
static int clean_name(const char *s, const char *field, size_t max, struct arena *a,
                      const char **out, struct err *e)
{
    const char *name = strrchr(field, '.') + 1;
    if (!s)
        return err_set(e, ERR_INVALID, field, "%s is required", name);
    struct slice t = slice_trim(slice_from_cstr(s));
    while (t.len && is_space((unsigned char)t.ptr[0]))
        t.ptr++, t.len--;
    while (t.len && is_space((unsigned char)t.ptr[t.len - 1]))
        t.len--;
    if (t.len == 0)
        return err_set(e, ERR_INVALID, field, "%s must not be empty", name);
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.ptr[i];
        if (c < 0x20 || c == 0x7f)
            return err_set(e, ERR_INVALID, field, "%s must not contain control characters", name);
    }
    if (utf8_chars(t.ptr, t.len) > max)
        return err_set(e, ERR_INVALID, field, "%s must be at most %zu characters", name, max);
    char *copy = arena_strndup(a, t.ptr, t.len);
    if (!copy)
        return err_set(e, ERR_LIMIT, field, "%s is too long for this request", name);
    *out = copy;
    return 0;
}

/* A multi-line description: at most DESCRIPTION_MAX characters, no control characters but line
 * breaks and tabs. */
static int clean_description(const char *s, const char *field, const char **out, struct err *e)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
            return err_set(e, ERR_INVALID, field,
                           "description must not contain control characters");
    }
    if (utf8_chars(s, len) > DESCRIPTION_MAX)
        return err_set(e, ERR_INVALID, field, "description must be at most %d characters",
                       DESCRIPTION_MAX);
    *out = s;
    return 0;
}

static int check_position(int64_t v, const char *field, struct err *e)
{
    if (v < 0 || v > POSITION_MAX)
        return err_set(e, ERR_INVALID, field, "position must be a whole number from 0 to %lld",
                       POSITION_MAX);
    return 0;
}

int hc_label_normalize(const char *s, size_t len, const char *field, struct arena *a,
                       const char **out, struct err *e)
{
    char *copy = arena_alloc(a, len + 1);
    if (!copy)
        return err_set(e, ERR_LIMIT, field, "labels are too long for this request");
    size_t n = 0;
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c)) {
            space = n > 0; /* leading whitespace is dropped, inner runs become one space */
            continue;
        }
        if (c < 0x20 || c == 0x7f)
            return err_set(e, ERR_INVALID, field, "a label must not contain control characters");
        if (c == ',')
            return err_set(e, ERR_INVALID, field, "a label must not contain a comma");
        if (space)
            copy[n++] = ' ';
        space = false;
        copy[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    copy[n] = '\0';
    if (n == 0)
        return err_set(e, ERR_INVALID, field, "a label must not be empty");
    if (utf8_chars(copy, n) > HC_LABEL_MAX)
        return err_set(e, ERR_INVALID, field, "a label must be at most %d characters",
                       HC_LABEL_MAX);
    *out = copy;
    return 0;
}

static int compare_labels(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Normalize, sort and deduplicate labels[0..n) into the stored form "a,b" ("" for none). */
static int clean_labels(const char *const *labels, size_t n, struct arena *a, const char **out,
                        struct err *e)
{
    const char *field = "article.label_names";
    if (n > 4 * HC_LABELS_MAX) /* refuse absurd lists before normalizing them */
        return err_set(e, ERR_INVALID, field, "an article has at most %d labels", HC_LABELS_MAX);
    const char **norm = arena_alloc(a, (n ? n : 1) * sizeof *norm);
    if (!norm)
        return err_set(e, ERR_LIMIT, field, "labels are too long for this request");
    for (size_t i = 0; i < n; i++) {
        int rc = hc_label_normalize(labels[i], strlen(labels[i]), field, a, &norm[i], e);
        if (rc)
            return rc;
    }
    qsort(norm, n, sizeof *norm, compare_labels);
    struct buf joined;
    buf_init(&joined, 0);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(norm[i], norm[i - 1]) == 0)
            continue;
        if (kept++)
            buf_append_char(&joined, ',');
        buf_append_cstr(&joined, norm[i]);
    }
    if (kept > HC_LABELS_MAX) {
        buf_release(&joined);
        return err_set(e, ERR_INVALID, field, "an article has at most %d labels", HC_LABELS_MAX);
    }
    char *copy = arena_strndup(a, buf_cstr(&joined), joined.len);
    buf_release(&joined);
    if (!copy)
        return err_set(e, ERR_LIMIT, field, "labels are too long for this request");
    *out = copy;
    return 0;
}

int hc_render(const char *md, size_t len, const char *field, struct arena *a, const char **out,
              struct err *e)
{
    if (len > HC_BODY_MAX)
        return err_set(e, ERR_LIMIT, field, "the body must be at most %u bytes", HC_BODY_MAX);
    struct buf html;
    buf_init(&html, HTML_MAX);
    int rc = markdown_to_html(md, len, &html, e);
    if (!rc) {
        char *copy = arena_strndup(a, buf_cstr(&html), html.len);
        if (copy)
            *out = copy;
        else
            rc = err_set(e, ERR_LIMIT, field, "the rendered body is too large for this request");
    }
    buf_release(&html);
    return rc;
}

/* The checked content of an article request: title, body and labels. */
struct clean_article {
    const char *title; /* NULL when not given */
    const char *body;
    const char *labels;
};

static int check_article(const struct hc_article_req *req, bool create, struct arena *a,
                         struct clean_article *c, struct err *e)
{
    *c = (struct clean_article){0};
    int rc = 0;
    if (req->title.given || create)
        rc = clean_name(req->title.value, "article.title", HC_TITLE_MAX, a, &c->title, e);
    if (!rc && (req->body.given || create)) {
        if (!req->body.value)
            rc = err_set(e, ERR_INVALID, "article.body", "body is required");
        else if (strlen(req->body.value) > HC_BODY_MAX)
            rc = err_set(e, ERR_INVALID, "article.body", "body must be at most %u bytes",
                         HC_BODY_MAX);
        else
            c->body = req->body.value;
    }
    if (!rc && req->labels_given)
        rc = clean_labels(req->labels, req->label_count, a, &c->labels, e);
    else if (!rc && create)
        c->labels = "";
    if (!rc && create && !req->section_id.given)
        rc = err_set(e, ERR_INVALID, "article.section_id", "section_id is required");
    if (!rc && req->position.given)
        rc = check_position(req->position.value, "article.position", e);
    return rc;
}

/* Is section_id a section? ERR_INVALID naming article.section_id otherwise. */
static int known_section(struct db *db, int64_t section_id, struct arena *a, struct err *e)
{
    struct hc_section s;
    int rc = section_id > 0 ? hc_store_section_get(db, section_id, a, &s, e) : ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "article.section_id", "section %lld does not exist",
                       (long long)section_id);
    return rc;
}

/* ---- audit ---------------------------------------------------------------------------------- */

static int audit(struct db *db, const struct access_subject *s, int64_t now, const char *action,
                 const char *target_type, int64_t target_id, struct buf *detail, struct err *e)
{
    struct audit_entry entry = {.at = now,
                                .actor_id = s->user_id,
                                .action = action,
                                .target_type = target_type,
                                .target_id = target_id,
                                .detail = detail ? buf_cstr(detail) : NULL};
    int rc = audit_append(db, &entry, e);
    if (detail)
        buf_release(detail);
    return rc;
}

/* {"title": ..., "revision": n} for an article's entries. */
static void article_detail(struct buf *d, const struct hc_article *art)
{
    buf_init(d, 0);
    buf_append_cstr(d, "{\"title\":");
    buf_append_json_str(d, art->title, strlen(art->title));
    buf_appendf(d, ",\"revision\":%lld", (long long)art->revision);
}

static int audit_article(struct db *db, const struct access_subject *s, int64_t now,
                         const char *action, const struct hc_article *art, const char *extra,
                         struct err *e)
{
    struct buf d;
    article_detail(&d, art);
    if (extra)
        buf_append_cstr(&d, extra);
    buf_append_char(&d, '}');
    return audit(db, s, now, action, "hc_article", art->id, &d, e);
}

/* ---- reading -------------------------------------------------------------------------------- */

int hc_categories_list(struct db *db, struct arena *a, struct hc_category **out, size_t *n,
                       struct err *e)
{
    return hc_store_categories_list(db, a, out, n, e);
}

int hc_category_get(struct db *db, int64_t id, struct arena *a, struct hc_category *out,
                    struct err *e)
{
    return hc_store_category_get(db, id, a, out, e);
}

int hc_sections_list(struct db *db, int64_t category_id, struct arena *a, struct hc_section **out,
                     size_t *n, struct err *e)
{
    return hc_store_sections_list(db, category_id, a, out, n, e);
}

int hc_section_get(struct db *db, int64_t id, struct arena *a, struct hc_section *out,
                   struct err *e)
{
    return hc_store_section_get(db, id, a, out, e);
}

/* A draft is not found for non-staff, exactly like an article that does not exist. */
static int visible(const struct access_subject *s, const struct hc_article *art, struct err *e)
{
    if (art->draft && !access_is_staff(s))
        return article_not_found(art->id, e);
    return 0;
}

int hc_article_get(struct db *db, const struct access_subject *s, int64_t id, struct arena *a,
                   struct hc_article *out, struct err *e)
{
    struct hc_article art;
    int rc = hc_store_article_get(db, id, a, &art, e);
    rc = rc ? rc : visible(s, &art, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? article_not_found(id, e) : rc;
    *out = art;
    return 0;
}

int hc_article_by_seed(struct db *db, const struct access_subject *s, const char *seed_key,
                       struct arena *a, struct hc_article *out, struct err *e)
{
    struct hc_article art;
    int rc = hc_store_article_by_seed(db, seed_key, a, &art, e);
    rc = rc ? rc : visible(s, &art, e);
    if (!rc)
        *out = art;
    return rc;
}

static struct hc_store_filter store_filter(const struct access_subject *s,
                                           const struct hc_articles_filter *f)
{
    size_t limit = f->limit > HC_LIST_MAX ? HC_LIST_MAX : f->limit;
    return (struct hc_store_filter){.section_id = f->section_id,
                                    .category_id = f->category_id,
                                    .label = f->label,
                                    .drafts = f->include_drafts && access_is_staff(s),
                                    .after_id = f->after_id,
                                    .offset = f->offset,
                                    .limit = limit};
}

int hc_articles_list(struct db *db, const struct access_subject *s,
                     const struct hc_articles_filter *f, struct arena *a, struct hc_article **out,
                     size_t *n, bool *more, struct err *e)
{
    struct hc_store_filter sf = store_filter(s, f);
    size_t want = sf.limit;
    sf.limit = want + 1; /* one more says whether there are more */
    struct hc_article *rows;
    size_t got = 0;
    int rc = hc_store_articles_list(db, &sf, a, &rows, &got, e);
    if (rc)
        return rc;
    *more = got > want;
    *n = got > want ? want : got;
    *out = rows;
    return 0;
}

int hc_articles_count(struct db *db, const struct access_subject *s,
                      const struct hc_articles_filter *f, int64_t *count, struct err *e)
{
    struct hc_store_filter sf = store_filter(s, f);
    return hc_store_articles_count(db, &sf, count, e);
}

/* Revisions are the editors' history: staff only. */
static int revisions_reader(struct db *db, const struct access_subject *s, int64_t article_id,
                            struct arena *a, struct err *e)
{
    if (!access_is_staff(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff may read an article's revisions");
    struct hc_article art;
    int rc = hc_store_article_get(db, article_id, a, &art, e);
    return rc == ERR_NOT_FOUND ? article_not_found(article_id, e) : rc;
}

int hc_revisions_list(struct db *db, const struct access_subject *s, int64_t article_id,
                      struct arena *a, struct hc_revision **out, size_t *n, struct err *e)
{
    int rc = revisions_reader(db, s, article_id, a, e);
    return rc ? rc : hc_store_revisions_list(db, article_id, a, out, n, e);
}

int hc_revision_get(struct db *db, const struct access_subject *s, int64_t article_id,
                    int64_t revision, struct arena *a, struct hc_revision *out, struct err *e)
{
    int rc = revisions_reader(db, s, article_id, a, e);
    return rc ? rc : hc_store_revision_get(db, article_id, revision, a, out, e);
}

/* ---- writing articles ----------------------------------------------------------------------- */

struct article_ctx {
    const struct env *env;
    const struct access_subject *s;
    int64_t id;
    const struct hc_article_req *req;
    const struct clean_article *clean;
    int64_t revision; /* restore: the revision to bring back */
    struct arena *a;
    struct hc_article out;
};

/* Save art's current content as its revision art->revision. */
static int save_revision(struct db *db, const struct hc_article *art, int64_t author_id,
                         int64_t now, struct err *e)
{
    struct hc_revision r = {.article_id = art->id,
                            .revision = art->revision,
                            .title = art->title,
                            .body = art->body,
                            .label_names = art->label_names,
                            .author_id = author_id,
                            .created_at = now};
    int rc = hc_store_revision_insert(db, &r, e);
    rc = rc ? rc : hc_store_labels_set(db, art->id, art->label_names, e);
    /* (added by "search") the body's plain text, which search indexes and snips */
    return rc ? rc : hc_search_index_text(db, art->id, art->body, e);
}

static int create_tx(struct db *db, void *arg, struct err *e)
{
    struct article_ctx *c = arg;
    const struct hc_article_req *req = c->req;
    int64_t now = c->env->now(c->env);
    int rc = known_section(db, req->section_id.value, c->a, e);
    struct hc_article art = {.section_id = req->section_id.value,
                             .title = c->clean->title,
                             .body = c->clean->body,
                             .label_names = c->clean->labels,
                             .draft = req->draft.given ? req->draft.value : true,
                             .position = req->position.given ? req->position.value : 0,
                             .author_id = c->s->user_id,
                             .comments_disabled =
                                 req->comments_disabled.given && req->comments_disabled.value,
                             .revision = 1,
                             .created_at = now,
                             .updated_at = now,
                             .edited_at = now};
    rc = rc ? rc : hc_render(art.body, strlen(art.body), "article.body", c->a, &art.html, e);
    rc = rc ? rc : hc_store_article_insert(db, &art, c->a, &c->out, e);
    rc = rc ? rc : save_revision(db, &c->out, c->s->user_id, now, e);
    rc = rc ? rc : audit_article(db, c->s, now, "hc.article.created", &c->out, NULL, e);
    if (!rc && !c->out.draft)
        rc = audit_article(db, c->s, now, "hc.article.published", &c->out, NULL, e);
    return rc;
}

int hc_article_create(const struct env *env, struct db *db, const struct access_subject *s,
                      const struct hc_article_req *req, struct arena *a, struct hc_article *out,
                      struct err *e)
{
    struct clean_article clean;
    int rc = need_writer(s, e);
    rc = rc ? rc : check_article(req, true, a, &clean, e);
    if (!rc && req->draft.given && !req->draft.value)
        rc = need_publisher(s, "article.draft", "publish an article", e);
    if (rc)
        return rc;
    struct article_ctx c = {.env = env, .s = s, .req = req, .clean = &clean, .a = a};
    rc = db_transact(db, DB_TX_WRITE, create_tx, &c, e);
    if (!rc)
        *out = c.out;
    return rc;
}

static bool differs(const char *given, const char *stored)
{
    return given && strcmp(given, stored) != 0;
}

/* Append ",\"name\"" (or the first without comma) to a JSON array being written. */
static void changed(struct buf *list, const char *name)
{
    buf_appendf(list, "%s\"%s\"", list->len > 1 ? "," : "", name);
}

static int update_tx(struct db *db, void *arg, struct err *e)
{
    struct article_ctx *c = arg;
    const struct hc_article_req *req = c->req;
    const struct clean_article *cl = c->clean;
    int64_t now = c->env->now(c->env);
    struct hc_article old;
    int rc = hc_store_article_lock(db, c->id, e);
    rc = rc ? rc : hc_store_article_get(db, c->id, c->a, &old, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? article_not_found(c->id, e) : rc;
    struct hc_article art = old;
    bool title = differs(cl->title, old.title), body = differs(cl->body, old.body);
    bool labels = differs(cl->labels, old.label_names);
    bool section = req->section_id.given && req->section_id.value != old.section_id;
    bool position = req->position.given && req->position.value != old.position;
    bool comments =
        req->comments_disabled.given && req->comments_disabled.value != old.comments_disabled;
    bool draft = req->draft.given && req->draft.value != old.draft;
    if (draft)
        rc = need_publisher(c->s, "article.draft",
                            req->draft.value ? "unpublish an article" : "publish an article", e);
    if (!rc && !old.draft && (title || body || labels || section || position))
        rc = need_publisher(c->s, NULL, "change a published article (unpublish it first)", e);
    if (!rc && section)
        rc = known_section(db, req->section_id.value, c->a, e);
    if (rc)
        return rc;
    struct buf fields;
    buf_init(&fields, 0);
    buf_append_char(&fields, '[');
    if (title)
        changed(&fields, "title"), art.title = cl->title;
    if (body)
        changed(&fields, "body"), art.body = cl->body;
    if (labels)
        changed(&fields, "label_names"), art.label_names = cl->labels;
    if (section)
        changed(&fields, "section_id"), art.section_id = req->section_id.value;
    if (position)
        changed(&fields, "position"), art.position = req->position.value;
    if (comments)
        changed(&fields, "comments_disabled"), art.comments_disabled = req->comments_disabled.value;
    buf_append_char(&fields, ']');
    if (body)
        rc = hc_render(art.body, strlen(art.body), "article.body", c->a, &art.html, e);
    if (title || body)
        art.edited_at = now;
    if (title || body || labels)
        art.revision = old.revision + 1;
    if (draft)
        art.draft = req->draft.value;
    bool any = fields.len > 2 || draft;
    if (any)
        art.updated_at = now;
    rc = rc || !any ? rc : hc_store_article_update(db, &art, e);
    if (!rc && art.revision != old.revision)
        rc = save_revision(db, &art, c->s->user_id, now, e);
    if (!rc && fields.len > 2) {
        struct buf extra;
        buf_init(&extra, 0);
        buf_appendf(&extra, ",\"changed\":%s", buf_cstr(&fields));
        rc = audit_article(db, c->s, now, "hc.article.updated", &art, buf_cstr(&extra), e);
        buf_release(&extra);
    }
    buf_release(&fields);
    if (!rc && draft)
        rc = audit_article(db, c->s, now,
                           art.draft ? "hc.article.unpublished" : "hc.article.published", &art,
                           NULL, e);
    return rc ? rc : hc_store_article_get(db, c->id, c->a, &c->out, e);
}

int hc_article_update(const struct env *env, struct db *db, const struct access_subject *s,
                      int64_t id, const struct hc_article_req *req, struct arena *a,
                      struct hc_article *out, struct err *e)
{
    struct clean_article clean;
    struct hc_article art;
    int rc = need_writer(s, e);
    /* An article that does not exist is "not found" before its fields are judged. */
    rc = rc ? rc : hc_store_article_get(db, id, a, &art, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? article_not_found(id, e) : rc;
    rc = check_article(req, false, a, &clean, e);
    if (rc)
        return rc;
    struct article_ctx c = {.env = env, .s = s, .id = id, .req = req, .clean = &clean, .a = a};
    rc = db_transact(db, DB_TX_WRITE, update_tx, &c, e);
    if (!rc)
        *out = c.out;
    return rc;
}

static int restore_tx(struct db *db, void *arg, struct err *e)
{
    struct article_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct hc_article art;
    struct hc_revision r;
    int rc = hc_store_article_lock(db, c->id, e);
    rc = rc ? rc : hc_store_article_get(db, c->id, c->a, &art, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? article_not_found(c->id, e) : rc;
    if (!art.draft)
        rc = need_publisher(c->s, NULL, "change a published article (unpublish it first)", e);
    rc = rc ? rc : hc_store_revision_get(db, c->id, c->revision, c->a, &r, e);
    if (rc)
        return rc;
    art.title = r.title;
    art.body = r.body;
    art.label_names = r.label_names;
    art.revision++;
    art.updated_at = art.edited_at = now;
    rc = hc_render(art.body, strlen(art.body), "article.body", c->a, &art.html, e);
    rc = rc ? rc : hc_store_article_update(db, &art, e);
    rc = rc ? rc : save_revision(db, &art, c->s->user_id, now, e);
    if (!rc) {
        char extra[64];
        snprintf(extra, sizeof extra, ",\"from_revision\":%lld", (long long)c->revision);
        rc = audit_article(db, c->s, now, "hc.article.restored", &art, extra, e);
    }
    return rc ? rc : hc_store_article_get(db, c->id, c->a, &c->out, e);
}

int hc_article_restore(const struct env *env, struct db *db, const struct access_subject *s,
                       int64_t id, int64_t revision, struct arena *a, struct hc_article *out,
                       struct err *e)
{
    int rc = need_writer(s, e);
    if (rc)
        return rc;
    struct article_ctx c = {.env = env, .s = s, .id = id, .revision = revision, .a = a};
    rc = db_transact(db, DB_TX_WRITE, restore_tx, &c, e);
    if (!rc)
        *out = c.out;
    return rc;
}

static int delete_tx(struct db *db, void *arg, struct err *e)
{
    struct article_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct hc_article art;
    int rc = hc_store_article_lock(db, c->id, e);
    rc = rc ? rc : hc_store_article_get(db, c->id, c->a, &art, e);
    if (rc)
        return rc == ERR_NOT_FOUND ? article_not_found(c->id, e) : rc;
    /* Audited before the row goes: the entry keeps what was deleted. */
    rc = audit_article(db, c->s, now, "hc.article.deleted", &art, NULL, e);
    return rc ? rc : hc_store_article_delete(db, c->id, e);
}

int hc_article_delete(const struct env *env, struct db *db, const struct access_subject *s,
                      int64_t id, struct err *e)
{
    int rc = need_writer(s, e);
    rc = rc ? rc : need_publisher(s, NULL, "delete an article", e);
    if (rc)
        return rc;
    struct arena a;
    arena_init(&a, 16u * HC_BODY_MAX);
    struct article_ctx c = {.env = env, .s = s, .id = id, .a = &a};
    rc = db_transact(db, DB_TX_WRITE, delete_tx, &c, e);
    arena_release(&a);
    return rc;
}

/* ---- writing categories and sections -------------------------------------------------------- */

struct named_ctx {
    const struct env *env;
    const struct access_subject *s;
    int64_t id;
    const struct hc_named_req *req;
    const char *name, *description; /* checked; NULL when not given */
    struct arena *a;
    struct hc_category category;
    struct hc_section section;
};

/* Check a named request for kind ("category" or "section"); name required on create. */
static int check_named(const char *kind, const struct hc_named_req *req, bool create,
                       struct arena *a, struct named_ctx *c, struct err *e)
{
    char field[32];
    int rc = 0;
    snprintf(field, sizeof field, "%s.name", kind);
    if (req->name.given || create)
        rc = clean_name(req->name.value, field, HC_TITLE_MAX, a, &c->name, e);
    snprintf(field, sizeof field, "%s.description", kind);
    if (!rc && req->description.given && req->description.value)
        rc = clean_description(req->description.value, field, &c->description, e);
    snprintf(field, sizeof field, "%s.position", kind);
    if (!rc && req->position.given)
        rc = check_position(req->position.value, field, e);
    return rc;
}

static void named_detail(struct buf *d, const char *name, int64_t category_id)
{
    buf_init(d, 0);
    buf_append_cstr(d, "{\"name\":");
    buf_append_json_str(d, name, strlen(name));
    if (category_id)
        buf_appendf(d, ",\"category_id\":%lld", (long long)category_id);
    buf_append_char(d, '}');
}

static int category_create_tx(struct db *db, void *arg, struct err *e)
{
    struct named_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct hc_category in = {.name = c->name,
                             .description = c->description ? c->description : "",
                             .position = c->req->position.given ? c->req->position.value : 0,
                             .created_at = now,
                             .updated_at = now};
    int rc = hc_store_category_insert(db, &in, c->a, &c->category, e);
    struct buf d;
    named_detail(&d, c->name, 0);
    return rc ? (buf_release(&d), rc)
              : audit(db, c->s, now, "hc.category.created", "hc_category", c->category.id, &d, e);
}

int hc_category_create(const struct env *env, struct db *db, const struct access_subject *s,
                       const struct hc_named_req *req, struct arena *a, struct hc_category *out,
                       struct err *e)
{
    struct named_ctx c = {.env = env, .s = s, .req = req, .a = a};
    int rc = need_writer(s, e);
    rc = rc ? rc : check_named("category", req, true, a, &c, e);
    rc = rc ? rc : db_transact(db, DB_TX_WRITE, category_create_tx, &c, e);
    if (!rc)
        *out = c.category;
    return rc;
}

static int category_update_tx(struct db *db, void *arg, struct err *e)
{
    struct named_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct hc_category cat;
    int rc = hc_store_category_get(db, c->id, c->a, &cat, e);
    if (rc)
        return rc;
    if (c->name)
        cat.name = c->name;
    if (c->description)
        cat.description = c->description;
    if (c->req->position.given)
        cat.position = c->req->position.value;
    cat.updated_at = now;
    rc = hc_store_category_update(db, &cat, e);
    struct buf d;
    named_detail(&d, cat.name, 0);
    rc = rc ? (buf_release(&d), rc)
            : audit(db, c->s, now, "hc.category.updated", "hc_category", cat.id, &d, e);
    return rc ? rc : hc_store_category_get(db, c->id, c->a, &c->category, e);
}

int hc_category_update(const struct env *env, struct db *db, const struct access_subject *s,
                       int64_t id, const struct hc_named_req *req, struct arena *a,
                       struct hc_category *out, struct err *e)
{
    struct named_ctx c = {.env = env, .s = s, .id = id, .req = req, .a = a};
    struct hc_category cat;
    int rc = need_writer(s, e);
    rc = rc ? rc : hc_store_category_get(db, id, a, &cat, e);
    rc = rc ? rc : check_named("category", req, false, a, &c, e);
    rc = rc ? rc : db_transact(db, DB_TX_WRITE, category_update_tx, &c, e);
    if (!rc)
        *out = c.category;
    return rc;
}

/* Is category_id a category? ERR_INVALID naming section.category_id otherwise. */
static int known_category(struct db *db, int64_t category_id, struct arena *a, struct err *e)
{
    struct hc_category cat;
    int rc = category_id > 0 ? hc_store_category_get(db, category_id, a, &cat, e) : ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, "section.category_id", "category %lld does not exist",
                       (long long)category_id);
    return rc;
}

static int section_create_tx(struct db *db, void *arg, struct err *e)
{
    struct named_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct hc_section in = {.category_id = c->req->parent_id.value,
                            .name = c->name,
                            .description = c->description ? c->description : "",
                            .position = c->req->position.given ? c->req->position.value : 0,
                            .created_at = now,
                            .updated_at = now};
    int rc = known_category(db, in.category_id, c->a, e);
    rc = rc ? rc : hc_store_section_insert(db, &in, c->a, &c->section, e);
    if (rc)
        return rc;
    struct buf d;
    named_detail(&d, c->name, in.category_id);
    return audit(db, c->s, now, "hc.section.created", "hc_section", c->section.id, &d, e);
}

int hc_section_create(const struct env *env, struct db *db, const struct access_subject *s,
                      const struct hc_named_req *req, struct arena *a, struct hc_section *out,
                      struct err *e)
{
    struct named_ctx c = {.env = env, .s = s, .req = req, .a = a};
    int rc = need_writer(s, e);
    rc = rc ? rc : check_named("section", req, true, a, &c, e);
    if (!rc && !req->parent_id.given)
        rc = err_set(e, ERR_INVALID, "section.category_id", "category_id is required");
    rc = rc ? rc : db_transact(db, DB_TX_WRITE, section_create_tx, &c, e);
    if (!rc)
        *out = c.section;
    return rc;
}

static int section_update_tx(struct db *db, void *arg, struct err *e)
{
    struct named_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct hc_section sec;
    int rc = hc_store_section_get(db, c->id, c->a, &sec, e);
    if (!rc && c->req->parent_id.given && c->req->parent_id.value != sec.category_id) {
        rc = known_category(db, c->req->parent_id.value, c->a, e);
        sec.category_id = c->req->parent_id.value;
    }
    if (rc)
        return rc;
    if (c->name)
        sec.name = c->name;
    if (c->description)
        sec.description = c->description;
    if (c->req->position.given)
        sec.position = c->req->position.value;
    sec.updated_at = now;
    rc = hc_store_section_update(db, &sec, e);
    struct buf d;
    named_detail(&d, sec.name, sec.category_id);
    rc = rc ? (buf_release(&d), rc)
            : audit(db, c->s, now, "hc.section.updated", "hc_section", sec.id, &d, e);
    return rc ? rc : hc_store_section_get(db, c->id, c->a, &c->section, e);
}

int hc_section_update(const struct env *env, struct db *db, const struct access_subject *s,
                      int64_t id, const struct hc_named_req *req, struct arena *a,
                      struct hc_section *out, struct err *e)
{
    struct named_ctx c = {.env = env, .s = s, .id = id, .req = req, .a = a};
    struct hc_section sec;
    int rc = need_writer(s, e);
    rc = rc ? rc : hc_store_section_get(db, id, a, &sec, e);
    rc = rc ? rc : check_named("section", req, false, a, &c, e);
    rc = rc ? rc : db_transact(db, DB_TX_WRITE, section_update_tx, &c, e);
    if (!rc)
        *out = c.section;
    return rc;
}
