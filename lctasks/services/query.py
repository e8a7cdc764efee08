"""What the ledger's read side gives: one task's detail, outline, coverage, import
result (and, re-exported from ``services.task_filter``, what it takes: ``TaskFilter``).

Standard library only (plus the domain), so the CLI can build a ``TaskFilter``
without importing SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# the filter lives in its own module: `lctasks list` builds one without this module's
# other classes (see task_filter); importable from here as before
from lctasks.services.task_filter import ORDERS as ORDERS
from lctasks.services.task_filter import TaskFilter as TaskFilter

if TYPE_CHECKING:
    # annotations only: `lctasks show` builds a TaskDetail without the domain's
    # parser classes (PrintCorrection, Unplaced) or its ledger classes
    from lctasks.domain import (
        Counts,
        Event,
        PlanInfo,
        PrintCorrection,
        ProgressReport,
        Task,
        Unplaced,
    )
    from lctasks.services.indicators import EvalRow


def _no_counts() -> Counts:
    from lctasks.domain import Counts

    return Counts()


@dataclass(frozen=True, slots=True)
class TaskDetail:
    """One task with what is shown beside it.

    ``show`` fills where it stands in the plan (titles of its part, chapter, section,
    box); the TUI's detail pane fills its reports, history and recorded numbers.
    """

    task: Task
    plan_title: str = ""
    part: tuple[int, str] | None = None
    chapter_title: str = ""
    section_title: str = ""
    box_title: str = ""
    box_note: str = ""
    reports: tuple[ProgressReport, ...] = ()
    events: tuple[Event, ...] = ()
    # indicators and quantified targets with recorded actuals or shares (lctasks actual)
    numbers: tuple[EvalRow, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportResult:
    plan: str  # plan code
    first: bool  # the plan was not in the database before
    tasks: int  # tasks of the plan after the import (not removed)
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    restored: tuple[str, ...]  # removed earlier, back in this text (also in `added`)
    unchanged: int
    counts: dict[str, int]  # by kind, plus parts/chapters/sections/boxes/unplaced
    units_added: tuple[str, ...] = ()
    units_updated: tuple[str, ...] = ()
    ticks_dropped: tuple[str, ...] = ()  # "C10.M03#2": a ticked item whose text is gone
    # (parser key, stored key) where a paragraph moved: IDs never shift
    rekeyed: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class OutlineBox:
    number: int
    title: str
    chapter: int
    is_reference: bool
    note: str  # e.g. 印在第11章之后 when printed after another chapter
    line: int
    text: str
    counts: Counts


@dataclass(frozen=True, slots=True)
class OutlineSection:
    number: int
    title: str
    line: int
    counts: Counts


@dataclass(frozen=True, slots=True)
class OutlineChapter:
    number: int
    title: str
    part: int
    line: int
    counts: Counts
    by_kind: dict[str, int]
    sections: tuple[OutlineSection, ...]
    boxes: tuple[OutlineBox, ...]


@dataclass(frozen=True, slots=True)
class OutlinePart:
    number: int
    title: str
    line: int
    counts: Counts
    chapters: tuple[OutlineChapter, ...]


@dataclass(frozen=True, slots=True)
class PlanOutline:
    plan: PlanInfo
    as_of: dt.date
    counts: Counts
    parts: tuple[OutlinePart, ...]
    unplaced: tuple[Unplaced, ...]
    other: Counts = field(default_factory=_no_counts)  # tasks of no chapter in the tree


@dataclass(frozen=True, slots=True)
class ChapterCoverage:
    chapter: int
    title: str
    tasks: int
    by_kind: dict[str, int]
    reference_boxes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ParagraphCoverage:
    """Every paragraph, box item and table row of the plan in one class (see
    lctasks.plan.coverage): task, checklist, reference, context, unplaced."""

    total: int
    classes: dict[str, int]  # class → count; the counts add up to ``total``
    lines: dict[str, tuple[int, ...]]  # class → the lines its pieces start on
    context: tuple[tuple[int, str], ...]  # (line, why it is context)
    unplaced: tuple[Unplaced, ...]  # pieces in no class but unplaced, with the reason


@dataclass(frozen=True, slots=True)
class Coverage:
    plan: str
    tasks: int
    by_kind: dict[str, int]
    chapters: tuple[ChapterCoverage, ...]
    without_tasks: tuple[int, ...]  # chapters with no task (1–3 in the bundled plan)
    reference_boxes: tuple[tuple[int, str, int], ...]  # (number, title, chapter)
    unplaced: int
    # None for a plan imported before paragraphs were accounted for (re-import it)
    paragraphs: ParagraphCoverage | None = None
    corrections: tuple[PrintCorrection, ...] = ()  # plan_data/corrections.toml, as applied
