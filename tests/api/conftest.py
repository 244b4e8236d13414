"""Fixtures that run the real frontdesk binary on a free loopback port, plus raw-HTTP helpers.

Environment:
  FRONTDESK_BIN                the binary (default: build/frontdesk of this repository)
  FRONTDESK_TEST_DB_KIND       sqlite (default) or postgres
  FRONTDESK_TEST_PG_ADMIN_URL  postgres only: a server on which each test server gets a fresh
                               database (CREATE DATABASE fd_<random>, dropped at teardown)

Fixtures:
  server          factory: server(**flags) -> Server, `frontdesk init` then `frontdesk serve`
                  with --flag-name value for each keyword; every server it started is stopped with
                  SIGTERM at teardown, which must end it with exit code 0 within 10 s
  default_server  one module-scoped server with default flags
  fresh_db        an empty database (Database) without a server
Test modules import the helpers below with `from conftest import ...`.

Every response the suite receives, through `requests` or the raw-socket helpers (connect,
raw_request, read_response), is checked against docs/openapi.json (tests/api/openapi_check.py);
a response the document does not describe fails the test that received it. Answers to requests
the tests malform at the HTTP level on purpose are not checked (they cannot be paired with a
route), nor are libmicrohttpd's own HTML answers (documented under x-frontdesk-libmicrohttpd).
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from requests.structures import CaseInsensitiveDict

import openapi_check

REPO = Path(__file__).resolve().parents[2]
BIN = str((REPO / os.environ.get("FRONTDESK_BIN", "build/frontdesk")).resolve())
DB_KIND = os.environ.get("FRONTDESK_TEST_DB_KIND", "sqlite")
PG_ADMIN_URL = os.environ.get("FRONTDESK_TEST_PG_ADMIN_URL", "")

START_TIMEOUT = 15
STOP_TIMEOUT = 10
LISTEN_RE = re.compile(r"^frontdesk listening on (http://127\.0\.0\.1:(\d+)/)\s*$", re.M)
TOKEN_RE = re.compile(r"^setup token: (\S+)\s*$", re.M)
ADMIN = {"name": "Ada Admin", "email": "ada@example.com", "password": "correct horse battery"}


def pytest_configure(config):
    if DB_KIND not in ("sqlite", "postgres"):
        raise pytest.UsageError(f"FRONTDESK_TEST_DB_KIND={DB_KIND!r}: expected sqlite or postgres")
    if DB_KIND == "postgres" and not PG_ADMIN_URL:
        raise pytest.UsageError("FRONTDESK_TEST_DB_KIND=postgres needs FRONTDESK_TEST_PG_ADMIN_URL")
    if not os.access(BIN, os.X_OK):
        raise pytest.UsageError(f"{BIN} is not an executable: build it first (ninja -C build)")


def pytest_unconfigure(config):
    if _cwd is not None:
        shutil.rmtree(_cwd, ignore_errors=True)


def pytest_report_header(config):
    return f"frontdesk: {BIN} on {DB_KIND}"


# ---------------------------------------------------------------- the binary and its databases


_cwd = None


def binary_cwd():
    """An empty directory to run the binary in, so a stray default path never lands in the repo."""
    global _cwd
    if _cwd is None:
        _cwd = tempfile.mkdtemp(prefix="frontdesk-api-")
    return _cwd


def binary_env(extra=None):
    """The environment for the binary: ours without FRONTDESK_* (they would configure it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env.update(extra or {})
    return env


def run_cli(*args, env=None, timeout=10):
    """Run `frontdesk ARGS...` to completion; returns the CompletedProcess (text)."""
    return subprocess.run([BIN, *map(str, args)], env=binary_env(env), capture_output=True,
                          text=True, timeout=timeout, cwd=binary_cwd(), stdin=subprocess.DEVNULL)


def flag_args(flags):
    """{"max_body_size": "1K"} -> ["--max-body-size", "1K"]; True -> a bare flag."""
    argv = []
    for name, value in flags.items():
        argv.append("--" + name.replace("_", "-"))
        if value is not True:
            argv.append(str(value))
    return argv


def psql(url, sql):
    res = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, f"psql {sql!r}: {res.stderr}"
    return res.stdout


class Database:
    """One empty database: a file in a temp dir, or a fresh database on the PostgreSQL server."""

    def __init__(self, tmpdir):
        self.name = None
        if DB_KIND == "sqlite":
            self.path = Path(tmpdir) / "fd.db"
            self.url = f"sqlite:{self.path}"
        else:
            self.name = "fd_" + secrets.token_hex(6)
            psql(PG_ADMIN_URL, f"CREATE DATABASE {self.name}")
            admin = urllib.parse.urlsplit(PG_ADMIN_URL)
            self.url = urllib.parse.urlunsplit(admin._replace(path="/" + self.name))

    def execute(self, sql):
        """Run one statement directly against the database (to tamper with it)."""
        if self.name is None:
            with sqlite3.connect(self.path) as conn:
                conn.execute(sql)
            conn.close()
        else:
            psql(self.url, sql)

    def drop(self):
        if self.name is not None:
            psql(PG_ADMIN_URL, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def init_db(db, *flags):
    """`frontdesk init`; returns its setup token (None when it printed none)."""
    res = run_cli("init", "--db", db.url, *flags)
    assert res.returncode == 0, f"frontdesk init exited {res.returncode}: {res.stderr}"
    m = TOKEN_RE.findall(res.stdout)
    return m[-1] if m else None


class Server:
    """A running `frontdesk serve`: .url, .proc, .log_path, .setup_token, .db_url, .db."""

    def __init__(self, workdir, db, setup_token, flags, env=None, bare=False):
        self.workdir = Path(workdir)
        self.db = db
        self.db_url = db.url
        self.setup_token = setup_token
        self.log_path = self.workdir / "serve.log"
        self.out_path = self.workdir / "serve.out"
        argv = [BIN, "serve"]
        if not bare:  # bare: --db and --listen come from env
            argv += ["--db", db.url, "--listen", "127.0.0.1:0"]
        argv += flag_args(flags)
        with open(self.out_path, "wb") as out, open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=log, stdin=subprocess.DEVNULL,
                                         env=binary_env(env), cwd=self.workdir)
        self.url, self.port = self._wait_listening()
        self.host = "127.0.0.1"

    def _wait_listening(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            m = LISTEN_RE.search(self.out_path.read_text(errors="replace"))
            if m:
                return m.group(1), int(m.group(2))
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.kill()
        pytest.fail(f"frontdesk serve did not report listening (exit {self.proc.returncode})\n"
                    f"stdout: {self.out_path.read_text()}\nstderr: {self.log_path.read_text()}")

    def log_entries(self):
        """Every line of the log so far, each parsed as one JSON object."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        entries = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except ValueError:
                pytest.fail(f"log line is not JSON: {line!r}")
        return entries

    def wait_for_log(self, predicate, timeout=3.0):
        """The first log entry for which predicate(entry) is true, waiting up to timeout s."""
        deadline = time.monotonic() + timeout
        while True:
            for entry in self.log_entries():
                if predicate(entry):
                    return entry
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Signal the server and wait; returns its exit code, or None if it did not exit."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def get(self, path, **kw):
        kw.setdefault("timeout", 5)
        return requests.get(self.url.rstrip("/") + path, **kw)

    def post(self, path, **kw):
        kw.setdefault("timeout", 5)
        return requests.post(self.url.rstrip("/") + path, **kw)

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 5)
        return requests.request(method, self.url.rstrip("/") + path, **kw)


class ServerPool:
    """Starts servers in one temp dir and stops them all, checking each shut down cleanly."""

    def __init__(self, tmpdir):
        self.tmpdir = Path(tmpdir)
        self.servers = []
        self.dbs = []

    def database(self):
        d = self.tmpdir / f"db{len(self.dbs)}"
        d.mkdir()
        db = Database(d)
        self.dbs.append(db)
        return db

    def start(self, db=None, init=True, env=None, bare=False, **flags):
        db = db or self.database()
        token = init_db(db) if init else None
        workdir = self.tmpdir / f"server{len(self.servers)}"
        workdir.mkdir()
        srv = Server(workdir, db, token, flags, env, bare)
        self.servers.append(srv)
        return srv

    def close(self):
        problems = []
        for srv in self.servers:
            if srv.proc.returncode is not None:
                continue  # the test stopped it and judged the exit itself
            rc = srv.stop()
            if rc is None:
                srv.kill()
                problems.append(f"{srv.url}: still running {STOP_TIMEOUT} s after SIGTERM")
            elif rc != 0:
                problems.append(f"{srv.url}: exit code {rc} after SIGTERM\n"
                                + srv.log_path.read_text(errors="replace")[-2000:])
        for db in self.dbs:
            db.drop()
        assert not problems, "unclean shutdown: " + "\n".join(problems)


@pytest.fixture
def pool(tmp_path):
    p = ServerPool(tmp_path)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def server(pool):
    return pool.start


@pytest.fixture
def fresh_db(pool):
    return pool.database()


@pytest.fixture(scope="module")
def default_server(tmp_path_factory):
    p = ServerPool(tmp_path_factory.mktemp("default"))
    try:
        yield p.start()
    finally:
        p.close()


# ---------------------------------------------------------------- responses vs docs/openapi.json


OPENAPI = openapi_check.Spec.load()
_openapi_problems = []  # appended from any thread; drained after each test phase
_openapi_counts = {"checked": 0, "unpaired": 0}


def check_response(method, target, status, content_type, body, head=None):
    """Check one response against docs/openapi.json; problems fail the running test phase."""
    problems = OPENAPI.check(method, target, status, content_type, body, head)
    _openapi_counts["checked"] += 1
    _openapi_problems.extend(problems)
    return problems


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(
        f"openapi: {_openapi_counts['checked']} responses checked against docs/openapi.json, "
        f"{_openapi_counts['unpaired']} raw answers to deliberately malformed requests not checked")


_original_send = requests.Session.send


def _checked_send(self, request, **kwargs):
    resp = _original_send(self, request, **kwargs)
    for r in [*resp.history, resp]:
        check_response(r.request.method, r.request.path_url, r.status_code,
                       r.headers.get("Content-Type"), r.content)
    return resp


requests.Session.send = _checked_send


def _raise_openapi_problems(item, when, outcome):
    if not _openapi_problems:
        return
    problems = list(_openapi_problems)
    del _openapi_problems[:len(problems)]
    message = ("response(s) not as docs/openapi.json documents them:\n  "
               + "\n  ".join(problems))
    if outcome.excinfo is not None:  # already failing: keep its error, add ours to the report
        item.add_report_section(when, "openapi", message)
        return
    raise AssertionError(message)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    outcome = yield
    _raise_openapi_problems(item, "setup", outcome)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    _raise_openapi_problems(item, "call", outcome)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    outcome = yield
    _raise_openapi_problems(item, "teardown", outcome)


class RecordingSocket(socket.socket):
    """A socket that parses the requests written on it, so read_response can pair each
    response with its request (method and target) and check it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requests = openapi_check.RequestStream()

    def send(self, data, *args):
        n = super().send(data, *args)
        self.requests.feed(bytes(data)[:n])
        return n

    def sendall(self, data, *args):
        self.requests.feed(data)
        return super().sendall(data, *args)


# ---------------------------------------------------------------- raw HTTP over sockets


@dataclass
class RawResponse:
    status_code: int
    reason: str
    headers: CaseInsensitiveDict
    header_lines: list
    content: bytes

    @property
    def text(self):
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.content)


def connect(srv, source=None, timeout=5.0):
    """A TCP connection to the server, optionally from another loopback address."""
    s = RecordingSocket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect((srv.host, srv.port))
    return s


def send_quietly(sock, data):
    """sendall, ignoring a server that answered early and closed (we read its answer next)."""
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


def _recv_exact(sock, buf, n):
    while len(buf) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} body bytes")
        buf += chunk
    return buf


