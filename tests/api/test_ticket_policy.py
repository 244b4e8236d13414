"""The support policy on tickets (issue 5): the priority derived from the triage facts and the
account's extra support package, staff priority and scope overrides with a written justification
(policy exceptions, clause 11), handing the priority back, re-derivation when the facts or the
account change, the scope decision of each category, the keyword suggestion, who sees the policy,
bans at ticket creation (clauses 5, 6), refused and high-risk accounts (clause 12) and the misuse
incidents opened by misuse and fraud tickets. The server and its people come from test_tickets'
`desk` (one server per module)."""

import datetime
import itertools
import json
import re
import zoneinfo

import pytest

from conftest import (Api, add_requester, assert_error, db_query, db_scalar, sign_in, staff_add,
                      token_create)
from test_tickets import (REQUESTER_TICKET_KEYS, TICKET_KEYS, WHY, create, desk,  # noqa: F401
                          events, show, ticket_body, update)

TZ = zoneinfo.ZoneInfo("America/Toronto")  # the pack's calendar zone
ISO_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
POLICY_KEYS = {"decision", "category", "category_confirmed", "clause", "reason", "macro", "team",
               "flags", "package_active", "suggested_category", "priority", "override",
               "decided_at"}
FAR = "2099-12-31"
_seq = itertools.count(1)

CRIT = "Critical: {} and no workaround exists (priority definitions)."
NOT_ACTIVE = ", and the account's extra support package is not active (priority definitions)."
ACTIVE = ", and the account's extra support package is active (priority definitions)."
NOTHING = "nothing is reported down, lost or unavailable"
UNKNOWN_WA = "it is not known whether a workaround exists"
HAS_WA = "a workaround exists for the reported impact"


def local_today():
    return datetime.datetime.now(TZ).date()


def truthy(v):
    return v in ("1", "t", "true", "True")


def new_org(desk, **fields):
    name = f"Policy Shop {next(_seq)}"
    resp = desk.admin.post("/api/v2/organizations", {"organization": dict(name=name, **fields)})
    assert resp.status_code == 201, resp.text
    return resp.json()["organization"]["id"]


def set_org(desk, org, **fields):
    resp = desk.admin.put(f"/api/v2/organizations/{org}", {"organization": fields})
    assert resp.status_code == 200, resp.text
    return resp.json()["organization"]


def new_requester(desk, org=None, role="owner"):
    """(user id, email, a signed-in portal session) of a new end-user of org."""
    k = next(_seq)
    email = f"req{k}@policy.example"
    uid = add_requester(desk.srv, email, f"Requester {k}", org, role if org else None)
    return uid, email, sign_in(desk.srv, email)


def ticket_row(desk, tid, cols):
    [row] = db_query(desk.srv.db, f"SELECT {cols} FROM tickets WHERE id = {int(tid)}")
    return row


def exceptions_rows(desk, tid):
    return db_query(desk.srv.db, "SELECT kind, from_value, to_value, justification, actor_id "
                                 f"FROM policy_exceptions WHERE ticket_id = {int(tid)} ORDER BY id")


def audit_exceptions(desk, tid):
    rows = db_query(desk.srv.db, "SELECT actor_id, detail FROM audit_log WHERE action = "
                                 f"'policy.exception' AND target_type = 'ticket' AND target_id = "
                                 f"{int(tid)} ORDER BY id")
    return [(int(a), json.loads(d)) for a, d in rows]


def outbox(desk, kind, address=None, tid=None):
    where = f"kind = '{kind}'"
    if address:
        where += f" AND to_address = '{address}'"
    if tid:
        where += f" AND ticket_id = {int(tid)}"
    return db_query(desk.srv.db, f"SELECT to_address, ticket_id, subject, body FROM outbox "
                                 f"WHERE {where} ORDER BY id")


def group_id(desk, name):
    return int(db_scalar(desk.srv.db, f"SELECT id FROM groups WHERE name = '{name}'"))


@pytest.fixture(scope="module")
def lead(desk):
    uid = staff_add(desk.srv, "lena@example.com", "Lena Lead", "lead")
    return uid, Api(desk.srv, token_create(desk.srv, "lena@example.com"))


@pytest.fixture(scope="module")
def accts(desk):
    """A plain account and one with an active package, each with a signed-in owner."""
    plain, pkg = new_org(desk), new_org(desk, support_package_until=FAR)
    return {"plain": (plain, *new_requester(desk, plain)), "pkg": (pkg, *new_requester(desk, pkg))}


# ---------------------------------------------------------------- priority derivation at create


@pytest.mark.parametrize("triage, account, priority, basis, reason", [
    ({"service_down": True, "workaround": False}, "plain", "urgent", "critical",
     CRIT.format("the service is down")),
    ({"data_lost": True, "feature_down": True, "workaround": False}, "plain", "urgent", "critical",
     "Critical: data is unavailable or lost and a critical documented feature is unavailable, "
     "and no workaround exists (priority definitions)."),
    ({"service_down": True, "data_lost": True, "feature_down": True, "workaround": False}, "pkg",
     "urgent", "critical",
     "Critical: the service is down, data is unavailable or lost and a critical documented "
     "feature is unavailable, and no workaround exists (priority definitions)."),
    ({"feature_down": True, "workaround": False}, "pkg", "urgent", "critical",
     CRIT.format("a critical documented feature is unavailable")),
    ({"service_down": True}, "plain", "normal", "default", "Normal: " + UNKNOWN_WA + NOT_ACTIVE),
    ({"service_down": True, "workaround": None}, "plain", "normal", "default",
     "Normal: " + UNKNOWN_WA + NOT_ACTIVE),
    ({"service_down": True}, "pkg", "high", "package",
     "High Priority Non-critical: " + UNKNOWN_WA + ACTIVE),
    ({"service_down": True, "workaround": True}, "pkg", "high", "package",
     "High Priority Non-critical: " + HAS_WA + ACTIVE),
    ({"service_down": True, "workaround": True}, "plain", "normal", "default",
     "Normal: " + HAS_WA + NOT_ACTIVE),
    ({"service_down": False, "data_lost": False, "feature_down": False, "workaround": False},
     "plain", "normal", "default", "Normal: " + NOTHING + NOT_ACTIVE),
    ({}, "pkg", "high", "package", "High Priority Non-critical: " + NOTHING + ACTIVE),
    (None, "plain", "normal", "default", "Normal: " + NOTHING + NOT_ACTIVE),
])
def test_requester_triage_derives_the_priority(desk, accts, triage, account, priority, basis,
                                               reason):
    org, uid, _, api = accts[account]
    extra = {} if triage is None else {"triage": triage}
    resp = api.post("/api/v2/tickets", ticket_body(subject="Trouble", body="Please look", **extra))
    assert resp.status_code == 201, resp.text
    t = resp.json()["ticket"]
    assert set(t) == REQUESTER_TICKET_KEYS  # no policy for the requester
    want_triage = {k: (triage or {}).get(k) for k in
                   ("service_down", "data_lost", "feature_down", "workaround")}
    assert (t["priority"], t["priority_set_by_hand"], t["triage"], t["organization_id"]) == \
        (priority, False, want_triage, org)
    staff = show(desk.agent, t["id"])
    assert set(staff) == TICKET_KEYS and set(staff["policy"]) == POLICY_KEYS
    assert staff["policy"]["priority"] == {"derived": priority, "basis": basis, "reason": reason}
    assert staff["policy"]["package_active"] is (account == "pkg")
    assert ISO_RE.fullmatch(staff["policy"]["decided_at"])
    row = ticket_row(desk, t["id"], "priority, triage_service_down, triage_data_lost, "
                                    "triage_feature_down, triage_workaround, priority_set_by_hand")
    assert row[0] == priority and not truthy(row[5])
    assert [None if v is None else truthy(v) for v in row[1:5]] == list(want_triage.values())
    assert exceptions_rows(desk, t["id"]) == []


