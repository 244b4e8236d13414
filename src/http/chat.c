/* Live chat through the API (issue 6; service/chat.h):
 *
 *   GET  /api/v2/chat/availability             anyone: open?, agents online, when support opens
 *   GET  /api/v2/chat/presence                 staff: their presence
 *   PUT  /api/v2/chat/presence                 staff: {"status": "online"|"away"}
 *   GET  /api/v2/chat/sessions?status=         staff: by status (waiting first); requesters and
 *                                              visitors: their own chats not ended
 *   POST /api/v2/chat/sessions                 start: {"chat": {"message", "name", "email"}}
 *   GET  /api/v2/chat/sessions/{id}            one chat
 *   POST /api/v2/chat/sessions/{id}/messages   {"message": {"body": "..."}}
 *   GET  /api/v2/chat/sessions/{id}/stream     text/event-stream of the chat
 *   POST /api/v2/chat/sessions/{id}/accept     staff
 *   POST /api/v2/chat/sessions/{id}/end        anyone who may see the chat
 *
 * A visitor (anonymous starter) holds the chat-scoped secret in the HttpOnly cookie fd_chat
 * (Path /api/v2/chat, SameSite=Strict); like the session cookie, a write it authenticates must
 * carry X-CSRF-Token, derived from the secret and handed out with the start and list answers.
 *
 * Streams. Server-sent events without a worker per stream: the answer is a libmicrohttpd content
 * reader; when a stream has nothing to send the reader suspends its connection and returns 0
 * (the documented pattern: a reader that returns 0 without suspending makes the daemon busy-loop),
 * and a suspended connection neither holds a thread nor times out. The hub (one per process, a
 * mutex over chat id -> the streams open on it) resumes them: at once from the thread that posted
 * a message through this process, and from its poll thread for what other server processes
 * wrote. On PostgreSQL that thread LISTENs on CHAT_NOTIFY_CHANNEL (a connection of its own; the
 * service's write transactions NOTIFY the chat id on commit) and waits on that socket with
 * poll(2): a notification for a chat with streams here re-reads that one chat and resumes them at
 * once. A notification can be lost (the listening connection drops), so one query over the chats
 * not ended still runs every FALLBACK_POLL_NS, at once after the listener reconnects, and every
 * second while it cannot: a lost notification makes a message late, never lost. On SQLite (one
 * process per database) that query runs every second, as the only way. The poll thread also
 * resumes a stream parked for HEARTBEAT_NS to send ": ping", so proxies keep it open and a
 * client that went away is found. Event ids are message (comment) ids; Last-Event-ID resends
 * what came after it. A stream ends after the chat's "end" event, and at shutdown (a byte on the
 * hub's wake pipe ends the poll thread's wait).
 *
 * Lock order: hub.mu, then libmicrohttpd's own (MHD_suspend/resume_connection take it briefly
 * and call nothing of ours). A stream is resumed only while marked suspended under hub.mu, and
 * leaves the hub under hub.mu when libmicrohttpd frees its response, so nobody resumes a
 * connection that is gone.
 */
#include "http/handlers.h"

#include "base/log.h"
#include "base/xalloc.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/render.h"
#include "http/server.h"
#include "service/auth.h"
#include "service/chat.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define VISITOR_COOKIE         "fd_chat"
#define VISITOR_COOKIE_MAX_AGE (7 * 86400)
/* ": ping" after this long without a write, or after half the server's idle timeout when that is
 * shorter: a parked connection does not time out, but the write after a resume must come well
 * within the timeout counted from the last one. */
#define HEARTBEAT_NS      (25 * 1000000000LL)
#define POLL_ENDED_WINDOW 120 /* seconds an ended chat stays in the poll */
#define POLL_ROWS_MAX     20000
#define STREAM_BATCH      200 /* messages read per step of a stream */
#define HUB_BUCKETS       1024
#define STREAM_RETRY_MS   2000

/* Heartbeat checks, and the database poll when it is the only news (SQLite, or no LISTEN). */
#define POLL_INTERVAL_NS 1000000000LL
/* The database poll while LISTENing: only for notifications lost with the connection. */
#define FALLBACK_POLL_NS (10 * 1000000000LL)

/* ---- the hub ------------------------------------------------------------------------------ */

struct hub_chat;

struct stream {
    struct stream *prev, *next; /* the chat's streams */
    struct hub_chat *chat;
    struct MHD_Connection *conn;
    const struct env *env;
    int64_t chat_id;
    int64_t ticket_id;
    int64_t last_id;     /* the last message id sent (or the client's Last-Event-ID) */
    int64_t seen_latest; /* hub chat's latest_id as of the last read from the database */
    bool started;
    bool accepted_sent, ended_sent, finished;
    bool suspended; /* under hub.mu */
    bool ping_due;  /* under hub.mu */
    int64_t last_write_ns;
    struct buf out;
    size_t out_off;
};

