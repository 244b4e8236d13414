"""Help center content (issue 7): categories, sections, articles in Zendesk's Help Center API v2
shapes, drafts and publishing rights, labels, revisions and restore, offset paging and the
editor's preview. Runs on both databases.
"""

import json
import re
from dataclasses import dataclass

import pytest

from conftest import (ADMIN, Api, ServerPool, add_requester, assert_error, create_admin,
                      db_query, sign_in, staff_add, token_create)

PUBLIC = "https://help.example.com"
HC = "/api/v2/help_center"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TIMES = ("created_at", "updated_at", "edited_at")


@dataclass
class Desk:
    srv: object
    admin: Api
    lead: Api
    lead_id: int
    agent: Api
    agent_id: int
    enduser: Api
    anon: Api


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("hc_content"))
    try:
        srv = pool.start(public_url=PUBLIC)
        create_admin(srv)
        agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
        lead_id = staff_add(srv, "lead@example.com", "Leo Lead", "lead")
        add_requester(srv, "olive@acme.example", "Olive Owner")
        # What init seeded is not these tests' business: start from an empty help center.
        for table in ("hc_article_labels", "hc_article_revisions", "hc_articles", "hc_sections",
                      "hc_categories"):
            srv.db.execute(f"DELETE FROM {table}")
        yield Desk(srv=srv, admin=Api(srv, token_create(srv, ADMIN["email"])),
                   lead=Api(srv, token_create(srv, "lead@example.com")), lead_id=lead_id,
                   agent=Api(srv, token_create(srv, "agent@example.com")), agent_id=agent_id,
                   enduser=sign_in(srv, "olive@acme.example"), anon=Api(srv))
    finally:
        pool.close()


def ok(resp, status=200):
    assert resp.status_code == status, f"want {status}, got {resp.status_code}: {resp.text[:400]}"
    return resp.json() if status != 204 else None


def without_times(obj):
    for key in TIMES:
        if key in obj:
            assert ISO.match(obj[key]), (key, obj[key])
    return {k: v for k, v in obj.items() if k not in TIMES}


def category(desk, name="Billing", **more):
    return ok(desk.agent.post(f"{HC}/categories", {"category": dict(name=name, **more)}),
              201)["category"]


def section(desk, category_id, name="Refunds", **more):
    return ok(desk.agent.post(f"{HC}/categories/{category_id}/sections",
                              {"section": dict(name=name, **more)}), 201)["section"]


def article(desk, section_id, api=None, **fields):
    fields.setdefault("title", "How refunds work")
    fields.setdefault("body", "Refunds take **five** days.")
    return ok((api or desk.agent).post(f"{HC}/sections/{section_id}/articles",
                                       {"article": fields}), 201)["article"]


def publish(desk, article_id):
    return ok(desk.lead.put(f"{HC}/articles/{article_id}", {"article": {"draft": False}}))["article"]


def audit(desk, action, target_id):
    rows = db_query(desk.srv.db, f"SELECT actor_id, target_type, detail FROM audit_log "
                                 f"WHERE action = '{action}' AND target_id = {target_id} "
                                 f"ORDER BY id")
    return [(int(a) if a else None, t, json.loads(d)) for a, t, d in rows]


# ---------------------------------------------------------------- categories and sections


