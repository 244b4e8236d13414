"""People and teams: /api/v2/users, /users/search, /groups and /group_memberships.

Who may do what (service/people.h): staff read everyone, requesters themselves (an account owner
also the account's members), and what one may not see answers 404; staff create requesters,
only admins create staff, change roles, emails and activity, and manage teams.

The Desk helper here is shared with test_organizations.py: it starts one server per module, makes
the first admin through setup, staff through `frontdesk staff add` and API tokens through
`frontdesk token create`, and signs requesters in through the password-reset mail in the outbox.
"""

import itertools
import re
import sqlite3
import subprocess

import pytest
import requests

from conftest import (ADMIN, BIN, DB_KIND, ServerPool, assert_error, binary_cwd, binary_env,
                      post_setup, run_cli, setup_body)

PASSWORD = "a long enough password"
_seq = itertools.count(1)


def unique(stem):
    """A name no other test of the module uses: stem-N."""
    return f"{stem}-{next(_seq)}"


class Actor:
    """Someone calling the API: with an API token (staff) or a signed-in session (anyone)."""

    def __init__(self, desk, user, token=None, session=None, csrf=None):
        self.desk, self.user, self.token = desk, user, token
        self.session = session or requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        if csrf:
            self.session.headers["X-CSRF-Token"] = csrf

    @property
    def id(self):
        return self.user["id"]

    def call(self, method, path, body=None, **kw):
        kw.setdefault("timeout", 10)
        if body is not None:
            kw["json"] = body
        return self.session.request(method, self.desk.srv.url.rstrip("/") + path, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


class Desk:
    """One running server with its first admin; makes staff, requesters and accounts."""

    def __init__(self, pool):
        self.pool = pool
        self.srv = pool.start()
        resp = post_setup(self.srv, setup_body(self.srv.setup_token))
        assert resp.status_code == 201, resp.text
        self.admin = Actor(self, resp.json()["user"], token=self.token_for(ADMIN["email"]))
        self.anonymous = Actor(self, {"id": None})

    def cli(self, *args, stdin=None):
        res = subprocess.run([BIN, *args, "--db", self.srv.db_url], input=stdin, text=True,
                             capture_output=True, env=binary_env(), cwd=binary_cwd(), timeout=30)
        assert res.returncode == 0, f"frontdesk {' '.join(args)}: {res.stderr}"
        return res.stdout

    def token_for(self, email):
        return self.cli("token", "create", "--email", email, "--name", "api tests").strip()

    def staff(self, role="agent"):
        """A new staff member with an API token."""
        email = unique(role) + "@staff.example.com"
        self.cli("staff", "add", "--email", email, "--name", f"Staff {email}", "--role", role,
                 stdin=PASSWORD + "\n")
        token = self.token_for(email)
        me = requests.get(self.srv.url + "api/v2/users/me", timeout=10,
                          headers={"Authorization": f"Bearer {token}"}).json()["user"]
        return Actor(self, me, token=token)

    def organization(self, **fields):
        body = {"name": unique("Account")}
        body.update(fields)
        resp = self.admin.post("/api/v2/organizations", {"organization": body})
        assert resp.status_code == 201, resp.text
        return resp.json()["organization"]

    def requester(self, sign_in=True, **fields):
        """A new end-user (created by the admin); signed in with a session when sign_in."""
        stem = unique("requester")
        body = {"name": f"Requester {stem}", "email": f"{stem}@customer.example.com"}
        body.update(fields)
        resp = self.admin.post("/api/v2/users", {"user": body})
        assert resp.status_code == 201, resp.text
        user = resp.json()["user"]
        return self.sign_in(user) if sign_in else Actor(self, user)

    def sign_in(self, user):
        """Set a password through the reset mail in the outbox, then sign in with it."""
        resp = requests.post(self.srv.url + "api/v2/auth/password_reset", timeout=10,
                             json={"email": user["email"]})
        assert resp.status_code == 202, resp.text
        body = self.rows("SELECT body FROM outbox WHERE kind = 'password_reset' AND "
                         f"to_address = '{user['email']}' ORDER BY id DESC")[0][0]
        token = re.search(r"reset-password\.html#token=(\S+)", body).group(1)
        resp = requests.post(self.srv.url + "api/v2/auth/password_reset/confirm", timeout=10,
                             json={"token": token, "password": PASSWORD})
        assert resp.status_code == 204, resp.text
        session = requests.Session()
        resp = session.post(self.srv.url + "api/v2/auth/sign_in", timeout=10,
                            json={"email": user["email"], "password": PASSWORD})
        assert resp.status_code == 200, resp.text
        return Actor(self, resp.json()["user"], session=session, csrf=resp.json()["csrf_token"])

    def rows(self, sql):
        """Rows of a query run straight against the database, as tuples of text (or None)."""
        if DB_KIND == "sqlite":
            with sqlite3.connect(self.srv.db.path) as conn:
                rows = [tuple(None if v is None else str(v) for v in r)
                        for r in conn.execute(sql)]
            conn.close()
            return rows
        # ASCII unit and record separators: values (a mail body, say) may hold newlines and bars.
        res = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              "-F", "\x1f", "-R", "\x1e", "-d", self.srv.db_url, "-c", sql],
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, f"psql {sql!r}: {res.stderr}"
        return [tuple(None if v == "" else v for v in rec.split("\x1f"))
                for rec in res.stdout.rstrip("\n").split("\x1e") if rec]

    def audit(self, action, target_id):
        """The audit rows of action on target_id: (actor_id, detail) each."""
        return self.rows("SELECT actor_id, detail FROM audit_log "
                         f"WHERE action = '{action}' AND target_id = {int(target_id)} ORDER BY id")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("people"))
    try:
        yield Desk(pool)
    finally:
        pool.close()


