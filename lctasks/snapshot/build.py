"""Building a snapshot from domain objects, totals, and comparing two snapshots."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from lctasks.domain import (
    Counts,
    Light,
    PlanInfo,
    Status,
    Task,
)
from lctasks.snapshot.model import (
    DIFF_GROUPS,
    UNASSIGNED,
    HistoryPoint,
    LastChange,
    OwnerChange,
    Snapshot,
    SnapshotDiff,
    SnapshotFilter,
    SnapshotTask,
    ValueChange,
)

# ---------------------------------------------------------------------------
# Building from domain objects
# ---------------------------------------------------------------------------

_NUM = re.compile(r"(\d+)")


# export, write and diff sort the same IDs again: each ID's key is made once (up to
# 2**18 IDs, then the memo starts again); a plain dict, not an LRU list beside it
_NATURAL: dict[str, tuple[str | int, ...]] = {}
_NATURAL_MAX = 1 << 18


def natural_key(task_id: str) -> tuple[str | int, ...]:
    """C2.M3 < C10.M03 < I07: numbers compare as numbers, text as text.

    Splitting on digit runs puts text at even and numbers at odd positions in
    every key, so keys compare position by position without mixing types.
    """
    key = _NATURAL.get(task_id)
    if key is None:
        if len(_NATURAL) >= _NATURAL_MAX:
            _NATURAL.clear()
        parts: list[str | int] = [sys.intern(p) for p in _NUM.split(task_id)]
        parts[1::2] = [int(p) for p in parts[1::2]]  # type: ignore[arg-type]
        key = _NATURAL[task_id] = tuple(parts)
    return key


def snapshot_task(task: Task, last_change: LastChange | None = None) -> SnapshotTask:
    return SnapshotTask(
        id=task.id,
        kind=task.kind,
        chapter=task.chapter,
        title=task.title,
        status=task.status,
        due=task.due,
        due_basis=task.due_basis,
        lead=task.lead_unit,
        co_units=tuple(task.co_units),
        person=task.person,
        original_due=task.original_due,
        light=task.light,
        progress=task.progress,
        version=task.version,
        last_change=last_change,
        latest_report=task.latest_report,
        removed=task.removed,
    )


def tally(
    tasks: Iterable[SnapshotTask],
    chapter_titles: Mapping[int, str] | None = None,
    as_of: dt.date | None = None,
) -> tuple[Counts, dict[str, Counts], dict[int, Counts]]:
    """Totals, by lead unit and by chapter, counted from the tasks themselves.

    Removed tasks are not counted (as in ``lctasks report``).
    """
    titles = chapter_titles or {}
    # count distinct (lead, chapter, status, light, late) cases first: C speed
    cases = Counter(
        (
            x.lead or UNASSIGNED,
            x.chapter,
            x.status,
            x.light,
            as_of is not None and as_of > x.due and not x.status.finished,
        )
        for x in tasks
        if not x.removed
    )
    total: list[Any] = [0, Counter(), Counter(), 0]
    units: dict[str, list[Any]] = {}
    chapters: dict[int, list[Any]] = {}
    for (lead, chapter, status, light, late), n in cases.items():
        if lead not in units:
            units[lead] = [0, Counter(), Counter(), 0]
        if chapter not in chapters:
            chapters[chapter] = [0, Counter(), Counter(), 0]
        for acc in (total, units[lead], chapters[chapter]):
            acc[0] += n
            acc[1][status] += n
            if light is not None:
                acc[2][light] += n
            if late:
                acc[3] += n
    return (
        Counts(total[0], total[1], total[2], "", total[3]),
        {name: Counts(a[0], a[1], a[2], "", a[3]) for name, a in units.items()},
        {n: Counts(a[0], a[1], a[2], titles.get(n, ""), a[3]) for n, a in chapters.items()},
    )


def build_snapshot(
    plan: PlanInfo,
    tasks: Iterable[Task | SnapshotTask],
    *,
    as_of: dt.date,
    history: HistoryPoint = HistoryPoint(),
    last_changes: Mapping[str, LastChange] | None = None,
    totals: Counts | None = None,
    units: Mapping[str, Counts] | None = None,
    chapters: Mapping[int, Counts] | None = None,
    chapter_titles: Mapping[int, str] | None = None,
    filter: SnapshotFilter = SnapshotFilter(),
    since: Snapshot | None = None,
    stamp: dt.datetime | None = None,
    evaluation: Mapping[str, Any] | None = None,
) -> Snapshot:
    """A snapshot of ``tasks`` as of ``as_of``.

    Totals and the by-unit / by-chapter tables are counted from the tasks unless
    the caller passes them (the review service passes the report service's own
    figures, so the snapshot and ``lctasks report`` always agree).
    """
    changes = last_changes or {}
    items = [
        t_ if isinstance(t_, SnapshotTask) else snapshot_task(t_, changes.get(t_.id))
        for t_ in tasks
    ]
    items.sort(key=lambda x: natural_key(x.id))
    counted = tally(items, chapter_titles, as_of) if None in (totals, units, chapters) else None
    snap = Snapshot(
        plan=plan,
        as_of=as_of,
        history=history,
        totals=totals if totals is not None else counted[0],  # type: ignore[index]
        units=dict(units) if units is not None else counted[1],  # type: ignore[index]
        chapters=dict(chapters) if chapters is not None else counted[2],  # type: ignore[index]
        tasks=tuple(items),
        filter=filter,
        generated_at=stamp,
        evaluation=evaluation,
    )
    if since is not None:
        snap = replace(snap, changes=diff_snapshots(since, snap))
    return snap


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------


def diff_snapshots(old: Snapshot, new: Snapshot) -> SnapshotDiff:
    """What changed from ``old`` to ``new``, grouped the way a meeting reads it.

    A task marked ``removed`` (gone from the plan at a re-import) counts as
    removed; tasks that are new only appear under ``added``.
    """
    before = {x.id: x for x in old.tasks if not x.removed}
    after = {x.id: x for x in new.tasks if not x.removed}
    groups: dict[str, list[Any]] = {name: [] for name in DIFF_GROUPS}
    groups["added"] = [i for i in after if i not in before]
    groups["removed"] = [i for i in before if i not in after]
    for tid, b in after.items():
        a = before.get(tid)
        if a is None:
            continue
        if a.status != b.status:
            groups["status_changed"].append(ValueChange(tid, a.status, b.status))
            if b.status == Status.DONE:
                groups["newly_done"].append(tid)
            elif b.status == Status.CLOSED:
                groups["newly_closed"].append(tid)
            elif b.status == Status.RETURNED:
                groups["returned"].append(tid)
        if a.light != b.light:
            if b.light == Light.RED:
                groups["newly_red"].append(tid)
            elif b.light == Light.YELLOW and a.light != Light.RED:
                groups["newly_yellow"].append(tid)
            elif b.light == Light.GREEN and a.light in (Light.RED, Light.YELLOW):
                groups["back_to_green"].append(tid)
        if a.lead != b.lead or a.co_units != b.co_units or a.person != b.person:
            groups["reassigned"].append(
                OwnerChange(tid, a.lead, b.lead, a.co_units, b.co_units, a.person, b.person)
            )
        if a.due != b.due:
            groups["due_moved"].append(ValueChange(tid, a.due, b.due))
        if a.progress != b.progress:
            groups["progress_changed"].append(ValueChange(tid, a.progress, b.progress))
    for values in groups.values():
        values.sort(key=lambda v: natural_key(v if isinstance(v, str) else v.task))
    return SnapshotDiff(
        old_as_of=old.as_of,
        new_as_of=new.as_of,
        old_seq=old.history.seq,
        new_seq=new.history.seq,
        **{name: tuple(values) for name, values in groups.items()},
    )
