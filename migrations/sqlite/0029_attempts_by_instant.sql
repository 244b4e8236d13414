-- The attempts sweep (jobs/attempts_sweep.c) deletes the counted attempts older than a day: an
-- index on the instant makes that a range, not a scan of every key's rows.
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
