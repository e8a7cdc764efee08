"""Unit workbooks (报送表): export, fill in as a liaison would, apply; bad workbooks refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database
from lctasks.db.models import EventRow, ProgressRow, TaskRow
from lctasks.domain import (
    Actor,
    ConflictError,
    InvalidInputError,
    PermissionDeniedError,
    Source,
    Status,
)
from lctasks.formats.anchor import read_anchor
from lctasks.formats.xlsx.apply import apply_workbook
from lctasks.formats.xlsx.export import export_workbooks
from lctasks.formats.xlsx.layout import COLUMNS, SHEET
from lctasks.services.base import ServiceContext
from lctasks.services.history import HistoryService
from lctasks.services.ledger import LedgerService
from lctasks.services.people import PeopleService
from lctasks.services.workflow import WorkflowService

AS_OF = dt.date(2025, 6, 30)
BOSS = "王督查"
LI = "李联络"  # liaison of 市科技局
GONG = "龚联络"  # liaison of 市工业和信息化局
UNIT = "市科技局"
COL = {c.key: i + 1 for i, c in enumerate(COLUMNS)}  # 1-based, as openpyxl counts


@pytest.fixture
def ctx(database: Database) -> ServiceContext:
    c = ServiceContext(database, Actor(BOSS, Source.CLI))
    LedgerService(c).import_plan()
    wf = WorkflowService(c)
    wf.assign(["C06.M01", "C06.M02", "C06.M03"], lead=UNIT, co=["市发展改革委"], person="张明")
    wf.assign(["C07.M01"], lead="市工业和信息化局", co=[UNIT], due=dt.date(2025, 3, 31))
    wf.assign(["C07.M02"], lead="市工业和信息化局")
    wf.report_progress(["C06.M01"], made="完成可研报告编制", problems="用地指标紧张", percent=60)
    people = PeopleService(c)
    people.add(BOSS, "supervisor")
    people.add(LI, "liaison", UNIT)
    people.add(GONG, "liaison", "市工业和信息化局")
    return c


def as_person(ctx: ServiceContext, name: str) -> ServiceContext:
    return ctx.with_actor(Actor(name, Source.CLI))


def state(db: Database) -> tuple[Any, ...]:
    with db.read() as s:
        tasks = [
            (r.key, r.status, r.progress, r.version)
            for r in s.scalars(select(TaskRow).order_by(TaskRow.key))
        ]
        events = s.scalar(select(func.count()).select_from(EventRow))
        reports = s.scalar(select(func.count()).select_from(ProgressRow))
    return tasks, events, reports


def row_of(ws: Any, key: str) -> int:
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, 1).value == key:
            return r
    raise AssertionError(key)


def export_unit(ctx: ServiceContext, tmp_path: Path) -> Path:
    path = tmp_path / "kjj.xlsx"
    [info] = export_workbooks(ctx, path, units=["kjj"], as_of=AS_OF)
    assert info.unit == UNIT
    return path


def fill(path: Path, edit: Callable[[Any], None]) -> Path:
    wb = openpyxl.load_workbook(path)
    edit(wb[SHEET])
    wb.save(path)
    return path


def test_workbook_layout(ctx: ServiceContext, tmp_path: Path) -> None:
    path = export_unit(ctx, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    assert [ws.cell(2, i + 1).value for i in range(len(COLUMNS))] == [
        "任务编号", "任务内容", "规划原文摘录", "牵头/配合单位", "完成时限", "预警", "当前状态",
        "上次报送", "报送状态", "完成进度（%）", "进展情况", "存在问题", "下一步措施", "备注",
    ]  # fmt: skip
    # the unit's four tasks: three it leads, one it co-owns
    assert [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)] == [
        "C06.M01", "C06.M02", "C06.M03", "C07.M01",
    ]  # fmt: skip
    r = row_of(ws, "C07.M01")
    assert ws.cell(r, COL["due"]).value == "2025-03-31"
    assert ws.cell(r, COL["light"]).value == "红灯"
    assert ws.cell(r, COL["owners"]).value == "市工业和信息化局（配合：市科技局）"
    r1 = row_of(ws, "C06.M01")
    assert ws.cell(r1, COL["status"]).value == "推进中"
    assert ws.cell(r1, COL["percent"]).value == 60
    assert ws.cell(r1, COL["source"]).value  # the plan's words
    # protection: locked read-only columns, unlocked editable ones
    assert ws.protection.sheet is True
    assert ws.cell(r1, COL["title"]).protection.locked is True
    for key in ("new_status", "percent", "made", "problems", "next_steps", "note"):
        assert ws.cell(r1, COL[key]).protection.locked is False
    assert ws.freeze_panes == "C3"
    # long plan text wraps, and its row is as tall as the text (other programs do not
    # grow rows when they open a file); the two-line header too
    assert ws.row_dimensions[2].height == 32
    assert ws.row_dimensions[r1].height >= 32 and ws.cell(r1, COL["source"]).alignment.wrap_text
    assert ws.page_setup.paperSize == 8 and ws.page_setup.orientation == "landscape"
    assert ws.auto_filter.ref == "A2:N6"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and "推进中" in lists[0].formula1 and "I3:I6" in str(lists[0].sqref)
    whole = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert (whole[0].formula1, whole[0].formula2) == ("0", "100")
    meta = wb["_lctasks"]
    assert meta.sheet_state == "veryHidden"
    versions = {r[0]: r[1] for r in meta.iter_rows(min_row=21, values_only=True)}
    with ctx.db.read() as s:
        for key, version in s.execute(select(TaskRow.key, TaskRow.version)):
            if key in versions:
                assert versions[key] == version
    with ctx.db.read() as s:
        seq, digest = s.execute(
            select(EventRow.seq, EventRow.hash).order_by(EventRow.seq.desc()).limit(1)
        ).one()
    anchor = read_anchor(path)  # through lctasks.services.chain.read_anchor_file
    assert (anchor.seq, anchor.hash) == (seq, digest)
    info = {r[0]: r[1] for r in meta.iter_rows(min_row=2, max_row=11, values_only=True)}
    assert info["anchor"] == f"lctasks-anchor {seq} {digest}"
    assert (info["plan"], info["unit"], info["as_of"]) == ("lc-14th", UNIT, "2025-06-30")
    assert (info["history_seq"], info["history_hash"]) == (seq, digest)


def test_liaison_fills_in_and_the_ledger_shows_exactly_that(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = export_unit(ctx, tmp_path)
    with ctx.db.read() as s:
        before = int(s.scalar(select(func.max(EventRow.seq))) or 0)

    def liaison(ws: Any) -> None:
        r = row_of(ws, "C06.M01")
        ws.cell(r, COL["percent"]).value = 80
        ws.cell(r, COL["made"]).value = "主体工程完工"
        ws.cell(r, COL["problems"]).value = "配套资金缺口2000万元"
        ws.cell(r, COL["next_steps"]).value = "申请专项债"
        r = row_of(ws, "C06.M03")
        ws.cell(r, COL["new_status"]).value = "受阻"
        ws.cell(r, COL["note"]).value = "等待省厅批复"

    fill(path, liaison)
    result = apply_workbook(as_person(ctx, LI), path)
    assert result.applied and result.tasks == 2
    with ctx.db.read() as s:
        events = s.execute(
            select(EventRow.task_key, EventRow.action, EventRow.actor, EventRow.source)
            .where(EventRow.seq > before)
            .order_by(EventRow.seq)
        ).all()
        tasks = {
            r.key: (r.status, r.progress)
            for r in s.scalars(select(TaskRow).where(TaskRow.key.like("C06.M0%")))
        }
        report = s.execute(
            select(ProgressRow.made, ProgressRow.problems, ProgressRow.next_steps,
                   ProgressRow.percent, ProgressRow.actor)
            .order_by(ProgressRow.id.desc()).limit(1)
        ).one()  # fmt: skip
    assert [tuple(e) for e in events] == [
        ("C06.M01", "progress", LI, "xlsx"),
        ("C06.M03", "status", LI, "xlsx"),
        ("C06.M03", "note", LI, "xlsx"),
    ]
    assert tasks == {
        "C06.M01": ("in_progress", 80),
        "C06.M02": ("not_started", 0),
        "C06.M03": ("blocked", 0),
    }
    assert tuple(report) == ("主体工程完工", "配套资金缺口2000万元", "申请专项债", 80, LI)
    assert HistoryService(ctx).verify().ok


def test_dry_run_and_an_untouched_workbook_change_nothing(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = export_unit(ctx, tmp_path)
    before = state(ctx.db)
    assert apply_workbook(as_person(ctx, LI), path).tasks == 0
    fill(path, lambda ws: ws.cell(row_of(ws, "C06.M02"), COL["new_status"]).__setattr__(
        "value", "推进中"))  # fmt: skip
    result = apply_workbook(as_person(ctx, LI), path, dry_run=True)
    assert result.dry_run and not result.applied and result.events == 1
    assert state(ctx.db) == before


def _set(cell: str, value: Any) -> Callable[[Any], None]:
    def edit(ws: Any) -> None:
        ws[cell] = value

    return edit


def _delete_column(ws: Any) -> None:
    ws.delete_cols(3)


def _swap_columns(ws: Any) -> None:
    for r in range(2, ws.max_row + 1):
        k, l_ = ws.cell(r, COL["made"]), ws.cell(r, COL["problems"])
        k.value, l_.value = l_.value, k.value


def _sort_rows(ws: Any) -> None:
    a = [[c.value for c in ws[3]], [c.value for c in ws[4]]]
    for j, v in enumerate(a[1], 1):
        ws.cell(3, j).value = v
    for j, v in enumerate(a[0], 1):
        ws.cell(4, j).value = v


def _add_row(ws: Any) -> None:
    ws.cell(ws.max_row + 1, 1).value = "C08.M01"


BAD: dict[str, tuple[Callable[[Any], None], str]] = {
    "locked title edited": (_set("B3", "改过的任务"), "报送表!B3"),
    "locked deadline edited": (_set("E4", "2030-12-31"), "报送表!E4"),
    "status outside the list": (_set("I3", "差不多完成了"), "报送表!I3"),
    "closed is not in the list": (_set("I3", "已销号"), "报送表!I3"),
    "formula for percent": (_set("J3", "=50+30"), "报送表!J3"),
    "formula for a report": (_set("K3", "=A3"), "报送表!K3"),
    "percent over 100": (_set("J3", 150), "报送表!J3"),
    "percent not a number": (_set("J3", "一半"), "报送表!J3"),
    "report without progress text": (_set("L3", "缺钱"), "报送表!K3"),
    "deleted column": (_delete_column, "报送表!C2"),
    "reordered columns": (_swap_columns, "报送表!K2"),
    "changed row ID": (_set("A4", "C99.M01"), "报送表!A4"),
    "rows sorted": (_sort_rows, "报送表!A3"),
    "row added": (_add_row, "报送表!A7"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_workbook_is_refused_naming_the_cell(
    ctx: ServiceContext, tmp_path: Path, case: str
) -> None:
    path = export_unit(ctx, tmp_path)
    edit, cell = BAD[case]

    def with_a_good_row_too(ws: Any) -> None:
        r = row_of(ws, "C06.M03")
        ws.cell(r, COL["made"]).value = "已完成选址"  # a valid edit that must not land
        edit(ws)

    fill(path, with_a_good_row_too)
    before = state(ctx.db)
    with pytest.raises(InvalidInputError) as err:
        apply_workbook(as_person(ctx, LI), path)
    assert cell in err.value.message
    assert state(ctx.db) == before


def test_a_workbook_not_ours_is_refused(ctx: ServiceContext, tmp_path: Path) -> None:
    before = state(ctx.db)
    foreign = tmp_path / "foreign.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["任务编号", "进展情况"])  # type: ignore[union-attr]
    wb.save(foreign)
    with pytest.raises(InvalidInputError, match="不是 lctasks 导出的报送表"):
        apply_workbook(ctx, foreign)
    # ours, but the hidden record was tampered with (a version lowered)
    path = export_unit(ctx, tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["_lctasks"]["B21"] = 0
    wb.save(path)
    with pytest.raises(InvalidInputError, match="_lctasks!B"):
        apply_workbook(ctx, path)
    text = tmp_path / "text.xlsx"
    text.write_text("任务编号,进展情况\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="不是 Excel 工作簿"):
        apply_workbook(ctx, text)
    assert state(ctx.db) == before


def test_stale_rows_are_conflicts_and_nothing_is_applied(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = export_unit(ctx, tmp_path)
    fill(path, lambda ws: [
        ws.cell(row_of(ws, k), COL["made"]).__setattr__("value", "按计划推进")
        for k in ("C06.M01", "C06.M02")
    ])  # fmt: skip
    # the office changes C06.M02 after the export
    WorkflowService(ctx).assign(["C06.M02"], person="刘洋")
    before = state(ctx.db)
    with pytest.raises(ConflictError) as err:
        apply_workbook(as_person(ctx, LI), path)
    assert "报送表!A4：C06.M02" in err.value.message
    assert err.value.ids == ("C06.M02",)
    assert state(ctx.db) == before


def test_a_liaison_changes_only_their_units_tasks(ctx: ServiceContext, tmp_path: Path) -> None:
    path = export_unit(ctx, tmp_path)
    fill(path, lambda ws: ws.cell(row_of(ws, "C06.M01"), COL["made"]).__setattr__(
        "value", "按计划推进"))  # fmt: skip
    before = state(ctx.db)
    with pytest.raises(PermissionDeniedError) as err:
        apply_workbook(as_person(ctx, GONG), path)
    assert "报送表!K3" in err.value.message and "C06.M01" in err.value.message
    assert state(ctx.db) == before
    # a liaison may not set a status only the office sets (暂缓)
    fill(path, lambda ws: ws.cell(row_of(ws, "C06.M02"), COL["new_status"]).__setattr__(
        "value", "暂缓"))  # fmt: skip
    with pytest.raises(PermissionDeniedError, match="报送表!I4"):
        apply_workbook(as_person(ctx, LI), path)
    assert state(ctx.db) == before


def test_per_unit_workbooks(ctx: ServiceContext, tmp_path: Path) -> None:
    infos = export_workbooks(ctx, tmp_path / "books", per_unit=True, as_of=AS_OF)
    by_unit = {i.unit: i.tasks for i in infos}
    assert by_unit == {"市科技局": 4, "市发展改革委": 3, "市工业和信息化局": 2}
    assert (tmp_path / "books" / f"市科技局_报送表_{AS_OF}.xlsx").is_file()
    [office] = export_workbooks(ctx, tmp_path / "all.xlsx", as_of=AS_OF)
    assert office.unit == "" and office.tasks == 633
    [blocked] = export_workbooks(
        ctx, tmp_path / "c06.xlsx", units=[UNIT], chapters=[6], statuses=[Status.IN_PROGRESS],
        as_of=AS_OF,
    )  # fmt: skip
    ws = openpyxl.load_workbook(blocked.path)[SHEET]
    assert [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)] == ["C06.M01"]


def test_cli_export_and_apply(ctx: ServiceContext, tmp_path: Path, db_url: str) -> None:
    runner = CliRunner()
    path = tmp_path / "kjj.xlsx"
    res = runner.invoke(
        app,
        ["--db", db_url, "export", "--format", "xlsx", "--unit", UNIT, "--out", str(path),
         "--as-of", "2025-06-30"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert path.is_file()
    fill(path, _set("J3", "=1+1"))
    # the CLI's acting person: LCTASKS_USER (SQLite) or the login (PostgreSQL), both 测试员
    PeopleService(ctx).add("测试员", "supervisor")
    res = runner.invoke(app, ["--db", db_url, "apply", str(path)])
    assert res.exit_code == 4
    assert "报送表!J3" in res.stderr
    fill(path, lambda ws: [_set("J3", 70)(ws), _set("K3", "完成设备安装")(ws)])
    res = runner.invoke(app, ["--db", db_url, "apply", str(path), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "C06.M01" in res.stdout and "演练" in res.stderr
    res = runner.invoke(app, ["--db", db_url, "apply", str(path)])
    assert res.exit_code == 0, res.output
    with ctx.db.read() as s:
        assert s.scalar(select(TaskRow.progress).where(TaskRow.key == "C06.M01")) == 70
        assert s.execute(
            select(EventRow.actor, EventRow.source).order_by(EventRow.seq.desc()).limit(1)
        ).one() == ("测试员", "xlsx")
    res = runner.invoke(app, ["--db", db_url, "log", "--verify"])
    assert res.exit_code == 0, res.output


def test_cli_start_up_does_not_import_the_file_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from lctasks.cli.app import app\n"
        "try:\n    app(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('openpyxl', 'docx') if m in sys.modules))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip().endswith("[]"), res.stdout + res.stderr


FGW = "市发展改革委"
QIAN = "钱联络"  # liaison of 市发展改革委


def test_indicator_actuals_sheet(ctx: ServiceContext, tmp_path: Path) -> None:
    from lctasks.services.indicators import IndicatorService

    WorkflowService(ctx).assign(["I01", "I11"], lead=FGW)
    PeopleService(ctx).add(QIAN, "liaison", FGW)
    IndicatorService(ctx).record("I01", "2021", "6.5", source="2021年统计公报")
    path = tmp_path / "fgw.xlsx"
    export_workbooks(ctx, path, units=[FGW], as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    ws = wb["指标实际值"]
    assert [c.value for c in ws[2]] == [
        "任务编号", "指标", "计量单位", "基期值", "目标值", "已录入实际值", "年度", "实际值",
        "数据来源", "说明",
    ]  # fmt: skip
    assert [ws.cell(r, 1).value for r in (3, 4)] == ["I01", "I11"]
    assert [ws.cell(3, c).value for c in range(2, 7)] == [
        "地区生产总值增速", "%", "2.8", "6", "2021：6.5",
    ]  # fmt: skip
    assert ws.protection.sheet and ws.cell(3, 2).protection.locked is True
    assert ws.cell(3, 8).protection.locked is False
    [years] = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert years.formula1 == '"2020,2021,2022,2023,2024,2025"'
    # the liaison fills in 2022 and 2023 for I01, a verdict for I11, and a progress report
    ws.cell(3, 7).value, ws.cell(3, 8).value, ws.cell(3, 9).value = 2022, 5.0, "2022年统计公报"
    ws.cell(4, 7).value, ws.cell(4, 8).value, ws.cell(4, 9).value = 2023, "未达到", "省考核通报"
    main = wb[SHEET]
    r = row_of(main, "C06.M01")
    main.cell(r, COL["made"]).value = "配合完成可研评审"
    wb.save(path)
    with ctx.db.read() as s:
        before = int(s.scalar(select(func.max(EventRow.seq))) or 0)
    result = apply_workbook(as_person(ctx, QIAN), path)
    assert (result.tasks, result.actuals) == (1, 2)
    with ctx.db.read() as s:
        events = s.execute(
            select(EventRow.task_key, EventRow.action, EventRow.actor, EventRow.source)
            .where(EventRow.seq > before)
            .order_by(EventRow.seq)
        ).all()
    assert [tuple(e) for e in events] == [
        ("C06.M01", "progress", QIAN, "xlsx"),
        ("I01", "actual", QIAN, "xlsx"),
        ("I11", "actual", QIAN, "xlsx"),
    ]
    ev = IndicatorService(ctx).evaluate(year=2023, keys=["I01", "I11"])
    by_key = {row.key: row for row in ev.rows}
    assert by_key["I01"].by_year == {2021: 6.5, 2022: 5.0}
    assert by_key["I11"].judgement.reached is False
    assert HistoryService(ctx).verify().ok


@pytest.mark.parametrize(
    ("cells", "where"),
    [
        ({"G3": 2022, "H3": 5.0}, "指标实际值!I3"),  # no source
        ({"G3": "去年", "H3": 5.0, "I3": "公报"}, "指标实际值!G3"),
        ({"H3": "=B3", "I3": "公报", "G3": 2022}, "指标实际值!H3"),
        ({"E3": "7"}, "指标实际值!E3"),  # a locked cell
        ({"G3": 2022, "H3": "达到", "I3": "公报"}, "指标实际值!H3"),  # a verdict for a number
    ],
)
def test_bad_indicator_cells_are_refused(
    ctx: ServiceContext, tmp_path: Path, cells: dict[str, Any], where: str
) -> None:
    WorkflowService(ctx).assign(["I01", "I11"], lead=FGW)
    path = tmp_path / "fgw.xlsx"
    export_workbooks(ctx, path, units=[FGW], as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb["指标实际值"][ref] = value
    wb.save(path)
    before = state(ctx.db)
    with pytest.raises(InvalidInputError) as err:
        apply_workbook(ctx, path)
    assert where in err.value.message
    assert state(ctx.db) == before


SOFFICE = __import__("shutil").which("soffice")


@pytest.mark.slow
def test_a_workbook_resaved_by_libreoffice_still_applies(tmp_path: Path) -> None:
    """Liaisons save with whatever spreadsheet program they have: a LibreOffice re-save
    (hidden sheets, shared strings and styles rewritten) must still be read as ours."""
    import subprocess

    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: the re-save check was SKIPPED")
    from lctasks.db.engine import open_database

    database = open_database(f"sqlite:///{tmp_path / 'lo.db'}")
    try:
        c = ServiceContext(database, Actor(BOSS, Source.CLI))
        LedgerService(c).import_plan()
        WorkflowService(c).assign(["C06.M01", "C06.M02"], lead=UNIT)
        path = tmp_path / "kjj.xlsx"
        export_workbooks(c, path, units=[UNIT], as_of=AS_OF)
        out = tmp_path / "resaved"
        subprocess.run(
            [SOFFICE, "--headless", "--norestore",
             f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        resaved = out / "kjj.xlsx"
        assert apply_workbook(c, resaved, dry_run=True).tasks == 0  # nothing read as changed
        fill(resaved, lambda ws: [_set("J3", 70)(ws), _set("K3", "完成设备安装")(ws)])
        assert apply_workbook(c, resaved).tasks == 1
        with database.read() as s:
            assert s.scalar(select(TaskRow.progress).where(TaskRow.key == "C06.M01")) == 70
    finally:
        database.dispose()


def test_the_same_workbook_applied_twice_is_nothing_left_to_apply(
    ctx: ServiceContext, tmp_path: Path, db_url: str
) -> None:
    """QA 18: the second apply of a filled workbook said "version conflict" (exit 5); a
    reviewed snapshot applied twice says there is nothing to apply (exit 0). Same now."""
    runner = CliRunner()
    path = tmp_path / "kjj.xlsx"
    args = ["--db", db_url, "export", "--format", "xlsx", "--unit", UNIT, "--out", str(path)]
    assert runner.invoke(app, [*args, "--as-of", "2025-06-30"]).exit_code == 0

    def liaison(ws: Any) -> None:
        r = row_of(ws, "C06.M01")
        ws.cell(r, COL["percent"]).value = 80
        ws.cell(r, COL["made"]).value = "主体工程完工"
        r = row_of(ws, "C06.M03")
        ws.cell(r, COL["new_status"]).value = "受阻"
        ws.cell(r, COL["note"]).value = "等待省厅批复"

    fill(path, liaison)
    PeopleService(ctx).add("测试员", "supervisor")
    res = runner.invoke(app, ["--db", db_url, "apply", str(path)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["--db", db_url, "log", "--limit", "1"])
    assert "测试员  报送表  加备注  C06.M03" in res.stdout  # the source as a label, not xlsx
    # the office changes another field of C06.M01 meanwhile: not what the row asks
    WorkflowService(ctx).assign(["C06.M01"], person="刘洋")
    before = state(ctx.db)
    for extra in ([], ["--dry-run"]):
        res = runner.invoke(app, ["--db", db_url, "apply", str(path), *extra])
        assert (res.exit_code, res.stdout) == (0, ""), res.output
        assert res.stderr.splitlines()[1] == (
            "报送表已回填过，没有要回填的修改（2 项已在台账中：C06.M01、C06.M03）"
        )
    assert state(ctx.db) == before
    # a row asking for something else than what the ledger now holds is still a conflict
    fill(path, _set(f"N{row_of(openpyxl.load_workbook(path)[SHEET], 'C06.M03')}", "另一备注"))
    res = runner.invoke(app, ["--db", db_url, "apply", str(path)])
    assert res.exit_code == 5
    assert "C06.M03：报送表版本" in res.stderr and "C06.M01" not in res.stderr
    assert state(ctx.db) == before


def test_actuals_applied_twice_are_recorded_once(ctx: ServiceContext, tmp_path: Path) -> None:
    WorkflowService(ctx).assign(["I01"], lead=FGW)
    PeopleService(ctx).add(QIAN, "liaison", FGW)
    path = tmp_path / "fgw.xlsx"
    export_workbooks(ctx, path, units=[FGW], as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    ws = wb["指标实际值"]
    ws.cell(3, 7).value, ws.cell(3, 8).value, ws.cell(3, 9).value = 2022, 5.0, "2022年统计公报"
    wb.save(path)
    first = apply_workbook(as_person(ctx, QIAN), path)
    assert (first.actuals, first.already) == (1, ())
    before = state(ctx.db)
    again = apply_workbook(as_person(ctx, QIAN), path)
    assert (again.actuals, again.events, again.already) == (0, 0, ("I01 2022",))
    assert state(ctx.db) == before
