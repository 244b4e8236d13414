"""Outbox delivery over SMTP (issue 6, "Email out"): the scheduler job "mail_out" of
`frontdesk serve --smtp-url ...` sends queued outbox rows to an SMTP server and settles each
row: queued -> sending -> sent (sent_at) | queued again after a 4xx or a connection failure
(attempts+1, next_attempt_at in the future, last_error) | failed after a 5xx. The SMTP server
here is aiosmtpd, run inside the test process on a free loopback port."""

import asyncio
import email
import email.policy
import email.utils
import re
import socket
import subprocess
import threading
import time

import pytest
from aiosmtpd.controller import Controller

from conftest import DB_KIND, db_query, db_scalar, init_db, staff_add

MAIL_FROM = "RareLogic Support <support@rarelogic.example>"
FROM_ADDRESS = "support@rarelogic.example"
MID_RE = re.compile(r"<outbox-(\d+)\.([0-9A-Fa-f]+)@([^<>@\s]+)>")


# ---------------------------------------------------------------- the SMTP server


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """aiosmtpd handler: records every DATA it is offered; answers with the replies queued in
    .replies (one each), then with .reply when set, else 250."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # accepted: {"mail_from", "rcpt_tos", "content"}
        self.offered = 0  # DATA commands completed, accepted or not
        self.mails = 0  # MAIL FROM commands
        self.logins = []  # (login, password) offered by AUTH
        self.replies = []
        self.reply = None
        self.rcpt_reply = None  # an answer to RCPT TO instead of 250
        self.delay = 0.0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            self.mails += 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.offered += 1
            answer = self.replies.pop(0) if self.replies else self.reply
            if answer:
                return answer
            self.received.append({"mail_from": envelope.mail_from,
                                  "rcpt_tos": list(envelope.rcpt_tos),
                                  "content": bytes(envelope.original_content
                                                   or envelope.content)})
        return "250 2.0.0 OK"

    def messages(self):
        with self.lock:
            return list(self.received)

    def offers(self):
        with self.lock:
            return self.offered


class Smtp:
    """One aiosmtpd server on 127.0.0.1:port that can be stopped and started again."""

    def __init__(self, port=None, **smtp_parameters):
        self.port = port or free_port()
        self.handler = Recorder()
        self.controller = None
        self.smtp_parameters = smtp_parameters

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        assert self.controller is None
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     ready_timeout=10, **self.smtp_parameters)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    """A factory of SMTP servers (started unless start=False); all stopped at teardown."""
    made = []

    def make(port=None, start=True, **smtp_parameters):
        s = Smtp(port, **smtp_parameters)
        made.append(s)
        if start:
            s.start()
        return s

    yield make
    for s in made:
        s.stop()


# ---------------------------------------------------------------- helpers


def wait_for(predicate, timeout=10.0, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def row(srv, oid):
    got = db_query(srv.db, f"SELECT status, attempts, next_attempt_at, last_error, sent_at, "
                           f"message_id, claimed_at FROM outbox WHERE id = {int(oid)}")
    assert len(got) == 1, got
    keys = ("status", "attempts", "next_attempt_at", "last_error", "sent_at", "message_id",
            "claimed_at")
    r = dict(zip(keys, got[0]))
    for k in ("attempts", "next_attempt_at", "sent_at", "claimed_at"):
        r[k] = None if r[k] is None else int(r[k])
    return r


def queue_reset(srv, email_address, name="Kim Known"):
    """A user and a password reset for them: returns the queued outbox row's id."""
    staff_add(srv, email_address, name)
    resp = srv.post("/api/v2/auth/password_reset", json={"email": email_address})
    assert resp.status_code == 202, resp.text
    oid = db_scalar(srv.db, f"SELECT max(id) FROM outbox WHERE to_address = '{email_address}' "
                            f"AND kind = 'password_reset'")
    assert oid is not None, "no outbox row for the reset"
    return int(oid)


def crlf():
    return "char(13) || char(10)" if DB_KIND == "sqlite" else "chr(13) || chr(10)"


