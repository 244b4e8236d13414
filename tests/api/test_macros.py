"""The macro library (issue 5, "Responses live in a macro library ... that staff can extend";
clause 1.2): Zendesk's Macros API, the policy pack's macros seeded at init (one per response key
src/core/policy.c can suggest), placeholders rendered by GET .../tickets/{id}/macros/{id}/apply,
billing macros blocked until the requester's identity is verified (clause 1.5), pack macros
changed only by leads and admins, every write audited."""

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import (ADMIN, Api, ServerPool, add_organization, add_requester, assert_error,
                      create_admin, db_query, db_scalar, run_cli, sign_in, staff_add,
                      token_create)

REPO = Path(__file__).resolve().parents[2]
CODE_RE = re.compile(r"^    (\d{6})$", re.M)
EASTERN = ZoneInfo("America/Toronto")
DEFAULT_HOURS = "Monday to Friday, 9:00 a.m. to 5:00 p.m. Eastern, except Canadian holidays"
DELETION_PATH = "/hc/articles/deleting-contacts-yourself"


def policy_keys():
    """Every macro key src/core/policy.c can return: each "scope...." string literal in it (the
    table's macros, the package variants, the refund variants and the refusal)."""
    text = (REPO / "src/core/policy.c").read_text()
    return set(re.findall(r'"(scope\.[a-z_]+(?:\.[a-z_]+)*)"', text))


@dataclass
class Desk:
    srv: object
    admin: Api
    agent: Api
    agent_id: int
    lead: Api
    lead_id: int
    acme: int
    olive_id: int  # owner of acme
    mike_id: int   # member of acme
    mike: Api


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("macros"))
    try:
        srv = pool.start()
        db = srv.db
        create_admin(srv)
        agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
        lead_id = staff_add(srv, "lead@example.com", "Leo Lead", "lead")
        acme = add_organization(db, "Acme Shop")
        olive_id = add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
        mike_id = add_requester(srv, "mike@acme.example", "Mike  Member", acme, "member")
        yield Desk(srv=srv, admin=Api(srv, token_create(srv, ADMIN["email"])),
                   agent=Api(srv, token_create(srv, "agent@example.com")), agent_id=agent_id,
                   lead=Api(srv, token_create(srv, "lead@example.com")), lead_id=lead_id,
                   acme=acme, olive_id=olive_id, mike_id=mike_id,
                   mike=sign_in(srv, "mike@acme.example"))
    finally:
        pool.close()


# ---------------------------------------------------------------- helpers


def all_macros(api):
    """Every macro, following the pages."""
    out, path = [], "/api/v2/macros?page[size]=7"
    while path:
        resp = api.get(path)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        out += body["macros"]
        path = body["links"]["next"]
    return out


def by_key(api):
    return {m["key"]: m for m in all_macros(api) if m["key"]}


def macro_body(text, title="Our reply", **extra):
    m = {"title": title, "actions": [{"field": "comment_value", "value": text}]}
    m.update(extra)
    return {"macro": m}


def create_macro(api, text, **kw):
    resp = api.post("/api/v2/macros", macro_body(text, **kw))
    assert resp.status_code == 201, resp.text
    return resp.json()["macro"]


def new_ticket(api, subject="About my account", body="Could you help me with this?"):
    resp = api.post("/api/v2/tickets", {"ticket": {"subject": subject,
                                                   "comment": {"body": body}}})
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]["id"]


def apply(api, tid, mid):
    return api.get(f"/api/v2/tickets/{tid}/macros/{mid}/apply")


def applied(api, tid, mid):
    resp = apply(api, tid, mid)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body == {"result": {"ticket": {"id": tid},
                               "comment": {"body": body["result"]["comment"]["body"],
                                           "public": True}}}
    return body["result"]["comment"]["body"]


def audits(desk, action, mid):
    return [(int(a), json.loads(d)) for a, d in db_query(
        desk.srv.db, f"SELECT actor_id, detail FROM audit_log WHERE action = '{action}' AND "
                     f"target_type = 'macro' AND target_id = {int(mid)} ORDER BY id")]


def wall(instant):
    """An instant as the macros write it: "Monday, December 29, 9:00 a.m. Eastern"."""
    t = instant.astimezone(EASTERN)
    h12 = t.hour % 12 or 12
    return (f"{t:%A}, {t:%B} {t.day}, {h12}:{t.minute:02d} "
            f"{'a.m.' if t.hour < 12 else 'p.m.'} Eastern")


