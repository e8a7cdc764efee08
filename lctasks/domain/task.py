"""A task as the ledger holds it, with its parts: checklist items and their
targets, the latest progress report, the suggested owners.

Part of ``lctasks.domain`` (import them from there); kept in their own module so
that a command pays only for the classes it uses (``show`` needs these only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lctasks.domain import DueBasis, Light, Status, TaskKind


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
class Suggestion:
    """An owner suggested by a rule; never an assignment until accepted."""

    lead: str | None  # unit short name
    co_units: tuple[str, ...]
    rules: tuple[str, ...]  # ids of the rules that fired, for explanation


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
