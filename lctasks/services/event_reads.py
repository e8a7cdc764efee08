"""A task's history as plain SQL over any connection (``lctasks.db.sql.Runner``).

``HistoryService.history`` reads through ``task_events`` on a SQLAlchemy session;
the CLI's read fast path (``lctasks.cli.fast_read``) on a standard-library
``sqlite3`` connection: one query for both. Standard library only at import time.
"""

from __future__ import annotations

from typing import Any

from lctasks.db.sql import Runner, as_datetime, as_json
from lctasks.domain import Event, Source

EVENT_COLUMNS = "seq, at, actor, source, action, plan_code, task_key, changes, reason, hash"


def event_of(row: tuple[Any, ...]) -> Event:
    """An ``events`` row (``EVENT_COLUMNS``) as a domain ``Event`` (as ``audit.to_event``)."""
    seq, at, actor, source, action, plan, task, changes, reason, hash_ = row
    stamp = as_datetime(at)
    assert stamp is not None
    return Event(
        seq=seq,
        at=stamp,
        actor=actor,
        source=Source(source),
        action=action,
        plan=plan,
        task=task,
        changes={
            k: list(v) if isinstance(v, list) else [v] for k, v in (as_json(changes) or {}).items()
        },
        reason=reason or "",
        hash=hash_,
    )


def task_events(runner: Runner, key: str, plan: str | None) -> list[Event] | None:
    """Every event of task ``key`` (normalised), oldest first; of plan ``plan`` when
    given. ``[]`` for a task without events, None when no plan (or not ``plan``)
    has such a task (the caller names the nearest IDs)."""
    where, params = "task_key = :key", {"key": key}
    if plan:
        where += " AND plan_code = :plan"
        params["plan"] = plan
    rows = runner.all(f"SELECT {EVENT_COLUMNS} FROM events WHERE {where} ORDER BY seq", params)
    if rows:
        return [event_of(r) for r in rows]
    exists = runner.all(
        "SELECT t.id FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE t.key = :key"
        + (" AND p.code = :plan" if plan else "")
        + " LIMIT 1",
        params,
    )
    return [] if exists else None
