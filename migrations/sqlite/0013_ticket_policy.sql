-- The support policy on tickets (issue 5; src/core/policy.c, src/core/priority.c,
-- src/service/ticket_policy.c). Triage facts are yes (1), no (0) or not given (NULL). The
-- decision is recorded when it is made (at creation, and again when the category, the triage
-- facts, a scope override or the account change): its kind and instant as columns for reports,
-- the whole decision as staff see it (clause, reason, suggested macro, flags, derived priority)
-- as JSON text. NULL policy: a ticket from before this migration, never decided.
ALTER TABLE tickets ADD COLUMN triage_service_down INTEGER CHECK (triage_service_down IN (0, 1));
ALTER TABLE tickets ADD COLUMN triage_data_lost INTEGER CHECK (triage_data_lost IN (0, 1));
ALTER TABLE tickets ADD COLUMN triage_feature_down INTEGER CHECK (triage_feature_down IN (0, 1));
ALTER TABLE tickets ADD COLUMN triage_workaround INTEGER CHECK (triage_workaround IN (0, 1));
ALTER TABLE tickets ADD COLUMN priority_set_by_hand INTEGER NOT NULL DEFAULT 0
    CHECK (priority_set_by_hand IN (0, 1));
ALTER TABLE tickets ADD COLUMN scope_override TEXT CHECK (scope_override IN ('in_scope'));
ALTER TABLE tickets ADD COLUMN suggested_category TEXT;
ALTER TABLE tickets ADD COLUMN policy_decision TEXT CHECK (policy_decision IN
    ('in_scope', 'in_scope_by_package', 'out_of_scope', 'policy_answer'));
ALTER TABLE tickets ADD COLUMN policy_decided_at INTEGER;
ALTER TABLE tickets ADD COLUMN policy TEXT;
-- The report's "out-of-scope answers by category per week". Partial: most tickets are in scope,
-- so creating one rarely touches this index.
CREATE INDEX tickets_out_of_scope ON tickets (policy_decided_at, id)
    WHERE policy_decision = 'out_of_scope';

-- Clause 11: staff overriding a decision (scope or priority) to benefit the client, with a
-- written justification: who, when, why and the decision it replaced. Append-only by use.
CREATE TABLE policy_exceptions (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('priority', 'scope')),
    from_value    TEXT NOT NULL,
    to_value      TEXT NOT NULL,
    justification TEXT NOT NULL,
    actor_id      INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX policy_exceptions_created ON policy_exceptions (created_at, id);
CREATE INDEX policy_exceptions_ticket ON policy_exceptions (ticket_id, id);
