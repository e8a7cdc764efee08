"""Office dates of instants as SQLite stores them, worked out by text comparison
(``read_model.OfficeDays``), equal ``clock.office_date`` in every zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from lctasks import clock
from lctasks.services.read_model import OfficeDays


@pytest.fixture(params=["Asia/Shanghai", "America/New_York", "UTC", "Pacific/Kiritimati"])
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    clock.use_zone(request.param)
    try:
        yield request.param
    finally:
        clock.use_zone(None)


def test_office_days_agree_with_clock(zone: str) -> None:
    days = OfficeDays()
    for n in range(0, 800, 7):  # office midnights through two years, DST changes included
        midnight = clock.day_start(dt.date(2025, 1, 1) + dt.timedelta(days=n))
        for delta in (-3600, -1, 0, 1, 3600, 12 * 3600):
            at = midnight + dt.timedelta(seconds=delta)
            for micro in (0, 1, 999_999):
                stamp = at + dt.timedelta(microseconds=micro)
                text = stamp.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
                assert days(text) == clock.office_date(stamp), text
                assert days(stamp) == clock.office_date(stamp)
    assert days(None) is None
    noon = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    assert days("2025-03-01 12:00:00") == clock.office_date(noon)  # no microseconds
