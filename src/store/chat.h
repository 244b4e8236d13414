/* chat (store): the SQL of live chat sessions (table chat_sessions) and of agents' presence
 * (agent_presence), migration 0023. A chat session is a ticket with channel "chat"; its messages
 * are the ticket's public comments (ticket_comments), read here with their authors for the chat
 * transcript and the streams.
 *
 * Every function runs on the caller's connection, inside its transaction when one is open.
 * Strings come from the caller's arena where one is taken; fixed buffers otherwise. Thread-safe as
 * far as each thread uses its own connection.
 */
#ifndef FRONTDESK_STORE_CHAT_H
#define FRONTDESK_STORE_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"
#include "store/credentials.h"
#include "store/users.h"

#define CHAT_STATUS_MAX 8 /* "waiting", "active", "ended" */

struct chat_session {
    int64_t id;
    int64_t ticket_id;
    int64_t requester_id;
    char status[CHAT_STATUS_MAX + 1];
    int64_t started_at;
    int64_t accepted_at; /* 0: not accepted */
    int64_t accepted_by; /* 0: nobody */
    int64_t ended_at;    /* 0: not ended */
    int64_t ended_by;    /* 0: not ended, or ended by the visitor's token */
    char requester_name[USER_NAME_MAX * 4 + 1];
    char accepted_by_name[USER_NAME_MAX * 4 + 1]; /* "" when nobody */
    char subject[512];                            /* the ticket's subject, truncated */
};

/* One chat message: a public comment of the chat's ticket, with its author. */
struct chat_message {
    int64_t id; /* the comment's id: the stream's event id */
    int64_t author_id;
    const char *author_name; /* arena */
    bool author_is_staff;
    const char *body; /* arena */
    int64_t created_at;
};

/* The state of one chat as a stream's poll sees it. */
struct chat_poll_row {
    int64_t id;
    bool ended;
    bool accepted;
    int64_t last_message_id; /* 0: none */
};

/* Insert a session (status "waiting"); token_hash NULL for a signed-in requester. Fills *out. */
int chat_store_insert(struct db *db, int64_t ticket_id, int64_t requester_id,
                      const char *token_hash, int64_t now, struct chat_session *out, struct err *e);
/* By id; ERR_NOT_FOUND when absent. */
int chat_store_get(struct db *db, int64_t id, struct chat_session *out, struct err *e);
/* The session whose visitor token hashes to token_hash; ERR_NOT_FOUND when none. */
int chat_store_by_token(struct db *db, const char *token_hash, struct chat_session *out,
                        struct err *e);
/* waiting -> active by agent_id; ERR_CONFLICT (naming "chat.status") when not waiting. */
int chat_store_accept(struct db *db, int64_t id, int64_t agent_id, int64_t now, struct err *e);
/* -> ended (by_id 0 for the visitor); ERR_CONFLICT when ended already. */
int chat_store_end(struct db *db, int64_t id, int64_t by_id, int64_t now, struct err *e);
/* Sessions in status (NULL: not ended), of requester_id (0: anyone), oldest first, at most
 * max, into out; *n receives how many. */
int chat_store_list(struct db *db, const char *status, int64_t requester_id,
                    struct chat_session *out, size_t max, size_t *n, struct err *e);

/* Public comments of ticket_id with id > after, by id, at most max. */
int chat_store_messages(struct db *db, int64_t ticket_id, int64_t after, struct arena *a,
                        struct chat_message *out, size_t max, size_t *n, struct err *e);
/* One message by comment id (must be of ticket_id). */
int chat_store_message(struct db *db, int64_t ticket_id, int64_t comment_id, struct arena *a,
                       struct chat_message *out, struct err *e);

/* The state of every chat not ended, and of those ended since ended_since, at most max rows
 * (one query: the streams' poll across server processes). */
int chat_store_poll(struct db *db, int64_t ended_since, struct chat_poll_row *out, size_t max,
                    size_t *n, struct err *e);
/* The same for the one chat id; ERR_NOT_FOUND when there is no such chat. */
int chat_store_poll_one(struct db *db, int64_t id, struct chat_poll_row *out, struct err *e);

/* Agents' presence. */
int chat_store_presence_set(struct db *db, int64_t user_id, const char *status, int64_t now,
                            struct err *e);
/* "online", "away", or "away" when never set; *updated_at 0 then. */
int chat_store_presence_get(struct db *db, int64_t user_id, char status[CHAT_STATUS_MAX + 1],
                            int64_t *updated_at, struct err *e);
/* Active staff online with updated_at >= since. */
int chat_store_online_count(struct db *db, int64_t since, int64_t *out, struct err *e);

#endif
