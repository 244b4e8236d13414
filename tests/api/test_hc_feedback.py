"""Help-center votes and comments (issue 7): "Was this article helpful?" one vote per person or
anonymous browser, changeable, exact counts under concurrent voters; comments on open and closed
articles, hiding, deleting, editing, hostile Markdown. Runs on both databases.

Articles are written straight into the database (the content API is another helper's), so these
tests depend on migration 0025's columns only.
"""

import json
import random
import threading
from dataclasses import dataclass

import pytest
import requests

from conftest import (ADMIN, Api, ServerPool, add_requester, assert_error, create_admin,
                      db_query, db_scalar, sign_in, staff_add, token_create)

HC = "/api/v2/help_center"
VOTE_KEYS = {"id", "url", "user_id", "value", "item_id", "item_type", "created_at", "updated_at"}
COMMENT_KEYS = {"id", "url", "html_url", "body", "author_id", "source_id", "source_type",
                "locale", "created_at", "updated_at", "hidden"}
PAGE_KEYS = {"next_page", "previous_page", "count", "page", "per_page", "page_count"}
CLOSED = "Article is closed for comments."


def add_article(db, draft=False, comments_disabled=False, title="How to"):
    """A published (or draft) article, straight in the database; returns its id."""
    db.execute("INSERT INTO hc_categories (name, created_at, updated_at) "
               "SELECT 'Feedback tests', 0, 0 WHERE NOT EXISTS "
               "(SELECT 1 FROM hc_categories WHERE name = 'Feedback tests')")
    cat = db_scalar(db, "SELECT MIN(id) FROM hc_categories WHERE name = 'Feedback tests'")
    db.execute(f"INSERT INTO hc_sections (category_id, name, created_at, updated_at) "
               f"SELECT {cat}, 'Feedback tests', 0, 0 WHERE NOT EXISTS "
               f"(SELECT 1 FROM hc_sections WHERE name = 'Feedback tests')")
    sec = db_scalar(db, "SELECT MIN(id) FROM hc_sections WHERE name = 'Feedback tests'")
    marker = f"fb-{random.getrandbits(48):x}"
    db.execute(f"INSERT INTO hc_articles (section_id, title, body, html, draft, comments_disabled, "
               f"seed_key, created_at, updated_at, edited_at) VALUES ({sec}, '{title}', 'Body', "
               f"'<p>Body</p>', {int(draft)}, {int(comments_disabled)}, '{marker}', 0, 0, 0)")
    return int(db_scalar(db, f"SELECT id FROM hc_articles WHERE seed_key = '{marker}'"))


def counts(db, article):
    """(vote_sum, vote_count) of the article, and the same computed from hc_votes."""
    stored = db_query(db, f"SELECT vote_sum, vote_count FROM hc_articles WHERE id = {article}")[0]
    rows = db_query(db, f"SELECT COALESCE(SUM(value), 0), COUNT(*) FROM hc_votes "
                        f"WHERE article_id = {article}")[0]
    return tuple(map(int, stored)), tuple(map(int, rows))


def assert_counts(db, article, vote_sum, vote_count):
    stored, computed = counts(db, article)
    assert stored == (vote_sum, vote_count), (stored, computed)
    assert computed == (vote_sum, vote_count), (stored, computed)


@dataclass
class Desk:
    srv: object
    admin: Api
    agent_id: int
    agent: Api
    olive_id: int
    olive: Api
    mike_id: int
    mike: Api
    anon: Api


def start_desk(pool):
    srv = pool.start()
    create_admin(srv)
    agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
    olive_id = add_requester(srv, "olive@example.com", "Olive Reader")
    mike_id = add_requester(srv, "mike@example.com", "Mike Reader")
    return Desk(srv=srv, admin=Api(srv, token_create(srv, ADMIN["email"])), agent_id=agent_id,
                agent=Api(srv, token_create(srv, "agent@example.com")), olive_id=olive_id,
                olive=sign_in(srv, "olive@example.com"), mike_id=mike_id,
                mike=sign_in(srv, "mike@example.com"), anon=Api(srv))


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("hc_feedback"))
    try:
        yield start_desk(pool)
    finally:
        pool.close()


# ---------------------------------------------------------------- votes


