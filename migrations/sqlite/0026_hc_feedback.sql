-- Help-center feedback (issue 7): "Was this article helpful?" votes and article comments.
-- A vote belongs to exactly one voter: a signed-in person (user_id) or an anonymous browser
-- (voter_hash: the keyed BLAKE2b hash of its fd_hc_voter cookie, as session tokens are stored;
-- never the cookie itself). One vote per voter per article; a second one replaces the first.
-- hc_articles.vote_sum/vote_count are changed by the same transaction as the vote rows, as a
-- delta under the article's lock, so they always equal SUM(value)/COUNT(*) over hc_votes.
-- A comment's body is Markdown; html is its rendering (core/markdown.h) made when it is saved.
-- Instants are Unix seconds; booleans 0/1.
CREATE TABLE hc_votes (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES hc_articles (id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users (id),
    voter_hash TEXT,
    value      INTEGER NOT NULL CHECK (value IN (1, -1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (voter_hash IS NULL)),
    UNIQUE (article_id, user_id),
    UNIQUE (article_id, voter_hash)
);
CREATE INDEX hc_votes_user ON hc_votes (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX hc_votes_voter ON hc_votes (voter_hash) WHERE voter_hash IS NOT NULL;

CREATE TABLE hc_comments (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES hc_articles (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL, -- Markdown
    html       TEXT NOT NULL, -- body rendered
    hidden     INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX hc_comments_article ON hc_comments (article_id, id);
