"""The vocabulary of lctasks: enums, the status transition table, errors, and the
frozen dataclasses of ``domain.ledger`` and ``domain.parsed`` (built on first use).

Standard library only. Every other layer (parser, database, services, CLI,
TUI, snapshots) speaks in these types; ORM objects never leave the services.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

# ---------------------------------------------------------------------------
# Enums
# ---------------------------------------------------------------------------


class TaskKind(enum.StrEnum):
    MEASURE = "measure"  # a lead-phrase paragraph (举措)
    PROJECT = "project"  # a numbered item of a 专栏 of planned projects
    INDICATOR = "indicator"  # a row of the main-indicator table
    CHAPTER = "chapter"  # a chapter whose commitments are prose only
    GOAL = "goal"  # the commitments of a chapter / section / part intro, chapter 4's goals


class Status(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    CLOSED = "closed"
    RETURNED = "returned"
    SUSPENDED = "suspended"

    @property
    def finished(self) -> bool:
        """Done or closed: no longer counts as late."""
        return self in (Status.DONE, Status.CLOSED)


# a carry-over (结转, lctasks carry) links the two tasks in their attributes: the old one
# is closed "carried to" the new one, which is "carried from" the old one
CARRIED_TO = "结转至"
CARRIED_FROM = "结转自"


class Light(enum.StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class Source(enum.StrEnum):
    """Where a change came from (recorded on every event)."""

    CLI = "cli"
    TUI = "tui"
    IMPORT = "import"
    RULE = "rule"
    REVIEW = "review"
    XLSX = "xlsx"  # a unit's filled-in workbook (lctasks apply FILE.xlsx)


class Role(enum.StrEnum):
    SUPERVISOR = "supervisor"  # 督查室
    LIAISON = "liaison"  # a unit's liaison
    VIEWER = "viewer"


class UnitKind(enum.StrEnum):
    DEPARTMENT = "department"
    COUNTY = "county"
    ZONE = "zone"
    PARTY = "party"  # 市委 bodies: 市纪委监委, 市委组织部 …
    CONGRESS = "congress"  # 市人大常委会办公室
    CPPCC = "cppcc"  # 市政协办公室
    MASS = "mass"  # mass organisations: 市总工会, 团市委, 市妇联, 市科协, 市工商联 …


class DueBasis(enum.StrEnum):
    """How a deadline was derived."""

    EXPLICIT = "explicit"  # the text names the year: 到2025年 / 到2022年 / 二〇三五年
    YEARLY = "yearly"  # 每年: yearly check-ins 2021-2025, final due at plan end
    INFERRED = "inferred"  # nothing in the text: the plan end
    MANUAL = "manual"  # set by a person
    EXTENDED = "extended"  # moved by an approved extension (延期)


# ---------------------------------------------------------------------------
# Status transitions: the one table the workflow, the review apply and the
# tests read (README "Status transitions" shows it for people)
# ---------------------------------------------------------------------------
#
# ======== ================================================ ==================
# action   from                                             to
# ======== ================================================ ==================
# status   not_started in_progress blocked suspended        not_started
#          returned done                                    in_progress blocked
#                                                           suspended done
# progress anything but closed                              not_started and
#                                                           returned become
#                                                           in_progress
# check    anything but closed                              not_started becomes
#                                                           in_progress
# close    done, in_progress (销号: note + evidence)         closed
# return   done, closed (退回: reason)                       returned
# reopen   closed, done, suspended                          in_progress
# extend   anything but closed (延期: reason)                status unchanged
# assign   anything but closed                              status unchanged
# note     anything                                         status unchanged
# ======== ================================================ ==================
#
# ``closed`` is reached only by ``close`` and left only by ``reopen`` or
# ``return``; ``returned`` only by ``return``. Asking for the state a task is
# already in is ``unchanged``, never an error (``reopen`` on an open task,
# ``return`` on a returned one, ``status X`` when it is X).

_S = Status
OPEN = frozenset({_S.NOT_STARTED, _S.IN_PROGRESS, _S.BLOCKED, _S.SUSPENDED, _S.RETURNED, _S.DONE})
NOT_CLOSED = frozenset(set(_S) - {_S.CLOSED})

# action -> (statuses it may start from, status it leads to or None)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status | None]] = {
    "status": (OPEN, None),  # to any of SETTABLE
    "progress": (NOT_CLOSED, None),
    "check": (NOT_CLOSED, None),
    "close": (frozenset({_S.DONE, _S.IN_PROGRESS}), _S.CLOSED),
    "return": (frozenset({_S.DONE, _S.CLOSED}), _S.RETURNED),
    "reopen": (frozenset({_S.CLOSED, _S.DONE, _S.SUSPENDED}), _S.IN_PROGRESS),
    "extend": (NOT_CLOSED, None),
    "assign": (NOT_CLOSED, None),
    "note": (frozenset(_S), None),
}
# the states ``status`` may set, in the order people see them
SETTABLE_ORDER = (_S.NOT_STARTED, _S.IN_PROGRESS, _S.BLOCKED, _S.SUSPENDED, _S.DONE)
SETTABLE = frozenset(SETTABLE_ORDER)


def move_action(old: Status, new: Status) -> str | None:
    """The workflow action that moves a task from ``old`` to ``new``; None if none may.

    ``status`` for the working states, else the one action leading to ``new``
    (``close``, ``return``, ``reopen``) when ``old`` is a state it starts from.
    """
    starts, _ = TRANSITIONS["status"]
    if new in SETTABLE and old in starts:
        return "status"
    for action in ("close", "return", "reopen"):
        starts, target = TRANSITIONS[action]
        if new == target and old in starts:
            return action
    return None


# ---------------------------------------------------------------------------
# Errors (each maps to a documented exit code at the CLI edge)
# ---------------------------------------------------------------------------


class LctasksError(Exception):
    """Base of every error a user can cause. ``hint`` says what to do."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "", ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.ids = ids

    @property
    def kind(self) -> str:
        """The documented error type (``ConflictError`` …), also for a service's subclass."""
        return next(c.__name__ for c in type(self).__mro__ if c.__module__ == __name__)


