"""Sign-in and access: API tokens (Bearer and Zendesk's Basic email/token form), GET
/api/v2/users/me, password sign-in and its cookie, CSRF on cookie writes, sign-out (one session
and everywhere), session expiry, sign-in throttling (per email and per client address), password
reset through the outbox, and the audit log those leave behind.

People are made with `frontdesk staff add` (requesters: a staff row turned into an end-user in
the database, as no API makes requesters yet). Every test that fails a sign-in does it from its
own loopback address (127.1.x.y), so the per-address throttle of one test never reaches another.
Time never has to pass: where a test needs "later", it moves the stored instants back (sessions,
sign-in failures, reset tokens), which is what the server reads.
"""

import base64
import http.cookiejar
import itertools
import json
import re
import secrets
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from requests.adapters import HTTPAdapter

from conftest import BIN, DB_KIND, ServerPool, assert_error, binary_cwd, binary_env

PASSWORD = "correct horse battery staple"
WRONG = "incorrect horse battery staple"
SECRET_RE = r"[A-Za-z0-9_-]{43}"
COOKIE_RE = re.compile(r"fd_session=(" + SECRET_RE + r"); Path=/; Max-Age=(\d+); HttpOnly; "
                       r"SameSite=Lax(; Secure)?")
CLEAR_COOKIE = "fd_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
SESSION_MAX = 14 * 86400  # service/auth.h AUTH_SESSION_MAX: the cookie lives as long as the session
SESSION_IDLE = 12 * 3600  # AUTH_SESSION_IDLE
WINDOW = 15 * 60  # core/throttle.h THROTTLE_WINDOW
USER_FIELDS = {"id", "url", "name", "email", "role", "phone", "organization_id", "active",
               "created_at", "updated_at", "account_role"}
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
LINK_RE = re.compile(r"(\S*)/reset-password\.html#token=(" + SECRET_RE + r")")


# ---------------------------------------------------------------- people, through the CLI


def cli(*args, stdin=None):
    kw = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run([BIN, *map(str, args)], env=binary_env(), capture_output=True,
                          text=True, timeout=60, cwd=binary_cwd(), **kw)


_seq = itertools.count(1)


def unique_email(who="person"):
    return f"{who}{next(_seq)}.{secrets.token_hex(3)}@example.com"


def add_staff(srv, role="agent", email=None, name="Sam Staff", password=PASSWORD):
    """`frontdesk staff add`; returns {"id", "email", "password", "role"}."""
    email = email or unique_email(role)
    res = cli("staff", "add", "--db", srv.db_url, "--email", email, "--name", name,
              "--role", role, stdin=password + "\n")
    assert res.returncode == 0, f"staff add: {res.stderr}"
    m = re.search(r"\(user (\d+)\)", res.stdout)
    assert m, res.stdout
    return {"id": int(m.group(1)), "email": email, "password": password, "role": role,
            "name": name}


def add_requester(srv, org_name=None, account_role=None, email=None):
    """A requester who can sign in: a staff row turned into an end-user, in an account or not."""
    person = add_staff(srv, "agent", email=email, name="Rita Requester")
    org_id = None
    if org_name:
        srv.db.execute(f"INSERT INTO organizations (name, created_at, updated_at) "
                       f"VALUES ({sql_str(org_name)}, 0, 0)")
        org_id = one(srv.db, f"SELECT id FROM organizations WHERE name = {sql_str(org_name)}")["id"]
    srv.db.execute(f"UPDATE users SET role = 'end-user', "
                   f"organization_id = {org_id if org_id else 'NULL'}, "
                   f"account_role = {sql_str(account_role) if account_role else 'NULL'} "
                   f"WHERE id = {person['id']}")
    person.update(role="end-user", organization_id=org_id, account_role=account_role)
    return person


def create_token(srv, email, name="integration"):
    res = cli("token", "create", "--db", srv.db_url, "--email", email, "--name", name)
    assert res.returncode == 0, f"token create: {res.stderr}"
    token = res.stdout.strip()
    assert re.fullmatch(SECRET_RE, token), res.stdout
    return token


# ---------------------------------------------------------------- reading the database


def sql_str(s):
    return "'" + str(s).replace("'", "''") + "'"


def rows(db, sql):
    """Rows of a query as dicts with typed values (int, str, None), on either engine."""
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


def one(db, sql):
    got = rows(db, sql)
    assert len(got) == 1, f"{sql}: {got}"
    return got[0]


def refused_sql(db, sql):
    """Run a statement that must fail; returns the database's error text ('' if it ran)."""
    if DB_KIND == "sqlite":
        import sqlite3
        conn = sqlite3.connect(db.path, timeout=10)
        try:
            conn.execute(sql)
            conn.commit()
            return ""
        except sqlite3.DatabaseError as e:
            return str(e)
        finally:
            conn.close()
    res = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-c",
                          sql], capture_output=True, text=True, timeout=60)
    return res.stderr if res.returncode != 0 else ""


def failure_times(db, key):
    return [r["at"] for r in rows(db, f"SELECT at FROM sign_in_failures WHERE key = {sql_str(key)} "
                                      f"ORDER BY at")]


def audit_rows(db, action, target_id=None):
    where = f"action = {sql_str(action)}"
    if target_id is not None:
        where += f" AND target_id = {target_id}"
    return rows(db, f"SELECT id, at, actor_id, action, target_type, target_id, ip, detail "
                    f"FROM audit_log WHERE {where} ORDER BY id")


# ---------------------------------------------------------------- HTTP from a chosen address


class _SourceAddress(HTTPAdapter):
    def __init__(self, ip):
        self.ip = ip
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.ip, 0)
        super().init_poolmanager(*args, **kwargs)


_ips = itertools.count(1)


def fresh_ip():
    n = next(_ips)
    return f"127.1.{n // 250}.{n % 250 + 1}"