def test_vote_one_per_person_changeable(desk):
    db = desk.srv.db
    art = add_article(db)
    assert_counts(db, art, 0, 0)

    r = desk.olive.post(f"{HC}/articles/{art}/up")
    assert r.status_code == 201, r.text
    v = r.json()["vote"]
    assert set(v) == VOTE_KEYS
    assert (v["user_id"], v["value"], v["item_id"], v["item_type"]) == (desk.olive_id, 1, art,
                                                                         "Article")
    assert v["url"].endswith(f"{HC}/votes/{v['id']}")
    assert "Set-Cookie" not in r.headers  # a person is known by their account
    assert_counts(db, art, 1, 1)

    r = desk.olive.post(f"{HC}/articles/{art}/up")  # the same vote again: a no-op
    assert r.status_code == 200, r.text
    assert r.json()["vote"]["id"] == v["id"] and r.json()["vote"]["value"] == 1
    assert_counts(db, art, 1, 1)

    r = desk.olive.post(f"{HC}/articles/{art}/down")  # replaces the first
    assert r.status_code == 200, r.text
    assert r.json()["vote"]["id"] == v["id"] and r.json()["vote"]["value"] == -1
    assert_counts(db, art, -1, 1)

    r = desk.olive.get(f"{HC}/articles/{art}/votes/mine")
    assert r.status_code == 200
    assert r.json()["vote"]["id"] == v["id"] and r.json()["vote"]["value"] == -1
    assert desk.mike.get(f"{HC}/articles/{art}/votes/mine").json() == {"vote": None}

    r = desk.mike.post(f"{HC}/articles/{art}/down")
    assert r.status_code == 201
    mike_vote = r.json()["vote"]["id"]
    assert_counts(db, art, -2, 2)
    r = desk.agent.post(f"{HC}/articles/{art}/up")
    assert r.status_code == 201
    assert_counts(db, art, -1, 3)
    # up count = (vote_count + vote_sum) / 2: 1 out of 3 found this helpful
    assert db_query(db, f"SELECT COUNT(*) FROM hc_votes WHERE article_id = {art} AND value = 1") \
        == [("1",)]

    # the list is staff's
    r = desk.agent.get(f"{HC}/articles/{art}/votes")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"votes"} | PAGE_KEYS
    assert [x["user_id"] for x in body["votes"]] == [desk.olive_id, desk.mike_id, desk.agent_id]
    assert [x["value"] for x in body["votes"]] == [-1, -1, 1]
    assert (body["count"], body["page"], body["per_page"], body["page_count"]) == (3, 1, 30, 1)
    assert body["next_page"] is None and body["previous_page"] is None
    assert_error(desk.olive.get(f"{HC}/articles/{art}/votes"), 403, "forbidden")
    assert_error(desk.anon.get(f"{HC}/articles/{art}/votes"), 401, "unauthorized")

    # withdrawing: the voter or staff; anyone else learns nothing
    assert_error(desk.olive.request("DELETE", f"{HC}/votes/{mike_vote}"), 404, "not_found")
    assert_error(desk.anon.request("DELETE", f"{HC}/votes/{mike_vote}"), 404, "not_found")
    assert desk.mike.request("DELETE", f"{HC}/votes/{mike_vote}").status_code == 204
    assert_counts(db, art, 0, 2)
    assert_error(desk.mike.request("DELETE", f"{HC}/votes/{mike_vote}"), 404, "not_found")
    assert desk.admin.request("DELETE", f"{HC}/votes/{v['id']}").status_code == 204
    assert_counts(db, art, 1, 1)


