-- The duty roster (issue 5, src/service/roster.h): a weekly rotation of leads from an anchor
-- Monday in the calendar's zone (one row, id 1, and the leads in order), plus one-off overrides;
-- the most recently created override covering an instant wins. Instants are Unix seconds (UTC).

CREATE TABLE duty_roster (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    anchor_date TEXT NOT NULL,      -- 'YYYY-MM-DD', a Monday in the calendar's zone
    updated_by  INTEGER REFERENCES users (id),
    updated_at  INTEGER NOT NULL
);

CREATE TABLE duty_roster_leads (
    slot    INTEGER PRIMARY KEY CHECK (slot >= 0), -- 0, 1, ...: the order of the rotation
    user_id INTEGER NOT NULL REFERENCES users (id)
);

CREATE TABLE duty_roster_overrides (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
-- Who is on duty reads the overrides not over yet.
CREATE INDEX duty_roster_overrides_ends ON duty_roster_overrides (ends_at);
