"""The public help-center pages (server-rendered HTML, src/http/hc_pages.c) and the request
form's deflection routes (src/http/hc_deflections.c), issue 7. Content goes straight into the
database (ids from 901 up, clear of what init seeds), so these tests judge the pages alone."""

import re
import time

import pytest

from conftest import (Api, add_requester, create_admin, db_query, db_scalar, sign_in, staff_add,
                      token_create)

T0 = 1764000000  # 2025-11-24T16:00:00Z
HOSTILE = "Refund <script>alert(1)</script> & \"policy\""


def insert(db, sql):
    db.execute(sql)


@pytest.fixture
def hc(server):
    srv = server()
    create_admin(srv)
    db = srv.db
    insert(db, "INSERT INTO hc_categories (id, name, description, position, created_at, updated_at) "
               f"VALUES (901, 'Billing & <Accounts>', 'Money <i>matters</i>', 0, {T0}, {T0})")
    insert(db, "INSERT INTO hc_sections (id, category_id, name, description, position, created_at, "
               f"updated_at) VALUES (902, 901, 'Refunds', 'When we pay back', 0, {T0}, {T0})")
    insert(db, "INSERT INTO hc_sections (id, category_id, name, description, position, created_at, "
               f"updated_at) VALUES (906, 901, 'Invoices', '', 1, {T0}, {T0})")
    articles = [
        # id, section, title, html, labels, draft, comments_disabled, seed_key
        (903, 902, HOSTILE.replace("'", "''"), "<p>We refund <strong>within 30 days</strong>.</p>",
         "billing,refunds", 0, 1, None),
        (904, 902, "Secret draft", "<p>not yet</p>", "", 1, 0, None),
        (905, 902, "Asking for a refund", "<p>Write to us.</p>", "", 0, 0, None),
        (907, 906, "Invoice basics", "<p>How to read an invoice.</p>", "", 0, 1, None),
    ]
    for aid, sid, title, html, labels, draft, closed, seed in articles:
        seed_sql = "NULL" if seed is None else f"'{seed}'"
        insert(db, "INSERT INTO hc_articles (id, section_id, title, body, html, label_names, draft, "
                   "position, comments_disabled, seed_key, created_at, updated_at, edited_at) "
                   f"VALUES ({aid}, {sid}, '{title}', 'x', '{html}', '{labels}', {draft}, {aid}, "
                   f"{closed}, {seed_sql}, {T0}, {T0}, {T0})")
    return srv


def page(srv, path, status=200, **kw):
    resp = srv.get(path, **kw)
    assert resp.status_code == status, (path, resp.status_code, resp.text[:500])
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.headers["Cache-Control"] == "no-cache"
    assert "script-src" not in resp.headers["Content-Security-Policy"]  # default-src 'self' only
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'self'")
    return resp


def main_of(text):
    m = re.search(r"<main id=\"main\"[^>]*>(.*)</main>", text, re.S)
    assert m, text[:500]
    return m.group(1)


def crumbs_of(text):
    m = re.search(r'<nav class="hc-crumbs" aria-label="Breadcrumbs"><ol>(.*?)</ol></nav>', text)
    assert m, text[:800]
    return re.findall(r"<li[^>]*>(?:<a href=\"([^\"]+)\">|<span>)(.*?)(?:</a>|</span>)</li>",
                      m.group(1))


def assert_frame(text):
    """What every page has, readable without a script."""
    assert text.startswith("<!doctype html>\n<html lang=\"en\">")
    assert '<form class="hc-search" role="search" action="/hc/search" method="get">' in text
    assert '<input id="hc-query" type="search" name="query"' in text
    assert re.search(r'<p class="hc-status" data-hc="status">We\u2019re (open until .+|closed'
                     r'( \u2014 back .+)?\.)</p>', text), text[:1500]
    assert '<script type="module" src="/js/chat.js"></script>' in text
    assert '<script type="module" src="/js/hc.js"></script>' in text
    # no inline script or style anywhere: every <script> has a src
    assert len(re.findall(r"<script", text)) == 2
    assert "style=" not in text and "<style" not in text
    for tag in ("<header", "<nav", "<main", "<footer"):
        assert tag in text
    assert '<a href="/portal.html#/new">Submit a request</a>' in text