def test_bad_triage_is_422_naming_the_fact(desk, accts):
    api = accts["plain"][3]
    for triage, field in [({"service_down": "yes"}, "ticket.triage.service_down"),
                          ({"workaround": 0}, "ticket.triage.workaround"),
                          ({"smoke": True}, "ticket.triage"),
                          ("down", "ticket.triage")]:
        assert_error(api.post("/api/v2/tickets", ticket_body(triage=triage)), 422, "invalid",
                     field)


def test_staff_without_priority_get_the_derived_one(desk, accts):
    org, uid, _, _ = accts["pkg"]
    t = create(desk.agent, requester_id=uid, triage={"data_lost": True, "workaround": False})
    assert (t["priority"], t["priority_set_by_hand"]) == ("urgent", False)
    assert t["policy"]["priority"]["derived"] == "urgent"
    t = create(desk.agent, requester_id=uid)
    assert (t["priority"], t["priority_set_by_hand"]) == ("high", False)
    assert t["policy"]["priority"]["basis"] == "package"
    # Lowering a critical one is an exception from the derived priority.
    t = create(desk.agent, requester_id=uid, priority="normal", policy_justification=WHY,
               triage={"service_down": True, "workaround": False})
    assert (t["priority"], t["priority_set_by_hand"]) == ("normal", True)
    assert exceptions_rows(desk, t["id"]) == [("priority", "urgent", "normal", WHY,
                                               str(desk.agent_id))]
    # Naming the derived priority is no exception and needs no justification.
    t = create(desk.agent, requester_id=uid, priority="high")
    assert (t["priority"], t["priority_set_by_hand"]) == ("high", False)
    assert exceptions_rows(desk, t["id"]) == []


@pytest.mark.parametrize("days, priority, active", [(0, "high", True), (-1, "normal", False),
                                                    (1, "high", True)])
def test_package_is_active_through_its_last_local_day(desk, days, priority, active):
    until = (local_today() + datetime.timedelta(days=days)).isoformat()
    org = new_org(desk)
    set_org(desk, org, support_package_until=until)
    uid, _, api = new_requester(desk, org)
    t = api.post("/api/v2/tickets", ticket_body()).json()["ticket"]
    assert t["priority"] == priority
    p = show(desk.agent, t["id"])["policy"]
    assert (p["package_active"], p["priority"]["derived"],
            p["priority"]["basis"]) == (active, priority, "package" if active else "default")


# ---------------------------------------------------------------- staff priority exceptions


def test_staff_priority_away_from_derived_needs_a_justification_at_create(desk, accts):
    uid = accts["plain"][1]
    before = db_scalar(desk.srv.db, "SELECT count(*) FROM tickets")
    for extra in ({}, {"policy_justification": "too short"},
                  {"policy_justification": "   " + "x" * 19 + "   "},
                  {"policy_justification": None}):
        assert_error(desk.agent.post("/api/v2/tickets", ticket_body(
            requester_id=uid, priority="high", **extra)), 422, "invalid",
            "ticket.policy_justification")
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM tickets") == before
    assert_error(desk.agent.post("/api/v2/tickets", ticket_body(
        requester_id=uid, priority="high", policy_justification=5)), 422, "invalid",
        "ticket.policy_justification")

    resp = desk.agent.post("/api/v2/tickets", ticket_body(
        requester_id=uid, priority="high", policy_justification="  " + "y" * 20 + " "))
    assert resp.status_code == 201, resp.text
    t = resp.json()["ticket"]
    assert (t["priority"], t["priority_set_by_hand"]) == ("high", True)
    assert t["policy"]["priority"]["derived"] == "normal"
    assert truthy(ticket_row(desk, t["id"], "priority_set_by_hand")[0])
    [row] = exceptions_rows(desk, t["id"])
    assert row[:3] + row[4:] == ("priority", "normal", "high", str(desk.agent_id))
    assert row[3].strip() == "y" * 20
    [(actor, detail)] = audit_exceptions(desk, t["id"])
    assert actor == desk.agent_id
    assert {k: detail[k] for k in ("kind", "from", "to")} == \
        {"kind": "priority", "from": "normal", "to": "high"}
    assert detail["justification"].strip() == "y" * 20
    resp = desk.agent.get(f"/api/v2/policy/exceptions?ticket_id={t['id']}")
    assert resp.status_code == 200, resp.text
    [x] = resp.json()["policy_exceptions"]
    assert {k: x[k] for k in ("ticket_id", "kind", "from", "to", "actor_id")} == \
        {"ticket_id": t["id"], "kind": "priority", "from": "normal", "to": "high",
         "actor_id": desk.agent_id}
    assert ISO_RE.fullmatch(x["created_at"])


