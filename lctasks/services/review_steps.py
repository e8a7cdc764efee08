"""What a review apply works with: the plan of a reviewed snapshot (its edits and
conflicts), the result, and the checks and steps ``ReviewService.apply_review`` runs
inside its unit of work (``services/review.py``). Messages are in review.py's part of
the services catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lctasks import clock
from lctasks.domain import (
    ConflictError,
    Status,
)
from lctasks.i18n import services_t as t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lctasks.services.workflow import BatchResult, WorkflowService


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldEdit:
    field: str  # lead | co_units | person | due | status | note
    old: Any  # the ledger's value
    new: Any  # the reviewed file's value


@dataclass(frozen=True, slots=True)
class TaskEdit:
    task: str
    title: str
    version: int
    where: str  # file:line of the task's table
    edits: tuple[FieldEdit, ...]
    note: str = ""
    evidence: str = ""

    def get(self, name: str) -> FieldEdit | None:
        return next((e for e in self.edits if e.field == name), None)


@dataclass(frozen=True, slots=True)
class ReviewConflict:
    task: str
    where: str
    snapshot_version: int
    db_version: int
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReviewPlan:
    file: str
    plan: str
    as_of: dt.date
    snapshot_seq: int  # the history point the snapshot reflects
    db_seq: int  # the ledger's last event now
    edits: tuple[TaskEdit, ...]
    conflicts: tuple[ReviewConflict, ...]
    warnings: tuple[str, ...]
    unchanged: int  # tasks in the file with nothing to apply

    def summary(self) -> dict[str, int]:
        return {
            "tasks": len(self.edits),
            "fields": sum(len(e.edits) for e in self.edits),
            "conflicts": len(self.conflicts),
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True, slots=True)
class ApplyResult:
    review: ReviewPlan
    applied: bool
    dry_run: bool
    events: int
    steps: tuple[BatchResult, ...] = field(default=())


class Rehearsal(Exception):
    """Raised inside the unit of work to roll a dry run back."""


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def is_sqlite(db: Any) -> bool:
    return bool(getattr(db, "is_sqlite", False)) and isinstance(getattr(db, "url", None), str)


def unit_names(s: Session) -> dict[str, str]:
    from sqlalchemy import select

    from lctasks.db.models import UnitRow

    names: dict[str, str] = {}
    for name, short in s.execute(select(UnitRow.name, UnitRow.short)):
        names[name] = short
        names[short] = short
    return names


def check_transition(edit: TaskEdit, old: Status) -> Iterable[tuple[str, str]]:
    """Problems the workflow would refuse, found early so they carry a line number."""
    from lctasks.domain import move_action

    status = edit.get("status")
    new = status.new if status is not None else old
    others = [e.field for e in edit.edits if e.field in ("lead", "co_units", "person", "due")]
    if old == Status.CLOSED and new == Status.CLOSED and others:
        for name in others:
            yield name, t("review.closed_fixed", field=name)
    if status is None:
        return
    if new == Status.CLOSED and not (edit.note and edit.evidence):
        yield "status", t("review.close_needs")
    elif new == Status.RETURNED and not edit.note:
        yield "status", t("review.return_needs")
    if move_action(old, new) is None:  # the domain's transition table
        yield (
            "status",
            t("review.bad_transition", old=t(f"status.{old.value}"), new=t(f"status.{new.value}")),
        )


def refuse_late(edits: Sequence[TaskEdit]) -> None:
    """Deadlines moved later on tasks already past them: the late rule of ``extend``."""
    today = clock.today()
    lines = []
    for e in edits:
        due = e.get("due")
        if due is not None and due.new > due.old and today > due.old:
            lines.append(
                "  "
                + t(
                    "review.late_line",
                    where=e.where,
                    task=e.task,
                    due=due.old.isoformat(),
                    today=today.isoformat(),
                    new=due.new.isoformat(),
                )
            )
    if lines:
        raise ConflictError(
            "\n".join([t("review.late", n=len(lines)), *lines]),
            hint=t("review.late_hint"),
            ids=tuple(line.split()[1].rstrip("：:") for line in lines),
        )


def run_edit(
    wf: WorkflowService, plan: str, edit: TaskEdit, default_reason: str, *, late: bool = False
) -> list[BatchResult]:
    """One task's edits as workflow steps, in an order every rule accepts."""
    reason = edit.note or default_reason
    keys = [edit.task]
    done: list[BatchResult] = []
    status = edit.get("status")
    old_status: Status | None = status.old if status is not None else None

    def set_status() -> None:
        assert status is not None
        new = status.new
        if new == Status.CLOSED:
            done.append(wf.close(keys, note=edit.note, evidence=edit.evidence, plan=plan))
        elif new == Status.RETURNED:
            done.append(wf.return_(keys, reason=edit.note, plan=plan))
        elif old_status == Status.CLOSED:
            done.append(wf.reopen(keys, reason=reason, plan=plan))
        else:
            done.append(wf.set_status(keys, new, reason=reason, plan=plan))

    # a closed task opens first; otherwise owners and deadline change before closing
    if status is not None and old_status == Status.CLOSED:
        set_status()
    lead, co, person = edit.get("lead"), edit.get("co_units"), edit.get("person")
    if lead or co or person:
        done.append(
            wf.assign(
                keys,
                lead=lead.new if lead else None,
                co=co.new if co else None,
                person=(person.new or "") if person else None,
                reason=reason,
                plan=plan,
            )
        )
    due = edit.get("due")
    if due is not None:
        if due.new > due.old:  # a later deadline is an extension (延期): keeps the first
            done.append(wf.extend(keys, to=due.new, reason=reason, late=late, plan=plan))
        else:
            done.append(wf.assign(keys, due=due.new, reason=reason, plan=plan))
    if status is not None and old_status != Status.CLOSED:
        set_status()
    if edit.get("note") is not None:
        done.append(wf.note(keys, edit.note, plan=plan))
    return done


def recheck(runner: Any, plan: ReviewPlan) -> list[ReviewConflict]:
    """Versions again, inside the applying transaction (rows locked on PostgreSQL)."""
    from lctasks.db.sql import in_clause

    if not plan.edits:
        return []
    by_key = {e.task: e for e in plan.edits}
    keys = list(by_key)
    lock = " FOR UPDATE" if runner.dialect == "postgresql" else ""
    stale: list[ReviewConflict] = []
    for start in range(0, len(keys), 500):
        clause, params = in_clause("k", keys[start : start + 500])
        params["code"] = plan.plan
        for key, version in runner.all(
            "SELECT tasks.key, tasks.version FROM tasks JOIN plans ON plans.id = tasks.plan_id "
            f"WHERE plans.code = :code AND tasks.key IN {clause} ORDER BY tasks.id{lock}",
            params,
        ):
            edit = by_key[str(key)]
            if int(version) != edit.version:
                stale.append(
                    ReviewConflict(
                        edit.task,
                        edit.where,
                        edit.version,
                        int(version),
                        tuple(e.field for e in edit.edits),
                    )
                )
    return stale


def conflict_error(plan: ReviewPlan, conflicts: Sequence[ReviewConflict]) -> ConflictError:
    lines = [t("review.conflicts", n=len(conflicts))]
    lines += [
        "  "
        + t(
            "review.conflict_line",
            where=c.where,
            task=c.task,
            mine=c.snapshot_version,
            theirs=c.db_version,
            fields="、".join(c.fields),
        )
        for c in conflicts
    ]
    return ConflictError(
        "\n".join(lines), hint=t("review.conflicts_hint"), ids=tuple(c.task for c in conflicts)
    )
