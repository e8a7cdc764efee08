"""Review meetings: plan and apply a reviewed snapshot (export: ``snapshot_export``).

``ReviewService.export`` is ``lctasks.services.snapshot_export.export_snapshot``:
the ledger as a snapshot on the shared task read model, totals equal to
``lctasks report``'s for the same date.

``plan_review`` compares an edited snapshot with the database, task by task,
for the fields a meeting may change (lead, co_units, person, due, status, plus
an added note / evidence). A task whose version in the database is not the
snapshot's, and whose edited fields differ from the database, is a *conflict*:
reported, never overwritten. Unknown tasks or units, bad dates and impossible
status changes are collected and raised together as one InvalidInputError,
each naming the file, key path and line. Only the task tables whose text is
not exactly what an export would write for the task now are read (a 100,000-
task file with 2,000 edits: ~2,000 tables parsed, not 100,000).

``apply_review`` runs the planned changes through the workflow service — so
every rule (transitions, 销号 evidence, 转办 reasons, extensions) holds exactly
as on the command line — inside ONE write transaction
(``WorkflowService.unit_of_work``) with source ``review`` and the reviewer as
actor. Versions are checked again inside that transaction; any conflict or
error rolls everything back. ``dry_run`` runs the same steps and rolls back.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lctasks import clock
from lctasks.domain import (
    Actor,
    DueBasis,
    InvalidInputError,
    LctasksError,
    Source,
    Status,
    TaskKind,
)
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.services.base import ServiceContext
from lctasks.services.review_steps import (
    ApplyResult,
    FieldEdit,
    Rehearsal,
    ReviewConflict,
    ReviewPlan,
    TaskEdit,
    check_transition,
    conflict_error,
    is_sqlite,
    recheck,
    refuse_late,
    run_edit,
    unit_names,
)
from lctasks.snapshot import (
    Snapshot,
    SnapshotFilter,
    bulk,
    parse_snapshot,
    where,
)
from lctasks.snapshot.fastdiff import TaskTables
from lctasks.snapshot.reader import read_file
from lctasks.snapshot.render import Rendered

if TYPE_CHECKING:
    from lctasks.config import Settings
    from lctasks.services.snapshot_export import LedgerRead
    from lctasks.services.workflow import BatchResult
    from lctasks.snapshot.render import RenderCache

MESSAGES.add(
    {
        "review.late": (
            "{n} 个任务的期限已过，不能在会议审定中直接延期，未做任何更改：",
            "{n} task(s) are past their deadline and cannot simply be extended by the review; "
            "nothing was changed:",
        ),
        "review.late_line": (
            "{where} {task}：期限 {due} 已过（今天 {today}），延期至 {new} 须督查室补批",
            "{where} {task}: the deadline {due} has passed (today {today}); extending to {new} "
            "needs the office's late grant",
        ),
        "review.late_hint": (
            "会议审定同意逾期补批的，加 --late 再应用（与 lctasks extend --late 相同）",
            "if the review granted it after the deadline, apply again with --late "
            "(as lctasks extend --late)",
        ),
        "review.unknown_task": (
            "台账中没有这个任务",
            "no such task in the ledger",
        ),
        "review.other_plan": (
            "快照属于规划 {file}，数据库中对应的是 {db}",
            "the snapshot is of plan {file}, the database holds {db}",
        ),
        "review.no_unassign": (
            "不能通过快照取消牵头单位（留空 lead 不会回填）；请用 lctasks assign 改派",
            "a snapshot cannot remove a lead unit; reassign with lctasks assign",
        ),
        "review.close_needs": (
            "改为已销号需要 note（办结说明）和 evidence（佐证材料）",
            "closing needs note (completion note) and evidence (evidence reference)",
        ),
        "review.return_needs": (
            "改为退回重办需要 note（退回理由）",
            "returning needs note (the reason)",
        ),
        "review.bad_transition": (
            "状态不能从“{old}”改为“{new}”",
            "status cannot change from '{old}' to '{new}'",
        ),
        "review.closed_fixed": (
            "任务已销号，不能修改{field}；如需修改先把 status 改为 in_progress（重新打开）",
            "the task is closed: {field} cannot change; reopen it first (status = in_progress)",
        ),
        "review.problems": (
            "复核快照中有 {n} 处错误，未做任何更改：",
            "{n} problem(s) in the reviewed snapshot; nothing was changed:",
        ),
        "review.problems_hint": (
            "按所列文件行号改正后重试（lctasks apply 文件 --dry-run 可先预览）",
            "fix the file at the lines shown and retry (preview with --dry-run)",
        ),
        "review.conflicts": (
            "{n} 个任务在导出快照后已在台账中被修改，未做任何更改：",
            "{n} task(s) changed in the ledger after the snapshot was taken; nothing was changed:",
        ),
        "review.conflict_line": (
            "{where}：{task}：快照版本 {mine}，台账当前版本 {theirs}（{fields}）",
            "{where}: {task}: snapshot version {mine}, ledger now at {theirs} ({fields})",
        ),
        "review.conflicts_hint": (
            "重新导出快照（lctasks export），在新快照上重做这些修改",
            "export a fresh snapshot (lctasks export) and redo these edits on it",
        ),
        "review.read_only": (
            "{where}：{task}.{field} 为只读字段，修改不会回填",
            "{where}: {task}.{field} is read-only; the edit is not applied",
        ),
        "review.default_reason": (
            "调度会审定（{file}，截至 {as_of}）",
            "review meeting decision ({file}, as of {as_of})",
        ),
    }
)

_STATUS = {x.value: x for x in Status}
_KINDS = {x.value: x for x in TaskKind}
_BASES = {x.value: x for x in DueBasis}
READ_ONLY = ("title", "kind", "chapter", "progress")


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------


# the render cache of a plan's exports (lctasks.snapshot.render), by plan code
CacheFor = Callable[[str], "RenderCache"]

# A task's columns as the review needs them: SQLAlchemy rows (attribute access by
# label) rather than objects: 100,000 of them load in a fraction of the time.
_Row = Any


class ReviewService:
    """Export, plan and apply; ``caches``: the render cache of a plan (by code), if any."""

    def __init__(self, ctx: ServiceContext, caches: CacheFor | None = None) -> None:
        self.ctx = ctx
        self.caches = caches
        self._caches: dict[str, RenderCache] = {}

    def _settings(self) -> Settings:
        from lctasks.config import Settings, load_settings

        if not isinstance(self.ctx.settings, Settings):
            self.ctx.settings = load_settings()
        settings: Settings = self.ctx.settings
        return settings

    # -- export ----------------------------------------------------------------

    def export(
        self,
        flt: SnapshotFilter | None = None,
        *,
        as_of: dt.date | None = None,
        since: Snapshot | None = None,
        since_file: str | os.PathLike[str] | None = None,
        plan: str | None = None,
        stamp: dt.datetime | None = None,
    ) -> Snapshot:
        """A snapshot of the plan's tasks (``lctasks.services.snapshot_export``).

        ``since_file``: a previous snapshot file to compare with, read only where
        its task tables differ from this export's (``since``: one already read).
        """
        from lctasks.services.snapshot_export import export_snapshot

        return export_snapshot(
            self.ctx,
            self._settings(),
            flt,
            as_of=as_of,
            since=since,
            since_file=since_file,
            plan=plan,
            stamp=stamp,
            cache=self.render_cache,
        )

    def render_cache(self, plan: str) -> RenderCache:
        """The plan's render cache (``caches``; in memory without one), one per plan."""
        from lctasks.snapshot.render import RenderCache

        if plan not in self._caches:
            self._caches[plan] = self.caches(plan) if self.caches is not None else RenderCache()
        return self._caches[plan]

    # -- review ----------------------------------------------------------------

    def plan_review(self, path: str | os.PathLike[str]) -> ReviewPlan:
        with bulk():
            return self._plan_review(path)

    def _plan_review(self, path: str | os.PathLike[str]) -> ReviewPlan:
        """What applying the reviewed snapshot at ``path`` would change.

        Raises InvalidInputError (every problem, each with file:line) for an
        unreadable file, unknown tasks or units, bad dates and impossible status
        changes; conflicts are returned, for the caller to show.

        Only the task tables whose text differs from what the ledger's writer
        gives for the task now are read (``TaskTables``): a table that reads
        exactly as the ledger would write it has nothing to apply. When the
        file cannot be cut safely, or a part does not read, the whole file is
        read as before, so every error is the one a whole read gives.
        """
        from lctasks.services.plans import resolve_plan
        from lctasks.services.snapshot_export import read_ledger

        file = read_file(path)  # bytes: the text is decoded when a line is named
        name = file.name
        today = clock.today()

        def parse_day(value: str) -> dt.date:
            from lctasks.dates import parse_date

            return parse_date(value, today=today)

        def whole() -> Snapshot:
            return parse_snapshot(file.text, name=name, parse_date=parse_day)

        tables = TaskTables.cut(file, parse_day)
        try:
            snap = tables.head() if tables is not None else whole()
        except (InvalidInputError, tomllib.TOMLDecodeError, ValueError):
            tables, snap = None, whole()
        with self.ctx.db.read() as s:
            try:
                plan_row = resolve_plan(s, snap.plan.code or None)
            except LctasksError:
                if tables is not None:
                    whole()  # an error in the file is reported first, as before
                raise
            ledger = read_ledger(
                s, plan_row, snap.as_of, self._settings(), include_removed=True, evaluation=False
            )
            known_units = unit_names(s)
        rows = {r.key: r for r in ledger.records}
        db_seq = ledger.head.seq
        same = 0
        if tables is not None:
            partial = self._differing(tables, ledger, rows)
            snap, same = partial if partial is not None else (whole(), 0)
            # 100,000 tasks: keep only what the comparison below reads (the ledger's
            # other records, the render cache and the cut text go before the loop)
            wanted = {x.id for x in snap.tasks}
            rows = {k: r for k, r in rows.items() if k in wanted}
            del tables
        file.done_with_bytes()  # from here on the text names lines (when one is needed)
        del ledger
        if snap.plan.code and snap.plan.code != plan_row.code:
            raise InvalidInputError(t("review.other_plan", file=snap.plan.code, db=plan_row.code))
        problems: list[str] = []
        bad: dict[str, None] = {}
        stale_notes: dict[str, str] = {}
        edits: list[TaskEdit] = []
        conflicts: list[ReviewConflict] = []
        warnings: list[str] = []
        unchanged = same
        unit_cache: dict[str, str] = {}

        def at(tid: str, *keys: str) -> str:
            return where(file.text, name, ("tasks", tid, *keys))

        def problem(tid: str, key: str | None, message: str) -> None:
            path_keys = (key,) if key else ()
            label = f'tasks."{tid}"' + (f".{key}" if key else "")
            bad[tid] = None
            problems.append(f"  {at(tid, *path_keys)}：{label}：{message}")

        def unit(tid: str, key: str, value: str) -> str | None:
            if value in known_units:
                return known_units[value]
            if value not in unit_cache:
                from lctasks.units import default_directory

                try:
                    unit_cache[value] = default_directory().resolve(value).short
                except LctasksError as exc:
                    problem(tid, key, exc.message + (f"（{exc.hint}）" if exc.hint else ""))
                    return None
            return unit_cache[value]

        for task in snap.tasks:
            tid = task.id
            row = rows.get(tid)
            if row is None:
                problem(tid, None, t("review.unknown_task"))
                continue
            old_co = row.co_units
            found: list[FieldEdit] = []
            lead = unit(tid, "lead", task.lead) if task.lead else None
            if task.lead and lead is not None and lead != row.lead:
                found.append(FieldEdit("lead", row.lead, lead))
            elif not task.lead and row.lead:
                problem(tid, "lead", t("review.no_unassign"))
            new_co = [unit(tid, "co_units", u) for u in task.co_units]
            if None not in new_co:
                resolved_co = tuple(
                    dict.fromkeys(u for u in new_co if u and u != (lead or row.lead))
                )
                if resolved_co != old_co:
                    found.append(FieldEdit("co_units", list(old_co), list(resolved_co)))
            if (task.person or None) != (row.person or None):
                found.append(FieldEdit("person", row.person, task.person))
            if task.due != row.due:
                found.append(FieldEdit("due", row.due, task.due))
            old_status = Status(row.status)
            if task.status != old_status:
                found.append(FieldEdit("status", old_status, task.status))
            if task.note and not found:
                found.append(FieldEdit("note", None, task.note))
            if task.version == row.version:  # a read-only edit is named, with or without others
                for key in READ_ONLY:
                    if str(getattr(task, key)) != str(getattr(row, key)):
                        warnings.append(
                            t("review.read_only", where=at(tid, key), task=tid, field=key)
                        )
            if not found:
                unchanged += 1
                continue
            if task.version != row.version and [e.field for e in found] == ["note"]:
                stale_notes[tid] = task.note
            if task.version != row.version or row.removed:
                conflicts.append(
                    ReviewConflict(
                        tid,
                        at(tid, "version"),
                        task.version,
                        row.version,
                        tuple(e.field for e in found),
                    )
                )
                continue
            edit = TaskEdit(
                tid, row.title, row.version, at(tid), tuple(found), task.note, task.evidence
            )
            for key, message in check_transition(edit, old_status):
                problem(tid, key, message)
            edits.append(edit)
        if stale_notes:
            # re-applying a file whose note was already recorded: not a conflict
            recorded = self._recorded_notes(plan_row.code, snap.history.seq, stale_notes)
            unchanged += sum(1 for c in conflicts if c.task in recorded)
            conflicts = [c for c in conflicts if c.task not in recorded]
        if problems:
            raise InvalidInputError(
                "\n".join([t("review.problems", n=len(problems)), *problems]),
                hint=t("review.problems_hint"),
                ids=tuple(bad),
            )
        return ReviewPlan(
            file=name,
            plan=plan_row.code,
            as_of=snap.as_of,
            snapshot_seq=snap.history.seq,
            db_seq=db_seq,
            edits=tuple(edits),
            conflicts=tuple(conflicts),
            warnings=tuple(warnings),
            unchanged=unchanged,
        )

    def _differing(
        self, tables: TaskTables, ledger: LedgerRead, rows: dict[str, Any]
    ) -> tuple[Snapshot, int] | None:
        """(the file's tasks whose tables differ from the ledger's, how many do not).

        ``None`` when a part does not read (the caller reads the whole file). The
        renderings, the cache and the ledger are referenced only in here, so they
        are gone when it returns.
        """
        cache = self.render_cache(ledger.plan.code)
        live = ledger.task  # an export writes live tasks only
        try:
            snap, same = tables.differing(
                Rendered(rows, lambda r: None if r.removed else live(r), cache)
            )
        except (InvalidInputError, tomllib.TOMLDecodeError, ValueError):
            return None
        finally:
            cache.save()
            self._caches.pop(ledger.plan.code, None)
        return snap, len(same)

    def _recorded_notes(self, plan: str, since_seq: int, notes: dict[str, str]) -> set[str]:
        from sqlalchemy import select

        from lctasks.db.models import EventRow

        keys = list(notes)
        found: set[str] = set()
        with self.ctx.db.read() as s:
            for start in range(0, len(keys), 500):
                for key, reason in s.execute(
                    select(EventRow.task_key, EventRow.reason).where(
                        EventRow.plan_code == plan,
                        EventRow.seq > since_seq,
                        EventRow.task_key.in_(keys[start : start + 500]),
                    )
                ):
                    if key is not None and reason == notes.get(key):
                        found.add(key)
        return found

    def apply_review(
        self,
        path: str | os.PathLike[str],
        *,
        dry_run: bool = False,
        late: bool = False,
    ) -> ApplyResult:
        """Apply the reviewed snapshot: all of it in one transaction, or nothing.

        Conflicts raise ConflictError (with the plan attached as ``.review``);
        with ``dry_run`` the same steps run and are rolled back. A later deadline
        for a task already past its deadline is an extension after the fact: as
        ``extend``, refused (ConflictError, each named by file:line) unless ``late``.
        """
        from lctasks.db.sql import LiteDatabase
        from lctasks.services.chain import CHAIN_LOCK_SQL
        from lctasks.services.workflow import LiteContext, WorkflowService

        plan = self.plan_review(path)
        if plan.conflicts:
            raise conflict_error(plan, plan.conflicts)
        if not late:
            refuse_late(plan.edits)
        actor = Actor(self.ctx.actor.name, Source.REVIEW)
        # on an SQLite file without people on record, the steps run over sqlite3 as
        # the CLI's workflow commands do (lctasks.cli.actions.service): ~1 ms a step
        lite = LiteDatabase.open(self.ctx.db.url) if is_sqlite(self.ctx.db) else None
        if lite is not None:
            wf = WorkflowService(LiteContext(lite, actor, self.ctx.settings))
        else:
            wf = WorkflowService(self.ctx.with_actor(actor))
        reason = t("review.default_reason", file=os.path.basename(plan.file), as_of=plan.as_of)
        steps: list[BatchResult] = []
        try:
            with wf.unit_of_work() as runner:
                if runner.dialect == "postgresql":  # the chain lock before row locks
                    runner.all(CHAIN_LOCK_SQL)
                stale = recheck(runner, plan)
                if stale:
                    raise conflict_error(plan, stale)
                for edit in plan.edits:
                    steps.extend(run_edit(wf, plan.plan, edit, reason, late=late))
                if dry_run:
                    raise Rehearsal
        except Rehearsal:
            pass
        finally:
            if lite is not None:
                lite.dispose()
        events = sum(b.events for b in steps)
        return ApplyResult(plan, not dry_run, dry_run, events, tuple(steps))


__all__ = [
    "ApplyResult",
    "FieldEdit",
    "ReviewConflict",
    "ReviewPlan",
    "ReviewService",
    "TaskEdit",
]
