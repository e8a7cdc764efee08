"""Actuals, shares and the plan's evaluation: indicators judged as numbers.

* ``record``: a reached value (or, for a text target, an assessment 达到 / 未达到 /
  待评估) of a task's target for a year or a quarter, with its source and the
  person — appended, never edited (a correction is a newer record for the same
  period), and an ``actual`` event of the history chain.
* ``set_share``: a county's or zone's share of a target (the office's split, e.g.
  the province's decomposition), an event too; each share has its own actuals
  and light.
* ``evaluate``: the monitoring table of 年度监测 / 中期评估 / 总结评估 — every indicator
  and quantified target with baseline, target, actuals by year, expected value,
  light, reached or not, the shares that pull it down and the tasks behind it.

The path and the light are :mod:`lctasks.indicators` (standard library, pure).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from lctasks import clock
from lctasks.db.models import (
    ActualRow,
    ChecklistRow,
    PersonRow,
    PlanRow,
    ShareRow,
    TaskRow,
    UnitRow,
)
from lctasks.domain import (
    InvalidInputError,
    Light,
    NotFoundError,
    PermissionDeniedError,
    Role,
)
from lctasks.indicators import (
    Assessment,
    Compare,
    Judgement,
    PathKind,
    Spec,
    Thresholds,
    judge,
    number_of,
    spec_from_indicator,
    spec_from_target,
    worst,
)
from lctasks.services import access
from lctasks.services.audit import EventLog
from lctasks.services.base import Service
from lctasks.services.plans import resolve_plan

_PERIOD = re.compile(
    r"^(?P<y>\d{4})\s*(?:年)?\s*(?:[-_ ]?[Qq](?P<q>[1-4])|第(?P<cq>[一二三四1-4])季度)?$"
)
_CQ = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_period(text: str, *, first_year: int, last_year: int) -> str:
    """``2023`` / ``2023年`` → ``2023``; ``2023Q2`` / ``2023年第二季度`` → ``2023Q2``."""
    m = _PERIOD.match(text.strip())
    if not m:
        raise InvalidInputError(
            f"无法识别的年份或季度：“{text}”",
            hint="年份如 2023（或 2023年），季度如 2023Q2（或 2023年第二季度）",
        )
    year = int(m["y"])
    if not first_year <= year <= last_year:
        raise InvalidInputError(
            f"年份 {year} 不在规划期内（{first_year}–{last_year}，含基期）",
            hint=f"实际值的年份应在 {first_year} 到 {last_year} 之间",
        )
    q = m["q"] or (str(_CQ[m["cq"]]) if m["cq"] else None)
    return f"{year}Q{q}" if q else str(year)


@dataclass(frozen=True, slots=True)
class TargetRef:
    """Which target of a task: checklist ``item`` (1-based) and ``target`` index (0-based)."""

    item: int = 1
    target: int = 0

    @property
    def label(self) -> str:
        return f"{self.item}.{self.target + 1}"

    @classmethod
    def parse(cls, text: str | None) -> TargetRef | None:
        if text is None or not text.strip():
            return None
        m = re.fullmatch(r"\s*(\d+)(?:\.(\d+))?\s*", text)
        if not m:
            raise InvalidInputError(
                f"无法识别的清单项：“{text}”",
                hint="清单项写作 2（第 2 项）或 2.1（第 2 项的第 1 个目标）；"
                "lctasks show ID 可查看",
            )
        return cls(int(m[1]), int(m[2] or 1) - 1)


@dataclass(frozen=True, slots=True)
class Actual:
    period: str
    value: float | None
    assessment: Assessment | None
    source: str
    actor: str
    at: dt.datetime
    unit: str | None = None
    note: str = ""
    target: str = ""  # the target's label (``2.1``)


@dataclass(frozen=True, slots=True)
class ShareResult:
    unit: str
    spec: Spec
    actuals: tuple[Actual, ...]
    judgement: Judgement


@dataclass(frozen=True, slots=True)
class EvalRow:
    """One indicator or quantified target in the evaluation table."""

    key: str
    ref: TargetRef
    kind: str  # the task's kind (indicator, measure, goal, …)
    title: str
    spec: Spec
    actuals: tuple[Actual, ...]  # the city's, newest record per period
    by_year: dict[int, float]
    judgement: Judgement
    status: str
    lead: str | None
    shares: tuple[ShareResult, ...] = ()
    behind: tuple[tuple[str, str, str], ...] = ()  # (key, title, status) of related tasks

    @property
    def light(self) -> Light | None:
        own = self.judgement.light
        return worst([own, *(s.judgement.light for s in self.shares)])

    @property
    def failing(self) -> tuple[str, ...]:
        """The shares (county or zone) whose light is red or yellow, worst first."""
        bad = [s for s in self.shares if s.judgement.light in (Light.RED, Light.YELLOW)]
        bad.sort(key=lambda s: (s.judgement.light is not Light.RED, s.unit))
        return tuple(s.unit for s in bad)


@dataclass(frozen=True, slots=True)
class Evaluation:
    plan: str
    plan_title: str
    mode: str  # year | midterm | final
    year: int
    rows: tuple[EvalRow, ...]

    def to_doc(self) -> dict[str, Any]:
        """The evaluation as plain data: JSON, a snapshot's ``[evaluation]`` (TOML-ready
        with :func:`toml_ready`), a meeting pack's evaluation page."""
        return evaluation_doc(self)

    @property
    def counts(self) -> dict[str, int]:
        out = {"total": len(self.rows), "reached": 0, "not_reached": 0, "unknown": 0}
        for r in self.rows:
            reached = r.judgement.reached
            out["reached" if reached else "not_reached" if reached is False else "unknown"] += 1
        return out


