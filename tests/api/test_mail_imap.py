"""IMAP polling (issue 6, "Email in"): the scheduler job "imap_poll" of `frontdesk serve
--imap-url ...` fetches messages from a mailbox and hands each raw message to the mail gateway
(mail_inbound, source 'imap'); each is stored before it is marked as taken (\\Seen, or moved to
--imap-done-folder), so messages are polled once and none is stored twice.

The IMAP server is a real Dovecot (Debian's dovecot-imapd), configured here on a loopback port
with a throwaway Maildir owned by a non-root system user (Dovecot refuses root-owned mail), and
filled and inspected with Python's imaplib."""

import hashlib
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import db_query, db_scalar, run_cli

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
MAIL_USER = "fdmail"  # the system user that owns the test Maildir
IMAP_LOGIN = "desk"
IMAP_PASSWORD = "s3cret-imap-pw"
POLL_TIMEOUT = 15.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mail_account():
    """(uid, gid) of the non-root owner of the test mail, creating the system user when we are
    root and it is missing; skips the test when that is impossible."""
    if not os.path.exists(DOVECOT):
        pytest.skip("dovecot is not installed (Debian package dovecot-imapd)")
    try:
        pw = pwd.getpwnam(MAIL_USER)
    except KeyError:
        if os.geteuid() != 0:
            pytest.skip(f"needs root to create the system user {MAIL_USER!r} that owns the test "
                        "Maildir (Dovecot refuses root-owned mail), or that user to exist")
        subprocess.run(["useradd", "-r", "-M", "-s", "/usr/sbin/nologin", MAIL_USER], check=True,
                       capture_output=True)
        pw = pwd.getpwnam(MAIL_USER)
    if os.geteuid() != 0:
        pytest.skip("Dovecot is started as root here (it drops to the mail user)")
    return pw.pw_uid, pw.pw_gid


