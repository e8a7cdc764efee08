"""Importing a plan into the database (``import_plan`` / ``import_tree``).

``import_plan`` parses a plan file (the bundled plan by default) and writes, in
one transaction: the owner units of ``plan_data/units.toml`` (added or updated,
never deleted), the plan row, its browsable tree (``plan_nodes``: parts,
chapters, sections, boxes with their text, reference boxes, unplaced text with
line and reason; ``services.plan_tree``), and its tasks with checklist items,
targets, deadlines and owner suggestions. It records one ``import`` event for the
plan with the counts, and — on a re-import — one ``added`` / ``changed`` /
``removed`` event per task whose plan-derived content moved.

Re-import rules (a task ID is a promise to scripts: it never moves):

- Drafts are first matched to stored tasks (``rekey``): same key and text; the
  same text under another key (a paragraph inserted or deleted above it shifted
  the parser's position numbers); same key with a corrected text; similar text
  under another key. A stored key keeps meaning the commitment it was given to,
  so after a deletion in the middle of a chapter the parser's ``C10.M04`` may be
  stored as ``C10.M05``; genuinely new paragraphs get a key no task ever had.
- A key in the new text and in the database keeps its row, so owners, status,
  progress, history and progress reports stay attached. Only plan-derived fields
  are refreshed: kind, chapter, section, box, category, title, source text,
  printed attributes, checklist, and the deadline *unless a person set or
  extended it* (due_basis manual/extended wins over the text). When any of those
  differ the task is "changed" (version + 1, one event with old → new).
  The source line number and owner suggestions are refreshed silently: a line
  shift is not a change of the commitment.
- A key that vanished from the text is marked ``removed`` (never deleted): its
  history stays readable, lists hide it unless asked. A removed key that comes
  back is restored (reported as added and restored).
- Checklist reconciliation, item by item, in order: a new item takes the tick of
  an old item whose text is the same after normalising spaces and punctuation;
  failing that, of an old item at least 90 % similar with the same numbers (a
  typo fix such as 在平 → 茌平 keeps its tick; 100家 → 120家 is a new target and
  does not); each old item is used once. Everything else starts
  unticked. An old *ticked* item that found no partner is named in the task's
  ``changed`` event (``ticks_dropped``) and in the import result, so a lost tick
  is never silent.

The re-keying and checklist rules themselves are pure functions in
``lctasks.plan.rekey``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lctasks.db.models import ChecklistRow, PlanRow, TaskRow, UnitRow
from lctasks.domain import (
    CARRIED_FROM,
    ChecklistDraft,
    ConflictError,
    DueBasis,
    NotFoundError,
    PlanTree,
    Source,
    Status,
    Suggestion,
    TaskDraft,
    TaskKind,
    Unit,
)
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.plan.rekey import norm_text, reconcile_checklist, rekey
from lctasks.services.audit import EventLog, lock_chain
from lctasks.services.base import CHUNK, Service
from lctasks.services.carry import CARRY_LINKS, NEW_PREFIX
from lctasks.services.chain import utcnow
from lctasks.services.plan_tree import core_insert, write_nodes
from lctasks.services.query import ImportResult
from lctasks.services.task_queries import load_file_units
from lctasks.services.views import target_to_json

if TYPE_CHECKING:
    from lctasks.suggest import RuleSet

MESSAGES.add(
    {
        "import.stage.parse": ("解析规划文本", "parsing the plan text"),
        "import.stage.units": ("同步责任单位", "syncing owner units"),
        "import.stage.tree": ("写入篇章结构", "writing the plan tree"),
        "import.stage.tasks": ("写入任务", "writing tasks"),
        "import.stage.done": ("完成", "done"),
        "import.no_file": ("找不到规划文件：{file}", "plan file not found: {file}"),
        "import.no_file.hint": (
            "检查路径；不给文件时导入随附的聊城市“十四五”规划",
            "check the path; without a file the bundled plan is imported",
        ),
        "import.other_plan": (
            "文件中的规划《{new}》与已导入的规划 {code}《{old}》标题不同",
            "the file's plan “{new}” has another title than plan {code} “{old}”",
        ),
        "import.other_plan.hint": (
            "若是另一个规划，用 --code 给它一个新代码（如 --code lc-15th）；"
            "若是同一规划的修订本，用 --code {code} 确认覆盖导入",
            "for another plan give it a new code (e.g. --code lc-15th); for a revised "
            "copy of the same plan confirm with --code {code}",
        ),
        "import.empty": (
            "规划文件中没有解析出任何任务：{file}",
            "no task could be read from the plan file: {file}",
        ),
        "import.empty.hint": (
            "确认文件是规划纲要全文（UTF-8 或 GBK 编码的纯文本）",
            "check that the file is the full plan text (plain text, UTF-8 or GBK)",
        ),
    }
)

ProgressFn = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: the CLI prints it on stderr."""

