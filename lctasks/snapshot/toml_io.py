"""Snapshot <-> TOML: the document (plain dicts), tomli_w writing, atomic files, tomllib reading."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from lctasks.atomic import write_chunks
from lctasks.domain import (
    Counts,
    InvalidInputError,
    Light,
    NotFoundError,
    ProgressReport,
    Status,
    StorageError,
)
from lctasks.i18n import t
from lctasks.snapshot.build import natural_key
from lctasks.snapshot.model import (
    CST,
    DIFF_ID_GROUPS,
    LIGHTS,
    STATUSES,
    UNASSIGNED,
    Snapshot,
    SnapshotDiff,
    SnapshotTask,
    bulk,
)
from lctasks.textsafe import check_toml_shape


class TaskTexts(Protocol):
    """Where task tables' texts come from (``lctasks.snapshot.render.RenderCache``)."""

    def text(self, x: SnapshotTask) -> bytes | memoryview: ...


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
    if snap.evaluation:
        doc["evaluation"] = dict(snap.evaluation)  # before the tasks: the diff's head
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
    "evaluation": "# 指标监测：指标和量化目标的实际值、序时目标与灯（lctasks evaluate；只读）",
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


def snapshot_bytes(snap: Snapshot, cache: TaskTexts | None = None) -> bytes:
    """The snapshot file's bytes; with a ``cache``, task tables it holds are not rewritten.

    Same bytes either way: ``tomli_w`` writes the ``tasks`` table as its task
    tables separated by one blank line, so the head (every other table, as
    before) is followed by the section comment and the tasks' texts
    (``lctasks.snapshot.render``).
    """
    with bulk():
        return b"".join(list(_parts(snap, cache)))


def _parts(snap: Snapshot, cache: TaskTexts | None) -> Iterator[bytes | memoryview]:
    """``snapshot_bytes`` in pieces, a task table at a time (``write_snapshot`` streams them)."""
    if cache is None or not snap.tasks:
        yield snapshot_text(snap).encode("utf-8")
        return
    yield dumps(to_document(snap, with_tasks=False)).encode("utf-8")
    yield b"\n" + SECTION_COMMENTS["tasks"].encode("utf-8") + b"\n"
    sep = b""
    for x in sorted(snap.tasks, key=lambda x: natural_key(x.id)):
        yield sep
        yield cache.text(x)
        sep = b"\n"


# ---------------------------------------------------------------------------
# Atomic writing
# ---------------------------------------------------------------------------


def write_snapshot(
    snap: Snapshot | bytes, path: str | os.PathLike[str], cache: TaskTexts | None = None
) -> int:
    """Write ``snap`` to ``path`` atomically (``'-'``: stdout); return bytes written.

    Through ``lctasks.atomic.write_chunks`` (temporary file in the same directory,
    fsync, ``os.replace``, fsync of the directory): a reader sees the old snapshot
    or the new one, never half of one; a failure leaves the old file untouched and
    no temporary file behind. The bytes are ``snapshot_bytes(snap, cache)``, written
    a task table at a time (a 100,000-task export is never held whole).
    """
    if str(path) == "-":
        out, size = sys.stdout.buffer, 0
        with bulk():
            for chunk in (snap,) if isinstance(snap, bytes) else _parts(snap, cache):
                out.write(chunk)
                size += len(chunk)
        out.flush()
        return size
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise NotFoundError(t("snap.no_dir", path=str(directory)), hint=t("snap.no_dir_hint"))
    try:
        if isinstance(snap, bytes):
            return write_chunks(target, (snap,))
        with bulk():
            return write_chunks(target, _parts(snap, cache))
    except OSError as exc:
        raise StorageError(
            t("snap.write_failed", path=str(target), detail=exc.strerror or str(exc)),
            hint=t("snap.write_failed_hint"),
        ) from exc


# ---------------------------------------------------------------------------
# Reading: tomllib
# ---------------------------------------------------------------------------


def loads(text: str, *, name: str = "<snapshot>") -> dict[str, Any]:
    """TOML text → data with ``tomllib``; a syntax error names file, line and column."""
    try:
        check_toml_shape(text, name)  # nesting and dotted keys within limits, first
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+), column (\d+)", str(exc))
        where = f"{name}:{m.group(1)}:{m.group(2)}" if m else name
        raise InvalidInputError(
            t("snap.bad_toml", where=where, detail=str(exc)),
            hint=t("snap.bad_toml_hint"),
        ) from exc
