"""Tickets and their conversation over the JSON API (Zendesk Support API v2 shapes): create,
show, list, show_many, update, comments, cursor pagination, who sees what, the requester-reply
rule and the events every change leaves behind."""

import datetime
import re
from dataclasses import dataclass

import pytest

from conftest import (ADMIN, Api, ServerPool, add_group, add_organization, add_requester,
                      assert_error, create_admin, db_query, db_scalar, sign_in, staff_add,
                      token_create)

ISO_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
TICKET_KEYS = {"id", "url", "subject", "description", "status", "priority", "requester_id",
               "submitter_id", "assignee_id", "organization_id", "group_id", "tags", "via",
               "created_at", "updated_at", "category", "follow_up_of", "sla", "triage",
               "priority_set_by_hand", "policy"}
# What requesters see: the policy's decision is for staff.
REQUESTER_TICKET_KEYS = TICKET_KEYS - {"policy"}
# A priority away from the derived one needs a written reason (issue 5, clause 11).
WHY = "The client's launch depends on it, agreed with the lead"
COMMENT_KEYS = {"id", "type", "author_id", "body", "public", "created_at", "via", "attachments"}


@dataclass
class Desk:
    """One server with staff, two client accounts and their requesters, signed in."""
    srv: object
    admin_id: int
    admin: Api          # Bearer token of the admin
    agent_id: int
    agent: Api          # Bearer token of an agent
    acme: int           # organization ids
    globex: int
    billing: int        # a group id
    olive_id: int       # owner of acme
    olive: Api
    mike_id: int        # member of acme
    mike: Api
    rita_id: int        # member of globex
    rita: Api
    anon: Api


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("tickets"))
    try:
        srv = pool.start()
        db = srv.db
        admin_id = create_admin(srv)
        agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
        acme, globex = add_organization(db, "Acme Shop"), add_organization(db, "Globex Store")
        olive_id = add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
        mike_id = add_requester(srv, "mike@acme.example", "Mike Member", acme, "member")
        rita_id = add_requester(srv, "rita@globex.example", "Rita Globex", globex, "member")
        yield Desk(srv=srv, admin_id=admin_id, admin=Api(srv, token_create(srv, ADMIN["email"])),
                   agent_id=agent_id, agent=Api(srv, token_create(srv, "agent@example.com")),
                   acme=acme, globex=globex, billing=add_group(db, "Billing"),
                   olive_id=olive_id, olive=sign_in(srv, "olive@acme.example"),
                   mike_id=mike_id, mike=sign_in(srv, "mike@acme.example"),
                   rita_id=rita_id, rita=sign_in(srv, "rita@globex.example"), anon=Api(srv))
    finally:
        pool.close()


def ticket_body(subject="My store is down", body="Checkout fails since this morning", **extra):
    t = {"subject": subject, "comment": {"body": body}}
    t.update(extra)
    return {"ticket": t}


def create(api, **kw):
    """POST a ticket that must be created; returns the ticket object."""
    resp = api.post("/api/v2/tickets", ticket_body(**kw))
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]


def update(api, tid, **fields):
    """PUT ticket fields that must be accepted (200); returns the ticket object."""
    resp = api.put(f"/api/v2/tickets/{tid}", {"ticket": fields})
    assert resp.status_code == 200, resp.text
    return resp.json()["ticket"]


def show(api, tid):
    resp = api.get(f"/api/v2/tickets/{tid}")
    assert resp.status_code == 200, resp.text
    return resp.json()["ticket"]


def comments(api, tid):
    resp = api.get(f"/api/v2/tickets/{tid}/comments")
    assert resp.status_code == 200, resp.text
    return resp.json()["comments"]


def events(desk, tid):
    """(field, old, new, actor) of a ticket's events, in order."""
    return [(f, o, n, a and int(a)) for f, o, n, a in db_query(
        desk.srv.db, f"SELECT field, old_value, new_value, actor_id FROM ticket_events "
                     f"WHERE ticket_id = {int(tid)} ORDER BY id")]


def row_counts(db):
    return {t: int(db_scalar(db, f"SELECT count(*) FROM {t}"))
            for t in ("tickets", "ticket_tags", "ticket_comments", "ticket_events", "users")}


def walk(api, path):
    """Follow links.next from path; returns (all items, the pages' bodies)."""
    pages, items = [], []
    while path:
        resp = api.get(path)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        pages.append(body)
        key = "comments" if "comments" in body else "tickets"
        items += body[key]
        path = body["links"]["next"]
    return items, pages


def parse_instant(text):
    assert ISO_RE.fullmatch(text), text
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- create


