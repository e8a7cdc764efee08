"""Reading tasks back: plans, units, filtered task lists, one task in full.

``list_tasks`` filters in SQL (plan, chapter, kind, unit, status, text, due
range, unassigned, removed) and computes the warning lights in Python from a
few columns per row; ``get_task`` / ``task_detail`` return one task with
everything attached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lctasks import clock
from lctasks.db.models import (
    PlanRow,
    TaskRow,
    UnitRow,
)
from lctasks.db.sql import SessionRunner
from lctasks.domain import (
    ChecklistItem,
    PlanInfo,
    Task,
    Unit,
    UnitKind,
)
from lctasks.services.base import Service
from lctasks.services.plans import load_tasks, resolve_plan
from lctasks.services.query import TaskDetail
from lctasks.services.read_model import list_tasks as read_tasks
from lctasks.services.task_filter import ORDERS, TaskFilter
from lctasks.services.task_read import checklists, closure, task_detail, task_full
from lctasks.services.views import (
    as_utc,
)
from lctasks.units import resolve_shorts


def load_file_units() -> list[Unit]:
    """The owner units of plan_data/units.toml (or LCTASKS_UNITS)."""
    from lctasks.units import load_units

    return load_units()


class TaskQueries(Service):
    """Plans, units and tasks as domain objects. One read transaction per method."""

    # -- reading: plans and units ---------------------------------------------

    def plans(self) -> list[PlanInfo]:
        with self.db.read() as s:
            counts: dict[tuple[int, bool], int] = {
                (pid, bool(rem)): n
                for pid, rem, n in s.execute(
                    select(TaskRow.plan_id, TaskRow.removed, func.count()).group_by(
                        TaskRow.plan_id, TaskRow.removed
                    )
                )
            }
            return [
                self._plan_info(p, counts.get((p.id, False), 0), counts.get((p.id, True), 0))
                for p in s.scalars(select(PlanRow).order_by(PlanRow.code))
            ]

    @staticmethod
    def _plan_info(p: PlanRow, tasks: int, removed: int) -> PlanInfo:
        return PlanInfo(
            code=p.code,
            title=p.title,
            doc_number=p.doc_number or "",
            start=p.start,
            end=p.end,
            source_name=p.source_name or "",
            source_sha256=p.source_sha256 or "",
            imported_at=as_utc(p.imported_at),
            tasks=tasks,
            removed=removed,
        )

    def units(self) -> list[Unit]:
        """Units in the database (synced from units.toml at import), else from the file.

        Aliases come from the file (the database keeps names only).
        """
        file_units = load_file_units()
        with self.db.read() as s:
            rows = list(s.scalars(select(UnitRow).order_by(UnitRow.id)))
        if not rows:
            return file_units
        aliases = {u.short: u.aliases for u in file_units}
        order = {u.short: i for i, u in enumerate(file_units)}
        rows.sort(key=lambda r: (order.get(r.short, len(order)), r.id))
        return [
            Unit(
                name=r.name,
                short=r.short,
                kind=UnitKind(r.kind),
                confirmed=r.confirmed,
                aliases=aliases.get(r.short, ()),
            )
            for r in rows
        ]

    # -- reading: tasks -------------------------------------------------------

    def list_tasks(
        self,
        flt: TaskFilter | None = None,
        *,
        as_of: dt.date | None = None,
        with_reports: bool = False,
    ) -> list[Task]:
        """Tasks matching ``flt``, with lights as of ``as_of`` (default today).

        Summaries: no checklist; ``latest_report`` only with ``with_reports=True``
        (the light always takes the latest report's date into account). The rows
        come from the task read model (``read_model.list_tasks``), as the board's,
        the export's and the reports' do.
        """
        flt = flt or TaskFilter()
        as_of = as_of or clock.today()
        settings = self._settings()
        with self.db.read() as s:
            plan = resolve_plan(s, flt.plan)
            shorts = resolve_shorts(flt.units) if flt.units else set()
            if flt.order not in ORDERS:
                from lctasks.domain import InvalidInputError

                raise InvalidInputError(
                    f"--order {flt.order}?", hint="--order plan | due | key | updated"
                )
            return read_tasks(
                SessionRunner(s),
                plan.id,
                plan.code,
                flt,
                as_of=as_of,
                settings=settings,
                unit_shorts=shorts,
                with_reports=with_reports,
            )

    def checklists(
        self, keys: Sequence[str], plan: str | None = None
    ) -> dict[str, tuple[ChecklistItem, ...]]:
        """The checklists (with their targets) of many tasks in one read, by key."""
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            return checklists(SessionRunner(s), plan_row.id, keys)

    def get_task(self, key: str, plan: str | None = None, *, as_of: dt.date | None = None) -> Task:
        """One task with checklist, targets, owners, suggestion, latest report and light."""
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            return self._full_task(s, plan_row, key, as_of or clock.today())

    def _full_task(self, s: Session, plan_row: PlanRow, key: str, as_of: dt.date) -> Task:
        """The task from the read model (``task_read.task_full``, as ``show``'s fast path)."""
        task = task_full(
            SessionRunner(s),
            plan_row.id,
            plan_row.code,
            key,
            as_of=as_of,
            settings=self._settings(),
        )
        if task is None:
            load_tasks(s, plan_row, [key])  # raises NotFoundError naming it, with near IDs
            raise AssertionError(key)
        return task

    def task_detail(
        self, key: str, plan: str | None = None, *, as_of: dt.date | None = None
    ) -> TaskDetail:
        """``get_task`` plus where the task stands in the plan (part, chapter, section, box)."""
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            detail = task_detail(
                SessionRunner(s),
                plan_row.id,
                plan_row.code,
                key,
                as_of=as_of or clock.today(),
                settings=self._settings(),
            )
            if detail is None:
                load_tasks(s, plan_row, [key])  # raises NotFoundError naming it, with near IDs
                raise AssertionError(key)
            return detail

    def closure(self, key: str, plan_code: str) -> dict[str, str] | None:
        """销号 of a task (``task_read.closure``): when, by whom, note and evidence."""
        with self.db.read() as s:
            return closure(SessionRunner(s), plan_code, key)
