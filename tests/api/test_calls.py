"""The phone channel (issue 6 "Phone"): calls staff log on a ticket or as a new voice ticket (its
first touch), and the callback requests requesters leave in the portal, which form a queue of
their own. Runs on both databases."""

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from conftest import (ADMIN, Api, ServerPool, add_organization, add_requester, assert_error,
                      create_admin, db_query, db_scalar, sign_in, staff_add, token_create)

CALL_KEYS = {"id", "ticket_id", "comment_id", "direction", "phone_number", "duration_seconds",
             "notes", "public", "agent_id", "started_at", "created_at"}
CALLBACK_KEYS = {"id", "requester_id", "ticket_id", "phone_number", "preferred_time", "reason",
                 "status", "assignee_id", "call_id", "waited_seconds", "created_at",
                 "updated_at", "resolved_at"}


@dataclass
class Desk:
    srv: object
    admin_id: int
    admin: Api
    agent_id: int
    agent: Api
    lead_id: int
    lead: Api
    rita_id: int
    rita: Api
    olive_id: int
    olive: Api
    anon: Api


def start_desk(pool):
    srv = pool.start()
    db = srv.db
    admin_id = create_admin(srv)
    agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
    lead_id = staff_add(srv, "lead@example.com", "Leo Lead", "lead")
    acme, globex = add_organization(db, "Acme Shop"), add_organization(db, "Globex Store")
    rita_id = add_requester(srv, "rita@globex.example", "Rita Globex", globex, "member")
    olive_id = add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
    return Desk(srv=srv, admin_id=admin_id, admin=Api(srv, token_create(srv, ADMIN["email"])),
                agent_id=agent_id, agent=Api(srv, token_create(srv, "agent@example.com")),
                lead_id=lead_id, lead=Api(srv, token_create(srv, "lead@example.com")),
                rita_id=rita_id, rita=sign_in(srv, "rita@globex.example"),
                olive_id=olive_id, olive=sign_in(srv, "olive@acme.example"), anon=Api(srv))


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("calls"))
    try:
        yield start_desk(pool)
    finally:
        pool.close()


@pytest.fixture
def fresh(tmp_path):
    """A desk of its own, for tests that count a requester's callback requests."""
    pool = ServerPool(tmp_path)
    try:
        yield start_desk(pool)
    finally:
        pool.close()


# ---------------------------------------------------------------- helpers


def iso(epoch):
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(text):
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
               .timestamp())


def ticket_of(api, subject="Checkout fails", body="It fails since this morning"):
    resp = api.post("/api/v2/tickets", {"ticket": {"subject": subject, "comment": {"body": body}}})
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]


def call_body(**kw):
    c = {"direction": "inbound", "phone_number": "+1 (555) 010-0199", "duration_seconds": 125,
         "notes": "Walked her through clearing the cache; checkout works again."}
    c.update(kw)
    return {"call": c}


def log_call(api, **kw):
    resp = api.post("/api/v2/calls", call_body(**kw))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert set(body) == {"call", "ticket"}
    assert set(body["call"]) == CALL_KEYS
    return body


def comments(api, tid):
    resp = api.get(f"/api/v2/tickets/{tid}/comments")
    assert resp.status_code == 200, resp.text
    return resp.json()["comments"]


def clocks(api, tid):
    resp = api.get(f"/api/v2/tickets/{tid}/sla")
    assert resp.status_code == 200, resp.text
    return resp.json()["sla"]


def audit(desk, action, target_id=None):
    where = f"action = '{action}'"
    if target_id is not None:
        where += f" AND target_id = {int(target_id)}"
    return [(int(a), t, int(i), json.loads(d)) for a, t, i, d in db_query(
        desk.srv.db, f"SELECT actor_id, target_type, target_id, detail FROM audit_log "
                     f"WHERE {where} ORDER BY id")]


def ask_callback(api, **kw):
    c = {"phone_number": "+44 20 7946 0958", "reason": "My invoice looks wrong",
         "preferred_time": "weekday mornings"}
    c.update(kw)
    return api.post("/api/v2/callback_requests", {"callback_request": c})


