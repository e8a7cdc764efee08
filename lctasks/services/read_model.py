"""The task read model: task rows with owners, latest report and light, over any connection.

One way to get the rows a list, the board, an export or a report shows, written
once as portable SQL and run through a ``lctasks.db.sql.Runner``:

- ``SessionRunner`` (SQLAlchemy session: the TUI, the tests, PostgreSQL);
- ``Sqlite3Runner`` (standard-library ``sqlite3``: the CLI's read fast path on an
  SQLite file, which imports neither SQLAlchemy nor Typer).

``task_records`` gives one ``TaskRecord`` per task (plain values, no ORM objects):
the task's columns, its lead unit's short name, its co-units in order, the date
(office time) of its latest progress report at or before ``as_of`` and its light
from ``lctasks.lights.LightRule``; ``list_tasks`` the filtered lists as domain
Tasks; ``report_tallies`` and ``overdue_rows`` what a report counts and lists.
One task in full (what ``show`` prints) is in ``services/task_read.py``. Standard
library only at import time.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from lctasks import clock
from lctasks.db.sql import (
    Row,
    Runner,
    as_date,
    as_datetime,
    as_json,
    db_date,
    db_datetime,
    in_clause,
)
from lctasks.domain import (
    CARRIED_TO,
    DueBasis,
    Light,
    ProgressReport,
    Status,
    Suggestion,
    Task,
    TaskKind,
)
from lctasks.lights import LightRule

if TYPE_CHECKING:
    from lctasks.domain import ChecklistItem

CHUNK = 500  # ids per IN (…) list
T = TypeVar("T")

# how lists are ordered (``--order``)
ORDERS = {
    "id": "t.id",
    "plan": "t.chapter, t.line, t.key",
    "due": "t.due, t.chapter, t.line, t.key",
    "key": "t.key",
    "updated": "t.updated_at DESC, t.key",
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


class LightMemo:
    """The light rule once per distinct (status, start, due, progress, report state).

    The light reads the latest report's date only as "inside the current
    reporting period or not" (lctasks.lights: the period of ``as_of`` less the
    grace days), so the memo key keeps just that, not the date itself; the
    result is the same light (tests/functional/test_ledger.py checks it against
    light_for).
    """

    def __init__(self, as_of: dt.date, settings: Any) -> None:
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

    def reported(self, state: int) -> dt.date | None:
        """A latest-report date standing for a reporting state, as the memo keeps it:
        0 no report up to ``as_of``, 1 the latest before the current period, 2 in it."""
        return (None, self.before, self.period_start)[state]


def plan_codes(runner: Runner) -> list[tuple[int, str]]:
    """(id, code) of every plan, by code."""
    return [(int(r[0]), str(r[1])) for r in runner.all("SELECT id, code FROM plans ORDER BY code")]


def carried_ids(runner: Runner, plan_id: int) -> set[int]:
    """The plan's tasks closed as carried over (结转) to another plan: not "done"."""
    return {
        int(task_id)
        for task_id, attrs in runner.all(
            "SELECT id, attrs FROM tasks WHERE plan_id = :plan AND status = :closed",
            {"plan": plan_id, "closed": Status.CLOSED.value},
        )
        if CARRIED_TO in (as_json(attrs) or {})
    }


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
    owners: bool = True,
) -> list[TaskRecord]:
    """The plan's tasks (live ones unless ``include_removed``; only ``keys``; the first ``limit``).

    ``owners=False`` (counts and lights, as the report reads): the key, title,
    chapter, lead unit and what the light needs; no co-units, person, leader,
    suggestion, kind, section, box, category, due basis nor version (left empty).
    Dates are parsed once per distinct value, the light is ruled once per distinct
    input (``LightMemo``) and the garbage collector is paused while 100,000 small
    records are made (it would otherwise walk them repeatedly).
    """
    key_list = None if keys is None else sorted(set(keys))
    if key_list is not None and not key_list:
        return []
    # the first page by id (the TUI's first paint): ``+`` keeps SQLite from sorting
    # the plan's whole index for 200 rows (~0.3 s at 100,000 tasks) and lets it walk
    # the table in id order, stopping at the limit
    first_page = limit is not None and order == "id" and key_list is None
    where = "+t.plan_id = :plan" if first_page else "t.plan_id = :plan"
    params: dict[str, Any] = {"plan": plan_id}
    if not include_removed:
        where += " AND t.removed = :no"
        params["no"] = False
    if key_list is not None:
        clause, more = in_clause("k", key_list)
        where += f" AND t.key IN {clause}"
        params.update(more)
    sql = (
        "SELECT t.id, t.key, "
        + (
            "t.kind, t.chapter, t.section, t.box, t.category, t.title,"
            if owners
            else "'', t.chapter, NULL, NULL, NULL, t.title,"
        )
        + " t.status, t.progress, t.start, t.due, "
        + (
            "t.due_basis, u.short, t.person, t.leader, t.suggested_lead, t.suggested_co, t.version,"
            if owners
            else "'', u.short, NULL, NULL, NULL, NULL, 0,"
        )
        + " t.removed, t.original_due FROM tasks t LEFT JOIN units u ON u.id = t.lead_unit_id"
        f" WHERE {where} ORDER BY {ORDERS[order]}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    # some keys or a page: their ids first (owners and reports of just those); the
    # whole plan: owners and reports of the plan, then its rows one at a time (100,000
    # rows are never held as tuples and as records at once)
    some = key_list is not None or limit is not None
    raw: Iterable[Row] = runner.all(sql, params) if some else ()
    ids = [r[0] for r in raw] if some else None
    co = co_units(runner, plan_id, ids) if owners else {}
    last = last_reports(runner, plan_id, ids, as_of)
    if not some:
        raw = runner.each(sql, params)
    # the same few texts in every row (kind, status, units, people): one object each
    one: Callable[[Any, Any], Any] = {}.setdefault
    light = LightMemo(as_of, settings)
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
            status = one(status, status)
            out.append(
                TaskRecord(
                    tid,
                    key,
                    one(kind, kind),
                    chapter,
                    section,
                    box,
                    one(category, category),
                    title,
                    status,
                    progress,
                    start,
                    due,
                    one(basis, basis),
                    None if original is None else day(original),
                    one(lead, lead),
                    co.get(tid, no_co),
                    one(person, person),
                    one(leader, leader),
                    s_lead if s_lead or (s_co is not None and _has_items(s_co)) else None,
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


FINISHED_CODES = frozenset({"done", "closed"})


def numeric_lights_by_key(
    runner: Runner, plan_id: int, as_of: dt.date, settings: Any
) -> dict[str, Light]:
    """Lights from recorded actuals (indicators judged by their numbers), by task key.

    One cheap query when nothing is recorded (the common case): the evaluation
    module is imported only when some task of the plan has actuals."""
    if not runner.all(
        # from the (usually empty) actuals, not from the plan's 100,000 tasks
        "SELECT 1 FROM actuals a JOIN tasks t ON t.id = a.task_id WHERE +t.plan_id = :plan LIMIT 1",
        {"plan": plan_id},
    ):
        return {}
    from lctasks.services.numbers import numeric_lights, thresholds_of

    return numeric_lights(runner, plan_id, as_of, thresholds_of(settings))


def _apply_numeric_lights(
    runner: Runner, plan_id: int, as_of: dt.date, settings: Any, out: list[TaskRecord]
) -> None:
    """Tasks with recorded actuals take the light of their numbers (lctasks actual)."""
    numeric = numeric_lights_by_key(runner, plan_id, as_of, settings)
    if not numeric:
        return
    for rec in out:
        if rec.status not in FINISHED_CODES and rec.key in numeric:
            rec.light = numeric[rec.key]


# ---------------------------------------------------------------------------
# The report's reads: counts per group and light, the overdue tasks
# ---------------------------------------------------------------------------

# the group a report counts a task in: its lead unit's id (None: unassigned) or its chapter
TALLY_GROUPS = {"unit": "t.lead_unit_id", "chapter": "t.chapter"}

# a task's reporting state as LightMemo keeps it (``LightMemo.reported``): 2 its latest
# report up to ``as_of`` falls in the current period, 1 before it, 0 it has none
REPORT_STATE = (
    "(SELECT CASE WHEN MAX(p.at) >= :current THEN 2 WHEN MAX(p.at) IS NULL THEN 0 ELSE 1 END"
    " FROM progress_reports p WHERE p.task_id = t.id AND p.at < :until)"
)


def report_tallies(
    runner: Runner, plan_id: int, group: str, *, as_of: dt.date, settings: Any
) -> dict[tuple[Any, str, dt.date, Light, bool], int]:
    """How many live tasks of the plan share each (group, status, due, light, carried).

    What a report adds up, with the lights and carried flags ``task_records`` and
    ``carried_ids`` give, without a record per task: ``group`` is ``"unit"`` (the
    lead unit's id, None when unassigned) or ``"chapter"``. The database hands over
    only the columns the light reads, with each task's reporting state (all that
    ``LightMemo`` keeps of the latest report's date), so 100,000 tasks come as a
    few ten thousand distinct rows; each is ruled once by ``LightRule`` (through
    ``LightMemo``). Closed tasks bring their id when some task was carried over (to
    tell those), tasks with recorded actuals their key (the light of their numbers).
    """
    light = LightMemo(as_of, settings)
    numeric = numeric_lights_by_key(runner, plan_id, as_of, settings)
    carried = carried_ids(runner, plan_id)
    plan = "t.plan_id = :plan"
    if runner.dialect == "sqlite" and _most_tasks(runner, plan_id):
        plan = "+t.plan_id = :plan"  # walk the table: cheaper than its index for most rows
    # (no carried tasks, no actuals — the usual case: no ids or keys to keep rows apart)
    closed = "CASE WHEN t.status = :closed THEN t.id END" if carried else "NULL"
    keyed = (
        "CASE WHEN EXISTS (SELECT 1 FROM actuals a WHERE a.task_id = t.id) THEN t.key END"
        if numeric
        else "NULL"
    )
    sql = (
        f"SELECT {TALLY_GROUPS[group]}, t.status, t.start, t.due, t.progress, {REPORT_STATE},"
        f" {closed}, {keyed}"
        f" FROM tasks t WHERE {plan} AND t.removed = :no"
    )
    params = {
        "plan": plan_id,
        "no": False,
        "closed": Status.CLOSED.value,
        "current": db_datetime(runner, clock.day_start(light.period_start)),
        "until": db_datetime(runner, clock.day_end(as_of)),
    }
    with paused_gc():
        counted = Counter(runner.all(sql, params))
    day = DayMemo()
    ruled: dict[
        tuple[Any, ...], tuple[dt.date, Light]
    ] = {}  # (status, start, due, progress, state)
    out: dict[tuple[Any, str, dt.date, Light, bool], int] = {}
    for (grp, status, start, due, progress, state, closed, key), n in counted.items():
        inputs = (status, start, due, progress, state)
        hit = ruled.get(inputs)
        if hit is None:
            due_day = day(due)
            lit = light(status, day(start), due_day, progress or 0, light.reported(state))
            hit = ruled[inputs] = (due_day, lit)
        due_day, lit = hit
        if key is not None and status not in FINISHED_CODES and key in numeric:
            lit = numeric[key]
        tally = (grp, status, due_day, lit, closed is not None and closed in carried)
        out[tally] = out.get(tally, 0) + n
    return out


def _most_tasks(runner: Runner, plan_id: int) -> bool:
    """Whether the plan holds most of the database's tasks (SQLite: a few ms)."""
    found = runner.all(
        "SELECT (SELECT count(*) FROM tasks WHERE plan_id = :plan) * 2"
        " > (SELECT count(*) FROM tasks)",
        {"plan": plan_id},
    )
    return bool(found[0][0])


def overdue_rows(
    runner: Runner,
    plan_id: int,
    day: dt.date,
    statuses: Sequence[str],
    limit: int | None,
    make: Callable[[str, str, str | None, int, Status, dt.date, int, int], T],
) -> list[T]:
    """The plan's live tasks due before ``day`` in one of ``statuses``, by due date
    then key (the first ``limit``), each as ``make(key, title, lead unit's short name,
    chapter, status, due, days past it on day, progress)`` — made in the one pass over
    the rows (80,000 of them at office scale)."""
    clause, params = in_clause("st", list(statuses))
    # keys compare as Python strings do (code points), whatever the database's locale
    by_key = 't.key COLLATE "C"' if runner.dialect == "postgresql" else "t.key"
    sql = (
        "SELECT t.key, t.title, t.lead_unit_id, t.chapter, t.status, t.due, t.progress"
        f" FROM tasks t WHERE t.plan_id = :plan AND t.removed = :no AND t.due < :day"
        f" AND t.status IN {clause} ORDER BY t.due, {by_key}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    params.update({"plan": plan_id, "no": False, "day": db_date(runner, day)})
    with paused_gc():  # the collector would walk the rows again and again
        raw = runner.all(sql, params) if limit != 0 else []
        parse = DayMemo()
        dues = {due: parse(due) for due in {r[5] for r in raw}}  # a few dozen distinct
        late = {due: (day - parsed).days for due, parsed in dues.items()}
        shorts = unit_shorts(runner) if raw else {}  # a dict look-up, not a join per row
        states = {x.value: x for x in Status}
        return [
            make(key, title, shorts.get(lead), chapter, states[st], dues[due], late[due], done or 0)
            for key, title, lead, chapter, st, due, done in raw
        ]


def unit_shorts(runner: Runner) -> dict[Any, str]:
    """Every unit's short name, by id."""
    return {uid: str(short) for uid, short in runner.all("SELECT id, short FROM units")}


class DayMemo:
    """Dates of stored date values (ISO text on SQLite), each distinct value parsed once."""

    def __init__(self) -> None:
        self.days: dict[Any, dt.date] = {}

    def __call__(self, value: Any) -> dt.date:
        hit = self.days.get(value)
        if hit is None:
            hit = self.days[value] = (
                value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
            )
        return hit


@contextmanager
def paused_gc() -> Iterator[None]:
    """The garbage collector off while many small objects that hold no cycles are made
    (it would walk them again and again), back on as it was after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _has_items(value: Any) -> bool:
    if isinstance(value, str | bytes):
        return value not in ("", "[]", b"[]") and bool(json.loads(value))
    return bool(value)


# ---------------------------------------------------------------------------
# Filtered lists as domain Tasks: ``lctasks list``, the TUI, the exports
# ---------------------------------------------------------------------------

TASK_COLUMNS = (
    "t.id, t.key, t.kind, t.chapter, t.title, t.status, t.due, t.due_basis, t.start,"
    " t.version, u.short, t.person, t.leader, t.progress, t.section, t.box, t.category,"
    " t.source_text, t.line, t.due_text, t.original_due, t.suggested_lead, t.suggested_co,"
    " t.suggested_rules, t.removed, t.updated_at, t.attrs"
)
BIG = 20 * CHUNK  # more ids than this: read owners and reports of the whole plan


class RowValues:
    """Turns the stored values of ``TASK_COLUMNS`` rows into domain values, each
    distinct date, JSON text and suggestion once (a list of 100,000 rows holds a
    few hundred of them)."""

    __slots__ = ("memo",)

    def __init__(self) -> None:
        self.memo: dict[Any, Any] = {}

    def day(self, value: Any) -> Any:
        hit = self.memo.get(value)
        if hit is None and value is not None:
            hit = self.memo[value] = as_date(value)
        return hit

    def parsed(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        hit = self.memo.get(("json", value))
        if hit is None:
            hit = self.memo[("json", value)] = json.loads(value)
        return hit

    def suggestion(self, lead: str | None, co: Any, rules: Any) -> Suggestion | None:
        key = ("sug", lead, str(co), str(rules))
        if key not in self.memo:
            self.memo[key] = suggestion_of(lead, self.parsed(co), self.parsed(rules))
        found: Suggestion | None = self.memo[key]
        return found

    def pairs(self, value: Any) -> tuple[tuple[str, str], ...]:
        key = ("pairs", value if isinstance(value, str) else json.dumps(value, sort_keys=True))
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = tuple(
                (str(k), str(v)) for k, v in (self.parsed(value) or {}).items()
            )
        found: tuple[tuple[str, str], ...] = hit
        return found


_KINDS = {k.value: k for k in TaskKind}
_STATUSES = {x.value: x for x in Status}
_BASES = {b.value: b for b in DueBasis}


def task_from_row(
    row: Sequence[Any],
    plan_code: str,
    values: RowValues,
    *,
    light: Light | None,
    co: tuple[str, ...],
    report: ProgressReport | None,
    checklist: tuple[ChecklistItem, ...] = (),
) -> Task:
    """The domain ``Task`` of one ``TASK_COLUMNS`` row: the one place a stored task
    row becomes a task (the lists, ``show``, the board's detail)."""
    (
        _tid,
        key,
        kind,
        chapter,
        title,
        status,
        due_v,
        basis,
        start_v,
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
    ) = row
    return Task(
        plan_code,
        key,
        _KINDS[kind],
        chapter,
        title,
        _STATUSES[status],
        values.day(due_v),
        _BASES[basis],
        values.day(start_v),
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
        values.day(original_due),
        checklist,
        values.suggestion(s_lead, s_co, s_rules),
        report,
        light,
        bool(removed),
        as_datetime(updated_at),
        values.pairs(attrs),
    )


def suggestion_of(
    lead: str | None, co: list[str] | None, rules: list[str] | None
) -> Suggestion | None:
    if not lead and not co:
        return None
    return Suggestion(lead=lead, co_units=tuple(co or ()), rules=tuple(rules or ()))


def _like(text: str) -> str:
    """``%text%`` for ``LIKE … ESCAPE '/'`` (the wildcards in ``text`` taken literally)."""
    return "%" + text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def filter_sql(
    runner: Runner, plan_id: int, flt: Any, unit_shorts: Iterable[str] = ()
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause of a ``services.query.TaskFilter`` (every field but lights,
    order, limit and offset); ``unit_shorts``: its units, resolved to short names."""
    where = ["t.plan_id = :plan"]
    params: dict[str, Any] = {"plan": plan_id}

    def one_of(column: str, prefix: str, values: Sequence[Any]) -> None:
        if values:
            clause, more = in_clause(prefix, list(values))
            where.append(f"{column} IN {clause}")
            params.update(more)

    if not flt.include_removed:
        where.append("t.removed = :no")
        params["no"] = False
    one_of("t.chapter", "ch", flt.chapters)
    one_of("t.kind", "kd", [TaskKind(k).value for k in flt.kinds])
    one_of("t.status", "st", [Status(x).value for x in flt.statuses])
    if flt.due_before:
        where.append("t.due <= :due_before")
        params["due_before"] = db_date(runner, flt.due_before)
    if flt.due_after:
        where.append("t.due >= :due_after")
        params["due_after"] = db_date(runner, flt.due_after)
    if flt.unassigned:
        where.append("t.lead_unit_id IS NULL")
    if flt.text:
        needle = flt.text.strip()
        where.append(
            "(lower(t.key) LIKE :text_key ESCAPE '/' OR t.title LIKE :text ESCAPE '/'"
            " OR t.source_text LIKE :text ESCAPE '/')"
        )
        params["text_key"] = _like(needle.lower())
        params["text"] = _like(needle)
    if flt.units:
        clause, more = in_clause("un", sorted(set(unit_shorts)))
        params.update(more)
        units = f"SELECT id FROM units WHERE short IN {clause}"
        where.append(
            f"(t.lead_unit_id IN ({units}) OR t.id IN"
            f" (SELECT c.task_id FROM task_co_units c WHERE c.unit_id IN ({units})))"
        )
    return " AND ".join(where), params


def list_tasks(
    runner: Runner,
    plan_id: int,
    plan_code: str,
    flt: Any,
    *,
    as_of: dt.date,
    settings: Any,
    unit_shorts: Iterable[str] = (),
    with_reports: bool = False,
) -> list[Task]:
    """The tasks of a ``services.query.TaskFilter`` as domain ``Task`` summaries (no
    checklist; ``latest_report`` only ``with_reports``), lights as of ``as_of``.

    Filters run in SQL, the light filter in Python (then ``offset``/``limit``);
    JSON columns and dates are parsed once per distinct value.
    """
    where, params = filter_sql(runner, plan_id, flt, unit_shorts)
    sql = (
        f"SELECT {TASK_COLUMNS} FROM tasks t LEFT JOIN units u ON u.id = t.lead_unit_id"
        f" WHERE {where} ORDER BY {ORDERS[flt.order]}"
    )
    if not flt.lights:
        if flt.limit is not None:
            sql += f" LIMIT {int(flt.limit)}"
        elif flt.offset:
            sql += " LIMIT -1" if runner.dialect == "sqlite" else ""
        if flt.offset:
            sql += f" OFFSET {int(flt.offset)}"
    raw = runner.all(sql, params)
    if not raw:
        return []
    ids = [r[0] for r in raw]
    some = ids if len(ids) <= BIG else None
    co = co_units(runner, plan_id, some)
    last = last_reports(runner, plan_id, some, as_of)
    reports = latest_reports(runner, plan_id, some) if with_reports else {}
    numeric = numeric_lights_by_key(runner, plan_id, as_of, settings)
    rule = LightRule(as_of, settings)
    wanted = {Light(x) for x in flt.lights}
    values = RowValues()
    day = values.day
    tasks: list[Task] = []
    gc_was_on = gc.isenabled()
    gc.disable()
    raw.reverse()  # each row let go once its task is made: not 100,000 rows and tasks at once
    try:
        while raw:
            row = raw.pop()
            tid, key, status = row[0], row[1], row[5]
            progress = row[13] or 0
            lit = rule(status, day(row[8]), day(row[6]), progress, last.get(tid))
            if numeric and status not in FINISHED_CODES and key in numeric:
                lit = numeric[key]
            if wanted and lit not in wanted:
                continue
            tasks.append(
                task_from_row(
                    row, plan_code, values, light=lit, co=co.get(tid, ()), report=reports.get(tid)
                )
            )
    finally:
        if gc_was_on:
            gc.enable()
    if flt.lights:
        end = None if flt.limit is None else flt.offset + flt.limit
        tasks = tasks[flt.offset : end]
    return tasks


def latest_reports(
    runner: Runner, plan_id: int, ids: Sequence[int] | None
) -> dict[int, ProgressReport]:
    """The newest progress report per task id (of the plan, or of ``ids``)."""
    newest = "SELECT p.task_id, MAX(p.at) AS at FROM progress_reports p"
    out: dict[int, ProgressReport] = {}
    for sql, params in _by_task(newest, "p", {}, plan_id, ids):
        rows = runner.all(
            "SELECT r.task_id, r.at, r.actor, r.made, r.problems, r.next_steps, r.percent,"
            f" r.period FROM progress_reports r JOIN ({sql} GROUP BY p.task_id) m"
            " ON m.task_id = r.task_id AND m.at = r.at",
            params,
        )
        for task_id, *report in rows:
            out[task_id] = report_from_row(*report)
    return out


def report_from_row(
    at: Any,
    actor: str,
    made: str | None,
    problems: str | None,
    next_steps: str | None,
    percent: int | None,
    period: str | None,
) -> ProgressReport:
    stamp = as_datetime(at)
    assert stamp is not None
    return ProgressReport(
        at=stamp,
        actor=actor,
        made=made or "",
        problems=problems or "",
        next_steps=next_steps or "",
        percent=percent,
        period=period or "",
    )


def co_units(runner: Runner, plan_id: int, ids: Sequence[int] | None) -> dict[int, tuple[str, ...]]:
    """Co-units (short names, in order) per task id: of the whole plan, or of ``ids``."""
    acc: dict[int, list[str]] = {}
    names: dict[str, str] = {}  # one object per unit name, however many tasks name it
    for sql, params in _by_task(
        "SELECT c.task_id, u.short FROM task_co_units c JOIN units u ON u.id = c.unit_id",
        "c",
        {},
        plan_id,
        ids,
    ):
        for task_id, short in runner.each(sql + " ORDER BY c.task_id, c.position", params):
            acc.setdefault(task_id, []).append(names.setdefault(short, short))
    return {k: tuple(v) for k, v in acc.items()}


def last_reports(
    runner: Runner, plan_id: int, ids: Sequence[int] | None, as_of: dt.date
) -> dict[int, dt.date]:
    """The office date of the latest report at or before ``as_of``, per task id."""
    params = {"until": db_datetime(runner, clock.day_end(as_of))}
    out: dict[int, dt.date] = {}
    office_day = OfficeDays()
    for sql, chunk_params in _by_task(
        "SELECT p.task_id, MAX(p.at) FROM progress_reports p", "p", params, plan_id, ids
    ):
        for task_id, at in runner.all(sql + " AND p.at < :until GROUP BY p.task_id", chunk_params):
            day = office_day(at)
            if day is not None:
                out[task_id] = day
    return out


class OfficeDays:
    """The office date of stored instants (``clock.office_date``), quick on SQLite's text.

    SQLite keeps a UTC instant as ``YYYY-MM-DD HH:MM:SS.ffffff``: its office date is
    the day before, the day itself or the day after its UTC date, depending on which
    office midnights (``clock.day_start``, written the same way) it falls between —
    string comparisons against two boundaries worked out once per UTC date, instead
    of parsing and converting 50,000 instants one by one. Anything else (PostgreSQL's
    datetimes, another text form) is converted as usual.
    """

    def __init__(self) -> None:
        self.bounds: dict[str, tuple[str, str, dt.date]] = {}

    def __call__(self, at: Any) -> dt.date | None:
        if isinstance(at, str) and len(at) == 26 and at[10] == " " and at[19] == ".":
            utc_day = at[:10]
            hit = self.bounds.get(utc_day)
            if hit is None:
                day = dt.date.fromisoformat(utc_day)
                one = dt.timedelta(days=1)
                hit = self.bounds[utc_day] = (_text(day), _text(day + one), day)
            first, second, day = hit
            if at < first:
                return day - dt.timedelta(days=1)
            return day if at < second else day + dt.timedelta(days=1)
        stamp = as_datetime(at)
        return None if stamp is None else clock.office_date(stamp)


def _text(day: dt.date) -> str:
    """The office midnight starting ``day`` as SQLite stores instants (UTC text)."""
    return (
        clock.day_start(day)
        .astimezone(dt.UTC)
        .replace(tzinfo=None)
        .isoformat(sep=" ", timespec="microseconds")
    )


def _by_task(
    select: str, alias: str, params: dict[str, Any], plan_id: int, ids: Sequence[int] | None
) -> list[tuple[str, dict[str, Any]]]:
    """``select`` (rows of table ``alias`` with a ``task_id``) for the plan's tasks, or
    for ``ids`` only, CHUNK ids per statement. The ids are the plan's already: no
    join with tasks then, so SQLite looks each id up instead of walking the plan's
    index (~50 ms for 200 ids at 100,000 tasks)."""
    if ids is None:
        where = f" JOIN tasks t ON t.id = {alias}.task_id WHERE t.plan_id = :plan"
        return [(select + where, {**params, "plan": plan_id})]
    out = []
    for i in range(0, len(ids), CHUNK):
        clause, more = in_clause("i", ids[i : i + CHUNK])
        out.append((f"{select} WHERE {alias}.task_id IN {clause}", {**params, **more}))
    return out
