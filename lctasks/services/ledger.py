"""The ledger service: import a plan into the database, read tasks back.

``LedgerService`` is the one face callers use; each job lives in its own module:

- ``lctasks.services.plan_import``: import and re-import of a plan (the rules for
  what a re-import keeps, changes and removes are in its docstring);
- ``lctasks.plan.rekey``: the pure re-keying and checklist-tick rules;
- ``lctasks.services.task_queries``: plans, units, filtered task lists, one task;
- ``lctasks.services.outline``: the plan tree with light counts, and coverage.
"""

from __future__ import annotations

from lctasks.services.outline import OutlineQueries
from lctasks.services.plan_import import PlanImporter
from lctasks.services.query import TaskDetail

__all__ = ["LedgerService", "TaskDetail"]


class LedgerService(PlanImporter, OutlineQueries):
    """Import and read the plan ledger. One transaction per public method."""
