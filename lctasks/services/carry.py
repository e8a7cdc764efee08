"""Carry unfinished tasks into the next plan (结转).

The plan period ends; what is not finished goes on in the next plan (the next
five-year plan in the same format, or a county plan imported beside this one).
``carry`` links each old task to a task of the other plan — an existing one
(``--to PLAN:KEY``) or a new one it creates there (``--to PLAN``: key ``JZ001``,
``JZ002``… in chapter 0, same kind, title, source text, owners and the checklist
items not yet ticked, due at the new plan's end) — and closes the old task as
carried over (已销号, 结转). Both tasks record the link in their attributes
(``结转至`` / ``结转自``) and both histories have the event: ``carry`` on the old task
(status → closed, ``carried_to``), ``carry_in`` on the new one (``carried_from``).
One transaction for the whole call; supervisors only; a task already closed or
removed is refused, nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lctasks.db.models import ChecklistRow, CoUnitRow, PlanRow, TaskRow, UnitRow
from lctasks.domain import (
    CARRIED_FROM,
    CARRIED_TO,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    Status,
)
from lctasks.services import access
from lctasks.services.audit import EventLog
from lctasks.services.base import Service

NEW_PREFIX = "JZ"
CARRY_LINKS = frozenset({CARRIED_TO, CARRIED_FROM})


@dataclass(frozen=True, slots=True)
class Carried:
    old: str  # PLAN:KEY
    new: str  # PLAN:KEY
    created: bool


def _ref(plan: str, key: str) -> str:
    return f"{plan}:{key}"


class CarryService(Service):
    def carry(
        self,
        keys: Sequence[str],
        to: str,
        *,
        plan: str | None = None,
        reason: str = "",
        dry_run: bool = False,
    ) -> list[Carried]:
        from lctasks.services.plans import resolve_plan

        target_code, _, target_key = to.partition(":")
        target_code, target_key = target_code.strip(), target_key.strip().upper()
        if not target_code:
            raise InvalidInputError(
                "--to 需要写明接续的规划，如 --to lc-15th 或 --to lc-15th:C10.M03",
                hint="lctasks plans 查看已导入的规划代码",
            )
        wanted = [k.strip().upper() for k in keys if k.strip()]
        if not wanted:
            raise InvalidInputError(
                "没有给出要结转的任务编号", hint="例：lctasks carry C10.M03 --to lc-15th"
            )
        if target_key and len(wanted) > 1:
            raise InvalidInputError(
                "结转到指定任务（PLAN:KEY）时只能给一个任务编号",
                hint="多个任务请分别结转，或用 --to PLAN 为每个任务新建接续任务",
            )
        with self.db.write() as s:
            old_plan = resolve_plan(s, plan)
            new_plan = s.scalars(select(PlanRow).where(PlanRow.code == target_code)).first()
            if new_plan is None:
                raise NotFoundError(
                    f"没有代码为 {target_code} 的规划",
                    hint="先导入接续规划：lctasks import 文件 --code 代码",
                )
            if new_plan.id == old_plan.id:
                raise InvalidInputError(
                    "不能结转到同一个规划", hint="--to 写接续规划的代码（另一个规划）"
                )
            rows = {
                r.key: r
                for r in s.scalars(
                    select(TaskRow).where(TaskRow.plan_id == old_plan.id, TaskRow.key.in_(wanted))
                )
            }
            missing = [k for k in wanted if k not in rows]
            if missing:
                raise NotFoundError(
                    f"{old_plan.code} 中没有这些任务：{'、'.join(missing)}",
                    hint="lctasks list 查看任务编号",
                )
            for key in wanted:
                row = rows[key]
                if row.removed:
                    raise ConflictError(f"{key} 已从规划中移除，不能结转", hint="")
                if row.status == Status.CLOSED.value:
                    raise ConflictError(f"{key} 已销号，无需结转", hint="只有未销号的任务需要结转")
                access.require(s, self.ctx.actor, "carry", row)
            target_row: TaskRow | None = None
            if target_key:
                target_row = s.scalars(
                    select(TaskRow).where(TaskRow.plan_id == new_plan.id, TaskRow.key == target_key)
                ).first()
                if target_row is None or target_row.removed:
                    raise NotFoundError(
                        f"{new_plan.code} 中没有任务 {target_key}",
                        hint=f"lctasks --plan {new_plan.code} list 查看接续规划的任务",
                    )
            now = dt.datetime.now(dt.UTC)
            log = EventLog(s, self.ctx.actor, at=now)
            out: list[Carried] = []
            next_no = self._next_number(s, new_plan.id)
            units = {u.id: u.short for u in s.scalars(select(UnitRow))}
            for key in wanted:
                old = rows[key]
                created = target_row is None
                if target_row is None:
                    new = self._create(s, old, new_plan, f"{NEW_PREFIX}{next_no:03d}", now)
                    next_no += 1
                else:
                    new = target_row
                old_ref = _ref(old_plan.code, old.key)
                new_ref = _ref(new_plan.code, new.key)
                out.append(Carried(old_ref, new_ref, created))
                if dry_run:
                    continue
                old.attrs = {**(old.attrs or {}), CARRIED_TO: new_ref}
                new.attrs = {**(new.attrs or {}), CARRIED_FROM: old_ref}
                before = old.status
                old.status = Status.CLOSED.value
                old.version = (old.version or 1) + 1
                old.updated_at = now
                new.version = (new.version or 1) + (0 if created else 1)
                new.updated_at = now
                log.append(
                    "carry",
                    plan=old_plan.code,
                    task=old.key,
                    reason=reason,
                    changes={
                        "status": [before, Status.CLOSED.value],
                        "carried_to": [None, new_ref],
                    },
                )
                in_changes: dict[str, object] = {"carried_from": [None, old_ref]}
                if created:
                    co = [units[c.unit_id] for c in sorted(old.co_units, key=lambda c: c.position)]
                    if old.lead_unit_id is not None:
                        in_changes["lead"] = [None, units.get(old.lead_unit_id)]
                    if co:
                        in_changes["co_units"] = [[], co]
                    # everything the new row starts with, so `log --verify` can replay it
                    for name in ("person", "leader"):
                        if getattr(new, name):
                            in_changes[name] = [None, getattr(new, name)]
                    in_changes["due"] = [None, new.due]
                    in_changes["due_basis"] = [None, new.due_basis]
                    in_changes["checklist"] = [[], [c.text for c in new.checklist]]
                log.append(
                    "carry_in", plan=new_plan.code, task=new.key, reason=reason, changes=in_changes
                )
            if dry_run:
                s.rollback()
            return out

    @staticmethod
    def _next_number(s: Session, plan_id: int) -> int:
        keys = s.scalars(
            select(TaskRow.key).where(
                TaskRow.plan_id == plan_id, TaskRow.key.like(f"{NEW_PREFIX}%")
            )
        ).all()
        numbers = [int(k[len(NEW_PREFIX) :]) for k in keys if k[len(NEW_PREFIX) :].isdigit()]
        return max(numbers, default=0) + 1

    @staticmethod
    def _create(s: Session, old: TaskRow, plan: PlanRow, key: str, now: dt.datetime) -> TaskRow:
        row = TaskRow(
            plan_id=plan.id,
            key=key,
            kind=old.kind,
            chapter=0,
            section=None,
            box=None,
            category=old.category,
            title=old.title,
            source_text=old.source_text,
            line=0,
            attrs={},
            status=Status.NOT_STARTED.value,
            progress=0,
            start=plan.start,
            due=plan.end,
            due_basis="inferred",
            due_text="",
            original_due=None,
            lead_unit_id=old.lead_unit_id,
            person=old.person,
            leader=old.leader,
            suggested_lead=None,
            suggested_co=[],
            suggested_rules=[],
            removed=False,
            version=1,
            updated_at=now,
        )
        s.add(row)
        s.flush()
        for c in old.co_units:
            s.add(CoUnitRow(task_id=row.id, unit_id=c.unit_id, position=c.position))
        seq = 0
        for item in old.checklist:
            if item.done:
                continue
            seq += 1
            s.add(
                ChecklistRow(
                    task_id=row.id,
                    seq=seq,
                    text=item.text,
                    done=False,
                    targets=list(item.targets or []),
                )
            )
        s.flush()
        return row
