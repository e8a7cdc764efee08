"""The only place the TUI calls services. Every method runs in a worker thread.

Screens never touch the database: they start a worker that calls one method
here and post the result back as a message. Methods return domain objects or
the board's compact rows; errors are the domain errors (``ConflictError`` for a
stale edit), which the screens show as notifications.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lctasks.domain import (
    Actor,
    DueBasis,
    Event,
    LctasksError,
    Light,
    NotFoundError,
    ProgressReport,
    Source,
    Status,
    Suggestion,
    Task,
    TaskKind,
    Unit,
)
from lctasks.services.base import ServiceContext
from lctasks.services.board import (
    BoardRow,
    BoardService,
    Changes,
    OutlineNode,
    PlanInfo,
    TimelinePoint,
)


@dataclass(frozen=True)
class TaskDetail:
    """Everything the detail pane shows for one task."""

    task: Task
    reports: tuple[ProgressReport, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass
class Backend:
    """Services for one database and one acting person (source: tui)."""

    ctx: ServiceContext
    plan_code: str | None = None
    my_unit: str = ""
    _board: BoardService | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls, db: str | None, *, actor: str, plan: str | None = None, settings: Any = None
    ) -> Backend:
        from lctasks.db.engine import open_database

        database = open_database(db)
        ctx = ServiceContext(database, Actor(actor, Source.TUI), settings)
        my_unit = str(getattr(settings, "unit", "") or "") if settings is not None else ""
        return cls(ctx, plan, my_unit)

    def close(self) -> None:
        self.ctx.db.dispose()

    @property
    def board(self) -> BoardService:
        if self._board is None:
            self._board = BoardService(self.ctx)
        return self._board

    # -- plan ------------------------------------------------------------------

    def plan(self) -> PlanInfo | None:
        info = self.board.plan(self.plan_code)
        if info is not None:
            self.plan_code = info.code
        return info

    def ensure_plan(self) -> tuple[PlanInfo | None, int]:
        """The plan to show; imports the bundled plan first when there is none.

        Returns the plan and the number of tasks imported (0 when none was).
        """
        info = self.plan()
        if info is not None:
            return info, 0
        try:
            ledger = _service("lctasks.services.ledger", "LedgerService")(self.ctx)
        except ImportError:  # the ledger service is not installed: show the empty state
            return None, 0
        result = ledger.import_plan(bundled_plan_path())
        info = self.plan()
        return info, _count_of(result)

    def rows(self, as_of: dt.date) -> list[BoardRow]:
        assert self.plan_code is not None
        return self.board.rows(self.plan_code, as_of=as_of)

    def rows_for(self, keys: Sequence[str], as_of: dt.date) -> list[BoardRow]:
        assert self.plan_code is not None
        return self.board.rows(self.plan_code, as_of=as_of, keys=keys)

    def outline(self) -> list[OutlineNode]:
        assert self.plan_code is not None
        return self.board.outline(self.plan_code)

    def head(self) -> int:
        return self.board.head()

    def changed_since(self, seq: int) -> Changes:
        assert self.plan_code is not None
        return self.board.changed_since(seq, self.plan_code)

    def timeline(self, as_of: dt.date, start: dt.date) -> list[TimelinePoint]:
        assert self.plan_code is not None
        return self.board.timeline(self.plan_code, as_of=as_of, start=start)

    # -- one task --------------------------------------------------------------

    def detail(self, key: str, as_of: dt.date) -> TaskDetail:
        try:
            ledger = _service("lctasks.services.ledger", "LedgerService")(self.ctx)
        except ImportError:
            return self._detail_from_board(key, as_of)
        task = ledger.get_task(key, plan=self.plan_code, as_of=as_of)
        reports: tuple[ProgressReport, ...] = ()
        events: tuple[Event, ...] = ()
        try:
            history = _service("lctasks.services.history", "HistoryService")(self.ctx)
            events = tuple(history.task_events(key, plan=self.plan_code))
            reports = tuple(history.progress_reports(key, plan=self.plan_code))
        except ImportError:
            if task.latest_report is not None:
                reports = (task.latest_report,)
        return TaskDetail(task, reports, events)

    def _detail_from_board(self, key: str, as_of: dt.date) -> TaskDetail:
        rows = self.rows_for([key], as_of)
        if not rows:
            raise NotFoundError(key)
        r = rows[0]
        task = Task(
            plan=self.plan_code or "",
            id=r.key,
            kind=TaskKind(r.kind),
            chapter=r.chapter,
            title=r.title,
            status=Status(r.status),
            due=r.due,
            due_basis=DueBasis.INFERRED,
            start=r.start,
            version=r.version,
            lead_unit=r.lead or None,
            co_units=r.co_units,
            progress=r.progress,
            section=r.section,
            light=Light(r.light) if r.light else None,
            suggestion=Suggestion(r.suggested, (), ()) if r.suggested else None,
        )
        return TaskDetail(task)

    # -- units -----------------------------------------------------------------

    def units(self) -> list[Unit]:
        from lctasks.units import default_directory

        return list(default_directory().units)

    def search_units(self, text: str, limit: int = 12) -> list[Unit]:
        from lctasks.units import default_directory

        return [u for u, _score in default_directory().search(text, limit=limit)]

    # -- actions (each one unit of work in the workflow service) ---------------

    def _workflow(self) -> Any:
        return _service("lctasks.services.workflow", "WorkflowService")(self.ctx)

    def assign(
        self,
        keys: Sequence[str],
        versions: Mapping[str, int],
        *,
        lead: str,
        co_units: Sequence[str] = (),
        person: str | None = None,
    ) -> Any:
        return self._workflow().assign(
            list(keys),
            lead=lead,
            co_units=list(co_units),
            person=person,
            plan=self.plan_code,
            if_version=_versions(keys, versions),
        )

    def accept_suggestion(self, keys: Sequence[str], versions: Mapping[str, int]) -> Any:
        return self._workflow().accept_suggestion(
            list(keys), plan=self.plan_code, if_version=_versions(keys, versions)
        )

    def set_status(
        self, keys: Sequence[str], versions: Mapping[str, int], *, status: Status, reason: str
    ) -> Any:
        return self._workflow().set_status(
            list(keys),
            status,
            reason=reason,
            plan=self.plan_code,
            if_version=_versions(keys, versions),
        )

    def report_progress(
        self,
        key: str,
        version: int,
        *,
        made: str,
        problems: str,
        next_steps: str,
        percent: int | None,
    ) -> Any:
        return self._workflow().report_progress(
            key,
            made=made,
            problems=problems,
            next_steps=next_steps,
            percent=percent,
            plan=self.plan_code,
            if_version=version,
        )

    def check(self, key: str, version: int, *, done: Mapping[int, bool]) -> Any:
        return self._workflow().check(key, dict(done), plan=self.plan_code, if_version=version)

    def close_tasks(
        self, keys: Sequence[str], versions: Mapping[str, int], *, note: str, evidence: str
    ) -> Any:
        return self._workflow().close(
            list(keys),
            note=note,
            evidence=evidence,
            plan=self.plan_code,
            if_version=_versions(keys, versions),
        )

    def return_tasks(self, keys: Sequence[str], versions: Mapping[str, int], *, reason: str) -> Any:
        return self._workflow().return_(
            list(keys), reason=reason, plan=self.plan_code, if_version=_versions(keys, versions)
        )

    def extend(
        self, keys: Sequence[str], versions: Mapping[str, int], *, new_due: str, reason: str
    ) -> Any:
        return self._workflow().extend(
            list(keys),
            new_due,
            reason=reason,
            plan=self.plan_code,
            if_version=_versions(keys, versions),
        )

    def note(self, keys: Sequence[str], versions: Mapping[str, int], *, text: str) -> Any:
        return self._workflow().note(
            list(keys), text, plan=self.plan_code, if_version=_versions(keys, versions)
        )


def _service(module: str, name: str) -> Any:
    import importlib

    return getattr(importlib.import_module(module), name)


def _versions(keys: Sequence[str], versions: Mapping[str, int]) -> dict[str, int]:
    return {k: versions[k] for k in keys if k in versions}


def _count_of(result: Any) -> int:
    for name in ("tasks", "task_count", "added", "count"):
        value = getattr(result, name, None)
        if isinstance(value, int):
            return value
        if isinstance(value, list | tuple):
            return len(value)
    return 0


def bundled_plan_path() -> Path:
    """The plan text that ships with lctasks (plan_data/ beside the package)."""
    try:
        from lctasks.resources import plan_text_path  # type: ignore[attr-defined]

        return Path(plan_text_path())
    except (ImportError, AttributeError):
        root = Path(__file__).resolve().parents[2]
        return root / "plan_data" / "liaocheng-14th-five-year-plan-2021-2025.txt"


__all__ = ["Backend", "LctasksError", "TaskDetail"]
