"""Help-center search (issue 7, "Search"): GET /api/v2/help_center/articles/search on both
databases: ranking (a title match above a body-only one), prefixes, filters by section, category
and label, snippets escaped with the matched words in <em>, empty and absurd queries (200 with
nothing found), drafts never found, paging.

Articles are written straight into the database (the content API is another helper's) with their
body_text, the column migration 0027 adds and the index triggers read; the words the tests search
for are made up so seeded articles never match them.
"""

import re

import pytest

from conftest import DB_KIND, ADMIN, Api, ServerPool, create_admin, db_scalar, token_create

SEARCH = "/api/v2/help_center/articles/search"
ARTICLE_KEYS = {"id", "url", "html_url", "author_id", "comments_disabled", "draft", "promoted",
                "position", "vote_sum", "vote_count", "section_id", "created_at", "updated_at",
                "edited_at", "name", "title", "source_locale", "locale", "outdated",
                "label_names", "body", "snippet", "result_type"}
PAGE_KEYS = {"results", "count", "next_page", "previous_page", "page", "per_page", "page_count"}


def q(s):
    return "'" + s.replace("'", "''") + "'"


class Help:
    """Categories, sections and articles written into one server's database."""

    def __init__(self, srv):
        self.srv = srv
        self.db = srv.db
        self.n = 0

    def category(self, name):
        self.db.execute(f"INSERT INTO hc_categories (name, created_at, updated_at) "
                        f"VALUES ({q(name)}, 0, 0)")
        return int(db_scalar(self.db, f"SELECT max(id) FROM hc_categories WHERE name = {q(name)}"))

    def section(self, category, name):
        self.db.execute(f"INSERT INTO hc_sections (category_id, name, created_at, updated_at) "
                        f"VALUES ({category}, {q(name)}, 0, 0)")
        return int(db_scalar(self.db, f"SELECT max(id) FROM hc_sections WHERE name = {q(name)}"))

    def article(self, section, title, text, labels=(), draft=False):
        self.n += 1
        key = f"search-test-{self.n}"
        names = ",".join(sorted(labels))
        self.db.execute(
            f"INSERT INTO hc_articles (section_id, title, body, html, body_text, label_names, "
            f"draft, seed_key, created_at, updated_at, edited_at) VALUES ({section}, {q(title)}, "
            f"{q(text)}, {q('<p>' + text + '</p>')}, {q(text)}, {q(names)}, {int(draft)}, "
            f"{q(key)}, 1700000000, 1700000000, 1700000000)")
        aid = int(db_scalar(self.db, f"SELECT id FROM hc_articles WHERE seed_key = {q(key)}"))
        for label in labels:
            self.db.execute(f"INSERT INTO hc_article_labels (article_id, label) "
                            f"VALUES ({aid}, {q(label)})")
        return aid


@pytest.fixture(scope="module")
def hc(tmp_path_factory):
    p = ServerPool(tmp_path_factory.mktemp("hc_search"))
    try:
        srv = p.start()
        create_admin(srv)
        h = Help(srv)
        h.anon = Api(srv)
        h.admin = Api(srv, token_create(srv, ADMIN["email"]))
        cat = h.category("Billing")
        other_cat = h.category("Accounts")
        h.cat, h.other_cat = cat, other_cat
        h.sec = h.section(cat, "Refunds")
        h.sec2 = h.section(cat, "Invoices")
        h.sec3 = h.section(other_cat, "Sign in")
        yield h
    finally:
        p.close()


def snip(text):
    """The snippet expected of a short body that matched: all of it; PostgreSQL's ts_headline()
    ends a fragment at a word, so there the closing punctuation goes (a body that did not
    match shows its beginning as it is, on both)."""
    return text.rstrip(".") if DB_KIND == "postgres" else text


def search(api, **params):
    resp = api.get(SEARCH, params=params)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == PAGE_KEYS
    for r in body["results"]:
        assert set(r) == ARTICLE_KEYS
        assert r["result_type"] == "article" and r["draft"] is False
    return body


def ids(body):
    return [r["id"] for r in body["results"]]


