"""First-run setup: POST /api/v2/setup creates the first admin, once."""

import datetime
import json
import re

from conftest import (ADMIN, assert_error, connect, http_request, post_setup, raw_request,
                      read_response, setup_body)

ISO_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def parse_instant(text):
    assert ISO_RE.fullmatch(text), text
    return datetime.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)


def test_setup_creates_the_admin(server):
    srv = server()
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    resp = post_setup(srv, setup_body(srv.setup_token))
    assert resp.status_code == 201, resp.text
    assert resp.headers["Content-Type"].split(";")[0] == "application/json"
    body = resp.json()
    assert list(body) == ["user"]
    user = body["user"]
    # Zendesk's user fields, and frontdesk's own account_role beside them
    assert set(user) == {"id", "url", "name", "email", "role", "phone", "organization_id",
                         "active", "created_at", "updated_at", "account_role"}, user
    assert (user["id"], user["name"], user["email"], user["role"]) == (
        1, ADMIN["name"], ADMIN["email"], "admin")
    created = parse_instant(user["created_at"])
    assert before - datetime.timedelta(seconds=2) <= created
    assert created <= datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
    assert parse_instant(user["updated_at"]) >= created


def test_second_setup_conflicts(server):
    srv = server()
    assert post_setup(srv, setup_body(srv.setup_token)).status_code == 201
    resp = post_setup(srv, setup_body(srv.setup_token, email="eve@example.com"))
    assert_error(resp, 409, "conflict")


def test_failed_setups_create_nothing(server):
    srv = server()
    token = srv.setup_token
    bad = [
        setup_body("wrong-token"),
        setup_body(token, email="not-an-email"),
        setup_body(token, password="short"),
        setup_body(token, name=""),
        {"setup_token": token},
        b'{"setup_token": "' + token.encode() + b'", "user": {',
    ]
    for body in bad:
        assert 400 <= post_setup(srv, body).status_code < 500
    resp = post_setup(srv, setup_body(token))
    assert resp.status_code == 201, resp.text
    assert resp.json()["user"]["id"] == 1


def test_unicode_name_round_trips(server):
    srv = server()
    name = "Ada Łovelace 😀 日本"
    resp = post_setup(srv, setup_body(srv.setup_token, name=name))
    assert resp.status_code == 201, resp.text
    assert resp.json()["user"]["name"] == name


def test_chunked_setup(server):
    srv = server()
    data = json.dumps(setup_body(srv.setup_token)).encode()
    chunks = b"".join(f"{len(data[i:i + 10]):x}\r\n".encode() + data[i:i + 10] + b"\r\n"
                      for i in range(0, len(data), 10)) + b"0\r\n\r\n"
    req = http_request("POST", "/api/v2/setup", [("Content-Type", "application/json"),
                                                 ("Transfer-Encoding", "chunked"),
                                                 ("Connection", "close")])
    resp = raw_request(srv, req + chunks)
    assert resp.status_code == 201, resp.text
    assert resp.json()["user"]["id"] == 1


def test_setup_with_expect_continue(server):
    srv = server()
    data = json.dumps(setup_body(srv.setup_token)).encode()
    req = http_request("POST", "/api/v2/setup", [("Content-Type", "application/json"),
                                                 ("Content-Length", str(len(data))),
                                                 ("Expect", "100-continue"),
                                                 ("Connection", "close")])
    with connect(srv) as s:
        s.sendall(req)
        head = s.recv(4096)
        assert head.startswith(b"HTTP/1.1 100"), head
        s.sendall(data)
        resp = read_response(s)
    assert resp.status_code == 201, resp.text


def test_setup_survives_a_restart(server):
    srv = server()
    assert post_setup(srv, setup_body(srv.setup_token)).status_code == 201
    assert srv.stop() == 0
    again = server(db=srv.db, init=False)
    assert_error(post_setup(again, setup_body(srv.setup_token)), 409, "conflict")