@pytest.fixture(scope="module")
def agent(desk):
    return desk.staff("agent")


def all_pages(actor, path):
    """Follow links.next from path; returns (items, pages), checking meta on every page."""
    items, pages = [], []
    while path:
        resp = actor.get(path)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        keys = set(body) - {"meta", "links"}
        assert len(keys) == 1 and set(body) == keys | {"meta", "links"}, body
        key = keys.pop()
        pages.append(body)
        items += body[key]
        assert body["meta"]["has_more"] == (body["links"]["next"] is not None), body
        path = body["links"]["next"]
    return items, pages


# ---------------------------------------------------------------- the default teams


def test_default_teams_are_there_after_init_and_a_second_init_adds_none(desk, agent):
    names = [g["name"] for g in agent.get("/api/v2/groups").json()["groups"]]
    assert names[:4] == ["Product", "Engineering", "Billing", "Sales"], names
    res = run_cli("init", "--db", desk.srv.db_url)
    assert res.returncode == 0, res.stderr
    assert "default teams were loaded by an earlier init" in res.stdout, res.stdout
    again = [g["name"] for g in agent.get("/api/v2/groups").json()["groups"]]
    assert again == names


def test_init_reports_the_teams_it_loaded(fresh_db):
    res = run_cli("init", "--db", fresh_db.url)
    assert res.returncode == 0, res.stderr
    assert ("frontdesk init: default teams loaded (4 new): Product, Engineering, Billing, Sales"
            in res.stdout.splitlines()), res.stdout


# ---------------------------------------------------------------- who may read whom


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v2/users"), ("POST", "/api/v2/users"), ("GET", "/api/v2/users/1"),
    ("PUT", "/api/v2/users/1"), ("GET", "/api/v2/users/search?query=a"),
    ("GET", "/api/v2/groups"), ("POST", "/api/v2/group_memberships"),
])
def test_anonymous_callers_must_sign_in(desk, method, path):
    resp = desk.anonymous.call(method, path, {"user": {"name": "x"}} if method != "GET" else None)
    assert_error(resp, 401, "unauthorized", None)