def test_category_crud_exact_bodies(desk):
    c = category(desk, "Getting started", description="First steps", position=3)
    cid = c["id"]
    assert without_times(c) == {
        "id": cid, "url": f"{PUBLIC}{HC}/categories/{cid}", "html_url": f"{PUBLIC}/hc/categories/{cid}",
        "name": "Getting started", "description": "First steps", "position": 3, "locale": "en-us",
        "source_locale": "en-us", "outdated": False}
    assert ok(desk.anon.get(f"{HC}/categories/{cid}"))["category"] == c
    renamed = ok(desk.agent.put(f"{HC}/categories/{cid}",
                                {"category": {"name": "  Start here  "}}))["category"]
    assert renamed["name"] == "Start here" and renamed["description"] == "First steps"
    assert renamed["position"] == 3
    listed = ok(desk.enduser.get(f"{HC}/categories"))
    assert renamed in listed["categories"]
    assert {k: listed[k] for k in ("next_page", "previous_page", "page", "per_page")} == {
        "next_page": None, "previous_page": None, "page": 1, "per_page": 30}
    assert listed["count"] == len(listed["categories"]) and listed["page_count"] == 1
    assert audit(desk, "hc.category.created", cid) == [
        (desk.agent_id, "hc_category", {"name": "Getting started"})]
    assert audit(desk, "hc.category.updated", cid) == [
        (desk.agent_id, "hc_category", {"name": "Start here"})]


def test_category_rights_and_validation(desk):
    assert_error(desk.anon.post(f"{HC}/categories", {"category": {"name": "X"}}), 401,
                 "unauthorized")
    assert_error(desk.enduser.post(f"{HC}/categories", {"category": {"name": "X"}}), 403,
                 "forbidden")
    assert_error(desk.agent.post(f"{HC}/categories", {"category": {}}), 422, "invalid",
                 "category.name")
    assert_error(desk.agent.post(f"{HC}/categories", {"category": {"name": "  "}}), 422,
                 "invalid", "category.name")
    assert_error(desk.agent.post(f"{HC}/categories", {"category": {"name": "x" * 301}}), 422,
                 "invalid", "category.name")
    assert_error(desk.agent.post(f"{HC}/categories", {"category": {"name": "X", "position": -1}}),
                 422, "invalid", "category.position")
    assert_error(desk.agent.post(f"{HC}/categories", {"category": {"name": 5}}), 422, "invalid",
                 "category.name")
    assert_error(desk.agent.post(f"{HC}/categories", {"name": "X"}), 422, "invalid", "category")
    assert_error(desk.anon.get(f"{HC}/categories/99999999"), 404, "not_found")
    assert_error(desk.agent.put(f"{HC}/categories/99999999", {"category": {"name": "X"}}), 404,
                 "not_found")


def test_section_crud_exact_bodies(desk):
    cid = category(desk, "Accounts")["id"]
    other = category(desk, "Elsewhere")["id"]
    s = section(desk, cid, "Passwords", description="Sign-in help", position=2)
    sid = s["id"]
    assert without_times(s) == {
        "id": sid, "url": f"{PUBLIC}{HC}/sections/{sid}", "html_url": f"{PUBLIC}/hc/sections/{sid}",
        "category_id": cid, "name": "Passwords", "description": "Sign-in help", "position": 2,
        "sorting": "manual", "locale": "en-us", "source_locale": "en-us", "outdated": False}
    first = section(desk, cid, "Profiles", position=1)
    assert ok(desk.anon.get(f"{HC}/sections/{sid}"))["section"] == s
    listed = ok(desk.anon.get(f"{HC}/categories/{cid}/sections"))
    assert [x["id"] for x in listed["sections"]] == [first["id"], sid]  # by position
    assert listed["count"] == 2
    moved = ok(desk.agent.put(f"{HC}/sections/{sid}",
                              {"section": {"name": "Passwords and 2FA", "category_id": other}}))
    assert moved["section"]["category_id"] == other
    assert moved["section"]["name"] == "Passwords and 2FA"
    assert sid in [x["id"] for x in ok(desk.anon.get(f"{HC}/sections"))["sections"]]
    assert_error(desk.agent.put(f"{HC}/sections/{sid}", {"section": {"category_id": 99999999}}),
                 422, "invalid", "section.category_id")
    assert_error(desk.agent.post(f"{HC}/categories/99999999/sections",
                                 {"section": {"name": "X"}}), 404, "not_found")
    assert_error(desk.anon.get(f"{HC}/categories/99999999/sections"), 404, "not_found")
    assert_error(desk.agent.post(f"{HC}/categories/{cid}/sections", {"section": {"name": ""}}),
                 422, "invalid", "section.name")
    assert_error(desk.enduser.put(f"{HC}/sections/{sid}", {"section": {"name": "X"}}), 403,
                 "forbidden")
    assert audit(desk, "hc.section.created", sid) == [
        (desk.agent_id, "hc_section", {"name": "Passwords", "category_id": cid})]


