-- The support desk itself: client accounts (Zendesk's organizations), teams (groups), tickets,
-- their conversation, attachments and events; sign-in sessions, API tokens, sign-in throttling
-- and the outbox of mail to send. Instants are Unix seconds (UTC); booleans are 0/1 integers.

CREATE TABLE organizations (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT NOT NULL,
    plan                  TEXT NOT NULL DEFAULT '',
    plan_rate_cents       INTEGER NOT NULL DEFAULT 0 CHECK (plan_rate_cents >= 0),
    support_package_until TEXT,          -- 'YYYY-MM-DD' (last day, calendar zone) or NULL: none
    install_status        TEXT NOT NULL DEFAULT 'installed'
                          CHECK (install_status IN ('installed', 'uninstalled')),
    delinquent            INTEGER NOT NULL DEFAULT 0 CHECK (delinquent IN (0, 1)),
    high_risk             INTEGER NOT NULL DEFAULT 0 CHECK (high_risk IN (0, 1)),
    service_refused       INTEGER NOT NULL DEFAULT 0 CHECK (service_refused IN (0, 1)),
    billing_facts         TEXT NOT NULL DEFAULT '{}', -- JSON imported by admins; never on tickets
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));

ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN organization_id INTEGER REFERENCES organizations (id);
ALTER TABLE users ADD COLUMN account_role TEXT
    CHECK (account_role IS NULL OR account_role IN ('owner', 'member', 'billing_contact'));
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
CREATE INDEX users_organization ON users (organization_id);

CREATE TABLE groups (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX groups_name_key ON groups (lower(name));

CREATE TABLE group_memberships (
    group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    subject         TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'web', 'voice', 'chat', 'api')),
    requester_id    INTEGER NOT NULL REFERENCES users (id),
    submitter_id    INTEGER NOT NULL REFERENCES users (id),
    organization_id INTEGER REFERENCES organizations (id),
    status          TEXT NOT NULL
                    CHECK (status IN ('new', 'open', 'pending', 'hold', 'solved', 'closed')),
    priority        TEXT NOT NULL DEFAULT 'normal'
                    CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    category        TEXT,
    assignee_id     INTEGER REFERENCES users (id),
    group_id        INTEGER REFERENCES groups (id),
    follow_up_of    INTEGER REFERENCES tickets (id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    solved_at       INTEGER
);
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_requester ON tickets (requester_id, id);
CREATE INDEX tickets_organization ON tickets (organization_id, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status, id);
CREATE INDEX tickets_group ON tickets (group_id, status, id);

CREATE TABLE ticket_tags (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag);

-- The conversation: public replies and internal notes. body is Markdown source, as written.
CREATE TABLE ticket_comments (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    public     INTEGER NOT NULL CHECK (public IN (0, 1)),
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'web', 'voice', 'chat', 'api')),
    created_at INTEGER NOT NULL
);
CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, id);

-- Every byte a ticket needs lives in the database, so server processes share nothing else.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    comment_id   INTEGER REFERENCES ticket_comments (id) ON DELETE CASCADE,
    uploader_id  INTEGER NOT NULL REFERENCES users (id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL, -- sniffed from the bytes, not taken from the client
    size         INTEGER NOT NULL CHECK (size >= 0),
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id);
CREATE INDEX attachments_comment ON attachments (comment_id);

-- Every change to a ticket, faithfully: the SLA clocks are computed from these rows.
CREATE TABLE ticket_events (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor_id  INTEGER REFERENCES users (id), -- NULL: the system (auto-close, mail gateway)
    at        INTEGER NOT NULL,
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE, -- keyed BLAKE2b of the cookie value; the value is never stored
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,    -- absolute expiry
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed sign-ins per key ("email:..." or "ip:..."), in a sliding window.
CREATE TABLE sign_in_failures (
    key   TEXT NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

-- Mail to send, written in the same transaction as what caused it; the channels issue delivers.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL, -- 'password_reset', 'ack', 'reply', 'identity_code', ...
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    ticket_id       INTEGER REFERENCES tickets (id),
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