struct hub_chat {
    struct hub_chat *next; /* bucket chain */
    int64_t id;
    int64_t latest_id; /* newest message id known to exist */
    bool accepted, ended;
    struct stream *streams;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
    bool poller_started;
    pthread_t poller;
    int wake_fd[2]; /* a pipe: shutdown writes a byte to end the listening poll thread's wait */
    const struct env *env;
    int64_t heartbeat_ns;
    struct hub_chat *buckets[HUB_BUCKETS];
    unsigned streams;
} hub = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .wake_fd = {-1, -1}};

static struct hub_chat **bucket_of(int64_t id)
{
    return &hub.buckets[(uint64_t)id % HUB_BUCKETS];
}

/* Under hub.mu. */
static struct hub_chat *hub_find(int64_t id)
{
    for (struct hub_chat *c = *bucket_of(id); c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

/* Under hub.mu: resume every parked stream of c. */
static void wake_chat(struct hub_chat *c)
{
    for (struct stream *s = c->streams; s; s = s->next)
        if (s->suspended) {
            s->suspended = false;
            MHD_resume_connection(s->conn);
        }
}

/* A chat changed (a message posted, accepted, ended) through this process: wake its streams
 * now. */
static void hub_notify(int64_t chat_id, int64_t message_id, bool accepted, bool ended)
{
    pthread_mutex_lock(&hub.mu);
    struct hub_chat *c = hub_find(chat_id);
    if (c) {
        if (message_id > c->latest_id)
            c->latest_id = message_id;
        c->accepted |= accepted;
        c->ended |= ended;
        wake_chat(c);
    }
    pthread_mutex_unlock(&hub.mu);
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Under hub.mu: heartbeats due; whether any stream is parked at all. */
static bool due_heartbeats(int64_t now_ns)
{
    bool parked = false;
    for (size_t i = 0; i < HUB_BUCKETS; i++)
        for (struct hub_chat *c = hub.buckets[i]; c; c = c->next)
            for (struct stream *s = c->streams; s; s = s->next) {
                if (!s->suspended)
                    continue;
                parked = true;
                if (now_ns - s->last_write_ns >= hub.heartbeat_ns) {
                    s->ping_due = true;
                    s->suspended = false;
                    MHD_resume_connection(s->conn);
                }
            }
    return parked;
}

/* Under hub.mu: what the database says of c's chat; wake its streams when it moved. */
static void apply_row(struct hub_chat *c, const struct chat_poll_row *row)
{
    if (row->last_message_id <= c->latest_id && row->ended == c->ended &&
        row->accepted == c->accepted)
        return;
    if (row->last_message_id > c->latest_id)
        c->latest_id = row->last_message_id;
    c->accepted |= row->accepted;
    c->ended |= row->ended;
    wake_chat(c);
}

/* What other processes wrote: one query, then wake the streams of chats that moved. */
static void poll_database(struct chat_poll_row *rows)
{
    struct db *db;
    struct err e;
    err_clear(&e);
    size_t n = 0;
    int64_t now = hub.env->now(hub.env);
    if (db_pool_conn(hub.env->db, &db, &e) ||
        chat_store_poll(db, now - POLL_ENDED_WINDOW, rows, POLL_ROWS_MAX, &n, &e)) {
        log_msg("warn", "chat_poll_failed", "%s", e.message);
        return;
    }
    pthread_mutex_lock(&hub.mu);
    for (size_t i = 0; i < n; i++) {
        struct hub_chat *c = hub_find(rows[i].id);
        if (c)
            apply_row(c, &rows[i]);
    }
    pthread_mutex_unlock(&hub.mu);
}

/* SQLite: the database poll every second is the only news from other processes. */
static void poll_loop(struct chat_poll_row *rows)
{
    pthread_mutex_lock(&hub.mu);
    while (!hub.stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&hub.wake, &hub.mu, &until);
        if (hub.stopping)
            break;
        bool parked = due_heartbeats(mono_ns());
        pthread_mutex_unlock(&hub.mu);
        if (parked)
            poll_database(rows);
        pthread_mutex_lock(&hub.mu);
    }
    pthread_mutex_unlock(&hub.mu);
}

/* A notification named chat id: re-read that chat when streams here watch it. Nonzero when the
 * read failed (the caller then polls everything soon). */
static int refresh_chat(int64_t id)
{
    pthread_mutex_lock(&hub.mu);
    bool watched = hub_find(id) != NULL;
    pthread_mutex_unlock(&hub.mu);
    if (!watched)
        return 0;
    struct db *db;
    struct err e;
    err_clear(&e);
    struct chat_poll_row row;
    int rc = db_pool_conn(hub.env->db, &db, &e);
    if (!rc)
        rc = chat_store_poll_one(db, id, &row, &e);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc) {
        log_msg("warn", "chat_poll_failed", "chat %lld: %s", (long long)id, e.message);
        return rc;
    }
    pthread_mutex_lock(&hub.mu);
    struct hub_chat *c = hub_find(id);
    if (c)
        apply_row(c, &row);
    pthread_mutex_unlock(&hub.mu);
    return 0;
}

/* Hand out every notification libpq holds (they sit in its buffer, so the socket does not show
 * them again): each names a chat. Sets *poll_now when the database must be polled at once. */
static void drain_notifications(struct db_listener *l, bool *poll_now)
{
    for (;;) {
        char payload[32];
        bool got;
        struct err e;
        err_clear(&e);
        int rc = db_listener_next(l, payload, sizeof payload, &got, &e);
        if (rc == DB_LISTEN_RESET) {
            *poll_now = true; /* what was sent while it was away is lost */
            continue;
        }
        if (rc < 0 || !got)
            return;
        char *end;
        long long id = strtoll(payload, &end, 10);
        if (end == payload || *end != '\0' || id <= 0) {
            log_msg("warn", "chat_notify_bad", "ignoring notification payload %s", payload);
            continue;
        }
        if (refresh_chat((int64_t)id))
            *poll_now = true;
    }
}

/* Wait until fd (when >= 0) or the wake pipe is readable, or until timeout_ns passed. */
static void wait_ready(int fd, int64_t timeout_ns)
{
    struct pollfd p[2] = {{.fd = hub.wake_fd[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    int ms = timeout_ns <= 0 ? 0 : (int)((timeout_ns + 999999) / 1000000);
    if (poll(p, fd >= 0 ? 2 : 1, ms) > 0 && (p[0].revents & POLLIN)) {
        char drain[16];
        while (read(hub.wake_fd[0], drain, sizeof drain) > 0)
            ;
    }
}

static int64_t earliest(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* PostgreSQL: LISTEN for the chats other processes change, with the database poll as the slow
 * fallback (FALLBACK_POLL_NS; every second while the listener is down). */
static void listen_loop(struct chat_poll_row *rows)
{
    struct db_listener *l = NULL;
    int64_t now = mono_ns();
    int64_t beat_at = now + POLL_INTERVAL_NS, poll_at = now, open_at = now;
    for (;;) {
        pthread_mutex_lock(&hub.mu);
        bool stopping = hub.stopping;
        pthread_mutex_unlock(&hub.mu);
        if (stopping)
            break;
        now = mono_ns();
        if (!l && now >= open_at) {
            struct err e;
            err_clear(&e);
            if (db_listen_open(hub.env->db, CHAT_NOTIFY_CHANNEL, &l, &e)) {
                log_msg("warn", "chat_listen_failed", "%s: polling every second", e.message);
                open_at = now + FALLBACK_POLL_NS;
            } else
                poll_at = now; /* what was written before it listened */
        }
        bool poll_now = false;
        if (l)
            drain_notifications(l, &poll_now);
        int fd = l ? db_listener_fd(l) : -1;
        int64_t interval = fd >= 0 ? FALLBACK_POLL_NS : POLL_INTERVAL_NS;
        now = mono_ns();
        if (poll_now || poll_at > now + interval)
            poll_at = now;
        if (now >= beat_at) {
            pthread_mutex_lock(&hub.mu);
            due_heartbeats(now);
            pthread_mutex_unlock(&hub.mu);
            beat_at = now + POLL_INTERVAL_NS;
        }
        if (now >= poll_at) {
            pthread_mutex_lock(&hub.mu);
            bool watching = hub.streams > 0;
            pthread_mutex_unlock(&hub.mu);
            if (watching)
                poll_database(rows);
            poll_at = mono_ns() + interval;
        }
        int64_t until = earliest(beat_at, poll_at);
        if (!l)
            until = earliest(until, open_at);
        wait_ready(fd, until - mono_ns());
    }
    db_listener_close(l);
}

static void *poller_main(void *arg)
{
    (void)arg;
    struct chat_poll_row *rows = xmalloc(POLL_ROWS_MAX * sizeof *rows);
    if (db_pool_dialect(hub.env->db) == DB_DIALECT_POSTGRES && hub.wake_fd[0] >= 0)
        listen_loop(rows);
    else
        poll_loop(rows);
    free(rows);
    return NULL;
}

/* Add s to the hub (starting the poll thread with the first stream). Nonzero when the server is
 * stopping. */
static int hub_add(struct stream *s, bool accepted, bool ended, unsigned idle_timeout_s)
{
    pthread_mutex_lock(&hub.mu);
    if (hub.stopping) {
        pthread_mutex_unlock(&hub.mu);
        return -1;
    }
    if (!hub.poller_started) {
        hub.env = s->env;
        int64_t half = (int64_t)idle_timeout_s * 500000000LL;
        hub.heartbeat_ns = half > 0 && half < HEARTBEAT_NS ? half : HEARTBEAT_NS;
        if (hub.wake_fd[0] < 0 && pipe2(hub.wake_fd, O_CLOEXEC | O_NONBLOCK) != 0) {
            hub.wake_fd[0] = hub.wake_fd[1] = -1; /* poll_loop then, LISTEN needs the pipe */
            log_msg("warn", "chat_poller", "could not make the wake pipe: %s", strerror(errno));
        }
        if (pthread_create(&hub.poller, NULL, poller_main, NULL) == 0)
            hub.poller_started = true;
        else
            log_msg("error", "chat_poller",
                    "could not start the chat poll thread: streams see "
                    "other processes' messages only at heartbeats");
    }
    struct hub_chat *c = hub_find(s->chat_id);
    if (!c) {
        c = xcalloc(1, sizeof *c);
        c->id = s->chat_id;
        c->accepted = accepted;
        c->ended = ended;
        c->next = *bucket_of(c->id);
        *bucket_of(c->id) = c;
    }
    s->chat = c;
    s->next = c->streams;
    if (c->streams)
        c->streams->prev = s;
    c->streams = s;
    hub.streams++;
    pthread_mutex_unlock(&hub.mu);
    return 0;
}

/* libmicrohttpd is done with the response: leave the hub and free. */
static void stream_free(void *cls)
{
    struct stream *s = cls;
    pthread_mutex_lock(&hub.mu);
    struct hub_chat *c = s->chat;
    if (c) {
        if (s->prev)
            s->prev->next = s->next;
        else
            c->streams = s->next;
        if (s->next)
            s->next->prev = s->prev;
        hub.streams--;
        if (!c->streams) {
            struct hub_chat **p = bucket_of(c->id);
            while (*p != c)
                p = &(*p)->next;
            *p = c->next;
            free(c);
        }
    }
    pthread_mutex_unlock(&hub.mu);
    buf_release(&s->out);
    free(s);
}

void chat_streams_shutdown(void)
{
    pthread_mutex_lock(&hub.mu);
    hub.stopping = true;
    for (size_t i = 0; i < HUB_BUCKETS; i++)
        for (struct hub_chat *c = hub.buckets[i]; c; c = c->next)
            wake_chat(c);
    pthread_cond_broadcast(&hub.wake);
    if (hub.wake_fd[1] >= 0 && write(hub.wake_fd[1], "x", 1) < 0 && errno != EAGAIN)
        log_msg("warn", "chat_poller", "could not wake the poll thread: %s", strerror(errno));
    pthread_mutex_unlock(&hub.mu);
}

void chat_streams_join(void)
{
    pthread_mutex_lock(&hub.mu);
    bool started = hub.poller_started;
    hub.poller_started = false;
    pthread_mutex_unlock(&hub.mu);
    if (started)
        pthread_join(hub.poller, NULL);
    pthread_mutex_lock(&hub.mu);
    for (int i = 0; i < 2; i++) {
        if (hub.wake_fd[i] >= 0)
            close(hub.wake_fd[i]);
        hub.wake_fd[i] = -1;
    }
    pthread_mutex_unlock(&hub.mu);
}

/* ---- rendering ---------------------------------------------------------------------------- */

static json_t *render_chat(const struct chat_session *c, int64_t now)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)c->id));
    json_object_set_new(o, "ticket_id", json_integer((json_int_t)c->ticket_id));
    json_object_set_new(o, "requester_id", json_integer((json_int_t)c->requester_id));
    json_object_set_new(o, "requester_name", json_string(c->requester_name));
    json_object_set_new(o, "subject", json_string(c->subject));
    json_object_set_new(o, "status", json_string(c->status));
    json_object_set_new(o, "started_at", render_time(c->started_at, 0));
    json_object_set_new(o, "accepted_at", render_time(c->accepted_at, 1));
    json_object_set_new(o, "accepted_by", render_id(c->accepted_by));
    json_object_set_new(o, "accepted_by_name",
                        c->accepted_by ? json_string(c->accepted_by_name) : json_null());
    json_object_set_new(o, "ended_at", render_time(c->ended_at, 1));
    int64_t until = c->accepted_at ? c->accepted_at : c->ended_at ? c->ended_at : now;
    json_object_set_new(
        o, "waited_seconds",
        json_integer((json_int_t)(until > c->started_at ? until - c->started_at : 0)));
    return o;
}

static json_t *render_message(const struct chat_message *m, int64_t chat_id)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)m->id));
    json_object_set_new(o, "chat_session_id", json_integer((json_int_t)chat_id));
    json_object_set_new(o, "author_id", json_integer((json_int_t)m->author_id));
    json_object_set_new(o, "author_name", json_string(m->author_name ? m->author_name : ""));
    json_object_set_new(o, "author_role", json_string(m->author_is_staff ? "agent" : "requester"));
    json_object_set_new(o, "body", json_string(m->body ? m->body : ""));
    json_object_set_new(o, "created_at", render_time(m->created_at, 0));
    return o;
}