def test_vote_anonymous_cookie(desk):
    db = desk.srv.db
    art = add_article(db)
    browser = Api(desk.srv)
    r = browser.post(f"{HC}/articles/{art}/up")
    assert r.status_code == 201, r.text
    v = r.json()["vote"]
    assert v["user_id"] is None and v["value"] == 1
    cookie = r.headers["Set-Cookie"]
    attrs = [a.strip() for a in cookie.split(";")]
    name, value = attrs[0].split("=", 1)
    assert name == "fd_hc_voter" and len(value) == 43
    assert "HttpOnly" in attrs and "SameSite=Lax" in attrs and "Path=/" in attrs
    # only a keyed hash is stored, never the cookie
    stored = db_scalar(db, f"SELECT voter_hash FROM hc_votes WHERE id = {v['id']}")
    assert stored and value not in stored and len(stored) == 64
    assert db_scalar(db, f"SELECT user_id FROM hc_votes WHERE id = {v['id']}") is None
    assert_counts(db, art, 1, 1)

    r = browser.post(f"{HC}/articles/{art}/down")  # the same browser changes its mind
    assert r.status_code == 200
    assert r.json()["vote"]["id"] == v["id"] and r.json()["vote"]["value"] == -1
    assert "Set-Cookie" not in r.headers
    assert_counts(db, art, -1, 1)
    assert browser.get(f"{HC}/articles/{art}/votes/mine").json()["vote"]["id"] == v["id"]

    other = Api(desk.srv)  # another browser is another voter
    assert other.get(f"{HC}/articles/{art}/votes/mine").json() == {"vote": None}
    r = other.post(f"{HC}/articles/{art}/down")
    assert r.status_code == 201 and r.json()["vote"]["id"] != v["id"]
    assert_counts(db, art, -2, 2)

    # a cookie we could not have issued is replaced, and votes as a new browser
    forged = Api(desk.srv)
    forged.session.headers["Cookie"] = "fd_hc_voter=not-ours"
    r = forged.post(f"{HC}/articles/{art}/up")
    assert r.status_code == 201 and "fd_hc_voter=" in r.headers["Set-Cookie"]
    assert_counts(db, art, -1, 3)

    # withdrawing one's own anonymous vote needs the cookie
    assert_error(desk.anon.request("DELETE", f"{HC}/votes/{v['id']}"), 404, "not_found")
    assert_error(other.request("DELETE", f"{HC}/votes/{v['id']}"), 404, "not_found")
    assert browser.request("DELETE", f"{HC}/votes/{v['id']}").status_code == 204
    assert_counts(db, art, 0, 2)

    # staff see who voted only as a user id: null for browsers
    listed = desk.agent.get(f"{HC}/articles/{art}/votes").json()["votes"]
    assert [x["user_id"] for x in listed] == [None, None]
    assert all(set(x) == VOTE_KEYS for x in listed)


def test_vote_drafts_and_missing(desk):
    db = desk.srv.db
    draft = add_article(db, draft=True)
    for api in (desk.olive, desk.anon):
        assert_error(api.post(f"{HC}/articles/{draft}/up"), 404, "not_found")
        assert_error(api.get(f"{HC}/articles/{draft}/votes/mine"), 404, "not_found")
    assert_error(desk.agent.post(f"{HC}/articles/{draft}/down"), 409, "conflict", "article.draft")
    assert desk.agent.get(f"{HC}/articles/{draft}/votes").json()["votes"] == []
    assert_counts(db, draft, 0, 0)
    assert_error(desk.olive.post(f"{HC}/articles/999999/up"), 404, "not_found")
    assert_error(desk.anon.post(f"{HC}/articles/0/up"), 404, "not_found")
    assert_error(desk.agent.get(f"{HC}/articles/999999/votes"), 404, "not_found")
    assert_error(desk.olive.request("DELETE", f"{HC}/votes/999999"), 404, "not_found")


def test_vote_session_needs_csrf(desk):
    db = desk.srv.db
    art = add_article(db)
    s = requests.Session()
    s.cookies.update(desk.olive.session.cookies)  # the session cookie without X-CSRF-Token
    r = s.post(desk.srv.url.rstrip("/") + f"{HC}/articles/{art}/up", timeout=10)
    assert_error(r, 403, "forbidden", "X-CSRF-Token")
    assert_counts(db, art, 0, 0)
    assert desk.olive.post(f"{HC}/articles/{art}/up").status_code == 201


