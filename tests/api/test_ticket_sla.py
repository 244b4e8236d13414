"""SLA clocks on tickets (issue 4): the summary on every ticket object and GET
/api/v2/tickets/{id}/sla, computed from the ticket's history on the support calendar. Histories
are given a past through the import API so the instants are known; the calendar is the default
(America/Toronto, Mon-Fri 09:00-17:00, CA-ON)."""

import pytest

from conftest import assert_error
from test_tickets import TICKET_KEYS, create, desk, update  # noqa: F401 (desk is a fixture)


def imported(desk, status="open", priority="normal", comments=(), created="2026-11-20T21:30:00Z",
             **extra):
    """A ticket of rita's imported with a past: created Friday 2026-11-20 16:30 EST."""
    t = {"subject": "Checkout fails", "requester_id": desk.rita_id, "status": status,
         "priority": priority, "created_at": created,
         "comments": [{"author_id": desk.rita_id, "value": "It fails", "created_at": created},
                      *comments]}
    t.update(extra)
    resp = desk.admin.post("/api/v2/imports/tickets", {"ticket": t})
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]


def clocks(api, tid):
    resp = api.get(f"/api/v2/tickets/{tid}/sla")
    assert resp.status_code == 200, resp.text
    return resp.json()["sla"]


def test_every_ticket_carries_its_sla_summary(desk):
    t = create(desk.agent, requester_id=desk.rita_id)
    assert set(t) == TICKET_KEYS
    assert set(t["sla"]) == {"state", "warn_at", "due_at"}
    assert t["sla"]["state"] == "running"
    full = clocks(desk.agent, t["id"])
    assert full["first_touch"]["state"] == "running"
    assert full["first_touch"]["due_at"] == t["sla"]["due_at"]
    assert full["follow_up"]["state"] is None


def test_first_touch_due_after_two_business_hours_across_the_weekend(desk):
    # Friday 16:30 EST: 30 minutes Friday, 90 minutes Monday -> due Monday 10:30 EST (15:30Z),
    # warned Monday 10:00 EST (15:00Z). Long past now: breached.
    t = imported(desk, status="new")
    assert t["sla"] == {"state": "breached", "warn_at": "2026-11-23T15:00:00Z",
                        "due_at": "2026-11-23T15:30:00Z"}
    ft = clocks(desk.agent, t["id"])["first_touch"]
    assert (ft["started_at"], ft["state"], ft["stopped_at"]) == ("2026-11-20T21:30:00Z",
                                                                 "breached", None)


def test_a_staff_reply_meets_the_first_touch_and_starts_a_follow_up(desk):
    # The agent answers Monday 10:00 EST (15:00Z), leaving the ticket open: first touch met; the
    # Normal follow-up (24 business hours) runs from then: due Thursday 10:00 EST (15:00Z).
    t = imported(desk, comments=[{"author_id": desk.agent_id, "value": "Looking into it",
                                  "created_at": "2026-11-23T15:00:00Z"}])
    c = clocks(desk.agent, t["id"])
    assert (c["first_touch"]["state"], c["first_touch"]["stopped_at"]) == \
        ("met", "2026-11-23T15:00:00Z")
    fu = c["follow_up"]
    assert fu["started_at"] == "2026-11-23T15:00:00Z"
    assert fu["due_at"] == "2026-11-26T15:00:00Z"
    assert fu["warn_at"] == "2026-11-24T15:00:00Z"


def test_an_internal_note_is_no_answer(desk):
    t = imported(desk, status="new", comments=[
        {"author_id": desk.agent_id, "value": "note to self", "public": False,
         "created_at": "2026-11-23T14:30:00Z"}])
    assert clocks(desk.agent, t["id"])["first_touch"]["state"] == "breached"


def test_a_logged_call_is_met_at_once(desk):
    t = imported(desk, status="new", via={"channel": "voice"})
    ft = clocks(desk.agent, t["id"])["first_touch"]
    assert (ft["state"], ft["stopped_at"]) == ("met", "2026-11-20T21:30:00Z")


def test_closed_without_a_reply_is_cancelled(desk):
    t = imported(desk, status="closed", solved_at="2026-11-21T10:00:00Z",
                 updated_at="2026-11-21T10:00:00Z")
    assert clocks(desk.agent, t["id"])["first_touch"]["state"] == "cancelled"
    assert t["sla"]["state"] is None  # nothing ticks on a closed ticket


def test_updates_refresh_the_summary(desk):
    t = create(desk.agent, requester_id=desk.rita_id)
    assert t["sla"]["state"] == "running"
    t = update(desk.agent, t["id"], status="pending", comment={"body": "Which browser?"})
    # answered, waiting on the requester: first touch met, no follow-up running
    assert t["sla"] == {"state": "met", "warn_at": None, "due_at": None}
    t = update(desk.rita, t["id"], comment={"body": "Firefox"})
    assert t["status"] == "open" and t["sla"]["state"] == "running" and t["sla"]["due_at"]


def test_requesters_see_their_own_tickets_clocks_only(desk):
    mine = create(desk.rita, subject="mine")
    assert clocks(desk.rita, mine["id"])["first_touch"]["state"] == "running"
    other = create(desk.agent, requester_id=desk.mike_id, subject="mike's")
    assert_error(desk.rita.get(f"/api/v2/tickets/{other['id']}/sla"), 404, "not_found")
    assert_error(desk.anon.get(f"/api/v2/tickets/{mine['id']}/sla"), 401, "unauthorized")
    assert_error(desk.agent.get("/api/v2/tickets/999999/sla"), 404, "not_found")