/* ---- who is calling ----------------------------------------------------------------------- */

/* The fd_chat cookie's value into out (cap bytes); false when absent or too long. */
static bool visitor_cookie(struct http_req *req, char *out, size_t cap)
{
    const char *p = http_req_header(req, "Cookie");
    const size_t nlen = sizeof VISITOR_COOKIE - 1;
    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nlen && strncmp(p, VISITOR_COOKIE, nlen) == 0 && p[nlen] == '=') {
            size_t vlen = len - nlen - 1;
            if (vlen >= cap)
                return false;
            memcpy(out, p + nlen + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        p = end;
    }
    return false;
}

static bool is_write(struct http_req *req)
{
    return req->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE);
}

/* The actor: a signed-in principal, or a visitor by the fd_chat cookie (whose writes need the
 * CSRF header), or nobody. csrf receives the visitor's CSRF token ("" otherwise). Nonzero with the
 * answer made. */
static int chat_who(struct http_req *req, struct db **db, struct chat_actor *out,
                    char csrf[AUTH_SECRET_LEN + 1])
{
    struct auth_principal p;
    memset(out, 0, sizeof *out);
    csrf[0] = '\0';
    if (auth_resolve(req, &p) || http_req_db(req, db))
        return -1;
    out->subject = p.subject;
    char token[AUTH_SECRET_LEN + 8];
    if (p.subject.user_id || !visitor_cookie(req, token, sizeof token))
        return 0;
    struct err e;
    err_clear(&e);
    int rc = chat_visitor_resolve(req->env, *db, token, &out->visitor_chat_id, &e);
    if (rc == ERR_NOT_FOUND) {
        out->visitor_chat_id = 0;
        return 0; /* a stale cookie: anonymous, as without one */
    }
    if (rc) {
        http_reply_err(req, &e);
        return -1;
    }
    auth_csrf_token(req->env, token, csrf);
    if (is_write(req)) {
        const char *sent = http_req_header(req, "X-CSRF-Token");
        if (!sent || strlen(sent) != AUTH_SECRET_LEN ||
            sodium_memcmp(sent, csrf, AUTH_SECRET_LEN) != 0) {
            http_reply_error(req, 403, "X-CSRF-Token",
                             "missing or wrong X-CSRF-Token header for a chat-cookie write");
            return -1;
        }
    }
    sodium_memzero(token, sizeof token);
    return 0;
}

