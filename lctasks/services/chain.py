"""The event chain's canonical form, and an appender over plain SQL.

Standard library only: ``lctasks.services.audit`` (the ORM face of the event
log) and the workflow services' SQL path both hash events with ``canonical``
from here, so ``audit.verify_chain`` checks events written either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lctasks.db.sql import Runner
    from lctasks.domain import Actor, Source

GENESIS = "0" * 64
CHAIN_LOCK_KEY = 727275  # PostgreSQL advisory lock id for appends (audit.py, review.py too)


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
    body = {
        "seq": seq,
        "at": _as_utc(at).isoformat(timespec="microseconds"),
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


class SqlEventLog:
    """Appends hash-chained events through a ``Runner`` inside its transaction.

    Like ``audit.EventLog``: on PostgreSQL a transaction advisory lock
    serialises appends (take it before any row lock); on SQLite the write
    transaction already holds the database lock (BEGIN IMMEDIATE).
    Rows are buffered and written by ``flush()`` in one ``executemany``.
    """

    def __init__(self, runner: Runner, actor: Actor, *, at: dt.datetime | None = None) -> None:
        self._runner = runner
        self._actor = actor
        if runner.dialect == "postgresql":
            runner.all("SELECT pg_advisory_xact_lock(:k)", {"k": CHAIN_LOCK_KEY})
        # the time is taken once the chain is ours, so later seq never has an earlier time
        self.at = _as_utc(at or utcnow())
        head = runner.all("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        self._seq, self._prev = (int(head[0][0]), str(head[0][1])) if head else (0, GENESIS)
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
            }
        )
        self._prev = digest
        self.count += 1
        return self._seq

    def flush(self) -> None:
        if not self._pending:
            return
        from lctasks.db.sql import db_datetime, json_param

        at = db_datetime(self._runner, self.at)
        rows = [dict(p, at=at) for p in self._pending]
        self._runner.run_many(
            "INSERT INTO events (seq, at, actor, source, action, plan_code, task_key, "
            "changes, reason, prev_hash, hash) VALUES (:seq, :at, :actor, :source, :action, "
            f":plan_code, :task_key, {json_param(self._runner, 'changes')}, :reason, "
            ":prev_hash, :hash)",
            rows,
        )
        self._pending.clear()
