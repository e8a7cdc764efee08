"""Comparing two snapshot files, reading only the task tables whose text differs."""

from __future__ import annotations

import itertools
import os
import re
import tomllib
from array import array
from typing import Protocol

from lctasks.domain import (
    InvalidInputError,
)
from lctasks.snapshot.build import diff_snapshots
from lctasks.snapshot.model import Snapshot, SnapshotDiff, SnapshotTask, bulk
from lctasks.snapshot.reader import (
    DateParser,
    SnapshotFile,
    _Reader,
    _split_keys,
    parse_snapshot,
    read_file,
)
from lctasks.textsafe import check_toml_shape

# ---------------------------------------------------------------------------
# Comparing two files
# ---------------------------------------------------------------------------


def _index(data: bytes, starts: array[int]) -> dict[bytes, int]:
    """Each task's header line -> its place in ``starts``."""
    out: dict[bytes, int] = {}
    for i, start in enumerate(starts):
        eol = data.find(b"\n", start)
        out[data[start:] if eol < 0 else data[start:eol]] = i
    return out


def _span(data: bytes, starts: array[int], i: int) -> tuple[int, int]:
    """Where task ``i``'s tables are: from its header to the next task's (or the end)."""
    return starts[i], starts[i + 1] if i + 1 < len(starts) else len(data)


def _partial(
    file: SnapshotFile,
    cut: tuple[int, array[int]],
    other: SnapshotFile,
    other_starts: array[int],
    other_index: dict[bytes, int],
    parse_date: DateParser | None = None,
) -> Snapshot:
    """The snapshot with only the tasks whose tables' bytes differ from ``other``'s.

    The bytes of a task's tables are compared in place (``memoryview``): of two
    100,000-task files nothing is copied but the tables that differ.
    """
    name, data = file.name, file.data
    head_end, starts = cut
    head = data[:head_end].decode("utf-8")
    check_toml_shape(head, name)  # only what tomllib reads here: limits before parsing
    doc = tomllib.loads(head)
    if doc.get("tasks", {}) != {}:
        raise ValueError("tasks in the head")
    mine, theirs = memoryview(data), memoryview(other.data)
    body: list[bytes] = []
    same = array("q")  # which of this file's tasks have the same tables in ``other``
    for i in range(len(starts)):
        start, end = _span(data, starts, i)
        eol = data.find(b"\n", start, end)
        j = other_index.get(data[start:end] if eol < 0 else data[start:eol])
        if j is not None:
            o_start, o_end = _span(other.data, other_starts, j)
            if mine[start:end] == theirs[o_start:o_end]:
                same.append(i)
                continue
        body.append(data[start:end])
    text = b"".join(body).decode("utf-8")
    del body
    check_toml_shape(text, name)
    changed = tomllib.loads(text)
    if set(changed) - {"tasks"}:
        raise ValueError("not only tasks")
    tasks = changed.get("tasks", {})
    if tasks:
        ids = set()
        for i in same:
            start = starts[i]
            eol = data.find(b"\n", start)
            ids.add(_table_id((data[start:] if eol < 0 else data[start:eol]).decode("utf-8")))
        if not ids.isdisjoint(tasks):
            raise ValueError("a task twice")  # written two ways: the whole read refuses it
    doc["tasks"] = tasks
    return _Reader(lambda: file.text, name, parse_date).snapshot(doc)


def _table_id(header: str) -> str | None:
    """The task ID a ``[tasks.…]`` header line names, however it is spelled."""
    tid = _header_id(header)
    if tid is None:
        parsed = _split_keys(header[1:])
        if parsed is not None and len(parsed[0]) > 1:
            tid = parsed[0][1]
    return tid


_BARE_ID = re.compile(r"[A-Za-z0-9_-]+")


