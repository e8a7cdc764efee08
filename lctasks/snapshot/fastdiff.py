"""Comparing two snapshot files, reading only the task tables whose text differs."""

from __future__ import annotations

import os
import re
import tomllib

from lctasks.domain import (
    InvalidInputError,
)
from lctasks.snapshot.build import diff_snapshots
from lctasks.snapshot.model import Snapshot, SnapshotDiff, SnapshotTask, bulk
from lctasks.snapshot.reader import DateParser, _Reader, parse_snapshot, read_text
from lctasks.textsafe import check_toml_shape

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
    check_toml_shape(head, name)  # only what tomllib reads here: limits before parsing
    doc = tomllib.loads(head)
    if doc.get("tasks", {}) != {}:
        raise ValueError("tasks in the head")
    body = "".join(v for k, v in tables.items() if other.get(k) != v)
    check_toml_shape(body, name)
    changed = tomllib.loads(body)
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
