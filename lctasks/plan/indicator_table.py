"""The main-indicator table (主要指标): its rows → ``IndicatorRow``.

Standard library only; pure. ``lctasks.plan.structure`` collects the table's lines
(a line holding a TAB; header row first) and decides its chapter; this module reads
the cells. The header names the columns (类别, 指标, 基期/2020, 目标/2025, 年均/累计,
属性); a table without a header gets the bundled plan's order. An indicator's unit
is the bracket at the end of its name (``地区生产总值（亿元）``); numbers are read
with the words printed around them (``≥6``, ``约1.9``, ``2左右``).

Empty first cells are filled down from the row above. Merged cells:
a text value printed once in the 2025 column (``完成省分解任务``) covers the rows
below it in the same category whose 2025 cell is empty (not ``—``) — rows 11–15
and 23–24 of the bundled table; those rows carry it as their target text and
``target_from_row`` names the row where it is printed. A row without an indicator
name goes to the unplaced text with its line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lctasks.domain import IndicatorRow, Paragraph, Unplaced


@dataclass
class Table:
    """The indicator table as the structural pass collects it: one (line, cells) a row."""

    line: int
    part: int
    printed_in: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    title: Paragraph | None = None


_NUMBER_CELL = re.compile(
    r"^(?P<before>约|预计|≥|>|＞|≤|<|＜|不少于|不低于|不超过|不高于)?"
    r"(?P<num>-?\d+(?:\.\d+)?)(?P<after>%|％|左右|以上|以下)?$"
)
_UNIT = re.compile(r"^(.*?)[（(]([^（()）]+)[)）]$")


def parse_cell_number(cell: str) -> float | None:
    """``≥6``→6, ``约1.9``→1.9, ``预计2.3``→2.3, ``2左右``→2, ``25%``→25; else None."""
    m = _NUMBER_CELL.match(cell.strip())
    return float(m.group("num")) if m else None


def cell_qualifiers(cell: str) -> tuple[str, str]:
    """The words printed around a cell's number: ``≥6`` → ('≥', ''), ``2左右`` → ('', '左右')."""
    m = _NUMBER_CELL.match(cell.strip())
    if m is None:
        return "", ""
    after = m.group("after") or ""
    return m.group("before") or "", "" if after in ("%", "％") else after


def _column(header: list[str], *needles: str, default: int) -> int:
    for i, h in enumerate(header):
        if any(n in h for n in needles):
            return i
    return default


def build_indicators(
    table: Table, unplaced: list[Unplaced]
) -> tuple[list[IndicatorRow], list[str], list[list[str]]]:
    header = table.rows[0][1]
    if not any("指标" in h for h in header):
        header = ["类别", "指标", "2020年", "2025年", "年均/[累计]", "属性"]
        body = table.rows
    else:
        body = table.rows[1:]
    c_cat = _column(header, "类别", default=0)
    c_name = _column(header, "指标", default=1)
    c_base = _column(header, "2020", "基期", "现状", default=2)
    c_target = _column(header, "2025", "目标", default=3)
    c_annual = _column(header, "年均", "累计", default=4)
    c_nature = _column(header, "属性", default=5)
    rows: list[IndicatorRow] = []
    printed: list[list[str]] = []
    category = ""
    merged: tuple[str, str, int] | None = None  # (category, 2025 text, row number)
    for no, cells in body:
        width = max(len(header), len(cells), 6)
        cells = cells + [""] * (width - len(cells))
        if cells[c_cat]:
            category = cells[c_cat]
        name_cell = cells[c_name]
        if not name_cell:
            text = "\t".join(c for c in cells if c)
            if text:
                unplaced.append(Unplaced(no, text, "指标表中没有指标名称的行"))
            continue
        m = _UNIT.match(name_cell)
        name, unit = (m.group(1), m.group(2)) if m and m.group(1) else (name_cell, "")
        base_text, target_text = cells[c_base], cells[c_target]
        annual_text = cells[c_annual]
        from_row = 0
        if target_text and parse_cell_number(target_text) is None and target_text != "—":
            merged = (category, target_text, len(rows) + 1)
        elif not target_text and merged is not None and merged[0] == category:
            # a merged cell: printed once at the top of a run of rows, empty below it
            target_text, from_row = merged[1], merged[2]
        else:
            merged = None
        target = parse_cell_number(target_text)
        if target is None:
            target = parse_cell_number(annual_text)
        printed.append(cells)
        rows.append(
            IndicatorRow(
                number=len(rows) + 1,
                category=category,
                name=name,
                unit=unit,
                baseline_text=base_text,
                target_text=target_text,
                annual_text=annual_text,
                nature=cells[c_nature],
                baseline=parse_cell_number(base_text),
                target=target,
                line=no,
                target_from_row=from_row,
            )
        )
    return rows, header, printed
