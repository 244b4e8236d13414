"""GET /api/v2/audit_logs (frontdesk's own, admins only): the append-only audit log, oldest first
by id, with cursor pagination, filter[action] and filter[actor_id], each entry in one shape with
its detail as an object, and no way to write through the API."""

import re

import pytest

from conftest import assert_error, db_query, sign_in
from test_tickets import desk  # noqa: F401 (a fixture)

ENTRY_KEYS = ["id", "created_at", "actor_id", "action", "target_type", "target_id", "ip",
              "detail"]
ISO_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def walk(api, path):
    """Every entry from path on, following links.next; also the pages."""
    items, pages = [], []
    while path:
        resp = api.get(path)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert list(body) == ["audit_logs", "meta", "links"], body
        pages.append(body)
        items += body["audit_logs"]
        path = body["links"]["next"]
    return items, pages


def stored(desk, where="1 = 1"):
    """(id, action, actor_id) of the table's rows, by id."""
    return [(int(i), a, act and int(act)) for i, a, act in db_query(
        desk.srv.db, f"SELECT id, action, actor_id FROM audit_log WHERE {where} ORDER BY id")]


@pytest.fixture(scope="module")
def logged(desk):  # noqa: F811
    """A failed sign-in and a sign-out beside what the desk's setup left."""
    resp = desk.anon.post("/api/v2/auth/sign_in",
                          json={"email": "mike@acme.example", "password": "wrong password!"})
    assert resp.status_code == 401, resp.text
    s = sign_in(desk.srv, "mike@acme.example")
    assert s.post("/api/v2/auth/sign_out").status_code == 204
    return desk


def test_the_admin_lists_every_entry_oldest_first(logged):
    desk = logged
    items, _ = walk(desk.admin, "/api/v2/audit_logs")
    assert [(e["id"], e["action"], e["actor_id"]) for e in items] == stored(desk)
    assert len(items) >= 10
    for e in items:
        assert list(e) == ENTRY_KEYS, e
        assert ISO_RE.fullmatch(e["created_at"]), e
        assert isinstance(e["detail"], dict), e
    actions = {e["action"] for e in items}
    assert {"setup.completed", "staff.added", "api_token.created", "auth.sign_in",
            "auth.sign_in_failed", "auth.sign_out"} <= actions, actions


def test_an_entry_carries_its_facts(logged):
    desk = logged
    items, _ = walk(desk.admin, "/api/v2/audit_logs")
    [failed] = [e for e in items if e["action"] == "auth.sign_in_failed"]
    assert failed["actor_id"] is None
    assert (failed["target_type"], failed["target_id"]) == ("user", desk.mike_id)
    assert failed["ip"] == "127.0.0.1"
    token = [e for e in items if e["action"] == "api_token.created"][0]
    assert set(token["detail"]) == {"token_id", "name"}
    assert token["ip"] is None


@pytest.mark.parametrize("query, where, least", [
    ("filter[action]=auth.sign_in", "action = 'auth.sign_in'", 4),
    ("filter[action]=staff.added", "action = 'staff.added'", 4),
    ("filter[action]=no.such.action", "1 = 0", 0),
    ("filter[actor_id]={mike}", "actor_id = {mike}", 3),
    ("filter[actor_id]=999999", "1 = 0", 0),
    ("filter[action]=auth.sign_in&filter[actor_id]={mike}",
     "action = 'auth.sign_in' AND actor_id = {mike}", 2),
])
def test_filters(logged, query, where, least):
    desk = logged
    query, where = query.format(mike=desk.mike_id), where.format(mike=desk.mike_id)
    items, _ = walk(desk.admin, "/api/v2/audit_logs?" + query)
    want = stored(desk, where)
    assert [(e["id"], e["action"], e["actor_id"]) for e in items] == want
    assert len(want) >= least


def test_pages_walk_every_entry_once_and_keep_the_filter(logged):
    desk = logged
    everything = stored(desk)
    items, pages = walk(desk.admin, "/api/v2/audit_logs?page[size]=3")
    assert [e["id"] for e in items] == [i for i, _, _ in everything]
    assert len(pages) == (len(everything) + 2) // 3
    assert all(len(p["audit_logs"]) == 3 for p in pages[:-1])
    assert pages[0]["meta"]["has_more"] is True and pages[-1]["meta"]["has_more"] is False
    staff = stored(desk, "action = 'staff.added'")
    items, pages = walk(desk.admin, "/api/v2/audit_logs?filter[action]=staff.added&page[size]=1")
    assert [e["id"] for e in items] == [i for i, _, _ in staff]
    assert len(pages) == len(staff) and "filter%5Baction%5D=staff.added" in pages[0]["links"]["next"]


def test_after_the_last_cursor_comes_what_was_added_since(logged):
    desk = logged
    _, pages = walk(desk.admin, "/api/v2/audit_logs")
    cursor = pages[-1]["meta"]["after_cursor"]
    sign_in(desk.srv, "rita@globex.example")
    resp = desk.admin.get("/api/v2/audit_logs", params={"page[after]": cursor})
    assert [(e["action"], e["actor_id"]) for e in resp.json()["audit_logs"]] == \
        [("auth.sign_in", desk.rita_id)]


@pytest.mark.parametrize("who, status, code", [
    ("agent", 403, "forbidden"), ("rita", 403, "forbidden"), ("olive", 403, "forbidden"),
    ("anon", 401, "unauthorized")])
def test_only_admins_read_the_audit_log(logged, who, status, code):
    assert_error(getattr(logged, who).get("/api/v2/audit_logs"), status, code)


@pytest.mark.parametrize("query, field", [
    ("filter[actor_id]=abc", "filter[actor_id]"),
    ("filter[actor_id]=0", "filter[actor_id]"),
    ("filter[actor_id]=-3", "filter[actor_id]"),
    ("filter[action]=", "filter[action]"),
    ("page[size]=0", "page[size]"),
    ("page[after]=nonsense", "page[after]"),
])
def test_bad_parameters_are_400_naming_them(logged, query, field):
    assert_error(logged.admin.get("/api/v2/audit_logs?" + query), 400, "bad_request", field)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_there_is_no_way_to_write(logged, method):
    before = stored(logged)
    resp = logged.admin.request(method, "/api/v2/audit_logs", {"audit_log": {"action": "x"}})
    assert_error(resp, 405, "method_not_allowed")
    assert resp.headers["Allow"] == "GET, HEAD"
    assert stored(logged) == before


def test_the_json_suffix_answers_the_same(logged):
    a = logged.admin.get("/api/v2/audit_logs.json?filter[action]=staff.added")
    b = logged.admin.get("/api/v2/audit_logs?filter[action]=staff.added")
    assert a.status_code == 200 and a.json()["audit_logs"] == b.json()["audit_logs"]
