"""The error contract: every error is JSON {"error": {"code", "message", "field"}}.

Driven through routing and POST /api/v2/setup, whose body parsing and validation are the
first to exist. No request here may create the admin: the module server is shared.
"""

import json

import pytest

from conftest import (ServerPool, assert_error, connect, http_request, post_setup, raw_request,
                      read_response, send_quietly, setup_body)

WRONG_TOKEN = "not-the-setup-token"


# ---------------------------------------------------------------- routing


@pytest.mark.parametrize("path", ["/api/v2/nope", "/api/nope", "/api/v2/setup/extra", "/nope"])
def test_not_found(default_server, path):
    assert_error(default_server.get(path), 404, "not_found", None)


@pytest.mark.parametrize("method,path,allowed", [
    ("POST", "/healthz", {"GET", "HEAD"}),
    ("DELETE", "/readyz", {"GET", "HEAD"}),
    ("PUT", "/metrics", {"GET", "HEAD"}),
    ("GET", "/api/v2/setup", {"POST"}),
])
def test_method_not_allowed(default_server, method, path, allowed):
    resp = default_server.request(method, path)
    assert_error(resp, 405, "method_not_allowed")
    allow = {m.strip() for m in resp.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed <= allow, f"Allow: {resp.headers.get('Allow')!r}"


# ---------------------------------------------------------------- 415, 400


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded",
                                   "application/jsonx", None])
def test_unsupported_media_type(default_server, ctype):
    resp = post_setup(default_server, setup_body(WRONG_TOKEN), content_type=ctype)
    assert_error(resp, 415, "unsupported_media_type")


def test_json_with_charset_is_accepted(default_server):
    resp = post_setup(default_server, setup_body(WRONG_TOKEN),
                      content_type="application/json; charset=utf-8")
    assert_error(resp, 403, "forbidden", "setup_token")


@pytest.mark.parametrize("body", [b'{"setup_token": ', b"{'a': 1}", b'{"a": 1,}', b"nul",
                                  b'{"a": 1} trailing', b""])
def test_invalid_json(default_server, body):
    err = assert_error(post_setup(default_server, body), 400, "invalid_json")
    if body:
        assert "line" in err["message"] and "column" in err["message"], err["message"]


def test_invalid_json_names_the_position(default_server):
    body = b'{\n  "setup_token": "x",\n  "user": {"name": @}\n}'
    err = assert_error(post_setup(default_server, body), 400, "invalid_json")
    assert "line 3" in err["message"], err["message"]
    assert "column" in err["message"], err["message"]