def test_staff_priority_change_on_update_and_handing_back(desk, accts):
    uid = accts["plain"][1]
    t = create(desk.agent, requester_id=uid)
    tid = t["id"]
    assert (t["priority"], t["priority_set_by_hand"]) == ("normal", False)
    n_events = len(events(desk, tid))
    for extra in ({}, {"policy_justification": "short"}):
        assert_error(desk.agent.put(f"/api/v2/tickets/{tid}", {"ticket": dict(
            priority="urgent", **extra)}), 422, "invalid", "ticket.policy_justification")
    assert ticket_row(desk, tid, "priority")[0] == "normal"
    assert len(events(desk, tid)) == n_events

    t = update(desk.agent, tid, priority="urgent", policy_justification=WHY)
    assert (t["priority"], t["priority_set_by_hand"]) == ("urgent", True)
    assert t["policy"]["priority"]["derived"] == "normal"
    assert events(desk, tid)[n_events:] == [("priority", "normal", "urgent", desk.agent_id)]
    assert exceptions_rows(desk, tid) == [("priority", "normal", "urgent", WHY,
                                           str(desk.agent_id))]
    [(actor, detail)] = audit_exceptions(desk, tid)
    assert actor == desk.agent_id
    assert {k: detail[k] for k in ("kind", "from", "to", "justification")} == {
        "kind": "priority", "from": "normal", "to": "urgent", "justification": WHY}

    # A justified change between two non-derived values is another exception.
    t = update(desk.agent, tid, priority="low", policy_justification=WHY)
    assert (t["priority"], t["priority_set_by_hand"]) == ("low", True)
    assert len(exceptions_rows(desk, tid)) == 2

    # Handing back: the derived priority needs no justification, is no exception.
    t = update(desk.agent, tid, priority="normal")
    assert (t["priority"], t["priority_set_by_hand"]) == ("normal", False)
    assert not truthy(ticket_row(desk, tid, "priority_set_by_hand")[0])
    assert len(exceptions_rows(desk, tid)) == 2
    assert events(desk, tid)[-1] == ("priority", "low", "normal", desk.agent_id)


def test_triage_change_rederives_unless_set_by_hand(desk, accts):
    uid = accts["plain"][1]
    tid = create(desk.agent, requester_id=uid)["id"]
    n = len(events(desk, tid))
    t = update(desk.agent, tid, triage={"service_down": True, "workaround": False})
    assert (t["priority"], t["priority_set_by_hand"]) == ("urgent", False)
    assert t["triage"] == {"service_down": True, "data_lost": None, "feature_down": None,
                           "workaround": False}
    assert t["policy"]["priority"] == {"derived": "urgent", "basis": "critical",
                                       "reason": CRIT.format("the service is down")}
    assert sorted(events(desk, tid)[n:]) == sorted([
        ("triage.service_down", None, "yes", desk.agent_id),
        ("triage.workaround", None, "no", desk.agent_id),
        ("priority", "normal", "urgent", desk.agent_id)])
    # A workaround found: back to normal.
    n = len(events(desk, tid))
    t = update(desk.agent, tid, triage={"workaround": True})
    assert t["priority"] == "normal"
    assert sorted(events(desk, tid)[n:]) == sorted([
        ("triage.workaround", "no", "yes", desk.agent_id),
        ("priority", "urgent", "normal", desk.agent_id)])
    # Unchanged facts: no events.
    n = len(events(desk, tid))
    update(desk.agent, tid, triage={"workaround": True})
    assert len(events(desk, tid)) == n

    # Set by hand: the facts change, the priority stays, the derived one is shown.
    update(desk.agent, tid, priority="low", policy_justification=WHY)
    n = len(events(desk, tid))
    t = update(desk.agent, tid, triage={"workaround": False})
    assert (t["priority"], t["priority_set_by_hand"]) == ("low", True)
    assert t["policy"]["priority"]["derived"] == "urgent"
    assert events(desk, tid)[n:] == [("triage.workaround", "yes", "no", desk.agent_id)]


def test_requester_may_not_change_triage_nor_name_policy_fields(desk, accts):
    org, uid, _, api = accts["plain"]
    tid = api.post("/api/v2/tickets", ticket_body()).json()["ticket"]["id"]
    assert_error(api.put(f"/api/v2/tickets/{tid}", {"ticket": {
        "triage": {"service_down": True}, "comment": {"body": "worse now"}}}), 403, "forbidden",
        "ticket.triage")
    for field, value in [("category", "how_to"), ("scope_override", "in_scope"),
                         ("policy_justification", WHY)]:
        assert_error(api.post("/api/v2/tickets", ticket_body(**{field: value})), 403, "forbidden",
                     f"ticket.{field}")
        assert_error(api.put(f"/api/v2/tickets/{tid}", {"ticket": {
            field: value, "comment": {"body": "hi"}}}), 403, "forbidden", f"ticket.{field}")
    assert ticket_row(desk, tid, "category, scope_override") == (None, None)


# ---------------------------------------------------------------- the account's package changes


def test_package_change_rederives_open_tickets_not_closed_nor_hand_set(desk):
    org = new_org(desk)
    uid, _, api = new_requester(desk, org)
    open_t = create(desk.agent, requester_id=uid)["id"]
    hand = create(desk.agent, requester_id=uid, priority="low", policy_justification=WHY)["id"]
    closed = create(desk.agent, requester_id=uid)["id"]
    update(desk.agent, closed, status="solved")
    update(desk.agent, closed, status="closed")
    critical = create(desk.agent, requester_id=uid,
                      triage={"service_down": True, "workaround": False})["id"]
    other = create(desk.agent, requester_id=accts_plain_uid(desk))["id"]
    n = {t: len(events(desk, t)) for t in (open_t, hand, closed, critical, other)}
    closed_policy = show(desk.agent, closed)["policy"]

    set_org(desk, org, support_package_until=FAR)
    t = show(desk.agent, open_t)
    assert (t["priority"], t["priority_set_by_hand"]) == ("high", False)
    assert t["policy"]["package_active"] is True
    assert t["policy"]["priority"]["basis"] == "package"
    # By the system: actor NULL.
    assert events(desk, open_t)[n[open_t]:] == [("priority", "normal", "high", None)]
    assert db_scalar(desk.srv.db, f"SELECT count(*) FROM ticket_events WHERE ticket_id = "
                                  f"{open_t} AND field = 'priority' AND actor_id IS NULL") == "1"
    t = show(desk.agent, hand)
    assert (t["priority"], t["priority_set_by_hand"]) == ("low", True)
    assert t["policy"]["priority"]["derived"] == "high" and t["policy"]["package_active"] is True
    assert len(events(desk, hand)) == n[hand]
    t = show(desk.agent, closed)
    assert t["priority"] == "normal" and t["policy"] == closed_policy
    assert len(events(desk, closed)) == n[closed]
    assert show(desk.agent, critical)["priority"] == "urgent"
    assert len(events(desk, critical)) == n[critical]
    assert len(events(desk, other)) == n[other]

    # The package ends (yesterday was its last day): back to normal.
    yesterday = (local_today() - datetime.timedelta(days=1)).isoformat()
    set_org(desk, org, support_package_until=yesterday)
    t = show(desk.agent, open_t)
    assert t["priority"] == "normal" and t["policy"]["package_active"] is False
    assert events(desk, open_t)[-1] == ("priority", "high", "normal", None)


