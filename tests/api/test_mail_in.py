"""Email in (issue 6): `frontdesk mail-in` (an MTA's pipe) and POST /api/v2/mail/inbound store a
raw message and make it a ticket, a reply, a bounce or a failed-inbound entry; threading by
Message-ID and by the ticket token, loops and noise, bans, the hourly limit, idempotence, the
admin routes and the pipe's exit codes."""

import hashlib
import hmac
import json
import subprocess
from dataclasses import dataclass

import pytest

from conftest import (ADMIN, BIN, DB_KIND, Api, ServerPool, assert_error, binary_cwd, binary_env,
                      create_admin, db_query, db_scalar, staff_add, token_create)

OURS = "support@desk.example"
MAIL_FLAGS = {"mail_from": f"Support <{OURS}>", "mail_in_hourly_max": "3",
              "mail_in_attachment_max": "2K"}
INBOUND_KEYS = {"id", "source", "status", "outcome", "reason", "ticket_id", "message_id",
                "from_address", "subject", "size", "received_at", "processed_at", "attempts"}


@dataclass
class Desk:
    srv: object
    admin: Api
    agent: Api
    agent_id: int
    anon: Api


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("mail_in"))
    try:
        srv = pool.start(**MAIL_FLAGS)
        create_admin(srv)
        agent_id = staff_add(srv, "agent@desk.example", "Agnes Agent", "agent")
        yield Desk(srv=srv, admin=Api(srv, token_create(srv, ADMIN["email"])),
                   agent=Api(srv, token_create(srv, "agent@desk.example")), agent_id=agent_id,
                   anon=Api(srv))
    finally:
        pool.close()


_seq = [0]


def message(frm, subject="Printer on fire", body="It started this morning.\n", headers=(),
            message_id=None):
    """A plain RFC 5322 message as bytes; a fresh Message-ID each time unless given."""
    _seq[0] += 1
    mid = message_id or f"<m{_seq[0]}.{id(_seq)}@client.example>"
    lines = [f"From: {frm}", f"To: {OURS}", f"Subject: {subject}", f"Message-ID: {mid}",
             "Date: Thu, 26 Nov 2026 10:00:00 +0000", "MIME-Version: 1.0",
             "Content-Type: text/plain; charset=utf-8", *headers, "", body]
    return "\r\n".join(lines).encode()


def mail_in(desk_or_url, raw, **flags):
    """Pipe raw into `frontdesk mail-in`; returns the CompletedProcess (bytes)."""
    url = desk_or_url if isinstance(desk_or_url, str) else desk_or_url.srv.db_url
    argv = [BIN, "mail-in", "--db", url]
    for k, v in {**MAIL_FLAGS, **flags}.items():
        argv += ["--" + k.replace("_", "-"), v]
    return subprocess.run(argv, input=raw, env=binary_env(), capture_output=True, timeout=30,
                          cwd=binary_cwd())


def piped(desk, raw):
    """mail-in that must store the message; returns its mail_inbound row as a dict."""
    res = mail_in(desk, raw)
    assert res.returncode == 0, res.stderr
    assert res.stdout == b"" and res.stderr == b""
    return row(desk, hashlib.sha256(raw).hexdigest())


def row(desk, sha):
    cols = ["id", "source", "status", "outcome", "reason", "ticket_id", "comment_id",
            "message_id", "from_address", "subject", "size", "attempts"]
    rows = db_query(desk.srv.db, f"SELECT {', '.join(cols)} FROM mail_inbound "
                                 f"WHERE raw_sha256 = '{sha}'")
    assert len(rows) == 1, rows
    return dict(zip(cols, rows[0]))


def ticket(desk, tid):
    resp = desk.admin.get(f"/api/v2/tickets/{tid}")
    assert resp.status_code == 200, resp.text
    return resp.json()["ticket"]


def comments(desk, tid):
    resp = desk.admin.get(f"/api/v2/tickets/{tid}/comments")
    assert resp.status_code == 200, resp.text
    return resp.json()["comments"]


def outbox(desk, kind, ticket_id=None, to=None):
    where = f"kind = '{kind}'"
    if ticket_id is not None:
        where += f" AND ticket_id = {int(ticket_id)}"
    if to is not None:
        where += f" AND lower(to_address) = lower('{to}')"
    return db_query(desk.srv.db, f"SELECT id, to_address, subject, body FROM outbox WHERE {where}")


