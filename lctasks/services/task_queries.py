"""Reading tasks back: plans, units, filtered task lists, one task in full.

``list_tasks`` filters in SQL (plan, chapter, kind, unit, status, text, due
range, unassigned, removed) and computes the warning lights in Python from a
few columns per row; ``get_task`` / ``task_detail`` return one task with
everything attached.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from lctasks import clock
from lctasks.config import Settings
from lctasks.db.models import (
    ChecklistRow,
    CoUnitRow,
    PlanRow,
    ProgressRow,
    TaskRow,
    UnitRow,
)
from lctasks.db.sql import SessionRunner
from lctasks.domain import (
    ChecklistItem,
    DueBasis,
    Light,
    PlanInfo,
    ProgressReport,
    Status,
    Suggestion,
    Task,
    TaskKind,
    Unit,
    UnitKind,
)
from lctasks.lights import LightRule
from lctasks.services.base import CHUNK, Service
from lctasks.services.plans import load_tasks, resolve_plan
from lctasks.services.query import TaskDetail, TaskFilter
from lctasks.services.read_model import closure, task_full, task_place
from lctasks.services.views import (
    as_utc,
    checklist_item,
    progress_report,
    suggestion_of,
)


def load_file_units() -> list[Unit]:
    """The owner units of plan_data/units.toml (or LCTASKS_UNITS)."""
    from lctasks.units import load_units

    return load_units()


def _unit_shorts(texts: Sequence[str]) -> set[str]:
    """Resolve units as people type them (kjj, 科技局) to short names.

    An unknown or ambiguous name raises the directory's NotFound/InvalidInput
    error with the nearest units as a hint.
    """
    from lctasks.units import default_directory

    directory = default_directory()
    return {directory.resolve(text).short for text in texts}


_TASK_COLUMNS = (
    TaskRow.id,
    TaskRow.key,
    TaskRow.kind,
    TaskRow.chapter,
    TaskRow.title,
    TaskRow.status,
    TaskRow.due,
    TaskRow.due_basis,
    TaskRow.start,
    TaskRow.version,
    UnitRow.short,
    TaskRow.person,
    TaskRow.leader,
    TaskRow.progress,
    TaskRow.section,
    TaskRow.box,
    TaskRow.category,
    TaskRow.source_text,
    TaskRow.line,
    TaskRow.due_text,
    TaskRow.original_due,
    TaskRow.suggested_lead,
    # JSON columns as text, parsed once per distinct value (_JsonMemo)
    type_coerce(TaskRow.suggested_co, Text).label("suggested_co"),
    type_coerce(TaskRow.suggested_rules, Text).label("suggested_rules"),
    TaskRow.removed,
    TaskRow.updated_at,
    type_coerce(TaskRow.attrs, Text).label("attrs"),
)


_KINDS = {k.value: k for k in TaskKind}
_STATUSES = {x.value: x for x in Status}
_BASES = {b.value: b for b in DueBasis}


class _LightMemo:
    """The light rule once per distinct (status, start, due, progress, report state).

    The light reads the latest report's date only as "inside the current
    reporting period or not" (lctasks.lights: the period of ``as_of`` less the
    grace days), so the memo key keeps just that, not the date itself; the
    result is the same light (tests/functional/test_ledger.py checks it against light_for).
    """

    def __init__(self, as_of: dt.date, settings: Settings) -> None:
        self.as_of = as_of
        self.settings = settings
        self.rule = LightRule(as_of, settings)
        self.period_start = self.rule.period_start
        self.before = self.period_start - dt.timedelta(days=1)
        self.memo: dict[tuple[Any, ...], Light] = {}

    def __call__(
        self, status: str, start: dt.date, due: dt.date, progress: int, last: dt.date | None
    ) -> Light:
        if last is not None:
            last = self.period_start if last >= self.period_start else self.before
        key = (status, start, due, progress, last)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self.rule(status, start, due, progress, last)
        return hit


_FINISHED = frozenset({Status.DONE.value, Status.CLOSED.value})


def _numeric_lights(
    s: Session,
    plan: PlanRow,
    as_of: dt.date,
    settings: Settings,
) -> dict[str, Light]:
    """Lights from recorded actuals (indicators judged by their numbers), by task key."""
    from lctasks.services.numbers import numeric_lights, thresholds_of

    return numeric_lights(SessionRunner(s), plan.id, as_of, thresholds_of(settings))


class _JsonMemo:
    """JSON column values: parsed once per distinct text (SQLite hands back text)."""

    def __init__(self) -> None:
        self.memo: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        hit = self.memo.get(value)
        if hit is None:
            hit = self.memo[value] = json.loads(value)
        return hit

    def pairs(self, value: Any) -> tuple[tuple[str, str], ...]:
        key = ("pairs", value if isinstance(value, str) else json.dumps(value, sort_keys=True))
        hit = self.memo.get(key)
        if hit is None:
            data = self(value) or {}
            hit = self.memo[key] = tuple((str(k), str(v)) for k, v in data.items())
        result: tuple[tuple[str, str], ...] = hit
        return result

    def suggestion(self, lead: str | None, co: Any, rules: Any) -> Suggestion | None:
        key = ("sug", lead, str(co), str(rules))
        if key not in self.memo:
            self.memo[key] = suggestion_of(lead, self(co), self(rules))
        result: Suggestion | None = self.memo[key]
        return result


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

    def _filtered(self, s: Session, plan: PlanRow, flt: TaskFilter) -> Any:
        q = (
            select(*_TASK_COLUMNS)
            .select_from(TaskRow)
            .outerjoin(UnitRow, TaskRow.lead_unit_id == UnitRow.id)
            .where(TaskRow.plan_id == plan.id)
        )
        if not flt.include_removed:
            q = q.where(TaskRow.removed.is_(False))
        if flt.chapters:
            q = q.where(TaskRow.chapter.in_(flt.chapters))
        if flt.kinds:
            q = q.where(TaskRow.kind.in_([TaskKind(k).value for k in flt.kinds]))
        if flt.statuses:
            q = q.where(TaskRow.status.in_([Status(x).value for x in flt.statuses]))
        if flt.due_before:
            q = q.where(TaskRow.due <= flt.due_before)
        if flt.due_after:
            q = q.where(TaskRow.due >= flt.due_after)
        if flt.unassigned:
            q = q.where(TaskRow.lead_unit_id.is_(None))
        if flt.text:
            needle = flt.text.strip()
            q = q.where(
                or_(
                    func.lower(TaskRow.key).contains(needle.lower(), autoescape=True),
                    TaskRow.title.contains(needle, autoescape=True),
                    TaskRow.source_text.contains(needle, autoescape=True),
                )
            )
        if flt.units:
            shorts = _unit_shorts(flt.units)
            unit_ids = select(UnitRow.id).where(UnitRow.short.in_(shorts))
            co = select(CoUnitRow.task_id).where(CoUnitRow.unit_id.in_(unit_ids))
            q = q.where(or_(TaskRow.lead_unit_id.in_(unit_ids), TaskRow.id.in_(co)))
        order = {
            "plan": (TaskRow.chapter, TaskRow.line, TaskRow.key),
            "due": (TaskRow.due, TaskRow.chapter, TaskRow.line, TaskRow.key),
            "key": (TaskRow.key,),
            "updated": (TaskRow.updated_at.desc(), TaskRow.key),
        }.get(flt.order)
        if order is None:
            from lctasks.domain import InvalidInputError

            raise InvalidInputError(
                f"--order {flt.order}?", hint="--order plan | due | key | updated"
            )
        return q.order_by(*order)

    def list_tasks(
        self,
        flt: TaskFilter | None = None,
        *,
        as_of: dt.date | None = None,
        with_reports: bool = False,
    ) -> list[Task]:
        """Tasks matching ``flt``, with lights as of ``as_of`` (default today).

        Summaries: no checklist; ``latest_report`` only with ``with_reports=True``
        (the light always takes the latest report's date into account). Built
        for 100,000 tasks: filters run in SQL, lights are memoised per distinct
        (status, dates, progress), JSON columns are parsed once per distinct value.
        """
        flt = flt or TaskFilter()
        as_of = as_of or clock.today()
        light = _LightMemo(as_of, self._settings())
        with self.db.read() as s:
            plan = resolve_plan(s, flt.plan)
            q = self._filtered(s, plan, flt)
            if not flt.lights:
                if flt.offset:
                    q = q.offset(flt.offset)
                if flt.limit is not None:
                    q = q.limit(flt.limit)
            rows = s.execute(q).all()
            if not rows:
                return []
            ids = [r[0] for r in rows]
            co = self._co_units(s, plan, ids)
            last_at = self._last_report_at(s, plan, ids, as_of)
            reports = self._latest_reports(s, plan, ids) if with_reports else {}
            numeric = _numeric_lights(s, plan, as_of, self._settings())
        wanted = {Light(x) for x in flt.lights}
        json_value = _JsonMemo()
        tasks = []
        for r in rows:
            lit = light(r.status, r.start, r.due, r.progress or 0, last_at.get(r[0]))
            if numeric and r.status not in _FINISHED and r.key in numeric:
                lit = numeric[r.key]
            if wanted and lit not in wanted:
                continue
            tasks.append(
                self._summary(r, plan.code, co.get(r[0], ()), reports.get(r[0]), lit, json_value)
            )
        if flt.lights:
            end = None if flt.limit is None else flt.offset + flt.limit
            tasks = tasks[flt.offset : end]
        return tasks

    @staticmethod
    def _co_units(s: Session, plan: PlanRow, ids: list[int]) -> dict[int, tuple[str, ...]]:
        base = (
            select(CoUnitRow.task_id, UnitRow.short)
            .join(UnitRow, CoUnitRow.unit_id == UnitRow.id)
            .order_by(CoUnitRow.task_id, CoUnitRow.position)
        )
        if len(ids) <= 20 * CHUNK:  # a filtered list: IN lists of CHUNK ids
            queries = [
                base.where(CoUnitRow.task_id.in_(ids[i : i + CHUNK]))
                for i in range(0, len(ids), CHUNK)
            ]
        else:  # most of the plan: one join beats many bound parameters
            queries = [
                base.join(TaskRow, TaskRow.id == CoUnitRow.task_id).where(
                    TaskRow.plan_id == plan.id
                )
            ]
        out: defaultdict[int, list[str]] = defaultdict(list)
        for q in queries:
            for tid, short in s.execute(q):
                out[tid].append(short)
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def _latest_subquery(plan: PlanRow, ids: list[int] | None, as_of: dt.date | None = None) -> Any:
        latest = select(ProgressRow.task_id, func.max(ProgressRow.at).label("at")).group_by(
            ProgressRow.task_id
        )
        if as_of is not None:  # the latest report at or before the as-of day
            end = clock.day_end(as_of)
            latest = latest.where(ProgressRow.at < end)
        if ids is not None and len(ids) <= CHUNK:
            return latest.where(ProgressRow.task_id.in_(ids))
        return latest.join(TaskRow, TaskRow.id == ProgressRow.task_id).where(
            TaskRow.plan_id == plan.id
        )

    def _last_report_at(
        self, s: Session, plan: PlanRow, ids: list[int], as_of: dt.date
    ) -> dict[int, dt.date]:
        """The date of the newest progress report per task up to ``as_of`` (for the light)."""
        out: dict[int, dt.date] = {}
        for tid, at in s.execute(self._latest_subquery(plan, ids, as_of)):
            if at is not None:
                out[tid] = clock.office_date(at)
        return out

    def _latest_reports(
        self, s: Session, plan: PlanRow, ids: list[int]
    ) -> dict[int, ProgressReport]:
        """The newest progress report per task."""
        sub = self._latest_subquery(plan, ids).subquery()
        q = select(ProgressRow).join(
            sub, (ProgressRow.task_id == sub.c.task_id) & (ProgressRow.at == sub.c.at)
        )
        out: dict[int, ProgressReport] = {}
        for row in s.scalars(q):
            rep = progress_report(row)
            if rep is not None:
                out[row.task_id] = rep
        return out

    @staticmethod
    def _summary(
        r: Any,
        plan_code: str,
        co: tuple[str, ...],
        report: ProgressReport | None,
        light: Light,
        memo: _JsonMemo,
    ) -> Task:
        (
            _tid,
            key,
            kind,
            chapter,
            title,
            status,
            due,
            basis,
            start,
            version,
            lead,
            person,
            leader,
            progress,
            section,
            box,
            category,
            source_text,
            line,
            due_text,
            original_due,
            s_lead,
            s_co,
            s_rules,
            removed,
            updated_at,
            attrs,
        ) = r
        return Task(
            plan_code,
            key,
            _KINDS[kind],
            chapter,
            title,
            _STATUSES[status],
            due,
            _BASES[basis],
            start,
            version,
            lead,
            co,
            person,
            leader,
            progress or 0,
            section,
            box,
            category,
            source_text or "",
            line or 0,
            due_text or "",
            original_due,
            (),
            memo.suggestion(s_lead, s_co, s_rules),
            report,
            light,
            bool(removed),
            updated_at.replace(tzinfo=dt.UTC) if updated_at.tzinfo is None else updated_at,
            memo.pairs(attrs),
        )

    def checklists(
        self, keys: Sequence[str], plan: str | None = None
    ) -> dict[str, tuple[ChecklistItem, ...]]:
        """The checklists (with their targets) of many tasks in one read, by key."""
        out: dict[str, list[ChecklistItem]] = {k: [] for k in keys}
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            for i in range(0, len(keys), CHUNK):
                chunk = list(keys[i : i + CHUNK])
                rows = s.execute(
                    select(TaskRow.key, ChecklistRow)
                    .join(ChecklistRow, ChecklistRow.task_id == TaskRow.id)
                    .where(TaskRow.plan_id == plan_row.id, TaskRow.key.in_(chunk))
                    .order_by(TaskRow.key, ChecklistRow.seq)
                ).all()
                for key, row in rows:
                    out[key].append(checklist_item(row))
        return {k: tuple(v) for k, v in out.items()}

    def get_task(self, key: str, plan: str | None = None, *, as_of: dt.date | None = None) -> Task:
        """One task with checklist, targets, owners, suggestion, latest report and light."""
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            return self._full_task(s, plan_row, key, as_of or clock.today())

    def _full_task(self, s: Session, plan_row: PlanRow, key: str, as_of: dt.date) -> Task:
        """The task from the read model (``read_model.task_full``, as ``show``'s fast path)."""
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
            task = self._full_task(s, plan_row, key, as_of or clock.today())
            where = task_place(SessionRunner(s), plan_row.id, task.chapter, task.section, task.box)
            return TaskDetail(
                task=task,
                plan_title=where["plan_title"],
                part=(where["part"][0], where["part"][1]) if where["part"] else None,
                chapter_title=where["chapter_title"],
                section_title=where["section_title"],
                box_title=where["box_title"],
                box_note=where["box_note"],
            )

    def closure(self, key: str, plan_code: str) -> dict[str, str] | None:
        """销号 of a task (``read_model.closure``): when, by whom, note and evidence."""
        with self.db.read() as s:
            return closure(SessionRunner(s), plan_code, key)
