"""The 督查 workflow: assign, report, tick, close, return, reopen, extend, note.

One public method per step. Each call is ONE write transaction over any number
of task keys: every key is checked first; if any key is unknown or any change
is invalid, the whole batch raises (NotFoundError / InvalidInputError /
ConflictError naming every offending key) and nothing changes. A key whose
requested state already holds is ``unchanged`` (closing a closed task succeeds
and writes nothing). Each real change bumps ``tasks.version`` and appends one
hash-chained event (actor, source, old → new, reason). ``if_version`` (one key
only) refuses a stale edit; ``dry_run`` computes everything and rolls back.

Status transitions (``TRANSITIONS`` below; README has the same table):

======== ================================================ ==================
action   from                                             to
======== ================================================ ==================
status   not_started in_progress blocked suspended        not_started
         returned done                                    in_progress blocked
                                                          suspended done
progress anything but closed                              not_started and
                                                          returned become
                                                          in_progress
check    anything but closed                              not_started becomes
                                                          in_progress
close    done, in_progress (销号: note + evidence)         closed
return   done, closed (退回: reason)                       returned
reopen   closed, done, suspended                          in_progress
extend   anything but closed (延期: reason)                status unchanged
assign   anything but closed                              status unchanged
note     anything                                         status unchanged
======== ================================================ ==================

``closed`` is reached only by ``close`` and left only by ``reopen`` or
``return``; ``returned`` only by ``return``. Asking for the state a task is
already in is ``unchanged``, never an error (``reopen`` on an open task,
``return`` on a returned one, ``status X`` when it is X).

Progress: a report with ``percent`` sets it; ticking or unticking checklist
items sets it to the ticked share (rounded), and a report without ``percent``
on a task with a checklist also takes the ticked share. Closing sets 100.

Extensions (延期) keep the first deadline in ``original_due`` and mark the
deadline ``extended``. They are requested before the deadline: a late request
is refused (ConflictError) unless ``late=True`` (CLI ``--late``, for the
supervision office granting one after the fact; the event records it).

The SQL here runs through ``lctasks.db.sql.Runner`` so the same code serves
SQLAlchemy sessions (TUI, PostgreSQL) and the CLI's sqlite3 fast path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lctasks.db.sql import (
    LiteDatabase,
    Runner,
    SessionRunner,
    as_date,
    as_json,
    db_date,
    db_datetime,
    in_clause,
)
from lctasks.domain import (
    Actor,
    ConflictError,
    InvalidInputError,
    LctasksError,
    NotFoundError,
    PermissionDeniedError,
    Source,
    Status,
)
from lctasks.i18n import MESSAGES, t
from lctasks.keys import KEY_SHAPE
from lctasks.services.chain import SqlEventLog, utcnow

if TYPE_CHECKING:
    from lctasks.services.base import ServiceContext

S = Status
OPEN = frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.BLOCKED, S.SUSPENDED, S.RETURNED, S.DONE})
NOT_CLOSED = frozenset(set(S) - {S.CLOSED})

# action -> (statuses it may start from, status it leads to or None)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status | None]] = {
    "status": (OPEN, None),  # to any of SETTABLE
    "progress": (NOT_CLOSED, None),
    "check": (NOT_CLOSED, None),
    "close": (frozenset({S.DONE, S.IN_PROGRESS}), S.CLOSED),
    "return": (frozenset({S.DONE, S.CLOSED}), S.RETURNED),
    "reopen": (frozenset({S.CLOSED, S.DONE, S.SUSPENDED}), S.IN_PROGRESS),
    "extend": (NOT_CLOSED, None),
    "assign": (NOT_CLOSED, None),
    "note": (frozenset(S), None),
}
SETTABLE = frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.BLOCKED, S.SUSPENDED, S.DONE})

MESSAGES.update(
    {
        "wf.batch_failed": (
            "{n} 个任务无法{action}，本批次未做任何更改：",
            "{n} task(s) cannot be changed by {action}; nothing in this batch was changed:",
        ),
        "wf.batch_hint": (
            "改正或去掉出错的 ID 后重试；整批是一个事务",
            "fix or drop the offending IDs and retry; the whole batch is one transaction",
        ),
        "wf.not_found": ("没有这个任务 ID", "no such task ID"),
        "wf.not_found_hint": (
            "用 `lctasks list` 查看任务 ID（如 C10.M03、I07）",
            "see task IDs with `lctasks list` (e.g. C10.M03, I07)",
        ),
        "wf.near": ("{id} 是否想写 {near}？", "{id}: did you mean {near}?"),
        "wf.removed": (
            "已在上次导入时从规划文本中移除",
            "removed from the plan text at the last import",
        ),
        "wf.stale": (
            "版本已变化：期望 {want}，当前 {have}（别人刚改过）",
            "stale: expected version {want}, now {have} (someone changed it)",
        ),
        "wf.bad_from": (
            "当前状态“{status}”不能{action}（允许：{allowed}）",
            "status '{status}' does not allow {action} (allowed from: {allowed})",
        ),
        "wf.no_ids": ("没有给出任务 ID", "no task IDs given"),
        "wf.no_ids_hint": (
            "在命令后写 ID，或用 --from FILE / --from -（每行一个 ID）",
            "give IDs after the command, or --from FILE / --from - (one ID per line)",
        ),
        "wf.if_version_one": (
            "--if-version 只能用于单个任务",
            "--if-version applies to a single task only",
        ),
        "wf.required": ("缺少{what}", "missing {what}"),
        "wf.note": ("办结说明（--note）", "a completion note (--note)"),
        "wf.evidence": ("佐证材料（--evidence）", "an evidence reference (--evidence)"),
        "wf.reason": ("原因（--reason）", "a reason (--reason)"),
        "wf.made": ("进展情况（--made）", "the progress made (--made)"),
        "wf.text": ("备注内容", "the note text"),
        "wf.items": ("清单项序号", "checklist item numbers"),
        "wf.nothing_to_assign": (
            "没有要分配的内容：给出 --lead、--co、--due、--person 或 --leader",
            "nothing to assign: give --lead, --co, --due, --person or --leader",
        ),
        "wf.reassign_reason": (
            "转办（牵头单位由 {old} 改为 {new}）需要写明原因（--reason）",
            "reassigning (lead {old} → {new}) needs a reason (--reason)",
        ),
        "wf.no_suggestion": ("没有建议的牵头单位", "no suggested lead unit"),
        "wf.suggestion_conflict": (
            "已由 {old} 牵头，与建议 {new} 不同；用 assign --lead 并写明原因",
            "already led by {old}, not the suggested {new}; use assign --lead with --reason",
        ),
        "wf.accepted": ("接受规则建议：{rules}", "accepted the rule suggestion: {rules}"),
        "wf.closed_use": (
            "“已销号”只能用 close 设置，“退回重办”只能用 return 设置",
            "'closed' is set only by close, 'returned' only by return",
        ),
        "wf.unknown_status": ("未知状态“{value}”", "unknown status '{value}'"),
        "wf.status_hint": ("可用的状态：{allowed}", "statuses: {allowed}"),
        "wf.status_item": ("{code}（{label}）", "{code} ({label})"),
        "wf.status_order": (
            "“{value}”像是任务 ID：状态写在所有 ID 之后"
            "（lctasks status ID... STATUS），或用 --to STATUS",
            "'{value}' looks like a task ID: the status goes after all the IDs "
            "(lctasks status ID... STATUS), or use --to STATUS",
        ),
        "wf.percent": ("进度须为 0–100 的整数", "percent must be an integer 0-100"),
        "wf.item_range": (
            "没有第 {seq} 项（共 {n} 项）",
            "no item {seq} (the task has {n} items)",
        ),
        "wf.no_items": ("该任务没有清单项", "the task has no checklist items"),
        "wf.extend_earlier": (
            "新期限 {to} 不晚于当前期限 {due}",
            "the new deadline {to} is not later than the current {due}",
        ),
        "wf.extend_late": (
            "期限 {due} 已过；延期须在期限前申请（督查室补批请加 --late）",
            "the deadline {due} has passed; extensions are requested before it "
            "(the office may grant a late one with --late)",
        ),
        "wf.late_note": ("逾期后补批延期", "late extension granted"),
        "wf.unknown_unit": ("未知单位“{text}”", "unknown unit '{text}'"),
        "wf.unit_nearest": ("最接近的：{names}", "nearest: {names}"),
        "wf.unit_hint": (
            "用 `lctasks units` 查看单位（可用全称、简称、拼音或首字母，如 kjj）",
            "see units with `lctasks units` (full name, short name, pinyin or initials, e.g. kjj)",
        ),
        "wf.no_plan": ("数据库中还没有规划", "no plan in the database yet"),
        "wf.no_plan_hint": ("先运行 `lctasks import`", "run `lctasks import` first"),
        "wf.plan_unknown": ("没有规划“{code}”", "no plan '{code}'"),
        "wf.plan_many": (
            "数据库中有多个规划：{codes}",
            "the database holds several plans: {codes}",
        ),
        "wf.plan_hint": ("用 --plan CODE 或 LCTASKS_PLAN 指定", "choose with --plan CODE"),
        "action.assign": ("分配", "assign"),
        "action.accept": ("接受建议", "accept"),
        "action.status": ("改状态", "set status"),
        "action.progress": ("报进展", "report progress"),
        "action.check": ("勾选清单", "tick checklist items"),
        "action.close": ("销号", "close"),
        "action.return": ("退回", "return"),
        "action.reopen": ("重新打开", "reopen"),
        "action.extend": ("延期", "extend"),
        "action.note": ("加备注", "add a note"),
    }
)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

CHANGED = "changed"
UNCHANGED = "unchanged"
ERROR = "error"


@dataclass(frozen=True)
class KeyResult:
    """What one task key got: ``changed``, ``unchanged`` or ``error``."""

    id: str
    result: str
    changes: dict[str, list[Any]] = field(default_factory=dict)  # field -> [old, new]
    version: int = 0  # the task's version after the call (0 for unknown IDs)
    message: str = ""  # the problem, for ``error``


@dataclass(frozen=True)
class BatchResult:
    action: str
    plan: str
    results: tuple[KeyResult, ...]
    applied: bool  # False for a dry run (and for a failed batch)
    dry_run: bool = False
    events: int = 0  # events appended (or that would be)

    def count(self, result: str) -> int:
        return sum(1 for r in self.results if r.result == result)

    def summary(self) -> dict[str, int]:
        return {
            "total": len(self.results),
            CHANGED: self.count(CHANGED),
            UNCHANGED: self.count(UNCHANGED),
            ERROR: self.count(ERROR),
            "events": self.events,
        }


class _Problem(Exception):
    def __init__(self, kind: type[LctasksError], message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class _DryRun(Exception):
    def __init__(self, result: BatchResult) -> None:
        super().__init__("dry run")
        self.result = result


# error precedence when a batch has several kinds of problem
_SEVERITY: tuple[type[LctasksError], ...] = (
    NotFoundError,
    PermissionDeniedError,
    InvalidInputError,
    ConflictError,
)


# ---------------------------------------------------------------------------
# Task state as loaded inside the transaction
# ---------------------------------------------------------------------------


class _Task:
    """One task's state inside the transaction (a plain class: cheap to define)."""

    __slots__ = (
        "checklist",
        "co",
        "due",
        "due_basis",
        "id",
        "key",
        "lead_unit_id",
        "leader",
        "original_due",
        "person",
        "progress",
        "removed",
        "status",
        "suggested_co",
        "suggested_lead",
        "suggested_rules",
        "version",
    )

    def __init__(self, row: Sequence[Any]) -> None:
        due = as_date(row[4])
        assert due is not None
        self.id = int(row[0])
        self.key = str(row[1])
        self.status = Status(row[2])
        self.progress = int(row[3] or 0)
        self.due: dt.date = due
        self.due_basis = str(row[5])
        self.original_due = as_date(row[6])
        self.lead_unit_id: int | None = row[7]
        self.person: str | None = row[8]
        self.leader: str | None = row[9]
        self.suggested_lead: str | None = row[10]
        self.suggested_co: list[str] = list(as_json(row[11]) or [])
        self.suggested_rules: list[str] = list(as_json(row[12]) or [])
        self.version = int(row[13])
        self.removed = bool(row[14])
        # filled on demand
        self.co: list[tuple[int, str]] = []
        self.checklist: list[tuple[int, bool]] = []