static void reply_err(struct http_req *req, struct err *e)
{
    http_reply_err(req, e);
}

static void reply_chat(struct http_req *req, int status, const struct chat_session *c,
                       const char *csrf)
{
    json_t *o = json_object();
    json_object_set_new(o, "chat_session", render_chat(c, req->env->now(req->env)));
    if (csrf && csrf[0])
        json_object_set_new(o, "csrf_token", json_string(csrf));
    http_reply_json(req, status, o);
}

/* ---- handlers ----------------------------------------------------------------------------- */

void chat_availability_get(struct http_req *req)
{
    struct db *db;
    if (http_req_db(req, &db))
        return;
    struct chat_availability av;
    struct err e;
    err_clear(&e);
    if (chat_availability_now(req->env, db, &av, &e)) {
        reply_err(req, &e);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "available", json_boolean(av.available));
    json_object_set_new(o, "open", json_boolean(av.open));
    json_object_set_new(o, "agents_online", json_integer((json_int_t)av.agents_online));
    json_object_set_new(o, "opens_at", render_time(av.opens_at, 1));
    json_object_set_new(o, "label", json_string(av.label));
    json_t *root = json_object();
    json_object_set_new(root, "chat_availability", o);
    http_reply_json(req, 200, root);
}

void chat_presence_item(struct http_req *req)
{
    struct auth_principal who;
    struct db *db;
    if (auth_require_staff(req, &who) || http_req_db(req, &db))
        return;
    struct chat_actor actor = {.subject = who.subject};
    struct err e;
    err_clear(&e);
    if (req->method == HTTP_PUT) {
        json_t *body = NULL;
        if (http_req_json(req, &body))
            return;
        json_t *obj = json_object_get(body, "presence");
        json_t *st = json_object_get(json_is_object(obj) ? obj : body, "status");
        const char *status = json_is_string(st) ? json_string_value(st) : NULL;
        int rc = chat_presence_set(req->env, db, &actor, status, &e);
        json_decref(body);
        if (rc) {
            reply_err(req, &e);
            return;
        }
    }
    char status[CHAT_STATUS_MAX + 1];
    int64_t updated = 0;
    if (chat_presence_get(req->env, db, &actor, status, &updated, &e)) {
        reply_err(req, &e);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "user_id", json_integer((json_int_t)who.subject.user_id));
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "updated_at", render_time(updated, 1));
    json_t *root = json_object();
    json_object_set_new(root, "presence", o);
    http_reply_json(req, 200, root);
}