class Dovecot:
    """A private Dovecot: IMAP only, on 127.0.0.1:port, one user with a plaintext password and a
    Maildir, everything under one temp dir (outside pytest's root-only tmp_path, so the mail
    user's processes can reach it)."""

    def __init__(self, tls=False):
        uid, gid = mail_account()
        self.dir = Path(tempfile.mkdtemp(prefix="fd-dovecot-"))
        os.chmod(self.dir, 0o755)
        ssl = "ssl = no"
        self.tls_port = 0
        if tls:  # a self-signed certificate nobody trusts: imaps:// must refuse it
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                            "1", "-subj", "/CN=127.0.0.1", "-keyout", str(self.dir / "key.pem"),
                            "-out", str(self.dir / "cert.pem")], check=True, capture_output=True)
            ssl = (f"ssl = yes\nssl_cert = <{self.dir}/cert.pem\n"
                   f"ssl_key = <{self.dir}/key.pem")
            self.tls_port = free_port()
        self.maildir = self.dir / "home" / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True)
        for root, dirs, _ in os.walk(self.dir / "home"):
            os.chown(root, uid, gid)
        self.port = free_port()
        self.log = self.dir / "dovecot.log"
        (self.dir / "passwd").write_text(
            f"{IMAP_LOGIN}:{{PLAIN}}{IMAP_PASSWORD}:{uid}:{gid}::{self.dir}/home::\n")
        self.conf = self.dir / "dovecot.conf"
        self.conf.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.log}
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {MAIL_USER}
default_internal_group = {MAIL_USER}
default_login_user = {MAIL_USER}
first_valid_uid = 1
mail_location = maildir:{self.maildir}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.dir}/passwd
}}
userdb {{
  driver = passwd-file
  args = {self.dir}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
}}
service anvil {{
  chroot =
}}
""")
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() else ""
        self.stop()
        pytest.fail(f"dovecot did not start: {err}\n"
                    f"{self.log.read_text() if self.log.exists() else ''}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, folder="INBOX"):
        return f"imap://127.0.0.1:{self.port}/{folder}"

    def client(self):
        m = imaplib.IMAP4("127.0.0.1", self.port)
        m.login(IMAP_LOGIN, IMAP_PASSWORD)
        return m

    def append(self, raw, folder="INBOX", flags=None):
        m = self.client()
        try:
            typ, _ = m.append(folder, flags, None, raw)
            assert typ == "OK"
        finally:
            m.logout()

    def messages(self, folder="INBOX"):
        """{uid: (flags set, raw bytes)} of a folder, read without changing a flag."""
        m = self.client()
        try:
            typ, _ = m.select(f'"{folder}"', readonly=True)
            if typ != "OK":
                return None
            typ, data = m.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            out = {}
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head = item[0].decode()
                uid = int(head.split("UID ")[1].split()[0])
                flags = set(head.split("FLAGS (")[1].split(")")[0].split()) - {"\\Recent"}
                out[uid] = (flags, item[1])
            return out
        finally:
            m.logout()

    def set_flags(self, op, flags, folder="INBOX"):
        m = self.client()
        try:
            m.select(folder)
            m.uid("STORE", "1:*", op, flags)
        finally:
            m.logout()


@pytest.fixture
def dovecot():
    d = Dovecot()
    try:
        yield d
    finally:
        d.close()


def message(n, subject=None, sender="carol@customer.example"):
    subject = subject or f"Printer on floor {n} is jammed"
    return (f"From: Carol Customer <{sender}>\r\n"
            f"To: support@rarelogic.example\r\n"
            f"Subject: {subject}\r\n"
            f"Message-ID: <imap-test-{n}-{os.getpid()}@customer.example>\r\n"
            f"Date: Thu, 26 Nov 2026 10:0{n % 10}:00 +0000\r\n"
            f"MIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n"
            f"\r\n"
            f"Hello, message number {n}.\r\nThe printer says PC LOAD LETTER.\r\n").encode()


def start_desk(server, dovecot, db=None, password=IMAP_PASSWORD, init=True, **flags):
    flags.setdefault("imap_url", dovecot.url())
    flags.setdefault("imap_user", IMAP_LOGIN)
    flags.setdefault("imap_interval", 1)
    flags.setdefault("mail_from", "RareLogic Support <support@rarelogic.example>")
    return server(db=db, init=init, env={"FRONTDESK_IMAP_PASSWORD": password}, **flags)


def inbound(db):
    return db_query(db, "SELECT id, source, status, outcome, ticket_id, subject, message_id "
                        "FROM mail_inbound ORDER BY id")


def wait_rows(db, count, timeout=POLL_TIMEOUT):
    """The rows once there are count of them, all processed (stored first, then processed)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = inbound(db)
        done = len(rows) >= count and all(r[2] != "received" for r in rows)
        if done or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def wait_until(predicate, timeout=POLL_TIMEOUT):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def poll_runs(srv):
    return [e for e in srv.log_entries() if e.get("event") == "imap_poll"]


# ---------------------------------------------------------------- tests


def test_each_message_stored_once_then_seen(server, dovecot):
    raws = [message(i) for i in range(1, 4)]
    for raw in raws:
        dovecot.append(raw)
    dovecot.append(message(9, "Already read by a person"), flags="(\\Seen)")
    srv = start_desk(server, dovecot)
    rows = wait_rows(srv.db, 3)
    assert [r[1:4] for r in rows] == [("imap", "processed", "ticket")] * 3, rows
    assert sorted(r[5] for r in rows) == sorted(f"Printer on floor {i} is jammed"
                                                for i in range(1, 4))
    tickets = {r[4] for r in rows}
    assert len(tickets) == 3 and None not in tickets, rows
    assert db_scalar(srv.db, "SELECT count(*) FROM tickets WHERE channel = 'email'") == "3"
    # the bytes stored are the bytes on the server
    stored = {r[0] for r in db_query(srv.db, "SELECT raw_sha256 FROM mail_inbound")}
    assert stored == {hashlib.sha256(r).hexdigest() for r in raws}
    assert wait_until(lambda: all("\\Seen" in f for f, _ in dovecot.messages().values()))
    box = dovecot.messages()
    assert len(box) == 4  # nothing moved or deleted without a done folder
    # more polls take nothing again
    assert wait_until(lambda: len(poll_runs(srv)) >= 1)  # the log is flushed in 100 ms
    runs = len(poll_runs(srv))
    time.sleep(2.5)
    assert len(inbound(srv.db)) == 3
    assert len(poll_runs(srv)) == runs  # a poll that found nothing logs nothing
    # a message that arrives later comes in on the next poll
    dovecot.append(message(4))
    rows = wait_rows(srv.db, 4)
    assert len(rows) == 4 and rows[3][5] == "Printer on floor 4 is jammed", rows
    assert wait_until(lambda: all("\\Seen" in f for f, _ in dovecot.messages().values()))
    assert wait_until(lambda: len(poll_runs(srv)) == runs + 1)  # the log is flushed in 100 ms
    run = poll_runs(srv)[-1]
    assert (run["level"], run["folder"], run["taken"], run["stored"], run["duplicates"]) == \
        ("info", "INBOX", 1, 1, 0)
    assert IMAP_PASSWORD not in srv.log_path.read_text()


