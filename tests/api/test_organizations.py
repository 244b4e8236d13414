"""Client accounts: /api/v2/organizations, their members and their billing facts.

Staff read every account, its members read their own (the public face only: id, url, name and
instants), only admins write. Billing facts are admin-only and never part of an organization's
JSON. Servers and people come from test_people's Desk (one server per module).
"""

import json

import pytest

from conftest import ServerPool, assert_error
from test_people import Desk, all_pages, unique

STAFF_FIELDS = {"id", "url", "name", "created_at", "updated_at", "plan", "plan_rate_cents",
                "support_package_until", "install_status", "delinquent", "high_risk",
                "service_refused"}
PUBLIC_FIELDS = {"id", "url", "name", "created_at", "updated_at"}
SECRET = "SECRET-BALANCE-7731"
MISSING = object()  # a member left out of the body


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("organizations"))
    try:
        yield Desk(pool)
    finally:
        pool.close()


@pytest.fixture(scope="module")
def agent(desk):
    return desk.staff("agent")


def org_count(desk):
    return int(desk.rows("SELECT count(*) FROM organizations")[0][0])


# ---------------------------------------------------------------- creating and reading


def test_admin_creates_an_account_with_frontdesks_fields(desk, agent):
    name = unique("Acme Outfitters")
    resp = desk.admin.post("/api/v2/organizations.json", {"organization": {
        "name": name, "plan": "Growth", "plan_rate_cents": 4900,
        "support_package_until": "2028-02-29", "install_status": "uninstalled",
        "delinquent": True, "high_risk": False, "service_refused": False,
        "details": "ignored: not a field frontdesk keeps"}})
    assert resp.status_code == 201, resp.text
    org = resp.json()["organization"]
    assert set(org) == STAFF_FIELDS
    assert org["url"] == f"/api/v2/organizations/{org['id']}.json"
    assert {k: org[k] for k in STAFF_FIELDS - {"id", "url", "created_at", "updated_at"}} == {
        "name": name, "plan": "Growth", "plan_rate_cents": 4900,
        "support_package_until": "2028-02-29", "install_status": "uninstalled",
        "delinquent": True, "high_risk": False, "service_refused": False}
    assert agent.get(f"/api/v2/organizations/{org['id']}").json()["organization"] == org
    # Defaults.
    bare = desk.organization()
    assert (bare["plan"], bare["plan_rate_cents"], bare["support_package_until"],
            bare["install_status"], bare["delinquent"], bare["high_risk"],
            bare["service_refused"]) == ("", 0, None, "installed", False, False, False)


def test_only_admins_write_accounts(desk, agent):
    assert_error(agent.post("/api/v2/organizations", {"organization": {"name": unique("Nope")}}),
                 403, "forbidden")
    org = desk.organization()
    assert_error(agent.put(f"/api/v2/organizations/{org['id']}",
                           {"organization": {"high_risk": True}}), 403, "forbidden")
    member = desk.requester(organization_id=org["id"])
    assert_error(member.put(f"/api/v2/organizations/{org['id']}",
                            {"organization": {"name": "Mine Now"}}), 403, "forbidden")
    assert_error(desk.anonymous.get("/api/v2/organizations"), 401, "unauthorized")
    assert desk.admin.get(f"/api/v2/organizations/{org['id']}").json()["organization"] == org