def test_requesters_see_themselves_only(desk, agent):
    alice, bob = desk.requester(), desk.requester()
    resp = alice.get(f"/api/v2/users/{alice.id}")
    assert resp.status_code == 200, resp.text
    assert resp.json()["user"]["email"] == alice.user["email"]
    # Another requester and a user that does not exist read exactly alike.
    missing = alice.get("/api/v2/users/999999")
    other = alice.get(f"/api/v2/users/{bob.id}")
    assert_error(other, 404, "not_found")
    assert_error(missing, 404, "not_found")
    assert other.json()["error"]["message"].replace(str(bob.id), "N") == \
        missing.json()["error"]["message"].replace("999999", "N")
    assert_error(alice.get(f"/api/v2/users/{agent.id}"), 404, "not_found")
    assert_error(alice.get("/api/v2/users"), 403, "forbidden")
    assert_error(alice.get("/api/v2/users/search?query=req"), 403, "forbidden")
    # Staff read anyone.
    assert agent.get(f"/api/v2/users/{bob.id}").json()["user"]["id"] == bob.id


def test_show_answers_with_the_json_suffix_too(desk, agent):
    resp = agent.get(f"/api/v2/users/{desk.admin.id}.json")
    assert resp.status_code == 200, resp.text
    user = resp.json()["user"]
    assert user["url"] == f"/api/v2/users/{desk.admin.id}.json"
    assert set(user) == {"id", "url", "name", "email", "role", "phone", "organization_id",
                         "active", "created_at", "updated_at", "account_role"}


@pytest.mark.parametrize("path", ["/api/v2/users/0", "/api/v2/users/-1", "/api/v2/users/01",
                                  "/api/v2/users/abc", "/api/v2/users/99999999999999999999"])
def test_ids_that_are_not_ids_are_not_found(agent, path):
    assert_error(agent.get(path), 404, "not_found")


# ---------------------------------------------------------------- creating people


def test_agents_create_requesters_and_only_admins_create_staff(desk, agent):
    email = unique("made-by-agent") + "@customer.example.com"
    resp = agent.post("/api/v2/users", {"user": {"name": "  Made By Agent  ", "email": email,
                                                 "phone": "+1 (416) 555-0100"}})
    assert resp.status_code == 201, resp.text
    user = resp.json()["user"]
    assert (user["name"], user["email"], user["role"], user["phone"], user["active"],
            user["organization_id"], user["account_role"]) == (
        "Made By Agent", email, "end-user", "+1 (416) 555-0100", True, None, None)
    assert desk.audit("staff.added", user["id"]) == []

    for role in ("agent", "lead", "admin"):
        body = {"user": {"name": "Would Be Staff", "email": unique(role) + "@x.example.com",
                         "role": role}}
        assert_error(agent.post("/api/v2/users", body), 403, "forbidden", "user.role")
        resp = desk.admin.post("/api/v2/users", body)
        assert resp.status_code == 201, resp.text
        made = resp.json()["user"]
        assert made["role"] == role
        assert desk.audit("staff.added", made["id"]) == [
            (str(desk.admin.id), '{"role":"%s","via":"api"}' % role)]


def test_only_admins_assign_people_to_accounts(desk, agent):
    org = desk.organization()
    body = {"user": {"name": "Member", "email": unique("member") + "@acme.example.com",
                     "organization_id": org["id"]}}
    assert_error(agent.post("/api/v2/users", body), 403, "forbidden", "user.organization_id")
    resp = desk.admin.post("/api/v2/users", body)
    assert resp.status_code == 201, resp.text
    made = resp.json()["user"]
    assert (made["organization_id"], made["account_role"]) == (org["id"], "member")
    assert len(desk.audit("user.account_changed", made["id"])) == 1


def user_count(desk):
    return int(desk.rows("SELECT count(*) FROM users")[0][0])


