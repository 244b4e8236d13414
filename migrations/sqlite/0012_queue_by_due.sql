-- Queues by SLA due instant (src/store/ticket_queues.c, ?sort_by=sla_due_at): one index range per
-- status, the tickets whose clock runs in due order, then those without a due instant by id.
CREATE INDEX tickets_status_due ON tickets (status, sla_due_at, id);
