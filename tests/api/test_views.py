"""GET /api/v2/views and friends (Zendesk's Views API over frontdesk's built-in queues): the
views and their conditions, each queue's tickets in queue order (least recently updated first,
ties by id) page by page with keyed cursors, counts, "current_user" meaning whoever asks, and
views being for staff only."""

import pytest

from conftest import assert_error
from test_tickets import WHY, TICKET_KEYS, create, desk, update  # noqa: F401 (desk is a fixture)

VIEW_KEYS = {"id", "url", "title", "description", "active", "default", "position", "restriction",
             "conditions", "execution"}
MINE, UNASSIGNED, UNSOLVED, PENDING, HOLD = 1, 2, 3, 4, 5


@pytest.fixture(scope="module")
def queue(desk):  # noqa: F811
    """Tickets in every status, some assigned; updated_at set so the queue order is known:
    ticket k of the list below was last updated at BASE + UPDATED[k]."""
    spec = [  # (status, assignee)
        ("new", None), ("open", "agent"), ("pending", None), ("hold", "admin"),
        ("solved", "agent"), ("open", None), ("new", "agent"), ("pending", "agent"),
    ]
    updated = [50, 10, 30, 20, 5, 30, 40, 0]  # two tickets share 30: the id breaks the tie
    ids = []
    for status, who in spec:
        assignee = {"agent": desk.agent_id, "admin": desk.admin_id, None: None}[who]
        fields = {"requester_id": desk.rita_id}
        if assignee:
            fields["assignee_id"] = assignee
        t = create(desk.agent, subject=f"queue {status} {who}", **fields)
        if status != "new":
            update(desk.agent, t["id"], status=status)
        ids.append(t["id"])
    base = 1_700_000_000  # in the past, so a ticket touched now sorts last
    for tid, u in zip(ids, updated):
        desk.srv.db.execute(f"UPDATE tickets SET updated_at = {base + u} WHERE id = {tid}")
    def order(pick):
        chosen = [(updated[k], ids[k]) for k in range(len(ids)) if pick(*spec[k])]
        return [tid for _, tid in sorted(chosen)]
    unsolved = ("new", "open", "pending", "hold")
    return {
        "ids": ids,
        MINE: order(lambda s, w: s in unsolved and w == "agent"),
        UNASSIGNED: order(lambda s, w: s in unsolved and w is None),
        UNSOLVED: order(lambda s, w: s in unsolved),
        PENDING: order(lambda s, w: s == "pending"),
        HOLD: order(lambda s, w: s == "hold"),
    }


