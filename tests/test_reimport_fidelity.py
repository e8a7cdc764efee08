"""Re-importing the bundled plan into a ledger made before goal tasks existed.

The "old" ledger is made by importing exactly what the parser produced before
goals, checked once against the old parser (git 3a0c736): the same 561 tasks
with the same keys, texts and checklists, except that C61.T01 still held the
plan's closing paragraph. People then worked on it (assign, status, progress).
Re-importing with the current parser must keep every ID, owner, status and
history entry and report the goal tasks as added.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from lctasks.db.engine import Database
from lctasks.db.models import EventRow
from lctasks.domain import Actor, PlanTree, Source, Status, TaskKind
from lctasks.plan import load_plan
from lctasks.plan.targets import analyse, split_commitments
from lctasks.services.base import ServiceContext
from lctasks.services.history import HistoryService
from lctasks.services.ledger import LedgerService
from lctasks.services.query import TaskFilter
from lctasks.services.workflow import WorkflowService

CLOSING = "“十四五”规划是我市开启全面建设社会主义现代化强市的重要规划。"


def legacy_tree(tree: PlanTree) -> PlanTree:
    """What the parser made of the bundled plan before goal tasks (3a0c736)."""
    old = []
    ch61 = next(c for c in tree.chapters() if c.number == 61)
    for d in tree.tasks:
        if d.kind is TaskKind.GOAL:
            continue
        if d.key == "C61.T01":
            text = "\n".join(p.text for p in ch61.paragraphs)
            sentences = split_commitments(text)
            items, _due = analyse(sentences, sentences, tree.start, tree.end)
            d = dataclasses.replace(d, source_text=text, checklist=items)
        old.append(d)
    return dataclasses.replace(tree, tasks=tuple(old))


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
    assert sorted(res.added) == goals and len(goals) == 72
    assert res.removed == () and res.rekeyed == ()
    assert "C61.T01" in res.changed  # the closing paragraph left it (context now)
    after = {t.id: t for t in ledger.list_tasks(TaskFilter(include_removed=True))}
    assert set(before) <= set(after) and len(after) == 561 + 72
    for key, was in before.items():
        now = after[key]
        assert not now.removed, key
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
    assert sorted(added) == goals
    # and a second re-import changes nothing
    again = ledger.import_plan()
    assert (again.added, again.changed, again.removed) == ((), (), ())
