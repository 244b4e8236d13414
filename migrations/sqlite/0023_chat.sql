-- Live chat (issue 6): a chat session is a ticket with channel 'chat'; its messages are the
-- ticket's public comments, so the transcript is the ticket's conversation. The session row keeps
-- what a ticket cannot: the waiting/active/ended life, who accepted it, and the hash of the
-- visitor token an anonymous visitor's browser holds (service/secrets.h keyed BLAKE2b, hex).
-- Instants are Unix seconds (UTC).
CREATE TABLE chat_sessions (
    id                 INTEGER PRIMARY KEY,
    ticket_id          INTEGER NOT NULL UNIQUE REFERENCES tickets (id) ON DELETE CASCADE,
    requester_id       INTEGER NOT NULL REFERENCES users (id),
    status             TEXT NOT NULL DEFAULT 'waiting'
                       CHECK (status IN ('waiting', 'active', 'ended')),
    started_at         INTEGER NOT NULL,
    accepted_at        INTEGER,
    accepted_by        INTEGER REFERENCES users (id),
    ended_at           INTEGER,
    ended_by           INTEGER REFERENCES users (id),
    visitor_token_hash TEXT UNIQUE
);
-- The waiting list (oldest first) and the streams' poll over chats not ended.
CREATE INDEX chat_sessions_status ON chat_sessions (status, started_at, id);
CREATE INDEX chat_sessions_requester ON chat_sessions (requester_id, id);

-- Agents online for chat. A row per agent who ever set a status; 'online' agents count for
-- availability.
CREATE TABLE agent_presence (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    status     TEXT NOT NULL CHECK (status IN ('online', 'away')),
    updated_at INTEGER NOT NULL
);
