"""The compact read model behind the TUI's task list, tree and dashboard.

A supervision screen must show 100,000 tasks without building 100,000 domain
objects: ``BoardService.rows`` loads one small ``BoardRow`` per task with a
single Core select (no ORM identity map, no relationship loading), and the
outline, counts and dashboard figures are computed from those rows. Details
of one task come from the ledger (``LedgerService.get_task``).

``head`` is the cheap change probe a live screen polls (the newest event
sequence number); ``changed_since`` says which task keys those events touched.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lctasks import clock
from lctasks.config import Settings, load_settings
from lctasks.db.sql import as_date
from lctasks.domain import PlanInfo, ProgressReport, Status
from lctasks.lights import FINISHED as FINISHED  # the TUI's model reads it here
from lctasks.services.base import ServiceContext
from lctasks.services.plan_choice import choose_plan

if TYPE_CHECKING:
    from lctasks.db.sql import Runner
    from lctasks.services.read_model import TaskRecord


@dataclass(slots=True)
class BoardRow:
    """One task, as much as a list row, the filters and the counts need."""

    key: str
    kind: str
    chapter: int
    section: int | None
    title: str
    status: str
    progress: int
    start: dt.date
    due: dt.date
    lead: str  # lead unit short name ('' when unassigned)
    co_units: tuple[str, ...]
    suggested: str  # suggested lead ('' when none)
    version: int
    category: str
    light: str  # red | yellow | green ('' when not computed)
    last_report: dt.date | None = None
    carried: bool = False  # closed as carried over (结转) to another plan: not "done"


@dataclass(frozen=True, slots=True)
class OutlineNode:
    kind: str  # part | chapter | section
    number: int
    title: str
    part: int | None = None
    chapter: int = 0


@dataclass(frozen=True, slots=True)
class Changes:
    head: int
    keys: frozenset[str]  # task keys touched by the new events
    everything: bool  # an event without a task (import, rules): reload all


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    month: str  # 2023-06
    completed: int  # tasks finished during the month (from the event history)
    overdue: int  # tasks past their deadline and unfinished at the month's end


@dataclass
class BoardService:
    ctx: ServiceContext

    @property
    def settings(self) -> Settings:
        if not isinstance(self.ctx.settings, Settings):
            self.ctx.settings = load_settings()
        return self.ctx.settings

    @property
    def db(self) -> Any:
        return self.ctx.db

    # -- plans -----------------------------------------------------------------

    def plans(self) -> list[PlanInfo]:
        from lctasks.db.sql import SessionRunner

        with self.db.read() as s:
            return [info for _id, info in plan_infos(SessionRunner(s))]

    def plan(self, code: str | None) -> PlanInfo | None:
        plans = self.plans()
        if not plans:
            return None
        if code is None:
            return plans[0]  # the TUI opens the first plan; a command asks (choose_plan)
        return choose_plan([(p, p.code) for p in plans], code)[0]

    # -- rows ------------------------------------------------------------------

    def rows(
        self,
        plan: str,
        *,
        as_of: dt.date,
        keys: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[BoardRow]:
        """Every live task of ``plan`` (or only ``keys``, or the first ``limit``).

        Lights are computed for ``as_of``. The rows come from the shared task
        read model (``lctasks.services.read_model.task_records``: plain SQL, no
        ORM result processing), the same one the CLI's read fast path uses.
        """
        from lctasks.db.sql import SessionRunner
        from lctasks.services.read_model import carried_ids, plan_codes, task_records

        with self.db.read() as s:
            runner = SessionRunner(s)
            plan_id = next((i for i, code in plan_codes(runner) if code == plan), None)
            if plan_id is None:
                return []
            records = task_records(
                runner, plan_id, as_of=as_of, settings=self.settings, keys=keys, limit=limit
            )
            carried = carried_ids(runner, plan_id)
        return board_rows(records, carried)

    def reports(self, plan: str, key: str) -> list[ProgressReport]:
        """Every progress report of one task, newest first."""
        # SQLAlchemy (~0.5 s to import) only once the database is used
        from sqlalchemy import select

        from lctasks.db.models import PlanRow, ProgressRow, TaskRow

        with self.db.read() as s:
            rows = s.execute(
                select(
                    ProgressRow.at,
                    ProgressRow.actor,
                    ProgressRow.made,
                    ProgressRow.problems,
                    ProgressRow.next_steps,
                    ProgressRow.percent,
                    ProgressRow.period,
                )
                .join(TaskRow, TaskRow.id == ProgressRow.task_id)
                .join(PlanRow, PlanRow.id == TaskRow.plan_id)
                .where(PlanRow.code == plan, TaskRow.key == key)
                .order_by(ProgressRow.at.desc(), ProgressRow.id.desc())
            ).all()
        return [
            ProgressReport(
                at=r[0] if r[0].tzinfo else r[0].replace(tzinfo=dt.UTC),
                actor=r[1],
                made=r[2] or "",
                problems=r[3] or "",
                next_steps=r[4] or "",
                percent=r[5],
                period=r[6] or "",
            )
            for r in rows
        ]

    # -- outline ---------------------------------------------------------------

    def outline(self, plan: str) -> list[OutlineNode]:
        """Parts, chapters and sections in reading order (no counts: see ``counts``)."""
        from lctasks.db.sql import SessionRunner

        with self.db.read() as s:
            runner = SessionRunner(s)
            plan_id = next((i for i, info in plan_infos(runner) if info.code == plan), None)
            return [] if plan_id is None else outline_nodes(runner, plan_id)

    # -- change probe ----------------------------------------------------------

    def head(self) -> int:
        """The newest event's sequence number: one indexed lookup."""
        from lctasks.db.sql import SessionRunner

        with self.db.read() as s:
            return event_head(SessionRunner(s))

    def changed_since(self, seq: int, plan: str) -> Changes:
        # SQLAlchemy (~0.5 s to import) only once the database is used
        from sqlalchemy import select

        from lctasks.db.models import EventRow

        with self.db.read() as s:
            rows = s.execute(
                select(EventRow.seq, EventRow.plan_code, EventRow.task_key).where(
                    EventRow.seq > seq
                )
            ).all()
        head = max((r[0] for r in rows), default=seq)
        keys = {r[2] for r in rows if r[2] and r[1] in (plan, None)}
        everything = any(r[2] is None and r[1] in (plan, None) for r in rows)
        return Changes(head, frozenset(keys), everything)

    # -- dashboard -------------------------------------------------------------

    def timeline(self, plan: str, *, as_of: dt.date, start: dt.date) -> list[TimelinePoint]:
        """Completions per month and overdue count at each month's end, from events."""
        # SQLAlchemy (~0.5 s to import) only once the database is used
        from sqlalchemy import select

        from lctasks.db.models import EventRow, PlanRow, TaskRow

        finished_at: dict[str, dt.date] = {}
        reopened: set[str] = set()
        with self.db.read() as s:
            plan_id = s.execute(select(PlanRow.id).where(PlanRow.code == plan)).scalar()
            if plan_id is None:
                return []
            dues = s.execute(
                select(TaskRow.key, TaskRow.due, TaskRow.status).where(
                    TaskRow.plan_id == plan_id, TaskRow.removed.is_(False)
                )
            ).all()
            events = s.execute(
                select(EventRow.task_key, EventRow.at, EventRow.action, EventRow.changes)
                .where(EventRow.plan_code == plan, EventRow.task_key.is_not(None))
                .order_by(EventRow.seq)
            ).all()
        for key, at, action, changes in events:
            new_status = _new_status(action, changes)
            if new_status is None:
                continue
            day = clock.office_date(at)
            if new_status in FINISHED:
                finished_at.setdefault(key, day)
                reopened.discard(key)
            else:
                if key in finished_at:
                    finished_at.pop(key)
                    reopened.add(key)
        for key, _due, status in dues:
            if status in FINISHED and key not in finished_at:
                finished_at[key] = start  # finished before history began
        months = _month_ends(start, as_of)
        completed = [0] * (len(months) + 1)
        overdue = [0] * (len(months) + 1)  # a difference array over month indexes
        for day in finished_at.values():
            completed[bisect.bisect_left(months, day)] += 1
        for key, due, _st in dues:
            i_from = bisect.bisect_right(months, due)  # first month end after the deadline
            fin = finished_at.get(key)
            i_to = len(months) if fin is None else bisect.bisect_left(months, fin)
            if i_from < i_to:
                overdue[i_from] += 1
                overdue[i_to] -= 1
        out: list[TimelinePoint] = []
        running = 0
        for i, end in enumerate(months):
            running += overdue[i]
            out.append(TimelinePoint(end.strftime("%Y-%m"), completed[i], running))
        return out


