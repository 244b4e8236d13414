"""The operator commands for people and credentials: `frontdesk staff add` (the password on
standard input) and `frontdesk token create` (the token alone on standard output, once).

Usage errors exit 2 with one line naming the flag; refusals of the request itself (a short
password, a taken email, a requester or unknown address for a token) exit 1 and leave nothing
behind. A command run against the database of a live server is seen by it at once.
"""

import json
import re
import subprocess

import pytest
import requests

from conftest import BIN, DB_KIND, binary_cwd, binary_env, init_db

PASSWORD = "correct horse battery staple"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
ADDED_RE = re.compile(r"\(user (\d+)\)")


def cli(*args, stdin=None, env=None):
    kw = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run([BIN, *map(str, args)], env=binary_env(env), capture_output=True,
                          text=True, timeout=60, cwd=binary_cwd(), **kw)


def staff_add(db, *flags, stdin=PASSWORD + "\n"):
    return cli("staff", "add", "--db", db.url, *flags, stdin=stdin)


def token_create(db, *flags):
    return cli("token", "create", "--db", db.url, *flags)


def rows(db, sql):
    """Rows as dicts with typed values, on either engine."""
    if DB_KIND == "sqlite":
        import sqlite3
        conn = sqlite3.connect(db.path, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql).fetchall()]
        finally:
            conn.close()
    res = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-c",
                          f"SELECT coalesce(json_agg(q), '[]') FROM ({sql}) AS q"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, f"psql {sql!r}: {res.stderr}"
    return json.loads(res.stdout)


def users(db):
    return rows(db, "SELECT id, name, email, role, password_hash, active FROM users ORDER BY id")


def tokens(db):
    return rows(db, "SELECT id, user_id, name, token_hash, revoked_at FROM api_tokens ORDER BY id")


def assert_usage_error(res, command, flag):
    """Exit 2, nothing on stdout, one stderr line `frontdesk COMMAND: ...` naming the flag."""
    assert res.returncode == 2, f"exit {res.returncode}, stderr {res.stderr!r}"
    assert res.stdout == "", res.stdout
    lines = res.stderr.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got {res.stderr!r}"
    assert lines[0].startswith(f"frontdesk {command}: "), lines[0]
    assert flag in lines[0], f"{flag!r} not named in {lines[0]!r}"


def assert_refused(res, command, *needles):
    """Exit 1, nothing on stdout, a message on stderr naming each needle."""
    assert res.returncode == 1, f"exit {res.returncode}, stderr {res.stderr!r}"
    assert res.stdout == "", res.stdout
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith(f"frontdesk {command}: "), res.stderr
    for needle in needles:
        assert needle in last, f"{needle!r} not in {last!r}"


@pytest.fixture
def db(fresh_db):
    init_db(fresh_db)
    return fresh_db


def add(db, email, role="agent", name="Sam Staff", password=PASSWORD):
    res = staff_add(db, "--email", email, "--name", name, "--role", role,
                    stdin=password + "\n")
    assert res.returncode == 0, res.stderr
    return int(ADDED_RE.search(res.stdout).group(1))


def make_requester(db, email):
    uid = add(db, email, name="Rita Requester")
    db.execute(f"UPDATE users SET role = 'end-user' WHERE id = {uid}")
    return uid


# ---------------------------------------------------------------- staff add


@pytest.mark.parametrize("role", ["agent", "lead", "admin"])
def test_staff_add_each_role(db, role):
    res = staff_add(db, "--email", f"{role}@example.com", "--name", f"Pat {role.title()}",
                    "--role", role)
    assert res.returncode == 0, res.stderr
    m = ADDED_RE.search(res.stdout)
    assert m, res.stdout
    assert f"{role}@example.com" in res.stdout and role in res.stdout
    assert PASSWORD not in res.stdout + res.stderr
    [user] = [u for u in users(db) if u["email"] == f"{role}@example.com"]
    assert user["id"] == int(m.group(1))
    assert (user["name"], user["role"], user["active"]) == (f"Pat {role.title()}", role, 1)
    # Argon2id, never the password itself.
    assert user["password_hash"].startswith("$argon2id$"), user["password_hash"]
    assert PASSWORD not in user["password_hash"]


