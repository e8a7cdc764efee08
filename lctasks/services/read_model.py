"""The task read model: task rows with owners, latest report and light, over any connection.

One way to get the rows a list, the board, an export or a report shows, written
once as portable SQL and run through a ``lctasks.db.sql.Runner``:

- ``SessionRunner`` (SQLAlchemy session: the TUI, the tests, PostgreSQL);
- ``Sqlite3Runner`` (standard-library ``sqlite3``: the CLI's read fast path on an
  SQLite file, which imports neither SQLAlchemy nor Typer).

``task_records`` gives one ``TaskRecord`` per task (plain values, no ORM objects):
the task's columns, its lead unit's short name, its co-units in order, the date
(office time) of its latest progress report at or before ``as_of`` and its light
from ``lctasks.lights.LightRule``. Standard library only at import time.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lctasks import clock
from lctasks.db.sql import Runner, as_datetime, db_datetime, in_clause
from lctasks.domain import Light
from lctasks.lights import LightRule

CHUNK = 500  # ids per IN (…) list

# how lists are ordered (``--order``)
ORDERS = {
    "id": "t.id",
    "plan": "t.chapter, t.line, t.key",
    "due": "t.due, t.chapter, t.line, t.key",
    "key": "t.key",
}


@dataclass(slots=True)
class TaskRecord:
    """One task as lists show it (no checklist, no source text)."""

    id: int
    key: str
    kind: str
    chapter: int
    section: int | None
    box: int | None
    category: str | None
    title: str
    status: str
    progress: int
    start: dt.date
    due: dt.date
    due_basis: str
    original_due: dt.date | None  # the deadline before the first extension
    lead: str | None  # lead unit's short name
    co_units: tuple[str, ...]
    person: str | None
    leader: str | None
    suggested_lead: str | None  # the import's suggestion (None when it has none)
    version: int
    removed: bool
    last_report: dt.date | None  # office date of the latest report up to as_of
    light: Light


def plan_codes(runner: Runner) -> list[tuple[int, str]]:
    """(id, code) of every plan, by code."""
    return [(int(r[0]), str(r[1])) for r in runner.all("SELECT id, code FROM plans ORDER BY code")]


def task_records(
    runner: Runner,
    plan_id: int,
    *,
    as_of: dt.date,
    settings: Any,
    keys: Iterable[str] | None = None,
    limit: int | None = None,
    include_removed: bool = False,
    order: str = "id",
) -> list[TaskRecord]:
    """The plan's tasks (live ones unless ``include_removed``; only ``keys``; the first ``limit``).

    Dates are parsed once per distinct value and the garbage collector is paused
    while 100,000 small records are made (it would otherwise walk them repeatedly).
    """
    key_list = None if keys is None else sorted(set(keys))
    if key_list is not None and not key_list:
        return []
    where = "t.plan_id = :plan"
    params: dict[str, Any] = {"plan": plan_id}
    if not include_removed:
        where += " AND t.removed = :no"
        params["no"] = False
    if key_list is not None:
        clause, more = in_clause("k", key_list)
        where += f" AND t.key IN {clause}"
        params.update(more)
    sql = (
        "SELECT t.id, t.key, t.kind, t.chapter, t.section, t.box, t.category, t.title,"
        " t.status, t.progress, t.start, t.due, t.due_basis, u.short, t.person, t.leader,"
        " t.suggested_lead, t.suggested_co, t.version, t.removed, t.original_due"
        " FROM tasks t LEFT JOIN units u ON u.id = t.lead_unit_id"
        f" WHERE {where} ORDER BY {ORDERS[order]}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    raw = runner.all(sql, params)
    some = key_list is not None or limit is not None
    ids = [r[0] for r in raw] if some else None
    co = co_units(runner, plan_id, ids)
    last = last_reports(runner, plan_id, ids, as_of)
    light = LightRule(as_of, settings)
    days: dict[Any, dt.date] = {}

    def day(value: Any) -> dt.date:
        hit = days.get(value)
        if hit is None:
            hit = days[value] = (
                value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
            )
        return hit

    no_co: tuple[str, ...] = ()
    out: list[TaskRecord] = []
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        for (
            tid,
            key,
            kind,
            chapter,
            section,
            box,
            category,
            title,
            status,
            progress,
            start_v,
            due_v,
            basis,
            lead,
            person,
            leader,
            s_lead,
            s_co,
            version,
            removed,
            original,
        ) in raw:
            start, due, progress = day(start_v), day(due_v), progress or 0
            reported = last.get(tid)
            out.append(
                TaskRecord(
                    tid,
                    key,
                    kind,
                    chapter,
                    section,
                    box,
                    category,
                    title,
                    status,
                    progress,
                    start,
                    due,
                    basis,
                    None if original is None else day(original),
                    lead,
                    co.get(tid, no_co),
                    person,
                    leader,
                    s_lead if s_lead or _has_items(s_co) else None,
                    version,
                    bool(removed),
                    reported,
                    light(status, start, due, progress, reported),
                )
            )
    finally:
        if gc_was_on:
            gc.enable()
    _apply_numeric_lights(runner, plan_id, as_of, settings, out)
    return out


_FINISHED = frozenset({"done", "closed"})


def _apply_numeric_lights(
    runner: Runner, plan_id: int, as_of: dt.date, settings: Any, out: list[TaskRecord]
) -> None:
    """Tasks with recorded actuals take the light of their numbers (lctasks actual).

    One query when nothing is recorded (the common case)."""
    from lctasks.services.numbers import numeric_lights, thresholds_of

    numeric = numeric_lights(runner, plan_id, as_of, thresholds_of(settings))
    if not numeric:
        return
    for rec in out:
        if rec.status not in _FINISHED and rec.key in numeric:
            rec.light = numeric[rec.key]


def _has_items(value: Any) -> bool:
    if isinstance(value, str | bytes):
        return value not in ("", "[]", b"[]") and bool(json.loads(value))
    return bool(value)


def co_units(runner: Runner, plan_id: int, ids: Sequence[int] | None) -> dict[int, tuple[str, ...]]:
    """Co-units (short names, in order) per task id: of the whole plan, or of ``ids``."""
    base = (
        "SELECT c.task_id, u.short FROM task_co_units c JOIN units u ON u.id = c.unit_id"
        " JOIN tasks t ON t.id = c.task_id WHERE t.plan_id = :plan"
    )
    acc: dict[int, list[str]] = {}
    for sql, params in _chunked(base, "c.task_id", {"plan": plan_id}, ids):
        for task_id, short in runner.all(sql + " ORDER BY c.task_id, c.position", params):
            acc.setdefault(task_id, []).append(short)
    return {k: tuple(v) for k, v in acc.items()}


def last_reports(
    runner: Runner, plan_id: int, ids: Sequence[int] | None, as_of: dt.date
) -> dict[int, dt.date]:
    """The office date of the latest report at or before ``as_of``, per task id."""
    base = (
        "SELECT p.task_id, MAX(p.at) FROM progress_reports p JOIN tasks t ON t.id = p.task_id"
        " WHERE t.plan_id = :plan AND p.at < :until"
    )
    params = {"plan": plan_id, "until": db_datetime(runner, clock.day_end(as_of))}
    out: dict[int, dt.date] = {}
    for sql, chunk_params in _chunked(base, "p.task_id", params, ids):
        for task_id, at in runner.all(sql + " GROUP BY p.task_id", chunk_params):
            stamp = as_datetime(at)
            if stamp is not None:
                out[task_id] = clock.office_date(stamp)
    return out


def _chunked(
    base: str, column: str, params: dict[str, Any], ids: Sequence[int] | None
) -> list[tuple[str, dict[str, Any]]]:
    if ids is None:
        return [(base, params)]
    out = []
    for i in range(0, len(ids), CHUNK):
        clause, more = in_clause("i", ids[i : i + CHUNK])
        out.append((f"{base} AND {column} IN {clause}", {**params, **more}))
    return out
