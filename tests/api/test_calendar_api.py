"""The support calendar through the API (issue 4): GET /api/v2/support_hours for anyone, the
calendar for admins (GET/PUT /api/v2/calendar, audited, errors naming the key path), holidays by
year for staff, and `init` seeding the policy pack's calendar only where none is set."""

import datetime
import time

import pytest

from conftest import (ADMIN, Api, assert_error, create_admin, db_scalar, init_db, staff_add,
                      token_create, add_requester, sign_in)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    from conftest import ServerPool
    pool = ServerPool(tmp_path_factory.mktemp("calendar"))
    try:
        srv = pool.start()
        create_admin(srv)
        staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
        add_requester(srv, "rita@example.com", "Rita Requester")
        yield {"srv": srv, "admin": Api(srv, token_create(srv, ADMIN["email"])),
               "agent": Api(srv, token_create(srv, "agent@example.com")),
               "rita": sign_in(srv, "rita@example.com"), "anon": Api(srv)}
    finally:
        pool.close()


def iso(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


def put_calendar(api, calendar):
    return api.put("/api/v2/calendar", {"calendar": calendar})


def hours(desk):
    resp = desk["anon"].get("/api/v2/support_hours")
    assert resp.status_code == 200, resp.text
    return resp.json()["support_hours"]


def test_init_stored_the_policy_packs_calendar(desk):
    resp = desk["admin"].get("/api/v2/calendar")
    assert resp.status_code == 200, resp.text
    cal = resp.json()["calendar"]
    assert cal["timezone"] == "America/Toronto" and cal["label"] == "Eastern"
    assert cal["hours"] == {d: (["09:00-17:00"] if d not in ("sat", "sun") else []) for d in DAYS}
    assert cal["holidays"] == {"presets": ["CA-ON"], "dates": [], "rules": []}
    stored = db_scalar(desk["srv"].db, "SELECT value FROM settings WHERE key = 'policy.calendar'")
    assert '"America/Toronto"' in stored


def test_support_hours_are_public_and_consistent(desk):
    put_calendar(desk["admin"], {})  # the default calendar
    h = hours(desk)
    assert h["timezone"] == "America/Toronto" and h["label"] == "Eastern"
    now = iso(h["now"])
    if h["open"]:
        assert h["opens_at"] is None and iso(h["closes_at"]) > now
    else:
        assert h["closes_at"] is None and iso(h["opens_at"]) > now
    assert h["hours"]["mon"] == ["09:00-17:00"] and h["hours"]["sun"] == []
    assert 1 <= len(h["holidays"]) <= 5
    dates = [x["date"] for x in h["holidays"]]
    assert dates == sorted(dates) and dates[0] >= (now - datetime.timedelta(days=1)).date().isoformat()


def test_always_open_and_never_open(desk):
    assert put_calendar(desk["admin"], {"hours": {d: ["00:00-24:00"] for d in DAYS},
                                        "holidays": {"presets": []}}).status_code == 200
    h = hours(desk)
    assert h["open"] is True and h["opens_at"] is None and iso(h["closes_at"]) > iso(h["now"])
    assert put_calendar(desk["admin"], {"hours": {}}).status_code == 200
    h = hours(desk)
    assert h["open"] is False and h["opens_at"] is None and h["closes_at"] is None
    put_calendar(desk["admin"], {})


def test_admins_change_the_calendar_and_it_is_audited(desk):
    cal = {"timezone": "America/Vancouver", "label": "Pacific",
           "hours": {"mon": ["08:00-12:00", "13:00-17:00"], "sat": ["10:00-14:00"]},
           "holidays": {"presets": ["CA"], "dates": ["2026-12-24"],
                        "rules": [{"name": "BC Day", "kind": "nth_weekday", "month": 8,
                                   "weekday": "mon", "n": 1}]}}
    resp = put_calendar(desk["admin"], cal)
    assert resp.status_code == 200, resp.text
    got = resp.json()["calendar"]
    assert got["timezone"] == "America/Vancouver" and got["label"] == "Pacific"
    assert got["hours"]["mon"] == ["08:00-12:00", "13:00-17:00"] and got["hours"]["tue"] == []
    assert got["holidays"]["rules"][0]["name"] == "BC Day"
    assert desk["admin"].get("/api/v2/calendar").json() == resp.json()
    assert hours(desk)["label"] == "Pacific"
    logs = desk["admin"].get("/api/v2/audit_logs",
                             params={"filter[action]": "calendar.changed"}).json()["audit_logs"]
    assert logs and logs[-1]["target_type"] == "policy"
    put_calendar(desk["admin"], {})


@pytest.mark.parametrize("calendar, field", [
    ({"timezone": "Mars/Olympus"}, "calendar.timezone"),
    ({"hours": {"mon": ["09:00-12:00", "11:00-13:00"]}}, "calendar.hours.mon"),
    ({"hours": {"mon": ["9-5"]}}, "calendar.hours.mon"),
    ({"hours": {"someday": []}}, "calendar.hours.someday"),
    ({"holidays": {"presets": ["CA-QC"]}}, "calendar.holidays.presets"),
    ({"holidays": {"dates": ["2026-02-30"]}}, "calendar.holidays.dates"),
    ({"holidays": {"rules": [{"name": "x", "kind": "lunar"}]}}, "calendar.holidays.rules[0].kind"),
    ({"label": ""}, "calendar.label"),
    ({"colour": "blue"}, "calendar.colour"),
])
def test_bad_calendars_are_422_naming_the_key_and_change_nothing(desk, calendar, field):
    before = desk["admin"].get("/api/v2/calendar").json()
    err = assert_error(put_calendar(desk["admin"], calendar), 422, "invalid")
    assert err["field"].startswith(field), err
    assert desk["admin"].get("/api/v2/calendar").json() == before


def test_the_body_must_hold_a_calendar(desk):
    assert_error(desk["admin"].put("/api/v2/calendar", {"hours": {}}), 422, "invalid", "calendar")


@pytest.mark.parametrize("who, status", [("agent", 403), ("rita", 403), ("anon", 401)])
def test_only_admins_read_and_change_the_calendar(desk, who, status):
    api = desk[who]
    code = {401: "unauthorized", 403: "forbidden"}[status]
    assert_error(api.get("/api/v2/calendar"), status, code)
    assert_error(put_calendar(api, {}), status, code)


def test_holidays_by_year(desk):
    resp = desk["agent"].get("/api/v2/calendar/holidays", params={"year": 2021})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["year"] == 2021
    got = {(h["date"], h["name"], h["observed"]) for h in body["holidays"]}
    assert ("2021-12-27", "Christmas Day", True) in got
    assert ("2021-12-28", "Boxing Day", True) in got
    assert ("2021-05-24", "Victoria Day", False) in got
    assert [h["date"] for h in body["holidays"]] == sorted(h["date"] for h in body["holidays"])
    for year in ("", "1969", "2200", "20x1", "2021.0"):
        assert_error(desk["agent"].get("/api/v2/calendar/holidays", params={"year": year}),
                     400, "bad_request", "year")
    assert_error(desk["rita"].get("/api/v2/calendar/holidays", params={"year": 2021}),
                 403, "forbidden")


def test_a_later_init_keeps_what_admins_changed(desk):
    assert put_calendar(desk["admin"], {"label": "Toronto time"}).status_code == 200
    init_db(desk["srv"].db)
    assert desk["admin"].get("/api/v2/calendar").json()["calendar"]["label"] == "Toronto time"
    put_calendar(desk["admin"], {})


# ---- SLA targets -------------------------------------------------------------------------------

PACK = {"first_touch": {"clock": "business", "warn_minutes": 90, "due_minutes": 120},
        "follow_up": {"urgent": {"clock": "calendar", "warn_minutes": 60, "due_minutes": 240},
                      "high": {"clock": "calendar", "warn_minutes": 1080, "due_minutes": 1440},
                      "normal": {"clock": "business", "warn_minutes": 480, "due_minutes": 1440},
                      "low": {"clock": "business", "warn_minutes": 480, "due_minutes": 1440}}}


def test_staff_read_the_sla_targets_from_the_policy_pack(desk):
    resp = desk["agent"].get("/api/v2/sla_targets")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"sla_targets": PACK}
    assert_error(desk["rita"].get("/api/v2/sla_targets"), 403, "forbidden")
    assert_error(desk["anon"].get("/api/v2/sla_targets"), 401, "unauthorized")