def _indicator_cells(attrs: Any) -> dict[str, str]:
    if isinstance(attrs, dict):
        return {str(k): str(v) for k, v in attrs.items()}
    return {str(k): str(v) for k, v in (attrs or [])}


def task_specs(task: Any, items: Sequence[Any]) -> dict[TargetRef, Spec]:
    """Every target of a task that can be judged, by reference.

    ``task`` has ``kind``, ``attrs``, ``title``, ``start`` and ``due``; each item ``seq``,
    ``text`` and ``targets`` (ORM rows or plain result rows).
    """
    out: dict[TargetRef, Spec] = {}
    if task.kind == "indicator":
        cells = _indicator_cells(task.attrs)
        name = cells.get("指标") or task.title
        start = task.start.year - 1
        out[TargetRef(1, 0)] = spec_from_indicator(
            name, cells, base_year=start, target_year=task.due.year
        )
        return out
    for it in items:
        for idx, tg in enumerate(it.targets or []):
            has_number = tg.get("value") is not None
            if has_number or tg.get("kind") == "text":
                out[TargetRef(it.seq, idx)] = spec_from_target(
                    tg, name=str(tg.get("text") or it.text), base_year=task.start.year - 1
                )
    return out


def share_spec(parent: Spec, row: ShareRow) -> Spec:
    cmp = Compare(row.compare) if row.compare else parent.compare
    if row.value is None:
        return Spec(
            parent.name,
            parent.unit,
            PathKind.TEXT,
            cmp,
            text=row.text or parent.text,
            base_year=parent.base_year,
            target_year=parent.target_year,
            binding=parent.binding,
        )
    if parent.path is PathKind.EACH_YEAR:
        return Spec(
            parent.name,
            parent.unit,
            PathKind.EACH_YEAR,
            cmp,
            baseline=row.baseline,
            annual=row.value,
            base_year=parent.base_year,
            target_year=parent.target_year,
            binding=parent.binding,
            growth=parent.growth,
        )
    if parent.path is PathKind.POINTS:
        return Spec(
            parent.name,
            parent.unit,
            PathKind.POINTS,
            cmp,
            baseline=row.baseline,
            annual=row.value,
            base_year=parent.base_year,
            target_year=parent.target_year,
            binding=parent.binding,
        )
    path = PathKind.LINEAR if row.baseline is not None else PathKind.FINAL
    return Spec(
        parent.name,
        parent.unit,
        path,
        cmp,
        baseline=row.baseline,
        target=row.value,
        base_year=parent.base_year,
        target_year=parent.target_year,
        binding=parent.binding,
    )


