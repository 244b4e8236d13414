-- Auto-close looks for solved tickets by when they were solved (src/jobs/autoclose.c).
CREATE INDEX tickets_status_solved ON tickets (status, solved_at);