def accts_plain_uid(desk):
    return new_requester(desk, new_org(desk))[0]


# ---------------------------------------------------------------- categories and decisions


def test_staff_set_the_category_unknown_is_422(desk, accts):
    uid = accts["plain"][1]
    tid = create(desk.agent, requester_id=uid, subject="Hello there", body="Just a note")["id"]
    for bad in ("nonsense", "", "How_To", 5):
        assert_error(desk.agent.put(f"/api/v2/tickets/{tid}", {"ticket": {"category": bad}}),
                     422, "invalid", "ticket.category")
    assert_error(desk.agent.post("/api/v2/tickets", ticket_body(requester_id=uid,
                                                                category="nonsense")),
                 422, "invalid", "ticket.category")
    n = len(events(desk, tid))
    t = update(desk.agent, tid, category="custom_integration")
    assert t["category"] == "custom_integration"
    p = t["policy"]
    assert (p["decision"], p["category"], p["category_confirmed"], p["clause"], p["macro"]) == (
        "out_of_scope", "custom_integration", True, "clause 3",
        "scope.out_of_scope.custom_integration")
    assert events(desk, tid)[n:] == [("category", None, "custom_integration", desk.agent_id)]
    assert ticket_row(desk, tid, "policy_decision, category") == ("out_of_scope",
                                                                   "custom_integration")
    t = update(desk.agent, tid, category=None)
    assert t["category"] is None and t["policy"]["category"] == "other"
    assert t["policy"]["category_confirmed"] is False and t["policy"]["decision"] == "in_scope"


@pytest.mark.parametrize("category, account, want", [
    ("custom_integration", "plain", {"decision": "out_of_scope", "clause": "clause 3",
                                     "macro": "scope.out_of_scope.custom_integration",
                                     "team": None, "flags": []}),
    ("custom_integration", "pkg", {"decision": "out_of_scope", "clause": "clause 3",
                                   "macro": "scope.out_of_scope.custom_integration",
                                   "team": None, "flags": []}),
    ("custom_code", "plain", {"decision": "out_of_scope", "clause": "clause 3 (²)",
                              "macro": "scope.out_of_scope.custom_code", "team": None,
                              "flags": ["needs_package"]}),
    ("custom_code", "pkg", {"decision": "in_scope_by_package", "clause": "clause 3 (²)",
                            "macro": "scope.in_scope_by_package.custom_code", "team": None,
                            "flags": []}),
    ("account_management", "plain", {"decision": "out_of_scope", "clause": "clause 4 (²)",
                                     "macro": "scope.out_of_scope.account_management",
                                     "team": None, "flags": ["needs_package"]}),
    ("refund_request", "plain", {"decision": "policy_answer", "clause": "clause 7 (**)",
                                 "macro": "scope.policy_answer.refund_request.installed",
                                 "team": None, "flags": []}),
    ("refund_request", "delinquent", {"decision": "policy_answer", "clause": "clause 7 (**)",
                                      "macro": "scope.policy_answer.refund_request.delinquent",
                                      "team": None, "flags": []}),
    ("refund_request", "uninstalled", {"decision": "policy_answer", "clause": "clause 7 (**)",
                                       "macro": "scope.policy_answer.refund_request",
                                       "team": None, "flags": []}),
    ("sales", "plain", {"decision": "in_scope", "clause": "clause 2",
                        "macro": "scope.in_scope.sales", "team": "sales", "flags": []}),
    ("feature_request", "plain", {"decision": "in_scope", "clause": "clause 2",
                                  "macro": "scope.in_scope.feature_request", "team": "product",
                                  "flags": ["escalates_to_product"]}),
    ("billing", "plain", {"decision": "in_scope", "clause": "clauses 1.5, 2",
                          "macro": "scope.in_scope.billing", "team": None,
                          "flags": ["needs_identity"]}),
    ("contact_deletion", "plain", {"decision": "policy_answer", "clause": "clause 9",
                                   "macro": "scope.policy_answer.contact_deletion", "team": None,
                                   "flags": ["self_serve_article"]}),
    ("how_to", "plain", {"decision": "in_scope", "clause": "clauses 1.4, 2", "macro": None,
                         "team": None, "flags": []}),
])
def test_each_category_is_decided(desk, accts, category, account, want):
    if account in accts:
        uid = accts[account][1]
    else:
        org = new_org(desk, delinquent=True) if account == "delinquent" else \
            new_org(desk, install_status="uninstalled")
        uid = new_requester(desk, org)[0]
    t = create(desk.agent, requester_id=uid, category=category, subject="Hello there",
               body="Just a note")
    p = t["policy"]
    assert {k: p[k] for k in want} == want
    assert (p["category"], p["category_confirmed"], t["category"]) == (category, True, category)
    assert isinstance(p["reason"], str) and p["reason"].endswith(".")
    assert p["override"] is None
    assert ticket_row(desk, t["id"], "policy_decision")[0] == want["decision"]
    groups = {"sales": group_id(desk, "Sales"), "feature_request": group_id(desk, "Product")}
    assert t["group_id"] == groups.get(category)


def test_team_routing_keeps_a_group_given(desk, accts):
    uid = accts["plain"][1]
    t = create(desk.agent, requester_id=uid, category="sales", group_id=desk.billing)
    assert t["group_id"] == desk.billing and t["policy"]["team"] == "sales"
    # A requester's sales question (suggested from the subject) goes to Sales too.
    t = accts["plain"][3].post("/api/v2/tickets", ticket_body(
        subject="Enterprise plan pricing", body="What would it cost?")).json()["ticket"]
    assert t["group_id"] == group_id(desk, "Sales")
    assert show(desk.agent, t["id"])["policy"]["suggested_category"] == "sales"