def callback(api, **kw):
    resp = ask_callback(api, **kw)
    assert resp.status_code == 201, resp.text
    r = resp.json()["callback_request"]
    assert set(r) == CALLBACK_KEYS
    return r


def put_callback(api, cid, **fields):
    return api.put(f"/api/v2/callback_requests/{cid}", {"callback_request": fields})


# ---------------------------------------------------------------- a call on an existing ticket


def test_a_public_call_on_a_ticket_is_a_staff_reply(desk):
    t = ticket_of(desk.rita)
    before = int(time.time())
    out = log_call(desk.agent, ticket_id=t["id"])
    c = out["call"]
    assert c["ticket_id"] == t["id"] and out["ticket"]["id"] == t["id"]
    assert (c["direction"], c["phone_number"], c["duration_seconds"], c["public"],
            c["agent_id"]) == ("inbound", "+15550100199", 125, True, desk.agent_id)
    assert c["notes"] == "Walked her through clearing the cache; checkout works again."
    assert before - 1 <= epoch(c["started_at"]) <= int(time.time()) + 1
    assert c["started_at"] == c["created_at"]
    # The notes are the agent's public comment, by phone, which the requester sees too.
    last = comments(desk.agent, t["id"])[-1]
    assert (last["id"], last["author_id"], last["body"], last["public"], last["via"]) == \
        (c["comment_id"], desk.agent_id, c["notes"], True, {"channel": "voice"})
    assert comments(desk.rita, t["id"])[-1]["id"] == c["comment_id"]
    # It is the first staff public reply: the first touch is met at the call.
    ft = clocks(desk.agent, t["id"])["first_touch"]
    assert ft["state"] == "met"
    assert abs(epoch(ft["stopped_at"]) - epoch(c["created_at"])) <= 1
    # The requester heard it on the phone: no reply mail.
    assert db_scalar(desk.srv.db, f"SELECT COUNT(*) FROM outbox WHERE ticket_id = {t['id']} "
                                  "AND kind = 'reply'") == "0"
    assert db_query(desk.srv.db, f"SELECT ticket_id, comment_id, direction, phone_number, "
                                 f"duration_seconds, is_public, agent_id FROM calls "
                                 f"WHERE id = {c['id']}") == \
        [(str(t["id"]), str(c["comment_id"]), "inbound", "+15550100199", "125", "1",
          str(desk.agent_id))]


def test_an_internal_call_is_a_note_and_no_answer(desk):
    t = ticket_of(desk.rita)
    out = log_call(desk.agent, ticket_id=t["id"], public=False, direction="outbound",
                   notes="Voicemail; will try again after lunch.")
    c = out["call"]
    assert (c["public"], c["direction"]) == (False, "outbound")
    staff_view = comments(desk.agent, t["id"])
    assert staff_view[-1]["id"] == c["comment_id"] and staff_view[-1]["public"] is False
    assert c["comment_id"] not in [x["id"] for x in comments(desk.rita, t["id"])]
    assert clocks(desk.agent, t["id"])["first_touch"]["state"] == "running"


def test_a_call_stops_a_running_follow_up(desk):
    # Imported history: the agent answered Monday 2026-11-23 15:00Z and left it open, so the
    # follow-up runs from then. A public call stops it (the next one starts at the call); an
    # internal call does not.
    def imported():
        resp = desk.admin.post("/api/v2/imports/tickets", {"ticket": {
            "subject": "Refund", "requester_id": desk.rita_id, "status": "open",
            "created_at": "2026-11-20T21:30:00Z",
            "comments": [{"author_id": desk.rita_id, "value": "Refund please",
                          "created_at": "2026-11-20T21:30:00Z"},
                         {"author_id": desk.agent_id, "value": "Looking into it",
                          "created_at": "2026-11-23T15:00:00Z"}]}})
        assert resp.status_code == 201, resp.text
        return resp.json()["ticket"]["id"]

    quiet = imported()
    log_call(desk.agent, ticket_id=quiet, public=False)
    assert clocks(desk.agent, quiet)["follow_up"]["started_at"] == "2026-11-23T15:00:00Z"

    tid = imported()
    assert clocks(desk.agent, tid)["follow_up"]["started_at"] == "2026-11-23T15:00:00Z"
    c = log_call(desk.agent, ticket_id=tid)["call"]
    fu = clocks(desk.agent, tid)["follow_up"]
    assert fu["state"] == "running"
    assert abs(epoch(fu["started_at"]) - epoch(c["created_at"])) <= 1