def test_staff_creates_for_an_inline_requester(desk):
    resp = desk.agent.post("/api/v2/tickets", ticket_body(
        subject="Coupons do not apply", body="Since the upgrade **no** coupon works",
        requester={"name": "Nina New", "email": "nina@newshop.example"},
        tags=["Needs Review", "coupons", "coupons", " billing "], priority="high",
        policy_justification=WHY))
    assert resp.status_code == 201, resp.text
    t = resp.json()["ticket"]
    assert list(resp.json()) == ["ticket"]
    assert set(t) == TICKET_KEYS, set(t) ^ TICKET_KEYS
    assert resp.headers["Location"] == f"/api/v2/tickets/{t['id']}.json"
    nina = int(db_scalar(desk.srv.db, "SELECT id FROM users WHERE email = 'nina@newshop.example'"))
    assert db_scalar(desk.srv.db, f"SELECT role FROM users WHERE id = {nina}") == "end-user"
    assert db_scalar(desk.srv.db, f"SELECT name FROM users WHERE id = {nina}") == "Nina New"
    assert t["url"] == f"/api/v2/tickets/{t['id']}.json"
    assert (t["subject"], t["description"]) == ("Coupons do not apply",
                                               "Since the upgrade **no** coupon works")
    assert (t["status"], t["priority"], t["via"]) == ("new", "high", {"channel": "api"})
    assert (t["requester_id"], t["submitter_id"]) == (nina, desk.agent_id)
    assert (t["assignee_id"], t["organization_id"], t["group_id"]) == (None, None, None)
    assert t["tags"] == ["billing", "coupons", "needs_review"]
    assert (t["category"], t["follow_up_of"]) == (None, None)
    assert parse_instant(t["created_at"]) == parse_instant(t["updated_at"])
    assert show(desk.agent, t["id"]) == t
    [c] = comments(desk.agent, t["id"])
    assert set(c) == COMMENT_KEYS
    assert (c["type"], c["author_id"], c["body"], c["public"], c["via"]) == (
        "Comment", desk.agent_id, "Since the upgrade **no** coupon works", True,
        {"channel": "api"})


def test_create_records_one_event_per_field(desk):
    t = create(desk.admin, requester_id=desk.mike_id, assignee_id=desk.agent_id,
               group_id=desk.billing, tags=["b", "a"], status="open", priority="urgent",
               via={"channel": "voice"}, policy_justification=WHY)
    cid = comments(desk.admin, t["id"])[0]["id"]
    a = desk.admin_id
    assert events(desk, t["id"]) == [
        ("subject", None, "My store is down", a),
        ("status", None, "open", a),
        ("priority", None, "urgent", a),
        ("via", None, "voice", a),
        ("requester_id", None, str(desk.mike_id), a),
        ("submitter_id", None, str(a), a),
        ("organization_id", None, str(desk.acme), a),
        ("assignee_id", None, str(desk.agent_id), a),
        ("group_id", None, str(desk.billing), a),
        ("tags", None, "a b", a),
        ("comment", None, str(cid), a),
    ]
    at = {int(v) for (v,) in db_query(desk.srv.db, "SELECT DISTINCT at FROM ticket_events "
                                                   f"WHERE ticket_id = {t['id']}")}
    assert len(at) == 1
    assert t["via"] == {"channel": "voice"} and t["organization_id"] == desk.acme


def test_inline_requester_is_found_by_email_in_any_case(desk):
    t = create(desk.agent, requester={"name": "Someone Else", "email": "MIKE@Acme.Example"})
    assert t["requester_id"] == desk.mike_id
    assert t["organization_id"] == desk.acme  # the account always comes from the requester
    assert db_scalar(desk.srv.db, f"SELECT name FROM users WHERE id = {desk.mike_id}") == \
        "Mike Member"


def test_inline_requester_without_name_gets_the_local_part(desk):
    t = create(desk.agent, requester={"email": "paul.p@shop.example"})
    assert db_scalar(desk.srv.db, f"SELECT name FROM users WHERE id = {t['requester_id']}") == \
        "paul.p"


def test_staff_without_requester_is_the_requester(desk):
    t = create(desk.agent)
    assert (t["requester_id"], t["submitter_id"]) == (desk.agent_id, desk.agent_id)


def test_requester_creates_for_themselves_through_the_web(desk):
    t = create(desk.mike, subject="Where is my invoice?")
    assert (t["requester_id"], t["submitter_id"]) == (desk.mike_id, desk.mike_id)
    assert (t["organization_id"], t["status"], t["via"]) == (desk.acme, "new", {"channel": "web"})
    assert t["requester_id"] == desk.mike_id
    # naming themselves is fine too
    assert create(desk.mike, requester_id=desk.mike_id)["requester_id"] == desk.mike_id


def test_requesters_comment_is_public_even_when_asked_otherwise(desk):
    resp = desk.rita.post("/api/v2/tickets", {"ticket": {
        "subject": "Hello", "comment": {"body": "psst", "public": False}}})
    assert resp.status_code == 201, resp.text
    t = resp.json()["ticket"]
    assert [c["public"] for c in comments(desk.agent, t["id"])] == [True]
    assert t["description"] == "psst"


@pytest.mark.parametrize("extra, field", [
    ({"status": "open"}, "ticket.status"),
    ({"priority": "urgent"}, "ticket.priority"),
    ({"tags": ["vip"]}, "ticket.tags"),
    ({"assignee_id": 1}, "ticket.assignee_id"),
    ({"group_id": 1}, "ticket.group_id"),
    ({"via": {"channel": "voice"}}, "ticket.via.channel"),
    ({"requester_id": 1}, "ticket.requester_id"),
    ({"requester": {"email": "x@example.com"}}, "ticket.requester"),
])
def test_requester_may_not_set_staff_fields(desk, extra, field):
    before = row_counts(desk.srv.db)
    assert_error(desk.mike.post("/api/v2/tickets", ticket_body(**extra)), 403, "forbidden", field)
    assert row_counts(desk.srv.db) == before


