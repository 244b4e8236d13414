"""The calendar commands' contract from issue 4 (docs/calendar.md), run on the real binary.

`frontdesk calendar holidays|add|between|next-open` need no database; output is exact
(`YYYY-MM-DDTHH:MM:SSZ`, integer seconds, a JSON array sorted by date), and bad input exits 2
with one line on stderr naming the key path or the flag. Expected values were worked out by
hand from a printed calendar (Toronto is UTC-5 in winter, UTC-4 in summer).
"""

import json

import pytest

from conftest import run_cli


def cli(*args):
    res = run_cli("calendar", *args)
    return res.returncode, res.stdout, res.stderr


def ok(*args):
    code, out, err = cli(*args)
    assert code == 0, err
    assert err == ""
    return out


def bad(*args, names):
    code, out, err = cli(*args)
    assert code == 2, (out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert names in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def calfile(tmp_path):
    """calfile(obj or text) -> path of a calendar file holding it."""
    n = [0]

    def write(doc):
        n[0] += 1
        p = tmp_path / f"cal{n[0]}.json"
        p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        return str(p)

    return write


# ---------------------------------------------------------------- holidays


def holidays(year, *extra):
    return json.loads(ok("holidays", "--year", year, "--json", *extra))


def test_holidays_2021_christmas_on_saturday():
    assert holidays(2021) == [
        {"date": "2021-01-01", "name": "New Year's Day", "observed": False},
        {"date": "2021-02-15", "name": "Family Day", "observed": False},
        {"date": "2021-04-02", "name": "Good Friday", "observed": False},
        {"date": "2021-05-24", "name": "Victoria Day", "observed": False},
        {"date": "2021-07-01", "name": "Canada Day", "observed": False},
        {"date": "2021-09-06", "name": "Labour Day", "observed": False},
        {"date": "2021-10-11", "name": "Thanksgiving", "observed": False},
        {"date": "2021-12-25", "name": "Christmas Day", "observed": False},
        {"date": "2021-12-26", "name": "Boxing Day", "observed": False},
        {"date": "2021-12-27", "name": "Christmas Day", "observed": True},
        {"date": "2021-12-28", "name": "Boxing Day", "observed": True},
    ]


def test_holidays_2022_new_year_saturday_christmas_sunday():
    assert holidays(2022) == [
        {"date": "2022-01-01", "name": "New Year's Day", "observed": False},
        {"date": "2022-01-03", "name": "New Year's Day", "observed": True},
        {"date": "2022-02-21", "name": "Family Day", "observed": False},
        {"date": "2022-04-15", "name": "Good Friday", "observed": False},
        {"date": "2022-05-23", "name": "Victoria Day", "observed": False},
        {"date": "2022-07-01", "name": "Canada Day", "observed": False},
        {"date": "2022-09-05", "name": "Labour Day", "observed": False},
        {"date": "2022-10-10", "name": "Thanksgiving", "observed": False},
        {"date": "2022-12-25", "name": "Christmas Day", "observed": False},
        {"date": "2022-12-26", "name": "Boxing Day", "observed": False},
        {"date": "2022-12-27", "name": "Christmas Day", "observed": True},
    ]


def test_holidays_from_a_file_with_rules_and_dates(calfile):
    path = calfile({"holidays": {
        "presets": ["CA"],
        "dates": ["2021-12-27", "2021-12-24"],
        "rules": [
            {"name": "Civic Holiday", "kind": "nth_weekday", "month": 8, "weekday": "mon", "n": 1},
            {"name": "Easter Monday", "kind": "easter", "offset": 1, "from_year": 2022},
            {"name": "Victoria Day", "kind": "monday_before", "month": 5, "day": 25},
            {"name": "Last", "kind": "nth_weekday", "month": 11, "weekday": "fri", "n": "last",
             "to_year": 2021},
        ]}})
    got = holidays(2021, "--calendar", path)
    assert [(h["date"], h["name"], h["observed"]) for h in got] == [
        ("2021-01-01", "New Year's Day", False),
        ("2021-04-02", "Good Friday", False),
        ("2021-05-24", "Victoria Day", False),
        ("2021-07-01", "Canada Day", False),
        ("2021-08-02", "Civic Holiday", False),
        ("2021-09-06", "Labour Day", False),
        ("2021-11-26", "Last", False),
        ("2021-12-24", "Holiday", False),
        ("2021-12-25", "Christmas Day", False),
        # Monday 27 is an explicit date, so Christmas is observed on Tuesday 28.
        ("2021-12-27", "Holiday", False),
        ("2021-12-28", "Christmas Day", True),
    ]
    assert "Easter Monday" in {h["name"] for h in holidays(2022, "--calendar", path)}


def test_holidays_year_bounds():
    assert holidays(1970)[0]["date"] == "1970-01-01"
    assert holidays(2199)[-1]["date"].startswith("2199-12-")
    bad("holidays", "--year", "1969", "--json", names="--year")
    bad("holidays", "--year", "2200", "--json", names="--year")
    bad("holidays", "--json", names="--year")


# ---------------------------------------------------------------- add, between, next-open


def test_add_exact_outputs():
    assert ok("add", "--start", "2026-11-26T14:00:00Z", "--seconds", "0") == "2026-11-26T14:00:00Z\n"
    # A deadline that exactly fills the day ends at 17:00, not at 09:00 the next day.
    assert ok("add", "--start", "2026-11-26T14:00:00Z", "--seconds", "28800") == "2026-11-26T22:00:00Z\n"
    assert ok("add", "--start", "2026-11-26T14:00:00Z", "--seconds", "28801") == "2026-11-27T14:00:01Z\n"
    # Friday Dec 24 2021 16:00 EST plus two hours: Tue 28 is Boxing Day observed, so Wednesday.
    assert ok("add", "--start", "2021-12-24T21:00:00Z", "--seconds", "7200") == "2021-12-29T15:00:00Z\n"


def test_between_exact_outputs():
    assert ok("between", "--from", "2021-12-24T14:00:00Z", "--to", "2021-12-29T14:00:00Z") == "28800\n"
    assert ok("between", "--from", "2026-11-26T14:00:00Z", "--to", "2026-12-26T14:00:00Z") == "604800\n"
    assert ok("between", "--from", "2026-11-27T14:00:00Z", "--to", "2026-11-26T14:00:00Z") == "0\n"


def test_next_open_exact_outputs():
    assert ok("next-open", "--at", "2026-11-26T22:00:00Z") == "2026-11-27T14:00:00Z\n"
    assert ok("next-open", "--at", "2026-11-26T15:30:00Z") == "2026-11-26T15:30:00Z\n"
    assert ok("next-open", "--at", "2026-06-12T21:00:00Z") == "2026-06-15T13:00:00Z\n"


def test_dst_calendar_from_a_file(calfile):
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    path = calfile({"timezone": "America/Toronto", "hours": {d: ["01:00-03:00"] for d in days},
                    "holidays": {}})
    assert ok("between", "--from", "2026-03-08T00:00:00Z", "--to", "2026-03-09T00:00:00Z",
              "--calendar", path) == "3600\n"
    assert ok("between", "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z",
              "--calendar", path) == "10800\n"
    allday = calfile({"hours": {d: ["00:00-24:00"] for d in days}, "holidays": {}})
    assert ok("between", "--from", "2026-03-08T05:00:00Z", "--to", "2026-03-09T04:00:00Z",
              "--calendar", allday) == str(23 * 3600) + "\n"


def test_open_across_midnight(calfile):
    path = calfile({"timezone": "UTC", "hours": {"mon": ["22:00-24:00"], "tue": ["00:00-06:00"]}})
    assert ok("add", "--start", "2026-11-23T23:00:00Z", "--seconds", "10800",
              "--calendar", path) == "2026-11-24T02:00:00Z\n"
    assert ok("next-open", "--at", "2026-11-24T06:00:00Z", "--calendar", path) == "2026-11-30T22:00:00Z\n"


def test_missing_keys_take_defaults(calfile):
    # Only the zone given: hours and holidays are the defaults.
    path = calfile({"timezone": "America/Vancouver"})
    assert ok("next-open", "--at", "2026-11-26T22:00:00Z", "--calendar", path) == "2026-11-26T22:00:00Z\n"
    assert ok("next-open", "--at", "2026-11-27T01:00:00Z", "--calendar", path) == "2026-11-27T17:00:00Z\n"
    # hours given: weekdays left out are closed; holidays given but empty: no holidays.
    path = calfile({"hours": {"sat": ["10:00-12:00"]}, "holidays": {}})
    assert ok("next-open", "--at", "2026-11-26T22:00:00Z", "--calendar", path) == "2026-11-28T15:00:00Z\n"


# ---------------------------------------------------------------- bad input


def test_unknown_zone(calfile):
    bad("add", "--start", "2026-11-26T14:00:00Z", "--seconds", "1",
        "--calendar", calfile({"timezone": "Mars/Olympus"}), names="timezone")


def test_overlapping_and_malformed_intervals(calfile):
    for hours in (["09:00-17:00", "16:00-18:00"], ["12:00-13:00", "09:00-10:00"], ["9:00-17:00"],
                  ["17:00-09:00"], ["24:30-25:00"], "09:00-17:00"):
        bad("between", "--from", "2026-11-26T14:00:00Z", "--to", "2026-11-27T14:00:00Z",
            "--calendar", calfile({"hours": {"mon": hours}}), names="hours.mon")
    bad("next-open", "--at", "2026-11-26T14:00:00Z",
        "--calendar", calfile({"hours": {"monday": []}}), names="hours.monday")


def test_bad_dates_presets_rules(calfile):
    at = ("next-open", "--at", "2026-11-26T14:00:00Z", "--calendar")
    for d in ("2021-02-30", "2021-13-01", "21-01-01", "1969-12-31", 20210101):
        bad(*at, calfile({"holidays": {"dates": [d]}}), names="holidays.dates")
    bad(*at, calfile({"holidays": {"presets": ["US"]}}), names="holidays.presets")
    bad(*at, calfile({"holidays": {"rules": [{"name": "X", "kind": "lunar"}]}}),
        names="holidays.rules[0].kind")
    bad(*at, calfile({"holidays": {"rules": [{"name": "X"}]}}), names="holidays.rules[0].kind")
    bad(*at, calfile({"holidays": {"rules": [
        {"name": "A", "kind": "easter", "offset": -2},
        {"name": "B", "kind": "fixed", "month": 2, "day": 30}]}}), names="holidays.rules[1].day")
    bad(*at, calfile({"holidays": {"rules": [{"name": "A", "kind": "nth_weekday", "month": 2,
                                               "weekday": "mon", "n": 5}]}}),
        names="holidays.rules[0].n")
    bad(*at, calfile({"holidays": {"rules": [{"name": "A", "kind": "easter", "offset": 1,
                                               "month": 3}]}}), names="holidays.rules[0].month")


def test_unknown_keys_and_bad_json(calfile):
    at = ("next-open", "--at", "2026-11-26T14:00:00Z", "--calendar")
    bad(*at, calfile({"zone": "UTC"}), names="zone")
    bad(*at, calfile({"holidays": {"extra": []}}), names="holidays.extra")
    bad(*at, calfile("{\"timezone\": "), names="calendar")
    bad(*at, calfile("[]"), names="calendar")
    bad(*at, "/nonexistent/calendar.json", names="--calendar")


def test_never_open_calendar(calfile):
    path = calfile({"hours": {}})
    bad("add", "--start", "2026-11-26T14:00:00Z", "--seconds", "0", "--calendar", path, names="hours")
    bad("next-open", "--at", "2026-11-26T14:00:00Z", "--calendar", path, names="hours")
    assert ok("between", "--from", "2026-11-26T14:00:00Z", "--to", "2026-11-27T14:00:00Z",
              "--calendar", path) == "0\n"
    assert holidays(2021, "--calendar", path)[0]["date"] == "2021-01-01"


def test_bad_flags():
    bad("add", "--start", "2026-11-26 14:00:00", "--seconds", "1", names="--start")
    bad("add", "--start", "2026-11-26T14:00:00+00:00", "--seconds", "1", names="--start")
    bad("add", "--start", "2026-11-26T14:00:00Z", "--seconds", "-1", names="--seconds")
    bad("add", "--start", "2026-11-26T14:00:00Z", "--seconds", "1.5", names="--seconds")
    bad("add", "--start", "2026-11-26T14:00:00Z", names="--seconds")
    bad("add", "--start", "2200-01-01T00:00:00Z", "--seconds", "1", names="--start")
    bad("between", "--from", "2026-11-26T14:00:00Z", names="--to")
    bad("next-open", names="--at")
    bad("next-open", "--at", "2026-11-26T14:00:00Z", "--db", "sqlite:x", names="--db")
    bad("add", "--start", "2199-12-30T14:00:00Z", "--seconds", "999999999", names="--seconds")
    code, _, err = cli("bogus")
    assert code == 2 and "calendar" in err
