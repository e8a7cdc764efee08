"""TOML status snapshots for review meetings: build, write, read, compare.

Pure: domain types, the standard library and tomli_w (no database, no UI), so other
offices' tools can reuse it and the services stay the only place that talks to
storage. The layout is documented in ``docs/snapshot-format.md``.

Design choices, each for a user-visible reason:

* **Deterministic bytes.** Tables and tasks are written in a stable order, every
  datetime in China Standard Time (+08:00, no daylight saving), no wall-clock
  time unless the caller passes ``stamp``; the same data and as-of date give the
  same file, so snapshots diff cleanly in git.
* **Written by tomli_w, read by tomllib.** ``to_document`` builds plain
  dicts; ``tomli_w`` writes every byte of TOML (``multiline_strings=False``:
  every value on one line), with a header comment and one comment line above
  each top-level table; ``tomllib`` reads. No TOML is formatted or parsed here.
* **Diff reads only what changed.** Two 100,000-task files are cut into task
  tables at the header lines (safe because the writer never spans a string
  over lines); ``tomllib`` reads only the tables whose text differs, or both
  files whole when the cut is not safe (``compare_texts``).
* **Errors name file, key path and line.** Syntax errors carry tomllib's
  line/column; semantic errors (unknown status, bad date) are located by
  scanning the text for the key (``find_key_line``).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import re
import sys
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from lctasks.domain import (
    DueBasis,
    InvalidInputError,
    Light,
    NotFoundError,
    ProgressReport,
    Status,
    StorageError,
    Task,
    TaskKind,
)
from lctasks.i18n import t

SCHEMA_VERSION = 1
CST = dt.timezone(dt.timedelta(hours=8), "CST")  # China Standard Time, no DST
UNASSIGNED = "未分配"  # the by-unit row of tasks without a lead unit
STATUSES: tuple[Status, ...] = tuple(Status)
LIGHTS: tuple[Light, ...] = tuple(Light)

# Words a meeting may type instead of the status code (read side only).
STATUS_WORDS: dict[str, Status] = {
    "未启动": Status.NOT_STARTED,
    "推进中": Status.IN_PROGRESS,
    "受阻": Status.BLOCKED,
    "已完成": Status.DONE,
    "已完成（待销号）": Status.DONE,
    "待销号": Status.DONE,
    "已销号": Status.CLOSED,
    "销号": Status.CLOSED,
    "退回": Status.RETURNED,
    "退回重办": Status.RETURNED,
    "暂缓": Status.SUSPENDED,
}

# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanInfo:
    code: str
    title: str
    doc_number: str = ""
    start: dt.date = dt.date(2021, 1, 1)
    end: dt.date = dt.date(2025, 12, 31)


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """The point in the event log a snapshot reflects: last event's seq and hash."""

    seq: int = 0
    hash: str = ""


@dataclass(frozen=True, slots=True)
class Counts:
    """Tasks by status and by light. Every status and light is present (0 if none).

    ``overdue``: past the deadline on the as-of date and not done/closed (as in
    ``lctasks report``).
    """

    tasks: int = 0
    status: Mapping[Status, int] = field(default_factory=dict)
    light: Mapping[Light, int] = field(default_factory=dict)
    title: str = ""  # chapters only
    overdue: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", {s: int(self.status.get(s, 0)) for s in STATUSES})
        object.__setattr__(self, "light", {g: int(self.light.get(g, 0)) for g in LIGHTS})


@dataclass(frozen=True, slots=True)
class SnapshotFilter:
    units: tuple[str, ...] = ()
    chapters: tuple[int, ...] = ()
    statuses: tuple[Status, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.units or self.chapters or self.statuses)


@dataclass(frozen=True, slots=True)
class LastChange:
    seq: int
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class SnapshotTask:
    id: str
    kind: TaskKind
    chapter: int
    title: str
    status: Status
    due: dt.date
    due_basis: DueBasis
    lead: str | None = None
    co_units: tuple[str, ...] = ()
    person: str | None = None
    original_due: dt.date | None = None
    light: Light | None = None
    progress: int = 0
    version: int = 1
    last_change: LastChange | None = None
    latest_report: ProgressReport | None = None
    removed: bool = False
    # only in a reviewed file: what the meeting wants recorded with its edits
    note: str = ""
    evidence: str = ""

    @property
    def due_inferred(self) -> bool:
        return self.due_basis == DueBasis.INFERRED


@dataclass(frozen=True, slots=True)
class OwnerChange:
    task: str
    old_lead: str | None
    new_lead: str | None
    old_co_units: tuple[str, ...]
    new_co_units: tuple[str, ...]
    old_person: str | None
    new_person: str | None


@dataclass(frozen=True, slots=True)
class ValueChange:
    task: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """What changed between two snapshots ("since the last meeting")."""

    old_as_of: dt.date
    new_as_of: dt.date
    old_seq: int = 0
    new_seq: int = 0
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    newly_done: tuple[str, ...] = ()
    newly_closed: tuple[str, ...] = ()
    returned: tuple[str, ...] = ()
    newly_red: tuple[str, ...] = ()
    newly_yellow: tuple[str, ...] = ()
    back_to_green: tuple[str, ...] = ()
    reassigned: tuple[OwnerChange, ...] = ()
    due_moved: tuple[ValueChange, ...] = ()
    status_changed: tuple[ValueChange, ...] = ()
    progress_changed: tuple[ValueChange, ...] = ()

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in DIFF_GROUPS)

    def task_ids(self) -> set[str]:
        ids: set[str] = set()
        for name in DIFF_GROUPS:
            for item in getattr(self, name):
                ids.add(item if isinstance(item, str) else item.task)
        return ids


DIFF_ID_GROUPS = (
    "added",
    "removed",
    "newly_done",
    "newly_closed",
    "returned",
    "newly_red",
    "newly_yellow",
    "back_to_green",
)
DIFF_CHANGE_GROUPS = ("reassigned", "due_moved", "status_changed", "progress_changed")
DIFF_GROUPS = DIFF_ID_GROUPS + DIFF_CHANGE_GROUPS