def give_message_id(desk, outbox_id, mid):
    """What the delivery thread does when it sends a row: its Message-ID."""
    desk.srv.db.execute(f"UPDATE outbox SET message_id = '{mid}' WHERE id = {int(outbox_id)}")


def token_of(desk, tid):
    value = db_scalar(desk.srv.db, "SELECT value FROM settings WHERE key = 'mail.token_key'")
    key = bytes.fromhex(json.loads(value))
    return f"[#{tid}-{hmac.new(key, str(tid).encode(), hashlib.sha256).hexdigest()[:8]}]"


def new_ticket(desk, frm, **kw):
    r = piped(desk, message(frm, **kw))
    assert (r["status"], r["outcome"]) == ("processed", "ticket"), r
    return int(r["ticket_id"])


# ---------------------------------------------------------------- new tickets


def test_a_plain_message_makes_a_ticket_and_a_requester(desk):
    raw = message("Pat Customer <Pat@Client.Example>", subject="Printer on fire",
                  body="It started this morning.\nPlease help.\n")
    r = piped(desk, raw)
    assert (r["source"], r["status"], r["outcome"], r["reason"]) == \
        ("pipe", "processed", "ticket", None)
    assert r["from_address"] == "Pat@client.example" and r["subject"] == "Printer on fire"
    assert r["size"] == str(len(raw)) and r["attempts"] == "1"
    t = ticket(desk, r["ticket_id"])
    assert (t["subject"], t["via"]["channel"], t["status"]) == ("Printer on fire", "email", "new")
    user = db_query(desk.srv.db, f"SELECT name, email, role, organization_id FROM users "
                                 f"WHERE id = {t['requester_id']}")
    assert user == [("Pat Customer", "Pat@client.example", "end-user", None)]
    [c] = comments(desk, t["id"])
    assert c["body"] == "It started this morning.\nPlease help." and c["public"] is True
    assert c["author_id"] == t["requester_id"] and int(r["comment_id"]) == c["id"]
    # The acknowledgement (email out) is queued to the requester.
    assert [o[1] for o in outbox(desk, "acknowledgement", t["id"])] == ["Pat@client.example"]


def test_a_known_sender_is_matched_by_address_only(desk):
    first = new_ticket(desk, "dana@client.example")
    # Another display name and case; Reply-To names someone else: still dana.
    second = new_ticket(desk, "\"Someone Else\" <DANA@client.example>",
                        headers=("Reply-To: mallory@evil.example",))
    a, b = ticket(desk, first), ticket(desk, second)
    assert a["requester_id"] == b["requester_id"]
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM users WHERE email LIKE 'mallory%'") == "0"
    assert db_scalar(desk.srv.db, f"SELECT name FROM users WHERE id = {a['requester_id']}") == \
        "dana"


def test_no_subject_and_no_text(desk):
    r = piped(desk, message("empty@client.example", subject="", body=""))
    assert r["outcome"] == "ticket"
    t = ticket(desk, r["ticket_id"])
    assert t["subject"] == "(no subject)"
    assert comments(desk, t["id"])[0]["body"] == "(This message had no text.)"


# ---------------------------------------------------------------- threading


def test_a_reply_threads_by_in_reply_to_of_mail_we_sent(desk):
    tid = new_ticket(desk, "rory@client.example", subject="Login broken")
    [ack] = outbox(desk, "acknowledgement", tid)
    give_message_id(desk, ack[0], "<outbox-900.abcdef@desk.example>")
    r = piped(desk, message("rory@client.example", subject="Re: your request",
                            body="More details here.\n\nOn Monday, Support wrote:\n> Thanks\n",
                            headers=("In-Reply-To: <outbox-900.abcdef@desk.example>",)))
    assert (r["outcome"], r["ticket_id"]) == ("reply", str(tid))
    cs = comments(desk, tid)
    assert [c["body"] for c in cs][1] == "More details here."
    assert int(r["comment_id"]) == cs[1]["id"]
    # A later message naming the reply's own Message-ID in References threads too.
    r2 = piped(desk, message("rory@client.example", subject="again", body="Third.",
                             headers=(f"References: <nothing@x.example> {r['message_id']}",)))
    assert (r2["outcome"], r2["ticket_id"]) == ("reply", str(tid))
    assert len(comments(desk, tid)) == 3


