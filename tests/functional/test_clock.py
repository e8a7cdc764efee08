"""The office clock: "today" is the office's (China) date whatever the machine's TZ."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from lctasks import clock
from lctasks.cli.app import app
from lctasks.config import load_settings
from lctasks.db.engine import open_database
from lctasks.domain import Actor, InvalidInputError
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from tests.conftest import OFFICE_NOW, OFFICE_TODAY

BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(params=["Asia/Shanghai", "America/New_York", "UTC", "Pacific/Kiritimati"])
def machine_tz(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test with the machine's local zone set to each of these."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_today_is_the_beijing_date_at_one_in_the_morning(
    machine_tz: str, office_clock: time_machine.Traveller
) -> None:
    assert OFFICE_NOW.astimezone(BEIJING).hour == 1
    assert clock.today() == OFFICE_TODAY == dt.date(2026, 12, 1)
    assert clock.now().utcoffset() == dt.timedelta(hours=8)
    assert clock.now().date() == dt.date(2026, 12, 1)
    assert clock.utcnow().date() == dt.date(2026, 11, 30)


def test_the_office_day_just_before_midnight(machine_tz: str) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 31, 15, 59, 59, tzinfo=dt.UTC), tick=False):
        assert clock.today() == dt.date(2026, 12, 31)
    with time_machine.travel(dt.datetime(2026, 12, 31, 16, 0, 0, tzinfo=dt.UTC), tick=False):
        assert clock.today() == dt.date(2027, 1, 1)


def test_day_boundaries_are_office_midnights() -> None:
    day = dt.date(2026, 12, 1)
    assert clock.day_start(day) == dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)
    assert clock.day_end(day) == dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC)
    assert clock.day_start(day).tzinfo is dt.UTC


def test_office_date_of_stored_instants() -> None:
    # SQLite hands back naive UTC; PostgreSQL an aware datetime in the session's zone
    assert clock.office_date(dt.datetime(2026, 11, 30, 16, 0)) == dt.date(2026, 12, 1)
    assert clock.office_date(dt.datetime(2026, 11, 30, 15, 59, 59)) == dt.date(2026, 11, 30)
    ny = dt.timezone(dt.timedelta(hours=-5))
    assert clock.office_date(dt.datetime(2026, 11, 30, 11, 0, tzinfo=ny)) == dt.date(2026, 12, 1)
    assert clock.office_date(dt.date(2026, 3, 4)) == dt.date(2026, 3, 4)


def test_the_zone_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().timezone == "Asia/Shanghai"
    cfg = tmp_path / "office.toml"
    cfg.write_text('timezone = "America/New_York"\n', encoding="utf-8")
    monkeypatch.setenv("LCTASKS_CONFIG", str(cfg))
    assert clock.office_zone().key == "America/New_York"
    with time_machine.travel(OFFICE_NOW, tick=False):
        assert clock.today() == dt.date(2026, 11, 30)
    assert clock.day_start(dt.date(2026, 12, 1)) == dt.datetime(2026, 12, 1, 5, tzinfo=dt.UTC)
    clock.use_zone("Europe/Berlin")
    assert clock.office_zone().key == "Europe/Berlin"
    clock.use_zone(None)
    assert clock.office_zone().key == "America/New_York"


@pytest.mark.parametrize("bad", ['"China/Beijing"', '"+08:00"', "8", '""'])
def test_a_bad_zone_names_the_file_and_line(tmp_path: Path, bad: str) -> None:
    cfg = tmp_path / "office.toml"
    cfg.write_text(f'language = "zh"\ntimezone = {bad}\n', encoding="utf-8")
    with pytest.raises(InvalidInputError) as err:
        load_settings(cfg)
    assert f"{cfg} 第 2 行" in err.value.message
    assert "IANA" in err.value.message


def test_cli_defaults_are_office_dates(
    machine_tz: str, office_clock: time_machine.Traveller, tmp_path: Path
) -> None:
    path = tmp_path / "l.db"
    db = open_database(str(path))
    LedgerService(ServiceContext(db, Actor("导入员"))).import_plan()
    db.dispose()
    res = CliRunner().invoke(app, ["--db", str(path), "--json", "report"])
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["as_of"] == "2026-12-01"
    # "+30d" counts from the office's today
    args = ["assign", "C10.M01", "--lead", "市科技局", "--due", "+30d"]
    res = CliRunner().invoke(app, ["--db", str(path), "--json", *args])
    assert res.exit_code == 0, res.stderr
    res = CliRunner().invoke(app, ["--db", str(path), "--json", "show", "C10.M01"])
    assert json.loads(res.stdout)["due"] == "2026-12-31"
