"""Carrying unfinished tasks into the next plan (结转) — SQLite and PostgreSQL.

The next plan is a county-sized plan built from the bundled text: its header (with
the plan's name changed to the 15th five-year plan) and part 2, chapters 6–7.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lctasks.db.engine import Database
from lctasks.db.models import EventRow
from lctasks.domain import (
    Actor,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Role,
    Source,
)
from lctasks.plan import BUNDLED_PLAN
from lctasks.services.base import ServiceContext
from lctasks.services.carry import CarryService
from lctasks.services.history import HistoryService
from lctasks.services.ledger import LedgerService
from lctasks.services.people import PeopleService
from lctasks.services.verify import verify_history
from lctasks.services.workflow import WorkflowService


def next_plan_text(tmp_path: Path) -> Path:
    lines = Path(BUNDLED_PLAN).read_text(encoding="utf-8").splitlines()
    head = "\n".join(lines[:22]).replace("第十四个五年规划", "第十五个五年规划")
    body = "\n".join(lines[170:238])  # 第二篇 … 第七章 (lines 171–238)
    path = tmp_path / "next-plan.txt"
    path.write_text(head + "\n" + body + "\n", encoding="utf-8")
    return path


@pytest.fixture
def ctx(database: Database, tmp_path: Path) -> ServiceContext:
    c = ServiceContext(database, Actor("王督查", Source.CLI))
    ledger = LedgerService(c)
    ledger.import_plan()
    ledger.import_plan(next_plan_text(tmp_path), code="lc-15th")
    return c


def _events(db: Database, plan: str, key: str) -> list[EventRow]:
    with db.read() as s:
        return list(
            s.scalars(
                select(EventRow)
                .where(EventRow.plan_code == plan, EventRow.task_key == key)
                .order_by(EventRow.seq)
            )
        )


def test_carry_creates_the_new_task_and_closes_the_old(ctx: ServiceContext) -> None:
    WorkflowService(ctx).assign(["C06.M01"], lead="市科技局", co=["市发展改革委"], plan="lc-14th")
    WorkflowService(ctx).check("C06.M01", [1], plan="lc-14th")
    done = CarryService(ctx).carry(
        ["C06.M01", "C06.M02"], "lc-15th", plan="lc-14th", reason="纳入十五五规划"
    )
    assert [(c.old, c.new, c.created) for c in done] == [
        ("lc-14th:C06.M01", "lc-15th:JZ001", True),
        ("lc-14th:C06.M02", "lc-15th:JZ002", True),
    ]
    ledger = LedgerService(ctx)
    old = ledger.get_task("C06.M01", "lc-14th")
    new = ledger.get_task("JZ001", "lc-15th")
    assert old.status.value == "closed"
    assert dict(old.attrs)["结转至"] == "lc-15th:JZ001"
    assert dict(new.attrs)["结转自"] == "lc-14th:C06.M01"
    assert new.title == old.title == "建设技术创新平台"
    assert new.lead_unit == "市科技局" and list(new.co_units) == ["市发展改革委"]
    assert new.status.value == "not_started"
    # the ticked first item stays behind; the rest goes on
    assert [c.text for c in new.checklist] == [c.text for c in old.checklist[1:]]
    # both histories carry the link
    (carry,) = [e for e in _events(ctx.db, "lc-14th", "C06.M01") if e.action == "carry"]
    assert carry.changes["carried_to"] == [None, "lc-15th:JZ001"]
    assert carry.changes["status"] == ["in_progress", "closed"]  # ticking started it
    assert carry.reason == "纳入十五五规划"
    (carry_in,) = _events(ctx.db, "lc-15th", "JZ001")
    assert carry_in.action == "carry_in"
    assert carry_in.changes["carried_from"] == [None, "lc-14th:C06.M01"]
    assert [e.action for e in HistoryService(ctx).history("JZ001", plan="lc-15th")] == ["carry_in"]
    with ctx.db.read() as s:
        assert verify_history(s).ok


def test_carry_links_an_existing_task_and_survives_reimport(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    svc = CarryService(ctx)
    (c,) = svc.carry(["C06.M03"], "lc-15th:c06.m03", plan="lc-14th")
    assert (c.new, c.created) == ("lc-15th:C06.M03", False)
    svc.carry(["C07.M01"], "lc-15th", plan="lc-14th")
    ledger = LedgerService(ctx)
    res = ledger.import_plan(next_plan_text(tmp_path), code="lc-15th")
    assert (res.added, res.removed) == ((), ())
    assert dict(ledger.get_task("C06.M03", "lc-15th").attrs)["结转自"] == "lc-14th:C06.M03"
    jz = ledger.get_task("JZ001", "lc-15th")
    assert not jz.removed and dict(jz.attrs)["结转自"] == "lc-14th:C07.M01"
    ledger.import_plan()
    assert dict(ledger.get_task("C06.M03", "lc-14th").attrs)["结转至"] == "lc-15th:C06.M03"
    with ctx.db.read() as s:
        assert verify_history(s).ok


def test_refusals_write_nothing(ctx: ServiceContext) -> None:
    svc = CarryService(ctx)
    with pytest.raises(NotFoundError, match="没有代码为 lc-16th"):
        svc.carry(["C06.M01"], "lc-16th", plan="lc-14th")
    with pytest.raises(NotFoundError, match=r"C06\.M99"):
        svc.carry(["C06.M01", "C06.M99"], "lc-15th", plan="lc-14th")
    with pytest.raises(InvalidInputError, match="同一个规划"):
        svc.carry(["C06.M01"], "lc-14th", plan="lc-14th")
    with pytest.raises(InvalidInputError, match="只能给一个"):
        svc.carry(["C06.M01", "C06.M02"], "lc-15th:C06.M01", plan="lc-14th")
    with pytest.raises(NotFoundError, match=r"没有任务 C99\.M01"):
        svc.carry(["C06.M01"], "lc-15th:C99.M01", plan="lc-14th")
    dry = svc.carry(["C06.M01"], "lc-15th", plan="lc-14th", dry_run=True)
    assert [c.new for c in dry] == ["lc-15th:JZ001"]
    assert LedgerService(ctx).get_task("C06.M01", "lc-14th").status.value == "not_started"
    with ctx.db.read() as s:
        assert not list(s.scalars(select(EventRow).where(EventRow.action.like("carry%"))))
    svc.carry(["C06.M01"], "lc-15th", plan="lc-14th")
    with pytest.raises(ConflictError, match="已销号"):
        svc.carry(["C06.M01"], "lc-15th", plan="lc-14th")


def test_only_supervisors_carry(tmp_path: Path) -> None:
    # SQLite: the acting person is --as (on PostgreSQL the login; the database's rules)
    from lctasks.db.engine import open_database

    ctx = ServiceContext(open_database(tmp_path / "c.db"), Actor("王督查", Source.CLI))
    LedgerService(ctx).import_plan()
    LedgerService(ctx).import_plan(next_plan_text(tmp_path), code="lc-15th")
    PeopleService(ctx).add("王督查", Role.SUPERVISOR)
    PeopleService(ctx).add("科技联络", Role.LIAISON, "市科技局")
    liaison = CarryService(ctx.with_actor(Actor("科技联络", Source.CLI)))
    with pytest.raises(PermissionDeniedError):
        liaison.carry(["C06.M01"], "lc-15th", plan="lc-14th")


def test_cli_carry(tmp_path: Path) -> None:
    import json
    import subprocess

    from tests.cli_helpers import lctasks_process

    db = tmp_path / "c.db"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return lctasks_process(db, *args)

    assert run("import").returncode == 0
    assert run("import", str(next_plan_text(tmp_path)), "--code", "lc-15th").returncode == 0
    r = run("--plan", "lc-14th", "carry", "C06.M01", "--to", "lc-15th", "--reason", "纳入")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "已结转：lc-14th:C06.M01 → lc-15th:JZ001（新建）"
    r = run("--plan", "lc-14th", "carry", "C06.M01", "--to", "lc-15th", "--json")
    assert r.returncode == 5 and "已销号" in r.stderr
    r = run("--plan", "lc-14th", "carry", "C06.M02", "--to", "lc-15th", "--json", "--dry-run")
    assert json.loads(r.stdout) == [
        {"from": "lc-14th:C06.M02", "to": "lc-15th:JZ002", "created": True, "dry_run": True}
    ]
    assert run("log", "--verify").returncode == 0
