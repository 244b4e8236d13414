"""The policy sweep (issue 5, "high when the account's extra support package is active at that
moment"): a package lasts through its last day in the calendar's zone; once it lapsed, the
scheduler's policy_sweep job decides again for the account's open tickets, so a priority derived
from the package drops back to Normal by itself, with an event by the system, and the recorded
decision says the package is no longer active. A priority staff set by hand stays."""

import datetime
import json
import time
import zoneinfo

from conftest import ADMIN, Api, create_admin, db_query, db_scalar, token_create

WHY = "The client's launch depends on it, agreed with the lead"


def local_today():
    return datetime.datetime.now(zoneinfo.ZoneInfo("America/Toronto")).date()


def wait(pred, timeout=8.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def test_a_lapsed_package_drops_the_priority_it_gave(server):
    srv = server(jobs_interval=1)
    create_admin(srv)
    admin = Api(srv, token_create(srv, ADMIN["email"]))
    resp = admin.post("/api/v2/organizations", {"organization": {
        "name": "Lapsing Goods", "support_package_until": local_today().isoformat()}})
    assert resp.status_code == 201, resp.text
    org = resp.json()["organization"]["id"]
    resp = admin.post("/api/v2/users", {"user": {"name": "Lena Lapse", "email": "lena@lapse.example",
                                                 "role": "end-user", "organization_id": org}})
    assert resp.status_code == 201, resp.text
    uid = resp.json()["user"]["id"]

    def create(**extra):
        t = {"subject": "Question", "comment": {"body": "about segments"}, "requester_id": uid}
        t.update(extra)
        r = admin.post("/api/v2/tickets", {"ticket": t})
        assert r.status_code == 201, r.text
        return r.json()["ticket"]

    derived = create()
    by_hand = create(priority="urgent", policy_justification=WHY)
    assert (derived["priority"], derived["policy"]["priority"]["basis"]) == ("high", "package")
    assert derived["policy"]["package_active"] is True
    # The package's last day was yesterday: written behind the API's back, as time passing does.
    yesterday = (local_today() - datetime.timedelta(days=1)).isoformat()
    srv.db.execute(f"UPDATE organizations SET support_package_until = '{yesterday}' "
                   f"WHERE id = {org}")

    def priority(tid):
        return db_scalar(srv.db, f"SELECT priority FROM tickets WHERE id = {tid}")

    assert wait(lambda: priority(derived["id"]) == "normal"), "the sweep did not re-derive"
    t = admin.get(f"/api/v2/tickets/{derived['id']}").json()["ticket"]
    assert (t["policy"]["priority"]["derived"], t["policy"]["package_active"]) == ("normal", False)
    events = db_query(srv.db, f"SELECT actor_id, old_value, new_value FROM ticket_events WHERE "
                              f"ticket_id = {derived['id']} AND field = 'priority' ORDER BY id")
    assert [tuple(e) for e in events][-1] == (None, "high", "normal")
    # staff's priority stays; its recorded decision follows the account
    assert priority(by_hand["id"]) == "urgent"
    assert wait(lambda: json.loads(db_scalar(
        srv.db, f"SELECT policy FROM tickets WHERE id = {by_hand['id']}"))["package_active"] is False)
