"""The support policy's own API (issue 5): GET /api/v2/policy/categories, the keyword rules that
suggest a category (GET/PUT /api/v2/policy/category_keywords), the policy exceptions staff made
(GET /api/v2/policy/exceptions) and the weekly policy report (GET /api/v2/policy/report): who may
read and write each, exact bodies, the errors naming their field, and the report counting what the
test causes in the current week. The server comes from test_tickets' `desk`."""

import datetime
import itertools
import json
import zoneinfo
from pathlib import Path

import pytest

from conftest import (Api, add_requester, assert_error, db_query, db_scalar, sign_in, staff_add,
                      token_create)
from test_tickets import WHY, create, desk, show, ticket_body, update  # noqa: F401

TZ = zoneinfo.ZoneInfo("America/Toronto")
PACK = json.loads((Path(__file__).resolve().parents[2] / "policies" / "rarelogic.json").read_text())
CATEGORY_IDS = ["how_to", "ecommerce_question", "complaint", "sales", "billing",
                "strategy_session", "live_demo", "feature_request", "misuse_report", "other",
                "template_from_scratch", "custom_code", "copywriting", "account_management",
                "custom_integration", "business_advice", "third_party_info", "refund_request",
                "contact_deletion", "fraud_assistance"]
_seq = itertools.count(1)


def local_today():
    return datetime.datetime.now(TZ).date()


def new_org(desk, **fields):
    resp = desk.admin.post("/api/v2/organizations", {"organization": dict(
        name=f"Report Shop {next(_seq)}", **fields)})
    assert resp.status_code == 201, resp.text
    return resp.json()["organization"]["id"]


def new_requester(desk, org=None, role="owner"):
    k = next(_seq)
    email = f"api{k}@policy.example"
    uid = add_requester(desk.srv, email, f"Client {k}", org, role if org else None)
    return uid, email, sign_in(desk.srv, email)


@pytest.fixture(scope="module")
def lead(desk):
    uid = staff_add(desk.srv, "lena@example.com", "Lena Lead", "lead")
    return uid, Api(desk.srv, token_create(desk.srv, "lena@example.com"))


# ---------------------------------------------------------------- categories


def test_categories_are_listed_for_staff(desk, lead):
    for api in (desk.agent, lead[1], desk.admin):
        resp = api.get("/api/v2/policy/categories")
        assert resp.status_code == 200, resp.text
        cats = resp.json()["categories"]
        assert [c["id"] for c in cats] == CATEGORY_IDS
    by_id = {c["id"]: c for c in cats}
    assert all(set(c) == {"id", "label", "kind", "clause", "team", "macro", "flags"}
               for c in cats)
    assert by_id["custom_integration"] == {
        "id": "custom_integration", "label": "Custom integration", "kind": "out_of_scope",
        "clause": "clause 3", "team": None, "macro": "scope.out_of_scope.custom_integration",
        "flags": []}
    assert (by_id["sales"]["team"], by_id["feature_request"]["team"]) == ("sales", "product")
    assert by_id["custom_code"]["kind"] == "in_scope_by_package"
    assert by_id["refund_request"]["kind"] == "policy_answer"
    assert by_id["fraud_assistance"]["flags"] == ["opens_misuse_incident", "flags_account"]
    assert by_id["billing"]["flags"] == ["needs_identity"]
    assert sum(c["kind"] == "in_scope" for c in cats) == 10
    assert sum(c["kind"] == "out_of_scope" for c in cats) == 3


def test_categories_are_not_for_requesters(desk):
    assert_error(desk.olive.get("/api/v2/policy/categories"), 403, "forbidden")
    assert_error(desk.anon.get("/api/v2/policy/categories"), 401, "unauthorized")


# ---------------------------------------------------------------- keyword rules


def keywords(api):
    resp = api.get("/api/v2/policy/category_keywords")
    assert resp.status_code == 200, resp.text
    return resp.json()["category_keywords"]


def suggested(desk, api, subject, body="Just a note"):
    resp = api.post("/api/v2/tickets", ticket_body(subject=subject, body=body))
    assert resp.status_code == 201, resp.text
    return show(desk.agent, resp.json()["ticket"]["id"])["policy"]["suggested_category"]