def insert_row(srv, to_sql, subject_sql, body="Hello there.\n\nA body.\n", kind="ack"):
    """An outbox row straight in the database, with the columns outbox_insert writes; the
    address and subject are SQL expressions, the body text. Returns its id (the newest row for
    that address)."""
    now = int(time.time())
    body_sql = "'" + body.replace("'", "''") + "'"
    srv.db.execute(f"INSERT INTO outbox (kind, to_address, subject, body, ticket_id, "
                   f"next_attempt_at, created_at) VALUES ('{kind}', {to_sql}, {subject_sql}, "
                   f"{body_sql}, NULL, {now}, {now})")
    return int(db_scalar(srv.db, f"SELECT max(id) FROM outbox WHERE to_address = {to_sql}"))


def make_due(srv, oid):
    srv.db.execute(f"UPDATE outbox SET next_attempt_at = {int(time.time())} "
                   f"WHERE id = {int(oid)}")


def parse(content):
    return email.message_from_bytes(content, policy=email.policy.default)


def no_job_failures(srv):
    bad = [e for e in srv.log_entries() if e.get("event") == "job_failed"]
    assert not bad, bad


# ---------------------------------------------------------------- tests


def test_password_reset_is_delivered_once_as_a_proper_message(server, smtp):
    sink = smtp()
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM)
    to = "kim.known@example.com"
    t0 = int(time.time())
    oid = queue_reset(srv, to, "Kim Known")
    assert wait_for(lambda: sink.handler.messages(), 10), \
        f"nothing delivered; row {row(srv, oid)}\n{srv.log_path.read_text()[-2000:]}"
    assert wait_for(lambda: row(srv, oid)["status"] == "sent", 10), row(srv, oid)
    t1 = int(time.time())
    time.sleep(2.5)  # two more runs of the job: nothing sent again
    msgs = sink.handler.messages()
    assert len(msgs) == 1, [m["rcpt_tos"] for m in msgs]
    assert sink.handler.offers() == 1
    got = msgs[0]
    assert got["mail_from"] == FROM_ADDRESS
    assert got["rcpt_tos"] == [to]

    r = row(srv, oid)
    assert r["status"] == "sent" and r["sent_at"] is not None, r
    assert t0 - 1 <= r["sent_at"] <= t1 + 1, (r, t0, t1)
    assert r["last_error"] is None, r

    msg = parse(got["content"])
    assert msg.defects == [], msg.defects
    sender = msg["From"].addresses
    assert len(sender) == 1 and sender[0].display_name == "RareLogic Support" \
        and sender[0].addr_spec == FROM_ADDRESS, str(msg["From"])
    rcpt = msg["To"].addresses
    assert [a.addr_spec for a in rcpt] == [to], str(msg["To"])
    subject = db_scalar(srv.db, f"SELECT subject FROM outbox WHERE id = {oid}")
    assert str(msg["Subject"]) == subject == "Reset your frontdesk password"
    mid = str(msg["Message-ID"]).strip()
    m = MID_RE.fullmatch(mid)
    assert m, mid
    assert int(m.group(1)) == oid and m.group(3) == "rarelogic.example", mid
    assert mid == r["message_id"], (mid, r["message_id"])
    assert msg["Date"] is not None
    date = email.utils.parsedate_to_datetime(str(msg["Date"])).timestamp()
    assert t0 - 5 <= date <= t1 + 5, (str(msg["Date"]), t0, t1)
    auto = msg["Auto-Submitted"]
    assert auto is not None and str(auto).strip().lower() in ("auto-generated", "auto-replied"), \
        auto
    assert str(msg["MIME-Version"]).strip() == "1.0"
    assert msg.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in msg.iter_parts()]
    assert parts == ["text/plain", "text/html"], parts
    plain, html = [p.get_content() for p in msg.iter_parts()]
    body = db_scalar(srv.db, f"SELECT body FROM outbox WHERE id = {oid}")
    assert plain.replace("\r\n", "\n").rstrip("\n") == body.replace("\r\n", "\n").rstrip("\n")
    assert "Kim Known" in html and "reset-password.html#token=" in html
    no_job_failures(srv)


