"""Applying a filled-in unit workbook (``apply_workbook``).

The workbook is read and checked first (``formats.xlsx.read``). The changes then go
through the workflow service exactly as on the command line (progress reports,
status changes, notes; every access rule: a liaison changes only their unit's tasks,
exit 6) in ONE write transaction with source ``xlsx`` and the acting person; a row
whose task changed in the ledger after the export (version moved) is a conflict
(exit 5) and nothing is applied — unless the ledger already holds what the row asks,
recorded after the export (the same workbook applied before): such a row is skipped
(``already``), so applying a workbook twice is "nothing left to apply", as for a
reviewed snapshot. ``dry_run`` runs the same steps and rolls back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from lctasks.domain import (
    Actor,
    ConflictError,
    InvalidInputError,
    LctasksError,
    Source,
    Status,
)
from lctasks.formats.xlsx.layout import (
    COL,
    IND_COL,
    IND_SHEET,
    META,
    SHEET,
    cell_ref,
)
from lctasks.formats.xlsx.read import FilledWorkbook, RowEdit, read_workbook
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t

if TYPE_CHECKING:
    from lctasks.services.base import ServiceContext

MESSAGES.add(
    {
        "xlsx.other_plan": (
            "{where}：报送表属于规划 {file}，数据库中是 {db}",
            "{where}: the workbook is of plan {file}, the database holds {db}",
        ),
        "xlsx.conflicts": (
            "{n} 个任务在导出报送表后已在台账中被修改，未做任何更改：",
            "{n} task(s) changed in the ledger after the workbook was exported; nothing was "
            "changed:",
        ),
        "xlsx.conflict_line": (
            "{where}：{task}：报送表版本 {mine}，台账当前版本 {theirs}",
            "{where}: {task}: workbook version {mine}, ledger now at {theirs}",
        ),
        "xlsx.conflicts.hint": (
            "重新导出报送表（lctasks export --format xlsx --unit 单位），在新表上重新填写这些行",
            "export a fresh workbook (lctasks export --format xlsx --unit UNIT) and refill "
            "these rows",
        ),
        "xlsx.step": ("{where}（{task}）：{message}", "{where} ({task}): {message}"),
    }
)


@dataclass(frozen=True, slots=True)
class XlsxApplyResult:
    workbook: FilledWorkbook
    applied: bool
    dry_run: bool
    events: int
    tasks: int
    actuals: int = 0
    already: tuple[str, ...] = ()  # rows (task IDs) and actuals the ledger already holds


class _Rehearsal(Exception):
    pass


def apply_workbook(
    ctx: ServiceContext, path: str | os.PathLike[str], *, dry_run: bool = False
) -> XlsxApplyResult:
    """Apply a filled-in workbook: all rows in one transaction, or nothing."""
    from lctasks.services.chain import CHAIN_LOCK_SQL
    from lctasks.services.workflow import WorkflowService

    book = read_workbook(path)
    _check_plan(ctx, book)
    wf = WorkflowService(ctx.with_actor(Actor(ctx.actor.name, Source.XLSX)))
    events = 0
    todo = book
    try:
        with wf.unit_of_work() as runner:
            if runner.dialect == "postgresql":  # the chain lock before row locks
                runner.all(CHAIN_LOCK_SQL)
            since = _since_export(runner, book)
            stale = _stale(runner, book, since)
            if stale:
                raise stale
            todo = replace(
                book,
                edits=tuple(e for e in book.edits if not _holds(e, since.get(e.task, []))),
                actuals=tuple(a for a in book.actuals if not _recorded(a, since.get(a.task, []))),
            )
            events = _apply_edits(wf, todo)
            if todo.actuals:
                events += _record_actuals(ctx, runner, todo)
            if dry_run:
                raise _Rehearsal
    except _Rehearsal:
        pass
    done = tuple(
        [e.task for e in book.edits if e not in todo.edits]
        + [f"{a.task} {a.period}" for a in book.actuals if a not in todo.actuals]
    )
    return XlsxApplyResult(
        todo, not dry_run, dry_run, events, len(todo.edits), len(todo.actuals), done
    )


Since = dict[str, list[tuple[str, dict[str, Any], str]]]


def _since_export(runner: Any, book: FilledWorkbook) -> Since:
    """The workbook's tasks' events recorded after the export: (action, changes, reason);
    for a task with any, last the pseudo-event ``("_now", {}, its status now)``."""
    from lctasks.db.sql import in_clause

    keys = sorted({e.task for e in book.edits} | {a.task for a in book.actuals})
    found: Since = {}
    for start in range(0, len(keys), 500):
        clause, params = in_clause("k", keys[start : start + 500])
        params |= {"code": book.plan, "seq": book.anchor.seq}
        for key, action, changes, reason in runner.all(
            "SELECT task_key, action, changes, reason FROM events WHERE plan_code = :code "
            f"AND seq > :seq AND action IN ('progress', 'status', 'note', 'actual') "
            f"AND task_key IN {clause} ORDER BY seq",
            params,
        ):
            doc = json.loads(changes) if isinstance(changes, str) else dict(changes or {})
            found.setdefault(str(key), []).append((str(action), doc, str(reason or "")))
        # and each changed task's status now (as a last pseudo-event "_now")
        for key, status in runner.all(
            "SELECT tasks.key, tasks.status FROM tasks JOIN plans ON plans.id = tasks.plan_id "
            f"WHERE plans.code = :code AND tasks.key IN {clause}",
            {k: v for k, v in params.items() if k != "seq"},
        ):
            if str(key) in found:
                found[str(key)].append(("_now", {}, str(status)))
    return found


def _new(changes: dict[str, Any], name: str) -> Any:
    pair = changes.get(name)
    return pair[1] if isinstance(pair, list) and len(pair) > 1 else None


def _holds(e: RowEdit, events: list[tuple[str, dict[str, Any], str]]) -> bool:
    """Whether what the row asks was recorded after the export (the row applied before)."""
    if not events:
        return False
    if e.reports:
        asked = {
            "made": e.made.strip(),
            "problems": e.problems.strip(),
            "next_steps": e.next_steps.strip(),
            "percent": e.percent,
        }
        reports = [_new(c, "report") for a, c, _ in events if a == "progress"]
        if not any(
            isinstance(r, dict) and all(r.get(k) == v for k, v in asked.items()) for r in reports
        ):
            return False
    if e.status is not None:
        now = [r for a, _, r in events if a == "_now"]
        if not now or now[-1] != e.status.value:
            return False
    return not e.note or any(a == "note" and r == e.note.strip() for a, _, r in events)


def _recorded(a: Any, events: list[tuple[str, dict[str, Any], str]]) -> bool:
    """An actual of the sheet already recorded after the export (same year, value, source)."""

    def same(value: Any) -> bool:
        try:
            return float(str(value)) == float(str(a.value).strip())
        except ValueError:
            return str(value) == str(a.value).strip()

    return any(
        action == "actual"
        and str(_new(c, "period")) == str(a.period)
        and _new(c, "source") == a.source.strip()
        and same(_new(c, "value"))
        for action, c, _ in events
    )


class _Joined:
    """A database whose read() and write() are the transaction already open.

    IndicatorService.record opens its own unit of work; handed this, it records
    inside the workbook's one transaction (all rows or none), with its own rules.
    """

    def __init__(self, session: Any) -> None:
        self._session = session

    @contextmanager
    def read(self) -> Iterator[Any]:
        yield self._session

    @contextmanager
    def write(self) -> Iterator[Any]:
        yield self._session


def _record_actuals(ctx: ServiceContext, runner: Any, book: FilledWorkbook) -> int:
    from lctasks.services.base import ServiceContext as Context
    from lctasks.services.indicators import IndicatorService

    session = runner.session  # the CLI and the TUI apply through SQLAlchemy sessions
    joined = Context(_Joined(session), Actor(ctx.actor.name, Source.XLSX), ctx.settings)  # type: ignore[arg-type]
    svc = IndicatorService(joined)
    for a in book.actuals:
        try:
            svc.record(a.task, a.period, a.value, source=a.source, note=a.note, plan=book.plan)
        except LctasksError as exc:
            where = cell_ref(IND_SHEET, IND_COL["value"], a.row)
            raise type(exc)(
                t("xlsx.step", where=where, task=a.task, message=exc.message),
                hint=exc.hint,
                ids=(a.task,),
            ) from None
    return len(book.actuals)


def _check_plan(ctx: ServiceContext, book: FilledWorkbook) -> None:
    from lctasks.services.plans import resolve_plan

    with ctx.db.read() as s:
        code = resolve_plan(s, book.plan).code
    if code != book.plan:
        raise InvalidInputError(t("xlsx.other_plan", where=f"{META}!B3", file=book.plan, db=code))


def _stale(runner: Any, book: FilledWorkbook, since: Since) -> ConflictError | None:
    from lctasks.db.sql import in_clause

    if not book.edits:
        return None
    by_key = {e.task: e for e in book.edits}
    keys = list(by_key)
    lock = " FOR UPDATE" if runner.dialect == "postgresql" else ""
    lines: list[str] = []
    bad: list[str] = []
    for start in range(0, len(keys), 500):
        clause, params = in_clause("k", keys[start : start + 500])
        params["code"] = book.plan
        for key, version in runner.all(
            "SELECT tasks.key, tasks.version FROM tasks JOIN plans ON plans.id = tasks.plan_id "
            f"WHERE plans.code = :code AND tasks.key IN {clause} ORDER BY tasks.id{lock}",
            params,
        ):
            e = by_key[str(key)]
            if int(version) != e.version and not _holds(e, since.get(e.task, [])):
                bad.append(e.task)
                lines.append(
                    "  "
                    + t(
                        "xlsx.conflict_line",
                        where=cell_ref(SHEET, 0, e.row),
                        task=e.task,
                        mine=e.version,
                        theirs=int(version),
                    )
                )
    if not lines:
        return None
    return ConflictError(
        "\n".join([t("xlsx.conflicts", n=len(lines)), *lines]),
        hint=t("xlsx.conflicts.hint"),
        ids=tuple(bad),
    )


def _apply_edits(wf: Any, book: FilledWorkbook) -> int:
    """The rows' changes as workflow steps: reports, then statuses, then notes.

    Rows asking for the same step with the same values share one call (the
    workflow takes many keys at once): 1,000 identical reports are one batch, not
    1,000. Each task still gets its report before its status and its note.
    """
    rows = {e.task: e for e in book.edits}
    default_reason = f"报送表 {book.file}（截至 {book.as_of.isoformat()}）"
    groups: dict[tuple[Any, ...], list[str]] = {}
    for e in book.edits:
        if e.reports:
            key = ("report", e.made, e.problems, e.next_steps, e.percent)
            groups.setdefault(key, []).append(e.task)
    for e in book.edits:
        if e.status is not None:
            reason = e.note or default_reason
            if e.old_status == Status.CLOSED:
                groups.setdefault(("reopen", reason), []).append(e.task)
            if e.old_status != Status.CLOSED or e.status != Status.IN_PROGRESS:
                groups.setdefault(("status", e.status, reason), []).append(e.task)
    for e in book.edits:
        if e.note:
            groups.setdefault(("note", e.note), []).append(e.task)
    events = 0
    for key, keys in groups.items():
        step = key[0]
        try:
            if step == "report":
                _, made, problems, next_steps, percent = key
                result = wf.report_progress(
                    keys,
                    made=made,
                    problems=problems,
                    next_steps=next_steps,
                    percent=percent,
                    plan=book.plan,
                )
            elif step == "reopen":
                result = wf.reopen(keys, reason=key[1], plan=book.plan)
            elif step == "status":
                result = wf.set_status(keys, key[1], reason=key[2], plan=book.plan)
            else:
                result = wf.note(keys, key[1], plan=book.plan)
        except LctasksError as exc:
            raise _at_cells(exc, step, rows) from None
        events += int(result.events)
    return events


_STEP_COLUMN = {"report": "made", "reopen": "new_status", "status": "new_status", "note": "note"}


def _at_cells(exc: LctasksError, step: str, rows: Mapping[str, RowEdit]) -> LctasksError:
    """The workflow's refusal, each task named by its cell (报送表!K5 (C06.M01): …)."""
    col = COL[_STEP_COLUMN[step]]
    per_key: dict[str, str] = {}
    for line in exc.message.splitlines()[1:]:
        head, sep, rest = line.strip().partition("：")
        if sep and head in rows:
            per_key[head] = rest.strip()
    bad = [k for k in exc.ids if k in rows] or list(per_key)
    lines = [
        t(
            "xlsx.step",
            where=cell_ref(SHEET, col, rows[k].row),
            task=k,
            message=per_key.get(k, exc.message),
        )
        for k in bad
    ]
    return type(exc)("\n".join(lines) or exc.message, hint=exc.hint, ids=exc.ids)
