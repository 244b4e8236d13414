-- Uploads waiting for a comment to claim them (Zendesk's upload tokens). The bytes are stored
-- right away, so several server processes share nothing but the database; a comment that
-- claims a token moves its rows into attachments, keeping their ids: both tables draw ids from
-- the attachments sequence, so a moved row never collides. Expired rows are ignored; deleting
-- them is optional.
CREATE TABLE uploads (
    id           BIGINT PRIMARY KEY DEFAULT nextval(pg_get_serial_sequence('attachments', 'id')),
    token        TEXT NOT NULL,       -- random, binds the upload to its uploader (stored as is)
    uploader_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,       -- sniffed from the bytes, not taken from the client
    size         BIGINT NOT NULL CHECK (size >= 0),
    data         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX uploads_token ON uploads (token);
