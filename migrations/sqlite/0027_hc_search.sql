-- Help-center search (issue 7, "Search"): full text over PUBLISHED articles with SQLite's FTS5.
-- body_text is the article's body as a reader sees it (core/markdown.h markdown_to_text() of the
-- Markdown, made by the content service when it saves a revision); search and snippets read it,
-- never the Markdown or the HTML. hc_articles_fts is an external-content FTS5 table over
-- hc_articles (rowid = the article's id; snippet() reads the text back from hc_articles) that
-- holds only published articles: the triggers below add a row when an article is or becomes
-- published and remove it (with the values it was indexed with, as external content requires)
-- when it changes, is unpublished or deleted, so no service code maintains the index. Columns
-- weigh title 10, body 1, labels 4 in bm25() (store/hc_search.c). The porter stemmer lets
-- "refunds" find "refund"; the prefix index of 4 characters makes "refu*" cheap (shorter words
-- match only as themselves: store/hc_search.h HC_SEARCH_PREFIX_MIN).
ALTER TABLE hc_articles ADD COLUMN body_text TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE hc_articles_fts USING fts5 (
    title, body_text, label_names,
    content = 'hc_articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '4'
);

INSERT INTO hc_articles_fts (rowid, title, body_text, label_names)
    SELECT id, title, body_text, label_names FROM hc_articles WHERE draft = 0;

CREATE TRIGGER hc_articles_fts_insert AFTER INSERT ON hc_articles WHEN new.draft = 0
BEGIN
    INSERT INTO hc_articles_fts (rowid, title, body_text, label_names)
        VALUES (new.id, new.title, new.body_text, new.label_names);
END;

CREATE TRIGGER hc_articles_fts_delete AFTER DELETE ON hc_articles WHEN old.draft = 0
BEGIN
    INSERT INTO hc_articles_fts (hc_articles_fts, rowid, title, body_text, label_names)
        VALUES ('delete', old.id, old.title, old.body_text, old.label_names);
END;

-- One trigger for updates, so the old row leaves the index before the new one enters: SQLite
-- fires several triggers of one event newest first, and an insert before the delete of the
-- same rowid leaves the index without the row's sizes (snippet() then reports corruption).
CREATE TRIGGER hc_articles_fts_update
    AFTER UPDATE OF title, body_text, label_names, draft ON hc_articles
BEGIN
    INSERT INTO hc_articles_fts (hc_articles_fts, rowid, title, body_text, label_names)
        SELECT 'delete', old.id, old.title, old.body_text, old.label_names WHERE old.draft = 0;
    INSERT INTO hc_articles_fts (rowid, title, body_text, label_names)
        SELECT new.id, new.title, new.body_text, new.label_names WHERE new.draft = 0;
END;
