/* hc_feedback (service): the rules are in the header; this file explains the why. */
#include "service/hc_feedback.h"

#include "base/buf.h"
#include "core/markdown.h"
#include "service/auth.h"
#include "store/audit.h"
#include "store/credentials.h"

#include <stdio.h>
#include <string.h>

static int article_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, NULL, "article %lld not found", (long long)id);
}

/* The article as s may see it: a draft is ERR_NOT_FOUND to non-staff, exactly like one that does
 * not exist (service/hc.h). */
static int visible_article(struct db *db, const struct access_subject *s, int64_t id, bool lock,
                           struct hc_feedback_article *out, struct err *e)
{
    int rc = hc_feedback_store_article(db, id, lock, out, e);
    if (rc == ERR_NOT_FOUND || (!rc && out->draft && !access_is_staff(s)))
        return article_not_found(id, e);
    return rc;
}

/* Votes and comments are for published articles; staff, who see drafts, learn why not. */
static int published(const struct hc_feedback_article *art, const char *what, struct err *e)
{
    if (art->draft)
        return err_set(e, ERR_CONFLICT, "article.draft", "a draft takes no %s: publish it first",
                       what);
    return 0;
}

/* ---- votes ----------------------------------------------------------------------------------- */

/* The voter behind actor; hash is the anonymous browser's hash storage. ERR_INVALID when an
 * anonymous actor brings no secret (the HTTP layer always gives one). */
static int voter_of(const struct env *env, const struct hc_feedback_actor *actor,
                    char hash[CRED_HASH_HEX + 1], struct hc_voter *out, struct err *e)
{
    if (actor->subject.user_id) {
        *out = (struct hc_voter){.user_id = actor->subject.user_id};
        return 0;
    }
    if (!actor->voter_secret || !actor->voter_secret[0])
        return err_set(e, ERR_INTERNAL, NULL, "an anonymous vote without a voter secret");
    auth_hash_secret(env, actor->voter_secret, strlen(actor->voter_secret), hash);
    *out = (struct hc_voter){.voter_hash = hash};
    return 0;
}

/* Count one vote of a browser new to us against its address (see the header). */
static int anon_rate(struct db *db, const struct hc_feedback_actor *actor, int64_t now,
                     int64_t *retry_after, struct err *e)
{
    char key[96];
    snprintf(key, sizeof key, "hc_vote:ip:%s", actor->ip ? actor->ip : "");
    int64_t times[HC_VOTE_ANON_NEW_MAX];
    size_t n = 0;
    int rc = sign_in_failures_lock(db, key, e);
    if (!rc)
        rc = sign_in_failures_since(db, key, now - HC_VOTE_ANON_WINDOW, times, HC_VOTE_ANON_NEW_MAX,
                                    &n, e);
    if (rc)
        return rc;
    if (n >= HC_VOTE_ANON_NEW_MAX) {
        /* times[0] is the oldest of the newest HC_VOTE_ANON_NEW_MAX: once it leaves the window
         * there is room for one more. */
        int64_t wait = times[0] + HC_VOTE_ANON_WINDOW - now;
        *retry_after = wait > 0 ? wait : 1;
        return err_set(e, ERR_LIMIT, NULL, "too many votes from this address: try again in %lld s",
                       (long long)*retry_after);
    }
    return sign_in_failures_add(db, key, now, NULL, e);
}

struct cast_ctx {
    const struct env *env;
    const struct hc_feedback_actor *actor;
    int64_t article_id;
    int value;
    struct hc_vote *out;
    bool *created;
    int64_t *retry_after;
};

