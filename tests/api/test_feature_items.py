"""Feature requests (issue 5, policy clause 2): feature items, the tickets linked to them, their
exact counts, their status and the one notification when an item ships. Runs on both databases.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from conftest import (ADMIN, Api, ServerPool, add_organization, add_requester, assert_error,
                      create_admin, db_query, db_scalar, sign_in, staff_add, token_create)

ITEM_KEYS = {"id", "title", "description", "status", "ticket_count", "account_count",
             "created_at", "updated_at", "shipped_at"}
STATUSES = ("under_review", "planned", "shipped", "declined")


@dataclass
class Board:
    srv: object
    admin_id: int
    admin: Api
    agent_id: int
    agent: Api
    lead: Api
    acme: int
    globex: int
    olive_id: int
    olive: Api
    mike_id: int
    rita_id: int
    nora_id: int
    anon: Api


def start_board(pool):
    srv = pool.start()
    db = srv.db
    admin_id = create_admin(srv)
    agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
    staff_add(srv, "lead@example.com", "Leo Lead", "lead")
    acme, globex = add_organization(db, "Acme Shop"), add_organization(db, "Globex Store")
    olive_id = add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
    mike_id = add_requester(srv, "mike@acme.example", "Mike Member", acme, "member")
    rita_id = add_requester(srv, "rita@globex.example", "Rita Globex", globex, "member")
    nora_id = add_requester(srv, "nora@solo.example", "Nora Nobody")
    return Board(srv=srv, admin_id=admin_id, admin=Api(srv, token_create(srv, ADMIN["email"])),
                 agent_id=agent_id, agent=Api(srv, token_create(srv, "agent@example.com")),
                 lead=Api(srv, token_create(srv, "lead@example.com")), acme=acme,
                 globex=globex, olive_id=olive_id, olive=sign_in(srv, "olive@acme.example"),
                 mike_id=mike_id, rita_id=rita_id, nora_id=nora_id, anon=Api(srv))


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("feature_items"))
    try:
        yield start_board(pool)
    finally:
        pool.close()


@pytest.fixture
def fresh_board(tmp_path):
    """A board of its own, for tests that look at every item or every mail."""
    pool = ServerPool(tmp_path)
    try:
        yield start_board(pool)
    finally:
        pool.close()


# ---------------------------------------------------------------- helpers


def iso(epoch):
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ticket(b, requester_id, subject="Please add gift cards"):
    resp = b.admin.post("/api/v2/tickets", {"ticket": {
        "subject": subject, "requester_id": requester_id,
        "comment": {"body": "It would help our store a lot."}}})
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]["id"]


def new_item(api, title="Gift cards", **extra):
    body = {"title": title}
    body.update(extra)
    resp = api.post("/api/v2/feature_items", {"feature_item": body})
    assert resp.status_code == 201, resp.text
    item = resp.json()["feature_item"]
    assert set(item) == ITEM_KEYS
    return item


def show(api, iid):
    resp = api.get(f"/api/v2/feature_items/{iid}")
    assert resp.status_code == 200, resp.text
    return resp.json()["feature_item"]


def link(api, tid, iid):
    resp = api.post(f"/api/v2/tickets/{tid}/feature_item", {"feature_item_id": iid})
    assert resp.status_code == 200, resp.text
    return resp.json()["feature_item"]


def put(api, iid, **fields):
    resp = api.put(f"/api/v2/feature_items/{iid}", {"feature_item": fields})
    assert resp.status_code == 200, resp.text
    return resp.json()["feature_item"]


def counts(api, iid):
    item = show(api, iid)
    return item["ticket_count"], item["account_count"]


def audits(b, action, target_id=None):
    """(actor_id, target_type, target_id, detail) of audit entries with this action, in order."""
    where = f"action = '{action}'"
    if target_id is not None:
        where += f" AND target_id = {int(target_id)}"
    return [(int(a), t, int(i), json.loads(d)) for a, t, i, d in db_query(
        b.srv.db, f"SELECT actor_id, target_type, target_id, detail FROM audit_log "
                  f"WHERE {where} ORDER BY id")]


def shipped_mail(b, ticket_ids=None):
    """(to_address, ticket_id, subject, body) of feature_shipped outbox rows, by id."""
    rows = db_query(b.srv.db, "SELECT to_address, ticket_id, subject, body FROM outbox "
                              "WHERE kind = 'feature_shipped' ORDER BY id")
    rows = [(to, int(t), s, body) for to, t, s, body in rows]
    if ticket_ids is not None:
        rows = [r for r in rows if r[1] in ticket_ids]
    return rows


# ---------------------------------------------------------------- who may


def test_end_users_get_403_everywhere_and_anonymous_401(board):
    item = new_item(board.agent, "Wishlists")
    tid = ticket(board, board.olive_id)
    link(board.agent, tid, item["id"])
    calls = [
        ("GET", "/api/v2/feature_items", None),
        ("POST", "/api/v2/feature_items", {"feature_item": {"title": "Mine"}}),
        ("GET", f"/api/v2/feature_items/{item['id']}", None),
        ("PUT", f"/api/v2/feature_items/{item['id']}", {"feature_item": {"status": "shipped"}}),
        ("GET", f"/api/v2/feature_items/{item['id']}/tickets", None),
        ("GET", f"/api/v2/tickets/{tid}/feature_item", None),
        ("POST", f"/api/v2/tickets/{tid}/feature_item", {"feature_item_id": item["id"]}),
        ("DELETE", f"/api/v2/tickets/{tid}/feature_item", None),
        # a malformed body or an unknown id still answers 403 first: nothing is revealed
        ("POST", f"/api/v2/tickets/{tid}/feature_item", {"nonsense": True}),
        ("GET", "/api/v2/feature_items/999999", None),
    ]
    for method, path, body in calls:
        assert_error(board.olive.request(method, path, body), 403, "forbidden")
        assert_error(board.anon.request(method, path, body), 401, "unauthorized")
    # nothing changed
    after = show(board.agent, item["id"])
    assert (after["status"], after["ticket_count"], after["title"]) == ("under_review", 1,
                                                                         "Wishlists")
    assert db_scalar(board.srv.db, "SELECT COUNT(*) FROM feature_items WHERE title = 'Mine'") == "0"


def test_agents_leads_and_admins_all_work_the_board(board):
    item = new_item(board.agent, "Bulk discounts")
    assert put(board.lead, item["id"], status="planned")["status"] == "planned"
    assert put(board.admin, item["id"], status="declined")["status"] == "declined"
    tid = ticket(board, board.mike_id)
    assert link(board.lead, tid, item["id"])["ticket_count"] == 1


# ---------------------------------------------------------------- items


def test_create_shows_the_item_with_defaults_and_audits(board):
    resp = board.agent.post("/api/v2/feature_items", {"feature_item": {
        "title": "  Gift cards for holidays  ", "description": "Sell gift cards.\nAny amount."}})
    assert resp.status_code == 201, resp.text
    item = resp.json()["feature_item"]
    created, updated, shipped, by = db_query(
        board.srv.db, f"SELECT created_at, updated_at, shipped_at, created_by FROM feature_items "
                      f"WHERE id = {item['id']}")[0]
    assert item == {"id": item["id"], "title": "Gift cards for holidays",
                    "description": "Sell gift cards.\nAny amount.", "status": "under_review",
                    "ticket_count": 0, "account_count": 0, "created_at": iso(created),
                    "updated_at": iso(updated), "shipped_at": None}
    assert (shipped, int(by)) == (None, board.agent_id)
    assert show(board.admin, item["id"]) == item
    assert audits(board, "feature_item.created", item["id"]) == [
        (board.agent_id, "feature_item", item["id"],
         {"title": "Gift cards for holidays", "status": "under_review"})]


def test_create_with_a_status(board):
    for status in STATUSES:
        item = new_item(board.agent, f"Born {status}", status=status)
        assert item["status"] == status
        assert (item["shipped_at"] is None) == (status != "shipped")


def test_update_changes_fields_and_audits_status_changes_only(board):
    item = new_item(board.agent, "Store credit")
    out = put(board.agent, item["id"], title="Store credit v2", description="Refund as credit")
    assert (out["title"], out["description"], out["status"]) == ("Store credit v2",
                                                                 "Refund as credit",
                                                                 "under_review")
    assert audits(board, "feature_item.status_changed", item["id"]) == []
    out = put(board.lead, item["id"], status="planned")
    assert out["status"] == "planned"
    assert out == show(board.agent, item["id"])
    # the same status again is no change: no audit entry
    put(board.lead, item["id"], status="planned")
    lead_id = int(db_scalar(board.srv.db, "SELECT id FROM users WHERE email = 'lead@example.com'"))
    assert audits(board, "feature_item.status_changed", item["id"]) == [
        (lead_id, "feature_item", item["id"],
         {"from": "under_review", "to": "planned", "notified": 0})]


def test_status_must_be_one_of_the_four(board):
    item = new_item(board.agent, "Loyalty points")
    for bad in ("Planned", "open", "", "shipped ", "under review"):
        assert_error(board.agent.post("/api/v2/feature_items", {"feature_item": {
            "title": "x", "status": bad}}), 422, "invalid", "feature_item.status")
        assert_error(board.agent.put(f"/api/v2/feature_items/{item['id']}", {
            "feature_item": {"status": bad}}), 422, "invalid", "feature_item.status")
    assert_error(board.agent.put(f"/api/v2/feature_items/{item['id']}", {
        "feature_item": {"status": 3}}), 422, "invalid", "feature_item.status")
    assert show(board.agent, item["id"])["status"] == "under_review"


def test_title_and_description_are_checked(board):
    cases = [({}, "feature_item.title"),
             ({"title": None}, "feature_item.title"),
             ({"title": "   "}, "feature_item.title"),
             ({"title": "a" * 256}, "feature_item.title"),
             ({"title": "two\nlines"}, "feature_item.title"),
             ({"title": 12}, "feature_item.title"),
             ({"title": "ok", "description": "d" * 10001}, "feature_item.description"),
             ({"title": "ok", "description": "bell\x07"}, "feature_item.description"),
             ({"title": "ok", "description": ["no"]}, "feature_item.description")]
    before = db_scalar(board.srv.db, "SELECT COUNT(*) FROM feature_items")
    for body, field in cases:
        assert_error(board.agent.post("/api/v2/feature_items", {"feature_item": body}), 422,
                     "invalid", field)
    assert_error(board.agent.post("/api/v2/feature_items", {"title": "unwrapped"}), 422,
                 "invalid", "feature_item")
    assert db_scalar(board.srv.db, "SELECT COUNT(*) FROM feature_items") == before
    ok = new_item(board.agent, "é" * 255, description="d" * 10000)
    assert ok["title"] == "é" * 255
    assert_error(board.agent.put(f"/api/v2/feature_items/{ok['id']}", {
        "feature_item": {"title": ""}}), 422, "invalid", "feature_item.title")


def test_unknown_items_are_404(board):
    assert_error(board.agent.get("/api/v2/feature_items/999999"), 404, "not_found")
    assert_error(board.agent.put("/api/v2/feature_items/999999", {
        "feature_item": {"status": "planned"}}), 404, "not_found")
    assert_error(board.agent.get("/api/v2/feature_items/999999/tickets"), 404, "not_found")
    assert_error(board.agent.get("/api/v2/feature_items/abc"), 404, "not_found")


# ---------------------------------------------------------------- links and counts


def test_counts_are_distinct_tickets_and_accounts(board):
    item = new_item(board.agent, "Subscriptions")
    olive1, olive2 = ticket(board, board.olive_id), ticket(board, board.olive_id)
    mike = ticket(board, board.mike_id)
    rita = ticket(board, board.rita_id)
    nora = ticket(board, board.nora_id)
    out = link(board.agent, olive1, item["id"])
    assert (out["ticket_count"], out["account_count"]) == (1, 1)
    # two tickets of one account and one of another
    link(board.agent, olive2, item["id"])
    assert counts(board.agent, item["id"]) == (2, 1)
    out = link(board.agent, rita, item["id"])
    assert (out["ticket_count"], out["account_count"]) == (3, 2)
    # another person of the same account adds a ticket, not an account
    link(board.agent, mike, item["id"])
    assert counts(board.agent, item["id"]) == (4, 2)
    # a ticket without an account counts toward tickets only
    out = link(board.agent, nora, item["id"])
    assert (out["ticket_count"], out["account_count"]) == (5, 2)
    # linking the same ticket again changes nothing and records nothing
    n_linked = len(audits(board, "feature_item.linked", item["id"]))
    assert link(board.agent, rita, item["id"])["ticket_count"] == 5
    assert len(audits(board, "feature_item.linked", item["id"])) == n_linked == 5
    assert db_scalar(board.srv.db, f"SELECT COUNT(*) FROM feature_item_tickets "
                                   f"WHERE feature_item_id = {item['id']}") == "5"

    resp = board.agent.get(f"/api/v2/feature_items/{item['id']}/tickets")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["tickets"] == [
        {"id": olive1, "subject": "Please add gift cards", "requester_id": board.olive_id,
         "organization_id": board.acme},
        {"id": olive2, "subject": "Please add gift cards", "requester_id": board.olive_id,
         "organization_id": board.acme},
        {"id": mike, "subject": "Please add gift cards", "requester_id": board.mike_id,
         "organization_id": board.acme},
        {"id": rita, "subject": "Please add gift cards", "requester_id": board.rita_id,
         "organization_id": board.globex},
        {"id": nora, "subject": "Please add gift cards", "requester_id": board.nora_id,
         "organization_id": None}]
    assert body["meta"]["has_more"] is False and body["links"]["next"] is None
    # paged two at a time, the same tickets in the same order
    seen, path = [], f"/api/v2/feature_items/{item['id']}/tickets?page%5Bsize%5D=2"
    while path:
        page = board.agent.get(path).json()
        seen += [t["id"] for t in page["tickets"]]
        path = page["links"]["next"]
    assert seen == [olive1, olive2, mike, rita, nora]


def test_relinking_moves_the_ticket_and_audits(board):
    a, b = new_item(board.agent, "Item A"), new_item(board.agent, "Item B")
    tid, other = ticket(board, board.rita_id), ticket(board, board.olive_id)
    link(board.agent, tid, a["id"])
    link(board.agent, other, a["id"])
    assert counts(board.agent, a["id"]) == (2, 2)
    out = link(board.lead, tid, b["id"])
    assert (out["id"], out["ticket_count"], out["account_count"]) == (b["id"], 1, 1)
    assert counts(board.agent, a["id"]) == (1, 1)
    resp = board.agent.get(f"/api/v2/tickets/{tid}/feature_item")
    assert resp.status_code == 200 and resp.json()["feature_item"] == show(board.agent, b["id"])
    assert db_query(board.srv.db, f"SELECT feature_item_id FROM feature_item_tickets "
                                  f"WHERE ticket_id = {tid}") == [(str(b["id"]),)]
    assert [(t, i, d) for _, t, i, d in audits(board, "feature_item.linked", b["id"])] == [
        ("feature_item", b["id"], {"ticket_id": tid, "from": a["id"]})]
    assert [d for _, _, _, d in audits(board, "feature_item.linked", a["id"])] == [
        {"ticket_id": tid, "from": None}, {"ticket_id": other, "from": None}]


def test_unlinking_removes_the_ticket(board):
    item = new_item(board.agent, "Unlink me")
    tid, keep = ticket(board, board.rita_id), ticket(board, board.rita_id)
    link(board.agent, tid, item["id"])
    link(board.agent, keep, item["id"])
    assert counts(board.agent, item["id"]) == (2, 1)
    resp = board.agent.request("DELETE", f"/api/v2/tickets/{tid}/feature_item")
    assert resp.status_code == 204 and resp.content == b""
    assert counts(board.agent, item["id"]) == (1, 1)
    assert board.agent.get(f"/api/v2/tickets/{tid}/feature_item").json() == {
        "feature_item": None}
    assert_error(board.agent.request("DELETE", f"/api/v2/tickets/{tid}/feature_item"), 404,
                 "not_found")
    assert [(a, d) for a, _, _, d in audits(board, "feature_item.unlinked", item["id"])] == [
        (board.agent_id, {"ticket_id": tid})]


def test_link_to_a_new_item_creates_it(board):
    tid = ticket(board, board.olive_id)
    resp = board.agent.post(f"/api/v2/tickets/{tid}/feature_item", {
        "feature_item": {"title": "Dark mode", "description": "For the storefront"}})
    assert resp.status_code == 200, resp.text
    item = resp.json()["feature_item"]
    assert (item["title"], item["description"], item["status"], item["ticket_count"],
            item["account_count"]) == ("Dark mode", "For the storefront", "under_review", 1, 1)
    assert audits(board, "feature_item.created", item["id"]) == [
        (board.agent_id, "feature_item", item["id"],
         {"title": "Dark mode", "status": "under_review"})]
    assert audits(board, "feature_item.linked", item["id"]) == [
        (board.agent_id, "feature_item", item["id"], {"ticket_id": tid, "from": None})]


def test_link_refusals(board):
    item = new_item(board.agent, "Refusals")
    tid = ticket(board, board.olive_id)
    p = f"/api/v2/tickets/{tid}/feature_item"
    assert_error(board.agent.post("/api/v2/tickets/999999/feature_item",
                                  {"feature_item_id": item["id"]}), 404, "not_found")
    assert_error(board.agent.request("DELETE", "/api/v2/tickets/999999/feature_item"), 404,
                 "not_found")
    assert_error(board.agent.get("/api/v2/tickets/999999/feature_item"), 404, "not_found")
    assert_error(board.agent.post(p, {"feature_item_id": 999999}), 422, "invalid",
                 "feature_item_id")
    assert_error(board.agent.post(p, {}), 422, "invalid", "feature_item_id")
    assert_error(board.agent.post(p, {"feature_item_id": -1}), 422, "invalid", "feature_item_id")
    assert_error(board.agent.post(p, {"feature_item_id": "1"}), 422, "invalid", "feature_item_id")
    assert_error(board.agent.post(p, {"feature_item_id": item["id"],
                                      "feature_item": {"title": "both"}}), 422, "invalid",
                 "feature_item_id")
    assert_error(board.agent.post(p, {"feature_item": {"title": " "}}), 422, "invalid",
                 "feature_item.title")
    assert_error(board.agent.post(p, {"feature_item": {"title": "x", "status": "done"}}), 422,
                 "invalid", "feature_item.status")
    assert db_scalar(board.srv.db, f"SELECT COUNT(*) FROM feature_item_tickets "
                                   f"WHERE ticket_id = {tid}") == "0"
    assert db_scalar(board.srv.db, "SELECT COUNT(*) FROM feature_items "
                                   "WHERE title IN ('both', 'x')") == "0"


# ---------------------------------------------------------------- shipping


def test_shipping_notifies_every_requester_exactly_once(fresh_board):
    b = fresh_board
    item = new_item(b.agent, "Gift cards")
    other = new_item(b.agent, "Something else")
    olive1, olive2 = ticket(b, b.olive_id), ticket(b, b.olive_id)
    mike, rita, nora = ticket(b, b.mike_id), ticket(b, b.rita_id), ticket(b, b.nora_id)
    for tid in (olive2, olive1, mike, rita, nora):
        link(b.agent, tid, item["id"])
    link(b.agent, ticket(b, b.rita_id), other["id"])  # not this item: never mailed for it
    gone = ticket(b, b.mike_id)
    link(b.agent, gone, item["id"])
    resp = b.agent.request("DELETE", f"/api/v2/tickets/{gone}/feature_item")
    assert resp.status_code == 204
    assert shipped_mail(b) == []

    out = put(b.lead, item["id"], status="planned")
    assert (out["status"], out["shipped_at"]) == ("planned", None)
    assert shipped_mail(b) == []

    out = put(b.lead, item["id"], status="shipped")
    shipped_at = db_scalar(b.srv.db, f"SELECT shipped_at FROM feature_items WHERE id = {item['id']}")
    assert (out["status"], out["shipped_at"]) == ("shipped", iso(shipped_at))
    mail = shipped_mail(b)
    # one per distinct requester, with the lowest of their linked tickets
    assert sorted((to, t) for to, t, _, _ in mail) == sorted([
        ("olive@acme.example", olive1), ("mike@acme.example", mike),
        ("rita@globex.example", rita), ("nora@solo.example", nora)])
    names = {"olive@acme.example": "Olive Owner", "mike@acme.example": "Mike Member",
             "rita@globex.example": "Rita Globex", "nora@solo.example": "Nora Nobody"}
    for to, tid, subject, body in mail:
        assert subject == "Now available: Gift cards"
        assert body.startswith(f"Hello {names[to]},\n\n")
        assert '"Gift cards"' in body and f"ticket #{tid}" in body
        assert "Thank you" in body
    assert db_scalar(b.srv.db, "SELECT COUNT(*) FROM outbox WHERE kind = 'feature_shipped' "
                               "AND status = 'queued'") == "4"

    # moving it back and shipping again mails nobody, and the first shipment's instant stays
    assert put(b.agent, item["id"], status="planned")["shipped_at"] == iso(shipped_at)
    assert put(b.agent, item["id"], status="shipped")["shipped_at"] == iso(shipped_at)
    put(b.agent, item["id"], status="shipped")
    assert len(shipped_mail(b)) == 4
    lead_id = int(db_scalar(b.srv.db, "SELECT id FROM users WHERE email = 'lead@example.com'"))
    assert audits(b, "feature_item.status_changed", item["id"]) == [
        (lead_id, "feature_item", item["id"],
         {"from": "under_review", "to": "planned", "notified": 0}),
        (lead_id, "feature_item", item["id"],
         {"from": "planned", "to": "shipped", "notified": 4}),
        (b.agent_id, "feature_item", item["id"],
         {"from": "shipped", "to": "planned", "notified": 0}),
        (b.agent_id, "feature_item", item["id"],
         {"from": "planned", "to": "shipped", "notified": 0})]

    # an item declined, then shipped, notifies then (its first shipment)
    put(b.agent, other["id"], status="declined")
    assert put(b.agent, other["id"], status="shipped")["shipped_at"] is not None
    assert [to for to, *_ in shipped_mail(b)][4:] == ["rita@globex.example"]


def test_concurrent_shipping_mails_once(fresh_board):
    import concurrent.futures
    b = fresh_board
    item = new_item(b.agent, "Race")
    tids = [ticket(b, uid) for uid in (b.olive_id, b.mike_id, b.rita_id)]
    for tid in tids:
        link(b.agent, tid, item["id"])
    apis = [Api(b.srv, token_create(b.srv, "agent@example.com", f"race{i}")) for i in range(6)]
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        results = list(ex.map(lambda api: api.put(f"/api/v2/feature_items/{item['id']}", {
            "feature_item": {"status": "shipped"}}).status_code, apis))
    assert results == [200] * 6
    assert sorted(t for _, t, _, _ in shipped_mail(b)) == sorted(tids)


# ---------------------------------------------------------------- the board


def test_list_sorts_by_tickets_then_id_filters_and_pages(fresh_board):
    b = fresh_board
    items = [new_item(b.agent, f"Item {i}") for i in range(5)]
    wanted = {0: 1, 1: 3, 2: 0, 3: 3, 4: 2}
    uids = [b.olive_id, b.mike_id, b.rita_id]
    for i, n in wanted.items():
        for k in range(n):
            link(b.agent, ticket(b, uids[k]), items[i]["id"])
    put(b.agent, items[1]["id"], status="planned")
    put(b.agent, items[4]["id"], status="planned")
    order = [items[i]["id"] for i in (1, 3, 4, 0, 2)]

    resp = b.agent.get("/api/v2/feature_items")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [f["id"] for f in body["feature_items"]] == order
    assert [f["ticket_count"] for f in body["feature_items"]] == [3, 3, 2, 1, 0]
    assert body["feature_items"][0] == show(b.agent, order[0])
    assert body["meta"]["has_more"] is False and body["links"]["next"] is None

    seen, path = [], "/api/v2/feature_items?page%5Bsize%5D=2"
    while path:
        resp = b.agent.get(path)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        assert len(page["feature_items"]) <= 2
        seen += [f["id"] for f in page["feature_items"]]
        path = page["links"]["next"]
    assert seen == order

    resp = b.agent.get("/api/v2/feature_items?status=planned")
    assert [f["id"] for f in resp.json()["feature_items"]] == [items[1]["id"], items[4]["id"]]
    page = b.agent.get("/api/v2/feature_items?status=planned&page%5Bsize%5D=1").json()
    assert [f["id"] for f in page["feature_items"]] == [items[1]["id"]]
    assert "status=planned" in page["links"]["next"]
    nxt = b.agent.get(page["links"]["next"]).json()
    assert [f["id"] for f in nxt["feature_items"]] == [items[4]["id"]]
    assert b.agent.get("/api/v2/feature_items?status=shipped").json()["feature_items"] == []
    assert_error(b.agent.get("/api/v2/feature_items?status=done"), 422, "invalid", "status")
    assert_error(b.agent.get("/api/v2/feature_items?page%5Bafter%5D=nonsense"), 400,
                 "bad_request", "page[after]")