def test_a_reply_threads_by_ticket_token(desk):
    tid = new_ticket(desk, "tess@client.example", subject="Invoice wrong")
    r = piped(desk, message("tess@client.example", subject=f"Re: Invoice wrong {token_of(desk, tid)}",
                            body="Still wrong."))
    assert (r["outcome"], r["ticket_id"]) == ("reply", str(tid))
    assert [c["body"] for c in comments(desk, tid)] == ["It started this morning.",
                                                         "Still wrong."]


def test_forged_token_and_bare_number_make_new_tickets(desk):
    tid = new_ticket(desk, "fay@client.example", subject="Original")
    good = token_of(desk, tid)
    forged = good[:-3] + ("0" if good[-3] != "0" else "1") + good[-2:]
    for subject in (f"Re: {forged}", f"Re: #{tid}", f"Re: [#{tid}]"):
        r = piped(desk, message("fay@client.example", subject=subject, body="hello"))
        assert r["outcome"] == "ticket" and r["ticket_id"] != str(tid), subject
        assert ticket(desk, r["ticket_id"])["subject"] == subject
    assert len(comments(desk, tid)) == 1


def test_someone_elses_reply_makes_a_new_ticket(desk):
    tid = new_ticket(desk, "owner@client.example", subject="Mine")
    r = piped(desk, message("stranger@other.example", subject=f"Re: Mine {token_of(desk, tid)}",
                            body="I am not the requester"))
    assert r["outcome"] == "ticket" and r["ticket_id"] != str(tid)
    assert ticket(desk, r["ticket_id"])["requester_id"] != ticket(desk, tid)["requester_id"]
    assert len(comments(desk, tid)) == 1


def test_staff_replying_by_mail_is_a_public_staff_reply(desk):
    tid = new_ticket(desk, "cara@client.example", subject="Need staff")
    r = piped(desk, message("Agnes <agent@desk.example>", subject=f"Re: {token_of(desk, tid)}",
                            body="We are on it."))
    assert (r["outcome"], r["ticket_id"]) == ("reply", str(tid))
    c = comments(desk, tid)[-1]
    assert (c["author_id"], c["public"], c["body"]) == (desk.agent_id, True, "We are on it.")


# ---------------------------------------------------------------- idempotence, failures, retry


def test_the_same_bytes_are_stored_once(desk):
    raw = message("dup@client.example", subject="Once")
    first = desk.admin.post("/api/v2/mail/inbound", data=raw,
                            headers={"Content-Type": "message/rfc822"})
    assert first.status_code == 201, first.text
    obj = first.json()["inbound_mail"]
    assert set(obj) == INBOUND_KEYS | {"duplicate"}
    assert (obj["source"], obj["status"], obj["outcome"], obj["duplicate"]) == \
        ("api", "processed", "ticket", False)
    again = desk.admin.post("/api/v2/mail/inbound", data=raw,
                            headers={"Content-Type": "message/rfc822"})
    assert again.status_code == 200, again.text
    assert again.json()["inbound_mail"] == {**obj, "duplicate": True}
    assert mail_in(desk, raw).returncode == 0
    sha = hashlib.sha256(raw).hexdigest()
    assert db_scalar(desk.srv.db, f"SELECT count(*) FROM mail_inbound WHERE raw_sha256 = '{sha}'") \
        == "1"
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM tickets WHERE subject = 'Once'") == "1"