def test_restart_after_a_crash_stores_nothing_twice(server, dovecot):
    for i in range(1, 4):
        dovecot.append(message(i))
    srv = start_desk(server, dovecot)
    assert len(wait_rows(srv.db, 3)) == 3
    assert wait_until(lambda: all("\\Seen" in f for f, _ in dovecot.messages().values()))
    assert srv.stop() == 0
    # as if the process had died between storing and marking: the messages are unseen again
    dovecot.set_flags("-FLAGS", "(\\Seen)")
    assert not any("\\Seen" in f for f, _ in dovecot.messages().values())
    srv2 = start_desk(server, dovecot, db=srv.db, init=False)
    assert wait_until(lambda: all("\\Seen" in f for f, _ in dovecot.messages().values()))
    run = srv2.wait_for_log(lambda e: e.get("event") == "imap_poll")
    assert (run["taken"], run["stored"], run["duplicates"]) == (3, 0, 3), run
    assert len(inbound(srv.db)) == 3
    assert db_scalar(srv.db, "SELECT count(*) FROM tickets") == "3"


def test_moves_taken_messages_to_the_done_folder(server, dovecot):
    for i in range(1, 3):
        dovecot.append(message(i))
    dovecot.append(message(3, "Read in a mail client first"), flags="(\\Seen)")
    srv = start_desk(server, dovecot, imap_done_folder="Frontdesk Done")
    rows = wait_rows(srv.db, 3)
    assert len(rows) == 3 and {r[3] for r in rows} == {"ticket"}, rows
    assert wait_until(lambda: dovecot.messages() == {})
    done = dovecot.messages("Frontdesk Done")
    assert done is not None and len(done) == 3  # the folder was created on the first move
    assert sorted(raw for _, raw in done.values()) == sorted(
        [message(1), message(2), message(3, "Read in a mail client first")])
    # the moved messages were never marked read by the poller (it fetches with EXAMINE)
    assert sum("\\Seen" in f for f, _ in done.values()) == 1
    dovecot.append(message(4))
    assert len(wait_rows(srv.db, 4)) == 4
    assert wait_until(lambda: dovecot.messages() == {})
    assert len(dovecot.messages("Frontdesk Done")) == 4
    time.sleep(1.5)
    assert len(inbound(srv.db)) == 4


def test_more_than_a_batch_is_taken_at_once(server, dovecot):
    m = dovecot.client()
    try:
        for i in range(60):
            m.append("INBOX", None, None, message(100 + i))
    finally:
        m.logout()
    # the interval is long: the second batch comes only because the first asked to go on
    srv = start_desk(server, dovecot, imap_interval=600)
    rows = wait_rows(srv.db, 60, timeout=30)
    assert len(rows) == 60
    assert wait_until(lambda: len(poll_runs(srv)) >= 2)  # the log is flushed in 100 ms
    runs = poll_runs(srv)
    assert [(r["waiting"], r["taken"]) for r in runs[:2]] == [(60, 50), (10, 10)], runs
    assert wait_until(lambda: all("\\Seen" in f for f, _ in dovecot.messages().values()))


def test_wrong_password_logs_an_error_and_stores_nothing(server, dovecot):
    dovecot.append(message(1))
    srv = start_desk(server, dovecot, password="not-the-password")
    err = srv.wait_for_log(lambda e: e.get("event") == "imap_login_refused", timeout=10)
    assert err is not None and err["level"] == "error", srv.log_path.read_text()
    assert f'user "{IMAP_LOGIN}"' in err["message"]
    failed = srv.wait_for_log(lambda e: e.get("event") == "job_failed"
                              and e.get("job") == "imap_poll")
    assert failed["code"] == "forbidden"
    time.sleep(1.5)  # another poll, refused again
    assert inbound(srv.db) == []
    assert [f for f, _ in dovecot.messages().values()] == [set()]  # untouched
    assert srv.get("/healthz").status_code == 200
    log = srv.log_path.read_text()
    assert "not-the-password" not in log and IMAP_PASSWORD not in log


