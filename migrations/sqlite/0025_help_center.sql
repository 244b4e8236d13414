-- Help center (issue 7; policy clause 1.3 "Providing materials that assist in learning the
-- platform"): categories > sections > articles, each article's every edit kept as a revision.
-- An article's body is Markdown as written; html is its rendering (cmark, unsafe HTML off) of
-- the current revision, made on the server when the revision is saved, so a page view never
-- renders. Labels are kept both as the article's normalized list (label_names, as the API
-- answers it) and one row per label (hc_article_labels) for filtering. vote_sum/vote_count are
-- maintained in the same transaction as each vote (issue 7's votes migration). Instants are Unix
-- seconds; booleans 0/1.
CREATE TABLE hc_categories (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE hc_sections (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES hc_categories (id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX hc_sections_category ON hc_sections (category_id, position, id);

CREATE TABLE hc_articles (
    id                INTEGER PRIMARY KEY,
    section_id        INTEGER NOT NULL REFERENCES hc_sections (id),
    title             TEXT NOT NULL,
    body              TEXT NOT NULL, -- Markdown
    html              TEXT NOT NULL, -- body rendered (the current revision)
    label_names       TEXT NOT NULL DEFAULT '', -- normalized, comma-separated, sorted
    draft             INTEGER NOT NULL DEFAULT 1 CHECK (draft IN (0, 1)),
    position          INTEGER NOT NULL DEFAULT 0,
    author_id         INTEGER REFERENCES users (id),
    comments_disabled INTEGER NOT NULL DEFAULT 0 CHECK (comments_disabled IN (0, 1)),
    revision          INTEGER NOT NULL DEFAULT 1, -- the current revision's number
    vote_sum          INTEGER NOT NULL DEFAULT 0,
    vote_count        INTEGER NOT NULL DEFAULT 0,
    seed_key          TEXT UNIQUE, -- set on articles init seeded ('policies', ...), else NULL
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    edited_at         INTEGER NOT NULL -- the last change of title or body
);
CREATE INDEX hc_articles_section ON hc_articles (section_id, position, id);
CREATE INDEX hc_articles_published ON hc_articles (id) WHERE draft = 0;

CREATE TABLE hc_article_revisions (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES hc_articles (id) ON DELETE CASCADE,
    revision    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    label_names TEXT NOT NULL DEFAULT '',
    author_id   INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    UNIQUE (article_id, revision)
);

CREATE TABLE hc_article_labels (
    article_id INTEGER NOT NULL REFERENCES hc_articles (id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    PRIMARY KEY (article_id, label)
);
CREATE INDEX hc_article_labels_label ON hc_article_labels (label, article_id);
