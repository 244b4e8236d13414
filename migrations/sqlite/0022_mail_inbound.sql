-- Inbound mail (issue 6, "Email in"; src/service/mail_in.c). Every message is stored raw (in the
-- transaction that processes it, or alone when that fails), so nothing a customer sent is lost:
-- raw_sha256 (hex) makes every way in idempotent; status 'failed' rows are the failed-inbound
-- list admins retry. outcome says what became of a processed message; ticket_id and comment_id
-- link it to what it made (the comment keeps the full original through this row). The raw bytes
-- are in mail_inbound_raw, so that updating a row's status never rewrites the message.
CREATE TABLE mail_inbound (
    id           INTEGER PRIMARY KEY,
    source       TEXT NOT NULL CHECK (source IN ('pipe', 'api', 'imap')),
    raw_sha256   TEXT NOT NULL UNIQUE,
    size         INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'received'
                 CHECK (status IN ('received', 'processed', 'failed')),
    outcome      TEXT CHECK (outcome IS NULL OR
                             outcome IN ('ticket', 'reply', 'bounce', 'ignored', 'failed')),
    reason       TEXT,
    ticket_id    INTEGER REFERENCES tickets (id),
    comment_id   INTEGER,
    message_id   TEXT,
    from_address TEXT,
    subject      TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    processed_at INTEGER
);
CREATE INDEX mail_inbound_message_id ON mail_inbound (message_id);
CREATE INDEX mail_inbound_status ON mail_inbound (status, id);
-- The hourly count per sender (--mail-in-hourly-max).
CREATE INDEX mail_inbound_from ON mail_inbound (lower(from_address), received_at);

-- The message as it arrived, written once with its mail_inbound row and never updated.
CREATE TABLE mail_inbound_raw (
    inbound_id INTEGER PRIMARY KEY REFERENCES mail_inbound (id),
    raw        BLOB NOT NULL
);

-- Addresses our mail bounced from (delivery status reports): the last status ("5.1.1").
CREATE TABLE mail_bouncing (
    address     TEXT PRIMARY KEY,
    first_at    INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    count       INTEGER NOT NULL DEFAULT 1,
    last_status TEXT
);

-- One admin alert per sender and hour past the hourly maximum.
CREATE TABLE mail_rate_alerts (
    address TEXT NOT NULL,
    hour    INTEGER NOT NULL, -- received_at / 3600
    PRIMARY KEY (address, hour)
);
