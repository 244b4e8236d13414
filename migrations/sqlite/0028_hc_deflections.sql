-- Help-center deflections (issue 7, "Submit a request"): each row is an article the portal's
-- request form suggested and the person opened (query: the subject typed so far). submitted
-- turns 1 when the same person went on to submit the request anyway, so a deflection is an
-- opened suggestion that stayed submitted = 0. Reported per article over created_at.
-- token_hash: keyed hash (service/auth.h, hex) of the secret handed to the row's creator only;
-- marking a row submitted takes that secret, so nobody else can skew the counts. The query is
-- cleared ('') once the row is HC_DEFLECTION_QUERY_DAYS (90) days old (hc_deflections_sweep).
CREATE TABLE hc_deflections (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES hc_articles (id) ON DELETE CASCADE,
    query      TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    submitted  INTEGER NOT NULL DEFAULT 0 CHECK (submitted IN (0, 1))
);
CREATE INDEX hc_deflections_created ON hc_deflections (created_at, article_id);
CREATE INDEX hc_deflections_article ON hc_deflections (article_id);
