-- The SLA sweep (src/service/sla_sweep.c) wakes for the tickets whose clock changes state by time
-- alone (running -> warning at warn, -> breached at due): sla_next_at is that instant, NULL when
-- nothing is pending. One index range per wake-up, also at a million open tickets.
ALTER TABLE tickets ADD COLUMN sla_next_at BIGINT;
CREATE INDEX tickets_sla_next ON tickets (sla_next_at) WHERE sla_next_at IS NOT NULL;
