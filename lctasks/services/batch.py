"""The batch engine under every workflow step: one write transaction per batch.

Each call is ONE write transaction over any number of task keys: every key is
checked first; if any key is unknown or any change is invalid, the whole batch
raises (NotFoundError / InvalidInputError / ConflictError naming every
offending key) and nothing changes. A key whose requested state already holds
is ``unchanged`` (closing a closed task succeeds and writes nothing). Each real
change bumps ``tasks.version`` and appends one hash-chained event (actor,
source, old → new, reason). ``if_version`` refuses a stale edit inside the
transaction: a version for one key, or a mapping of key → the version the
caller saw (the TUI passes the versions on screen for a batch);
``dry_run`` computes everything and rolls back.

A step (``lctasks.services.workflow``) is a function of one task's state that
returns a ``Change`` (column updates, event changes, reason, extra writes) or
raises ``Problem``; which statuses an action may start from is the domain's
``TRANSITIONS`` table.

The SQL here runs through ``lctasks.db.sql.Runner`` so the same code serves
SQLAlchemy sessions (TUI, PostgreSQL) and the CLI's sqlite3 fast path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

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
    TRANSITIONS,
    Actor,
    ConflictError,
    InvalidInputError,
    LctasksError,
    NotFoundError,
    PermissionDeniedError,
    Source,
    Status,
)
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.keys import normalize_keys
from lctasks.services.chain import SqlEventLog
from lctasks.services.plan_choice import choose_plan
from lctasks.services.read_model import plan_codes

if TYPE_CHECKING:
    from lctasks.services.base import ServiceContext

Expected = int | Mapping[str, int] | None
"""``if_version``: one version (single key), or key → version for a batch."""


class BatchOptions(TypedDict, total=False):
    """What every step takes besides its own fields (``**opts: Unpack[BatchOptions]``)."""

    plan: str | None  # the plan's code; None: the only plan
    if_version: Expected  # refuse a stale edit (see Expected)
    dry_run: bool  # compute everything, write nothing


MESSAGES.add(
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


class Problem(Exception):
    def __init__(self, kind: type[LctasksError], message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class BatchFailed(LctasksError):
    """A batch refused as a whole, nothing applied; ``results`` says what each ID got.

    Raised as the documented kind of its worst problem (``BatchConflict`` is a
    ``ConflictError``, exit 5, …), so callers that know only the domain errors
    handle it as before.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        ids: tuple[str, ...] = (),
        results: BatchResult | None = None,  # None: re-raised with another message
    ) -> None:
        super().__init__(message, hint=hint, ids=ids)
        self.results = results


class BatchNotFound(BatchFailed, NotFoundError):
    pass


class BatchPermissionDenied(BatchFailed, PermissionDeniedError):
    pass


class BatchInvalid(BatchFailed, InvalidInputError):
    pass


class BatchConflict(BatchFailed, ConflictError):
    pass


_FAILED: dict[type[LctasksError], type[BatchFailed]] = {
    NotFoundError: BatchNotFound,
    PermissionDeniedError: BatchPermissionDenied,
    InvalidInputError: BatchInvalid,
    ConflictError: BatchConflict,
}


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


class TaskState:
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


class Change:
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


Step = Callable[[Runner, TaskState], "Change | None"]


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------


class LiteContext:
    """A ServiceContext for the CLI's sqlite3 fast path (no SQLAlchemy)."""

    def __init__(self, db: LiteDatabase, actor: Actor, settings: Any = None) -> None:
        self.db = db
        self.actor = actor
        self.settings = settings


