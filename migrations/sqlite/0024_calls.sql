-- Phone (issue 6): calls staff log on a ticket (or that open one, channel "voice"), and the
-- callback requests requesters leave in the portal, which form a queue of their own. A call's
-- notes are also the ticket comment it made (comment_id); the row keeps what a comment cannot:
-- direction, number, duration, when it started. Instants are Unix seconds; booleans 0/1.

CREATE TABLE calls (
    id               INTEGER PRIMARY KEY,
    ticket_id        INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    comment_id       INTEGER REFERENCES ticket_comments (id) ON DELETE SET NULL,
    direction        TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    phone_number     TEXT NOT NULL, -- normalized: '+' and digits
    duration_seconds INTEGER NOT NULL CHECK (duration_seconds BETWEEN 0 AND 86400),
    notes            TEXT NOT NULL,
    is_public        INTEGER NOT NULL DEFAULT 1 CHECK (is_public IN (0, 1)),
    agent_id         INTEGER NOT NULL REFERENCES users (id),
    started_at       INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX calls_ticket ON calls (ticket_id, id);

-- 'open' -> 'in_progress' -> 'done' | 'cancelled' ('open' -> 'cancelled' too). At most a few
-- unresolved (open or in_progress) per requester: the service counts them under the
-- requester's row lock.
CREATE TABLE callback_requests (
    id             INTEGER PRIMARY KEY,
    requester_id   INTEGER NOT NULL REFERENCES users (id),
    ticket_id      INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    phone_number   TEXT NOT NULL,
    preferred_time TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    assignee_id    INTEGER REFERENCES users (id),
    call_id        INTEGER REFERENCES calls (id) ON DELETE SET NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    resolved_at    INTEGER -- when it became done or cancelled
);
CREATE INDEX callback_requests_queue ON callback_requests (status, created_at, id);
CREATE INDEX callback_requests_requester ON callback_requests (requester_id, status);
