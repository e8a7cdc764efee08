"""Warning lights: each rule and each boundary, as a supervisor would check them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lctasks.config import Settings
from lctasks.domain import InvalidInputError, Light, Status
from lctasks.i18n import EN, set_language
from lctasks.lights import (
    LightRule,
    assess_light,
    explain_light,
    light_for,
    parse_period,
    report_period,
    schedule_percent,
)

D = dt.date
START = D(2021, 1, 1)
DUE = D(2025, 12, 31)  # the plan end: most tasks
AS_OF = D(2023, 7, 2)  # day 912 of 1825: schedule 49.97 %
S = Settings()

G, Y, R = Light.GREEN, Light.YELLOW, Light.RED
IP, NS, BL, RT, SU, DN, CL = (
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.BLOCKED,
    Status.RETURNED,
    Status.SUSPENDED,
    Status.DONE,
    Status.CLOSED,
)


def test_schedule_percent() -> None:
    assert schedule_percent(START, DUE, AS_OF) == pytest.approx(49.97, abs=0.01)
    assert schedule_percent(START, DUE, D(2020, 6, 1)) == 0.0  # before the start
    assert schedule_percent(START, DUE, START) == 0.0
    assert schedule_percent(START, DUE, DUE) == 100.0
    assert schedule_percent(START, DUE, D(2026, 3, 1)) == 100.0  # capped
    assert schedule_percent(D(2026, 1, 1), D(2026, 1, 11), D(2026, 1, 4)) == 30.0
    assert schedule_percent(D(2026, 1, 1), D(2026, 1, 1), D(2026, 1, 1)) == 100.0


# A 100-day task: every day is exactly one point of schedule.
S100 = D(2026, 1, 1)
E100 = S100 + dt.timedelta(days=100)


def day(n: int) -> dt.date:
    return S100 + dt.timedelta(days=n)


CASES = [
    # (name, status, start, due, progress, as_of, last report, expected)
    ("finished tasks are green even when late", DN, S100, E100, 0, day(150), None, G),
    ("closed tasks are green even when late", CL, S100, E100, 0, day(150), None, G),
    ("past due and not finished: red", IP, S100, E100, 99, day(101), day(101), R),
    ("the deadline day itself is not overdue", IP, S100, E100, 100, day(100), day(100), Y),
    ("past due while not started: red", NS, S100, E100, 0, day(101), None, R),
    ("suspended past due: red", SU, S100, E100, 0, day(101), None, R),
    ("suspended, behind and unreported but not due: green", SU, S100, E100, 0, day(90), None, G),
    # schedule lag: as_of = day(60) gives schedule 60 %
    ("exactly 30 points behind: yellow", IP, S100, E100, 30, day(60), day(60), Y),
    ("31 points behind: red", IP, S100, E100, 29, day(60), day(60), R),
    ("exactly 10 points behind: yellow", IP, S100, E100, 50, day(60), day(60), Y),
    ("9 points behind: green", IP, S100, E100, 51, day(60), day(60), G),
    ("ahead of schedule: green", IP, S100, E100, 90, day(60), day(60), G),
    ("not started, 31 points behind: red", NS, S100, E100, 0, day(31), None, R),
    ("not started, 10 points behind: yellow", NS, S100, E100, 0, day(10), None, Y),
    ("not started, 9 points behind, no report: green", NS, S100, E100, 0, day(9), None, G),
    # deadline approaching (progress kept on schedule so only this rule can fire)
    ("exactly 7 days left: yellow", IP, S100, E100, 93, day(93), day(93), Y),
    ("8 days left: green", IP, S100, E100, 92, day(92), day(92), G),
    ("0 days left: yellow", IP, S100, E100, 100, day(100), day(100), Y),
    # reports (monthly: the calendar month of as_of)
    ("in progress, no report this month: yellow", IP, S100, E100, 50, day(45), D(2026, 1, 31), Y),
    ("in progress, reported this month: green", IP, S100, E100, 50, day(45), D(2026, 2, 1), G),
    ("in progress, never reported: yellow", IP, S100, E100, 50, day(45), None, Y),
    ("blocked, no report this month: yellow", BL, S100, E100, 50, day(45), None, Y),
    ("returned, no report this month: yellow", RT, S100, E100, 50, day(45), None, Y),
    ("not started is not chased for reports", NS, day(50), E100, 0, day(45), None, G),
    ("in progress before its start: no report due", IP, day(50), E100, 0, day(45), None, G),
    ("in progress on its start day: report due", IP, day(45), E100, 0, day(45), None, Y),
]


@pytest.mark.parametrize(
    ("status", "start", "due", "progress", "as_of", "report", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_rules_and_boundaries(
    status: Status,
    start: dt.date,
    due: dt.date,
    progress: int,
    as_of: dt.date,
    report: dt.date | None,
    expected: Light,
) -> None:
    assert light_for(status, start, due, progress, as_of, report, S) is expected


def test_thresholds_come_from_settings() -> None:
    strict = Settings(yellow_days=3, yellow_behind_points=5, red_behind_points=50)
    # 7 days left: yellow by default, green with a 3-day window
    assert light_for(IP, S100, E100, 93, day(93), day(93), S) is Y
    assert light_for(IP, S100, E100, 93, day(93), day(93), strict) is G
    # 40 points behind: red by default, yellow with a 50-point red line
    assert light_for(IP, S100, E100, 20, day(60), day(60), S) is R
    assert light_for(IP, S100, E100, 20, day(60), day(60), strict) is Y
    # 6 points behind: green by default, yellow from 5
    assert light_for(IP, S100, E100, 54, day(60), day(60), strict) is Y


def test_grace_days_let_last_months_report_count() -> None:
    as_of = D(2026, 3, 4)
    last = D(2026, 2, 27)
    assert light_for(IP, S100, E100, 70, as_of, last, S) is Y
    graced = Settings(report_grace_days=5)
    assert light_for(IP, S100, E100, 70, as_of, last, graced) is G
    assert light_for(IP, S100, E100, 70, D(2026, 3, 6), last, graced) is Y


def test_quarterly_cadence() -> None:
    quarterly = Settings(report_cadence="quarterly")
    assert light_for(IP, S100, E100, 70, D(2026, 3, 4), D(2026, 1, 2), quarterly) is G
    assert light_for(IP, S100, E100, 100, D(2026, 4, 1), D(2026, 3, 31), quarterly) is Y


def test_report_periods() -> None:
    assert report_period(D(2026, 11, 29)).label == "2026-11"
    assert report_period(D(2026, 12, 31)).end == D(2026, 12, 31)
    q = report_period(D(2026, 11, 29), "quarterly")
    assert (q.start, q.end, q.label) == (D(2026, 10, 1), D(2026, 12, 31), "2026-Q4")
    w = report_period(D(2026, 11, 29), "weekly")
    assert (w.start, w.end, w.label) == (D(2026, 11, 23), D(2026, 11, 29), "2026-W48")


def test_report_periods_at_their_edges() -> None:
    # quarters: first and last day, every quarter; months: 28/29/30/31 days
    for day, label, start, end in [
        (D(2026, 1, 1), "2026-Q1", D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 3, 31), "2026-Q1", D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 4, 1), "2026-Q2", D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 9, 30), "2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 12, 31), "2026-Q4", D(2026, 10, 1), D(2026, 12, 31)),
    ]:
        q = report_period(day, "quarterly")
        assert (q.label, q.start, q.end) == (label, start, end)
    for day, end in [
        (D(2024, 2, 10), D(2024, 2, 29)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 4, 30), D(2026, 4, 30)),
        (D(2026, 12, 1), D(2026, 12, 31)),
    ]:
        m = report_period(day)
        assert (m.label, m.start, m.end) == (f"{day.year}-{day.month:02d}", day.replace(day=1), end)
    # ISO weeks: a Monday starts one, week 1 of 2027 begins in 2027 on 4 January
    w = report_period(D(2027, 1, 4), "weekly")
    assert (w.start, w.end, w.label) == (D(2027, 1, 4), D(2027, 1, 10), "2027-W01")
    w = report_period(D(2027, 1, 3), "weekly")
    assert (w.start, w.end, w.label) == (D(2026, 12, 28), D(2027, 1, 3), "2026-W53")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2026-11", "2026-11"),
        ("2026-1", "2026-01"),
        ("202611", "2026-11"),
        ("2026/11", "2026-11"),
        ("2026.3", "2026-03"),
        ("2026年11月", "2026-11"),
        (" 2026 - 12 ", "2026-12"),
        ("2026-Q4", "2026-Q4"),
        ("2026q1", "2026-Q1"),
        ("2026年第四季度", "2026-Q4"),
        ("2026第一季度", "2026-Q1"),
        ("2026年3季度", "2026-Q3"),
        ("2026年二季", "2026-Q2"),
        ("2026-W48", "2026-W48"),
        ("2026w1", "2026-W01"),
        ("2026-W53", "2026-W53"),
    ],
)
def test_parse_period_accepts(text: str, label: str) -> None:
    assert parse_period(text) == label


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-0", "2026-Q5", "2026-W54", "2026-W0", "下月", "2026", "11", ""]
)
def test_parse_period_refuses(text: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_period(text)
    assert err.value.message == f"无法识别的报送期：“{text.strip()}”"
    assert err.value.hint.startswith("按月 2026-11（或 2026年11月）")


def test_explain_red_names_every_reason_red_first() -> None:
    reasons = explain_light(IP, START, DUE, 20, D(2026, 1, 10), dt.datetime(2025, 11, 5, 8), S)
    assert reasons[0] == "已超过截止日期 10 天（截止 2025-12-31），尚未完成"
    assert reasons[1] == "落后序时进度 80 个百分点（序时 100%，实际 20%），超过红灯线 30"
    assert reasons[2] == "本期（2026-01）尚未报送进展，上次报送 2025-11-05"
    assert len(reasons) == 3


def test_explain_yellow_and_green() -> None:
    assert explain_light(IP, S100, E100, 93, day(93), day(93), S) == [
        "距截止日期还有 7 天（截止 2026-04-11，黄灯提前 7 天）"
    ]
    light, reasons = assess_light(IP, S100, E100, 60, day(60), day(60), S)
    assert light is G
    assert reasons == ["按序时推进（序时 60%，实际 60%），截止 2026-04-11"]
    assert explain_light(CL, S100, E100, 0, day(150), None, S) == ["已销号：不再预警"]
    assert explain_light(NS, day(50), E100, 0, day(45), None, S) == ["尚未到开始日期 2026-02-20"]


def test_explain_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    set_language(EN)  # what an entry point does for LCTASKS_LANG=en
    assert explain_light(IP, START, DUE, 100, D(2026, 1, 10), D(2026, 1, 2), S) == [
        "10 days past the deadline (2025-12-31) and not finished"
    ]


def test_defaults_apply_without_settings_and_status_may_be_a_string() -> None:
    assert light_for("in_progress", S100, E100, 29, day(60), day(60)) is R
    with pytest.raises(ValueError):
        light_for("late", S100, E100, 29, day(60), day(60))


_dates = st.dates(min_value=dt.date(2020, 6, 1), max_value=dt.date(2026, 6, 30))


@settings(max_examples=400, deadline=None)
@given(
    status=st.sampled_from(list(Status)),
    start=_dates,
    due=_dates,
    as_of=_dates,
    progress=st.integers(min_value=-5, max_value=105),
    report=st.one_of(st.none(), _dates),
    yellow_days=st.sampled_from([0, 3, 7]),
    grace=st.sampled_from([0, 5]),
    cadence=st.sampled_from(["monthly", "quarterly", "weekly"]),
)
def test_the_light_alone_is_the_light_the_reasons_give(
    status: Status,
    start: dt.date,
    due: dt.date,
    as_of: dt.date,
    progress: int,
    report: dt.date | None,
    yellow_days: int,
    grace: int,
    cadence: str,
) -> None:
    """Lists ask for the light without its reasons: the same light, whatever the case."""
    cfg = Settings(yellow_days=yellow_days, report_grace_days=grace, report_cadence=cadence)
    rule = LightRule(as_of, cfg)
    light, reasons = rule.explain(status, start, due, progress, report)
    assert rule(status.value, start, due, progress, report) is light
    assert light_for(status, start, due, progress, as_of, report, cfg) is light
    assert reasons
