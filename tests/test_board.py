"""The board's fast light agrees with lctasks.lights on every combination."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from lctasks.config import Settings
from lctasks.domain import Status
from lctasks.lights import light_for, report_period
from lctasks.services.board import fast_light

dates = st.dates(min_value=dt.date(2020, 6, 1), max_value=dt.date(2026, 6, 30))


@settings(max_examples=400, deadline=None)
@given(
    status=st.sampled_from(list(Status)),
    start=dates,
    due=dates,
    as_of=dates,
    progress=st.integers(min_value=0, max_value=100),
    report=st.one_of(st.none(), dates),
    yellow_days=st.sampled_from([0, 3, 7]),
    grace=st.sampled_from([0, 5]),
    cadence=st.sampled_from(["monthly", "quarterly", "weekly"]),
)
def test_fast_light_matches_the_rules(
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
    cfg = Settings(yellow_days=yellow_days, report_grace_days=grace, report_cadence=cadence)
    period_start = report_period(as_of - dt.timedelta(days=grace), cadence).start
    expected = light_for(status, start, due, progress, as_of, report, cfg)
    got = fast_light(status.value, start, due, progress, as_of, report, cfg, period_start)
    assert got == expected.value