def test_default_mail_from_is_frontdesk_at_localhost(server, smtp):
    sink = smtp()
    srv = server(jobs_interval=1, smtp_url=sink.url)
    oid = queue_reset(srv, "dee.default@example.com", "Dee Default")
    assert wait_for(lambda: row(srv, oid)["status"] == "sent", 10), row(srv, oid)
    msgs = sink.handler.messages()
    assert len(msgs) == 1
    assert msgs[0]["mail_from"] == "frontdesk@localhost"
    msg = parse(msgs[0]["content"])
    assert [(a.display_name, a.addr_spec) for a in msg["From"].addresses] == \
        [("frontdesk", "frontdesk@localhost")]
    m = MID_RE.fullmatch(str(msg["Message-ID"]).strip())
    assert m and int(m.group(1)) == oid and m.group(3) == "localhost", str(msg["Message-ID"])


def test_server_down_then_back_delivers_exactly_once(server, smtp):
    sink = smtp(start=False)  # nothing listens on its port yet
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM)
    oid = queue_reset(srv, "dan.down@example.com", "Dan Down")
    assert wait_for(lambda: row(srv, oid)["attempts"] >= 1, 10), row(srv, oid)
    time.sleep(0.3)
    r = row(srv, oid)
    now = int(time.time())
    assert r["status"] == "queued", r
    assert r["last_error"], r
    assert r["sent_at"] is None, r
    # The first failure waits 30 s (30 s * 2^(attempts-1)).
    assert r["next_attempt_at"] > now + 10, (r, now)
    assert r["next_attempt_at"] <= now + 31 * 2 ** (r["attempts"] - 1), (r, now)
    attempts = r["attempts"]
    time.sleep(2.5)  # not due: no new attempt
    assert row(srv, oid)["attempts"] == attempts, row(srv, oid)

    sink.start()
    time.sleep(1.5)
    assert sink.handler.offers() == 0, "retried before next_attempt_at"
    make_due(srv, oid)
    assert wait_for(lambda: row(srv, oid)["status"] == "sent", 10), row(srv, oid)
    time.sleep(2.5)
    msgs = sink.handler.messages()
    assert len(msgs) == 1 and sink.handler.offers() == 1, len(msgs)
    assert msgs[0]["rcpt_tos"] == ["dan.down@example.com"]
    r = row(srv, oid)
    assert r["sent_at"] is not None and str(parse(msgs[0]["content"])["Message-ID"]).strip() \
        == r["message_id"], r
    no_job_failures(srv)


def test_4xx_then_success_delivers_once(server, smtp):
    sink = smtp()
    sink.handler.replies.append("451 4.3.0 try later")
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM)
    oid = queue_reset(srv, "tess.temp@example.com", "Tess Temp")
    assert wait_for(lambda: row(srv, oid)["attempts"] >= 1, 10), row(srv, oid)
    time.sleep(0.3)
    r = row(srv, oid)
    now = int(time.time())
    assert r["status"] == "queued" and r["attempts"] == 1, r
    assert r["last_error"] and "451" in r["last_error"], r
    assert r["next_attempt_at"] > now + 10, (r, now)
    assert sink.handler.offers() == 1 and sink.handler.messages() == []
    first_mid = r["message_id"]
    make_due(srv, oid)
    assert wait_for(lambda: row(srv, oid)["status"] == "sent", 10), row(srv, oid)
    time.sleep(2.5)
    msgs = sink.handler.messages()
    assert len(msgs) == 1 and sink.handler.offers() == 2, (len(msgs), sink.handler.offers())
    r = row(srv, oid)
    assert r["attempts"] in (1, 2), r
    assert r["sent_at"] is not None, r
    mid = str(parse(msgs[0]["content"])["Message-ID"]).strip()
    assert mid == r["message_id"], (mid, r)
    if first_mid is not None:  # fixed at the first claim
        assert first_mid == mid, (first_mid, mid)


def test_5xx_fails_the_row_and_is_never_retried(server, smtp):
    sink = smtp()
    sink.handler.reply = "550 5.1.1 no such user"
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM)
    oid = queue_reset(srv, "nobody.here@example.com", "Nora Nobody")
    assert wait_for(lambda: row(srv, oid)["status"] == "failed", 10), row(srv, oid)
    r = row(srv, oid)
    assert r["last_error"] and "550" in r["last_error"], r
    assert r["sent_at"] is None, r
    # Even when its next_attempt_at is due, a failed row is never claimed again.
    make_due(srv, oid)
    time.sleep(3.5)
    assert sink.handler.offers() == 1, sink.handler.offers()
    assert sink.handler.messages() == []
    assert row(srv, oid)["status"] == "failed"


