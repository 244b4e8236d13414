-- Sign-in failures get ids: an attempt is recorded as a failure before its password is checked
-- (so parallel guesses cannot all slip under the throttle) and removed by id when it succeeds.
-- The rows are short-lived throttle counters, so the old table is simply replaced.
DROP TABLE sign_in_failures;
CREATE TABLE sign_in_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
