"""POST /api/v2/imports/tickets (Zendesk's ticket import, admins only): a ticket with its past,
kept as given (the ticket's and comments' instants, any status including closed), events at the
import's instants, nothing sent, validation naming the field, all or nothing. Also
ticket.comment.author_id on create and update: staff write a comment on behalf of someone."""

import datetime

import pytest

from conftest import assert_error, db_query, db_scalar
from test_tickets import (TICKET_KEYS, comments, create, desk, events, row_counts,  # noqa: F401
                          show, ticket_body, update)

CREATED = "2021-03-04T05:06:07Z"
FIRST = "2021-03-04T05:06:07Z"
NOTE = "2021-03-05T10:00:00Z"
REPLY = "2021-03-06T11:30:00Z"
SOLVED = "2021-03-07T09:00:00Z"
UPDATED = "2021-03-20T00:00:00Z"


def epoch(text):
    return int(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=datetime.timezone.utc).timestamp())


def history(desk, **extra):
    """A closed ticket of rita's with three comments, as an import body."""
    t = {"subject": "Old invoice question", "requester_id": desk.rita_id,
         "assignee_id": desk.agent_id, "status": "closed", "priority": "high",
         "tags": ["Legacy", "billing"], "created_at": CREATED, "updated_at": UPDATED,
         "solved_at": SOLVED,
         "comments": [
             {"author_id": desk.rita_id, "value": "Why was I charged twice?", "created_at": FIRST},
             {"author_id": desk.agent_id, "body": "checked the ledger", "public": False,
              "created_at": NOTE},
             {"author_id": desk.agent_id, "value": "Refunded, sorry!", "public": True,
              "created_at": REPLY}]}
    t.update(extra)
    return {"ticket": t}


def do_import(api, body):
    resp = api.post("/api/v2/imports/tickets", body)
    assert resp.status_code == 201, resp.text
    assert list(resp.json()) == ["ticket"]
    return resp.json()["ticket"]


def test_an_import_keeps_its_past(desk):
    outbox = int(db_scalar(desk.srv.db, "SELECT count(*) FROM outbox"))
    resp = desk.admin.post("/api/v2/imports/tickets", history(desk))
    assert resp.status_code == 201, resp.text
    t = resp.json()["ticket"]
    assert set(t) == TICKET_KEYS
    assert resp.headers["Location"] == f"/api/v2/tickets/{t['id']}.json"
    assert (t["status"], t["priority"], t["created_at"], t["updated_at"]) == \
        ("closed", "high", CREATED, UPDATED)
    assert (t["requester_id"], t["submitter_id"], t["assignee_id"], t["organization_id"]) == \
        (desk.rita_id, desk.rita_id, desk.agent_id, desk.globex)
    assert t["tags"] == ["billing", "legacy"] and t["via"] == {"channel": "api"}
    assert t["description"] == "Why was I charged twice?"
    assert show(desk.agent, t["id"]) == t
    assert db_scalar(desk.srv.db, f"SELECT solved_at FROM tickets WHERE id = {t['id']}") == \
        str(epoch(SOLVED))
    got = [(c["author_id"], c["body"], c["public"], c["created_at"])
           for c in comments(desk.agent, t["id"])]
    assert got == [(desk.rita_id, "Why was I charged twice?", True, FIRST),
                   (desk.agent_id, "checked the ledger", False, NOTE),
                   (desk.agent_id, "Refunded, sorry!", True, REPLY)]
    # the requester sees her history, without the note
    assert [c["created_at"] for c in comments(desk.rita, t["id"])] == [FIRST, REPLY]
    # nothing is sent
    assert int(db_scalar(desk.srv.db, "SELECT count(*) FROM outbox")) == outbox
    # and the audit log says who imported what
    resp = desk.admin.get("/api/v2/audit_logs", params={"filter[action]": "ticket.imported"})
    assert resp.status_code == 200, resp.text
    [entry] = [a for a in resp.json()["audit_logs"] if a["target_id"] == t["id"]]
    assert (entry["actor_id"], entry["target_type"]) == (desk.admin_id, "ticket")


def test_an_imports_events_carry_its_instants(desk):
    t = do_import(desk.admin, history(desk))
    rows = db_query(desk.srv.db, f"SELECT field, at, actor_id, new_value FROM ticket_events "
                                 f"WHERE ticket_id = {t['id']} ORDER BY id")
    born = {(f, int(at), int(a)) for f, at, a, _ in rows[:-3]}
    assert {f for f, _, _ in born} == {"subject", "status", "priority", "via", "requester_id",
                                       "submitter_id", "organization_id", "assignee_id", "tags"}
    assert {(at, a) for _, at, a in born} == {(epoch(CREATED), desk.admin_id)}
    assert [(f, int(at), int(a)) for f, at, a, _ in rows[-3:]] == [
        ("comment", epoch(FIRST), desk.rita_id), ("internal_note", epoch(NOTE), desk.agent_id),
        ("comment", epoch(REPLY), desk.agent_id)]
    assert ("status", None, "closed", desk.admin_id) in events(desk, t["id"])


