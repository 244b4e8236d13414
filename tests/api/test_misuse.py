"""Misuse incidents, evidence, high risk and refusal of service (POLICY.md clause 12; issue 5,
"Misuse and refusal of service"): incidents are staff-only, refusal needs evidence and a reason
and is for the support lead on duty (the duty roster) or an admin; it closes the account's
tickets with the refusal notice and mails each affected requester through the outbox."""

import datetime
import json
import urllib.parse
from dataclasses import dataclass

import pytest

from conftest import (ADMIN, Api, ServerPool, add_organization, add_requester, assert_error,
                      create_admin, db_query, db_scalar, sign_in, staff_add, token_create)


@dataclass
class Desk:
    srv: object
    admin_id: int
    admin: Api
    agent_id: int
    agent: Api
    lead_on_id: int
    lead_on: Api
    lead_off_id: int
    lead_off: Api
    acme: int
    globex: int
    initech: int
    olive_id: int
    olive: Api
    mike_id: int
    mike: Api
    rita_id: int
    rita: Api
    anon: Api


def this_monday():
    today = datetime.datetime.now(datetime.timezone.utc).date()
    return (today - datetime.timedelta(days=today.weekday())).isoformat()


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("misuse"))
    try:
        srv = pool.start()
        db = srv.db
        admin_id = create_admin(srv)
        agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
        lead_on_id = staff_add(srv, "lena@example.com", "Lena Lead", "lead")
        lead_off_id = staff_add(srv, "otto@example.com", "Otto Offduty", "lead")
        acme, globex = add_organization(db, "Acme Shop"), add_organization(db, "Globex Store")
        initech = add_organization(db, "Initech")
        olive_id = add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
        mike_id = add_requester(srv, "mike@acme.example", "Mike Member", acme, "member")
        rita_id = add_requester(srv, "rita@globex.example", "Rita Globex", globex, "member")
        admin = Api(srv, token_create(srv, ADMIN["email"]))
        # A one-lead rotation: Lena is on duty every week, Otto never.
        resp = admin.put("/api/v2/roster", {"roster": {"anchor_date": this_monday(),
                                                       "lead_ids": [lead_on_id]}})
        assert resp.status_code == 200, resp.text
        yield Desk(srv=srv, admin_id=admin_id, admin=admin,
                   agent_id=agent_id, agent=Api(srv, token_create(srv, "agent@example.com")),
                   lead_on_id=lead_on_id, lead_on=Api(srv, token_create(srv, "lena@example.com")),
                   lead_off_id=lead_off_id,
                   lead_off=Api(srv, token_create(srv, "otto@example.com")),
                   acme=acme, globex=globex, initech=initech,
                   olive_id=olive_id, olive=sign_in(srv, "olive@acme.example"),
                   mike_id=mike_id, mike=sign_in(srv, "mike@acme.example"),
                   rita_id=rita_id, rita=sign_in(srv, "rita@globex.example"), anon=Api(srv))
    finally:
        pool.close()


def new_ticket(api, subject="Where is my order?"):
    resp = api.post("/api/v2/tickets", {"ticket": {"subject": subject,
                                                   "comment": {"body": "Please help me"}}})
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]["id"]


def open_incident(api, org, summary="Phishing pages hosted on the store", **extra):
    body = {"organization_id": org, "summary": summary}
    body.update(extra)
    resp = api.post("/api/v2/misuse_incidents", {"misuse_incident": body})
    assert resp.status_code == 201, resp.text
    return resp.json()["misuse_incident"]


def add_note(api, incident_id, body="Reported by three banks"):
    resp = api.post(f"/api/v2/misuse_incidents/{incident_id}/evidence",
                    {"evidence": {"kind": "note", "body": body}})
    assert resp.status_code == 201, resp.text
    return resp.json()["evidence"]


def audit_rows(db, action, target_id):
    return db_query(db, f"SELECT actor_id, target_type, detail FROM audit_log "
                        f"WHERE action = '{action}' AND target_id = {int(target_id)} ORDER BY id")


# ---------------------------------------------------------------- incidents