def view_ticket_ids(api, view, size=None):
    """Every ticket id of a view, following links.next page by page."""
    path = f"/api/v2/views/{view}/tickets"
    params = {"page[size]": size} if size else None
    got = []
    while path:
        resp = api.get(path, params=params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert list(body) == ["tickets", "meta", "links"]
        for t in body["tickets"]:
            assert set(t) == TICKET_KEYS
        got += [t["id"] for t in body["tickets"]]
        path, params = body["links"]["next"], None
        assert (path is not None) == body["meta"]["has_more"]
    return got


def test_views_are_listed_in_zendesks_shape(desk):
    resp = desk.agent.get("/api/v2/views")
    assert resp.status_code == 200
    body = resp.json()
    assert body["count"] == 5 and body["next_page"] is None and body["previous_page"] is None
    views = body["views"]
    assert [v["id"] for v in views] == [MINE, UNASSIGNED, UNSOLVED, PENDING, HOLD]
    assert [v["position"] for v in views] == [1, 2, 3, 4, 5]
    for v in views:
        assert set(v) == VIEW_KEYS
        assert v["active"] is True and v["default"] is True and v["restriction"] is None
        assert v["execution"] == {"sort_by": "updated_at", "sort_order": "asc"}
        assert v["url"] == f"/api/v2/views/{v['id']}.json"
    assert views[0]["title"] == "Your unsolved tickets"
    assert views[0]["conditions"] == {"all": [
        {"field": "status", "operator": "less_than", "value": "solved"},
        {"field": "assignee_id", "operator": "is", "value": "current_user"}], "any": []}
    assert views[1]["conditions"]["all"][1] == {"field": "assignee_id", "operator": "is",
                                                "value": None}
    assert views[3]["conditions"] == {"all": [
        {"field": "status", "operator": "is", "value": "pending"}], "any": []}
    one = desk.agent.get("/api/v2/views/2.json")
    assert one.status_code == 200 and one.json() == {"view": views[1]}


@pytest.mark.parametrize("view", [MINE, UNASSIGNED, UNSOLVED, PENDING, HOLD])
def test_each_view_holds_its_tickets_in_queue_order(desk, queue, view):
    got = [t for t in view_ticket_ids(desk.agent, view) if t in queue["ids"]]
    assert got == queue[view]


@pytest.mark.parametrize("size", [1, 2, 3])
def test_pages_walk_the_queue_without_gaps_or_repeats(desk, queue, size):
    everything = view_ticket_ids(desk.agent, UNSOLVED)
    assert view_ticket_ids(desk.agent, UNSOLVED, size=size) == everything
    assert len(set(everything)) == len(everything)


def test_current_user_is_whoever_asks(desk, queue):
    mine_for_admin = [t for t in view_ticket_ids(desk.admin, MINE) if t in queue["ids"]]
    assert mine_for_admin == [queue["ids"][3]]  # the admin's ticket on hold
    assert set(mine_for_admin).isdisjoint(queue[MINE])


def test_counts_match_the_tickets(desk, queue):
    for view in (MINE, UNASSIGNED, UNSOLVED, PENDING, HOLD):
        resp = desk.agent.get(f"/api/v2/views/{view}/count")
        assert resp.status_code == 200
        count = resp.json()["view_count"]
        n = len(view_ticket_ids(desk.agent, view))
        assert count == {"view_id": view, "url": f"/api/v2/views/{view}/count.json",
                         "value": n, "pretty": str(n), "fresh": True}
    resp = desk.agent.get("/api/v2/views/count_many", params={"ids": "3,99,1"})
    assert resp.status_code == 200
    counts = resp.json()["view_counts"]
    assert [c["view_id"] for c in counts] == [3, 1]  # 99 names no view: left out
    assert counts[0]["value"] == len(view_ticket_ids(desk.agent, UNSOLVED))


def test_a_ticket_updated_moves_to_the_end_of_the_queue(desk, queue):
    first = view_ticket_ids(desk.agent, UNSOLVED)[0]
    update(desk.agent, first, priority="high", policy_justification=WHY)
    assert view_ticket_ids(desk.agent, UNSOLVED)[-1] == first


@pytest.mark.parametrize("who", ["olive", "rita"])
def test_requesters_have_no_views(desk, who):
    api = getattr(desk, who)
    for path in ("/api/v2/views", "/api/v2/views/3", "/api/v2/views/3/tickets",
                 "/api/v2/views/3/count", "/api/v2/views/count_many?ids=3"):
        assert_error(api.get(path), 403, "forbidden")


def test_signed_out_is_401(desk):
    for path in ("/api/v2/views", "/api/v2/views/3/tickets", "/api/v2/views/count_many?ids=1"):
        assert_error(desk.anon.get(path), 401, "unauthorized")


def test_unknown_views_are_404(desk):
    for path in ("/api/v2/views/99", "/api/v2/views/99/tickets", "/api/v2/views/99/count",
                 "/api/v2/views/0", "/api/v2/views/abc/tickets"):
        assert_error(desk.agent.get(path), 404, "not_found")


def test_bad_paging_and_ids_are_400_naming_them(desk):
    resp = desk.agent.get("/api/v2/tickets", params={"page[size]": 1})
    id_cursor = resp.json()["meta"]["after_cursor"]
    assert id_cursor
    for after in (id_cursor, "nope", "YXQ6MDow"):  # another list's cursor; junk; "at:0:0"
        assert_error(desk.agent.get("/api/v2/views/3/tickets", params={"page[after]": after}),
                     400, "bad_request", "page[after]")
    assert_error(desk.agent.get("/api/v2/views/3/tickets", params={"page[size]": 0}),
                 400, "bad_request", "page[size]")
    for ids in ("", "1,,2", "x", "1 2", ",".join(["1"] * 101)):
        assert_error(desk.agent.get("/api/v2/views/count_many", params={"ids": ids}),
                     400, "bad_request", "ids")
    # And the ticket list refuses a view's cursor.
    view_cursor = desk.agent.get("/api/v2/views/3/tickets",
                                 params={"page[size]": 1}).json()["meta"]["after_cursor"]
    assert_error(desk.agent.get("/api/v2/tickets", params={"page[after]": view_cursor}),
                 400, "bad_request", "page[after]")


def test_sorted_by_due_soonest_first_then_unclocked_by_id(desk, queue):
    """?sort_by=sla_due_at: tickets whose clock runs in due order, the others after them by id,
    page by page."""
    ids = queue["ids"]
    unsolved = [ids[k] for k in (0, 1, 2, 3, 5, 6, 7)]  # index 4 is solved
    dues = {ids[0]: 300, ids[3]: 100, ids[6]: 200}      # the rest have no running clock
    base = 1_800_000_000
    for tid in unsolved:
        due = dues.get(tid)
        desk.srv.db.execute(f"UPDATE tickets SET sla_due_at = {base + due if due else 'NULL'} "
                            f"WHERE id = {tid}")
    want = [ids[3], ids[6], ids[0]] + sorted(t for t in unsolved if t not in dues)
    for size in (None, 1, 2, 3):
        params = {"sort_by": "sla_due_at"}
        if size:
            params["page[size]"] = size
        got, path = [], "/api/v2/views/3/tickets"
        while path:
            body = desk.agent.get(path, params=params).json()
            got += [t["id"] for t in body["tickets"]]
            path, params = body["links"]["next"], None
        assert [t for t in got if t in ids] == want, size
    assert_error(desk.agent.get("/api/v2/views/3/tickets", params={"sort_by": "priority"}),
                 400, "bad_request", "sort_by")