def test_votes_exact_under_concurrency(pool):
    """40 voters at once (20 signed-in people, 20 anonymous browsers), half of them changing
    their vote, some repeating it: vote_sum/vote_count equal the rows and the expected numbers."""
    srv = pool.start()
    db = srv.db
    create_admin(srv)
    add_requester(srv, "proto@example.com", "Proto")
    pw = db_scalar(db, "SELECT password_hash FROM users WHERE email = 'proto@example.com'")
    for i in range(20):
        db.execute(f"INSERT INTO users (name, email, role, password_hash, created_at, updated_at) "
                   f"VALUES ('Voter {i}', 'voter{i}@example.com', 'end-user', '{pw}', 0, 0)")
    people = [sign_in(srv, f"voter{i}@example.com") for i in range(20)]
    browsers = [Api(srv) for _ in range(20)]
    arts = [add_article(db), add_article(db)]
    rng = random.Random(7)
    plans = []
    for api in people + browsers:
        for art in arts:
            seq = [rng.choice((1, -1))]
            if rng.random() < 0.5:
                seq.append(-seq[0])  # changes their mind
            if rng.random() < 0.3:
                seq.append(seq[-1])  # the same again
            plans.append((api, art, seq))
    by_api = {}
    for api, art, seq in plans:
        by_api.setdefault(id(api), (api, []))[1].append((art, seq))
    barrier = threading.Barrier(len(by_api))
    failures = []

    def run(api, work):
        try:
            barrier.wait(timeout=30)
            # interleave the two articles' votes so the articles' locks are taken both ways
            steps = max(len(seq) for _, seq in work)
            for k in range(steps):
                for art, seq in work:
                    if k < len(seq):
                        r = api.post(f"{HC}/articles/{art}/{'up' if seq[k] == 1 else 'down'}",
                                     timeout=60)
                        want = 201 if k == 0 else 200
                        if r.status_code != want or r.json()["vote"]["value"] != seq[k]:
                            failures.append((r.status_code, r.text))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=run, args=v) for v in by_api.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures[:3]
    for art in arts:
        finals = [seq[-1] for _, a, seq in plans if a == art]
        assert len(finals) == 40
        assert_counts(db, art, sum(finals), 40)
        ups = sum(1 for f in finals if f == 1)
        assert (40 + sum(finals)) // 2 == ups
    # each identity holds exactly one row per article
    assert db_query(db, "SELECT COUNT(*) FROM hc_votes WHERE user_id IS NOT NULL") == [("40",)]
    assert db_query(db, "SELECT COUNT(DISTINCT voter_hash) FROM hc_votes") == [("20",)]


def test_anonymous_votes_rate_limited(pool):
    srv = pool.start()
    db = srv.db
    art = add_article(db)
    first = Api(srv)
    assert first.post(f"{HC}/articles/{art}/up").status_code == 201
    for _ in range(59):
        assert Api(srv).post(f"{HC}/articles/{art}/up").status_code == 201
    r = Api(srv).post(f"{HC}/articles/{art}/up")
    assert_error(r, 429, "too_many_requests")
    assert 0 < int(r.headers["Retry-After"]) <= 3600
    assert_counts(db, art, 60, 60)
    # a browser we know only changes its own vote: not counted
    assert first.post(f"{HC}/articles/{art}/down").status_code == 200
    assert first.post(f"{HC}/articles/{add_article(db)}/down").status_code == 201
    assert_counts(db, art, 58, 60)


# ---------------------------------------------------------------- comments


def post_comment(api, art, body):
    return api.post(f"{HC}/articles/{art}/comments", {"comment": {"body": body}})


