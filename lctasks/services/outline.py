"""The plan tree with counts: ``outline`` (parts, chapters, sections and boxes with
task, red and yellow counts) and ``coverage`` (tasks per chapter, reference boxes).

The reading itself is ``services/outline_read.py`` (plain SQL over any connection,
which the CLI's read fast path runs over ``sqlite3``); here it runs in a session.
"""

from __future__ import annotations

import datetime as dt

from lctasks import clock
from lctasks.db.sql import SessionRunner
from lctasks.services import outline_read
from lctasks.services.plans import resolve_plan
from lctasks.services.query import Coverage, PlanOutline
from lctasks.services.task_queries import TaskQueries


class OutlineQueries(TaskQueries):
    """The plan tree with light counts, and coverage. One read transaction per method."""

    def outline(self, plan: str | None = None, *, as_of: dt.date | None = None) -> PlanOutline:
        """Parts → chapters → sections (and boxes) with task, red and yellow counts."""
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            return outline_read.outline(
                SessionRunner(s),
                plan_row.id,
                as_of=as_of or clock.today(),
                settings=self._settings(),
            )

    def coverage(self, plan: str | None = None) -> Coverage:
        """Tasks per chapter, chapters without tasks, reference boxes, unplaced count."""
        with self.db.read() as s:
            plan_row = resolve_plan(s, plan)
            runner = SessionRunner(s)
            out = outline_read.outline(
                runner, plan_row.id, as_of=clock.today(), settings=self._settings()
            )
            return outline_read.coverage(runner, plan_row.id, out)
