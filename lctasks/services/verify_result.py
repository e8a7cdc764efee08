"""What ``log --verify`` found: the typed result of ``services.verify``.

The four checks (``Check``), the kinds of problem each can find (``Problem``),
whether the keyed check ran (``Keyed``), one ``Finding`` per thing that does not
hold, and the ``VerifyResult`` that ``history``, ``audit`` and the CLI read (no
prose to parse back). Plain data: importing it loads neither SQLAlchemy nor the verifier.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lctasks.services.chain import Anchor


class Check(enum.StrEnum):
    CHAIN = "chain"
    KEYED = "keyed"
    ANCHOR = "anchor"
    REPLAY = "replay"


class Problem(enum.StrEnum):
    # chain
    MISSING = "missing"  # a seq is absent (deleted event, or two swapped)
    LINK = "link"  # prev_hash is not the previous event's hash
    CONTENT = "content"  # the hash does not match the content
    # keyed
    MAC = "mac"  # the HMAC does not match (edited and re-hashed without the key)
    UNKEYED = "unkeyed"  # an event after keying started has no HMAC
    KEY_ID = "key_id"  # signed with a key the history never rotated to / not the office's
    # anchors
    BEYOND_HEAD = "beyond_head"  # the anchored event is gone: tail deleted / old backup
    REWRITTEN = "rewritten"  # the event at the anchored seq has another hash
    # replay
    BETWEEN = "between"  # an event's old value is not what the history left
    DIFFERS = "differs"  # the row now is not what the history says
    NO_EVENT = "no_event"  # a task/item exists that no event made
    GONE = "gone"  # a task the history has is not in the database


class Keyed(enum.StrEnum):
    CHECKED = "checked"  # every keyed event's HMAC verified
    SKIPPED = "skipped"  # keyed events exist, but no key was given
    UNKEYED = "unkeyed"  # the history has no keyed events (nothing to check)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that does not hold, with the event and/or task it is about."""

    check: Check
    problem: Problem
    seq: int | None = None  # the offending event (chain, keyed, replay BETWEEN)
    plan: str | None = None
    task: str | None = None  # task key (replay)
    field: str | None = None  # replay: status, progress, due, lead, co_units, item3 …
    expected: Any = None  # what the history says
    found: Any = None  # what the database has
    anchor: Anchor | None = None


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What ``log --verify`` found. ``ok`` when no finding; ``keyed`` says whether
    the keyed check ran."""

    events: int  # events read
    head_seq: int
    head_hash: str
    keyed: Keyed
    anchors: int = 0  # anchors checked
    tasks: int = 0  # task rows compared with the replay
    findings: tuple[Finding, ...] = ()
    replayed: bool = True

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def checked(self) -> int:
        """Events that check before the first broken one (all when the chain holds)."""
        first = self.first(Check.CHAIN)
        return self.events if first is None or first.seq is None else first.seq - 1

    @property
    def first_bad_seq(self) -> int | None:
        for check in (Check.CHAIN, Check.KEYED):
            f = self.first(check)
            if f is not None:
                return f.seq
        return None

    def first(self, check: Check) -> Finding | None:
        return next((f for f in self.findings if f.check == check), None)

    def of(self, check: Check) -> list[Finding]:
        return [f for f in self.findings if f.check == check]