def test_a_call_on_a_closed_ticket_conflicts_and_leaves_nothing(desk):
    t = ticket_of(desk.rita)
    desk.srv.db.execute(f"UPDATE tickets SET status = 'closed' WHERE id = {t['id']}")
    n = db_scalar(desk.srv.db, "SELECT COUNT(*) FROM calls")
    assert_error(desk.agent.post("/api/v2/calls", call_body(ticket_id=t["id"])), 409, "conflict")
    assert db_scalar(desk.srv.db, "SELECT COUNT(*) FROM calls") == n


# ---------------------------------------------------------------- a call that opens a ticket


def test_a_call_opens_a_voice_ticket_met_at_creation(desk):
    out = log_call(desk.agent, subject="Call: pricing for 50k contacts",
                   requester={"name": "Carl Caller", "email": "carl@newco.example"},
                   notes="Wants a quote for 50k contacts; sending it by mail.")
    t, c = out["ticket"], out["call"]
    assert t["via"] == {"channel": "voice"}
    assert (t["subject"], t["submitter_id"], t["description"]) == \
        ("Call: pricing for 50k contacts", desk.agent_id, c["notes"])
    carl = db_query(desk.srv.db, "SELECT id, name, role FROM users "
                                 "WHERE email = 'carl@newco.example'")
    assert carl == [(str(t["requester_id"]), "Carl Caller", "end-user")]
    assert c["ticket_id"] == t["id"]
    first = comments(desk.agent, t["id"])
    assert [(x["id"], x["author_id"], x["public"]) for x in first] == \
        [(c["comment_id"], desk.agent_id, True)]
    ft = clocks(desk.agent, t["id"])["first_touch"]
    assert (ft["state"], ft["started_at"], ft["stopped_at"]) == \
        ("met", t["created_at"], t["created_at"])
    # A voice ticket gets no acknowledgement mail.
    assert db_scalar(desk.srv.db,
                     f"SELECT COUNT(*) FROM outbox WHERE ticket_id = {t['id']}") == "0"
    listed = desk.agent.get(f"/api/v2/tickets/{t['id']}/calls").json()["calls"]
    assert [x["id"] for x in listed] == [c["id"]]


def test_a_call_opens_a_ticket_for_a_known_requester(desk):
    past = iso(int(time.time()) - 600)
    out = log_call(desk.agent, subject="Call: login", requester_id=desk.rita_id, started_at=past)
    assert out["ticket"]["requester_id"] == desk.rita_id
    assert out["call"]["started_at"] == past
    # Inline by an existing address finds the same person.
    again = log_call(desk.agent, subject="Call: again",
                     requester={"email": "RITA@globex.example"})
    assert again["ticket"]["requester_id"] == desk.rita_id


def test_the_ticket_and_the_call_commit_together(fresh):
    # A trigger makes the call row fail after the ticket (and its new requester) were written in
    # the same transaction: nothing of it may stay.
    db = fresh.srv.db
    if db.name is None:
        db.execute("CREATE TRIGGER calls_boom BEFORE INSERT ON calls WHEN NEW.notes = 'boom' "
                   "BEGIN SELECT RAISE(ABORT, 'boom'); END")
    else:
        db.execute("CREATE FUNCTION calls_boom() RETURNS trigger LANGUAGE plpgsql AS "
                   "'BEGIN IF NEW.notes = ''boom'' THEN RAISE EXCEPTION ''boom''; END IF; "
                   "RETURN NEW; END'")
        db.execute("CREATE TRIGGER calls_boom BEFORE INSERT ON calls FOR EACH ROW "
                   "EXECUTE FUNCTION calls_boom()")
    t = ticket_of(fresh.rita)
    counts = "SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM ticket_comments), " \
             "(SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM calls), " \
             "(SELECT COUNT(*) FROM audit_log)"
    before = db_query(db, counts)
    for extra in ({"subject": "Call: lost", "requester": {"email": "lost@new.example"}},
                  {"ticket_id": t["id"]}):
        resp = fresh.agent.post("/api/v2/calls", call_body(notes="boom", **extra))
        assert resp.status_code == 422, resp.text  # the engine refused the row
        assert db_query(db, counts) == before
    assert db_scalar(db, "SELECT COUNT(*) FROM users WHERE email = 'lost@new.example'") == "0"
    assert log_call(fresh.agent, ticket_id=t["id"])["call"]["ticket_id"] == t["id"]