def next_open_now(srv):
    """What {{support.next_open}} reads now, from GET /api/v2/support_hours."""
    hours = srv.get("/api/v2/support_hours").json()["support_hours"]
    if hours["open"]:
        return wall(datetime.datetime.now(datetime.timezone.utc))
    opens = datetime.datetime.strptime(hours["opens_at"], "%Y-%m-%dT%H:%M:%SZ")
    return wall(opens.replace(tzinfo=datetime.timezone.utc))


# ---------------------------------------------------------------- the pack


def test_every_key_policy_c_can_return_has_a_seeded_macro(desk):
    keys = policy_keys()
    # The table's 16 responses, 4 package-less variants, 2 refund variants, the refusal.
    assert len(keys) == 23, sorted(keys)
    assert {"scope.policy_answer.refund_request.installed",
            "scope.policy_answer.refund_request.delinquent", "scope.service_refused",
            "scope.out_of_scope.custom_integration"} <= keys
    macros = by_key(desk.agent)
    assert set(macros) == keys
    for key, m in macros.items():
        assert m["active"] is True, key
        assert m["title"] and m["description"], key
        assert len(m["actions"]) == 1 and m["actions"][0]["field"] == "comment_value", key
        text = m["actions"][0]["value"]
        assert text.startswith(("Hi {{ticket.requester.first_name}},",
                                "Hello {{ticket.requester.first_name}},")), key
        assert "guarantee" not in text, key  # clause 10: expectations, never guarantees
    # Billing is the identity-gated category; the delinquent refund speaks of the account's
    # billing standing, so it waits for verification too (clause 1.5).
    assert {k for k, m in macros.items() if m["needs_identity"]} == {
        "scope.in_scope.billing", "scope.policy_answer.refund_request.delinquent"}
    rows = db_query(desk.srv.db, "SELECT pack_key, created_by FROM macros "
                                 "WHERE pack_key IS NOT NULL ORDER BY id")
    assert len(rows) == 23 and all(by is None for _, by in rows)


def text_of(macros, key):
    return macros[key]["actions"][0]["value"]


def test_pack_texts_say_what_the_policy_says(desk):
    m = by_key(desk.agent)
    strategy = text_of(m, "scope.in_scope.strategy_session")
    assert "owner's discretion" in strategy and "success or failure" in strategy  # clause 8
    for key in ("scope.policy_answer.refund_request",
                "scope.policy_answer.refund_request.installed",
                "scope.policy_answer.refund_request.delinquent"):
        assert "no refunds for services rendered" in text_of(m, key), key
    assert "as long as the app is installed" in text_of(
        m, "scope.policy_answer.refund_request.installed")
    assert "charges are collected for delinquent accounts that do not uninstall" in text_of(
        m, "scope.policy_answer.refund_request.delinquent")
    assert "{{help_center.contact_deletion_url}}" in text_of(
        m, "scope.policy_answer.contact_deletion")
    for key in ("scope.out_of_scope.custom_integration", "scope.out_of_scope.business_advice",
                "scope.out_of_scope.template_from_scratch", "scope.out_of_scope.custom_code",
                "scope.out_of_scope.copywriting", "scope.out_of_scope.account_management"):
        text = text_of(m, key)
        assert "Thank you" in text and ("What we can do" in text or "In the meantime" in text), key
    assert "extra support package" in text_of(m, "scope.out_of_scope.copywriting")
    assert "refuse service" in text_of(m, "scope.service_refused")
    assert "clause 12" in text_of(m, "scope.service_refused")


def test_init_seeds_missing_pack_macros_and_keeps_changed_ones(desk):
    m = by_key(desk.agent)
    live = m["scope.in_scope.live_demo"]
    resp = desk.lead.put(f"/api/v2/macros/{live['id']}", {"macro": {"title": "Demo, edited"}})
    assert resp.status_code == 200, resp.text
    gone = m["scope.in_scope.feature_request"]
    assert desk.lead.request("DELETE", f"/api/v2/macros/{gone['id']}").status_code == 204
    assert "scope.in_scope.feature_request" not in by_key(desk.agent)
    res = run_cli("init", "--db", desk.srv.db_url)
    assert res.returncode == 0, res.stderr
    after = by_key(desk.agent)
    assert set(after) == policy_keys()
    assert after["scope.in_scope.live_demo"]["title"] == "Demo, edited"
    back = after["scope.in_scope.feature_request"]
    assert back["id"] > gone["id"] and back["actions"] == gone["actions"]
    assert int(db_scalar(desk.srv.db, "SELECT count(*) FROM macros WHERE pack_key IS NOT NULL")) \
        == 23


# ---------------------------------------------------------------- staff extend the library


