-- People who sign in (staff and, later, requesters) and the append-only audit log.
-- The ticketing issue extends users (phone, account, ...) with later migrations.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('end-user', 'agent', 'lead', 'admin')),
    password_hash TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- Email is unique case-insensitively (ASCII folding, as RFC 5321 domains are).
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    action      TEXT NOT NULL,
    target_type TEXT,
    target_id   INTEGER,
    ip          TEXT,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Append-only, whatever the SQL: no API edits or deletes it, and neither does anything else.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