def test_comments_open_and_closed(desk):
    db = desk.srv.db
    art = add_article(db)
    r = post_comment(desk.olive, art, "Thanks, **this** helped.")
    assert r.status_code == 201, r.text
    c = r.json()["comment"]
    assert set(c) == COMMENT_KEYS
    assert c["body"] == "<p>Thanks, <strong>this</strong> helped.</p>\n"
    assert (c["author_id"], c["source_id"], c["source_type"], c["locale"], c["hidden"]) == \
        (desk.olive_id, art, "Article", "en-us", False)
    assert c["url"].endswith(f"{HC}/articles/{art}/comments/{c['id']}")
    assert c["html_url"].endswith(f"/hc/articles/{art}#comment-{c['id']}")
    assert db_query(db, f"SELECT body, author_id FROM hc_comments WHERE id = {c['id']}") == \
        [("Thanks, **this** helped.", str(desk.olive_id))]
    r = desk.anon.get(f"{HC}/articles/{art}/comments/{c['id']}")
    assert r.status_code == 200 and r.json()["comment"] == c

    assert_error(post_comment(desk.anon, art, "hello"), 401, "unauthorized")
    for body, field in (("", "comment.body"), ("  \n ", "comment.body"),
                        ("x" * (64 * 1024 + 1), "comment.body")):
        assert_error(post_comment(desk.olive, art, body), 422, "invalid", field)
    assert_error(desk.olive.post(f"{HC}/articles/{art}/comments", {"comment": {"body": 5}}),
                 422, "invalid", "comment.body")
    assert_error(desk.olive.post(f"{HC}/articles/{art}/comments", {"body": "x"}), 422,
                 "invalid", "comment")
    assert post_comment(desk.olive, art, "x" * (64 * 1024)).status_code == 201

    closed = add_article(db, comments_disabled=True)
    for api in (desk.olive, desk.agent):
        err = assert_error(post_comment(api, closed, "hello"), 403, "comments_disabled")
        assert err["message"] == CLOSED
    assert db_query(db, f"SELECT COUNT(*) FROM hc_comments WHERE article_id = {closed}") == \
        [("0",)]
    # closing an article with comments keeps them readable and refuses new ones and edits
    db.execute(f"UPDATE hc_articles SET comments_disabled = 1 WHERE id = {art}")
    assert desk.anon.get(f"{HC}/articles/{art}/comments").json()["count"] == 2
    err = assert_error(post_comment(desk.mike, art, "late"), 403, "comments_disabled")
    assert err["message"] == CLOSED
    err = assert_error(desk.olive.put(f"{HC}/articles/{art}/comments/{c['id']}",
                                      {"comment": {"body": "edit"}}), 403, "comments_disabled")
    assert err["message"] == CLOSED

    draft = add_article(db, draft=True)
    assert_error(post_comment(desk.olive, draft, "hello"), 404, "not_found")
    assert_error(desk.anon.get(f"{HC}/articles/{draft}/comments"), 404, "not_found")
    assert_error(post_comment(desk.agent, draft, "hello"), 409, "conflict", "article.draft")
    assert desk.agent.get(f"{HC}/articles/{draft}/comments").json()["comments"] == []
    assert_error(post_comment(desk.olive, 999999, "hello"), 404, "not_found")


def test_comment_hostile_markdown_is_inert(desk):
    db = desk.srv.db
    art = add_article(db)
    hostile = ("<script>alert(1)</script>\n\n"
               "[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)\n\n"
               "<img src=x onerror=alert(1)> <a href=\"javascript:alert(2)\">x</a>\n\n"
               "![img](javascript:alert(3)) [vb](vbscript:msgbox(1))\n\n"
               "<iframe src=\"https://evil.example\"></iframe>\n\n"
               + "*" * 2000 + "a" + "*" * 2000 + "\n\n" + "`" * 5000)
    r = post_comment(desk.olive, art, hostile)
    assert r.status_code == 201, r.text
    html = r.json()["comment"]["body"]
    lowered = html.lower()
    for bad in ("<script", "<img src=x", "onerror=", "<iframe", "javascript:", "vbscript:",
                "data:text/html", "<a href=\"javascript"):
        assert bad not in lowered, (bad, html[:500])
    assert "raw HTML omitted" in html
    assert db_scalar(db, f"SELECT html FROM hc_comments WHERE id = {r.json()['comment']['id']}") \
        == html