def _read_chunked(sock, buf):
    body = b""
    while True:
        while b"\r\n" not in buf:
            buf += sock.recv(65536) or _raise_closed()
        size_line, buf = buf.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        buf = _recv_exact(sock, buf, size + 2)
        body += buf[:size]
        buf = buf[size + 2:]
        if size == 0:
            return body


def _raise_closed():
    raise ConnectionError("connection closed inside a chunked body")


def read_response(sock, method="GET"):
    """Read one HTTP/1.x response from sock (skipping 1xx); the socket's timeout applies."""
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"connection closed before a full response head: {buf!r}")
            buf += chunk
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        status = int(parts[1])
        if 100 <= status < 200:
            continue
        break
    headers = CaseInsensitiveDict()
    header_lines = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        header_lines.append((name.strip(), value.strip()))
        headers[name.strip()] = value.strip()
    if method == "HEAD" or status in (204, 304):
        body = buf  # must be empty: whatever came after the head is a body that has no place
    elif "chunked" in headers.get("Transfer-Encoding", "").lower():
        body = _read_chunked(sock, buf)
    elif "Content-Length" in headers:
        n = int(headers["Content-Length"])
        body = _recv_exact(sock, buf, n)[:n]
    else:
        body = buf
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    resp = RawResponse(status, parts[2] if len(parts) > 2 else "", headers, header_lines, body)
    request = sock.requests.next_request() if isinstance(sock, RecordingSocket) else None
    if request is None:  # a request malformed on purpose, or a socket not from connect()
        _openapi_counts["unpaired"] += 1
    else:
        check_response(request[0], request[1], status, headers.get("Content-Type"), body,
                       head=method == "HEAD" or request[0] == "HEAD")
    return resp


