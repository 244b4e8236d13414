"""Demo data: `frontdesk init --demo` on a fresh database loads RareLogic client accounts, their
people, staff in the default teams and about thirty tickets, once; the demo sign-ins work with
the one demo password and each sees what their role lets them see."""

import datetime
import re
from types import SimpleNamespace

import pytest

from conftest import ServerPool, db_query, db_scalar, run_cli, sign_in, staff_add

PASSWORD = "frontdesk-demo"
ADMIN_EMAIL = "dana@rarelogic.example"
STAFF = {"dana@rarelogic.example": "admin", "marcus@rarelogic.example": "lead",
         "sofia@rarelogic.example": "agent", "tom@rarelogic.example": "agent",
         "aiko@rarelogic.example": "agent"}
TABLES = ("organizations", "users", "group_memberships", "tickets", "ticket_comments",
          "ticket_events", "ticket_tags")
ISO = "%Y-%m-%dT%H:%M:%SZ"


def init(db, *flags):
    res = run_cli("init", "--db", db.url, *flags, timeout=60)
    assert res.returncode == 0, f"init {flags}: {res.stderr}"
    return res.stdout


def counts(db):
    return {t: int(db_scalar(db, f"SELECT count(*) FROM {t}")) for t in TABLES}


def walk(api, path, key):
    """Every item of a paginated list, following links.next."""
    items = []
    while path:
        resp = api.get(path)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        items += body[key]
        path = body["links"]["next"]
    return items


