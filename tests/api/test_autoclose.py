"""Auto-close (issue 3's status machine: "solved closes automatically after a configurable number
of days"): the scheduler thread of `frontdesk serve` closes solved tickets whose solved_at is at
least --autoclose-after-days old, with an event by the system, and leaves the rest alone."""

import time

import pytest

from conftest import (ADMIN, DB_KIND, Api, create_admin, db_query, db_scalar, run_cli,
                      token_create)

DAY = 86400


def desk(server, **flags):
    """A server running the jobs every second, and an admin's API client."""
    flags.setdefault("jobs_interval", 1)
    flags.setdefault("autoclose_after_days", 3)
    srv = server(**flags)
    create_admin(srv)
    return srv, Api(srv, token_create(srv, ADMIN["email"]))


def solved_ticket(api, subject):
    resp = api.post("/api/v2/tickets", {"ticket": {"subject": subject,
                                                   "comment": {"body": "please help"}}})
    assert resp.status_code == 201, resp.text
    tid = resp.json()["ticket"]["id"]
    resp = api.put(f"/api/v2/tickets/{tid}", {"ticket": {"status": "solved"}})
    assert resp.status_code == 200, resp.text
    return tid


def set_solved_at(srv, tid, at):
    srv.db.execute(f"UPDATE tickets SET solved_at = {int(at)} WHERE id = {int(tid)}")


def status(srv, tid):
    return db_scalar(srv.db, f"SELECT status FROM tickets WHERE id = {int(tid)}")