BAD_CREATES = [
    ({"comment": {"body": "x"}}, "ticket.subject"),
    ({"subject": "", "comment": {"body": "x"}}, "ticket.subject"),
    ({"subject": "  \t ", "comment": {"body": "x"}}, "ticket.subject"),
    ({"subject": None, "comment": {"body": "x"}}, "ticket.subject"),
    ({"subject": 42, "comment": {"body": "x"}}, "ticket.subject"),
    ({"subject": "a\r\nBcc: x@example.com", "comment": {"body": "x"}}, "ticket.subject"),
    ({"subject": "é" * 256, "comment": {"body": "x"}}, "ticket.subject"),
    ({"subject": "s"}, "ticket.comment.body"),
    ({"subject": "s", "comment": {}}, "ticket.comment.body"),
    ({"subject": "s", "comment": {"body": ""}}, "ticket.comment.body"),
    ({"subject": "s", "comment": {"body": " \n "}}, "ticket.comment.body"),
    ({"subject": "s", "comment": {"body": "x" * 65537}}, "ticket.comment.body"),
    ({"subject": "s", "comment": "text"}, "ticket.comment"),
    ({"subject": "s", "comment": {"body": "x", "public": "no"}}, "ticket.comment.public"),
    ({"subject": "s", "comment": {"body": "x"}, "status": "opened"}, "ticket.status"),
    ({"subject": "s", "comment": {"body": "x"}, "status": "Open"}, "ticket.status"),
    ({"subject": "s", "comment": {"body": "x"}, "status": "closed"}, "ticket.status"),
    ({"subject": "s", "comment": {"body": "x"}, "status": 1}, "ticket.status"),
    ({"subject": "s", "comment": {"body": "x"}, "priority": "critical"}, "ticket.priority"),
    ({"subject": "s", "comment": {"body": "x"}, "via": {"channel": "phone"}},
     "ticket.via.channel"),
    ({"subject": "s", "comment": {"body": "x"}, "via": "api"}, "ticket.via"),
    ({"subject": "s", "comment": {"body": "x"}, "requester_id": 999999}, "ticket.requester_id"),
    ({"subject": "s", "comment": {"body": "x"}, "requester_id": "2"}, "ticket.requester_id"),
    ({"subject": "s", "comment": {"body": "x"}, "requester_id": 0}, "ticket.requester_id"),
    ({"subject": "s", "comment": {"body": "x"}, "requester": {"email": "not-an-address"}},
     "ticket.requester.email"),
    ({"subject": "s", "comment": {"body": "x"}, "requester": {"name": "No Email"}},
     "ticket.requester.email"),
    ({"subject": "s", "comment": {"body": "x"}, "requester": {"name": "", "email": "a@b.example"}},
     "ticket.requester.name"),
    ({"subject": "s", "comment": {"body": "x"}, "assignee_id": 999999}, "ticket.assignee_id"),
    ({"subject": "s", "comment": {"body": "x"}, "group_id": 999999}, "ticket.group_id"),
    ({"subject": "s", "comment": {"body": "x"}, "group_id": -3}, "ticket.group_id"),
    ({"subject": "s", "comment": {"body": "x"}, "tags": "a b"}, "ticket.tags"),
    ({"subject": "s", "comment": {"body": "x"}, "tags": ["ok", 7]}, "ticket.tags"),
    ({"subject": "s", "comment": {"body": "x"}, "tags": ["a,b"]}, "ticket.tags"),
    ({"subject": "s", "comment": {"body": "x"}, "tags": ["x" * 81]}, "ticket.tags"),
    ({"subject": "s", "comment": {"body": "x"}, "tags": [f"t{i}" for i in range(101)]},
     "ticket.tags"),
]


@pytest.mark.parametrize("ticket, field", BAD_CREATES)
def test_create_validation_names_the_field(desk, ticket, field):
    before = row_counts(desk.srv.db)
    assert_error(desk.agent.post("/api/v2/tickets", {"ticket": ticket}), 422, "invalid", field)
    assert row_counts(desk.srv.db) == before


def test_assignee_must_be_staff(desk):
    resp = desk.agent.post("/api/v2/tickets", ticket_body(assignee_id=desk.rita_id))
    err = assert_error(resp, 422, "invalid", "ticket.assignee_id")
    assert "staff" in err["message"]


@pytest.mark.parametrize("body", [{}, {"ticket": None}, {"ticket": "x"}, [], "ticket"])
def test_create_needs_a_ticket_object(desk, body):
    assert_error(desk.agent.post("/api/v2/tickets", body), 422, "invalid", "ticket")


