"""The duty roster (issue 5): a weekly rotation of leads from an anchor Monday in the calendar's
zone (America/Toronto by default) plus one-off overrides, edited by admins only, says who is on
duty now (GET /api/v2/roster/now); SLA breach mail goes to that lead alone.

The server runs on the real clock, so expected answers are computed here from the same instant
with Python's zoneinfo (the week that holds now, and when it ends)."""

import datetime
import json
import time
from zoneinfo import ZoneInfo

import pytest

from conftest import (ADMIN, Api, add_requester, assert_error, create_admin, db_query, db_scalar,
                      sign_in, staff_add, token_create)

ZONE = ZoneInfo("America/Toronto")
ALWAYS = {"hours": {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
          "holidays": {"presets": []}}


def iso(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def this_monday():
    """The local date of this week's Monday in Toronto, and the UTC instant next week begins."""
    today = datetime.datetime.now(ZONE).date()
    monday = today - datetime.timedelta(days=today.weekday())
    nxt = monday + datetime.timedelta(days=7)
    start = datetime.datetime(nxt.year, nxt.month, nxt.day, tzinfo=ZONE)
    return monday, iso(start.timestamp())


class Desk:
    def __init__(self, srv):
        self.srv = srv
        self.admin_id = create_admin(srv)
        self.admin = Api(srv, token_create(srv, ADMIN["email"]))
        self.lead1 = staff_add(srv, "lena@example.com", "Lena Lead", "lead")
        self.lead2 = staff_add(srv, "luis@example.com", "Luis Lead", "lead")
        self.agent_id = staff_add(srv, "agnes@example.com", "Agnes Agent", "agent")
        self.lead = Api(srv, token_create(srv, "lena@example.com"))
        self.agent = Api(srv, token_create(srv, "agnes@example.com"))
        add_requester(srv, "rita@example.com", "Rita Requester")
        self.requester = sign_in(srv, "rita@example.com")

    def put_roster(self, anchor, ids):
        return self.admin.put("/api/v2/roster", {"roster": {"anchor_date": anchor,
                                                            "lead_ids": ids}})

    def add_override(self, user_id, starts, ends, reason="covering a holiday", api=None):
        return (api or self.admin).post("/api/v2/roster/overrides", {"roster_override": {
            "user_id": user_id, "starts_at": iso(starts), "ends_at": iso(ends),
            "reason": reason}})

    def now(self):
        resp = self.agent.get("/api/v2/roster/now")
        assert resp.status_code == 200, resp.text
        return resp.json()["on_duty"]

    def audit(self, action):
        return [json.loads(d) for (d,) in db_query(
            self.srv.db, f"SELECT detail FROM audit_log WHERE action = '{action}' ORDER BY id")]


@pytest.fixture
def desk(server):
    return Desk(server())


NOBODY = {"user_id": None, "name": None, "email": None, "source": "none", "until": None}


def test_an_empty_roster_puts_nobody_on_duty_and_staff_only_read_it(desk):
    resp = desk.agent.get("/api/v2/roster")
    assert resp.status_code == 200
    assert resp.json() == {"roster": {"anchor_date": None, "lead_ids": [], "updated_at": None}}
    assert desk.now() == NOBODY
    listed = desk.agent.get("/api/v2/roster/overrides")
    assert listed.status_code == 200 and listed.json()["roster_overrides"] == []
    for path in ("/api/v2/roster", "/api/v2/roster/now", "/api/v2/roster/overrides"):
        assert_error(desk.requester.get(path), 403, "forbidden")
        assert Api(desk.srv).get(path).status_code == 401
    # An empty rotation saved explicitly is still nobody.
    monday, _ = this_monday()
    assert desk.put_roster(monday.isoformat(), []).status_code == 200
    assert desk.now() == NOBODY


def test_only_admins_edit_the_roster(desk):
    monday, _ = this_monday()
    body = {"roster": {"anchor_date": monday.isoformat(), "lead_ids": [desk.lead1]}}
    for api in (desk.agent, desk.lead, desk.requester):
        assert_error(api.put("/api/v2/roster", body), 403, "forbidden")
        now = int(time.time())
        assert_error(desk.add_override(desk.lead1, now, now + 3600, api=api), 403, "forbidden")
    now = int(time.time())
    created = desk.add_override(desk.lead1, now, now + 3600)
    assert created.status_code == 201, created.text
    oid = created.json()["roster_override"]["id"]
    for api in (desk.agent, desk.lead):
        assert_error(api.request("DELETE", f"/api/v2/roster/overrides/{oid}"), 403, "forbidden")
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM duty_roster") == "0"
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM duty_roster_overrides") == "1"
    assert len(desk.audit("roster.changed")) == 0 and len(desk.audit("roster.override_removed")) == 0


def test_the_rotation_counts_weeks_from_the_anchor_monday(desk):
    monday, week_end = this_monday()
    ids = [desk.lead1, desk.lead2, desk.admin_id]
    anchor = (monday - datetime.timedelta(weeks=7)).isoformat()  # week 7: 7 mod 3 = 1
    resp = desk.put_roster(anchor, ids)
    assert resp.status_code == 200, resp.text
    saved = resp.json()["roster"]
    assert saved["anchor_date"] == anchor and saved["lead_ids"] == ids
    assert desk.agent.get("/api/v2/roster").json() == {"roster": saved}
    assert desk.now() == {"user_id": desk.lead2, "name": "Luis Lead", "email": "luis@example.com",
                          "source": "rotation", "until": week_end}
    assert desk.audit("roster.changed") == [{"anchor_date": anchor, "lead_ids": ids}]
    row = db_query(desk.srv.db, "SELECT actor_id, target_type, target_id FROM audit_log "
                                "WHERE action = 'roster.changed'")
    assert row == [(str(desk.admin_id), "roster", "1")]
    # An anchor ahead of this week counts backwards: week -1 is the last lead.
    anchor = (monday + datetime.timedelta(weeks=1)).isoformat()
    assert desk.put_roster(anchor, ids).status_code == 200
    assert desk.now()["user_id"] == desk.admin_id
    anchor = (monday + datetime.timedelta(weeks=5)).isoformat()  # -5 mod 3 = 1
    assert desk.put_roster(anchor, ids).status_code == 200
    assert desk.now()["user_id"] == desk.lead2
    # Replacing the list replaces it whole.
    assert desk.put_roster(monday.isoformat(), [desk.lead1]).status_code == 200
    assert db_query(desk.srv.db, "SELECT slot, user_id FROM duty_roster_leads ORDER BY slot") == [
        ("0", str(desk.lead1))]
    assert desk.now()["user_id"] == desk.lead1


def test_a_lead_who_left_the_staff_is_skipped(desk):
    monday, week_end = this_monday()
    assert desk.put_roster(monday.isoformat(), [desk.lead1, desk.lead2]).status_code == 200
    assert desk.now()["user_id"] == desk.lead1
    resp = desk.admin.put(f"/api/v2/users/{desk.lead1}", {"user": {"role": "agent"}})
    assert resp.status_code == 200, resp.text
    assert desk.now() == {"user_id": desk.lead2, "name": "Luis Lead", "email": "luis@example.com",
                          "source": "rotation", "until": week_end}
    # The list keeps them (an admin sees whom to replace); an override naming them is ignored.
    assert desk.agent.get("/api/v2/roster").json()["roster"]["lead_ids"] == [desk.lead1, desk.lead2]
    now = int(time.time())
    db_now = desk.srv.db
    db_now.execute(f"INSERT INTO duty_roster_overrides (user_id, starts_at, ends_at, reason, "
                   f"created_at) VALUES ({desk.lead1}, {now - 60}, {now + 3600}, 'old', {now})")
    assert desk.now()["user_id"] == desk.lead2
    resp = desk.admin.put(f"/api/v2/users/{desk.lead2}", {"user": {"active": False}})
    assert resp.status_code == 200, resp.text
    assert desk.now() == NOBODY
    # Re-saving a list naming them is refused.
    assert_error(desk.put_roster(monday.isoformat(), [desk.lead1]), 422, "invalid",
                 "roster.lead_ids")


@pytest.mark.parametrize("anchor", [None, "", "2026-11-03", "2026-02-30", "26-11-02",
                                    "2026-11-2", "2026-11-02T00:00:00Z", "1969-12-29", 20261102])
def test_a_bad_anchor_date_is_named(desk, anchor):
    body = {"roster": {"lead_ids": [desk.lead1]}}
    if anchor is not None:
        body["roster"]["anchor_date"] = anchor
    assert_error(desk.admin.put("/api/v2/roster", body), 422, "invalid", "roster.anchor_date")
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM duty_roster") == "0"


def test_bad_lead_ids_are_named(desk):
    monday, _ = this_monday()
    m = monday.isoformat()
    for ids in (None, "1", [0], [-3], ["x"], [1.5], [desk.agent_id], [999999],
                [desk.lead1, desk.lead1], list(range(1, 102))):
        body = {"roster": {"anchor_date": m}}
        if ids is not None:
            body["roster"]["lead_ids"] = ids
        err = assert_error(desk.admin.put("/api/v2/roster", body), 422, "invalid", "roster.lead_ids")
        assert err["message"], ids
    err = assert_error(desk.put_roster(m, [desk.lead1, desk.agent_id]), 422, "invalid",
                       "roster.lead_ids")
    assert str(desk.agent_id) in err["message"]
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM duty_roster_leads") == "0"
    assert_error(desk.admin.put("/api/v2/roster", {"anchor_date": m}), 422, "invalid", "roster")


def test_bad_overrides_are_named(desk):
    now = int(time.time())
    cases = [
        ({"starts_at": iso(now), "ends_at": iso(now + 60), "reason": "r"}, "roster_override.user_id"),
        ({"user_id": desk.agent_id, "starts_at": iso(now), "ends_at": iso(now + 60), "reason": "r"},
         "roster_override.user_id"),
        ({"user_id": 999999, "starts_at": iso(now), "ends_at": iso(now + 60), "reason": "r"},
         "roster_override.user_id"),
        ({"user_id": "2", "starts_at": iso(now), "ends_at": iso(now + 60), "reason": "r"},
         "roster_override.user_id"),
        ({"user_id": desk.lead1, "ends_at": iso(now + 60), "reason": "r"}, "roster_override.starts_at"),
        ({"user_id": desk.lead1, "starts_at": "tomorrow", "ends_at": iso(now + 60), "reason": "r"},
         "roster_override.starts_at"),
        ({"user_id": desk.lead1, "starts_at": iso(now), "reason": "r"}, "roster_override.ends_at"),
        ({"user_id": desk.lead1, "starts_at": iso(now), "ends_at": iso(now), "reason": "r"},
         "roster_override.ends_at"),
        ({"user_id": desk.lead1, "starts_at": iso(now - 7200), "ends_at": iso(now - 3600),
          "reason": "r"}, "roster_override.ends_at"),
        ({"user_id": desk.lead1, "starts_at": iso(now), "ends_at": iso(now + 367 * 86400),
          "reason": "r"}, "roster_override.ends_at"),
        ({"user_id": desk.lead1, "starts_at": iso(now), "ends_at": iso(now + 60)},
         "roster_override.reason"),
        ({"user_id": desk.lead1, "starts_at": iso(now), "ends_at": iso(now + 60), "reason": "  "},
         "roster_override.reason"),
        ({"user_id": desk.lead1, "starts_at": iso(now), "ends_at": iso(now + 60),
          "reason": "two\nlines"}, "roster_override.reason"),
        ({"user_id": desk.lead1, "starts_at": iso(now), "ends_at": iso(now + 60),
          "reason": "x" * 501}, "roster_override.reason"),
        ({"user_id": desk.lead1, "starts_at": iso(now), "ends_at": iso(now + 60), "reason": 7},
         "roster_override.reason"),
    ]
    for body, field in cases:
        resp = desk.admin.post("/api/v2/roster/overrides", {"roster_override": body})
        assert_error(resp, 422, "invalid", field)
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM duty_roster_overrides") == "0"
    assert desk.audit("roster.override_added") == []
    ok = desk.add_override(desk.lead1, now, now + 60, reason="  x" * 1 + "y" * 497 + "  ")
    assert ok.status_code == 201, ok.text
    assert ok.json()["roster_override"]["reason"] == "x" + "y" * 497


def test_the_newest_override_wins_and_removing_it_restores_the_one_below(desk):
    monday, week_end = this_monday()
    assert desk.put_roster(monday.isoformat(), [desk.lead1]).status_code == 200
    now = int(time.time())
    first = desk.add_override(desk.lead2, now - 60, now + 7200, "Lena is at a conference")
    assert first.status_code == 201, first.text
    o1 = first.json()["roster_override"]
    assert o1 == {"id": o1["id"], "user_id": desk.lead2, "starts_at": iso(now - 60),
                  "ends_at": iso(now + 7200), "reason": "Lena is at a conference",
                  "created_by": desk.admin_id, "created_at": o1["created_at"]}
    assert desk.now() == {"user_id": desk.lead2, "name": "Luis Lead", "email": "luis@example.com",
                          "source": "override", "until": iso(now + 7200)}
    # A newer override inside the first wins while it lasts; an older one never shows through.
    second = desk.add_override(desk.admin_id, now - 30, now + 3600, "Luis is out this afternoon")
    assert second.status_code == 201
    o2 = second.json()["roster_override"]
    assert desk.now() == {"user_id": desk.admin_id, "name": ADMIN["name"], "email": ADMIN["email"],
                          "source": "override", "until": iso(now + 3600)}
    # One that starts later inside the current one is when the answer changes next.
    third = desk.add_override(desk.lead1, now + 1800, now + 2400, "handover")
    assert third.status_code == 201
    assert desk.now()["until"] == iso(now + 1800)
    listed = desk.agent.get("/api/v2/roster/overrides?page[size]=2")
    assert listed.status_code == 200
    assert [o["id"] for o in listed.json()["roster_overrides"]] == [o1["id"], o2["id"]]
    assert listed.json()["meta"]["has_more"] is True
    assert desk.admin.request("DELETE", f"/api/v2/roster/overrides/{o2['id']}").status_code == 204
    assert desk.now()["user_id"] == desk.lead2
    assert_error(desk.admin.request("DELETE", f"/api/v2/roster/overrides/{o2['id']}"), 404,
                 "not_found")
    assert desk.audit("roster.override_added")[0] == {
        "user_id": desk.lead2, "starts_at": iso(now - 60), "ends_at": iso(now + 7200),
        "reason": "Lena is at a conference"}
    assert desk.audit("roster.override_removed") == [{
        "user_id": desk.admin_id, "starts_at": iso(now - 30), "ends_at": iso(now + 3600),
        "reason": "Luis is out this afternoon"}]
    rows = db_query(desk.srv.db, "SELECT target_type, target_id FROM audit_log WHERE action = "
                                 "'roster.override_removed'")
    assert rows == [("roster_override", str(o2["id"]))]
    # Without the overrides, the rotation again, until the week ends.
    for o in (o1, third.json()["roster_override"]):
        assert desk.admin.request("DELETE", f"/api/v2/roster/overrides/{o['id']}").status_code == 204
    assert desk.now() == {"user_id": desk.lead1, "name": "Lena Lead", "email": "lena@example.com",
                          "source": "rotation", "until": week_end}


def test_an_override_with_no_rotation_and_one_ahead(desk):
    now = int(time.time())
    assert desk.add_override(desk.lead2, now + 600, now + 1200).status_code == 201
    assert desk.now() == dict(NOBODY, until=iso(now + 600))


# ---------------------------------------------------------------- SLA breach mail


def breach_setup(server):
    srv = server(jobs_interval=3600)
    desk = Desk(srv)
    assert desk.admin.put("/api/v2/calendar", {"calendar": ALWAYS}).status_code == 200
    resp = desk.admin.post("/api/v2/users", {"user": {"name": "Rosa", "email": "rosa@example.com",
                                                      "role": "end-user"}})
    assert resp.status_code == 201, resp.text
    return desk, resp.json()["user"]["id"]


def import_breaching(desk, requester):
    """A ticket whose first-touch clock (120 business minutes, the calendar always open) is due
    in 3 s."""
    at = int(time.time()) - 120 * 60 + 3
    resp = desk.admin.post("/api/v2/imports/tickets", {"ticket": {
        "subject": "Checkout fails", "requester_id": requester, "assignee_id": desk.agent_id,
        "status": "new", "created_at": iso(at),
        "comments": [{"author_id": requester, "value": "It fails", "created_at": iso(at)}]}})
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]["id"]


def breach_mail(desk, tid, timeout=12.0):
    sql = (f"SELECT to_address FROM outbox WHERE ticket_id = {int(tid)} AND kind = 'sla_breach' "
           f"ORDER BY id")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not db_query(desk.srv.db, sql):
        time.sleep(0.2)
    time.sleep(1)  # a second sweep sends nothing more
    return [a for (a,) in db_query(desk.srv.db, sql)]


def test_a_breach_is_mailed_only_to_the_lead_on_duty(server):
    desk, rosa = breach_setup(server)
    now = int(time.time())
    assert desk.add_override(desk.lead2, now - 60, now + 3600).status_code == 201
    tid = import_breaching(desk, rosa)
    assert breach_mail(desk, tid) == ["luis@example.com"]


def test_a_breach_with_nobody_on_duty_goes_to_every_lead(server):
    desk, rosa = breach_setup(server)
    monday, _ = this_monday()
    assert desk.put_roster(monday.isoformat(), [desk.lead1]).status_code == 200
    resp = desk.admin.put(f"/api/v2/users/{desk.lead1}", {"user": {"role": "agent"}})
    assert resp.status_code == 200
    assert desk.now() == NOBODY
    tid = import_breaching(desk, rosa)
    assert breach_mail(desk, tid) == ["luis@example.com"]  # the one lead left: today's rule


# ---------------------------------------------------------------- roster_lead_on_duty() callers


def test_only_the_lead_on_duty_passes_the_refusal_permission_check(desk):
    """POST .../service_refusal asks roster_lead_on_duty() (the C contract): another lead is 403
    not_on_duty; the lead on duty gets past the permission check to the evidence check."""
    org = int(desk.admin.post("/api/v2/organizations", {"organization": {
        "name": "Phishy Ltd"}}).json()["organization"]["id"])
    monday, _ = this_monday()
    assert desk.put_roster(monday.isoformat(), [desk.lead2]).status_code == 200
    body = {"reason": "phishing kit hosted on the account", "incident_id": 999}
    path = f"/api/v2/organizations/{org}/service_refusal"
    assert_error(desk.lead.post(path, body), 403, "not_on_duty")
    now = int(time.time())
    assert desk.add_override(desk.lead1, now - 60, now + 600).status_code == 201
    resp = desk.lead.post(path, body)
    assert resp.status_code != 403, resp.text
    assert_error(resp, 422, "invalid", "service_refusal.evidence")
