-- Queues (views) list a status's tickets for an assignee or a team by last update, then id
-- (src/store/ticket_queues.c): the status index already ends in (updated_at, id); the assignee
-- and team indexes now do too, so every queue page is an index range, also at a million tickets.
DROP INDEX tickets_assignee;
CREATE INDEX tickets_assignee ON tickets (assignee_id, status, updated_at, id);
DROP INDEX tickets_group;
CREATE INDEX tickets_group ON tickets (group_id, status, updated_at, id);