static int cast_tx(struct db *db, void *arg, struct err *e)
{
    struct cast_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    char hash[CRED_HASH_HEX + 1];
    struct hc_voter voter;
    int rc = voter_of(c->env, c->actor, hash, &voter, e);
    if (rc)
        return rc;
    /* The article's row lock first: every vote change of one article queues here, so the read
     * of the voter's current vote below and the delta applied after it cannot interleave with
     * another transaction's (on SQLite the one writer already guarantees it). */
    struct hc_feedback_article art;
    rc = visible_article(db, &c->actor->subject, c->article_id, true, &art, e);
    rc = rc ? rc : published(&art, "votes", e);
    if (rc)
        return rc;
    struct hc_vote v;
    rc = hc_feedback_store_vote_find(db, c->article_id, &voter, &v, e);
    if (rc == 0) {
        *c->created = false;
        if (v.value == c->value) { /* the same vote again: nothing changes */
            *c->out = v;
            return 0;
        }
        rc = hc_feedback_store_vote_set(db, v.id, c->value, now, e);
        rc = rc ? rc : hc_feedback_store_counts_add(db, c->article_id, c->value - v.value, 0, e);
        if (rc)
            return rc;
        v.value = c->value;
        v.updated_at = now;
        *c->out = v;
        return 0;
    }
    if (rc != ERR_NOT_FOUND)
        return rc;
    err_clear(e);
    if (!voter.user_id) {
        bool known = false;
        rc = hc_feedback_store_voter_known(db, voter.voter_hash, &known, e);
        if (!rc && !known)
            rc = anon_rate(db, c->actor, now, c->retry_after, e);
        if (rc)
            return rc;
    }
    rc = hc_feedback_store_vote_insert(db, c->article_id, &voter, c->value, now, c->out, e);
    rc = rc ? rc : hc_feedback_store_counts_add(db, c->article_id, c->value, 1, e);
    if (rc == ERR_CONFLICT) /* cannot happen under the lock; if it did, retrying is right */
        rc = err_set(e, ERR_BUSY, NULL, "the vote was cast meanwhile");
    if (!rc)
        *c->created = true;
    return rc;
}

int hc_vote_cast(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                 int64_t article_id, int value, struct hc_vote *out, bool *created,
                 int64_t *retry_after, struct err *e)
{
    if (value != 1 && value != -1)
        return err_set(e, ERR_INVALID, "value", "a vote is 1 (up) or -1 (down)");
    struct cast_ctx c = {env, actor, article_id, value, out, created, retry_after};
    return db_transact(db, DB_TX_WRITE, cast_tx, &c, e);
}

struct mine_ctx {
    const struct env *env;
    const struct hc_feedback_actor *actor;
    int64_t article_id;
    struct hc_vote *out;
    bool *found;
};

static int mine_tx(struct db *db, void *arg, struct err *e)
{
    struct mine_ctx *c = arg;
    struct hc_feedback_article art;
    int rc = visible_article(db, &c->actor->subject, c->article_id, false, &art, e);
    if (rc)
        return rc;
    *c->found = false;
    if (!c->actor->subject.user_id && (!c->actor->voter_secret || !c->actor->voter_secret[0]))
        return 0;
    char hash[CRED_HASH_HEX + 1];
    struct hc_voter voter;
    rc = voter_of(c->env, c->actor, hash, &voter, e);
    rc = rc ? rc : hc_feedback_store_vote_find(db, c->article_id, &voter, c->out, e);
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        return 0;
    }
    if (!rc)
        *c->found = true;
    return rc;
}

int hc_vote_mine(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                 int64_t article_id, struct hc_vote *out, bool *found, struct err *e)
{
    struct mine_ctx c = {env, actor, article_id, out, found};
    return db_transact(db, DB_TX_READ, mine_tx, &c, e);
}

struct withdraw_ctx {
    const struct env *env;
    const struct hc_feedback_actor *actor;
    int64_t id;
};

/* Is v the actor's own vote? */
static bool own_vote(const struct env *env, const struct hc_feedback_actor *actor,
                     const struct hc_vote *v)
{
    if (actor->subject.user_id)
        return v->user_id == actor->subject.user_id;
    if (!actor->voter_secret || !actor->voter_secret[0] || !v->voter_hash[0])
        return false;
    char hash[CRED_HASH_HEX + 1];
    auth_hash_secret(env, actor->voter_secret, strlen(actor->voter_secret), hash);
    return strcmp(hash, v->voter_hash) == 0;
}

