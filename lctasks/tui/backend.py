"""The only place the TUI calls services. Every method runs in a worker thread.

Screens never touch the database: they start a worker that calls one method
here and post the result back as a message. Methods return domain objects or
the board's compact rows; errors are the domain errors (``ConflictError`` for a
stale edit), which the screens show as notifications.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lctasks.domain import (
    Actor,
    LctasksError,
    PlanInfo,
    Source,
    Status,
    Unit,
)
from lctasks.services.base import ServiceContext
from lctasks.services.board import (
    BoardRow,
    BoardService,
    Changes,
    OutlineNode,
    TimelinePoint,
)
from lctasks.services.query import TaskDetail
from lctasks.textsafe import shown

if TYPE_CHECKING:
    from lctasks.services.workflow import BatchResult, WorkflowService


@dataclass(frozen=True, slots=True)
class FirstPage:
    """What the first paint shows: the plan, its outline and the first rows."""

    plan: PlanInfo
    outline: list[OutlineNode]
    rows: list[BoardRow]
    head: int  # the newest event when these rows were read


class Backend:
    """Services for one database and one acting person (source: tui).

    Making one opens nothing: the database is opened (and SQLAlchemy, ~0.5 s,
    imported) by the first call that needs it, in a worker thread. Before that,
    ``first_page`` reads what the first paint needs with the standard library's
    ``sqlite3`` through the shared task read model.
    """

    def __init__(
        self,
        db: str | None,
        *,
        actor: str,
        plan: str | None = None,
        settings: Any = None,
    ) -> None:
        self.db = db  # --db as given (None: LCTASKS_DB or the default file)
        self.actor = actor
        self.plan_code = plan
        self.settings = settings
        self.my_unit = ""
        self._ctx: ServiceContext | None = None
        self._board: BoardService | None = None
        self._role: str | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, db: str | None, *, actor: str, plan: str | None = None, settings: Any = None
    ) -> Backend:
        """The backend of database ``db`` (opened on first use, not here)."""
        return cls(db, actor=actor, plan=plan, settings=settings)

    @property
    def ctx(self) -> ServiceContext:
        with self._lock:
            if self._ctx is None:
                from lctasks.db.engine import open_database

                database = open_database(self.db)
                self._ctx = ServiceContext(
                    database, Actor(self.actor, Source.TUI), self._settings()
                )
            return self._ctx

    def _settings(self) -> Any:
        if self.settings is None:
            from lctasks.config import load_settings

            self.settings = load_settings()
        return self.settings

    def close(self) -> None:
        with self._lock:
            if self._ctx is not None:
                self._ctx.db.dispose()

    @property
    def board(self) -> BoardService:
        if self._board is None:
            self._board = BoardService(self.ctx)
        return self._board

    def first_page(self, as_of: dt.date, limit: int) -> FirstPage | None:
        """The plan, its outline, the newest event and the first ``limit`` rows,
        read with ``sqlite3`` (no SQLAlchemy import): all the first paint needs.

        None when this does not apply (PostgreSQL, no database or plan yet, a
        schema to upgrade, a plan code not found, settings that do not load):
        the services then load everything and say what is wrong.
        """
        import sqlite3

        from lctasks.db.sql import LiteDatabase
        from lctasks.db.urls import resolve_url
        from lctasks.services.board import board_rows, event_head, outline_nodes, plan_infos
        from lctasks.services.plan_choice import find_plan
        from lctasks.services.read_model import task_records

        try:
            settings = self._settings()
            lite = LiteDatabase.open(resolve_url(self.db), reading=True)
        except (LctasksError, OSError, sqlite3.Error):
            return None
        if lite is None:
            return None
        try:
            with lite.read() as runner:
                plans = plan_infos(runner)
                chosen: tuple[int, PlanInfo] | None = None
                if self.plan_code is None:  # the TUI opens the first plan (BoardService.plan)
                    chosen = plans[0] if plans else None
                else:
                    found = find_plan([(p, p[1].code) for p in plans], self.plan_code)
                    chosen = None if found is None else found[0]
                if chosen is None:
                    return None  # the services say what is wrong
                plan_id, info = chosen
                head = event_head(runner)
                outline = outline_nodes(runner, plan_id)
                records = task_records(runner, plan_id, as_of=as_of, settings=settings, limit=limit)
        except (LctasksError, sqlite3.Error):
            return None
        finally:
            lite.dispose()
        return FirstPage(info, outline, board_rows(records), head)

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
        from lctasks.services.ledger import LedgerService

        result = LedgerService(self.ctx).import_plan()
        info = self.plan()
        return info, result.tasks

    def person_unit(self) -> str:
        """The acting person's own unit, for the 本单位 view ('' when not on record)."""
        if self.my_unit:
            return self.my_unit
        from lctasks.services.people import PeopleService

        try:
            people = PeopleService(self.ctx).list()
        except LctasksError:
            return ""
        for person in people:
            if person.name == self.ctx.actor.name and person.unit:
                self.my_unit = person.unit
        return self.my_unit

    def role(self) -> str:
        """The acting person's role ('' while nobody is on record: everyone trusted)."""
        if self._role is None:
            from lctasks.services.people import PeopleService

            try:
                people = PeopleService(self.ctx).list()
            except LctasksError:
                people = []
            me = next((p for p in people if p.name == self.ctx.actor.name), None)
            if not people:
                self._role = ""
            else:
                self._role = me.role.value if me is not None else "unknown"
        return self._role

    def rows(self, as_of: dt.date, *, limit: int | None = None) -> list[BoardRow]:
        assert self.plan_code is not None
        return self.board.rows(self.plan_code, as_of=as_of, limit=limit)

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
        from lctasks.services.history import HistoryService
        from lctasks.services.ledger import LedgerService

        task = LedgerService(self.ctx).get_task(key, self.plan_code, as_of=as_of)
        events = tuple(HistoryService(self.ctx).history(key, plan=self.plan_code))
        assert self.plan_code is not None
        reports = tuple(self.board.reports(self.plan_code, key))
        from lctasks.services.indicators import IndicatorService

        numbers = tuple(
            r
            for r in IndicatorService(self.ctx).for_task(key, plan=self.plan_code, as_of=as_of)
            if r.actuals or r.shares
        )
        # notes, names, reports as typed: control characters shown, never sent raw
        return shown(TaskDetail(task, reports=reports, events=events, numbers=numbers))

    # -- units -----------------------------------------------------------------

    def units(self) -> list[Unit]:
        from lctasks.units import default_directory

        return list(default_directory().units)

    def search_units(self, text: str, limit: int = 12) -> list[Unit]:
        from lctasks.units import default_directory

        return [u for u, _score in default_directory().search(text, limit=limit)]

    # -- actions (each one unit of work in the workflow service) ---------------
    # ``versions`` are the versions on screen: the service refuses, inside the
    # write transaction, any task that moved since (ConflictError, nothing changed).

    def _workflow(self) -> WorkflowService:
        from lctasks.services.workflow import WorkflowService

        return WorkflowService(self.ctx)

    def assign(
        self,
        keys: Sequence[str],
        versions: Mapping[str, int],
        *,
        lead: str,
        co_units: Sequence[str] = (),
        person: str | None = None,
        reason: str = "",
    ) -> BatchResult:
        return self._workflow().assign(
            list(keys),
            lead=lead,
            co=list(co_units),
            person=person,
            reason=reason,
            plan=self.plan_code,
            if_version=versions,
        )

    def accept_suggestion(self, keys: Sequence[str], versions: Mapping[str, int]) -> BatchResult:
        return self._workflow().accept_suggestion(
            list(keys), plan=self.plan_code, if_version=versions
        )

    def set_status(
        self, keys: Sequence[str], versions: Mapping[str, int], *, status: Status, reason: str
    ) -> BatchResult:
        return self._workflow().set_status(
            list(keys),
            status,
            reason=reason,
            plan=self.plan_code,
            if_version=versions,
        )

    def report_progress(
        self,
        keys: Sequence[str],
        versions: Mapping[str, int],
        *,
        made: str,
        problems: str,
        next_steps: str,
        percent: int | None,
        today: dt.date | None = None,
    ) -> BatchResult:
        return self._workflow().report_progress(
            list(keys),
            made=made,
            problems=problems,
            next_steps=next_steps,
            percent=percent,
            today=today,
            plan=self.plan_code,
            if_version=versions,
        )

    def check(self, key: str, version: int, *, done: Mapping[int, bool]) -> None:
        """Tick and untick items: at most two steps, each guarded by the version."""
        wf = self._workflow()
        expected = version
        for value in (True, False):
            items = sorted(seq for seq, d in done.items() if d is value)
            if not items:
                continue
            result = wf.check(key, items, done=value, plan=self.plan_code, if_version=expected)
            expected = result.results[0].version if result.results else expected + 1

    def close_tasks(
        self, keys: Sequence[str], versions: Mapping[str, int], *, note: str, evidence: str
    ) -> BatchResult:
        return self._workflow().close(
            list(keys),
            note=note,
            evidence=evidence,
            plan=self.plan_code,
            if_version=versions,
        )

    def return_tasks(
        self, keys: Sequence[str], versions: Mapping[str, int], *, reason: str
    ) -> BatchResult:
        return self._workflow().return_(
            list(keys),
            reason=reason,
            plan=self.plan_code,
            if_version=versions,
        )

    def extend(
        self,
        keys: Sequence[str],
        versions: Mapping[str, int],
        *,
        new_due: str,
        reason: str,
        today: dt.date,
        late: bool = False,
    ) -> BatchResult:
        from lctasks.dates import parse_date

        return self._workflow().extend(
            list(keys),
            to=parse_date(new_due, today=today),
            reason=reason,
            late=late,
            today=today,
            plan=self.plan_code,
            if_version=versions,
        )

    def note(self, keys: Sequence[str], versions: Mapping[str, int], *, text: str) -> BatchResult:
        return self._workflow().note(list(keys), text, plan=self.plan_code, if_version=versions)

    # -- undo --------------------------------------------------------------------

    def undo_target(self, seq: int | None = None) -> Any:
        """The batch ``undo`` would revert (a ``BatchInfo``), without writing."""
        from lctasks.services.undo import UndoService

        return UndoService(self.ctx).find(seq)

    def undo(self, seq: int | None = None) -> Any:
        from lctasks.services.undo import UndoService

        return UndoService(self.ctx).undo(seq)