def test_staff_add_without_role_adds_an_agent(db):
    res = staff_add(db, "--email", "plain@example.com", "--name", "Plain Agent")
    assert res.returncode == 0, res.stderr
    assert [u["role"] for u in users(db) if u["email"] == "plain@example.com"] == ["agent"]


def test_staff_add_is_audited(db):
    uid = add(db, "audited@example.com", role="lead")
    entries = rows(db, f"SELECT actor_id, action, target_type, target_id, detail FROM audit_log "
                       f"WHERE action = 'staff.added' AND target_id = {uid}")
    assert len(entries) == 1, entries
    assert entries[0]["target_type"] == "user" and entries[0]["actor_id"] is None
    assert json.loads(entries[0]["detail"]) == {"role": "lead", "via": "cli"}


@pytest.mark.parametrize("args,flag", [
    (["--name", "No Email"], "--email"),
    (["--email", "x@example.com"], "--name"),
    (["--email", "", "--name", "Empty"], "--email"),
    (["--email", "x@example.com", "--name", "X", "--role", "boss"], "--role"),
    (["--email", "x@example.com", "--name", "X", "--role", "end-user"], "--role"),
    (["--email", "x@example.com", "--name", "X", "--role", "Admin"], "--role"),
    (["--email", "x@example.com", "--name", "X", "--role", ""], "--role"),
    (["--email", "x@example.com", "--name", "X", "--role"], "--role"),
    (["--email", "not-an-address", "--name", "X"], "--email"),
    (["--email", "x@example.com", "--name", "X", "--listen", "127.0.0.1:1"], "--listen"),
])
def test_staff_add_usage_errors_exit_2_naming_the_flag(db, args, flag):
    before = users(db)
    assert_usage_error(staff_add(db, *args), "staff add", flag)
    assert users(db) == before


@pytest.mark.parametrize("stdin,needle", [
    ("elevenchars\n", "12"),
    ("ääääääääääë\n", "12"),  # 11 characters in 22 bytes: characters count
    ("\n", "12"),
    ("", "standard input"),
    ("x" * 1025 + "\n", "1024"),
])
def test_staff_add_refuses_a_bad_password(db, stdin, needle):
    before = users(db)
    res = staff_add(db, "--email", "pw@example.com", "--name", "Pat", stdin=stdin)
    assert_refused(res, "staff add", needle)
    assert users(db) == before


@pytest.mark.parametrize("password", ["twelve chars", "ääääääääääëë", "x" * 1024])
def test_staff_add_accepts_the_password_limits(db, password):
    assert add(db, "limits@example.com", password=password) > 0