@pytest.mark.parametrize("fields, field", [
    ({"name": MISSING}, "organization.name"),
    ({"name": None}, "organization.name"),
    ({"name": "  "}, "organization.name"),
    ({"name": "Tab\tInside"}, "organization.name"),
    ({"name": "x" * 256}, "organization.name"),
    ({"name": ["A"]}, "organization.name"),
    ({"plan": 3}, "organization.plan"),
    ({"plan": "p" * 65}, "organization.plan"),
    ({"plan_rate_cents": -1}, "organization.plan_rate_cents"),
    ({"plan_rate_cents": 49.5}, "organization.plan_rate_cents"),
    ({"plan_rate_cents": 49.0}, "organization.plan_rate_cents"),
    ({"plan_rate_cents": "4900"}, "organization.plan_rate_cents"),
    ({"plan_rate_cents": None}, "organization.plan_rate_cents"),
    ({"plan_rate_cents": 10 ** 12}, "organization.plan_rate_cents"),
    ({"support_package_until": "2027-02-29"}, "organization.support_package_until"),
    ({"support_package_until": "2027-2-01"}, "organization.support_package_until"),
    ({"support_package_until": "2027-13-01"}, "organization.support_package_until"),
    ({"support_package_until": "2027-01-01T00:00:00Z"}, "organization.support_package_until"),
    ({"support_package_until": 20270101}, "organization.support_package_until"),
    ({"install_status": "maybe"}, "organization.install_status"),
    ({"install_status": None}, "organization.install_status"),
    ({"delinquent": "true"}, "organization.delinquent"),
    ({"delinquent": 1}, "organization.delinquent"),
    ({"delinquent": None}, "organization.delinquent"),
    ({"high_risk": 0}, "organization.high_risk"),
    ({"service_refused": "no"}, "organization.service_refused"),
])
def test_validation_names_the_field_and_writes_nothing(desk, fields, field):
    body = {k: v for k, v in dict({"name": unique("Valid Name")}, **fields).items()
            if v is not MISSING}
    before = org_count(desk)
    assert_error(desk.admin.post("/api/v2/organizations", {"organization": body}), 422,
                 "invalid", field)
    assert org_count(desk) == before
    # The same checks guard an update, which then changes nothing.
    org = desk.organization(plan="Before")
    if fields != {"name": MISSING}:  # an update may leave the name out
        change = dict({"plan": "After"}, **fields)
        resp = desk.admin.put(f"/api/v2/organizations/{org['id']}", {"organization": change})
        assert_error(resp, 422, "invalid", field)
    assert desk.admin.get(f"/api/v2/organizations/{org['id']}").json()["organization"] == org


@pytest.mark.parametrize("body", [{"name": "x"}, {"organization": "x"}, {"organization": None}])
def test_a_body_without_an_organization_object_names_it(desk, body):
    assert_error(desk.admin.post("/api/v2/organizations", body), 422, "invalid", "organization")


def test_names_are_unique_in_any_case(desk):
    first = desk.organization()
    before = org_count(desk)
    assert_error(desk.admin.post("/api/v2/organizations",
                                 {"organization": {"name": first["name"].upper()}}),
                 422, "invalid", "organization.name")
    assert org_count(desk) == before
    other = desk.organization()
    assert_error(desk.admin.put(f"/api/v2/organizations/{other['id']}",
                                {"organization": {"name": f"  {first['name'].lower()} "}}),
                 422, "invalid", "organization.name")


def test_updates_change_only_what_they_name(desk):
    org = desk.organization(plan="Starter", plan_rate_cents=1900,
                            support_package_until="2027-06-30")
    path = f"/api/v2/organizations/{org['id']}"
    resp = desk.admin.put(path, {"organization": {"plan_rate_cents": 2900}})
    assert resp.status_code == 200, resp.text
    after = resp.json()["organization"]
    assert after == dict(org, plan_rate_cents=2900, updated_at=after["updated_at"])
    resp = desk.admin.put(path, {"organization": {"support_package_until": None}})
    assert resp.json()["organization"]["support_package_until"] is None
    assert desk.admin.get(path).json()["organization"]["plan"] == "Starter"
    assert_error(desk.admin.put("/api/v2/organizations/987654",
                                {"organization": {"plan": "x"}}), 404, "not_found")