def test_incident_create_show_and_list(desk):
    tid = new_ticket(desk.olive, "Please unblock my mail")
    inc = open_incident(desk.agent, desk.acme, ticket_id=tid)
    assert set(inc) == {"id", "url", "organization_id", "ticket_id", "summary", "status",
                        "created_by", "evidence_count", "created_at", "updated_at", "evidence"}
    assert (inc["organization_id"], inc["ticket_id"], inc["status"], inc["created_by"],
            inc["evidence_count"], inc["evidence"]) == (desk.acme, tid, "open", desk.agent_id,
                                                        0, [])
    assert inc["summary"] == "Phishing pages hosted on the store"
    assert audit_rows(desk.srv.db, "misuse.incident_opened", inc["id"]) == [
        (str(desk.agent_id), "misuse_incident",
         json.dumps({"organization_id": desk.acme, "ticket_id": tid}, separators=(",", ":")))]
    resp = desk.lead_off.get(f"/api/v2/misuse_incidents/{inc['id']}")
    assert resp.status_code == 200 and resp.json()["misuse_incident"]["id"] == inc["id"]
    resp = desk.agent.get(f"/api/v2/misuse_incidents?organization_id={desk.acme}")
    assert resp.status_code == 200, resp.text
    assert inc["id"] in [i["id"] for i in resp.json()["misuse_incidents"]]
    assert all(i["organization_id"] == desk.acme for i in resp.json()["misuse_incidents"])
    resp = desk.agent.get(f"/api/v2/misuse_incidents?organization_id={desk.globex}")
    assert resp.status_code == 200 and resp.json()["misuse_incidents"] == []