def test_5xx_to_rcpt_fails_the_row(server, smtp):
    sink = smtp()
    sink.handler.rcpt_reply = "550 5.1.1 no such user"
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM)
    oid = insert_row(srv, "'gone@example.com'", "'to nobody'")
    assert wait_for(lambda: row(srv, oid)["status"] == "failed", 10), row(srv, oid)
    r = row(srv, oid)
    assert r["last_error"] and "550" in r["last_error"], r
    make_due(srv, oid)
    time.sleep(2.5)
    assert row(srv, oid)["status"] == "failed" and sink.handler.offers() == 0


def test_utf8_and_lines_starting_with_a_dot_arrive_intact(server, smtp):
    sink = smtp()
    srv = server(jobs_interval=1, smtp_url=sink.url,
                 mail_from="Équipe Ünïcode <support@rarelogic.example>")
    subject = "Grüße aus Zürich: ½ done ✓ " + "long words " * 10
    body = ("Bonjour Zoë,\n.a line that starts with a dot\n..two dots\n.\n"
            "a = sign, trailing spaces   \n" + "x" * 200 + "\n\n<script>alert(1)</script>\n")
    oid = insert_row(srv, "'zoe@example.com'", "'" + subject + "'", body=body)
    assert wait_for(lambda: row(srv, oid)["status"] == "sent", 10), row(srv, oid)
    msgs = sink.handler.messages()
    assert len(msgs) == 1
    raw = msgs[0]["content"]
    assert all(len(line) <= 998 for line in raw.split(b"\r\n")), "a line over 998 bytes"
    assert b"\n" not in raw.replace(b"\r\n", b""), "a bare LF in the message"
    msg = parse(raw)
    assert msg["From"].addresses[0].display_name == "Équipe Ünïcode", str(msg["From"])
    assert re.sub(r"\s+", " ", str(msg["Subject"])).strip() == re.sub(r"\s+", " ", subject).strip()
    plain, html = [p.get_content() for p in msg.iter_parts()]
    assert plain.replace("\r\n", "\n").rstrip("\n") == body.rstrip("\n"), repr(plain)
    assert "<script>" not in html and "&lt;script&gt;" in html, html
    assert "Zoë" in html


def test_starttls_required_but_not_offered_sends_nothing(server, smtp):
    sink = smtp()  # offers no STARTTLS
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM, smtp_starttls=True)
    oid = insert_row(srv, "'tls.only@example.com'", "'in clear? never'")
    assert wait_for(lambda: row(srv, oid)["attempts"] >= 1, 10), row(srv, oid)
    r = row(srv, oid)
    assert r["status"] in ("queued", "failed") and r["last_error"] and r["sent_at"] is None, r
    assert sink.handler.mails == 0 and sink.handler.offers() == 0, "mail went out without TLS"


