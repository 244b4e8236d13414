/* Live chat over tickets: see chat.h for the rules. Refusals (ban, refused account, staff,
 * unavailable) are decided at the start of the one write transaction, before any row is
 * written, so a refused start leaves nothing behind (not even a new end-user). */
#include "service/chat.h"

#include "core/calendar.h"
#include "core/email_addr.h"
#include "service/bans.h"
#include "service/calendar_cache.h"
#include "service/misuse.h"
#include "service/tickets.h"
#include "store/organizations.h"
#include "store/users.h"

#include <stdio.h>
#include <string.h>

#define SUBJECT_PREVIEW 60 /* bytes of the first message shown in the ticket's subject */

bool chat_visible(const struct chat_actor *actor, const struct chat_session *c)
{
    if (actor->subject.user_id)
        return access_is_staff(&actor->subject) || actor->subject.user_id == c->requester_id;
    return actor->visitor_chat_id && actor->visitor_chat_id == c->id;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

/* ---- availability ------------------------------------------------------------------------- */

static int availability(const struct env *env, struct db *db, int64_t now,
                        struct chat_availability *out, struct err *e)
{
    const struct calendar *cal;
    struct calendar_ref *ref;
    int rc = calendar_cache_acquire(env, db, &cal, &ref, e);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    int64_t until = 0, opens = 0;
    out->open = cal_open_until(cal, now, &until) == 0;
    if (!out->open && cal_next_open(cal, now, &opens) == 0)
        out->opens_at = opens;
    snprintf(out->label, sizeof out->label, "%s", cal_spec_of(cal)->label);
    calendar_cache_release(ref);
    rc = chat_store_online_count(db, now - CHAT_PRESENCE_TTL, &out->agents_online, e);
    out->available = !rc && out->open && out->agents_online > 0;
    return rc;
}

int chat_availability_now(const struct env *env, struct db *db, struct chat_availability *out,
                          struct err *e)
{
    return availability(env, db, env->now(env), out, e);
}

/* ---- starting ----------------------------------------------------------------------------- */

struct start_ctx {
    const struct env *env;
    const struct chat_actor *actor;
    const struct chat_start_req *req;
    struct chat_session *out;
    char *token;
};

/* The policy's refusals for this person (or, for a new visitor, this address). */
static int check_refusals(struct db *db, const struct user *u, const char *email, struct err *e)
{
    struct bans_status ban;
    int rc =
        u ? bans_user_status(db, u, email, &ban, e) : bans_requester_status(db, 0, email, &ban, e);
    if (rc)
        return rc;
    if (ban.banned)
        return err_reason(e, err_set(e, ERR_FORBIDDEN, NULL, "%s", bans_notice_text()),
                          "requester_banned");
    if (u && u->organization_id) {
        struct organization o;
        if ((rc = organizations_get(db, u->organization_id, &o, e)))
            return rc;
        if (o.service_refused)
            return err_reason(e,
                              err_set(e, ERR_FORBIDDEN, NULL, "%s", misuse_refusal_notice_text()),
                              "service_refused");
    }
    return 0;
}

/* The requester: the signed-in end-user, or the visitor's end-user by email (created when
 * new, after the refusals). */
static int requester_of(struct db *db, struct start_ctx *c, int64_t now, struct user *out,
                        struct err *e)
{
    int rc;
    if (c->actor->subject.user_id) {
        if (access_is_staff(&c->actor->subject))
            return err_set(e, ERR_FORBIDDEN, NULL, "staff answer chats; they do not start them");
        if ((rc = users_get(db, c->actor->subject.user_id, out, e)))
            return rc;
        return check_refusals(db, out, NULL, e);
    }
    rc = users_find_by_email(db, c->req->email, out, NULL, e);
    if (rc == 0) {
        if (strcmp(out->role, "end-user") != 0)
            return err_set(e, ERR_INVALID, "chat.email",
                           "this address belongs to a staff account: sign in instead");
        return check_refusals(db, out, c->req->email, e);
    }
    if (rc != ERR_NOT_FOUND)
        return rc;
    err_clear(e);
    if ((rc = check_refusals(db, NULL, c->req->email, e)))
        return rc;
    struct user_new nu = {.name = c->req->name, .email = c->req->email, .role = "end-user"};
    return users_insert(db, &nu, now, out, e);
}

static int start_tx(struct db *db, void *arg, struct err *e)
{
    struct start_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct user requester;
    int rc = requester_of(db, c, now, &requester, e);
    if (rc)
        return rc;
    /* A cap per person: a visitor's form cannot be used to open chats (and tickets) without end
     * under one address. */
    struct chat_session open[CHAT_OPEN_MAX];
    size_t n_open = 0;
    if ((rc = chat_store_list(db, NULL, requester.id, open, CHAT_OPEN_MAX, &n_open, e)))
        return rc;
    if (n_open >= CHAT_OPEN_MAX)
        return err_set(e, ERR_CONFLICT, "chat",
                       "%d chats are open for this person already: end one first", CHAT_OPEN_MAX);
    struct chat_availability av;
    if ((rc = availability(c->env, db, now, &av, e)))
        return rc;
    if (!av.available)
        return err_reason(e,
                          err_set(e, ERR_CONFLICT, "chat",
                                  av.open ? "nobody is online to chat right now: leave a message"
                                          : "support is closed now: leave a message"),
                          "chat_unavailable");
    char subject[160];
    size_t n = strlen(c->req->message);
    n = n > SUBJECT_PREVIEW ? SUBJECT_PREVIEW : n;
    while (n && ((unsigned char)c->req->message[n] & 0xC0) == 0x80) /* whole UTF-8 characters */
        n--;
    snprintf(subject, sizeof subject, "Chat: %.*s%s", (int)n, c->req->message,
             n < strlen(c->req->message) ? "..." : "");
    for (char *p = subject; *p; p++)
        if (*p == '\r' || *p == '\n' || *p == '\t')
            *p = ' ';
    struct tickets_actor ta = {.channel = TICKET_CHANNEL_CHAT};
    ta.subject.user_id = requester.id;
    ta.subject.organization_id = requester.organization_id;
    ta.subject.role = ACCESS_END_USER;
    if (requester.account_role[0])
        access_account_role_parse(requester.account_role, strlen(requester.account_role),
                                  &ta.subject.account_role);
    struct tickets_create_req tr = {.subject = subject,
                                    .comment = {.body = c->req->message, .is_public = 1}};
    struct arena a;
    arena_init(&a, 4u << 20);
    struct ticket t;
    rc = tickets_create_tx(c->env, db, &ta, &tr, &a, &t, e);
    int64_t ticket_id = t.id;
    arena_release(&a);
    if (rc)
        return rc;
    char hash[CRED_HASH_HEX + 1];
    c->token[0] = '\0';
    if (!c->actor->subject.user_id) {
        auth_new_secret(c->env, c->token);
        auth_hash_secret(c->env, c->token, strlen(c->token), hash);
    }
    return chat_store_insert(db, ticket_id, requester.id, c->token[0] ? hash : NULL, now, c->out,
                             e);
}

static int check_start(const struct chat_actor *actor, const struct chat_start_req *req,
                       struct err *e)
{
    if (!req->message || blank(req->message))
        return err_set(e, ERR_INVALID, "chat.message", "write a first message");
    if (strlen(req->message) > CHAT_MESSAGE_MAX)
        return err_set(e, ERR_INVALID, "chat.message", "a message is at most %d bytes",
                       CHAT_MESSAGE_MAX);
    if (actor->subject.user_id)
        return 0;
    if (!req->name || blank(req->name) || strlen(req->name) > USER_NAME_MAX)
        return err_set(e, ERR_INVALID, "chat.name", "give your name (1 to %d characters)",
                       USER_NAME_MAX);
    if (!req->email || !email_addr_valid(req->email, strlen(req->email)))
        return err_set(e, ERR_INVALID, "chat.email",
                       "give your email address, like name@example.com");
    return 0;
}

int chat_start(const struct env *env, struct db *db, const struct chat_actor *actor,
               const struct chat_start_req *req, struct chat_session *out,
               char visitor_token[AUTH_SECRET_LEN + 1], struct err *e)
{
    int rc = check_start(actor, req, e);
    if (rc)
        return rc;
    struct start_ctx c = {
        .env = env, .actor = actor, .req = req, .out = out, .token = visitor_token};
    return db_transact(db, DB_TX_WRITE, start_tx, &c, e);
}

int chat_visitor_resolve(const struct env *env, struct db *db, const char *token, int64_t *chat_id,
                         struct err *e)
{
    if (!token || strlen(token) != AUTH_SECRET_LEN)
        return err_set(e, ERR_NOT_FOUND, NULL, "no such chat");
    char hash[CRED_HASH_HEX + 1];
    auth_hash_secret(env, token, strlen(token), hash);
    struct chat_session s;
    int rc = chat_store_by_token(db, hash, &s, e);
    if (!rc)
        *chat_id = s.id;
    return rc;
}

/* ---- reading ------------------------------------------------------------------------------ */

static int visible_chat(struct db *db, const struct chat_actor *actor, int64_t id,
                        struct chat_session *out, struct err *e)
{
    int rc = chat_store_get(db, id, out, e);
    if (!rc && !chat_visible(actor, out))
        rc = err_set(e, ERR_NOT_FOUND, NULL, "no such chat");
    return rc;
}

int chat_get(struct db *db, const struct chat_actor *actor, int64_t id, struct chat_session *out,
             struct err *e)
{
    return visible_chat(db, actor, id, out, e);
}

int chat_list(struct db *db, const struct chat_actor *actor, const char *status,
              struct chat_session *out, size_t *n, struct err *e)
{
    if (status && strcmp(status, "waiting") != 0 && strcmp(status, "active") != 0 &&
        strcmp(status, "ended") != 0)
        return err_set(e, ERR_INVALID, "status", "status must be waiting, active or ended");
    if (access_is_staff(&actor->subject))
        return chat_store_list(db, status ? status : "waiting", 0, out, CHAT_LIST_MAX, n, e);
    if (actor->subject.user_id)
        return chat_store_list(db, status, actor->subject.user_id, out, CHAT_LIST_MAX, n, e);
    *n = 0;
    if (!actor->visitor_chat_id)
        return 0;
    int rc = chat_store_get(db, actor->visitor_chat_id, &out[0], e);
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        return 0;
    }
    if (!rc && (!status || strcmp(status, out[0].status) == 0) &&
        (status || strcmp(out[0].status, "ended") != 0))
        *n = 1;
    return rc;
}