/* A string member of obj, or NULL (absent or null); nonzero with the 422 answer made when it is
 * something else. */
static int string_member(struct http_req *req, json_t *obj, const char *key, const char *field,
                         const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        http_reply_error(req, 422, field, "%s must be a string", field);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

static void chat_start_post(struct http_req *req, struct db *db, const struct chat_actor *actor)
{
    json_t *body = NULL;
    if (http_req_json(req, &body))
        return;
    json_t *obj = json_object_get(body, "chat");
    if (!json_is_object(obj)) {
        json_decref(body);
        http_reply_error(req, 422, "chat", "expected {\"chat\": {\"message\": \"...\"}}");
        return;
    }
    struct chat_start_req in;
    if (string_member(req, obj, "message", "chat.message", &in.message) ||
        string_member(req, obj, "name", "chat.name", &in.name) ||
        string_member(req, obj, "email", "chat.email", &in.email)) {
        json_decref(body);
        return;
    }
    struct chat_session c;
    char token[AUTH_SECRET_LEN + 1];
    struct err e;
    err_clear(&e);
    int rc = chat_start(req->env, db, actor, &in, &c, token, &e);
    json_decref(body);
    if (rc) {
        reply_err(req, &e);
        return;
    }
    char csrf[AUTH_SECRET_LEN + 1] = "";
    if (token[0]) {
        char cookie[160];
        snprintf(cookie, sizeof cookie,
                 VISITOR_COOKIE "=%s; Path=/api/v2/chat; Max-Age=%d; HttpOnly; SameSite=Strict",
                 token, VISITOR_COOKIE_MAX_AGE);
        http_add_header(req, "Set-Cookie", cookie);
        auth_csrf_token(req->env, token, csrf);
        sodium_memzero(token, sizeof token);
    }
    char location[64];
    snprintf(location, sizeof location, "/api/v2/chat/sessions/%lld", (long long)c.id);
    http_add_header(req, "Location", location);
    reply_chat(req, 201, &c, csrf);
}

void chat_sessions_collection(struct http_req *req)
{
    struct db *db;
    struct chat_actor actor;
    char csrf[AUTH_SECRET_LEN + 1];
    if (chat_who(req, &db, &actor, csrf))
        return;
    if (req->method == HTTP_POST) {
        chat_start_post(req, db, &actor);
        return;
    }
    /* Nobody (no sign-in, no chat cookie) has no chats: an empty list, so the widget can ask
     * without knowing whether its HttpOnly cookie is there. */
    struct chat_session *list = arena_alloc(&req->arena, CHAT_LIST_MAX * sizeof *list);
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (!list) {
        http_reply_error(req, 500, NULL, "out of memory");
        return;
    }
    if (chat_list(db, &actor, http_req_query(req, "status"), list, &n, &e)) {
        reply_err(req, &e);
        return;
    }
    int64_t now = req->env->now(req->env);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, render_chat(&list[i], now));
    json_t *root = json_object();
    json_object_set_new(root, "chat_sessions", arr);
    if (csrf[0])
        json_object_set_new(root, "csrf_token", json_string(csrf));
    http_reply_json(req, 200, root);
}