_TASK_COLUMNS = (
    "id, key, status, progress, due, due_basis, original_due, lead_unit_id, person, leader, "
    "suggested_lead, suggested_co, suggested_rules, version, removed"
)


class _Change:
    """What a step does to one task: column updates, event changes, reason."""

    __slots__ = ("action", "after", "changes", "reason", "set", "source")

    def __init__(
        self, *, reason: str = "", action: str | None = None, source: Source | None = None
    ) -> None:
        self.changes: dict[str, list[Any]] = {}  # field -> [old, new]
        self.set: dict[str, Any] = {}  # tasks column -> new value
        self.reason = reason
        self.action = action  # event action when it differs from the step's
        self.source = source
        self.after: list[Callable[[Runner], None]] = []  # extra writes

    def field(self, name: str, old: Any, new: Any, column: str | None = None) -> None:
        if old != new:
            self.changes[name] = [old, new]
            if column:
                self.set[column] = new


Step = Callable[[Runner, _Task], "_Change | None"]


def normalize_keys(keys: Iterable[str]) -> list[str]:
    """Upper-case, strip, drop blanks and ``#`` comments, keep the first of duplicates."""
    seen: dict[str, None] = {}
    for raw in keys:
        key = raw.split("#", 1)[0].strip().upper()
        if key:
            seen.setdefault(key, None)
    return list(seen)