class Client:
    """Requests from one loopback address; keeps no cookies (tests send them explicitly)."""

    def __init__(self, srv, ip=None):
        self.srv = srv
        self.ip = ip or fresh_ip()
        self.s = requests.Session()
        self.s.trust_env = False
        self.s.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.s.mount("http://", _SourceAddress(self.ip))

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 20)
        return self.s.request(method, self.srv.url.rstrip("/") + path, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def sign_in(self, email, password, **kw):
        return self.post("/api/v2/auth/sign_in", json={"email": email, "password": password}, **kw)


def session_cookie(resp):
    """(secret, max_age, secure) from a sign-in's Set-Cookie, which must be exactly ours."""
    raw = resp.headers.get("Set-Cookie", "")
    m = COOKIE_RE.fullmatch(raw)
    assert m, f"Set-Cookie {raw!r}"
    return m.group(1), int(m.group(2)), bool(m.group(3))


def sign_in(srv, person, ip=None):
    """Sign in; returns (cookie secret, csrf token, user)."""
    r = Client(srv, ip).sign_in(person["email"], person["password"])
    assert r.status_code == 200, r.text
    secret, _, _ = session_cookie(r)
    body = r.json()
    return secret, body["csrf_token"], body["user"]


def cookie(secret):
    return {"Cookie": f"fd_session={secret}"}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def basic(user, password):
    raw = f"{user}:{password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def me(srv, headers=None, path="/api/v2/users/me"):
    return Client(srv).get(path, headers=headers or {})


def assert_unauthorized(resp):
    err = assert_error(resp, 401, "unauthorized")
    assert resp.headers.get("WWW-Authenticate", "").startswith("Bearer"), resp.headers
    return err


def seconds_of(resp):
    value = resp.headers.get("Retry-After", "")
    assert re.fullmatch(r"[1-9]\d*", value), f"Retry-After {value!r}"
    return int(value)


# ---------------------------------------------------------------- one desk for the module


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """One server with an agent (and their API token), a lead, an admin and a requester who
    owns an account. Tests that end sessions or change passwords make their own people."""
    pool = ServerPool(tmp_path_factory.mktemp("auth"))
    try:
        srv = pool.start()
        srv.agent = add_staff(srv, "agent", name="Ann Agent")
        srv.lead = add_staff(srv, "lead", name="Lee Lead")
        srv.admin = add_staff(srv, "admin", name="Ada Admin")
        srv.owner = add_requester(srv, org_name="Customer Co", account_role="owner")
        srv.token = create_token(srv, srv.agent["email"])
        yield srv
    finally:
        pool.close()


# ---------------------------------------------------------------- users/me and credentials


@pytest.mark.parametrize("path", ["/api/v2/users/me", "/api/v2/users/me.json"])
def test_anonymous_me_is_an_anonymous_user(desk, path):
    r = me(desk, path=path)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "application/json"
    body = r.json()
    assert list(body) == ["user"], body
    assert body["user"]["id"] is None, body
    assert body["user"]["role"] == "end-user", body
    assert "email" not in body["user"] and "csrf_token" not in body, body
    assert "Set-Cookie" not in r.headers


@pytest.mark.parametrize("path", ["/api/v2/users/me", "/api/v2/users/me.json"])
def test_bearer_token_me_is_the_token_owner_with_zendesk_fields(desk, path):
    r = me(desk, bearer(desk.token), path=path)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["user"], body  # no csrf_token: a token is not a cookie session
    user = body["user"]
    assert set(user) == USER_FIELDS, sorted(user)
    assert user["id"] == desk.agent["id"]
    assert user["url"].endswith(f"/api/v2/users/{desk.agent['id']}.json"), user["url"]
    assert user["name"] == "Ann Agent"
    assert user["email"] == desk.agent["email"]
    assert user["role"] == "agent"
    assert user["phone"] is None and user["organization_id"] is None
    assert user["account_role"] is None
    assert user["active"] is True
    assert ISO_Z.fullmatch(user["created_at"]) and ISO_Z.fullmatch(user["updated_at"]), user


def test_each_staff_role_is_reported_as_its_role(desk):
    for person in (desk.agent, desk.lead, desk.admin):
        token = create_token(desk, person["email"], name=f"for {person['role']}")
        user = me(desk, bearer(token)).json()["user"]
        assert (user["id"], user["role"], user["email"]) == \
            (person["id"], person["role"], person["email"])


def test_requester_me_shows_account_and_account_role(desk):
    secret, csrf, signed_in = sign_in(desk, desk.owner)
    r = me(desk, cookie(secret))
    assert r.status_code == 200, r.text
    user = r.json()["user"]
    assert set(user) == USER_FIELDS, sorted(user)
    assert user == signed_in
    assert user["role"] == "end-user"
    assert user["organization_id"] == desk.owner["organization_id"] is not None
    assert user["account_role"] == "owner"


def test_basic_email_token_authenticates(desk):
    r = me(desk, basic(f"{desk.agent['email']}/token", desk.token))
    assert r.status_code == 200, r.text
    assert r.json()["user"]["id"] == desk.agent["id"]


def test_basic_email_is_compared_case_insensitively(desk):
    r = me(desk, basic(f"{desk.agent['email'].upper()}/token", desk.token))
    assert r.status_code == 200, r.text
    assert r.json()["user"]["id"] == desk.agent["id"]


@pytest.mark.parametrize("user", ["lead", "stranger", "empty"])
def test_basic_with_someone_elses_email_is_401(desk, user):
    email = {"lead": desk.lead["email"], "stranger": "nobody@example.com", "empty": ""}[user]
    assert_unauthorized(me(desk, basic(f"{email}/token", desk.token)))


def test_basic_with_a_password_is_401(desk):
    err = assert_unauthorized(me(desk, basic(desk.agent["email"], desk.agent["password"])))
    assert "token" in err["message"], err
    # Nor does the password pass as a token in the token form.
    assert_unauthorized(me(desk, basic(f"{desk.agent['email']}/token", desk.agent["password"])))


@pytest.mark.parametrize("header", [
    "Bearer " + "A" * 43,  # well-formed, unknown
    "Bearer ",
    "Bearer not-a-token",
    "Basic !!!not-base64!!!",
    "Basic " + base64.b64encode(b"no colon at all").decode(),
    "Token abc",
    "Digest username=x",
])
def test_bad_credentials_are_401_with_www_authenticate(desk, header):
    r = me(desk, {"Authorization": header})
    assert_unauthorized(r)


def test_bearer_scheme_is_case_insensitive(desk):
    r = me(desk, {"Authorization": f"bearer {desk.token}"})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["id"] == desk.agent["id"]


def test_unknown_session_cookie_is_401_and_cleared(desk):
    r = me(desk, cookie("B" * 43))
    assert_unauthorized(r)
    assert r.headers.get("Set-Cookie") == CLEAR_COOKIE


def test_overlong_session_cookie_is_401_not_anonymous(desk):
    """auth.h: bad credentials (an unknown session) answer 401; a cookie too long to be one of
    ours is still an unknown session, not the absence of one."""
    assert_unauthorized(me(desk, cookie("C" * 60)))


def test_revoked_token_is_401(desk):
    person = add_staff(desk, "agent")
    token = create_token(desk, person["email"])
    assert me(desk, bearer(token)).status_code == 200
    desk.db.execute(f"UPDATE api_tokens SET revoked_at = 1 WHERE user_id = {person['id']}")
    assert_unauthorized(me(desk, bearer(token)))


def test_token_of_staff_demoted_to_requester_is_401(desk):
    # API tokens are for staff: demotion must not leave a working integration credential.
    person = add_staff(desk, "agent")
    token = create_token(desk, person["email"])
    assert me(desk, bearer(token)).status_code == 200
    desk.db.execute(f"UPDATE users SET role = 'end-user' WHERE id = {person['id']}")
    assert_unauthorized(me(desk, bearer(token)))


def test_deactivated_users_token_and_session_are_401_and_sign_in_is_refused(desk):
    person = add_staff(desk, "agent")
    token = create_token(desk, person["email"])
    secret, _, _ = sign_in(desk, person)
    desk.db.execute(f"UPDATE users SET active = 0 WHERE id = {person['id']}")
    assert_unauthorized(me(desk, bearer(token)))
    assert_unauthorized(me(desk, cookie(secret)))
    r = Client(desk).sign_in(person["email"], person["password"])
    assert_error(r, 401, "unauthorized")
    assert "Set-Cookie" not in r.headers


def test_tokens_and_sessions_are_stored_only_as_hashes(desk):
    person = add_staff(desk, "agent")
    token = create_token(desk, person["email"])
    secret, _, _ = sign_in(desk, person)
    tok = one(desk.db, f"SELECT * FROM api_tokens WHERE user_id = {person['id']}")
    ses = one(desk.db, f"SELECT * FROM sessions WHERE user_id = {person['id']}")
    for row, value in ((tok, token), (ses, secret)):
        assert re.fullmatch(r"[0-9a-f]{64}", row["token_hash"]), row
        for column, stored in row.items():
            assert value not in str(stored), f"secret stored in clear in {column}"


# ---------------------------------------------------------------- password sign-in


def test_sign_in_sets_the_session_cookie_and_returns_user_and_csrf(desk):
    r = Client(desk).sign_in(desk.lead["email"], desk.lead["password"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"user", "csrf_token"}, body
    assert re.fullmatch(SECRET_RE, body["csrf_token"]), body
    assert set(body["user"]) == USER_FIELDS
    assert body["user"]["id"] == desk.lead["id"] and body["user"]["role"] == "lead"
    secret, max_age, secure = session_cookie(r)
    assert max_age == SESSION_MAX
    assert not secure, "Secure on plain HTTP without a trusted proxy saying https"
    assert body["csrf_token"] != secret
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    # The cookie signs in, and users/me hands back the same CSRF token.
    again = me(desk, cookie(secret))
    assert again.status_code == 200, again.text
    assert again.json() == body


def test_two_sign_ins_are_two_sessions(desk):
    a, csrf_a, _ = sign_in(desk, desk.admin)
    b, csrf_b, _ = sign_in(desk, desk.admin)
    assert a != b and csrf_a != csrf_b
    assert me(desk, cookie(a)).json()["csrf_token"] == csrf_a
    assert me(desk, cookie(b)).json()["csrf_token"] == csrf_b


def test_sign_in_email_in_another_case(desk):
    for variant in (desk.agent["email"].upper(), desk.agent["email"].title()):
        r = Client(desk).sign_in(variant, desk.agent["password"])
        assert r.status_code == 200, r.text
        assert r.json()["user"]["id"] == desk.agent["id"]


def test_wrong_password_and_unknown_email_get_the_same_401(desk):
    client = Client(desk)
    wrong = client.sign_in(desk.agent["email"], WRONG)
    unknown = client.sign_in("no.such.person@example.com", PASSWORD)
    invalid = client.sign_in("not an address", PASSWORD)
    errs = [assert_error(r, 401, "unauthorized", None) for r in (wrong, unknown, invalid)]
    assert errs[0] == errs[1] == errs[2], errs
    for r in (wrong, unknown, invalid):
        assert "Set-Cookie" not in r.headers, r.headers
        assert wrong.content == r.content


@pytest.mark.parametrize("body,field", [
    ({}, "email"),
    ({"password": PASSWORD}, "email"),
    ({"email": "ann@example.com"}, "password"),
    ({"email": None, "password": PASSWORD}, "email"),
    ({"email": "ann@example.com", "password": None}, "password"),
    ({"email": 5, "password": PASSWORD}, "email"),
    ({"email": "ann@example.com", "password": ["x"]}, "password"),
])
def test_sign_in_missing_or_mistyped_field_is_422(desk, body, field):
    client = Client(desk)
    r = client.post("/api/v2/auth/sign_in", json=body)
    assert_error(r, 422, "invalid", field)
    assert "Set-Cookie" not in r.headers
    # Not a failed sign-in: nothing counted against the address.
    assert failure_times(desk.db, "ip:" + client.ip) == []


def test_sign_in_refuses_non_json_bodies(desk):
    """Cross-site forms cannot send JSON: a form-encoded sign-in is 415 (login CSRF)."""
    client = Client(desk)
    r = client.post("/api/v2/auth/sign_in",
                    data={"email": desk.agent["email"], "password": desk.agent["password"]})
    assert_error(r, 415, "unsupported_media_type")
    assert "Set-Cookie" not in r.headers
    assert_error(client.post("/api/v2/auth/sign_in", data=b"[1]",
                             headers={"Content-Type": "application/json"}), 422, "invalid")
    assert_error(client.post("/api/v2/auth/sign_in", data=b"{",
                             headers={"Content-Type": "application/json"}), 400, "invalid_json")


def test_secure_cookie_behind_a_trusted_proxy_over_https(server):
    srv = server(trusted_proxies="127.0.0.1")
    person = add_staff(srv, "agent")
    client = Client(srv, "127.0.0.1")
    r = client.sign_in(person["email"], person["password"],
                       headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert r.status_code == 200, r.text
    assert session_cookie(r)[2], r.headers["Set-Cookie"]
    assert r.headers["Set-Cookie"].endswith("; Secure")
    r = client.sign_in(person["email"], person["password"],
                       headers={"X-Forwarded-Proto": "http"})
    assert not session_cookie(r)[2], r.headers["Set-Cookie"]
    r = client.sign_in(person["email"], person["password"])
    assert not session_cookie(r)[2], r.headers["Set-Cookie"]
    # The address recorded is the client the proxy named.
    first = audit_rows(srv.db, "auth.sign_in", person["id"])[0]
    assert first["ip"] == "203.0.113.7", first


def test_forwarded_proto_from_an_untrusted_peer_is_ignored(desk):
    r = Client(desk).sign_in(desk.agent["email"], desk.agent["password"],
                             headers={"X-Forwarded-Proto": "https"})
    assert r.status_code == 200, r.text
    assert not session_cookie(r)[2], r.headers["Set-Cookie"]


# ---------------------------------------------------------------- cookie sessions, CSRF, sign-out


def test_cookie_write_without_csrf_token_is_403(desk):
    person = add_staff(desk, "agent")
    secret, csrf, _ = sign_in(desk, person)
    client = Client(desk)
    for headers in ({}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": "D" * 43},
                    {"X-CSRF-Token": csrf[:-1]}, {"X-CSRF-Token": csrf + "x"},
                    {"X-CSRF-Token": secret}):
        r = client.post("/api/v2/auth/sign_out", headers={**cookie(secret), **headers})
        assert_error(r, 403, "forbidden", "X-CSRF-Token")
    # Still signed in: none of those did anything.
    assert me(desk, cookie(secret)).status_code == 200


def test_csrf_token_of_another_session_is_403(desk):
    person = add_staff(desk, "agent")
    a, csrf_a, _ = sign_in(desk, person)
    b, csrf_b, _ = sign_in(desk, person)
    r = Client(desk).post("/api/v2/auth/sign_out", headers={**cookie(a), "X-CSRF-Token": csrf_b})
    assert_error(r, 403, "forbidden", "X-CSRF-Token")
    assert me(desk, cookie(a)).status_code == 200


def test_sign_out_with_csrf_token_ends_the_session(desk):
    person = add_staff(desk, "agent")
    secret, csrf, _ = sign_in(desk, person)
    other, _, _ = sign_in(desk, person)
    r = Client(desk).post("/api/v2/auth/sign_out",
                          headers={**cookie(secret), "X-CSRF-Token": csrf})
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert r.headers.get("Set-Cookie") == CLEAR_COOKIE
    after = me(desk, cookie(secret))
    assert_unauthorized(after)
    assert after.headers.get("Set-Cookie") == CLEAR_COOKIE
    # Only that session: the other one goes on.
    assert me(desk, cookie(other)).json()["user"]["id"] == person["id"]
    assert len(rows(desk.db, f"SELECT id FROM sessions WHERE user_id = {person['id']}")) == 1


def test_csrf_token_from_users_me_works(desk):
    person = add_staff(desk, "agent")
    secret, csrf, _ = sign_in(desk, person)
    from_me = me(desk, cookie(secret)).json()["csrf_token"]
    assert from_me == csrf
    r = Client(desk).post("/api/v2/auth/sign_out",
                          headers={**cookie(secret), "X-CSRF-Token": from_me})
    assert r.status_code == 204, r.text
    assert_unauthorized(me(desk, cookie(secret)))


def test_session_cookie_among_other_cookies(desk):
    """The browser sends every cookie of the site; ours is found by its exact name, both for
    authentication and for the CSRF token users/me hands out."""
    person = add_staff(desk, "agent")
    secret, csrf, _ = sign_in(desk, person)
    for jar in (f"theme=dark; fd_session={secret}; lang=en",
                f"fd_session={secret};other=1",
                f"old_fd_session=stale; fd_session={secret}"):
        r = me(desk, {"Cookie": jar})
        assert r.status_code == 200, (jar, r.text)
        assert r.json()["user"]["id"] == person["id"], jar
        assert r.json()["csrf_token"] == csrf, f"users/me gave another CSRF token for {jar!r}"


def test_sign_out_with_a_token_is_409(desk):
    r = Client(desk).post("/api/v2/auth/sign_out", headers=bearer(desk.token))
    assert_error(r, 409, "conflict")
    r = Client(desk).post("/api/v2/auth/sign_out",
                          headers=basic(f"{desk.agent['email']}/token", desk.token))
    assert_error(r, 409, "conflict")
    assert me(desk, bearer(desk.token)).status_code == 200


def test_sign_out_anonymous_is_401(desk):
    assert_unauthorized(Client(desk).post("/api/v2/auth/sign_out"))
    assert_unauthorized(Client(desk).post("/api/v2/auth/sign_out_everywhere"))


def test_sign_out_everywhere_ends_every_session_of_the_user(desk):
    person = add_staff(desk, "agent")
    bystander = add_staff(desk, "agent")
    token = create_token(desk, person["email"])
    a, csrf_a, _ = sign_in(desk, person)
    b, _, _ = sign_in(desk, person)
    c, _, _ = sign_in(desk, bystander)
    r = Client(desk).post("/api/v2/auth/sign_out_everywhere", headers=cookie(a))
    assert_error(r, 403, "forbidden", "X-CSRF-Token")
    assert me(desk, cookie(b)).status_code == 200
    r = Client(desk).post("/api/v2/auth/sign_out_everywhere",
                          headers={**cookie(a), "X-CSRF-Token": csrf_a})
    assert r.status_code == 204, r.text
    assert r.headers.get("Set-Cookie") == CLEAR_COOKIE
    assert_unauthorized(me(desk, cookie(a)))
    assert_unauthorized(me(desk, cookie(b)))
    assert rows(desk.db, f"SELECT id FROM sessions WHERE user_id = {person['id']}") == []
    # Someone else's session and the user's API token are not sessions of theirs.
    assert me(desk, cookie(c)).json()["user"]["id"] == bystander["id"]
    assert me(desk, bearer(token)).json()["user"]["id"] == person["id"]


def test_idle_session_expires(desk):
    person = add_staff(desk, "agent")
    secret, _, _ = sign_in(desk, person)
    now = int(time.time())
    # Used 12 h less a minute ago: alive, and the use is recorded.
    desk.db.execute(f"UPDATE sessions SET last_seen_at = {now - SESSION_IDLE + 60} "
                    f"WHERE user_id = {person['id']}")
    assert me(desk, cookie(secret)).status_code == 200
    seen = one(desk.db, f"SELECT last_seen_at FROM sessions WHERE user_id = {person['id']}")
    assert seen["last_seen_at"] >= now, "last_seen_at not moved on use"
    # 12 h and a second without use: over, and the row is gone.
    desk.db.execute(f"UPDATE sessions SET last_seen_at = {now - SESSION_IDLE - 1} "
                    f"WHERE user_id = {person['id']}")
    r = me(desk, cookie(secret))
    assert_unauthorized(r)
    assert r.headers.get("Set-Cookie") == CLEAR_COOKIE
    assert rows(desk.db, f"SELECT id FROM sessions WHERE user_id = {person['id']}") == []


def test_session_expires_at_its_absolute_end_despite_use(desk):
    person = add_staff(desk, "agent")
    secret, _, _ = sign_in(desk, person)
    ses = one(desk.db, f"SELECT created_at, expires_at FROM sessions "
                       f"WHERE user_id = {person['id']}")
    assert ses["expires_at"] - ses["created_at"] == SESSION_MAX
    now = int(time.time())
    desk.db.execute(f"UPDATE sessions SET expires_at = {now + 60} WHERE user_id = {person['id']}")
    assert me(desk, cookie(secret)).status_code == 200
    desk.db.execute(f"UPDATE sessions SET expires_at = {now - 1}, last_seen_at = {now} "
                    f"WHERE user_id = {person['id']}")
    assert_unauthorized(me(desk, cookie(secret)))


# ---------------------------------------------------------------- throttling


def five_failures_then(srv, email, sources, final, reset_keys=(), spellings=None, tries=8):
    """Five wrong passwords for email (the i-th from address sources[i], spelt spellings[i]
    when given), each must be 401;
    then final() inside the very second of the fifth failure, so that whatever delay the five
    earned (1 s after the latest failure, core/throttle.h) is still running. A try that
    straddles a second boundary is thrown away (its failures deleted) and repeated.
    Returns final()'s response."""
    keys = ["email:" + email.lower()] + ["ip:" + ip for ip in sources] + list(reset_keys)
    for _ in range(tries):
        srv.db.execute("DELETE FROM sign_in_failures WHERE key IN (%s)"
                       % ", ".join(sql_str(k) for k in keys))
        answers = [Client(srv, ip).sign_in(spelt, WRONG)
                   for ip, spelt in zip(sources, spellings or [email] * len(sources))]
        first = assert_error(answers[0], 401, "unauthorized")
        for r in answers:
            assert assert_error(r, 401, "unauthorized") == first, r.text
        latest = failure_times(srv.db, "email:" + email.lower())[-1]
        if int(time.time()) != latest:
            continue
        resp = final()
        if int(time.time()) == latest:
            return resp
    pytest.fail(f"{tries} tries and never five failures and one more attempt in one second")


def test_five_failures_pass_then_429_with_retry_after(desk):
    person = add_staff(desk, "agent")
    ip = fresh_ip()
    resp = five_failures_then(desk, person["email"], [ip] * 5,
                              lambda: Client(desk, ip).sign_in(person["email"], WRONG))
    assert_error(resp, 429, "too_many_requests")
    assert seconds_of(resp) == 1, "5 failures: wait 1 s after the latest"
    assert "Set-Cookie" not in resp.headers
    # A refused attempt is not a failure: nothing more was counted.
    assert len(failure_times(desk.db, "email:" + person["email"])) == 5


def test_correct_password_while_throttled_is_429_then_works_after_the_wait(desk):
    person = add_staff(desk, "agent")
    ip = fresh_ip()
    resp = five_failures_then(desk, person["email"], [ip] * 5,
                              lambda: Client(desk, ip).sign_in(person["email"], PASSWORD))
    assert_error(resp, 429, "too_many_requests")
    wait = seconds_of(resp)
    assert "Set-Cookie" not in resp.headers
    time.sleep(wait + 0.05)
    ok = Client(desk, ip).sign_in(person["email"], PASSWORD)
    assert ok.status_code == 200, ok.text
    # Success forgets the email's failures: five more are free again.
    assert failure_times(desk.db, "email:" + person["email"]) == []
    for _ in range(5):
        assert_error(Client(desk).sign_in(person["email"], WRONG), 401, "unauthorized")


def test_email_throttle_follows_the_email_across_addresses_and_case(desk):
    """Five failures from five addresses, in varying case: the email key counts them all, so
    a sixth address is refused too."""
    person = add_staff(desk, "agent")
    sources = [fresh_ip() for _ in range(5)]
    email = person["email"]
    spellings = [email, email.upper(), email.title(), email.upper(), email]
    sixth = fresh_ip()
    resp = five_failures_then(desk, email, sources,
                              lambda: Client(desk, sixth).sign_in(email.upper(), PASSWORD),
                              reset_keys=["ip:" + sixth], spellings=spellings)
    assert_error(resp, 429, "too_many_requests")
    assert seconds_of(resp) == 1
    # The addresses themselves have one failure each: none is throttled.
    for ip in sources:
        assert len(failure_times(desk.db, "ip:" + ip)) == 1


def test_another_email_from_the_same_address_is_throttled_by_the_address(desk):
    """The client address is a key like the email (core/throttle.h): after five failures from
    one address, the delay holds for any email from it, even with the right password; other
    addresses are not affected."""
    victim = add_staff(desk, "agent")
    other = add_staff(desk, "agent")
    ip = fresh_ip()
    resp = five_failures_then(desk, victim["email"], [ip] * 5,
                              lambda: Client(desk, ip).sign_in(other["email"], PASSWORD))
    assert_error(resp, 429, "too_many_requests")
    assert seconds_of(resp) == 1
    assert failure_times(desk.db, "email:" + other["email"]) == []
    ok = Client(desk).sign_in(other["email"], PASSWORD)
    assert ok.status_code == 200, ok.text


def test_ten_failures_from_one_address_lock_it_until_the_oldest_leaves_the_window(desk):
    """Ten failures from one address (ten different emails, none throttled by its email) lock
    the address for any email until the oldest failure is THROTTLE_WINDOW old. Between
    attempts the address's failures are moved 20 s into the past, so the 1..16 s delays have
    always run out (time passing, without waiting for it)."""
    person = add_staff(desk, "agent")
    ip = fresh_ip()
    key = "ip:" + ip
    client = Client(desk, ip)
    for i in range(10):
        r = client.sign_in(unique_email("guess"), WRONG)
        assert_error(r, 401, "unauthorized")
        desk.db.execute(f"UPDATE sign_in_failures SET at = at - 20 WHERE key = {sql_str(key)}")
    times = failure_times(desk.db, key)
    assert len(times) == 10
    t0 = int(time.time())
    locked = client.sign_in(person["email"], PASSWORD)
    t1 = int(time.time())
    assert_error(locked, 429, "too_many_requests")
    wait = seconds_of(locked)
    # Retry-After = oldest + window - now, for the server's now between t0 and t1.
    assert t0 <= times[0] + WINDOW - wait <= t1, (times, wait, t0, t1)
    assert wait > 16, "a lock, not the delay of nine"
    assert rows(desk.db, f"SELECT id FROM sessions WHERE user_id = {person['id']}") == []
    # The same person from elsewhere is fine.
    assert Client(desk).sign_in(person["email"], PASSWORD).status_code == 200
    # Still locked when the oldest failure is a few seconds short of the window...
    now = int(time.time())
    shift = times[0] - (now - WINDOW + 5)
    desk.db.execute(f"UPDATE sign_in_failures SET at = at - {shift} WHERE key = {sql_str(key)}")
    still = client.sign_in(person["email"], PASSWORD)
    assert_error(still, 429, "too_many_requests")
    assert seconds_of(still) <= 5
    # ...and free once it has left (the other nine are long past their 16 s delay).
    desk.db.execute(f"UPDATE sign_in_failures SET at = at - 6 WHERE key = {sql_str(key)}")
    ok = client.sign_in(person["email"], PASSWORD)
    assert ok.status_code == 200, ok.text


def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_address_throttle(desk):
    ip = fresh_ip()
    person = add_staff(desk, "agent")
    client = Client(desk, ip)

    def spoofed():
        return client.sign_in(person["email"], PASSWORD,
                              headers={"X-Forwarded-For": "198.51.100.99"})

    # Five failures for other emails, each claiming another forwarded address.
    for i in range(5):
        r = client.sign_in(unique_email("guess"), WRONG,
                           headers={"X-Forwarded-For": f"198.51.100.{i + 1}"})
        assert_error(r, 401, "unauthorized")
    assert len(failure_times(desk.db, "ip:" + ip)) == 5
    assert rows(desk.db, "SELECT key FROM sign_in_failures WHERE key LIKE 'ip:198.51.100.%'") == []
    desk.db.execute(f"UPDATE sign_in_failures SET at = at + 30 WHERE key = {sql_str('ip:' + ip)}")
    assert_error(spoofed(), 429, "too_many_requests")


def test_address_throttle_behind_a_trusted_proxy_is_per_forwarded_client(server):
    srv = server(trusted_proxies="127.0.0.1")
    person = add_staff(srv, "agent")
    proxy = Client(srv, "127.0.0.1")
    for i in range(5):
        r = proxy.sign_in(unique_email("guess"), WRONG, headers={"X-Forwarded-For": "203.0.113.5"})
        assert_error(r, 401, "unauthorized")
    # Move the five failures ahead so the 1 s delay cannot run out during the test.
    srv.db.execute("UPDATE sign_in_failures SET at = at + 30 WHERE key = 'ip:203.0.113.5'")
    assert failure_times(srv.db, "ip:127.0.0.1") == []
    r = proxy.sign_in(person["email"], PASSWORD, headers={"X-Forwarded-For": "203.0.113.5"})
    assert_error(r, 429, "too_many_requests")
    r = proxy.sign_in(person["email"], PASSWORD, headers={"X-Forwarded-For": "203.0.113.6"})
    assert r.status_code == 200, r.text
    failed = audit_rows(srv.db, "auth.sign_in_failed")
    assert [a["ip"] for a in failed] == ["203.0.113.5"] * 5, failed


def test_concurrent_guesses_do_not_exceed_the_free_failures(server):
    """Sixteen wrong passwords for one email at once, each from its own address, on a server
    with eight workers: the email key allows five free failures (six if the burst straddles a
    second), never more, however the requests interleave."""
    srv = server(threads=8)
    person = add_staff(srv, "agent")
    barrier = threading.Barrier(16)
    clients = [Client(srv) for _ in range(16)]

    def guess(client):
        barrier.wait(10)
        return client.sign_in(person["email"], WRONG).status_code

    with ThreadPoolExecutor(16) as ex:
        codes = list(ex.map(guess, clients))
    assert set(codes) <= {401, 429}, codes
    checked = codes.count(401)
    assert checked <= 6, (f"{checked} passwords were checked for one email in a burst; the "
                          f"throttle allows 5 before the first delay: {sorted(codes)}")


# ---------------------------------------------------------------- password reset


def outbox_for(db, address):
    return rows(db, f"SELECT id, kind, to_address, subject, body, status, ticket_id "
                    f"FROM outbox WHERE lower(to_address) = lower({sql_str(address)}) ORDER BY id")


def request_reset(srv, email, client=None, **kw):
    client = client or Client(srv)
    return client.post("/api/v2/auth/password_reset", json={"email": email}, **kw)


def reset_token(srv, person, client=None):
    """Ask for a reset and return the token from the queued mail's link."""
    r = request_reset(srv, person["email"], client)
    assert r.status_code == 202, r.text
    mail = outbox_for(srv.db, person["email"])[-1]
    m = LINK_RE.search(mail["body"])
    assert m, mail["body"]
    return m.group(2)


def confirm(srv, token, password, client=None):
    body = {}
    if token is not None:
        body["token"] = token
    if password is not None:
        body["password"] = password
    client = client or Client(srv)
    return client.post("/api/v2/auth/password_reset/confirm", json=body)


def test_reset_answers_202_alike_and_queues_mail_only_for_a_known_address(desk):
    person = add_staff(desk, "agent", name="Kim Known")
    stranger = unique_email("stranger")
    known = request_reset(desk, person["email"])
    unknown = request_reset(desk, stranger)
    for r in (known, unknown):
        assert r.status_code == 202, r.text
        assert r.json() == {"status": "queued"}
        assert "Set-Cookie" not in r.headers
    assert known.content == unknown.content
    assert outbox_for(desk.db, stranger) == []
    mails = outbox_for(desk.db, person["email"])
    assert len(mails) == 1, mails
    mail = mails[0]
    assert (mail["kind"], mail["to_address"], mail["status"], mail["ticket_id"]) == \
        ("password_reset", person["email"], "queued", None)
    assert mail["subject"]
    assert "Kim Known" in mail["body"]
    m = LINK_RE.search(mail["body"])
    assert m, mail["body"]
    token = m.group(2)
    # Only the token's hash is kept.
    stored = one(desk.db, f"SELECT token_hash, used_at FROM password_resets "
                          f"WHERE user_id = {person['id']}")
    assert stored["token_hash"] != token and token not in stored["token_hash"]
    assert stored["used_at"] is None


def test_reset_for_an_address_in_another_case_goes_to_the_stored_address(desk):
    person = add_staff(desk, "agent")
    r = request_reset(desk, person["email"].upper())
    assert r.status_code == 202, r.text
    mails = outbox_for(desk.db, person["email"])
    assert [m["to_address"] for m in mails] == [person["email"]]


@pytest.mark.parametrize("body", [{}, {"email": ""}, {"email": "not an address"}, {"email": 7}])
def test_reset_needs_an_email_address(desk, body):
    r = Client(desk).post("/api/v2/auth/password_reset", json=body)
    assert_error(r, 422, "invalid", "email")


def test_reset_link_points_at_this_server(server):
    """Without --public-url the link is built from the address the server listens on: the
    port it actually got, not the 0 it was asked for."""
    srv = server()
    person = add_staff(srv, "agent")
    request_reset(srv, person["email"])
    body = outbox_for(srv.db, person["email"])[0]["body"]
    m = LINK_RE.search(body)
    assert m, body
    assert m.group(1) + "/" == srv.url, f"link base {m.group(1)!r}, server at {srv.url!r}"


def test_reset_link_uses_public_url_never_the_host_header(server):
    srv = server(public_url="https://desk.example.com/")
    person = add_staff(srv, "agent")
    r = request_reset(srv, person["email"], headers={"Host": "evil.example",
                                                     "X-Forwarded-Host": "evil.example"})
    assert r.status_code == 202, r.text
    body = outbox_for(srv.db, person["email"])[0]["body"]
    assert "evil.example" not in body
    m = LINK_RE.search(body)
    assert m and m.group(1) == "https://desk.example.com", body


def test_reset_confirm_sets_the_password_and_ends_every_session(desk):
    person = add_staff(desk, "agent")
    token_before = create_token(desk, person["email"])
    a, _, _ = sign_in(desk, person)
    b, _, _ = sign_in(desk, person)
    token = reset_token(desk, person)
    new_password = "a brand new passphrase"
    r = confirm(desk, token, new_password)
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert_unauthorized(me(desk, cookie(a)))
    assert_unauthorized(me(desk, cookie(b)))
    assert_error(Client(desk).sign_in(person["email"], person["password"]), 401, "unauthorized")
    ok = Client(desk).sign_in(person["email"], new_password)
    assert ok.status_code == 200, ok.text
    assert me(desk, bearer(token_before)).status_code == 200  # tokens are revoked, not reset
    # Spent: the same link a second time is refused, the password stays.
    again = confirm(desk, token, "yet another passphrase")
    assert_error(again, 403, "forbidden", "token")
    assert Client(desk).sign_in(person["email"], new_password).status_code == 200


def test_reset_short_password_is_422_and_does_not_spend_the_token(desk):
    person = add_staff(desk, "agent")
    token = reset_token(desk, person)
    for short in ("", "elevenchars", "ääääääääääë"):  # 11 characters, 22 bytes
        assert_error(confirm(desk, token, short), 422, "invalid", "password")
    assert_error(confirm(desk, token, None), 422, "invalid", "password")
    assert_error(confirm(desk, token, "x" * 1025), 422, "invalid", "password")
    # Nothing changed, and the link still works.
    assert Client(desk).sign_in(person["email"], person["password"]).status_code == 200
    assert confirm(desk, token, "twelve chars").status_code == 204
    assert Client(desk).sign_in(person["email"], "twelve chars").status_code == 200


@pytest.mark.parametrize("token", [None, "", "E" * 43, "not-a-token"])
def test_reset_unknown_token_is_403(desk, token):
    assert_error(confirm(desk, token, "a perfectly fine passphrase"), 403, "forbidden", "token")


def test_reset_token_expires_after_an_hour(desk):
    person = add_staff(desk, "agent")
    token = reset_token(desk, person)
    reset = one(desk.db, f"SELECT created_at, expires_at FROM password_resets "
                         f"WHERE user_id = {person['id']}")
    assert reset["expires_at"] - reset["created_at"] == 3600
    desk.db.execute(f"UPDATE password_resets SET expires_at = {int(time.time())} "
                    f"WHERE user_id = {person['id']}")
    assert_error(confirm(desk, token, "a perfectly fine passphrase"), 403, "forbidden", "token")
    assert Client(desk).sign_in(person["email"], person["password"]).status_code == 200


# ---------------------------------------------------------------- the audit log


def test_security_actions_are_audited(server):
    srv = server()
    person = add_staff(srv, "agent")
    uid = person["id"]
    start = int(time.time())
    first_id = max(e["id"] for e in rows(srv.db, "SELECT id FROM audit_log"))
    ip = fresh_ip()
    client = Client(srv, ip)
    create_token(srv, person["email"], name="ci bot")
    assert_error(client.sign_in(person["email"], WRONG), 401, "unauthorized")
    assert_error(client.sign_in("ghost@example.com", WRONG), 401, "unauthorized")
    a, csrf_a, _ = sign_in(srv, person, ip)
    b, csrf_b, _ = sign_in(srv, person, ip)
    assert client.post("/api/v2/auth/sign_out",
                       headers={**cookie(a), "X-CSRF-Token": csrf_a}).status_code == 204
    assert client.post("/api/v2/auth/sign_out_everywhere",
                       headers={**cookie(b), "X-CSRF-Token": csrf_b}).status_code == 204
    token = reset_token(srv, person, client)
    assert confirm(srv, token, "a brand new passphrase", client).status_code == 204
    end = int(time.time())

    log = rows(srv.db, "SELECT id, at, actor_id, action, target_type, target_id, ip, detail "
                       "FROM audit_log ORDER BY id")
    mine = [e for e in log if e["id"] > first_id]
    got = [(e["action"], e["actor_id"], e["target_id"], e["ip"]) for e in mine]
    assert got == [
        ("api_token.created", None, uid, None),
        ("auth.sign_in_failed", None, uid, ip),
        ("auth.sign_in_failed", None, None, ip),
        ("auth.sign_in", uid, uid, ip),
        ("auth.sign_in", uid, uid, ip),
        ("auth.sign_out", uid, uid, ip),
        ("auth.sign_out_everywhere", uid, uid, ip),
        ("auth.password_reset_requested", None, uid, ip),
        ("auth.password_reset", uid, uid, ip),
    ], json.dumps(mine, indent=1)
    for e in mine:
        assert start <= e["at"] <= end, e
        assert e["target_type"] == ("user" if e["target_id"] else None), e
        detail = json.loads(e["detail"])
        assert isinstance(detail, dict), e
    created = json.loads(mine[0]["detail"])
    assert created["name"] == "ci bot" and isinstance(created["token_id"], int), created
    assert json.loads(mine[6]["detail"]) == {"sessions": 1}
    # No secret ever reaches the log.
    for e in log:
        for secret in (a, b, csrf_a, token, person["password"], WRONG):
            assert secret not in json.dumps(e), e


def test_audit_log_refuses_update_and_delete(desk):
    # Make sure there is something to protect.
    sign_in(desk, desk.agent)
    before = rows(desk.db, "SELECT * FROM audit_log ORDER BY id")
    assert before
    statements = ["UPDATE audit_log SET action = 'tampered'",
                  f"UPDATE audit_log SET ip = '0.0.0.0' WHERE id = {before[-1]['id']}",
                  f"DELETE FROM audit_log WHERE id = {before[0]['id']}",
                  "DELETE FROM audit_log"]
    if DB_KIND == "postgres":
        statements.append("TRUNCATE audit_log")
    for sql in statements:
        err = refused_sql(desk.db, sql)
        assert "append-only" in err, f"{sql!r} was not refused: {err!r}"
    after = rows(desk.db, "SELECT * FROM audit_log ORDER BY id")
    assert after[:len(before)] == before
