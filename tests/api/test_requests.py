"""Zendesk's Requests API without an account (issue 6, "leave a message"; docs/channels.md,
"Anonymous requests"): POST /api/v2/requests makes a web ticket of an end-user found by email or
created, exactly as the portal would, in one transaction, rate-limited per client address."""
import itertools
import json
from dataclasses import dataclass

import pytest

from conftest import (ADMIN, Api, ServerPool, add_organization, add_requester, assert_error,
                      create_admin, db_query, db_scalar, sign_in, staff_add, token_create)

REQUEST_KEYS = {"id", "url", "subject", "description", "status", "priority", "via",
                "requester_id", "created_at", "updated_at"}
_addresses = itertools.count(1)


@dataclass
class Desk:
    srv: object
    admin: Api
    agent_id: int
    olive_id: int
    olive: Api


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("requests"))
    try:
        # Behind a "proxy" (the tests), so each test can be its own client address.
        srv = pool.start(trusted_proxies="127.0.0.1")
        create_admin(srv)
        agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
        acme = add_organization(srv.db, "Acme Shop")
        olive_id = add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
        yield Desk(srv=srv, admin=Api(srv, token_create(srv, ADMIN["email"])), agent_id=agent_id,
                   olive_id=olive_id, olive=sign_in(srv, "olive@acme.example"))
    finally:
        pool.close()


def visitor(srv, address=None):
    """An anonymous client at its own address (X-Forwarded-For, the server trusts the peer)."""
    api = Api(srv)
    api.session.headers["X-Forwarded-For"] = address or f"198.51.100.{next(_addresses)}"
    return api


def body(name="Vera Visitor", email="vera@example.net", subject="Checkout is down",
         text="Nothing works since this morning", **extra):
    r = {"requester": {"name": name, "email": email}, "subject": subject,
         "comment": {"body": text}}
    r.update(extra)
    return {"request": r}


def count(db, sql):
    return int(db_scalar(db, sql))


def test_an_anonymous_request_makes_an_end_user_and_a_web_ticket(desk):
    db = desk.srv.db
    users_before = count(db, "SELECT COUNT(*) FROM users")
    resp = visitor(desk.srv).post("/api/v2/requests", body(email="Vera.New@Example.net"))
    assert resp.status_code == 201, resp.text
    r = resp.json()["request"]
    # The request, and nothing about the requester or their account.
    assert list(resp.json()) == ["request"] and set(r) == REQUEST_KEYS
    assert (r["url"], r["subject"], r["description"], r["status"], r["via"]) == \
        (f"/api/v2/requests/{r['id']}.json", "Checkout is down",
         "Nothing works since this morning", "new", {"channel": "web"})
    assert resp.headers["Location"] == f"/api/v2/requests/{r['id']}.json"
    assert "Set-Cookie" not in resp.headers
    assert count(db, "SELECT COUNT(*) FROM users") == users_before + 1
    assert db_query(db, "SELECT id, name, role, organization_id FROM users "
                        "WHERE lower(email) = 'vera.new@example.net'") == \
        [(str(r["requester_id"]), "Vera Visitor", "end-user", None)]
    # The portal's ticket: web, requested and submitted by that end-user.
    assert db_query(db, f"SELECT requester_id, submitter_id, channel, status FROM tickets "
                        f"WHERE id = {r['id']}") == \
        [(str(r["requester_id"]), str(r["requester_id"]), "web", "new")]
    # The usual acknowledgement, to the address given.
    assert db_query(db, f"SELECT to_address FROM outbox WHERE ticket_id = {r['id']} "
                        f"AND kind = 'acknowledgement'") == [("Vera.New@Example.net",)]
    # Staff see it like any web ticket; the audit entry names the ticket, never the address.
    t = desk.admin.get(f"/api/v2/tickets/{r['id']}").json()["ticket"]
    assert (t["requester_id"], t["via"]["channel"]) == (r["requester_id"], "web")
    rows = db_query(db, f"SELECT actor_id, target_type, target_id, ip, detail FROM audit_log "
                        f"WHERE action = 'request.anonymous' AND target_id = {r['id']}")
    assert len(rows) == 1 and rows[0][:3] == (None, "ticket", str(r["id"]))
    assert rows[0][3].startswith("198.51.100.")
    assert json.loads(rows[0][4]) == {"ticket_id": r["id"]} and "@" not in rows[0][4]
    # An SLA clock runs as for the portal's tickets.
    assert desk.admin.get(f"/api/v2/tickets/{r['id']}/sla").status_code == 200


