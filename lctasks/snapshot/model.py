"""Snapshot types: plan, counts, tasks, diffs (frozen dataclasses), constants, ``bulk``."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lctasks.domain import (
    Counts,
    DueBasis,
    Light,
    PlanInfo,
    ProgressReport,
    Status,
    TaskKind,
)

SCHEMA_VERSION = 1
CST = dt.timezone(dt.timedelta(hours=8), "CST")  # China Standard Time, no DST
UNASSIGNED = "未分配"  # the by-unit row of tasks without a lead unit
STATUSES: tuple[Status, ...] = tuple(Status)
LIGHTS: tuple[Light, ...] = tuple(Light)

# Words a meeting may type instead of the status code (read side only).
STATUS_WORDS: dict[str, Status] = {
    "未启动": Status.NOT_STARTED,
    "推进中": Status.IN_PROGRESS,
    "受阻": Status.BLOCKED,
    "已完成": Status.DONE,
    "已完成（待销号）": Status.DONE,
    "待销号": Status.DONE,
    "已销号": Status.CLOSED,
    "销号": Status.CLOSED,
    "退回": Status.RETURNED,
    "退回重办": Status.RETURNED,
    "暂缓": Status.SUSPENDED,
}

# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """The point in the event log a snapshot reflects: last event's seq and hash."""

    seq: int = 0
    hash: str = ""


@dataclass(frozen=True, slots=True)
class SnapshotFilter:
    units: tuple[str, ...] = ()
    chapters: tuple[int, ...] = ()
    statuses: tuple[Status, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.units or self.chapters or self.statuses)


@dataclass(frozen=True, slots=True)
class LastChange:
    seq: int
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class SnapshotTask:
    id: str
    kind: TaskKind
    chapter: int
    title: str
    status: Status
    due: dt.date
    due_basis: DueBasis
    lead: str | None = None
    co_units: tuple[str, ...] = ()
    person: str | None = None
    original_due: dt.date | None = None
    light: Light | None = None
    progress: int = 0
    version: int = 1
    last_change: LastChange | None = None
    latest_report: ProgressReport | None = None
    removed: bool = False
    # only in a reviewed file: what the meeting wants recorded with its edits
    note: str = ""
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class OwnerChange:
    task: str
    old_lead: str | None
    new_lead: str | None
    old_co_units: tuple[str, ...]
    new_co_units: tuple[str, ...]
    old_person: str | None
    new_person: str | None


@dataclass(frozen=True, slots=True)
class ValueChange:
    task: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """What changed between two snapshots ("since the last meeting")."""

    old_as_of: dt.date
    new_as_of: dt.date
    old_seq: int = 0
    new_seq: int = 0
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    newly_done: tuple[str, ...] = ()
    newly_closed: tuple[str, ...] = ()
    returned: tuple[str, ...] = ()
    newly_red: tuple[str, ...] = ()
    newly_yellow: tuple[str, ...] = ()
    back_to_green: tuple[str, ...] = ()
    reassigned: tuple[OwnerChange, ...] = ()
    due_moved: tuple[ValueChange, ...] = ()
    status_changed: tuple[ValueChange, ...] = ()
    progress_changed: tuple[ValueChange, ...] = ()

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in DIFF_GROUPS)

    def task_ids(self) -> set[str]:
        ids: set[str] = set()
        for name in DIFF_GROUPS:
            for item in getattr(self, name):
                ids.add(item if isinstance(item, str) else item.task)
        return ids


DIFF_ID_GROUPS = (
    "added",
    "removed",
    "newly_done",
    "newly_closed",
    "returned",
    "newly_red",
    "newly_yellow",
    "back_to_green",
)
DIFF_CHANGE_GROUPS = ("reassigned", "due_moved", "status_changed", "progress_changed")
DIFF_GROUPS = DIFF_ID_GROUPS + DIFF_CHANGE_GROUPS


@dataclass(frozen=True, slots=True)
class Snapshot:
    plan: PlanInfo
    as_of: dt.date
    history: HistoryPoint
    totals: Counts
    units: Mapping[str, Counts]
    chapters: Mapping[int, Counts]
    tasks: tuple[SnapshotTask, ...]
    filter: SnapshotFilter = SnapshotFilter()
    changes: SnapshotDiff | None = None
    generated_at: dt.datetime | None = None
    schema_version: int = SCHEMA_VERSION
    # indicators judged by their numbers (lctasks evaluate), only when actuals exist;
    # read-only data for the meeting, never applied back
    evaluation: Mapping[str, Any] | None = None

    def task_map(self) -> dict[str, SnapshotTask]:
        return {task.id: task for task in self.tasks}


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic data.

    Reading or writing 100,000 tasks allocates millions of small objects, and
    CPython's collector rescans them again and again (~40% of the time here);
    none of them form cycles, so nothing is lost by collecting afterwards.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