def test_an_unparsable_message_is_kept_failed_and_retried(desk):
    raw = b"Subject: nobody sent this\r\nMessage-ID: <nofrom@client.example>\r\n\r\nbody\r\n"
    r = piped(desk, raw)
    assert (r["status"], r["outcome"], r["reason"], r["ticket_id"], r["attempts"]) == \
        ("failed", "failed", "no_sender", None, "1")
    listed = desk.admin.get("/api/v2/mail/inbound?status=failed")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert int(r["id"]) in [m["id"] for m in body["inbound_mail"]]
    assert all(m["status"] == "failed" for m in body["inbound_mail"])
    resp = desk.admin.post(f"/api/v2/mail/inbound/{r['id']}/retry")
    assert resp.status_code == 200, resp.text
    obj = resp.json()["inbound_mail"]
    assert (obj["status"], obj["outcome"], obj["reason"], obj["attempts"]) == \
        ("failed", "failed", "no_sender", 2)
    # The full original stays available.
    raw_resp = desk.admin.get(f"/api/v2/mail/inbound/{r['id']}/raw")
    assert raw_resp.status_code == 200 and raw_resp.content == raw
    assert raw_resp.headers["Content-Type"].startswith("message/rfc822")
    assert raw_resp.headers["Content-Disposition"].startswith("attachment")


def test_a_failed_message_retried_after_the_cause_is_fixed(desk):
    r = piped(desk, message("fixme@client.example", subject="Retry me"))
    # As if processing had failed (the database went away in between, say).
    desk.srv.db.execute(f"UPDATE mail_inbound SET status = 'failed', outcome = 'failed', "
                        f"reason = 'error_io', ticket_id = NULL WHERE id = {r['id']}")
    resp = desk.admin.post(f"/api/v2/mail/inbound/{r['id']}/retry")
    assert resp.status_code == 200, resp.text
    obj = resp.json()["inbound_mail"]
    assert (obj["status"], obj["outcome"], obj["reason"], obj["attempts"]) == \
        ("processed", "ticket", None, 2)
    assert obj["ticket_id"] not in (None, int(r["ticket_id"]))
    # A processed one is not retried.
    assert_error(desk.admin.post(f"/api/v2/mail/inbound/{r['id']}/retry"), 409, "conflict",
                 "status")
    assert_error(desk.admin.post("/api/v2/mail/inbound/999999/retry"), 404, "not_found")


def test_a_stored_but_unprocessed_message_is_processed_when_it_comes_again(desk):
    """A row left 'received' (stored, never processed: an older version's crash between its two
    commits) is processed when the same bytes come in again, not answered as a duplicate."""
    raw = message("again@client.example", subject="Left received")
    r = piped(desk, raw)
    desk.srv.db.execute(f"UPDATE mail_inbound SET status = 'received', outcome = NULL, "
                        f"ticket_id = NULL, comment_id = NULL, processed_at = NULL, attempts = 0 "
                        f"WHERE id = {r['id']}")
    again = desk.admin.post("/api/v2/mail/inbound", data=raw,
                            headers={"Content-Type": "message/rfc822"})
    assert again.status_code == 200, again.text
    obj = again.json()["inbound_mail"]
    assert (obj["id"], obj["status"], obj["outcome"], obj["attempts"], obj["duplicate"]) == \
        (int(r["id"]), "processed", "ticket", 1, True)
    assert obj["ticket_id"] not in (None, int(r["ticket_id"]))