# ---------------------------------------------------------------- validation and access


@pytest.mark.parametrize("change,field", [
    ({"direction": None}, "call.direction"),
    ({"direction": "sideways"}, "call.direction"),
    ({"phone_number": None}, "call.phone_number"),
    ({"phone_number": "1234"}, "call.phone_number"),
    ({"phone_number": "+1 555 01O 0199"}, "call.phone_number"),
    ({"phone_number": "555+0100199"}, "call.phone_number"),
    ({"phone_number": "+1234567890123456"}, "call.phone_number"),
    ({"phone_number": 15550100199}, "call.phone_number"),
    ({"duration_seconds": None}, "call.duration_seconds"),
    ({"duration_seconds": -1}, "call.duration_seconds"),
    ({"duration_seconds": 86401}, "call.duration_seconds"),
    ({"duration_seconds": "60"}, "call.duration_seconds"),
    ({"notes": None}, "call.notes"),
    ({"notes": "  \n "}, "call.notes"),
    ({"notes": "x" * 65537}, "call.notes"),
    ({"started_at": "yesterday"}, "call.started_at"),
    ({"started_at": "2099-01-01T00:00:00Z"}, "call.started_at"),
    ({"public": "yes"}, "call.public"),
    ({"ticket_id": 999999}, "call.ticket_id"),
    ({"ticket_id": "7"}, "call.ticket_id"),
    ({"ticket_id": None}, "call.subject"),
    ({"ticket_id": None, "subject": "Call"}, "call.requester_id"),
    ({"ticket_id": None, "subject": "Call", "requester": {"email": "not-an-address"}},
     "call.requester.email"),
    ({"ticket_id": None, "subject": "Call", "requester_id": 999999}, "call.requester_id"),
    ({"subject": "Not with a ticket"}, "call.subject"),
])
def test_validation_errors_name_the_field(desk, change, field):
    t = ticket_of(desk.rita) if not hasattr(desk, "vt") else desk.vt
    desk.vt = t
    body = call_body(ticket_id=t["id"])
    for k, v in change.items():
        if v is None:
            body["call"].pop(k, None)
        else:
            body["call"][k] = v
    n = db_scalar(desk.srv.db, "SELECT COUNT(*) FROM calls")
    tickets = db_scalar(desk.srv.db, "SELECT COUNT(*) FROM tickets")
    assert_error(desk.agent.post("/api/v2/calls", body), 422, "invalid", field)
    assert db_scalar(desk.srv.db, "SELECT COUNT(*) FROM calls") == n
    assert db_scalar(desk.srv.db, "SELECT COUNT(*) FROM tickets") == tickets


def test_the_body_must_be_wrapped(desk):
    assert_error(desk.agent.post("/api/v2/calls", {"direction": "inbound"}), 422, "invalid",
                 "call")


def test_requesters_get_403_and_anonymous_401(desk):
    t = ticket_of(desk.rita)
    c = log_call(desk.agent, ticket_id=t["id"])["call"]
    for method, path, body in (("GET", "/api/v2/calls", None),
                               ("GET", f"/api/v2/calls?ticket_id={t['id']}", None),
                               ("POST", "/api/v2/calls", call_body(ticket_id=t["id"])),
                               ("GET", f"/api/v2/calls/{c['id']}", None),
                               ("GET", f"/api/v2/tickets/{t['id']}/calls", None)):
        assert_error(desk.rita.request(method, path, body), 403, "forbidden")
        assert_error(desk.anon.request(method, path, body), 401, "unauthorized")