static int withdraw_tx(struct db *db, void *arg, struct err *e)
{
    struct withdraw_ctx *c = arg;
    struct hc_vote v;
    int rc = hc_feedback_store_vote_get(db, c->id, &v, e);
    if (rc)
        return rc;
    if (!access_is_staff(&c->actor->subject) && !own_vote(c->env, c->actor, &v))
        return err_set(e, ERR_NOT_FOUND, NULL, "vote %lld not found", (long long)c->id);
    /* Lock the article, then read the vote again: it may have changed while we waited. */
    struct hc_feedback_article art;
    rc = hc_feedback_store_article(db, v.article_id, true, &art, e);
    rc = rc ? rc : hc_feedback_store_vote_get(db, c->id, &v, e);
    rc = rc ? rc : hc_feedback_store_vote_delete(db, c->id, e);
    return rc ? rc : hc_feedback_store_counts_add(db, v.article_id, -v.value, -1, e);
}

int hc_vote_withdraw(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                     int64_t id, struct err *e)
{
    struct withdraw_ctx c = {env, actor, id};
    return db_transact(db, DB_TX_WRITE, withdraw_tx, &c, e);
}

struct list_ctx {
    const struct access_subject *s;
    int64_t article_id, offset;
    size_t limit;
    struct arena *a;
    void *out;
    size_t *n;
    int64_t *total;
};

static int votes_list_tx(struct db *db, void *arg, struct err *e)
{
    struct list_ctx *c = arg;
    struct hc_feedback_article art;
    int rc = visible_article(db, c->s, c->article_id, false, &art, e);
    return rc ? rc
              : hc_feedback_store_votes_list(db, c->article_id, c->offset, c->limit, c->out, c->n,
                                             c->total, e);
}

int hc_votes_list(struct db *db, const struct access_subject *s, int64_t article_id, int64_t offset,
                  size_t limit, struct hc_vote *out, size_t *n, int64_t *total, struct err *e)
{
    if (!access_is_staff(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "the list of votes is for staff");
    struct list_ctx c = {s, article_id, offset, limit, NULL, out, n, total};
    return db_transact(db, DB_TX_READ, votes_list_tx, &c, e);
}

/* ---- comments -------------------------------------------------------------------------------- */

static int comments_list_tx(struct db *db, void *arg, struct err *e)
{
    struct list_ctx *c = arg;
    struct hc_feedback_article art;
    int rc = visible_article(db, c->s, c->article_id, false, &art, e);
    return rc ? rc
              : hc_feedback_store_comments_list(db, c->article_id, access_is_staff(c->s), c->offset,
                                                c->limit, c->a, c->out, c->n, c->total, e);
}

int hc_comments_list(struct db *db, const struct access_subject *s, int64_t article_id,
                     int64_t offset, size_t limit, struct arena *a, struct hc_comment *out,
                     size_t *n, int64_t *total, struct err *e)
{
    struct list_ctx c = {s, article_id, offset, limit, a, out, n, total};
    return db_transact(db, DB_TX_READ, comments_list_tx, &c, e);
}

/* Comment id of article_id as s may see it: hidden ones are staff's only. */
static int visible_comment(struct db *db, const struct access_subject *s, int64_t article_id,
                           int64_t id, bool lock, struct arena *a, struct hc_feedback_article *art,
                           struct hc_comment *out, struct err *e)
{
    int rc = visible_article(db, s, article_id, lock, art, e);
    rc = rc ? rc : hc_feedback_store_comment_get(db, article_id, id, a, out, e);
    if (!rc && out->hidden && !access_is_staff(s))
        rc = ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_NOT_FOUND, NULL, "comment %lld not found", (long long)id);
    return rc;
}