@pytest.mark.parametrize("user, field", [
    ({"email": "no-name@example.com"}, "user.name"),
    ({"name": None, "email": "null-name@example.com"}, "user.name"),
    ({"name": "   ", "email": "blank@example.com"}, "user.name"),
    ({"name": "Line\nBreak", "email": "newline@example.com"}, "user.name"),
    ({"name": "x" * 256, "email": "long@example.com"}, "user.name"),
    ({"name": 42, "email": "number@example.com"}, "user.name"),
    ({"name": "No Email"}, "user.email"),
    ({"name": "Bad Email", "email": "not-an-email"}, "user.email"),
    ({"name": "Bad Email", "email": ["a@example.com"]}, "user.email"),
    ({"name": "Bad Role", "email": "role@example.com", "role": "boss"}, "user.role"),
    ({"name": "Bad Phone", "email": "phone@example.com", "phone": "call me"}, "user.phone"),
    ({"name": "Bad Phone", "email": "phone2@example.com", "phone": "1" * 33}, "user.phone"),
    ({"name": "Bad Org", "email": "org@example.com", "organization_id": "1"},
     "user.organization_id"),
    ({"name": "Bad Org", "email": "org2@example.com", "organization_id": 987654},
     "user.organization_id"),
    ({"name": "Bad Org", "email": "org3@example.com", "organization_id": 1.5},
     "user.organization_id"),
    ({"name": "Bad Role", "email": "ar@example.com", "account_role": "ceo"}, "user.account_role"),
    ({"name": "No Account", "email": "ar2@example.com", "account_role": "owner"},
     "user.account_role"),
    ({"name": "Bad Active", "email": "active@example.com", "active": "yes"}, "user.active"),
    ({"name": "Staff In Account", "email": "sia@example.com", "role": "agent",
      "organization_id": "ORG"}, "user.organization_id"),
])
def test_user_validation_names_the_field_and_creates_nothing(desk, user, field):
    if user.get("organization_id") == "ORG":
        user = dict(user, organization_id=desk.organization()["id"])
    before = user_count(desk)
    assert_error(desk.admin.post("/api/v2/users", {"user": user}), 422, "invalid", field)
    assert user_count(desk) == before


@pytest.mark.parametrize("body", [{"name": "x", "email": "y@example.com"}, {"user": "x"}, []])
def test_a_body_without_a_user_object_names_user(desk, body):
    assert_error(desk.admin.post("/api/v2/users", body), 422, "invalid", "user")


def test_a_taken_email_is_refused_in_any_case(desk, agent):
    email = unique("Taken") + "@Example.com"
    assert agent.post("/api/v2/users", {"user": {"name": "First", "email": email}}).status_code \
        == 201
    before = user_count(desk)
    resp = agent.post("/api/v2/users", {"user": {"name": "Second", "email": email.upper()}})
    err = assert_error(resp, 422, "invalid", "user.email")
    assert "already being used" in err["message"]
    assert user_count(desk) == before


# ---------------------------------------------------------------- updating people


