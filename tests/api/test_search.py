"""GET /api/v2/search (Zendesk's search API over tickets): every property (status with its
comparisons, priority, assignee, requester, organization, group, tags), free text over subjects
and comments with LIKE's wildcards taken literally, quoted phrases, negation, offset pages
(page/per_page, next_page/previous_page), who finds what (a requester never finds another's
ticket nor an internal note's text), and bad queries answering 400/422 naming `query`."""

import urllib.parse
from dataclasses import dataclass

import pytest

from conftest import assert_error
from test_tickets import WHY, TICKET_KEYS, create, desk, update  # noqa: F401 (desk is a fixture)


@dataclass
class World:
    t1: int  # olive (acme owner), open, high, assignee agent, group billing, tags vip checkout
    t2: int  # mike (acme member), pending, low, internal note "marmoset", body "50%_off"
    t3: int  # rita (globex), solved, urgent, assignee admin, tag spam
    t4: int  # rita's own, new, normal, nobody assigned


@pytest.fixture(scope="module")
def world(desk):  # noqa: F811
    t1 = create(desk.agent, subject="Zebra checkout broken", body="Cart empties at payment",
                requester_id=desk.olive_id, priority="high", tags=["VIP", "checkout"],
                policy_justification=WHY,
                assignee_id=desk.agent_id, group_id=desk.billing, status="open")["id"]
    t2 = create(desk.agent, subject="Refund request", body="Please refund order 50%_off today",
                requester_id=desk.mike_id, priority="low", status="pending",
                policy_justification=WHY)["id"]
    update(desk.agent, t2, comment={"body": "marmoset: staff only words", "public": False})
    t3 = create(desk.agent, subject="zebra crossing on globex", body="The banner is wrong",
                requester_id=desk.rita_id, priority="urgent", tags=["spam"], policy_justification=WHY,
                assignee_id=desk.admin_id)["id"]
    update(desk.agent, t3, status="solved")
    t4 = create(desk.rita, subject="My own ZEBRA question", body="How do I export?")["id"]
    return World(t1, t2, t3, t4)


def search(api, query, **params):
    """The body of a search that must answer 200."""
    resp = api.get("/api/v2/search", params=dict(query=query, **params))
    assert resp.status_code == 200, f"{query!r}: {resp.status_code} {resp.text}"
    return resp.json()


def ids(api, query, **params):
    body = search(api, query, **params)
    found = [r["id"] for r in body["results"]]
    assert body["count"] == len(found), body
    return found


def test_results_are_tickets_in_zendesks_shape(desk, world):
    body = search(desk.agent, "type:ticket status:open")
    assert list(body) == ["results", "count", "next_page", "previous_page"]
    assert body["count"] == 1 and body["next_page"] is None and body["previous_page"] is None
    [t] = body["results"]
    assert set(t) == TICKET_KEYS | {"result_type"}, set(t) ^ TICKET_KEYS
    assert t["result_type"] == "ticket"
    assert t["id"] == world.t1 and t["tags"] == ["checkout", "vip"]
    assert t == dict(desk.agent.get(f"/api/v2/tickets/{world.t1}").json()["ticket"],
                     result_type="ticket")


@pytest.mark.parametrize("query, want", [
    ("status:open", ["t1"]),
    ("status:pending", ["t2"]),
    ("status:solved", ["t3"]),
    ("status:new", ["t4"]),
    ("status:closed", []),
    ("status<solved", ["t1", "t2", "t4"]),
    ("status<=pending", ["t1", "t2", "t4"]),
    ("status>pending", ["t3"]),
    ("status>=solved", ["t3"]),
    ("status:open status:pending", ["t1", "t2"]),
    ("-status:open", ["t2", "t3", "t4"]),
    ("STATUS:OPEN", ["t1"]),
    ("priority:high", ["t1"]),
    ("priority<normal", ["t2"]),
    ("priority>=high", ["t1", "t3"]),
    ("priority:normal", ["t4"]),
    ("status<solved priority>low", ["t1", "t4"]),
    ("tags:vip", ["t1"]),
    ("tag:VIP", ["t1"]),
    ("tags:checkout tags:spam", ["t1", "t3"]),
    ("-tags:spam", ["t1", "t2", "t4"]),
    ("tags:nothing", []),
    ("group:Billing", ["t1"]),
    ("group:billing", ["t1"]),
    ("group:none", ["t2", "t3", "t4"]),
    ("group:\"No Such Team\"", []),
    ("organization:\"Acme Shop\"", ["t1", "t2"]),
    ("organization:\"acme shop\" -status:open", ["t2"]),
    ("organization:none", []),
    ("assignee:none", ["t2", "t4"]),
    ("assignee:me", ["t1"]),
    ("assignee:agent@example.com", ["t1"]),
    ("assignee:AGENT@example.com", ["t1"]),
    ("assignee:nobody@example.com", []),
    ("-assignee:nobody@example.com", ["t1", "t2", "t3", "t4"]),
    ("requester:olive@acme.example", ["t1"]),
    ("requester:me", []),
])
def test_each_property_filters(desk, world, query, want):
    assert ids(desk.agent, query) == [getattr(world, w) for w in want]


def test_references_by_id(desk, world):
    assert ids(desk.agent, f"assignee:{desk.admin_id}") == [world.t3]
    assert ids(desk.agent, f"requester:{desk.rita_id}") == [world.t3, world.t4]
    assert ids(desk.agent, f"organization:{desk.globex}") == [world.t3, world.t4]
    assert ids(desk.agent, f"group:{desk.billing}") == [world.t1]
    assert ids(desk.agent, f"-requester:{desk.rita_id} -requester:{desk.mike_id}") == [world.t1]