def test_title_match_ranks_above_body_match(hc):
    body_only = hc.article(hc.sec, "Money back", "Ask us about the zorblax form any time.")
    in_title = hc.article(hc.sec2, "The zorblax form", "How it works.")
    res = search(hc.anon, query="zorblax")
    assert ids(res) == [in_title, body_only]
    assert res["count"] == 2 and res["page"] == 1 and res["per_page"] == 30
    assert res["page_count"] == 1 and res["next_page"] is None and res["previous_page"] is None
    top = res["results"][0]
    assert top["title"] == top["name"] == "The zorblax form"
    assert top["section_id"] == hc.sec2 and top["body"] == "<p>How it works.</p>"
    assert top["url"].endswith(f"/api/v2/help_center/articles/{in_title}")
    assert top["html_url"].endswith(f"/hc/articles/{in_title}")
    assert top["locale"] == "en-us" and top["label_names"] == []
    assert top["created_at"] == "2023-11-14T22:13:20Z"
    assert res["results"][1]["snippet"] == snip("Ask us about the <em>zorblax</em> form any time.")
    # the same for a signed-in admin: search is the same for everyone
    assert ids(search(hc.admin, query="ZORBLAX")) == [in_title, body_only]


def test_prefix_and_stemming(hc):
    a = hc.article(hc.sec, "Quuxrefunds explained", "Money comes back.")
    b = hc.article(hc.sec, "Other words", "Several glimmerquux items.")
    assert ids(search(hc.anon, query="quuxref")) == [a]
    assert ids(search(hc.anon, query="quuxrefund")) == [a]
    assert ids(search(hc.anon, query="quuxrefunds")) == [a]
    assert ids(search(hc.anon, query="glimmerquux")) == [b]  # stemmed: the body says ...quux items
    assert search(hc.anon, query="glimmerquux")["results"][0]["snippet"] == \
        snip("Several <em>glimmerquux</em> items.")
    # every word must match
    assert ids(search(hc.anon, query="quuxref money")) == [a]
    assert ids(search(hc.anon, query="quuxref glimmerquux")) == []
    # a word of fewer than four characters matches only as itself, not as a prefix
    assert ids(search(hc.anon, query="quuxrefunds q")) == []
    assert ids(search(hc.anon, query="quu")) == []
    assert ids(search(hc.anon, query="quux")) == [a]


def test_filters(hc):
    a = hc.article(hc.sec, "Filterquux one", "Text.", labels=["billing", "vip customers"])
    b = hc.article(hc.sec2, "Filterquux two", "Text.", labels=["billing"])
    c = hc.article(hc.sec3, "Filterquux three", "Text.", labels=["security"])
    assert sorted(ids(search(hc.anon, query="filterquux"))) == sorted([a, b, c])
    assert ids(search(hc.anon, query="filterquux", section=hc.sec)) == [a]
    assert sorted(ids(search(hc.anon, query="filterquux", category=hc.cat))) == sorted([a, b])
    assert ids(search(hc.anon, query="filterquux", category=hc.other_cat)) == [c]
    assert ids(search(hc.anon, query="filterquux", category=hc.other_cat, section=hc.sec)) == []
    assert sorted(ids(search(hc.anon, query="filterquux", label_names="billing"))) == \
        sorted([a, b])
    # any of the labels, normalized as articles' labels are (case, spaces)
    assert sorted(ids(search(hc.anon, query="filterquux",
                             label_names="Security, VIP  Customers"))) == sorted([a, c])
    assert ids(search(hc.anon, query="filterquux", label_names="nosuchlabel")) == []
    assert ids(search(hc.anon, query="filterquux", section=999999)) == []
    res = search(hc.anon, query="filterquux", section=hc.sec)
    assert res["results"][0]["label_names"] == ["billing", "vip customers"]
    # labels are searched too
    assert ids(search(hc.anon, query="filterquux security")) == [c]
    resp = hc.anon.get(SEARCH, params={"query": "filterquux",
                                       "label_names": ",".join(f"l{i}" for i in range(21))})
    assert resp.status_code == 422 and resp.json()["error"]["field"] == "label_names", resp.text
    assert search(hc.anon, query="filterquux",
                  label_names=",".join(f"l{i}" for i in range(19)) + ",,security")["count"] == 1
    for name in ("section", "category"):
        resp = hc.anon.get(SEARCH, params={"query": "filterquux", name: "abc"})
        assert resp.status_code == 400 and resp.json()["error"]["field"] == name, resp.text


