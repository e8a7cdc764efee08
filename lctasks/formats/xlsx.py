"""Unit workbooks (报送表): export a unit's tasks to Excel, apply the filled-in workbook.

Export (``export_workbooks``) writes one sheet ``报送表`` per workbook: a title row,
a header row, one row per task. Columns A–H are read-only (locked under sheet
protection): ID, task, source excerpt, owners, deadline, light, status, last report.
Columns I–N are what a liaison fills in: status (a drop-down of Chinese words),
percent (0–100), 进展情况 / 存在问题 / 下一步措施 and a note. The very hidden sheet
``_lctasks`` records the plan, unit, as-of date, the ledger's history point
(``lctasks.formats.anchor``), the column layout, and for each row the task's ID,
version, exported status and percent and a checksum of its locked cells, with a
digest over all of it.

Apply (``apply_workbook``) reads the workbook back with openpyxl and refuses, naming
sheet and cell (A1 style), anything that is not a workbook we wrote: a missing or
altered ``_lctasks`` sheet, a deleted, added or reordered column, a changed row ID,
an edited locked cell, a formula where a value belongs, a status outside the list,
a percent outside 0–100. Every problem is reported together as one
InvalidInputError (exit 4); nothing is applied. The changes then go through the
workflow service exactly as on the command line (progress reports, status changes,
notes; every access rule: a liaison changes only their unit's tasks, exit 6) in ONE
write transaction with source ``xlsx`` and the acting person; a row whose task
changed in the ledger after the export (version moved) is a conflict (exit 5) and
nothing is applied. ``dry_run`` runs the same steps and rolls back.

Sheet protection has no password: it prevents accidents, not intent. What protects
the ledger is the check on apply.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lctasks.domain import (
    Actor,
    ConflictError,
    InvalidInputError,
    LctasksError,
    Source,
    Status,
    TaskKind,
)
from lctasks.formats.anchor import META_NAME, Anchor
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t

if TYPE_CHECKING:
    from lctasks.services.base import ServiceContext
    from lctasks.snapshot import Snapshot, SnapshotTask

MESSAGES.add(
    {
        "xlsx.not_xlsx": (
            "{file} 不是 Excel 工作簿（.xlsx）：{why}",
            "{file} is not an Excel workbook (.xlsx): {why}",
        ),
        "xlsx.not_ours": (
            "{where}：这不是 lctasks 导出的报送表（缺少或改动了隐藏的“_lctasks”页）",
            "{where}: not a workbook exported by lctasks (the hidden '_lctasks' sheet is "
            "missing or altered)",
        ),
        "xlsx.not_ours.hint": (
            "用 lctasks export --format xlsx 重新导出报送表，在导出的文件上填写",
            "export a fresh workbook with lctasks export --format xlsx and fill that in",
        ),
        "xlsx.other_plan": (
            "{where}：报送表属于规划 {file}，数据库中是 {db}",
            "{where}: the workbook is of plan {file}, the database holds {db}",
        ),
        "xlsx.no_sheet": ("缺少工作表“{sheet}”", "the sheet '{sheet}' is missing"),
        "xlsx.column": (
            "{where}：此处应为列“{want}”，现为“{got}”（列被删除、插入或移动）",
            "{where}: column '{want}' expected here, found '{got}' (a column was deleted, "
            "inserted or moved)",
        ),
        "xlsx.row_id": (
            "{where}：此行任务编号应为 {want}，现为“{got}”"
            "（行的编号被改动，或行被删除、插入、排序后未还原）",
            "{where}: this row's task ID must be {want}, found '{got}' (the ID was changed, or "
            "rows were deleted, inserted or sorted)",
        ),
        "xlsx.extra_row": (
            "{where}：报送表末尾多出了行（不能新增任务行）",
            "{where}: rows were added below the tasks (a workbook cannot add tasks)",
        ),
        "xlsx.locked": (
            "{where}：只读单元格“{column}”被修改",
            "{where}: the read-only cell '{column}' was edited",
        ),
        "xlsx.formula": (
            "{where}：此处应填写数值或文字，不能是公式（{formula}）",
            "{where}: a value belongs here, not a formula ({formula})",
        ),
        "xlsx.choice": (
            "{where}：状态“{value}”不在下拉列表中（可选：{allowed}）",
            "{where}: status '{value}' is not in the list ({allowed})",
        ),
        "xlsx.percent": (
            "{where}：完成进度应为 0–100 的整数，现为“{value}”",
            "{where}: percent must be a whole number 0–100, found '{value}'",
        ),
        "xlsx.made_needed": (
            "{where}：改了进度、存在问题或下一步措施时须填写“进展情况”",
            "{where}: fill in 进展情况 (progress made) when changing percent, problems or "
            "next steps",
        ),
        "xlsx.problems": (
            "报送表 {file} 有 {n} 处错误，未做任何更改：",
            "{n} problem(s) in the workbook {file}; nothing was changed:",
        ),
        "xlsx.problems.hint": (
            "按所列单元格改正后重试（lctasks apply 文件 --dry-run 可先预览），"
            "或重新导出报送表再填写",
            "fix the cells shown and retry (preview with --dry-run), or export a fresh workbook",
        ),
        "xlsx.conflicts": (
            "{n} 个任务在导出报送表后已在台账中被修改，未做任何更改：",
            "{n} task(s) changed in the ledger after the workbook was exported; nothing was "
            "changed:",
        ),
        "xlsx.conflict_line": (
            "{where}：{task}：报送表版本 {mine}，台账当前版本 {theirs}",
            "{where}: {task}: workbook version {mine}, ledger now at {theirs}",
        ),
        "xlsx.conflicts.hint": (
            "重新导出报送表（lctasks export --format xlsx --unit 单位），在新表上重新填写这些行",
            "export a fresh workbook (lctasks export --format xlsx --unit UNIT) and refill "
            "these rows",
        ),
        "xlsx.year": (
            "{where}：年度应为四位年份（如 2023），现为“{value}”",
            "{where}: the year must be four digits (2023), found '{value}'",
        ),
        "xlsx.value_needed": (
            "{where}：填写了年度或来源，但没有实际值",
            "{where}: a year or source without an actual value",
        ),
        "xlsx.source_needed": (
            "{where}：实际值须注明数据来源（如统计公报、部门报告或文号）",
            "{where}: an actual value needs its source (statistical bulletin, report, ref. no.)",
        ),
        "xlsx.step": ("{where}（{task}）：{message}", "{where} ({task}): {message}"),
        "xlsx.title": (
            "{unit}报送表（截至 {as_of}）",
            "{unit} workbook (as of {as_of})",
        ),
        "xlsx.office": ("全市", "all units"),
        "xlsx.no_tasks": (
            "没有要导出的任务（单位：{units}）",
            "no tasks to export (units: {units})",
        ),
    }
)

SHEET = "报送表"
META = "_lctasks"
MAGIC = "lctasks-workbook"
FORMAT = 1
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_ROW = 3
TABLE_ROW = 20  # the manifest's per-task table starts here in _lctasks


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    width: int  # the widest it may grow to (display columns, CJK = 2)
    locked: bool
    wrap: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("id", "任务编号", 14, True),
    Column("title", "任务内容", 30, True, wrap=True),
    Column("source", "规划原文摘录", 36, True, wrap=True),
    Column("owners", "牵头/配合单位", 18, True, wrap=True),
    Column("due", "完成时限", 12, True),
    Column("light", "预警", 8, True),
    Column("status", "当前状态", 12, True, wrap=True),
    Column("last", "上次报送", 24, True, wrap=True),
    Column("new_status", "报送状态", 16, False),
    Column("percent", "完成进度（%）", 10, False, wrap=True),
    Column("made", "进展情况", 30, False, wrap=True),
    Column("problems", "存在问题", 22, False, wrap=True),
    Column("next_steps", "下一步措施", 22, False, wrap=True),
    Column("note", "备注", 16, False, wrap=True),
)
LOCKED = tuple(c for c in COLUMNS if c.locked)

# the second sheet, for a unit with indicators (主要指标): actual values by year
IND_SHEET = "指标实际值"
IND_META = "_lctasks_ind"
IND_COLUMNS: tuple[Column, ...] = (
    Column("id", "任务编号", 12, True),
    Column("name", "指标", 36, True, wrap=True),
    Column("unit", "计量单位", 10, True),
    Column("baseline", "基期值", 10, True),
    Column("goal", "目标值", 16, True, wrap=True),
    Column("recorded", "已录入实际值", 30, True, wrap=True),
    Column("year", "年度", 10, False),
    Column("value", "实际值", 12, False),
    Column("source", "数据来源", 30, False, wrap=True),
    Column("note", "说明", 24, False, wrap=True),
)
IND_LOCKED = tuple(c for c in IND_COLUMNS if c.locked)
_IND = {c.key: i for i, c in enumerate(IND_COLUMNS)}
_COL = {c.key: i for i, c in enumerate(COLUMNS)}  # 0-based index
# what a unit may report (the drop-down): the statuses the workflow lets anyone set
# (a liaison's are a subset; the access rules refuse the rest with the cell named)
CHOICES: tuple[Status, ...] = (
    Status.IN_PROGRESS,
    Status.BLOCKED,
    Status.DONE,
    Status.NOT_STARTED,
    Status.SUSPENDED,
)
STATUS_LABEL: dict[Status, str] = {
    Status.NOT_STARTED: "未启动",
    Status.IN_PROGRESS: "推进中",
    Status.BLOCKED: "受阻",
    Status.DONE: "已完成（待销号）",
    Status.CLOSED: "已销号",
    Status.RETURNED: "退回重办",
    Status.SUSPENDED: "暂缓",
}
_BY_LABEL = {v: k for k, v in STATUS_LABEL.items()}
LIGHT_LABEL = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
EXCERPT = 120  # characters of the plan text shown per task


def letter(index: int) -> str:
    """The column letter of a 0-based column index (A … Z, AA …)."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def cell_ref(sheet: str, col: int, row: int) -> str:
    """``报送表!K5``: sheet and A1 cell, as Excel names them."""
    return f"{sheet}!{letter(col)}{row}"


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _crc(value: str) -> str:
    return f"{zlib.crc32(value.encode('utf-8')):08x}"


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorLine:
    """An indicator of the unit as its sheet shows it (all text, as printed)."""

    key: str
    name: str
    unit: str
    baseline: str
    goal: str
    recorded: str  # "2021：6.5；2022：5" — what is on record already