int chat_messages(struct db *db, const struct chat_session *chat, int64_t after, struct arena *a,
                  struct chat_message *out, size_t max, size_t *n, struct err *e)
{
    return chat_store_messages(db, chat->ticket_id, after, a, out, max, n, e);
}

/* ---- writing ------------------------------------------------------------------------------ */

/* waiting -> active by a staff member, who takes the chat's ticket when nobody has it yet (as
 * Zendesk's chat does: the agent who served it answers any follow-up). */
static int accept_tx(const struct env *env, struct db *db, const struct access_subject *staff,
                     const struct chat_session *chat, int64_t now, struct err *e)
{
    int rc = chat_store_accept(db, chat->id, staff->user_id, now, e);
    struct arena a;
    arena_init(&a, 4u << 20);
    struct ticket t;
    if (!rc)
        rc = tickets_get(db, chat->ticket_id, false, &a, &t, e);
    if (!rc && !t.assignee_id && strcmp(t.status, "closed") != 0) {
        struct tickets_actor ta = {.subject = *staff, .channel = TICKET_CHANNEL_CHAT};
        struct tickets_update_req ur = {.assignee = {.given = true, .id = staff->user_id}};
        bool follow_up = false;
        rc = tickets_update_tx(env, db, &ta, chat->ticket_id, &ur, &a, &t, &follow_up, e);
    }
    arena_release(&a);
    return rc;
}