class BatchEngine:
    """Runs steps over batches of task keys. ``WorkflowService`` adds the steps.

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

    def _require(
        self, runner: Runner, action: str, task: TaskState, to: Status | None = None
    ) -> None:
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

    def _load(self, runner: Runner, plan_id: int, keys: Sequence[str]) -> dict[str, TaskState]:
        found: dict[str, TaskState] = {}
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
                task = TaskState(row)
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
        if_version: Expected = None,
        dry_run: bool = False,
        prepare: Callable[[Runner, list[TaskState]], None] | None = None,
        to: Status | None = None,
    ) -> BatchResult:
        wanted = normalize_keys(keys)
        if not wanted:
            raise InvalidInputError(t("wf.no_ids"), hint=t("wf.no_ids_hint"))
        if isinstance(if_version, Mapping):
            if_version = {k.strip().upper(): v for k, v in if_version.items()}
        elif if_version is not None and len(wanted) != 1:
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
        if_version: Expected,
        prepare: Callable[[Runner, list[TaskState]], None] | None,
        to: Status | None = None,
    ) -> BatchResult:
        plan_id, plan_code = choose_plan(plan_codes(runner), plan)
        log = SqlEventLog(runner, self.actor)  # the chain lock first, then row locks
        tasks = self._load(runner, plan_id, wanted)
        problems: dict[str, Problem] = {}
        for key in wanted:
            task = tasks.get(key)
            if task is None:
                problems[key] = Problem(NotFoundError, t("wf.not_found"))
            elif task.removed:
                problems[key] = Problem(ConflictError, t("wf.removed"))
            elif (want := _expected(if_version, key)) is not None and task.version != want:
                problems[key] = Problem(ConflictError, t("wf.stale", want=want, have=task.version))
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
            except Problem as p:
                problems[task.key] = p
                continue
            except PermissionDeniedError as exc:
                problems[task.key] = Problem(PermissionDeniedError, exc.message)
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
        problems: dict[str, Problem],
        results: dict[str, KeyResult],
        versions: dict[str, int],
        near: str = "",
    ) -> LctasksError:
        kind = next(k for k in _SEVERITY if any(p.kind is k for p in problems.values()))
        bad = [k for k in wanted if k in problems]
        lines = [t("wf.batch_failed", n=len(bad), action=t(f"action.{action}"))]
        lines += [f"  {k}{t('colon')}{problems[k].message}" for k in bad]
        hint = near or t("wf.not_found_hint") if kind is NotFoundError else t("wf.batch_hint")
        message = "\n".join(lines)
        per_key = []
        for k in wanted:
            if k in problems:
                # the task's current version (0: no such task), for a retry with --if-version
                per_key.append(KeyResult(k, ERROR, {}, versions.get(k, 0), problems[k].message))
            elif k in results:
                per_key.append(results[k])
        # the CLI prints these (the would-be outcome of the others, nothing applied)
        outcome = BatchResult(action, plan_code, tuple(per_key), False)
        return _FAILED[kind](message, hint=hint, ids=tuple(bad), results=outcome)


def _expected(if_version: Expected, key: str) -> int | None:
    if isinstance(if_version, Mapping):
        return if_version.get(key)
    return if_version


def check_from(action: str, task: TaskState) -> None:
    """Raise ``Problem`` (conflict) when ``action`` may not start from the task's status."""
    allowed, _ = TRANSITIONS[action]
    if task.status not in allowed:
        raise Problem(
            ConflictError,
            t(
                "wf.bad_from",
                status=t(f"status.{task.status.value}"),
                action=t(f"action.{action}"),
                allowed=t("sep").join(t(f"status.{s.value}") for s in Status if s in allowed),
            ),
        )


def _db_value(runner: Runner, value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return db_date(runner, value)
    return value


def _near_keys(runner: Runner, plan_id: int, missing: list[str]) -> str:
    """``C10.M3 → C10.M03?`` hints for unknown IDs (reads the plan's keys: error path only)."""
    if not missing:
        return ""
    from lctasks.keys import did_you_mean

    keys = [
        str(r[0]) for r in runner.all("SELECT key FROM tasks WHERE plan_id = :p", {"p": plan_id})
    ]
    return t("semi").join(did_you_mean(keys, missing))


def replace_co(task_id: int, unit_ids: list[int]) -> Callable[[Runner], None]:
    """A write (for ``Change.after``) that makes ``unit_ids`` the task's co-units, in order."""

    def write(runner: Runner) -> None:
        runner.run("DELETE FROM task_co_units WHERE task_id = :t", {"t": task_id})
        runner.run_many(
            "INSERT INTO task_co_units (task_id, unit_id, position) VALUES (:t, :u, :p)",
            [{"t": task_id, "u": u, "p": i} for i, u in enumerate(unit_ids)],
        )

    return write


def load_co(runner: Runner, tasks: list[TaskState]) -> None:
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


def co_of(runner: Runner, task: TaskState) -> list[tuple[int, str]]:
    if not task.co:
        load_co(runner, [task])
    return task.co


def load_checklist(runner: Runner, tasks: list[TaskState]) -> None:
    by_id = {t_.id: t_ for t_ in tasks}
    for start in range(0, len(tasks), 500):
        clause, params = in_clause("t", [t_.id for t_ in tasks[start : start + 500]])
        for tid, seq, done in runner.all(
            f"SELECT task_id, seq, done FROM checklist_items WHERE task_id IN {clause} "
            "ORDER BY task_id, seq",
            params,
        ):
            by_id[int(tid)].checklist.append((int(seq), bool(done)))


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