def test_a_message_whose_processing_fails_is_stored_failed_and_retried(desk):
    """Storing and processing are one transaction; when it fails for another reason than the
    message (here the database refuses the ticket), it is rolled back whole and the raw message
    is stored alone as failed: nothing is lost, and the pipe still exits 0."""
    db = desk.srv.db
    if DB_KIND == "sqlite":
        db.execute("CREATE TRIGGER mail_boom BEFORE INSERT ON tickets WHEN NEW.subject = 'Boom' "
                   "BEGIN SELECT RAISE(ABORT, 'boom'); END")
    else:
        db.execute("CREATE FUNCTION mail_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "IF NEW.subject = 'Boom' THEN RAISE EXCEPTION 'boom'; END IF; "
                   "RETURN NEW; END $$")
        db.execute("CREATE TRIGGER mail_boom BEFORE INSERT ON tickets FOR EACH ROW "
                   "EXECUTE FUNCTION mail_boom()")
    users = db_scalar(db, "SELECT count(*) FROM users")
    raw = message("Boom Sender <boom@client.example>", subject="Boom")
    try:
        res = mail_in(desk, raw)
        assert res.returncode == 0, res.stderr
        # One line for the operator: the database's error, and that the message was kept.
        lines = res.stderr.decode().splitlines()
        assert len(lines) == 1 and json.loads(lines[0])["event"] == "mail_in_failed", lines
        assert "stored as failed" in lines[0], lines
        r = row(desk, hashlib.sha256(raw).hexdigest())
        assert (r["status"], r["outcome"], r["reason"], r["ticket_id"], r["comment_id"],
                r["from_address"], r["subject"], r["attempts"]) == \
            ("failed", "failed", "error_invalid", None, None, "boom@client.example",
             "Boom", "1")
        # Rolled back whole: the new requester too.
        assert db_scalar(db, "SELECT count(*) FROM users") == users
        got = desk.admin.get(f"/api/v2/mail/inbound/{r['id']}/raw")
        assert got.status_code == 200 and got.content == raw
        # The same bytes again answer the failed row.
        assert mail_in(desk, raw).returncode == 0
        assert row(desk, hashlib.sha256(raw).hexdigest()) == r
    finally:
        if DB_KIND == "sqlite":
            db.execute("DROP TRIGGER mail_boom")
        else:
            db.execute("DROP TRIGGER mail_boom ON tickets")
            db.execute("DROP FUNCTION mail_boom()")
    resp = desk.admin.post(f"/api/v2/mail/inbound/{r['id']}/retry")
    assert resp.status_code == 200, resp.text
    obj = resp.json()["inbound_mail"]
    assert (obj["status"], obj["outcome"], obj["reason"], obj["attempts"]) == \
        ("processed", "ticket", None, 2)
    assert ticket(desk, obj["ticket_id"])["subject"] == "Boom"


# ---------------------------------------------------------------- loops and noise


def test_an_automatic_reply_gets_no_acknowledgement(desk):
    for i, hdr in enumerate(("Auto-Submitted: auto-replied", "Precedence: bulk",
                             "X-Auto-Response-Suppress: All")):
        r = piped(desk, message(f"robot{i}@client.example", subject="Out of office",
                                body="I am away until Monday.", headers=(hdr,)))
        assert r["outcome"] == "ticket", hdr
        assert outbox(desk, "acknowledgement", r["ticket_id"]) == [], hdr
    # An empty auto-reply is nothing at all.
    r = piped(desk, message("robot9@client.example", subject="Auto", body="",
                            headers=("Auto-Submitted: auto-generated",)))
    assert (r["status"], r["outcome"], r["ticket_id"]) == ("processed", "ignored", None)


def test_our_own_mail_is_ignored(desk):
    before = db_scalar(desk.srv.db, "SELECT count(*) FROM tickets")
    r = piped(desk, message(f"Support <{OURS}>", subject="loop"))
    assert (r["outcome"], r["ticket_id"]) == ("ignored", None)
    r = piped(desk, message("x@client.example", subject="loop 2",
                            message_id="<outbox-1.aa@desk.example>"))
    assert (r["outcome"], r["ticket_id"]) == ("ignored", None)
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM tickets") == before


DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.client.example>
To: {ours}
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn{n}@mx.client.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BB"

--BB
Content-Type: text/plain

Your message could not be delivered.

--BB
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.client.example

Final-Recipient: rfc822; {rcpt}
Action: failed
Status: 5.1.1

--BB
Content-Type: text/rfc822-headers

From: {ours}
To: {rcpt}
Subject: Your request
Message-ID: {orig}

