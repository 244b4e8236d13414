"""Help-center seed content (issue 7, "Content"): what `frontdesk init` loads.

The policies article must be faithful to tests/data/policy/rarelogic-support-policies.txt (the
policy as written), lines 1-83 (lines 84+ are page furniture: votes, "Submit a request", comments). The comparison: the
article as the API answers it (its title, then its body's rendered HTML read as text: one line
per block, li, br; entities unescaped) and the seed's lines, both with each line's whitespace
runs collapsed to one space and trimmed, empty lines dropped, must be EQUAL sequences, character
for character: nothing lost, added or mangled (a "*" eaten as emphasis fails it). Numbered seed
lines "N. text" must be the N-th item of an ordered list, bullets "• text" items of a bulleted
list, other lines no list item's first line.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from conftest import Api, create_admin, db_query, db_scalar, init_db, token_create

# RareLogic's policy as they wrote it (a verbatim copy kept with the tests, so a clone alone can
# run them; tests/data/policy/README.md).
SEED = Path(__file__).resolve().parents[1] / "data" / "policy" / "rarelogic-support-policies.txt"
SEED_LINES = 83

BREAKS = {"p", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr", "blockquote",
          "pre", "div"}


def norm(s):
    return " ".join(s.split())  # also folds U+00A0, as the seed's "blank" lines hold one


class Lines(HTMLParser):
    """The text lines of rendered HTML, each with (list kind, item number) when it is the first
    line of a list item, else None."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.cur, self.lists, self.marker = [], [], [], None

    def flush(self):
        text = norm("".join(self.cur))
        self.cur = []
        if text:
            self.lines.append((self.marker, text))
            self.marker = None

    def handle_starttag(self, tag, attrs):
        if tag in BREAKS:
            self.flush()
        if tag in ("ol", "ul"):
            self.lists.append([tag, 0, int(dict(attrs).get("start") or 1)])
        elif tag == "li":
            top = self.lists[-1]
            top[1] += 1
            self.marker = (top[0], top[2] + top[1] - 1 if top[0] == "ol" else None)

    def handle_endtag(self, tag):
        if tag in BREAKS:
            self.flush()
        if tag in ("ol", "ul"):
            self.lists.pop()

    def handle_data(self, data):
        self.cur.append(data)


def rendered_lines(html):
    p = Lines()
    p.feed(html)
    p.close()
    p.flush()
    return p.lines


def seed_lines():
    out = []
    for line in SEED.read_text(encoding="utf-8").splitlines()[:SEED_LINES]:
        text = norm(line)
        if not text:
            continue
        m = re.fullmatch(r"(\d+)\. (.*)", text)
        if m:
            out.append((("ol", int(m[1])), m[2]))
        elif text.startswith("• "):
            out.append((("ul", None), text[2:]))
        else:
            out.append((None, text))
    return out


def seeded_id(db, key):
    return int(db_scalar(db, f"SELECT id FROM hc_articles WHERE seed_key = '{key}'"))


def get_article(srv, aid):
    resp = Api(srv).get(f"/api/v2/help_center/articles/{aid}")
    assert resp.status_code == 200, resp.text
    return resp.json()["article"]


