-- Identity before billing (issue 5, policy clauses 1.5 and 3; src/service/identity.c).
-- A challenge is one 6-digit code mailed to the owners and billing contacts of a ticket's
-- account, kept only as a keyed BLAKE2b hash (the instance's token key). It expires at
-- expires_at (15 minutes after created_at), locks after 5 wrong tries (attempts is counted in
-- the same transaction as the check, under the ticket's row lock) and is superseded when a new
-- one is sent for the ticket. Instants are Unix seconds (UTC).
CREATE TABLE identity_challenges (
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    requester_id    INTEGER NOT NULL REFERENCES users (id), -- whom a right code verifies
    organization_id INTEGER NOT NULL REFERENCES organizations (id), -- whose contacts got it
    code_hash       TEXT NOT NULL, -- hex keyed BLAKE2b of the ticket id and the code; never the code
    sent_to         INTEGER NOT NULL CHECK (sent_to > 0), -- how many addresses
    created_by      INTEGER REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0), -- wrong tries
    status          TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'verified', 'locked', 'superseded')),
    closed_at       INTEGER
);
CREATE INDEX identity_challenges_ticket ON identity_challenges (ticket_id, id);

-- A ticket's requester verified for that ticket (and that account) until verified_until:
-- by a code ("code") or by writing through a signed-in portal session as an owner or billing
-- contact ("session").
CREATE TABLE identity_verifications (
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    method          TEXT NOT NULL CHECK (method IN ('code', 'session')),
    challenge_id    INTEGER REFERENCES identity_challenges (id) ON DELETE SET NULL,
    verified_at     INTEGER NOT NULL,
    verified_until  INTEGER NOT NULL
);
CREATE INDEX identity_verifications_ticket ON identity_verifications (ticket_id, verified_until);
