"""The support calendar from outside: `frontdesk calendar ...` against an independent reference.

Issue 4 ("The calendar", "Arithmetic", "CLI"). This module shares no code and no tables with
src/: the holiday rules, the presets, Gregorian Easter and the business-time arithmetic are written
again here, in Python, from the text of the issue, the simple and obviously right way:

- holidays: every rule's actual date, then the observed dates placed in order of actual date
  (the first following Monday-Friday date that is not already a holiday of that year, actual or
  observed; explicit dates count);
- time: every local date that is not a holiday contributes its weekday's intervals, each end a
  wall-clock time read with zoneinfo's fold=0 ("24:00" is 00:00 of the next date read the same
  way); the intervals of a window of days are converted to UTC, sorted and merged (so time covered
  twice counts once), and between / add / next-open walk that list. No week jumping, no binary
  search, nothing clever.

The checks: hand-verified cases for the reference itself (they need no binary), the same cases
through the CLI, the holiday list of every year 2000-2100 for every calendar below, and at least
10,000 seeded random `between` / `add` / `next-open` cases concentrated on DST days, holidays and
their observed dates, weekends and instants at interval edges (and one second either side).

The seed comes from FRONTDESK_CALENDAR_SEED (else a random one); it is printed in the test output
and in every failure message. Replay a failure with
    FRONTDESK_CALENDAR_SEED=<seed> /usr/bin/python3 -m pytest tests/api/test_calendar_reference.py
FRONTDESK_CALENDAR_CASES sets the number of random cases (default 10,000 in all: 40% between,
40% add, 20% next-open).

The module touches no database, so it runs on the sqlite pass of the suite only.
"""

import datetime as dt
import json
import os
import random
import secrets
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytest

from conftest import DB_KIND, run_cli

pytestmark = pytest.mark.skipif(
    DB_KIND != "sqlite",
    reason="the calendar CLI touches no database: checked once, on the sqlite pass")

SEED = int(os.environ.get("FRONTDESK_CALENDAR_SEED") or secrets.randbits(32))
TOTAL_CASES = int(os.environ.get("FRONTDESK_CALENDAR_CASES") or 10000)
REPLAY = (f"replay: FRONTDESK_CALENDAR_SEED={SEED} /usr/bin/python3 -m pytest "
          f"tests/api/test_calendar_reference.py")
WORKERS = max(2, 2 * (os.cpu_count() or 1))

UTC = dt.timezone.utc
DAY = dt.timedelta(days=1)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
YEARS = range(2000, 2101)


# ---------------------------------------------------------------- reference: holidays


