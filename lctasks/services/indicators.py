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
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lctasks import clock
from lctasks.db.models import (
    ActualRow,
    ChecklistRow,
    PersonRow,
    ShareRow,
    TaskRow,
    UnitRow,
)
from lctasks.db.sql import SessionRunner
from lctasks.domain import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Role,
)
from lctasks.indicators import (
    Assessment,
    Compare,
    PathKind,
    Spec,
    Thresholds,
    number_of,
)
from lctasks.services import access
from lctasks.services.audit import EventLog
from lctasks.services.base import Service
from lctasks.services.numbers import (
    Actual,
    EvalRow,
    Evaluation,
    ShareResult,
    TargetRef,
    evaluate_rows,
    evaluation_doc,
    share_spec,
    task_specs,
    thresholds_of,
    toml_ready,
)
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
            f"年份 {year} 不在可记录的范围内（{first_year}–{last_year}：基期到今年）",
            hint=f"实际值的年份应在 {first_year} 到 {last_year} 之间；尚未开始的年份不能记录",
        )
    q = m["q"] or (str(_CQ[m["cq"]]) if m["cq"] else None)
    return f"{year}Q{q}" if q else str(year)


def _share(s: Session, task_id: int, ref: TargetRef, unit_id: int) -> ShareRow | None:
    """The target ``ref`` of a task as shared out to one unit (分解目标), if it is."""
    return s.scalars(
        select(ShareRow).where(
            ShareRow.task_id == task_id,
            ShareRow.item == ref.item,
            ShareRow.target == ref.target,
            ShareRow.unit_id == unit_id,
        )
    ).first()


class _DryRun(Exception):
    """Raised inside a write transaction to roll it back after every check (``dry_run``)."""

    def __init__(self, result: object) -> None:
        super().__init__("dry run")
        self.result = result


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
        dry_run: bool = False,
    ) -> Actual:
        """Record an actual (a number, or 达到/未达到/待评估 for a text target).

        ``dry_run``: every check, nothing written."""
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
                # nothing for a year that has not begun (today in office time)
                last_year=min(max(task.due.year, plan_row.end.year) + 5, clock.today().year),
            )
            unit_row = self._unit(s, unit) if unit else None
            if unit_row is not None:
                share = _share(s, task.id, ref, unit_row.id)
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
            at = dt.datetime.now(dt.UTC)  # stored as UTC (SQLite drops the zone)
            result = Actual(
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
            if dry_run:
                return result
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
            return result

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
        dry_run: bool = False,
    ) -> tuple[str, TargetRef]:
        """Set (or change) a county's or zone's share of a target; supervisors only."""
        ref = TargetRef.parse(item)
        try:
            return self._set_share(key, unit, target, baseline, ref, plan, reason, dry_run)
        except _DryRun as done:
            return done.result  # type: ignore[return-value]

    def _set_share(
        self,
        key: str,
        unit: str,
        target: str,
        baseline: str | None,
        ref: TargetRef | None,
        plan: str | None,
        reason: str,
        dry_run: bool,
    ) -> tuple[str, TargetRef]:
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
            row = _share(s, task.id, ref, unit_row.id)
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
            if dry_run:  # every check made: leave the transaction without writing
                raise _DryRun((unit_row.short, ref))
            return unit_row.short, ref

    # -- reads -------------------------------------------------------------

    def for_task(
        self, key: str, *, plan: str | None = None, as_of: dt.date | None = None
    ) -> list[EvalRow]:
        """The targets of one task judged by their actuals as of ``as_of`` (detail views)."""
        day = as_of or clock.today()
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            return evaluate_rows(
                SessionRunner(s),
                plan_row.id,
                day.year,
                self._thresholds(),
                keys=[key],
                with_behind=False,
            )

    def evaluate(
        self,
        *,
        plan: str | None = None,
        year: int | None = None,
        mode: str = "year",
        as_of: dt.date | None = None,
        keys: Sequence[str] | None = None,
        with_behind: bool = True,
    ) -> Evaluation:
        """The monitoring table for ``year`` (mode year), the midterm or the final year.

        ``with_behind=False``: without the tasks behind each indicator (``EvalRow.behind``
        empty), for a reader that does not show them (the unit workbooks)."""
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
            rows = evaluate_rows(
                SessionRunner(s), plan_row.id, year, thresholds, keys=keys, with_behind=with_behind
            )
            return Evaluation(plan_row.code, plan_row.title, mode, year, tuple(rows))


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
