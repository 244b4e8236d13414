"""Connection limits: per-IP caps (direct and behind a trusted proxy), idle timeout, slow clients
that must not starve others, and header/request-line size caps."""

import json
import threading
import time

import pytest

from conftest import (assert_error, connect, http_request, is_closed, raw_request, read_response,
                      send_quietly)

HEALTHZ = http_request("GET", "/healthz", [("Connection", "close")])


def timed_healthz(srv, source=None, headers=()):
    t0 = time.monotonic()
    resp = raw_request(srv, http_request("GET", "/healthz", [("Connection", "close"), *headers]),
                       source=source, timeout=3)
    return resp, time.monotonic() - t0


def wait_served(srv, timeout=3.0):
    """Poll /healthz until it answers 200; returns the last status."""
    deadline = time.monotonic() + timeout
    while True:
        status = raw_request(srv, HEALTHZ).status_code
        if status == 200 or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def close_all(socks):
    for s in socks:
        s.close()


# ---------------------------------------------------------------- per-IP limits


def test_per_ip_limit(server):
    srv = server(max_connections_per_ip=2)
    idle = [connect(srv) for _ in range(2)]
    try:
        time.sleep(0.3)  # let the server accept them
        resp = raw_request(srv, http_request("GET", "/healthz"), timeout=3)
        assert_error(resp, 429, "too_many_requests")
        assert resp.headers.get("Connection", "").lower() == "close"
        assert resp.headers.get("X-Request-Id")
        other, elapsed = timed_healthz(srv, source="127.0.0.2")
        assert other.status_code == 200
        assert elapsed < 1
    finally:
        close_all(idle)
    assert wait_served(srv) == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(server):
    srv = server(max_connections_per_ip=2)
    idle = [connect(srv) for _ in range(2)]
    try:
        time.sleep(0.3)
        resp, _ = timed_healthz(srv, headers=[("X-Forwarded-For", "203.0.113.9")])
        assert_error(resp, 429, "too_many_requests")
    finally:
        close_all(idle)


def slow_post_head(xff, length):
    return http_request("POST", "/api/v2/setup", [("Content-Type", "application/json"),
                                                  ("Content-Length", str(length)),
                                                  ("X-Forwarded-For", xff),
                                                  ("Connection", "close")])


def padded_body(length):
    body = b'{"setup_token": "", "pad": "x"}'
    return body.replace(b'"x"', b'"' + b"x" * (length - len(body) + 1) + b'"')


def test_per_client_limit_behind_trusted_proxy(server):
    srv = server(max_connections_per_ip=2, trusted_proxies="127.0.0.1")
    body = padded_body(100)
    assert len(body) == 100
    slow = [connect(srv) for _ in range(2)]
    try:
        for s in slow:
            s.sendall(slow_post_head("203.0.113.7", len(body)) + body[:10])
        time.sleep(0.3)  # both requests are in flight, waiting for their bodies
        third, _ = timed_healthz(srv, headers=[("X-Forwarded-For", "203.0.113.7")])
        assert_error(third, 429, "too_many_requests")
        other, elapsed = timed_healthz(srv, headers=[("X-Forwarded-For", "203.0.113.8")])
        assert other.status_code == 200
        assert elapsed < 1
        for s in slow:  # the slow ones were never refused: they finish normally
            s.sendall(body[10:])
            status = read_response(s).status_code
            assert status != 429 and status < 500, status
    finally:
        close_all(slow)
    resp, _ = timed_healthz(srv, headers=[("X-Forwarded-For", "203.0.113.7")])
    assert resp.status_code == 200


# ---------------------------------------------------------------- idle timeout


def test_idle_connection_is_closed(server):
    srv = server(idle_timeout=2)
    with connect(srv) as s:
        t0 = time.monotonic()
        assert is_closed(s, 5), "idle connection still open after 5 s"
        assert time.monotonic() - t0 >= 1
    assert wait_served(srv) == 200