# ---------------------------------------------------------------- articles


@pytest.fixture(scope="module")
def sec(desk):
    return section(desk, category(desk, "Orders")["id"], "Refunds")["id"]


def test_article_create_exact_body_and_drafts_hidden(desk, sec):
    a = article(desk, sec, title=" How refunds work ", body="Refunds take **five** days.",
                label_names=[" Billing ", "REFUNDS", "billing", "two   words"], position=4)
    aid = a["id"]
    assert without_times(a) == {
        "id": aid, "url": f"{PUBLIC}{HC}/articles/{aid}", "html_url": f"{PUBLIC}/hc/articles/{aid}",
        "author_id": desk.agent_id, "comments_disabled": False, "draft": True, "promoted": False,
        "position": 4, "vote_sum": 0, "vote_count": 0, "section_id": sec,
        "name": "How refunds work", "title": "How refunds work", "source_locale": "en-us",
        "locale": "en-us", "outdated": False, "label_names": ["billing", "refunds", "two words"],
        "body": "<p>Refunds take <strong>five</strong> days.</p>\n",
        "body_markdown": "Refunds take **five** days.", "revision": 1}
    assert ok(desk.agent.get(f"{HC}/articles/{aid}"))["article"] == a
    # A draft is not found for anyone but staff, exactly like an article that does not exist.
    for who in (desk.anon, desk.enduser):
        assert_error(who.get(f"{HC}/articles/{aid}"), 404, "not_found")
        listed = ok(who.get(f"{HC}/sections/{sec}/articles?draft=true"))
        assert aid not in [x["id"] for x in listed["articles"]]
    assert aid not in [x["id"] for x in ok(desk.agent.get(f"{HC}/sections/{sec}/articles"))["articles"]]
    assert aid in [x["id"] for x in
                   ok(desk.agent.get(f"{HC}/sections/{sec}/articles?draft=true"))["articles"]]
    published = publish(desk, aid)
    assert published["draft"] is False and published["revision"] == 1
    public = ok(desk.enduser.get(f"{HC}/articles/{aid}"))["article"]
    staff_only = {"body_markdown", "revision"}
    assert public == {k: v for k, v in published.items() if k not in staff_only}
    assert ok(desk.anon.get(f"{HC}/articles/{aid}"))["article"] == public
    assert audit(desk, "hc.article.created", aid) == [
        (desk.agent_id, "hc_article", {"title": "How refunds work", "revision": 1})]
    assert [x[1:] for x in audit(desk, "hc.article.published", aid)] == [
        ("hc_article", {"title": "How refunds work", "revision": 1})]


