"""Reading a filled-in unit workbook back, checking every cell.

``read_workbook`` reads the workbook with openpyxl and refuses, naming sheet and
cell (A1 style), anything that is not a workbook we wrote: a missing or altered
``_lctasks`` sheet, a deleted, added or reordered column, a changed row ID, an
edited locked cell, a formula where a value belongs, a status outside the list, a
percent outside 0–100. Every problem is reported together as one
InvalidInputError (exit 4); nothing is applied.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lctasks.domain import InvalidInputError, Status
from lctasks.formats.anchor import Anchor
from lctasks.formats.xlsx.layout import (
    CHOICES,
    COL,
    COLUMNS,
    FIRST_ROW,
    FORMAT,
    HEADER_ROW,
    IND_COL,
    IND_COLUMNS,
    IND_LOCKED,
    IND_META,
    IND_SHEET,
    LOCKED,
    MAGIC,
    META,
    STATUS_LABEL,
    TABLE_ROW,
    cell_crc,
    cell_ref,
    manifest_digest,
)
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t

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
    }
)

_BY_LABEL = {v: k for k, v in STATUS_LABEL.items()}


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
    if manifest_digest(listed, [*table, *ind_table]) != info["digest"]:
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
    i_ns, i_pct = COL["new_status"], COL["percent"]
    i_made, i_prob, i_next, i_note = (
        COL["made"],
        COL["problems"],
        COL["next_steps"],
        COL["note"],
    )
    allowed = "、".join(STATUS_LABEL[s] for s in CHOICES)
    rows = _rows(rows_iter, sheet, width, [(r[0], r[4]) for r in table], LOCKED, problems)
    for row_no, index, cells, values, _formula in rows:
        key, version, status_code, percent, _crc = table[index]
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
    rows = _rows(rows_iter, sheet, width, [(r[0], r[1]) for r in table], IND_LOCKED, problems)
    for row_no, index, _cells, values, bad in rows:
        key = str(table[index][0])
        year, value, source, note = (
            _text(values[IND_COL["year"]]),
            _text(values[IND_COL["value"]]),
            _text(values[IND_COL["source"]]),
            _text(values[IND_COL["note"]]),
        )
        if bad or not (year or value or source):
            continue
        if not re.fullmatch(r"\d{4}", year):
            problems.add(
                t("xlsx.year", where=cell_ref(sheet, IND_COL["year"], row_no), value=year), key
            )
        if not value:
            problems.add(
                t("xlsx.value_needed", where=cell_ref(sheet, IND_COL["value"], row_no)), key
            )
        if not source:
            problems.add(
                t("xlsx.source_needed", where=cell_ref(sheet, IND_COL["source"], row_no)), key
            )
        out.append(ActualEdit(key, row_no, year, value, source, note))
    return out


def _rows(
    rows_iter: Iterator[Any],
    sheet: str,
    width: int,
    exported: Sequence[tuple[Any, Any]],
    locked: Sequence[Any],
    problems: _Problems,
) -> Iterator[tuple[int, int, Any, list[Any], bool]]:
    """The rows the export wrote, in place: ``(row, index, cells, values, has a formula)``.

    ``exported`` is the manifest's (ID, checksum of the read-only cells) per row.
    Checked on the way (each a problem): a filled row after the exported ones, an ID
    not where the export put it (the row is skipped), a formula, an edited read-only
    cell; at the end, a row missing.
    """
    row_no = FIRST_ROW - 1
    for row_no, cells in enumerate(rows_iter, FIRST_ROW):
        index = row_no - FIRST_ROW
        values = [c.value for c in cells] + [None] * (width + 1 - len(cells))
        if index >= len(exported):
            if any(v not in (None, "") for v in values):
                first = next(i for i, v in enumerate(values) if v not in (None, ""))
                problems.add(t("xlsx.extra_row", where=cell_ref(sheet, first, row_no)))
                break
            continue
        key, crc = str(exported[index][0]), str(exported[index][1])
        got_id = _text(values[0])
        if got_id != key:
            problems.add(
                t("xlsx.row_id", where=cell_ref(sheet, 0, row_no), want=key, got=got_id), key
            )
            continue
        formula = False
        for j, cell in enumerate(cells[:width]):
            if _is_formula(cell):
                formula = True
                problems.add(
                    t("xlsx.formula", where=cell_ref(sheet, j, row_no), formula=cell.value), key
                )
        for j, col in enumerate(locked):
            if cell_crc(_text(values[j])) != crc[j * 8 : j * 8 + 8]:
                problems.add(
                    t("xlsx.locked", where=cell_ref(sheet, j, row_no), column=col.header), key
                )
        yield row_no, index, cells, values, formula
    if row_no - FIRST_ROW + 1 < len(exported) and not problems.lines:
        missing = str(exported[row_no - FIRST_ROW + 1][0])
        problems.add(
            t("xlsx.row_id", where=cell_ref(sheet, 0, row_no + 1), want=missing, got=""), missing
        )


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