# -- plain SQL over a Runner: the same reads on a SQLAlchemy session or on the
# standard-library sqlite3 connection (the TUI's first page, before SQLAlchemy
# is imported: lctasks.tui.backend.Backend.first_page)


def plan_infos(runner: Runner) -> list[tuple[int, PlanInfo]]:
    """(id, plan) of every plan, in the order they were imported."""
    rows = runner.all('SELECT id, code, title, doc_number, start, "end" FROM plans ORDER BY id')
    return [(int(r[0]), PlanInfo(r[1], r[2], r[3] or "", _day(r[4]), _day(r[5]))) for r in rows]


def _day(value: Any) -> dt.date:
    day = as_date(value)
    assert day is not None  # NOT NULL columns
    return day


def outline_nodes(runner: Runner, plan_id: int) -> list[OutlineNode]:
    """The plan's parts, chapters and sections in reading order."""
    rows = runner.all(
        "SELECT kind, number, title, part, chapter FROM plan_nodes"
        " WHERE plan_id = :plan AND kind IN ('part', 'chapter', 'section')"
        " ORDER BY line, id",
        {"plan": plan_id},
    )
    return [OutlineNode(r[0], r[1], r[2] or "", r[3], r[4] or 0) for r in rows]


def event_head(runner: Runner) -> int:
    """The newest event's sequence number (0 before the first event)."""
    rows = runner.all("SELECT MAX(seq) FROM events")
    return int(rows[0][0] or 0) if rows else 0


def board_rows(
    records: Sequence[TaskRecord], carried: Collection[int] = frozenset()
) -> list[BoardRow]:
    """The read model's task records as the board's compact rows (``carried``: the ids
    of tasks carried over to another plan, ``read_model.carried_ids``)."""
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return [
            BoardRow(
                r.key,
                r.kind,
                r.chapter,
                r.section,
                r.title,
                r.status,
                r.progress,
                r.start,
                r.due,
                r.lead or "",
                r.co_units,
                r.suggested_lead or "",
                r.version,
                r.category or "",
                r.light,
                r.last_report,
                r.id in carried,
            )
            for r in records
        ]
    finally:
        if gc_was_on:
            gc.enable()


def _new_status(action: str, changes: Any) -> str | None:
    if isinstance(changes, dict):
        status = changes.get("status")
        if isinstance(status, list) and status:
            return str(status[-1])
        if isinstance(status, str):
            return status
    if action == "close":
        return Status.CLOSED.value
    return None


def _month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    out: list[dt.date] = []
    y, m = start.year, start.month
    while True:
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        last = nxt - dt.timedelta(days=1)
        if last >= end:
            out.append(end)
            return out
        out.append(last)
        y, m = nxt.year, nxt.month