def _task_starts(data: bytes) -> tuple[int, array[int]] | None:
    """A snapshot's cut into its head and its task tables, as byte offsets.

    (end of the head, where each task's tables start), or ``None`` when unsure.
    Not a parser: files we write have no multi-line strings (``tomli_w`` with
    ``multiline_strings=False``) and indent array items, so a line starting with
    ``[`` is a table header. ``[tasks.<id>]`` and the sub-tables right after it
    (``[tasks.<id>.latest_report]``) are one task's tables, everything before the
    first task is the head. ``None`` for multi-line strings, a table after the
    tasks that is not a task's, or the same task header twice.

    On the file's bytes, without copying them and without an object per task: a
    100,000-task file's cut takes 800 kB. Task ``i``'s tables end where task
    ``i + 1``'s start (the last task's at the end of the file); its header is its
    first line.
    """
    if b"'''" in data or b'"""' in data:
        return None
    starts = array("q")
    seen: set[bytes] = set()
    prefix, head_end = b"", -1
    for m in _LINE_START_BYTES.finditer(data):
        pos = m.start()
        eol = data.find(b"\n", pos)
        line = data[pos:] if eol < 0 else data[pos:eol]
        if head_end < 0:
            if not line.startswith(b"[tasks."):
                continue
            head_end = pos
        if prefix and line.startswith(prefix):  # a sub-table of the current task
            continue
        if not line.startswith(b"[tasks.") or not line.endswith(b"]") or line in seen:
            return None
        seen.add(line)
        starts.append(pos)
        prefix = line[:-1] + b"."
    if head_end < 0:
        return None
    return head_end, starts


_LINE_START_BYTES = re.compile(rb"^\[", re.MULTILINE)


def _header_id(line: str) -> str | None:
    """The task ID of a header line as the writer puts it, else ``None``."""
    if line.startswith('[tasks."') and line.endswith('"]'):
        inner = line[8:-2]
        return None if '"' in inner or "\\" in inner else inner
    inner = line[7:-1]
    return inner if _BARE_ID.fullmatch(inner) else None


class Written(Protocol):
    """What the ledger's writer gives for each task now (``lctasks.snapshot.render.Rendered``)."""

    def same(self, tid: str, chunk: bytes) -> bool:
        """``chunk`` is exactly task ``tid``'s text (``False``: different, or not written)."""
        ...


