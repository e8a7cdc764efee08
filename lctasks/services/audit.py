"""The append-only, hash-chained event log.

Every change is an event: who (actor), when, from where (source), what
(action, changes old → new), why (reason). Each event's hash covers the
previous event's hash and a canonical JSON form of the event, so editing or
deleting any row breaks the chain from that row on; ``verify_chain`` names the
first event that does not fit.

Appending happens inside the caller's write transaction, so an event is
recorded exactly when its change is. On SQLite the write transaction already
holds the database write lock (BEGIN IMMEDIATE); on PostgreSQL the chain lock
row (``lctasks_chain``, migration 0003) serialises appends, so the chain never forks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from lctasks.db.models import EventRow
from lctasks.domain import Actor, Event, Source
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t

# the canonical form and hash live in a standard-library module so that the CLI
# fast path (lctasks.services.chain) appends identical events without SQLAlchemy
from lctasks.services.chain import (
    CHAIN_LOCK_SQL,
    GENESIS,
    KEY_ACTION,
    _as_utc,
    _jsonable,
    check_event_text,
    event_digest,
    utcnow,
)
from lctasks.services.keys import chain_keys
from lctasks.services.verify_result import Problem


def event_hash(row: EventRow) -> str:
    return event_digest(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        source=row.source,
        action=row.action,
        plan=row.plan_code,
        task=row.task_key,
        changes=row.changes or {},
        reason=row.reason or "",
        prev_hash=row.prev_hash,
    )


def lock_chain(session: Session) -> None:
    """Take the history's append lock now (PostgreSQL; SQLite writers hold the file lock)."""
    _lock_chain(session)


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(CHAIN_LOCK_SQL))


def _head(session: Session) -> tuple[int, str, str]:
    row = session.execute(
        select(EventRow.seq, EventRow.hash, EventRow.mac).order_by(EventRow.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1], row[2] or "") if row else (0, GENESIS, "")


class EventLog:
    """Appends events within one write transaction, keeping the chain head in hand."""

    def __init__(self, session: Session, actor: Actor, *, at: dt.datetime | None = None) -> None:
        self._session = session
        self._actor = actor
        # stored as UTC: SQLite keeps a datetime's wall clock and drops its zone
        self._at = _as_utc(at or utcnow())
        _lock_chain(session)
        self._seq, self._prev, head_mac = _head(session)
        self._ring, self._rotation = chain_keys(session.get_bind().dialect.name, head_mac)
        self.appended: list[EventRow] = []

    def append(
        self,
        action: str,
        *,
        plan: str | None = None,
        task: str | None = None,
        changes: dict[str, Any] | None = None,
        reason: str = "",
        source: Source | None = None,
    ) -> EventRow:
        check_event_text(reason, changes)
        if self._rotation is not None:  # the first event with a new key: record the change
            old, new = self._rotation
            self._rotation = None
            self._add(KEY_ACTION, None, None, {"key": [old, new]}, "", source)
        row = self._add(action, plan, task, changes, reason, source)
        self.appended.append(row)
        return row

    def _add(
        self,
        action: str,
        plan: str | None,
        task: str | None,
        changes: dict[str, Any] | None,
        reason: str,
        source: Source | None,
    ) -> EventRow:
        self._seq += 1
        row = EventRow(
            seq=self._seq,
            at=self._at,
            actor=self._actor.name,
            source=str(source or self._actor.source),
            action=action,
            plan_code=plan,
            task_key=task,
            changes=_jsonable(changes or {}),
            reason=reason or "",
            prev_hash=self._prev,
        )
        row.hash = event_hash(row)
        row.mac = self._ring.sign(row.hash)
        self._prev = row.hash
        self._session.add(row)
        return row

    def record_key(self) -> EventRow:
        """A ``key`` event: the key new events are signed with, and the one before."""
        old: str | None
        new: str | None
        if self._rotation is not None:
            old, new = self._rotation
            self._rotation = None
        else:
            old, new = None, self._ring.current
        row = self._add(KEY_ACTION, None, None, {"key": [old, new]}, "", None)
        self.appended.append(row)
        return row

    def flush(self) -> None:
        self._session.flush()


def to_event(row: EventRow) -> Event:
    return Event(
        seq=row.seq,
        at=_as_utc(row.at),
        actor=row.actor,
        source=Source(row.source),
        action=row.action,
        plan=row.plan_code,
        task=row.task_key,
        changes={
            k: list(v) if isinstance(v, list) else [v] for k, v in (row.changes or {}).items()
        },
        reason=row.reason or "",
        hash=row.hash,
    )


@dataclass(frozen=True)
class ChainReport:
    """The plain chain check alone (backups, restores): ``problem`` is typed."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: Problem | None = None


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash; report the first event that does not fit."""
    from lctasks.services.verify import verify_history
    from lctasks.services.verify_result import Check

    res = verify_history(session, replay=False)
    bad = res.first(Check.CHAIN)
    if bad is None:
        return ChainReport(True, res.events)
    return ChainReport(False, res.checked, bad.seq, bad.problem)


def problem_text(problem: Problem | str | None) -> str:
    """A chain/anchor/replay problem in the user's language."""
    return t(f"verify.problem.{problem}") if problem else ""


MESSAGES.add(
    {
        "verify.problem.missing": (
            "该事件缺失（被删除或调换？）",
            "the event is missing (deleted or swapped?)",
        ),
        "verify.problem.link": (
            "与前一条事件的链接不符（前面的记录被改动或删除？）",
            "its link to the previous event does not match (an earlier row edited or deleted?)",
        ),
        "verify.problem.content": ("记录后内容被改动", "its content was changed after recording"),
        "verify.problem.mac": (
            "密钥校验不符（被改动后重新计算了哈希）",
            "its keyed hash does not match (edited and re-hashed without the key)",
        ),
        "verify.problem.unkeyed": (
            "启用密钥后的事件缺少密钥校验值",
            "it has no keyed hash although the history is keyed from an earlier event",
        ),
        "verify.problem.key_id": (
            "签名所用的密钥既未经轮换记录、也不在你的密钥文件中（用别的密钥重签？或密钥文件不对）",
            "signed with a key the history never rotated to, or that your key file lacks "
            "(re-signed with another key? or the wrong key file)",
        ),
        "verify.problem.beyond_head": (
            "锚定的事件已不在历史中（末尾被删除，或恢复了更早的备份）",
            "the anchored event is no longer in the history "
            "(tail deleted, or an older backup restored)",
        ),
        "verify.problem.rewritten": (
            "锚定的事件哈希已不同（历史被改写并重新计算哈希）",
            "the anchored event has another hash now (history rewritten and re-hashed)",
        ),
        "verify.problem.between": (
            "两条事件之间被直接改动（没有事件记录）",
            "changed between two events without an event",
        ),
        "verify.problem.differs": (
            "与历史记录不符（被直接改动，没有事件记录）",
            "not what the history says (changed without an event)",
        ),
        "verify.problem.no_event": (
            "没有创建它的事件",
            "no event made it",
        ),
        "verify.problem.gone": (
            "历史中有、数据库中已没有（被直接删除）",
            "the history has it, the database does not (deleted without an event)",
        ),
    }
)