def test_role_changes_are_admin_only_and_audited(desk, agent):
    person = desk.requester(sign_in=False)
    path = f"/api/v2/users/{person.id}"
    assert_error(agent.put(path, {"user": {"role": "agent"}}), 403, "forbidden", "user.role")
    assert desk.audit("user.role_changed", person.id) == []

    resp = desk.admin.put(path, {"user": {"role": "lead"}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["user"]["role"] == "lead"
    assert agent.get(path).json()["user"]["role"] == "lead"
    resp = desk.admin.put(path, {"user": {"role": "agent"}})
    assert resp.status_code == 200, resp.text
    assert desk.audit("user.role_changed", person.id) == [
        (str(desk.admin.id), '{"old":"end-user","new":"lead"}'),
        (str(desk.admin.id), '{"old":"lead","new":"agent"}')]
    # Sending the role it already has changes nothing and records nothing.
    assert desk.admin.put(path, {"user": {"role": "agent"}}).status_code == 200
    assert len(desk.audit("user.role_changed", person.id)) == 2


def test_people_change_their_own_name_and_phone_only(desk):
    me = desk.requester()
    path = f"/api/v2/users/{me.id}"
    resp = me.put(path, {"user": {"name": "New Name", "phone": "555 0101"}})
    assert resp.status_code == 200, resp.text
    assert (resp.json()["user"]["name"], resp.json()["user"]["phone"]) == ("New Name", "555 0101")
    # Round-tripping what GET gave is fine: unchanged fields are not changes.
    user = me.get(path).json()["user"]
    assert me.put(path, {"user": dict(user, name="Newer Name")}).status_code == 200
    for field, value in [("role", "admin"), ("email", "new@example.com"), ("active", False),
                         ("organization_id", desk.organization()["id"])]:
        assert_error(me.put(path, {"user": {field: value}}), 403, "forbidden", f"user.{field}")
    after = me.get(path).json()["user"]
    assert (after["role"], after["email"], after["active"]) == ("end-user", me.user["email"], True)
    # Clearing the phone with null.
    assert me.put(path, {"user": {"phone": None}}).json()["user"]["phone"] is None


def test_agents_edit_requesters_names_but_not_emails_nor_other_staff(desk, agent):
    person = desk.requester(sign_in=False)
    path = f"/api/v2/users/{person.id}"
    assert agent.put(path, {"user": {"name": "Fixed Name"}}).json()["user"]["name"] == "Fixed Name"
    assert_error(agent.put(path, {"user": {"email": "other@example.com"}}), 403, "forbidden",
                 "user.email")
    colleague = desk.staff("agent")
    assert_error(agent.put(f"/api/v2/users/{colleague.id}", {"user": {"name": "Renamed"}}), 403,
                 "forbidden", "user.name")


def test_requesters_cannot_touch_others(desk):
    alice, bob = desk.requester(), desk.requester()
    assert_error(alice.put(f"/api/v2/users/{bob.id}", {"user": {"name": "Hacked"}}), 404,
                 "not_found")
    assert desk.admin.get(f"/api/v2/users/{bob.id}").json()["user"]["name"] == bob.user["name"]


def test_admin_changes_email_audited_and_taken_email_refused(desk):
    person = desk.requester(sign_in=False)
    other = desk.requester(sign_in=False)
    path = f"/api/v2/users/{person.id}"
    assert_error(desk.admin.put(path, {"user": {"email": other.user["email"].upper()}}), 422,
                 "invalid", "user.email")
    new = unique("changed") + "@example.com"
    assert desk.admin.put(path, {"user": {"email": new}}).json()["user"]["email"] == new
    assert desk.audit("user.email_changed", person.id) == [
        (str(desk.admin.id), '{"old":"%s","new":"%s"}' % (person.user["email"], new))]


def test_a_failed_update_changes_nothing(desk):
    person = desk.requester(sign_in=False)
    path = f"/api/v2/users/{person.id}"
    before = desk.admin.get(path).json()["user"]
    assert_error(desk.admin.put(path, {"user": {"name": "Half Done", "role": "wizard"}}), 422,
                 "invalid", "user.role")
    assert_error(desk.admin.put(path, {"user": {"name": "Half Done", "role": "agent",
                                                "organization_id": 987654}}), 422, "invalid",
                 "user.organization_id")
    assert desk.admin.get(path).json()["user"] == before
    assert desk.audit("user.role_changed", person.id) == []


def test_deactivation_ends_access_and_is_audited(desk, agent):
    person = desk.requester()
    path = f"/api/v2/users/{person.id}"
    assert person.get(path).status_code == 200
    assert_error(agent.put(path, {"user": {"active": False}}), 403, "forbidden", "user.active")
    resp = desk.admin.put(path, {"user": {"active": False}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["user"]["active"] is False
    assert person.get(path).status_code == 401  # the session ended with the account
    assert desk.rows(f"SELECT count(*) FROM sessions WHERE user_id = {person.id}") == [("0",)]
    assert desk.audit("user.deactivated", person.id) == [(str(desk.admin.id), "{}")]
    assert desk.admin.put(path, {"user": {"active": True}}).json()["user"]["active"] is True
    assert desk.audit("user.reactivated", person.id) == [(str(desk.admin.id), "{}")]


def test_the_last_active_admin_stays(pool):
    desk = Desk(pool)  # its own server: other tests here make more admins
    me = f"/api/v2/users/{desk.admin.id}"
    assert_error(desk.admin.put(me, {"user": {"role": "agent"}}), 409, "conflict", "user.role")
    assert_error(desk.admin.put(me, {"user": {"active": False}}), 409, "conflict", "user.active")
    assert desk.admin.get(me).json()["user"]["role"] == "admin"
    # With a second admin, the first may step down; then the second is the last one.
    second = desk.admin.post("/api/v2/users", {"user": {
        "name": "Second Admin", "email": "second@staff.example.com", "role": "admin"}})
    assert second.status_code == 201, second.text
    resp = desk.admin.put(me, {"user": {"role": "agent"}})
    assert resp.status_code == 200, resp.text
    second_id = second.json()["user"]["id"]
    assert desk.audit("user.role_changed", desk.admin.id) == [
        (str(desk.admin.id), '{"old":"admin","new":"agent"}')]
    assert int(desk.rows("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1")[0][0]) \
        == 1
    assert desk.rows(f"SELECT role FROM users WHERE id = {second_id}") == [("admin",)]


def test_staff_cannot_join_an_account(desk):
    org = desk.organization()
    person = desk.requester(sign_in=False, organization_id=org["id"], account_role="owner")
    path = f"/api/v2/users/{person.id}"
    assert_error(desk.admin.put(path, {"user": {"role": "agent"}}), 422, "invalid", "user.role")
    resp = desk.admin.put(path, {"user": {"role": "agent", "organization_id": None}})
    assert resp.status_code == 200, resp.text
    user = resp.json()["user"]
    assert (user["role"], user["organization_id"], user["account_role"]) == ("agent", None, None)


# ---------------------------------------------------------------- lists and search


def test_users_list_pages_with_cursors(desk, agent):
    stem = unique("pager")
    made = [desk.requester(sign_in=False, name=f"{stem} {i}",
                           email=f"{stem}-{i}@pages.example.com").id for i in range(5)]
    items, pages = all_pages(agent, "/api/v2/users?role=end-user&page[size]=2")
    ids = [u["id"] for u in items]
    assert ids == sorted(set(ids)), "ids must come once each, in order"
    assert set(made) <= set(ids)
    assert all(u["role"] == "end-user" for u in items)
    assert len(pages) >= 3 and all(len(p["users"]) == 2 for p in pages[:-1])
    assert pages[-1]["meta"]["has_more"] is False
    assert "role=end-user" in pages[0]["links"]["next"]  # the filter carries over

    # The search pages the same way.
    found, pages = all_pages(agent, f"/api/v2/users/search?query={stem}&page[size]=2")
    assert [u["id"] for u in found] == made
    assert len(pages) == 3


def test_role_filter(desk, agent):
    lead = desk.staff("lead")
    leads, _ = all_pages(agent, "/api/v2/users?role=lead")
    assert lead.id in [u["id"] for u in leads]
    assert {u["role"] for u in leads} == {"lead"}
    assert_error(agent.get("/api/v2/users?role=boss"), 400, "bad_request", "role")
    assert_error(agent.get("/api/v2/users?page[size]=0"), 400, "bad_request", "page[size]")


def test_search_matches_email_or_name_prefixes_in_any_case(desk, agent):
    stem = unique("Searchable")
    by_name = desk.requester(sign_in=False, name=f"{stem} Person", email=unique("zz") +
                             "@search.example.com").id
    by_email = desk.requester(sign_in=False, name="Someone Else",
                              email=f"{stem.lower()}@search.example.com").id
    found, _ = all_pages(agent, f"/api/v2/users/search?query={stem.upper()}")
    assert sorted(u["id"] for u in found) == sorted([by_name, by_email])
    # LIKE's wildcards match only themselves.
    found, _ = all_pages(agent, "/api/v2/users/search?query=%25")
    assert found == []
    found, _ = all_pages(agent, "/api/v2/users/search?query=_")
    assert found == []
    assert_error(agent.get("/api/v2/users/search"), 400, "bad_request", "query")
    assert_error(agent.get("/api/v2/users/search?query=%20"), 400, "bad_request", "query")


# ---------------------------------------------------------------- teams


def test_teams_are_read_by_staff_and_written_by_admins(desk, agent):
    requester = desk.requester()
    assert_error(requester.get("/api/v2/groups"), 403, "forbidden")
    name = unique("Escalations")
    assert_error(agent.post("/api/v2/groups", {"group": {"name": name}}), 403, "forbidden")
    resp = desk.admin.post("/api/v2/groups", {"group": {"name": f"  {name}  "}})
    assert resp.status_code == 201, resp.text
    group = resp.json()["group"]
    assert set(group) == {"id", "url", "name", "created_at", "updated_at"}
    assert (group["name"], group["url"]) == (name, f"/api/v2/groups/{group['id']}.json")
    assert agent.get(f"/api/v2/groups/{group['id']}").json()["group"] == group

    assert_error(desk.admin.post("/api/v2/groups", {"group": {"name": name.upper()}}), 422,
                 "invalid", "group.name")
    assert_error(desk.admin.post("/api/v2/groups", {"group": {"name": ""}}), 422, "invalid",
                 "group.name")
    assert_error(desk.admin.post("/api/v2/groups", {"group": {}}), 422, "invalid", "group.name")
    assert_error(desk.admin.post("/api/v2/groups", {"group": {"name": 7}}), 422, "invalid",
                 "group.name")
    path = f"/api/v2/groups/{group['id']}"
    assert_error(agent.put(path, {"group": {"name": "Renamed"}}), 403, "forbidden")
    assert_error(desk.admin.put(path, {"group": {"name": "product"}}), 422, "invalid",
                 "group.name")
    renamed = unique("Tier 2")
    assert desk.admin.put(path, {"group": {"name": renamed}}).json()["group"]["name"] == renamed
    assert_error(desk.admin.put("/api/v2/groups/987654", {"group": {"name": unique("x")}}), 404,
                 "not_found")


def test_memberships(desk, agent):
    group = desk.admin.post("/api/v2/groups", {"group": {"name": unique("Team")}}).json()["group"]
    path = "/api/v2/group_memberships"

    def add(actor, user_id, group_id=group["id"]):
        return actor.post(path, {"group_membership": {"user_id": user_id, "group_id": group_id}})

    assert_error(add(agent, agent.id), 403, "forbidden")
    resp = add(desk.admin, agent.id)
    assert resp.status_code == 201, resp.text
    m = resp.json()["group_membership"]
    assert (m["user_id"], m["group_id"], m["url"]) == (
        agent.id, group["id"], f"/api/v2/group_memberships/{m['id']}.json")
    assert_error(add(desk.admin, agent.id), 422, "invalid", "group_membership.user_id")
    requester = desk.requester(sign_in=False)
    assert_error(add(desk.admin, requester.id), 422, "invalid", "group_membership.user_id")
    assert_error(add(desk.admin, 987654), 422, "invalid", "group_membership.user_id")
    assert_error(add(desk.admin, agent.id, 987654), 422, "invalid", "group_membership.group_id")
    assert_error(add(desk.admin, agent.id, "1"), 422, "invalid", "group_membership.group_id")
    assert_error(desk.admin.post(path, {"group_membership": {"group_id": group["id"]}}), 422,
                 "invalid", "group_membership.user_id")

    listed, _ = all_pages(agent, f"/api/v2/groups/{group['id']}/memberships")
    assert listed == [m]
    mine, _ = all_pages(agent, f"/api/v2/users/{agent.id}/group_memberships")
    assert m in mine
    assert agent.get(f"{path}/{m['id']}").json()["group_membership"] == m
    assert_error(agent.get("/api/v2/groups/987654/memberships"), 404, "not_found")

    assert_error(agent.delete(f"{path}/{m['id']}"), 403, "forbidden")
    assert desk.admin.delete(f"{path}/{m['id']}").status_code == 204
    assert_error(desk.admin.delete(f"{path}/{m['id']}"), 404, "not_found")
    assert all_pages(agent, f"/api/v2/groups/{group['id']}/memberships")[0] == []


def test_someone_who_stops_being_staff_leaves_every_team(desk):
    helper = desk.staff("agent")
    group = desk.admin.post("/api/v2/groups", {"group": {"name": unique("Team")}}).json()["group"]
    resp = desk.admin.post("/api/v2/group_memberships",
                           {"group_membership": {"user_id": helper.id, "group_id": group["id"]}})
    assert resp.status_code == 201, resp.text
    resp = desk.admin.put(f"/api/v2/users/{helper.id}", {"user": {"role": "end-user"}})
    assert resp.status_code == 200, resp.text
    assert all_pages(desk.admin, f"/api/v2/users/{helper.id}/group_memberships")[0] == []