def test_a_failed_create_leaves_nothing(desk):
    db = desk.srv.db
    email = "ghost@nowhere.example"
    body = ticket_body(requester={"name": "Ghost", "email": email}, tags=["spooky"],
                       group_id=999999)
    before = row_counts(db)
    # The inline requester is created first inside the transaction; the unknown group is found
    # after it, so the whole transaction must roll back, new user included.
    assert_error(desk.agent.post("/api/v2/tickets", body), 422, "invalid", "ticket.group_id")
    assert row_counts(db) == before
    assert db_query(db, f"SELECT id FROM users WHERE email = '{email}'") == []
    body["ticket"]["assignee_id"] = desk.olive_id  # not staff: refused after the requester too
    body["ticket"]["group_id"] = desk.billing
    assert_error(desk.agent.post("/api/v2/tickets", body), 422, "invalid", "ticket.assignee_id")
    assert row_counts(db) == before
    # the same body with good references goes through whole
    body["ticket"]["assignee_id"] = desk.agent_id
    t = create(desk.agent, **body["ticket"])
    after = row_counts(db)
    assert after["tickets"] == before["tickets"] + 1
    assert after["users"] == before["users"] + 1
    assert after["ticket_tags"] == before["ticket_tags"] + 1
    assert after["ticket_comments"] == before["ticket_comments"] + 1
    assert after["ticket_events"] == before["ticket_events"] + len(events(desk, t["id"]))


# ---------------------------------------------------------------- read, authorization


def test_json_suffix_answers_the_same(desk):
    t = create(desk.olive, subject="Suffix")
    for path in (f"/api/v2/tickets/{t['id']}", f"/api/v2/tickets/{t['id']}/comments",
                 f"/api/v2/tickets/show_many?ids={t['id']}",
                 f"/api/v2/users/{desk.olive_id}/tickets/requested",
                 f"/api/v2/organizations/{desk.acme}/tickets", "/api/v2/tickets"):
        plain = desk.olive.get(path)
        suffixed = desk.olive.get(path.replace("?", ".json?") if "?" in path else path + ".json")
        assert plain.status_code == 200, (path, plain.text)
        assert suffixed.status_code == 200, (path, suffixed.text)
        assert suffixed.json() == plain.json(), path
    resp = desk.olive.put(f"/api/v2/tickets/{t['id']}.json", {"ticket": {"comment": {"body": "+"}}})
    assert resp.status_code == 200, resp.text
    resp = desk.olive.post("/api/v2/tickets.json", ticket_body())
    assert resp.status_code == 201, resp.text


@pytest.mark.parametrize("path", ["/api/v2/tickets/999999", "/api/v2/tickets/abc",
                                  "/api/v2/tickets/0", "/api/v2/tickets/01",
                                  "/api/v2/tickets/-1", "/api/v2/tickets/99999999999999999999",
                                  "/api/v2/tickets/999999/comments",
                                  "/api/v2/users/999999/tickets/requested",
                                  "/api/v2/organizations/999999/tickets"])
def test_unknown_ids_are_404(desk, path):
    assert_error(desk.admin.get(path), 404, "not_found")


def test_anonymous_is_401(desk):
    t = create(desk.agent)
    for method, path in (("GET", "/api/v2/tickets"), ("POST", "/api/v2/tickets"),
                         ("GET", f"/api/v2/tickets/{t['id']}"),
                         ("PUT", f"/api/v2/tickets/{t['id']}"),
                         ("GET", f"/api/v2/tickets/{t['id']}/comments"),
                         ("GET", f"/api/v2/tickets/show_many?ids={t['id']}"),
                         ("GET", f"/api/v2/users/{desk.mike_id}/tickets/requested"),
                         ("GET", f"/api/v2/organizations/{desk.acme}/tickets")):
        resp = desk.anon.request(method, path, ticket_body() if method != "GET" else None)
        assert_error(resp, 401, "unauthorized")


def test_a_requester_cannot_reach_another_requesters_ticket(desk):
    db = desk.srv.db
    t = create(desk.mike, subject="Mike's private matter", body="mike's words")
    before = row_counts(db)
    tid = t["id"]
    for resp in (desk.rita.get(f"/api/v2/tickets/{tid}"),
                 desk.rita.get(f"/api/v2/tickets/{tid}.json"),
                 desk.rita.get(f"/api/v2/tickets/{tid}/comments"),
                 desk.rita.put(f"/api/v2/tickets/{tid}", {"ticket": {"comment": {"body": "hi"}}}),
                 desk.rita.get(f"/api/v2/users/{desk.mike_id}/tickets/requested"),
                 desk.rita.get(f"/api/v2/organizations/{desk.acme}/tickets")):
        assert_error(resp, 404, "not_found")
    # exactly as for an id that does not exist
    ghost = desk.rita.get("/api/v2/tickets/999999").json()["error"]
    mine = desk.rita.get(f"/api/v2/tickets/{tid}").json()["error"]
    assert mine["message"].replace(str(tid), "N") == ghost["message"].replace("999999", "N")
    assert row_counts(db) == before
    resp = desk.rita.get(f"/api/v2/tickets/show_many?ids={tid}")
    assert resp.status_code == 200 and resp.json() == {"tickets": []}
    listed, _ = walk(desk.rita, "/api/v2/tickets")
    assert tid not in {x["id"] for x in listed}
    assert all(x["requester_id"] == desk.rita_id for x in listed)
    # a member of the same account is no owner: Olive's ticket is not Mike's to see
    o = create(desk.olive, subject="Owner only")
    assert_error(desk.mike.get(f"/api/v2/tickets/{o['id']}"), 404, "not_found")
    assert_error(desk.mike.get(f"/api/v2/users/{desk.olive_id}/tickets/requested"), 404,
                 "not_found")


