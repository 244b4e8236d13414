-- SLA clocks (issue 4; src/core/sla.c, src/service/ticket_sla.c). A ticket's clocks are computed
-- from its events; the row keeps the summary queues sort and filter by, refreshed by every
-- write to the ticket: the worst state, and the warn and due instants of the clock due
-- soonest. NULL when no clock runs (answered, cancelled, or before this migration).
ALTER TABLE tickets ADD COLUMN sla_state TEXT;
ALTER TABLE tickets ADD COLUMN sla_warn_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_due_at BIGINT;
-- "Due soonest first" over the tickets whose clock is still ticking.
CREATE INDEX tickets_sla_due ON tickets (sla_due_at, id) WHERE sla_due_at IS NOT NULL;