def test_publishing_rights(desk, sec):
    aid = article(desk, sec, title="Rights")["id"]
    assert_error(desk.agent.post(f"{HC}/sections/{sec}/articles",
                                 {"article": {"title": "T", "body": "b", "draft": False}}),
                 403, "forbidden", "article.draft")
    assert_error(desk.agent.put(f"{HC}/articles/{aid}", {"article": {"draft": False}}), 403,
                 "forbidden", "article.draft")
    assert_error(desk.agent.request("DELETE", f"{HC}/articles/{aid}"), 403, "forbidden")
    assert_error(desk.enduser.put(f"{HC}/articles/{aid}", {"article": {"title": "X"}}), 403,
                 "forbidden")
    assert_error(desk.anon.request("DELETE", f"{HC}/articles/{aid}"), 401, "unauthorized")
    # Agents edit drafts; a published article changes only through a lead or an admin...
    ok(desk.agent.put(f"{HC}/articles/{aid}", {"article": {"title": "Rights, edited"}}))
    publish(desk, aid)
    assert_error(desk.agent.put(f"{HC}/articles/{aid}", {"article": {"title": "Sneaky"}}), 403,
                 "forbidden")
    # ...but any staff member may close its comments.
    closed = ok(desk.agent.put(f"{HC}/articles/{aid}", {"article": {"comments_disabled": True}}))
    assert closed["article"]["comments_disabled"] is True
    assert closed["article"]["revision"] == 2  # not a content change
    unpublished = ok(desk.admin.put(f"{HC}/articles/{aid}", {"article": {"draft": True}}))
    assert unpublished["article"]["draft"] is True
    assert_error(desk.enduser.get(f"{HC}/articles/{aid}"), 404, "not_found")
    assert len(audit(desk, "hc.article.unpublished", aid)) == 1
    assert ok(desk.lead.request("DELETE", f"{HC}/articles/{aid}"), 204) is None
    assert_error(desk.agent.get(f"{HC}/articles/{aid}"), 404, "not_found")
    assert_error(desk.lead.request("DELETE", f"{HC}/articles/{aid}"), 404, "not_found")
    assert [x[1:] for x in audit(desk, "hc.article.deleted", aid)] == [
        ("hc_article", {"title": "Rights, edited", "revision": 2})]
    assert db_query(desk.srv.db, f"SELECT COUNT(*) FROM hc_article_revisions "
                                 f"WHERE article_id = {aid}") == [("0",)]


def test_article_validation_names_fields(desk, sec):
    url = f"{HC}/sections/{sec}/articles"
    cases = [
        ({"body": "b"}, "article.title"),
        ({"title": "   ", "body": "b"}, "article.title"),
        ({"title": "x" * 301, "body": "b"}, "article.title"),
        ({"title": "a\u0001b", "body": "b"}, "article.title"),
        ({"title": "T"}, "article.body"),
        ({"title": "T", "body": 3}, "article.body"),
        ({"title": "T", "body": "b", "position": "1"}, "article.position"),
        ({"title": "T", "body": "b", "position": -2}, "article.position"),
        ({"title": "T", "body": "b", "draft": "no"}, "article.draft"),
        ({"title": "T", "body": "b", "comments_disabled": 1}, "article.comments_disabled"),
        ({"title": "T", "body": "b", "label_names": "a,b"}, "article.label_names"),
        ({"title": "T", "body": "b", "label_names": [1]}, "article.label_names"),
        ({"title": "T", "body": "b", "label_names": ["a,b"]}, "article.label_names"),
        ({"title": "T", "body": "b", "label_names": ["  "]}, "article.label_names"),
        ({"title": "T", "body": "b", "label_names": ["x" * 65]}, "article.label_names"),
        ({"title": "T", "body": "b", "label_names": [f"l{i}" for i in range(21)]},
         "article.label_names"),
    ]
    for fields, field in cases:
        assert_error(desk.agent.post(url, {"article": fields}), 422, "invalid", field)
    assert_error(desk.agent.post(url, {"title": "T"}), 422, "invalid", "article")
    assert_error(desk.agent.post(f"{HC}/sections/99999999/articles",
                                 {"article": {"title": "T", "body": "b"}}), 404, "not_found")
    aid = article(desk, sec)["id"]
    assert_error(desk.agent.put(f"{HC}/articles/{aid}", {"article": {"section_id": 99999999}}),
                 422, "invalid", "article.section_id")
    assert_error(desk.agent.put(f"{HC}/articles/99999999", {"article": {"title": "T"}}), 404,
                 "not_found")