# Fields that come from the plan text and make a task "changed" when they differ.
PLAN_FIELDS = ("kind", "chapter", "section", "box", "category", "title", "source_text", "attrs")
DUE_FIELDS = ("due", "due_basis", "due_text")
PERSON_DUE_BASES = {DueBasis.MANUAL.value, DueBasis.EXTENDED.value}


# ---------------------------------------------------------------------------
# Optional collaborators (parser, units, suggestions) — imported when used
# ---------------------------------------------------------------------------


def _load_tree(path: str | Path | None) -> tuple[PlanTree, str]:
    from lctasks.plan import BUNDLED_PLAN, load_plan

    p = Path(path) if path is not None else Path(BUNDLED_PLAN)
    if p.exists() and not p.is_file():
        from lctasks.textsafe import read_file_bytes

        read_file_bytes(p)  # a pipe or device: refused, not waited on
    if not p.is_file():
        raise NotFoundError(t("import.no_file", file=p), hint=t("import.no_file.hint"))
    return load_plan(p), p.name


def suggest_for(rules: RuleSet, draft: TaskDraft, chapter_title: str) -> Suggestion:
    """The rules' suggestion for a draft. A project's box category (文化旅游, 医养健康,
    新材料 …) says more than its chapter's title, so it is read in the chapter title's
    place; only when no rule knows the category does the chapter title count."""
    if draft.kind is TaskKind.PROJECT and draft.category:
        found = rules.suggest(draft.title, draft.source_text, draft.category, draft.kind.value)
        topics = {r.id for r in rules.rules}
        if any(rule in topics for rule in found.rules):  # a topic rule, not only a place
            return found
    return rules.suggest(draft.title, draft.source_text, chapter_title, draft.kind.value)


def _suggester() -> Callable[[TaskDraft, str], Suggestion | None]:
    """The owner suggestion for a draft (plan_data/rules.toml; never an assignment)."""
    from lctasks.suggest import default_rules
    from lctasks.units import default_directory

    rules = default_rules(default_directory())

    def run(draft: TaskDraft, chapter_title: str) -> Suggestion | None:
        found = suggest_for(rules, draft, chapter_title)
        return found if (found.lead or found.co_units) else None

    return run


def _checklist_json(items: Iterable[ChecklistDraft]) -> list[dict[str, object]]:
    return [{"text": c.text, "targets": [target_to_json(x) for x in c.targets]} for c in items]


def _draft_fields(draft: TaskDraft) -> dict[str, Any]:
    return {
        "kind": draft.kind.value,
        "chapter": draft.chapter,
        "section": draft.section,
        "box": draft.box,
        "category": draft.category,
        "title": draft.title,
        "source_text": draft.source_text,
        "attrs": dict(draft.attrs),
        "due": draft.due,
        "due_basis": draft.due_basis.value,
        "due_text": draft.due_text,
    }


def baseline(drafts: Iterable[TaskDraft]) -> dict[str, list[Any]]:
    """Each new task's starting deadline, its basis and its number of checklist items
    (status, progress, owners and ticks start empty), recorded in the import event."""
    return {d.key: [d.due.isoformat(), d.due_basis.value, len(d.checklist)] for d in drafts}


def _short(value: Any, limit: int = 400) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value


def _kind_counts(drafts: Iterable[TaskDraft]) -> dict[str, int]:
    c = Counter(d.kind.value for d in drafts)
    return {k.value: c.get(k.value, 0) for k in TaskKind}