def test_an_agent_creates_changes_and_deletes_a_macro_audited(desk):
    m = create_macro(desk.agent, "Hi {{ticket.requester.first_name}}, thanks!",
                     title="  Quick thanks  ", description="for short replies")
    assert m["title"] == "Quick thanks" and m["key"] is None and m["active"] is True
    assert m["needs_identity"] is False and m["description"] == "for short replies"
    assert m["actions"] == [{"field": "comment_value",
                             "value": "Hi {{ticket.requester.first_name}}, thanks!"}]
    assert m["created_at"] == m["updated_at"]
    resp = desk.agent.get(f"/api/v2/macros/{m['id']}")
    assert resp.status_code == 200 and resp.json() == {"macro": m}
    resp = desk.agent.put(f"/api/v2/macros/{m['id']}", {"macro": {
        "active": False, "actions": [{"field": "comment_value", "value": "Thanks a lot!"}]}})
    assert resp.status_code == 200, resp.text
    changed = resp.json()["macro"]
    assert changed["active"] is False and changed["title"] == "Quick thanks"
    assert changed["actions"][0]["value"] == "Thanks a lot!"
    assert changed["description"] == "for short replies"
    assert m["id"] in [x["id"] for x in all_macros(desk.agent)]
    assert desk.agent.request("DELETE", f"/api/v2/macros/{m['id']}").status_code == 204
    assert_error(desk.agent.get(f"/api/v2/macros/{m['id']}"), 404, "not_found")
    assert_error(desk.agent.request("DELETE", f"/api/v2/macros/{m['id']}"), 404, "not_found")
    assert audits(desk, "macro.created", m["id"]) == [
        (desk.agent_id, {"key": None, "title": "Quick thanks"})]
    assert audits(desk, "macro.updated", m["id"]) == [
        (desk.agent_id, {"key": None, "fields": ["actions", "active"]})]
    assert audits(desk, "macro.deleted", m["id"]) == [
        (desk.agent_id, {"key": None, "title": "Quick thanks"})]