def test_label_limit_exact(desk, sec):
    labels = [f"L{i:02}" for i in range(20)] + ["l00", " L01"]
    a = article(desk, sec, label_names=labels)
    assert a["label_names"] == [f"l{i:02}" for i in range(20)]
    assert_error(desk.agent.post(f"{HC}/sections/{sec}/articles", {"article": {
        "title": "T", "body": "b", "label_names": labels + ["l20"]}}), 422, "invalid",
        "article.label_names")
    long = "y" * 44 + " \t " + "z" * 19  # 64 characters once the whitespace run is one space
    assert article(desk, sec, label_names=[long])["label_names"] == ["y" * 44 + " " + "z" * 19]


def test_label_filter(desk):
    sid = section(desk, category(desk, "Labels")["id"], "Tagged")["id"]
    a = publish(desk, article(desk, sid, title="A", label_names=["cash"])["id"])["id"]
    b = publish(desk, article(desk, sid, title="B", label_names=["cash", "returns"])["id"])["id"]
    c = publish(desk, article(desk, sid, title="C", label_names=["returns"])["id"])["id"]
    draft = article(desk, sid, title="D", label_names=["cash"])["id"]

    def ids(api, query):
        return [x["id"] for x in ok(api.get(f"{HC}/articles?{query}"))["articles"]]

    assert ids(desk.anon, "label_names=cash") == [a, b]
    assert ids(desk.anon, "label_names=CASH,%20returns") == [b]
    assert ids(desk.anon, "label_names=returns") == [b, c]
    assert ids(desk.agent, "label_names=cash&draft=true") == [a, b, draft]
    assert ids(desk.anon, "label_names=cash&draft=true") == [a, b]
    assert ids(desk.anon, "label_names=nothing") == []
    assert_error(desk.anon.get(f"{HC}/articles?label_names=" + "x" * 65), 400, "bad_request",
                 "label_names")
    got = ok(desk.anon.get(f"{HC}/sections/{sid}/articles?label_names=cash&per_page=1"))
    assert [x["id"] for x in got["articles"]] == [a]
    assert got["next_page"] == (f"{PUBLIC}{HC}/sections/{sid}/articles?label_names=cash"
                                f"&page=2&per_page=1")


# ---------------------------------------------------------------- revisions


def test_revisions_and_restore(desk, sec):
    a = article(desk, sec, title="Rev one", body="First *body*", label_names=["one"])
    aid = a["id"]
    two = ok(desk.agent.put(f"{HC}/articles/{aid}", {"article": {"body": "Second body"}}))
    assert two["article"]["revision"] == 2
    assert two["article"]["body"] == "<p>Second body</p>\n"
    same = ok(desk.agent.put(f"{HC}/articles/{aid}", {"article": {"position": 9,
                                                                  "body": "Second body"}}))
    assert same["article"]["revision"] == 2 and same["article"]["position"] == 9
    three = ok(desk.lead.put(f"{HC}/articles/{aid}", {"article": {"title": "Rev three",
                                                                  "label_names": ["Three"]}}))
    assert three["article"]["revision"] == 3
    revs = ok(desk.agent.get(f"{HC}/articles/{aid}/revisions"))
    assert [without_times(r) for r in revs["revisions"]] == [
        {"id": revs["revisions"][0]["id"], "article_id": aid, "revision": 3, "title": "Rev three",
         "body_markdown": "Second body", "label_names": ["three"], "author_id": desk.lead_id},
        {"id": revs["revisions"][1]["id"], "article_id": aid, "revision": 2, "title": "Rev one",
         "body_markdown": "Second body", "label_names": ["one"], "author_id": desk.agent_id},
        {"id": revs["revisions"][2]["id"], "article_id": aid, "revision": 1, "title": "Rev one",
         "body_markdown": "First *body*", "label_names": ["one"], "author_id": desk.agent_id},
    ]
    assert revs["count"] == 3 and revs["next_page"] is None
    one = ok(desk.agent.get(f"{HC}/articles/{aid}/revisions/1"))["revision"]
    assert one == revs["revisions"][2]
    restored = ok(desk.agent.post(f"{HC}/articles/{aid}/revisions/1/restore"))["article"]
    assert (restored["revision"], restored["title"], restored["body_markdown"],
            restored["body"], restored["label_names"]) == (
        4, "Rev one", "First *body*", "<p>First <em>body</em></p>\n", ["one"])
    assert ok(desk.agent.get(f"{HC}/articles/{aid}/revisions"))["count"] == 4
    assert [x[1:] for x in audit(desk, "hc.article.restored", aid)] == [
        ("hc_article", {"title": "Rev one", "revision": 4, "from_revision": 1})]
    updated = audit(desk, "hc.article.updated", aid)
    assert [d["changed"] for _, _, d in updated] == [["body"], ["position"],
                                                      ["title", "label_names"]]
    # The label rows follow the current revision (the filter reads them).
    assert db_query(desk.srv.db, f"SELECT label FROM hc_article_labels WHERE article_id = {aid}"
                    ) == [("one",)]
    assert_error(desk.agent.get(f"{HC}/articles/{aid}/revisions/99"), 404, "not_found")
    assert_error(desk.agent.post(f"{HC}/articles/{aid}/revisions/99/restore"), 404, "not_found")
    assert_error(desk.enduser.get(f"{HC}/articles/{aid}/revisions"), 403, "forbidden")
    assert_error(desk.anon.get(f"{HC}/articles/{aid}/revisions/1"), 401, "unauthorized")
    assert_error(desk.agent.get(f"{HC}/articles/99999999/revisions"), 404, "not_found")
    publish(desk, aid)
    assert_error(desk.agent.post(f"{HC}/articles/{aid}/revisions/2/restore"), 403, "forbidden")
    assert ok(desk.lead.post(f"{HC}/articles/{aid}/revisions/2/restore"))["article"]["revision"] == 5


