"""Which tasks a list shows: ``TaskFilter``, and the orders a list can take.

Its own module so that ``lctasks list`` (the read fast path, ``cli/list_args``)
builds a filter without building the other read models of ``services.query``
(~20 dataclasses, ~20 ms of start-up); ``services.query`` re-exports both names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lctasks.domain import Light, Status, TaskKind

ORDERS = ("plan", "due", "key", "updated")


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Which tasks ``LedgerService.list_tasks`` returns; every field narrows.

    Several values in one field mean "any of them" (``chapters=(6, 7)``: chapter
    6 or 7); different fields must all hold.
    """

    plan: str | None = None  # plan code; None = the only plan
    chapters: tuple[int, ...] = ()
    kinds: tuple[TaskKind, ...] = ()
    units: tuple[str, ...] = ()  # as typed (kjj, 科技局, 市科技局): lead or co-unit
    statuses: tuple[Status, ...] = ()
    lights: tuple[Light, ...] = ()
    text: str | None = None  # substring of ID, title or source text
    due_before: dt.date | None = None  # due on or before
    due_after: dt.date | None = None  # due on or after
    unassigned: bool = False  # no lead unit yet
    include_removed: bool = False  # tasks gone from the plan at the last re-import
    order: str = "plan"  # plan (reading order) | due | key | updated (newest first)
    limit: int | None = None
    offset: int = 0