def test_policies_article_is_the_seed_text(server):
    srv = server()
    aid = seeded_id(srv.db, "policies")
    art = get_article(srv, aid)  # anonymous: published
    assert art["title"] == "RareLogic Support Policies"
    assert art["draft"] is False
    assert art["comments_disabled"] is True
    assert art["position"] == 0
    assert art["html_url"].endswith(f"/hc/articles/{aid}")
    assert "body_markdown" not in art  # staff only

    got = [(None, norm(art["title"]))] + rendered_lines(art["body"])
    want = seed_lines()
    for i, (w, g) in enumerate(zip(want, got)):
        assert g[1] == w[1], f"line {i}: rendered {g[1]!r}, seed {w[1]!r}"
        if w[0] and w[0][0] == "ul":
            assert g[0] and g[0][0] == "ul", f"line {i} {w[1]!r}: not a bullet item ({g[0]})"
        else:
            assert g[0] == w[0], f"line {i} {w[1]!r}: list position {g[0]}, seed {w[0]}"
    assert len(got) == len(want), f"rendered {len(got)} lines, seed {len(want)}: " \
        f"extra {got[len(want):]!r} / missing {want[len(got):]!r}"
    assert len([w for w in want if w[0] and w[0][0] == "ol"]) == 12

    # The footnote marks survive as text (the "*" ones are emphasis syntax in Markdown).
    text = "\n".join(t for _, t in got)
    for mark in ("manner¹", "scratch²", "rendered**", "artists***.", "first touch* will"):
        assert mark in text, mark
    starts = {t.split(" ")[0] for _, t in got}
    assert {"¹", "²", "*First", "**", "***"} <= starts
    assert "<em>" not in art["body"].replace("<em>Assist with Empathy", "")
    # Page furniture is not in the article.
    for furniture in ("Was this article helpful?", "found this helpful", "Submit a request",
                      "Article is closed for comments."):
        assert furniture not in art["body"]


def test_policies_first_in_the_policies_section(server):
    srv = server()
    api = Api(srv)
    aid = seeded_id(srv.db, "policies")
    art = get_article(srv, aid)
    sec = api.get(f"/api/v2/help_center/sections/{art['section_id']}")
    assert sec.status_code == 200, sec.text
    section = sec.json()["section"]
    assert section["name"] == "Policies"
    cat = api.get(f"/api/v2/help_center/categories/{section['category_id']}")
    assert cat.status_code == 200, cat.text
    assert cat.json()["category"]["name"] == "General"
    lst = api.get(f"/api/v2/help_center/sections/{section['id']}/articles")
    assert lst.status_code == 200, lst.text
    assert [a["id"] for a in lst.json()["articles"]][0] == aid
    sections = api.get(f"/api/v2/help_center/categories/{section['category_id']}/sections")
    assert sections.status_code == 200, sections.text
    assert [s["name"] for s in sections.json()["sections"]] == \
        ["Policies", "Getting help", "How-to guides"]


def test_seeded_articles(server):
    srv = server()
    rows = db_query(srv.db, "SELECT seed_key, title, draft, comments_disabled, author_id, "
                            "revision FROM hc_articles ORDER BY id")
    assert [r[0] for r in rows] == [
        "policies", "exporting_contacts", "getting_help", "contact_deletion",
        "connecting_your_store", "first_email_campaign", "understanding_your_invoice"]
    for key, title, draft, closed, author, revision in rows:
        assert (draft, author, revision) == ("0", None, "1"), key
        assert closed == ("1" if key == "policies" else "0"), key
    # One revision each, holding the body as seeded.
    assert db_scalar(srv.db, "SELECT count(*) FROM hc_article_revisions r JOIN hc_articles a "
                             "ON a.id = r.article_id AND a.body = r.body "
                             "AND r.revision = 1") == "7"

    policies = seeded_id(srv.db, "policies")
    helping = get_article(srv, seeded_id(srv.db, "getting_help"))
    assert helping["title"] == "Getting help"
    assert "shown live below this article" in helping["body"]
    assert f'href="/hc/articles/{policies}"' in helping["body"]
    deletion_id = seeded_id(srv.db, "contact_deletion")
    deletion = get_article(srv, deletion_id)
    assert deletion["title"] == "Deleting contacts yourself"
    assert deletion["html_url"].endswith(f"/hc/articles/{deletion_id}")
    assert "<strong>Actions &gt; Delete contacts</strong>" in deletion["body"]
    assert deletion["label_names"] == ["contacts", "delete", "self-serve"]
    exporting = seeded_id(srv.db, "exporting_contacts")
    assert f'<a href="/hc/articles/{exporting}">Exporting your contacts</a>' in deletion["body"]
    assert f'<a href="/hc/articles/{policies}">RareLogic Support Policies</a>' in deletion["body"]
    assert "{{" not in deletion["body"] + helping["body"]