class PlanImporter(Service):
    """Import a plan (a file, or a parsed tree) in one write transaction."""

    def import_plan(
        self,
        path: str | Path | None = None,
        *,
        code: str | None = None,
        progress: ProgressFn | None = None,
    ) -> ImportResult:
        """(Re)import a plan file, the bundled plan by default. See the module docstring."""
        started = time.perf_counter()
        if progress:
            progress(t("import.stage.parse"), 0, 1)
        tree, source_name = _load_tree(path)
        return self.import_tree(
            tree, source_name=source_name, code=code, progress=progress, started=started
        )

    def import_tree(
        self,
        tree: PlanTree,
        *,
        source_name: str = "",
        code: str | None = None,
        progress: ProgressFn | None = None,
        started: float | None = None,
    ) -> ImportResult:
        """Import an already parsed plan tree (``import_plan`` parses, then calls this)."""
        started = started if started is not None else time.perf_counter()
        report: ProgressFn = progress or (lambda _s, _d, _t: None)
        if not tree.tasks:
            from lctasks.domain import InvalidInputError

            raise InvalidInputError(
                t("import.empty", file=source_name or tree.code), hint=t("import.empty.hint")
            )
        plan_code = (code or tree.code).strip()
        suggester = _suggester()
        file_units = load_file_units()
        chapter_titles = {c.number: c.title for c in tree.chapters()}
        now = utcnow()
        with self.db.write() as s:
            # the history's lock first: two imports at once run one after the other
            # (the second then finds the plan and re-imports), not into a unique-key error
            lock_chain(s)
            report(t("import.stage.units"), 0, len(file_units))
            units_added, units_updated, units_renamed = self._sync_units(s, file_units)
            plan = s.scalars(select(PlanRow).where(PlanRow.code == plan_code)).first()
            first = plan is None
            if plan is not None and code is None and plan.title != tree.title:
                # a different plan under the parser's default code would mark every
                # task of the loaded plan removed: make the person say what they mean
                raise ConflictError(
                    t("import.other_plan", new=tree.title, old=plan.title, code=plan.code),
                    hint=t("import.other_plan.hint", code=plan.code),
                )
            if plan is None:
                plan = PlanRow(code=plan_code, imported_at=now)
                s.add(plan)
            plan.title = tree.title
            plan.doc_number = tree.doc_number
            plan.start = tree.start
            plan.end = tree.end
            plan.source_name = source_name
            plan.source_sha256 = tree.source_sha256
            plan.imported_at = now
            s.flush()
            report(t("import.stage.tree"), 0, 1)
            node_counts = write_nodes(s, plan.id, tree)
            suggestions = {
                d.key: suggester(d, chapter_titles.get(d.chapter, "")) for d in tree.tasks
            }
            log = EventLog(s, self.ctx.actor, at=now)
            if first:
                added = self._insert_tasks(s, plan, tree.tasks, suggestions, now, report)
                changed: list[str] = []
                removed: list[str] = []
                restored: list[str] = []
                dropped: list[str] = []
                moved: list[tuple[str, str]] = []
            else:
                added, changed, removed, restored, dropped, moved = self._merge_tasks(
                    s, plan, tree, suggestions, now, report, log
                )
            counts = {**_kind_counts(tree.tasks), **node_counts}
            changes: dict[str, list[Any]] = {
                "source": [None, source_name],
                "sha256": [None, tree.source_sha256],
                "counts": [None, counts],
                "added": [None, len(added)],
                "changed": [None, len(changed)],
                "removed": [None, len(removed)],
                "rekeyed": [None, [list(m) for m in moved]],
            }
            if first:
                # what each task starts as: `log --verify` replays from here
                changes["tasks"] = [None, baseline(tree.tasks)]
            if units_renamed:  # events name units by short name: the replay follows renames
                changes["units_renamed"] = [None, units_renamed]
            log.append("import", plan=plan_code, changes=changes, source=Source.IMPORT)
            report(t("import.stage.done"), len(tree.tasks), len(tree.tasks))
        return ImportResult(
            plan=plan_code,
            first=first,
            tasks=len(tree.tasks),
            added=tuple(added),
            changed=tuple(changed),
            removed=tuple(removed),
            restored=tuple(restored),
            unchanged=len(tree.tasks) - len(added) - len(changed),
            counts=counts,
            units_added=tuple(units_added),
            units_updated=tuple(units_updated),
            ticks_dropped=tuple(dropped),
            rekeyed=tuple(moved),
            seconds=time.perf_counter() - started,
        )

    @staticmethod
    def _sync_units(
        s: Session, units: Sequence[Unit]
    ) -> tuple[list[str], list[str], list[list[str]]]:
        """Add or update units by name (or short name); never delete any.

        Also returns the short names that changed ([old, new]): events name
        units by short name, so the import event records them for the replay."""
        if not units:
            return [], [], []
        rows = list(s.scalars(select(UnitRow)))
        by_name = {r.name: r for r in rows}
        by_short = {r.short: r for r in rows}
        added: list[str] = []
        updated: list[str] = []
        renamed: list[list[str]] = []
        for u in units:
            row = by_name.get(u.name) or by_short.get(u.short)
            if row is None:
                row = UnitRow(name=u.name, short=u.short, kind=u.kind.value, confirmed=u.confirmed)
                s.add(row)
                by_name[u.name] = by_short[u.short] = row
                added.append(u.short)
                continue
            new = (u.name, u.short, u.kind.value, u.confirmed)
            if (row.name, row.short, row.kind, row.confirmed) != new:
                if row.short != u.short:
                    renamed.append([row.short, u.short])
                row.name, row.short, row.kind, row.confirmed = new
                updated.append(u.short)
        s.flush()
        return added, updated, renamed

    @staticmethod
    def _task_values(
        plan: PlanRow, draft: TaskDraft, suggestion: Suggestion | None, now: dt.datetime
    ) -> dict[str, Any]:
        return {
            "plan_id": plan.id,
            "key": draft.key,
            **_draft_fields(draft),
            "line": draft.line,
            "status": Status.NOT_STARTED.value,
            "progress": 0,
            "start": plan.start,
            "suggested_lead": suggestion.lead if suggestion else None,
            "suggested_co": list(suggestion.co_units) if suggestion else [],
            "suggested_rules": list(suggestion.rules) if suggestion else [],
            "removed": False,
            "version": 1,
            "updated_at": now,
        }

    def _insert_tasks(
        self,
        s: Session,
        plan: PlanRow,
        drafts: Sequence[TaskDraft],
        suggestions: dict[str, Suggestion | None],
        now: dt.datetime,
        report: ProgressFn,
    ) -> list[str]:
        """Bulk-insert new tasks and their checklists; returns their keys."""
        total = len(drafts)
        for i in range(0, total, CHUNK):
            chunk = drafts[i : i + CHUNK]
            values = [self._task_values(plan, d, suggestions.get(d.key), now) for d in chunk]
            # plain executemany, then one SELECT for the ids: SQLAlchemy's ORM bulk
            # INSERT .. RETURNING splices its result batches in quadratic time
            s.execute(core_insert(TaskRow), values)
            ids = {
                k: v
                for k, v in s.execute(
                    select(TaskRow.key, TaskRow.id).where(
                        TaskRow.plan_id == plan.id, TaskRow.key.in_([d.key for d in chunk])
                    )
                )
            }
            items = [
                {
                    "task_id": ids[d.key],
                    "seq": n,
                    "text": c.text,
                    "done": False,
                    "targets": [target_to_json(x) for x in c.targets],
                }
                for d in chunk
                for n, c in enumerate(d.checklist, start=1)
            ]
            if items:
                s.execute(core_insert(ChecklistRow), items)
            report(t("import.stage.tasks"), min(i + CHUNK, total), total)
        return [d.key for d in drafts]

    def _merge_tasks(
        self,
        s: Session,
        plan: PlanRow,
        tree: PlanTree,
        suggestions: dict[str, Suggestion | None],
        now: dt.datetime,
        report: ProgressFn,
        log: EventLog,
    ) -> tuple[list[str], list[str], list[str], list[str], list[str], list[tuple[str, str]]]:
        # tasks carried in from another plan (结转) are not the plan text's: never re-keyed,
        # changed or removed by a re-import
        existing = {
            r.key: r
            for r in s.scalars(select(TaskRow).where(TaskRow.plan_id == plan.id))
            if not (r.key.startswith(NEW_PREFIX) and CARRIED_FROM in (r.attrs or {}))
        }
        drafts, moved = rekey(
            tree.tasks,
            {k: (r.kind, r.chapter, norm_text(r.source_text or "")) for k, r in existing.items()},
        )
        suggestions = {
            new.key: suggestions.get(old.key) for old, new in zip(tree.tasks, drafts, strict=True)
        }
        new_drafts = [d for d in drafts if d.key not in existing]
        added = self._insert_tasks(s, plan, new_drafts, suggestions, now, report)
        for d in new_drafts:
            log.append(
                "added",
                plan=plan.code,
                task=d.key,
                changes={
                    "due": [None, d.due],
                    "due_basis": [None, d.due_basis.value],
                    "checklist": [[], [c.text for c in d.checklist]],
                },
                source=Source.IMPORT,
            )
        changed: list[str] = []
        restored: list[str] = []
        dropped_all: list[str] = []
        rewrite: dict[int, list[dict[str, Any]]] = {}
        for n, draft in enumerate(drafts, start=1):
            row = existing.get(draft.key)
            if row is None:
                continue
            diff: dict[str, list[Any]] = {}
            fields = _draft_fields(draft)
            names = list(PLAN_FIELDS)
            if row.due_basis not in PERSON_DUE_BASES:
                names += DUE_FIELDS
            for name in names:
                old, new = getattr(row, name), fields[name]
                if name == "attrs":
                    old = dict(old or {})
                    # the links of a carry-over (结转) are the ledger's, not the text's
                    new = {**new, **{k: v for k, v in old.items() if k in CARRY_LINKS}}
                if old != new:
                    diff[name] = [_short(old), _short(new)]
                    setattr(row, name, new)
            old_items = [(c.text, bool(c.done)) for c in row.checklist]
            old_json = [{"text": c.text, "targets": list(c.targets or [])} for c in row.checklist]
            new_json = _checklist_json(draft.checklist)
            if old_json != new_json:
                ticks, dropped = reconcile_checklist(old_items, draft.checklist)
                diff["checklist"] = [[t_ for t_, _ in old_items], [c.text for c in draft.checklist]]
                if dropped:
                    diff["ticks_dropped"] = [[old_items[i - 1][0] for i in dropped], []]
                    dropped_all += [f"{draft.key}#{i}" for i in dropped]
                rewrite[row.id] = [
                    {
                        "task_id": row.id,
                        "seq": k,
                        "text": c.text,
                        "done": ticks[k - 1],
                        "targets": [target_to_json(x) for x in c.targets],
                    }
                    for k, c in enumerate(draft.checklist, start=1)
                ]
            was_removed = bool(row.removed)
            if was_removed:
                row.removed = False
                restored.append(draft.key)
                log.append(
                    "added",
                    plan=plan.code,
                    task=draft.key,
                    changes={"removed": [True, False], **diff},
                    source=Source.IMPORT,
                )
            elif diff:
                changed.append(draft.key)
                log.append(
                    "changed", plan=plan.code, task=draft.key, changes=diff, source=Source.IMPORT
                )
            if diff or was_removed:
                row.version = (row.version or 1) + 1
                row.updated_at = now
            # silent refreshes: the line a paragraph starts on, the rule suggestion
            row.line = draft.line
            sug = suggestions.get(draft.key)
            row.suggested_lead = sug.lead if sug else None
            row.suggested_co = list(sug.co_units) if sug else []
            row.suggested_rules = list(sug.rules) if sug else []
            if n % CHUNK == 0:
                report(t("import.stage.tasks"), n, len(tree.tasks))
        if rewrite:
            ids = list(rewrite)
            for i in range(0, len(ids), CHUNK):
                s.execute(delete(ChecklistRow).where(ChecklistRow.task_id.in_(ids[i : i + CHUNK])))
            items = [item for rows in rewrite.values() for item in rows]
            if items:
                s.execute(core_insert(ChecklistRow), items)
            for row in existing.values():
                if row.id in rewrite:
                    s.expire(row, ["checklist"])
        keys = {d.key for d in drafts}
        removed: list[str] = []
        for key, row in existing.items():
            if key not in keys and not row.removed:
                row.removed = True
                row.version = (row.version or 1) + 1
                row.updated_at = now
                removed.append(key)
                log.append(
                    "removed",
                    plan=plan.code,
                    task=key,
                    changes={"removed": [False, True]},
                    source=Source.IMPORT,
                )
        return added + restored, changed, removed, restored, dropped_all, moved
