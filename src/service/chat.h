/* chat (service): live chat (issue 6), transport-free. A chat session is a ticket with channel
 * "chat" (service/tickets.h does the creating), and every chat message is a public comment of
 * that ticket written through tickets_update: a requester's as the requester, an agent's as
 * staff with suppress_mail (the chat shows it; no reply mail). So the transcript is the
 * ticket's conversation, and the first staff chat message is the ticket's first touch (the SLA
 * engine counts a staff public comment).
 *
 * Who may do what:
 *  - start: a signed-in end-user, or an anonymous visitor with name and email (an end-user is
 *    found by the email, any case, or created). Refused BEFORE anything is written: a banned
 *    requester or address (ERR_FORBIDDEN, reason "requester_banned", with the bans notice), an
 *    account whose service is refused (ERR_FORBIDDEN, reason "service_refused", with the
 *    refusal notice), staff (ERR_FORBIDDEN), an email of a staff account (ERR_INVALID naming
 *    "chat.email"), and when chat is not available (outside support hours or nobody online:
 *    ERR_CONFLICT, reason "chat_unavailable", naming "chat"). A visitor gets a chat-scoped
 *    secret (visitor token: 32 random bytes, base64url) whose keyed hash alone is stored, like
 *    API tokens; it lets its holder read and write that one chat and nothing else.
 *  - read, post, end: staff any chat; a requester only their own; a visitor only their token's
 *    chat. Any other chat is ERR_NOT_FOUND, so ids reveal nothing. Posting to an ended chat is
 *    ERR_CONFLICT naming "chat.status"; an agent posting to a waiting chat accepts it.
 *  - accept, presence, the waiting list: staff only (ERR_FORBIDDEN otherwise). Agents may hold
 *    several chats. Accepting (or answering a waiting chat) also assigns the chat's ticket to
 *    the agent when nobody has it yet.
 * Availability: the live calendar (service/calendar_cache.h) is open now and at least one active
 * staff member set themself online within CHAT_PRESENCE_TTL seconds.
 *
 * Each call is one transaction (db_transact). Thread-safe as far as each thread uses its own
 * connection.
 *
 * Other server processes: the transaction of a post, an accept or an end also sends the chat's
 * id as a notification on CHAT_NOTIFY_CHANNEL (db_notify: PostgreSQL's NOTIFY, delivered on
 * commit; nothing on SQLite), which the streams' hub of every process listens to.
 */
#ifndef FRONTDESK_SERVICE_CHAT_H
#define FRONTDESK_SERVICE_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "service/auth.h"
#include "store/chat.h"

#define CHAT_PRESENCE_TTL 300   /* seconds an "online" lasts without being set again */
#define CHAT_MESSAGE_MAX  10000 /* bytes of one chat message */
#define CHAT_LIST_MAX     100   /* sessions in one list answer */
#define CHAT_LABEL_MAX    64
#define CHAT_OPEN_MAX     3 /* chats not ended per requester; one more is ERR_CONFLICT ("chat") */

/* The db_notify() channel of chat changes; the payload is the chat's id in decimal. */
#define CHAT_NOTIFY_CHANNEL "frontdesk_chat"

/* Who acts: a signed-in user (subject), or a visitor holding the token of visitor_chat_id
 * (subject.user_id 0), or nobody. */
struct chat_actor {
    struct access_subject subject;
    int64_t visitor_chat_id;
};

struct chat_availability {
    bool available; /* open and somebody online */
    bool open;      /* the support calendar is open now */
    int64_t agents_online;
    int64_t opens_at; /* when it next opens (closed now); 0: open now, or never */
    char label[CHAT_LABEL_MAX];
};

int chat_availability_now(const struct env *env, struct db *db, struct chat_availability *out,
                          struct err *e);

struct chat_start_req {
    const char *name;    /* visitor only: required (1..255 characters) */
    const char *email;   /* visitor only: required */
    const char *message; /* required: the first message, the ticket's description */
};

/* Start a chat. visitor_token receives the new visitor secret ("" for a signed-in requester);
 * the caller hands it to the browser and forgets it. Fills *out. */
int chat_start(const struct env *env, struct db *db, const struct chat_actor *actor,
               const struct chat_start_req *req, struct chat_session *out,
               char visitor_token[AUTH_SECRET_LEN + 1], struct err *e);

/* The chat a visitor token names (ended ones too); ERR_NOT_FOUND when none. */
int chat_visitor_resolve(const struct env *env, struct db *db, const char *token, int64_t *chat_id,
                         struct err *e);

/* One chat the actor may see; ERR_NOT_FOUND otherwise. */
int chat_get(struct db *db, const struct chat_actor *actor, int64_t id, struct chat_session *out,
             struct err *e);

/* Post a message (1..CHAT_MESSAGE_MAX bytes, not blank: ERR_INVALID naming "message.body").
 * Fills *msg (strings from a) and *chat (after the post). */
int chat_post(const struct env *env, struct db *db, const struct chat_actor *actor, int64_t id,
              const char *body, struct arena *a, struct chat_message *msg,
              struct chat_session *chat, struct err *e);

/* Staff accept a waiting chat (ERR_CONFLICT otherwise). Fills *out. */
int chat_accept(const struct env *env, struct db *db, const struct chat_actor *actor, int64_t id,
                struct chat_session *out, struct err *e);

/* End a chat (anyone who may see it; ERR_CONFLICT when ended already). Fills *out. */
int chat_end(const struct env *env, struct db *db, const struct chat_actor *actor, int64_t id,
             struct chat_session *out, struct err *e);

/* Staff: set their presence ("online" or "away", ERR_INVALID naming "presence.status"). */
int chat_presence_set(const struct env *env, struct db *db, const struct chat_actor *actor,
                      const char *status, struct err *e);
/* Staff: their presence as in force ("away" once an online one is older than the TTL). */
int chat_presence_get(const struct env *env, struct db *db, const struct chat_actor *actor,
                      char status[CHAT_STATUS_MAX + 1], int64_t *updated_at, struct err *e);

/* The chats the actor may list, oldest first, at most CHAT_LIST_MAX: staff those in status
 * (NULL: "waiting"); a requester their own chats not ended (status NULL) or in status; a
 * visitor their token's chat. out needs CHAT_LIST_MAX entries. */
int chat_list(struct db *db, const struct chat_actor *actor, const char *status,
              struct chat_session *out, size_t *n, struct err *e);

/* The chat's messages after `after` (at most max), for a stream the caller authorized already. */
int chat_messages(struct db *db, const struct chat_session *chat, int64_t after, struct arena *a,
                  struct chat_message *out, size_t max, size_t *n, struct err *e);

/* May this actor see chat c? */
bool chat_visible(const struct chat_actor *actor, const struct chat_session *c);

#endif