def test_admins_change_the_targets_and_running_clocks_follow(desk):
    srv, admin = desk["srv"], desk["admin"]
    put_calendar(admin, {"hours": {d: ["00:00-24:00"] for d in DAYS}, "holidays": {"presets": []}})
    resp = admin.post("/api/v2/tickets", {"ticket": {"subject": "slow", "comment": {"body": "x"},
                                                     "requester": {"name": "Sam",
                                                                   "email": "sam@example.com"}}})
    assert resp.status_code == 201, resp.text
    t = resp.json()["ticket"]
    due = iso(t["sla"]["due_at"])
    assert abs((due - iso(t["created_at"])).total_seconds() - 120 * 60) < 2
    new = {"first_touch": {"clock": "calendar", "warn_minutes": 10, "due_minutes": 30,
                           "why": "faster"},
           "follow_up": PACK["follow_up"]}
    resp = admin.put("/api/v2/sla_targets", {"sla_targets": new})
    assert resp.status_code == 200, resp.text
    assert resp.json()["sla_targets"]["first_touch"] == {"clock": "calendar", "warn_minutes": 10,
                                                         "due_minutes": 30}
    logs = admin.get("/api/v2/audit_logs",
                     params={"filter[action]": "sla_targets.changed"}).json()["audit_logs"]
    assert logs and logs[-1]["target_type"] == "policy"
    # The sweep judges the open ticket again: due 30 minutes after submission now.
    deadline = time.monotonic() + 12
    while time.monotonic() < deadline:
        shown = admin.get(f"/api/v2/tickets/{t['id']}").json()["ticket"]["sla"]
        if shown["due_at"] != t["sla"]["due_at"]:
            break
        time.sleep(0.2)
    assert abs((iso(shown["due_at"]) - iso(t["created_at"])).total_seconds() - 30 * 60) < 2
    assert admin.put("/api/v2/sla_targets", {"sla_targets": PACK}).status_code == 200
    put_calendar(admin, {})


