"""The ledger: importing a plan into the database, and reading tasks back.

Import
------
``import_plan`` parses a plan file (the bundled plan by default) and writes, in
one transaction: the owner units of ``plan_data/units.toml`` (added or updated,
never deleted), the plan row, its browsable tree (``plan_nodes``: parts,
chapters, sections, boxes with their text, reference boxes, unplaced text with
line and reason), and its tasks with checklist items, targets, deadlines and
owner suggestions. It records one ``import`` event for the plan with the counts,
and — on a re-import — one ``added`` / ``changed`` / ``removed`` event per task
whose plan-derived content moved.

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

Reading
-------
``list_tasks`` filters in SQL (plan, chapter, kind, unit, status, text, due
range, unassigned, removed) and computes the warning lights in Python from a
few columns per row; ``get_task`` / ``task_detail`` return one task with
everything attached; ``outline`` and ``coverage`` summarise the plan tree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, Text, case, delete, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from lctasks.config import Settings
from lctasks.db.models import (
    ChecklistRow,
    CoUnitRow,
    PlanNodeRow,
    PlanRow,
    ProgressRow,
    TaskRow,
    UnitRow,
)
from lctasks.domain import (
    ChecklistDraft,
    ConflictError,
    DueBasis,
    Light,
    NotFoundError,
    PlanTree,
    ProgressReport,
    Source,
    Status,
    Suggestion,
    Task,
    TaskDraft,
    TaskKind,
    Unit,
    UnitKind,
    Unplaced,
)
from lctasks.i18n import MESSAGES, t
from lctasks.lights import light_for, report_period
from lctasks.services.audit import EventLog
from lctasks.services.base import ServiceContext
from lctasks.services.chain import utcnow
from lctasks.services.plans import load_tasks, resolve_plan
from lctasks.services.query import (
    ChapterCoverage,
    Counts,
    Coverage,
    ImportResult,
    OutlineBox,
    OutlineChapter,
    OutlinePart,
    OutlineSection,
    PlanInfo,
    PlanOutline,
    TaskFilter,
)
from lctasks.services.views import (
    as_utc,
    compute_light,
    progress_report,
    suggestion_of,
    target_to_json,
    task_view,
)

MESSAGES.update(
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
        "import.box_note": ("印在第{printed}章之后", "printed after chapter {printed}"),
        "unit.unknown_db": (
            "找不到责任单位：{unit}",
            "unknown owner unit: {unit}",
        ),
        "unit.unknown_db.hint": (
            "用 lctasks units --find {unit} 查找单位的规范简称",
            "find the unit's short name with: lctasks units --find {unit}",
        ),
    }
)

ProgressFn = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: the CLI prints it on stderr."""

# Fields that come from the plan text and make a task "changed" when they differ.
PLAN_FIELDS = ("kind", "chapter", "section", "box", "category", "title", "source_text", "attrs")
DUE_FIELDS = ("due", "due_basis", "due_text")
PERSON_DUE_BASES = {DueBasis.MANUAL.value, DueBasis.EXTENDED.value}
SIMILAR_TICK = 0.9
_CHUNK = 500


# ---------------------------------------------------------------------------
# Optional collaborators (parser, units, suggestions) — imported when used
# ---------------------------------------------------------------------------


def _load_tree(path: str | Path | None) -> tuple[PlanTree, str]:
    from lctasks.plan import BUNDLED_PLAN, load_plan

    p = Path(path) if path is not None else Path(BUNDLED_PLAN)
    if not p.is_file():
        raise NotFoundError(t("import.no_file", file=p), hint=t("import.no_file.hint"))
    return load_plan(p), p.name


def _file_units() -> list[Unit]:
    """The owner units of plan_data/units.toml (or LCTASKS_UNITS)."""
    from lctasks.units import load_units

    return load_units()


def _suggester() -> Callable[[TaskDraft, str], Suggestion | None]:
    """The owner suggestion for a draft (plan_data/rules.toml; never an assignment)."""
    from lctasks.suggest import default_rules
    from lctasks.units import default_directory

    rules = default_rules(default_directory())

    def run(draft: TaskDraft, chapter_title: str) -> Suggestion | None:
        found = rules.suggest(draft.title, draft.source_text, chapter_title)
        return found if (found.lead or found.co_units) else None

    return run


def _unit_shorts(texts: Sequence[str]) -> set[str]:
    """Resolve units as people type them (kjj, 科技局) to short names.

    An unknown or ambiguous name raises the directory's NotFound/InvalidInput
    error with the nearest units as a hint.
    """
    from lctasks.units import default_directory

    directory = default_directory()
    return {directory.resolve(text).short for text in texts}


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


_NOT_WORD = re.compile(r"[\W_]+")