def counts(db):
    return {t: db_scalar(db, f"SELECT count(*) FROM {t}") for t in
            ("hc_categories", "hc_sections", "hc_articles", "hc_article_revisions",
             "hc_article_labels")}


def test_second_init_adds_nothing_and_keeps_edits(server):
    srv = server()
    create_admin(srv)
    api = Api(srv, token_create(srv, "ada@example.com"))
    aid = seeded_id(srv.db, "getting_help")
    resp = api.put(f"/api/v2/help_center/articles/{aid}",
                   {"article": {"title": "Reaching us", "body": "Call us."}})
    assert resp.status_code == 200, resp.text
    before = counts(srv.db)
    assert before["hc_articles"] == "7"
    assert before["hc_article_revisions"] == "8"  # 7 seeded + the edit

    init_db(srv.db)
    assert counts(srv.db) == before
    art = get_article(srv, aid)
    assert (art["title"], art["body"]) == ("Reaching us", "<p>Call us.</p>\n")


def test_init_reseeds_only_missing_keys(server):
    """With the load marker gone (a database seeded by hand, or an older release), init adds
    just the articles whose seed_key is missing, in the sections that exist."""
    srv = server()
    gone = seeded_id(srv.db, "connecting_your_store")
    for sql in (f"DELETE FROM hc_article_labels WHERE article_id = {gone}",
                f"DELETE FROM hc_article_revisions WHERE article_id = {gone}",
                f"DELETE FROM hc_articles WHERE id = {gone}",
                "DELETE FROM settings WHERE key = 'seed.help_center'"):
        srv.db.execute(sql)
    srv.db.execute("UPDATE hc_articles SET title = 'Policy (edited)' WHERE seed_key = 'policies'")
    before = counts(srv.db)
    init_db(srv.db)
    after = counts(srv.db)
    assert int(after["hc_articles"]) == int(before["hc_articles"]) + 1
    assert after["hc_sections"] == before["hc_sections"] == "3"
    assert after["hc_categories"] == before["hc_categories"] == "1"
    assert db_scalar(srv.db, "SELECT title FROM hc_articles WHERE seed_key = 'policies'") == \
        "Policy (edited)"
    back = seeded_id(srv.db, "connecting_your_store")
    assert back != gone
    assert get_article(srv, back)["title"] == "Connecting your store"

    # And with the marker back, a deleted seed article stays deleted.
    for sql in (f"DELETE FROM hc_article_labels WHERE article_id = {back}",
                f"DELETE FROM hc_article_revisions WHERE article_id = {back}",
                f"DELETE FROM hc_articles WHERE id = {back}"):
        srv.db.execute(sql)
    init_db(srv.db)
    assert db_scalar(srv.db, "SELECT count(*) FROM hc_articles "
                             "WHERE seed_key = 'connecting_your_store'") == "0"


def test_contact_deletion_address_of_the_policy_answer_redirects_to_the_article(server):
    """The policy's contact-deletion answer (macros.h MACROS_CONTACT_DELETION_PATH) links to a
    fixed address, in mail already sent too: it leads to the seeded article wherever its id fell."""
    srv = server()
    aid = seeded_id(srv.db, "contact_deletion")
    resp = requests.get(srv.url.rstrip("/") + "/hc/articles/deleting-contacts-yourself",
                        allow_redirects=False, timeout=10)
    assert resp.status_code == 301, resp.text
    assert resp.headers["Location"] == f"/hc/articles/{aid}"
    page = requests.get(srv.url.rstrip("/") + resp.headers["Location"], timeout=10)
    assert page.status_code == 200 and "Deleting contacts yourself" in page.text