--BB--
"""


def test_a_bounce_is_linked_and_marks_the_address(desk):
    tid = new_ticket(desk, "gone@client.example", subject="Will bounce")
    [ack] = outbox(desk, "acknowledgement", tid)
    give_message_id(desk, ack[0], "<outbox-901.beef@desk.example>")
    raw = DSN.format(ours=OURS, n=1, rcpt="gone@client.example",
                     orig="<outbox-901.beef@desk.example>").replace("\n", "\r\n").encode()
    r = piped(desk, raw)
    assert (r["status"], r["outcome"], r["ticket_id"]) == ("processed", "bounce", str(tid))
    assert db_query(desk.srv.db, "SELECT address, count, last_status FROM mail_bouncing") == \
        [("gone@client.example", "1", "5.1.1")]
    assert db_query(desk.srv.db, f"SELECT field, new_value, actor_id FROM ticket_events WHERE "
                                 f"ticket_id = {tid} AND field = 'mail_bounced'") == \
        [("mail_bounced", "gone@client.example", None)]
    assert len(comments(desk, tid)) == 1  # no comment, no note


def test_past_the_hourly_limit_no_auto_replies_and_one_alert(desk):
    sender = "chatty@client.example"
    tids = [new_ticket(desk, sender, subject=f"Message {i}") for i in range(5)]
    acks = [len(outbox(desk, "acknowledgement", t)) for t in tids]
    assert acks == [1, 1, 1, 0, 0]  # --mail-in-hourly-max 3
    alerts = [a for a in outbox(desk, "mail_rate_alert") if sender in a[3]]
    assert [a[1] for a in alerts] == [ADMIN["email"]]  # the one admin, once this hour


def test_an_oversized_attachment_becomes_a_note_and_the_sender_is_told(desk):
    big = "A" * 3000
    small = "hello attachment"
    body = "\r\n".join([
        "From: Att Sender <att@client.example>", f"To: {OURS}", "Subject: Files",
        "Message-ID: <att1@client.example>", "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="XX"', "", "--XX",
        "Content-Type: text/plain", "", "See the files.", "--XX",
        'Content-Type: text/plain; name="small.txt"',
        'Content-Disposition: attachment; filename="small.txt"', "", small, "--XX",
        "Content-Type: application/octet-stream",
        'Content-Disposition: attachment; filename="big.bin"', "", big, "--XX--", ""])
    r = piped(desk, body.encode())
    assert r["outcome"] == "ticket"
    [c] = comments(desk, r["ticket_id"])
    assert c["body"].startswith("See the files.")
    assert "Attachment big.bin (" in c["body"] and "was not kept: larger than" in c["body"]
    assert [a["file_name"] for a in c["attachments"]] == ["small.txt"]
    got = desk.admin.get(c["attachments"][0]["content_url"])
    assert got.status_code == 200 and got.content.strip() == small.encode()
    [told] = outbox(desk, "attachment_dropped", r["ticket_id"])
    assert told[1] == "att@client.example" and "big.bin" in told[3]


# ---------------------------------------------------------------- bans


def test_a_banned_requesters_mail_is_closed_with_one_notice(desk):
    tid = new_ticket(desk, "banned@client.example", subject="Before the ban")
    uid = ticket(desk, tid)["requester_id"]
    resp = desk.admin.post(f"/api/v2/users/{uid}/ban", {"reason": "Abusive language"})
    assert resp.status_code in (200, 201), resp.text
    notices = len(outbox(desk, "ban_notice", to="banned@client.example"))
    made = []
    for i in range(2):
        r = piped(desk, message("banned@client.example", subject=f"Banned {i}"))
        assert r["outcome"] == "ticket"
        made.append(int(r["ticket_id"]))
        assert ticket(desk, r["ticket_id"])["status"] == "closed"
    assert len(outbox(desk, "ban_notice", to="banned@client.example")) == notices + 1
    assert all(outbox(desk, "acknowledgement", t) == [] for t in made)
    # A reply on the old ticket by mail does not reopen it for agents either.
    r = piped(desk, message("banned@client.example", subject=f"Re: {token_of(desk, tid)}"))
    made.append(int(r["ticket_id"]))
    assert ticket(desk, r["ticket_id"])["status"] == "closed"
    # No agent view shows them.
    views = desk.agent.get("/api/v2/views")
    assert views.status_code == 200, views.text
    for v in views.json()["views"]:
        page = desk.agent.get(f"/api/v2/views/{v['id']}/tickets")
        assert page.status_code == 200, page.text
        shown = {t["id"] for t in page.json()["tickets"]}
        assert not shown & set(made), v["title"]


# ---------------------------------------------------------------- the routes and the pipe


def test_only_admins_with_a_token_post_and_read(desk):
    raw = message("auth@client.example")
    assert_error(desk.anon.post("/api/v2/mail/inbound", data=raw), 401, "unauthorized")
    assert_error(desk.agent.post("/api/v2/mail/inbound", data=raw), 403, "forbidden")
    for path in ("/api/v2/mail/inbound", "/api/v2/mail/inbound/1", "/api/v2/mail/inbound/1/raw"):
        assert_error(desk.anon.get(path), 401, "unauthorized")
        assert_error(desk.agent.get(path), 403, "forbidden")
    assert_error(desk.agent.post("/api/v2/mail/inbound/1/retry"), 403, "forbidden")
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM users WHERE email = 'auth@client.example'") \
        == "0"
    assert_error(desk.admin.get("/api/v2/mail/inbound?status=nope"), 400, "bad_request", "status")
    assert_error(desk.admin.get("/api/v2/mail/inbound/999999"), 404, "not_found")


def test_show_and_list(desk):
    r = piped(desk, message("show@client.example", subject="Shown"))
    resp = desk.admin.get(f"/api/v2/mail/inbound/{r['id']}")
    assert resp.status_code == 200, resp.text
    obj = resp.json()["inbound_mail"]
    assert set(obj) == INBOUND_KEYS
    assert (obj["id"], obj["source"], obj["subject"], obj["from_address"], obj["ticket_id"]) == \
        (int(r["id"]), "pipe", "Shown", "show@client.example", int(r["ticket_id"]))
    page = desk.admin.get("/api/v2/mail/inbound?page[size]=2")
    assert page.status_code == 200, page.text
    assert len(page.json()["inbound_mail"]) == 2 and page.json()["meta"]["has_more"] is True


def test_a_body_over_the_limit_is_413(desk):
    resp = desk.admin.post("/api/v2/mail/inbound", data=b"x" * (2 * 1024 * 1024))
    assert resp.status_code == 413


def test_exit_75_when_the_message_cannot_be_stored(desk, tmp_path):
    raw = message("exit@client.example")
    res = mail_in(f"sqlite:{tmp_path}/no/such/dir/fd.db", raw)
    assert res.returncode == 75, res.stderr
    assert res.stdout == b"" and len(res.stderr.strip().splitlines()) == 1
    res = mail_in("postgresql://postgres@127.0.0.1:1/nothing", raw)
    assert res.returncode == 75, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    # Too large: refused unstored.
    res = mail_in(desk, raw + b"x" * (40 * 1024 * 1024))
    assert res.returncode == 75
    assert db_scalar(desk.srv.db,
                     "SELECT count(*) FROM mail_inbound WHERE from_address = 'exit@client.example'"
                     ) == "0"
    # Stored, even when it failed to parse: 0.
    assert mail_in(desk, b"\r\n\r\n").returncode == 0


def test_racing_copies_of_one_message_store_one_row(desk):
    raw = message("race@client.example", subject="Raced")
    argv = [BIN, "mail-in", "--db", desk.srv.db_url]
    for k, v in MAIL_FLAGS.items():
        argv += ["--" + k.replace("_", "-"), v]
    procs = [subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=binary_env(), cwd=binary_cwd())
             for _ in range(6)]
    for p in procs:
        p.stdin.write(raw)
    for p in procs:
        p.stdin.close()
    for p in procs:
        assert p.wait(timeout=30) == 0, p.stderr.read()
        assert p.stderr.read() == b""
    r = row(desk, hashlib.sha256(raw).hexdigest())
    assert (r["status"], r["outcome"], r["attempts"]) == ("processed", "ticket", "1")
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM tickets WHERE subject = 'Raced'") == "1"


def test_concurrent_mail_of_one_new_sender_makes_one_requester(desk):
    argv = [BIN, "mail-in", "--db", desk.srv.db_url]
    for k, v in MAIL_FLAGS.items():
        argv += ["--" + k.replace("_", "-"), v]
    raws = [message("Newcomer <newcomer@client.example>", subject=f"At once {i}") for i in range(3)]
    procs = [subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=binary_env(), cwd=binary_cwd())
             for _ in raws]
    for p, raw in zip(procs, raws):
        p.stdin.write(raw)
    for p in procs:
        p.stdin.close()
    for p in procs:
        assert p.wait(timeout=30) == 0, p.stderr.read()
    rows = [row(desk, hashlib.sha256(raw).hexdigest()) for raw in raws]
    assert [(r["status"], r["outcome"]) for r in rows] == [("processed", "ticket")] * 3
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM users WHERE "
                                  "email = 'newcomer@client.example'") == "1"