def test_an_existing_end_user_is_found_by_email_in_any_case(desk):
    db = desk.srv.db
    users_before = count(db, "SELECT COUNT(*) FROM users")
    resp = visitor(desk.srv).post("/api/v2/requests",
                                  body(name="Someone Else", email="OLIVE@Acme.Example"))
    assert resp.status_code == 201, resp.text
    r = resp.json()["request"]
    assert set(r) == REQUEST_KEYS and r["requester_id"] == desk.olive_id
    assert count(db, "SELECT COUNT(*) FROM users") == users_before
    # The name given does not rename the account.
    assert db_scalar(db, f"SELECT name FROM users WHERE id = {desk.olive_id}") == "Olive Owner"
    # The ticket is theirs: visible in their portal, as a ticket and as a request.
    t = desk.olive.get(f"/api/v2/tickets/{r['id']}")
    assert t.status_code == 200 and t.json()["ticket"]["requester_id"] == desk.olive_id
    mine = desk.olive.get(f"/api/v2/users/{desk.olive_id}/tickets/requested").json()["tickets"]
    assert r["id"] in [x["id"] for x in mine]
    shown = desk.olive.get(f"/api/v2/requests/{r['id']}")
    assert shown.status_code == 200 and shown.json()["request"] == r
    assert db_query(db, f"SELECT to_address FROM outbox WHERE ticket_id = {r['id']} "
                        f"AND kind = 'acknowledgement'") == [("olive@acme.example",)]


def test_a_staff_address_is_refused_and_nothing_is_written(desk):
    db = desk.srv.db
    tickets = count(db, "SELECT COUNT(*) FROM tickets")
    users = count(db, "SELECT COUNT(*) FROM users")
    for email in ("agent@example.com", "AGENT@EXAMPLE.COM", ADMIN["email"].upper()):
        err = assert_error(visitor(desk.srv).post("/api/v2/requests", body(email=email)), 422,
                           "invalid", "request.requester.email")
        assert "staff use the console" in err["message"]
    assert count(db, "SELECT COUNT(*) FROM tickets") == tickets
    assert count(db, "SELECT COUNT(*) FROM users") == users
    assert count(db, f"SELECT COUNT(*) FROM tickets WHERE requester_id = {desk.agent_id}") == 0


def test_a_banned_address_is_refused_with_the_notice(desk):
    db = desk.srv.db
    srv = desk.srv
    uid = add_requester(srv, "bart@banned.example", "Bart Banned")
    resp = desk.admin.post(f"/api/v2/users/{uid}/ban", {"reason": "abusive language"})
    assert resp.status_code in (200, 201), resp.text
    tickets = count(db, "SELECT COUNT(*) FROM tickets")
    err = assert_error(visitor(srv, "192.0.2.77").post("/api/v2/requests",
                                                       body(email="Bart@Banned.Example")),
                       403, "requester_banned")
    assert "abusive behaviour" in err["message"]
    assert count(db, "SELECT COUNT(*) FROM tickets") == tickets
    assert count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'request.anonymous' "
                     "AND ip = '192.0.2.77'") == 0


@pytest.mark.parametrize("req, field", [
    ({"request": {"requester": {"email": "a@example.net"}, "subject": "s",
                  "comment": {"body": "b"}}}, "request.requester.name"),
    ({"request": {"requester": {"name": "  ", "email": "a@example.net"}, "subject": "s",
                  "comment": {"body": "b"}}}, "request.requester.name"),
    ({"request": {"requester": {"name": "A"}, "subject": "s", "comment": {"body": "b"}}},
     "request.requester.email"),
    ({"request": {"requester": {"name": "A", "email": "not an address"}, "subject": "s",
                  "comment": {"body": "b"}}}, "request.requester.email"),
    ({"request": {"subject": "s", "comment": {"body": "b"}}}, "request.requester.name"),
    ({"request": {"requester": {"name": "A", "email": 5}, "subject": "s",
                  "comment": {"body": "b"}}}, "request.requester.email"),
    ({"request": {"requester": {"name": "A", "email": "a@example.net"},
                  "comment": {"body": "b"}}}, "request.subject"),
    ({"request": {"requester": {"name": "A", "email": "a@example.net"}, "subject": "",
                  "comment": {"body": "b"}}}, "request.subject"),
    ({"request": {"requester": {"name": "A", "email": "a@example.net"}, "subject": "x" * 256,
                  "comment": {"body": "b"}}}, "request.subject"),
    ({"request": {"requester": {"name": "A", "email": "a@example.net"}, "subject": "s"}},
     "request.comment.body"),
    ({"request": {"requester": {"name": "A", "email": "a@example.net"}, "subject": "s",
                  "comment": {"body": " \n"}}}, "request.comment.body"),
    ({"request": {"requester": {"name": "A", "email": "a@example.net"}, "subject": "s",
                  "comment": "b"}}, "request.comment"),
    ({"request": "hello"}, "request"),
    ({"ticket": {"subject": "s"}}, "request"),
])
def test_validation_names_the_field(desk, req, field):
    db = desk.srv.db
    tickets = count(db, "SELECT COUNT(*) FROM tickets")
    assert_error(visitor(desk.srv).post("/api/v2/requests", req), 422, "invalid", field)
    assert count(db, "SELECT COUNT(*) FROM tickets") == tickets
    assert count(db, "SELECT COUNT(*) FROM users WHERE lower(email) = 'a@example.net'") == 0


def test_json_only(desk):
    resp = visitor(desk.srv).session.post(desk.srv.url.rstrip("/") + "/api/v2/requests",
                                          data="request[subject]=x",
                                          headers={"Content-Type":
                                                   "application/x-www-form-urlencoded"})
    assert_error(resp, 415, "unsupported_media_type", "Content-Type")


