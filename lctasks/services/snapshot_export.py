"""Export: the ledger as a meeting snapshot, on the shared task read model.

``export_snapshot`` reads the ledger in one read transaction with plain columns
(no ORM objects: 100,000 tasks in about a second) and takes each task's light
from ``lctasks.services.read_model.task_records`` — the rows, owners and lights
the board, the list and the reports read too — with the latest progress report
up to the end of the as-of day, so the snapshot's totals, by-unit and by-chapter
tables equal ``lctasks report``'s for the same date (a test checks it).

``read_ledger`` is that one read, also used by ``apply`` to render the ledger's
tasks as they stand and compare them with a reviewed file's task tables
(``lctasks.services.review``).
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from lctasks import clock
from lctasks.domain import DueBasis, InvalidInputError, ProgressReport, Status, TaskKind
from lctasks.snapshot import (
    HistoryPoint,
    LastChange,
    PlanInfo,
    Snapshot,
    SnapshotDiff,
    SnapshotFilter,
    SnapshotTask,
    build_snapshot,
    bulk,
    diff_snapshots,
    parse_snapshot,
)
from lctasks.snapshot.fastdiff import TaskTables
from lctasks.snapshot.reader import SnapshotFile, read_file
from lctasks.snapshot.render import RenderCache, Rendered

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lctasks.db.models import PlanRow
    from lctasks.services.base import ServiceContext
    from lctasks.services.read_model import TaskRecord

_STATUS = {x.value: x for x in Status}
_KINDS = {x.value: x for x in TaskKind}
_BASES = {x.value: x for x in DueBasis}


@dataclass(slots=True)
class LedgerRead:
    """What one read transaction gives an export: rows, reports, last changes, head."""

    plan: PlanInfo
    records: list[TaskRecord]
    reports: dict[int, ProgressReport]  # task id -> latest report up to the as-of day
    last: dict[str, LastChange]  # task key -> its newest event
    head: HistoryPoint
    titles: dict[int, str]  # chapter titles
    evaluation: dict[str, Any] | None

    def task(self, r: TaskRecord) -> SnapshotTask:
        return SnapshotTask(
            r.key,
            _KINDS[r.kind],
            r.chapter,
            r.title,
            _STATUS[r.status],
            r.due,
            _BASES[r.due_basis],
            r.lead,
            r.co_units,
            r.person,
            r.original_due,
            r.light,
            r.progress,
            r.version,
            self.last.get(r.key),
            self.reports.get(r.id),
        )


def read_ledger(
    s: Session,
    plan_row: PlanRow,
    day: dt.date,
    settings: Any,
    *,
    include_removed: bool = False,
    evaluation: bool = True,
    keys: Sequence[str] | None = None,
) -> LedgerRead:
    """The plan's tasks (read model), latest reports, newest events and head as of ``day``.

    ``keys``: only these tasks (and only their reports and events are kept)."""
    from sqlalchemy import func, select

    from lctasks.db.models import EventRow, PlanNodeRow, ProgressRow
    from lctasks.db.sql import SessionRunner
    from lctasks.services.read_model import task_records

    end_of_day = clock.day_end(day)
    records = task_records(
        SessionRunner(s),
        plan_row.id,
        as_of=day,
        settings=settings,
        include_removed=include_removed,
        keys=keys,
    )
    ids = None if keys is None else {r.id for r in records}
    wanted_keys = None if keys is None else set(keys)
    # the latest report up to the end of the as-of day (as lctasks report)
    latest = (
        select(ProgressRow.task_id, func.max(ProgressRow.at).label("last"))
        .where(ProgressRow.at < end_of_day)
        .group_by(ProgressRow.task_id)
        .subquery()
    )
    reports: dict[int, ProgressReport] = {}
    for tid, at, actor, made, problems, steps, percent, period in s.execute(
        select(
            ProgressRow.task_id,
            ProgressRow.at,
            ProgressRow.actor,
            ProgressRow.made,
            ProgressRow.problems,
            ProgressRow.next_steps,
            ProgressRow.percent,
            ProgressRow.period,
        )
        .join(
            latest,
            (latest.c.task_id == ProgressRow.task_id) & (latest.c.last == ProgressRow.at),
        )
        .order_by(ProgressRow.id)
    ):
        if ids is None or tid in ids:
            reports[tid] = _report(at, actor, made, problems, steps, percent, period)
    last: dict[str, LastChange] = {}
    newest = (
        select(EventRow.task_key, func.max(EventRow.seq).label("seq"))
        .where(EventRow.plan_code == plan_row.code, EventRow.task_key.is_not(None))
        .group_by(EventRow.task_key)
        .subquery()
    )
    for key, seq, at in s.execute(
        select(EventRow.task_key, EventRow.seq, EventRow.at).join(
            newest, newest.c.seq == EventRow.seq
        )
    ):
        if wanted_keys is None or key in wanted_keys:
            last[str(key)] = LastChange(seq, _utc(at))
    head = s.execute(
        select(EventRow.seq, EventRow.hash).order_by(EventRow.seq.desc()).limit(1)
    ).first()
    titles = {
        int(n): str(title)
        for n, title in s.execute(
            select(PlanNodeRow.number, PlanNodeRow.title).where(
                PlanNodeRow.plan_id == plan_row.id, PlanNodeRow.kind == "chapter"
            )
        )
    }
    info = PlanInfo(
        plan_row.code,
        plan_row.title,
        plan_row.doc_number or "",
        plan_row.start,
        plan_row.end,
    )
    return LedgerRead(
        info,
        records,
        reports,
        last,
        HistoryPoint(int(head[0]), str(head[1])) if head else HistoryPoint(),
        titles,
        _evaluation_section(s, plan_row, day, settings) if evaluation else None,
    )


def export_snapshot(
    ctx: ServiceContext,
    settings: Any,
    flt: SnapshotFilter | None = None,
    *,
    as_of: dt.date | None = None,
    since: Snapshot | None = None,
    since_file: str | os.PathLike[str] | None = None,
    plan: str | None = None,
    stamp: dt.datetime | None = None,
    cache: Callable[[str], RenderCache] | None = None,
) -> Snapshot:
    """A snapshot of the plan's tasks (all, or those ``flt`` selects) as of ``as_of``.

    ``flt.units`` selects tasks a unit leads or co-owns (typed names are
    resolved like everywhere: short name, full name, pinyin, initials).
    ``since`` / ``since_file``: the earlier snapshot the changes are counted
    from; a file is read only where its task tables differ from this export's
    (``_changes_since``), or whole when it cannot be cut safely.
    """
    from lctasks.services.plans import resolve_plan

    flt = flt or SnapshotFilter()
    day = as_of or clock.today()
    earlier = _Earlier.read(since_file) if since_file is not None else None
    if earlier is not None and earlier.tables is None:
        since = earlier.whole()
    units = _resolve_units(flt.units)
    with bulk():  # 100,000 tasks: no collector passes while building them
        with ctx.db.read() as s:
            plan_row = resolve_plan(s, plan)
            keys = _selected_keys(s, plan_row.id, flt, units)
            read = read_ledger(s, plan_row, day, settings, keys=keys)
        tasks = []
        # filters as the SQL had them: chapter, status, a unit that leads or co-owns
        chapters = set(flt.chapters)
        statuses = {x.value for x in flt.statuses}
        wanted_units = set(units)
        for r in read.records:
            if chapters and r.chapter not in chapters:
                continue
            if statuses and r.status not in statuses:
                continue
            if wanted_units and r.lead not in wanted_units and wanted_units.isdisjoint(r.co_units):
                continue
            tasks.append(read.task(r))
        # 100,000 tasks: the records and their lookups are not needed once the tasks are made
        read.records, read.reports, read.last = [], {}, {}
        resolved = SnapshotFilter(tuple(units), tuple(sorted(set(flt.chapters))), flt.statuses)
        snap = build_snapshot(
            read.plan,
            tasks,
            as_of=day,
            history=read.head,
            chapter_titles=read.titles,
            filter=resolved,
            since=since,
            stamp=stamp,
            evaluation=read.evaluation,
        )
        if earlier is not None and earlier.tables is not None:
            renders = cache(read.plan.code) if cache is not None else RenderCache()
            snap = replace(snap, changes=earlier.changes_to(snap, renders))
        return snap


@dataclass(slots=True)
class _Earlier:
    """An earlier snapshot file for ``--since``: its bytes, cut into task tables if safe."""

    file: SnapshotFile
    tables: TaskTables | None

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> _Earlier:
        file = read_file(path)
        tables = TaskTables.cut(file)  # ISO dates only, as a whole read here
        if tables is not None:
            try:
                tables.head()  # errors in the head: the whole read reports them
            except (InvalidInputError, tomllib.TOMLDecodeError, ValueError):
                tables = None
        return cls(file, tables)

    def whole(self) -> Snapshot:
        return parse_snapshot(self.file.text, name=self.file.name)

    def changes_to(self, new: Snapshot, cache: RenderCache) -> SnapshotDiff:
        """``diff_snapshots(earlier, new)``, reading only the earlier tables that differ.

        A task whose earlier table reads exactly as ``new``'s task is written
        has nothing that could differ, so both sides keep only the others.
        """
        assert self.tables is not None
        rendered = Rendered(new.task_map(), lambda x: x, cache)
        try:
            old, same = self.tables.differing(rendered)
        except (InvalidInputError, tomllib.TOMLDecodeError, ValueError):
            return diff_snapshots(self.whole(), new)  # the whole read locates any error
        rest = replace(new, tasks=tuple(x for x in new.tasks if x.id not in same))
        return diff_snapshots(old, rest)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _report(
    at: dt.datetime,
    actor: str,
    made: str | None,
    problems: str | None,
    next_steps: str | None,
    percent: int | None,
    period: str | None,
) -> ProgressReport:
    return ProgressReport(
        at=_utc(at),
        actor=actor,
        made=made or "",
        problems=problems or "",
        next_steps=next_steps or "",
        percent=percent,
        period=period or "",
    )


def _selected_keys(
    s: Session, plan_id: int, flt: SnapshotFilter, units: Sequence[str]
) -> list[str] | None:
    """The tasks a filtered export may hold, by the list's SQL (``read_model.filter_sql``:
    chapter, status, a unit that leads or co-owns), so that one unit's export (its 督办通知)
    reads that unit's tasks, not the ledger; ``None`` (read them all) without a filter or
    when they are many. The export still filters each task as before."""
    if not (units or flt.chapters or flt.statuses):
        return None
    from lctasks.db.sql import SessionRunner
    from lctasks.services.read_model import BIG, filter_sql
    from lctasks.services.task_filter import TaskFilter

    runner = SessionRunner(s)
    wanted = TaskFilter(
        chapters=tuple(flt.chapters), statuses=tuple(flt.statuses), units=tuple(units)
    )
    where, params = filter_sql(runner, plan_id, wanted, units)
    keys = [str(k) for (k,) in runner.each(f"SELECT t.key FROM tasks t WHERE {where}", params)]
    return keys if len(keys) <= BIG else None


def _resolve_units(texts: Sequence[str]) -> list[str]:
    if not texts:
        return []
    from lctasks.units import default_directory  # pinyin keys: only when filtering

    directory = default_directory()
    return list(dict.fromkeys(directory.resolve(text).short for text in texts))


def _evaluation_section(
    s: Any, plan_row: Any, day: dt.date, settings: Any
) -> dict[str, Any] | None:
    """The ``[evaluation]`` section, only when actuals are recorded (one query otherwise),
    so a snapshot of a ledger without actuals is byte for byte what it was before.
    (The tasks' lights already come from the read model, numbers included.)"""
    from lctasks.db.sql import SessionRunner
    from lctasks.services.numbers import (
        Evaluation,
        evaluate_rows,
        evaluation_doc,
        thresholds_of,
        toml_ready,
    )

    runner = SessionRunner(s)
    if not runner.all(
        "SELECT 1 FROM actuals a JOIN tasks t ON t.id = a.task_id WHERE t.plan_id = :p LIMIT 1",
        {"p": plan_row.id},
    ):
        return None
    year = min(day.year, plan_row.end.year)
    rows = [
        r
        for r in evaluate_rows(
            runner, plan_row.id, year, thresholds_of(settings), with_behind=False
        )
        if r.actuals or r.shares
    ]
    ev = Evaluation(plan_row.code, plan_row.title, "year", year, tuple(rows))
    doc: dict[str, Any] = toml_ready(evaluation_doc(ev))
    return doc