def raw_request(srv, data, source=None, timeout=5.0, method="GET"):
    """Send raw bytes on a new connection and read one response."""
    with connect(srv, source, timeout) as s:
        send_quietly(s, data)
        return read_response(s, method)


def http_request(method, path, headers=(), body=b""):
    """Bytes of a simple HTTP/1.1 request; headers: (name, value) pairs, Host always first."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def read_until_closed(sock, limit=1 << 20):
    """Everything the peer sends until it closes (the socket's timeout applies)."""
    data = b""
    while len(data) < limit:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data

def is_closed(sock, timeout):
    """True when the peer closes (EOF or reset) within timeout seconds."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


# ---------------------------------------------------------------- assertions and bodies


def assert_error(resp, status, code, field=...):
    """resp is the JSON error {"error": {"code", "message", "field"}} with this status."""
    assert resp.status_code == status, f"want {status}, got {resp.status_code}: {resp.text[:300]}"
    ctype = resp.headers.get("Content-Type", "")
    assert ctype.split(";")[0].strip() == "application/json", f"Content-Type {ctype!r}"
    body = resp.json()
    assert list(body) == ["error"], body
    err = body["error"]
    assert err.get("code") == code, err
    assert isinstance(err.get("message"), str) and err["message"], err
    assert "field" in err and (err["field"] is None or isinstance(err["field"], str)), err
    if field is not ...:
        assert err["field"] == field, err
    return err


def setup_body(token, **user):
    return {"setup_token": token, "user": dict(ADMIN, **user)}


def post_setup(srv, body, content_type="application/json", **kw):
    """POST /api/v2/setup; body is a dict (sent as JSON) or bytes (sent as is)."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    headers = {"Content-Type": content_type} if content_type else {}
    headers.update(kw.pop("headers", {}))
    return srv.post("/api/v2/setup", data=data, headers=headers, **kw)



# ---------------------------------------------------------------- people, credentials and SQL


def db_query(db, sql):
    """Rows of a SELECT run directly against db, each a tuple of str (None for NULL), so both
    engines answer alike."""
    if db.name is None:
        conn = sqlite3.connect(db.path, timeout=10)
        try:
            rows = conn.execute(sql).fetchall()
        finally:
            conn.close()
        return [tuple(None if v is None else str(v) for v in row) for row in rows]
    out = psql(db.url, f"COPY ({sql}) TO STDOUT")
    unescape = {"\\t": "\t", "\\n": "\n", "\\r": "\r", "\\\\": "\\"}
    rows = []
    for line in out.splitlines():
        rows.append(tuple(None if v == "\\N" else re.sub(r"\\[tnr\\]", lambda m: unescape[m[0]], v)
                          for v in line.split("\t")))
    return rows


def db_scalar(db, sql):
    """The one value of a one-row, one-column SELECT (str, or None for NULL)."""
    rows = db_query(db, sql)
    assert len(rows) == 1 and len(rows[0]) == 1, f"{sql}: {rows}"
    return rows[0][0]


def create_admin(srv):
    """Complete setup with ADMIN; returns the admin's id."""
    resp = post_setup(srv, setup_body(srv.setup_token))
    assert resp.status_code == 201, resp.text
    return resp.json()["user"]["id"]


def staff_add(srv, email, name, role="agent", password="correct horse battery"):
    """`frontdesk staff add` (password on stdin); returns the new user's id."""
    res = subprocess.run([BIN, "staff", "add", "--db", srv.db_url, "--email", email, "--name",
                          name, "--role", role], input=password + "\n", env=binary_env(),
                         capture_output=True, text=True, timeout=30, cwd=binary_cwd())
    assert res.returncode == 0, f"staff add {email}: {res.stderr}"
    return int(db_scalar(srv.db, f"SELECT id FROM users WHERE lower(email) = lower('{email}')"))


def token_create(srv, email, name="tests"):
    """`frontdesk token create`; returns the token it printed."""
    res = run_cli("token", "create", "--db", srv.db_url, "--email", email, "--name", name)
    assert res.returncode == 0, f"token create {email}: {res.stderr}"
    return res.stdout.strip().splitlines()[-1]


def add_organization(db, name):
    """An organization (client account) straight in the database; returns its id."""
    db.execute(f"INSERT INTO organizations (name, created_at, updated_at) VALUES ('{name}', 0, 0)")
    return int(db_scalar(db, f"SELECT id FROM organizations WHERE name = '{name}'"))


def add_group(db, name):
    """A group (team) straight in the database, unless one of that name (any case) exists, as
    the default teams do after init; returns its id."""
    db.execute(f"INSERT INTO groups (name, created_at, updated_at) SELECT '{name}', 0, 0 "
               f"WHERE NOT EXISTS (SELECT 1 FROM groups WHERE lower(name) = lower('{name}'))")
    return int(db_scalar(db, f"SELECT id FROM groups WHERE lower(name) = lower('{name}')"))


def add_requester(srv, email, name, organization_id=None, account_role=None,
                  password="correct horse battery"):
    """An end-user who can sign in: added by the CLI as staff (the only way to give a password
    yet), then made an end-user of the account in the database. Returns the user's id."""
    uid = staff_add(srv, email, name, "agent", password)
    org = "NULL" if organization_id is None else str(int(organization_id))
    role = "NULL" if account_role is None else f"'{account_role}'"
    srv.db.execute(f"UPDATE users SET role = 'end-user', organization_id = {org}, "
                   f"account_role = {role} WHERE id = {uid}")
    return uid


class Api:
    """A client of the JSON API with one identity: a token (Bearer), a signed-in session
    (cookie and X-CSRF-Token), or nobody. get/post/put/request take paths under the server."""

    def __init__(self, srv, token=None, session=None):
        self.srv = srv
        self.session = session or requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, path, body=None, **kw):
        kw.setdefault("timeout", 10)
        if body is not None:
            kw["json"] = body
        return self.session.request(method, self.srv.url.rstrip("/") + path, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)


def sign_in(srv, email, password="correct horse battery"):
    """POST /api/v2/auth/sign_in; returns an Api holding the session cookie and CSRF token."""
    s = requests.Session()
    resp = s.post(srv.url.rstrip("/") + "/api/v2/auth/sign_in",
                  json={"email": email, "password": password}, timeout=30)
    assert resp.status_code == 200, f"sign in {email}: {resp.status_code} {resp.text}"
    s.headers["X-CSRF-Token"] = resp.json()["csrf_token"]
    return Api(srv, session=s)