@dataclass(frozen=True, slots=True)
class Snapshot:
    plan: PlanInfo
    as_of: dt.date
    history: HistoryPoint
    totals: Counts
    units: Mapping[str, Counts]
    chapters: Mapping[int, Counts]
    tasks: tuple[SnapshotTask, ...]
    filter: SnapshotFilter = SnapshotFilter()
    changes: SnapshotDiff | None = None
    generated_at: dt.datetime | None = None
    schema_version: int = SCHEMA_VERSION

    def task_map(self) -> dict[str, SnapshotTask]:
        return {task.id: task for task in self.tasks}


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic data.

    Reading or writing 100,000 tasks allocates millions of small objects, and
    CPython's collector rescans them again and again (~40% of the time here);
    none of them form cycles, so nothing is lost by collecting afterwards.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# ---------------------------------------------------------------------------
# Building from domain objects
# ---------------------------------------------------------------------------

_NUM = re.compile(r"(\d+)")


@lru_cache(maxsize=1 << 18)  # export, write and diff sort the same IDs again
def natural_key(task_id: str) -> tuple[str | int, ...]:
    """C2.M3 < C10.M03 < I07: numbers compare as numbers, text as text.

    Splitting on digit runs puts text at even and numbers at odd positions in
    every key, so keys compare position by position without mixing types.
    """
    parts: list[str | int] = list(_NUM.split(task_id))
    parts[1::2] = [int(p) for p in parts[1::2]]  # type: ignore[arg-type]
    return tuple(parts)


def snapshot_task(task: Task, last_change: LastChange | None = None) -> SnapshotTask:
    return SnapshotTask(
        id=task.id,
        kind=task.kind,
        chapter=task.chapter,
        title=task.title,
        status=task.status,
        due=task.due,
        due_basis=task.due_basis,
        lead=task.lead_unit,
        co_units=tuple(task.co_units),
        person=task.person,
        original_due=task.original_due,
        light=task.light,
        progress=task.progress,
        version=task.version,
        last_change=last_change,
        latest_report=task.latest_report,
        removed=task.removed,
    )


def tally(
    tasks: Iterable[SnapshotTask],
    chapter_titles: Mapping[int, str] | None = None,
    as_of: dt.date | None = None,
) -> tuple[Counts, dict[str, Counts], dict[int, Counts]]:
    """Totals, by lead unit and by chapter, counted from the tasks themselves.

    Removed tasks are not counted (as in ``lctasks report``).
    """
    titles = chapter_titles or {}
    # count distinct (lead, chapter, status, light, late) cases first: C speed
    cases = Counter(
        (
            x.lead or UNASSIGNED,
            x.chapter,
            x.status,
            x.light,
            as_of is not None and as_of > x.due and not x.status.finished,
        )
        for x in tasks
        if not x.removed
    )
    total: list[Any] = [0, Counter(), Counter(), 0]
    units: dict[str, list[Any]] = {}
    chapters: dict[int, list[Any]] = {}
    for (lead, chapter, status, light, late), n in cases.items():
        if lead not in units:
            units[lead] = [0, Counter(), Counter(), 0]
        if chapter not in chapters:
            chapters[chapter] = [0, Counter(), Counter(), 0]
        for acc in (total, units[lead], chapters[chapter]):
            acc[0] += n
            acc[1][status] += n
            if light is not None:
                acc[2][light] += n
            if late:
                acc[3] += n
    return (
        Counts(total[0], total[1], total[2], "", total[3]),
        {name: Counts(a[0], a[1], a[2], "", a[3]) for name, a in units.items()},
        {n: Counts(a[0], a[1], a[2], titles.get(n, ""), a[3]) for n, a in chapters.items()},
    )


def build_snapshot(
    plan: PlanInfo,
    tasks: Iterable[Task | SnapshotTask],
    *,
    as_of: dt.date,
    history: HistoryPoint = HistoryPoint(),
    last_changes: Mapping[str, LastChange] | None = None,
    totals: Counts | None = None,
    units: Mapping[str, Counts] | None = None,
    chapters: Mapping[int, Counts] | None = None,
    chapter_titles: Mapping[int, str] | None = None,
    filter: SnapshotFilter = SnapshotFilter(),
    since: Snapshot | None = None,
    stamp: dt.datetime | None = None,
) -> Snapshot:
    """A snapshot of ``tasks`` as of ``as_of``.

    Totals and the by-unit / by-chapter tables are counted from the tasks unless
    the caller passes them (the review service passes the report service's own
    figures, so the snapshot and ``lctasks report`` always agree).
    """
    changes = last_changes or {}
    items = [
        t_ if isinstance(t_, SnapshotTask) else snapshot_task(t_, changes.get(t_.id))
        for t_ in tasks
    ]
    items.sort(key=lambda x: natural_key(x.id))
    counted = tally(items, chapter_titles, as_of) if None in (totals, units, chapters) else None
    snap = Snapshot(
        plan=plan,
        as_of=as_of,
        history=history,
        totals=totals if totals is not None else counted[0],  # type: ignore[index]
        units=dict(units) if units is not None else counted[1],  # type: ignore[index]
        chapters=dict(chapters) if chapters is not None else counted[2],  # type: ignore[index]
        tasks=tuple(items),
        filter=filter,
        generated_at=stamp,
    )
    if since is not None:
        snap = replace(snap, changes=diff_snapshots(since, snap))
    return snap


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------