@pytest.mark.parametrize("targets, field", [
    ({"first_touch": {"warn_minutes": 30, "due_minutes": 10}, "follow_up": PACK["follow_up"]},
     "sla_targets.first_touch.warn_minutes"),
    ({"first_touch": PACK["first_touch"], "follow_up": {"normal": PACK["follow_up"]["normal"]}},
     "sla_targets.follow_up.high"),
    ({"first_touch": {"clock": "lunar", "warn_minutes": 1, "due_minutes": 2},
      "follow_up": PACK["follow_up"]}, "sla_targets.first_touch.clock"),
    ({"follow_up": PACK["follow_up"]}, "sla_targets.first_touch"),
    ({"first_touch": PACK["first_touch"], "follow_up": PACK["follow_up"], "x": 1},
     "sla_targets.x"),
])
def test_bad_targets_are_422_naming_the_key_and_change_nothing(desk, targets, field):
    admin = desk["admin"]
    before = admin.get("/api/v2/sla_targets").json()
    err = assert_error(admin.put("/api/v2/sla_targets", {"sla_targets": targets}), 422, "invalid")
    assert err["field"] == field, err
    assert admin.get("/api/v2/sla_targets").json() == before


def test_only_admins_change_the_targets(desk):
    assert_error(desk["agent"].put("/api/v2/sla_targets", {"sla_targets": PACK}), 403, "forbidden")
    assert_error(desk["admin"].put("/api/v2/sla_targets", {"targets": PACK}), 422, "invalid",
                 "sla_targets")
