"""The vocabulary of lctasks: enums, frozen dataclasses and errors.

Standard library only. Every other layer (parser, database, services, CLI,
TUI, snapshots) speaks in these types; ORM objects never leave the services.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------
# Enums
# ---------------------------------------------------------------------------


class TaskKind(enum.StrEnum):
    MEASURE = "measure"  # a lead-phrase paragraph (举措)
    PROJECT = "project"  # a numbered item of a 专栏 of planned projects
    INDICATOR = "indicator"  # a row of the main-indicator table
    CHAPTER = "chapter"  # a chapter whose commitments are prose only
    GOAL = "goal"  # the commitments of a chapter / section / part intro, chapter 4's goals


class Status(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    CLOSED = "closed"
    RETURNED = "returned"
    SUSPENDED = "suspended"

    @property
    def finished(self) -> bool:
        """Done or closed: no longer counts as late."""
        return self in (Status.DONE, Status.CLOSED)


# a carry-over (结转, lctasks carry) links the two tasks in their attributes: the old one
# is closed "carried to" the new one, which is "carried from" the old one
CARRIED_TO = "结转至"
CARRIED_FROM = "结转自"


class Light(enum.StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class Source(enum.StrEnum):
    """Where a change came from (recorded on every event)."""

    CLI = "cli"
    TUI = "tui"
    IMPORT = "import"
    RULE = "rule"
    REVIEW = "review"
    XLSX = "xlsx"  # a unit's filled-in workbook (lctasks apply FILE.xlsx)


class Role(enum.StrEnum):
    SUPERVISOR = "supervisor"  # 督查室
    LIAISON = "liaison"  # a unit's liaison
    VIEWER = "viewer"


class UnitKind(enum.StrEnum):
    DEPARTMENT = "department"
    COUNTY = "county"
    ZONE = "zone"
    PARTY = "party"  # 市委 bodies: 市纪委监委, 市委组织部 …
    CONGRESS = "congress"  # 市人大常委会办公室
    CPPCC = "cppcc"  # 市政协办公室
    MASS = "mass"  # mass organisations: 市总工会, 团市委, 市妇联, 市科协, 市工商联 …


class DueBasis(enum.StrEnum):
    """How a deadline was derived."""

    EXPLICIT = "explicit"  # the text names the year: 到2025年 / 到2022年 / 二〇三五年
    YEARLY = "yearly"  # 每年: yearly check-ins 2021-2025, final due at plan end
    INFERRED = "inferred"  # nothing in the text: the plan end
    MANUAL = "manual"  # set by a person
    EXTENDED = "extended"  # moved by an approved extension (延期)


# ---------------------------------------------------------------------------
# Status transitions: the one table the workflow, the review apply and the
# tests read (README "Status transitions" shows it for people)
# ---------------------------------------------------------------------------
#
# ======== ================================================ ==================
# action   from                                             to
# ======== ================================================ ==================
# status   not_started in_progress blocked suspended        not_started
#          returned done                                    in_progress blocked
#                                                           suspended done
# progress anything but closed                              not_started and
#                                                           returned become
#                                                           in_progress
# check    anything but closed                              not_started becomes
#                                                           in_progress
# close    done, in_progress (销号: note + evidence)         closed
# return   done, closed (退回: reason)                       returned
# reopen   closed, done, suspended                          in_progress
# extend   anything but closed (延期: reason)                status unchanged
# assign   anything but closed                              status unchanged
# note     anything                                         status unchanged
# ======== ================================================ ==================
#
# ``closed`` is reached only by ``close`` and left only by ``reopen`` or
# ``return``; ``returned`` only by ``return``. Asking for the state a task is
# already in is ``unchanged``, never an error (``reopen`` on an open task,
# ``return`` on a returned one, ``status X`` when it is X).

_S = Status
OPEN = frozenset({_S.NOT_STARTED, _S.IN_PROGRESS, _S.BLOCKED, _S.SUSPENDED, _S.RETURNED, _S.DONE})
NOT_CLOSED = frozenset(set(_S) - {_S.CLOSED})

# action -> (statuses it may start from, status it leads to or None)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status | None]] = {
    "status": (OPEN, None),  # to any of SETTABLE
    "progress": (NOT_CLOSED, None),
    "check": (NOT_CLOSED, None),
    "close": (frozenset({_S.DONE, _S.IN_PROGRESS}), _S.CLOSED),
    "return": (frozenset({_S.DONE, _S.CLOSED}), _S.RETURNED),
    "reopen": (frozenset({_S.CLOSED, _S.DONE, _S.SUSPENDED}), _S.IN_PROGRESS),
    "extend": (NOT_CLOSED, None),
    "assign": (NOT_CLOSED, None),
    "note": (frozenset(_S), None),
}
# the states ``status`` may set, in the order people see them
SETTABLE_ORDER = (_S.NOT_STARTED, _S.IN_PROGRESS, _S.BLOCKED, _S.SUSPENDED, _S.DONE)
SETTABLE = frozenset(SETTABLE_ORDER)


def move_action(old: Status, new: Status) -> str | None:
    """The workflow action that moves a task from ``old`` to ``new``; None if none may.

    ``status`` for the working states, else the one action leading to ``new``
    (``close``, ``return``, ``reopen``) when ``old`` is a state it starts from.
    """
    starts, _ = TRANSITIONS["status"]
    if new in SETTABLE and old in starts:
        return "status"
    for action in ("close", "return", "reopen"):
        starts, target = TRANSITIONS[action]
        if new == target and old in starts:
            return action
    return None


# ---------------------------------------------------------------------------
# Plan tree (parser output; depends on nothing but this module)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A quantified target inside a commitment, e.g. 到2025年…达到500亿元."""

    text: str  # the words of the plan that state it
    value: float | None  # 500.0; None when the text gives no number
    unit: str  # 亿元, 家, %, 百分点, ":1" for a ratio ... ('' if none)
    deadline: dt.date | None  # 2025-12-31 for 到2025年
    yearly: bool = False  # 每年…: a yearly cadence
    kind: str = ""  # number | range | ratio | text; '' = a date / cadence only
    value_max: float | None = None  # the upper end of a range (25%-35% → 25, 35)
    before: str = ""  # words kept before the value: 力争, 不少于, ≥, 约 …
    after: str = ""  # words kept after it: 以上, 左右, 以内 …
    value_text: str = ""  # a text target exactly as printed: 完成省分解任务

    def shown(self) -> str:
        """The target as a person reads it: 力争100家以上, 25%–35%, 1.42:1, 完成省分解任务."""
        if self.kind == "text":
            return self.value_text
        if self.value is None:
            return ""
        unit = self.unit
        if self.value_max is not None:
            number = f"{self.value:g}{unit}–{self.value_max:g}{unit}"
        else:
            number = f"{self.value:g}{unit}"
        return f"{self.before}{number}{self.after}"


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


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """A plan in the ledger as every face shows it (plan list, outline, board, snapshots).

    ``tasks``/``removed`` and the source fields are filled where they are read
    (``plan list``); a snapshot or the board leaves them at their defaults.
    """

    code: str  # short identity, e.g. "lc-14th"
    title: str
    doc_number: str
    start: dt.date
    end: dt.date
    source_name: str = ""
    source_sha256: str = ""
    imported_at: dt.datetime | None = None
    tasks: int = 0  # not removed
    removed: int = 0