def test_flag_changes_are_audited(desk):
    org = desk.organization()
    path = f"/api/v2/organizations/{org['id']}"
    assert desk.audit("organization.flags_changed", org["id"]) == []
    desk.admin.put(path, {"organization": {"high_risk": True, "plan": "Pro"}})
    desk.admin.put(path, {"organization": {"high_risk": True}})  # no change, no entry
    desk.admin.put(path, {"organization": {"high_risk": False, "service_refused": True}})
    assert desk.audit("organization.flags_changed", org["id"]) == [
        (str(desk.admin.id), '{"high_risk":{"old":false,"new":true}}'),
        (str(desk.admin.id),
         '{"high_risk":{"old":true,"new":false},"service_refused":{"old":false,"new":true}}')]


# ---------------------------------------------------------------- members and owners


def test_members_see_their_own_account_only_and_only_its_public_face(desk, agent):
    mine, other = desk.organization(plan="Pro", plan_rate_cents=9900), desk.organization()
    member = desk.requester(organization_id=mine["id"])
    loner = desk.requester()
    resp = member.get(f"/api/v2/organizations/{mine['id']}")
    assert resp.status_code == 200, resp.text
    seen = resp.json()["organization"]
    assert set(seen) == PUBLIC_FIELDS
    assert seen == {k: mine[k] for k in PUBLIC_FIELDS}
    assert_error(member.get(f"/api/v2/organizations/{other['id']}"), 404, "not_found")
    assert_error(loner.get(f"/api/v2/organizations/{mine['id']}"), 404, "not_found")
    listed, _ = all_pages(member, "/api/v2/organizations")
    assert listed == [seen]
    assert all_pages(loner, "/api/v2/organizations")[0] == []
    # Staff see every account with frontdesk's fields.
    seen_by_staff = agent.get(f"/api/v2/organizations/{mine['id']}").json()["organization"]
    assert set(seen_by_staff) == STAFF_FIELDS


def test_owners_read_their_members_and_members_do_not(desk):
    org, elsewhere = desk.organization(), desk.organization()
    owner = desk.requester(organization_id=org["id"], account_role="owner")
    member = desk.requester(organization_id=org["id"])
    stranger = desk.requester(organization_id=elsewhere["id"])
    assert member.user["account_role"] == "member"

    resp = owner.get(f"/api/v2/users/{member.id}")
    assert resp.status_code == 200, resp.text
    assert resp.json()["user"]["email"] == member.user["email"]
    assert_error(owner.get(f"/api/v2/users/{stranger.id}"), 404, "not_found")
    assert_error(member.get(f"/api/v2/users/{owner.id}"), 404, "not_found")
    # An owner reads but does not edit the members.
    assert_error(owner.put(f"/api/v2/users/{member.id}", {"user": {"name": "Renamed"}}), 403,
                 "forbidden", "user.name")

    members, _ = all_pages(owner, f"/api/v2/organizations/{org['id']}/users")
    assert sorted(u["id"] for u in members) == sorted([owner.id, member.id])
    assert_error(member.get(f"/api/v2/organizations/{org['id']}/users"), 404, "not_found")
    assert_error(owner.get(f"/api/v2/organizations/{elsewhere['id']}/users"), 404, "not_found")
    assert_error(owner.get("/api/v2/users"), 403, "forbidden")


def test_moving_people_between_accounts_is_admin_only_and_audited(desk, agent):
    first, second = desk.organization(), desk.organization()
    person = desk.requester(sign_in=False, organization_id=first["id"])
    path = f"/api/v2/users/{person.id}"
    assert_error(agent.put(path, {"user": {"organization_id": second["id"]}}), 403, "forbidden",
                 "user.organization_id")
    assert_error(agent.put(path, {"user": {"account_role": "owner"}}), 403, "forbidden",
                 "user.account_role")
    resp = desk.admin.put(path, {"user": {"organization_id": second["id"],
                                          "account_role": "billing_contact"}})
    assert resp.status_code == 200, resp.text
    assert (resp.json()["user"]["organization_id"], resp.json()["user"]["account_role"]) == (
        second["id"], "billing_contact")
    resp = desk.admin.put(path, {"user": {"organization_id": None}})
    assert (resp.json()["user"]["organization_id"], resp.json()["user"]["account_role"]) == (
        None, None)
    entries = [json.loads(detail) for _, detail in desk.audit("user.account_changed", person.id)]
    assert entries == [
        {"old": {"organization_id": None, "account_role": None},
         "new": {"organization_id": first["id"], "account_role": "member"}},
        {"old": {"organization_id": first["id"], "account_role": "member"},
         "new": {"organization_id": second["id"], "account_role": "billing_contact"}},
        {"old": {"organization_id": second["id"], "account_role": "billing_contact"},
         "new": {"organization_id": None, "account_role": None}}]