def test_suggested_category_and_staff_confirming_it(desk, accts):
    org, uid, _, api = accts["plain"]
    resp = api.post("/api/v2/tickets", ticket_body(subject="Refund please",
                                                   body="I would like my money"))
    assert resp.status_code == 201, resp.text
    tid = resp.json()["ticket"]["id"]
    assert resp.json()["ticket"]["category"] is None
    p = show(desk.agent, tid)["policy"]
    assert (p["suggested_category"], p["category"], p["category_confirmed"], p["decision"],
            p["macro"]) == ("refund_request", "refund_request", False, "policy_answer",
                            "scope.policy_answer.refund_request.installed")
    assert ticket_row(desk, tid, "category, suggested_category") == (None, "refund_request")
    t = update(desk.agent, tid, category="refund_request")
    assert (t["category"], t["policy"]["category_confirmed"],
            t["policy"]["suggested_category"]) == ("refund_request", True, "refund_request")
    # Nothing matches: no suggestion, decided as "other", unconfirmed.
    tid = api.post("/api/v2/tickets", ticket_body(subject="Hello there",
                                                  body="Just a note")).json()["ticket"]["id"]
    p = show(desk.agent, tid)["policy"]
    assert (p["suggested_category"], p["category"], p["category_confirmed"], p["decision"],
            p["clause"], p["macro"]) == (None, "other", False, "in_scope", "clause 2", None)


# ---------------------------------------------------------------- scope override


def test_scope_override_with_justification_and_withdrawn(desk, accts):
    uid = accts["plain"][1]
    tid = create(desk.agent, requester_id=uid, category="custom_integration")["id"]
    assert_error(desk.agent.put(f"/api/v2/tickets/{tid}", {"ticket": {
        "scope_override": "in_scope"}}), 422, "invalid", "ticket.policy_justification")
    assert_error(desk.agent.put(f"/api/v2/tickets/{tid}", {"ticket": {
        "scope_override": "in_scope", "policy_justification": "nope"}}), 422, "invalid",
        "ticket.policy_justification")
    assert_error(desk.agent.put(f"/api/v2/tickets/{tid}", {"ticket": {
        "scope_override": "out_of_scope", "policy_justification": WHY}}), 422, "invalid",
        "ticket.scope_override")
    assert ticket_row(desk, tid, "scope_override, policy_decision") == (None, "out_of_scope")
    assert exceptions_rows(desk, tid) == []

    n = len(events(desk, tid))
    t = update(desk.agent, tid, scope_override="in_scope", policy_justification=WHY)
    p = t["policy"]
    assert p["decision"] == "out_of_scope" and p["macro"] is None
    ov = p["override"]
    assert {k: ov[k] for k in ("decision", "replaced", "justification", "by")} == {
        "decision": "in_scope", "replaced": "out_of_scope", "justification": WHY,
        "by": desk.agent_id}
    assert ISO_RE.fullmatch(ov["at"])
    assert ticket_row(desk, tid, "scope_override, policy_decision") == ("in_scope", "in_scope")
    assert exceptions_rows(desk, tid) == [("scope", "out_of_scope", "in_scope", WHY,
                                           str(desk.agent_id))]
    [(actor, detail)] = audit_exceptions(desk, tid)
    assert actor == desk.agent_id and {k: detail[k] for k in (
        "kind", "from", "to", "justification")} == {"kind": "scope", "from": "out_of_scope",
                                                    "to": "in_scope", "justification": WHY}
    assert events(desk, tid)[n:] == [("scope_override", None, "in_scope", desk.agent_id)]
    x = desk.agent.get(f"/api/v2/policy/exceptions?ticket_id={tid}&kind=scope").json()
    assert [(e["kind"], e["from"], e["to"]) for e in x["policy_exceptions"]] == \
        [("scope", "out_of_scope", "in_scope")]

    # Withdrawn: the computed decision is in force again.
    t = update(desk.agent, tid, scope_override=None)
    assert t["policy"]["override"] is None
    assert t["policy"]["macro"] == "scope.out_of_scope.custom_integration"
    assert ticket_row(desk, tid, "scope_override, policy_decision") == (None, "out_of_scope")
    assert events(desk, tid)[-1] == ("scope_override", "in_scope", None, desk.agent_id)
    assert len(exceptions_rows(desk, tid)) == 1


def test_scope_override_at_create(desk, accts):
    uid = accts["plain"][1]
    assert_error(desk.agent.post("/api/v2/tickets", ticket_body(
        requester_id=uid, category="business_advice", scope_override="in_scope")), 422,
        "invalid", "ticket.policy_justification")
    t = create(desk.agent, requester_id=uid, category="business_advice",
               scope_override="in_scope", policy_justification=WHY)
    ov = t["policy"]["override"]
    assert (ov["decision"], ov["replaced"], ov["by"]) == ("in_scope", "out_of_scope",
                                                          desk.agent_id)
    assert t["policy"]["macro"] is None
    assert exceptions_rows(desk, t["id"]) == [("scope", "out_of_scope", "in_scope", WHY,
                                               str(desk.agent_id))]


# ---------------------------------------------------------------- who sees the policy


def test_policy_is_for_staff_in_every_listing(desk, accts):
    org, uid, _, api = accts["plain"]
    tid = api.post("/api/v2/tickets", ticket_body(subject="Quokka visible",
                                                  body="Just a note")).json()["ticket"]["id"]
    mine = api.get(f"/api/v2/tickets/{tid}")
    assert mine.status_code == 200 and set(mine.json()["ticket"]) == REQUESTER_TICKET_KEYS
    assert "policy" in show(desk.agent, tid) and "policy" in show(desk.admin, tid)
    for path in ("/api/v2/tickets", f"/api/v2/users/{uid}/tickets/requested"):
        theirs = api.get(path)
        assert theirs.status_code == 200, (path, theirs.text)
        assert theirs.json()["tickets"] and all(
            set(t) == REQUESTER_TICKET_KEYS for t in theirs.json()["tickets"])
        staff = desk.agent.get(path)
        assert staff.status_code == 200 and staff.json()["tickets"]
        assert all(set(t) == TICKET_KEYS for t in staff.json()["tickets"])
    found = api.get("/api/v2/search", params={"query": "quokka"}).json()["results"]
    assert [t["id"] for t in found] == [tid] and "policy" not in found[0]
    found = desk.agent.get("/api/v2/search", params={"query": "quokka"}).json()["results"]
    assert [t["id"] for t in found] == [tid]
    assert found[0]["policy"] == show(desk.agent, tid)["policy"]
    seen = 0
    for v in desk.agent.get("/api/v2/views").json()["views"]:
        resp = desk.agent.get(f"/api/v2/views/{v['id']}/tickets")
        assert resp.status_code == 200, resp.text
        for t in resp.json()["tickets"]:
            assert set(t) == TICKET_KEYS and isinstance(t["policy"], dict)
            seen += 1
    assert seen > 0


