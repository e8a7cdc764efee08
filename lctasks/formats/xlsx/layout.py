"""The layout of a unit workbook, shared by export and read.

Sheet names, rows and columns (which are locked), the status and light labels, the
cell names Excel shows (``报送表!K5``), and the checksums the hidden ``_lctasks``
sheet keeps: a CRC per locked cell and a digest over the whole manifest.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lctasks.domain import Status
from lctasks.labels import LIGHT_ZH, STATUS_ZH

SHEET = "报送表"
META = "_lctasks"
MAGIC = "lctasks-workbook"
FORMAT = 1
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
IND_COL = {c.key: i for i, c in enumerate(IND_COLUMNS)}
COL = {c.key: i for i, c in enumerate(COLUMNS)}  # 0-based index
# what a unit may report (the drop-down): the statuses the workflow lets anyone set
# (a liaison's are a subset; the access rules refuse the rest with the cell named)
CHOICES: tuple[Status, ...] = (
    Status.IN_PROGRESS,
    Status.BLOCKED,
    Status.DONE,
    Status.NOT_STARTED,
    Status.SUSPENDED,
)
STATUS_LABEL = STATUS_ZH
LIGHT_LABEL = LIGHT_ZH
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


def cell_crc(value: str) -> str:
    return f"{zlib.crc32(value.encode('utf-8')):08x}"


def manifest_digest(info: Iterable[tuple[str, Any]], rows: Iterable[Sequence[Any]]) -> str:
    h = hashlib.sha256()
    for k, v in info:
        h.update(f"{k}={v}\n".encode())
    for r in rows:
        h.update(("\t".join(str(x) for x in r) + "\n").encode())
    return h.hexdigest()
