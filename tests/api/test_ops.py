"""Operations: health, readiness, metrics, request ids and the request log."""

import re
import secrets
import time

import pytest

from conftest import (DB_KIND, assert_error, connect, http_request, raw_request, read_response,
                      read_until_closed, run_cli)

METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)( \d+)?$')


def metrics(srv):
    resp = srv.get("/metrics")
    assert resp.status_code == 200, resp.text
    return resp


def sample(text, name, labels):
    """The value of the sample `name{labels}` (labels as written, in order), or None."""
    m = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def test_healthz(default_server):
    resp = default_server.get("/healthz")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].split(";")[0] == "application/json"
    assert resp.json() == {"status": "ok"}


def test_head_healthz_has_no_body(default_server):
    with connect(default_server) as s:
        s.sendall(http_request("HEAD", "/healthz", [("Connection", "close")]))
        resp = read_response(s, method="HEAD")
        rest = resp.content + read_until_closed(s)
    assert resp.status_code == 200
    assert rest == b""


def test_readyz(default_server):
    resp = default_server.get("/readyz")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "ready"
    assert isinstance(body["schema_version"], int) and body["schema_version"] >= 1
    assert set(body) == {"status", "schema_version"}


def test_readyz_fails_when_the_schema_is_newer_than_the_binary(server):
    srv = server()
    srv.db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 0)")
    resp = srv.get("/readyz")
    assert resp.status_code == 503, resp.text
    assert_error(resp, 503, resp.json()["error"]["code"])


def test_metrics_content_type_and_format(default_server):
    resp = metrics(default_server)
    assert resp.headers["Content-Type"] == METRICS_TYPE
    for line in resp.text.splitlines():
        if line and not line.startswith("#"):
            assert SAMPLE_RE.match(line), f"not a Prometheus sample line: {line!r}"


def settled_count(srv, labels, at_least):
    """The counter once it holds at least at_least and stays put: a request is counted when the
    server has finished it, which can be just after the client has read the answer."""
    deadline = time.monotonic() + 5
    last = None
    while time.monotonic() < deadline:
        value = sample(metrics(srv).text, "frontdesk_http_requests_total", labels)
        if value is not None and value >= at_least and value == last:
            return value
        last = value
        time.sleep(0.05)
    return last


def test_request_counter_increases(default_server):
    labels = '{method="GET",route="/healthz",status="200"}'
    default_server.get("/healthz")
    before = settled_count(default_server, labels, 1)
    assert before is not None and before >= 1
    for _ in range(3):
        default_server.get("/healthz")
    after = settled_count(default_server, labels, before + 3)
    assert after == before + 3


def test_duration_histogram(default_server):
    default_server.get("/healthz")
    text = metrics(default_server).text
    name = "frontdesk_http_request_duration_seconds"
    buckets = re.findall(rf'^{name}_bucket\{{[^}}]*le="([^"]+)"[^}}]*\}} (\S+)$', text, re.M)
    assert buckets, f"no {name}_bucket samples"
    assert "+Inf" in [le for le, _ in buckets]
    assert re.search(rf"^{name}_sum(\{{[^}}]*\}})? \S+$", text, re.M)
    count = re.search(rf"^{name}_count(\{{[^}}]*\}})? (\S+)$", text, re.M)
    assert count and float(count.group(2)) >= 1


def test_db_errors_and_build_info(default_server):
    text = metrics(default_server).text
    assert re.search(r'^frontdesk_db_errors_total\{kind="[a-z_]+"\} \d+$', text, re.M), text
    version = run_cli("version").stdout.split()[1]
    m = re.search(r"^frontdesk_build_info\{([^}]*)\} (\S+)$", text, re.M)
    assert m, "no frontdesk_build_info sample"
    assert f'version="{version}"' in m.group(1).split(","), m.group(0)
    assert float(m.group(2)) == 1


def test_request_id_is_echoed(default_server):
    rid = "test-" + secrets.token_hex(8)
    resp = default_server.get("/healthz", headers={"X-Request-Id": rid})
    assert resp.headers.get("X-Request-Id") == rid


