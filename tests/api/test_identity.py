"""Identity before billing (policy clauses 1.5 and 3; issue 5): a 6-digit code mailed to the
owners and billing contacts of the ticket's account, verified for one ticket for 24 hours, locked
after 5 wrong tries, expiring after 15 minutes; billing facts of the ticket's own account only
once verified, each disclosure audited. The code is read from the outbox row, never from an
answer, a log line or an audit entry."""

import datetime
import json
import re
import threading
from dataclasses import dataclass

import pytest

from conftest import (ADMIN, Api, ServerPool, add_organization, add_requester, assert_error,
                      create_admin, db_query, db_scalar, sign_in, staff_add, token_create)

CODE_RE = re.compile(r"^    (\d{6})$", re.M)


@dataclass
class Desk:
    srv: object
    admin: Api
    agent: Api
    agent_id: int
    acme: int
    globex: int
    lonely: int
    olive_id: int   # owner of acme
    olive: Api
    bill_id: int    # billing contact of acme
    mike_id: int    # member of acme
    mike: Api
    rita_id: int    # member of globex
    rita: Api
    nora: Api       # member of lonely (an account with no owner or billing contact)
    neil: Api       # a requester of no account


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("identity"))
    try:
        srv = pool.start()
        db = srv.db
        create_admin(srv)
        admin = Api(srv, token_create(srv, ADMIN["email"]))
        agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
        acme = add_organization(db, "Acme Shop")
        globex = add_organization(db, "Globex Store")
        lonely = add_organization(db, "Lonely Shop")
        olive_id = add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
        bill_id = add_requester(srv, "bill@acme.example", "Bill Billing", acme, "billing_contact")
        gone_id = add_requester(srv, "gone@acme.example", "Gone Owner", acme, "owner")
        db.execute(f"UPDATE users SET active = 0 WHERE id = {gone_id}")
        mike_id = add_requester(srv, "mike@acme.example", "Mike Member", acme, "member")
        add_requester(srv, "gina@globex.example", "Gina Globex", globex, "owner")
        rita_id = add_requester(srv, "rita@globex.example", "Rita Globex", globex, "member")
        add_requester(srv, "nora@lonely.example", "Nora Lonely", lonely, "member")
        add_requester(srv, "neil@example.net", "Neil Nobody")
        for org, facts, plan, rate in ((acme, {"balance_cents": 1200, "card": "visa-4242"},
                                        "Growth", 4900),
                                       (globex, {"balance_cents": 0, "invoices": 3}, "Starter",
                                        900)):
            resp = admin.put(f"/api/v2/organizations/{org}/billing", {"billing": facts})
            assert resp.status_code == 200, resp.text
            db.execute(f"UPDATE organizations SET plan = '{plan}', plan_rate_cents = {rate} "
                       f"WHERE id = {org}")
        yield Desk(srv=srv, admin=admin, agent=Api(srv, token_create(srv, "agent@example.com")),
                   agent_id=agent_id, acme=acme, globex=globex, lonely=lonely,
                   olive_id=olive_id, olive=sign_in(srv, "olive@acme.example"), bill_id=bill_id,
                   mike_id=mike_id, mike=sign_in(srv, "mike@acme.example"), rita_id=rita_id,
                   rita=sign_in(srv, "rita@globex.example"),
                   nora=sign_in(srv, "nora@lonely.example"),
                   neil=sign_in(srv, "neil@example.net"))
    finally:
        pool.close()


# ---------------------------------------------------------------- helpers


def new_ticket(api, subject="Question about my invoice"):
    resp = api.post("/api/v2/tickets", {"ticket": {"subject": subject,
                                                   "comment": {"body": "How much do I owe?"}}})
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]["id"]


def challenge(api, tid):
    resp = api.post(f"/api/v2/tickets/{tid}/identity/challenge")
    assert resp.status_code == 201, resp.text
    return resp.json()["identity_challenge"]


def verify(api, tid, code):
    return api.post(f"/api/v2/tickets/{tid}/identity/verify", {"code": code})


def status(api, tid):
    resp = api.get(f"/api/v2/tickets/{tid}/identity")
    assert resp.status_code == 200, resp.text
    return resp.json()["identity"]


def mails(desk, tid):
    """(to, subject, body) of the identity_code outbox rows of a ticket, oldest first."""
    return db_query(desk.srv.db, f"SELECT to_address, subject, body FROM outbox WHERE kind = "
                                 f"'identity_code' AND ticket_id = {int(tid)} ORDER BY id")