def diff_snapshots(old: Snapshot, new: Snapshot) -> SnapshotDiff:
    """What changed from ``old`` to ``new``, grouped the way a meeting reads it.

    A task marked ``removed`` (gone from the plan at a re-import) counts as
    removed; tasks that are new only appear under ``added``.
    """
    before = {x.id: x for x in old.tasks if not x.removed}
    after = {x.id: x for x in new.tasks if not x.removed}
    groups: dict[str, list[Any]] = {name: [] for name in DIFF_GROUPS}
    groups["added"] = [i for i in after if i not in before]
    groups["removed"] = [i for i in before if i not in after]
    for tid, b in after.items():
        a = before.get(tid)
        if a is None:
            continue
        if a.status != b.status:
            groups["status_changed"].append(ValueChange(tid, a.status, b.status))
            if b.status == Status.DONE:
                groups["newly_done"].append(tid)
            elif b.status == Status.CLOSED:
                groups["newly_closed"].append(tid)
            elif b.status == Status.RETURNED:
                groups["returned"].append(tid)
        if a.light != b.light:
            if b.light == Light.RED:
                groups["newly_red"].append(tid)
            elif b.light == Light.YELLOW and a.light != Light.RED:
                groups["newly_yellow"].append(tid)
            elif b.light == Light.GREEN and a.light in (Light.RED, Light.YELLOW):
                groups["back_to_green"].append(tid)
        if a.lead != b.lead or a.co_units != b.co_units or a.person != b.person:
            groups["reassigned"].append(
                OwnerChange(tid, a.lead, b.lead, a.co_units, b.co_units, a.person, b.person)
            )
        if a.due != b.due:
            groups["due_moved"].append(ValueChange(tid, a.due, b.due))
        if a.progress != b.progress:
            groups["progress_changed"].append(ValueChange(tid, a.progress, b.progress))
    for values in groups.values():
        values.sort(key=lambda v: natural_key(v if isinstance(v, str) else v.task))
    return SnapshotDiff(
        old_as_of=old.as_of,
        new_as_of=new.as_of,
        old_seq=old.history.seq,
        new_seq=new.history.seq,
        **{name: tuple(values) for name, values in groups.items()},
    )


# ---------------------------------------------------------------------------
# Snapshot <-> TOML document (plain dicts)
# ---------------------------------------------------------------------------


def _opt_str(value: str | None) -> str:
    return value or ""


def _counts_doc(c: Counts) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if c.title:
        doc["title"] = c.title
    doc["tasks"] = c.tasks
    for s in STATUSES:
        doc[s.value] = c.status[s]
    for g in LIGHTS:
        doc[g.value] = c.light[g]
    doc["overdue"] = c.overdue
    return doc


def _cst(v: dt.datetime) -> dt.datetime:
    """Every datetime in a snapshot is written in China Standard Time (+08:00)."""
    if v.tzinfo is None:
        raise ValueError(f"naive datetime {v!r}: snapshots only hold aware datetimes")
    return v if v.tzinfo is CST else v.astimezone(CST)


def _report_doc(r: ProgressReport) -> dict[str, Any]:
    doc: dict[str, Any] = {"at": _cst(r.at), "actor": r.actor}
    if r.period:
        doc["period"] = r.period
    if r.percent is not None:
        doc["percent"] = r.percent
    doc["made"] = r.made
    if r.problems:
        doc["problems"] = r.problems
    if r.next_steps:
        doc["next_steps"] = r.next_steps
    return doc


def _task_doc(x: SnapshotTask) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "title": x.title,
        "kind": x.kind.value,
        "chapter": x.chapter,
        "lead": _opt_str(x.lead),
        "co_units": list(x.co_units),
        "person": _opt_str(x.person),
        "due": x.due,
        "due_basis": x.due_basis.value,
    }
    if x.original_due is not None:
        doc["original_due"] = x.original_due
    doc["status"] = x.status.value
    if x.light is not None:
        doc["light"] = x.light.value
    doc["progress"] = x.progress
    doc["version"] = x.version
    if x.last_change is not None:
        doc["last_seq"] = x.last_change.seq
        doc["last_at"] = _cst(x.last_change.at)
    if x.removed:
        doc["removed"] = True
    if x.note:
        doc["note"] = x.note
    if x.evidence:
        doc["evidence"] = x.evidence
    if x.latest_report is not None:
        doc["latest_report"] = _report_doc(x.latest_report)
    return doc


def _chapter_key(n: int) -> str:
    return f"C{n:02d}"


def _diff_doc(d: SnapshotDiff) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "since_as_of": d.old_as_of,
        "since_history_seq": d.old_seq,
    }
    for name in DIFF_ID_GROUPS:
        doc[name] = list(getattr(d, name))
    doc["reassigned"] = {
        c.task: {
            "old_lead": _opt_str(c.old_lead),
            "new_lead": _opt_str(c.new_lead),
            "old_co_units": list(c.old_co_units),
            "new_co_units": list(c.new_co_units),
            "old_person": _opt_str(c.old_person),
            "new_person": _opt_str(c.new_person),
        }
        for c in d.reassigned
    }
    for name in ("due_moved", "status_changed", "progress_changed"):
        doc[name] = {c.task: {"old": _plain(c.old), "new": _plain(c.new)} for c in getattr(d, name)}
    return doc


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Status | Light) else value


def to_document(snap: Snapshot, *, with_tasks: bool = True) -> dict[str, Any]:
    """The snapshot as plain TOML data (also what ``--json`` prints)."""
    meta: dict[str, Any] = {
        "as_of": snap.as_of,
        "history_seq": snap.history.seq,
        "history_hash": snap.history.hash,
    }
    if snap.generated_at is not None:
        meta["generated_at"] = _cst(snap.generated_at)
    if snap.filter.units:
        meta["filter_units"] = list(snap.filter.units)
    if snap.filter.chapters:
        meta["filter_chapters"] = list(snap.filter.chapters)
    if snap.filter.statuses:
        meta["filter_statuses"] = [s.value for s in snap.filter.statuses]
    doc: dict[str, Any] = {
        "schema_version": snap.schema_version,
        "plan": {
            "code": snap.plan.code,
            "title": snap.plan.title,
            "doc_number": snap.plan.doc_number,
            "start": snap.plan.start,
            "end": snap.plan.end,
        },
        "snapshot": meta,
        "totals": _counts_doc(snap.totals),
        "units": {
            name: _counts_doc(snap.units[name]) for name in sorted(snap.units, key=_unit_order)
        },
        "chapters": {_chapter_key(n): _counts_doc(snap.chapters[n]) for n in sorted(snap.chapters)},
    }
    if snap.changes is not None:
        doc["changes"] = _diff_doc(snap.changes)
    if with_tasks:
        doc["tasks"] = {
            x.id: _task_doc(x) for x in sorted(snap.tasks, key=lambda x: natural_key(x.id))
        }
    return doc


