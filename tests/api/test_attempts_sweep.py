"""The attempts sweep: counted attempts (failed sign-ins, anonymous requests, votes and
deflections per client) older than a day (ATTEMPTS_SWEEP_AGE, past every limit's window) are
deleted by the scheduler; younger ones, which limits still read, stay."""

import json
import time

from conftest import db_scalar

DAY = 24 * 3600


def attempts(srv, key):
    return int(db_scalar(srv.db, f"SELECT count(*) FROM sign_in_failures WHERE key = '{key}'"))


def test_attempts_older_than_a_day_are_swept_and_younger_ones_kept(server):
    srv = server(jobs_interval=1)
    now = int(time.time())
    rows = {"request:ip:192.0.2.1": now - DAY - 60,   # gone
            "hc_vote:ip:192.0.2.2": now - 2 * DAY,     # gone
            "email:kim@example.com": now - 3600,       # an hour: a window may still read it
            "ip:192.0.2.3": now - DAY + 600}           # just under a day: kept
    for key, at in rows.items():
        srv.db.execute(f"INSERT INTO sign_in_failures (key, at) VALUES ('{key}', {at})")

    deadline = time.monotonic() + 10
    while attempts(srv, "request:ip:192.0.2.1") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert attempts(srv, "request:ip:192.0.2.1") == 0
    assert attempts(srv, "hc_vote:ip:192.0.2.2") == 0
    assert attempts(srv, "email:kim@example.com") == 1
    assert attempts(srv, "ip:192.0.2.3") == 1

    def swept():
        lines = [json.loads(line) for line in srv.log_path.read_text().splitlines()
                 if line.startswith("{")]
        return [r["deleted"] for r in lines if r.get("event") == "attempts_sweep"]
    deadline = time.monotonic() + 5
    while not swept() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert swept() == [2]
