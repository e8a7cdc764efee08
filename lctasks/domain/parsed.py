"""The parser's output: the plan tree (parts, chapters, sections, boxes,
paragraphs, the indicator table) and the task drafts it yields.

Part of ``lctasks.domain`` (import them from there); kept in their own module so
that a command that reads the ledger does not pay for building these classes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lctasks.domain import DueBasis, TaskKind
from lctasks.domain.task import Target

# ---------------------------------------------------------------------------
# Plan tree (parser output)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChecklistDraft:
    """One separate commitment (a sentence or clause) inside a task's text."""

    text: str
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True, slots=True)
class TaskDraft:
    """A task as the plan defines it, before anyone owns it.

    ``key`` is the stable ID within the plan: ``C10.M03`` (chapter 10, third
    measure), ``C10.P12`` (12th project of the box(es) attached to chapter 10),
    ``C05.T01`` (a chapter-level task), ``I07`` (indicator row 7).
    """

    key: str
    kind: TaskKind
    chapter: int
    title: str  # lead phrase / project name / indicator name / chapter title
    source_text: str  # the exact words of the plan, defects repaired
    line: int  # 1-based line in the plan file where the source starts
    section: int | None = None
    box: int | None = None
    category: str | None = None  # box category (新材料) or indicator category
    checklist: tuple[ChecklistDraft, ...] = ()
    due: dt.date = field(kw_only=True)  # the parser gives every draft one (no plan default)
    due_basis: DueBasis = DueBasis.INFERRED
    due_text: str = ""  # the words the deadline came from ('' when inferred)
    attrs: tuple[tuple[str, str], ...] = ()  # extra printed fields (indicator cells)


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    number: int  # 1-based row number in the table
    category: str  # filled down from the row above when the cell is empty
    name: str  # 地区生产总值增速
    unit: str  # %, 个, 年 ... from the parenthesis in the name
    baseline_text: str  # 2020 value as printed ('' for an empty cell)
    target_text: str  # 2025 value as printed
    annual_text: str  # 年均/[累计] as printed
    nature: str  # 预期性 / 约束性
    baseline: float | None
    target: float | None
    line: int
    target_from_row: int = 0  # the row whose printed 2025 cell covers this one (merged cell)


@dataclass(frozen=True, slots=True)
class BoxItem:
    number: int  # as printed within its category
    text: str
    category: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Box:
    """A 专栏. Project boxes give tasks; reference boxes stay as material."""

    number: int
    title: str
    chapter: int  # the chapter it belongs to
    printed_after_chapter: int  # where it stands in the file (may differ)
    is_reference: bool  # lists existing things or a layout (专栏1, 8, 9)
    items: tuple[BoxItem, ...]
    text: str  # the whole box as printed, defects repaired
    line: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    line: int
    section: int | None


@dataclass(frozen=True, slots=True)
class Section:
    number: int
    title: str
    line: int


@dataclass(frozen=True, slots=True)
class Chapter:
    number: int
    title: str
    part: int
    line: int
    sections: tuple[Section, ...]
    paragraphs: tuple[Paragraph, ...]
    boxes: tuple[Box, ...]  # boxes that belong to this chapter


@dataclass(frozen=True, slots=True)
class Part:
    number: int
    title: str
    line: int
    chapters: tuple[Chapter, ...]
    paragraphs: tuple[Paragraph, ...] = ()  # the part's introduction, before its first chapter


@dataclass(frozen=True, slots=True)
class Unplaced:
    """Text the parser could not place. Reported, never dropped."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class PrintCorrection:
    """A reviewed correction of a print defect (plan_data/corrections.toml) and what it
    did to this plan's tasks."""

    id: str
    kind: str  # replace | split | duplicate
    line: int
    printed: str
    corrected: str  # what it reads now: the corrected words, the split projects (、)
    where: str
    why: str
    by: str
    reviewed: str
    applied: bool
    tasks: tuple[str, ...] = ()  # the task keys it touched
    note: str = ""


@dataclass(frozen=True, slots=True)
class PlanTree:
    code: str  # short identity, e.g. "lc-14th"
    title: str
    doc_number: str  # 聊政发〔2021〕4号
    start: dt.date  # 2021-01-01
    end: dt.date  # 2025-12-31
    preamble: tuple[Paragraph, ...]
    parts: tuple[Part, ...]
    indicators: tuple[IndicatorRow, ...]
    tasks: tuple[TaskDraft, ...]
    unplaced: tuple[Unplaced, ...]
    source_sha256: str  # of the normalised text
    indicator_header_line: int = 0  # the indicator table's header row (0: none)
    indicator_title_line: int = 0  # the paragraph above it naming the table (0: none)
    corrections: tuple[PrintCorrection, ...] = ()  # print defects corrected in the tasks

    def chapters(self) -> list[Chapter]:
        return [c for p in self.parts for c in p.chapters]
