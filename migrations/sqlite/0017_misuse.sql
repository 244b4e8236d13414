-- Misuse incidents and their evidence, and the refusals of service of client accounts (POLICY.md
-- clause 12; issue 5). Evidence is append-only; an attachment evidence owns the files claimed from
-- an upload token (moved out of uploads). At most one standing refusal per account (reversed_at
-- NULL); reversed ones stay as history. Instants are Unix seconds (UTC).
CREATE TABLE misuse_incidents (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    ticket_id       INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    summary         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_by      INTEGER REFERENCES users (id), -- NULL: the system
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX misuse_incidents_organization ON misuse_incidents (organization_id, id);

CREATE TABLE misuse_evidence (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES misuse_incidents (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('note', 'link', 'attachment')),
    body        TEXT,
    url         TEXT,
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX misuse_evidence_incident ON misuse_evidence (incident_id, id);

CREATE TABLE misuse_evidence_files (
    id           INTEGER PRIMARY KEY,
    evidence_id  INTEGER NOT NULL REFERENCES misuse_evidence (id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL, -- sniffed when uploaded
    size         INTEGER NOT NULL CHECK (size >= 0),
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX misuse_evidence_files_evidence ON misuse_evidence_files (evidence_id, id);

CREATE TABLE service_refusals (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    incident_id     INTEGER NOT NULL REFERENCES misuse_incidents (id),
    reason          TEXT NOT NULL,
    refused_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    reversed_at     INTEGER,
    reversed_by     INTEGER REFERENCES users (id),
    reverse_reason  TEXT
);
CREATE UNIQUE INDEX service_refusals_standing ON service_refusals (organization_id)
    WHERE reversed_at IS NULL;
CREATE INDEX service_refusals_created ON service_refusals (created_at);