@pytest.mark.parametrize("bad", [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf"])
def test_invalid_utf8(default_server, bad):
    body = b'{"setup_token": "x", "user": {"name": "A' + bad + b'", "email": "a@example.com",' \
           b' "password": "correct horse battery"}}'
    resp = post_setup(default_server, body)
    assert resp.status_code == 400, resp.text
    assert_error(resp, 400, resp.json()["error"]["code"])


# ---------------------------------------------------------------- 403, 422


def test_wrong_setup_token(default_server):
    assert_error(post_setup(default_server, setup_body(WRONG_TOKEN)), 403, "forbidden",
                 "setup_token")


def test_missing_setup_token(default_server):
    body = setup_body(None)
    del body["setup_token"]
    assert_error(post_setup(default_server, body), 403, "forbidden", "setup_token")


def with_token(srv, user):
    body = {"setup_token": srv.setup_token}
    if user is not ...:
        body["user"] = user
    return body


@pytest.mark.parametrize("body,field", [
    ([], "user"),
    ("a string", "user"),
    (..., "user"),
    ({"user": "ada"}, "user"),
    ({"user": None}, "user"),
    ({"user": {"name": "Ada", "password": "correct horse battery"}}, "user.email"),
    ({"user": {"name": "Ada", "email": "ada", "password": "correct horse battery"}}, "user.email"),
    ({"user": {"name": "Ada", "email": "ada@", "password": "correct horse battery"}}, "user.email"),
    ({"user": {"name": "Ada", "email": 7, "password": "correct horse battery"}}, "user.email"),
    ({"user": {"name": "Ada", "email": "ada@example.com", "password": "short"}}, "user.password"),
    ({"user": {"name": "Ada", "email": "ada@example.com", "password": "12345678901"}},
     "user.password"),
    ({"user": {"name": "Ada", "email": "ada@example.com"}}, "user.password"),
    ({"user": {"name": "", "email": "ada@example.com", "password": "correct horse battery"}},
     "user.name"),
    ({"user": {"email": "ada@example.com", "password": "correct horse battery"}}, "user.name"),
])
def test_invalid_field(server, body, field):
    """Sent with the right token (on a server of its own): only the field is wrong."""
    srv = server()
    if isinstance(body, dict):
        payload = with_token(srv, body["user"])
    elif body is ...:
        payload = with_token(srv, ...)
    else:
        payload = json.dumps(body).encode()
    assert_error(post_setup(srv, payload), 422, "invalid", field)


# ---------------------------------------------------------------- 413


def big_body(size):
    """A setup body of about `size` bytes (the name carries the padding)."""
    body = setup_body(WRONG_TOKEN, name="")
    base = len(json.dumps(body).encode())
    body["user"]["name"] = "n" * max(0, size - base)
    return json.dumps(body).encode()


def test_body_over_the_default_limit(default_server):
    resp = post_setup(default_server, big_body(1024 * 1024 + 100))
    assert_error(resp, 413, "payload_too_large")


@pytest.fixture(scope="module")
def small_body_server(tmp_path_factory):
    p = ServerPool(tmp_path_factory.mktemp("small"))
    try:
        yield p.start(max_body_size="1K")
    finally:
        p.close()


def test_body_under_the_limit_is_read(small_body_server):
    resp = post_setup(small_body_server, big_body(1000))
    assert resp.status_code in (403, 422), resp.text  # read and judged, not refused as too large


def test_body_over_the_limit_with_content_length(small_body_server):
    resp = post_setup(small_body_server, big_body(1100))
    assert_error(resp, 413, "payload_too_large")
    assert resp.headers.get("X-Request-Id")


def chunked(data, size=100):
    out = b""
    for i in range(0, len(data), size):
        piece = data[i:i + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def test_body_over_the_limit_chunked(small_body_server):
    req = http_request("POST", "/api/v2/setup", [("Content-Type", "application/json"),
                                                 ("Transfer-Encoding", "chunked"),
                                                 ("Connection", "close")])
    resp = raw_request(small_body_server, req + chunked(big_body(3000)))
    assert_error(resp, 413, "payload_too_large")


def test_chunked_body_under_the_limit_is_read(small_body_server):
    req = http_request("POST", "/api/v2/setup", [("Content-Type", "application/json"),
                                                 ("Transfer-Encoding", "chunked"),
                                                 ("Connection", "close")])
    resp = raw_request(small_body_server, req + chunked(big_body(900)))
    assert resp.status_code in (403, 422), resp.text


def test_server_keeps_serving_after_413(small_body_server):
    post_setup(small_body_server, big_body(5000))
    assert small_body_server.get("/healthz").status_code == 200


# ---------------------------------------------------------------- malformed HTTP (raw)


def setup_request(headers, body):
    return http_request("POST", "/api/v2/setup",
                        [("Content-Type", "application/json"), ("Connection", "close"), *headers],
                        body)


def test_duplicate_content_length(default_server):
    body = json.dumps(setup_body(WRONG_TOKEN)).encode()
    n = str(len(body))
    resp = raw_request(default_server, setup_request([("Content-Length", n),
                                                      ("Content-Length", n)], body))
    assert_error(resp, 400, "bad_request")


def test_conflicting_content_lengths(default_server):
    body = json.dumps(setup_body(WRONG_TOKEN)).encode()
    resp = raw_request(default_server, setup_request([("Content-Length", str(len(body))),
                                                      ("Content-Length", "5")], body))
    assert_error(resp, 400, "bad_request")


def test_content_length_with_chunked(default_server):
    body = json.dumps(setup_body(WRONG_TOKEN)).encode()
    resp = raw_request(default_server, setup_request([("Content-Length", str(len(body))),
                                                      ("Transfer-Encoding", "chunked")],
                                                     chunked(body)))
    assert_error(resp, 400, "bad_request")


@pytest.mark.parametrize("value", ["abc", "-1", "1 2"])
def test_malformed_content_length(default_server, value):
    resp = raw_request(default_server, setup_request([("Content-Length", value)], b"{}"))
    assert resp.status_code == 400, resp.text


def test_garbage_request_line(default_server):
    resp = raw_request(default_server, b"HELLO THERE\r\n\r\n")
    assert resp.status_code == 400, resp.text



def test_unsupported_transfer_coding(default_server):
    # libmicrohttpd decodes only "chunked": anything else would stall until the idle timeout.
    resp = raw_request(default_server, setup_request([("Transfer-Encoding", "gzip, chunked")],
                                                     chunked(b"{}")), timeout=3.0)
    assert_error(resp, 501, "not_implemented", field="Transfer-Encoding")


def test_http11_without_host(default_server):
    resp = raw_request(default_server, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert_error(resp, 400, "bad_request", field="Host")


def test_http10_without_host_is_fine(default_server):
    resp = raw_request(default_server, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("method, path, status", [("GET", "/nope", 404), ("POST", "/healthz", 405),
                                                  ("DELETE", "/", 405)])
def test_bodiless_error_keeps_the_connection(default_server, method, path, status):
    # An error for a request without a body must not cost the client its keep-alive connection.
    with connect(default_server, None, 5.0) as s:
        send_quietly(s, http_request(method, path))
        first = read_response(s, method)
        assert first.status_code == status, first.text
        assert first.headers.get("Connection", "").lower() != "close"
        send_quietly(s, http_request("GET", "/healthz"))
        second = read_response(s, "GET")
        assert second.status_code == 200, second.text
