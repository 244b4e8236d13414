-- The uploads sweep (src/jobs/uploads_sweep.c) finds expired uploads by expiry; without an
-- index it would read past every pending file's bytes to reach expires_at.
CREATE INDEX uploads_expiry ON uploads (expires_at);
