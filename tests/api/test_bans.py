"""Support bans and abusive-comment flags (issue 5, policy clauses 5 and 6): who may ban, what a
ban records and ends (sessions at once), address variants, organization bans, unbanning, the
list, and flagging a comment as abusive. Ticket creation by banned requesters is wired by the
lead (service/tickets.c) and tested there."""
import json
from collections import namedtuple
from datetime import datetime, timezone

import pytest

from conftest import (ADMIN, Api, ServerPool, add_organization, add_requester, assert_error,
                      create_admin, db_query, db_scalar, sign_in, staff_add, token_create)

Desk = namedtuple("Desk", "srv admin_id admin lead_id lead agent_id agent acme globex "
                          "foo_id foo olive_id olive mike_id mike rita_id rita anon")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("bans"))
    try:
        srv = pool.start()
        db = srv.db
        admin_id = create_admin(srv)
        lead_id = staff_add(srv, "lead@example.com", "Lea Lead", "lead")
        agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
        acme, globex = add_organization(db, "Acme Shop"), add_organization(db, "Globex Store")
        foo_id = add_requester(srv, "Foo+x@Example.com", "Foo Bar")
        olive_id = add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
        mike_id = add_requester(srv, "mike@acme.example", "Mike Member", acme, "member")
        rita_id = add_requester(srv, "rita@globex.example", "Rita Globex", globex, "member")
        yield Desk(srv=srv, admin_id=admin_id, admin=Api(srv, token_create(srv, ADMIN["email"])),
                   lead_id=lead_id, lead=Api(srv, token_create(srv, "lead@example.com")),
                   agent_id=agent_id, agent=Api(srv, token_create(srv, "agent@example.com")),
                   acme=acme, globex=globex,
                   foo_id=foo_id, foo=sign_in(srv, "Foo+x@Example.com"),
                   olive_id=olive_id, olive=sign_in(srv, "olive@acme.example"),
                   mike_id=mike_id, mike=sign_in(srv, "mike@acme.example"),
                   rita_id=rita_id, rita=sign_in(srv, "rita@globex.example"), anon=Api(srv))
    finally:
        pool.close()


def iso(t):
    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ban_row(desk, ban_id):
    return db_query(desk.srv.db, "SELECT user_id, organization_id, address_key, reason, created_by, "
                                 "created_at, lifted_at, lifted_by, lift_reason FROM bans "
                                 f"WHERE id = {int(ban_id)}")[0]


def audits(desk, action):
    rows = db_query(desk.srv.db, "SELECT actor_id, target_type, target_id, detail FROM audit_log "
                                 f"WHERE action = '{action}' ORDER BY id")
    return [(int(a), t, int(i), json.loads(d)) for a, t, i, d in rows]


def sessions_of(desk, uid):
    return int(db_scalar(desk.srv.db, f"SELECT count(*) FROM sessions WHERE user_id = {uid}"))


def lift_all(desk):
    """Leave no active ban behind (tests share one desk)."""
    desk.srv.db.execute("UPDATE bans SET lifted_at = 1, lifted_by = "
                        f"{desk.admin_id}, lift_reason = 'cleanup' WHERE lifted_at IS NULL")


# ---------------------------------------------------------------- who may ban, and what is asked


def test_only_leads_and_admins_ban(desk):
    path = f"/api/v2/users/{desk.rita_id}/ban"
    assert_error(desk.agent.post(path, {"reason": "rude"}), 403, "forbidden")
    assert_error(desk.rita.post(path, {"reason": "rude"}), 403, "forbidden")
    assert_error(desk.anon.post(path, {"reason": "rude"}), 401, "unauthorized")
    for org_path in (f"/api/v2/organizations/{desk.globex}/ban",
                     f"/api/v2/organizations/{desk.globex}/unban",
                     f"/api/v2/users/{desk.rita_id}/unban"):
        assert_error(desk.agent.post(org_path, {"reason": "rude"}), 403, "forbidden")
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM bans") == "0"
    assert sessions_of(desk, desk.rita_id) == 1