def wait_status(srv, tid, want, timeout=8.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if status(srv, tid) == want:
            return True
        time.sleep(0.1)
    return status(srv, tid) == want


def close_events(srv, tid):
    return db_query(srv.db, f"SELECT actor_id, at, old_value, new_value FROM ticket_events "
                            f"WHERE ticket_id = {int(tid)} AND field = 'status' "
                            f"AND new_value = 'closed' ORDER BY id")


def test_old_solved_ticket_closes_with_a_system_event(server):
    srv, api = desk(server)
    old = solved_ticket(api, "solved long ago")
    recent = solved_ticket(api, "solved two days and 23 hours ago")
    reopened = solved_ticket(api, "solved long ago, then reopened")
    now = int(time.time())
    resp = api.put(f"/api/v2/tickets/{reopened}", {"ticket": {"status": "open"}})
    assert resp.status_code == 200, resp.text
    # A stale solved_at on a ticket that is no longer solved must not close it either.
    set_solved_at(srv, reopened, now - 10 * DAY)
    set_solved_at(srv, recent, now - 3 * DAY + 3600)
    set_solved_at(srv, old, now - 3 * DAY - 5)
    t0 = time.time()
    assert wait_status(srv, old, "closed"), "a ticket solved over 3 days ago is still solved"
    t1 = time.time()

    events = close_events(srv, old)
    assert len(events) == 1, events
    actor, at, old_value, new_value = events[0]
    assert actor is None and old_value == "solved" and new_value == "closed", events
    assert int(t0) - 1 <= int(at) <= int(t1) + 1, (at, t0, t1)
    row = db_query(srv.db, f"SELECT solved_at, updated_at FROM tickets WHERE id = {old}")[0]
    assert int(row[0]) == now - 3 * DAY - 5, "solved_at must be kept: it says when the work was done"
    assert int(row[1]) == int(at)
    shown = api.get(f"/api/v2/tickets/{old}")
    assert shown.status_code == 200 and shown.json()["ticket"]["status"] == "closed", shown.text

    time.sleep(2.5)  # two more runs of the job
    assert status(srv, recent) == "solved"
    assert status(srv, reopened) == "open"
    assert close_events(srv, recent) == [] and close_events(srv, reopened) == []
    assert len(close_events(srv, old)) == 1, "a closed ticket was closed again"
    lines = [e for e in srv.log_entries() if e.get("event") == "autoclose"]
    assert lines and lines[0]["closed"] == 1 and lines[0]["after_days"] == 3, lines
    assert all(e.get("level") != "warn" or e.get("event") != "job_failed"
               for e in srv.log_entries()), srv.log_path.read_text()[-2000:]


def test_closed_ticket_takes_a_follow_up(server):
    """Once auto-closed, the ticket is final like any closed one: staff changes are 409."""
    srv, api = desk(server)
    tid = solved_ticket(api, "closes, then stays closed")
    set_solved_at(srv, tid, time.time() - 4 * DAY)
    assert wait_status(srv, tid, "closed")
    resp = api.put(f"/api/v2/tickets/{tid}", {"ticket": {"status": "open"}})
    assert resp.status_code == 409, resp.text


def many_old_solved(srv, requester, count, solved_at):
    """count solved tickets straight in the database (faster than the API for a backlog)."""
    if DB_KIND == "sqlite":
        series = (f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                  f"WHERE i < {count}) ")
        source = "n"
    else:
        series = ""
        source = f"generate_series(1, {count}) AS n(i)"
    srv.db.execute(f"{series}INSERT INTO tickets (subject, channel, requester_id, submitter_id, "
                   f"status, created_at, updated_at, solved_at) SELECT 'backlog ' || i, 'api', "
                   f"{requester}, {requester}, 'solved', {solved_at}, {solved_at}, {solved_at} "
                   f"FROM {source}")


def test_backlog_drains_in_batches_once_across_processes(server):
    """Two server processes on one database: every ticket closed exactly once (PostgreSQL:
    FOR UPDATE SKIP LOCKED; SQLite: one writer at a time), at most 500 per run."""
    srv, api = desk(server)
    admin = int(db_scalar(srv.db, "SELECT id FROM users WHERE role = 'admin'"))
    count = 1300
    many_old_solved(srv, admin, count, int(time.time()) - 5 * DAY)
    other = server(db=srv.db, init=False, jobs_interval=1, autoclose_after_days=3)
    deadline = time.monotonic() + 20
    left = count
    while time.monotonic() < deadline:
        left = int(db_scalar(srv.db, "SELECT count(*) FROM tickets WHERE status = 'solved'"))
        if left == 0:
            break
        time.sleep(0.2)
    assert left == 0, f"{left} of {count} still solved"
    per_ticket = db_query(srv.db, "SELECT ticket_id, count(*) FROM ticket_events "
                                  "WHERE field = 'status' AND new_value = 'closed' "
                                  "GROUP BY ticket_id HAVING count(*) <> 1")
    assert per_ticket == [], f"tickets closed more than once: {per_ticket[:10]}"
    total = int(db_scalar(srv.db, "SELECT count(*) FROM ticket_events WHERE actor_id IS NULL "
                                  "AND field = 'status' AND new_value = 'closed'"))
    assert total == count
    time.sleep(0.3)  # the log flusher writes at least every 100 ms
    runs = [e["closed"] for s in (srv, other) for e in s.log_entries()
            if e.get("event") == "autoclose"]
    assert sum(runs) == count and max(runs) <= 500, runs


def test_stop_is_prompt_with_a_long_interval(server):
    srv = server(jobs_interval=3600)
    t0 = time.monotonic()
    assert srv.stop(timeout=5) == 0
    assert time.monotonic() - t0 < 3, "SIGTERM waited on the jobs' interval"


@pytest.mark.parametrize("flag,value", [("--autoclose-after-days", "0"),
                                        ("--autoclose-after-days", "366"),
                                        ("--jobs-interval", "0"),
                                        ("--jobs-interval", "3601")])
def test_flag_ranges(flag, value):
    res = run_cli("serve", flag, value, "--db", "sqlite:unused.db")
    assert res.returncode == 2, res
    assert flag in res.stderr, res.stderr


def test_environment_sets_the_days(server):
    srv = server(env={"FRONTDESK_AUTOCLOSE_AFTER_DAYS": "10", "FRONTDESK_JOBS_INTERVAL": "1"})
    create_admin(srv)
    api = Api(srv, token_create(srv, ADMIN["email"]))
    nine, eleven = solved_ticket(api, "nine days"), solved_ticket(api, "eleven days")
    now = int(time.time())
    set_solved_at(srv, nine, now - 9 * DAY)
    set_solved_at(srv, eleven, now - 11 * DAY)
    assert wait_status(srv, eleven, "closed")
    time.sleep(1.5)
    assert status(srv, nine) == "solved"
