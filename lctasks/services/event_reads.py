"""A task's history as plain SQL over any connection (``lctasks.db.sql.Runner``).

``HistoryService.history`` reads through ``task_events`` on a SQLAlchemy session;
the CLI's read fast path (``lctasks.cli.fast_read``) on a standard-library
``sqlite3`` connection: one query for both. Standard library only at import time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lctasks import clock
from lctasks.db.sql import Runner, as_datetime, as_json, db_datetime
from lctasks.domain import TRANSITIONS, Event, InvalidInputError, Source
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t

MESSAGES.add(
    {
        "history.unknown": ("没有这个任务 ID：{id}", "no such task ID: {id}"),
        "history.unknown.hint": (
            "用 `lctasks list` 查看任务 ID（如 C10.M03、I07）",
            "see task IDs with `lctasks list` (e.g. C10.M03, I07)",
        ),
        "log.source": (
            "未知来源“{value}”（可用：{allowed}）",
            "unknown source '{value}' (allowed: {allowed})",
        ),
        "log.limit": ("--limit 须为正整数", "--limit must be a positive integer"),
    }
)

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


def log_events(
    runner: Runner,
    *,
    task: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    source: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int | None = None,
) -> list[Event]:
    """Events matching every given filter (a normalised task key, an action code, a
    source value; ``since`` inclusive, ``until`` exclusive), newest first; the newest
    ``limit``. The checks of what was typed are ``HistoryService.log``'s."""
    where: list[str] = []
    params: dict[str, Any] = {}
    for column, value in (
        ("task_key", task),
        ("actor", actor),
        ("action", action),
        ("source", source),
    ):
        if value:
            where.append(f"{column} = :{column}")
            params[column] = value
    if since is not None:
        where.append("at >= :since")
        params["since"] = db_datetime(runner, since)
    if until is not None:
        where.append("at < :until")
        params["until"] = db_datetime(runner, until)
    sql = f"SELECT {EVENT_COLUMNS} FROM events"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [event_of(r) for r in runner.all(sql, params)]


@dataclass(frozen=True, slots=True)
class LogFilter:
    task: str | None = None
    actor: str | None = None
    action: str | None = None
    source: str | None = None
    since: dt.date | dt.datetime | None = None  # inclusive
    until: dt.date | dt.datetime | None = None  # inclusive (a date: the whole day)
    limit: int | None = None  # the newest N


def _start(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return clock.day_start(value)


def _end(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return clock.day_end(value)


KNOWN_ACTIONS = frozenset(TRANSITIONS) | {"reassign", "import", "changed"}


def action_code(text: str) -> str:
    """``close`` or its label as printed (销号, 延期 …) → the recorded action code."""
    word = text.strip()
    for code in KNOWN_ACTIONS:
        if word in MESSAGES.get(f"action.{code}", ()):
            return code
    return word


def log_query(f: LogFilter) -> dict[str, Any]:
    """What ``log_events`` takes for a ``LogFilter`` (``lctasks log``): ``--limit`` and
    ``--source`` checked (InvalidInputError), the task ID normalised, an action's
    label read as its code. An empty answer may mean a mistyped ID or action:
    ``HistoryService.log`` says so."""
    from lctasks.keys import normalize_keys

    if f.limit is not None and f.limit <= 0:
        raise InvalidInputError(t("log.limit"))
    keys = normalize_keys([f.task]) if f.task else [None]
    if not keys:  # `--task '#'`: no ID at all
        raise InvalidInputError(t("history.unknown", id=f.task))
    key = keys[0]
    action = action_code(f.action) if f.action else None
    if f.source:
        allowed = [s.value for s in Source]
        if f.source not in allowed:
            raise InvalidInputError(t("log.source", value=f.source, allowed=", ".join(allowed)))
    return {
        "task": key,
        "actor": f.actor,
        "action": action,
        "source": f.source,
        "since": _start(f.since) if f.since is not None else None,
        "until": _end(f.until) if f.until is not None else None,
        "limit": f.limit,
    }