def last_code(desk, tid):
    """The code of the ticket's newest challenge, as the mail carries it."""
    rows = mails(desk, tid)
    assert rows, "no identity_code mail"
    codes = CODE_RE.findall(rows[-1][2])
    assert len(codes) == 1, rows[-1][2]
    return codes[0]


def other_code(code):
    return f"{(int(code) + 1) % 1000000:06d}"


def audits(desk, action, tid):
    return [(int(a) if a else None, json.loads(d)) for a, d in db_query(
        desk.srv.db, f"SELECT actor_id, detail FROM audit_log WHERE action = '{action}' AND "
                     f"target_type = 'ticket' AND target_id = {int(tid)} ORDER BY id")]


def parse_time(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def assert_code_nowhere(desk, code, *responses):
    """The code is in no answer, no audit detail, no log line and no stored challenge column."""
    token = re.compile(rf"(?<![0-9A-Za-z]){code}(?![0-9A-Za-z])")
    for resp in responses:
        assert not token.search(resp.text), resp.text
    for (detail,) in db_query(desk.srv.db, "SELECT detail FROM audit_log"):
        assert not token.search(detail), detail
    assert not token.search(desk.srv.log_path.read_text(errors="replace"))
    for row in db_query(desk.srv.db, "SELECT * FROM identity_challenges"):
        assert all(v is None or code != v for v in row), row


# ---------------------------------------------------------------- the flows


def test_billing_before_verification_is_refused(desk):
    tid = new_ticket(desk.mike)
    assert_error(desk.agent.get(f"/api/v2/tickets/{tid}/billing"), 403, "identity_unverified")
    assert_error(desk.admin.get(f"/api/v2/tickets/{tid}/billing"), 403, "identity_unverified")
    # Requesters never read billing here, verified or not.
    assert_error(desk.mike.get(f"/api/v2/tickets/{tid}/billing"), 403, "forbidden")
    assert status(desk.mike, tid) == {"verified": False, "method": None, "verified_until": None,
                                      "challenge": None}
    assert audits(desk, "billing.disclosed", tid) == []


def test_challenge_mails_owner_and_billing_contact_only(desk):
    tid = new_ticket(desk.mike)
    resp = desk.mike.post(f"/api/v2/tickets/{tid}/identity/challenge")
    assert resp.status_code == 201, resp.text
    ch = resp.json()["identity_challenge"]
    assert set(ch) == {"id", "ticket_id", "sent_to", "expires_at", "attempts_left"}
    assert ch["ticket_id"] == tid and ch["attempts_left"] == 5
    # The member who wrote in is not sent the code; the inactive owner neither.
    assert ch["sent_to"] == ["o***@acme.example", "b***@acme.example"]
    rows = mails(desk, tid)
    assert [r[0] for r in rows] == ["olive@acme.example", "bill@acme.example"]
    code = last_code(desk, tid)
    assert rows[0][2] == rows[1][2]
    subject, body = rows[0][1], rows[0][2]
    assert subject == f"Your verification code for request #{tid}"
    assert body.startswith("Hello,") and "please" in body and "Thank you" in body
    assert "expires in 15 minutes" in body
    assert "never ask you for your password" in body
    created, expires, stored = db_query(
        desk.srv.db, f"SELECT created_at, expires_at, code_hash FROM identity_challenges "
                     f"WHERE id = {ch['id']}")[0]
    assert int(expires) - int(created) == 15 * 60
    assert parse_time(ch["expires_at"]) == int(expires)
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert audits(desk, "identity.challenge_sent", tid) == [(desk.mike_id, {"addresses": 2})]
    assert status(desk.mike, tid)["challenge"] == {"expires_at": ch["expires_at"],
                                                   "attempts_left": 5, "locked": False}
    assert_code_nowhere(desk, code, resp)


def test_challenge_without_contacts_is_409(desk):
    tid = new_ticket(desk.nora)  # her account has no owner or billing contact
    assert_error(desk.nora.post(f"/api/v2/tickets/{tid}/identity/challenge"), 409,
                 "identity_no_contacts")
    assert_error(desk.agent.post(f"/api/v2/tickets/{tid}/identity/challenge"), 409,
                 "identity_no_contacts")
    tid = new_ticket(desk.neil)  # no account at all
    assert_error(desk.agent.post(f"/api/v2/tickets/{tid}/identity/challenge"), 409,
                 "identity_no_contacts")
    assert mails(desk, tid) == [] and audits(desk, "identity.challenge_sent", tid) == []
    assert_error(desk.agent.get(f"/api/v2/tickets/{tid}/billing"), 403, "identity_unverified")


def test_right_code_verifies_for_24_hours_and_billing_is_disclosed_once_each(desk):
    tid = new_ticket(desk.mike)
    challenge(desk.mike, tid)
    code = last_code(desk, tid)
    resp = verify(desk.mike, tid, code)
    assert resp.status_code == 200, resp.text
    ident = resp.json()["identity"]
    assert ident["verified"] is True and ident["method"] == "code" and ident["challenge"] is None
    verified_at = int(db_scalar(desk.srv.db, f"SELECT verified_at FROM identity_verifications "
                                             f"WHERE ticket_id = {tid}"))
    assert parse_time(ident["verified_until"]) == verified_at + 24 * 3600
    assert status(desk.agent, tid) == ident
    assert audits(desk, "identity.verified", tid) == [(desk.mike_id, {"method": "code"})]
    # The code is spent.
    assert_error(verify(desk.mike, tid, code), 409, "identity_no_challenge")

    resp = desk.agent.get(f"/api/v2/tickets/{tid}/billing")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"billing": {
        "organization_id": desk.acme, "organization_name": "Acme Shop", "plan": "Growth",
        "plan_rate_cents": 4900, "support_package_until": None, "delinquent": False,
        "facts": {"balance_cents": 1200, "card": "visa-4242"}}}
    fields = ["organization_name", "plan", "plan_rate_cents", "support_package_until",
              "delinquent", "facts.balance_cents", "facts.card"]
    assert audits(desk, "billing.disclosed", tid) == [
        (desk.agent_id, {"organization_id": desk.acme, "fields": fields})]
    assert desk.agent.get(f"/api/v2/tickets/{tid}/billing.json").status_code == 200
    assert len(audits(desk, "billing.disclosed", tid)) == 2
    assert_code_nowhere(desk, code, resp)