def test_staff_add_reads_one_line_and_strips_its_ending(server):
    """Only the first line is the password, without its \\n or \\r\\n."""
    srv = server()
    for email, stdin in (("lf@example.com", PASSWORD + "\nsecond line\n"),
                         ("crlf@example.com", PASSWORD + "\r\n"),
                         ("eof@example.com", PASSWORD)):
        res = staff_add(srv.db, "--email", email, "--name", "Line", stdin=stdin)
        assert res.returncode == 0, res.stderr
        r = requests.post(srv.url + "api/v2/auth/sign_in", timeout=20,
                          json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, (email, r.text)


def test_staff_add_refuses_a_taken_email_in_any_case(db):
    add(db, "Taken@Example.com")
    before = users(db)
    for email in ("Taken@Example.com", "taken@example.com", "TAKEN@EXAMPLE.COM"):
        res = staff_add(db, "--email", email, "--name", "Twin")
        assert_refused(res, "staff add", email)
    assert users(db) == before


def test_staff_added_to_a_live_server_signs_in(server):
    srv = server()
    res = staff_add(srv.db, "--email", "Live.Lead@Example.com", "--name", "Live Lead",
                    "--role", "lead")
    assert res.returncode == 0, res.stderr
    r = requests.post(srv.url + "api/v2/auth/sign_in", timeout=20,
                      json={"email": "live.lead@example.com", "password": PASSWORD})
    assert r.status_code == 200, r.text
    user = r.json()["user"]
    assert (user["name"], user["email"], user["role"]) == \
        ("Live Lead", "Live.Lead@Example.com", "lead")


# ---------------------------------------------------------------- token create


def test_token_create_prints_only_the_token(server):
    srv = server()
    uid = add(srv.db, "bot.owner@example.com", role="admin")
    res = token_create(srv.db, "--email", "bot.owner@example.com", "--name", "CI bot")
    assert res.returncode == 0, res.stderr
    assert TOKEN_RE.fullmatch(res.stdout.rstrip("\n")), repr(res.stdout)
    assert res.stdout.count("\n") == 1, repr(res.stdout)
    token = res.stdout.strip()
    assert token not in res.stderr
    # It authenticates as that staff member, as Bearer and as Zendesk's Basic form.
    r = requests.get(srv.url + "api/v2/users/me", timeout=20,
                     headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["id"] == uid
    r = requests.get(srv.url + "api/v2/users/me", timeout=20,
                     auth=("bot.owner@example.com/token", token))
    assert r.status_code == 200, r.text
    assert r.json()["user"]["id"] == uid
    # Stored named, live, and only as a hash.
    [row] = tokens(srv.db)
    assert (row["user_id"], row["name"], row["revoked_at"]) == (uid, "CI bot", None)
    assert re.fullmatch(r"[0-9a-f]{64}", row["token_hash"]) and token not in row["token_hash"]


def test_token_create_twice_gives_two_working_tokens(server):
    srv = server()
    uid = add(srv.db, "two@example.com")
    made = [token_create(srv.db, "--email", "TWO@example.com", "--name", n) for n in ("a", "b")]
    for res in made:
        assert res.returncode == 0, res.stderr
    a, b = (res.stdout.strip() for res in made)
    assert a != b
    for token in (a, b):
        r = requests.get(srv.url + "api/v2/users/me", timeout=20,
                         headers={"Authorization": f"Bearer {token}"})
        assert r.json()["user"]["id"] == uid, r.text
    assert [t["name"] for t in tokens(srv.db)] == ["a", "b"]


def test_token_create_is_audited(db):
    uid = add(db, "audit.token@example.com")
    res = token_create(db, "--email", "audit.token@example.com", "--name", "nightly export")
    assert res.returncode == 0, res.stderr
    [row] = tokens(db)
    entries = rows(db, "SELECT actor_id, target_type, target_id, detail FROM audit_log "
                       "WHERE action = 'api_token.created'")
    assert len(entries) == 1, entries
    e = entries[0]
    assert (e["actor_id"], e["target_type"], e["target_id"]) == (None, "user", uid)
    assert json.loads(e["detail"]) == {"token_id": row["id"], "name": "nightly export"}
    assert res.stdout.strip() not in json.dumps(e)


def test_token_create_refuses_a_requester(db):
    make_requester(db, "rita@customer.example")
    res = token_create(db, "--email", "rita@customer.example", "--name", "nope")
    assert_refused(res, "token create", "rita@customer.example")
    assert tokens(db) == []
    assert rows(db, "SELECT id FROM audit_log WHERE action = 'api_token.created'") == []


def test_token_create_refuses_an_unknown_email(db):
    add(db, "known@example.com")
    res = token_create(db, "--email", "unknown@example.com", "--name", "nope")
    assert_refused(res, "token create", "unknown@example.com")
    assert tokens(db) == []


@pytest.mark.parametrize("args,flag", [
    (["--name", "x"], "--email"),
    (["--email", "known@example.com"], "--name"),
    (["--email", "known@example.com", "--name", ""], "--name"),
    (["--email", "known@example.com", "--name", "x", "--role", "admin"], "--role"),
    (["--email", "known@example.com", "--name", "x", "--bogus"], "--bogus"),
])
def test_token_create_usage_errors_exit_2_naming_the_flag(db, args, flag):
    add(db, "known@example.com")
    assert_usage_error(token_create(db, *args), "token create", flag)
    assert tokens(db) == []


def test_token_create_refuses_a_blank_name(db):
    add(db, "known@example.com")
    res = token_create(db, "--email", "known@example.com", "--name", "   ")
    assert res.returncode != 0, res.stdout
    assert res.stdout == "", "a token was printed"
    assert "name" in res.stderr
    assert tokens(db) == []