@pytest.mark.parametrize("body", [{}, {"reason": None}, {"reason": ""}, {"reason": "   "},
                                  {"ban": {"reason": " \n "}}, {"reason": "x" * 1001}])
def test_a_reason_is_required(desk, body):
    assert_error(desk.lead.post(f"/api/v2/users/{desk.rita_id}/ban", body), 422, "invalid",
                 "ban.reason")
    assert_error(desk.lead.post(f"/api/v2/organizations/{desk.globex}/ban", body), 422, "invalid",
                 "ban.reason")


def test_a_reason_must_be_a_string(desk):
    assert_error(desk.lead.post(f"/api/v2/users/{desk.rita_id}/ban", {"reason": 5}), 422,
                 "invalid", "ban.reason")


def test_staff_cannot_be_banned(desk):
    for uid in (desk.agent_id, desk.lead_id, desk.admin_id):
        assert_error(desk.admin.post(f"/api/v2/users/{uid}/ban", {"reason": "rude"}), 422,
                     "invalid", "ban.user_id")
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM bans") == "0"


def test_unknown_targets_are_not_found(desk):
    assert_error(desk.lead.post("/api/v2/users/999999/ban", {"reason": "rude"}), 404,
                 "not_found")
    assert_error(desk.lead.post("/api/v2/organizations/999999/ban", {"reason": "rude"}), 404,
                 "not_found")
    assert_error(desk.lead.post("/api/v2/users/abc/ban", {"reason": "rude"}), 404, "not_found")


# ---------------------------------------------------------------- banning a user