class Authenticator:
    def __init__(self, login, password):
        self.want = (login, password)
        self.seen = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult
        got = (auth_data.login.decode(), auth_data.password.decode())
        self.seen.append(got)
        return AuthResult(success=got == self.want, handled=False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_auth_with_the_password_from_the_environment(server, smtp):
    auth = Authenticator("mailer", "s3cret-Pass-42")
    sink = smtp(authenticator=auth, auth_required=True, auth_require_tls=False)
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM, smtp_user="mailer",
                 env={"FRONTDESK_SMTP_PASSWORD": "s3cret-Pass-42"})
    oid = insert_row(srv, "'authed@example.com'", "'with a login'")
    assert wait_for(lambda: row(srv, oid)["status"] == "sent", 10), row(srv, oid)
    assert auth.seen and set(auth.seen) == {("mailer", "s3cret-Pass-42")}, auth.seen
    assert [m["rcpt_tos"] for m in sink.handler.messages()] == [["authed@example.com"]]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_refused_login_sends_nothing_and_never_shows_the_password(server, smtp):
    auth = Authenticator("mailer", "the-right-one")
    sink = smtp(authenticator=auth, auth_required=True, auth_require_tls=False)
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM, smtp_user="mailer",
                 env={"FRONTDESK_SMTP_PASSWORD": "Wrong-Secret-99"})
    oid = insert_row(srv, "'refused@example.com'", "'no login'")
    assert wait_for(lambda: row(srv, oid)["attempts"] >= 1, 10), row(srv, oid)
    r = row(srv, oid)
    assert r["status"] != "sent" and r["last_error"], r
    assert "Wrong-Secret-99" not in r["last_error"], r
    assert ("mailer", "Wrong-Secret-99") in auth.seen, auth.seen
    assert sink.handler.offers() == 0
    time.sleep(0.3)
    assert "Wrong-Secret-99" not in srv.log_path.read_text(errors="replace")
    assert "Wrong-Secret-99" not in srv.out_path.read_text(errors="replace")


def test_header_injection_in_subject_and_address(server, smtp):
    sink = smtp()
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM)
    nl = crlf()
    good = insert_row(srv, "'ivy.inject@example.com'",
                      f"'Hello' || {nl} || 'Bcc: evil@example.com'")
    bad_to = insert_row(srv, f"'victim@example.com' || {nl} || 'Bcc: evil@example.com'",
                        "'plain subject'")
    assert wait_for(lambda: row(srv, good)["status"] == "sent", 10), row(srv, good)
    time.sleep(2.5)
    msgs = sink.handler.messages()
    for m in msgs:
        assert all("evil" not in r for r in m["rcpt_tos"]), m["rcpt_tos"]
        assert b"\nBcc:" not in m["content"] and b"\nbcc:" not in m["content"].lower()
    mine = [m for m in msgs if m["rcpt_tos"] == ["ivy.inject@example.com"]]
    assert len(mine) == 1, [m["rcpt_tos"] for m in msgs]
    msg = parse(mine[0]["content"])
    assert msg["Bcc"] is None and msg["Cc"] is None
    assert [a.addr_spec for a in msg["To"].addresses] == ["ivy.inject@example.com"]
    subject = str(msg["Subject"])
    assert "\r" not in subject and "\n" not in subject, repr(subject)
    assert re.sub(r"\s+", " ", subject) == "Hello Bcc: evil@example.com", repr(subject)
    # The row whose address carries a header is never sent to anybody.
    assert row(srv, bad_to)["status"] != "sent", row(srv, bad_to)
    assert len(msgs) == 1, [m["rcpt_tos"] for m in msgs]


def insert_many(db, first, last, due_at):
    db.execute(f"INSERT INTO outbox (kind, to_address, subject, body, next_attempt_at, "
               f"created_at) SELECT 'ack', 'many' || i || '@example.com', 'mail ' || i, "
               f"'body ' || i, {due_at}, {int(time.time())} FROM generate_series({first}, "
               f"{last}) AS n(i)")


def lock_waiters(db):
    return int(db_scalar(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                             "current_database() AND wait_event_type = 'Lock' "
                             "AND query ILIKE '%outbox%'"))


def sent_count(db):
    return int(db_scalar(db, "SELECT count(*) FROM outbox WHERE status = 'sent'"))


