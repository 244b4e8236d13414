-- Help-center search (issue 7, "Search"): full text over PUBLISHED articles with PostgreSQL's
-- text search. body_text is the article's body as a reader sees it (core/markdown.h
-- markdown_to_text() of the Markdown, made by the content service when it saves a revision);
-- search and snippets read it, never the Markdown or the HTML. search_vector holds the title
-- (weight A), body_text (B) and labels (C) under the 'english' configuration (stemmed, so
-- "refunds" finds "refund"), kept right by a trigger on every insert and on every update of
-- those columns, so no service code maintains it; the GIN index covers published articles only,
-- which is all search reads (store/hc_search.c ranks with ts_rank_cd).
ALTER TABLE hc_articles ADD COLUMN body_text TEXT NOT NULL DEFAULT '';
ALTER TABLE hc_articles ADD COLUMN search_vector TSVECTOR NOT NULL DEFAULT ''::tsvector;

CREATE FUNCTION hc_articles_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', NEW.title), 'A') ||
        setweight(to_tsvector('english', NEW.body_text), 'B') ||
        setweight(to_tsvector('english', replace(NEW.label_names, ',', ' ')), 'C');
    RETURN NEW;
END
$$;

CREATE TRIGGER hc_articles_search_vector_insert BEFORE INSERT ON hc_articles
    FOR EACH ROW EXECUTE FUNCTION hc_articles_search_vector();
CREATE TRIGGER hc_articles_search_vector_update
    BEFORE UPDATE OF title, body_text, label_names ON hc_articles
    FOR EACH ROW EXECUTE FUNCTION hc_articles_search_vector();

UPDATE hc_articles SET body_text = body_text;

CREATE INDEX hc_articles_search ON hc_articles USING GIN (search_vector) WHERE draft = 0;