def test_ban_records_the_address_key_ends_sessions_and_audits(desk):
    assert desk.foo.get("/api/v2/users/me").status_code == 200
    assert sessions_of(desk, desk.foo_id) == 1
    resp = desk.lead.post(f"/api/v2/users/{desk.foo_id}/ban",
                          {"reason": "  Insulted the agent twice  "})
    assert resp.status_code == 200, resp.text
    ban = resp.json()["ban"]
    row = ban_row(desk, ban["id"])
    assert row[:5] == (str(desk.foo_id), None, "foo@example.com", "Insulted the agent twice",
                       str(desk.lead_id))
    assert resp.json() == {"ban": {
        "id": ban["id"], "user_id": desk.foo_id, "organization_id": None,
        "address": "foo@example.com", "reason": "Insulted the agent twice",
        "created_by": desk.lead_id, "created_at": iso(row[5]), "lifted_at": None,
        "lifted_by": None, "lift_reason": None}}
    # the session ended at once: the cookie no longer signs anyone in
    assert sessions_of(desk, desk.foo_id) == 0
    assert_error(desk.foo.get("/api/v2/users/me"), 401, "unauthorized")
    assert audits(desk, "ban.created")[-1] == (
        desk.lead_id, "user", desk.foo_id,
        {"ban_id": ban["id"], "reason": "Insulted the agent twice", "sessions_ended": 1})
    # a second ban of the same person is a conflict, and writes nothing
    assert_error(desk.admin.post(f"/api/v2/users/{desk.foo_id}/ban", {"reason": "again"}), 409,
                 "conflict")
    assert len(audits(desk, "ban.created")) == 1

    # unban: the same row, lifted, with who and why; audited
    resp = desk.admin.post(f"/api/v2/users/{desk.foo_id}/unban",
                           {"ban": {"reason": "Apologised by phone"}})
    assert resp.status_code == 200, resp.text
    row = ban_row(desk, ban["id"])
    assert row[6] is not None and row[7:] == (str(desk.admin_id), "Apologised by phone")
    assert resp.json()["ban"] == dict(ban, lifted_at=iso(row[6]), lifted_by=desk.admin_id,
                                      lift_reason="Apologised by phone")
    assert audits(desk, "ban.lifted")[-1] == (
        desk.admin_id, "user", desk.foo_id, {"ban_id": ban["id"], "reason": "Apologised by phone"})
    assert_error(desk.admin.post(f"/api/v2/users/{desk.foo_id}/unban", {"reason": "again"}), 409,
                 "conflict")
    # banned again later: a new row; the old one stays for the record
    resp = desk.lead.post(f"/api/v2/users/{desk.foo_id}/ban", {"reason": "Abusive again"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["ban"]["id"] != ban["id"]
    assert db_scalar(desk.srv.db, f"SELECT count(*) FROM bans WHERE user_id = {desk.foo_id}") == "2"
    lift_all(desk)


def test_api_tokens_of_staff_keep_working_after_a_ban(desk):
    resp = desk.lead.post(f"/api/v2/users/{desk.rita_id}/ban", {"reason": "Threats"})
    assert resp.status_code == 200, resp.text
    assert desk.lead.get("/api/v2/users/me").status_code == 200
    assert desk.agent.get("/api/v2/users/me").status_code == 200
    # other people's sessions are untouched
    assert desk.mike.get("/api/v2/users/me").status_code == 200
    assert_error(desk.rita.get("/api/v2/users/me"), 401, "unauthorized")
    lift_all(desk)


# ---------------------------------------------------------------- banning an account


def test_organization_ban_covers_its_people_and_ends_their_sessions(desk):
    assert desk.olive.get("/api/v2/users/me").status_code == 200
    assert desk.mike.get("/api/v2/users/me").status_code == 200
    before = int(db_scalar(desk.srv.db, "SELECT count(*) FROM bans"))
    resp = desk.admin.post(f"/api/v2/organizations/{desk.acme}/ban", {"reason": "Harassment"})
    assert resp.status_code == 200, resp.text
    ban = resp.json()["ban"]
    row = ban_row(desk, ban["id"])
    assert ban == {"id": ban["id"], "user_id": None, "organization_id": desk.acme,
                   "address": None, "reason": "Harassment", "created_by": desk.admin_id,
                   "created_at": iso(row[5]), "lifted_at": None, "lifted_by": None,
                   "lift_reason": None}
    # one row for the account, not one per person: people added later are covered too
    assert int(db_scalar(desk.srv.db, "SELECT count(*) FROM bans")) == before + 1
    assert sessions_of(desk, desk.olive_id) == 0 and sessions_of(desk, desk.mike_id) == 0
    assert_error(desk.olive.get("/api/v2/users/me"), 401, "unauthorized")
    assert_error(desk.mike.get("/api/v2/users/me"), 401, "unauthorized")
    assert audits(desk, "ban.created")[-1] == (
        desk.admin_id, "organization", desk.acme,
        {"ban_id": ban["id"], "reason": "Harassment", "sessions_ended": 2})
    assert_error(desk.lead.post(f"/api/v2/organizations/{desk.acme}/ban", {"reason": "x"}), 409,
                 "conflict")
    resp = desk.lead.post(f"/api/v2/organizations/{desk.acme}/unban", {"reason": "Resolved"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["ban"]["lifted_by"] == desk.lead_id
    assert resp.json()["ban"]["lift_reason"] == "Resolved"
    assert audits(desk, "ban.lifted")[-1] == (
        desk.lead_id, "organization", desk.acme, {"ban_id": ban["id"], "reason": "Resolved"})
    assert_error(desk.lead.post(f"/api/v2/organizations/{desk.acme}/unban", {"reason": "x"}),
                 409, "conflict")


# ---------------------------------------------------------------- the list


def test_list_shows_bans_to_staff_and_filters_active(desk):
    lift_all(desk)
    resp = desk.lead.post(f"/api/v2/organizations/{desk.globex}/ban", {"reason": "Spam calls"})
    assert resp.status_code == 200, resp.text
    active = resp.json()["ban"]
    resp = desk.agent.get("/api/v2/bans?active=true")
    assert resp.status_code == 200, resp.text
    assert resp.json()["bans"] == [active]
    assert resp.json()["meta"]["has_more"] is False
    everything = desk.agent.get("/api/v2/bans").json()["bans"]
    assert len(everything) == int(db_scalar(desk.srv.db, "SELECT count(*) FROM bans")) > 1
    assert [b["id"] for b in everything] == sorted(b["id"] for b in everything)
    assert desk.agent.get("/api/v2/bans?active=false").json()["bans"] == everything
    page = desk.agent.get("/api/v2/bans?page[size]=1")
    assert page.status_code == 200 and len(page.json()["bans"]) == 1
    assert page.json()["meta"]["has_more"] is True
    assert_error(desk.agent.get("/api/v2/bans?active=yes"), 400, "bad_request", "active")
    assert_error(sign_in(desk.srv, "mike@acme.example").get("/api/v2/bans"), 403, "forbidden")
    assert_error(desk.anon.get("/api/v2/bans"), 401, "unauthorized")
    lift_all(desk)
    assert desk.agent.get("/api/v2/bans?active=true").json()["bans"] == []


# ---------------------------------------------------------------- abusive comments


def test_staff_flag_a_comment_as_abusive(desk):
    mike = sign_in(desk.srv, "mike@acme.example")
    resp = mike.post("/api/v2/tickets", {"ticket": {"subject": "Refund now",
                                                    "comment": {"body": "You are useless"}}})
    assert resp.status_code == 201, resp.text
    tid = resp.json()["ticket"]["id"]
    cid = int(db_scalar(desk.srv.db, f"SELECT min(id) FROM ticket_comments WHERE ticket_id = {tid}"))
    ticket_before = desk.agent.get(f"/api/v2/tickets/{tid}").json()["ticket"]

    path = f"/api/v2/tickets/{tid}/comments/{cid}/flag"
    assert_error(mike.post(path, {"reason": "mine"}), 403, "forbidden")
    assert_error(desk.agent.post(path, {}), 422, "invalid", "comment_flag.reason")
    assert_error(desk.agent.post(path, {"reason": "  "}), 422, "invalid", "comment_flag.reason")
    assert_error(desk.agent.post(f"/api/v2/tickets/{tid}/comments/999999/flag",
                                 {"reason": "Insult"}), 404, "not_found")
    other = desk.agent.post("/api/v2/tickets", {"ticket": {"subject": "Other",
                                                           "comment": {"body": "hello"},
                                                           "requester_id": desk.rita_id}})
    assert other.status_code == 201, other.text
    assert_error(desk.agent.post(f"/api/v2/tickets/{other.json()['ticket']['id']}/comments/"
                                 f"{cid}/flag", {"reason": "Insult"}), 404, "not_found")

    resp = desk.agent.post(path, {"reason": "Insults the agent"})
    assert resp.status_code == 200, resp.text
    row = db_query(desk.srv.db, "SELECT ticket_id, flagged_by, reason, created_at FROM "
                                f"comment_flags WHERE comment_id = {cid}")
    assert row == [(str(tid), str(desk.agent_id), "Insults the agent", row[0][3])]
    assert resp.json() == {"comment_flag": {"comment_id": cid, "ticket_id": tid,
                                            "flagged_by": desk.agent_id,
                                            "reason": "Insults the agent",
                                            "created_at": iso(row[0][3])}}
    assert audits(desk, "comment.flagged_abusive") == [
        (desk.agent_id, "comment", cid, {"ticket_id": tid, "reason": "Insults the agent"})]
    # flagged again by a lead: one flag, the latest reason; both audited
    resp = desk.lead.post(path, {"comment_flag": {"reason": "Repeated insults"}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["comment_flag"]["flagged_by"] == desk.lead_id
    assert db_query(desk.srv.db, "SELECT flagged_by, reason FROM comment_flags") == [
        (str(desk.lead_id), "Repeated insults")]
    assert len(audits(desk, "comment.flagged_abusive")) == 2
    # the ticket itself is rendered as before (the lead owns ticket rendering)
    after = desk.agent.get(f"/api/v2/tickets/{tid}").json()["ticket"]
    assert set(after) == set(ticket_before)
    assert (after["updated_at"], after["status"]) == (ticket_before["updated_at"],
                                                      ticket_before["status"])
