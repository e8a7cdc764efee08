"""Writing unit workbooks (报送表).

Export (``export_workbooks``) writes one sheet ``报送表`` per workbook: a title row,
a header row, one row per task. Columns A–H are read-only (locked under sheet
protection): ID, task, source excerpt, owners, deadline, light, status, last report.
Columns I–N are what a liaison fills in: status (a drop-down of Chinese words),
percent (0–100), 进展情况 / 存在问题 / 下一步措施 and a note. The very hidden sheet
``_lctasks`` records the plan, unit, as-of date, the ledger's history point
(``lctasks.formats.anchor``), the column layout, and for each row the task's ID,
version, exported status and percent and a checksum of its locked cells, with a
digest over all of it. A unit that leads indicators also gets the sheet 指标实际值.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lctasks.domain import InvalidInputError, Status, TaskKind
from lctasks.formats.anchor import META_NAME, Anchor
from lctasks.formats.xlsx.layout import (
    CHOICES,
    COL,
    COLUMNS,
    EXCERPT,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    IND_COL,
    IND_COLUMNS,
    IND_META,
    IND_SHEET,
    LIGHT_LABEL,
    LOCKED,
    MAGIC,
    META,
    SHEET,
    STATUS_LABEL,
    TABLE_ROW,
    cell_crc,
    letter,
    manifest_digest,
)
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.textwidth import width

if TYPE_CHECKING:
    from lctasks.services.base import ServiceContext
    from lctasks.snapshot import Snapshot, SnapshotTask

MESSAGES.add(
    {
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
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    anchor = Anchor(snap.plan.code, snap.history.seq, snap.history.hash, snap.as_of)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    n = len(tasks)
    last_row = FIRST_ROW + max(n, 1) - 1

    # widths that fit Chinese text: display width (CJK = 2) of the header and of the
    # first rows, capped per column; long text wraps. The other rows' values are made
    # as each row is written (100,000 tasks' cells are never held at once)
    sample = [_locked_values(x, sources.get(x.id, "")) for x in tasks[:2000]]
    for i, col in enumerate(COLUMNS):
        widest = width(col.header)
        if col.locked:
            for r in sample:
                widest = max(widest, width(r[i]))
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
    dv_status.add(f"{letter(COL['new_status'])}{FIRST_ROW}:{letter(COL['new_status'])}{last_row}")
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
    dv_pct.add(f"{letter(COL['percent'])}{FIRST_ROW}:{letter(COL['percent'])}{last_row}")
    ws.data_validations.append(dv_status)
    ws.data_validations.append(dv_pct)

    head_fill = PatternFill("solid", fgColor="DDEBF7")
    edit_fill = PatternFill("solid", fgColor="FFF9E5")
    title = WriteOnlyCell(ws, t("xlsx.title", unit=unit or t("xlsx.office"), as_of=snap.as_of))
    title.font = Font(bold=True, size=14)
    ws.append([title])
    ws.row_dimensions[HEADER_ROW].height = 32  # two lines: 完成进度（%） wraps
    templates = _header_and_templates(ws, COLUMNS, head_fill, edit_fill)
    manifest_rows: list[tuple[str, int, str, int, str]] = []
    # wrapped text needs its row height on record: LibreOffice and WPS do not grow a
    # row on opening; ~2.3 width units a Chinese character, 16 pt a line, 7 lines at most
    wraps = [(i, ws.column_dimensions[letter(i)].width) for i, c in enumerate(LOCKED) if c.wrap]
    for row_no, task in enumerate(tasks, FIRST_ROW):
        i = row_no - FIRST_ROW
        values = sample[i] if i < len(sample) else _locked_values(task, sources.get(task.id, ""))
        lines = max(-(-23 * len(values[i]) // (10 * max(1, int(w) - 1))) for i, w in wraps)
        if lines > 1:
            ws.row_dimensions[row_no].height = 16 * min(lines, 7)
        full = [*values, STATUS_LABEL[task.status], task.progress, None, None, None, None]
        for c, v in zip(templates, full, strict=True):
            c.value = v
        ws.append(templates)
        crc = "".join(cell_crc(v) for v in values)
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
    info.append(("digest", manifest_digest(info, [*manifest_rows, *ind_rows])))
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
    from openpyxl.styles import Font
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
    col_year = letter(IND_COL["year"])
    dv.add(f"{col_year}{FIRST_ROW}:{col_year}{last_row}")
    ws.data_validations.append(dv)
    title = WriteOnlyCell(
        ws, f"{IND_SHEET}（数值目标填数值；文字目标填 达到、未达到 或 待评估；须注明数据来源）"
    )
    title.font = Font(bold=True, size=12)
    ws.append([title])
    templates = _header_and_templates(ws, IND_COLUMNS, head_fill, edit_fill)
    out: list[tuple[str, str]] = []
    for line in lines:
        values = [line.key, line.name, line.unit, line.baseline, line.goal, line.recorded]
        for c, v in zip(templates, [*values, None, None, None, None], strict=True):
            c.value = v
        ws.append(templates)
        out.append((line.key, "".join(cell_crc(v) for v in values)))
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

    ev = IndicatorService(ctx).evaluate(  # the tasks behind them are not shown here
        plan=snap.plan.code, as_of=snap.as_of, keys=keys, with_behind=False
    )
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


def _header_and_templates(
    ws: Any, columns: Sequence[Any], head_fill: Any, edit_fill: Any
) -> list[Any]:
    """Append the header row; return one styled cell per column for the rows.

    A template is reused row after row: openpyxl writes each cell as it is yielded,
    so a template per column is safe and 100,000 rows stay fast. Editable columns
    are unlocked and tinted.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, Protection

    header = []
    for col in columns:
        c = WriteOnlyCell(ws, col.header)
        c.font = Font(bold=True)
        c.fill = head_fill if col.locked else edit_fill
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(c)
    ws.append(header)
    templates = []
    for col in columns:
        c = WriteOnlyCell(ws)
        c.alignment = Alignment(vertical="top", wrap_text=col.wrap)
        if not col.locked:
            c.protection = Protection(locked=False)
            c.fill = edit_fill
        templates.append(c)
    return templates


def _save(wb: Any, path: Path) -> None:
    from lctasks.atomic import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: wb.save(str(tmp)), suffix=".xlsx")


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
    tasks it leads or co-owns and still reports on: not the closed ones (销号, 结转)
    unless ``statuses`` asks for them; ``per_unit`` writes no workbook for a unit
    with nothing left to report. ``chapters`` and ``statuses`` narrow every workbook.
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
        if task.status == Status.CLOSED and Status.CLOSED not in statuses:
            continue  # closed (or carried over): nothing left for the unit to report
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