def test_comment_edit_hide_delete(desk):
    db = desk.srv.db
    art = add_article(db)
    c = post_comment(desk.olive, art, "first").json()["comment"]
    m = post_comment(desk.mike, art, "second").json()["comment"]
    item = f"{HC}/articles/{art}/comments/{c['id']}"

    # the author edits; the HTML is rendered again
    r = desk.olive.put(item, {"comment": {"body": "first, _edited_"}})
    assert r.status_code == 200, r.text
    assert r.json()["comment"]["body"] == "<p>first, <em>edited</em></p>\n"
    assert db_scalar(db, f"SELECT body FROM hc_comments WHERE id = {c['id']}") == \
        "first, _edited_"
    assert_error(desk.mike.put(item, {"comment": {"body": "mine now"}}), 403, "forbidden")
    assert_error(desk.agent.put(item, {"comment": {"body": "staff edit"}}), 403, "forbidden")
    assert_error(desk.anon.put(item, {"comment": {"body": "x"}}), 401, "unauthorized")
    assert_error(desk.olive.put(item, {"comment": {"hidden": True}}), 403, "forbidden",
                 "comment.hidden")
    assert_error(desk.olive.put(item, {"comment": {"hidden": "yes"}}), 422, "invalid",
                 "comment.hidden")
    assert_error(desk.mike.put(item, {"comment": {}}), 422, "invalid", "comment")
    assert_error(desk.olive.put(f"{HC}/articles/{add_article(db)}/comments/{c['id']}",
                                {"comment": {"body": "x"}}), 404, "not_found")

    # staff hide: gone for everyone else, the author included; audited
    r = desk.agent.put(item, {"comment": {"hidden": True}})
    assert r.status_code == 200 and r.json()["comment"]["hidden"] is True
    for api in (desk.olive, desk.mike, desk.anon):
        assert_error(api.get(item), 404, "not_found")
        listed = api.get(f"{HC}/articles/{art}/comments").json()
        assert [x["id"] for x in listed["comments"]] == [m["id"]] and listed["count"] == 1
    assert_error(desk.olive.put(item, {"comment": {"body": "again"}}), 404, "not_found")
    assert_error(desk.olive.request("DELETE", item), 404, "not_found")
    staff_view = desk.agent.get(f"{HC}/articles/{art}/comments").json()
    assert [(x["id"], x["hidden"]) for x in staff_view["comments"]] == \
        [(c["id"], True), (m["id"], False)]
    assert desk.agent.get(item).json()["comment"]["hidden"] is True
    audit = db_query(db, f"SELECT actor_id, target_type, detail FROM audit_log "
                         f"WHERE action = 'hc.comment.hidden' AND target_id = {c['id']}")
    assert len(audit) == 1 and audit[0][:2] == (str(desk.agent_id), "hc_comment")
    assert json.loads(audit[0][2]) == {"article_id": art, "hidden": True}
    r = desk.agent.put(item, {"comment": {"hidden": False}})
    assert r.status_code == 200 and r.json()["comment"]["hidden"] is False
    assert desk.olive.get(item).status_code == 200

    # deleting: the author their own, staff any (audited), nobody else
    m_item = f"{HC}/articles/{art}/comments/{m['id']}"
    assert_error(desk.olive.request("DELETE", m_item), 403, "forbidden")
    assert_error(desk.anon.request("DELETE", m_item), 401, "unauthorized")
    assert desk.agent.request("DELETE", m_item).status_code == 204
    assert_error(desk.anon.get(m_item), 404, "not_found")
    audit = db_query(db, f"SELECT actor_id, detail FROM audit_log "
                         f"WHERE action = 'hc.comment.deleted' AND target_id = {m['id']}")
    assert len(audit) == 1 and audit[0][0] == str(desk.agent_id)
    assert json.loads(audit[0][1]) == {"article_id": art, "author_id": desk.mike_id}
    assert desk.olive.request("DELETE", item).status_code == 204
    assert db_query(db, f"SELECT COUNT(*) FROM audit_log WHERE action = 'hc.comment.deleted' "
                        f"AND target_id = {c['id']}") == [("0",)]
    assert db_query(db, f"SELECT COUNT(*) FROM hc_comments WHERE article_id = {art}") == [("0",)]


def test_comments_paging_oldest_first(desk):
    db = desk.srv.db
    art = add_article(db)
    ids = [post_comment(desk.mike, art, f"comment {i}").json()["comment"]["id"] for i in range(5)]
    r = desk.anon.get(f"{HC}/articles/{art}/comments?per_page=2")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"comments"} | PAGE_KEYS
    assert [x["id"] for x in body["comments"]] == ids[:2]
    assert (body["count"], body["page"], body["per_page"], body["page_count"]) == (5, 1, 2, 3)
    assert body["previous_page"] is None
    assert body["next_page"].endswith(f"{HC}/articles/{art}/comments?page=2&per_page=2")
    body = desk.anon.get(f"{HC}/articles/{art}/comments?page=3&per_page=2").json()
    assert [x["id"] for x in body["comments"]] == ids[4:]
    assert body["next_page"] is None
    assert body["previous_page"].endswith("?page=2&per_page=2")
    body = desk.anon.get(f"{HC}/articles/{art}/comments?page=9").json()
    assert body["comments"] == [] and body["count"] == 5
    for q, field in (("per_page=0", "per_page"), ("per_page=101", "per_page"),
                     ("page=0", "page"), ("page=x", "page"), ("per_page=-1", "per_page")):
        assert_error(desk.anon.get(f"{HC}/articles/{art}/comments?{q}"), 400, "bad_request",
                     field)
