"""GET /api/v2/sla/report (issue 4): per week, priority and channel, the first touches met and
late with the share met and the median and 90th percentile first-touch time in business
minutes, and the follow-ups met and late. Histories are imported with a past on the default
calendar (America/Toronto, Mon-Fri 09:00-17:00): week of Monday 2026-11-16."""

import pytest

from conftest import assert_error
from test_tickets import desk  # noqa: F401 (a fixture)

WEEK = "2026-11-16"


def history(desk, minutes_to_answer, priority="normal", channel="web", answered=True):
    """Submitted Tuesday 2026-11-17 10:00 EST (15:00Z), answered after so many business
    minutes (all within the day, so wall minutes too)."""
    comments = [{"author_id": desk.rita_id, "value": "Help", "created_at": "2026-11-17T15:00:00Z"}]
    if answered:
        h, m = divmod(minutes_to_answer, 60)
        comments.append({"author_id": desk.agent_id, "value": "Done",
                         "created_at": f"2026-11-17T{15 + h:02d}:{m:02d}:00Z"})
    resp = desk.admin.post("/api/v2/imports/tickets", {"ticket": {
        "subject": "report case", "requester_id": desk.rita_id, "status": "pending",
        "priority": priority, "via": {"channel": channel}, "created_at": "2026-11-17T15:00:00Z",
        "comments": comments}})
    assert resp.status_code == 201, resp.text
    return resp.json()["ticket"]["id"]


def report(api, **params):
    resp = api.get("/api/v2/sla/report", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["sla_report"]


def test_first_touches_per_week_priority_and_channel(desk):
    for minutes in (10, 20, 30, 40, 50, 60, 70, 80, 90, 150):  # the last one is late (> 120)
        history(desk, minutes)
    history(desk, 0, answered=False)  # breached and unanswered: late, no time
    history(desk, 5, priority="urgent", channel="voice")
    r = report(desk.agent, **{"from": "2026-11-16", "to": "2026-11-23"})
    assert (r["from"], r["to"]) == ("2026-11-16", "2026-11-23")
    rows = {(x["week"], x["priority"], x["channel"]): x for x in r["rows"]}
    web = rows[(WEEK, "normal", "web")]
    assert web["tickets"] == 11
    ft = web["first_touch"]
    assert (ft["met"], ft["late"]) == (9, 2)
    assert ft["share_met"] == pytest.approx(9 / 11, abs=1e-4)
    # Ten answer times 10..90 and 150 minutes: median (nearest rank) 50, p90 90.
    assert (ft["median_minutes"], ft["p90_minutes"]) == (50.0, 90.0)
    voice = rows[(WEEK, "urgent", "voice")]
    assert voice["first_touch"]["met"] == 1 and voice["first_touch"]["median_minutes"] == 0.0


def test_weeks_are_whole_and_empty_ranges_are_empty(desk):
    r = report(desk.agent, **{"from": "2026-11-18", "to": "2026-11-19"})
    assert (r["from"], r["to"]) == ("2026-11-16", "2026-11-23")
    assert report(desk.agent, **{"from": "2020-01-06", "to": "2020-01-13"})["rows"] == []


def test_the_default_range_is_four_weeks(desk):
    r = report(desk.agent)
    assert r["from"] < r["to"]


@pytest.mark.parametrize("params, status, field", [
    ({"from": "2026-13-01"}, 400, "from"),
    ({"to": "yesterday"}, 400, "to"),
    ({"from": "2026-11-23", "to": "2026-11-16"}, 422, "to"),
    ({"from": "2020-01-06", "to": "2026-01-05"}, 422, "to"),
])
def test_bad_ranges_name_the_parameter(desk, params, status, field):
    code = {400: "bad_request", 422: "invalid"}[status]
    assert_error(desk.agent.get("/api/v2/sla/report", params=params), status, code, field)


def test_staff_only(desk):
    assert_error(desk.rita.get("/api/v2/sla/report"), 403, "forbidden")
    assert_error(desk.anon.get("/api/v2/sla/report"), 401, "unauthorized")