def test_defaults_come_from_the_history(desk):
    body = history(desk, status="solved")
    for key in ("updated_at", "solved_at", "assignee_id", "tags", "priority"):
        del body["ticket"][key]
    t = do_import(desk.admin, body)
    assert (t["status"], t["priority"], t["assignee_id"], t["tags"]) == \
        ("solved", "normal", None, [])
    assert t["updated_at"] == REPLY  # the latest comment
    assert db_scalar(desk.srv.db, f"SELECT solved_at FROM tickets WHERE id = {t['id']}") == \
        str(epoch(REPLY))
    # a comment without created_at takes the ticket's; an open ticket has no solved_at
    body = history(desk, status="open", comments=[{"author_id": desk.rita_id, "body": "hi"}])
    del body["ticket"]["updated_at"], body["ticket"]["solved_at"]
    t = do_import(desk.admin, body)
    assert (t["status"], t["updated_at"]) == ("open", CREATED)
    assert comments(desk.agent, t["id"])[0]["created_at"] == CREATED
    assert db_scalar(desk.srv.db, f"SELECT solved_at FROM tickets WHERE id = {t['id']}") is None


def test_without_created_at_the_ticket_is_born_now(desk):
    body = history(desk, status="new", comments=[])
    for key in ("created_at", "updated_at", "solved_at"):
        del body["ticket"][key]
    t = do_import(desk.admin, body)
    created = datetime.datetime.strptime(t["created_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs((datetime.datetime.utcnow() - created).total_seconds()) < 60
    assert t["description"] == ""


def test_imported_past_is_found_by_search(desk):
    t = do_import(desk.admin, history(desk, subject="Quokka ledger mystery"))
    resp = desk.agent.get("/api/v2/search", params={"query": "quokka status:closed"})
    assert [r["id"] for r in resp.json()["results"]] == [t["id"]]
    assert resp.json()["results"][0]["created_at"] == CREATED


@pytest.mark.parametrize("who", ["agent", "rita"])
def test_only_admins_import(desk, who):
    before = row_counts(desk.srv.db)
    assert_error(getattr(desk, who).post("/api/v2/imports/tickets", history(desk)), 403,
                 "forbidden")
    assert_error(desk.anon.post("/api/v2/imports/tickets", history(desk)), 401, "unauthorized")
    assert row_counts(desk.srv.db) == before


def comment_at(desk, i, **fields):
    body = history(desk)
    body["ticket"]["comments"][i].update(fields)
    return body


@pytest.mark.parametrize("change, field", [
    (lambda d, b: b["ticket"].pop("subject"), "ticket.subject"),
    (lambda d, b: b["ticket"].pop("requester_id"), "ticket.requester_id"),
    (lambda d, b: b["ticket"].update(requester_id=999999), "ticket.requester_id"),
    (lambda d, b: b["ticket"].update(assignee_id=d.rita_id), "ticket.assignee_id"),
    (lambda d, b: b["ticket"].update(group_id=999999), "ticket.group_id"),
    (lambda d, b: b["ticket"].update(status="archived"), "ticket.status"),
    (lambda d, b: b["ticket"].update(priority="p1"), "ticket.priority"),
    (lambda d, b: b["ticket"].update(tags="billing"), "ticket.tags"),
    (lambda d, b: b["ticket"].update(created_at="yesterday"), "ticket.created_at"),
    (lambda d, b: b["ticket"].update(created_at=1614834367), "ticket.created_at"),
    (lambda d, b: b["ticket"].update(created_at="2999-01-01T00:00:00Z"), "ticket.created_at"),
    (lambda d, b: b["ticket"].update(updated_at="2021-03-01T00:00:00Z"), "ticket.updated_at"),
    (lambda d, b: b["ticket"].update(status="open"), "ticket.solved_at"),
    (lambda d, b: b["ticket"].update(solved_at="2020-01-01T00:00:00Z"), "ticket.solved_at"),
    (lambda d, b: b["ticket"].update(comments={}), "ticket.comments"),
    (lambda d, b: b["ticket"]["comments"].append("hello"), "ticket.comments[3]"),
    (lambda d, b: b["ticket"]["comments"][0].update(created_at="2021-03-04T05:06:06Z"),
     "ticket.comments[0].created_at"),
    (lambda d, b: b["ticket"]["comments"][2].update(created_at="2021-13-01T00:00:00Z"),
     "ticket.comments[2].created_at"),
    (lambda d, b: b["ticket"]["comments"][1].update(author_id=999999),
     "ticket.comments[1].author_id"),
    (lambda d, b: b["ticket"]["comments"][1].pop("author_id"), "ticket.comments[1].author_id"),
    (lambda d, b: b["ticket"]["comments"][1].update(author_id=d.mike_id),  # a note by a requester
     "ticket.comments[1].author_id"),
    (lambda d, b: b["ticket"]["comments"][0].update(value="  "), "ticket.comments[0].value"),
    (lambda d, b: b["ticket"]["comments"][1].pop("body"), "ticket.comments[1].body"),
    (lambda d, b: b["ticket"]["comments"][2].update(public="yes"), "ticket.comments[2].public"),
])
def test_validation_names_the_field_and_leaves_nothing(desk, change, field):
    body = history(desk)
    change(desk, body)
    before = row_counts(desk.srv.db)
    assert_error(desk.admin.post("/api/v2/imports/tickets", body), 422, "invalid", field)
    assert row_counts(desk.srv.db) == before


def test_an_import_needs_a_ticket_object(desk):
    assert_error(desk.admin.post("/api/v2/imports/tickets", {"tickets": []}), 422, "invalid",
                 "ticket")


# ---------------------------------------------------------------- comment.author_id


def test_staff_log_a_phone_call_for_the_requester(desk):
    t = create(desk.agent, requester_id=desk.mike_id, body="Mike called: site is slow",
               comment={"body": "Mike called: site is slow", "author_id": desk.mike_id})
    [c] = comments(desk.agent, t["id"])
    assert c["author_id"] == desk.mike_id
    assert t["submitter_id"] == desk.agent_id
    t2 = update(desk.agent, t["id"], comment={"body": "Called again", "author_id": desk.mike_id})
    assert t2["status"] == "new"  # staff logged it: no requester-reply rule, staff set status
    got = comments(desk.mike, t["id"])
    assert [(c["author_id"], c["body"]) for c in got] == [
        (desk.mike_id, "Mike called: site is slow"), (desk.mike_id, "Called again")]
    # the events keep who wrote it down
    assert [a for f, _, _, a in events(desk, t["id"]) if f == "comment"] == [desk.agent_id] * 2


def test_staff_may_note_on_behalf_of_staff(desk):
    t = create(desk.agent, requester_id=desk.mike_id)
    update(desk.agent, t["id"], comment={"body": "per admin", "public": False,
                                         "author_id": desk.admin_id})
    assert comments(desk.agent, t["id"])[-1]["author_id"] == desk.admin_id


def test_requesters_may_not_set_the_author(desk):
    before = row_counts(desk.srv.db)
    body = ticket_body()
    body["ticket"]["comment"]["author_id"] = desk.rita_id
    assert_error(desk.rita.post("/api/v2/tickets", body), 403, "forbidden",
                 "ticket.comment.author_id")
    t = create(desk.rita)
    assert_error(desk.rita.put(f"/api/v2/tickets/{t['id']}", {"ticket": {"comment": {
        "body": "me", "author_id": desk.rita_id}}}), 403, "forbidden", "ticket.comment.author_id")
    assert row_counts(desk.srv.db)["ticket_comments"] == before["ticket_comments"] + 1


@pytest.mark.parametrize("author, public, status, field", [
    (999999, True, 422, "ticket.comment.author_id"),
    ("7", True, 422, "ticket.comment.author_id"),
    (0, True, 422, "ticket.comment.author_id"),
    ("mike", False, 422, "ticket.comment.author_id"),  # a requester writes no internal note
])
def test_a_bad_author_is_refused(desk, author, public, status, field):
    author = desk.mike_id if author == "mike" else author
    before = row_counts(desk.srv.db)
    body = ticket_body(requester_id=desk.mike_id)
    body["ticket"]["comment"].update(author_id=author, public=public)
    assert_error(desk.agent.post("/api/v2/tickets", body), status, "invalid", field)
    t = create(desk.agent, requester_id=desk.mike_id)
    mid = row_counts(desk.srv.db)
    assert_error(desk.agent.put(f"/api/v2/tickets/{t['id']}", {"ticket": {"comment": {
        "body": "x", "author_id": author, "public": public}}}), status, "invalid", field)
    assert row_counts(desk.srv.db) == mid
    assert mid["tickets"] == before["tickets"] + 1