def audit_count(desk, action):
    return int(db_scalar(desk.srv.db, f"SELECT count(*) FROM audit_log WHERE action = "
                                      f"'{action}'"))


@pytest.mark.parametrize("rules, field", [
    ([{"category": "nonsense", "keywords": ["x"]}], "category_keywords[0].category"),
    ([{"category": 5, "keywords": ["x"]}], "category_keywords[0].category"),
    ([{"category": "how_to", "keywords": ["x"]}, {"category": "bogus", "keywords": ["y"]}],
     "category_keywords[1].category"),
    ([{"category": "live_demo", "keywords": ["a"]}, {"category": "live_demo", "keywords": ["b"]}],
     "category_keywords[1]"),
    ([{"category": "live_demo", "keywords": []}], "category_keywords[0].keywords"),
    ([{"category": "live_demo"}], "category_keywords[0].keywords"),
    ([{"category": "live_demo", "keywords": ["ok", "  "]}], "category_keywords[0].keywords[1]"),
    ([{"category": "live_demo", "keywords": [""]}], "category_keywords[0].keywords[0]"),
    ([{"category": "live_demo", "keywords": ["k" * 65]}], "category_keywords[0].keywords[0]"),
    ([{"category": "live_demo", "keywords": [7]}], "category_keywords[0].keywords[0]"),
    ([{"category": "live_demo", "keywords": ["k"] * 51}], "category_keywords[0].keywords"),
    (["live_demo"], "category_keywords[0]"),
    ({"live_demo": ["x"]}, "category_keywords"),
    (None, "category_keywords"),
])
def test_bad_keyword_rules_are_422_and_change_nothing(desk, rules, field):
    before, audits = keywords(desk.agent), audit_count(desk, "category_keywords.changed")
    assert_error(desk.admin.put("/api/v2/policy/category_keywords",
                                {"category_keywords": rules}), 422, "invalid", field)
    assert keywords(desk.agent) == before
    assert audit_count(desk, "category_keywords.changed") == audits


def test_keyword_rules_read_by_staff_replaced_by_admins(desk, lead):
    rules = keywords(desk.agent)
    assert rules == PACK["category_keywords"]
    assert keywords(lead[1]) == rules
    assert_error(desk.olive.get("/api/v2/policy/category_keywords"), 403, "forbidden")
    assert_error(desk.anon.get("/api/v2/policy/category_keywords"), 401, "unauthorized")
    mine = [{"category": "live_demo", "keywords": ["zorblax", "show me"]}]
    for api in (desk.agent, lead[1], desk.olive):
        assert_error(api.put("/api/v2/policy/category_keywords", {"category_keywords": mine}),
                     403, "forbidden")
    assert_error(desk.anon.put("/api/v2/policy/category_keywords", {"category_keywords": mine}),
                 401, "unauthorized")
    assert keywords(desk.agent) == rules
    assert suggested(desk, desk.rita, "Refund please") == "refund_request"

    audits = audit_count(desk, "category_keywords.changed")
    try:
        resp = desk.admin.put("/api/v2/policy/category_keywords", {"category_keywords": mine})
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"category_keywords": mine}
        assert keywords(desk.agent) == mine
        assert audit_count(desk, "category_keywords.changed") == audits + 1
        [(actor,)] = db_query(desk.srv.db, "SELECT actor_id FROM audit_log WHERE action = "
                                           "'category_keywords.changed' ORDER BY id DESC LIMIT 1")
        assert int(actor) == desk.admin_id
        # New tickets are suggested by the new rules; the old ones no longer apply.
        assert suggested(desk, desk.rita, "Zorblax time", "nothing else") == "live_demo"
        assert suggested(desk, desk.rita, "Refund please") is None
        # An empty list is allowed: nothing is suggested.
        resp = desk.admin.put("/api/v2/policy/category_keywords", {"category_keywords": []})
        assert resp.status_code == 200 and resp.json() == {"category_keywords": []}
        assert suggested(desk, desk.rita, "Zorblax time") is None
    finally:
        resp = desk.admin.put("/api/v2/policy/category_keywords", {"category_keywords": rules})
        assert resp.status_code == 200, resp.text
    assert keywords(desk.agent) == rules
    assert suggested(desk, desk.rita, "Refund please") == "refund_request"