/* The chat of {id} the caller may see; nonzero with the answer made. */
static int chat_of_path(struct http_req *req, struct db **db, struct chat_actor *actor,
                        char csrf[AUTH_SECRET_LEN + 1], struct chat_session *out)
{
    int64_t id;
    if (http_req_id(req, "id", &id) || chat_who(req, db, actor, csrf))
        return -1;
    struct err e;
    err_clear(&e);
    if (chat_get(*db, actor, id, out, &e)) {
        reply_err(req, &e);
        return -1;
    }
    return 0;
}

void chat_sessions_item(struct http_req *req)
{
    struct db *db;
    struct chat_actor actor;
    char csrf[AUTH_SECRET_LEN + 1];
    struct chat_session c;
    if (chat_of_path(req, &db, &actor, csrf, &c))
        return;
    reply_chat(req, 200, &c, csrf);
}

void chat_messages_post(struct http_req *req)
{
    struct db *db;
    struct chat_actor actor;
    char csrf[AUTH_SECRET_LEN + 1];
    int64_t id;
    if (http_req_id(req, "id", &id) || chat_who(req, &db, &actor, csrf))
        return;
    json_t *body = NULL;
    if (http_req_json(req, &body))
        return;
    json_t *obj = json_object_get(body, "message");
    const char *text = NULL;
    if (!json_is_object(obj) || string_member(req, obj, "body", "message.body", &text)) {
        if (!req->resp.status)
            http_reply_error(req, 422, "message", "expected {\"message\": {\"body\": \"...\"}}");
        json_decref(body);
        return;
    }
    struct chat_message m;
    struct chat_session c;
    struct err e;
    err_clear(&e);
    int rc = chat_post(req->env, db, &actor, id, text, &req->arena, &m, &c, &e);
    json_decref(body);
    if (rc) {
        reply_err(req, &e);
        return;
    }
    hub_notify(c.id, m.id, c.accepted_by != 0, c.ended_at != 0);
    json_t *root = json_object();
    json_object_set_new(root, "message", render_message(&m, c.id));
    http_reply_json(req, 201, root);
}