struct post_ctx {
    const struct env *env;
    const struct chat_actor *actor;
    int64_t id;
    const char *body;
    struct arena *a;
    struct chat_message *msg;
    struct chat_session *chat;
};

/* The id of the newest public comment author wrote on ticket_id: the one just written, inside
 * this transaction (tickets_update does not hand it back). */
static int newest_by(struct db *db, int64_t ticket_id, int64_t author, int64_t *out, struct err *e)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "SELECT coalesce(max(id), 0) FROM ticket_comments WHERE ticket_id = ? "
                        "AND author_id = ? AND public = 1",
                        &st, e);
    if (rc)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, author);
    rc = db_step(st, e);
    *out = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* Tell the other server processes' stream hubs that chat id moved: sent when this transaction
 * commits (db.h), so a listener that reads the chat then sees the change. */
static int notify_chat(struct db *db, int64_t id, struct err *e)
{
    char payload[24];
    snprintf(payload, sizeof payload, "%lld", (long long)id);
    return db_notify(db, CHAT_NOTIFY_CHANNEL, payload, e);
}

static int post_tx(struct db *db, void *arg, struct err *e)
{
    struct post_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc = visible_chat(db, c->actor, c->id, c->chat, e);
    if (rc)
        return rc;
    if (strcmp(c->chat->status, "ended") == 0)
        return err_set(e, ERR_CONFLICT, "chat.status", "the chat has ended");
    bool staff = access_is_staff(&c->actor->subject);
    struct tickets_actor ta = {.channel = TICKET_CHANNEL_CHAT};
    if (staff) {
        ta.subject = c->actor->subject;
        if (strcmp(c->chat->status, "waiting") == 0 &&
            (rc = accept_tx(c->env, db, &ta.subject, c->chat, now, e)))
            return rc;
    } else {
        struct user u;
        if ((rc = users_get(db, c->chat->requester_id, &u, e)))
            return rc;
        ta.subject.user_id = u.id;
        ta.subject.organization_id = u.organization_id;
        ta.subject.role = ACCESS_END_USER;
        if (u.account_role[0])
            access_account_role_parse(u.account_role, strlen(u.account_role),
                                      &ta.subject.account_role);
    }
    struct ticket t;
    if ((rc = tickets_get(db, c->chat->ticket_id, false, c->a, &t, e)))
        return rc;
    if (strcmp(t.status, "closed") == 0)
        return err_set(e, ERR_CONFLICT, "chat.status", "the chat's ticket is closed");
    struct tickets_update_req ur = {.comment = {.body = c->body, .is_public = 1},
                                    .suppress_mail = staff};
    bool follow_up = false;
    if ((rc = tickets_update_tx(c->env, db, &ta, c->chat->ticket_id, &ur, c->a, &t, &follow_up, e)))
        return rc;
    int64_t cid;
    if ((rc = newest_by(db, c->chat->ticket_id, ta.subject.user_id, &cid, e)))
        return rc;
    if ((rc = chat_store_message(db, c->chat->ticket_id, cid, c->a, c->msg, e)) ||
        (rc = notify_chat(db, c->id, e)))
        return rc;
    return chat_store_get(db, c->id, c->chat, e);
}

