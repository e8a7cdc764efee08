"""Roles and people on both back ends: who may do what, and a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database
from lctasks.db.models import EventRow, PersonRow, ProgressRow, TaskRow
from lctasks.domain import (
    Actor,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Role,
    Source,
)
from lctasks.services.audit import verify_chain
from lctasks.services.base import ServiceContext
from lctasks.services.people import PeopleService
from lctasks.services.workflow import WorkflowService
from tests.wfdata import seed

BOSS = "王督查"
LI = "李联络"  # liaison of 市科技局
VI = "赵只读"


def people(db: Database, actor: str = BOSS) -> PeopleService:
    return PeopleService(ServiceContext(db, Actor(actor, Source.CLI)))


def wf(db: Database, actor: str) -> WorkflowService:
    return WorkflowService(ServiceContext(db, Actor(actor, Source.CLI)))


def snapshot(db: Database) -> tuple[object, ...]:
    """Everything a refused action must leave as it was."""
    with db.read() as s:
        tasks = [
            (r.key, r.status, r.progress, r.version, r.lead_unit_id, r.due)
            for r in s.scalars(select(TaskRow).order_by(TaskRow.key))
        ]
        n_events = s.scalar(select(func.count()).select_from(EventRow))
        n_reports = s.scalar(select(func.count()).select_from(ProgressRow))
        who = [(p.name, p.role, p.unit_id) for p in s.scalars(select(PersonRow))]
    return (tasks, n_events, n_reports, who)


@pytest.fixture
def office(database: Database) -> Database:
    """Five tasks; C09.M01 led by 市科技局, C10.M02 co-owned by it; three people."""
    seed(database)
    boss = wf(database, BOSS)  # single-user mode: trusted
    boss.assign(["C09.M01"], lead="市科技局")
    boss.assign(["C10.M02"], lead="市工业和信息化局", co=["市科技局"])
    boss.assign(["C10.M01"], lead="市大数据局")
    p = people(database)
    p.add(BOSS, "supervisor")
    p.add(LI, "liaison", "市科技局")
    p.add(VI, "viewer")
    return database


def test_single_user_mode_trusts_everyone(database: Database) -> None:
    seed(database)
    res = wf(database, "随便谁").set_status(["C10.M01"], "suspended")
    assert res.applied and res.results[0].changes["status"] == ["not_started", "suspended"]


def test_liaison_reports_on_own_and_co_owned_tasks(office: Database) -> None:
    li = wf(office, LI)
    li.report_progress(["C09.M01"], made="完成平台申报材料", percent=20)
    li.report_progress(["C10.M02"], made="配合开展技术攻关")
    li.set_status(["C09.M01"], "blocked", reason="资金未到位")
    li.note(["C10.M02"], "已对接")
    with office.read() as s:
        rows = {r.key: r for r in s.scalars(select(TaskRow))}
        assert rows["C09.M01"].status == "blocked" and rows["C09.M01"].progress == 20
        assert rows["C10.M02"].status == "in_progress"
        assert verify_chain(s).ok


def test_liaison_on_another_units_task_is_refused_and_nothing_changes(office: Database) -> None:
    before = snapshot(office)
    li = wf(office, LI)
    with pytest.raises(PermissionDeniedError) as exc:
        li.report_progress(["C09.M01", "C10.M01"], made="越权报送")
    assert "C10.M01" in exc.value.ids and "C09.M01" not in exc.value.ids
    assert "市科技局" in exc.value.message
    assert snapshot(office) == before  # the own task in the batch was not changed either


@pytest.mark.parametrize(
    ("action", "call"),
    [
        ("close", lambda w: w.close(["C09.M01"], note="完成", evidence="文件")),
        ("assign", lambda w: w.assign(["C09.M01"], due=None, person="张三")),
        (
            "extend",
            lambda w: w.extend(["C09.M01"], to=dt.date(2026, 6, 30), reason="疫情", late=True),
        ),
    ],
)
def test_liaison_may_not_do_supervisor_work(office: Database, action: str, call: object) -> None:
    before = snapshot(office)
    with pytest.raises(PermissionDeniedError, match="督查室"):
        call(wf(office, LI))  # type: ignore[operator]
    assert snapshot(office) == before


def test_liaison_may_not_suspend(office: Database) -> None:
    from lctasks.services import access

    with office.write() as s:
        row = s.scalars(select(TaskRow).where(TaskRow.key == "C09.M01")).one()
        access.require(s, Actor(LI), "status", row, to="done")
        with pytest.raises(PermissionDeniedError, match="暂缓"):
            access.require(s, Actor(LI), "status", row, to="suspended")


def test_viewer_and_strangers_change_nothing(office: Database) -> None:
    before = snapshot(office)
    with pytest.raises(PermissionDeniedError, match="只读"):
        wf(office, VI).note(["C09.M01"], "看看")
    with pytest.raises(PermissionDeniedError, match="不在人员名单"):
        wf(office, "陌生人").note(["C09.M01"], "看看")
    assert snapshot(office) == before


def test_supervisor_closes(office: Database) -> None:
    boss = wf(office, BOSS)
    boss.set_status(["C10.M01"], "done")
    res = boss.close(["C10.M01"], note="已完成", evidence="验收报告")
    assert res.applied


def test_people_changes_are_events(office: Database) -> None:
    p = people(office)
    p.set(LI, unit="kjj")  # same unit, typed as initials: unchanged, no event
    p.set(VI, role="liaison", unit="市大数据局")
    p.remove(VI)
    with office.read() as s:
        evs = list(
            s.scalars(
                select(EventRow).where(EventRow.action.like("person%")).order_by(EventRow.seq)
            )
        )
        assert verify_chain(s).ok
    assert [e.action for e in evs] == [
        "person_add",
        "person_add",
        "person_add",
        "person_set",
        "person_remove",
    ]
    assert evs[1].changes["unit"] == [None, "市科技局"]
    assert evs[3].changes["role"] == ["viewer", "liaison"]
    assert all(e.actor == BOSS for e in evs)
    listed = p.list()
    assert [(x.name, x.role, x.unit) for x in listed] == [
        (LI, Role.LIAISON, "市科技局"),
        (BOSS, Role.SUPERVISOR, None),
    ]


def test_people_rules(database: Database) -> None:
    p = people(database)
    with pytest.raises(InvalidInputError, match="supervisor"):
        p.add("张三", "liaison", "市科技局")  # first person must be a supervisor
    p.add(BOSS, "supervisor")
    with pytest.raises(InvalidInputError, match="单位"):
        p.add("张三", "liaison")  # a liaison needs a unit
    with pytest.raises(InvalidInputError, match="角色"):
        p.add("张三", "boss")
    with pytest.raises(ConflictError, match="已登记"):
        p.add(BOSS, "viewer")
    with pytest.raises(NotFoundError):
        p.set("无名氏", role="viewer")
    for bad in ["", " ", "a b", "x;drop", 'q"uote', "pg_admin", "lctasks_liaison", "x" * 64]:
        with pytest.raises(InvalidInputError):
            p.add(bad, "viewer")
    p.add("张三", "liaison", "科技局")  # alias resolved
    with pytest.raises(ConflictError, match="最后一名"):
        p.set(BOSS, role="viewer")
    with pytest.raises(ConflictError, match="最后一名"):
        p.remove(BOSS)
    with pytest.raises(PermissionDeniedError):
        people(database, "张三").add("李四", "viewer")  # liaisons do not manage people
    with pytest.raises(InvalidInputError, match="PostgreSQL") if database.is_sqlite else _nothing():
        p.add("钱五", "viewer", login=database.is_sqlite)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_people_cli(db_url: str) -> None:
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        r = runner.invoke(app, ["--db", db_url, *args])
        return r.exit_code, r.stdout, r.stderr

    code, out, _ = run("people", "list")
    assert code == 0
    assert out == "尚未登记任何人员：单用户模式，所有能打开数据库的人都被信任\n"
    assert run("people", "add", "测试员", "--role", "supervisor")[0] == 0
    code, out, _ = run("people", "add", "李联络", "--role", "liaison", "--unit", "市科技局")
    assert code == 0 and "李联络" in out and "市科技局" in out
    code, _, err = run("people", "add", "王五", "--role", "liaison")
    assert code == 4 and "单位" in err and "Traceback" not in err
    code, out, _ = run("people", "list", "--json")
    assert code == 0
    data = json.loads(out)
    assert {d["name"]: d["role"] for d in data} == {"测试员": "supervisor", "李联络": "liaison"}
    assert [(d["name"], d["unit"], d["display_name"]) for d in data] == [
        ("李联络", "市科技局", ""),
        ("测试员", None, ""),
    ]
    code, out, _ = run("people", "list")  # not a terminal: one tab-separated row each
    if db_url.startswith("postgresql"):  # plus whether a database login of that name exists
        assert code == 0 and out.splitlines() == [
            "名称\t角色\t单位\t数据库登录\t姓名/备注",
            "李联络\tliaison\t市科技局\t否\t",
            "测试员\tsupervisor\t-\t是\t",
        ]
    else:
        assert code == 0 and out.splitlines() == [
            "名称\t角色\t单位\t姓名/备注",
            "李联络\tliaison\t市科技局\t",
            "测试员\tsupervisor\t-\t",
        ]
    assert run("people", "set", "李联络", "--role", "viewer", "--no-unit")[0] == 0
    code, _, err = run("people", "remove", "没这人")
    assert code == 3 and "没有登记人员" in err
    # acting as the liaison: managing people is refused with exit 6
    r = runner.invoke(
        app,
        ["--db", db_url, "people", "add", "x1", "--role", "viewer"],
        env={"LCTASKS_USER": "李联络"},
    )
    if db_url.startswith("sqlite"):
        assert r.exit_code == 6 and "督查室" in r.stderr
    else:
        # PostgreSQL: LCTASKS_USER is ignored, the login (测试员) acts
        assert r.exit_code == 0
    assert run("people", "remove", "李联络")[0] == 0
