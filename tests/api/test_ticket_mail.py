"""The mail a ticket sends its requester (issue 6, "Email out"): the acknowledgement with the
support hours and the expected first response, staff replies, the ticket token in the subject,
In-Reply-To/References threading, a failed delivery shown on the ticket, and the identity code
of the policy (issue 5) arriving at a real SMTP server (aiosmtpd) and verifying."""

import datetime
import hashlib
import hmac
import re
import time
from zoneinfo import ZoneInfo

import pytest

from conftest import Api, add_organization, add_requester, create_admin, db_query, db_scalar, \
    sign_in, staff_add, token_create
from test_mail_out import MAIL_FROM, parse, smtp, wait_for  # noqa: F401 (smtp is a fixture)

TOKEN_RE = re.compile(r"\[#(\d+)-([0-9a-f]{8})\]")
CODE_RE = re.compile(r"\b(\d{6})\b")


def mail_key(srv):
    value = db_scalar(srv.db, "SELECT value FROM settings WHERE key = 'mail.token_key'")
    return bytes.fromhex(value.strip('"'))


def expected_token(srv, tid):
    """The token computed independently: HMAC-SHA-256 of the decimal id, 8 hex digits."""
    mac = hmac.new(mail_key(srv), str(tid).encode(), hashlib.sha256).hexdigest()[:8]
    return f"[#{tid}-{mac}]"


def outbox(srv, tid, kind):
    return db_query(srv.db, f"SELECT id, to_address, subject, body, status FROM outbox "
                            f"WHERE ticket_id = {int(tid)} AND kind = '{kind}' ORDER BY id")


def eastern(iso):
    """'Monday, December 29, 10:30 a.m. Eastern' for an ISO instant, by zoneinfo."""
    t = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).astimezone(ZoneInfo("America/Toronto"))
    hour = t.hour % 12 or 12
    ampm = "a.m." if t.hour < 12 else "p.m."
    return f"{t:%A}, {t:%B} {t.day}, {hour}:{t:%M} {ampm} Eastern"


@pytest.fixture
def desk(server, smtp):
    sink = smtp()
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM)
    create_admin(srv)
    staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
    acme = add_organization(srv.db, "Acme Shop")
    add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
    add_requester(srv, "mike@acme.example", "Mike Member", acme, "member")

    class Desk:
        pass
    d = Desk()
    d.srv, d.sink = srv, sink
    d.agent = Api(srv, token_create(srv, "agent@example.com"))
    d.olive = sign_in(srv, "olive@acme.example")
    d.mike = sign_in(srv, "mike@acme.example")
    return d


def create(api, subject="Checkout is broken", body="Since 8:00 every order fails."):
    resp = api.post("/api/v2/tickets", {"ticket": {"subject": subject,
                                                   "comment": {"body": body}}})
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]


def delivered(sink, to, count=1):
    got = wait_for(lambda: [m for m in sink.handler.messages() if to in m["rcpt_tos"]]
                   if len([m for m in sink.handler.messages() if to in m["rcpt_tos"]]) >= count
                   else None, 15)
    assert got, f"{count} mail(s) to {to} expected, got {len(sink.handler.messages())} in all"
    return [parse(m["content"]) for m in got]


def test_acknowledgement_states_hours_and_expected_first_response(desk):
    t = create(desk.olive)
    rows = outbox(desk.srv, t["id"], "acknowledgement")
    assert len(rows) == 1, rows
    _, to, subject, body, _ = rows[0]
    token = expected_token(desk.srv, t["id"])
    assert to == "olive@acme.example"
    assert subject == f"We received your request: Checkout is broken {token}"
    assert body.startswith("Hello Olive,\n\n"), body
    assert f"its number is #{t['id']}." in body
    assert ("Our support hours are Monday to Friday, 9:00 a.m. to 5:00 p.m. Eastern, except "
            "Canadian holidays.") in body, body
    sla = t["sla"]
    if sla["state"] in ("running", "warning") and sla["due_at"]:
        assert (f"You can expect a first response by {eastern(sla['due_at'])}. This is our aim, "
                f"not a guarantee.") in body, body
    assert f"keep {token} in the subject" in body
    [msg] = delivered(desk.sink, "olive@acme.example")
    assert str(msg["Subject"]) == subject
    assert str(msg["Auto-Submitted"]).strip() == "auto-replied"


def test_no_acknowledgement_for_staff_tickets_or_voice(desk):
    resp = desk.agent.post("/api/v2/tickets", {"ticket": {
        "subject": "Logged for Mike", "comment": {"body": "He called."},
        "requester": {"name": "Mike Member", "email": "mike@acme.example"},
        "via": {"channel": "voice"}}})
    assert resp.status_code == 201, resp.text
    assert outbox(desk.srv, resp.json()["ticket"]["id"], "acknowledgement") == []