def test_staff_may_type_the_code_read_out_on_the_phone(desk):
    tid = new_ticket(desk.mike)
    challenge(desk.agent, tid)
    assert audits(desk, "identity.challenge_sent", tid) == [(desk.agent_id, {"addresses": 2})]
    resp = verify(desk.agent, tid, last_code(desk, tid))
    assert resp.status_code == 200, resp.text
    assert audits(desk, "identity.verified", tid) == [(desk.agent_id, {"method": "code"})]
    assert desk.agent.get(f"/api/v2/tickets/{tid}/billing").status_code == 200


def test_five_wrong_codes_lock_the_challenge(desk):
    tid = new_ticket(desk.mike)
    challenge(desk.mike, tid)
    code = last_code(desk, tid)
    wrong = other_code(code)
    for left in (4, 3, 2, 1):
        resp = verify(desk.mike, tid, wrong)
        err = assert_error(resp, 422, "invalid", "code")
        assert err["details"] == {"attempts_left": left}
        assert status(desk.mike, tid)["challenge"]["attempts_left"] == left
    assert_error(verify(desk.mike, tid, wrong), 409, "identity_locked")
    # Locked: even the right code is refused, and nothing more is counted.
    assert_error(verify(desk.mike, tid, code), 409, "identity_locked")
    assert_error(verify(desk.agent, tid, code), 409, "identity_locked")
    assert db_query(desk.srv.db, f"SELECT attempts, status FROM identity_challenges "
                                 f"WHERE ticket_id = {tid}") == [("5", "locked")]
    ch = status(desk.mike, tid)["challenge"]
    assert ch["locked"] is True and ch["attempts_left"] == 0
    assert audits(desk, "identity.locked", tid) == [(desk.mike_id, {})]
    assert_error(desk.agent.get(f"/api/v2/tickets/{tid}/billing"), 403, "identity_unverified")
    # A new code supersedes the locked challenge.
    challenge(desk.agent, tid)
    assert verify(desk.mike, tid, last_code(desk, tid)).status_code == 200
    assert_code_nowhere(desk, code)


def test_parallel_guesses_count_at_most_five(desk):
    tid = new_ticket(desk.mike)
    challenge(desk.mike, tid)
    wrong = other_code(last_code(desk, tid))
    statuses = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def guess():
        api = Api(desk.srv, token_create(desk.srv, "agent@example.com", "guess"))
        start.wait()
        resp = verify(api, tid, wrong)
        with lock:
            statuses.append((resp.status_code, resp.json()["error"]["code"]))

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [(409, "identity_locked")] * 8 + [(422, "invalid")] * 4
    assert db_query(desk.srv.db, f"SELECT attempts, status FROM identity_challenges "
                                 f"WHERE ticket_id = {tid}") == [("5", "locked")]
    assert len(audits(desk, "identity.locked", tid)) == 1