def _by_year(actuals: Sequence[Actual]) -> tuple[dict[int, float], Assessment | None]:
    """The newest record of each year (a year's Q4 stands for the year when no annual)."""
    newest: dict[str, Actual] = {}
    for a in sorted(actuals, key=lambda a: a.at):
        newest[a.period] = a
    years: dict[int, float] = {}
    quarters: dict[int, tuple[int, float]] = {}
    assessment: Assessment | None = None
    for a in sorted(newest.values(), key=lambda a: a.at):
        if a.assessment is not None:
            assessment = a.assessment
        if a.value is None:
            continue
        if "Q" in a.period:
            y, q = int(a.period[:4]), int(a.period[-1])
            if y not in quarters or quarters[y][0] <= q:
                quarters[y] = (q, a.value)
        else:
            years[int(a.period)] = a.value
    for y, (_, v) in quarters.items():
        years.setdefault(y, v)
    return years, assessment


class IndicatorService(Service):
    # -- plumbing -----------------------------------------------------------

    def _thresholds(self) -> Thresholds:
        return thresholds_of(self._settings())

    @staticmethod
    def _task(s: Session, plan_id: int, key: str) -> TaskRow:
        row = s.scalars(
            select(TaskRow).where(TaskRow.plan_id == plan_id, TaskRow.key == key.strip().upper())
        ).first()
        if row is None or row.removed:
            raise NotFoundError(f"没有编号为 {key} 的任务", hint="lctasks list 查看任务编号")
        return row

    @staticmethod
    def _pick(specs: dict[TargetRef, Spec], ref: TargetRef | None, key: str) -> TargetRef:
        if not specs:
            raise InvalidInputError(
                f"任务 {key} 没有可考核的指标或量化目标",
                hint="只有指标（I01…）和带数值或文字目标的清单项可以记录实际值",
            )
        if ref is None:
            return min(specs, key=lambda r: (r.item, r.target))
        if ref not in specs:
            have = "、".join(r.label for r in sorted(specs, key=lambda r: (r.item, r.target)))
            raise NotFoundError(f"任务 {key} 没有目标 {ref.label}", hint=f"可考核的目标：{have}")
        return ref

    def _unit(self, s: Session, text_: str) -> UnitRow:
        from lctasks.units import default_directory

        unit = default_directory().resolve(text_)
        row = s.scalars(select(UnitRow).where(UnitRow.name == unit.name)).first()
        if row is None:
            row = UnitRow(
                name=unit.name, short=unit.short, kind=unit.kind.value, confirmed=unit.confirmed
            )
            s.add(row)
            s.flush()
        return row

    def _check_actor(self, s: Session, task: TaskRow, unit: UnitRow | None) -> None:
        """Supervisors record anything; a liaison their unit's tasks or their unit's share."""
        people = s.execute(select(PersonRow.name, PersonRow.role, PersonRow.unit_id)).all()
        if not people:
            return
        me = next((p for p in people if p.name == self.ctx.actor.name), None)
        if me is not None and me.role == Role.LIAISON.value and unit is not None:
            if me.unit_id == unit.id:
                return
            raise PermissionDeniedError(
                f"{me.name} 只能为本单位的分解目标记录实际值",
                hint="县（市、区）的分解目标由该县联络员或督查室记录",
            )
        access.require(s, self.ctx.actor, "progress", task)

    # -- writes ------------------------------------------------------------

    def record(
        self,
        key: str,
        period: str,
        value: str,
        *,
        source: str,
        item: str | None = None,
        unit: str | None = None,
        note: str = "",
        plan: str | None = None,
    ) -> Actual:
        """Record an actual (a number, or 达到/未达到/待评估 for a text target)."""
        source = source.strip()
        if not source:
            raise InvalidInputError(
                "实际值须注明来源（--source），如统计公报、部门报告或文号",
                hint='例：--source "2023年聊城市统计公报"',
            )
        ref = TargetRef.parse(item)
        with self.db.write() as s:
            plan_row = resolve_plan(s, plan)
            task = self._task(s, plan_row.id, key)
            items = s.scalars(select(ChecklistRow).where(ChecklistRow.task_id == task.id)).all()
            specs = task_specs(task, items)
            ref = self._pick(specs, ref, task.key)
            spec = specs[ref]
            per = parse_period(
                period,
                first_year=task.start.year - 1,
                last_year=max(task.due.year, plan_row.end.year) + 5,
            )
            unit_row = self._unit(s, unit) if unit else None
            if unit_row is not None:
                share = s.scalars(
                    select(ShareRow).where(
                        ShareRow.task_id == task.id,
                        ShareRow.item == ref.item,
                        ShareRow.target == ref.target,
                        ShareRow.unit_id == unit_row.id,
                    )
                ).first()
                if share is None:
                    raise NotFoundError(
                        f"{task.key} 的目标 {ref.label} 没有分解给 {unit_row.short}",
                        hint=f"先由督查室设定分解目标：lctasks share {task.key} "
                        f"--unit {unit_row.short} --target 数值",
                    )
                spec = share_spec(spec, share)
            self._check_actor(s, task, unit_row)
            number: float | None = None
            assessment = Assessment.parse(value)
            if spec.path is PathKind.TEXT:
                if assessment is None:
                    raise InvalidInputError(
                        f"{task.key} 的目标是文字目标（{spec.text or spec.name}），"
                        f"只能记录评估结论，不能记录数值“{value}”",
                        hint="结论写作 达到、未达到 或 待评估，并以 --source 注明佐证材料",
                    )
            else:
                if assessment is not None:
                    raise InvalidInputError(
                        f"{task.key} 的目标是数值目标，请记录达到的数值而不是“{value}”",
                        hint="例：lctasks actual I01 2023 6.2 --source 统计公报",
                    )
                number = (
                    number_of(value)
                    if re.fullmatch(r"\s*[-+]?\d+(?:\.\d+)?\s*%?\s*", value)
                    else None
                )
                if number is None:
                    raise InvalidInputError(
                        f"无法识别的数值：“{value}”", hint="写作数字，如 6.2 或 408"
                    )
            at = dt.datetime.now(dt.UTC)
            s.add(
                ActualRow(
                    task_id=task.id,
                    item=ref.item,
                    target=ref.target,
                    unit_id=unit_row.id if unit_row else None,
                    period=per,
                    value=number,
                    assessment=assessment.value if assessment else None,
                    source=source,
                    note=note,
                    actor=self.ctx.actor.name,
                    at=at,
                )
            )
            # changes are {field: [old, new]} like every event; an actual is a new fact
            changes: dict[str, Any] = {
                "target": [None, ref.label],
                "period": [None, per],
                "value": [None, assessment.label if assessment else _fmt(number)],
                "source": [None, source],
            }
            if unit_row is not None:
                changes["unit"] = [None, unit_row.short]
            EventLog(s, self.ctx.actor, at=at).append(
                "actual", plan=plan_row.code, task=task.key, changes=changes, reason=note
            )
            return Actual(
                per,
                number,
                assessment,
                source,
                self.ctx.actor.name,
                at,
                unit_row.short if unit_row else None,
                note,
                ref.label,
            )

    def set_share(
        self,
        key: str,
        unit: str,
        *,
        target: str,
        baseline: str | None = None,
        item: str | None = None,
        plan: str | None = None,
        reason: str = "",
    ) -> tuple[str, TargetRef]:
        """Set (or change) a county's or zone's share of a target; supervisors only."""
        ref = TargetRef.parse(item)
        with self.db.write() as s:
            plan_row = resolve_plan(s, plan)
            task = self._task(s, plan_row.id, key)
            access.require(s, self.ctx.actor, "assign", task)
            items = s.scalars(select(ChecklistRow).where(ChecklistRow.task_id == task.id)).all()
            specs = task_specs(task, items)
            ref = self._pick(specs, ref, task.key)
            unit_row = self._unit(s, unit)
            if unit_row.kind not in ("county", "zone"):
                raise InvalidInputError(
                    f"{unit_row.short} 不是县（市、区）或开发区，目标只能分解到县区和开发区",
                    hint="lctasks units 查看县区和开发区",
                )
            value = number_of(target) if re.search(r"\d", target) else None
            text = "" if value is not None else target.strip()
            base = number_of(baseline) if baseline else None
            cmp = ""
            from lctasks.indicators import explicit_compare

            explicit = explicit_compare(target)
            if explicit is not None:
                cmp = explicit.value
            row = s.scalars(
                select(ShareRow).where(
                    ShareRow.task_id == task.id,
                    ShareRow.item == ref.item,
                    ShareRow.target == ref.target,
                    ShareRow.unit_id == unit_row.id,
                )
            ).first()
            old = None
            if row is None:
                row = ShareRow(
                    task_id=task.id, item=ref.item, target=ref.target, unit_id=unit_row.id
                )
                s.add(row)
            else:
                old = _share_text(row)
            row.value, row.text, row.baseline, row.compare = value, text, base, cmp
            EventLog(s, self.ctx.actor).append(
                "share",
                plan=plan_row.code,
                task=task.key,
                reason=reason,
                changes={
                    "target": [None, ref.label],
                    "unit": [None, unit_row.short],
                    "share": [old, _share_text(row)],
                },
            )
            return unit_row.short, ref

    # -- reads -------------------------------------------------------------

    def for_task(
        self, key: str, *, plan: str | None = None, as_of: dt.date | None = None
    ) -> list[EvalRow]:
        """The targets of one task judged by their actuals as of ``as_of`` (detail views)."""
        day = as_of or clock.today()
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            return _evaluate_rows(
                s, plan_row, day.year, self._thresholds(), keys=[key], with_behind=False
            )

    def evaluate(
        self,
        *,
        plan: str | None = None,
        year: int | None = None,
        mode: str = "year",
        as_of: dt.date | None = None,
        keys: Sequence[str] | None = None,
    ) -> Evaluation:
        """The monitoring table for ``year`` (mode year), the midterm or the final year."""
        thresholds = self._thresholds()
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            start, end = plan_row.start.year, plan_row.end.year
            if mode == "final":
                year = end
            elif mode == "midterm":
                year = start + (end - start) // 2
            elif year is None:
                today = as_of or clock.today()
                year = min(end, today.year - 1) if today.year > start else start
            rows = _evaluate_rows(s, plan_row, year, thresholds, keys=keys)
            return Evaluation(plan_row.code, plan_row.title, mode, year, tuple(rows))