def test_request_id_is_generated(default_server):
    first = default_server.get("/healthz").headers.get("X-Request-Id")
    second = default_server.get("/healthz").headers.get("X-Request-Id")
    assert first and second and first != second
    assert re.fullmatch(r"[\x21-\x7e]{1,128}", first), first


@pytest.mark.parametrize("bad", [b"x" * 129, b"bad\x01id", b"caf\xc3\xa9", b"tab\tid"])
def test_insane_request_id_is_replaced(default_server, bad):
    req = (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
           b"X-Request-Id: " + bad + b"\r\n\r\n")
    resp = raw_request(default_server, req)
    assert resp.status_code == 200
    rid = resp.headers.get("X-Request-Id", "")
    assert rid and rid.encode("latin-1") != bad
    assert re.fullmatch(r"[\x21-\x7e]{1,128}", rid), rid


@pytest.mark.parametrize("path", ["/api/v2/no-such-thing", "/nope.txt"])
def test_request_id_on_errors(default_server, path):
    resp = default_server.get(path, headers={"X-Request-Id": "err-1234"})
    assert resp.status_code == 404
    assert resp.headers.get("X-Request-Id") == "err-1234"


def test_request_id_on_405(default_server):
    resp = default_server.post("/healthz", headers={"X-Request-Id": "m-5678"})
    assert resp.status_code == 405
    assert resp.headers.get("X-Request-Id") == "m-5678"


def request_log(srv, rid):
    entry = srv.wait_for_log(lambda e: e.get("request_id") == rid and e.get("event") == "request")
    assert entry is not None, f"no request log line with request_id {rid}"
    return entry


def test_log_line_per_request(default_server):
    rid = "log-" + secrets.token_hex(8)
    default_server.get("/healthz", headers={"X-Request-Id": rid})
    entry = request_log(default_server, rid)
    for key in ("ts", "level", "event", "request_id", "method", "route", "status", "duration_ms"):
        assert key in entry, f"{key} missing from {entry}"
    assert entry["method"] == "GET"
    assert entry["route"] == "/healthz"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], (int, float)) and entry["duration_ms"] >= 0
    assert isinstance(entry["ts"], str) and isinstance(entry["level"], str)


def test_log_line_for_generated_request_id(default_server):
    rid = default_server.get("/readyz").headers["X-Request-Id"]
    entry = request_log(default_server, rid)
    assert entry["route"] == "/readyz"


def test_log_line_for_unrouted_request(default_server):
    rid = "nf-" + secrets.token_hex(8)
    default_server.get("/api/v2/nothing-here", headers={"X-Request-Id": rid})
    entry = request_log(default_server, rid)
    assert entry["route"] is None
    assert entry["status"] == 404


def test_log_line_for_error(default_server):
    rid = "post-" + secrets.token_hex(8)
    default_server.post("/api/v2/setup", data=b"x", headers={"X-Request-Id": rid,
                                                             "Content-Type": "text/plain"})
    entry = request_log(default_server, rid)
    assert (entry["method"], entry["route"], entry["status"]) == ("POST", "/api/v2/setup", 415)


def test_every_log_line_is_json(default_server):
    default_server.get("/healthz")
    entries = default_server.log_entries()  # fails on a line that is not JSON
    assert entries
    for e in entries:
        assert {"ts", "level", "event"} <= set(e), e


def test_db_commit_counters(default_server):
    """Write transactions and the commits that carried them: on SQLite every write counts (a
    failed sign-in records the attempt), and a commit carries one or more transactions; on
    PostgreSQL, which groups commits itself, both stay 0."""
    def counters():
        text = metrics(default_server).text
        return (sample(text, "frontdesk_db_write_transactions_total", ""),
                sample(text, "frontdesk_db_commits_total", ""))

    tx0, commits0 = counters()
    assert tx0 is not None and commits0 is not None
    resp = default_server.post("/api/v2/auth/sign_in",
                               json={"email": "nobody@example.com", "password": "wrong password"})
    assert resp.status_code == 401
    tx1, commits1 = counters()
    if DB_KIND == "sqlite":
        assert tx1 > tx0 and commits1 > commits0
        assert commits1 <= tx1
    else:
        assert (tx1, commits1) == (0, 0)
