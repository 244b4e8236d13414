-- Instance-wide settings: one row per key, values as JSON text. Later migrations add the
-- domain tables; keys are namespaced ("instance.created_at", "mail.thread_key", ...).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
