"""The ledger's other records: plans and counts as every face shows them, units,
people, events and who is acting.

Part of ``lctasks.domain`` (import them from there); kept in their own module so
that a command that needs none of them does not pay for building their classes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from lctasks.domain import Light, Role, Source, Status, UnitKind

# ---------------------------------------------------------------------------
# Plans and counts as every face shows them
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """A plan in the ledger as every face shows it (plan list, outline, board, snapshots).

    ``tasks``/``removed`` and the source fields are filled where they are read
    (``plan list``); a snapshot or the board leaves them at their defaults.
    """

    code: str  # short identity, e.g. "lc-14th"
    title: str
    doc_number: str
    start: dt.date
    end: dt.date
    source_name: str = ""
    source_sha256: str = ""
    imported_at: dt.datetime | None = None
    tasks: int = 0  # not removed
    removed: int = 0


@dataclass(frozen=True, slots=True)
class Counts:
    """Tasks by status and by light (a plan, a chapter, a unit, an outline node).

    Every status and light is present (0 if none). ``overdue``: past the deadline on
    the as-of date and not done/closed (as in ``lctasks report``); ``title`` names a
    snapshot's chapter.
    """

    tasks: int = 0
    status: Mapping[Status, int] = field(default_factory=dict)
    light: Mapping[Light, int] = field(default_factory=dict)
    title: str = ""  # chapters only
    overdue: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", {s: int(self.status.get(s, 0)) for s in Status})
        object.__setattr__(self, "light", {g: int(self.light.get(g, 0)) for g in Light})

    @property
    def red(self) -> int:
        return self.light[Light.RED]

    @property
    def yellow(self) -> int:
        return self.light[Light.YELLOW]


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # 聊城市科学技术局
    short: str  # 市科技局
    kind: UnitKind
    confirmed: bool = True  # V in departments.md; False for I (to check)
    aliases: tuple[str, ...] = ()  # other names people type (plan_data/units.toml)


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    at: dt.datetime
    actor: str
    source: Source
    action: str  # assign, status, progress, check, close, return, extend, note, import …
    plan: str | None
    task: str | None
    changes: dict[str, list[object]] = field(default_factory=dict)  # field -> [old, new]
    reason: str = ""
    hash: str = ""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, and from where."""

    name: str
    source: Source = Source.CLI


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who acts on the ledger. On PostgreSQL ``name`` is the database login."""

    name: str
    role: Role
    unit: str | None = None  # short name of the unit (required for liaisons)
    display_name: str = ""
    login: bool | None = None  # PostgreSQL: a login role exists (None on SQLite)