static void change(struct http_req *req, bool accept)
{
    struct db *db;
    struct chat_actor actor;
    char csrf[AUTH_SECRET_LEN + 1];
    int64_t id;
    if (http_req_id(req, "id", &id) || chat_who(req, &db, &actor, csrf))
        return;
    if (!actor.subject.user_id && !actor.visitor_chat_id) {
        http_add_header(req, "WWW-Authenticate", "Bearer realm=\"frontdesk\"");
        http_reply_error(req, 401, NULL, "sign in, or start a chat");
        return;
    }
    struct chat_session c;
    struct err e;
    err_clear(&e);
    int rc = accept ? chat_accept(req->env, db, &actor, id, &c, &e)
                    : chat_end(req->env, db, &actor, id, &c, &e);
    if (rc) {
        reply_err(req, &e);
        return;
    }
    hub_notify(c.id, 0, c.accepted_by != 0, c.ended_at != 0);
    reply_chat(req, 200, &c, NULL);
}

void chat_accept_post(struct http_req *req)
{
    change(req, true);
}

void chat_end_post(struct http_req *req)
{
    change(req, false);
}

/* ---- the stream --------------------------------------------------------------------------- */

static void event_json(struct buf *b, const char *event, int64_t id, json_t *data)
{
    char *text = json_dumps(data, JSON_COMPACT);
    json_decref(data);
    buf_appendf(b, "event: %s\n", event);
    if (id)
        buf_appendf(b, "id: %lld\n", (long long)id);
    buf_append_cstr(b, "data: ");
    buf_append_cstr(b, text ? text : "{}");
    buf_append_cstr(b, "\n\n");
    free(text);
}

/* Read what the client has not seen from the database into s->out: the chat's state changes
 * and its messages after s->last_id; the "end" event once it ended (and s->finished). On a
 * database error the stream ends: the client reconnects with Last-Event-ID. */
