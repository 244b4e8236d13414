"""Attachments (Zendesk's Attachments API): uploads stored in the database under a token, claimed
by a comment, rendered on comments and served back as downloads whose type is sniffed from the
bytes, never trusted, with who-may-see checks on every path."""

import urllib.parse
from dataclasses import dataclass

import pytest

from conftest import (ADMIN, Api, ServerPool, add_organization, add_requester, assert_error,
                      create_admin, db_scalar, sign_in, staff_add, token_create)

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
ATTACHMENT_KEYS = {"id", "file_name", "content_url", "content_type", "size", "inline"}
INERT = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
         "application/zip", "application/gzip", "text/plain; charset=utf-8",
         "application/octet-stream"}


@dataclass
class Desk:
    srv: object
    agent: Api
    olive_id: int   # owner of acme
    olive: Api
    mike_id: int    # member of acme
    mike: Api
    rita_id: int    # member of globex
    rita: Api
    anon: Api


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("attachments"))
    try:
        srv = pool.start()
        create_admin(srv)
        staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
        acme, globex = add_organization(srv.db, "Acme Shop"), add_organization(srv.db, "Globex")
        olive_id = add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
        mike_id = add_requester(srv, "mike@acme.example", "Mike Member", acme, "member")
        rita_id = add_requester(srv, "rita@globex.example", "Rita Globex", globex, "member")
        yield Desk(srv=srv, agent=Api(srv, token_create(srv, "agent@example.com")),
                   olive_id=olive_id, olive=sign_in(srv, "olive@acme.example"),
                   mike_id=mike_id, mike=sign_in(srv, "mike@acme.example"),
                   rita_id=rita_id, rita=sign_in(srv, "rita@globex.example"), anon=Api(srv))
    finally:
        pool.close()


def upload(api, name, data, content_type="application/octet-stream", token=None):
    q = {"filename": name}
    if token:
        q["token"] = token
    return api.request("POST", "/api/v2/uploads?" + urllib.parse.urlencode(q), data=data,
                       headers={"Content-Type": content_type})


def uploaded(api, name, data, **kw):
    resp = upload(api, name, data, **kw)
    assert resp.status_code == 201, resp.text
    up = resp.json()["upload"]
    assert set(up["attachment"]) == ATTACHMENT_KEYS
    return up


def new_ticket(api, uploads=(), public=None):
    comment = {"body": "see attached"}
    if uploads:
        comment["uploads"] = list(uploads)
    if public is not None:
        comment["public"] = public
    return api.post("/api/v2/tickets", {"ticket": {"subject": "Files", "comment": comment}})


def comment_on(api, tid, uploads, public=True):
    return api.put(f"/api/v2/tickets/{tid}",
                   {"ticket": {"comment": {"body": "more", "public": public,
                                           "uploads": list(uploads)}}})


def comments(api, tid):
    resp = api.get(f"/api/v2/tickets/{tid}/comments")
    assert resp.status_code == 200, resp.text
    return resp.json()["comments"]


def test_round_trip_bytes_and_headers(desk):
    data = bytes(range(256)) * 40
    up = uploaded(desk.mike, "Résumé \"final\".bin", data)
    att = up["attachment"]
    assert len(up["token"]) == 43 and up["attachments"] == [att]
    assert att["size"] == len(data) and att["inline"] is False
    assert att["content_type"] == "application/octet-stream"
    assert att["file_name"] == "Résumé \"final\".bin"
    assert att["content_url"] == f"/api/v2/attachments/{att['id']}/content"
    resp = new_ticket(desk.mike, [up["token"]])
    assert resp.status_code == 201, resp.text
    tid = resp.json()["ticket"]["id"]
    [c] = comments(desk.mike, tid)
    assert c["attachments"] == [att]
    for api in (desk.mike, desk.olive, desk.agent):
        resp = api.get(att["content_url"])
        assert resp.status_code == 200, resp.text
        assert resp.content == data
        h = resp.headers
        assert h["Content-Type"] == "application/octet-stream"
        assert h["Content-Disposition"] == (
            "attachment; filename=\"R_sum_ _final_.bin\"; "
            "filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.bin")
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert h["Cache-Control"] == "private, no-store"
        shown = api.get(f"/api/v2/attachments/{att['id']}")
        assert shown.status_code == 200 and shown.json() == {"attachment": att}
    # The bytes live in the database, on either engine.
    assert db_scalar(desk.srv.db, f"SELECT size FROM attachments WHERE id = {att['id']}") == \
        str(len(data))
    assert db_scalar(desk.srv.db, f"SELECT count(*) FROM uploads WHERE id = {att['id']}") == "0"