@dataclass(frozen=True, slots=True)
class Counts:
    """Tasks by status and by light (a plan, a chapter, a unit, an outline node).

    Every status and light is present (0 if none). ``overdue``: past the deadline on
    the as-of date and not done/closed (as in ``lctasks report``); ``title`` names a
    snapshot's chapter.
    """

    tasks: int = 0
    status: Mapping[Status, int] = field(default_factory=dict)
    light: Mapping[Light, int] = field(default_factory=dict)
    title: str = ""  # chapters only
    overdue: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", {s: int(self.status.get(s, 0)) for s in Status})
        object.__setattr__(self, "light", {g: int(self.light.get(g, 0)) for g in Light})

    @property
    def red(self) -> int:
        return self.light[Light.RED]

    @property
    def yellow(self) -> int:
        return self.light[Light.YELLOW]


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # 聊城市科学技术局
    short: str  # 市科技局
    kind: UnitKind
    confirmed: bool = True  # V in departments.md; False for I (to check)
    aliases: tuple[str, ...] = ()  # other names people type (plan_data/units.toml)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An owner suggested by a rule; never an assignment until accepted."""

    lead: str | None  # unit short name
    co_units: tuple[str, ...]
    rules: tuple[str, ...]  # ids of the rules that fired, for explanation