# ---------------------------------------------------------------- bans


def test_banned_requester_is_refused_and_mail_is_closed_with_one_notice(desk, accts, lead):
    lead_id, lead_api = lead
    org = accts["plain"][0]
    uid, email, api = new_requester(desk, org)
    tid = api.post("/api/v2/tickets", ticket_body()).json()["ticket"]["id"]
    resp = lead_api.post(f"/api/v2/users/{uid}/ban", {"reason": "Insulted the agent"})
    assert resp.status_code == 200, resp.text
    api = sign_in(desk.srv, email)  # the ban ended the session
    before = db_scalar(desk.srv.db, "SELECT count(*) FROM tickets")
    err = assert_error(api.post("/api/v2/tickets", ticket_body()), 403, "requester_banned")
    err2 = assert_error(api.put(f"/api/v2/tickets/{tid}", {"ticket": {
        "comment": {"body": "Answer me"}}}), 403, "requester_banned")
    assert err2["message"] == err["message"]
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM tickets") == before
    assert db_scalar(desk.srv.db, f"SELECT count(*) FROM ticket_comments WHERE ticket_id = "
                                  f"{tid}") == "1"

    # Their mail (entered by staff as email) is kept, closed, with one notice a day.
    t1 = create(desk.agent, requester_id=uid, via={"channel": "email"})
    assert (t1["status"], t1["via"]["channel"]) == ("closed", "email")
    assert ticket_row(desk, t1["id"], "status")[0] == "closed"
    [notice] = outbox(desk, "ban_notice", email)
    assert notice[:2] == (email, str(t1["id"]))
    assert "abusive" in notice[3] and "owner's approval" in notice[3]
    assert db_query(desk.srv.db, f"SELECT kind FROM outbox WHERE ticket_id = {t1['id']}") == \
        [("ban_notice",)]
    t2 = create(desk.agent, requester_id=uid, via={"channel": "email"})
    assert t2["status"] == "closed"
    assert db_query(desk.srv.db, f"SELECT kind FROM outbox WHERE ticket_id = {t2['id']}") == []
    assert len(outbox(desk, "ban_notice", email)) == 1
    # A "+tag" variant of the address is the same person.
    notices = db_scalar(desk.srv.db, "SELECT count(*) FROM outbox WHERE kind = 'ban_notice'")
    plus = email.replace("@", "+x@").upper()
    t3 = desk.agent.post("/api/v2/tickets", ticket_body(
        requester={"name": "Variant", "email": plus}, via={"channel": "email"}))
    assert t3.status_code == 201, t3.text
    assert t3.json()["ticket"]["status"] == "closed"
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM outbox WHERE kind = 'ban_notice'") == \
        notices
    # Unbanned: served again.
    resp = lead_api.post(f"/api/v2/users/{uid}/unban", {"reason": "Apologised"})
    assert resp.status_code == 200, resp.text
    api = sign_in(desk.srv, email)
    assert api.post("/api/v2/tickets", ticket_body()).status_code == 201
    # The refusal carries the whole notice, the one mailed (clause 6's sentence included).
    assert err["message"] == notice[3]


# ---------------------------------------------------------------- refused and high-risk accounts


def test_refused_account_tickets_are_closed_with_the_notice(desk):
    org = new_org(desk)
    uid, email, api = new_requester(desk, org)
    set_org(desk, org, service_refused=True)
    t = create(desk.agent, requester_id=uid, category="how_to")
    assert t["status"] == "closed"
    p = t["policy"]
    assert (p["decision"], p["clause"], p["macro"], p["flags"]) == (
        "policy_answer", "clause 12 (***)", "scope.service_refused", ["service_refused"])
    [m] = outbox(desk, "refusal_notice", email)
    assert m[:2] == (email, str(t["id"]))
    assert db_query(desk.srv.db, f"SELECT kind FROM outbox WHERE ticket_id = {t['id']}") == \
        [("refusal_notice",)]
    resp = api.post("/api/v2/tickets", ticket_body())
    assert resp.status_code == 201, resp.text
    assert resp.json()["ticket"]["status"] == "closed"
    assert len(outbox(desk, "refusal_notice", email)) == 2


def put_roster(desk, lead_id):
    today = local_today()
    monday = (today - datetime.timedelta(days=today.weekday())).isoformat()
    resp = desk.admin.put("/api/v2/roster", {"roster": {"anchor_date": monday,
                                                        "lead_ids": [lead_id]}})
    assert resp.status_code == 200, resp.text


