-- Feature requests (policy clause 2): a feature-request ticket escalates to the product team,
-- where staff link it to a feature item. Counts of tickets and accounts asking for an item are
-- computed from the links, never stored, so they are always exact. Instants are Unix seconds.

CREATE TABLE feature_items (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'under_review'
                CHECK (status IN ('under_review', 'planned', 'shipped', 'declined')),
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    shipped_at  INTEGER -- the first time it shipped: requesters are notified then, and only then
);
CREATE INDEX feature_items_status ON feature_items (status, id);

-- A ticket asks for at most one feature item: re-linking moves it.
CREATE TABLE feature_item_tickets (
    ticket_id       INTEGER PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    feature_item_id INTEGER NOT NULL REFERENCES feature_items (id) ON DELETE CASCADE,
    linked_by       INTEGER REFERENCES users (id),
    linked_at       INTEGER NOT NULL
);
CREATE INDEX feature_item_tickets_item ON feature_item_tickets (feature_item_id, ticket_id);