# ---------------------------------------------------------------- exceptions


def walk(api, path):
    items, pages = [], 0
    while path:
        resp = api.get(path)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        items += body["policy_exceptions"]
        pages += 1
        path = body["links"]["next"]
        if path and path.startswith("http"):
            path = path[path.index("/api/"):]
    return items, pages


def test_exceptions_are_listed_filtered_and_paged(desk):
    t1 = create(desk.agent, requester_id=desk.rita_id, priority="high",
                policy_justification=WHY)["id"]
    update(desk.agent, t1, priority="urgent", policy_justification=WHY + " again")
    update(desk.admin, t1, category="custom_integration", scope_override="in_scope",
           policy_justification=WHY + " scope")
    t2 = create(desk.agent, requester_id=desk.mike_id, priority="low",
                policy_justification=WHY)["id"]

    resp = desk.agent.get(f"/api/v2/policy/exceptions?ticket_id={t1}")
    assert resp.status_code == 200, resp.text
    got = resp.json()["policy_exceptions"]
    assert [(x["ticket_id"], x["kind"], x["from"], x["to"], x["justification"], x["actor_id"])
            for x in got] == [
        (t1, "priority", "normal", "high", WHY, desk.agent_id),
        (t1, "priority", "normal", "urgent", WHY + " again", desk.agent_id),
        (t1, "scope", "out_of_scope", "in_scope", WHY + " scope", desk.admin_id)]
    ids = [x["id"] for x in got]
    assert ids == sorted(ids)
    rows = db_query(desk.srv.db, f"SELECT id, kind, from_value, to_value FROM policy_exceptions "
                                 f"WHERE ticket_id = {t1} ORDER BY id")
    assert [(int(i), k, f, t) for i, k, f, t in rows] == [(x["id"], x["kind"], x["from"], x["to"])
                                                         for x in got]
    scope = desk.agent.get(f"/api/v2/policy/exceptions?ticket_id={t1}&kind=scope").json()
    assert [x["id"] for x in scope["policy_exceptions"]] == ids[2:]
    prio = desk.agent.get(f"/api/v2/policy/exceptions?kind=priority&ticket_id={t2}").json()
    assert [(x["ticket_id"], x["to"]) for x in prio["policy_exceptions"]] == [(t2, "low")]
    everything, _ = walk(desk.agent, "/api/v2/policy/exceptions")
    assert len(everything) == int(db_scalar(desk.srv.db, "SELECT count(*) FROM policy_exceptions"))
    assert [x["id"] for x in everything] == sorted(x["id"] for x in everything)
    paged, pages = walk(desk.agent, f"/api/v2/policy/exceptions?ticket_id={t1}&page[size]=1")
    assert [x["id"] for x in paged] == ids and pages >= 3
    assert desk.agent.get("/api/v2/policy/exceptions?ticket_id=999999").json()[
        "policy_exceptions"] == []


@pytest.mark.parametrize("query, field", [
    ("kind=bogus", "kind"), ("kind=", "kind"), ("kind=Priority", "kind"),
    ("ticket_id=abc", "ticket_id"), ("ticket_id=0", "ticket_id"), ("ticket_id=-3", "ticket_id"),
    ("page[size]=0", "page[size]"),
])
def test_bad_exception_filters_are_400(desk, query, field):
    assert_error(desk.agent.get(f"/api/v2/policy/exceptions?{query}"), 400, "bad_request", field)


def test_exceptions_are_for_staff(desk):
    assert_error(desk.olive.get("/api/v2/policy/exceptions"), 403, "forbidden")
    assert_error(desk.anon.get("/api/v2/policy/exceptions"), 401, "unauthorized")


# ---------------------------------------------------------------- report


def this_monday():
    today = local_today()
    return today - datetime.timedelta(days=today.weekday())