def test_expired_code_is_refused(desk):
    tid = new_ticket(desk.mike)
    challenge(desk.mike, tid)
    code = last_code(desk, tid)
    desk.srv.db.execute(f"UPDATE identity_challenges SET created_at = created_at - 901, "
                        f"expires_at = expires_at - 901 WHERE ticket_id = {tid}")
    assert_error(verify(desk.mike, tid, code), 409, "identity_expired")
    assert_error(verify(desk.mike, tid, other_code(code)), 409, "identity_expired")
    assert status(desk.mike, tid)["verified"] is False
    assert_error(desk.agent.get(f"/api/v2/tickets/{tid}/billing"), 403, "identity_unverified")


def test_another_tickets_code_never_verifies(desk):
    first, second = new_ticket(desk.mike), new_ticket(desk.mike)
    challenge(desk.mike, first)
    challenge(desk.mike, second)
    code_first, code_second = last_code(desk, first), last_code(desk, second)
    if code_first == code_second:  # one chance in a million: draw again
        challenge(desk.mike, second)
        code_second = last_code(desk, second)
    assert_error(verify(desk.mike, second, code_first), 422, "invalid", "code")
    assert_error(desk.agent.get(f"/api/v2/tickets/{second}/billing"), 403, "identity_unverified")
    assert verify(desk.mike, first, code_first).status_code == 200
    # Verified for the first ticket only.
    assert status(desk.mike, second)["verified"] is False
    assert_error(desk.agent.get(f"/api/v2/tickets/{second}/billing"), 403, "identity_unverified")
    assert verify(desk.mike, second, code_second).status_code == 200


def test_a_new_challenge_supersedes_the_open_one(desk):
    tid = new_ticket(desk.mike)
    challenge(desk.mike, tid)
    old = last_code(desk, tid)
    challenge(desk.mike, tid)
    new = last_code(desk, tid)
    assert db_query(desk.srv.db, f"SELECT status FROM identity_challenges WHERE ticket_id = "
                                 f"{tid} ORDER BY id") == [("superseded",), ("open",)]
    if old != new:
        assert_error(verify(desk.mike, tid, old), 422, "invalid", "code")
    assert verify(desk.mike, tid, new).status_code == 200


def test_verification_ends_after_24_hours(desk):
    tid = new_ticket(desk.mike)
    challenge(desk.mike, tid)
    assert verify(desk.mike, tid, last_code(desk, tid)).status_code == 200
    assert desk.agent.get(f"/api/v2/tickets/{tid}/billing").status_code == 200
    desk.srv.db.execute(f"UPDATE identity_verifications SET verified_at = verified_at - 86400, "
                        f"verified_until = verified_until - 86400 WHERE ticket_id = {tid}")
    assert status(desk.agent, tid)["verified"] is False
    assert_error(desk.agent.get(f"/api/v2/tickets/{tid}/billing"), 403, "identity_unverified")
    assert_error(verify(desk.mike, tid, "123456"), 409, "identity_no_challenge")


def test_a_ticket_reaches_only_its_own_accounts_billing(desk):
    acme_ticket, globex_ticket = new_ticket(desk.mike), new_ticket(desk.rita)
    challenge(desk.mike, acme_ticket)
    assert verify(desk.mike, acme_ticket, last_code(desk, acme_ticket)).status_code == 200
    assert_error(desk.agent.get(f"/api/v2/tickets/{globex_ticket}/billing"), 403,
                 "identity_unverified")
    ch = challenge(desk.rita, globex_ticket)
    assert ch["sent_to"] == ["g***@globex.example"]
    assert [r[0] for r in mails(desk, globex_ticket)] == ["gina@globex.example"]
    assert verify(desk.rita, globex_ticket, last_code(desk, globex_ticket)).status_code == 200
    billing = desk.agent.get(f"/api/v2/tickets/{globex_ticket}/billing").json()["billing"]
    assert (billing["organization_id"], billing["organization_name"], billing["facts"]) == (
        desk.globex, "Globex Store", {"balance_cents": 0, "invoices": 3})
    billing = desk.agent.get(f"/api/v2/tickets/{acme_ticket}/billing").json()["billing"]
    assert billing["organization_id"] == desk.acme
    # Moving a verified ticket to another account does not carry the verification along.
    desk.srv.db.execute(f"UPDATE tickets SET organization_id = {desk.globex} "
                        f"WHERE id = {acme_ticket}")
    try:
        assert_error(desk.agent.get(f"/api/v2/tickets/{acme_ticket}/billing"), 403,
                     "identity_unverified")
    finally:
        desk.srv.db.execute(f"UPDATE tickets SET organization_id = {desk.acme} "
                            f"WHERE id = {acme_ticket}")