struct comment_ctx {
    const struct env *env;
    const struct hc_feedback_actor *actor;
    int64_t article_id, id;
    const struct hc_comment_req *req;
    const char *body, *html; /* checked and rendered before the transaction */
    struct arena *a;
    struct hc_comment *out;
};

static int comment_get_tx(struct db *db, void *arg, struct err *e)
{
    struct comment_ctx *c = arg;
    struct hc_feedback_article art;
    return visible_comment(db, &c->actor->subject, c->article_id, c->id, false, c->a, &art, c->out,
                           e);
}

int hc_comment_get(struct db *db, const struct access_subject *s, int64_t article_id, int64_t id,
                   struct arena *a, struct hc_comment *out, struct err *e)
{
    struct hc_feedback_actor actor = {.subject = *s};
    struct comment_ctx c = {
        .actor = &actor, .article_id = article_id, .id = id, .a = a, .out = out};
    return db_transact(db, DB_TX_READ, comment_get_tx, &c, e);
}

/* Check a comment's Markdown and render it (outside any transaction: rendering is CPU work that
 * must not hold the writer). */
static int render_body(const char *body, struct arena *a, const char **html, struct err *e)
{
    size_t len = strlen(body);
    if (len == strspn(body, " \t\r\n\f\v"))
        return err_set(e, ERR_INVALID, "comment.body", "body must not be empty");
    if (len > HC_COMMENT_MAX)
        return err_set(e, ERR_INVALID, "comment.body", "body must be at most %u bytes",
                       HC_COMMENT_MAX);
    if (!utf8_valid(body, len))
        return err_set(e, ERR_INVALID, "comment.body", "body must be UTF-8");
    struct buf out;
    buf_init(&out, 16 * (size_t)HC_COMMENT_MAX);
    int rc = markdown_to_html(body, len, &out, e);
    if (!rc) {
        const char *h = buf_cstr(&out);
        char *copy = arena_strndup(a, h, strlen(h));
        if (!copy)
            rc = err_set(e, ERR_LIMIT, "comment.body", "body is too long for this request");
        *html = copy;
    }
    if (rc == ERR_LIMIT && !e->field[0])
        rc = err_set(e, ERR_INVALID, "comment.body", "body renders to too much HTML");
    buf_release(&out);
    return rc;
}

static int comments_closed(struct err *e)
{
    /* The message is the sentence the article page shows (issue 7). */
    return err_reason(e, err_set(e, ERR_FORBIDDEN, NULL, "Article is closed for comments."),
                      "comments_disabled");
}

static int comment_create_tx(struct db *db, void *arg, struct err *e)
{
    struct comment_ctx *c = arg;
    struct hc_feedback_article art;
    int rc = visible_article(db, &c->actor->subject, c->article_id, true, &art, e);
    rc = rc ? rc : published(&art, "comments", e);
    if (rc)
        return rc;
    if (art.comments_disabled)
        return comments_closed(e);
    return hc_feedback_store_comment_insert(db, c->article_id, c->actor->subject.user_id, c->body,
                                            c->html, c->env->now(c->env), c->a, c->out, e);
}

