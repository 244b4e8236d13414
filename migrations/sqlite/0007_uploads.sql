-- Uploads waiting for a comment to claim them (Zendesk's upload tokens). The bytes are stored
-- right away, so several server processes share nothing but the database; a comment that
-- claims a token moves its rows into attachments, keeping their ids. AUTOINCREMENT: an id is
-- never reused, so a moved row can never collide with an attachment that came before it (every
-- attachment comes through here). Expired rows are ignored; deleting them is optional.
CREATE TABLE uploads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token        TEXT NOT NULL,       -- random, binds the upload to its uploader (stored as is)
    uploader_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,       -- sniffed from the bytes, not taken from the client
    size         INTEGER NOT NULL CHECK (size >= 0),
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX uploads_token ON uploads (token);