def read_id_lines(text: str) -> list[str]:
    """IDs from ``--from`` input: one per line (also space/comma separated), # comments."""
    out: list[str] = []
    for line in text.removeprefix("\ufeff").splitlines():
        line = line.split("#", 1)[0]
        out.extend(p for p in line.replace(",", " ").split() if p)
    return out


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------


class LiteContext:
    """A ServiceContext for the CLI's sqlite3 fast path (no SQLAlchemy)."""

    def __init__(self, db: LiteDatabase, actor: Actor, settings: Any = None) -> None:
        self.db = db
        self.actor = actor
        self.settings = settings


class WorkflowService:
    """Every workflow step, for the CLI and the TUI alike.

    ``ctx.db`` is a ``Database`` (SQLAlchemy; any back end) or, for the CLI on
    an SQLite file, a ``LiteDatabase`` (standard-library sqlite3, in a
    ``LiteContext``). The same SQL runs on both.
    """

    def __init__(self, ctx: ServiceContext | LiteContext) -> None:
        self.ctx = ctx
        self.actor: Actor = ctx.actor
        self._unit: Runner | None = None  # set inside unit_of_work()

    @contextmanager
    def unit_of_work(self) -> Iterator[Runner]:
        """Run several steps in ONE write transaction: all of them or none.

        Steps called inside join this transaction instead of opening their own;
        an exception leaving the block rolls every step back (raise to discard a
        rehearsal). Do not pass ``dry_run`` to steps inside it.
        """
        if self._unit is not None:
            yield self._unit
            return
        with self._write() as runner:
            self._unit = runner
            try:
                yield runner
            finally:
                self._unit = None

    # -- plumbing -----------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Runner]:
        if self._unit is not None:
            yield self._unit
            return
        db = self.ctx.db
        if isinstance(db, LiteDatabase):
            with db.write() as runner:
                yield runner
            return
        with db.write() as session:
            yield SessionRunner(session)

    def _require(self, runner: Runner, action: str, task: _Task, to: Status | None = None) -> None:
        # A LiteDatabase opens only when no people/roles are configured, where
        # the access policy (lctasks.services.access) trusts everyone; with
        # people configured the CLI uses the full Database and this calls it.
        session = getattr(runner, "session", None)
        if session is None:
            return
        from lctasks.services import access

        # the task record in hand is enough (id, key, lead_unit_id): a TaskRow
        # via session.get costs three queries per task (see access.TaskLike)
        if action == "status":
            access.require(session, self.actor, action, task, to=to)
        else:
            access.require(session, self.actor, action, task)

    def _cadence(self) -> str:
        """The reporting cadence from the settings (loaded once per context)."""
        from lctasks.config import settings_of

        return settings_of(self.ctx).report_cadence

    def _plan(self, runner: Runner, code: str | None) -> tuple[int, str]:
        code = code or None
        rows = runner.all("SELECT id, code FROM plans ORDER BY id")
        if not rows:
            raise NotFoundError(t("wf.no_plan"), hint=t("wf.no_plan_hint"))
        if code is not None:
            for pid, pcode in rows:
                if pcode == code:
                    return int(pid), str(pcode)
            raise NotFoundError(
                t("wf.plan_unknown", code=code) + "；" + ", ".join(str(r[1]) for r in rows),
                hint=t("wf.plan_hint"),
            )
        if len(rows) > 1:
            raise InvalidInputError(
                t("wf.plan_many", codes=", ".join(str(r[1]) for r in rows)),
                hint=t("wf.plan_hint"),
            )
        return int(rows[0][0]), str(rows[0][1])

    def _load(self, runner: Runner, plan_id: int, keys: Sequence[str]) -> dict[str, _Task]:
        found: dict[str, _Task] = {}
        lock = " FOR UPDATE" if runner.dialect == "postgresql" else ""
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            clause, params = in_clause("k", chunk)
            params["plan"] = plan_id
            for row in runner.all(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE plan_id = :plan AND key IN {clause}"
                f" ORDER BY id{lock}",
                params,
            ):
                task = _Task(row)
                found[task.key] = task
        return found

    def _unit_names(self, runner: Runner, ids: Iterable[int | None]) -> dict[int, str]:
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return {}
        clause, params = in_clause("u", wanted)
        return {
            int(r[0]): str(r[1])
            for r in runner.all(f"SELECT id, short FROM units WHERE id IN {clause}", params)
        }

    def _batch(
        self,
        action: str,
        keys: Iterable[str],
        step: Step,
        *,
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
        prepare: Callable[[Runner, list[_Task]], None] | None = None,
        to: Status | None = None,
    ) -> BatchResult:
        wanted = normalize_keys(keys)
        if not wanted:
            raise InvalidInputError(t("wf.no_ids"), hint=t("wf.no_ids_hint"))
        if if_version is not None and len(wanted) != 1:
            raise InvalidInputError(t("wf.if_version_one"), ids=tuple(wanted))
        try:
            with self._write() as runner:
                result = self._run(runner, action, wanted, step, plan, if_version, prepare, to)
                if dry_run:
                    raise _DryRun(result)
                return result
        except _DryRun as dry:
            r = dry.result
            return BatchResult(r.action, r.plan, r.results, False, True, r.events)

    def _run(
        self,
        runner: Runner,
        action: str,
        wanted: list[str],
        step: Step,
        plan: str | None,
        if_version: int | None,
        prepare: Callable[[Runner, list[_Task]], None] | None,
        to: Status | None = None,
    ) -> BatchResult:
        plan_id, plan_code = self._plan(runner, plan)
        log = SqlEventLog(runner, self.actor)  # the chain lock first, then row locks
        tasks = self._load(runner, plan_id, wanted)
        problems: dict[str, _Problem] = {}
        for key in wanted:
            task = tasks.get(key)
            if task is None:
                problems[key] = _Problem(NotFoundError, t("wf.not_found"))
            elif task.removed:
                problems[key] = _Problem(ConflictError, t("wf.removed"))
            elif if_version is not None and task.version != if_version:
                problems[key] = _Problem(
                    ConflictError, t("wf.stale", want=if_version, have=task.version)
                )
        live = [tasks[k] for k in wanted if k in tasks and k not in problems]
        if prepare is not None and live:
            prepare(runner, live)
        results: dict[str, KeyResult] = {}
        now = log.at
        updates: list[dict[str, Any]] = []
        for task in live:
            try:
                self._require(runner, action, task, to)
                change = step(runner, task)
            except _Problem as p:
                problems[task.key] = p
                continue
            except PermissionDeniedError as exc:
                problems[task.key] = _Problem(PermissionDeniedError, exc.message)
                continue
            if change is None or (not change.changes and change.action != "note"):
                results[task.key] = KeyResult(task.key, UNCHANGED, {}, task.version)
                continue
            for extra in change.after:
                extra(runner)
            cols = dict(change.set)
            updates.append({"id": task.id, "cols": cols})
            log.append(
                change.action or action,
                plan=plan_code,
                task=task.key,
                changes=change.changes,
                reason=change.reason,
                source=change.source,
            )
            results[task.key] = KeyResult(task.key, CHANGED, change.changes, task.version + 1)
        if problems:
            near = _near_keys(
                runner, plan_id, [k for k, p in problems.items() if p.kind is NotFoundError]
            )
            versions = {k: task.version for k, task in tasks.items()}
            raise self._failure(action, plan_code, wanted, problems, results, versions, near)
        self._apply(runner, updates, now)
        log.flush()
        return BatchResult(
            action, plan_code, tuple(results[k] for k in wanted), True, False, log.count
        )

    def _apply(self, runner: Runner, updates: list[dict[str, Any]], now: dt.datetime) -> None:
        stamp = db_datetime(runner, now)
        # group by the set of columns so each group is one executemany
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for u in updates:
            cols = u["cols"]
            names = tuple(sorted(cols))
            params = {f"c_{n}": _db_value(runner, v) for n, v in cols.items()}
            params["id"] = u["id"]
            params["now"] = stamp
            groups.setdefault(names, []).append(params)
        for names, rows in groups.items():
            sets = "".join(f"{n} = :c_{n}, " for n in names)
            runner.run_many(
                f"UPDATE tasks SET {sets}version = version + 1, updated_at = :now WHERE id = :id",
                rows,
            )

    def _failure(
        self,
        action: str,
        plan_code: str,
        wanted: list[str],
        problems: dict[str, _Problem],
        results: dict[str, KeyResult],
        versions: dict[str, int],
        near: str = "",
    ) -> LctasksError:
        kind = next(k for k in _SEVERITY if any(p.kind is k for p in problems.values()))
        bad = [k for k in wanted if k in problems]
        lines = [t("wf.batch_failed", n=len(bad), action=t(f"action.{action}"))]
        lines += [f"  {k}{t('colon')}{problems[k].message}" for k in bad]
        hint = near or t("wf.not_found_hint") if kind is NotFoundError else t("wf.batch_hint")
        exc = kind("\n".join(lines), hint=hint, ids=tuple(bad))
        per_key = []
        for k in wanted:
            if k in problems:
                # the task's current version (0: no such task), for a retry with --if-version
                per_key.append(KeyResult(k, ERROR, {}, versions.get(k, 0), problems[k].message))
            elif k in results:
                per_key.append(results[k])
        # the CLI prints these (the would-be outcome of the others, nothing applied)
        vars(exc)["results"] = BatchResult(action, plan_code, tuple(per_key), False)
        return exc

    # -- the steps ----------------------------------------------------------

    def assign(
        self,
        keys: Iterable[str],
        *,
        lead: str | None = None,
        co: Sequence[str] | None = None,
        due: dt.date | None = None,
        person: str | None = None,
        leader: str | None = None,
        reason: str = "",
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """Set lead unit, co-units (replacing the list), deadline, person, leader.

        Changing an existing lead unit is a reassignment (转办) and needs a reason.
        Units may be typed as full name, short name, pinyin or initials.
        """
        if lead is None and co is None and due is None and person is None and leader is None:
            raise InvalidInputError(t("wf.nothing_to_assign"))
        resolved: dict[str, tuple[int, str]] = {}

        def prepare(runner: Runner, tasks: list[_Task]) -> None:
            texts = ([lead] if lead else []) + list(co or [])
            for text in texts:
                if text not in resolved:
                    resolved[text] = resolve_unit(runner, text)
            if co is not None:
                _load_co(runner, tasks)

        def step(runner: Runner, task: _Task) -> _Change:
            _allowed("assign", task)
            ch = _Change(reason=reason)
            names = self._unit_names(runner, [task.lead_unit_id])
            old_lead = names.get(task.lead_unit_id) if task.lead_unit_id else None
            new_lead_id = task.lead_unit_id
            if lead:
                new_lead_id, new_short = resolved[lead]
                if new_lead_id != task.lead_unit_id:
                    if task.lead_unit_id is not None and not reason.strip():
                        raise _Problem(
                            InvalidInputError,
                            t("wf.reassign_reason", old=old_lead, new=new_short),
                        )
                    ch.changes["lead"] = [old_lead, new_short]
                    ch.set["lead_unit_id"] = new_lead_id
                    if task.lead_unit_id is not None:
                        ch.action = "reassign"
            if co is not None:
                new_co: list[tuple[int, str]] = []
                for text in co:
                    uid, short = resolved[text]
                    if uid != new_lead_id and all(uid != u for u, _ in new_co):
                        new_co.append((uid, short))
                old_names = [s for _, s in task.co]
                new_names = [s for _, s in new_co]
                if old_names != new_names:
                    ch.changes["co_units"] = [old_names, new_names]
                    ch.after.append(_replace_co(task.id, [u for u, _ in new_co]))
            elif (
                lead
                and new_lead_id is not None
                and any(u == new_lead_id for u, _ in _co_of(runner, task))
            ):
                # the new lead is no longer a co-unit of its own task
                rest = [(u, s) for u, s in task.co if u != new_lead_id]
                ch.changes["co_units"] = [[s for _, s in task.co], [s for _, s in rest]]
                ch.after.append(_replace_co(task.id, [u for u, _ in rest]))
            if due is not None and due != task.due:
                ch.field("due", task.due, due, "due")
                ch.field("due_basis", task.due_basis, "manual", "due_basis")
            if person is not None:
                ch.field("person", task.person, person or None, "person")
            if leader is not None:
                ch.field("leader", task.leader, leader or None, "leader")
            return ch

        return self._batch(
            "assign",
            keys,
            step,
            plan=plan,
            if_version=if_version,
            dry_run=dry_run,
            prepare=prepare,
        )

    def accept_suggestion(
        self,
        keys: Iterable[str],
        *,
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """Make the rule-suggested lead and co-units the assignment (source: rule)."""
        resolved: dict[str, tuple[int, str]] = {}

        def prepare(runner: Runner, tasks: list[_Task]) -> None:
            _load_co(runner, tasks)
            for task in tasks:
                for text in [task.suggested_lead or "", *task.suggested_co]:
                    if text and text not in resolved:
                        try:
                            resolved[text] = resolve_unit(runner, text)
                        except LctasksError:
                            continue  # reported per task below

        def step(runner: Runner, task: _Task) -> _Change:
            _allowed("assign", task)
            if not task.suggested_lead:
                raise _Problem(InvalidInputError, t("wf.no_suggestion"))
            lead_hit = resolved.get(task.suggested_lead)
            if lead_hit is None:
                raise _Problem(InvalidInputError, t("wf.unknown_unit", text=task.suggested_lead))
            names = self._unit_names(runner, [task.lead_unit_id])
            old_lead = names.get(task.lead_unit_id) if task.lead_unit_id else None
            if task.lead_unit_id is not None and task.lead_unit_id != lead_hit[0]:
                raise _Problem(
                    ConflictError, t("wf.suggestion_conflict", old=old_lead, new=lead_hit[1])
                )
            rules = ", ".join(task.suggested_rules) or "-"
            ch = _Change(reason=t("wf.accepted", rules=rules), source=Source.RULE)
            ch.field("lead", old_lead, lead_hit[1])
            if task.lead_unit_id != lead_hit[0]:
                ch.set["lead_unit_id"] = lead_hit[0]
            new_co = [
                resolved[c]
                for c in dict.fromkeys(task.suggested_co)
                if c in resolved and resolved[c][0] != lead_hit[0]
            ]
            old_names = [s for _, s in task.co]
            if old_names != [s for _, s in new_co]:
                ch.changes["co_units"] = [old_names, [s for _, s in new_co]]
                ch.after.append(_replace_co(task.id, [u for u, _ in new_co]))
            if ch.changes:
                ch.changes["rules"] = [None, list(task.suggested_rules)]
            return ch

        return self._batch(
            "accept",
            keys,
            step,
            plan=plan,
            if_version=if_version,
            dry_run=dry_run,
            prepare=prepare,
        )

    def set_status(
        self,
        keys: Iterable[str],
        status: Status | str,
        *,
        reason: str = "",
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """Move tasks between the working states (not closed/returned: see the table)."""
        target = _status(status)
        if target not in SETTABLE:
            raise InvalidInputError(
                t("wf.closed_use"),
                hint="lctasks close ID --note … --evidence … / lctasks return ID --reason …",
            )

        def step(runner: Runner, task: _Task) -> _Change | None:
            if task.status == target:
                return None
            _allowed("status", task)
            ch = _Change(reason=reason)
            ch.field("status", task.status.value, target.value, "status")
            return ch

        return self._batch(
            "status", keys, step, plan=plan, if_version=if_version, dry_run=dry_run, to=target
        )

    def report_progress(
        self,
        keys: Iterable[str],
        *,
        made: str,
        problems: str = "",
        next_steps: str = "",
        percent: int | None = None,
        period: str = "",
        today: dt.date | None = None,
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """Record a progress report (进展情况 / 存在问题 / 下一步措施)."""
        if not made.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.made")))
        if percent is not None and not 0 <= percent <= 100:
            raise InvalidInputError(t("wf.percent"))
        from lctasks.lights import parse_period, report_period

        if period.strip():
            period = parse_period(period)
        else:  # the current period of the office's cadence (monthly by default)
            period = report_period(today or dt.date.today(), self._cadence()).label

        def prepare(runner: Runner, tasks: list[_Task]) -> None:
            if percent is None:
                _load_checklist(runner, tasks)

        def step(runner: Runner, task: _Task) -> _Change:
            _allowed("progress", task)
            ch = _Change(reason=made.strip())
            if task.status in (S.NOT_STARTED, S.RETURNED):
                ch.field("status", task.status.value, S.IN_PROGRESS.value, "status")
            new = percent if percent is not None else _ticked_share(task)
            if new is not None:
                ch.field("progress", task.progress, new, "progress")
            ch.changes["report"] = [
                None,
                {
                    "period": period,
                    "made": made.strip(),
                    "problems": problems.strip(),
                    "next_steps": next_steps.strip(),
                    "percent": percent,
                },
            ]
            ch.after.append(
                _insert_report(
                    task.id,
                    self.actor.name,
                    period,
                    made.strip(),
                    problems.strip(),
                    next_steps.strip(),
                    percent,
                )
            )
            return ch

        return self._batch(
            "progress",
            keys,
            step,
            plan=plan,
            if_version=if_version,
            dry_run=dry_run,
            prepare=prepare,
        )

    def check(
        self,
        key: str,
        items: Sequence[int],
        *,
        done: bool = True,
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """Tick (``done=True``) or untick checklist items by their 1-based number."""
        if not items:
            raise InvalidInputError(t("wf.required", what=t("wf.items")))

        def prepare(runner: Runner, tasks: list[_Task]) -> None:
            _load_checklist(runner, tasks)

        def step(runner: Runner, task: _Task) -> _Change:
            _allowed("check", task)
            have = dict(task.checklist)
            if not have:
                raise _Problem(InvalidInputError, t("wf.no_items"))
            bad = [i for i in items if i not in have]
            if bad:
                raise _Problem(
                    InvalidInputError,
                    "；".join(t("wf.item_range", seq=i, n=len(have)) for i in bad),
                )
            ch = _Change()
            flip = [i for i in dict.fromkeys(items) if have[i] != done]
            for i in flip:
                ch.changes[f"item{i}"] = [have[i], done]
                have[i] = done
            if not flip:
                return ch
            ch.after.append(_set_items(task.id, flip, done))
            share = round(100 * sum(have.values()) / len(have))
            ch.field("progress", task.progress, share, "progress")
            if done and task.status == S.NOT_STARTED:
                ch.field("status", task.status.value, S.IN_PROGRESS.value, "status")
            return ch

        return self._batch(
            "check",
            [key],
            step,
            plan=plan,
            if_version=if_version,
            dry_run=dry_run,
            prepare=prepare,
        )

    def close(
        self,
        keys: Iterable[str],
        *,
        note: str,
        evidence: str,
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """销号: done or in-progress tasks become closed, with a note and evidence."""
        if not note.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.note")))
        if not evidence.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.evidence")))

        def step(runner: Runner, task: _Task) -> _Change | None:
            if task.status == S.CLOSED:
                return None
            _allowed("close", task)
            ch = _Change(reason=note.strip())
            ch.field("status", task.status.value, S.CLOSED.value, "status")
            ch.field("progress", task.progress, 100, "progress")
            ch.changes["evidence"] = [None, evidence.strip()]
            return ch

        return self._batch("close", keys, step, plan=plan, if_version=if_version, dry_run=dry_run)

    def return_(
        self,
        keys: Iterable[str],
        *,
        reason: str,
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """退回: a done or closed task goes back for rework, with the reason."""
        if not reason.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.reason")))
        return self._simple("return", keys, reason.strip(), plan, if_version, dry_run)

    def reopen(
        self,
        keys: Iterable[str],
        *,
        reason: str = "",
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """Closed, done or suspended tasks go back to in progress."""
        return self._simple("reopen", keys, reason.strip(), plan, if_version, dry_run)

    def _simple(
        self,
        action: str,
        keys: Iterable[str],
        reason: str,
        plan: str | None,
        if_version: int | None,
        dry_run: bool,
    ) -> BatchResult:
        allowed, target = TRANSITIONS[action]
        assert target is not None

        def step(runner: Runner, task: _Task) -> _Change | None:
            if task.status == target or (action == "reopen" and task.status not in allowed):
                return None  # reopen of an open task: already open
            _allowed(action, task)
            ch = _Change(reason=reason)
            ch.field("status", task.status.value, target.value, "status")
            return ch

        return self._batch(action, keys, step, plan=plan, if_version=if_version, dry_run=dry_run)

    def extend(
        self,
        keys: Iterable[str],
        *,
        to: dt.date,
        reason: str,
        late: bool = False,
        today: dt.date | None = None,
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """延期: move the deadline later, keeping the first one in original_due."""
        if not reason.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.reason")))
        day = today or dt.date.today()

        def step(runner: Runner, task: _Task) -> _Change | None:
            _allowed("extend", task)
            if task.due == to:
                return None
            if to < task.due:
                raise _Problem(InvalidInputError, t("wf.extend_earlier", to=to, due=task.due))
            if day > task.due and not late:
                raise _Problem(ConflictError, t("wf.extend_late", due=task.due))
            ch = _Change(reason=reason.strip())
            ch.field("due", task.due, to, "due")
            ch.field("due_basis", task.due_basis, "extended", "due_basis")
            if task.original_due is None:
                ch.field("original_due", None, task.due, "original_due")
            if day > task.due:
                ch.changes["late"] = [False, True]
            return ch

        return self._batch("extend", keys, step, plan=plan, if_version=if_version, dry_run=dry_run)

    def note(
        self,
        keys: Iterable[str],
        text: str,
        *,
        plan: str | None = None,
        if_version: int | None = None,
        dry_run: bool = False,
    ) -> BatchResult:
        """A free note on the record of each task (an event; bumps the version)."""
        if not text.strip():
            raise InvalidInputError(t("wf.required", what=t("wf.text")))

        def step(runner: Runner, task: _Task) -> _Change:
            _allowed("note", task)
            return _Change(reason=text.strip(), action="note")

        return self._batch("note", keys, step, plan=plan, if_version=if_version, dry_run=dry_run)


def _allowed(action: str, task: _Task) -> None:
    allowed, _ = TRANSITIONS[action]
    if task.status not in allowed:
        raise _Problem(
            ConflictError,
            t(
                "wf.bad_from",
                status=t(f"status.{task.status.value}"),
                action=t(f"action.{action}"),
                allowed=t("sep").join(t(f"status.{s.value}") for s in Status if s in allowed),
            ),
        )


def _status(value: Status | str) -> Status:
    if isinstance(value, Status):
        return value
    text = value.strip().lower().replace("-", "_").replace(" ", "_")
    for s in Status:
        zh, en = MESSAGES[f"status.{s.value}"]
        # 已完成（待销号） may be typed 已完成; "in progress" as in_progress
        names = (s.value, zh, zh.split("（", 1)[0], en.split(" (", 1)[0].replace(" ", "_"))
        if text in names or text in _STATUS_WORDS.get(s, ()):
            return s
    if KEY_SHAPE.fullmatch(value.strip()):
        hint = t("wf.status_order", value=value.strip())
    else:
        hint = t(
            "wf.status_hint",
            allowed=" / ".join(
                t("wf.status_item", code=s.value, label=t(f"status.{s.value}"))
                for s in SETTABLE_ORDER
            ),
        )
    raise InvalidInputError(t("wf.unknown_status", value=value), hint=hint)


# what people also say for a status (the labels in lctasks.i18n are accepted too)
_STATUS_WORDS: dict[Status, tuple[str, ...]] = {
    S.IN_PROGRESS: ("进行中", "推进", "在办"),
    S.NOT_STARTED: ("未开始",),
    S.DONE: ("完成", "已办结", "办结"),
}


SETTABLE_ORDER = (S.NOT_STARTED, S.IN_PROGRESS, S.BLOCKED, S.SUSPENDED, S.DONE)


def _db_value(runner: Runner, value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return db_date(runner, value)
    return value


def _near_keys(runner: Runner, plan_id: int, missing: list[str]) -> str:
    """``C10.M3 → C10.M03?`` hints for unknown IDs (reads the plan's keys: error path only)."""
    if not missing:
        return ""
    from lctasks.keys import near_keys

    keys = [
        str(r[0]) for r in runner.all("SELECT key FROM tasks WHERE plan_id = :p", {"p": plan_id})
    ]
    parts = []
    for key in missing:
        close = near_keys(keys, key)
        if close:
            parts.append(t("wf.near", id=key, near=t("sep").join(close)))
    return t("semi").join(parts)


def _ticked_share(task: _Task) -> int | None:
    if not task.checklist:
        return None
    return round(100 * sum(1 for _, d in task.checklist if d) / len(task.checklist))


def _load_co(runner: Runner, tasks: list[_Task]) -> None:
    by_id = {t_.id: t_ for t_ in tasks}
    for start in range(0, len(tasks), 500):
        clause, params = in_clause("t", [t_.id for t_ in tasks[start : start + 500]])
        for tid, uid, short in runner.all(
            "SELECT c.task_id, c.unit_id, u.short FROM task_co_units c "
            f"JOIN units u ON u.id = c.unit_id WHERE c.task_id IN {clause} "
            "ORDER BY c.task_id, c.position",
            params,
        ):
            by_id[int(tid)].co.append((int(uid), str(short)))


def _co_of(runner: Runner, task: _Task) -> list[tuple[int, str]]:
    if not task.co:
        _load_co(runner, [task])
    return task.co


def _load_checklist(runner: Runner, tasks: list[_Task]) -> None:
    by_id = {t_.id: t_ for t_ in tasks}
    for start in range(0, len(tasks), 500):
        clause, params = in_clause("t", [t_.id for t_ in tasks[start : start + 500]])
        for tid, seq, done in runner.all(
            f"SELECT task_id, seq, done FROM checklist_items WHERE task_id IN {clause} "
            "ORDER BY task_id, seq",
            params,
        ):
            by_id[int(tid)].checklist.append((int(seq), bool(done)))


def _replace_co(task_id: int, unit_ids: list[int]) -> Callable[[Runner], None]:
    def write(runner: Runner) -> None:
        runner.run("DELETE FROM task_co_units WHERE task_id = :t", {"t": task_id})
        runner.run_many(
            "INSERT INTO task_co_units (task_id, unit_id, position) VALUES (:t, :u, :p)",
            [{"t": task_id, "u": u, "p": i} for i, u in enumerate(unit_ids)],
        )

    return write


def _set_items(task_id: int, seqs: list[int], done: bool) -> Callable[[Runner], None]:
    def write(runner: Runner) -> None:
        runner.run_many(
            "UPDATE checklist_items SET done = :d WHERE task_id = :t AND seq = :s",
            [{"d": done, "t": task_id, "s": s} for s in seqs],
        )

    return write


def _insert_report(
    task_id: int,
    actor: str,
    period: str,
    made: str,
    problems: str,
    next_steps: str,
    percent: int | None,
) -> Callable[[Runner], None]:
    def write(runner: Runner) -> None:
        runner.run(
            "INSERT INTO progress_reports (task_id, at, actor, period, made, problems, "
            "next_steps, percent) VALUES (:t, :at, :a, :p, :m, :pr, :n, :pc)",
            {
                "t": task_id,
                "at": db_datetime(runner, utcnow()),
                "a": actor,
                "p": period,
                "m": made,
                "pr": problems,
                "n": next_steps,
                "pc": percent,
            },
        )

    return write


# ---------------------------------------------------------------------------
# Units as people type them
# ---------------------------------------------------------------------------


def resolve_unit(runner: Runner, text: str) -> tuple[int, str]:
    """A unit's (row id, short name) from a full name, short name, alias, pinyin or initials.

    Exact names are looked up in the database first (no pinyin needed); anything
    else goes through the unit directory (``lctasks.units``, the editable
    ``units.toml``). A directory unit not yet in the database is added then: it
    is a real unit from the official list, never one made up from a typo.
    Unknown text raises NotFoundError and ambiguous text InvalidInputError, both
    listing the nearest units.
    """
    value = text.strip()
    rows = runner.all("SELECT id, short FROM units WHERE name = :v OR short = :v", {"v": value})
    if rows:
        return int(rows[0][0]), str(rows[0][1])
    from lctasks.units import default_directory  # builds pinyin keys: only when needed

    unit = default_directory().resolve(value)
    params = {"n": unit.name, "s": unit.short}
    rows = runner.all("SELECT id, short FROM units WHERE short = :s OR name = :n", params)
    if not rows:
        runner.run(
            "INSERT INTO units (name, short, kind, confirmed) VALUES (:n, :s, :k, :c)",
            dict(params, k=unit.kind.value, c=unit.confirmed),
        )
        rows = runner.all("SELECT id, short FROM units WHERE short = :s", params)
    return int(rows[0][0]), str(rows[0][1])
