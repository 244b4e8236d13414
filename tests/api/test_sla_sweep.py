"""The SLA sweep (issue 4): clocks move to warning and breached on time, each crossing is
recorded as one ticket event and notified once through the outbox (a warning to the assignee, a
breach to the support leads), the scheduler wakes for the next crossing instead of a whole
interval, and two server processes on one database record every crossing exactly once.

The calendar is made always open, so business time is wall time and crossings can be placed a
few seconds ahead: a ticket imported as submitted 90 minutes minus a few seconds ago crosses its
first-touch warning (90 business minutes) a few seconds later."""

import datetime
import time

from conftest import ADMIN, Api, create_admin, db_query, db_scalar, staff_add, token_create

ALWAYS = {"hours": {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
          "holidays": {"presets": []}}


def iso(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def setup_desk(server, **flags):
    flags.setdefault("jobs_interval", 3600)  # the sweep must wake by itself, not by the interval
    srv = server(**flags)
    create_admin(srv)
    admin = Api(srv, token_create(srv, ADMIN["email"]))
    agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
    lead_id = staff_add(srv, "lead@example.com", "Lee Lead", "lead")
    resp = admin.post("/api/v2/users", {"user": {"name": "Rita", "email": "rita@example.com",
                                                 "role": "end-user"}})
    assert resp.status_code == 201, resp.text
    rita = resp.json()["user"]["id"]
    assert admin.put("/api/v2/calendar", {"calendar": ALWAYS}).status_code == 200
    return srv, admin, agent_id, lead_id, rita


def import_ticket(admin, rita, agent_id, submitted_at, subject="Checkout fails"):
    resp = admin.post("/api/v2/imports/tickets", {"ticket": {
        "subject": subject, "requester_id": rita, "assignee_id": agent_id, "status": "new",
        "created_at": iso(submitted_at),
        "comments": [{"author_id": rita, "value": "It fails", "created_at": iso(submitted_at)}]}})
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]


def crossings(srv, tid):
    return db_query(srv.db, f"SELECT field, new_value, at FROM ticket_events WHERE ticket_id = "
                            f"{int(tid)} AND field LIKE 'sla_%' ORDER BY id")


def mail(srv, tid):
    return db_query(srv.db, f"SELECT kind, to_address FROM outbox WHERE ticket_id = {int(tid)} "
                            f"AND kind LIKE 'sla_%' ORDER BY id")


def wait_for(check, timeout=12.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_a_warning_is_recorded_on_time_and_mailed_to_the_assignee(server):
    srv, admin, agent_id, lead_id, rita = setup_desk(server)
    now = int(time.time())
    t = import_ticket(admin, rita, agent_id, now - 90 * 60 + 3)  # warns in 3 s
    assert t["sla"]["state"] == "running"
    assert crossings(srv, t["id"]) == []
    assert wait_for(lambda: crossings(srv, t["id"]))
    [(field, state, at)] = crossings(srv, t["id"])
    assert (field, state, int(at)) == ("sla_first_touch", "warning", now + 3)
    assert wait_for(lambda: mail(srv, t["id"]))
    assert mail(srv, t["id"]) == [("sla_warning", "agent@example.com")]
    shown = admin.get(f"/api/v2/tickets/{t['id']}").json()["ticket"]["sla"]
    assert shown["state"] == "warning"
    time.sleep(2)  # more sweeps: nothing is recorded or sent twice
    assert len(crossings(srv, t["id"])) == 1 and len(mail(srv, t["id"])) == 1


def test_a_breach_goes_to_the_leads_and_past_crossings_are_recorded_without_mail(server):
    srv, admin, agent_id, lead_id, rita = setup_desk(server)
    now = int(time.time())
    t = import_ticket(admin, rita, agent_id, now - 120 * 60 + 3)  # warned 27 min ago, due in 3 s
    # The import recorded the warning it finds in the past, and sends nothing (imports never do).
    assert [c[:2] for c in crossings(srv, t["id"])] == [("sla_first_touch", "warning")]
    assert mail(srv, t["id"]) == []
    assert wait_for(lambda: len(crossings(srv, t["id"])) == 2)
    assert [c[:2] for c in crossings(srv, t["id"])] == [("sla_first_touch", "warning"),
                                                        ("sla_first_touch", "breached")]
    assert wait_for(lambda: mail(srv, t["id"]))
    assert mail(srv, t["id"]) == [("sla_breach", "lead@example.com")]


def test_an_answered_ticket_crosses_nothing(server):
    srv, admin, agent_id, lead_id, rita = setup_desk(server)
    now = int(time.time())
    t = import_ticket(admin, rita, agent_id, now - 90 * 60 + 3)
    resp = admin.put(f"/api/v2/tickets/{t['id']}", {"ticket": {
        "status": "pending", "comment": {"body": "Which browser?", "public": True}}})
    assert resp.status_code == 200, resp.text
    time.sleep(6)
    assert crossings(srv, t["id"]) == [] and mail(srv, t["id"]) == []
    assert db_scalar(srv.db, f"SELECT sla_next_at FROM tickets WHERE id = {t['id']}") is None


def test_two_processes_record_each_crossing_once(server):
    srv, admin, agent_id, lead_id, rita = setup_desk(server)
    other = server(db=srv.db, init=False, jobs_interval=3600)
    count = 150
    at = int(time.time()) - 90 * 60 + 10  # every one warns in about 10 s
    ids = [import_ticket(admin, rita, agent_id, at, f"ticket {i}")["id"] for i in range(count)]
    assert wait_for(lambda: int(db_scalar(srv.db, "SELECT count(*) FROM ticket_events WHERE "
                                                  "field = 'sla_first_touch'")) == count, 25)
    time.sleep(2)
    twice = db_query(srv.db, "SELECT ticket_id, count(*) FROM ticket_events WHERE field = "
                             "'sla_first_touch' GROUP BY ticket_id HAVING count(*) <> 1")
    assert twice == []
    mails = int(db_scalar(srv.db, "SELECT count(*) FROM outbox WHERE kind = 'sla_warning'"))
    assert mails == count
    swept = [e["refreshed"] for s in (srv, other) for e in s.log_entries()
             if e.get("event") == "sla_sweep"]
    assert sum(swept) == count, swept
    assert len(ids) == count


def test_a_ticket_without_history_does_not_block_the_sweep(server):
    """Rows written outside the API have no events to judge: the sweep clears their clock and
    goes on with the others instead of failing its batch forever."""
    srv, admin, agent_id, lead_id, rita = setup_desk(server)
    now = int(time.time())
    bare = import_ticket(admin, rita, agent_id, now - 3600, "no history")
    srv.db.execute(f"DELETE FROM ticket_events WHERE ticket_id = {bare['id']}")
    srv.db.execute(f"UPDATE tickets SET sla_next_at = 1 WHERE id = {bare['id']}")
    t = import_ticket(admin, rita, agent_id, now - 90 * 60 + 3)
    assert wait_for(lambda: crossings(srv, t["id"]))
    assert db_scalar(srv.db, f"SELECT sla_next_at FROM tickets WHERE id = {bare['id']}") is None


def test_auto_close_ends_a_paused_follow_up(server):
    """A solved ticket's follow-up is paused; closing it (the auto-close job) cancels it, and
    the sweep brings the stored summary up to date."""
    srv, admin, agent_id, lead_id, rita = setup_desk(server, jobs_interval=1,
                                                     autoclose_after_days=3)
    now = int(time.time())
    t = import_ticket(admin, rita, agent_id, now - 3600)
    resp = admin.put(f"/api/v2/tickets/{t['id']}", {"ticket": {
        "status": "open", "comment": {"body": "Working on it", "public": True}}})
    assert resp.status_code == 200 and resp.json()["ticket"]["sla"]["state"] == "running"
    time.sleep(1.1)  # events of one second are judged together: solve it a second later
    resp = admin.put(f"/api/v2/tickets/{t['id']}", {"ticket": {"status": "solved"}})
    assert resp.json()["ticket"]["sla"]["state"] == "paused"
    srv.db.execute(f"UPDATE tickets SET solved_at = {now - 4 * 86400} WHERE id = {t['id']}")
    assert wait_for(lambda: db_scalar(srv.db, f"SELECT status FROM tickets WHERE id = {t['id']}")
                    == "closed")
    assert wait_for(lambda: db_scalar(srv.db, f"SELECT sla_state FROM tickets WHERE id = "
                                              f"{t['id']}") == "met")
    full = admin.get(f"/api/v2/tickets/{t['id']}/sla").json()["sla"]
    assert (full["first_touch"]["state"], full["follow_up"]["state"]) == ("met", "cancelled")