def test_comment_without_attachments_has_empty_list(desk):
    resp = new_ticket(desk.mike)
    assert resp.status_code == 201
    [c] = comments(desk.mike, resp.json()["ticket"]["id"])
    assert c["attachments"] == []


@pytest.mark.parametrize("name,data,declared", [
    ("x.html", HTML, "text/html"),
    ("x.svg", SVG, "image/svg+xml"),
    ("x.htm", b"\x00" + HTML, "text/html"),
])
def test_active_content_is_never_served_as_such(desk, name, data, declared):
    up = uploaded(desk.agent, name, data, content_type=declared)
    ctype = up["attachment"]["content_type"]
    assert ctype in ("text/plain; charset=utf-8", "application/octet-stream")
    resp = desk.agent.get(up["attachment"]["content_url"])
    assert resp.status_code == 200 and resp.content == data
    assert resp.headers["Content-Type"] == ctype
    assert "html" not in resp.headers["Content-Type"] and "svg" not in resp.headers["Content-Type"]
    assert resp.headers["Content-Disposition"].startswith("attachment;")


def test_type_comes_from_the_bytes_not_the_name(desk):
    up = uploaded(desk.mike, "x.txt", PNG, content_type="text/plain")
    assert up["attachment"]["content_type"] == "image/png"
    up = uploaded(desk.mike, "notes.png", "héllo\nwörld\n".encode(), content_type="image/png")
    assert up["attachment"]["content_type"] == "text/plain; charset=utf-8"


def test_token_collects_several_files(desk):
    first = uploaded(desk.mike, "a.txt", b"a")
    second = uploaded(desk.mike, "b.png", PNG, token=first["token"])
    assert second["token"] == first["token"]
    assert [a["file_name"] for a in second["attachments"]] == ["a.txt", "b.png"]
    resp = new_ticket(desk.mike, [first["token"]])
    assert resp.status_code == 201, resp.text
    [c] = comments(desk.mike, resp.json()["ticket"]["id"])
    assert [a["id"] for a in c["attachments"]] == [a["id"] for a in second["attachments"]]
    # A claimed token is spent.
    assert_error(upload(desk.mike, "c.txt", b"c", token=first["token"]), 422, "invalid", "token")
    assert_error(new_ticket(desk.mike, [first["token"]]), 422, "invalid", "ticket.comment.uploads")


def test_pending_upload_is_only_the_uploaders(desk):
    att = uploaded(desk.mike, "p.txt", b"pending")["attachment"]
    assert desk.mike.get(att["content_url"]).content == b"pending"
    for api in (desk.olive, desk.rita, desk.agent):
        assert_error(api.get(att["content_url"]), 404, "not_found")
        assert_error(api.get(f"/api/v2/attachments/{att['id']}"), 404, "not_found")
    assert desk.anon.get(att["content_url"]).status_code == 401


def test_requester_cannot_read_internal_note_attachment(desk):
    tid = new_ticket(desk.mike).json()["ticket"]["id"]
    up = uploaded(desk.agent, "internal.txt", b"staff only")
    resp = comment_on(desk.agent, tid, [up["token"]], public=False)
    assert resp.status_code == 200, resp.text
    url = up["attachment"]["content_url"]
    assert desk.agent.get(url).content == b"staff only"
    for api in (desk.mike, desk.olive):
        assert_error(api.get(url), 404, "not_found")
    assert all(c["attachments"] == [] for c in comments(desk.mike, tid))


def test_requester_cannot_read_another_accounts_attachment(desk):
    up = uploaded(desk.mike, "mine.txt", b"acme secret")
    resp = new_ticket(desk.mike, [up["token"]])
    assert resp.status_code == 201
    url = up["attachment"]["content_url"]
    assert_error(desk.rita.get(url), 404, "not_found")
    assert_error(desk.rita.get(f"/api/v2/attachments/{up['attachment']['id']}"), 404, "not_found")
    assert desk.olive.get(url).content == b"acme secret"  # the account's owner sees it


