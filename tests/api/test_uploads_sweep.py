"""The uploads sweep: the scheduler deletes uploads whose token expired more than an hour ago
(UPLOADS_SWEEP_GRACE), and leaves pending uploads that may still be claimed, uploads only just
expired, and every claimed attachment alone."""

import json
import time

from conftest import ADMIN, Api, create_admin, db_scalar, token_create
from test_attachments import uploaded

HOUR = 3600


def count_uploads(srv, where="1 = 1"):
    return int(db_scalar(srv.db, f"SELECT count(*) FROM uploads WHERE {where}"))


def test_expired_uploads_are_swept_and_nothing_else(server):
    srv = server(jobs_interval=1)
    create_admin(srv)
    api = Api(srv, token_create(srv, ADMIN["email"]))
    long_gone = uploaded(api, "old.txt", b"old")["attachment"]["id"]
    just_expired = uploaded(api, "recent.txt", b"recent")["attachment"]["id"]
    pending = uploaded(api, "pending.txt", b"pending")
    claimed = uploaded(api, "claimed.txt", b"claimed")
    resp = api.post("/api/v2/tickets", {"ticket": {"subject": "with a file", "comment": {
        "body": "see attached", "uploads": [claimed["token"]]}}})
    assert resp.status_code == 201, resp.text
    now = int(time.time())
    srv.db.execute(f"UPDATE uploads SET expires_at = {now - 2 * HOUR} WHERE id = {long_gone}")
    srv.db.execute(f"UPDATE uploads SET expires_at = {now - 60} WHERE id = {just_expired}")

    deadline = time.monotonic() + 10
    while count_uploads(srv, f"id = {long_gone}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert count_uploads(srv, f"id = {long_gone}") == 0
    assert count_uploads(srv, f"id = {just_expired}") == 1
    assert count_uploads(srv, f"id = {pending['attachment']['id']}") == 1
    assert int(db_scalar(srv.db, "SELECT count(*) FROM attachments WHERE id = "
                                 f"{claimed['attachment']['id']}")) == 1
    # The pending upload can still be claimed.
    resp = api.post("/api/v2/tickets", {"ticket": {"subject": "later", "comment": {
        "body": "here it is", "uploads": [pending["token"]]}}})
    assert resp.status_code == 201, resp.text
    # The run is logged (the log is written by a flusher thread: give it a moment).
    deadline = time.monotonic() + 5
    while not swept_lines(srv) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [r["deleted"] for r in swept_lines(srv)] == [1]


def swept_lines(srv):
    lines = [json.loads(line) for line in srv.log_path.read_text().splitlines()
             if line.startswith("{")]
    return [r for r in lines if r.get("event") == "uploads_sweep"]