def test_a_failing_create_leaves_no_new_user_behind(desk):
    db = desk.srv.db
    users = count(db, "SELECT COUNT(*) FROM users")
    # Over the comment cap: refused by tickets_create after the user was written, in the same
    # transaction.
    assert_error(visitor(desk.srv).post("/api/v2/requests",
                                        body(email="late@example.net", text="x" * 65537)),
                 422, "invalid", "request.comment.body")
    assert_error(visitor(desk.srv).post("/api/v2/requests",
                                        body(email="late@example.net", subject="a\tb\nc")),
                 422, "invalid", "request.subject")
    assert count(db, "SELECT COUNT(*) FROM users") == users
    assert count(db, "SELECT COUNT(*) FROM users WHERE lower(email) = 'late@example.net'") == 0
    assert count(db, "SELECT COUNT(*) FROM outbox WHERE to_address = 'late@example.net'") == 0


def test_a_signed_in_requester_requests_for_themself(desk):
    srv = desk.srv
    uid = add_requester(srv, "sam@signed.example", "Sam Signed")
    sam = sign_in(srv, "sam@signed.example")
    users = count(srv.db, "SELECT COUNT(*) FROM users")
    # Requester fields are ignored: the request is the caller's own.
    resp = sam.post("/api/v2/requests", body(name="Mallory", email="mallory@example.net",
                                             subject="Mine"))
    assert resp.status_code == 201, resp.text
    r = resp.json()["request"]
    assert set(r) == REQUEST_KEYS and r["requester_id"] == uid and r["via"] == {"channel": "web"}
    assert count(srv.db, "SELECT COUNT(*) FROM users") == users
    assert db_query(srv.db, f"SELECT to_address FROM outbox WHERE ticket_id = {r['id']} "
                            f"AND kind = 'acknowledgement'") == [("sam@signed.example",)]
    # Without the requester object too; not audited as anonymous.
    resp = sam.post("/api/v2/requests", {"request": {"subject": "Again",
                                                     "comment": {"body": "more"}}})
    assert resp.status_code == 201 and resp.json()["request"]["requester_id"] == uid
    assert count(srv.db, f"SELECT COUNT(*) FROM audit_log WHERE action = 'request.anonymous' "
                         f"AND target_id = {r['id']}") == 0
    # A cookie write without its CSRF token is refused.
    token = sam.session.headers.pop("X-CSRF-Token")
    try:
        assert_error(sam.post("/api/v2/requests", body()), 403, "forbidden", "X-CSRF-Token")
    finally:
        sam.session.headers["X-CSRF-Token"] = token
    # Staff use the console.
    agent = sign_in(srv, "agent@example.com")
    tickets = count(srv.db, "SELECT COUNT(*) FROM tickets")
    assert_error(agent.post("/api/v2/requests", body()), 403, "forbidden")
    assert_error(desk.admin.post("/api/v2/requests", body()), 403, "forbidden")
    assert count(srv.db, "SELECT COUNT(*) FROM tickets") == tickets
    # Reading a request needs a sign-in, and one the caller may see.
    assert_error(visitor(srv).get(f"/api/v2/requests/{r['id']}"), 401, "unauthorized")
    assert_error(desk.olive.get(f"/api/v2/requests/{r['id']}"), 404, "not_found")


def test_anonymous_requests_are_limited_per_client_address(desk):
    db = desk.srv.db
    spammer = visitor(desk.srv, "203.0.113.9")
    made = []
    for i in range(10):
        resp = spammer.post("/api/v2/requests", body(email=f"spam{i}@example.net",
                                                     subject=f"Spam {i}"))
        assert resp.status_code == 201, resp.text
        made.append(resp.json()["request"]["id"])
    tickets = count(db, "SELECT COUNT(*) FROM tickets")
    resp = spammer.post("/api/v2/requests", body(email="spam10@example.net"))
    err = assert_error(resp, 429, "too_many_requests", None)
    assert 3500 < int(resp.headers["Retry-After"]) <= 3600, resp.headers["Retry-After"]
    assert "try again" in err["message"]
    assert count(db, "SELECT COUNT(*) FROM tickets") == tickets
    assert count(db, "SELECT COUNT(*) FROM users WHERE email = 'spam10@example.net'") == 0
    # Refused attempts (a staff address) count as well: they stay refused.
    assert_error(spammer.post("/api/v2/requests", body(email="agent@example.com")), 429,
                 "too_many_requests")
    # Another address, and a signed-in requester, are not limited by it.
    assert visitor(desk.srv).post("/api/v2/requests", body(email="calm@example.net")) \
        .status_code == 201
    assert desk.olive.post("/api/v2/requests", body()).status_code == 201
    # An hour later there is room again.
    db.execute("UPDATE sign_in_failures SET at = at - 3600 WHERE key = 'request:ip:203.0.113.9'")
    assert spammer.post("/api/v2/requests", body(email="spam11@example.net")).status_code == 201