def test_only_leads_and_admins_change_pack_macros(desk):
    m = by_key(desk.agent)["scope.out_of_scope.custom_integration"]
    path = f"/api/v2/macros/{m['id']}"
    assert_error(desk.agent.put(path, {"macro": {"title": "Mine now"}}), 403, "forbidden")
    assert_error(desk.agent.request("DELETE", path), 403, "forbidden")
    assert desk.agent.get(path).json()["macro"] == m
    resp = desk.lead.put(path, {"macro": {"description": "Clause 3, reworded", "key": "ignored"}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["macro"]["key"] == m["key"]
    assert resp.json()["macro"]["description"] == "Clause 3, reworded"
    resp = desk.admin.put(path, {"macro": {"description": m["description"]}})
    assert resp.status_code == 200, resp.text
    assert audits(desk, "macro.updated", m["id"]) == [
        (desk.lead_id, {"key": m["key"], "fields": ["description"]}),
        (int(db_scalar(desk.srv.db, f"SELECT id FROM users WHERE email = '{ADMIN['email']}'")),
         {"key": m["key"], "fields": ["description"]})]


BAD = [
    ({"actions": [{"field": "comment_value", "value": "x"}]}, "macro.title"),
    ({"title": "   ", "actions": [{"field": "comment_value", "value": "x"}]}, "macro.title"),
    ({"title": "x" * 256, "actions": [{"field": "comment_value", "value": "x"}]}, "macro.title"),
    ({"title": "two\nlines", "actions": [{"field": "comment_value", "value": "x"}]},
     "macro.title"),
    ({"title": 7, "actions": [{"field": "comment_value", "value": "x"}]}, "macro.title"),
    ({"title": "t"}, "macro.actions"),
    ({"title": "t", "actions": []}, "macro.actions"),
    ({"title": "t", "actions": "hello"}, "macro.actions"),
    ({"title": "t", "actions": [{"field": "status", "value": "solved"}]}, "macro.actions"),
    ({"title": "t", "actions": [{"field": "comment_value", "value": 3}]}, "macro.actions"),
    ({"title": "t", "actions": [{"field": "comment_value", "value": " \n "}]}, "macro.actions"),
    ({"title": "t", "actions": [{"field": "comment_value", "value": "a"},
                                {"field": "comment_value", "value": "b"}]}, "macro.actions"),
    ({"title": "t", "actions": [{"field": "comment_value", "value": "x" * 65537}]},
     "macro.actions"),
    ({"title": "t", "description": "d" * 1001,
      "actions": [{"field": "comment_value", "value": "x"}]}, "macro.description"),
    ({"title": "t", "active": "yes", "actions": [{"field": "comment_value", "value": "x"}]},
     "macro.active"),
]


@pytest.mark.parametrize("macro,field", BAD)
def test_bad_macros_are_422_naming_the_field_and_nothing_is_stored(desk, macro, field):
    before = db_scalar(desk.srv.db, "SELECT count(*) FROM macros")
    assert_error(desk.agent.post("/api/v2/macros", {"macro": macro}), 422, "invalid", field)
    assert db_scalar(desk.srv.db, "SELECT count(*) FROM macros") == before


def test_bad_updates_are_422_and_change_nothing(desk):
    m = create_macro(desk.agent, "Original")
    path = f"/api/v2/macros/{m['id']}"
    assert_error(desk.agent.put(path, {"macro": {"title": ""}}), 422, "invalid", "macro.title")
    assert_error(desk.agent.put(path, {"macro": {"actions": []}}), 422, "invalid",
                 "macro.actions")
    assert_error(desk.agent.put(path, {"title": "x"}), 422, "invalid", "macro")
    assert desk.agent.get(path).json()["macro"] == m
    assert audits(desk, "macro.updated", m["id"]) == []
    assert_error(desk.agent.put("/api/v2/macros/999999", {"macro": {"title": "x"}}), 404,
                 "not_found")


def test_the_library_is_for_staff_only(desk):
    tid = new_ticket(desk.mike)
    mid = by_key(desk.agent)["scope.in_scope.sales"]["id"]
    for resp in (desk.mike.get("/api/v2/macros"), desk.mike.get(f"/api/v2/macros/{mid}"),
                 desk.mike.post("/api/v2/macros", macro_body("x")),
                 desk.mike.put(f"/api/v2/macros/{mid}", {"macro": {"title": "x"}}),
                 desk.mike.request("DELETE", f"/api/v2/macros/{mid}"),
                 apply(desk.mike, tid, mid)):
        assert_error(resp, 403, "forbidden")
    anon = Api(desk.srv)
    assert_error(anon.get("/api/v2/macros"), 401, "unauthorized")
    assert_error(apply(anon, tid, mid), 401, "unauthorized")


# ---------------------------------------------------------------- applying


def test_apply_fills_every_placeholder_once_and_leaves_unknown_ones(desk):
    tid = new_ticket(desk.mike, subject="Help with {{current_user.name}} and {{ticket.id}}")
    m = create_macro(desk.agent, "#{{ticket.id}} {{ticket.title}}\n{{ticket.requester.name}} / "
                                 "{{ ticket.requester.first_name }} / {{current_user.name}}\n"
                                 "{{support.hours}}\n{{support.next_open}}\n"
                                 "{{help_center.contact_deletion_url}}\n"
                                 "{{ticket.requester.nickname}} {{ not a name }} {{support.hours")
    before = next_open_now(desk.srv)
    body = applied(desk.agent, tid, m["id"])
    after = next_open_now(desk.srv)
    lines = body.split("\n")
    # The subject's braces are the requester's text: inserted as written, never expanded.
    assert lines[0] == f"#{tid} Help with {{{{current_user.name}}}} and {{{{ticket.id}}}}"
    assert lines[1] == "Mike  Member / Mike / Agnes Agent"
    assert lines[2] == DEFAULT_HOURS
    assert lines[3] in (before, after)
    assert lines[4] == desk.srv.url.rstrip("/") + DELETION_PATH
    assert lines[5] == "{{ticket.requester.nickname}} {{ not a name }} {{support.hours"
    # The lead's own name when the lead applies it; nothing was written.
    assert applied(desk.lead, tid, m["id"]).split("\n")[1] == "Mike  Member / Mike / Leo Lead"
    assert db_scalar(desk.srv.db, f"SELECT count(*) FROM ticket_comments WHERE ticket_id = {tid}") \
        == "1"


def test_pack_macro_renders_for_a_ticket(desk):
    tid = new_ticket(desk.mike, subject="Please delete my contacts")
    mid = by_key(desk.agent)["scope.policy_answer.contact_deletion"]["id"]
    body = applied(desk.agent, tid, mid)
    assert body.startswith("Hi Mike,\n\nThank you for your message.")
    assert f"\n\n{desk.srv.url.rstrip('/')}{DELETION_PATH}\n\n" in body
    assert body.endswith("Best regards,\nAgnes Agent\nRareLogic Support")
    assert "{{" not in body
    sales = applied(desk.agent, tid, by_key(desk.agent)["scope.in_scope.sales"]["id"])
    assert f"ticket #{tid}." in sales and f"Our support hours are {DEFAULT_HOURS}." in sales


def test_apply_answers_404_for_missing_tickets_and_macros(desk):
    tid = new_ticket(desk.mike)
    mid = by_key(desk.agent)["scope.in_scope.sales"]["id"]
    assert_error(apply(desk.agent, 999999, mid), 404, "not_found")
    assert_error(apply(desk.agent, tid, 999999), 404, "not_found")
    assert_error(desk.agent.get(f"/api/v2/tickets/{tid}/macros/abc/apply"), 404, "not_found")
    assert_error(desk.agent.get(f"/api/v2/tickets/0/macros/{mid}/apply"), 404, "not_found")


def verify_by_code(desk, tid):
    """Challenge (the code goes to the account's owner) and verify as staff reading it out."""
    resp = desk.agent.post(f"/api/v2/tickets/{tid}/identity/challenge")
    assert resp.status_code == 201, resp.text
    rows = db_query(desk.srv.db, f"SELECT body FROM outbox WHERE kind = 'identity_code' AND "
                                 f"ticket_id = {int(tid)} ORDER BY id")
    code = CODE_RE.findall(rows[-1][0])[0]
    resp = desk.agent.post(f"/api/v2/tickets/{tid}/identity/verify", {"code": code})
    assert resp.status_code == 200, resp.text


def test_billing_macros_wait_for_the_requesters_identity(desk):
    tid = new_ticket(desk.mike, subject="Question about my invoice")
    macros = by_key(desk.agent)
    own = create_macro(desk.agent, "Your plan costs ...", title="Plan cost", needs_identity=True)
    gated = [macros["scope.in_scope.billing"]["id"],
             macros["scope.policy_answer.refund_request.delinquent"]["id"], own["id"]]
    for mid in gated:
        err = assert_error(apply(desk.agent, tid, mid), 403, "identity_unverified", None)
        assert "verify" in err["message"]
    # Other macros are not gated.
    assert applied(desk.agent, tid, macros["scope.policy_answer.refund_request"]["id"])
    verify_by_code(desk, tid)
    body = applied(desk.agent, tid, gated[0])
    assert body.startswith("Hi Mike,\n\nThank you for confirming your identity.")
    assert applied(desk.agent, tid, gated[1]).startswith("Hi Mike,")
    assert applied(desk.agent, tid, own["id"]) == "Your plan costs ..."
    # Verification belongs to that ticket only.
    other = new_ticket(desk.mike, subject="Another invoice question")
    assert_error(apply(desk.agent, other, gated[0]), 403, "identity_unverified")


def test_support_hours_follow_the_calendar_in_force(desk):
    m = create_macro(desk.agent, "[{{support.hours}}] [{{support.next_open}}]")
    tid = new_ticket(desk.mike)
    cal = desk.admin.get("/api/v2/calendar").json()["calendar"]
    try:
        changed = dict(cal, label="Toronto time", hours={"sat": ["10:00-14:00"],
                                                          "sun": ["10:00-14:00"],
                                                          "mon": ["08:30-12:00", "13:00-17:45"]},
                       holidays={"presets": [], "dates": [], "rules": []})
        resp = desk.admin.put("/api/v2/calendar", {"calendar": changed})
        assert resp.status_code == 200, resp.text
        body = applied(desk.agent, tid, m["id"])
        hours = ("Monday, 8:30 a.m. to 12:00 p.m. and 1:00 p.m. to 5:45 p.m.; Saturday and "
                 "Sunday, 10:00 a.m. to 2:00 p.m. Toronto time")
        assert body.startswith(f"[{hours}] [")
        assert body.endswith(" Toronto time]")
    finally:
        resp = desk.admin.put("/api/v2/calendar", {"calendar": cal})
        assert resp.status_code == 200, resp.text
    assert applied(desk.agent, tid, m["id"]).startswith(f"[{DEFAULT_HOURS}] [")


def test_contact_deletion_link_uses_the_public_url(server):
    srv = server(public_url="https://help.example.com")
    create_admin(srv)
    staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
    agent = Api(srv, token_create(srv, "agent@example.com"))
    acme = add_organization(srv.db, "Acme Shop")
    add_requester(srv, "olive@acme.example", "Olive Owner", acme, "owner")
    tid = new_ticket(sign_in(srv, "olive@acme.example"), subject="Delete contacts")
    mid = by_key(agent)["scope.policy_answer.contact_deletion"]["id"]
    body = applied(agent, tid, mid)
    assert "\n\nhttps://help.example.com/hc/articles/deleting-contacts-yourself\n\n" in body
    assert body.startswith("Hi Olive,")
