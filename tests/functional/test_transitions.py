"""Every cell of the status transition table, the refusals included.

The expected table is written out here, independently of the code's table (a
test that read the code's table would follow any change made to it): the
README's "Status transitions" table, one line per action. From it, every
(action, starting status) pair is tried on its own task, and the whole observed
table must equal the expected one: a refusal is a ConflictError that leaves the
task, its version and the event chain untouched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, update

from lctasks.db.engine import Database
from lctasks.db.models import ChecklistRow, EventRow, TaskRow
from lctasks.domain import Actor, ConflictError, InvalidInputError, Source, Status
from lctasks.services.base import ServiceContext
from lctasks.services.workflow import WorkflowService
from tests.wfdata import seed

S = Status
ALL = frozenset(S)
NOT_CLOSED = ALL - {S.CLOSED}

# action -> the statuses it may start from (README table). Anything else: refused,
# except where the action's target already holds (then "unchanged").
FROM: dict[str, frozenset[Status]] = {
    "status": frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.BLOCKED, S.SUSPENDED, S.RETURNED, S.DONE}),
    "progress": NOT_CLOSED,
    "check": NOT_CLOSED,
    "close": frozenset({S.DONE, S.IN_PROGRESS}),
    "return": frozenset({S.DONE, S.CLOSED}),
    "reopen": frozenset({S.CLOSED, S.DONE, S.SUSPENDED}),
    "extend": NOT_CLOSED,
    "assign": NOT_CLOSED,
    "note": ALL,
}
SETTABLE = [S.NOT_STARTED, S.IN_PROGRESS, S.BLOCKED, S.SUSPENDED, S.DONE]


def expected(action: str, start: Status, to: Status | None = None) -> str:
    """ "refused", "unchanged" or the status the task ends in."""
    if action == "status":
        assert to is not None
        if start == to:
            return "unchanged"
        return to.value if start in FROM["status"] else "refused"
    if action == "close" and start == S.CLOSED:
        return "unchanged"
    if action == "return" and start == S.RETURNED:
        return "unchanged"
    if action == "reopen" and start not in FROM["reopen"]:
        return "unchanged"  # already open: reopening is a no-op, never an error
    if start not in FROM[action]:
        return "refused"
    lead_to: dict[str, Status] = {
        "close": S.CLOSED,
        "return": S.RETURNED,
        "reopen": S.IN_PROGRESS,
    }
    if action in lead_to:
        return lead_to[action].value
    if action == "progress" and start in (S.NOT_STARTED, S.RETURNED):
        return S.IN_PROGRESS.value
    if action == "check" and start == S.NOT_STARTED:
        return S.IN_PROGRESS.value
    return start.value


CASES: list[tuple[str, Status, Status | None]] = [
    *((a, s, None) for a in FROM if a != "status" for s in S),
    *(("status", s, to) for s in S for to in SETTABLE),
]


def _call(wf: WorkflowService, action: str, key: str, to: Status | None) -> Any:
    calls: dict[str, Callable[[], Any]] = {
        "status": lambda: wf.set_status([key], to or S.DONE),
        "progress": lambda: wf.report_progress([key], made="完成选址", percent=30),
        "check": lambda: wf.check(key, [1]),
        "close": lambda: wf.close([key], note="完成", evidence="文件"),
        "return": lambda: wf.return_([key], reason="佐证不全"),
        "reopen": lambda: wf.reopen([key]),
        "extend": lambda: wf.extend(
            [key], to=dt.date(2099, 6, 30), reason="资金", late=True, today=dt.date(2024, 1, 2)
        ),
        "assign": lambda: wf.assign([key], lead="市科技局"),
        "note": lambda: wf.note([key], "调度会点名"),
    }
    return calls[action]()


def _state(db: Database, key: str) -> tuple[str, int, int]:
    with db.read() as s:
        status, version = s.execute(
            select(TaskRow.status, TaskRow.version).where(TaskRow.key == key)
        ).one()
        events = s.scalar(select(func.count()).select_from(EventRow)) or 0
    return str(status), int(version), int(events)


def test_every_cell_of_the_transition_table(database: Database) -> None:
    seed(database, extra=len(CASES))
    keys = [f"C99.M{i:04d}" for i in range(len(CASES))]
    with database.write() as s:
        ids = dict(s.execute(select(TaskRow.key, TaskRow.id).where(TaskRow.key.in_(keys))).all())
        for i, (_, start, _) in enumerate(CASES):
            s.add(ChecklistRow(task_id=ids[keys[i]], seq=1, text="建设产业园"))
            s.execute(update(TaskRow).where(TaskRow.key == keys[i]).values(status=start.value))
    wf = WorkflowService(ServiceContext(database, Actor("王督查", Source.CLI)))
    seen: dict[tuple[str, Status, Status | None], str] = {}
    for i, (action, start, to) in enumerate(CASES):
        key = keys[i]
        before = _state(database, key)
        try:
            res = _call(wf, action, key, to)
        except ConflictError as exc:
            assert exc.ids == (key,) and key in exc.message
            assert _state(database, key) == before  # refused: nothing written
            seen[(action, start, to)] = "refused"
            continue
        status, version, events = _state(database, key)
        result = res.results[0].result
        if result == "unchanged":
            assert (status, version, events) == before
            seen[(action, start, to)] = "unchanged"
        else:
            assert result == "changed"
            assert (version, events) == (before[1] + 1, before[2] + 1)
            seen[(action, start, to)] = status
    want = {c: expected(*c) for c in CASES}
    assert seen == want
    # the table is not vacuous: every action refuses something except note and reopen
    refused = {a for (a, _, _), v in want.items() if v == "refused"}
    assert refused == set(FROM) - {"note", "reopen"}


@pytest.mark.parametrize("target", [S.CLOSED, S.RETURNED])
def test_status_cannot_close_or_return(database: Database, target: Status) -> None:
    seed(database)
    wf = WorkflowService(ServiceContext(database, Actor("王督查", Source.CLI)))
    wf.set_status(["C10.M01"], S.DONE)
    before = _state(database, "C10.M01")
    with pytest.raises(InvalidInputError):
        wf.set_status(["C10.M01"], target)
    assert _state(database, "C10.M01") == before == ("done", 2, 1)