@pytest.mark.parametrize("query, want", [
    ("zebra", ["t1", "t3", "t4"]),
    ("ZeBrA", ["t1", "t3", "t4"]),
    ("zebra -globex", ["t1", "t4"]),
    ("\"zebra checkout\"", ["t1"]),
    ("\"checkout zebra\"", []),
    ("payment", ["t1"]),           # the first comment's body
    ("marmoset", ["t2"]),          # an internal note: staff find it
    ("50%_off", ["t2"]),
    ("%", ["t2"]),                 # LIKE's wildcards match only themselves
    ("_", ["t2"]),
    ("!", []),                     # nor does the escape character do anything
    ("\"staff only\"", ["t2"]),
    ("zebra status:new", ["t4"]),
    ("zebra tags:vip", ["t1"]),
])
def test_free_text_matches_subjects_and_comments(desk, world, query, want):
    assert ids(desk.agent, query) == [getattr(world, w) for w in want]


def test_a_requester_finds_only_their_own_tickets(desk, world):
    assert ids(desk.rita, "type:ticket") == [world.t3, world.t4]
    assert ids(desk.rita, "requester:me") == [world.t3, world.t4]
    assert ids(desk.rita, "zebra") == [world.t3, world.t4]
    assert ids(desk.rita, "refund") == []
    assert ids(desk.rita, "requester:olive@acme.example") == []
    assert ids(desk.rita, f"organization:{desk.acme}") == []
    assert ids(desk.mike, "type:ticket") == [world.t2]
    assert ids(desk.mike, "zebra") == []
    # An account owner finds the account's tickets, as she may see them.
    assert ids(desk.olive, "type:ticket") == [world.t1, world.t2]
    assert ids(desk.olive, "requester:me") == [world.t1]
    assert ids(desk.olive, "refund") == [world.t2]


def test_a_requester_never_matches_an_internal_notes_text(desk, world):
    assert ids(desk.agent, "marmoset") == [world.t2]
    assert ids(desk.mike, "marmoset") == []
    assert ids(desk.olive, "marmoset") == []
    assert ids(desk.olive, "\"staff only words\"") == []
    assert ids(desk.mike, "refund") == [world.t2]


def test_anonymous_is_401(desk, world):
    assert_error(desk.anon.get("/api/v2/search", params={"query": "zebra"}), 401, "unauthorized")


def test_the_json_suffix_answers_the_same(desk, world):
    resp = desk.agent.get("/api/v2/search.json", params={"query": "zebra"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == search(desk.agent, "zebra")


def test_pages_walk_every_result_once(desk, world):
    query = "status<closed priority>low"  # t1, t3 (solved), t4
    first = search(desk.agent, query, per_page=2)
    assert first["count"] == 3
    assert [r["id"] for r in first["results"]] == [world.t1, world.t3]
    assert first["previous_page"] is None
    nxt = first["next_page"]
    split = urllib.parse.urlsplit(nxt)
    assert split.path == "/api/v2/search.json"
    assert urllib.parse.parse_qs(split.query) == {"query": [query], "page": ["2"],
                                                  "per_page": ["2"]}
    resp = desk.agent.get(nxt)
    assert resp.status_code == 200, resp.text
    second = resp.json()
    assert second["count"] == 3 and second["next_page"] is None
    assert [r["id"] for r in second["results"]] == [world.t4]
    prev = urllib.parse.parse_qs(urllib.parse.urlsplit(second["previous_page"]).query)
    assert prev == {"query": [query], "page": ["1"], "per_page": ["2"]}
    past = search(desk.agent, query, per_page=2, page=3)
    assert past["results"] == [] and past["count"] == 3 and past["next_page"] is None


def test_per_page_defaults_to_100(desk, world):
    body = search(desk.agent, "type:ticket")
    assert body["count"] == 4 and len(body["results"]) == 4 and body["next_page"] is None


@pytest.mark.parametrize("params, field", [
    ({}, "query"),
    ({"query": "zebra", "per_page": "0"}, "per_page"),
    ({"query": "zebra", "per_page": "101"}, "per_page"),
    ({"query": "zebra", "per_page": "ten"}, "per_page"),
    ({"query": "zebra", "page": "0"}, "page"),
    ({"query": "zebra", "page": "-1"}, "page"),
])
def test_bad_parameters_are_400_naming_them(desk, world, params, field):
    assert_error(desk.agent.get("/api/v2/search", params=params), 400, "bad_request", field)


def test_pages_stop_after_1000_results(desk, world):
    assert search(desk.agent, "zebra", page=10)["results"] == []
    err = assert_error(desk.agent.get("/api/v2/search", params={"query": "zebra", "page": 11}),
                       422, "invalid", "page")
    assert "1000" in err["message"]


@pytest.mark.parametrize("query, position", [
    ("", None),
    ("   ", None),
    ("status:bogus", 1),
    ("zebra status:", 7),
    ("priority:top", 1),
    ("foo:bar", 1),
    ("zebra \"never closed", 7),
    ("tags<vip", 1),
    ("type:user", 1),
    ("assignee:bob", 1),
    ("requester:none", 1),
    ("- zebra", 1),
    ("tags:a,b", 1),
    ("x" * 1025, None),
])
def test_bad_queries_are_422_naming_query_and_the_position(desk, world, query, position):
    err = assert_error(desk.agent.get("/api/v2/search", params={"query": query}), 422, "invalid",
                       "query")
    if position is not None:
        assert err["message"].startswith(f"query at position {position}: "), err
