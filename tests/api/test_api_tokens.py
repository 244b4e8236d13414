"""API tokens: listing and revocation (GET /api/v2/api_tokens, DELETE /api/v2/api_tokens/{id}).

Tokens are made by `frontdesk token create`, which shows the secret once; the API never shows a
secret or its hash, lets staff list and revoke their own, and admins everyone's; revocation is
audited and takes effect on the next request."""
import pytest

from conftest import ServerPool, assert_error
from test_auth import (add_requester, add_staff, assert_unauthorized, audit_rows, bearer,
                       create_token, me)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("tokens"))
    try:
        srv = pool.start()
        srv.agent = add_staff(srv, "agent", name="Ann Agent")
        srv.other = add_staff(srv, "agent", name="Otto Other")
        srv.admin = add_staff(srv, "admin", name="Ada Admin")
        srv.agent_token = create_token(srv, srv.agent["email"], "ci")
        srv.other_token = create_token(srv, srv.other["email"], "zapier")
        srv.admin_token = create_token(srv, srv.admin["email"], "admin-script")
        yield srv
    finally:
        pool.close()


def tokens(srv, token, query=""):
    r = srv.get("/api/v2/api_tokens" + query, headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()["api_tokens"]


def test_staff_list_only_their_own_tokens_without_secrets(desk):
    listed = tokens(desk, desk.agent_token)
    assert [t["name"] for t in listed] == ["ci"]
    t = listed[0]
    assert set(t) == {"id", "user_id", "name", "created_at", "last_used_at", "revoked_at"}
    assert t["user_id"] == desk.agent["id"] and t["revoked_at"] is None
    assert t["last_used_at"] is not None  # this very request used it
    assert desk.agent_token not in str(listed)


def test_admins_list_anyones_tokens(desk):
    names = {t["name"] for t in tokens(desk, desk.admin_token, "?all=true")}
    assert {"ci", "zapier", "admin-script"} <= names
    theirs = tokens(desk, desk.admin_token, f"?user_id={desk.other['id']}")
    assert [t["name"] for t in theirs] == ["zapier"]


def test_agents_cannot_list_others_tokens(desk):
    r = desk.get("/api/v2/api_tokens?all=true", headers=bearer(desk.agent_token))
    assert_error(r, 403, "forbidden", field="all")


def test_requesters_and_anonymous_have_no_tokens(desk):
    assert_unauthorized(desk.get("/api/v2/api_tokens"))
    person = add_requester(desk)
    from test_auth import sign_in  # a cookie session: requesters sign in, they hold no tokens
    secret, _, _ = sign_in(desk, person)
    r = desk.get("/api/v2/api_tokens", headers={"Cookie": f"fd_session={secret}"})
    assert_error(r, 403, "forbidden")


def test_an_agent_revokes_their_token_and_it_stops_working(desk):
    token = create_token(desk, desk.agent["email"], "to-revoke")
    assert me(desk, bearer(token)).status_code == 200
    tid = next(t["id"] for t in tokens(desk, token) if t["name"] == "to-revoke")
    r = desk.request("DELETE", f"/api/v2/api_tokens/{tid}", headers=bearer(token))
    assert r.status_code == 204, r.text
    assert_unauthorized(me(desk, bearer(token)))
    listed = {t["id"]: t for t in tokens(desk, desk.agent_token)}
    assert listed[tid]["revoked_at"] is not None
    assert len(audit_rows(desk.db, "api_token.revoked", desk.agent["id"])) >= 1
    # revoking again changes nothing
    r = desk.request("DELETE", f"/api/v2/api_tokens/{tid}", headers=bearer(desk.agent_token))
    assert r.status_code == 204


def test_someone_elses_token_is_not_found_and_stays_live(desk):
    tid = tokens(desk, desk.other_token)[0]["id"]
    r = desk.request("DELETE", f"/api/v2/api_tokens/{tid}", headers=bearer(desk.agent_token))
    assert_error(r, 404, "not_found")
    assert me(desk, bearer(desk.other_token)).status_code == 200


def test_an_admin_revokes_anyones_token(desk):
    token = create_token(desk, desk.other["email"], "leaked")
    tid = next(t["id"] for t in tokens(desk, token) if t["name"] == "leaked")
    r = desk.request("DELETE", f"/api/v2/api_tokens/{tid}", headers=bearer(desk.admin_token))
    assert r.status_code == 204, r.text
    assert_unauthorized(me(desk, bearer(token)))


@pytest.mark.parametrize("bad", ["0", "abc", "007", "99999999999999999999"])
def test_malformed_ids_name_nothing(desk, bad):
    r = desk.request("DELETE", f"/api/v2/api_tokens/{bad}", headers=bearer(desk.admin_token))
    assert_error(r, 404, "not_found")