def test_cannot_claim_someone_elses_token(desk):
    up = uploaded(desk.rita, "r.txt", b"rita's")
    assert_error(new_ticket(desk.mike, [up["token"]]), 422, "invalid", "ticket.comment.uploads")
    tid = new_ticket(desk.mike).json()["ticket"]["id"]
    assert_error(comment_on(desk.agent, tid, [up["token"]]), 422, "invalid",
                 "ticket.comment.uploads")
    assert_error(upload(desk.mike, "m.txt", b"m", token=up["token"]), 422, "invalid", "token")
    # Still Rita's to use.
    assert new_ticket(desk.rita, [up["token"]]).status_code == 201


def test_unknown_and_expired_tokens(desk):
    assert_error(new_ticket(desk.mike, ["nope"]), 422, "invalid", "ticket.comment.uploads")
    assert_error(new_ticket(desk.mike, ["A" * 43]), 422, "invalid", "ticket.comment.uploads")
    up = uploaded(desk.mike, "old.txt", b"old")
    desk.srv.db.execute(f"UPDATE uploads SET expires_at = 1 WHERE id = {up['attachment']['id']}")
    assert_error(new_ticket(desk.mike, [up["token"]]), 422, "invalid", "ticket.comment.uploads")
    assert_error(upload(desk.mike, "n.txt", b"n", token=up["token"]), 422, "invalid", "token")
    # uploads must be an array of strings.
    assert_error(desk.mike.post("/api/v2/tickets", {"ticket": {"subject": "x", "comment": {
        "body": "x", "uploads": "tok"}}}), 422, "invalid", "ticket.comment.uploads")
    assert_error(desk.mike.post("/api/v2/tickets", {"ticket": {"subject": "x", "comment": {
        "body": "x", "uploads": [1]}}}), 422, "invalid", "ticket.comment.uploads")


def test_failed_claim_rolls_back_the_comment(desk):
    tid = new_ticket(desk.mike).json()["ticket"]["id"]
    good = uploaded(desk.mike, "g.txt", b"g")
    assert_error(comment_on(desk.mike, tid, [good["token"], "x" * 43]), 422, "invalid",
                 "ticket.comment.uploads")
    assert len(comments(desk.mike, tid)) == 1
    assert comment_on(desk.mike, tid, [good["token"]]).status_code == 200
    assert [len(c["attachments"]) for c in comments(desk.mike, tid)] == [0, 1]


def test_at_most_ten_attachments_per_comment(desk):
    tokens = [uploaded(desk.agent, f"{i}.txt", b"x")["token"] for i in range(11)]
    assert_error(new_ticket(desk.agent, tokens), 422, "invalid", "ticket.comment.uploads")
    first = uploaded(desk.agent, "0.txt", b"x")
    for i in range(10):
        uploaded(desk.agent, f"{i + 1}.txt", b"x", token=first["token"])
    assert_error(new_ticket(desk.agent, [first["token"]]), 422, "invalid", "ticket.comment.uploads")
    assert new_ticket(desk.agent, tokens[:10]).status_code == 201


@pytest.mark.parametrize("name", ["", "a/b", "a\\b", "a\x01b", "a\x7fb", "x" * 256,
                                  "caf\udce9".encode("utf-8", "surrogateescape")])
def test_bad_filenames(desk, name):
    q = urllib.parse.quote_from_bytes(name if isinstance(name, bytes) else name.encode())
    resp = desk.mike.request("POST", f"/api/v2/uploads?filename={q}", data=b"x")
    assert_error(resp, 422, "invalid", "filename")


def test_filename_is_required_and_anonymous_refused(desk):
    assert_error(desk.mike.request("POST", "/api/v2/uploads", data=b"x"), 422, "invalid",
                 "filename")
    assert upload(desk.anon, "a.txt", b"x").status_code == 401
    assert uploaded(desk.mike, "x" * 255, b"")["attachment"]["size"] == 0


def test_body_over_the_cap_is_413(desk):
    resp = upload(desk.mike, "big.bin", b"\0" * (1024 * 1024 + 1))
    assert_error(resp, 413, "payload_too_large")


def test_unknown_attachment_ids(desk):
    for path in ("/api/v2/attachments/999999", "/api/v2/attachments/0",
                 "/api/v2/attachments/abc/content"):
        assert_error(desk.agent.get(path), 404, "not_found")


def test_sniffed_types_are_documented(desk):
    for data in (PNG, b"%PDF-1.7", b"PK\x03\x04", b"\x1f\x8b\x08", b"GIF89a", b"\xff\xd8\xff",
                 b"RIFF\0\0\0\0WEBPVP8 ", b"\x00\x01", b"text"):
        assert uploaded(desk.agent, "f", data)["attachment"]["content_type"] in INERT