def test_reading_calls(desk):
    t = ticket_of(desk.rita)
    a = log_call(desk.agent, ticket_id=t["id"])["call"]
    b = log_call(desk.lead, ticket_id=t["id"], direction="outbound")["call"]
    resp = desk.agent.get(f"/api/v2/calls/{a['id']}")
    assert resp.status_code == 200 and resp.json() == {"call": a}
    assert_error(desk.agent.get("/api/v2/calls/999999"), 404, "not_found")
    assert_error(desk.agent.get("/api/v2/tickets/999999/calls"), 404, "not_found")
    mine = desk.agent.get(f"/api/v2/calls?ticket_id={t['id']}").json()["calls"]
    assert mine == [a, b]
    page = desk.agent.get(f"/api/v2/tickets/{t['id']}/calls?page[size]=1").json()
    assert page["calls"] == [a] and page["meta"]["has_more"] is True
    nxt = desk.agent.get(page["links"]["next"]).json()
    assert nxt["calls"] == [b] and nxt["meta"]["has_more"] is False
    everything = desk.agent.get("/api/v2/calls").json()["calls"]
    assert {a["id"], b["id"]} <= {x["id"] for x in everything}


def test_call_logged_is_audited(desk):
    t = ticket_of(desk.rita)
    c = log_call(desk.agent, ticket_id=t["id"], public=False)["call"]
    assert audit(desk, "call.logged", c["id"]) == [
        (desk.agent_id, "call", c["id"], {"ticket_id": t["id"], "direction": "inbound",
                                          "public": False, "ticket_created": False})]
    n = log_call(desk.agent, subject="Call: new", requester_id=desk.rita_id)
    assert audit(desk, "call.logged", n["call"]["id"]) == [
        (desk.agent_id, "call", n["call"]["id"], {"ticket_id": n["ticket"]["id"],
                                                  "direction": "inbound", "public": True,
                                                  "ticket_created": True})]


# ---------------------------------------------------------------- callback requests


def test_a_requester_asks_for_a_callback(fresh):
    t = ticket_of(fresh.rita)
    before = int(time.time())
    r = callback(fresh.rita, ticket_id=t["id"], phone_number="+44 (20) 7946-0958")
    assert (r["requester_id"], r["ticket_id"], r["phone_number"], r["status"],
            r["assignee_id"], r["call_id"], r["resolved_at"], r["preferred_time"],
            r["reason"]) == (fresh.rita_id, t["id"], "+442079460958", "open", None, None, None,
                             "weekday mornings", "My invoice looks wrong")
    assert before - 1 <= epoch(r["created_at"]) <= int(time.time()) + 1
    assert 0 <= r["waited_seconds"] <= 5
    plain = callback(fresh.olive, preferred_time=None)
    assert (plain["ticket_id"], plain["preferred_time"]) == (None, "")
    assert audit(fresh, "callback_request.created", r["id"]) == [
        (fresh.rita_id, "callback_request", r["id"], {"ticket_id": t["id"]})]


@pytest.mark.parametrize("change,field", [
    ({"phone_number": None}, "callback_request.phone_number"),
    ({"phone_number": "call me"}, "callback_request.phone_number"),
    ({"reason": None}, "callback_request.reason"),
    ({"reason": "   "}, "callback_request.reason"),
    ({"reason": "x" * 10001}, "callback_request.reason"),
    ({"preferred_time": "x" * 201}, "callback_request.preferred_time"),
    ({"preferred_time": "after\n5"}, "callback_request.preferred_time"),
    ({"ticket_id": 999999}, "callback_request.ticket_id"),
])
def test_callback_validation_names_the_field(desk, change, field):
    c = {"phone_number": "+1 555 010 0199", "reason": "Call me"}
    for k, v in change.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    resp = desk.olive.post("/api/v2/callback_requests", {"callback_request": c})
    assert_error(resp, 422, "invalid", field)


def test_only_their_own_ticket(desk):
    theirs = ticket_of(desk.rita)
    assert_error(ask_callback(desk.olive, ticket_id=theirs["id"]), 422, "invalid",
                 "callback_request.ticket_id")


def test_staff_and_anonymous_cannot_ask(desk):
    assert_error(ask_callback(desk.agent), 403, "forbidden")
    assert_error(ask_callback(desk.anon), 401, "unauthorized")