def _row_json(r: EvalRow) -> dict[str, Any]:
    j = r.judgement
    return {
        "id": r.key,
        "target": r.ref.label,
        "kind": r.kind,
        "name": r.spec.name,
        "unit": r.spec.unit,
        "binding": r.spec.binding,
        "path": r.spec.path.value,
        "compare": r.spec.compare.value,
        "baseline": r.spec.baseline,
        "target_value": r.spec.target,
        "annual": r.spec.annual,
        "annual_unit": r.spec.annual_unit,
        "text_target": r.spec.text or None,
        "actuals": {str(y): v for y, v in sorted(r.by_year.items())},
        "assessment": j.assessment.value if j.assessment else None,
        "judged_year": j.year,
        "compared": j.actual,
        "expected": j.expected,
        "behind_points": j.behind_points,
        "light": (r.light.value if r.light else None),
        "reached": j.reached,
        "status": r.status,
        "lead": r.lead,
        "shares": [
            {
                "unit": sh.unit,
                "target": sh.spec.target
                if sh.spec.path.value not in ("each_year", "points")
                else sh.spec.annual,
                "baseline": sh.spec.baseline,
                "text_target": sh.spec.text or None,
                "actuals": {
                    a.period: (
                        a.value
                        if a.value is not None
                        else (a.assessment.value if a.assessment else None)
                    )
                    for a in sh.actuals
                },
                "light": sh.judgement.light.value if sh.judgement.light else None,
                "reached": sh.judgement.reached,
            }
            for sh in r.shares
        ],
        "failing_units": list(r.failing),
        "tasks_behind": [{"id": k, "title": ti, "status": st} for k, ti, st in r.behind],
    }


