"""ORM rows → domain read models, shared by every service and face.

``task_view`` is the one place that turns a ``TaskRow`` into a ``domain.Task``
(ledger, workflow, snapshot and TUI all call it), so a task looks the same
wherever it is shown. It must be called inside the session that loaded the row
(the checklist and co-units are loaded with it, ``selectin``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import object_session

from lctasks.config import Settings
from lctasks.db.models import ChecklistRow, PlanRow, ProgressRow, TaskRow
from lctasks.domain import (
    ChecklistItem,
    DueBasis,
    Light,
    ProgressReport,
    Status,
    Target,
    Task,
    TaskKind,
)
from lctasks.lights import light_for
from lctasks.services.read_model import suggestion_of
from lctasks.services.task_read import target_from_json

# their homes: services/read_model.py, services/task_read.py
__all__ = ["suggestion_of", "target_from_json"]


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; we only ever store UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def target_to_json(target: Target) -> dict[str, object]:
    """Stored and shown as JSON; the newer fields only when set, so that targets the
    parser reads as before compare equal on re-import."""
    data: dict[str, object] = {
        "text": target.text,
        "value": target.value,
        "unit": target.unit,
        "deadline": target.deadline.isoformat() if target.deadline else None,
        "yearly": target.yearly,
    }
    if target.kind and target.kind != ("number" if target.value is not None else ""):
        data["kind"] = target.kind
    if target.value_max is not None:
        data["value_max"] = target.value_max
    if target.before:
        data["before"] = target.before
    if target.after:
        data["after"] = target.after
    if target.value_text:
        data["value_text"] = target.value_text
    return data


def checklist_item(row: ChecklistRow) -> ChecklistItem:
    return ChecklistItem(
        seq=row.seq,
        text=row.text,
        done=bool(row.done),
        targets=tuple(target_from_json(d) for d in (row.targets or [])),
    )


def progress_report(row: ProgressRow | ProgressReport | None) -> ProgressReport | None:
    if row is None or isinstance(row, ProgressReport):
        return row
    at = as_utc(row.at)
    assert at is not None
    return ProgressReport(
        at=at,
        actor=row.actor,
        made=row.made or "",
        problems=row.problems or "",
        next_steps=row.next_steps or "",
        percent=row.percent,
        period=row.period or "",
    )


def compute_light(
    *,
    status: Status,
    start: dt.date,
    due: dt.date,
    progress: int,
    as_of: dt.date,
    settings: Settings | None,
    latest_report: ProgressReport | None,
) -> Light:
    """The warning light for ``as_of``; the rules and thresholds live in lctasks.lights."""
    return light_for(
        status,
        start,
        due,
        progress,
        as_of,
        latest_report.at if latest_report is not None else None,
        settings,
    )


def plan_code_of(row: TaskRow) -> str:
    session = object_session(row)
    plan = session.get(PlanRow, row.plan_id) if session is not None else None
    return plan.code if plan is not None else ""


def task_view(
    row: TaskRow,
    *,
    as_of: dt.date,
    settings: Settings | None,
    latest_report: ProgressRow | ProgressReport | None = None,
    plan_code: str | None = None,
) -> Task:
    """The domain ``Task`` for ``row`` with its light as of ``as_of``.

    ``plan_code`` saves a lookup when the caller already has the plan; else it is
    read through the row's session (identity map: one query per plan at most).
    """
    status = Status(row.status)
    report = progress_report(latest_report)
    return Task(
        plan=plan_code if plan_code is not None else plan_code_of(row),
        id=row.key,
        kind=TaskKind(row.kind),
        chapter=row.chapter,
        title=row.title,
        status=status,
        due=row.due,
        due_basis=DueBasis(row.due_basis),
        start=row.start,
        version=row.version,
        lead_unit=row.lead_unit.short if row.lead_unit is not None else None,
        co_units=tuple(c.unit.short for c in row.co_units),
        person=row.person,
        leader=row.leader,
        progress=row.progress or 0,
        section=row.section,
        box=row.box,
        category=row.category,
        source_text=row.source_text or "",
        line=row.line or 0,
        due_text=row.due_text or "",
        original_due=row.original_due,
        checklist=tuple(checklist_item(c) for c in row.checklist),
        suggestion=suggestion_of(row.suggested_lead, row.suggested_co, row.suggested_rules),
        latest_report=report,
        light=compute_light(
            status=status,
            start=row.start,
            due=row.due,
            progress=row.progress or 0,
            as_of=as_of,
            settings=settings,
            latest_report=report,
        ),
        removed=bool(row.removed),
        updated_at=as_utc(row.updated_at),
        attrs=tuple((str(k), str(v)) for k, v in (row.attrs or {}).items()),
    )