int hc_comment_create(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                      int64_t article_id, const char *body, struct arena *a, struct hc_comment *out,
                      struct err *e)
{
    if (!actor->subject.user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to comment");
    if (!body)
        return err_set(e, ERR_INVALID, "comment.body", "body is required");
    const char *html = NULL;
    int rc = render_body(body, a, &html, e);
    if (rc)
        return rc;
    struct comment_ctx c = {env, actor, article_id, 0, NULL, body, html, a, out};
    return db_transact(db, DB_TX_WRITE, comment_create_tx, &c, e);
}

static int audit_comment(struct db *db, const struct hc_feedback_actor *actor, int64_t now,
                         const char *action, const struct hc_comment *cm, const char *detail,
                         struct err *e)
{
    struct audit_entry entry = {.at = now,
                                .actor_id = actor->subject.user_id,
                                .action = action,
                                .target_type = "hc_comment",
                                .target_id = cm->id,
                                .ip = actor->ip,
                                .detail = detail};
    return audit_append(db, &entry, e);
}

static int comment_update_tx(struct db *db, void *arg, struct err *e)
{
    struct comment_ctx *c = arg;
    const struct access_subject *s = &c->actor->subject;
    bool staff = access_is_staff(s);
    struct hc_feedback_article art;
    struct hc_comment cm;
    int rc = visible_comment(db, s, c->article_id, c->id, true, c->a, &art, &cm, e);
    if (rc)
        return rc;
    if (c->body && cm.author_id != s->user_id)
        return err_set(e, ERR_FORBIDDEN, "comment.body", "only its author edits a comment");
    if (c->body && art.comments_disabled)
        return comments_closed(e);
    if (c->req->hidden_given && !staff)
        return err_set(e, ERR_FORBIDDEN, "comment.hidden", "only staff hide comments");
    bool hide = c->req->hidden_given && c->req->hidden != cm.hidden;
    int64_t now = c->env->now(c->env);
    if (c->body || hide)
        rc = hc_feedback_store_comment_update(db, cm.id, c->body, c->html,
                                              hide ? c->req->hidden : -1, now, e);
    if (!rc && hide) {
        char detail[96];
        snprintf(detail, sizeof detail, "{\"article_id\":%lld,\"hidden\":%s}",
                 (long long)c->article_id, c->req->hidden ? "true" : "false");
        rc = audit_comment(db, c->actor, now, "hc.comment.hidden", &cm, detail, e);
    }
    return rc ? rc : hc_feedback_store_comment_get(db, c->article_id, c->id, c->a, c->out, e);
}

int hc_comment_update(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                      int64_t article_id, int64_t id, const struct hc_comment_req *req,
                      struct arena *a, struct hc_comment *out, struct err *e)
{
    if (!actor->subject.user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to change a comment");
    const char *html = NULL;
    if (req->body) {
        int rc = render_body(req->body, a, &html, e);
        if (rc)
            return rc;
    }
    struct comment_ctx c = {env, actor, article_id, id, req, req->body, html, a, out};
    return db_transact(db, DB_TX_WRITE, comment_update_tx, &c, e);
}

static int comment_delete_tx(struct db *db, void *arg, struct err *e)
{
    struct comment_ctx *c = arg;
    const struct access_subject *s = &c->actor->subject;
    struct hc_feedback_article art;
    struct hc_comment cm;
    int rc = visible_comment(db, s, c->article_id, c->id, false, c->a, &art, &cm, e);
    if (rc)
        return rc;
    bool own = cm.author_id == s->user_id;
    if (!own && !access_is_staff(s))
        return err_set(e, ERR_FORBIDDEN, NULL, "only its author or staff delete a comment");
    rc = hc_feedback_store_comment_delete(db, cm.id, e);
    if (!rc && access_is_staff(s)) {
        char detail[96];
        snprintf(detail, sizeof detail, "{\"article_id\":%lld,\"author_id\":%lld}",
                 (long long)c->article_id, (long long)cm.author_id);
        rc = audit_comment(db, c->actor, c->env->now(c->env), "hc.comment.deleted", &cm, detail, e);
    }
    return rc;
}

int hc_comment_delete(const struct env *env, struct db *db, const struct hc_feedback_actor *actor,
                      int64_t article_id, int64_t id, struct err *e)
{
    if (!actor->subject.user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to delete a comment");
    struct comment_ctx c = {.env = env, .actor = actor, .article_id = article_id, .id = id};
    struct arena scratch;
    arena_init(&scratch, 2 * (size_t)HC_COMMENT_MAX + (1u << 20));
    c.a = &scratch;
    int rc = db_transact(db, DB_TX_WRITE, comment_delete_tx, &c, e);
    arena_release(&scratch);
    return rc;
}