def test_an_account_owner_sees_the_accounts_tickets(desk):
    m = create(desk.mike, subject="Member's ticket")
    r = create(desk.rita, subject="Other account")
    assert show(desk.olive, m["id"])["subject"] == "Member's ticket"
    assert_error(desk.olive.get(f"/api/v2/tickets/{r['id']}"), 404, "not_found")
    mine, _ = walk(desk.olive, "/api/v2/tickets")
    ids = {x["id"] for x in mine}
    assert m["id"] in ids and r["id"] not in ids
    assert all(x["organization_id"] == desk.acme or x["requester_id"] == desk.olive_id
               for x in mine)
    org, _ = walk(desk.olive, f"/api/v2/organizations/{desk.acme}/tickets")
    assert m["id"] in {x["id"] for x in org}
    assert all(x["organization_id"] == desk.acme for x in org)
    requested, _ = walk(desk.olive, f"/api/v2/users/{desk.mike_id}/tickets/requested")
    assert m["id"] in {x["id"] for x in requested}
    assert all(x["requester_id"] == desk.mike_id for x in requested)
    # a member listing the account sees only their own part of it
    as_member, _ = walk(desk.mike, f"/api/v2/organizations/{desk.acme}/tickets")
    assert as_member and all(x["requester_id"] == desk.mike_id for x in as_member)
    # staff see the whole account
    staff = {x["id"] for x in walk(desk.agent, f"/api/v2/organizations/{desk.acme}/tickets")[0]}
    acme = {int(i) for (i,) in db_query(desk.srv.db,
                                        f"SELECT id FROM tickets WHERE organization_id = {desk.acme}")}
    assert staff == acme
    # the owner can also reply to a member's ticket
    update(desk.olive, m["id"], comment={"body": "Adding detail as the owner"})


def test_internal_notes_never_reach_requesters(desk):
    secret = "INTERNAL-ONLY refund fraud suspicion"
    t = create(desk.mike, subject="Refund?", body="Please refund")
    update(desk.agent, t["id"], comment={"body": secret, "public": False})
    update(desk.agent, t["id"], comment={"body": "We are on it"})
    staff_view = comments(desk.agent, t["id"])
    assert [(c["body"], c["public"]) for c in staff_view] == [
        ("Please refund", True), (secret, False), ("We are on it", True)]
    mine = comments(desk.mike, t["id"])
    assert [c["body"] for c in mine] == ["Please refund", "We are on it"]
    # a ticket opened by staff with an internal note: no description leaks it either
    n = create(desk.agent, requester_id=desk.mike_id, subject="Called us",
               comment={"body": secret, "public": False})
    assert n["description"] == secret  # staff see it
    assert show(desk.mike, n["id"])["description"] == ""
    assert comments(desk.mike, n["id"]) == []
    for path in (f"/api/v2/tickets/{t['id']}", f"/api/v2/tickets/{n['id']}",
                 f"/api/v2/tickets/{t['id']}/comments", f"/api/v2/tickets/{n['id']}/comments",
                 f"/api/v2/tickets/show_many?ids={t['id']},{n['id']}", "/api/v2/tickets",
                 f"/api/v2/users/{desk.mike_id}/tickets/requested",
                 f"/api/v2/organizations/{desk.acme}/tickets"):
        for who in (desk.mike, desk.olive):
            resp = who.get(path + ("&" if "?" in path else "?") + "page[size]=100")
            assert resp.status_code == 200, (path, resp.text)
            assert "INTERNAL-ONLY" not in resp.text, path
    resp = desk.mike.put(f"/api/v2/tickets/{n['id']}", {"ticket": {"comment": {"body": "ok"}}})
    assert resp.status_code == 200 and "INTERNAL-ONLY" not in resp.text


def test_show_many(desk):
    a, b = create(desk.agent), create(desk.agent)
    resp = desk.agent.get(f"/api/v2/tickets/show_many?ids={b['id']},{a['id']},999999,{b['id']}")
    assert resp.status_code == 200, resp.text
    assert [t["id"] for t in resp.json()["tickets"]] == [a["id"], b["id"]]
    assert resp.json()["tickets"][0] == show(desk.agent, a["id"])


@pytest.mark.parametrize("query", ["", "?ids=", "?ids=a", "?ids=1,,2", "?ids=1,", "?ids=0",
                                   "?ids=-1", "?ids=1 2",
                                   "?ids=" + ",".join(str(i) for i in range(1, 102))])
def test_show_many_refuses_bad_ids(desk, query):
    assert_error(desk.agent.get("/api/v2/tickets/show_many" + query), 400, "bad_request", "ids")


# ---------------------------------------------------------------- update