def instant(text):
    return datetime.datetime.strptime(text, ISO).replace(tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A server on a database made by `init --demo` (the server's own init runs without --demo
    on top of it), the init's output and an admin session."""
    pool = ServerPool(tmp_path_factory.mktemp("demo"))
    try:
        db = pool.database()
        out = init(db, "--demo")
        srv = pool.start(db=db)
        yield srv, out, sign_in(srv, ADMIN_EMAIL, PASSWORD)
    finally:
        pool.close()


def test_init_prints_the_sign_ins_and_the_password_once(demo):
    _, out, _ = demo
    assert re.search(r"demo data loaded: 4 client accounts, 15 people, \d+ tickets", out), out
    assert out.count(PASSWORD) == 1, out
    for email, role in STAFF.items():
        assert re.search(rf"^\s+{re.escape(email)}\s+{role}\s+\S", out, re.M), out
    assert re.search(r"^\s+hannah@maplemoss\.example\s+end-user\s+owner", out, re.M), out


def test_four_client_accounts_with_their_flags(demo):
    _, _, admin = demo
    orgs = walk(admin, "/api/v2/organizations", "organizations")
    assert len(orgs) == 4
    package = [o for o in orgs if o["support_package_until"]]
    assert len(package) == 1
    until = datetime.date.fromisoformat(package[0]["support_package_until"])
    assert 150 <= (until - datetime.date.today()).days <= 200, until
    delinquent = [o for o in orgs if o["delinquent"]]
    assert len(delinquent) == 1 and delinquent[0]["install_status"] == "uninstalled"
    assert len([o for o in orgs if o["high_risk"]]) == 1
    assert not any(o["service_refused"] for o in orgs)
    plain = [o for o in orgs if not (o["support_package_until"] or o["delinquent"]
                                     or o["high_risk"])]
    assert len(plain) == 1
    # every account has an owner and one or two more people, some with phones
    users = walk(admin, "/api/v2/users?role=end-user", "users")
    for o in orgs:
        mine = [u for u in users if u["organization_id"] == o["id"]]
        assert [u["account_role"] for u in mine].count("owner") == 1, (o["name"], mine)
        assert 2 <= len(mine) <= 3, (o["name"], mine)
    assert any(u["phone"] for u in users)


def test_five_staff_with_their_roles_in_the_default_teams(demo):
    _, _, admin = demo
    staff = [u for u in walk(admin, "/api/v2/users", "users") if u["role"] != "end-user"]
    assert {u["email"]: u["role"] for u in staff} == STAFF
    teams = {g["id"]: g["name"] for g in walk(admin, "/api/v2/groups", "groups")}
    assert sorted(teams.values()) == ["Billing", "Engineering", "Product", "Sales"]
    covered = set()
    for u in staff:
        assert u["organization_id"] is None
        ms = walk(admin, f"/api/v2/users/{u['id']}/group_memberships", "group_memberships")
        assert ms, u["email"]
        covered |= {teams[m["group_id"]] for m in ms}
    assert covered == set(teams.values())


def test_about_thirty_tickets_over_every_channel_status_and_priority(demo):
    srv, _, admin = demo
    tickets = walk(admin, "/api/v2/tickets", "tickets")
    assert 25 <= len(tickets) <= 35
    assert {t["via"]["channel"] for t in tickets} == {"email", "web", "voice", "chat", "api"}
    assert {t["status"] for t in tickets} == {"new", "open", "pending", "hold", "solved",
                                              "closed"}
    assert {t["priority"] for t in tickets} == {"low", "normal", "high", "urgent"}
    assert len({t["assignee_id"] for t in tickets if t["assignee_id"]}) >= 4
    assert len({t["group_id"] for t in tickets if t["group_id"]}) == 4
    now = datetime.datetime.now(datetime.timezone.utc)
    created = [instant(t["created_at"]) for t in tickets]
    assert all(now - datetime.timedelta(days=42) < c <= now for c in created)
    assert max(created) > now - datetime.timedelta(days=1)  # looks recent
    notes = 0
    for t in tickets:
        assert instant(t["created_at"]) <= instant(t["updated_at"]) <= now
        assert t["description"] and t["subject"]
        if t["status"] == "new":
            assert t["assignee_id"] is None, t
        else:
            assert t["assignee_id"], t
        cs = walk(admin, f"/api/v2/tickets/{t['id']}/comments", "comments")
        assert 1 <= len(cs) <= 4, t
        notes += sum(not c["public"] for c in cs)
    assert notes >= 3
    # events: what each ticket was born with, and what changed later (SLA crossings are the
    # system's records of the clocks, written after the history: docs/sla.md)
    for t in tickets:
        fields = [f for (f,) in db_query(srv.db, "SELECT field FROM ticket_events WHERE "
                                                 f"ticket_id = {t['id']} AND field NOT LIKE "
                                                 "'sla!_%' ESCAPE '!' ORDER BY id")]
        assert fields[:4] == ["subject", "status", "priority", "via"], fields
        if t["status"] == "closed":
            assert fields[-1] == "status", fields
    closed = db_query(srv.db, "SELECT t.solved_at, e.at, e.actor_id FROM tickets t JOIN "
                              "ticket_events e ON e.ticket_id = t.id WHERE t.status = 'closed' "
                              "AND e.field = 'status' AND e.new_value = 'closed'")
    assert closed and all(s and int(at) > int(s) and actor is None for s, at, actor in closed)


def test_requesters_sign_in_and_see_only_their_tickets(demo):
    srv, _, admin = demo
    users = {u["email"]: u for u in walk(admin, "/api/v2/users?role=end-user", "users")}
    leo = users["leo@maplemoss.example"]  # a member: their own tickets only
    mine = walk(sign_in(srv, leo["email"], PASSWORD), "/api/v2/tickets", "tickets")
    assert mine and all(t["requester_id"] == leo["id"] for t in mine)
    hannah = users["hannah@maplemoss.example"]  # the owner: the account's tickets
    theirs = walk(sign_in(srv, hannah["email"], PASSWORD), "/api/v2/tickets", "tickets")
    assert {t["requester_id"] for t in theirs} > {hannah["id"]}
    assert all(t["organization_id"] == hannah["organization_id"] for t in theirs)
    omar = users["omar@kettleandcrumb.example"]  # no account
    api = sign_in(srv, omar["email"], PASSWORD)
    own = walk(api, "/api/v2/tickets", "tickets")
    assert own and all(t["requester_id"] == omar["id"] for t in own)
    for t in own:
        assert all(c["public"] for c in walk(api, f"/api/v2/tickets/{t['id']}/comments",
                                             "comments"))
    resp = api.get(f"/api/v2/tickets/{mine[0]['id']}")
    assert resp.status_code == 404


def test_every_demo_person_signs_in_with_the_demo_password(demo):
    srv, out, _ = demo
    emails = re.findall(r"^\s+(\S+@\S+)\s", out, re.M)
    assert len(emails) == 15
    for email in emails:
        sign_in(srv, email, PASSWORD)
    resp = srv.post("/api/v2/auth/sign_in", json={"email": ADMIN_EMAIL, "password": "wrong"})
    assert resp.status_code in (401, 403)


def test_setup_is_complete_with_the_demo_admin(demo):
    # The demo brings its admin, so init issues no setup token and setup is already done.
    srv, out, _ = demo
    assert "setup token:" not in out, out
    resp = srv.post("/api/v2/setup", json={"setup_token": "x" * 43, "user": {
        "name": "Ada", "email": "ada@example.com", "password": "correct horse battery"}})
    assert resp.status_code == 409, resp.text


def test_a_second_init_with_demo_adds_nothing(demo):
    srv, _, _ = demo
    before = counts(srv.db)
    out = init(srv.db, "--demo")
    assert "demo data was loaded by an earlier init; nothing added" in out, out
    assert PASSWORD not in out
    assert counts(srv.db) == before
    assert db_scalar(srv.db, "SELECT count(*) FROM audit_log WHERE action = 'demo.loaded'") == "1"


def test_init_without_demo_adds_none_and_demo_comes_later(fresh_db):
    out = init(fresh_db)
    assert "demo data" not in out and PASSWORD not in out
    empty = counts(fresh_db)
    assert empty == dict.fromkeys(TABLES, 0)
    assert db_query(fresh_db, "SELECT value FROM settings WHERE key = 'demo.loaded_at'") == []
    out = init(fresh_db, "--demo")
    assert "demo data loaded" in out
    value = db_scalar(fresh_db, "SELECT value FROM settings WHERE key = 'demo.loaded_at'")
    assert re.fullmatch(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"', value), value
    assert counts(fresh_db)["organizations"] == 4


def test_a_demo_that_cannot_load_leaves_nothing(fresh_db):
    init(fresh_db)
    # someone already took a demo email (any case): the whole demo is refused
    staff_add(SimpleNamespace(db=fresh_db, db_url=fresh_db.url), "TOM@rarelogic.example", "Tom")
    before = counts(fresh_db)
    res = run_cli("init", "--db", fresh_db.url, "--demo", timeout=60)
    assert res.returncode == 1
    assert "demo user tom@rarelogic.example exists already" in res.stderr, res.stderr
    assert counts(fresh_db) == before
    assert db_query(fresh_db, "SELECT value FROM settings WHERE key = 'demo.loaded_at'") == []