@pytest.mark.skipif(DB_KIND != "postgres", reason="two processes share a PostgreSQL database")
def test_two_processes_deliver_each_row_exactly_once(server, smtp):
    sink = smtp()
    sink.handler.delay = 0.05  # slow enough that both processes are sending at once
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM)
    other = server(db=srv.db, init=False, jobs_interval=1, smtp_url=sink.url,
                   mail_from=MAIL_FROM)
    # 1. Three rows every 0.3 s over three seconds: both schedulers (1 s apart at most) find work.
    staggered = 30
    for first in range(1, staggered + 1, 3):
        insert_many(srv.db, first, first + 2, int(time.time()))
        time.sleep(0.3)
    assert wait_for(lambda: sent_count(srv.db) == staggered, 30, 0.2), \
        db_query(srv.db, "SELECT status, count(*) FROM outbox GROUP BY status")
    time.sleep(0.3)  # the log flusher writes at least every 100 ms
    per_process = [sum(e.get("sent") for e in s.log_entries() if e.get("event") == "mail_out")
                   for s in (srv, other)]
    assert min(per_process) > 0 and sum(per_process) == staggered, \
        f"per process: {per_process}"

    # 2. Both claim at the same instant: a table lock that blocks their UPDATEs (not plain
    # reads) holds both jobs until it goes, then both race for the same due rows.
    total = staggered + 20
    insert_many(srv.db, staggered + 1, total, int(time.time()) + 1)
    holder = subprocess.Popen(["psql", "-X", "-q", "-d", srv.db.url, "-c",
                               "BEGIN; LOCK TABLE outbox IN SHARE MODE; SELECT pg_sleep(3); "
                               "COMMIT;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        waiting = wait_for(lambda: lock_waiters(srv.db) >= 2, 2.5, 0.05)
    finally:
        _, err = holder.communicate(timeout=10)
    assert holder.returncode == 0, err
    assert waiting, "the two jobs did not both wait for the lock"
    assert wait_for(lambda: sent_count(srv.db) == total, 30, 0.2), \
        db_query(srv.db, "SELECT status, count(*) FROM outbox GROUP BY status")

    time.sleep(2.5)  # more runs: nothing sent again
    msgs = sink.handler.messages()
    assert len(msgs) == total and sink.handler.offers() == total, \
        (len(msgs), sink.handler.offers())
    rcpts = sorted(r for m in msgs for r in m["rcpt_tos"])
    assert rcpts == sorted(f"many{i}@example.com" for i in range(1, total + 1)), rcpts
    mids = {str(parse(m["content"])["Message-ID"]).strip() for m in msgs}
    assert len(mids) == total, mids
    stored = {r[0] for r in db_query(srv.db, "SELECT message_id FROM outbox")}
    assert stored == mids
    runs = [e.get("sent") for s in (srv, other) for e in s.log_entries()
            if e.get("event") == "mail_out"]
    assert sum(runs) == total, runs
    no_job_failures(srv)
    no_job_failures(other)


def insert_at(db, oid, to, status="queued", attempts=0, next_at=None, claimed_at=None,
              message_id=None, kind="ack"):
    """An outbox row with a chosen id and state, straight in the database."""
    now = int(time.time())
    def lit(v):
        return "NULL" if v is None else (str(int(v)) if isinstance(v, int) else f"'{v}'")
    db.execute(f"INSERT INTO outbox (id, kind, to_address, subject, body, ticket_id, status, "
               f"attempts, next_attempt_at, last_error, created_at, claimed_at, message_id) "
               f"VALUES ({oid}, '{kind}', '{to}', 'subject {oid}', 'body {oid}', NULL, "
               f"'{status}', {attempts}, {now if next_at is None else next_at}, NULL, {now}, "
               f"{lit(claimed_at)}, {lit(message_id)})")


def test_backoff_doubles_and_the_eighth_failure_is_final(server, smtp):
    sink = smtp(start=False)
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM)
    for oid, attempts in ((800001, 0), (800002, 3), (800003, 6), (800004, 7)):
        insert_at(srv.db, oid, f"backoff{oid}@example.com", attempts=attempts)
    t0 = int(time.time())
    assert wait_for(lambda: all(row(srv, i)["status"] in ("queued", "failed")
                                and row(srv, i)["last_error"]
                                for i in (800001, 800002, 800003, 800004)), 10), \
        [row(srv, i) for i in (800001, 800002, 800003, 800004)]
    t1 = int(time.time())
    for oid, attempts, wait in ((800001, 1, 30), (800002, 4, 240), (800003, 7, 1920)):
        r = row(srv, oid)
        assert r["status"] == "queued" and r["attempts"] == attempts, r
        assert t0 + wait - 1 <= r["next_attempt_at"] <= t1 + wait + 1, (oid, r, t0, t1)
        assert r["claimed_at"] is None and r["message_id"], r
    r = row(srv, 800004)
    assert r["status"] == "failed" and r["attempts"] == 8 and r["last_error"], r
    assert r["sent_at"] is None


def test_a_row_left_sending_is_sent_again_with_its_message_id(server, smtp):
    sink = smtp()
    srv = server(jobs_interval=1, smtp_url=sink.url, mail_from=MAIL_FROM)
    now = int(time.time())
    stale_mid = "<outbox-800011.0123456789ab@rarelogic.example>"
    insert_at(srv.db, 800011, "stale@example.com", status="sending", claimed_at=now - 301,
              message_id=stale_mid, attempts=1)
    insert_at(srv.db, 800012, "recent@example.com", status="sending", claimed_at=now - 100,
              message_id="<outbox-800012.0123456789ac@rarelogic.example>")
    assert wait_for(lambda: row(srv, 800011)["status"] == "sent", 10), row(srv, 800011)
    time.sleep(2.5)
    msgs = sink.handler.messages()
    assert [m["rcpt_tos"] for m in msgs] == [["stale@example.com"]], msgs
    assert str(parse(msgs[0]["content"])["Message-ID"]).strip() == stale_mid
    assert row(srv, 800011)["message_id"] == stale_mid
    # Claimed 100 s ago: its process may still be sending it.
    r = row(srv, 800012)
    assert r["status"] == "sending" and r["claimed_at"] == now - 100, r


def test_a_backlog_drains_in_runs_of_50_without_waiting_an_interval(pool, fresh_db, smtp):
    sink = smtp()
    init_db(fresh_db)
    count = 120
    now = int(time.time())
    if DB_KIND == "sqlite":
        series = (f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                  f"WHERE i < {count}) ")
        source = "n"
    else:
        series, source = "", f"generate_series(1, {count}) AS n(i)"
    fresh_db.execute(f"{series}INSERT INTO outbox (kind, to_address, subject, body, "
                     f"next_attempt_at, created_at) SELECT 'ack', 'backlog' || i || "
                     f"'@example.com', 'mail ' || i, 'body ' || i, {now}, {now} FROM {source}")
    srv = pool.start(db=fresh_db, init=False, jobs_interval=3600, smtp_url=sink.url,
                     mail_from=MAIL_FROM)
    done = wait_for(lambda: int(db_scalar(srv.db, "SELECT count(*) FROM outbox "
                                                  "WHERE status = 'sent'")) == count, 20, 0.2)
    assert done, db_query(srv.db, "SELECT status, count(*) FROM outbox GROUP BY status")
    assert len(sink.handler.messages()) == count
    time.sleep(0.3)
    runs = [e.get("sent") for e in srv.log_entries() if e.get("event") == "mail_out"]
    assert sum(runs) == count and max(runs) <= 50, runs


def test_stop_is_prompt_while_the_smtp_server_hangs(server):
    """A server that takes the connection and never greets: SIGTERM must still end frontdesk
    within its usual 10 s, not after the SMTP timeout of every claimed row."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as hang:
        hang.bind(("127.0.0.1", 0))
        hang.listen(64)  # the kernel completes connections; nobody ever answers
        port = hang.getsockname()[1]
        srv = server(jobs_interval=1, smtp_url=f"smtp://127.0.0.1:{port}", mail_from=MAIL_FROM)
        ids = [insert_row(srv, f"'hang{i}@example.com'", f"'hang {i}'") for i in range(3)]
        assert wait_for(lambda: row(srv, ids[0])["status"] == "sending", 10), row(srv, ids[0])
        t0 = time.monotonic()
        rc = srv.stop(timeout=100)
        took = time.monotonic() - t0
    assert rc == 0 and took < 10, f"exit {rc} {took:.1f} s after SIGTERM"


def test_without_smtp_url_rows_stay_queued(server, smtp):
    sink = smtp()  # running, but nobody is told about it
    srv = server(jobs_interval=1)
    oid = queue_reset(srv, "quinn.queued@example.com", "Quinn Queued")
    time.sleep(3.5)
    r = row(srv, oid)
    assert (r["status"], r["attempts"], r["last_error"], r["sent_at"], r["message_id"],
            r["claimed_at"]) == ("queued", 0, None, None, None, None), r
    assert sink.handler.offers() == 0
    no_job_failures(srv)