def _norm_item(text: str) -> str:
    """Text for matching: NFKC, no spaces, no punctuation (CJK characters are \\w)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text))


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


@dataclass(frozen=True, slots=True)
class _Item:
    text: str
    done: bool


def reconcile_checklist(
    old: Sequence[_Item] | Sequence[tuple[str, bool]], new: Sequence[ChecklistDraft]
) -> tuple[list[bool], list[int]]:
    """Ticks for the ``new`` items, and the (1-based) old ticked items left over.

    See the module docstring: exact (normalised) text first, then ≥ 90 % similar;
    each old item is used once.
    """
    olds = [o if isinstance(o, _Item) else _Item(o[0], o[1]) for o in old]
    used = [False] * len(olds)
    ticks = [False] * len(new)
    keys = [_norm_item(o.text) for o in olds]
    new_keys = [_norm_item(n.text) for n in new]
    for j, nk in enumerate(new_keys):
        for i, ok in enumerate(keys):
            if not used[i] and ok == nk:
                used[i] = True
                ticks[j] = olds[i].done
                break
    for j, nk in enumerate(new_keys):
        if any(k == nk for k in keys):
            continue
        best, best_i = 0.0, -1
        for i, ok in enumerate(keys):
            if used[i]:
                continue
            ratio = difflib.SequenceMatcher(None, ok, nk, autojunk=False).ratio()
            if ratio > best:
                best, best_i = ratio, i
        if best_i >= 0 and best >= SIMILAR_TICK and _numbers(keys[best_i]) == _numbers(nk):
            used[best_i] = True
            ticks[j] = olds[best_i].done
    dropped = [i + 1 for i, o in enumerate(olds) if o.done and not used[i]]
    return ticks, dropped


def _core_insert(model: Any) -> Any:
    """A Core INSERT for executemany: one statement for all rows.

    The ORM bulk path (``insert(Model)`` with a list) splits rows into many
    small batches; Core hands the whole list to the driver's executemany.
    """
    table: Table = model.__table__
    return table.insert()


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


def _short(value: Any, limit: int = 400) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value


def _kind_counts(drafts: Iterable[TaskDraft]) -> dict[str, int]:
    c = Counter(d.kind.value for d in drafts)
    return {k.value: c.get(k.value, 0) for k in TaskKind}


_KEY_NUMBER = re.compile(r"^(.*?)(\d+)$")
SIMILAR_IN_PLACE = 0.5  # same key, text this similar: a correction of that paragraph
SIMILAR_MOVED = 0.8  # another key of the same chapter and kind: moved and corrected


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def rekey(
    drafts: Sequence[TaskDraft], existing: dict[str, tuple[str, int, str]]
) -> tuple[list[TaskDraft], list[tuple[str, str]]]:
    """Give each draft the stored key of the task it continues; new ones a free key.

    ``existing`` maps stored keys to (kind, chapter, normalised source text).
    The parser numbers paragraphs by position, so deleting or inserting one
    paragraph would shift every later number; a stored key must never come to
    mean another commitment. Matching, in order: same key and same text; same
    text under another key of the same chapter and kind (moved); same key and
    ≥ 50 % similar text (corrected in place); ≥ 80 % similar text under another
    key of the same chapter and kind. Anything else is new: it keeps its own
    key when no stored task ever had it, else takes the next free number after
    the highest one used with that prefix (``C10.M`` → ``C10.M09``).
    Returns the drafts with their keys and the (parser key, stored key) pairs
    that differ.
    """
    norm = [_norm_item(d.source_text) for d in drafts]
    assigned: dict[int, str] = {}
    taken: set[str] = set()

    def take(i: int, key: str) -> None:
        assigned[i] = key
        taken.add(key)

    for i, d in enumerate(drafts):
        e = existing.get(d.key)
        if e is not None and e[2] == norm[i] and d.key not in taken:
            take(i, d.key)
    by_text: defaultdict[tuple[str, int, str], list[str]] = defaultdict(list)
    for key, (kind, chapter, text) in existing.items():
        if key not in taken:
            by_text[(kind, chapter, text)].append(key)
    for i, d in enumerate(drafts):
        if i in assigned:
            continue
        for key in by_text.get((d.kind.value, d.chapter, norm[i]), []):
            if key not in taken:
                take(i, key)
                break
    for i, d in enumerate(drafts):
        e = existing.get(d.key)
        if i in assigned or e is None or d.key in taken or e[0] != d.kind.value:
            continue
        if _ratio(e[2], norm[i]) >= SIMILAR_IN_PLACE:
            take(i, d.key)
    for i, d in enumerate(drafts):
        if i in assigned:
            continue
        best, best_key = 0.0, ""
        for key, (kind, chapter, text) in existing.items():
            if key in taken or kind != d.kind.value or chapter != d.chapter:
                continue
            ratio = _ratio(text, norm[i])
            if ratio > best:
                best, best_key = ratio, key
        if best_key and best >= SIMILAR_MOVED:
            take(i, best_key)
    for i, d in enumerate(drafts):
        if i not in assigned and d.key not in existing and d.key not in taken:
            take(i, d.key)
    used = set(existing) | taken
    for i, d in enumerate(drafts):
        if i in assigned:
            continue
        m = _KEY_NUMBER.match(d.key)
        if m is None:  # not numbered: suffix it
            n = 2
            while f"{d.key}-{n}" in used:
                n += 1
            key = f"{d.key}-{n}"
        else:
            prefix, digits = m.group(1), m.group(2)
            top = max(
                (
                    int(mm.group(2))
                    for k in used
                    if (mm := _KEY_NUMBER.match(k)) and mm.group(1) == prefix
                ),
                default=0,
            )
            key = f"{prefix}{top + 1:0{len(digits)}d}"
        used.add(key)
        take(i, key)
    out = [
        d if assigned[i] == d.key else dataclasses.replace(d, key=assigned[i])
        for i, d in enumerate(drafts)
    ]
    moved = [(d.key, assigned[i]) for i, d in enumerate(drafts) if assigned[i] != d.key]
    return out, moved


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------


_TASK_COLUMNS = (
    TaskRow.id,
    TaskRow.key,
    TaskRow.kind,
    TaskRow.chapter,
    TaskRow.title,
    TaskRow.status,
    TaskRow.due,
    TaskRow.due_basis,
    TaskRow.start,
    TaskRow.version,
    UnitRow.short,
    TaskRow.person,
    TaskRow.leader,
    TaskRow.progress,
    TaskRow.section,
    TaskRow.box,
    TaskRow.category,
    TaskRow.source_text,
    TaskRow.line,
    TaskRow.due_text,
    TaskRow.original_due,
    TaskRow.suggested_lead,
    # JSON columns as text, parsed once per distinct value (_JsonMemo)
    type_coerce(TaskRow.suggested_co, Text).label("suggested_co"),
    type_coerce(TaskRow.suggested_rules, Text).label("suggested_rules"),
    TaskRow.removed,
    TaskRow.updated_at,
    type_coerce(TaskRow.attrs, Text).label("attrs"),
)


_KINDS = {k.value: k for k in TaskKind}
_STATUSES = {x.value: x for x in Status}
_BASES = {b.value: b for b in DueBasis}


class _LightMemo:
    """``light_for`` once per distinct (status, start, due, progress, report state).

    The light reads the latest report's date only as "inside the current
    reporting period or not" (lctasks.lights: the period of ``as_of`` less the
    grace days), so the memo key keeps just that, not the date itself; the
    result is the same light (tests/test_ledger.py checks it against light_for).
    """

    def __init__(self, as_of: dt.date, settings: Settings) -> None:
        self.as_of = as_of
        self.settings = settings
        grace = dt.timedelta(days=settings.report_grace_days)
        self.period_start = report_period(as_of - grace, settings.report_cadence).start
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
            hit = self.memo[key] = light_for(
                status, start, due, progress, self.as_of, last, self.settings
            )
        return hit


PRINTED_AFTER = "printed_after_chapter="


def _box_note(raw: str) -> str:
    """A box's note for people, in the current language."""
    if raw.startswith(PRINTED_AFTER):
        return t("import.box_note", printed=raw.removeprefix(PRINTED_AFTER))
    return raw