@dataclass(frozen=True, slots=True)
class WorkbookInfo:
    path: str
    unit: str  # "" for the office's workbook
    tasks: int
    anchor: Anchor


def _owners(task: SnapshotTask) -> str:
    lead = task.lead or "未分配"
    return lead + (f"（配合：{'、'.join(task.co_units)}）" if task.co_units else "")


def _last(task: SnapshotTask) -> str:
    r = task.latest_report
    if r is None:
        return ""
    from lctasks.clock import office_date

    text = r.made if len(r.made) <= 60 else r.made[:59] + "…"
    return f"{office_date(r.at).isoformat()} {text}"


def _locked_values(task: SnapshotTask, source: str) -> list[str]:
    excerpt = " ".join(source.split())
    if len(excerpt) > EXCERPT:
        excerpt = excerpt[: EXCERPT - 1] + "…"
    return [
        task.id,
        task.title,
        excerpt,
        _owners(task),
        task.due.isoformat(),
        LIGHT_LABEL.get(task.light.value, "") if task.light is not None else "",
        STATUS_LABEL[task.status],
        _last(task),
    ]


def write_workbook(
    snap: Snapshot,
    tasks: Sequence[SnapshotTask],
    sources: Mapping[str, str],
    path: str | os.PathLike[str],
    *,
    unit: str = "",
    indicators: Sequence[IndicatorLine] = (),
) -> WorkbookInfo:
    """Write one workbook of ``tasks`` (from ``snap``) to ``path`` (atomically).

    ``indicators``: the unit's indicators; they get the sheet 指标实际值.
    """
    # openpyxl (~0.3 s to import): only when a workbook is written
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    anchor = Anchor(snap.plan.code, snap.history.seq, snap.history.hash, snap.as_of)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    n = len(tasks)
    last_row = FIRST_ROW + max(n, 1) - 1

    rows = [_locked_values(x, sources.get(x.id, "")) for x in tasks]
    # widths that fit Chinese text: display width (CJK = 2) of the header and of the
    # first rows, capped per column; long text wraps
    sample = rows[:2000]
    for i, col in enumerate(COLUMNS):
        widest = display_width(col.header)
        if col.locked:
            for r in sample:
                widest = max(widest, display_width(r[i]))
        ws.column_dimensions[letter(i)].width = (
            min(col.width, widest + 2) if col.locked else (col.width)
        )
    ws.freeze_panes = f"C{FIRST_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{letter(len(COLUMNS) - 1)}{last_row}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    # 14 columns of Chinese text: A3 landscape, fitted to the width (a unit prints its
    # workbook as the office's forms are printed); rows run on to further pages
    ws.page_setup.paperSize = "8"  # A3
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    # protection: locked cells cannot be edited; filtering and sorting stay allowed
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    statuses = ",".join(STATUS_LABEL[s] for s in CHOICES)
    dv_status = DataValidation(
        type="list",
        formula1=f'"{statuses}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="状态",
        error="请从下拉列表中选择状态",
        promptTitle="报送状态",
        prompt="从列表中选择；已销号、退回重办由督查室办理",
        showInputMessage=True,
    )
    dv_status.add(f"{letter(_COL['new_status'])}{FIRST_ROW}:{letter(_COL['new_status'])}{last_row}")
    dv_pct = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成进度",
        error="请填写 0–100 的整数",
    )
    dv_pct.add(f"{letter(_COL['percent'])}{FIRST_ROW}:{letter(_COL['percent'])}{last_row}")
    ws.data_validations.append(dv_status)
    ws.data_validations.append(dv_pct)

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    edit_fill = PatternFill("solid", fgColor="FFF9E5")
    title = WriteOnlyCell(ws, t("xlsx.title", unit=unit or t("xlsx.office"), as_of=snap.as_of))
    title.font = Font(bold=True, size=14)
    ws.append([title])
    ws.row_dimensions[HEADER_ROW].height = 32  # two lines: 完成进度（%） wraps
    header = []
    for col in COLUMNS:
        c = WriteOnlyCell(ws, col.header)
        c.font = bold
        c.fill = head_fill if col.locked else edit_fill
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(c)
    ws.append(header)
    # one styled cell per column, reused row after row: openpyxl writes each cell as
    # it is yielded, so a template per column is safe and 100,000 rows stay fast
    templates = []
    for col in COLUMNS:
        c = WriteOnlyCell(ws)
        c.alignment = Alignment(vertical="top", wrap_text=col.wrap)
        if not col.locked:
            c.protection = Protection(locked=False)
            c.fill = edit_fill
        templates.append(c)
    manifest_rows: list[tuple[str, int, str, int, str]] = []
    # wrapped text needs its row height on record: LibreOffice and WPS do not grow a
    # row on opening; ~2.3 width units a Chinese character, 16 pt a line, 7 lines at most
    wraps = [(i, ws.column_dimensions[letter(i)].width) for i, c in enumerate(LOCKED) if c.wrap]
    for row_no, (task, values) in enumerate(zip(tasks, rows, strict=True), FIRST_ROW):
        lines = max(-(-23 * len(values[i]) // (10 * max(1, int(w) - 1))) for i, w in wraps)
        if lines > 1:
            ws.row_dimensions[row_no].height = 16 * min(lines, 7)
        full = [*values, STATUS_LABEL[task.status], task.progress, None, None, None, None]
        for c, v in zip(templates, full, strict=True):
            c.value = v
        ws.append(templates)
        crc = "".join(_crc(v) for v in values)
        manifest_rows.append((task.id, task.version, task.status.value, task.progress, crc))

    ind_rows: list[tuple[str, str]] = []
    if indicators:
        ind_rows = _indicator_sheet(wb, snap, indicators, head_fill, edit_fill)
    meta = wb.create_sheet(META)
    meta.sheet_state = "veryHidden"
    info = _manifest_info(snap, unit, anchor, n)
    if ind_rows:
        info.append(("indicators", len(ind_rows)))
        ind_meta = wb.create_sheet(IND_META)
        ind_meta.sheet_state = "veryHidden"
        for ir in ind_rows:
            ind_meta.append(list(ir))
    info.append(("digest", _digest(info, [*manifest_rows, *ind_rows])))
    meta.append([MAGIC, FORMAT])
    for k, v in info:
        meta.append([k, v])
    for _ in range(TABLE_ROW - 2 - len(info)):
        meta.append([])
    meta.append(["task", "version", "status", "percent", "locked_crc"])
    for mrow in manifest_rows:
        meta.append(list(mrow))
    wb.custom_doc_props.append(StringProperty(name=META_NAME, value=anchor.text()))
    wb.properties.title = t("xlsx.title", unit=unit or t("xlsx.office"), as_of=snap.as_of)
    wb.properties.creator = "lctasks"
    _save(wb, Path(path))
    return WorkbookInfo(str(path), unit, n, anchor)


def _indicator_sheet(
    wb: Any, snap: Snapshot, lines: Sequence[IndicatorLine], head_fill: Any, edit_fill: Any
) -> list[tuple[str, str]]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(IND_SHEET)
    last_row = FIRST_ROW + len(lines) - 1
    for i, col in enumerate(IND_COLUMNS):
        ws.column_dimensions[letter(i)].width = col.width
    ws.freeze_panes = f"B{FIRST_ROW}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    years = ",".join(str(y) for y in _years(snap))
    dv = DataValidation(
        type="list",
        formula1=f'"{years}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="年度",
        error="请从下拉列表中选择年度",
    )
    col_year = letter(_IND["year"])
    dv.add(f"{col_year}{FIRST_ROW}:{col_year}{last_row}")
    ws.data_validations.append(dv)
    title = WriteOnlyCell(
        ws, f"{IND_SHEET}（数值目标填数值；文字目标填 达到、未达到 或 待评估；须注明数据来源）"
    )
    title.font = Font(bold=True, size=12)
    ws.append([title])
    header = []
    for col in IND_COLUMNS:
        c = WriteOnlyCell(ws, col.header)
        c.font = Font(bold=True)
        c.fill = head_fill if col.locked else edit_fill
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(c)
    ws.append(header)
    templates = []
    for col in IND_COLUMNS:
        c = WriteOnlyCell(ws)
        c.alignment = Alignment(vertical="top", wrap_text=col.wrap)
        if not col.locked:
            c.protection = Protection(locked=False)
            c.fill = edit_fill
        templates.append(c)
    out: list[tuple[str, str]] = []
    for line in lines:
        values = [line.key, line.name, line.unit, line.baseline, line.goal, line.recorded]
        for c, v in zip(templates, [*values, None, None, None, None], strict=True):
            c.value = v
        ws.append(templates)
        out.append((line.key, "".join(_crc(v) for v in values)))
    return out


def _years(snap: Snapshot) -> list[int]:
    """The years an actual may be recorded for: the plan's base year to the as-of year."""
    first = snap.plan.start.year - 1
    last = max(first, min(snap.as_of.year, snap.plan.end.year))
    return list(range(first, last + 1))


def _indicator_lines(ctx: ServiceContext, snap: Snapshot) -> dict[str, IndicatorLine]:
    """The snapshot's indicators that take one actual a year (one target each)."""
    keys = [x.id for x in snap.tasks if x.kind == TaskKind.INDICATOR]
    if not keys:
        return {}
    from lctasks.services.indicators import IndicatorService

    ev = IndicatorService(ctx).evaluate(plan=snap.plan.code, as_of=snap.as_of, keys=keys)
    per_key: dict[str, list[Any]] = {}
    for r in ev.rows:
        per_key.setdefault(r.key, []).append(r)
    out: dict[str, IndicatorLine] = {}
    for key, rows in per_key.items():
        if len(rows) != 1:
            continue  # several targets: recorded with lctasks actual ID ITEM …
        r = rows[0]
        spec = r.spec
        goal = spec.text or _num(spec.target if spec.target is not None else spec.annual)
        recorded = "；".join(f"{y}：{_num(v)}" for y, v in sorted(r.by_year.items()))
        if r.judgement.assessment is not None:
            recorded = (recorded + "；" if recorded else "") + r.judgement.assessment.label
        out[key] = IndicatorLine(
            key, spec.name or r.title, spec.unit, _num(spec.baseline), goal, recorded
        )
    return out


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.4f}".rstrip("0").rstrip(".")


def _manifest_info(snap: Snapshot, unit: str, anchor: Anchor, n: int) -> list[tuple[str, Any]]:
    # the anchor first: lctasks.formats.anchor reads it from A2/B2
    return [
        ("anchor", anchor.text()),
        ("plan", snap.plan.code),
        ("unit", unit),
        ("as_of", snap.as_of.isoformat()),
        ("history_seq", snap.history.seq),
        ("history_hash", snap.history.hash),
        ("sheet", SHEET),
        ("columns", "|".join(c.header for c in COLUMNS)),
        ("rows", n),
    ]


def _digest(info: Iterable[tuple[str, Any]], rows: Iterable[Sequence[Any]]) -> str:
    h = hashlib.sha256()
    for k, v in info:
        h.update(f"{k}={v}\n".encode())
    for r in rows:
        h.update(("\t".join(str(x) for x in r) + "\n").encode())
    return h.hexdigest()


def _save(wb: Any, path: Path) -> None:
    from lctasks.formats.files import atomic_write

    atomic_write(path, wb.save, ".xlsx")


def _sources(ctx: ServiceContext, plan: str) -> dict[str, str]:
    """Each task's plan text (the source excerpt column)."""
    from sqlalchemy import select

    from lctasks.db.models import PlanRow, TaskRow

    with ctx.db.read() as s:
        return {
            str(k): str(v or "")
            for k, v in s.execute(
                select(TaskRow.key, TaskRow.source_text)
                .join(PlanRow, PlanRow.id == TaskRow.plan_id)
                .where(PlanRow.code == plan, TaskRow.removed.is_(False))
            )
        }


def export_workbooks(
    ctx: ServiceContext,
    out: str | os.PathLike[str],
    *,
    units: Sequence[str] = (),
    chapters: Sequence[int] = (),
    statuses: Sequence[Status] = (),
    per_unit: bool = False,
    as_of: dt.date | None = None,
    plan: str | None = None,
) -> list[WorkbookInfo]:
    """Unit workbooks.

    No ``units`` and not ``per_unit``: one workbook of every task, for the office, at
    ``out``. One unit: that unit's workbook at ``out``. Several units, or
    ``per_unit`` (every unit that leads or co-owns a task): ``out`` is a folder and
    each unit gets ``<unit>_报送表_<as-of>.xlsx`` in it. A unit's workbook holds the
    tasks it leads or co-owns; ``chapters`` and ``statuses`` narrow every workbook.
    """
    from lctasks.services.review import ReviewService
    from lctasks.snapshot import SnapshotFilter

    svc = ReviewService(ctx)
    flt = SnapshotFilter(tuple(units), tuple(chapters), tuple(statuses))
    snap = svc.export(flt, as_of=as_of, plan=plan)
    sources = _sources(ctx, snap.plan.code)
    target = Path(out)
    chosen = list(snap.filter.units)  # resolved short names
    if not chosen and not per_unit:
        return [write_workbook(snap, snap.tasks, sources, target)]
    by_unit: dict[str, list[SnapshotTask]] = {}
    for task in snap.tasks:
        for u in (task.lead, *task.co_units):
            if u and (not chosen or u in chosen):
                by_unit.setdefault(u, []).append(task)
    lines = _indicator_lines(ctx, snap)

    def unit_lines(tasks: Sequence[SnapshotTask], u: str) -> list[IndicatorLine]:
        # a unit reports the indicators it leads
        return [lines[x.id] for x in tasks if x.id in lines and x.lead == u]

    if len(chosen) == 1 and not per_unit:
        tasks = by_unit.get(chosen[0], [])
        return [
            write_workbook(
                snap, tasks, sources, target, unit=chosen[0],
                indicators=unit_lines(tasks, chosen[0]),
            )
        ]  # fmt: skip
    from lctasks.snapshot import natural_key

    names = chosen or sorted(by_unit)
    if not any(by_unit.get(u) for u in names):
        raise InvalidInputError(t("xlsx.no_tasks", units="、".join(names) or "—"))
    target.mkdir(parents=True, exist_ok=True)
    out_infos = []
    for u in names:
        tasks = sorted(by_unit.get(u, []), key=lambda x: natural_key(x.id))
        name = f"{u}_报送表_{snap.as_of.isoformat()}.xlsx"
        out_infos.append(
            write_workbook(
                snap, tasks, sources, target / name, unit=u, indicators=unit_lines(tasks, u)
            )
        )
    return out_infos


# ---------------------------------------------------------------------------
# Reading a filled-in workbook
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowEdit:
    task: str
    version: int
    row: int  # the sheet row (1-based)
    status: Status | None = None  # a new status, or None
    old_status: Status | None = None
    percent: int | None = None  # the percent to report (None: not reported)
    made: str = ""
    problems: str = ""
    next_steps: str = ""
    note: str = ""

    @property
    def reports(self) -> bool:
        return bool(self.made)


@dataclass(frozen=True, slots=True)
class FilledWorkbook:
    file: str
    plan: str
    unit: str
    as_of: dt.date
    anchor: Anchor
    rows: int
    edits: tuple[RowEdit, ...] = field(default=())
    actuals: tuple[ActualEdit, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ActualEdit:
    """An actual value filled in on the sheet 指标实际值."""

    task: str
    row: int
    period: str  # the year
    value: str  # a number, or 达到 / 未达到 / 待评估
    source: str
    note: str = ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_formula(cell: Any) -> bool:
    value = getattr(cell, "value", None)
    return getattr(cell, "data_type", None) == "f" or (
        isinstance(value, str) and value.startswith("=")
    )


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: list[str] = []
        self.ids: list[str] = []

    def add(self, message: str, task: str = "") -> None:
        self.lines.append("  " + message)
        if task:
            self.ids.append(task)

    def raise_if_any(self) -> None:
        if self.lines:
            raise InvalidInputError(
                "\n".join([t("xlsx.problems", file=self.file, n=len(self.lines)), *self.lines]),
                hint=t("xlsx.problems.hint"),
                ids=tuple(dict.fromkeys(self.ids)),
            )


def read_workbook(path: str | os.PathLike[str]) -> FilledWorkbook:
    """Check a filled-in workbook and return the edits it asks for.

    Raises InvalidInputError naming every bad cell (sheet!A1); applies nothing.
    """
    import zipfile

    p = Path(path)
    name = p.name
    if not p.is_file():
        from lctasks.domain import NotFoundError

        raise NotFoundError(t("xlsx.not_xlsx", file=name, why="—"))
    if not zipfile.is_zipfile(p):
        raise InvalidInputError(t("xlsx.not_xlsx", file=name, why="not a zip package"))
    # openpyxl (~0.3 s to import): only when a workbook is read
    import openpyxl

    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged package
        why = str(exc) or type(exc).__name__
        raise InvalidInputError(t("xlsx.not_xlsx", file=name, why=why)) from None
    try:
        return _read(wb, name)
    finally:
        wb.close()


def _not_ours(where: str) -> InvalidInputError:
    return InvalidInputError(t("xlsx.not_ours", where=where), hint=t("xlsx.not_ours.hint"))


def _read(wb: Any, name: str) -> FilledWorkbook:
    if META not in wb.sheetnames:
        raise _not_ours(name)
    meta_rows = list(wb[META].iter_rows(values_only=True))
    if not meta_rows or tuple(meta_rows[0][:2]) != (MAGIC, FORMAT):
        raise _not_ours(f"{META}!A1")
    info: dict[str, Any] = {}
    for r in meta_rows[1 : TABLE_ROW - 1]:
        if r and r[0] is not None:
            info[str(r[0])] = r[1] if len(r) > 1 else None
    table = [tuple(r[:5]) for r in meta_rows[TABLE_ROW:] if r and r[0] is not None]
    keys = ("anchor", "plan", "unit", "as_of", "history_seq", "history_hash", "sheet", "columns")
    if any(k not in info for k in (*keys, "rows", "digest")):
        raise _not_ours(f"{META}!A2")
    listed = [(k, info[k] if info[k] is not None else "") for k in (*keys, "rows")]
    ind_table: list[tuple[Any, ...]] = []
    if "indicators" in info:
        listed.append(("indicators", info["indicators"]))
        if IND_META not in wb.sheetnames:
            raise _not_ours(name)
        ind_table = [tuple(r[:2]) for r in wb[IND_META].iter_rows(values_only=True) if r and r[0]]
    if _digest(listed, [*table, *ind_table]) != info["digest"]:
        raise _not_ours(f"{META}!B{len(listed) + 2}")
    try:
        as_of = dt.date.fromisoformat(str(info["as_of"]))
        n = int(info["rows"])
        seq = int(info["history_seq"])
    except (TypeError, ValueError):
        raise _not_ours(f"{META}!B5") from None
    if n != len(table) or str(info["columns"]) != "|".join(c.header for c in COLUMNS):
        raise _not_ours(f"{META}!B9")
    sheet = str(info["sheet"])
    problems = _Problems(name)
    if sheet not in wb.sheetnames:
        problems.add(t("xlsx.no_sheet", sheet=sheet))
        problems.raise_if_any()
    ws = wb[sheet]
    width = len(COLUMNS)
    rows_iter = ws.iter_rows(min_row=HEADER_ROW)
    header = next(rows_iter, ())
    got = [_text(c.value) for c in header]
    got += [""] * (width + 1 - len(got))
    for i, col in enumerate(COLUMNS):
        if got[i] != col.header:
            problems.add(
                t("xlsx.column", where=cell_ref(sheet, i, HEADER_ROW), want=col.header, got=got[i])
            )
            break  # one moved column shifts all that follow: name the first
    else:
        if got[width]:
            problems.add(
                t("xlsx.column", where=cell_ref(sheet, width, HEADER_ROW), want="", got=got[width])
            )
    problems.raise_if_any()  # nothing below is meaningful with columns out of place

    edits: list[RowEdit] = []
    i_ns, i_pct = _COL["new_status"], _COL["percent"]
    i_made, i_prob, i_next, i_note = (
        _COL["made"],
        _COL["problems"],
        _COL["next_steps"],
        _COL["note"],
    )
    allowed = "、".join(STATUS_LABEL[s] for s in CHOICES)
    row_no = FIRST_ROW - 1
    for row_no, cells in enumerate(rows_iter, FIRST_ROW):
        index = row_no - FIRST_ROW
        values = [c.value for c in cells] + [None] * (width + 1 - len(cells))
        if index >= len(table):
            if any(v not in (None, "") for v in values):
                first = next(i for i, v in enumerate(values) if v not in (None, ""))
                problems.add(t("xlsx.extra_row", where=cell_ref(sheet, first, row_no)))
                break
            continue
        key, version, status_code, percent, crc = table[index]
        got_id = _text(values[0])
        if got_id != key:
            problems.add(
                t("xlsx.row_id", where=cell_ref(sheet, 0, row_no), want=key, got=got_id), key
            )
            continue
        for j, cell in enumerate(cells[:width]):
            if _is_formula(cell):
                problems.add(
                    t("xlsx.formula", where=cell_ref(sheet, j, row_no), formula=cell.value), key
                )
        for j, col in enumerate(LOCKED):
            if _crc(_text(values[j])) != str(crc)[j * 8 : j * 8 + 8]:
                problems.add(
                    t("xlsx.locked", where=cell_ref(sheet, j, row_no), column=col.header), key
                )
        old = Status(str(status_code))
        new_status: Status | None = None
        label = _text(values[i_ns])
        if label and not (i_ns < len(cells) and _is_formula(cells[i_ns])):
            st = _BY_LABEL.get(label)
            if st is None or (st not in CHOICES and st != old):
                problems.add(
                    t(
                        "xlsx.choice",
                        where=cell_ref(sheet, i_ns, row_no),
                        value=label,
                        allowed=allowed,
                    ),
                    key,
                )
            elif st != old:
                new_status = st
        pct_value = values[i_pct]
        new_pct: int | None = None
        if pct_value not in (None, "") and not (i_pct < len(cells) and _is_formula(cells[i_pct])):
            pct = _percent(pct_value)
            if pct is None:
                problems.add(
                    t("xlsx.percent", where=cell_ref(sheet, i_pct, row_no), value=pct_value), key
                )
            elif pct != int(percent):
                new_pct = pct
        made, prob, nxt, note = (
            _text(values[i_made]),
            _text(values[i_prob]),
            _text(values[i_next]),
            _text(values[i_note]),
        )
        if (new_pct is not None or prob or nxt) and not made:
            problems.add(t("xlsx.made_needed", where=cell_ref(sheet, i_made, row_no)), key)
        if new_status is None and not made and not note:
            continue
        edits.append(
            RowEdit(
                key,
                int(version),
                row_no,
                new_status,
                old,
                (new_pct if new_pct is not None else int(percent)) if made else None,
                made,
                prob,
                nxt,
                note,
            )
        )
    if row_no - FIRST_ROW + 1 < len(table) and not problems.lines:
        missing = table[row_no - FIRST_ROW + 1][0]
        problems.add(
            t("xlsx.row_id", where=cell_ref(sheet, 0, row_no + 1), want=missing, got=""), missing
        )
    actuals = _read_indicators(wb, ind_table, problems) if ind_table else []
    problems.raise_if_any()
    anchor = Anchor(str(info["plan"]), seq, str(info["history_hash"] or ""), as_of)
    return FilledWorkbook(
        name,
        str(info["plan"]),
        str(info["unit"] or ""),
        as_of,
        anchor,
        n,
        tuple(edits),
        tuple(actuals),
    )


def _read_indicators(
    wb: Any, table: Sequence[tuple[Any, ...]], problems: _Problems
) -> list[ActualEdit]:
    """The sheet 指标实际值: the same checks as the main sheet, then the filled rows."""
    sheet = IND_SHEET
    if sheet not in wb.sheetnames:
        problems.add(t("xlsx.no_sheet", sheet=sheet))
        return []
    width = len(IND_COLUMNS)
    rows_iter = wb[sheet].iter_rows(min_row=HEADER_ROW)
    got = [_text(c.value) for c in next(rows_iter, ())]
    got += [""] * (width + 1 - len(got))
    for i, col in enumerate(IND_COLUMNS):
        if got[i] != col.header:
            problems.add(
                t("xlsx.column", where=cell_ref(sheet, i, HEADER_ROW), want=col.header, got=got[i])
            )
            return []
    out: list[ActualEdit] = []
    row_no = FIRST_ROW - 1
    for row_no, cells in enumerate(rows_iter, FIRST_ROW):
        index = row_no - FIRST_ROW
        values = [c.value for c in cells] + [None] * (width + 1 - len(cells))
        if index >= len(table):
            if any(v not in (None, "") for v in values):
                first = next(i for i, v in enumerate(values) if v not in (None, ""))
                problems.add(t("xlsx.extra_row", where=cell_ref(sheet, first, row_no)))
                break
            continue
        key, crc = str(table[index][0]), str(table[index][1])
        got_id = _text(values[0])
        if got_id != key:
            problems.add(
                t("xlsx.row_id", where=cell_ref(sheet, 0, row_no), want=key, got=got_id), key
            )
            continue
        bad = False
        for j, cell in enumerate(cells[:width]):
            if _is_formula(cell):
                bad = True
                problems.add(
                    t("xlsx.formula", where=cell_ref(sheet, j, row_no), formula=cell.value), key
                )
        for j, col in enumerate(IND_LOCKED):
            if _crc(_text(values[j])) != crc[j * 8 : j * 8 + 8]:
                problems.add(
                    t("xlsx.locked", where=cell_ref(sheet, j, row_no), column=col.header), key
                )
        year, value, source, note = (
            _text(values[_IND["year"]]),
            _text(values[_IND["value"]]),
            _text(values[_IND["source"]]),
            _text(values[_IND["note"]]),
        )
        if bad or not (year or value or source):
            continue
        if not re.fullmatch(r"\d{4}", year):
            problems.add(
                t("xlsx.year", where=cell_ref(sheet, _IND["year"], row_no), value=year), key
            )
        if not value:
            problems.add(t("xlsx.value_needed", where=cell_ref(sheet, _IND["value"], row_no)), key)
        if not source:
            problems.add(
                t("xlsx.source_needed", where=cell_ref(sheet, _IND["source"], row_no)), key
            )
        out.append(ActualEdit(key, row_no, year, value, source, note))
    if row_no - FIRST_ROW + 1 < len(table) and not problems.lines:
        missing = str(table[row_no - FIRST_ROW + 1][0])
        problems.add(
            t("xlsx.row_id", where=cell_ref(sheet, 0, row_no + 1), want=missing, got=""), missing
        )
    return out


def _percent(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().rstrip("%").strip().isdigit():
        number = int(value.strip().rstrip("%").strip())
    else:
        return None
    return number if 0 <= number <= 100 else None


# ---------------------------------------------------------------------------
# Apply
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class XlsxApplyResult:
    workbook: FilledWorkbook
    applied: bool
    dry_run: bool
    events: int
    tasks: int
    actuals: int = 0


class _Rehearsal(Exception):
    pass


def apply_workbook(
    ctx: ServiceContext, path: str | os.PathLike[str], *, dry_run: bool = False
) -> XlsxApplyResult:
    """Apply a filled-in workbook: all rows in one transaction, or nothing."""
    from lctasks.services.chain import CHAIN_LOCK_SQL
    from lctasks.services.workflow import WorkflowService

    book = read_workbook(path)
    _check_plan(ctx, book)
    wf = WorkflowService(ctx.with_actor(Actor(ctx.actor.name, Source.XLSX)))
    events = 0
    try:
        with wf.unit_of_work() as runner:
            if runner.dialect == "postgresql":  # the chain lock before row locks
                runner.all(CHAIN_LOCK_SQL)
            stale = _stale(runner, book)
            if stale:
                raise stale
            events = _apply_edits(wf, book)
            if book.actuals:
                events += _record_actuals(ctx, runner, book)
            if dry_run:
                raise _Rehearsal
    except _Rehearsal:
        pass
    return XlsxApplyResult(book, not dry_run, dry_run, events, len(book.edits), len(book.actuals))


class _Joined:
    """A database whose read() and write() are the transaction already open.

    IndicatorService.record opens its own unit of work; handed this, it records
    inside the workbook's one transaction (all rows or none), with its own rules.
    """

    def __init__(self, session: Any) -> None:
        self._session = session

    @contextmanager
    def read(self) -> Iterator[Any]:
        yield self._session

    @contextmanager
    def write(self) -> Iterator[Any]:
        yield self._session


def _record_actuals(ctx: ServiceContext, runner: Any, book: FilledWorkbook) -> int:
    from lctasks.services.base import ServiceContext as Context
    from lctasks.services.indicators import IndicatorService

    session = runner.session  # the CLI and the TUI apply through SQLAlchemy sessions
    joined = Context(_Joined(session), Actor(ctx.actor.name, Source.XLSX), ctx.settings)  # type: ignore[arg-type]
    svc = IndicatorService(joined)
    for a in book.actuals:
        try:
            svc.record(a.task, a.period, a.value, source=a.source, note=a.note, plan=book.plan)
        except LctasksError as exc:
            where = cell_ref(IND_SHEET, _IND["value"], a.row)
            raise type(exc)(
                t("xlsx.step", where=where, task=a.task, message=exc.message),
                hint=exc.hint,
                ids=(a.task,),
            ) from None
    return len(book.actuals)


def _check_plan(ctx: ServiceContext, book: FilledWorkbook) -> None:
    from lctasks.services.plans import resolve_plan

    with ctx.db.read() as s:
        code = resolve_plan(s, book.plan).code
    if code != book.plan:
        raise InvalidInputError(t("xlsx.other_plan", where=f"{META}!B3", file=book.plan, db=code))


def _stale(runner: Any, book: FilledWorkbook) -> ConflictError | None:
    from lctasks.db.sql import in_clause

    if not book.edits:
        return None
    by_key = {e.task: e for e in book.edits}
    keys = list(by_key)
    lock = " FOR UPDATE" if runner.dialect == "postgresql" else ""
    lines: list[str] = []
    bad: list[str] = []
    for start in range(0, len(keys), 500):
        clause, params = in_clause("k", keys[start : start + 500])
        params["code"] = book.plan
        for key, version in runner.all(
            "SELECT tasks.key, tasks.version FROM tasks JOIN plans ON plans.id = tasks.plan_id "
            f"WHERE plans.code = :code AND tasks.key IN {clause} ORDER BY tasks.id{lock}",
            params,
        ):
            e = by_key[str(key)]
            if int(version) != e.version:
                bad.append(e.task)
                lines.append(
                    "  "
                    + t(
                        "xlsx.conflict_line",
                        where=cell_ref(SHEET, 0, e.row),
                        task=e.task,
                        mine=e.version,
                        theirs=int(version),
                    )
                )
    if not lines:
        return None
    return ConflictError(
        "\n".join([t("xlsx.conflicts", n=len(lines)), *lines]),
        hint=t("xlsx.conflicts.hint"),
        ids=tuple(bad),
    )


def _apply_edits(wf: Any, book: FilledWorkbook) -> int:
    """The rows' changes as workflow steps: reports, then statuses, then notes.

    Rows asking for the same step with the same values share one call (the
    workflow takes many keys at once): 1,000 identical reports are one batch, not
    1,000. Each task still gets its report before its status and its note.
    """
    rows = {e.task: e for e in book.edits}
    default_reason = f"报送表 {book.file}（截至 {book.as_of.isoformat()}）"
    groups: dict[tuple[Any, ...], list[str]] = {}
    for e in book.edits:
        if e.reports:
            key = ("report", e.made, e.problems, e.next_steps, e.percent)
            groups.setdefault(key, []).append(e.task)
    for e in book.edits:
        if e.status is not None:
            reason = e.note or default_reason
            if e.old_status == Status.CLOSED:
                groups.setdefault(("reopen", reason), []).append(e.task)
            if e.old_status != Status.CLOSED or e.status != Status.IN_PROGRESS:
                groups.setdefault(("status", e.status, reason), []).append(e.task)
    for e in book.edits:
        if e.note:
            groups.setdefault(("note", e.note), []).append(e.task)
    events = 0
    for key, keys in groups.items():
        step = key[0]
        try:
            if step == "report":
                _, made, problems, next_steps, percent = key
                result = wf.report_progress(
                    keys,
                    made=made,
                    problems=problems,
                    next_steps=next_steps,
                    percent=percent,
                    plan=book.plan,
                )
            elif step == "reopen":
                result = wf.reopen(keys, reason=key[1], plan=book.plan)
            elif step == "status":
                result = wf.set_status(keys, key[1], reason=key[2], plan=book.plan)
            else:
                result = wf.note(keys, key[1], plan=book.plan)
        except LctasksError as exc:
            raise _at_cells(exc, step, rows) from None
        events += int(result.events)
    return events


_STEP_COLUMN = {"report": "made", "reopen": "new_status", "status": "new_status", "note": "note"}


def _at_cells(exc: LctasksError, step: str, rows: Mapping[str, RowEdit]) -> LctasksError:
    """The workflow's refusal, each task named by its cell (报送表!K5 (C06.M01): …)."""
    col = _COL[_STEP_COLUMN[step]]
    per_key: dict[str, str] = {}
    for line in exc.message.splitlines()[1:]:
        head, sep, rest = line.strip().partition("：")
        if sep and head in rows:
            per_key[head] = rest.strip()
    bad = [k for k in exc.ids if k in rows] or list(per_key)
    lines = [
        t(
            "xlsx.step",
            where=cell_ref(SHEET, col, rows[k].row),
            task=k,
            message=per_key.get(k, exc.message),
        )
        for k in bad
    ]
    return type(exc)("\n".join(lines) or exc.message, hint=exc.hint, ids=exc.ids)


__all__ = [
    "COLUMNS",
    "SHEET",
    "STATUS_LABEL",
    "FilledWorkbook",
    "RowEdit",
    "WorkbookInfo",
    "XlsxApplyResult",
    "apply_workbook",
    "cell_ref",
    "export_workbooks",
    "read_workbook",
    "write_workbook",
]