def test_staff_update_changes_fields_and_records_old_and_new(desk):
    t = create(desk.mike, subject="Old subject")
    tid = t["id"]
    n = len(events(desk, tid))
    u = update(desk.agent, tid, subject="New subject", status="open", priority="urgent",
               assignee_id=desk.agent_id, group_id=desk.billing, tags=["Zeta", "alpha"],
               policy_justification=WHY)
    assert (u["subject"], u["status"], u["priority"]) == ("New subject", "open", "urgent")
    assert (u["assignee_id"], u["group_id"], u["tags"]) == (desk.agent_id, desk.billing,
                                                           ["alpha", "zeta"])
    assert u["description"] == t["description"]  # read-only: the first comment
    assert parse_instant(u["updated_at"]) >= parse_instant(t["updated_at"])
    a = desk.agent_id
    assert events(desk, tid)[n:] == [
        ("subject", "Old subject", "New subject", a),
        ("status", "new", "open", a),
        ("assignee_id", None, str(a), a),
        ("group_id", None, str(desk.billing), a),
        ("tags", None, "alpha zeta", a),
        ("priority", "normal", "urgent", a),  # the policy's part comes last
    ]
    u = update(desk.admin, tid, assignee_id=None, group_id=None, tags=[], priority="low",
               policy_justification=WHY)
    assert (u["assignee_id"], u["group_id"], u["tags"], u["priority"]) == (None, None, [], "low")
    assert events(desk, tid)[n + 6:] == [
        ("assignee_id", str(a), None, desk.admin_id),
        ("group_id", str(desk.billing), None, desk.admin_id),
        ("tags", "alpha zeta", None, desk.admin_id),
        ("priority", "urgent", "low", desk.admin_id),
    ]
    assert db_query(desk.srv.db, f"SELECT tag FROM ticket_tags WHERE ticket_id = {tid}") == []
    assert show(desk.mike, tid)["subject"] == "New subject"


def test_an_update_that_changes_nothing_records_nothing(desk):
    t = create(desk.agent, tags=["x"], priority="high", policy_justification=WHY)
    n = len(events(desk, t["id"]))
    u = update(desk.agent, t["id"], status="new", priority="high", tags=["X"],
               subject=t["subject"], assignee_id=None)
    assert u == t
    assert len(events(desk, t["id"])) == n


def test_staff_comments_and_notes_are_events(desk):
    t = create(desk.mike)
    n = len(events(desk, t["id"]))
    update(desk.agent, t["id"], comment={"body": "public reply"})
    update(desk.agent, t["id"], comment={"body": "note", "public": False})
    ids = [c["id"] for c in comments(desk.agent, t["id"])]
    assert events(desk, t["id"])[n:] == [("comment", None, str(ids[1]), desk.agent_id),
                                         ("internal_note", None, str(ids[2]), desk.agent_id)]
    assert show(desk.agent, t["id"])["status"] == "new"  # replying sets no status by itself


@pytest.mark.parametrize("path, to", [
    (["open"], "new"),
    (["solved"], "pending"),
    (["solved"], "hold"),
    (["solved"], "new"),
    (["solved", "closed"], "open"),
    (["solved", "closed"], "solved"),
])
def test_invalid_transition_is_409_naming_both_states(desk, path, to):
    t = create(desk.mike)
    for status in path:
        update(desk.agent, t["id"], status=status)
    before = (show(desk.agent, t["id"]), events(desk, t["id"]))
    err = assert_error(desk.agent.put(f"/api/v2/tickets/{t['id']}",
                                      {"ticket": {"status": to, "priority": "urgent"}}),
                       409, "conflict", "ticket.status")
    assert path[-1] in err["message"] and to in err["message"], err
    assert (show(desk.agent, t["id"]), events(desk, t["id"])) == before


def test_a_closed_ticket_does_not_change_for_staff(desk):
    t = create(desk.agent, requester_id=desk.mike_id)
    update(desk.agent, t["id"], status="solved")
    update(desk.agent, t["id"], status="closed")
    before = (show(desk.agent, t["id"]), events(desk, t["id"]), comments(desk.agent, t["id"]))
    for fields in ({"priority": "urgent"}, {"tags": ["late"]}, {"subject": "Changed"},
                   {"comment": {"body": "too late"}}, {"assignee_id": desk.agent_id}):
        assert_error(desk.agent.put(f"/api/v2/tickets/{t['id']}", {"ticket": fields}), 409,
                     "conflict", "ticket.status")
    assert (show(desk.agent, t["id"]), events(desk, t["id"]),
            comments(desk.agent, t["id"])) == before
    assert update(desk.agent, t["id"], status="closed")["status"] == "closed"  # no change: fine


def test_solved_at_follows_the_status(desk):
    db = desk.srv.db
    t = create(desk.mike)

    def solved_at():
        return db_scalar(db, f"SELECT solved_at FROM tickets WHERE id = {t['id']}")

    assert solved_at() is None
    update(desk.agent, t["id"], status="solved")
    first = solved_at()
    assert first is not None and int(first) > 0
    update(desk.agent, t["id"], status="open")
    assert solved_at() is None
    update(desk.agent, t["id"], status="solved")
    assert solved_at() is not None
    update(desk.agent, t["id"], status="closed")
    assert solved_at() is not None  # kept: it says when the work was done
    s = create(desk.agent, status="solved")
    assert db_scalar(db, f"SELECT solved_at FROM tickets WHERE id = {s['id']}") is not None