def test_home_lists_categories_and_sections(hc):
    text = page(hc, "/hc").text
    assert_frame(text)
    body = main_of(text)
    assert "<h1>How can we help?</h1>" in body
    assert '<a href="/hc/categories/901">Billing &amp; &lt;Accounts&gt;</a>' in body
    assert "<p>Money &lt;i&gt;matters&lt;/i&gt;</p>" in body
    assert '<a href="/hc/sections/902">Refunds</a>' in body
    assert '<a href="/hc/sections/906">Invoices</a>' in body
    assert crumbs_of(text) == [("", "Help center")]


def test_category_page_has_sections_articles_and_breadcrumbs(hc):
    text = page(hc, "/hc/categories/901").text
    assert_frame(text)
    body = main_of(text)
    assert "<h1>Billing &amp; &lt;Accounts&gt;</h1>" in body
    assert '<a href="/hc/articles/903">Refund &lt;script&gt;alert(1)&lt;/script&gt; &amp; ' \
           '&quot;policy&quot;</a>' in body
    assert '<a href="/hc/articles/905">Asking for a refund</a>' in body
    assert '<a href="/hc/articles/907">Invoice basics</a>' in body
    assert "Secret draft" not in body
    assert crumbs_of(text) == [("/hc", "Help center"), ("", "Billing &amp; &lt;Accounts&gt;")]
    # staff see the draft, marked
    admin = hc.get("/hc/categories/901", headers=staff_auth(hc))
    assert "Secret draft</a> <span class=\"hc-draft\">Draft</span>" in admin.text


def staff_auth(srv):
    staff_add(srv, "agent@example.com", "Agent Smith", "agent")
    return {"Authorization": "Bearer " + token_create(srv, "agent@example.com")}


def test_section_page_lists_its_articles_in_order(hc):
    text = page(hc, "/hc/sections/902").text
    assert_frame(text)
    body = main_of(text)
    assert "<h1>Refunds</h1>" in body and "When we pay back" in body
    links = re.findall(r'<a href="/hc/articles/(\d+)">', body)
    assert links == ["903", "905"]
    assert crumbs_of(text) == [("/hc", "Help center"),
                               ("/hc/categories/901", "Billing &amp; &lt;Accounts&gt;"),
                               ("", "Refunds")]


def test_article_page_escapes_and_shows_everything(hc):
    resp = page(hc, "/hc/articles/903")
    text = resp.text
    assert_frame(text)
    escaped = "Refund &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;policy&quot;"
    assert f"<title>{escaped} \u2013 Help center</title>" in text
    assert f"<h1>{escaped}</h1>" in text
    assert "<script>alert(1)" not in text
    assert crumbs_of(text) == [("/hc", "Help center"),
                               ("/hc/categories/901", "Billing &amp; &lt;Accounts&gt;"),
                               ("/hc/sections/902", "Refunds"), ("", escaped)]
    body = main_of(text)
    assert '<div class="hc-body"><p>We refund <strong>within 30 days</strong>.</p></div>' in body
    assert re.search(r'Updated <time datetime="2025-11-24T16:00:00Z">November 24, 2025</time>',
                     body)
    assert "<li>billing</li><li>refunds</li>" in body
    assert "Was this article helpful?" in body
    assert '<p class="hc-vote-count" data-hc="votes" aria-live="polite">0 out of 0 found this ' \
           'helpful</p>' in body
    assert re.search(r'<button type="button" data-vote="up"[^>]*>Yes</button>', body)
    assert re.search(r'<button type="button" data-vote="down"[^>]*>No</button>', body)
    assert '<p class="hc-closed" data-hc="closed">Article is closed for comments.</p>' in body
    assert 'data-hc="comment-form"' not in body
    assert 'Have more questions? <a href="/portal.html#/new" data-hc="submit">Submit a ' \
           'request</a>' in body


