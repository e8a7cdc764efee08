"""Re-importing the bundled plan into a ledger made before this work.

The "old" ledger is made by importing exactly what the parser of commit 3a0c736
produced from the bundled plan (tests/data/plan_3a0c736_tasks.json.gz: its 561
task drafts, dumped with that commit's code): no goal tasks, C61.T01 holding the
closing paragraph, the old targets, the print defects uncorrected. People then
worked on it (assign, status, progress). Re-importing with the current parser
must keep every ID, owner, status and history entry and report the new tasks as
added.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lctasks.db.engine import Database
from lctasks.db.models import EventRow
from lctasks.domain import (
    Actor,
    ChecklistDraft,
    DueBasis,
    PlanTree,
    Source,
    Status,
    Target,
    TaskDraft,
    TaskKind,
)
from lctasks.plan import load_plan
from lctasks.services.base import ServiceContext
from lctasks.services.history import HistoryService
from lctasks.services.ledger import LedgerService
from lctasks.services.query import TaskFilter
from lctasks.services.workflow import WorkflowService

CLOSING = "“十四五”规划是我市开启全面建设社会主义现代化强市的重要规划。"
FIXTURE = Path(__file__).parents[1] / "data" / "plan_3a0c736_tasks.json.gz"


def _target(d: dict[str, Any]) -> Target:
    deadline = dt.date.fromisoformat(d["deadline"]) if d["deadline"] else None
    return Target(d["text"], d["value"], d["unit"], deadline, d["yearly"])


def _draft(d: dict[str, Any]) -> TaskDraft:
    return TaskDraft(
        key=d["key"],
        kind=TaskKind(d["kind"]),
        chapter=d["chapter"],
        title=d["title"],
        source_text=d["source_text"],
        line=d["line"],
        section=d["section"],
        box=d["box"],
        category=d["category"],
        checklist=tuple(
            ChecklistDraft(c["text"], tuple(_target(g) for g in c["targets"]))
            for c in d["checklist"]
        ),
        due=dt.date.fromisoformat(d["due"]),
        due_basis=DueBasis(d["due_basis"]),
        due_text=d["due_text"],
        attrs=tuple((k, v) for k, v in d["attrs"]),
    )


def legacy_tree(tree: PlanTree) -> PlanTree:
    """The bundled plan as the parser of 3a0c736 saw it."""
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as f:
        data = json.load(f)
    assert data["source_sha256"] == tree.source_sha256  # the same plan text
    tasks = tuple(_draft(d) for d in data["tasks"])
    return dataclasses.replace(tree, tasks=tasks, corrections=())


@pytest.fixture
def ctx(database: Database) -> ServiceContext:
    return ServiceContext(database, Actor("测试员", Source.CLI))


def test_reimport_keeps_ids_owners_status_history_and_adds_goals(ctx: ServiceContext) -> None:
    tree = load_plan()
    old = legacy_tree(tree)
    assert len(old.tasks) == 561 and CLOSING in next(
        d.source_text for d in old.tasks if d.key == "C61.T01"
    )
    ledger = LedgerService(ctx)
    first = ledger.import_tree(old, source_name="old.txt")
    assert first.first and first.tasks == 561
    wf = WorkflowService(ctx)
    wf.assign(["C10.M01", "C61.T01", "I01"], lead="市工业和信息化局", co=["市科技局"])
    wf.set_status(["C10.M01"], Status.IN_PROGRESS)
    wf.report_progress(["C61.T01"], made="已起草规划条例", percent=20, period="2026-10")
    before = {t.id: t for t in ledger.list_tasks(TaskFilter(include_removed=True))}
    hist = HistoryService(ctx)
    history_before = {k: [e.seq for e in hist.history(k)] for k in ("C10.M01", "C61.T01", "I01")}

    res = ledger.import_plan()  # the bundled plan, current parser

    goals = sorted(d.key for d in tree.tasks if d.kind is TaskKind.GOAL)
    assert len(goals) == 72
    # new: the 72 goals and C42.P45, the second of two projects printed as one
    assert sorted(res.added) == sorted([*goals, "C42.P45"])
    # the same project printed twice (专栏10 固体废物 (1) and (5)): the second printing
    # is flagged removed, its row, ID and history kept
    assert res.removed == ("C42.P30",) and res.rekeyed == ()
    assert {"C61.T01", "C58.T01", "C42.P04"} <= set(res.changed)
    after = {t.id: t for t in ledger.list_tasks(TaskFilter(include_removed=True))}
    assert set(before) <= set(after) and len(after) == 561 + 72 + 1
    for key, was in before.items():
        now = after[key]
        assert now.removed == (key == "C42.P30"), key
        assert (now.kind, now.chapter, now.lead_unit, now.co_units, now.status) == (
            was.kind,
            was.chapter,
            was.lead_unit,
            was.co_units,
            was.status,
        ), key
    assert after["C10.M01"].lead_unit == "市工业和信息化局"
    assert after["I01"].co_units == ("市科技局",)
    assert after["C10.M01"].status is Status.IN_PROGRESS
    for key, seqs in history_before.items():
        # every earlier event is still there, in order; at most an import event follows
        assert [e.seq for e in hist.history(key)][: len(seqs)] == seqs
    c61 = ledger.get_task("C61.T01", as_of=dt.date(2026, 11, 1))
    assert CLOSING not in c61.source_text and c61.progress == 20
    with ctx.db.read() as s:
        added = [e.task_key for e in s.scalars(select(EventRow).where(EventRow.action == "added"))]
    assert sorted(added) == sorted([*goals, "C42.P45"])
    # and a second re-import changes nothing
    again = ledger.import_plan()
    assert (again.added, again.changed, again.removed) == ((), (), ())
