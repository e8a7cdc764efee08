"""The event chain's canonical form, and an appender over plain SQL.

Standard library only: ``lctasks.services.audit`` (the ORM face of the event
log) and the workflow services' SQL path both hash events with ``canonical``
from here, so ``audit.verify_chain`` checks events written either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lctasks.db.sql import Runner
    from lctasks.domain import Actor, Source

GENESIS = "0" * 64
# PostgreSQL: appends are serialised by locking the one row of lctasks_chain
# (migration 0003). Locking a row needs UPDATE privilege, so a read-only login
# cannot hold writers up (an advisory lock, used before, could be taken by any
# login). The database's events trigger takes the same lock and accepts an
# event only as the next one of the chain. Used by audit.py and review.py too.
CHAIN_LOCK_SQL = "SELECT id FROM lctasks_chain FOR UPDATE"
KEY_ACTION = "key"  # records a key rotation (services/keys.py)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; we only ever store UTC
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _as_utc(value).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return value


def canonical(
    *,
    seq: int,
    at: dt.datetime,
    actor: str,
    source: str,
    action: str,
    plan: str | None,
    task: str | None,
    changes: dict[str, Any],
    reason: str,
    prev_hash: str,
) -> str:
    return _canonical(
        seq, at_iso(at), actor, source, action, plan, task, changes, reason, prev_hash
    )


def at_iso(value: dt.datetime | str) -> str:
    """An event time as the canonical form writes it (UTC, microseconds).

    Also takes the text SQLite stores (``2026-01-05 01:00:00.000000``, UTC) without
    parsing it: ``log --verify`` reads a million of them.
    """
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            return f"{value[:10]}T{value[11:]}+00:00"
        value = dt.datetime.fromisoformat(value)
    return _as_utc(value).isoformat(timespec="microseconds")


def _canonical(
    seq: int,
    at: str,
    actor: str,
    source: str,
    action: str,
    plan: str | None,
    task: str | None,
    changes: dict[str, Any],
    reason: str,
    prev_hash: str,
) -> str:
    """``json.dumps`` of the event (sorted keys, compact, UTF-8 kept) — built by hand.

    The ten keys are fixed, so their sorted order is too; only ``changes`` needs
    the general encoder. Byte-identical to ``reference_canonical`` (a test checks
    it on awkward values); ``log --verify`` computes a million of these.
    """
    if not (
        type(seq) is int
        and type(at) is str
        and type(actor) is str
        and type(source) is str
        and type(action) is str
        and type(reason) is str
        and type(prev_hash) is str
        and (plan is None or type(plan) is str)
        and (task is None or type(task) is str)
    ):
        return reference_canonical(
            seq, at, actor, source, action, plan, task, changes, reason, prev_hash
        )
    s = _STR
    return (
        f'{{"action":{s(action)},"actor":{s(actor)},"at":{s(at)},'
        f'"changes":{_ENCODER.encode(changes) if changes else "{}"},'
        f'"plan":{"null" if plan is None else s(plan)},"prev":{s(prev_hash)},'
        f'"reason":{s(reason)},"seq":{seq},"source":{s(source)},'
        f'"task":{"null" if task is None else s(task)}}}'
    )


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_STR = json.encoder.encode_basestring  # what the encoder above uses for every str


def reference_canonical(
    seq: int,
    at: str,
    actor: str,
    source: str,
    action: str,
    plan: str | None,
    task: str | None,
    changes: dict[str, Any],
    reason: str,
    prev_hash: str,
) -> str:
    """The definition: the event as sorted, compact JSON (UTF-8 kept)."""
    body = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "source": source,
        "action": action,
        "plan": plan,
        "task": task,
        "changes": changes,
        "reason": reason,
        "prev": prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_digest(**fields: Any) -> str:
    """The hash of one event: SHA-256 of its ``canonical`` form (fields as there)."""
    return hashlib.sha256(canonical(**fields).encode("utf-8")).hexdigest()


def stored_digest(
    seq: int,
    at: dt.datetime | str,
    actor: str,
    source: str,
    action: str,
    plan: str | None,
    task: str | None,
    changes: dict[str, Any],
    reason: str,
    prev_hash: str,
) -> str:
    """``event_digest`` of a row as read back (``at`` may be SQLite's stored text)."""
    text = _canonical(
        seq, at_iso(at), actor, source, action, plan, task, changes, reason, prev_hash
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_event_text(reason: str, changes: dict[str, Any] | None) -> None:
    """Every text stored with a change (note, reason, report, evidence, names) is
    at most ``textsafe.MAX_TEXT_CHARS`` characters: InvalidInputError otherwise."""
    from lctasks.i18n import services_t as t
    from lctasks.textsafe import MAX_TEXT_CHARS, check_text

    if len(reason or "") > MAX_TEXT_CHARS or changes:
        check_text(reason or "", t("limit.field"))
        check_text(changes or {}, t("limit.field"))


class SqlEventLog:
    """Appends hash-chained events through a ``Runner`` inside its transaction.

    Like ``audit.EventLog``: on PostgreSQL the chain lock row (CHAIN_LOCK_SQL)
    serialises appends (take it before any row lock); on SQLite the write
    transaction already holds the database lock (BEGIN IMMEDIATE).
    Rows are buffered and written by ``flush()`` in one ``executemany``.
    """

    def __init__(self, runner: Runner, actor: Actor, *, at: dt.datetime | None = None) -> None:
        self._runner = runner
        self._actor = actor
        from lctasks.services.keys import chain_keys

        if runner.dialect == "postgresql":
            runner.all(CHAIN_LOCK_SQL)
        # the time is taken once the chain is ours, so later seq never has an earlier time
        self.at = _as_utc(at or utcnow())
        head = runner.all("SELECT seq, hash, mac FROM events ORDER BY seq DESC LIMIT 1")
        self._seq, self._prev = (int(head[0][0]), str(head[0][1])) if head else (0, GENESIS)
        self._ring, self._rotation = chain_keys(runner.dialect, str(head[0][2]) if head else "")
        self._pending: list[dict[str, Any]] = []
        self.count = 0

    def append(
        self,
        action: str,
        *,
        plan: str | None = None,
        task: str | None = None,
        changes: dict[str, Any] | None = None,
        reason: str = "",
        source: Source | None = None,
    ) -> int:
        check_event_text(reason, changes)
        if self._rotation is not None:
            old, new = self._rotation
            self._rotation = None
            self._add(KEY_ACTION, None, None, {"key": [old, new]}, "", source)
        self.count += 1
        return self._add(action, plan, task, changes, reason, source)

    def _add(
        self,
        action: str,
        plan: str | None,
        task: str | None,
        changes: dict[str, Any] | None,
        reason: str,
        source: Source | None,
    ) -> int:
        self._seq += 1
        body = _jsonable(changes or {})
        src = str(source or self._actor.source)
        digest = event_digest(
            seq=self._seq,
            at=self.at,
            actor=self._actor.name,
            source=src,
            action=action,
            plan=plan,
            task=task,
            changes=body,
            reason=reason or "",
            prev_hash=self._prev,
        )
        self._pending.append(
            {
                "seq": self._seq,
                "actor": self._actor.name,
                "source": src,
                "action": action,
                "plan_code": plan,
                "task_key": task,
                "changes": json.dumps(body, ensure_ascii=False),
                "reason": reason or "",
                "prev_hash": self._prev,
                "hash": digest,
                "mac": self._ring.sign(digest),
            }
        )
        self._prev = digest
        return self._seq

    def flush(self) -> None:
        if not self._pending:
            return
        from lctasks.db.sql import db_datetime, json_param

        at = db_datetime(self._runner, self.at)
        rows = [dict(p, at=at) for p in self._pending]
        self._runner.run_many(
            "INSERT INTO events (seq, at, actor, source, action, plan_code, task_key, "
            "changes, reason, prev_hash, hash, mac) VALUES (:seq, :at, :actor, :source, :action, "
            f":plan_code, :task_key, {json_param(self._runner, 'changes')}, :reason, "
            ":prev_hash, :hash, :mac)",
            rows,
        )
        self._pending.clear()


# ---------------------------------------------------------------------------
# Anchors: a point of the history kept outside the database
# ---------------------------------------------------------------------------
#
# An anchor is one event's seq and (a prefix of) its hash, written somewhere the
# database's owner cannot reach: a line in an append-only file, a snapshot's
# ``[snapshot]`` table, a meeting pack, a unit workbook. ``log --verify --against``
# proves each one is still in the chain: a deleted tail or a re-hashed history
# changes or removes the hash at that seq.
#
# The printed form is short enough to read out: ``#1234 3f9a 2c1d 7b00 e1f2``.
# A file line carries the whole hash: ``lctasks-anchor 1234 <64 hex> <UTC time>``.
# Any prefix of at least ANCHOR_MIN_HEX hex digits is accepted (64 bits: finding
# another history that matches it is 2^64 hashes of work).

ANCHOR_MIN_HEX = 16
ANCHOR_TAG = "lctasks-anchor"


@dataclass(frozen=True, slots=True)
class Anchor:
    """A recorded history point: ``hash`` may be a prefix (≥ 16 hex digits)."""

    seq: int
    hash: str
    at: str = ""  # when it was taken (UTC, ISO), informational
    where: str = ""  # the file (and line) it was read from

    def short(self) -> str:
        """``#1234 3f9a 2c1d 7b00 e1f2``: read out or printed on paper."""
        h = self.hash[:ANCHOR_MIN_HEX]
        return f"#{self.seq} " + " ".join(h[i : i + 4] for i in range(0, len(h), 4))


def anchor_line(seq: int, digest: str, at: dt.datetime | None = None) -> str:
    """The one-line form for files (anchor files, packs, workbooks): whole hash + time."""
    when = _as_utc(at or utcnow()).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{ANCHOR_TAG} {seq} {digest} {when}"


def anchor_fields(seq: int, digest: str) -> dict[str, Any]:
    """The two fields a document embeds (as a snapshot's ``[snapshot]`` table does)."""
    return {"history_seq": seq, "history_hash": digest}


# fields are separated within one line only: an anchor line without a time must not
# take the first word of the next line as its time
_LINE = re.compile(
    rf"{ANCHOR_TAG}[ \t]+#?(\d+)[ \t]+([0-9a-fA-F]{{{ANCHOR_MIN_HEX},64}})(?![0-9a-fA-F])"
    r"(?:[ \t]+(\S+))?"
)
# the printed short form typed back: "#1234 3f9a 2c1d 7b00 e1f2" (spaces or dashes)
_SHORT = re.compile(r"^\s*#(\d+)\s+((?:[0-9a-fA-F]{4}[ \t-]*){4,16})\s*$")
_SEQ_FIELD = re.compile(r"""(?<![\w])["']?history_seq["']?\s*[=:]\s*["']?(\d+)""")
_HASH_FIELD = re.compile(
    r"""(?<![\w])["']?history_hash["']?\s*[=:]\s*["']([0-9a-fA-F]{16,64})["']"""
)


def parse_anchors(text: str, where: str = "") -> list[Anchor]:
    """Every anchor in ``text``: anchor lines, typed-back short forms, and the
    ``history_seq`` / ``history_hash`` pair a snapshot (TOML) or a pack (JSON)
    carries. Order as they appear."""
    found: list[tuple[int, Anchor]] = []
    for m in _LINE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        found.append(
            (
                m.start(),
                Anchor(int(m.group(1)), m.group(2).lower(), m.group(3) or "", f"{where}:{line}"),
            )
        )
    pos = 0
    for raw in text.splitlines(keepends=True):
        sm = _SHORT.match(raw)
        if sm:
            digest = re.sub(r"[^0-9a-fA-F]", "", sm.group(2)).lower()
            line = text.count("\n", 0, pos) + 1
            found.append((pos, Anchor(int(sm.group(1)), digest, "", f"{where}:{line}")))
        pos += len(raw)
    seq_m = _SEQ_FIELD.search(text)
    hash_m = _HASH_FIELD.search(text)
    if seq_m and hash_m:
        line = text.count("\n", 0, seq_m.start()) + 1
        found.append(
            (
                seq_m.start(),
                Anchor(int(seq_m.group(1)), hash_m.group(1).lower(), "", f"{where}:{line}"),
            )
        )
    return [a for _, a in sorted(found, key=lambda p: p[0])]


def read_anchor_file(path: str | os.PathLike[str]) -> list[Anchor]:
    """Anchors in a file of any kind lctasks writes or keeps: a plain anchor file,
    a snapshot (.toml), a JSON document, or a zip container (.xlsx, .docx: every
    XML or text member is searched, so a workbook cell or a document paragraph
    holding an anchor line counts). A point the file states twice (a pack's cover
    and footer) is one anchor."""
    seen: set[tuple[int, str]] = set()
    out: list[Anchor] = []
    for a in _anchors_in_file(path):
        if (a.seq, a.hash) not in seen:
            seen.add((a.seq, a.hash))
            out.append(a)
    return out


def _anchors_in_file(path: str | os.PathLike[str]) -> list[Anchor]:
    name = os.fspath(path)
    from lctasks.textsafe import read_file_bytes

    data = read_file_bytes(name)  # a FIFO or > 64 MiB: refused before reading
    if data[:4] == b"PK\x03\x04":
        import io
        import zipfile

        out: list[Anchor] = []
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                if info.filename.endswith((".xml", ".txt", ".json", ".toml", ".md")):
                    text = z.read(info).decode("utf-8", errors="replace")
                    out += parse_anchors(text, f"{name}!{info.filename}")
        return out
    return parse_anchors(data.decode("utf-8", errors="replace"), name)


def append_anchor(path: str | os.PathLike[str], line: str) -> None:
    """Append one anchor line to an (append-only) anchor file, durably."""
    fd = os.open(os.fspath(path), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