def test_organizations_list_pages_with_cursors(desk, agent):
    made = [desk.organization()["id"] for _ in range(5)]
    items, pages = all_pages(agent, "/api/v2/organizations?page[size]=2")
    ids = [o["id"] for o in items]
    assert ids == sorted(set(ids)) and set(made) <= set(ids)
    assert len(pages) >= 3 and all(len(p["organizations"]) == 2 for p in pages[:-1])
    assert_error(agent.get("/api/v2/organizations?page[after]=bogus"), 400, "bad_request",
                 "page[after]")


# ---------------------------------------------------------------- billing facts


def test_billing_facts_are_admin_only_and_audited(desk, agent):
    org = desk.organization()
    member = desk.requester(organization_id=org["id"], account_role="billing_contact")
    path = f"/api/v2/organizations/{org['id']}/billing"
    assert desk.admin.get(path).json() == {"billing": {}}
    facts = {"balance": SECRET, "invoices": [{"number": "INV-1", "cents": 4900}],
             "revenue": {"2026-10": 1234567}}
    assert_error(agent.put(path, {"billing": facts}), 403, "forbidden")
    assert_error(member.put(path, {"billing": facts}), 403, "forbidden")
    resp = desk.admin.put(path, {"billing": facts})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"billing": facts}
    assert desk.admin.get(path + ".json").json() == {"billing": facts}
    assert_error(agent.get(path), 403, "forbidden")
    assert_error(member.get(path), 403, "forbidden")
    assert_error(desk.requester().get(path), 404, "not_found")
    assert_error(desk.anonymous.get(path), 401, "unauthorized")
    assert_error(desk.admin.get("/api/v2/organizations/987654/billing"), 404, "not_found")
    audited = desk.audit("organization.billing_imported", org["id"])
    assert len(audited) == 1 and audited[0][0] == str(desk.admin.id)
    assert json.loads(audited[0][1])["bytes"] > 0


@pytest.mark.parametrize("body", [{"billing": [1, 2]}, {"billing": "x"}, {"billing": None},
                                  {"facts": {}}])
def test_billing_facts_must_be_an_object(desk, body):
    org = desk.organization()
    path = f"/api/v2/organizations/{org['id']}/billing"
    assert_error(desk.admin.put(path, body), 422, "invalid", "billing")
    assert desk.admin.get(path).json() == {"billing": {}}


def test_billing_facts_never_show_in_an_organization(desk, agent):
    org = desk.organization()
    member = desk.requester(organization_id=org["id"], account_role="owner")
    path = f"/api/v2/organizations/{org['id']}"
    assert desk.admin.put(path + "/billing", {"billing": {"balance": SECRET}}).status_code == 200
    answers = [
        desk.admin.get(path), agent.get(path), member.get(path),
        desk.admin.get("/api/v2/organizations?page[size]=100"),
        member.get("/api/v2/organizations"),
        desk.admin.put(path, {"organization": {"plan": "Changed"}}),
        desk.admin.get(f"/api/v2/users/{member.id}"),
        member.get(f"/api/v2/organizations/{org['id']}/users"),
    ]
    for resp in answers:
        assert resp.status_code == 200, resp.text
        assert SECRET not in resp.text and "billing" not in resp.text, resp.text
    # The facts are still there for the admin.
    assert desk.admin.get(path + "/billing").json() == {"billing": {"balance": SECRET}}