def test_server_down_then_back(server, dovecot):
    dovecot.stop()
    srv = start_desk(server, dovecot)
    failed = srv.wait_for_log(lambda e: e.get("event") == "job_failed"
                              and e.get("job") == "imap_poll", timeout=10)
    assert failed is not None and failed["code"] == "io", srv.log_path.read_text()
    assert srv.get("/healthz").status_code == 200
    dovecot.start()
    dovecot.append(message(1))
    rows = wait_rows(srv.db, 1)
    assert len(rows) == 1 and rows[0][1] == "imap", rows
    assert srv.proc.poll() is None


def test_store_failure_leaves_the_message_untouched(server, dovecot):
    """A message the gateway cannot store stays unseen on the server and comes in later."""
    srv = start_desk(server, dovecot)
    # the database refuses the row: the table is gone for a while
    srv.db.execute("ALTER TABLE mail_inbound RENAME TO mail_inbound_gone")
    dovecot.append(message(1))
    failed = srv.wait_for_log(lambda e: e.get("event") == "job_failed"
                              and e.get("job") == "imap_poll", timeout=10)
    assert failed is not None and "left on the server" in failed["message"], \
        srv.log_path.read_text()
    assert [f for f, _ in dovecot.messages().values()] == [set()]
    srv.db.execute("ALTER TABLE mail_inbound_gone RENAME TO mail_inbound")
    rows = wait_rows(srv.db, 1)
    assert len(rows) == 1 and rows[0][3] == "ticket", rows
    assert wait_until(lambda: all("\\Seen" in f for f, _ in dovecot.messages().values()))


@pytest.mark.parametrize("url", ["imap://user:pw@127.0.0.1:143/INBOX", "pop3://127.0.0.1/INBOX",
                                 "imap://127.0.0.1/INBOX;UID=1", "imap:///INBOX"])
def test_bad_imap_url_is_a_usage_error(url):
    res = run_cli("serve", "--imap-url", url)
    assert res.returncode == 2, res
    assert res.stderr.startswith("frontdesk serve: --imap-url: expected imap://"), res.stderr
    assert "pw@" not in res.stderr  # credentials are never echoed


def test_imap_password_is_never_echoed():
    res = run_cli("serve", "--imap-password", "line\nbreak-secret")
    assert res.returncode == 2
    assert "break-secret" not in res.stderr and "--imap-password" in res.stderr
    usage = run_cli("serve", "--help")
    assert "--imap-password" in usage.stdout + usage.stderr


def test_starttls_required_but_not_offered_stores_nothing(server, dovecot):
    """--imap-starttls never falls back to a plaintext login."""
    dovecot.append(message(1))
    srv = start_desk(server, dovecot, imap_starttls=True)
    failed = srv.wait_for_log(lambda e: e.get("event") == "job_failed"
                              and e.get("job") == "imap_poll", timeout=10)
    assert failed is not None and failed["code"] == "io", srv.log_path.read_text()
    assert "STARTTLS" in failed["message"] or "SSL" in failed["message"], failed
    assert inbound(srv.db) == []
    assert [f for f, _ in dovecot.messages().values()] == [set()]
    # the only logins are the test's own two (append, then the look above)
    assert dovecot.log.read_text().count("Login: user=<desk>") == 2


def test_imaps_with_an_untrusted_certificate_is_refused(server):
    """imaps:// verifies the server's certificate: a self-signed one is an error, no login."""
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command to make a certificate")
    d = Dovecot(tls=True)
    try:
        d.append(message(1))
        srv = start_desk(server, d, imap_url=f"imaps://127.0.0.1:{d.tls_port}/INBOX")
        failed = srv.wait_for_log(lambda e: e.get("event") == "job_failed"
                                  and e.get("job") == "imap_poll", timeout=10)
        assert failed is not None and failed["code"] == "io", srv.log_path.read_text()
        assert "certificate" in failed["message"], failed
        assert inbound(srv.db) == []
        assert d.log.read_text().count("Login: user=<desk>") == 1  # the test's append only
    finally:
        d.close()