def test_article_votes_and_etag(hc):
    first = page(hc, "/hc/articles/903")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"hc903-')
    again = hc.get("/hc/articles/903", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    # up = (vote_count + vote_sum) / 2: 3 votes, 2 up and 1 down
    hc.db.execute("UPDATE hc_articles SET vote_sum = 1, vote_count = 3 WHERE id = 903")
    changed = hc.get("/hc/articles/903", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "2 out of 3 found this helpful" in changed.text


def test_article_with_open_comments_lists_them(hc):
    uid = add_requester(hc, "reader@example.com", "Rita <Reader>")
    hc.db.execute("INSERT INTO hc_comments (id, article_id, author_id, body, html, hidden, "
                  f"created_at, updated_at) VALUES (950, 905, {uid}, 'x', "
                  f"'<p>Thanks, <em>very</em> clear</p>', 0, {T0}, {T0})")
    hc.db.execute("INSERT INTO hc_comments (id, article_id, author_id, body, html, hidden, "
                  f"created_at, updated_at) VALUES (951, 905, {uid}, 'x', '<p>spam</p>', 1, "
                  f"{T0}, {T0})")
    text = page(hc, "/hc/articles/905").text
    body = main_of(text)
    assert "Article is closed for comments." not in body
    assert '<div data-hc="comment-form"><p><a href="/portal.html">Sign in</a> to leave a ' \
           'comment.</p></div>' in body
    assert '<li id="comment-950"><article class="hc-comment"><header>Rita &lt;Reader&gt;' in body
    assert "<p>Thanks, <em>very</em> clear</p>" in body
    assert "spam" not in body  # hidden: staff only
    staff = hc.get("/hc/articles/905", headers=staff_auth(hc)).text
    assert '<li id="comment-951" class="hc-hidden">' in staff


def test_drafts_and_missing_objects_are_the_404_page(hc):
    for path in ("/hc/articles/904", "/hc/articles/99999", "/hc/articles/abc", "/hc/articles/0",
                 "/hc/articles/0903", "/hc/sections/99999", "/hc/categories/99999"):
        text = page(hc, path, status=404).text
        assert_frame(text)
        assert "<h1>Page not found</h1>" in text, path
        assert "Secret draft" not in text
    staff = hc.get("/hc/articles/904", headers=staff_auth(hc))
    assert staff.status_code == 200
    assert "<h1>Secret draft</h1>" in staff.text
    assert "Draft: only staff see this" in staff.text


def test_status_line_follows_the_calendar(hc):
    hours = hc.get("/api/v2/support_hours").json()["support_hours"]
    text = page(hc, "/hc").text
    status = re.search(r'data-hc="status">(.*?)</p>', text).group(1)
    if hours["open"]:
        assert re.fullmatch(r"We\u2019re open until ([A-Z][a-z]+day )?\d{1,2}:\d\d [ap]\.m\. "
                            r"Eastern\.", status), status
    else:
        assert re.fullmatch(r"We\u2019re closed \u2014 back .+ \d{1,2}:\d\d [ap]\.m\. Eastern\.",
                            status), status


def test_getting_help_shows_hours_and_this_years_holidays(hc):
    gid = db_scalar(hc.db, "SELECT id FROM hc_articles WHERE seed_key = 'getting_help'")
    text = page(hc, f"/hc/articles/{gid}").text
    body = main_of(text)
    assert '<h2 id="hc-hours-title">Support hours</h2><p data-hc="hours">Monday to Friday, ' \
           '9:00 a.m. to 5:00 p.m. Eastern, except Canadian holidays.</p>' in body
    year = time.gmtime().tm_year
    assert f"<h3>Holidays in {year}</h3>" in body
    assert f'<time datetime="{year}-12-25">' in body and "Christmas Day" in body
    # only that article
    assert "Support hours" not in main_of(page(hc, "/hc/articles/905").text)


def test_search_page(hc):
    text = page(hc, "/hc/search?query=refu").text
    assert_frame(text)
    body = main_of(text)
    assert '<input id="hc-query" type="search" name="query"' in text and 'value="refu"' in text
    assert re.search(r'data-hc="result-count">\d+ results? for \u201crefu\u201d</p>', body), body
    assert '<a href="/hc/articles/903">' in body
    assert '<a href="/hc/articles/904">' not in body  # drafts are never found
    # hostile and empty queries: a page, never an error
    hostile = page(hc, "/hc/search?query=%3Cscript%3Ex%22%27").text
    assert "<script>x" not in hostile
    assert 'value="&lt;script&gt;x&quot;&#39;"' in hostile
    empty = main_of(page(hc, "/hc/search?query=").text)
    assert "Type a few words to search the help center." in empty
    nothing = main_of(page(hc, "/hc/search?query=zzzqqqxxx").text)
    assert "0 results for" in nothing and "No articles match." in nothing
    page(hc, "/hc/search?query=" + "%FF" * 10)
    page(hc, "/hc/search?query=" + "a" * 5000)


# ---------------------------------------------------------------- deflections


def mark(api, did, token):
    body = {"deflection": {"token": token}} if token is not ... else None
    return api.post(f"/api/v2/help_center/deflections/{did}/submitted", body)


def test_deflections_record_mark_and_report(hc):
    anon = Api(hc)
    r = anon.post("/api/v2/help_center/deflections",
                  {"deflection": {"article_id": 903, "query": "refund please"}})
    assert r.status_code == 201, r.text
    d1 = r.json()["deflection"]
    assert set(d1) == {"id", "article_id", "created_at", "token"} and d1["article_id"] == 903
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", d1["token"]), d1["token"]
    d2 = anon.post("/api/v2/help_center/deflections",
                   {"deflection": {"article_id": 903}}).json()["deflection"]
    d3 = anon.post("/api/v2/help_center/deflections",
                   {"deflection": {"article_id": 905, "query": "refund"}}).json()["deflection"]
    assert len({d1["token"], d2["token"], d3["token"]}) == 3
    assert db_query(hc.db, f"SELECT article_id, query, submitted FROM hc_deflections "
                           f"WHERE id = {d1['id']}") == [("903", "refund please", "0")]
    # only a keyed hash is stored: 64 hex digits, never the token itself
    hashes = [h for (h,) in db_query(hc.db, "SELECT token_hash FROM hc_deflections ORDER BY id")]
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), hashes
    assert not {d1["token"], d2["token"], d3["token"]} & set(hashes)

    # a wrong, missing or another row's token reads exactly like an unknown id
    unknown = mark(anon, 99999, d2["token"])
    assert unknown.status_code == 404
    for token in ["x" * 43, d1["token"], "", None, 7, ...]:
        r = mark(anon, d2["id"], token)
        if token is ...:  # no JSON body at all: refused before any id is looked at
            assert r.status_code == 415, r.text
            assert mark(anon, 99999, ...).json() == r.json()
            continue
        assert r.status_code == 404, (token, r.text)
        assert r.json() == unknown.json(), (token, r.text)
    r = anon.post(f"/api/v2/help_center/deflections/{d2['id']}/submitted", {"deflection": {}})
    assert r.status_code == 404 and r.json() == unknown.json(), r.text
    for body in [{}, [], {"token": d2["token"]}, {"deflection": d2["token"]}]:
        # a body of the wrong shape is judged before any id: the same 422 for every id
        for did in (d2["id"], 99999):
            r = anon.post(f"/api/v2/help_center/deflections/{did}/submitted", body)
            assert r.status_code == 422, (body, r.text)
            assert r.json()["error"]["field"] == "deflection", (body, r.text)
    assert db_scalar(hc.db, "SELECT SUM(submitted) FROM hc_deflections") == "0"

    r = mark(anon, d2["id"], d2["token"])
    assert r.status_code == 200, r.text
    assert r.json()["deflection"] == {k: d2[k] for k in ("id", "article_id", "created_at")}
    r = mark(anon, d3["id"], d3["token"])
    assert r.status_code == 200
    again = mark(anon, d3["id"], d3["token"])  # twice: nothing changes
    assert again.status_code == 200 and again.json() == r.json()
    assert db_query(hc.db, "SELECT id, submitted FROM hc_deflections ORDER BY id") == [
        (str(d1["id"]), "0"), (str(d2["id"]), "1"), (str(d3["id"]), "1")]
    assert mark(anon, 99999, d1["token"]).status_code == 404

    staff_add(hc, "lead@example.com", "Lead", "lead")
    staff = Api(hc, token=token_create(hc, "lead@example.com"))
    r = staff.get("/api/v2/help_center/deflections/report")
    assert r.status_code == 200, r.text
    rep = r.json()["deflection_report"]
    assert rep["articles"] == [
        {"article_id": 903, "title": HOSTILE, "opened": 2, "deflected": 1},
        {"article_id": 905, "title": "Asking for a refund", "opened": 1, "deflected": 0},
    ]
    assert rep["opened"] == 3 and rep["deflected"] == 1
    old = staff.get("/api/v2/help_center/deflections/report?from=2020-01-01&to=2020-02-01")
    assert old.status_code == 200 and old.json()["deflection_report"]["articles"] == []
    assert old.json()["deflection_report"]["from"] == "2020-01-01"
    assert staff.get("/api/v2/help_center/deflections/report?from=2020-13-01").status_code == 400
    assert staff.get("/api/v2/help_center/deflections/report?from=2020-02-01&to=2020-01-01") \
        .status_code == 400
    assert anon.get("/api/v2/help_center/deflections/report").status_code == 401
    add_requester(hc, "req@example.com", "Req")
    assert sign_in(hc, "req@example.com").get(
        "/api/v2/help_center/deflections/report").status_code == 403


def test_deflections_refuse_bad_input(hc):
    anon = Api(hc)
    for body, field in [
        ({"deflection": {"article_id": 904}}, "deflection.article_id"),  # a draft
        ({"deflection": {"article_id": 99999}}, "deflection.article_id"),
        ({"deflection": {"article_id": "903"}}, "deflection.article_id"),
        ({"deflection": {"article_id": 903, "query": 7}}, "deflection.query"),
        ({"deflection": {"article_id": 903, "query": "x" * 251}}, "deflection.query"),
        ({"article_id": 903}, "deflection"),
    ]:
        r = anon.post("/api/v2/help_center/deflections", body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.text)
    assert db_scalar(hc.db, "SELECT COUNT(*) FROM hc_deflections") == "0"
    r = anon.post("/api/v2/help_center/deflections", {"deflection": {"article_id": 903,
                                                                     "query": "é" * 250}})
    assert r.status_code == 201


def test_anonymous_deflections_rate_limited_per_address(hc):
    def open_one(api):
        return api.post("/api/v2/help_center/deflections",
                        {"deflection": {"article_id": 905, "query": "refund"}})

    first = open_one(Api(hc)).json()["deflection"]
    for _ in range(119):  # a fresh browser each time: the address is what counts
        r = open_one(Api(hc))
        assert r.status_code == 201, r.text
    r = open_one(Api(hc))
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == "too_many_requests"
    assert 3500 < int(r.headers["Retry-After"]) <= 3600, r.headers["Retry-After"]
    assert db_scalar(hc.db, "SELECT COUNT(*) FROM hc_deflections") == "120"
    assert db_scalar(hc.db, "SELECT COUNT(*) FROM sign_in_failures "
                            "WHERE key = 'hc_deflection:ip:127.0.0.1'") == "120"
    # marking is not limited (a request submitted after many suggestions still counts) ...
    assert mark(Api(hc), first["id"], first["token"]).status_code == 200
    # ... and people signed in are known, not counted against the address
    add_requester(hc, "req@example.com", "Req")
    assert open_one(sign_in(hc, "req@example.com")).status_code == 201
    # once the oldest attempt leaves the hour, there is room for one more
    hc.db.execute("UPDATE sign_in_failures SET at = at - 3601 WHERE id = (SELECT MIN(id) FROM "
                  "sign_in_failures WHERE key = 'hc_deflection:ip:127.0.0.1')")
    assert open_one(Api(hc)).status_code == 201
    assert open_one(Api(hc)).status_code == 429


def test_deflection_queries_cleared_after_90_days(hc, server):
    now = int(time.time())
    day = 86400
    rows = [  # id, created_at, query
        (801, now - 91 * day, "my old refund"),
        (802, now - 90 * day - 60, "just past 90 days"),
        (803, now - 90 * day + 600, "not yet 90 days"),
        (804, now - day, "yesterday"),
    ]
    for did, at, query in rows:
        hc.db.execute("INSERT INTO hc_deflections (id, article_id, query, token_hash, created_at, "
                      f"submitted) VALUES ({did}, 903, '{query}', 'x', {at}, {did % 2})")
    other = server(db=hc.db, init=False, jobs_interval=1)
    want = [("801", ""), ("802", ""), ("803", "not yet 90 days"), ("804", "yesterday")]
    deadline = time.monotonic() + 15
    got = None
    while time.monotonic() < deadline:
        got = db_query(hc.db, "SELECT id, query FROM hc_deflections ORDER BY id")
        if got == want:
            break
        time.sleep(0.2)
    assert got == want
    # the counts stay: rows, articles, instants and marks are untouched
    assert db_query(hc.db, "SELECT id, article_id, created_at, submitted FROM hc_deflections "
                           "ORDER BY id") == [
        (str(did), "903", str(at), str(did % 2)) for did, at, _ in rows]
    entry = other.wait_for_log(lambda r: r.get("event") == "hc_deflections_sweep")
    assert entry and entry["cleared"] == 2, entry


def test_a_stale_session_reads_as_a_visitor_but_a_bad_token_is_refused(hc):
    text = page(hc, "/hc/articles/903", cookies={"fd_session": "x" * 43}).text
    assert "0 out of 0 found this helpful" in text
    r = hc.get("/hc/articles/903", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