def test_staff_reply_is_mailed_threaded_under_the_acknowledgement(desk):
    t = create(desk.mike, subject="Où est ma facture ?")
    [ack] = delivered(desk.sink, "mike@acme.example")
    ack_id = str(ack["Message-ID"]).strip()
    resp = desk.agent.put(f"/api/v2/tickets/{t['id']}", {"ticket": {
        "comment": {"body": "Internal: check Stripe.", "public": False}}})
    assert resp.status_code == 200, resp.text
    resp = desk.agent.put(f"/api/v2/tickets/{t['id']}", {"ticket": {
        "comment": {"body": "Hi Mike,\nyour invoice is in Billing > Invoices."}}})
    assert resp.status_code == 200, resp.text
    rows = outbox(desk.srv, t["id"], "reply")
    assert len(rows) == 1, rows  # the internal note sent nothing
    token = expected_token(desk.srv, t["id"])
    assert rows[0][2] == f"Re: Où est ma facture ? {token}"
    assert "Internal" not in rows[0][3]
    msgs = delivered(desk.sink, "mike@acme.example", 2)
    reply = [m for m in msgs if str(m["Message-ID"]).strip() != ack_id][0]
    assert str(reply["Subject"]) == rows[0][2]
    assert str(reply["In-Reply-To"]).strip() == ack_id
    assert str(reply["References"]).split() == [ack_id]
    assert reply["Auto-Submitted"] is None  # a person's answer
    plain = reply.get_body(("plain",)).get_content()
    assert "your invoice is in Billing > Invoices." in plain
    assert token in plain


def test_a_5xx_reply_shows_failed_on_the_ticket(desk):
    t = create(desk.olive)
    delivered(desk.sink, "olive@acme.example")
    desk.sink.handler.reply = "550 5.1.1 mailbox unavailable"
    resp = desk.agent.put(f"/api/v2/tickets/{t['id']}", {"ticket": {
        "comment": {"body": "We fixed checkout."}}})
    assert resp.status_code == 200, resp.text
    [rid] = [r[0] for r in outbox(desk.srv, t["id"], "reply")]

    def failed():
        resp = desk.agent.get(f"/api/v2/tickets/{t['id']}/deliveries")
        assert resp.status_code == 200, resp.text
        rows = [d for d in resp.json()["deliveries"] if d["id"] == int(rid)]
        return rows[0] if rows and rows[0]["status"] == "failed" else None
    d = wait_for(failed, 15)
    assert d, desk.agent.get(f"/api/v2/tickets/{t['id']}/deliveries").text
    assert d["kind"] == "reply" and d["to"] == "olive@acme.example" and d["attempts"] == 1
    assert "550" in d["last_error"] and d["sent_at"] is None
    ev = db_query(desk.srv.db, f"SELECT field, new_value FROM ticket_events WHERE ticket_id = "
                               f"{t['id']} AND field = 'delivery_failed'")
    assert len(ev) == 1 and ev[0][1].startswith("reply to olive@acme.example: 550"), ev
    # the acknowledgement before it arrived
    kinds = {d["kind"]: d["status"] for d in
             desk.agent.get(f"/api/v2/tickets/{t['id']}/deliveries").json()["deliveries"]}
    assert kinds["acknowledgement"] == "sent"
    # requesters never see deliveries; another account's staff-less user gets 404
    assert desk.olive.get(f"/api/v2/tickets/{t['id']}/deliveries").status_code == 403
    assert desk.agent.get("/api/v2/tickets/999999/deliveries").status_code == 404


def test_identity_code_arrives_by_smtp_and_verifies(desk):
    t = create(desk.mike, subject="Question about my invoice", body="How much do I owe?")
    resp = desk.mike.post(f"/api/v2/tickets/{t['id']}/identity/challenge")
    assert resp.status_code == 201, resp.text

    def code_mail():
        for m in desk.sink.handler.messages():
            msg = parse(m["content"])
            if "olive@acme.example" in m["rcpt_tos"] and CODE_RE.search(
                    msg.get_body(("plain",)).get_content()):
                return msg
        return None
    msg = wait_for(code_mail, 15)
    assert msg, [m["rcpt_tos"] for m in desk.sink.handler.messages()]
    code = CODE_RE.search(msg.get_body(("plain",)).get_content()).group(1)
    resp = desk.mike.post(f"/api/v2/tickets/{t['id']}/identity/verify", {"code": code})
    assert resp.status_code == 200, resp.text
    resp = desk.agent.get(f"/api/v2/tickets/{t['id']}/billing")
    assert resp.status_code == 200, resp.text