@pytest.mark.parametrize("fields, field", [
    ({"status": "open"}, "ticket.status"),
    ({"priority": "urgent"}, "ticket.priority"),
    ({"subject": "mine now"}, "ticket.subject"),
    ({"tags": ["vip"]}, "ticket.tags"),
    ({"assignee_id": None}, "ticket.assignee_id"),
    ({"group_id": None}, "ticket.group_id"),
])
def test_a_requester_may_only_comment(desk, fields, field):
    t = create(desk.mike)
    before = (show(desk.agent, t["id"]), events(desk, t["id"]))
    fields = dict(fields, comment={"body": "and this"})
    assert_error(desk.mike.put(f"/api/v2/tickets/{t['id']}", {"ticket": fields}), 403,
                 "forbidden", field)
    assert (show(desk.agent, t["id"]), events(desk, t["id"])) == before


def test_requester_comment_is_public_and_recorded(desk):
    t = create(desk.agent, requester_id=desk.mike_id, status="pending")
    n = len(events(desk, t["id"]))
    u = update(desk.mike, t["id"], comment={"body": "more detail", "public": False})
    assert u["status"] == "open"
    c = comments(desk.agent, t["id"])[-1]
    assert (c["body"], c["public"], c["author_id"], c["via"]) == (
        "more detail", True, desk.mike_id, {"channel": "web"})
    assert events(desk, t["id"])[n:] == [("status", "pending", "open", desk.mike_id),
                                         ("comment", None, str(c["id"]), desk.mike_id)]


def test_update_validation_names_the_field(desk):
    t = create(desk.mike)
    before = (show(desk.agent, t["id"]), events(desk, t["id"]))
    for fields, field in (({"status": "done"}, "ticket.status"),
                          ({"priority": "p1"}, "ticket.priority"),
                          ({"subject": ""}, "ticket.subject"),
                          ({"subject": ["x"]}, "ticket.subject"),
                          ({"assignee_id": 999999}, "ticket.assignee_id"),
                          ({"assignee_id": desk.mike_id}, "ticket.assignee_id"),
                          ({"group_id": 999999}, "ticket.group_id"),
                          ({"tags": ["bad,tag"]}, "ticket.tags"),
                          ({"comment": {"body": ""}}, "ticket.comment.body"),
                          ({"comment": {"body": "x", "public": 0}}, "ticket.comment.public"),
                          # a valid change beside a bad one is not half-applied
                          ({"priority": "urgent", "group_id": 999999}, "ticket.group_id"),
                          ({"status": "open", "comment": {"body": " "}}, "ticket.comment.body")):
        assert_error(desk.agent.put(f"/api/v2/tickets/{t['id']}", {"ticket": fields}), 422,
                     "invalid", field)
    assert (show(desk.agent, t["id"]), events(desk, t["id"])) == before
    assert_error(desk.agent.put(f"/api/v2/tickets/{t['id']}", {"nope": 1}), 422, "invalid",
                 "ticket")


# ---------------------------------------------------------------- the requester-reply rule


@pytest.mark.parametrize("status", ["pending", "hold", "solved"])
def test_a_requester_reply_reopens(desk, status):
    t = create(desk.agent, requester_id=desk.mike_id)
    update(desk.agent, t["id"], status=status)
    u = update(desk.mike, t["id"], comment={"body": "It is still broken"})
    assert (u["id"], u["status"]) == (t["id"], "open")
    assert events(desk, t["id"])[-2] == ("status", status, "open", desk.mike_id)
    assert db_scalar(desk.srv.db, f"SELECT solved_at FROM tickets WHERE id = {t['id']}") is None


def test_a_requester_reply_to_a_new_ticket_opens_it(desk):
    t = create(desk.mike)
    assert update(desk.mike, t["id"], comment={"body": "also this"})["status"] == "open"


def test_a_requester_reply_to_a_closed_ticket_makes_a_follow_up(desk):
    old = create(desk.agent, requester_id=desk.mike_id, subject="Checkout broken",
                 priority="high", group_id=desk.billing, tags=["checkout"],
                 policy_justification=WHY)
    update(desk.agent, old["id"], status="solved")
    update(desk.agent, old["id"], status="closed")
    closed = show(desk.agent, old["id"])
    old_comments = comments(desk.agent, old["id"])
    # the account owner replies (Mike's ticket is in Olive's account)
    resp = desk.olive.put(f"/api/v2/tickets/{old['id']}",
                          {"ticket": {"comment": {"body": "It broke again"}}})
    assert resp.status_code == 201, resp.text
    new = resp.json()["ticket"]
    assert resp.headers["Location"] == f"/api/v2/tickets/{new['id']}.json"
    assert new["id"] != old["id"]
    assert (new["follow_up_of"], new["status"], new["subject"]) == (old["id"], "new",
                                                                   "Checkout broken")
    assert (new["requester_id"], new["submitter_id"], new["organization_id"]) == (
        desk.mike_id, desk.olive_id, desk.acme)
    assert (new["priority"], new["group_id"], new["tags"]) == ("high", desk.billing,
                                                              ["checkout"])
    assert new["description"] == "It broke again"
    assert [c["body"] for c in comments(desk.mike, new["id"])] == ["It broke again"]
    # the closed ticket is untouched, apart from the event that points to its follow-up
    assert show(desk.agent, old["id"]) == closed
    assert comments(desk.agent, old["id"]) == old_comments
    assert events(desk, old["id"])[-1] == ("follow_up", None, str(new["id"]), desk.olive_id)
    assert ("follow_up_of", None, str(old["id"]), desk.olive_id) in events(desk, new["id"])
    assert show(desk.mike, new["id"])["follow_up_of"] == old["id"]