# ---------------------------------------------------------------------------
# Read models returned by services
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    seq: int  # 1-based within the task
    text: str
    done: bool
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True, slots=True)
class ProgressReport:
    at: dt.datetime
    actor: str
    made: str  # 进展情况
    problems: str = ""  # 存在问题
    next_steps: str = ""  # 下一步措施
    percent: int | None = None
    period: str = ""  # e.g. 2026-11


@dataclass(frozen=True, slots=True)
class Task:
    plan: str  # plan code
    id: str  # stable key, e.g. C10.M03
    kind: TaskKind
    chapter: int
    title: str
    status: Status
    due: dt.date
    due_basis: DueBasis
    start: dt.date
    version: int
    lead_unit: str | None = None  # short name
    co_units: tuple[str, ...] = ()
    person: str | None = None  # 责任人
    leader: str | None = None  # 牵头领导
    progress: int = 0  # percent 0-100
    section: int | None = None
    box: int | None = None
    category: str | None = None
    source_text: str = ""
    line: int = 0
    due_text: str = ""
    original_due: dt.date | None = None  # set once an extension moved `due`
    checklist: tuple[ChecklistItem, ...] = ()
    suggestion: Suggestion | None = None
    latest_report: ProgressReport | None = None
    light: Light | None = None  # computed for an as-of date by services
    removed: bool = False  # gone from the plan text at the last re-import
    updated_at: dt.datetime | None = None
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    at: dt.datetime
    actor: str
    source: Source
    action: str  # assign, status, progress, check, close, return, extend, note, import …
    plan: str | None
    task: str | None
    changes: dict[str, list[object]] = field(default_factory=dict)  # field -> [old, new]
    reason: str = ""
    hash: str = ""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, and from where."""

    name: str
    source: Source = Source.CLI


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who acts on the ledger. On PostgreSQL ``name`` is the database login."""

    name: str
    role: Role
    unit: str | None = None  # short name of the unit (required for liaisons)
    display_name: str = ""
    login: bool | None = None  # PostgreSQL: a login role exists (None on SQLite)


# ---------------------------------------------------------------------------
# Errors (each maps to a documented exit code at the CLI edge)
# ---------------------------------------------------------------------------


class LctasksError(Exception):
    """Base of every error a user can cause. ``hint`` says what to do."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "", ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.ids = ids

    @property
    def kind(self) -> str:
        """The documented error type (``ConflictError`` …), also for a service's subclass."""
        return next(c.__name__ for c in type(self).__mro__ if c.__module__ == __name__)


class UsageError(LctasksError):
    """A command line the CLI cannot read: unknown command or option, missing or
    malformed argument (the CLI turns Click's refusals into this)."""

    exit_code = 2


class NotFoundError(LctasksError):
    """Unknown task ID, unit, plan or file."""

    exit_code = 3


class InvalidInputError(LctasksError):
    """A malformed date, unit, TOML file, plan file or missing required value."""

    exit_code = 4


class ConflictError(LctasksError):
    """An invalid status transition, or an edit based on a stale version."""

    exit_code = 5


class PermissionDeniedError(LctasksError):
    """The acting person's role or unit does not allow this."""

    exit_code = 6


class StorageError(LctasksError):
    """The database cannot be opened or used (damaged, foreign, locked)."""

    exit_code = 7


class BusyError(StorageError):
    """Another session holds what this one needs (PostgreSQL lock or statement
    timeout, SQLite busy timeout): nothing was changed, try again."""

    exit_code = 8


class OutputError(LctasksError):
    """The output could not be written (disk full, terminal gone). The message
    says whether the command's change was saved before that."""

    exit_code = 9