# ---------------------------------------------------------------- paging and order


def test_paging_and_order(desk):
    cid = category(desk, "Paging")["id"]
    s2 = section(desk, cid, "Second", position=2)["id"]
    s1 = section(desk, cid, "First", position=1)["id"]
    made = [publish(desk, article(desk, s1, title=f"P{i}", position=p)["id"])["id"]
            for i, p in enumerate([3, 1, 2, 1, 5])]
    order = [made[1], made[3], made[2], made[0], made[4]]  # by position, then id
    later = publish(desk, article(desk, s2, title="Other section", position=0)["id"])["id"]
    base = f"{PUBLIC}{HC}/sections/{s1}/articles"
    p1 = ok(desk.anon.get(f"{HC}/sections/{s1}/articles?per_page=2"))
    assert [x["id"] for x in p1["articles"]] == order[:2]
    assert {k: v for k, v in p1.items() if k != "articles"} == {
        "next_page": f"{base}?page=2&per_page=2", "previous_page": None, "count": 5, "page": 1,
        "per_page": 2, "page_count": 3}
    p3 = ok(desk.anon.get(f"{HC}/sections/{s1}/articles?page=3&per_page=2"))
    assert [x["id"] for x in p3["articles"]] == order[4:]
    assert (p3["next_page"], p3["previous_page"]) == (None, f"{base}?page=2&per_page=2")
    p9 = ok(desk.anon.get(f"{HC}/sections/{s1}/articles?page=9&per_page=2"))
    assert p9["articles"] == [] and p9["count"] == 5 and p9["next_page"] is None
    cat = ok(desk.anon.get(f"{HC}/categories/{cid}/articles"))
    assert [x["id"] for x in cat["articles"]] == order + [later]  # section position first
    assert cat["count"] == 6
    for query, arg in (("per_page=101", "per_page"), ("per_page=0", "per_page"),
                       ("page=0", "page"), ("page=x", "page")):
        assert_error(desk.anon.get(f"{HC}/articles?{query}"), 400, "bad_request", arg)
    assert_error(desk.anon.get(f"{HC}/sections/99999999/articles"), 404, "not_found")
    assert_error(desk.anon.get(f"{HC}/categories/99999999/articles"), 404, "not_found")
    everything = ok(desk.anon.get(f"{HC}/articles?per_page=100"))
    ids = [x["id"] for x in everything["articles"]]
    assert ids == sorted(ids) and set(made) <= set(ids)