def _unit_order(name: str) -> tuple[int, str]:
    return (1 if name == UNASSIGNED else 0, name)


# ---------------------------------------------------------------------------
# Writing: tomli_w
# ---------------------------------------------------------------------------

HEADER_COMMENT = """\
# 聊城市“十四五”规划任务台账 · 调度会状态快照
# 格式说明：docs/snapshot-format.md（lctasks snapshot 第 1 版）
# 可编辑后用 `lctasks apply 本文件 --dry-run` 预览、`lctasks apply 本文件` 回填：
#   lead 牵头单位 · co_units 配合单位 · person 责任人 · due 完成时限 · status 状态
#   可新增 note（说明 / 退回理由）、evidence（销号佐证材料）；其余字段只读。
# status：not_started 未启动 · in_progress 推进中 · blocked 受阻 · done 已完成（待销号）
#         closed 已销号 · returned 退回重办 · suspended 暂缓
# light：red 红灯 · yellow 黄灯 · green 绿灯；时间均为北京时间（+08:00）。
"""

SECTION_COMMENTS: dict[str, str] = {
    "plan": "# 规划",
    "snapshot": "# 快照：截至日期与对应的台账历史位置（最后一条事件的序号与哈希）",
    "totals": "# 总体情况：按状态、按预警灯",
    "units": "# 按牵头单位",
    "chapters": "# 按章",
    "changes": "# 自上次快照以来的变化",
    "tasks": "# 任务",
}


def dumps(doc: Mapping[str, Any], *, comments: bool = True) -> str:
    """TOML text of a document, every byte of TOML written by ``tomli_w``.

    Each top-level table is dumped on its own so that its explanatory comment
    can go above it; without comments the text is exactly ``tomli_w.dumps(doc)``
    (a test checks it). ``multiline_strings=False``: every string stays on one
    line, so a line starting with ``[`` is always a table header (``compare_texts``
    relies on it).
    """
    import tomli_w  # only export needs it

    out: list[str] = [HEADER_COMMENT] if comments else []
    top = {k: v for k, v in doc.items() if not isinstance(v, Mapping)}
    first = True
    if top:
        out.append(tomli_w.dumps(top, multiline_strings=False))
        first = False
    for key, value in doc.items():
        if not isinstance(value, Mapping):
            continue
        if not first:
            out.append("\n")
        first = False
        if comments and key in SECTION_COMMENTS:
            out.append(SECTION_COMMENTS[key] + "\n")
        out.append(tomli_w.dumps({key: value}, multiline_strings=False))
    return "".join(out)


def snapshot_text(snap: Snapshot, *, comments: bool = True) -> str:
    """The snapshot file's text (deterministic: same snapshot, same text)."""
    return dumps(to_document(snap), comments=comments)


def snapshot_bytes(snap: Snapshot) -> bytes:
    with bulk():
        return snapshot_text(snap).encode("utf-8")


# ---------------------------------------------------------------------------
# Atomic writing
# ---------------------------------------------------------------------------


def write_snapshot(snap: Snapshot | bytes, path: str | os.PathLike[str]) -> int:
    """Write ``snap`` to ``path`` atomically (``'-'``: stdout); return bytes written.

    The bytes go to a temporary file in the same directory, are flushed and
    fsynced, then renamed over the target with ``os.replace``: a reader sees the
    old snapshot or the new one, never half of one; a failure leaves the old
    file untouched and no temporary file behind.
    """
    data = snap if isinstance(snap, bytes) else snapshot_bytes(snap)
    if str(path) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return len(data)
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise NotFoundError(t("snap.no_dir", path=str(directory)), hint=t("snap.no_dir_hint"))
    tmp = directory / f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        # 0o666 minus the umask, like a plain open(); an existing file keeps its mode
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if target.exists():
                os.chmod(tmp, target.stat().st_mode & 0o7777)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(
            t("snap.write_failed", path=str(target), detail=exc.strerror or str(exc)),
            hint=t("snap.write_failed_hint"),
        ) from exc
    _fsync_dir(directory)
    return len(data)


def _fsync_dir(directory: Path) -> None:
    # make the rename itself durable; not possible (nor needed) everywhere
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------
# Reading: tomllib
# ---------------------------------------------------------------------------


def loads(text: str, *, name: str = "<snapshot>") -> dict[str, Any]:
    """TOML text → data with ``tomllib``; a syntax error names file, line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+), column (\d+)", str(exc))
        where = f"{name}:{m.group(1)}:{m.group(2)}" if m else name
        raise InvalidInputError(
            t("snap.bad_toml", where=where, detail=str(exc)),
            hint=t("snap.bad_toml_hint"),
        ) from exc


# ---------------------------------------------------------------------------
# Locating a key in the text (for error messages)
# ---------------------------------------------------------------------------

_KEY_TOKEN = re.compile(r"""[ \t]*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|'([^']*)')[ \t]*""")


def _split_keys(text: str) -> tuple[list[str], str] | None:
    """Parse a dotted key at the start of ``text``; return (parts, rest)."""
    parts: list[str] = []
    pos = 0
    while True:
        m = _KEY_TOKEN.match(text, pos)
        if m is None:
            return None
        bare, basic, literal = m.groups()
        if bare is not None:
            parts.append(bare)
        elif basic is not None:
            try:
                parts.append(json.loads('"' + basic + '"'))
            except ValueError:
                parts.append(basic)
        else:
            parts.append(literal or "")
        pos = m.end()
        if text[pos : pos + 1] == ".":
            pos += 1
            continue
        return parts, text[pos:]


