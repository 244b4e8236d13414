-- Outbox delivery over SMTP (issue 6, "Email out"; src/service/mail_out.c). A row is claimed
-- (status 'sending', claimed_at) in one transaction before its SMTP transaction and settled in
-- another after it; message_id is fixed at the first claim, so a row sent again after a crash
-- between the server's 250 and our commit carries the same Message-ID. A row left 'sending'
-- (its process died) is queued again after a while.
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN claimed_at INTEGER;
CREATE INDEX outbox_sending ON outbox (claimed_at, id) WHERE status = 'sending';