# ---------------------------------------------------------------- preview


def test_preview(desk):
    got = ok(desk.agent.post(f"{HC}/preview", {"markdown": "# Hi\n\nSee [this](javascript:alert(1))"
                                                           " and <script>x</script>"}))
    assert list(got) == ["html"]
    assert got["html"].startswith("<h1>Hi</h1>\n<p>See <a href=\"\">this</a>")
    assert "<script" not in got["html"]
    assert_error(desk.agent.post(f"{HC}/preview", {"markdown": 1}), 422, "invalid", "markdown")
    assert_error(desk.enduser.post(f"{HC}/preview", {"markdown": "x"}), 403, "forbidden")
    assert_error(desk.anon.post(f"{HC}/preview", {"markdown": "x"}), 401, "unauthorized")


def test_move_and_no_internal_fields_to_readers(desk):
    cid = category(desk, "Moves")["id"]
    a_sec, b_sec = section(desk, cid, "From")["id"], section(desk, cid, "To")["id"]
    aid = article(desk, a_sec, title="Mover")["id"]
    moved = ok(desk.agent.put(f"{HC}/articles/{aid}", {"article": {"section_id": b_sec}}))["article"]
    assert moved["section_id"] == b_sec and moved["revision"] == 1
    assert [x[2]["changed"] for x in audit(desk, "hc.article.updated", aid)] == [["section_id"]]
    publish(desk, aid)
    for who in (desk.anon, desk.enduser):
        for path in (f"{HC}/sections/{b_sec}/articles", f"{HC}/categories/{cid}/articles",
                     f"{HC}/articles?label_names=&per_page=100"):
            items = ok(who.get(path))["articles"]
            assert items and all("body_markdown" not in x and "revision" not in x for x in items)
        assert ok(who.get(f"{HC}/sections/{a_sec}/articles"))["articles"] == []
    staff_items = ok(desk.agent.get(f"{HC}/sections/{b_sec}/articles"))["articles"]
    assert [(x["id"], x["revision"]) for x in staff_items] == [(aid, 1)]
    # Sending the same values again changes nothing and audits nothing.
    before = ok(desk.lead.get(f"{HC}/articles/{aid}"))["article"]
    again = ok(desk.lead.put(f"{HC}/articles/{aid}", {"article": {
        "title": "Mover", "body": before["body_markdown"], "label_names": [], "section_id": b_sec,
        "draft": False}}))["article"]
    assert again == before
    assert len(audit(desk, "hc.article.updated", aid)) == 1


def test_body_limits(server):
    """A body past 1 MiB of Markdown: 422 naming article.body; the preview answers 413 (the
    default --max-body-size is 1 MiB too, so this server takes larger requests)."""
    srv = server(max_body_size="4M")
    create_admin(srv)
    admin = Api(srv, token_create(srv, ADMIN["email"]))
    cid = ok(admin.post(f"{HC}/categories", {"category": {"name": "Big"}}), 201)["category"]["id"]
    sid = ok(admin.post(f"{HC}/categories/{cid}/sections", {"section": {"name": "Big"}}),
             201)["section"]["id"]
    big = "x" * ((1 << 20) + 1)
    assert_error(admin.post(f"{HC}/sections/{sid}/articles",
                            {"article": {"title": "T", "body": big}}), 422, "invalid",
                 "article.body")
    assert_error(admin.post(f"{HC}/preview", {"markdown": big}), 413, "payload_too_large",
                 "markdown")
    fits = ok(admin.post(f"{HC}/sections/{sid}/articles",
                         {"article": {"title": "T", "body": big[:-1]}}), 201)["article"]
    assert fits["body"] == "<p>" + big[:-1] + "</p>\n"