def test_snippet_is_escaped_text_with_em(hc):
    text = "Type <script>alert('x')</script> & \"press\" <b>scriptquux</b> now."
    aid = hc.article(hc.sec, "Escaping", text)
    res = search(hc.anon, query="scriptquux")
    assert ids(res) == [aid]
    snippet = res["results"][0]["snippet"]
    assert snippet == snip("Type &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                           "&quot;press&quot; &lt;b&gt;<em>scriptquux</em>&lt;/b&gt; now.")
    assert re.sub(r"</?em>", "", snippet).count("<") == 0
    # a title that is markup is data in JSON, never touched
    aid2 = hc.article(hc.sec, "<img src=x onerror=alert(1)> titlequux", "Plain.")
    res = search(hc.anon, query="titlequux")
    assert ids(res) == [aid2]
    assert res["results"][0]["title"] == "<img src=x onerror=alert(1)> titlequux"
    assert res["results"][0]["snippet"] == "Plain."


@pytest.mark.parametrize("query", [
    "", "   ", "!!!", '"', '"""', "'", "''", "*", "-", "(", ")", '("', ":*", "&|!", "%", "\\",
    "a" * 10000, "zorblax " * 2000, "\u2014\u00ab\u00bb", "\U0001F600", "\u3000\u3001",
])
def test_empty_or_absurd_query_finds_nothing(hc, query):
    res = search(hc.anon, query=query)
    assert res["results"] == [] and res["count"] == 0
    assert res["next_page"] is None and res["page_count"] == 0


def test_missing_query_and_syntax_are_words(hc):
    assert search(hc.anon)["results"] == []
    assert hc.anon.get(SEARCH + "?query=%FF%FE").status_code == 200
    aid = hc.article(hc.sec, "Operators", "Syntaxquux here.")
    # quotes, operators and stars are separators, never query syntax
    for query in ('"syntaxquux', 'syntaxquux"', "syntaxquux*", "-syntaxquux", "syntaxquux:*",
                  "(syntaxquux)", "syntaxquux & !",
                  "«syntaxquux»"):
        assert ids(search(hc.anon, query=query)) == [aid], query


def test_drafts_are_never_found(hc):
    aid = hc.article(hc.sec, "Draftquux secret", "Unreleased draftquux.", draft=True)
    assert search(hc.anon, query="draftquux")["count"] == 0
    assert search(hc.admin, query="draftquux")["count"] == 0
    hc.db.execute(f"UPDATE hc_articles SET draft = 0 WHERE id = {aid}")
    assert ids(search(hc.anon, query="draftquux")) == [aid]
    hc.db.execute(f"UPDATE hc_articles SET body_text = 'Now about nimbusquux.' WHERE id = {aid}")
    assert ids(search(hc.anon, query="nimbusquux")) == [aid]
    assert search(hc.anon, query="draftquux")["results"][0]["snippet"] == "Now about nimbusquux."
    hc.db.execute(f"UPDATE hc_articles SET title = 'Renamed' WHERE id = {aid}")
    assert search(hc.anon, query="draftquux")["count"] == 0
    hc.db.execute(f"UPDATE hc_articles SET draft = 1 WHERE id = {aid}")
    assert search(hc.anon, query="nimbusquux")["count"] == 0
    hc.db.execute(f"UPDATE hc_articles SET draft = 0 WHERE id = {aid}")
    assert ids(search(hc.anon, query="nimbusquux")) == [aid]
    hc.db.execute(f"DELETE FROM hc_articles WHERE id = {aid}")
    assert search(hc.anon, query="nimbusquux")["count"] == 0


def test_paging(hc):
    made = {hc.article(hc.sec, f"Pagequux {i}", "Same text.", labels=["a b"]) for i in range(5)}
    seen = []
    first = search(hc.anon, query="pagequux", per_page=2)
    assert first["count"] == 5 and first["page_count"] == 3 and first["per_page"] == 2
    assert first["previous_page"] is None
    assert first["next_page"].endswith(
        "/api/v2/help_center/articles/search.json?query=pagequux&page=2&per_page=2")
    seen += ids(first)
    second = search(hc.anon, query="pagequux", per_page=2, page=2)
    assert second["previous_page"].endswith("?query=pagequux&page=1&per_page=2")
    seen += ids(second)
    third = search(hc.anon, query="pagequux", per_page=2, page=3)
    assert len(third["results"]) == 1 and third["next_page"] is None
    seen += ids(third)
    assert len(seen) == 5 and set(seen) == made
    beyond = search(hc.anon, query="pagequux", per_page=2, page=9)
    assert beyond["results"] == [] and beyond["count"] == 5 and beyond["next_page"] is None
    # the next page link carries the filters
    res = search(hc.anon, query="pagequux", per_page=1, section=hc.sec, label_names="a b")
    assert res["next_page"].endswith(f"?query=pagequux&section={hc.sec}&label_names=a%20b"
                                      "&page=2&per_page=1")
    for params, field in (({"per_page": 0}, "per_page"), ({"per_page": 101}, "per_page"),
                          ({"page": 0}, "page"), ({"page": "x"}, "page")):
        resp = hc.anon.get(SEARCH, params={"query": "pagequux", **params})
        assert resp.status_code == 400 and resp.json()["error"]["field"] == field, resp.text


def test_bad_credentials_are_refused(hc):
    resp = Api(hc.srv, "not-a-token").get(SEARCH, params={"query": "x"})
    assert resp.status_code == 401


def test_articles_saved_through_the_api_are_indexed_as_text(hc):
    """The content service stores the body's plain text (Markdown made text) with each revision;
    search reads that, so Markdown syntax is never searched nor shown."""
    body = "# Heading\n\nA **bold** word: quasarquux, and a [link](https://example.com/x).\n"
    resp = hc.admin.post(f"/api/v2/help_center/sections/{hc.sec}/articles",
                         {"article": {"title": "Made by the API", "body": body, "draft": False,
                                      "label_names": ["Api Made"]}})
    assert resp.status_code == 201, resp.text
    aid = resp.json()["article"]["id"]
    text = db_scalar(hc.db, f"SELECT body_text FROM hc_articles WHERE id = {aid}")
    assert "**" not in text and "quasarquux" in text and "https://" not in text
    res = search(hc.anon, query="quasarq")
    assert ids(res) == [aid]
    assert "<em>quasarquux</em>" in res["results"][0]["snippet"]
    assert "**" not in res["results"][0]["snippet"]
    assert ids(search(hc.anon, query="quasarquux", label_names="api made")) == [aid]
    # a new revision replaces the text
    resp = hc.admin.put(f"/api/v2/help_center/articles/{aid}",
                        {"article": {"draft": True}})
    assert resp.status_code == 200, resp.text
    resp = hc.admin.put(f"/api/v2/help_center/articles/{aid}",
                        {"article": {"body": "Now pulsarquux only.", "draft": False}})
    assert resp.status_code == 200, resp.text
    assert ids(search(hc.anon, query="pulsarquux")) == [aid]
    assert search(hc.anon, query="quasarquux")["count"] == 0


def test_broad_query_lists_title_matches_first(hc):
    """More matches than the store ranks in full (SQLite: 1000): title matches come first, then
    the body-only ones (SQLite: newest first; PostgreSQL ranks them all, ties by id). Every
    match is listed once across the pages."""
    titled = hc.article(hc.sec, "Broadquux guide", "Start here.")
    hc.db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1001) "
        "INSERT INTO hc_articles (section_id, title, body, html, body_text, draft, seed_key, "
        "created_at, updated_at, edited_at) "
        f"SELECT {hc.sec2}, 'Broad ' || i, 'x', '<p>x</p>', 'Some broadquux text.', 0, "
        "'broad-' || i, 1700000000, 1700000000, 1700000000 FROM n")
    newest = int(db_scalar(hc.db, "SELECT max(id) FROM hc_articles WHERE seed_key LIKE 'broad-%'"))
    res = search(hc.anon, query="broadquux", per_page=100)
    assert res["count"] == 1002 and res["page_count"] == 11
    assert res["results"][0]["id"] == titled
    second = res["results"][1]["id"]
    assert second == (newest if DB_KIND == "sqlite" else newest - 1000)
    assert res["results"][1]["snippet"] == snip("Some <em>broadquux</em> text.")
    seen = []
    for page in range(1, 12):
        seen += ids(search(hc.anon, query="broadquux", per_page=100, page=page))
    assert len(seen) == 1002 and len(set(seen)) == 1002
    # filters apply to both parts
    assert ids(search(hc.anon, query="broadquux", section=hc.sec)) == [titled]
    res = search(hc.anon, query="broadquux", section=hc.sec2, per_page=5)
    assert res["count"] == 1001 and titled not in ids(res) and len(res["results"]) == 5


def test_control_characters_in_text_never_unbalance_the_markup(hc):
    """The marks the engines put around matches are control characters; the same characters in
    an article's text must not open or close a tag of their own."""
    ch = "char" if DB_KIND == "sqlite" else "chr"
    aid = hc.article(hc.sec, "Control", "placeholder")
    hc.db.execute(f"UPDATE hc_articles SET body_text = 'Evil ' || {ch}(2) || {ch}(1) || "
                  f"'ctrlquux' || {ch}(1) || ' and <' || {ch}(3) || ' end' || {ch}(2) || {ch}(2) "
                  f"WHERE id = {aid}")
    res = search(hc.anon, query="ctrlquux")
    assert ids(res) == [aid]
    snippet = res["results"][0]["snippet"]
    tags = re.findall(r"</?em>", snippet)
    assert tags == ["<em>", "</em>"] * (len(tags) // 2), snippet
    assert "<em>ctrlquux</em>" in snippet
    assert not re.search(r"[\x00-\x1f]", snippet) and "&lt;" in snippet
    assert re.sub(r"</?em>", "", snippet).count("<") == 0
