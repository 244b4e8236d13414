-- Group memberships get ids of their own, as Zendesk's have (DELETE /api/v2/group_memberships/{id}).
-- SQLite cannot add a primary key to an existing table, so the table is rebuilt; nothing
-- references it, and (group_id, user_id) stays unique.
CREATE TABLE group_memberships_new (
    id         INTEGER PRIMARY KEY,
    group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (group_id, user_id)
);
INSERT INTO group_memberships_new (group_id, user_id, created_at)
    SELECT group_id, user_id, created_at FROM group_memberships
    ORDER BY created_at, group_id, user_id;
DROP TABLE group_memberships;
ALTER TABLE group_memberships_new RENAME TO group_memberships;
CREATE INDEX group_memberships_user ON group_memberships (user_id);
