"""Reading a snapshot document back, validating it; locating keys for error messages.

Why hand-written and not a schema library (issue 9 item 7 suggested msgspec): the
checks here are few per field but every message is pinned by tests and read by a
person — Chinese text with ``file:line`` and the key path, status words a meeting
types (``推进中``), dates as text (``2026年6月底前``), one co-unit written as text —
and msgspec's errors (``Expected `int`, got `str` - at `$.tasks[...]```) would need
this module anyway to say them. Nor would it save time: msgspec reads TOML with
tomllib, the floor, and ``apply`` / ``export --since`` now validate only the task
tables that differ from the ledger (``fastdiff.TaskTables``), ~2,000 of 100,000.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lctasks.domain import (
    Counts,
    DueBasis,
    InvalidInputError,
    Light,
    NotFoundError,
    PlanInfo,
    ProgressReport,
    Status,
    TaskKind,
)
from lctasks.i18n import t
from lctasks.snapshot.model import (
    CST,
    DIFF_ID_GROUPS,
    LIGHTS,
    SCHEMA_VERSION,
    STATUS_WORDS,
    STATUSES,
    HistoryPoint,
    LastChange,
    OwnerChange,
    Snapshot,
    SnapshotDiff,
    SnapshotFilter,
    SnapshotTask,
    ValueChange,
    bulk,
)
from lctasks.snapshot.toml_io import loads
from lctasks.textsafe import read_file_bytes, read_stream_bytes

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
        names: dict[str, str] = {}  # "tasks", "latest_report": one object each
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
            path = tuple(names.setdefault(part, part) for part in parsed[0])
            header_line, body = lineno, eol + 1
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
    """``text``: the whole file's text (for line numbers in errors), or where to get it."""

    def __init__(
        self, text: str | Callable[[], str], name: str, parse_date: DateParser | None
    ) -> None:
        self.text = text
        self.name = name
        self.parse_date = parse_date

    def fail(self, keypath: Sequence[str | int], message: str) -> InvalidInputError:
        text = self.text if isinstance(self.text, str) else self.text()
        return InvalidInputError(
            t(
                "snap.bad_value",
                where=where(text, self.name, keypath),
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
            evaluation=(
                self.table(doc, "evaluation", ()) if doc.get("evaluation") is not None else None
            ),
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
    data, name, encoding = _read(path)
    return _decode(data, name, encoding), name


class SnapshotFile:
    """A snapshot file's UTF-8 bytes (no BOM), its text decoded only when asked, once.

    ``apply`` and ``export --since`` compare a 100,000-task file's task tables
    with the ledger's as bytes (27 MB) and decode only the tables that differ;
    the whole text (46 MB as a Python string) is made for error messages and
    line numbers, when one is needed.
    """

    __slots__ = ("_bytes_done", "_text", "data", "name")

    def __init__(self, data: bytes, name: str) -> None:
        self.data, self.name = data, name
        self._text: str | None = None
        self._bytes_done = False

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.data.decode("utf-8")
            if self._bytes_done:
                self.data = b""
        return self._text

    def done_with_bytes(self) -> None:
        """The bytes are not read again: they go now if the text is made, else once it is."""
        self._bytes_done = True
        if self._text is not None:
            self.data = b""


def read_file(path: str | os.PathLike[str]) -> SnapshotFile:
    """``read_text``'s file with the same checks and errors, kept as bytes."""
    data, name, encoding = _read(path)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:  # valid UTF-8, checked a megabyte at a time (the text is not made here)
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _decode(data, name, encoding)  # raises read_text's error
        raise
    if encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return SnapshotFile(data, name)


def _read(path: str | os.PathLike[str]) -> tuple[bytes, str, str]:
    """(bytes, display name, encoding) of a snapshot file, or of stdin for ``'-'``."""
    if str(path) == "-":
        return read_stream_bytes(sys.stdin.buffer), "<stdin>", "utf-8"
    p = Path(path)
    try:
        data = read_file_bytes(p)  # a FIFO, a device or > 64 MiB: refused before reading
    except FileNotFoundError:
        raise NotFoundError(t("snap.no_file", path=str(p)), hint=t("snap.no_file_hint")) from None
    except OSError as exc:
        raise InvalidInputError(t("snap.unreadable", path=str(p), detail=str(exc))) from exc
    return data, str(p), "utf-8-sig"  # a BOM (Windows Notepad) is fine


def _decode(data: bytes, name: str, encoding: str) -> str:
    if encoding == "utf-8":  # stdin
        return data.decode("utf-8", errors="strict")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInputError(
            t("snap.not_utf8", where=f"{name}:{line}"), hint=t("snap.not_utf8_hint")
        ) from None


def read_snapshot(
    path: str | os.PathLike[str], *, parse_date: DateParser | None = None
) -> Snapshot:
    text, name = read_text(path)
    return parse_snapshot(text, name=name, parse_date=parse_date)