def test_at_most_three_open_requests(fresh):
    made = [callback(fresh.rita, reason=f"Call {i}") for i in range(3)]
    err = assert_error(ask_callback(fresh.rita), 422, "invalid", "callback_request")
    assert "3" in err["message"]
    # Another requester is not limited by rita's.
    callback(fresh.olive)
    # In progress still counts; cancelled and done do not.
    assert put_callback(fresh.agent, made[0]["id"], status="in_progress").status_code == 200
    assert_error(ask_callback(fresh.rita), 422, "invalid", "callback_request")
    assert put_callback(fresh.rita, made[1]["id"], status="cancelled").status_code == 200
    callback(fresh.rita, reason="Again")
    assert db_scalar(fresh.srv.db, f"SELECT COUNT(*) FROM callback_requests WHERE requester_id "
                                   f"= {fresh.rita_id} AND status IN ('open', 'in_progress')") == "3"


def test_a_banned_requester_cannot_ask(fresh):
    resp = fresh.admin.post(f"/api/v2/users/{fresh.olive_id}/ban", {"reason": "abusive calls"})
    assert resp.status_code == 200, resp.text
    olive = sign_in(fresh.srv, "olive@acme.example")  # the ban ended the session
    assert_error(ask_callback(olive), 403, "requester_banned")
    assert db_scalar(fresh.srv.db, "SELECT COUNT(*) FROM callback_requests") == "0"
    # Nor does a call open a ticket for them (tickets_create refuses every channel but mail).
    tickets = db_scalar(fresh.srv.db, "SELECT COUNT(*) FROM tickets")
    assert_error(fresh.agent.post("/api/v2/calls", call_body(subject="Call: abuse",
                                                             requester_id=fresh.olive_id)),
                 403, "requester_banned")
    assert db_scalar(fresh.srv.db, "SELECT COUNT(*) FROM tickets") == tickets
    assert db_scalar(fresh.srv.db, "SELECT COUNT(*) FROM calls") == "0"


def test_the_queue_oldest_first_and_each_requester_their_own(fresh):
    a = callback(fresh.rita, reason="first")
    fresh.srv.db.execute(f"UPDATE callback_requests SET created_at = created_at - 100 "
                         f"WHERE id = {a['id']}")
    b = callback(fresh.olive, reason="second")
    fresh.srv.db.execute(f"UPDATE callback_requests SET created_at = created_at - 50 "
                         f"WHERE id = {b['id']}")
    c = callback(fresh.rita, reason="third")
    queue = fresh.agent.get("/api/v2/callback_requests?status=open").json()
    assert [r["id"] for r in queue["callback_requests"]] == [a["id"], b["id"], c["id"]]
    waited = [r["waited_seconds"] for r in queue["callback_requests"]]
    assert 100 <= waited[0] <= 105 and 50 <= waited[1] <= 55 and 0 <= waited[2] <= 5
    page = fresh.agent.get("/api/v2/callback_requests?status=open&page[size]=2").json()
    assert [r["id"] for r in page["callback_requests"]] == [a["id"], b["id"]]
    rest = fresh.agent.get(page["links"]["next"]).json()
    assert [r["id"] for r in rest["callback_requests"]] == [c["id"]]
    # A requester lists and reads only their own; another's is 404 to read and to change.
    mine = fresh.rita.get("/api/v2/callback_requests").json()["callback_requests"]
    assert [r["id"] for r in mine] == [a["id"], c["id"]]
    assert fresh.olive.get(f"/api/v2/callback_requests/{b['id']}").status_code == 200
    assert_error(fresh.olive.get(f"/api/v2/callback_requests/{a['id']}"), 404, "not_found")
    assert_error(put_callback(fresh.olive, a["id"], status="cancelled"), 404, "not_found")
    assert_error(fresh.agent.get("/api/v2/callback_requests?status=waiting"), 422, "invalid",
                 "status")
    assert_error(fresh.anon.get("/api/v2/callback_requests"), 401, "unauthorized")
    # Taken requests leave the open queue.
    put_callback(fresh.agent, a["id"], status="in_progress")
    left = fresh.agent.get("/api/v2/callback_requests?status=open").json()["callback_requests"]
    assert [r["id"] for r in left] == [b["id"], c["id"]]
    both = fresh.agent.get("/api/v2/callback_requests?status=open,in_progress").json()
    assert len(both["callback_requests"]) == 3


