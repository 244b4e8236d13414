"""Static files embedded in the binary: types, ETag revalidation, no path traversal."""

import pytest

from conftest import assert_error, http_request, raw_request

FILES = [("/", "text/html; charset=utf-8"), ("/app.css", "text/css"),
         ("/favicon.svg", "image/svg+xml")]


@pytest.mark.parametrize("path,ctype", FILES)
def test_static_file(default_server, path, ctype):
    resp = default_server.get(path)
    assert resp.status_code == 200, resp.text
    got = resp.headers["Content-Type"]
    if ";" in ctype:
        assert got == ctype
    else:
        assert got.split(";")[0] == ctype, got
    assert resp.headers.get("ETag"), "no ETag"
    assert resp.content


def test_index_is_html(default_server):
    assert "<html" in default_server.get("/").text.lower()


def etag_of(srv, path):
    etag = srv.get(path).headers.get("ETag")
    assert etag, f"GET {path}: no ETag"
    return etag


@pytest.mark.parametrize("path,ctype", FILES)
def test_etag_revalidation(default_server, path, ctype):
    etag = etag_of(default_server, path)
    resp = raw_request(default_server, http_request("GET", path, [("If-None-Match", etag),
                                                                  ("Connection", "close")]))
    assert resp.status_code == 304
    assert resp.content == b""
    assert resp.headers.get("ETag") == etag


def test_etag_mismatch_sends_the_file(default_server):
    resp = default_server.get("/app.css", headers={"If-None-Match": '"not-the-etag"'})
    assert resp.status_code == 200
    assert resp.content


def test_etags_are_stable_and_distinct(default_server):
    tags = [etag_of(default_server, p) for p, _ in FILES]
    assert tags == [etag_of(default_server, p) for p, _ in FILES]
    assert len(set(tags)) == len(tags)


def test_head_index(default_server):
    resp = raw_request(default_server, http_request("HEAD", "/", [("Connection", "close")]),
                       method="HEAD")
    assert resp.status_code == 200
    assert resp.headers.get("ETag")
    assert resp.content == b""


def test_post_index_is_not_allowed(default_server):
    resp = default_server.post("/", data=b"x")
    assert_error(resp, 405, "method_not_allowed")
    assert "GET" in resp.headers.get("Allow", "")


def test_unknown_file(default_server):
    assert_error(default_server.get("/no-such-file.css"), 404, "not_found")


@pytest.mark.parametrize("path", ["/../etc/passwd", "/%2e%2e/etc/passwd", "/index.html/..",
                                  "/%2E%2E/%2E%2E/etc/passwd", "/../../../../../../etc/passwd",
                                  "/./../etc/passwd", "/.%2e/etc/passwd", "/..%2fetc%2fpasswd",
                                  "/%2e%2e%2fetc%2fpasswd", "/app.css/../../etc/passwd",
                                  "//etc/passwd", "/%252e%252e/etc/passwd",
                                  "/..\\..\\etc\\passwd", "/../meson.build",
                                  "/../web/index.html"])
def test_no_path_traversal(default_server, path):
    resp = raw_request(default_server, http_request("GET", path, [("Connection", "close")]))
    assert resp.status_code == 404, f"{path}: {resp.status_code} {resp.text[:200]}"
    assert b"root:" not in resp.content
    assert_error(resp, 404, "not_found")


@pytest.mark.parametrize("path", ["/index.html%00", "/%00", "/app.css%00.html"])
def test_nul_in_path(default_server, path):
    resp = raw_request(default_server, http_request("GET", path, [("Connection", "close")]))
    assert resp.status_code in (400, 404), resp.status_code
    assert b"root:" not in resp.content