def test_high_risk_accounts_go_to_the_lead_on_duty(desk, lead):
    lead_id, lead_api = lead
    put_roster(desk, lead_id)
    org = new_org(desk)
    uid, email, api = new_requester(desk, org)
    open_t = create(desk.agent, requester_id=uid)["id"]
    mine = create(desk.agent, requester_id=uid, assignee_id=desk.agent_id)["id"]
    closed = create(desk.agent, requester_id=uid)["id"]
    update(desk.agent, closed, status="solved")
    update(desk.agent, closed, status="closed")
    n_closed = len(events(desk, closed))

    resp = lead_api.put(f"/api/v2/organizations/{org}/high_risk",
                        {"high_risk": True, "reason": "Chargebacks on stolen cards"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["organization"]["high_risk"] is True
    t = show(desk.agent, open_t)
    assert t["assignee_id"] == lead_id and t["policy"]["flags"] == ["high_risk"]
    assert events(desk, open_t)[-1] == ("assignee_id", None, str(lead_id), None)
    t = show(desk.agent, mine)
    assert t["assignee_id"] == lead_id and "high_risk" in t["policy"]["flags"]
    assert events(desk, mine)[-1] == ("assignee_id", str(desk.agent_id), str(lead_id), None)
    t = show(desk.agent, closed)
    assert t["assignee_id"] is None and "high_risk" not in t["policy"]["flags"]
    assert len(events(desk, closed)) == n_closed

    # New tickets: to the lead on duty, flagged; unless staff name an assignee.
    t = api.post("/api/v2/tickets", ticket_body()).json()["ticket"]
    assert t["assignee_id"] == lead_id
    assert show(desk.agent, t["id"])["policy"]["flags"] == ["high_risk"]
    t = create(desk.agent, requester_id=uid, assignee_id=desk.agent_id, category="billing")
    assert t["assignee_id"] == desk.agent_id
    assert t["policy"]["flags"] == ["needs_identity", "high_risk"]

    # Cleared: the flag goes, the assignee stays.
    resp = lead_api.put(f"/api/v2/organizations/{org}/high_risk",
                        {"high_risk": False, "reason": "Resolved with the bank"})
    assert resp.status_code == 200, resp.text
    t = show(desk.agent, open_t)
    assert t["assignee_id"] == lead_id and t["policy"]["flags"] == []


# ---------------------------------------------------------------- misuse incidents


def incidents(desk, org):
    resp = desk.agent.get(f"/api/v2/misuse_incidents?organization_id={org}")
    assert resp.status_code == 200, resp.text
    return resp.json()["misuse_incidents"]


def test_misuse_and_fraud_tickets_open_an_incident(desk):
    org = new_org(desk)
    uid, email, api = new_requester(desk, org)
    # Only a suggestion: nothing opened until staff confirm.
    tid = api.post("/api/v2/tickets", ticket_body(subject="Report abuse please",
                                                  body="Someone is spamming")).json()["ticket"]
    assert show(desk.agent, tid["id"])["policy"]["suggested_category"] == "misuse_report"
    assert incidents(desk, org) == []
    update(desk.agent, tid["id"], category="misuse_report")
    [inc] = incidents(desk, org)
    assert (inc["organization_id"], inc["ticket_id"], inc["status"], inc["created_by"]) == \
        (org, tid["id"], "open", desk.agent_id)
    assert inc["summary"] == f"Opened by ticket #{tid['id']}: Misuse report"
    # Setting it again changes nothing: no second incident.
    update(desk.agent, tid["id"], category="misuse_report")
    assert len(incidents(desk, org)) == 1
    t = create(desk.agent, requester_id=uid, category="fraud_assistance")
    assert t["policy"]["flags"] == ["opens_misuse_incident", "flags_account"]
    got = incidents(desk, org)
    assert len(got) == 2 and {i["ticket_id"] for i in got} == {tid["id"], t["id"]}
    # No account: nothing to open an incident on, and no error.
    lone = new_requester(desk, None)[0]
    before = db_scalar(desk.srv.db, "SELECT count(*) FROM misuse_incidents")
    create(desk.agent, requester_id=lone, category="misuse_report")
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM misuse_incidents") == before


def test_a_ban_by_address_refuses_a_variants_comment_as_well_as_its_tickets(desk, accts, lead):
    """The ban matches the address key (case, +tag): a second user whose address is a variant
    of a banned one is refused alike at creation and when commenting."""
    lead_api = lead[1]
    k = next(_seq)
    email = f"vary{k}@policy.example"
    banned = add_requester(desk.srv, email, "Banned One")
    variant_email = f"Vary{k}+shop@policy.example"
    variant = add_requester(desk.srv, variant_email, "Variant Two")
    api = sign_in(desk.srv, variant_email)
    tid = api.post("/api/v2/tickets", ticket_body()).json()["ticket"]["id"]
    resp = lead_api.post(f"/api/v2/users/{banned}/ban", {"reason": "Threats"})
    assert resp.status_code == 200, resp.text
    assert_error(api.post("/api/v2/tickets", ticket_body()), 403, "requester_banned")
    assert_error(api.put(f"/api/v2/tickets/{tid}", {"ticket": {"comment": {"body": "Hello?"}}}),
                 403, "requester_banned")
    assert db_scalar(desk.srv.db, f"SELECT count(*) FROM ticket_comments WHERE ticket_id = "
                                  f"{tid}") == "1"
    assert variant != banned


def test_an_account_ban_refuses_its_people(desk, lead):
    org = new_org(desk)
    uid, email, api = new_requester(desk, org)
    tid = api.post("/api/v2/tickets", ticket_body()).json()["ticket"]["id"]
    resp = lead[1].post(f"/api/v2/organizations/{org}/ban", {"reason": "Harassment"})
    assert resp.status_code == 200, resp.text
    api = sign_in(desk.srv, email)
    assert_error(api.post("/api/v2/tickets", ticket_body()), 403, "requester_banned")
    assert_error(api.put(f"/api/v2/tickets/{tid}", {"ticket": {"comment": {"body": "Hello?"}}}),
                 403, "requester_banned")
    t = create(desk.agent, requester_id=uid, via={"channel": "email"})
    assert t["status"] == "closed"
    assert len(outbox(desk, "ban_notice", email)) == 1


def test_policy_changes_to_a_closed_ticket_are_409(desk, accts):
    uid = accts["plain"][1]
    tid = create(desk.agent, requester_id=uid)["id"]
    update(desk.agent, tid, status="solved")
    update(desk.agent, tid, status="closed")
    before = show(desk.agent, tid)
    for change in ({"triage": {"service_down": True}}, {"category": "sales"},
                   {"priority": "urgent", "policy_justification": WHY},
                   {"scope_override": "in_scope", "policy_justification": WHY}):
        assert_error(desk.agent.put(f"/api/v2/tickets/{tid}", {"ticket": change}), 409,
                     "conflict", "ticket.status")
    assert show(desk.agent, tid) == before
    assert exceptions_rows(desk, tid) == []


def test_staff_keeping_the_priority_while_changing_the_facts_is_an_exception(desk, accts):
    """Staff send the facts and the priority they want in one update: the priority sent wins.
    Keeping normal against critical facts is a change away from the derived priority: it needs
    the justification (422 without), is set by hand and recorded as an exception."""
    uid = accts["plain"][1]
    tid = create(desk.agent, requester_id=uid)["id"]
    critical = {"service_down": True, "workaround": False}
    assert_error(desk.agent.put(f"/api/v2/tickets/{tid}", {"ticket": {
        "triage": critical, "priority": "normal"}}), 422, "invalid",
        "ticket.policy_justification")
    assert ticket_row(desk, tid, "priority")[0] == "normal"
    t = update(desk.agent, tid, triage=critical, priority="normal", policy_justification=WHY)
    assert (t["priority"], t["priority_set_by_hand"]) == ("normal", True)
    assert t["policy"]["priority"]["derived"] == "urgent"
    assert exceptions_rows(desk, tid) == [("priority", "urgent", "normal", WHY,
                                           str(desk.agent_id))]


def test_show_many_and_account_lists_hide_the_policy_from_requesters(desk, accts):
    org, uid, _, api = accts["plain"]
    ids = [api.post("/api/v2/tickets", ticket_body()).json()["ticket"]["id"] for _ in range(2)]
    q = ",".join(map(str, ids))
    for path in (f"/api/v2/tickets/show_many?ids={q}", f"/api/v2/organizations/{org}/tickets"):
        resp = desk.agent.get(path)
        assert resp.status_code == 200, resp.text
        assert resp.json()["tickets"] and all(set(t) == TICKET_KEYS
                                              for t in resp.json()["tickets"])
        resp = api.get(path)
        if resp.status_code == 200:
            assert resp.json()["tickets"] and all(set(t) == REQUESTER_TICKET_KEYS
                                                  for t in resp.json()["tickets"])
        else:
            assert_error(resp, 403, "forbidden")


def test_a_follow_up_gets_the_priority_derived_now_unless_set_by_hand(desk):
    """A requester's reply to a closed ticket makes a follow-up that keeps the facts; a priority
    staff did not set by hand is derived for the new ticket as things are now (the account has
    since bought the package), so it never disagrees with its own derived priority."""
    org = new_org(desk)
    uid, email, api = new_requester(desk, org)
    derived = create(desk.agent, requester_id=uid)["id"]
    hand = create(desk.agent, requester_id=uid, priority="low", policy_justification=WHY)["id"]
    for tid in (derived, hand):
        update(desk.agent, tid, status="solved")
        update(desk.agent, tid, status="closed")
    set_org(desk, org, support_package_until=FAR)
    resp = api.put(f"/api/v2/tickets/{hand}", {"ticket": {"comment": {"body": "Again"}}})
    assert resp.status_code == 201, resp.text
    t = show(desk.agent, resp.json()["ticket"]["id"])
    assert (t["follow_up_of"], t["priority"], t["priority_set_by_hand"]) == (hand, "low", True)
    assert t["policy"]["priority"]["derived"] == "high"
    resp = api.put(f"/api/v2/tickets/{derived}", {"ticket": {"comment": {"body": "Again"}}})
    assert resp.status_code == 201, resp.text
    t = show(desk.agent, resp.json()["ticket"]["id"])
    assert t["policy"]["priority"]["derived"] == "high"
    assert (t["follow_up_of"], t["priority"], t["priority_set_by_hand"]) == (derived, "high",
                                                                              False)


def test_staff_clearing_a_fact_rederives(desk, accts):
    uid = accts["plain"][1]
    tid = create(desk.agent, requester_id=uid,
                 triage={"data_lost": True, "workaround": False})["id"]
    assert show(desk.agent, tid)["priority"] == "urgent"
    n = len(events(desk, tid))
    t = update(desk.agent, tid, triage={"workaround": None})
    assert (t["priority"], t["triage"]["workaround"]) == ("normal", None)
    assert t["policy"]["priority"]["reason"] == "Normal: " + UNKNOWN_WA + NOT_ACTIVE
    assert sorted(events(desk, tid)[n:]) == sorted([
        ("triage.workaround", "no", None, desk.agent_id),
        ("priority", "urgent", "normal", desk.agent_id)])


def test_a_reply_after_refusal_of_service_is_closed_with_the_notice(desk):
    """Refusal closes the account's tickets; the requester's reply to one of them makes a
    follow-up, a new ticket of a refused account: stored closed, the refusal notice queued."""
    org = new_org(desk)
    uid, email, api = new_requester(desk, org)
    tid = api.post("/api/v2/tickets", ticket_body()).json()["ticket"]["id"]
    resp = desk.agent.post("/api/v2/misuse_incidents", {"misuse_incident": {
        "organization_id": org, "summary": "Phishing pages"}})
    assert resp.status_code == 201, resp.text
    inc = resp.json()["misuse_incident"]["id"]
    assert desk.agent.post(f"/api/v2/misuse_incidents/{inc}/evidence", {"evidence": {
        "kind": "note", "body": "Reported by a bank"}}).status_code == 201
    resp = desk.admin.post(f"/api/v2/organizations/{org}/service_refusal",
                           {"service_refusal": {"reason": "Phishing", "incident_id": inc}})
    assert resp.status_code == 201, resp.text
    assert show(desk.agent, tid)["status"] == "closed"
    notices = len(outbox(desk, "refusal_notice", email))
    resp = api.put(f"/api/v2/tickets/{tid}", {"ticket": {"comment": {"body": "Why?"}}})
    assert resp.status_code == 201, resp.text
    new = show(desk.agent, resp.json()["ticket"]["id"])
    assert new["follow_up_of"] == tid
    assert new["policy"]["flags"] == ["service_refused"]
    assert new["status"] == "closed"
    assert len(outbox(desk, "refusal_notice", email)) == notices + 1


def test_an_admin_marking_the_account_high_risk_routes_its_tickets_too(desk, lead):
    lead_id = lead[0]
    put_roster(desk, lead_id)
    org = new_org(desk)
    uid, email, api = new_requester(desk, org)
    tid = create(desk.agent, requester_id=uid)["id"]
    assert set_org(desk, org, high_risk=True)["high_risk"] is True
    t = show(desk.agent, tid)
    assert (t["assignee_id"], t["policy"]["flags"]) == (lead_id, ["high_risk"])
    # Already high-risk: another account change re-decides but does not reassign.
    update(desk.agent, tid, assignee_id=desk.agent_id)
    set_org(desk, org, delinquent=True)
    t = show(desk.agent, tid)
    assert (t["assignee_id"], t["policy"]["flags"]) == (desk.agent_id, ["high_risk"])