class UsageError(LctasksError):
    """A command line the CLI cannot read: unknown command or option, missing or
    malformed argument (the CLI turns Click's refusals into this)."""

    exit_code = 2


class NotFoundError(LctasksError):
    """Unknown task ID, unit, plan or file."""

    exit_code = 3


class InvalidInputError(LctasksError):
    """A malformed date, unit, TOML file, plan file or missing required value."""

    exit_code = 4


class ConflictError(LctasksError):
    """An invalid status transition, or an edit based on a stale version."""

    exit_code = 5


class PermissionDeniedError(LctasksError):
    """The acting person's role or unit does not allow this."""

    exit_code = 6


class StorageError(LctasksError):
    """The database cannot be opened or used (damaged, foreign, locked)."""

    exit_code = 7


class BusyError(StorageError):
    """Another session holds what this one needs (PostgreSQL lock or statement
    timeout, SQLite busy timeout): nothing was changed, try again."""

    exit_code = 8


class OutputError(LctasksError):
    """The output could not be written (disk full, terminal gone). The message
    says whether the command's change was saved before that."""

    exit_code = 9


# ---------------------------------------------------------------------------
# The dataclasses, built on first use (PEP 562): building a frozen dataclass costs
# 0.5-1 ms, and a `lctasks show` that needs only ``domain.task``'s five classes
# starts ~10 ms sooner than one that builds all 23
# ---------------------------------------------------------------------------

_LAZY = {  # name -> the module that builds it
    "Target": ".task",
    "Suggestion": ".task",
    "ChecklistItem": ".task",
    "ProgressReport": ".task",
    "Task": ".task",
    "PlanInfo": ".ledger",
    "Counts": ".ledger",
    "Unit": ".ledger",
    "Event": ".ledger",
    "Actor": ".ledger",
    "Person": ".ledger",
    "ChecklistDraft": ".parsed",
    "TaskDraft": ".parsed",
    "IndicatorRow": ".parsed",
    "BoxItem": ".parsed",
    "Box": ".parsed",
    "Paragraph": ".parsed",
    "Section": ".parsed",
    "Chapter": ".parsed",
    "Part": ".parsed",
    "Unplaced": ".parsed",
    "PrintCorrection": ".parsed",
    "PlanTree": ".parsed",
}

if TYPE_CHECKING:  # what mypy and editors see: the same names, imported eagerly
    # isort: off
    from lctasks.domain.ledger import (
        Actor as Actor,
        Counts as Counts,
        Event as Event,
        Person as Person,
        PlanInfo as PlanInfo,
        Unit as Unit,
    )
    from lctasks.domain.parsed import (
        Box as Box,
        BoxItem as BoxItem,
        Chapter as Chapter,
        ChecklistDraft as ChecklistDraft,
        IndicatorRow as IndicatorRow,
        Paragraph as Paragraph,
        Part as Part,
        PlanTree as PlanTree,
        PrintCorrection as PrintCorrection,
        Section as Section,
        TaskDraft as TaskDraft,
        Unplaced as Unplaced,
    )
    from lctasks.domain.task import (
        ChecklistItem as ChecklistItem,
        ProgressReport as ProgressReport,
        Suggestion as Suggestion,
        Target as Target,
        Task as Task,
    )
    # isort: on


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # once: later lookups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