class TaskTables:
    """A snapshot file cut into its head and its task tables, read a part at a time.

    For ``apply`` of a reviewed 100,000-task file: ``head()`` reads everything
    but the tasks; ``differing(rendered)`` reads only the task tables whose
    bytes are not exactly what the ledger's writer gives for that task now
    (``rendered``: ``Written``), so the tasks a meeting left alone
    are never decoded nor parsed. ``cut`` gives ``None`` when the file cannot be
    cut safely (``_task_starts``); any error from a part is for the caller to
    answer by reading the whole text (which locates it as before).
    """

    def __init__(
        self,
        file: SnapshotFile,
        head_end: int,
        starts: array[int],
        parse_date: DateParser | None,
    ) -> None:
        self.file, self.name, self.parse_date = file, file.name, parse_date
        self._head_end, self._starts = head_end, starts
        self._doc: dict[str, object] | None = None

    @classmethod
    def cut(cls, file: SnapshotFile, parse_date: DateParser | None = None) -> TaskTables | None:
        if b"\r" in file.data:  # line numbers and cuts are for \n-only texts
            return None
        split = _task_starts(file.data)
        return None if split is None else cls(file, split[0], split[1], parse_date)

    def _text(self) -> str:
        return self.file.text

    def head(self) -> Snapshot:
        """Everything but the tasks, validated (raises as a whole read would)."""
        head = self.file.data[: self._head_end].decode("utf-8")
        check_toml_shape(head, self.name)
        doc = tomllib.loads(head)
        if doc.get("tasks", {}) != {}:
            raise ValueError("tasks in the head")
        self._doc = doc
        return _Reader(self._text, self.name, self.parse_date).snapshot(doc)

    def differing(self, rendered: Written) -> tuple[Snapshot, set[str]]:
        """(the snapshot with only the tasks whose text differs, the IDs of those that do not).

        A task's tables in the file are its text as written, then the blank line
        before the next task (none after the last).
        """
        if self._doc is None:
            self.head()
        assert self._doc is not None
        data, starts = self.file.data, self._starts
        same: set[str] = set()
        body: list[bytes] = []
        ends = itertools.chain(itertools.islice(starts, 1, None), (len(data),))
        for start, end in zip(starts, ends, strict=True):
            eol = data.find(b"\n", start, end)
            tid = _header_id(data[start : end if eol < 0 else eol].decode("utf-8"))
            chunk = data[start:end]
            if tid is not None and (
                rendered.same(tid, chunk)
                or (chunk.endswith(b"\n") and rendered.same(tid, chunk[:-1]))
            ):
                same.add(tid)
                continue
            body.append(chunk)
        part = b"".join(body).decode("utf-8")
        del body
        check_toml_shape(part, self.name)
        changed = tomllib.loads(part)
        if set(changed) - {"tasks"}:
            raise ValueError("not only tasks")
        tasks = changed.get("tasks", {})
        if not same.isdisjoint(tasks):
            raise ValueError("a task twice")  # written two ways: the whole read refuses it
        doc = dict(self._doc)
        doc["tasks"] = tasks
        return _Reader(self._text, self.name, self.parse_date).snapshot(doc), same


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
    files cannot be cut safely (``_task_starts``) or that partial read fails,
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
    try:
        old = SnapshotFile(old_text.encode("utf-8"), old_name)
        new = SnapshotFile(new_text.encode("utf-8"), new_name)
    except UnicodeEncodeError:  # not text a file holds: the whole read says what it is
        with bulk():
            return _compared(
                parse_snapshot(old_text, name=old_name, parse_date=parse_date),
                parse_snapshot(new_text, name=new_name, parse_date=parse_date),
            )
    return compare_files(old, new, parse_date=parse_date)


def compare_files(
    old: SnapshotFile, new: SnapshotFile, *, parse_date: DateParser | None = None
) -> tuple[SnapshotDiff, dict[str, SnapshotTask]]:
    """``compare_texts`` of two files read as bytes (``read_file``), not decoded whole.

    Both are cut at their task headers (``_task_starts``) and only the task tables
    whose bytes differ are decoded and parsed; when a file cannot be cut, or that
    partial read fails, both texts are read whole, which also locates any error.
    """
    old, new = _lf(old), _lf(new)
    with bulk():
        old_cut, new_cut = _task_starts(old.data), _task_starts(new.data)
        snaps: tuple[Snapshot, Snapshot] | None = None
        if old_cut is not None and new_cut is not None:
            try:
                snaps = (
                    _partial(
                        old, old_cut, new, new_cut[1], _index(new.data, new_cut[1]), parse_date
                    ),
                    _partial(
                        new, new_cut, old, old_cut[1], _index(old.data, old_cut[1]), parse_date
                    ),
                )
            except (tomllib.TOMLDecodeError, InvalidInputError, ValueError, UnicodeDecodeError):
                snaps = None  # the full read below reports it where it is, or reads it
        if snaps is None:
            snaps = (
                parse_snapshot(old.text, name=old.name, parse_date=parse_date),
                parse_snapshot(new.text, name=new.name, parse_date=parse_date),
            )
        return _compared(*snaps)


def _lf(file: SnapshotFile) -> SnapshotFile:
    """The file with Windows line ends read as ``\\n`` (as ``compare_texts`` reads text)."""
    if b"\r\n" not in file.data:
        return file
    return SnapshotFile(file.data.replace(b"\r\n", b"\n"), file.name)


def _compared(
    old_snap: Snapshot, new_snap: Snapshot
) -> tuple[SnapshotDiff, dict[str, SnapshotTask]]:
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
    return compare_files(read_file(old), read_file(new), parse_date=parse_date)