def test_incident_validation(desk):
    rita_ticket = new_ticket(desk.rita)
    cases = [({"summary": "no account"}, "misuse_incident.organization_id"),
             ({"organization_id": 999999, "summary": "x"}, "misuse_incident.organization_id"),
             ({"organization_id": desk.acme, "summary": "  "}, "misuse_incident.summary"),
             ({"organization_id": desk.acme}, "misuse_incident.summary"),
             ({"organization_id": desk.acme, "summary": "x", "ticket_id": rita_ticket},
              "misuse_incident.ticket_id")]
    for body, field in cases:
        resp = desk.agent.post("/api/v2/misuse_incidents", {"misuse_incident": body})
        assert_error(resp, 422, "invalid", field)
    inc = open_incident(desk.agent, desk.acme)
    resp = desk.agent.put(f"/api/v2/misuse_incidents/{inc['id']}",
                          {"misuse_incident": {"status": "archived"}})
    assert_error(resp, 422, "invalid", "misuse_incident.status")
    resp = desk.agent.put(f"/api/v2/misuse_incidents/{inc['id']}",
                          {"misuse_incident": {"status": "closed"}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["misuse_incident"]["status"] == "closed"
    assert db_scalar(desk.srv.db, f"SELECT status FROM misuse_incidents WHERE id = {inc['id']}") \
        == "closed"
    assert len(audit_rows(desk.srv.db, "misuse.incident_updated", inc["id"])) == 1


def test_incidents_are_staff_only(desk):
    inc = open_incident(desk.agent, desk.acme)
    add_note(desk.agent, inc["id"])
    # The account's own owner may not see or add to what staff gather about the account.
    for who in (desk.olive, desk.rita):
        assert_error(who.get("/api/v2/misuse_incidents"), 403, "forbidden")
        assert_error(who.post("/api/v2/misuse_incidents",
                              {"misuse_incident": {"organization_id": desk.acme,
                                                   "summary": "they are spammers"}}),
                     403, "forbidden")
        assert_error(who.get(f"/api/v2/misuse_incidents/{inc['id']}"), 404, "not_found")
        assert_error(who.put(f"/api/v2/misuse_incidents/{inc['id']}",
                             {"misuse_incident": {"status": "closed"}}), 404, "not_found")
        assert_error(who.post(f"/api/v2/misuse_incidents/{inc['id']}/evidence",
                              {"evidence": {"kind": "note", "body": "nothing to see"}}),
                     404, "not_found")
    assert_error(desk.anon.get("/api/v2/misuse_incidents"), 401, "unauthorized")
    assert db_scalar(desk.srv.db,
                     f"SELECT count(*) FROM misuse_evidence WHERE incident_id = {inc['id']}") == "1"
    assert db_scalar(desk.srv.db, f"SELECT status FROM misuse_incidents WHERE id = {inc['id']}") \
        == "open"


# ---------------------------------------------------------------- evidence


def upload(api, name, data):
    resp = api.request("POST", "/api/v2/uploads?" + urllib.parse.urlencode({"filename": name}),
                       data=data, headers={"Content-Type": "application/octet-stream"})
    assert resp.status_code == 201, resp.text
    return resp.json()["upload"]["token"]


def test_evidence_kinds(desk):
    inc = open_incident(desk.agent, desk.acme)
    url = f"/api/v2/misuse_incidents/{inc['id']}/evidence"
    bad = [({"kind": "note"}, "evidence.body"),
           ({"kind": "note", "body": "   "}, "evidence.body"),
           ({"kind": "video", "body": "x"}, "evidence.kind"),
           ({"kind": "link"}, "evidence.url"),
           ({"kind": "link", "url": "ftp://files.example/phish.zip"}, "evidence.url"),
           ({"kind": "link", "url": "javascript:alert(1)"}, "evidence.url"),
           ({"kind": "link", "url": "https://"}, "evidence.url"),
           ({"kind": "link", "url": "https://phish.example/a b"}, "evidence.url"),
           ({"kind": "attachment"}, "evidence.upload"),
           ({"kind": "attachment", "upload": "no-such-token"}, "evidence.upload")]
    for body, field in bad:
        assert_error(desk.agent.post(url, {"evidence": body}), 422, "invalid", field)
    note = add_note(desk.agent, inc["id"], "  Three banks reported the store  ")
    assert note["body"] == "Three banks reported the store"
    assert (note["kind"], note["url"], note["attachments"], note["created_by"]) == \
        ("note", None, [], desk.agent_id)
    resp = desk.agent.post(url, {"evidence": {"kind": "link",
                                              "url": "https://phish.example/login?x=1"}})
    assert resp.status_code == 201, resp.text
    link = resp.json()["evidence"]
    assert (link["kind"], link["url"], link["body"]) == \
        ("link", "https://phish.example/login?x=1", None)
    # An upload token is claimed like a comment's: only the uploader's own, only once.
    token = upload(desk.agent, "screenshot.txt", b"fake login page")
    assert_error(desk.lead_on.post(url, {"evidence": {"kind": "attachment", "upload": token}}),
                 422, "invalid", "evidence.upload")
    resp = desk.agent.post(url, {"evidence": {"kind": "attachment", "upload": token,
                                              "body": "the fake login page"}})
    assert resp.status_code == 201, resp.text
    att = resp.json()["evidence"]
    assert att["kind"] == "attachment" and att["body"] == "the fake login page"
    assert [(f["file_name"], f["size"]) for f in att["attachments"]] == [("screenshot.txt", 15)]
    assert db_scalar(desk.srv.db, f"SELECT count(*) FROM uploads WHERE token = '{token}'") == "0"
    assert_error(desk.agent.post(url, {"evidence": {"kind": "attachment", "upload": token}}),
                 422, "invalid", "evidence.upload")
    shown = desk.agent.get(f"/api/v2/misuse_incidents/{inc['id']}").json()["misuse_incident"]
    assert shown["evidence_count"] == 3
    assert [e["id"] for e in shown["evidence"]] == [note["id"], link["id"], att["id"]]
    assert len(audit_rows(desk.srv.db, "misuse.evidence_added", inc["id"])) == 3
    assert_error(desk.agent.post("/api/v2/misuse_incidents/999999/evidence",
                                 {"evidence": {"kind": "note", "body": "x"}}), 404, "not_found")


# ---------------------------------------------------------------- high risk


def test_high_risk(desk):
    url = f"/api/v2/organizations/{desk.globex}/high_risk"
    assert_error(desk.agent.put(url, {"high_risk": True, "reason": "card testing"}),
                 403, "forbidden")
    assert_error(desk.rita.put(url, {"high_risk": True, "reason": "card testing"}),
                 403, "forbidden")
    assert_error(desk.lead_off.put(url, {"high_risk": True}), 422, "invalid", "reason")
    assert_error(desk.lead_off.put(url, {"reason": "x"}), 422, "invalid", "high_risk")
    resp = desk.lead_off.put(url, {"high_risk": True, "reason": "card testing"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["organization"]["high_risk"] is True
    assert db_scalar(desk.srv.db, f"SELECT high_risk FROM organizations WHERE id = {desk.globex}") \
        == "1"
    assert audit_rows(desk.srv.db, "account.high_risk_set", desk.globex) == [
        (str(desk.lead_off_id), "organization", '{"reason":"card testing"}')]
    # Setting it again changes nothing and records nothing.
    assert desk.admin.put(url, {"high_risk": True, "reason": "again"}).status_code == 200
    assert len(audit_rows(desk.srv.db, "account.high_risk_set", desk.globex)) == 1
    resp = desk.admin.put(url, {"high_risk": False})
    assert resp.status_code == 200 and resp.json()["organization"]["high_risk"] is False
    assert audit_rows(desk.srv.db, "account.high_risk_cleared", desk.globex) == [
        (str(desk.admin_id), "organization", '{"reason":null}')]
    assert_error(desk.admin.put("/api/v2/organizations/999999/high_risk",
                                {"high_risk": True, "reason": "x"}), 404, "not_found")


# ---------------------------------------------------------------- refusal of service


def comments(api, tid):
    resp = api.get(f"/api/v2/tickets/{tid}/comments")
    assert resp.status_code == 200, resp.text
    return resp.json()["comments"]


def test_refusal_by_the_lead_on_duty(desk):
    db = desk.srv.db
    t1 = new_ticket(desk.olive, "First")
    t2 = new_ticket(desk.olive, "Second")
    t3 = new_ticket(desk.mike, "Third")
    solved = new_ticket(desk.mike, "Solved one")
    resp = desk.agent.put(f"/api/v2/tickets/{solved}", {"ticket": {"status": "solved"}})
    assert resp.status_code == 200, resp.text
    other = new_ticket(desk.rita, "Globex stays served")
    bare = open_incident(desk.agent, desk.acme, "No evidence yet")
    foreign = open_incident(desk.agent, desk.globex, "Another account's incident")
    add_note(desk.agent, foreign["id"])
    inc = open_incident(desk.agent, desk.acme)
    add_note(desk.agent, inc["id"])
    url = f"/api/v2/organizations/{desk.acme}/service_refusal"
    reason = "Phishing confirmed by three banks"

    assert_error(desk.agent.post(url, {"reason": reason, "incident_id": inc["id"]}),
                 403, "forbidden")
    assert_error(desk.olive.post(url, {"reason": reason, "incident_id": inc["id"]}),
                 403, "forbidden")
    # Otto is a lead, but not the one on duty.
    err = assert_error(desk.lead_off.post(url, {"reason": reason, "incident_id": inc["id"]}),
                       403, "not_on_duty")
    assert err["field"] is None
    # Permission is judged first: no reason or evidence tells Otto anything else.
    assert_error(desk.lead_off.post(url, {}), 403, "not_on_duty")
    assert_error(desk.agent.post(url, {}), 403, "forbidden")
    assert_error(desk.lead_on.post(url, {"incident_id": inc["id"]}),
                 422, "invalid", "service_refusal.reason")
    assert_error(desk.lead_on.post(url, {"reason": "   ", "incident_id": inc["id"]}),
                 422, "invalid", "service_refusal.reason")
    for body in ({"reason": reason}, {"reason": reason, "incident_id": bare["id"]},
                 {"reason": reason, "incident_id": foreign["id"]},
                 {"reason": reason, "incident_id": 999999}):
        assert_error(desk.lead_on.post(url, body), 422, "invalid", "service_refusal.evidence")
    assert db_scalar(db, f"SELECT service_refused FROM organizations WHERE id = {desk.acme}") == "0"
    assert db_scalar(db, "SELECT count(*) FROM service_refusals") == "0"

    before = db_query(db, f"SELECT requester_id, id FROM tickets WHERE organization_id = "
                          f"{desk.acme} AND status <> 'closed' ORDER BY id")
    closing = {}
    for requester, tid in before:
        closing.setdefault(int(requester), []).append(int(tid))
    assert set(closing) == {desk.olive_id, desk.mike_id}
    assert {t1, t2} <= set(closing[desk.olive_id]) and {t3, solved} <= set(closing[desk.mike_id])
    resp = desk.lead_on.post(url, {"reason": reason, "incident_id": inc["id"]})
    assert resp.status_code == 201, resp.text
    r = resp.json()["service_refusal"]
    assert set(r) == {"id", "organization_id", "incident_id", "reason", "refused_by",
                      "created_at", "reversed_at", "reversed_by", "reverse_reason"}
    assert (r["organization_id"], r["incident_id"], r["reason"], r["refused_by"],
            r["reversed_at"], r["reversed_by"], r["reverse_reason"]) == \
        (desk.acme, inc["id"], reason, desk.lead_on_id, None, None, None)
    assert db_scalar(db, f"SELECT service_refused FROM organizations WHERE id = {desk.acme}") == "1"
    org = desk.admin.get(f"/api/v2/organizations/{desk.acme}").json()["organization"]
    assert org["service_refused"] is True

    # Every ticket of the account that was not closed is closed with the notice, by the lead.
    acme_open = [int(tid) for _, tid in before]
    assert db_scalar(db, f"SELECT count(*) FROM tickets WHERE organization_id = {desk.acme} "
                         f"AND status <> 'closed'") == "0"
    for tid in acme_open:
        t = desk.agent.get(f"/api/v2/tickets/{tid}").json()["ticket"]
        assert t["status"] == "closed", tid
        last = comments(desk.agent, tid)[-1]
        assert last["public"] is True and last["author_id"] == desk.lead_on_id
        assert "support for this account has been withdrawn" in last["body"]
        assert "(clause 12)" in last["body"]
        events = db_query(db, f"SELECT field, new_value, actor_id FROM ticket_events "
                              f"WHERE ticket_id = {tid} AND field IN ('status', 'comment') "
                              f"ORDER BY id DESC LIMIT 2")
        assert sorted(e[0] for e in events) == ["comment", "status"]
        assert ("status", "closed", str(desk.lead_on_id)) in events
    # The requester sees the notice on their own ticket.
    assert "(clause 12)" in comments(desk.olive, t1)[-1]["body"]
    assert desk.agent.get(f"/api/v2/tickets/{other}").json()["ticket"]["status"] == "new"

    mail = db_query(db, "SELECT to_address, ticket_id, body FROM outbox "
                        "WHERE kind = 'refusal_notice' ORDER BY id")
    first = sorted((tids[0], rid) for rid, tids in closing.items())
    emails = {desk.olive_id: "olive@acme.example", desk.mike_id: "mike@acme.example"}
    assert [(m[0], m[1]) for m in mail] == [(emails[rid], str(tid)) for tid, rid in first]
    for m in mail:
        rid = desk.olive_id if m[0].startswith("olive") else desk.mike_id
        assert m[2].endswith("Requests closed: " + ", ".join(f"#{t}" for t in closing[rid]) + "\n")
        assert "(clause 12)" in m[2]
    detail = json.loads(audit_rows(db, "service.refused", desk.acme)[0][2])
    assert detail == {"reason": reason, "incident_id": inc["id"],
                      "tickets_closed": len(acme_open)}
    assert audit_rows(db, "service.refused", desk.acme)[0][:2] == (str(desk.lead_on_id),
                                                                   "organization")
    # Once is enough.
    assert_error(desk.lead_on.post(url, {"reason": reason, "incident_id": inc["id"]}),
                 409, "conflict")
    assert_error(desk.admin.post(url, {"reason": reason, "incident_id": inc["id"]}),
                 409, "conflict")

    # Reversal: the same permission, a reason, audited.
    rev = f"{url}/reverse"
    assert_error(desk.agent.post(rev, {"reason": "appeal upheld"}), 403, "forbidden")
    assert_error(desk.lead_off.post(rev, {"reason": "appeal upheld"}), 403, "not_on_duty")
    assert_error(desk.lead_on.post(rev, {}), 422, "invalid", "reason")
    resp = desk.lead_on.post(rev, {"reason": "appeal upheld"})
    assert resp.status_code == 200, resp.text
    r2 = resp.json()["service_refusal"]
    assert (r2["id"], r2["reversed_by"], r2["reverse_reason"]) == \
        (r["id"], desk.lead_on_id, "appeal upheld")
    assert r2["reversed_at"] is not None
    assert db_scalar(db, f"SELECT service_refused FROM organizations WHERE id = {desk.acme}") == "0"
    assert audit_rows(db, "service.restored", desk.acme) == [
        (str(desk.lead_on_id), "organization", '{"reason":"appeal upheld"}')]
    assert_error(desk.lead_on.post(rev, {"reason": "again"}), 409, "conflict")
    assert desk.agent.get(f"/api/v2/tickets/{t1}").json()["ticket"]["status"] == "closed"


def test_refusal_by_an_admin(desk):
    db = desk.srv.db
    inc = open_incident(desk.lead_off, desk.initech, "Spam campaign")
    resp = desk.lead_off.post(f"/api/v2/misuse_incidents/{inc['id']}/evidence",
                              {"evidence": {"kind": "link", "url": "http://spam.example/"}})
    assert resp.status_code == 201, resp.text
    url = f"/api/v2/organizations/{desk.initech}/service_refusal"
    resp = desk.admin.post(url, {"service_refusal": {"reason": "Spam",
                                                     "incident_id": inc["id"]}})
    assert resp.status_code == 201, resp.text
    assert resp.json()["service_refusal"]["refused_by"] == desk.admin_id
    assert db_scalar(db, f"SELECT service_refused FROM organizations WHERE id = {desk.initech}") \
        == "1"
    assert json.loads(audit_rows(db, "service.refused", desk.initech)[0][2])["tickets_closed"] == 0
    assert db_scalar(db, "SELECT count(*) FROM outbox WHERE kind = 'refusal_notice' AND "
                         f"ticket_id IN (SELECT id FROM tickets WHERE organization_id = "
                         f"{desk.initech})") == "0"
    resp = desk.admin.post(f"{url}/reverse", {"reason": "Cleaned up"})
    assert resp.status_code == 200, resp.text
    assert db_scalar(db, f"SELECT service_refused FROM organizations WHERE id = {desk.initech}") \
        == "0"
    assert_error(desk.admin.post("/api/v2/organizations/999999/service_refusal",
                                 {"reason": "x", "incident_id": inc["id"]}), 404, "not_found")


def test_nobody_on_duty_leaves_it_to_admins(desk):
    """With an empty rotation no lead is on duty: every lead is refused, an admin is not."""
    resp = desk.admin.put("/api/v2/roster", {"roster": {"anchor_date": this_monday(),
                                                        "lead_ids": []}})
    assert resp.status_code == 200, resp.text
    try:
        inc = open_incident(desk.agent, desk.globex, "Scam shop")
        add_note(desk.agent, inc["id"])
        url = f"/api/v2/organizations/{desk.globex}/service_refusal"
        assert_error(desk.lead_on.post(url, {"reason": "Scam", "incident_id": inc["id"]}),
                     403, "not_on_duty")
        assert db_scalar(desk.srv.db,
                         f"SELECT service_refused FROM organizations WHERE id = {desk.globex}") \
            == "0"
    finally:
        resp = desk.admin.put("/api/v2/roster", {"roster": {"anchor_date": this_monday(),
                                                            "lead_ids": [desk.lead_on_id]}})
        assert resp.status_code == 200, resp.text


# ---------------------------------------------------------------- evidence files

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def upload_to(api, name, data, token=None):
    query = {"filename": name} | ({"token": token} if token else {})
    resp = api.request("POST", "/api/v2/uploads?" + urllib.parse.urlencode(query),
                       data=data, headers={"Content-Type": "text/html"})
    assert resp.status_code == 201, resp.text
    return resp.json()["upload"]["token"]


@pytest.fixture(scope="module")
def evidence_files(desk):
    """An incident with a note and an attachment evidence of two files, and another incident."""
    inc = open_incident(desk.agent, desk.acme)
    note = add_note(desk.agent, inc["id"])
    token = upload_to(desk.agent, "Résumé \"final\".bin", b"\x00\x01fake login page\xff")
    upload_to(desk.agent, "phish.png", PNG, token)
    resp = desk.agent.post(f"/api/v2/misuse_incidents/{inc['id']}/evidence",
                           {"evidence": {"kind": "attachment", "upload": token}})
    assert resp.status_code == 201, resp.text
    other = open_incident(desk.agent, desk.globex)
    return inc, note, resp.json()["evidence"], other


def assert_download(resp, data, ctype, disposition):
    assert resp.status_code == 200, resp.text
    assert resp.content == data
    h = resp.headers
    assert h["Content-Type"] == ctype
    assert h["Content-Disposition"] == disposition
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert h["Cache-Control"] == "private, no-store"


def test_evidence_content_download(desk, evidence_files):
    inc, note, att, _ = evidence_files
    base = f"/api/v2/misuse_incidents/{inc['id']}/evidence/{att['id']}/content"
    assert note["content_url"] is None
    assert att["content_url"] == base
    first, second = att["attachments"]
    assert (first["file_name"], first["content_type"], first["size"]) == \
        ("Résumé \"final\".bin", "application/octet-stream", 18)
    assert (second["file_name"], second["content_type"], second["size"]) == \
        ("phish.png", "image/png", len(PNG))
    assert first["content_url"] == f"{base}?file_id={first['id']}"
    assert second["content_url"] == f"{base}?file_id={second['id']}"
    shown = desk.agent.get(f"/api/v2/misuse_incidents/{inc['id']}").json()["misuse_incident"]
    assert shown["evidence"] == [note, att]
    bin_disposition = ("attachment; filename=\"R_sum_ _final_.bin\"; "
                       "filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.bin")
    for api in (desk.agent, desk.lead_off, desk.admin):
        assert_download(api.get(base), b"\x00\x01fake login page\xff",
                        "application/octet-stream", bin_disposition)
        assert_download(api.get(first["content_url"]), b"\x00\x01fake login page\xff",
                        "application/octet-stream", bin_disposition)
        assert_download(api.get(second["content_url"]), PNG, "image/png",
                        "attachment; filename=\"phish.png\"; filename*=UTF-8''phish.png")
    # The bytes live in misuse_evidence_files, never in attachments.
    assert db_scalar(desk.srv.db, f"SELECT count(*) FROM misuse_evidence_files "
                                  f"WHERE evidence_id = {att['id']}") == "2"
    assert db_scalar(desk.srv.db, f"SELECT count(*) FROM attachments WHERE id IN "
                                  f"({first['id']}, {second['id']})") == "0"


def test_evidence_content_not_found(desk, evidence_files):
    inc, note, att, other = evidence_files
    first = att["attachments"][0]
    prefix = "/api/v2/misuse_incidents"
    for path in (f"{prefix}/{inc['id']}/evidence/{note['id']}/content",     # a note: no file
                 f"{prefix}/999999/evidence/{att['id']}/content",           # no such incident
                 f"{prefix}/{inc['id']}/evidence/999999/content",           # no such evidence
                 f"{prefix}/{other['id']}/evidence/{att['id']}/content",    # another incident's
                 f"{prefix}/{inc['id']}/evidence/{att['id']}/content?file_id=999999",
                 f"{prefix}/{inc['id']}/evidence/{note['id']}/content?file_id={first['id']}",
                 f"{prefix}/{inc['id']}/evidence/0/content",
                 f"{prefix}/abc/evidence/{att['id']}/content",
                 f"{prefix}/{inc['id']}/evidence/{att['id']}x/content"):
        assert_error(desk.agent.get(path), 404, "not_found")
    assert_error(desk.agent.get(f"{att['content_url']}?file_id=abc"), 400, "bad_request",
                 "file_id")


def test_evidence_content_is_staff_only(desk, evidence_files):
    inc, _, att, _ = evidence_files
    # Requesters, the account's owner included, get what they get for the incident itself.
    for who in (desk.olive, desk.mike, desk.rita):
        assert_error(who.get(att["content_url"]), 404, "not_found")
        assert_error(who.get(att["attachments"][1]["content_url"]), 404, "not_found")
    assert_error(desk.anon.get(att["content_url"]), 401, "unauthorized")
    assert_error(desk.anon.get(att["attachments"][1]["content_url"]), 401, "unauthorized")