def test_idle_keep_alive_connection_is_closed(server):
    srv = server(idle_timeout=2)
    with connect(srv) as s:
        s.sendall(http_request("GET", "/healthz"))
        assert read_response(s).status_code == 200
        assert is_closed(s, 5), "idle keep-alive connection still open after 5 s"


# ---------------------------------------------------------------- slow clients


class Trickler:
    """Sends one byte per `interval` on each socket from a thread, never finishing."""

    def __init__(self, socks, prefix, interval=0.2):
        self.socks, self.prefix, self.interval = socks, prefix, interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        for s in self.socks:
            send_quietly(s, self.prefix)
        while not self.stop.wait(self.interval):
            for s in self.socks:
                send_quietly(s, b"a")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        close_all(self.socks)


def assert_prompt_during(srv, seconds=3.0):
    """Normal requests keep being answered in under a second each."""
    deadline = time.monotonic() + seconds
    worst = 0.0
    while time.monotonic() < deadline:
        resp, elapsed = timed_healthz(srv)
        assert resp.status_code == 200
        worst = max(worst, elapsed)
        t0 = time.monotonic()
        post = srv.post("/api/v2/setup", data=b'{"setup_token": "x"}',
                        headers={"Content-Type": "application/json"}, timeout=3)
        assert post.status_code < 500
        worst = max(worst, time.monotonic() - t0)
        time.sleep(0.1)
    assert worst < 1, f"a request took {worst:.2f} s"


@pytest.mark.parametrize("threads", [None, 1])
def test_slowloris_headers(server, threads):
    srv = server(max_connections_per_ip=40, **({"threads": threads} if threads else {}))
    socks = [connect(srv) for _ in range(30)]
    with Trickler(socks, b"GET /healthz HTTP/1.1\r\nX-Slow: "):
        time.sleep(0.3)
        assert_prompt_during(srv)


@pytest.mark.parametrize("threads", [None, 1])
def test_slow_bodies(server, threads):
    srv = server(max_connections_per_ip=40, **({"threads": threads} if threads else {}))
    socks = [connect(srv) for _ in range(30)]
    head = http_request("POST", "/api/v2/setup", [("Content-Type", "application/json"),
                                                  ("Content-Length", "1000")])
    with Trickler(socks, head + b'{"setup_token": "'):
        time.sleep(0.3)
        assert_prompt_during(srv)


# ---------------------------------------------------------------- header and request-line caps


def test_headers_within_connection_memory(server):
    srv = server(connection_memory="8K")
    req = http_request("GET", "/healthz", [("X-Big", "a" * 2000), ("Connection", "close")])
    assert raw_request(srv, req).status_code == 200


def test_header_over_connection_memory(server):
    srv = server(connection_memory="8K")
    req = http_request("GET", "/healthz", [("X-Big", "a" * 20000), ("Connection", "close")])
    resp = raw_request(srv, req)
    print(f"20 KB header with --connection-memory 8K -> {resp.status_code}")
    assert 400 <= resp.status_code < 500
    assert resp.status_code in (413, 431), resp.status_code
    assert wait_served(srv) == 200


def test_request_line_over_connection_memory(server):
    srv = server(connection_memory="8K")
    req = http_request("GET", "/" + "a" * 20000, [("Connection", "close")])
    resp = raw_request(srv, req)
    print(f"20 KB request line with --connection-memory 8K -> {resp.status_code}")
    assert 400 <= resp.status_code < 500
    assert wait_served(srv) == 200


def test_many_headers_over_connection_memory(server):
    srv = server(connection_memory="8K")
    headers = [(f"X-H{i}", "v" * 40) for i in range(400)]
    resp = raw_request(srv, http_request("GET", "/healthz", [*headers, ("Connection", "close")]))
    assert 400 <= resp.status_code < 500
    assert wait_served(srv) == 200


def test_large_but_allowed_body(server):
    srv = server(max_body_size="64K")
    body = json.dumps({"setup_token": "x", "pad": "p" * 60000}).encode()
    resp = srv.post("/api/v2/setup", data=body, headers={"Content-Type": "application/json"})
    assert resp.status_code in (403, 422), resp.text  # read and judged, not refused as too large