# ---------------------------------------------------------------- pagination


def test_pagination_walks_every_ticket_once(desk):
    uid = add_requester(desk.srv, "pager@example.com", "Paige Pager")
    made = [create(desk.agent, requester_id=uid, subject=f"page test {i}")["id"]
            for i in range(5)]
    path = f"/api/v2/users/{uid}/tickets/requested?page[size]=2"
    items, pages = walk(desk.agent, path)
    assert [t["id"] for t in items] == made
    assert [len(p["tickets"]) for p in pages] == [2, 2, 1]
    assert [p["meta"]["has_more"] for p in pages] == [True, True, False]
    assert pages[-1]["links"]["next"] is None
    for p in pages:
        assert set(p) == {"tickets", "meta", "links"}
        assert p["meta"]["after_cursor"] and re.fullmatch(r"[A-Za-z0-9_-]+",
                                                           p["meta"]["after_cursor"])
    nxt = pages[0]["links"]["next"]
    assert nxt.startswith(f"/api/v2/users/{uid}/tickets/requested?")
    assert "page%5Bsize%5D=2" in nxt
    # after_cursor and page[after] do the same thing
    resp = desk.agent.get(f"/api/v2/users/{uid}/tickets/requested",
                          params={"page[size]": 2, "page[after]": pages[0]["meta"]["after_cursor"]})
    assert [t["id"] for t in resp.json()["tickets"]] == made[2:4]
    # the last page's cursor finds what comes later
    later = create(desk.agent, requester_id=uid)["id"]
    resp = desk.agent.get(f"/api/v2/users/{uid}/tickets/requested",
                          params={"page[after]": pages[-1]["meta"]["after_cursor"]})
    assert [t["id"] for t in resp.json()["tickets"]] == [later]
    # a last page that is exactly full says so: no empty page after it
    _, pages = walk(desk.agent, f"/api/v2/users/{uid}/tickets/requested?page[size]=3")
    assert [(len(p["tickets"]), p["meta"]["has_more"]) for p in pages] == [(3, True), (3, False)]
    # default size is 100; one page holds all of them
    resp = desk.agent.get(f"/api/v2/users/{uid}/tickets/requested")
    assert [t["id"] for t in resp.json()["tickets"]] == made + [later]
    assert resp.json()["meta"]["has_more"] is False


def test_the_whole_list_pages_by_id(desk):
    while int(db_scalar(desk.srv.db, "SELECT count(*) FROM tickets")) <= 100:
        create(desk.agent)
    total = int(db_scalar(desk.srv.db, "SELECT count(*) FROM tickets"))
    items, pages = walk(desk.admin, "/api/v2/tickets?page[size]=7")
    ids = [t["id"] for t in items]
    assert len(ids) == total and ids == sorted(ids) and len(set(ids)) == total
    assert len(pages) == (total + 6) // 7
    resp = desk.admin.get("/api/v2/tickets")
    assert len(resp.json()["tickets"]) == 100 and resp.json()["meta"]["has_more"] is True


def test_an_empty_list(desk):
    uid = add_requester(desk.srv, "empty@example.com", "Emma Empty")
    resp = desk.agent.get(f"/api/v2/users/{uid}/tickets/requested")
    assert resp.json() == {"tickets": [], "meta": {"has_more": False, "after_cursor": None},
                           "links": {"next": None}}


def test_comments_page_too(desk):
    t = create(desk.mike, body="c0")
    for i in range(1, 5):
        update(desk.agent, t["id"], comment={"body": f"c{i}"})
    items, pages = walk(desk.mike, f"/api/v2/tickets/{t['id']}/comments?page[size]=2")
    assert [c["body"] for c in items] == ["c0", "c1", "c2", "c3", "c4"]
    assert [len(p["comments"]) for p in pages] == [2, 2, 1]
    assert set(pages[0]) == {"comments", "meta", "links"}


@pytest.mark.parametrize("query, field", [
    ("page[size]=0", "page[size]"), ("page[size]=101", "page[size]"),
    ("page[size]=abc", "page[size]"), ("page[size]=-1", "page[size]"),
    ("page[size]=", "page[size]"),
    ("page[after]=garbage", "page[after]"), ("page[after]=1", "page[after]"),
    ("page[after]=aWQ6MQ%3D%3D", "page[after]"), ("page[after]=aWQ6MA", "page[after]"),
])
def test_bad_paging_is_400_naming_the_parameter(desk, query, field):
    t = create(desk.agent)
    for path in ("/api/v2/tickets", f"/api/v2/tickets/{t['id']}/comments",
                 f"/api/v2/users/{desk.agent_id}/tickets/requested",
                 f"/api/v2/organizations/{desk.acme}/tickets"):
        assert_error(desk.agent.get(f"{path}?{query}"), 400, "bad_request", field)