def evaluation_doc(ev: Evaluation) -> dict[str, Any]:
    """The evaluation as a document (JSON, and the ``[evaluation]`` section of a snapshot)."""
    return {
        "plan": ev.plan,
        "mode": ev.mode,
        "year": ev.year,
        "counts": ev.counts,
        "rows": [_row_json(r) for r in ev.rows],
    }


def toml_ready(value: Any) -> Any:
    """TOML has no null: drop None values (an absent key reads as 'not recorded')."""
    if isinstance(value, dict):
        return {k: toml_ready(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [toml_ready(v) for v in value]
    return value


def _evaluate_rows(
    s: Session,
    plan_row: PlanRow,
    year: int,
    thresholds: Thresholds,
    *,
    keys: Sequence[str] | None = None,
    task_ids: Sequence[int] | None = None,
    with_behind: bool = True,
) -> list[EvalRow]:
    """The evaluation rows of a plan's tasks (all, or ``keys`` / ``task_ids``) for ``year``."""
    # plain rows, not ORM objects: 100,000 tasks with their checklists load in
    # a fraction of the time and memory (no relationships, no identity map)
    task_q = (
        select(
            TaskRow.id,
            TaskRow.key,
            TaskRow.kind,
            TaskRow.title,
            TaskRow.source_text,
            TaskRow.attrs,
            TaskRow.status,
            TaskRow.lead_unit_id,
            TaskRow.start,
            TaskRow.due,
        )
        .where(TaskRow.plan_id == plan_row.id, TaskRow.removed.is_(False))
        .order_by(TaskRow.id)
    )
    if keys:
        task_q = task_q.where(TaskRow.key.in_([k.strip().upper() for k in keys]))
    if task_ids is not None:
        task_q = task_q.where(TaskRow.id.in_(task_ids))
    tasks = s.execute(task_q).all()
    wanted_ids = {t.id for t in tasks}
    items_by_task: dict[int, list[Any]] = defaultdict(list)
    item_q = (
        select(ChecklistRow.task_id, ChecklistRow.seq, ChecklistRow.text, ChecklistRow.targets)
        .join(TaskRow, TaskRow.id == ChecklistRow.task_id)
        .where(TaskRow.plan_id == plan_row.id)
        .order_by(ChecklistRow.task_id, ChecklistRow.seq)
    )
    for it in s.execute(item_q.where(cast(ChecklistRow.targets, Text) != "[]")):
        if it.task_id in wanted_ids and it.targets:
            items_by_task[it.task_id].append(it)
    units = {u.id: u.short for u in s.scalars(select(UnitRow))}
    actuals: dict[tuple[int, int, int, int | None], list[Actual]] = defaultdict(list)
    actual_q = (
        select(
            ActualRow.task_id,
            ActualRow.item,
            ActualRow.target,
            ActualRow.unit_id,
            ActualRow.period,
            ActualRow.value,
            ActualRow.assessment,
            ActualRow.source,
            ActualRow.actor,
            ActualRow.at,
            ActualRow.note,
        )
        .join(TaskRow, TaskRow.id == ActualRow.task_id)
        .where(TaskRow.plan_id == plan_row.id)
        .order_by(ActualRow.id)
    )
    for a in s.execute(actual_q):
        actuals[(a.task_id, a.item, a.target, a.unit_id)].append(
            Actual(
                a.period,
                a.value,
                Assessment(a.assessment) if a.assessment else None,
                a.source,
                a.actor,
                _utc(a.at),
                units.get(a.unit_id) if a.unit_id else None,
                a.note,
            )
        )
    shares: dict[tuple[int, int, int], list[ShareRow]] = defaultdict(list)
    for sh in s.scalars(select(ShareRow)):
        shares[(sh.task_id, sh.item, sh.target)].append(sh)
    behind = _Behind(s, plan_row.id, _load_links()) if with_behind else None
    rows: list[EvalRow] = []
    for task in tasks:
        specs = task_specs(task, items_by_task.get(task.id, []))
        for ref, spec in sorted(specs.items(), key=lambda kv: (kv[0].item, kv[0].target)):
            own = actuals.get((task.id, ref.item, ref.target, None), [])
            by_year, assessment = _by_year(own)
            j = judge(spec, by_year, year=year, thresholds=thresholds, assessment=assessment)
            share_results = []
            for sh in sorted(
                shares.get((task.id, ref.item, ref.target), []),
                key=lambda r: units.get(r.unit_id, ""),
            ):
                sspec = share_spec(spec, sh)
                sact = actuals.get((task.id, ref.item, ref.target, sh.unit_id), [])
                sy, sa = _by_year(sact)
                share_results.append(
                    ShareResult(
                        units.get(sh.unit_id, "?"),
                        sspec,
                        tuple(sact),
                        judge(sspec, sy, year=year, thresholds=thresholds, assessment=sa),
                    )
                )
            rows.append(
                EvalRow(
                    key=task.key,
                    ref=ref,
                    kind=task.kind,
                    title=task.title,
                    spec=spec,
                    actuals=tuple(own),
                    by_year=by_year,
                    judgement=j,
                    status=task.status,
                    lead=units.get(task.lead_unit_id) if task.lead_unit_id else None,
                    shares=tuple(share_results),
                    behind=behind(task) if behind is not None else (),
                )
            )
    return rows


def numeric_lights(
    s: Session, plan_row: PlanRow, as_of: dt.date, thresholds: Thresholds
) -> dict[str, Light]:
    """The light of every task whose targets have recorded actuals, by task key.

    An indicator is judged by its numbers, not by a percent typed by hand: the light
    of a task with actuals (its own or its shares') is the worst numeric light of its
    targets as of ``as_of`` (actuals of years up to ``as_of``'s year). One query when
    nothing is recorded, so every read can afford to ask.
    """
    ids = list(
        s.scalars(
            select(ActualRow.task_id)
            .join(TaskRow, TaskRow.id == ActualRow.task_id)
            .where(TaskRow.plan_id == plan_row.id)
            .distinct()
        )
    )
    if not ids:
        return {}
    out: dict[str, list[Light | None]] = defaultdict(list)
    for row in _evaluate_rows(s, plan_row, as_of.year, thresholds, task_ids=ids, with_behind=False):
        out[row.key].append(row.light)
    return {key: lit for key, lights in out.items() if (lit := worst(lights)) is not None}


def thresholds_of(settings: Any) -> Thresholds:
    return Thresholds(
        yellow_behind_points=float(settings.yellow_behind_points),
        red_behind_points=float(settings.red_behind_points),
        about_tolerance=float(settings.about_tolerance),
    )


class _Behind:
    """The measures and projects behind an indicator: tasks whose text names its words.

    The texts are read once and joined into one string; each word is then found with
    ``str.find`` (a C substring search over the whole ledger, ~10 ms for 100,000 tasks)
    and its hits mapped back to tasks by offset. Each word and word list is answered once.
    """

    def __init__(self, session: Session, plan_id: int, links: dict[str, list[str]]) -> None:
        self._s = session
        self._plan_id = plan_id
        self._links = links
        self._rows: list[tuple[str, str, str]] = []
        self._starts: list[int] = []
        self._text = ""
        self._loaded = False
        self._by_word: dict[str, set[int]] = {}
        self._by_words: dict[tuple[str, ...], tuple[tuple[str, str, str], ...]] = {}

    def _load(self) -> None:
        q = (
            select(TaskRow.key, TaskRow.title, TaskRow.status, TaskRow.source_text)
            .where(
                TaskRow.plan_id == self._plan_id,
                TaskRow.removed.is_(False),
                TaskRow.kind != "indicator",
            )
            .order_by(TaskRow.id)
        )
        parts: list[str] = []
        pos = 0
        for key, title, status, text in self._s.execute(q):
            body = text or title
            self._rows.append((key, title, status))
            self._starts.append(pos)
            parts.append(body)
            pos += len(body) + 1
        self._text = "\x00".join(parts)
        self._loaded = True

    def _hits(self, word: str) -> set[int]:
        from bisect import bisect_right

        hit = self._by_word.get(word)
        if hit is None:
            if not self._loaded:
                self._load()
            hit = set()
            at = self._text.find(word)
            while at >= 0:
                i = bisect_right(self._starts, at) - 1
                hit.add(i)
                # go on after this task's text
                nxt = self._starts[i + 1] if i + 1 < len(self._starts) else len(self._text)
                at = self._text.find(word, nxt)
            self._by_word[word] = hit
        return hit

    def __call__(self, task: Any) -> tuple[tuple[str, str, str], ...]:
        if task.kind != "indicator":
            return ()
        # a synthetic copy (I01.0042) shares the words of its original (I01)
        words = tuple(self._links.get(task.key) or self._links.get(task.key.split(".")[0]) or ())
        got = self._by_words.get(words)
        if got is None:
            ids = sorted({i for w in words for i in self._hits(w)})
            got = self._by_words[words] = tuple(self._rows[i] for i in ids)
        return got


def _load_links() -> dict[str, list[str]]:
    """``plan_data/indicator_links.toml``: words that tie an indicator to the tasks behind it."""
    from lctasks.resources import bundled, read_toml

    path = bundled("indicator_links.toml")
    if not path.is_file():
        return {}
    data = read_toml(path)
    raw = data.get("links", {})
    return {str(k).upper(): [str(w) for w in v] for k, v in raw.items() if isinstance(v, list)}


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def _share_text(row: ShareRow) -> str:
    if row.value is None:
        return row.text
    base = f"{_fmt(row.baseline)} → " if row.baseline is not None else ""
    sign = Compare(row.compare).sign if row.compare else ""
    return f"{base}{sign}{_fmt(row.value)}"


def _utc(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


__all__ = [
    "Actual",
    "EvalRow",
    "Evaluation",
    "IndicatorService",
    "ShareResult",
    "TargetRef",
    "evaluation_doc",
    "parse_period",
    "share_spec",
    "task_specs",
    "toml_ready",
]
