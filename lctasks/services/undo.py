"""撤销 (undo): revert one batch by appending compensating events.

A *batch* is what one write transaction recorded: its events share one
timestamp, actor and source (the chain log stamps a transaction once), and
their seqs are consecutive. ``undo()`` takes the newest batch that touched
tasks, or the batch of a named event (``#512``), and for every task it touched
sets each changed field back to the value before the batch, in ONE new
transaction of ``undo`` events (``changes`` old → new as always, plus
``undo_of`` naming the batch). The history is never rewritten, so the chain and
``log --verify``'s replay stay valid; an undo is itself a batch, so undoing it
again redoes the change.

Refused (ConflictError, nothing written, every such task named) when a field
the batch set was changed again since: undoing would overwrite that later change
(a later change that was itself undone, or one to other fields, does not block).
Re-imports and re-keying (plan text fields) are not undone here: import the
earlier text again.
Progress reports and evidence stay on record (the undo resets the fields they
changed: status, progress); a note has nothing to revert.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from lctasks.db.sql import Runner
from lctasks.domain import ConflictError, InvalidInputError, NotFoundError, Status
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.labels import field_label, value_label
from lctasks.services.batch import (
    BatchEngine,
    BatchResult,
    Change,
    Problem,
    TaskState,
    load_checklist,
    load_co,
    replace_co,
    resolve_unit,
)

MESSAGES.add(
    {
        "access.action.undo": ("撤销", "undo"),
        "undo.nothing": ("没有可撤销的操作", "nothing to undo"),
        "undo.no_event": ("没有第 {seq} 号事件", "no event #{seq}"),
        "undo.not_task": (
            "第 {seq} 号事件不是对任务的修改，不能撤销",
            "event #{seq} did not change a task; there is nothing to undo",
        ),
        "undo.import": (
            "第 {seq} 号事件来自导入规划文本，不能用 undo 撤销",
            "event #{seq} came from importing plan text; undo does not revert imports",
        ),
        "undo.import_hint": (
            "重新导入先前的规划文本（lctasks import FILE）",
            "import the earlier plan text again (lctasks import FILE)",
        ),
        "undo.record": (
            "第 {seq} 号事件是{action}：记录不撤销，只能由新的记录更正",
            "event #{seq} is a {action}: records are not undone, only corrected by a newer one",
        ),
        "undo.record_hint": (
            "实际值用 lctasks actual 记录更正值；结转用 lctasks reopen 重新打开原任务",
            "record the corrected value with lctasks actual; reopen a carried task with "
            "lctasks reopen",
        ),
        "undo.reason": ("撤销 {span}（{action}）", "undo of {span} ({action})"),
        "undo.records_only": (
            "{span}（{action}）只是记录（备注、进展报告、销号材料），没有可还原的状态、进度、"
            "期限、责任单位或清单勾选；记录保留在历史中",
            "{span} ({action}) only recorded text (notes, progress reports, evidence): "
            "no status, progress, deadline, owner or tick to revert; records stay in the history",
        ),
        "undo.records_hint": (
            "写错了就再加一条备注或进展报告更正",
            "correct it with another note or progress report",
        ),
        "undo.moved": (
            "{field}在这批之后又被改过（现为 {now}，这批设为 {then}），撤销会覆盖那次修改",
            "{field} was changed after this batch (now {now}, the batch set {then}); "
            "undoing would overwrite that change",
        ),
    }
)

# fields a batch may change and undo sets back (the rest stay on record)
_COLUMNS = {
    "status": "status",
    "progress": "progress",
    "due": "due",
    "due_basis": "due_basis",
    "original_due": "original_due",
    "person": "person",
    "leader": "leader",
}
_KEPT = frozenset({"report", "evidence", "late", "rules", "undo_of"})
_IMPORT_ACTIONS = frozenset({"import", "changed", "removed", "rekey", "added"})
# records that are never reverted, only corrected by a newer record (an actual, a share,
# a carry-over to another plan): undo refuses them rather than saying it did something
_RECORD_ACTIONS = frozenset({"actual", "share", "carry", "carry_in"})
_RECORDS = frozenset({"report", "evidence"})  # text a batch recorded: stays in the history


@dataclass(frozen=True)
class BatchInfo:
    """The events of one batch: seq range, who, what, and each task's field changes."""

    first: int
    last: int
    actor: str
    action: str
    plan: str
    tasks: dict[str, dict[str, list[Any]]]  # key -> field -> [before the batch, after it]
    records: bool = False  # the batch also recorded text (a note, report, evidence): kept

    @property
    def size(self) -> int:
        return len(self.tasks)

    @property
    def span(self) -> str:
        """``#512`` or ``#512–#530``."""
        return f"#{self.first}" if self.first == self.last else f"#{self.first}–#{self.last}"