def test_working_a_callback_and_linking_the_call(fresh):
    r = callback(fresh.rita)
    taken = put_callback(fresh.agent, r["id"], status="in_progress")
    assert taken.status_code == 200, taken.text
    taken = taken.json()["callback_request"]
    assert (taken["status"], taken["assignee_id"], taken["resolved_at"]) == \
        ("in_progress", fresh.agent_id, None)
    # The agent calls back and logs the call as a new voice ticket for rita.
    out = log_call(fresh.agent, direction="outbound", subject="Callback: invoice",
                   requester_id=fresh.rita_id, phone_number=r["phone_number"])
    done = put_callback(fresh.agent, r["id"], status="done", call_id=out["call"]["id"])
    assert done.status_code == 200, done.text
    done = done.json()["callback_request"]
    assert (done["status"], done["call_id"], done["ticket_id"]) == \
        ("done", out["call"]["id"], out["ticket"]["id"])
    assert done["resolved_at"] is not None
    # Done is final.
    for status in ("open", "in_progress", "cancelled"):
        assert_error(put_callback(fresh.agent, r["id"], status=status), 409, "conflict",
                     "callback_request.status")
    assert audit(fresh, "callback_request.status_changed", r["id"]) == [
        (fresh.agent_id, "callback_request", r["id"],
         {"from": "open", "to": "in_progress", "call_id": None}),
        (fresh.agent_id, "callback_request", r["id"],
         {"from": "in_progress", "to": "done", "call_id": out["call"]["id"]})]
    # The requester sees it done, with the call linked.
    seen = fresh.rita.get(f"/api/v2/callback_requests/{r['id']}").json()["callback_request"]
    assert (seen["status"], seen["call_id"]) == ("done", out["call"]["id"])


def test_status_rules(fresh):
    r = callback(fresh.rita)
    assert_error(put_callback(fresh.agent, r["id"], status="done"), 409, "conflict",
                 "callback_request.status")
    assert_error(put_callback(fresh.agent, r["id"], status="finished"), 422, "invalid",
                 "callback_request.status")
    assert_error(put_callback(fresh.agent, r["id"], assignee_id=fresh.lead_id), 422, "invalid",
                 "callback_request.assignee_id")
    assert_error(put_callback(fresh.agent, r["id"], status="in_progress", call_id=1), 422,
                 "invalid", "callback_request.call_id")
    mine = put_callback(fresh.agent, r["id"], assignee_id=fresh.agent_id).json()
    assert mine["callback_request"]["assignee_id"] == fresh.agent_id
    back = put_callback(fresh.agent, r["id"], status="in_progress").json()["callback_request"]
    released = put_callback(fresh.agent, r["id"], status="open", assignee_id=None)
    assert released.json()["callback_request"]["assignee_id"] is None
    assert back["assignee_id"] == fresh.agent_id
    put_callback(fresh.lead, r["id"], status="in_progress")
    assert_error(put_callback(fresh.lead, r["id"], status="done", call_id=999999), 422,
                 "invalid", "callback_request.call_id")
    # The requester may only cancel.
    for fields, field in (({"status": "done"}, "callback_request.status"),
                          ({"status": "in_progress"}, "callback_request.status"),
                          ({"assignee_id": fresh.rita_id}, "callback_request.assignee_id"),
                          ({"call_id": 1}, "callback_request.call_id")):
        assert_error(put_callback(fresh.rita, r["id"], **fields), 403, "forbidden", field)
    gone = put_callback(fresh.rita, r["id"], status="cancelled")
    assert gone.status_code == 200, gone.text
    gone = gone.json()["callback_request"]
    assert gone["status"] == "cancelled" and gone["resolved_at"] is not None
    assert_error(put_callback(fresh.rita, r["id"], status="cancelled"), 409, "conflict")
    assert_error(put_callback(fresh.agent, 999999, status="cancelled"), 404, "not_found")
    assert audit(fresh, "callback_request.status_changed", r["id"])[-1] == \
        (fresh.rita_id, "callback_request", r["id"],
         {"from": "in_progress", "to": "cancelled", "call_id": None})