def _weighted_kinds(items: Iterable[tuple[Any, ...]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for item in items:
        counts[item[3]] += item[5]
    return dict(counts)


class _JsonMemo:
    """JSON column values: parsed once per distinct text (SQLite hands back text)."""

    def __init__(self) -> None:
        self.memo: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        hit = self.memo.get(value)
        if hit is None:
            hit = self.memo[value] = json.loads(value)
        return hit

    def pairs(self, value: Any) -> tuple[tuple[str, str], ...]:
        key = ("pairs", value if isinstance(value, str) else json.dumps(value, sort_keys=True))
        hit = self.memo.get(key)
        if hit is None:
            data = self(value) or {}
            hit = self.memo[key] = tuple((str(k), str(v)) for k, v in data.items())
        result: tuple[tuple[str, str], ...] = hit
        return result

    def suggestion(self, lead: str | None, co: Any, rules: Any) -> Suggestion | None:
        key = ("sug", lead, str(co), str(rules))
        if key not in self.memo:
            self.memo[key] = suggestion_of(lead, self(co), self(rules))
        result: Suggestion | None = self.memo[key]
        return result


class LedgerService:
    """Import and read the plan ledger. One transaction per public method."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.db = ctx.db

    # -- settings ------------------------------------------------------------

    def _settings(self) -> Settings:
        if self.ctx.settings is None:
            from lctasks.config import load_settings

            self.ctx.settings = load_settings()
        settings: Settings = self.ctx.settings
        return settings

    # -- import --------------------------------------------------------------

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
        file_units = _file_units()
        chapter_titles = {c.number: c.title for c in tree.chapters()}
        now = utcnow()
        with self.db.write() as s:
            report(t("import.stage.units"), 0, len(file_units))
            units_added, units_updated = self._sync_units(s, file_units)
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
            node_counts = self._write_nodes(s, plan.id, tree)
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
            log.append(
                "import",
                plan=plan_code,
                changes={
                    "source": [None, source_name],
                    "sha256": [None, tree.source_sha256],
                    "counts": [None, counts],
                    "added": [None, len(added)],
                    "changed": [None, len(changed)],
                    "removed": [None, len(removed)],
                    "rekeyed": [None, [list(m) for m in moved]],
                },
                source=Source.IMPORT,
            )
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
    def _sync_units(s: Session, units: Sequence[Unit]) -> tuple[list[str], list[str]]:
        """Add or update units by name (or short name); never delete any."""
        if not units:
            return [], []
        rows = list(s.scalars(select(UnitRow)))
        by_name = {r.name: r for r in rows}
        by_short = {r.short: r for r in rows}
        added: list[str] = []
        updated: list[str] = []
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
                row.name, row.short, row.kind, row.confirmed = new
                updated.append(u.short)
        s.flush()
        return added, updated

    @staticmethod
    def _write_nodes(s: Session, plan_id: int, tree: PlanTree) -> dict[str, int]:
        """Replace the plan's browsable tree (nothing refers to node rows)."""
        s.execute(delete(PlanNodeRow).where(PlanNodeRow.plan_id == plan_id))
        nodes: list[dict[str, Any]] = []

        def node(kind: str, number: int, **kw: Any) -> None:
            nodes.append(
                {
                    "plan_id": plan_id,
                    "kind": kind,
                    "number": number,
                    "part": kw.get("part"),
                    "chapter": kw.get("chapter", 0),
                    "title": kw.get("title", ""),
                    "body": kw.get("body", ""),
                    "line": kw.get("line", 0),
                    "is_reference": kw.get("is_reference", False),
                    "note": kw.get("note", ""),
                }
            )

        if tree.preamble:
            node(
                "preamble",
                0,
                body="\n".join(p.text for p in tree.preamble),
                line=tree.preamble[0].line,
            )
        counts = Counter[str]()
        for part in tree.parts:
            intro = getattr(part, "paragraphs", ())
            node(
                "part",
                part.number,
                title=part.title,
                line=part.line,
                body="\n".join(p.text for p in intro),
            )
            counts["parts"] += 1
            for ch in part.chapters:
                counts["chapters"] += 1
                node(
                    "chapter",
                    ch.number,
                    part=part.number,
                    chapter=ch.number,
                    title=ch.title,
                    line=ch.line,
                    body="\n".join(p.text for p in ch.paragraphs),
                )
                for sec in ch.sections:
                    counts["sections"] += 1
                    node(
                        "section",
                        sec.number,
                        part=part.number,
                        chapter=ch.number,
                        title=sec.title,
                        line=sec.line,
                    )
                for box in ch.boxes:
                    counts["boxes"] += 1
                    counts["reference_boxes"] += int(box.is_reference)
                    note = ""
                    if box.printed_after_chapter != box.chapter:
                        # stored language-neutral; _box_note renders it when read
                        note = f"{PRINTED_AFTER}{box.printed_after_chapter}"
                    node(
                        "box",
                        box.number,
                        part=part.number,
                        chapter=box.chapter,
                        title=box.title,
                        line=box.line,
                        body=box.text,
                        is_reference=box.is_reference,
                        note=note,
                    )
        for i, u in enumerate(tree.unplaced, start=1):
            node("unplaced", i, title=u.reason, body=u.text, line=u.line, note=u.reason)
        counts["unplaced"] = len(tree.unplaced)
        counts["indicator_rows"] = len(tree.indicators)
        if nodes:
            s.execute(_core_insert(PlanNodeRow), nodes)
        return dict(counts)

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
        for i in range(0, total, _CHUNK):
            chunk = drafts[i : i + _CHUNK]
            values = [self._task_values(plan, d, suggestions.get(d.key), now) for d in chunk]
            # plain executemany, then one SELECT for the ids: SQLAlchemy's ORM bulk
            # INSERT .. RETURNING splices its result batches in quadratic time
            s.execute(_core_insert(TaskRow), values)
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
                s.execute(_core_insert(ChecklistRow), items)
            report(t("import.stage.tasks"), min(i + _CHUNK, total), total)
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
        existing = {r.key: r for r in s.scalars(select(TaskRow).where(TaskRow.plan_id == plan.id))}
        drafts, moved = rekey(
            tree.tasks,
            {k: (r.kind, r.chapter, _norm_item(r.source_text or "")) for k, r in existing.items()},
        )
        suggestions = {
            new.key: suggestions.get(old.key) for old, new in zip(tree.tasks, drafts, strict=True)
        }
        new_drafts = [d for d in drafts if d.key not in existing]
        added = self._insert_tasks(s, plan, new_drafts, suggestions, now, report)
        for key in added:
            log.append("added", plan=plan.code, task=key, source=Source.IMPORT)
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
            if n % _CHUNK == 0:
                report(t("import.stage.tasks"), n, len(tree.tasks))
        if rewrite:
            ids = list(rewrite)
            for i in range(0, len(ids), _CHUNK):
                s.execute(delete(ChecklistRow).where(ChecklistRow.task_id.in_(ids[i : i + _CHUNK])))
            items = [item for rows in rewrite.values() for item in rows]
            if items:
                s.execute(_core_insert(ChecklistRow), items)
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

    # -- reading: plans and units ---------------------------------------------

    def plans(self) -> list[PlanInfo]:
        with self.db.read() as s:
            counts: dict[tuple[int, bool], int] = {
                (pid, bool(rem)): n
                for pid, rem, n in s.execute(
                    select(TaskRow.plan_id, TaskRow.removed, func.count()).group_by(
                        TaskRow.plan_id, TaskRow.removed
                    )
                )
            }
            return [
                self._plan_info(p, counts.get((p.id, False), 0), counts.get((p.id, True), 0))
                for p in s.scalars(select(PlanRow).order_by(PlanRow.code))
            ]

    @staticmethod
    def _plan_info(p: PlanRow, tasks: int, removed: int) -> PlanInfo:
        return PlanInfo(
            code=p.code,
            title=p.title,
            doc_number=p.doc_number or "",
            start=p.start,
            end=p.end,
            source_name=p.source_name or "",
            source_sha256=p.source_sha256 or "",
            imported_at=as_utc(p.imported_at),
            tasks=tasks,
            removed=removed,
        )

    def units(self) -> list[Unit]:
        """Units in the database (synced from units.toml at import), else from the file.

        Aliases come from the file (the database keeps names only).
        """
        file_units = _file_units()
        with self.db.read() as s:
            rows = list(s.scalars(select(UnitRow).order_by(UnitRow.id)))
        if not rows:
            return file_units
        aliases = {u.short: u.aliases for u in file_units}
        order = {u.short: i for i, u in enumerate(file_units)}
        rows.sort(key=lambda r: (order.get(r.short, len(order)), r.id))
        return [
            Unit(
                name=r.name,
                short=r.short,
                kind=UnitKind(r.kind),
                confirmed=r.confirmed,
                aliases=aliases.get(r.short, ()),
            )
            for r in rows
        ]

    # -- reading: tasks -------------------------------------------------------

    def _filtered(self, s: Session, plan: PlanRow, flt: TaskFilter) -> Any:
        q = (
            select(*_TASK_COLUMNS)
            .select_from(TaskRow)
            .outerjoin(UnitRow, TaskRow.lead_unit_id == UnitRow.id)
            .where(TaskRow.plan_id == plan.id)
        )
        if not flt.include_removed:
            q = q.where(TaskRow.removed.is_(False))
        if flt.chapters:
            q = q.where(TaskRow.chapter.in_(flt.chapters))
        if flt.kinds:
            q = q.where(TaskRow.kind.in_([TaskKind(k).value for k in flt.kinds]))
        if flt.statuses:
            q = q.where(TaskRow.status.in_([Status(x).value for x in flt.statuses]))
        if flt.due_before:
            q = q.where(TaskRow.due <= flt.due_before)
        if flt.due_after:
            q = q.where(TaskRow.due >= flt.due_after)
        if flt.unassigned:
            q = q.where(TaskRow.lead_unit_id.is_(None))
        if flt.text:
            needle = flt.text.strip()
            q = q.where(
                or_(
                    func.lower(TaskRow.key).contains(needle.lower(), autoescape=True),
                    TaskRow.title.contains(needle, autoescape=True),
                    TaskRow.source_text.contains(needle, autoescape=True),
                )
            )
        if flt.units:
            shorts = _unit_shorts(flt.units)
            unit_ids = select(UnitRow.id).where(UnitRow.short.in_(shorts))
            co = select(CoUnitRow.task_id).where(CoUnitRow.unit_id.in_(unit_ids))
            q = q.where(or_(TaskRow.lead_unit_id.in_(unit_ids), TaskRow.id.in_(co)))
        order = {
            "plan": (TaskRow.chapter, TaskRow.line, TaskRow.key),
            "due": (TaskRow.due, TaskRow.chapter, TaskRow.line, TaskRow.key),
            "key": (TaskRow.key,),
            "updated": (TaskRow.updated_at.desc(), TaskRow.key),
        }.get(flt.order)
        if order is None:
            from lctasks.domain import InvalidInputError

            raise InvalidInputError(
                f"--order {flt.order}?", hint="--order plan | due | key | updated"
            )
        return q.order_by(*order)

    def list_tasks(
        self,
        flt: TaskFilter | None = None,
        *,
        as_of: dt.date | None = None,
        with_reports: bool = False,
    ) -> list[Task]:
        """Tasks matching ``flt``, with lights as of ``as_of`` (default today).

        Summaries: no checklist; ``latest_report`` only with ``with_reports=True``
        (the light always takes the latest report's date into account). Built
        for 100,000 tasks: filters run in SQL, lights are memoised per distinct
        (status, dates, progress), JSON columns are parsed once per distinct value.
        """
        flt = flt or TaskFilter()
        as_of = as_of or dt.date.today()
        light = _LightMemo(as_of, self._settings())
        with self.db.read() as s:
            plan = resolve_plan(s, flt.plan)
            q = self._filtered(s, plan, flt)
            if not flt.lights:
                if flt.offset:
                    q = q.offset(flt.offset)
                if flt.limit is not None:
                    q = q.limit(flt.limit)
            rows = s.execute(q).all()
            if not rows:
                return []
            ids = [r[0] for r in rows]
            co = self._co_units(s, plan, ids)
            last_at = self._last_report_at(s, plan, ids, as_of)
            reports = self._latest_reports(s, plan, ids) if with_reports else {}
        wanted = {Light(x) for x in flt.lights}
        json_value = _JsonMemo()
        tasks = []
        for r in rows:
            lit = light(r.status, r.start, r.due, r.progress or 0, last_at.get(r[0]))
            if wanted and lit not in wanted:
                continue
            tasks.append(
                self._summary(r, plan.code, co.get(r[0], ()), reports.get(r[0]), lit, json_value)
            )
        if flt.lights:
            end = None if flt.limit is None else flt.offset + flt.limit
            tasks = tasks[flt.offset : end]
        return tasks

    @staticmethod
    def _co_units(s: Session, plan: PlanRow, ids: list[int]) -> dict[int, tuple[str, ...]]:
        base = (
            select(CoUnitRow.task_id, UnitRow.short)
            .join(UnitRow, CoUnitRow.unit_id == UnitRow.id)
            .order_by(CoUnitRow.task_id, CoUnitRow.position)
        )
        if len(ids) <= 20 * _CHUNK:  # a filtered list: IN lists of _CHUNK ids
            queries = [
                base.where(CoUnitRow.task_id.in_(ids[i : i + _CHUNK]))
                for i in range(0, len(ids), _CHUNK)
            ]
        else:  # most of the plan: one join beats many bound parameters
            queries = [
                base.join(TaskRow, TaskRow.id == CoUnitRow.task_id).where(
                    TaskRow.plan_id == plan.id
                )
            ]
        out: defaultdict[int, list[str]] = defaultdict(list)
        for q in queries:
            for tid, short in s.execute(q):
                out[tid].append(short)
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def _latest_subquery(plan: PlanRow, ids: list[int] | None, as_of: dt.date | None = None) -> Any:
        latest = select(ProgressRow.task_id, func.max(ProgressRow.at).label("at")).group_by(
            ProgressRow.task_id
        )
        if as_of is not None:  # the latest report at or before the as-of day
            end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
            latest = latest.where(ProgressRow.at < end)
        if ids is not None and len(ids) <= _CHUNK:
            return latest.where(ProgressRow.task_id.in_(ids))
        return latest.join(TaskRow, TaskRow.id == ProgressRow.task_id).where(
            TaskRow.plan_id == plan.id
        )

    def _last_report_at(
        self, s: Session, plan: PlanRow, ids: list[int], as_of: dt.date
    ) -> dict[int, dt.date]:
        """The date of the newest progress report per task up to ``as_of`` (for the light)."""
        out: dict[int, dt.date] = {}
        for tid, at in s.execute(self._latest_subquery(plan, ids, as_of)):
            if at is not None:
                out[tid] = at.date() if isinstance(at, dt.datetime) else at
        return out

    def _latest_reports(
        self, s: Session, plan: PlanRow, ids: list[int]
    ) -> dict[int, ProgressReport]:
        """The newest progress report per task."""
        sub = self._latest_subquery(plan, ids).subquery()
        q = select(ProgressRow).join(
            sub, (ProgressRow.task_id == sub.c.task_id) & (ProgressRow.at == sub.c.at)
        )
        out: dict[int, ProgressReport] = {}
        for row in s.scalars(q):
            rep = progress_report(row)
            if rep is not None:
                out[row.task_id] = rep
        return out

    @staticmethod
    def _summary(
        r: Any,
        plan_code: str,
        co: tuple[str, ...],
        report: ProgressReport | None,
        light: Light,
        memo: _JsonMemo,
    ) -> Task:
        (
            _tid,
            key,
            kind,
            chapter,
            title,
            status,
            due,
            basis,
            start,
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
        ) = r
        return Task(
            plan_code,
            key,
            _KINDS[kind],
            chapter,
            title,
            _STATUSES[status],
            due,
            _BASES[basis],
            start,
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
            original_due,
            (),
            memo.suggestion(s_lead, s_co, s_rules),
            report,
            light,
            bool(removed),
            updated_at.replace(tzinfo=dt.UTC) if updated_at.tzinfo is None else updated_at,
            memo.pairs(attrs),
        )

    def get_task(self, key: str, plan: str | None = None, *, as_of: dt.date | None = None) -> Task:
        """One task with checklist, targets, owners, suggestion, latest report and light."""
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            return self._full_task(s, plan_row, key, as_of or dt.date.today())

    def _full_task(self, s: Session, plan_row: PlanRow, key: str, as_of: dt.date) -> Task:
        row = load_tasks(s, plan_row, [key])[key]
        newest = (
            select(ProgressRow)
            .where(ProgressRow.task_id == row.id)
            .order_by(ProgressRow.at.desc(), ProgressRow.id.desc())
            .limit(1)
        )
        latest = s.scalars(newest).first()
        task = task_view(
            row,
            as_of=as_of,
            settings=self._settings(),
            latest_report=latest,
            plan_code=plan_row.code,
        )
        end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
        latest_at = as_utc(latest.at) if latest is not None else None
        if latest_at is not None and latest_at >= end:
            # the task shows its newest report, but the light as of a past day
            # counts only the reports made by then (as list_tasks and outline do)
            before = s.scalars(newest.where(ProgressRow.at < end)).first()
            light = compute_light(
                status=task.status,
                start=task.start,
                due=task.due,
                progress=task.progress,
                as_of=as_of,
                settings=self._settings(),
                latest_report=progress_report(before),
            )
            task = dataclasses.replace(task, light=light)
        return task

    def task_detail(
        self, key: str, plan: str | None = None, *, as_of: dt.date | None = None
    ) -> TaskDetail:
        """``get_task`` plus where the task stands in the plan (part, chapter, section, box)."""
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            task = self._full_task(s, plan_row, key, as_of or dt.date.today())
            nodes = {
                (n.kind, n.chapter, n.number): n
                for n in s.scalars(
                    select(PlanNodeRow).where(
                        PlanNodeRow.plan_id == plan_row.id,
                        PlanNodeRow.kind.in_(("part", "chapter", "section", "box")),
                    )
                )
            }
            chapter = nodes.get(("chapter", task.chapter, task.chapter))
            part = (
                nodes.get(("part", 0, chapter.part))
                if chapter is not None and chapter.part
                else None
            )
            section = nodes.get(("section", task.chapter, task.section)) if task.section else None
            box = None
            if task.box is not None:
                box = next(
                    (n for k, n in nodes.items() if k[0] == "box" and k[2] == task.box), None
                )
            return TaskDetail(
                task=task,
                plan_title=plan_row.title,
                part=(part.number, part.title) if part else None,
                chapter_title=chapter.title if chapter else "",
                section_title=section.title if section else "",
                box_title=box.title if box else "",
                box_note=_box_note(box.note) if box else "",
            )

    # -- reading: the tree ----------------------------------------------------

    def _light_rows(
        self, s: Session, plan: PlanRow, as_of: dt.date
    ) -> list[tuple[int, int | None, int | None, str, Light, int]]:
        """(chapter, section, box, kind, light, count) over the plan's live tasks.

        Grouped in SQL by everything the light depends on (status, start, due,
        progress, and whether the latest report falls in the current period), so
        Python sees one row per distinct group, not one per task.
        """
        light = _LightMemo(as_of, self._settings())
        since = dt.datetime.combine(light.period_start, dt.time(), dt.UTC)
        latest = self._latest_subquery(plan, None, as_of).subquery()
        bucket = case((latest.c.at >= since, 1), (latest.c.at.is_not(None), 0), else_=None).label(
            "bucket"
        )
        keys = (
            TaskRow.chapter,
            TaskRow.section,
            TaskRow.box,
            TaskRow.kind,
            TaskRow.status,
            TaskRow.start,
            TaskRow.due,
            TaskRow.progress,
        )
        q = (
            select(*keys, bucket, func.count())
            .select_from(TaskRow)
            .outerjoin(latest, latest.c.task_id == TaskRow.id)
            .where(TaskRow.plan_id == plan.id, TaskRow.removed.is_(False))
            .group_by(*keys, bucket)
        )
        out = []
        for chapter, section, box, kind, status, start, due, progress, b, n in s.execute(q):
            last = None if b is None else (light.period_start if b else light.before)
            out.append(
                (chapter, section, box, kind, light(status, start, due, progress or 0, last), n)
            )
        return out

    def outline(self, plan: str | None = None, *, as_of: dt.date | None = None) -> PlanOutline:
        """Parts → chapters → sections (and boxes) with task, red and yellow counts."""
        as_of = as_of or dt.date.today()
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            nodes = list(
                s.scalars(
                    select(PlanNodeRow)
                    .where(PlanNodeRow.plan_id == plan_row.id)
                    .order_by(PlanNodeRow.line, PlanNodeRow.id)
                )
            )
            lights = self._light_rows(s, plan_row, as_of)
            removed = s.scalar(
                select(func.count()).where(
                    TaskRow.plan_id == plan_row.id, TaskRow.removed.is_(True)
                )
            )
            info = self._plan_info(plan_row, sum(i[5] for i in lights), removed or 0)

        def tally(items: Iterable[tuple[Any, ...]]) -> Counts:
            n = red = yellow = 0
            for item in items:
                n += item[5]
                red += item[5] if item[4] is Light.RED else 0
                yellow += item[5] if item[4] is Light.YELLOW else 0
            return Counts(n, red, yellow)

        by_chapter: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for item in lights:
            by_chapter[item[0]].append(item)
        parts: list[OutlinePart] = []
        chapter_nodes: defaultdict[int, list[PlanNodeRow]] = defaultdict(list)
        sections: defaultdict[int, list[PlanNodeRow]] = defaultdict(list)
        boxes: defaultdict[int, list[PlanNodeRow]] = defaultdict(list)
        unplaced: list[Unplaced] = []
        part_nodes: list[PlanNodeRow] = []
        for n in nodes:
            if n.kind == "part":
                part_nodes.append(n)
            elif n.kind == "chapter":
                chapter_nodes[n.part or 0].append(n)
            elif n.kind == "section":
                sections[n.chapter].append(n)
            elif n.kind == "box":
                boxes[n.chapter].append(n)
            elif n.kind == "unplaced":
                unplaced.append(Unplaced(line=n.line, text=n.body, reason=n.note or n.title))
        seen_chapters: set[int] = set()
        for p in sorted(part_nodes, key=lambda n: n.number):
            chapters: list[OutlineChapter] = []
            for c in sorted(chapter_nodes.get(p.number, []), key=lambda n: n.number):
                seen_chapters.add(c.number)
                items = by_chapter.get(c.number, [])
                chapters.append(
                    OutlineChapter(
                        number=c.number,
                        title=c.title,
                        part=p.number,
                        line=c.line,
                        counts=tally(items),
                        by_kind=_weighted_kinds(items),
                        sections=tuple(
                            OutlineSection(
                                number=sec.number,
                                title=sec.title,
                                line=sec.line,
                                counts=tally(i for i in items if i[1] == sec.number),
                            )
                            for sec in sorted(sections.get(c.number, []), key=lambda n: n.number)
                        ),
                        boxes=tuple(
                            OutlineBox(
                                number=b.number,
                                title=b.title,
                                chapter=b.chapter,
                                is_reference=b.is_reference,
                                note=_box_note(b.note),
                                line=b.line,
                                text=b.body,
                                counts=tally(i for i in items if i[2] == b.number),
                            )
                            for b in sorted(boxes.get(c.number, []), key=lambda n: n.number)
                        ),
                    )
                )
            parts.append(
                OutlinePart(
                    number=p.number,
                    title=p.title,
                    line=p.line,
                    counts=tally(i for c in chapters for i in by_chapter.get(c.number, [])),
                    chapters=tuple(chapters),
                )
            )
        return PlanOutline(
            plan=info,
            as_of=as_of,
            counts=tally(lights),
            parts=tuple(parts),
            unplaced=tuple(unplaced),
            other=tally(i for i in lights if i[0] not in seen_chapters),
        )

    def coverage(self, plan: str | None = None) -> Coverage:
        """Tasks per chapter, chapters without tasks, reference boxes, unplaced count."""
        out = self.outline(plan)
        chapters = [c for p in out.parts for c in p.chapters]
        by_kind: Counter[str] = Counter()
        for c in chapters:
            by_kind.update(c.by_kind)
        refs = tuple(
            (b.number, b.title, b.chapter) for c in chapters for b in c.boxes if b.is_reference
        )
        return Coverage(
            plan=out.plan.code,
            tasks=out.counts.tasks,
            by_kind={k.value: by_kind.get(k.value, 0) for k in TaskKind},
            chapters=tuple(
                ChapterCoverage(
                    chapter=c.number,
                    title=c.title,
                    tasks=c.counts.tasks,
                    by_kind=c.by_kind,
                    reference_boxes=tuple(b.number for b in c.boxes if b.is_reference),
                )
                for c in chapters
            ),
            without_tasks=tuple(c.number for c in chapters if c.counts.tasks == 0),
            reference_boxes=refs,
            unplaced=len(out.unplaced),
        )


@dataclass(frozen=True, slots=True)
class TaskDetail:
    """A task and the titles of the places it comes from in the plan."""

    task: Task
    plan_title: str
    part: tuple[int, str] | None
    chapter_title: str
    section_title: str
    box_title: str
    box_note: str