int chat_post(const struct env *env, struct db *db, const struct chat_actor *actor, int64_t id,
              const char *body, struct arena *a, struct chat_message *msg,
              struct chat_session *chat, struct err *e)
{
    if (!body || blank(body))
        return err_set(e, ERR_INVALID, "message.body", "a message needs some text");
    if (strlen(body) > CHAT_MESSAGE_MAX)
        return err_set(e, ERR_INVALID, "message.body", "a message is at most %d bytes",
                       CHAT_MESSAGE_MAX);
    struct post_ctx c = {
        .env = env, .actor = actor, .id = id, .body = body, .a = a, .msg = msg, .chat = chat};
    return db_transact(db, DB_TX_WRITE, post_tx, &c, e);
}

struct change_ctx {
    const struct env *env;
    const struct chat_actor *actor;
    int64_t id;
    bool accept; /* accept, else end */
    struct chat_session *out;
};

static int change_tx(struct db *db, void *arg, struct err *e)
{
    struct change_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc = visible_chat(db, c->actor, c->id, c->out, e);
    if (!rc)
        rc = c->accept ? accept_tx(c->env, db, &c->actor->subject, c->out, now, e)
                       : chat_store_end(db, c->id, c->actor->subject.user_id, now, e);
    if (!rc)
        rc = notify_chat(db, c->id, e);
    return rc ? rc : chat_store_get(db, c->id, c->out, e);
}

int chat_accept(const struct env *env, struct db *db, const struct chat_actor *actor, int64_t id,
                struct chat_session *out, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff accept chats");
    struct change_ctx c = {.env = env, .actor = actor, .id = id, .accept = true, .out = out};
    return db_transact(db, DB_TX_WRITE, change_tx, &c, e);
}

int chat_end(const struct env *env, struct db *db, const struct chat_actor *actor, int64_t id,
             struct chat_session *out, struct err *e)
{
    struct change_ctx c = {.env = env, .actor = actor, .id = id, .accept = false, .out = out};
    return db_transact(db, DB_TX_WRITE, change_tx, &c, e);
}

/* ---- presence ----------------------------------------------------------------------------- */

struct presence_ctx {
    const struct env *env;
    int64_t user_id;
    const char *status;
};

static int presence_tx(struct db *db, void *arg, struct err *e)
{
    struct presence_ctx *c = arg;
    return chat_store_presence_set(db, c->user_id, c->status, c->env->now(c->env), e);
}

int chat_presence_set(const struct env *env, struct db *db, const struct chat_actor *actor,
                      const char *status, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff set a chat presence");
    if (!status || (strcmp(status, "online") != 0 && strcmp(status, "away") != 0))
        return err_set(e, ERR_INVALID, "presence.status", "status must be online or away");
    struct presence_ctx c = {.env = env, .user_id = actor->subject.user_id, .status = status};
    return db_transact(db, DB_TX_WRITE, presence_tx, &c, e);
}

int chat_presence_get(const struct env *env, struct db *db, const struct chat_actor *actor,
                      char status[CHAT_STATUS_MAX + 1], int64_t *updated_at, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff have a chat presence");
    int rc = chat_store_presence_get(db, actor->subject.user_id, status, updated_at, e);
    if (!rc && strcmp(status, "online") == 0 && *updated_at < env->now(env) - CHAT_PRESENCE_TTL)
        memcpy(status, "away", sizeof "away");
    return rc;
}
