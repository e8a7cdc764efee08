"""Actuals, shares and the evaluation on the bundled plan — SQLite and PostgreSQL.

The figures asserted are worked out by hand from the plan's indicator table
(lines 146–169) in the comments beside them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lctasks.db.engine import Database
from lctasks.db.models import ActualRow, EventRow
from lctasks.domain import (
    Actor,
    InvalidInputError,
    Light,
    NotFoundError,
    PermissionDeniedError,
    Role,
    Source,
)
from lctasks.services.audit import verify_chain
from lctasks.services.base import ServiceContext
from lctasks.services.indicators import IndicatorService, parse_period
from lctasks.services.ledger import LedgerService
from lctasks.services.people import PeopleService
from tests.cli_helpers import lctasks_process as _cli


@pytest.fixture
def ctx(database: Database) -> ServiceContext:
    c = ServiceContext(database, Actor("王督查", Source.CLI))
    LedgerService(c).import_plan()
    return c


def _events(db: Database, action: str) -> list[EventRow]:
    with db.read() as s:
        return list(s.scalars(select(EventRow).where(EventRow.action == action)))


def test_actuals_by_year_judge_the_indicator(ctx: ServiceContext) -> None:
    svc = IndicatorService(ctx)
    for year, value in ((2021, "6.5"), (2022, "5.0"), (2023, "6.2")):
        svc.record("I01", str(year), value, source=f"{year}年聊城市统计公报")
    ev = svc.evaluate(year=2023, keys=["I01"])
    (row,) = ev.rows
    assert row.by_year == {2021: 6.5, 2022: 5.0, 2023: 6.2}
    # geometric mean (1.065 × 1.05 × 1.062)^(1/3) − 1 = 5.898 % against ≥ 6 % a year
    assert row.judgement.actual == pytest.approx(5.898, abs=1e-3)
    assert row.judgement.expected == 6.0
    assert row.judgement.met is False and row.light is Light.GREEN  # 1.7 points behind
    # every record is an event of the chain, and the chain still verifies
    events = _events(ctx.db, "actual")
    assert [e.task_key for e in events] == ["I01", "I01", "I01"]
    assert events[0].changes["value"] == [None, "6.5"]
    assert events[0].changes["source"] == [None, "2021年聊城市统计公报"]
    with ctx.db.read() as s:
        assert verify_chain(s).ok


def test_a_correction_is_a_new_record_and_the_newest_counts(ctx: ServiceContext) -> None:
    svc = IndicatorService(ctx)
    svc.record("I20", "2023", "401.0", source="初步统计")
    svc.record("I20", "2023", "404.2", source="统计公报（更正）", note="更正初步数")
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ActualRow)) == 2
    (row,) = svc.evaluate(year=2023, keys=["I20"]).rows
    # 396.3 + (408 − 396.3) × 3/5 = 403.32 expected; 404.2 is above → green, on track
    assert row.by_year == {2023: 404.2}
    assert row.judgement.expected == pytest.approx(403.32)
    assert row.light is Light.GREEN and row.judgement.met is True


def test_text_target_only_by_assessment(ctx: ServiceContext) -> None:
    svc = IndicatorService(ctx)
    with pytest.raises(InvalidInputError, match="文字目标"):
        svc.record("I11", "2025", "14.5", source="省考核通报")
    svc.record("I11", "2025", "未达到", source="省考核通报（鲁发改〔2026〕1号）")
    (row,) = svc.evaluate(mode="final", keys=["I11"]).rows
    assert row.light is Light.RED and row.judgement.reached is False
    svc.record("I11", "2025", "达到", source="省考核通报（更正）")
    (row,) = svc.evaluate(mode="final", keys=["I11"]).rows
    assert row.light is Light.GREEN and row.judgement.reached is True
    with pytest.raises(InvalidInputError, match="数值目标"):
        svc.record("I01", "2023", "达到", source="x")


def test_shares_show_the_county_that_pulls_the_city_down(ctx: ServiceContext) -> None:
    svc = IndicatorService(ctx)
    svc.set_share("I20", "东昌府区", target="60", baseline="55", reason="省分解方案")
    svc.set_share("I20", "临清市", target="40", baseline="38")
    svc.record("I20", "2023", "403.5", source="统计公报")
    svc.record("I20", "2023", "58.5", unit="东昌府区", source="区统计局")
    svc.record("I20", "2023", "38.1", unit="lqs", source="市统计局")
    (row,) = svc.evaluate(year=2023, keys=["I20"]).rows
    # city: 403.5 ≥ 403.32 expected → green on its own
    assert row.judgement.light is Light.GREEN
    by_unit = {sh.unit: sh for sh in row.shares}
    # 东昌府区: 55 + 5 × 3/5 = 58 expected, 58.5 → green
    assert by_unit["东昌府区"].judgement.light is Light.GREEN
    # 临清市: 38 + 2 × 3/5 = 39.2 expected, 38.1 short 1.1 of a 2-point plan = 55 → red
    assert by_unit["临清市"].judgement.expected == pytest.approx(39.2)
    assert by_unit["临清市"].judgement.behind_points == pytest.approx(55.0)
    assert row.failing == ("临清市",)
    assert row.light is Light.RED  # the city figure shows what pulls it down
    with pytest.raises(NotFoundError, match="没有分解给"):
        svc.record("I20", "2023", "1", unit="冠县", source="x")
    with pytest.raises(InvalidInputError, match="不是县"):
        svc.set_share("I20", "市科技局", target="1")


def test_bad_input_changes_nothing(ctx: ServiceContext) -> None:
    svc = IndicatorService(ctx)
    with pytest.raises(InvalidInputError, match="来源"):
        svc.record("I01", "2023", "6", source=" ")
    with pytest.raises(InvalidInputError, match="不在可记录的范围内"):
        svc.record("I01", "2045", "6", source="x")
    with pytest.raises(InvalidInputError, match="无法识别的数值"):
        svc.record("I01", "2023", "六", source="x")
    with pytest.raises(NotFoundError, match="没有编号为 I99"):
        svc.record("I99", "2023", "6", source="x")
    with pytest.raises(NotFoundError, match=r"没有目标 3\.1"):
        svc.record("I01", "2023", "6", item="3", source="x")
    assert _events(ctx.db, "actual") == []
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ActualRow)) == 0


def test_periods() -> None:
    assert parse_period("2023年", first_year=2020, last_year=2030) == "2023"
    assert parse_period("2023q2", first_year=2020, last_year=2030) == "2023Q2"
    assert parse_period("2023年第四季度", first_year=2020, last_year=2030) == "2023Q4"
    with pytest.raises(InvalidInputError):
        parse_period("23年", first_year=2020, last_year=2030)


def test_quarter_stands_for_the_year_until_the_annual_figure(ctx: ServiceContext) -> None:
    svc = IndicatorService(ctx)
    svc.record("I20", "2023Q3", "402.0", source="三季度快报")
    assert svc.evaluate(year=2023, keys=["I20"]).rows[0].by_year == {2023: 402.0}
    svc.record("I20", "2023", "404.0", source="年报")
    assert svc.evaluate(year=2023, keys=["I20"]).rows[0].by_year == {2023: 404.0}


def test_quantified_target_of_a_measure(ctx: ServiceContext) -> None:
    svc = IndicatorService(ctx)
    ev = svc.evaluate(mode="final")
    measures = [r for r in ev.rows if r.kind != "indicator"]
    assert len([r for r in ev.rows if r.kind == "indicator"]) == 24
    assert measures, "the plan's quantified targets are in the evaluation"
    first = measures[0]
    svc.record(
        first.key,
        "2025",
        str((first.spec.target or first.spec.annual or 1) * 2),
        item=first.ref.label,
        source="部门报告",
    )
    again = next(
        r for r in svc.evaluate(mode="final").rows if (r.key, r.ref) == (first.key, first.ref)
    )
    assert again.judgement.reached is True


def test_liaison_records_only_their_own(tmp_path: Path) -> None:
    # SQLite: the acting person is --as (on PostgreSQL it is the login, and the database's
    # own rules apply: covered by the role tests)
    from lctasks.db.engine import open_database

    ctx = ServiceContext(open_database(tmp_path / "l.db"), Actor("王督查", Source.CLI))
    LedgerService(ctx).import_plan()
    people = PeopleService(ctx)
    people.add("王督查", Role.SUPERVISOR)
    people.add("临清联络", Role.LIAISON, "临清市")
    svc = IndicatorService(ctx)
    svc.set_share("I20", "临清市", target="40", baseline="38")
    svc.set_share("I20", "冠县", target="30", baseline="29")
    liaison = IndicatorService(ctx.with_actor(Actor("临清联络", Source.CLI)))
    liaison.record("I20", "2023", "39.5", unit="临清市", source="市统计局")
    with pytest.raises(PermissionDeniedError):
        liaison.record("I20", "2023", "31", unit="冠县", source="x")
    with pytest.raises(PermissionDeniedError):
        liaison.set_share("I20", "临清市", target="50")
    assert [e.actor for e in _events(ctx.db, "actual")] == ["临清联络"]


def test_cli_actual_share_evaluate(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    assert _cli(db, "import").returncode == 0
    r = _cli(db, "actual", "I01", "2021", "6.5", "--source", "2021年统计公报")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "已记录 I01 目标 1.1 2021 年实际值：6.5（来源：2021年统计公报）"
    r = _cli(db, "actual", "I01", "2021", "abc", "--source", "x")
    assert r.returncode == 4 and "无法识别的数值" in r.stderr
    r = _cli(db, "actual", "I01", "2021", "6")
    assert r.returncode == 4 and "--source" in r.stderr
    assert (
        _cli(
            db, "share", "I20", "--unit", "临清市", "--target", "40", "--baseline", "38"
        ).returncode
        == 0
    )
    assert (
        _cli(db, "actual", "I20", "2023", "38.1", "--unit", "临清市", "--source", "x").returncode
        == 0
    )
    r = _cli(db, "evaluate", "--year", "2023", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    rows = {row["id"]: row for row in doc["rows"] if row["kind"] == "indicator"}
    assert rows["I01"]["actuals"] == {"2021": 6.5}
    assert rows["I20"]["failing_units"] == ["临清市"]
    assert rows["I20"]["light"] == "red"
    assert rows["I06"]["annual_unit"] == "个百分点"
    r = _cli(db, "evaluate", "--final", "--toml", "--id", "I01")
    assert r.returncode == 0
    import tomllib

    section = tomllib.loads(r.stdout)["evaluation"]
    assert section["mode"] == "final" and section["year"] == 2025
    assert section["rows"][0]["actuals"] == {"2021": 6.5}
    r = _cli(db, "evaluate", "--year", "2023", "--id", "I01", "--id", "I20")
    lines = r.stdout.splitlines()
    assert lines[1] == "共 2 项指标和量化目标：达到 1，未达到 0，尚无结论 1"
    assert lines[2].split()[:5] == ["编号", "指标/目标", "单位", "基期", "目标"]
    i20 = next(line for line in lines if line.startswith("I20"))
    assert "临清市" in i20 and " 红 " in i20


def test_evaluate_json_and_toml_written_a_row_at_a_time_equal_the_whole_document(
    ctx: ServiceContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """``evaluate --json`` / ``--toml`` are written a row at a time (issue 11: 2 GB at
    100,000 tasks otherwise); the text is the one the whole document gives."""
    import tomli_w

    from lctasks.cli.common import print_json
    from lctasks.cli.indicator_cmds import _json_pieces, _toml_pieces
    from lctasks.services.indicators import toml_ready

    svc = IndicatorService(ctx)
    svc.set_share("I20", "东昌府区", target="60", baseline="55", reason="省分解方案")
    svc.set_share("I20", "临清市", target="40", baseline="38")
    svc.record("I20", "2023", "403.5", source="统计公报\u202e“引号”\n第二行")
    svc.record("I20", "2023", "38.1", unit="lqs", source="市统计局")
    svc.record("I01", "2021", "6.5", source="2021年统计公报")
    for keys in (None, ["I20"], ["NOPE"]):
        ev = svc.evaluate(year=2023, keys=keys)
        print_json(ev.to_doc())
        whole = capsys.readouterr().out
        assert "".join(_json_pieces(ev)) == whole
        assert "".join(_toml_pieces(ev)) == tomli_w.dumps({"evaluation": toml_ready(ev.to_doc())})
    assert len(svc.evaluate(year=2023).rows) > 100


def test_about_tolerance_is_a_setting(tmp_path: Path, database: Database) -> None:
    from lctasks.config import load_settings
    from lctasks.domain import InvalidInputError as Bad

    f = tmp_path / "s.toml"
    f.write_text("[indicators]\nabout_tolerance = 0.2\n", encoding="utf-8")
    assert load_settings(f).about_tolerance == 0.2
    f.write_text("[indicators]\nabout_tolerance = 5\n", encoding="utf-8")
    with pytest.raises(Bad, match="0 到 1 之间"):
        load_settings(f)
    # I16 居民人均可支配收入增长 年均6左右: 5.5 is 8 % short — met only with a 10 % tolerance
    ctx = ServiceContext(database, Actor("王督查", Source.CLI))
    LedgerService(ctx).import_plan()
    IndicatorService(ctx).record("I16", "2021", "5.5", source="公报")
    (row,) = IndicatorService(ctx).evaluate(year=2021, keys=["I16"]).rows
    assert row.judgement.met is False
    f.write_text("[indicators]\nabout_tolerance = 0.1\n", encoding="utf-8")
    wide = ServiceContext(database, Actor("王督查", Source.CLI), load_settings(f))
    (row,) = IndicatorService(wide).evaluate(year=2021, keys=["I16"]).rows
    assert row.judgement.met is True and row.light is Light.GREEN


def test_the_task_light_follows_the_numbers(ctx: ServiceContext) -> None:
    import datetime as dt

    from lctasks.services.query import TaskFilter

    ledger = LedgerService(ctx)
    as_of = dt.date(2024, 3, 1)

    def light(key: str) -> Light:
        (task,) = [t for t in ledger.list_tasks(TaskFilter(), as_of=as_of) if t.id == key]
        assert ledger.get_task(key, as_of=as_of).light is task.light
        return task.light

    # with nothing recorded the indicator is judged like any task: 0 % at 60 % of the
    # schedule is 60 points behind → red
    assert light("I01") is Light.RED
    svc = IndicatorService(ctx)
    for year, value in ((2021, "6.5"), (2022, "6.1"), (2023, "6.4")):
        svc.record("I01", str(year), value, source="统计公报")
    assert light("I01") is Light.GREEN  # ≥ 6 % a year: on track by the numbers
    # I20 pension insurance: 2023 expected 403.32; 398.0 is 5.32 short of an 11.7 plan → red
    svc.record("I20", "2023", "398.0", source="统计公报")
    assert light("I20") is Light.RED
    svc.record("I20", "2023", "402.0", source="统计公报（更正）")  # 11.3 points → yellow
    assert light("I20") is Light.YELLOW


def test_list_fast_path_and_board_agree_on_the_numeric_light(tmp_path: Path) -> None:
    """`lctasks list --json` (the sqlite3 fast path) and the TUI board read the same light."""
    import datetime as dt

    from lctasks.db.engine import open_database
    from lctasks.services.board import BoardService

    db_file = tmp_path / "n.db"
    assert _cli(db_file, "import").returncode == 0
    for year in ("2021", "2022", "2023"):
        assert _cli(db_file, "actual", "I01", year, "6.4", "--source", "公报").returncode == 0
    r = _cli(db_file, "list", "--json", "--kind", "indicator", "--as-of", "2024-03-01")
    lights = {t["id"]: t["light"] for t in json.loads(r.stdout)}
    assert (lights["I01"], lights["I02"]) == ("green", "red")
    r = _cli(db_file, "list", "--json", "--light", "green", "--as-of", "2024-03-01")
    assert [t["id"] for t in json.loads(r.stdout) if t["kind"] == "indicator"] == ["I01"]
    db = open_database(db_file)
    try:
        board = BoardService(ServiceContext(db, Actor("看板", Source.TUI)))
        rows = {r.key: r.light for r in board.rows("lc-14th", as_of=dt.date(2024, 3, 1))}
    finally:
        db.dispose()
    assert (rows["I01"], rows["I02"]) == ("green", "red")


def test_snapshot_carries_the_evaluation_only_when_numbers_exist(ctx: ServiceContext) -> None:
    import datetime as dt
    import tomllib

    from lctasks.services.review import ReviewService
    from lctasks.snapshot import parse_snapshot, snapshot_text

    review = ReviewService(ctx)
    day = dt.date(2024, 3, 1)
    plain = snapshot_text(review.export(as_of=day))
    assert "[evaluation" not in plain
    for year, value in ((2021, "6.5"), (2022, "6.1"), (2023, "6.4")):
        IndicatorService(ctx).record("I01", str(year), value, source="统计公报")
    text = snapshot_text(review.export(as_of=day))
    doc = tomllib.loads(text)
    section = doc["evaluation"]
    assert (section["year"], section["counts"]["total"]) == (2024, 1)
    (row,) = section["rows"]
    assert row["id"] == "I01" and row["actuals"] == {"2021": 6.5, "2022": 6.1, "2023": 6.4}
    assert row["light"] == "green" and doc["tasks"]["I01"]["light"] == "green"
    assert doc["tasks"]["I02"]["light"] == "red"  # nothing recorded: the task rule
    back = parse_snapshot(text)
    assert back.evaluation is not None and back.evaluation["rows"][0]["id"] == "I01"
    assert snapshot_text(back) == text  # read back and written again: the same bytes


def test_a_second_plan_beside_the_first(tmp_path: Path) -> None:
    """actual / evaluate follow --plan when a second plan is loaded (carry-over needs one)."""
    from tests.functional.test_carry import next_plan_text

    db = tmp_path / "q.db"
    assert _cli(db, "import").returncode == 0
    assert _cli(db, "import", str(next_plan_text(tmp_path)), "--code", "lc-15th").returncode == 0
    r = _cli(db, "--plan", "lc-14th", "actual", "I01", "2021", "8.5", "--source", "公报")
    assert r.returncode == 0, r.stderr
    r = _cli(db, "--plan", "lc-14th", "actual", "I01", "2021", "6.5", "--source", "x", "--dry-run")
    # a dry run says what it would record, not "已记录" (QA second pass)
    assert r.returncode == 0 and r.stdout == "将记录 I01 目标 1.1 2021 年实际值：6.5（来源：x）\n"
    assert r.stderr == "演练（--dry-run）：数据库未改动\n"
    r = _cli(db, "--plan", "lc-14th", "evaluate", "--final", "--id", "I01", "--json")
    (row,) = json.loads(r.stdout)["rows"]
    # only 2021 is in (the second value was a dry run): on track, but no final verdict
    assert row["actuals"] == {"2021": 8.5}
    assert (row["on_track"], row["complete"], row["reached"]) == (True, False, None)
    r = _cli(db, "--plan", "lc-14th", "log")
    assert "记录实际值" in r.stdout and "来源" in r.stdout


def test_a_year_that_has_not_begun_is_refused(ctx: ServiceContext, office_clock: object) -> None:
    # the office clock is pinned at 2026-12-01: 2026 may be recorded, 2027 not yet
    svc = IndicatorService(ctx)
    svc.record("I01", "2026Q3", "5.9", source="快报")
    with pytest.raises(InvalidInputError, match="基期到今年"):
        svc.record("I01", "2027", "6", source="x")
    svc.set_share("I20", "临清市", target="40", dry_run=True)
    (row,) = svc.evaluate(year=2025, keys=["I20"]).rows
    assert row.shares == ()  # a dry run writes nothing


def test_undo_refuses_an_actual(tmp_path: Path) -> None:
    """QA: undo said it reverted an actual while the value stayed; records are corrected."""
    db = tmp_path / "u.db"
    assert _cli(db, "import").returncode == 0
    assert _cli(db, "actual", "I01", "2021", "8.5", "--source", "公报").returncode == 0
    r = _cli(db, "undo")
    assert r.returncode == 4 and "记录不撤销，只能由新的记录更正" in r.stderr
    r = _cli(db, "evaluate", "--year", "2021", "--id", "I01", "--json")
    assert json.loads(r.stdout)["rows"][0]["actuals"] == {"2021": 8.5}