def test_who_may_ask(desk):
    tid = new_ticket(desk.mike)
    paths = [("POST", f"/api/v2/tickets/{tid}/identity/challenge", None),
             ("POST", f"/api/v2/tickets/{tid}/identity/verify", {"code": "123456"}),
             ("GET", f"/api/v2/tickets/{tid}/identity", None)]
    for method, path, body in paths:
        # Another account's requester does not learn the ticket exists.
        assert_error(desk.rita.request(method, path, body), 404, "not_found")
        # The account's owner sees the ticket but did not request it.
        assert_error(desk.olive.request(method, path, body), 403, "forbidden")
        assert_error(Api(desk.srv).request(method, path, body), 401, "unauthorized")
    assert_error(desk.rita.get(f"/api/v2/tickets/{tid}/billing"), 403, "forbidden")
    assert_error(desk.agent.post("/api/v2/tickets/999999/identity/challenge"), 404, "not_found")
    assert_error(desk.agent.get("/api/v2/tickets/999999/billing"), 404, "not_found")
    assert mails(desk, tid) == []


def test_malformed_codes_are_not_counted(desk):
    tid = new_ticket(desk.mike)
    assert_error(verify(desk.mike, tid, "123456"), 409, "identity_no_challenge")
    challenge(desk.mike, tid)
    assert_error(desk.mike.post(f"/api/v2/tickets/{tid}/identity/verify", {}), 422, "invalid",
                 "code")
    assert_error(desk.mike.post(f"/api/v2/tickets/{tid}/identity/verify", {"code": 123456}),
                 422, "invalid", "code")
    for bad in ("12345", "1234567", "12a456", " 123456", ""):
        err = assert_error(verify(desk.mike, tid, bad), 422, "invalid", "code")
        assert "details" not in err
    assert status(desk.mike, tid)["challenge"]["attempts_left"] == 5


# ---------------------------------------------------------------- signed-in portal sessions


def test_an_owners_portal_ticket_counts_as_verified(desk):
    tid = new_ticket(desk.olive)  # the account's owner, signed in to the portal
    ident = status(desk.olive, tid)
    assert ident["verified"] is True and ident["method"] == "session"
    assert audits(desk, "identity.verified", tid) == [(desk.olive_id, {"method": "session"})]
    assert desk.agent.get(f"/api/v2/tickets/{tid}/billing").status_code == 200
    # Writing again extends the 24 hours without another audit entry.
    resp = desk.olive.put(f"/api/v2/tickets/{tid}", {"ticket": {"comment": {"body": "Thanks"}}})
    assert resp.status_code == 200, resp.text
    assert len(audits(desk, "identity.verified", tid)) == 1


def test_a_members_portal_ticket_is_not_verified(desk):
    tid = new_ticket(desk.mike)  # signed in, but a member: not an owner or billing contact
    assert status(desk.mike, tid)["verified"] is False
    resp = desk.mike.put(f"/api/v2/tickets/{tid}", {"ticket": {"comment": {"body": "Any news?"}}})
    assert resp.status_code == 200, resp.text
    assert status(desk.agent, tid)["verified"] is False
    assert_error(desk.agent.get(f"/api/v2/tickets/{tid}/billing"), 403, "identity_unverified")


# ---------------------------------------------------------------- codes per hour


def test_a_ticket_sends_at_most_five_codes_an_hour(desk):
    """A new code resets the tries: five codes an hour bound guessing and the owners' mail."""
    tid = new_ticket(desk.mike)
    for _ in range(5):
        challenge(desk.agent, tid)
    sent = len(mails(desk, tid))
    err = assert_error(desk.agent.post(f"/api/v2/tickets/{tid}/identity/challenge"), 409,
                       "identity_too_many_codes")
    assert "hour" in err["message"]
    assert len(mails(desk, tid)) == sent  # nothing more mailed
    # an hour later it may send again
    desk.srv.db.execute(f"UPDATE identity_challenges SET created_at = created_at - 3601 "
                        f"WHERE ticket_id = {int(tid)}")
    challenge(desk.agent, tid)
    assert len(mails(desk, tid)) > sent