def easter(year):
    """Gregorian Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    n = h + l - 7 * m + 114
    return dt.date(year, n // 31, n % 31 + 1)


def _fixed(name, month, day, observed=True):
    return {"name": name, "kind": "fixed", "month": month, "day": day, "observed": observed}


def _nth(name, month, weekday, n, **years):
    return {"name": name, "kind": "nth_weekday", "month": month, "weekday": weekday, "n": n, **years}


# The presets, as the issue lists them.
PRESETS = {
    "CA-ON": [
        _fixed("New Year's Day", 1, 1),
        _nth("Family Day", 2, "mon", 3, from_year=2008),
        {"name": "Good Friday", "kind": "easter", "offset": -2},
        {"name": "Victoria Day", "kind": "monday_before", "month": 5, "day": 25},
        _fixed("Canada Day", 7, 1),
        _nth("Labour Day", 9, "mon", 1),
        _nth("Thanksgiving", 10, "mon", 2),
        _fixed("Christmas Day", 12, 25),
        _fixed("Boxing Day", 12, 26),
    ],
    "CA": [
        _fixed("New Year's Day", 1, 1),
        {"name": "Good Friday", "kind": "easter", "offset": -2},
        _fixed("Canada Day", 7, 1),
        _nth("Labour Day", 9, "mon", 1),
        _fixed("Christmas Day", 12, 25),
    ],
}


def rule_date(rule, year):
    """The actual date of a rule in a year, or None when the rule does not apply that year."""
    if year < rule.get("from_year", year) or year > rule.get("to_year", year):
        return None
    kind = rule["kind"]
    if kind == "fixed":
        return dt.date(year, rule["month"], rule["day"])
    if kind == "nth_weekday":
        wd = WEEKDAYS.index(rule["weekday"])
        if rule["n"] == "last":
            nxt = dt.date(year + (rule["month"] == 12), rule["month"] % 12 + 1, 1)
            d = nxt - DAY
            while d.weekday() != wd:
                d -= DAY
            return d
        d = dt.date(year, rule["month"], 1)
        while d.weekday() != wd:
            d += DAY
        return d + 7 * (rule["n"] - 1) * DAY
    if kind == "monday_before":
        d = dt.date(year, rule["month"], rule["day"]) - DAY
        while d.weekday() != 0:
            d -= DAY
        return d
    if kind == "easter":
        return easter(year) + rule["offset"] * DAY
    raise ValueError(kind)


class Calendar:
    """A calendar file's content, read the way the issue describes it (defaults included)."""

    def __init__(self, label, spec):
        self.label = label
        self.spec = spec  # None: the default calendar (no --calendar)
        spec = spec or {}
        self.zone = ZoneInfo(spec.get("timezone", "America/Toronto"))
        hours = spec.get("hours", {d: ["09:00-17:00"] for d in WEEKDAYS[:5]})
        self.hours = []
        for wd in WEEKDAYS:
            day = []
            for iv in hours.get(wd, []):
                a, b = iv.split("-")
                day.append((int(a[:2]), int(a[3:]), int(b[:2]), int(b[3:])))
            self.hours.append(day)
        hol = spec.get("holidays", {"presets": ["CA-ON"]})
        self.rules = [r for p in hol.get("presets", []) for r in PRESETS[p]] + hol.get("rules", [])
        self.dates = [dt.date.fromisoformat(s) for s in hol.get("dates", [])]
        self.path = None  # set once the file is written

    def args(self):
        return ["--calendar", str(self.path)] if self.path else []

    @lru_cache(maxsize=None)
    def holiday_entries(self, year):
        """[(date, name, observed)] of year, in placement order (several entries may share a date)."""
        actual = []
        for rule in self.rules:
            d = rule_date(rule, year)
            if d is not None:
                actual.append((d, rule["name"], rule["kind"] == "fixed" and rule.get("observed", False)))
        actual += [(d, "Holiday", False) for d in self.dates if d.year == year]
        closed = {d for d, _, _ in actual}
        entries = [(d, name, False) for d, name, _ in actual]
        for d, name, moves in sorted(actual, key=lambda x: x[0]):
            if moves and d.weekday() >= 5:
                o = d + DAY
                while o.weekday() >= 5 or o in closed:
                    o += DAY
                assert o.year == year, f"{self.label}: observed date leaves the year ({o})"
                closed.add(o)
                entries.append((o, name, True))
        return tuple(entries)

    @lru_cache(maxsize=None)
    def closed_dates(self, year):
        return frozenset(d for d, _, _ in self.holiday_entries(year))

    def is_closed(self, d):
        return d in self.closed_dates(d.year)

    # ------------------------------------------------------------ reference: business time

    def wall(self, d, hh, mm, fold=0):
        """UTC seconds of wall time hh:mm on local date d (24:00 = 00:00 of the next date)."""
        if hh == 24:
            d, hh = d + DAY, 0
        return int(dt.datetime(d.year, d.month, d.day, hh, mm, tzinfo=self.zone, fold=fold).timestamp())

    def local_date(self, t):
        return dt.datetime.fromtimestamp(t, self.zone).date()

    @lru_cache(maxsize=200000)
    def day_intervals(self, d):
        """The UTC intervals [start, end) that local date d contributes (empty on a holiday)."""
        if self.is_closed(d):
            return ()
        out = []
        for h1, m1, h2, m2 in self.hours[d.weekday()]:
            a, b = self.wall(d, h1, m1), self.wall(d, h2, m2)
            if b > a:
                out.append((a, b))
        return tuple(out)

    def intervals(self, first, last):
        """The merged (union) UTC intervals of local dates first..last, sorted."""
        raw = []
        d = first
        while d <= last:
            raw.extend(self.day_intervals(d))
            d += DAY
        raw.sort()
        merged = []
        for a, b in raw:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return merged

    def between(self, a, b):
        if b <= a:
            return 0
        total = 0
        for s, e in self.intervals(self.local_date(a) - 2 * DAY, self.local_date(b) + 2 * DAY):
            total += max(0, min(e, b) - max(s, a))
        return total

    def _walk(self, t):
        """Merged intervals from a little before t onwards, in growing windows (with a bound)."""
        first = self.local_date(t) - 2 * DAY
        span = 70
        while span < 40000:
            yield self.intervals(first, first + span * DAY)
            span *= 4
        raise AssertionError(f"{self.label}: no open time within 100 years of {iso(t)}")

    def add(self, t, s):
        if s == 0:
            return t
        for ivs in self._walk(t):
            rem = s
            for a, b in ivs:
                if b <= t:
                    continue
                start = max(a, t)
                if b - start >= rem:
                    return start + rem
                rem -= b - start

    def next_open(self, t):
        for ivs in self._walk(t):
            for a, b in ivs:
                if b > t:
                    return max(a, t)

    # ------------------------------------------------------------ helpers for case generation

    @lru_cache(maxsize=None)
    def dst_dates(self, year):
        """Local dates of year on which the UTC offset changes (judged at 00:00 of the next date)."""
        out = []
        noon = lambda d: dt.datetime(d.year, d.month, d.day, 12, tzinfo=self.zone).utcoffset()
        for month in range(1, 13):
            m0 = dt.date(year, month, 1)
            m1 = dt.date(year + (month == 12), month % 12 + 1, 1)
            if noon(m0 - DAY) == noon(m1):
                continue
            d = m0 - DAY
            while d < m1:
                if noon(d) != noon(d + DAY):
                    out.append(d + DAY)
                d += DAY
        return tuple(out)

    def edges(self, d):
        """The wall times (h, m) at which intervals start or end on local date d."""
        return [e for h1, m1, h2, m2 in self.hours[d.weekday()] for e in ((h1, m1), (h2, m2))]


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_iso(s):
    return int(dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def utc(s):
    """'2024-06-07 20:00' (UTC) -> seconds."""
    return int(dt.datetime.fromisoformat(s).replace(tzinfo=UTC).timestamp())


# ---------------------------------------------------------------- the calendars under test


ALL_DAYS = {wd: ["00:00-24:00"] for wd in WEEKDAYS}
UK_RULES = [
    _fixed("New Year's Day", 1, 1),
    {"name": "Good Friday", "kind": "easter", "offset": -2},
    {"name": "Easter Monday", "kind": "easter", "offset": 1},
    _nth("Early May Bank Holiday", 5, "mon", 1),
    _nth("Spring Bank Holiday", 5, "mon", "last"),
    _nth("Summer Bank Holiday", 8, "mon", "last"),
    _fixed("Christmas Day", 12, 25),
    _fixed("Boxing Day", 12, 26),
]

CALENDARS = [
    Calendar("default", None),
    Calendar("ca", {"holidays": {"presets": ["CA"]}}),
    # Open across the spring-forward and fall-back hours, a whole day, odd rules of every kind.
    Calendar("dst-nights", {
        "timezone": "America/Toronto",
        "hours": {"sun": ["00:00-03:00"], "mon": ["09:00-17:00"],
                  "wed": ["01:30-02:30", "02:30-12:00"], "fri": ["00:00-24:00"]},
        "holidays": {
            "presets": [],
            "dates": ["2021-03-14", "2024-11-03", "2030-03-13", "2050-11-06", "2077-03-15"],
            "rules": [
                {"name": "Spring Fixed", "kind": "fixed", "month": 3, "day": 14, "observed": True},
                {"name": "Fall Fixed", "kind": "fixed", "month": 11, "day": 5, "observed": False,
                 "from_year": 2010, "to_year": 2090},
                _nth("March Second Sunday", 3, "sun", 2, to_year=2050),
                _nth("November Last Friday", 11, "fri", "last"),
                {"name": "Before November 8", "kind": "monday_before", "month": 11, "day": 8},
                {"name": "Easter Sunday", "kind": "easter", "offset": 0},
                {"name": "Ascension", "kind": "easter", "offset": 39, "from_year": 2030},
            ],
        },
    }),
    # Overlapping UTC coverage on spring-forward Sundays, touching intervals, CA-ON plus extras.
    Calendar("overlap", {
        "timezone": "America/Toronto",
        "hours": {"sun": ["01:00-02:30", "03:00-04:00", "22:00-24:00"], "sat": ["00:00-24:00"],
                  "tue": ["09:00-12:00", "13:00-17:00"], "thu": ["00:00-01:30", "01:30-02:00"]},
        "holidays": {
            "presets": ["CA-ON"],
            "dates": ["2021-12-27", "2022-01-03", "2027-12-25", "2030-12-25", "2044-12-26",
                      "2016-07-04"],
            "rules": [
                _nth("Civic Holiday", 8, "mon", 1),
                {"name": "Easter Monday", "kind": "easter", "offset": 1},
                {"name": "Remembrance Day", "kind": "fixed", "month": 11, "day": 11,
                 "observed": True, "from_year": 2015, "to_year": 2080},
                {"name": "Ash Wednesday", "kind": "easter", "offset": -46, "to_year": 2060},
            ],
        },
    }),
    # Open across midnight, another zone, CA preset plus explicit dates, no "rules" key.
    Calendar("midnight", {
        "timezone": "America/Vancouver",
        "hours": {"mon": ["22:00-24:00"], "tue": ["00:00-06:00"], "thu": ["08:00-20:00"],
                  "sun": ["23:00-24:00"]},
        "holidays": {"presets": ["CA"], "dates": ["2024-07-02", "2031-01-01", "2023-01-02"]},
    }),
    # Europe/London: switches at 01:00 local, UK-style rules, no "presets" key (so none).
    Calendar("london", {
        "timezone": "Europe/London",
        "hours": {**{wd: ["09:00-17:30"] for wd in WEEKDAYS[:5]}, "sun": ["00:30-02:00"]},
        "holidays": {"rules": UK_RULES},
    }),
    # America/Santiago switches at midnight: "24:00" and "00:00" themselves fall in the gap or
    # right after the repeated hour.
    Calendar("santiago", {
        "timezone": "America/Santiago",
        "hours": {"sat": ["20:00-24:00"], "sun": ["00:00-02:00"], "wed": ["09:00-17:00"]},
        "holidays": {"presets": [], "rules": [_fixed("Año Nuevo", 1, 1, observed=False)]},
    }),
    # Open all the time, no holidays: business time is elapsed time.
    Calendar("always", {"timezone": "America/Toronto", "hours": ALL_DAYS, "holidays": {"presets": []}}),
    # Default hours, Pacific time, only explicit dates ("presets" missing inside holidays: none).
    Calendar("pacific-dates", {
        "timezone": "America/Vancouver",
        "holidays": {"dates": ["2025-12-24", "2025-12-31", "2031-03-10", "2040-11-05"]},
    }),
]
BY_LABEL = {c.label: c for c in CALENDARS}
DEFAULT = BY_LABEL["default"]


# ---------------------------------------------------------------- running the CLI


@pytest.fixture(scope="module", autouse=True)
def calendar_files(tmp_path_factory, request):
    # Straight to the terminal (past the output capture), so every run shows its seed.
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capman = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capman is not None:
        with capman.global_and_fixture_disabled():
            reporter.write_line(f"\ncalendar reference: FRONTDESK_CALENDAR_SEED={SEED}, "
                                f"{TOTAL_CASES} random cases")
    tmp = tmp_path_factory.mktemp("calendars")
    for cal in CALENDARS:
        if cal.spec is not None:
            cal.path = tmp / f"{cal.label}.json"
            cal.path.write_text(json.dumps(cal.spec, indent=1))
    yield tmp


def command(cal, *args):
    return ["calendar", *map(str, args), *cal.args()]


def show(argv):
    return "frontdesk " + shlex.join(argv)


def run_all(cases):
    """cases: [(argv, expected_stdout, context)] -> a list of mismatch descriptions."""
    def one(case):
        argv, expected, context = case
        res = run_cli(*argv, timeout=30)
        got = res.stdout.strip() if res.returncode == 0 else f"exit {res.returncode}: {res.stderr.strip()}"
        if got != expected:
            return f"{show(argv)}\n    {context}\n    expected {expected}\n    got      {got}"
        return None
    with ThreadPoolExecutor(WORKERS) as ex:
        return [m for m in ex.map(one, cases) if m]


def check(mismatches, total, what):
    assert not mismatches, (
        f"seed {SEED}: {len(mismatches)} of {total} {what} cases differ from the reference "
        f"({REPLAY}); the first ones:\n" + "\n".join(mismatches[:15]))


# ---------------------------------------------------------------- the reference checked by hand


def test_reference_easter_and_rule_dates():
    known = {2000: "04-23", 2008: "03-23", 2011: "04-24", 2019: "04-21", 2024: "03-31",
             2025: "04-20", 2038: "04-25", 2100: "03-28", 1818: "03-22", 2285: "03-22"}
    for y, md in known.items():
        assert easter(y).isoformat() == f"{y}-{md}", (y, SEED)
    victoria = PRESETS["CA-ON"][3]
    assert rule_date(victoria, 2021) == dt.date(2021, 5, 24)  # May 25 a Tuesday
    assert rule_date(victoria, 2020) == dt.date(2020, 5, 18)  # May 25 a Monday: strictly before
    family = PRESETS["CA-ON"][1]
    assert rule_date(family, 2007) is None and rule_date(family, 2008) == dt.date(2008, 2, 18)
    assert rule_date(UK_RULES[4], 2024) == dt.date(2024, 5, 27)  # last Monday of May
    assert rule_date(_nth("x", 12, "sun", "last"), 2024) == dt.date(2024, 12, 29)


def test_reference_observed_dates_by_hand():
    e = DEFAULT.holiday_entries
    assert (dt.date(2021, 12, 27), "Christmas Day", True) in e(2021)
    assert (dt.date(2021, 12, 28), "Boxing Day", True) in e(2021)
    assert (dt.date(2022, 12, 27), "Christmas Day", True) in e(2022)
    assert (dt.date(2022, 12, 26), "Boxing Day", False) in e(2022)
    assert (dt.date(2022, 1, 3), "New Year's Day", True) in e(2022)
    assert len(e(2022)) == 9 + 2  # nine holidays, New Year's Day and Christmas observed
    # Explicit dates count when observed dates are placed: 27 Dec 2021 is closed already.
    ov = BY_LABEL["overlap"].holiday_entries(2021)
    assert (dt.date(2021, 12, 28), "Christmas Day", True) in ov
    assert (dt.date(2021, 12, 29), "Boxing Day", True) in ov
    assert (dt.date(2022, 1, 4), "New Year's Day", True) in BY_LABEL["overlap"].holiday_entries(2022)


def test_reference_arithmetic_by_hand():
    c = DEFAULT
    # 2 business hours from Friday 16:00 EDT lands Monday 10:00 EDT.
    assert c.add(utc("2024-06-07 20:00"), 7200) == utc("2024-06-10 14:00")
    # ... also across the spring-forward weekend (Friday EST, Monday EDT).
    assert c.add(utc("2024-03-08 21:00"), 7200) == utc("2024-03-11 14:00")
    # A deadline that exactly fills a day lands on 17:00, not 09:00 the next day.
    assert c.add(utc("2024-06-10 13:00"), 8 * 3600) == utc("2024-06-10 21:00")
    assert c.add(utc("2024-06-10 13:00"), 8 * 3600 + 1) == utc("2024-06-11 13:00:01")
    assert c.add(utc("2024-06-10 21:00"), 0) == utc("2024-06-10 21:00")
    # Christmas 2021: Friday 24 open, 25-28 closed (observed), Wednesday 29 open.
    assert c.add(utc("2021-12-24 21:59:59"), 2) == utc("2021-12-29 14:00:01")
    assert c.between(utc("2024-03-08 14:00"), utc("2024-03-11 21:00")) == 16 * 3600
    assert c.between(utc("2024-06-10 21:00"), utc("2024-06-10 13:00")) == 0
    # Half-open: at 17:00 closed, next open Monday 09:00; at 09:00 open.
    assert c.next_open(utc("2024-06-07 21:00")) == utc("2024-06-10 13:00")
    assert c.next_open(utc("2024-06-10 13:00")) == utc("2024-06-10 13:00")
    assert c.next_open(utc("2024-06-10 12:59:59")) == utc("2024-06-10 13:00")
    # Wall times: nonexistent and ambiguous ones take the offset before the transition.
    assert c.wall(dt.date(2024, 3, 10), 2, 30) == utc("2024-03-10 07:30")
    assert c.wall(dt.date(2024, 11, 3), 1, 30) == utc("2024-11-03 05:30")
    dn = BY_LABEL["dst-nights"]  # Sunday 00:00-03:00 (2024's switch Sundays are closed there)
    assert dn.between(utc("2051-03-12 00:00"), utc("2051-03-13 00:00")) == 2 * 3600
    assert dn.between(utc("2052-11-03 00:00"), utc("2052-11-04 00:00")) == 4 * 3600
    assert dn.between(utc("2024-11-03 00:00"), utc("2024-11-04 00:00")) == 0
    ov = BY_LABEL["overlap"]  # Sunday 01:00-02:30 and 03:00-04:00: overlapping in UTC in spring
    assert ov.between(utc("2024-03-10 05:00"), utc("2024-03-10 12:00")) == 2 * 3600
    assert ov.between(utc("2024-03-10 00:00"), utc("2024-03-10 12:00")) == 7 * 3600  # Sat 19-24 EST
    assert ov.add(utc("2024-03-10 06:00"), 5400) == utc("2024-03-10 07:30")
    assert ov.add(utc("2024-03-10 06:00"), 7200) == utc("2024-03-10 08:00")
    al = BY_LABEL["always"]
    assert al.between(utc("2024-03-10 05:00"), utc("2024-03-11 04:00")) == 23 * 3600
    assert al.between(utc("2024-11-03 04:00"), utc("2024-11-04 05:00")) == 25 * 3600
    mid = BY_LABEL["midnight"]  # Monday 22:00 - Tuesday 06:00 Pacific, in one piece
    assert mid.add(utc("2024-06-11 06:59:59"), 2) == utc("2024-06-11 07:00:01")
    sa = BY_LABEL["santiago"]  # Saturday 20:00-24:00, Sunday 00:00-02:00
    # 8 Sep 2024: Sunday 00:00 does not exist (-04 -> -03); both read as 04:00Z, 02:00 is 05:00Z.
    assert sa.wall(dt.date(2024, 9, 8), 0, 0) == utc("2024-09-08 04:00")
    assert sa.between(utc("2024-09-07 12:00"), utc("2024-09-08 12:00")) == 5 * 3600
    # 7 Apr 2024: Saturday 23:00-24:00 happens twice (-03 -> -04); 24:00 is 04:00Z.
    assert sa.between(utc("2024-04-06 12:00"), utc("2024-04-07 12:00")) == 5 * 3600 + 2 * 3600
    ld = BY_LABEL["london"]  # Sunday 00:30-02:00: 30 min in spring, 2.5 h in autumn
    assert ld.between(utc("2024-03-30 12:00"), utc("2024-04-01 00:00")) == 1800
    assert ld.between(utc("2024-10-26 12:00"), utc("2024-10-28 00:00")) == 9000


# ---------------------------------------------------------------- the CLI on hand-checked cases


def test_cli_hand_checked_cases():
    cases = []
    for cal, t, s, want in [
        (DEFAULT, "2024-06-07T20:00:00Z", 7200, "2024-06-10T14:00:00Z"),
        (DEFAULT, "2024-03-08T21:00:00Z", 7200, "2024-03-11T14:00:00Z"),
        (DEFAULT, "2024-06-10T13:00:00Z", 28800, "2024-06-10T21:00:00Z"),
        (DEFAULT, "2024-06-10T21:00:00Z", 0, "2024-06-10T21:00:00Z"),
        (DEFAULT, "2021-12-24T21:59:59Z", 2, "2021-12-29T14:00:01Z"),
        (BY_LABEL["overlap"], "2024-03-10T06:00:00Z", 5400, "2024-03-10T07:30:00Z"),
    ]:
        assert cal.add(parse_iso(t), s) == parse_iso(want)
        cases.append((command(cal, "add", "--start", t, "--seconds", s), want, "hand-checked add"))
    for cal, a, b, want in [
        (DEFAULT, "2024-03-08T14:00:00Z", "2024-03-11T21:00:00Z", 57600),
        (DEFAULT, "2024-06-10T21:00:00Z", "2024-06-10T13:00:00Z", 0),
        (BY_LABEL["dst-nights"], "2052-11-03T00:00:00Z", "2052-11-04T00:00:00Z", 14400),
        (BY_LABEL["dst-nights"], "2051-03-12T00:00:00Z", "2051-03-13T00:00:00Z", 7200),
        (BY_LABEL["always"], "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z", 82800),
    ]:
        cases.append((command(cal, "between", "--from", a, "--to", b), str(want), "hand-checked between"))
    for at, want in [("2024-06-07T21:00:00Z", "2024-06-10T13:00:00Z"),
                     ("2024-06-10T13:00:00Z", "2024-06-10T13:00:00Z")]:
        cases.append((command(DEFAULT, "next-open", "--at", at), want, "hand-checked next-open"))
    check(run_all(cases), len(cases), "hand-checked")


# ---------------------------------------------------------------- holidays, every year


def holiday_mismatch(cal, year, got_text):
    """None when the CLI's holiday list for year agrees with the reference, else why not."""
    try:
        got = json.loads(got_text)
    except ValueError:
        return f"not JSON: {got_text[:200]!r}"
    by_date = {}
    for d, name, observed in cal.holiday_entries(year):
        by_date.setdefault(d.isoformat(), set()).add((name, observed))
    want_dates = sorted(by_date)
    if not isinstance(got, list) or not all(isinstance(x, dict) for x in got):
        return f"not an array of objects: {got_text[:200]!r}"
    got_dates = [x.get("date") for x in got]
    if got_dates != want_dates:
        return (f"dates: expected {want_dates}\n    got      {got_dates}")
    for x in got:
        if set(x) != {"date", "name", "observed"}:
            return f"keys of {x}"
        reasons = by_date[x["date"]]
        if (x["name"], x["observed"]) not in reasons:
            return f"{x}: expected name/observed among {sorted(reasons)}"
    return None


def test_holidays_every_year_against_the_reference():
    jobs = [(cal, y) for cal in CALENDARS for y in YEARS]

    def one(job):
        cal, y = job
        argv = command(cal, "holidays", "--year", y, "--json")
        res = run_cli(*argv, timeout=30)
        if res.returncode != 0:
            return f"{show(argv)}\n    exit {res.returncode}: {res.stderr.strip()}"
        why = holiday_mismatch(cal, y, res.stdout)
        if why:
            want = [{"date": d.isoformat(), "name": n, "observed": o}
                    for d, n, o in sorted(set(cal.holiday_entries(y)))]
            return f"{show(argv)}\n    {why}\n    reference {json.dumps(want)}\n    got       {res.stdout.strip()}"
        return None

    with ThreadPoolExecutor(WORKERS) as ex:
        mismatches = [m for m in ex.map(one, jobs) if m]
    check(mismatches, len(jobs), "holiday-list")


# ---------------------------------------------------------------- random cases


# Share of the random cases per calendar (the presets and the odd ones get the most).
WEIGHTS = {"default": 4, "ca": 2, "dst-nights": 2, "overlap": 2, "midnight": 1.5, "london": 1.5,
           "santiago": 1, "always": 1, "pacific-dates": 1}


def pick_calendar(rng):
    return rng.choices(CALENDARS, weights=[WEIGHTS[c.label] for c in CALENDARS])[0]


def focus_date(rng, cal):
    """A local date worth testing: a DST day, a holiday (actual or observed), a weekend, ..."""
    year = rng.choice(YEARS)
    r = rng.random()
    if r < 0.30:
        ds = cal.dst_dates(year) or DEFAULT.dst_dates(year)
        d = rng.choice(ds)
    elif r < 0.55:
        entries = cal.holiday_entries(year) or DEFAULT.holiday_entries(year)
        d = rng.choice(entries)[0]
    elif r < 0.70:
        d = dt.date(year, 1, 1) + rng.randrange(365) * DAY
        while d.weekday() < 5:
            d += DAY
    elif r < 0.80:  # the year's end and start: Christmas, Boxing Day, New Year's Day
        d = dt.date(year, 12, 20) + rng.randrange(18) * DAY
    else:
        d = dt.date(year, 1, 1) + rng.randrange(365) * DAY
    return d + rng.choice([0, 0, 0, 0, -1, 1]) * DAY


def focus_instant(rng, cal, d=None):
    """An instant on (or near) an edge of a focus date's intervals, midnight or the DST hours."""
    d = d or focus_date(rng, cal)
    r = rng.random()
    if r < 0.50 and cal.edges(d):
        hh, mm = rng.choice(cal.edges(d))
    elif r < 0.65:
        hh, mm = rng.choice([(0, 0), (24, 0)])
    elif r < 0.80:  # the hours where DST switches happen (Toronto 02:00, London 01:00, ...)
        hh, mm = rng.choice([(0, 30), (1, 0), (1, 30), (2, 0), (2, 30), (3, 0), (23, 0)])
    else:
        hh, mm = rng.randrange(24), rng.randrange(60)
    t = cal.wall(d, hh, mm, fold=rng.choice([0, 0, 1])) + (rng.randrange(60) if r >= 0.80 else 0)
    r = rng.random()
    if r < 0.45:
        return t
    if r < 0.80:
        return t + rng.choice([-1, 1])
    return t + rng.randint(-7200, 7200)


def duration(rng):
    """Business seconds: 0 up to about 200 business hours, edges included."""
    r = rng.random()
    if r < 0.05:
        return rng.choice([0, 1])
    if r < 0.35:
        return rng.randint(1, 200) * 3600 // rng.choice([1, 1, 2, 4])
    if r < 0.55:
        return rng.randint(1, 8 * 3600)
    return rng.randint(1, 200 * 3600)


def gen_between(rng):
    cal = pick_calendar(rng)
    a = focus_instant(rng, cal)
    r = rng.random()
    if r < 0.05:
        b = a - rng.choice([0, 1, 3600])
    elif r < 0.30:
        b = a + rng.randint(1, 3 * 86400)
    elif r < 0.50:
        b = a + rng.randint(1, 60 * 86400)
    elif r < 0.75:  # another edge, a few days away
        b = focus_instant(rng, cal, cal.local_date(a) + rng.randint(0, 40) * DAY)
    else:  # where an add lands: exactly on an edge
        b = cal.add(a, duration(rng)) + rng.choice([0, 0, -1, 1])
    want = cal.between(a, b)
    argv = command(cal, "between", "--from", iso(a), "--to", iso(b))
    return argv, str(want), f"calendar {cal.label}: between({iso(a)}, {iso(b)})"


def gen_add(rng):
    cal = pick_calendar(rng)
    t = focus_instant(rng, cal)
    if rng.random() < 0.35:  # exactly up to an edge (fills a day exactly, ...), or one second off
        e = focus_instant(rng, cal, cal.local_date(t) + rng.randint(0, 20) * DAY)
        s = max(0, cal.between(t, e) + rng.choice([0, 0, 0, -1, 1]))
    else:
        s = duration(rng)
    want = cal.add(t, s)
    argv = command(cal, "add", "--start", iso(t), "--seconds", s)
    return argv, iso(want), f"calendar {cal.label}: add({iso(t)}, {s})"


def gen_next_open(rng):
    cal = pick_calendar(rng)
    t = focus_instant(rng, cal)
    argv = command(cal, "next-open", "--at", iso(t))
    return argv, iso(cal.next_open(t)), f"calendar {cal.label}: next_open({iso(t)})"


@pytest.mark.parametrize("kind,share,gen", [
    ("between", 0.40, gen_between),
    ("add", 0.40, gen_add),
    ("next-open", 0.20, gen_next_open),
], ids=["between", "add", "next-open"])
def test_random_cases_against_the_reference(kind, share, gen):
    rng = random.Random(f"{SEED}/{kind}")
    n = max(1, round(TOTAL_CASES * share))
    cases = [gen(rng) for _ in range(n)]
    check(run_all(cases), n, kind)