def find_key_line(text: str, keypath: Sequence[str | int]) -> int | None:
    """The 1-based line where ``keypath`` (e.g. tasks, C10.M03, status) is set.

    Falls back to the line of the closest enclosing table, so an error always
    points somewhere useful; ``None`` when not even the table is in the text.
    The first call on a text indexes its table headers once (``_KeyLines``), so
    locating the 2,000 edits of a 100,000-task file reads only their tables,
    not the whole file once per edit.
    """
    global _last_index
    index = _last_index
    if index is None or index.text is not text:
        index = _last_index = _KeyLines.build(text)
    if index is None:
        return _scan_key_line(text.splitlines(), 1, (), keypath, whole=True)
    return index.find(keypath)


def _scan_key_line(
    lines: Iterable[str],
    first_line: int,
    table: tuple[str, ...],
    keypath: Sequence[str | int],
    *,
    whole: bool,
) -> int | None:
    """The reference scan: every line in order (``whole``), or one table's body."""
    want = tuple(str(k) for k in keypath if not isinstance(k, int))
    best: tuple[int, int] | None = None  # (matched length, line)
    for lineno, raw in enumerate(lines, first_line):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            if not whole:
                continue
            inner = line.lstrip("[")
            parsed = _split_keys(inner)
            if parsed is None:
                continue
            table = tuple(parsed[0])
            if want[: len(table)] == table and (best is None or len(table) > best[0]):
                best = (len(table), lineno)
            continue
        parsed = _split_keys(line)
        if parsed is None or not parsed[1].lstrip().startswith("="):
            continue
        full = table + tuple(parsed[0])
        n = 0
        while n < min(len(full), len(want)) and full[n] == want[n]:
            n += 1
        if n == len(full) and (best is None or n > best[0]):
            best = (n, lineno)
            if n == len(want):
                return lineno
    return best[1] if best else None