def report(api, **params):
    resp = api.get("/api/v2/policy/report", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["policy_report"]["weeks"]


def test_report_is_for_leads_and_admins(desk, lead):
    assert_error(desk.agent.get("/api/v2/policy/report"), 403, "forbidden")
    assert_error(desk.olive.get("/api/v2/policy/report"), 403, "forbidden")
    assert_error(desk.anon.get("/api/v2/policy/report"), 401, "unauthorized")
    for api in (lead[1], desk.admin):
        weeks = report(api)
        assert len(weeks) == 8
        monday = this_monday()
        assert [w["week_start"] for w in weeks] == [
            (monday - datetime.timedelta(days=7 * i)).isoformat() for i in range(8)]
        for w in weeks:
            assert datetime.date.fromisoformat(w["week_start"]).weekday() == 0
            assert set(w) == {"week_start", "exceptions", "bans", "unbans", "refusals",
                              "restorations", "disclosures", "out_of_scope"}
    assert len(report(desk.admin, weeks=1)) == 1
    assert len(report(desk.admin, weeks=52)) == 52


@pytest.mark.parametrize("weeks", ["0", "53", "-1", "abc", "", "8x", "1000000000000"])
def test_report_weeks_out_of_range_are_400(desk, weeks):
    assert_error(desk.admin.get(f"/api/v2/policy/report?weeks={weeks}"), 400, "bad_request",
                 "weeks")


def test_report_counts_what_happened_this_week(desk, lead):
    lead_id, lead_api = lead
    before = report(desk.admin, weeks=2)
    assert before[0]["week_start"] == this_monday().isoformat()
    # Two exceptions.
    tid = create(desk.agent, requester_id=desk.rita_id, priority="urgent",
                 policy_justification=WHY)["id"]
    update(desk.agent, tid, category="third_party_info", scope_override="in_scope",
           policy_justification=WHY)
    # Out of scope: two custom integrations, a business advice; an overridden one counts not.
    for category in ("custom_integration", "custom_integration", "business_advice"):
        create(desk.agent, requester_id=desk.rita_id, category=category)
    # A ban and an unban.
    uid, email, _ = new_requester(desk)
    assert lead_api.post(f"/api/v2/users/{uid}/ban", {"reason": "Rude"}).status_code == 200
    assert lead_api.post(f"/api/v2/users/{uid}/unban", {"reason": "Sorry"}).status_code == 200
    # A disclosure: the owner's own portal session verifies them; staff read the billing facts.
    org = new_org(desk, plan="Growth", plan_rate_cents=4900)
    owner, _, owner_api = new_requester(desk, org)
    resp = owner_api.post("/api/v2/tickets", ticket_body(subject="My invoice", body="Amount?"))
    assert resp.status_code == 201, resp.text
    resp = desk.agent.get(f"/api/v2/tickets/{resp.json()['ticket']['id']}/billing")
    assert resp.status_code == 200, resp.text
    # A refusal of service and its reversal, by an admin.
    bad = new_org(desk)
    resp = desk.agent.post("/api/v2/misuse_incidents", {"misuse_incident": {
        "organization_id": bad, "summary": "Phishing pages"}})
    assert resp.status_code == 201, resp.text
    inc = resp.json()["misuse_incident"]["id"]
    resp = desk.agent.post(f"/api/v2/misuse_incidents/{inc}/evidence",
                           {"evidence": {"kind": "note", "body": "Pages reported by a bank"}})
    assert resp.status_code == 201, resp.text
    resp = desk.admin.post(f"/api/v2/organizations/{bad}/service_refusal",
                           {"service_refusal": {"reason": "Phishing", "incident_id": inc}})
    assert resp.status_code == 201, resp.text
    resp = desk.admin.post(f"/api/v2/organizations/{bad}/service_refusal/reverse",
                           {"reason": "Cleaned up"})
    assert resp.status_code == 200, resp.text

    after = report(desk.admin, weeks=2)
    assert after[1] == before[1]  # last week is history
    b, a = before[0], after[0]
    assert {k: a[k] - b[k] for k in ("exceptions", "bans", "unbans", "refusals", "restorations",
                                     "disclosures")} == {
        "exceptions": 2, "bans": 1, "unbans": 1, "refusals": 1, "restorations": 1,
        "disclosures": 1}
    oos = {k: a["out_of_scope"].get(k, 0) - b["out_of_scope"].get(k, 0)
           for k in set(a["out_of_scope"]) | set(b["out_of_scope"])}
    assert {k: v for k, v in oos.items() if v} == {"custom_integration": 2, "business_advice": 1}
    assert all(v >= 1 for v in a["out_of_scope"].values())
    assert report(lead_api, weeks=2) == after