@dataclass(frozen=True)
class UndoResult:
    batch: BatchInfo
    result: BatchResult


class _Rehearsal(Exception):
    def __init__(self, outcome: UndoResult) -> None:
        super().__init__("dry run")
        self.outcome = outcome


class UndoService(BatchEngine):
    """``undo()``: the newest batch, or the batch of event ``seq``."""

    def find(self, seq: int | None = None) -> BatchInfo:
        """The batch to undo (read only)."""
        with self._write() as runner:
            return self._find(runner, seq)

    def undo(self, seq: int | None = None, *, dry_run: bool = False) -> UndoResult:
        """Revert the batch in one transaction (``dry_run``: compute it, then roll back)."""
        try:
            with self.unit_of_work() as runner:
                info = self._find(runner, seq)
                if not any(info.tasks.values()):
                    raise InvalidInputError(
                        t("undo.records_only", span=info.span, action=info.action),
                        hint=t("undo.records_hint"),
                        ids=(info.span,),
                    )
                result = self._batch(
                    "undo", list(info.tasks), self._step(info), plan=info.plan, prepare=_prepare
                )
                if dry_run:
                    rehearsed = replace(result, applied=False, dry_run=True)
                    raise _Rehearsal(UndoResult(info, rehearsed))
                return UndoResult(info, result)
        except _Rehearsal as r:  # leaving the unit of work by an exception rolled it back
            return r.outcome

    # -- which batch ---------------------------------------------------------------

    def _find(self, runner: Runner, seq: int | None) -> BatchInfo:
        if seq is None:
            row = runner.all("SELECT max(seq) FROM events WHERE task_key IS NOT NULL")
            if not row or row[0][0] is None:
                raise NotFoundError(t("undo.nothing"))
            seq = int(row[0][0])
        if seq < 1:
            raise InvalidInputError(t("undo.no_event", seq=seq), ids=(f"#{seq}",))
        head = runner.all(
            "SELECT seq, at, actor, source, task_key FROM events WHERE seq = :s", {"s": seq}
        )
        if not head:
            raise NotFoundError(t("undo.no_event", seq=seq), ids=(f"#{seq}",))
        _, at, actor, source, task_key = head[0]
        if task_key is None:
            raise InvalidInputError(t("undo.not_task", seq=seq), ids=(f"#{seq}",))
        rows = runner.all(
            "SELECT seq, action, plan_code, task_key, changes FROM events "
            "WHERE at = :at AND actor = :actor AND source = :source ORDER BY seq",
            {"at": at, "actor": actor, "source": source},
        )
        # the transaction's events are consecutive: keep the run around seq
        seqs = [int(r[0]) for r in rows]
        i = seqs.index(seq)
        lo = hi = i
        while lo > 0 and seqs[lo - 1] == seqs[lo] - 1:
            lo -= 1
        while hi + 1 < len(seqs) and seqs[hi + 1] == seqs[hi] + 1:
            hi += 1
        tasks: dict[str, dict[str, list[Any]]] = {}
        plan = ""
        actions: list[str] = []
        records = False
        for s, action, plan_code, key, changes in rows[lo : hi + 1]:
            if key is None:
                continue
            if action in _IMPORT_ACTIONS or (action not in actions and _from_import(changes)):
                raise InvalidInputError(
                    t("undo.import", seq=s), hint=t("undo.import_hint"), ids=(f"#{s}",)
                )
            if action in _RECORD_ACTIONS:
                label = t(f"action.{action}") if f"action.{action}" in MESSAGES else action
                raise InvalidInputError(
                    t("undo.record", seq=s, action=label),
                    hint=t("undo.record_hint"),
                    ids=(f"#{s}",),
                )
            plan = plan or str(plan_code or "")
            if action not in actions:
                actions.append(action)
            fields = tasks.setdefault(str(key), {})
            body = json.loads(changes) if isinstance(changes, str) else dict(changes or {})
            records = records or action == "note" or any(k in body for k in _RECORDS)
            for name, pair in body.items():
                if not isinstance(pair, list) or len(pair) != 2 or name in _KEPT:
                    continue
                if name in fields:
                    fields[name][1] = pair[1]  # earliest before, latest after
                else:
                    fields[name] = [pair[0], pair[1]]
        return BatchInfo(
            first=seqs[lo],
            last=seqs[hi],
            actor=str(actor),
            action="、".join(t(f"action.{a}") if f"action.{a}" in MESSAGES else a for a in actions),
            plan=plan,
            tasks=tasks,
            records=records,
        )

    # -- the compensating step -----------------------------------------------------

    def _step(self, info: BatchInfo) -> Callable[[Runner, TaskState], Change | None]:
        reason = t("undo.reason", span=info.span, action=info.action)

        def step(runner: Runner, task: TaskState) -> Change | None:
            fields = info.tasks.get(task.key, {})
            if not fields:  # the batch only recorded text for this task: nothing to revert
                return None
            ch = Change(reason=reason)
            for name, (before, after) in fields.items():
                if name == "lead":
                    names = self._unit_names(runner, [task.lead_unit_id])
                    now = names.get(task.lead_unit_id) if task.lead_unit_id else None
                    _same(name, now, after)
                    ch.changes["lead"] = [now, before]
                    ch.set["lead_unit_id"] = resolve_unit(runner, before)[0] if before else None
                elif name == "co_units":
                    now_co = [s for _, s in task.co]
                    _same(name, now_co, after)
                    ids = [resolve_unit(runner, s)[0] for s in before or []]
                    ch.changes["co_units"] = [now_co, list(before or [])]
                    ch.after.append(replace_co(task.id, ids))
                elif name.startswith("item") and name[4:].isdigit():
                    n = int(name[4:])
                    now_tick = dict(task.checklist).get(n, False)
                    _same(name, now_tick, bool(after))
                    ch.changes[name] = [now_tick, bool(before)]
                    ch.after.append(_set_item(task.id, n, bool(before)))
                elif name in _COLUMNS:
                    now_value = _value(getattr(task, name))
                    _same(name, now_value, after)
                    ch.changes[name] = [now_value, before]
                    ch.set[_COLUMNS[name]] = _column(name, before)
                # anything else (plan-text fields) was refused in _find
            ch.changes["undo_of"] = [None, info.span]
            return ch

        return step


def _prepare(runner: Runner, tasks: list[TaskState]) -> None:
    load_co(runner, tasks)
    load_checklist(runner, tasks)


def _from_import(changes: Any) -> bool:
    body = json.loads(changes) if isinstance(changes, str) else dict(changes or {})
    return any(k in body for k in ("checklist", "source_text", "removed", "title"))


def _value(value: Any) -> Any:
    if isinstance(value, Status):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _column(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in ("due", "original_due"):
        return dt.date.fromisoformat(str(value))
    if name == "progress":
        return int(value)
    return value


def _same(name: str, now: Any, expected: Any) -> None:
    """Refuse when a later change moved the field: undo would overwrite it."""
    if _value(now) != _value(expected):
        raise Problem(
            ConflictError,
            t(
                "undo.moved",
                field=field_label(name),
                now=value_label(_value(now), name),
                then=value_label(_value(expected), name),
            ),
        )


def _set_item(task_id: int, seq: int, done: bool) -> Callable[[Runner], None]:
    def write(runner: Runner) -> None:
        runner.run(
            "UPDATE checklist_items SET done = :d WHERE task_id = :t AND seq = :s",
            {"d": done, "t": task_id, "s": seq},
        )

    return write