# line breaks str.splitlines knows besides \n and \r\n: such texts take the plain scan
_ODD_BREAKS = re.compile("\r(?!\n)|[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_HEADER = re.compile(r"^[^\S\n]*\[", re.MULTILINE)

_last_index: _KeyLines | None = None


class _KeyLines:
    """Where each table of a TOML text starts, for ``find_key_line``.

    Same answers as scanning every line (the longest prefix of the key path set
    by a table header or a key line, the first such line): header lines are
    found with one regular-expression pass, and a lookup scans only the bodies
    of the tables that are prefixes of the key path.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        # table path -> [(header line, body start offset, body end offset)]
        self.tables: dict[tuple[str, ...], list[tuple[int, int, int]]] = {}

    @classmethod
    def build(cls, text: str) -> _KeyLines | None:
        if _ODD_BREAKS.search(text):
            return None
        index = cls(text)
        lineno, pos = 1, 0
        path: tuple[str, ...] = ()
        header_line, body = 0, 0  # the root table: before the first header
        for m in _HEADER.finditer(text):
            start = m.start()
            lineno += text.count("\n", pos, start)
            pos = start
            eol = text.find("\n", start)
            eol = len(text) if eol < 0 else eol
            line = text[start:eol].strip()
            parsed = _split_keys(line.lstrip("["))
            if parsed is None:
                continue  # not a header the scan understands: stays in the body
            index.tables.setdefault(path, []).append((header_line, body, start))
            path, header_line, body = tuple(parsed[0]), lineno, eol + 1
        index.tables.setdefault(path, []).append((header_line, body, len(text)))
        return index

    def find(self, keypath: Sequence[str | int]) -> int | None:
        want = tuple(str(k) for k in keypath if not isinstance(k, int))
        best: tuple[int, int] | None = None  # (matched length, -line): longest, then first
        for k in range(len(want) + 1):
            for header_line, body, end in self.tables.get(want[:k], ()):
                if k and (best is None or (k, -header_line) > best):
                    best = (k, -header_line)
                first = header_line + 1 if header_line else 1
                lines = self.text[body:end].splitlines()
                found = _scan_key_line(lines, first, want[:k], want, whole=False)
                if found is not None:
                    n = self._matched(lines, first, found, want[:k], want)
                    if best is None or (n, -found) > best:
                        best = (n, -found)
        return -best[1] if best else None

    @staticmethod
    def _matched(
        lines: Sequence[str],
        first: int,
        lineno: int,
        table: tuple[str, ...],
        want: tuple[str, ...],
    ) -> int:
        parsed = _split_keys(lines[lineno - first].strip())
        assert parsed is not None
        full = table + tuple(parsed[0])
        return min(len(full), len(want))


def where(text: str, name: str, keypath: Sequence[str | int]) -> str:
    """``file:line`` of ``keypath`` in ``text`` (just ``file`` when not found)."""
    line = find_key_line(text, keypath)
    return f"{name}:{line}" if line else name


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def keypath_str(keypath: Sequence[str | int]) -> str:
    out = ""
    for k in keypath:
        if isinstance(k, int):
            out += f"[{k}]"
        else:
            piece = k if _BARE.fullmatch(k) else json.dumps(k, ensure_ascii=False)
            out += ("." if out else "") + piece
    return out


# ---------------------------------------------------------------------------
# Document → Snapshot (validating)
# ---------------------------------------------------------------------------

DateParser = Callable[[str], dt.date]


class _Reader:
    def __init__(self, text: str, name: str, parse_date: DateParser | None) -> None:
        self.text = text
        self.name = name
        self.parse_date = parse_date

    def fail(self, keypath: Sequence[str | int], message: str) -> InvalidInputError:
        return InvalidInputError(
            t(
                "snap.bad_value",
                where=where(self.text, self.name, keypath),
                path=keypath_str(keypath),
                detail=message,
            ),
            hint=t("snap.bad_value_hint"),
        )

    # -- typed getters -----------------------------------------------------
    def table(self, doc: Mapping[str, Any], key: str, path: tuple[Any, ...]) -> dict[str, Any]:
        value = doc.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail((*path, key), t("snap.want_table"))
        return value

    def required(self, doc: Mapping[str, Any], key: str, path: tuple[Any, ...]) -> Any:
        if key not in doc:
            raise self.fail((*path, key), t("snap.missing"))
        return doc[key]

    def str_(
        self, doc: Mapping[str, Any], key: str, path: tuple[Any, ...], default: str = ""
    ) -> str:
        value = doc.get(key, default)
        if not isinstance(value, str):
            raise self.fail((*path, key), t("snap.want_text"))
        return value

    def int_(
        self, doc: Mapping[str, Any], key: str, path: tuple[Any, ...], default: int | None = None
    ) -> int:
        value = doc.get(key, default) if default is not None else self.required(doc, key, path)
        if type(value) is not int:
            raise self.fail((*path, key), t("snap.want_int"))
        return value

    def date(self, doc: Mapping[str, Any], key: str, path: tuple[Any, ...]) -> dt.date:
        value = self.required(doc, key, path)
        return self.date_value(value, (*path, key))

    def date_value(self, value: Any, keypath: tuple[Any, ...]) -> dt.date:
        if type(value) is dt.date:
            return value
        if isinstance(value, str):
            try:
                if self.parse_date is not None:
                    return self.parse_date(value)
                return dt.date.fromisoformat(value)
            except (ValueError, InvalidInputError) as exc:
                detail = exc.message if isinstance(exc, InvalidInputError) else str(exc)
                raise self.fail(keypath, t("snap.bad_date", value=value, detail=detail)) from None
        raise self.fail(keypath, t("snap.want_date"))

    def datetime(self, doc: Mapping[str, Any], key: str, path: tuple[Any, ...]) -> dt.datetime:
        value = self.required(doc, key, path)
        if type(value) is dt.datetime:
            return value if value.tzinfo is not None else value.replace(tzinfo=CST)
        raise self.fail((*path, key), t("snap.want_datetime"))

    def str_list(self, doc: Mapping[str, Any], key: str, path: tuple[Any, ...]) -> tuple[str, ...]:
        value = doc.get(key, [])
        if isinstance(value, str):  # a meeting may write one co-unit as text
            value = [v for v in re.split(r"[、,，;；\s]+", value) if v]
        if not isinstance(value, list):
            raise self.fail((*path, key), t("snap.want_list"))
        for i, v in enumerate(value):
            if not isinstance(v, str):
                raise self.fail((*path, key, i), t("snap.want_text"))
        return tuple(value)

    def enum(
        self,
        enum_type: Any,
        value: Any,
        keypath: tuple[Any, ...],
        words: Mapping[str, Any] | None = None,
    ) -> Any:
        if isinstance(value, str):
            try:
                return enum_type(value)
            except ValueError:
                if words and value.strip() in words:
                    return words[value.strip()]
        allowed = " / ".join(e.value for e in enum_type)
        raise self.fail(keypath, t("snap.bad_choice", value=str(value), allowed=allowed))

    # -- parts ---------------------------------------------------------------
    def counts(self, doc: Mapping[str, Any], path: tuple[Any, ...]) -> Counts:
        return Counts(
            tasks=self.int_(doc, "tasks", path, 0),
            status={s: self.int_(doc, s.value, path, 0) for s in STATUSES},
            light={g: self.int_(doc, g.value, path, 0) for g in LIGHTS},
            title=self.str_(doc, "title", path),
            overdue=self.int_(doc, "overdue", path, 0),
        )

    def report(self, doc: Mapping[str, Any], path: tuple[Any, ...]) -> ProgressReport:
        percent = doc.get("percent")
        if percent is not None and type(percent) is not int:
            raise self.fail((*path, "percent"), t("snap.want_int"))
        return ProgressReport(
            at=self.datetime(doc, "at", path),
            actor=self.str_(doc, "actor", path),
            made=self.str_(doc, "made", path),
            problems=self.str_(doc, "problems", path),
            next_steps=self.str_(doc, "next_steps", path),
            percent=percent,
            period=self.str_(doc, "period", path),
        )

    def task(self, tid: str, doc: Any) -> SnapshotTask:
        path: tuple[Any, ...] = ("tasks", tid)
        if not isinstance(doc, dict):
            raise self.fail(path, t("snap.want_table"))
        light = doc.get("light")
        last_seq = doc.get("last_seq")
        report = doc.get("latest_report")
        original = doc.get("original_due")
        lead = self.str_(doc, "lead", path).strip()
        person = self.str_(doc, "person", path).strip()
        progress = self.int_(doc, "progress", path, 0)
        if not 0 <= progress <= 100:
            raise self.fail((*path, "progress"), t("snap.bad_percent"))
        removed = doc.get("removed", False)
        if type(removed) is not bool:
            raise self.fail((*path, "removed"), t("snap.want_bool"))
        return SnapshotTask(
            id=tid,
            kind=self.enum(TaskKind, self.required(doc, "kind", path), (*path, "kind")),
            chapter=self.int_(doc, "chapter", path),
            title=self.str_(doc, "title", path),
            status=self.enum(
                Status, self.required(doc, "status", path), (*path, "status"), STATUS_WORDS
            ),
            due=self.date(doc, "due", path),
            due_basis=self.enum(DueBasis, doc.get("due_basis", "manual"), (*path, "due_basis")),
            lead=lead or None,
            co_units=tuple(u.strip() for u in self.str_list(doc, "co_units", path)),
            person=person or None,
            original_due=(
                self.date_value(original, (*path, "original_due")) if original is not None else None
            ),
            light=self.enum(Light, light, (*path, "light")) if light is not None else None,
            progress=progress,
            version=self.int_(doc, "version", path, 1),
            last_change=(
                LastChange(self.int_(doc, "last_seq", path), self.datetime(doc, "last_at", path))
                if last_seq is not None
                else None
            ),
            latest_report=(
                self.report(self.table(doc, "latest_report", path), (*path, "latest_report"))
                if report is not None
                else None
            ),
            removed=removed,
            note=self.str_(doc, "note", path).strip(),
            evidence=self.str_(doc, "evidence", path).strip(),
        )

    def owner_change(self, tid: str, doc: Any) -> OwnerChange:
        path: tuple[Any, ...] = ("changes", "reassigned", tid)
        if not isinstance(doc, dict):
            raise self.fail(path, t("snap.want_table"))
        return OwnerChange(
            tid,
            self.str_(doc, "old_lead", path) or None,
            self.str_(doc, "new_lead", path) or None,
            self.str_list(doc, "old_co_units", path),
            self.str_list(doc, "new_co_units", path),
            self.str_(doc, "old_person", path) or None,
            self.str_(doc, "new_person", path) or None,
        )

    def value_change(self, group: str, tid: str, doc: Any) -> ValueChange:
        path: tuple[Any, ...] = ("changes", group, tid)
        if not isinstance(doc, dict):
            raise self.fail(path, t("snap.want_table"))
        if group == "due_moved":
            return ValueChange(tid, self.date(doc, "old", path), self.date(doc, "new", path))
        if group == "status_changed":
            return ValueChange(
                tid,
                self.enum(Status, doc.get("old"), (*path, "old")),
                self.enum(Status, doc.get("new"), (*path, "new")),
            )
        return ValueChange(tid, self.int_(doc, "old", path), self.int_(doc, "new", path))

    def diff(self, doc: Mapping[str, Any], new_as_of: dt.date, new_seq: int) -> SnapshotDiff:
        path: tuple[Any, ...] = ("changes",)
        groups: dict[str, Any] = {}
        for name in DIFF_ID_GROUPS:
            groups[name] = self.str_list(doc, name, path)
        groups["reassigned"] = tuple(
            self.owner_change(tid, v) for tid, v in self.table(doc, "reassigned", path).items()
        )
        for name in ("due_moved", "status_changed", "progress_changed"):
            groups[name] = tuple(
                self.value_change(name, tid, v) for tid, v in self.table(doc, name, path).items()
            )
        return SnapshotDiff(
            old_as_of=self.date(doc, "since_as_of", path),
            new_as_of=new_as_of,
            old_seq=self.int_(doc, "since_history_seq", path, 0),
            new_seq=new_seq,
            **groups,
        )

    def snapshot(self, doc: Mapping[str, Any]) -> Snapshot:
        version = doc.get("schema_version")
        if version != SCHEMA_VERSION:
            raise self.fail(
                ("schema_version",),
                t("snap.bad_schema", value=str(version), expected=SCHEMA_VERSION),
            )
        plan = self.table(doc, "plan", ())
        meta = self.table(doc, "snapshot", ())
        as_of = self.date(meta, "as_of", ("snapshot",))
        history = HistoryPoint(
            self.int_(meta, "history_seq", ("snapshot",), 0),
            self.str_(meta, "history_hash", ("snapshot",)),
        )
        generated = (
            self.datetime(meta, "generated_at", ("snapshot",)) if "generated_at" in meta else None
        )
        chapters_doc = self.table(doc, "chapters", ())
        chapters: dict[int, Counts] = {}
        for key, value in chapters_doc.items():
            m = re.fullmatch(r"C(\d+)", key)
            if m is None or not isinstance(value, dict):
                raise self.fail(("chapters", key), t("snap.bad_chapter_key"))
            chapters[int(m.group(1))] = self.counts(value, ("chapters", key))
        units: dict[str, Counts] = {}
        for key, value in self.table(doc, "units", ()).items():
            if not isinstance(value, dict):
                raise self.fail(("units", key), t("snap.want_table"))
            units[key] = self.counts(value, ("units", key))
        fchapters = meta.get("filter_chapters", [])
        if not isinstance(fchapters, list) or any(type(c) is not int for c in fchapters):
            raise self.fail(("snapshot", "filter_chapters"), t("snap.want_list"))
        filt = SnapshotFilter(
            units=self.str_list(meta, "filter_units", ("snapshot",)),
            chapters=tuple(fchapters),
            statuses=tuple(
                self.enum(Status, s, ("snapshot", "filter_statuses", i))
                for i, s in enumerate(self.str_list(meta, "filter_statuses", ("snapshot",)))
            ),
        )
        changes = doc.get("changes")
        return Snapshot(
            plan=PlanInfo(
                code=self.str_(plan, "code", ("plan",)),
                title=self.str_(plan, "title", ("plan",)),
                doc_number=self.str_(plan, "doc_number", ("plan",)),
                start=self.date(plan, "start", ("plan",)),
                end=self.date(plan, "end", ("plan",)),
            ),
            as_of=as_of,
            history=history,
            totals=self.counts(self.table(doc, "totals", ()), ("totals",)),
            units=units,
            chapters=chapters,
            tasks=tuple(self.task(tid, v) for tid, v in self.table(doc, "tasks", ()).items()),
            filter=filt,
            changes=(
                self.diff(self.table(doc, "changes", ()), as_of, history.seq)
                if changes is not None
                else None
            ),
            generated_at=generated,
        )


def parse_snapshot(
    text: str, *, name: str = "<snapshot>", parse_date: DateParser | None = None
) -> Snapshot:
    """Text → Snapshot, validated; errors name ``name``, the key path and the line."""
    with bulk():
        doc = loads(text, name=name)
        return _Reader(text, name, parse_date).snapshot(doc)


def read_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """(text, display name) of a snapshot file, or of stdin for ``'-'``."""
    if str(path) == "-":
        return sys.stdin.buffer.read().decode("utf-8", errors="strict"), "<stdin>"
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(t("snap.no_file", path=str(p)), hint=t("snap.no_file_hint")) from None
    except OSError as exc:
        raise InvalidInputError(t("snap.unreadable", path=str(p), detail=str(exc))) from exc
    try:
        return data.decode("utf-8-sig"), str(p)  # a BOM (Windows Notepad) is fine
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInputError(
            t("snap.not_utf8", where=f"{p}:{line}"), hint=t("snap.bad_toml_hint")
        ) from None


def read_snapshot(
    path: str | os.PathLike[str], *, parse_date: DateParser | None = None
) -> Snapshot:
    text, name = read_text(path)
    return parse_snapshot(text, name=name, parse_date=parse_date)


def iter_task_docs(doc: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    tasks = doc.get("tasks")
    if isinstance(tasks, dict):
        for tid, value in tasks.items():
            if isinstance(value, dict):
                yield tid, value


# ---------------------------------------------------------------------------
# Comparing two files
# ---------------------------------------------------------------------------


_TABLE_START = re.compile(r"^(?=\[)", re.MULTILINE)


def _task_tables(text: str) -> tuple[str, dict[str, str]] | None:
    """(head, {task header line: that task's tables' text}), or ``None`` when unsure.

    Not a parser: files we write have no multi-line strings (``tomli_w`` with
    ``multiline_strings=False``) and indent array items, so a line starting
    with ``[`` is a table header. The text is cut before each such line;
    ``[tasks.<id>]`` and the sub-tables right after it (``[tasks.<id>.latest_report]``)
    are one task's text, everything before the first task is the head.
    ``None`` (read both files in full) for multi-line strings, a table after the
    tasks that is not a task's, or the same task header twice.
    """
    if "'''" in text or '"""' in text:
        return None
    chunks = _TABLE_START.split(text)
    first = next((i for i, c in enumerate(chunks) if c.startswith("[tasks.")), None)
    if first is None:
        return None
    tables: dict[str, str] = {}
    header, prefix, parts = "", "", []
    for chunk in chunks[first:]:
        line = chunk[: chunk.find("\n")] if "\n" in chunk else chunk
        if prefix and line.startswith(prefix):  # a sub-table of the current task
            parts.append(chunk)
            continue
        if not line.startswith("[tasks.") or not line.endswith("]") or line in tables:
            return None
        if header:
            tables[header] = "".join(parts)
        header, prefix, parts = line, line[:-1] + ".", [chunk]
    if header in tables:
        return None
    tables[header] = "".join(parts)
    return "".join(chunks[:first]), tables


def _partial(
    text: str,
    name: str,
    head: str,
    tables: dict[str, str],
    other: dict[str, str],
    parse_date: DateParser | None = None,
) -> Snapshot:
    """The snapshot with only the tasks whose text differs from ``other``'s."""
    doc = tomllib.loads(head)
    if doc.get("tasks", {}) != {}:
        raise ValueError("tasks in the head")
    changed = tomllib.loads("".join(v for k, v in tables.items() if other.get(k) != v))
    if set(changed) - {"tasks"}:
        raise ValueError("not only tasks")
    doc["tasks"] = changed.get("tasks", {})
    return _Reader(text, name, parse_date).snapshot(doc)


def diff_texts(
    old_text: str,
    new_text: str,
    *,
    old_name: str = "<old>",
    new_name: str = "<new>",
    parse_date: DateParser | None = None,
) -> SnapshotDiff:
    """``diff_snapshots`` of two snapshot texts, reading fully only what differs.

    A task whose tables' text is byte-identical in both files cannot have
    changed, so ``tomllib`` reads only the head and the tasks whose text differs
    (for 100,000 tasks, reading both files whole takes ~25 s of CPU). When the
    files cannot be cut safely (``_task_tables``) or that partial read fails,
    both are read in full, which also locates any error. Either way the result
    equals ``diff_snapshots`` of the two parsed snapshots (a test checks it).
    """
    return compare_texts(
        old_text, new_text, old_name=old_name, new_name=new_name, parse_date=parse_date
    )[0]


def compare_texts(
    old_text: str,
    new_text: str,
    *,
    old_name: str = "<old>",
    new_name: str = "<new>",
    parse_date: DateParser | None = None,
) -> tuple[SnapshotDiff, dict[str, SnapshotTask]]:
    """``diff_texts`` plus every task the diff names (the newer version when both).

    ``parse_date`` reads dates written as text (``due = "2027年3月底前"``) the way
    ``apply`` does; without it only ISO dates are read.
    """
    old_text, new_text = old_text.replace("\r\n", "\n"), new_text.replace("\r\n", "\n")
    with bulk():
        old_split, new_split = _task_tables(old_text), _task_tables(new_text)
        snaps: tuple[Snapshot, Snapshot] | None = None
        if old_split is not None and new_split is not None:
            (old_head, old_tables), (new_head, new_tables) = old_split, new_split
            try:
                snaps = (
                    _partial(old_text, old_name, old_head, old_tables, new_tables, parse_date),
                    _partial(new_text, new_name, new_head, new_tables, old_tables, parse_date),
                )
            except (tomllib.TOMLDecodeError, InvalidInputError, ValueError):
                snaps = None  # the full read below reports it where it is, or reads it
        if snaps is None:
            snaps = (
                parse_snapshot(old_text, name=old_name, parse_date=parse_date),
                parse_snapshot(new_text, name=new_name, parse_date=parse_date),
            )
        old_snap, new_snap = snaps
        diff = diff_snapshots(old_snap, new_snap)
        named = diff.task_ids()
        tasks = {x.id: x for x in old_snap.tasks if x.id in named}
        tasks.update({x.id: x for x in new_snap.tasks if x.id in named})
        return diff, tasks


def diff_files(
    old: str | os.PathLike[str],
    new: str | os.PathLike[str],
    *,
    parse_date: DateParser | None = None,
) -> tuple[SnapshotDiff, dict[str, SnapshotTask]]:
    """Compare two snapshot files (``'-'`` reads one of them from stdin)."""
    old_text, old_name = read_text(old)
    new_text, new_name = read_text(new)
    return compare_texts(
        old_text, new_text, old_name=old_name, new_name=new_name, parse_date=parse_date
    )