static void stream_fill(struct stream *s, int64_t snapshot)
{
    struct db *db;
    struct err e;
    err_clear(&e);
    struct chat_session c;
    if (db_pool_conn(s->env->db, &db, &e) || chat_store_get(db, s->chat_id, &c, &e)) {
        log_msg("warn", "chat_stream_read", "chat %lld: %s", (long long)s->chat_id, e.message);
        s->finished = true;
        return;
    }
    int64_t now = s->env->now(s->env);
    if (c.accepted_by && !s->accepted_sent) {
        s->accepted_sent = true;
        event_json(&s->out, "status", 0, render_chat(&c, now));
    }
    struct arena a;
    arena_init(&a, 8u << 20);
    struct chat_message msgs[STREAM_BATCH];
    size_t n = 0;
    if (chat_store_messages(db, s->ticket_id, s->last_id, &a, msgs, STREAM_BATCH, &n, &e)) {
        log_msg("warn", "chat_stream_read", "chat %lld: %s", (long long)s->chat_id, e.message);
        s->finished = true;
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        event_json(&s->out, "message", msgs[i].id, render_message(&msgs[i], s->chat_id));
        s->last_id = msgs[i].id;
    }
    arena_release(&a);
    if (n == STREAM_BATCH)
        return; /* more to read: the next step reads on, before any "end" */
    s->seen_latest = snapshot;
    if (strcmp(c.status, "ended") == 0 && !s->finished) {
        event_json(&s->out, "end", 0, render_chat(&c, now));
        s->ended_sent = true;
        s->finished = true;
    }
    pthread_mutex_lock(&hub.mu);
    struct hub_chat *hc = s->chat;
    if (s->last_id > hc->latest_id)
        hc->latest_id = s->last_id;
    hc->accepted |= c.accepted_by != 0;
    hc->ended |= s->ended_sent;
    pthread_mutex_unlock(&hub.mu);
}

/* libmicrohttpd's content reader: copy out what is pending; otherwise make more, or park. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *s = cls;
    for (;;) {
        if (s->out_off < s->out.len) {
            size_t n = s->out.len - s->out_off;
            n = n < max ? n : max;
            memcpy(buf, buf_cstr(&s->out) + s->out_off, n);
            s->out_off += n;
            s->last_write_ns = mono_ns();
            return (ssize_t)n;
        }
        buf_clear(&s->out);
        s->out_off = 0;
        if (s->finished)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (!s->started) {
            s->started = true;
            buf_appendf(&s->out, "retry: %d\n\n", STREAM_RETRY_MS);
        }
        pthread_mutex_lock(&hub.mu);
        struct hub_chat *c = s->chat;
        bool stopping = hub.stopping;
        int64_t snapshot = c->latest_id;
        bool fresh = s->out.len > 0 || snapshot > s->seen_latest ||
                     c->accepted != s->accepted_sent || c->ended != s->ended_sent;
        bool ping = s->ping_due;
        s->ping_due = false;
        if (!stopping && !fresh && !ping) {
            s->suspended = true;
            MHD_suspend_connection(s->conn);
            pthread_mutex_unlock(&hub.mu);
            return 0;
        }
        pthread_mutex_unlock(&hub.mu);
        if (stopping) {
            buf_append_cstr(&s->out, ": the server is restarting\n\n");
            s->finished = true;
            continue;
        }
        if (fresh)
            stream_fill(s, snapshot);
        if (ping)
            buf_append_cstr(&s->out, ": ping\n\n");
    }
}

/* Last-Event-ID (EventSource's reconnect) or ?last_event_id=: the last message the client has. */
static int64_t last_event_id(struct http_req *req)
{
    const char *v = http_req_header(req, "Last-Event-ID");
    if (!v)
        v = http_req_query(req, "last_event_id");
    if (!v)
        return 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    return end != v && *end == '\0' && n > 0 ? (int64_t)n : 0;
}

void chat_stream_get(struct http_req *req)
{
    struct db *db;
    struct chat_actor actor;
    char csrf[AUTH_SECRET_LEN + 1];
    struct chat_session c;
    if (chat_of_path(req, &db, &actor, csrf, &c))
        return;
    struct stream *s = xcalloc(1, sizeof *s);
    s->conn = req->conn;
    s->env = req->env;
    s->chat_id = c.id;
    s->ticket_id = c.ticket_id;
    s->last_id = last_event_id(req);
    s->seen_latest = -1; /* read the database on the first step */
    s->last_write_ns = mono_ns();
    buf_init(&s->out, 4u << 20);
    if (hub_add(s, c.accepted_by != 0, strcmp(c.status, "ended") == 0,
                http_server_config(req->server)->idle_timeout_s)) {
        buf_release(&s->out);
        free(s);
        http_reply_error(req, 503, NULL, "the server is shutting down");
        return;
    }
    http_add_header(req, "Cache-Control", "no-cache");
    http_add_header(req, "X-Accel-Buffering", "no"); /* nginx: do not buffer the stream */
    req->resp.status = 200;
    req->resp.content_type = "text/event-stream; charset=utf-8";
    req->resp.stream_read = stream_read;
    req->resp.stream_free = stream_free;
    req->resp.stream_cls = s;
}
