-- Support bans (policy clauses 5 and 6), the one-notice-a-day ledger and abusive-comment flags.
-- Instants are Unix seconds (UTC). A ban targets a user (with the user's address key, so the
-- address is covered too) or an organization (every person of the account, checked at status
-- time, so people added later are covered). Active while lifted_at is NULL; lifting keeps the row.
CREATE TABLE bans (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
    organization_id INTEGER REFERENCES organizations (id) ON DELETE CASCADE,
    address_key     TEXT,    -- core/email_addr.h email_addr_ban_key(); NULL for organizations
    reason          TEXT NOT NULL,
    created_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    lifted_at       INTEGER,
    lifted_by       INTEGER REFERENCES users (id),
    lift_reason     TEXT,
    CHECK ((user_id IS NULL) <> (organization_id IS NULL))
);
-- At most one active ban per target; the status look-ups read these.
CREATE UNIQUE INDEX bans_active_user ON bans (user_id) WHERE lifted_at IS NULL AND user_id IS NOT NULL;
CREATE UNIQUE INDEX bans_active_organization ON bans (organization_id)
    WHERE lifted_at IS NULL AND organization_id IS NOT NULL;
CREATE INDEX bans_active_address ON bans (address_key) WHERE lifted_at IS NULL;

-- One notice per address key per UTC day (days since 1970-01-01): the unique key is what stops
-- two concurrent callers from both queueing one.
CREATE TABLE ban_notices (
    address_key TEXT NOT NULL,
    day         INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (address_key, day)
);

-- A comment flagged as abusive by staff (clause 5); one flag per comment, the latest wins.
CREATE TABLE comment_flags (
    comment_id INTEGER PRIMARY KEY REFERENCES ticket_comments (id) ON DELETE CASCADE,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    flagged_by INTEGER NOT NULL REFERENCES users (id),
    reason     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX comment_flags_ticket ON comment_flags (ticket_id);
