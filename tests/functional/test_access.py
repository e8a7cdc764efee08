"""Roles and people on both back ends: who may do what, and a refusal changes nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database, open_database
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
    # aligned by display width, the role as people read it (with the word --role takes)
    code, out, _ = run("people", "list")
    if db_url.startswith("postgresql"):  # plus whether a database login of that name exists
        assert code == 0 and out.splitlines() == [
            "名称    角色                   单位      数据库登录  姓名/备注",
            "李联络  单位联络员（liaison）  市科技局  否",
            "测试员  督查室（supervisor）   —         是",
        ]
    else:
        assert code == 0 and out.splitlines() == [
            "名称    角色                   单位      姓名/备注",
            "李联络  单位联络员（liaison）  市科技局",
            "测试员  督查室（supervisor）   —",
        ]
    code, out, _ = run("people", "list", "--csv")
    assert code == 0 and out.splitlines()[1:] == [
        "李联络,单位联络员（liaison）,市科技局,"
        + ("否," if db_url.startswith("postgresql") else ""),
        "测试员,督查室（supervisor）,—," + ("是," if db_url.startswith("postgresql") else ""),
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


# -- each refusal, exactly as a person reads it -------------------------------------


def task_of(s: Session, key: str) -> TaskRow:
    return s.scalars(select(TaskRow).where(TaskRow.key == key)).one()


def refusal(call: Callable[[], None]) -> tuple[str, str, tuple[str, ...]]:
    with pytest.raises(PermissionDeniedError) as exc:
        call()
    return (exc.value.message, exc.value.hint, exc.value.ids)


def test_each_refusal_says_who_what_and_what_to_do(office: Database) -> None:
    from lctasks.services import access

    before = snapshot(office)
    with office.write() as s:
        own = task_of(s, "C09.M01")  # led by 市科技局
        other = task_of(s, "C10.M01")  # led by 市大数据局, no co-units
        assert refusal(lambda: access.require(s, Actor("陌生人"), "note", own)) == (
            "“陌生人”不在人员名单中，不能添加备注",
            "请督查室登记：lctasks people add 陌生人 --role liaison --unit 单位",
            (),
        )
        assert refusal(lambda: access.require(s, Actor(VI), "progress", own)) == (
            "赵只读 是只读用户（viewer），不能报送进展",
            "需要修改时，请督查室调整角色：lctasks people set 赵只读 --role liaison --unit 单位",
            (),
        )
        assert refusal(lambda: access.require(s, Actor(LI), "close", own)) == (
            "“销号”只能由督查室（supervisor）操作，李联络 是单位联络员（liaison）",
            "请督查室人员操作，或请其调整你的角色",
            (),
        )
        # a liaison action without a task (a plan-wide write) is the office's too
        assert refusal(lambda: access.require(s, Actor(LI), "note"))[0] == (
            "“添加备注”只能由督查室（supervisor）操作，李联络 是单位联络员（liaison）"
        )
        # an action without a label is named as it is
        assert refusal(lambda: access.require(s, Actor(LI), "frobnicate", own))[0] == (
            "“frobnicate”只能由督查室（supervisor）操作，李联络 是单位联络员（liaison）"
        )
        assert refusal(lambda: access.require(s, Actor(LI), "status", own, to="suspended")) == (
            "联络员只能把状态设为 推进中、受阻 或 已完成（待销号），不能设为“暂缓”",
            "暂缓、退回、销号等请督查室操作",
            ("C09.M01",),
        )
        assert refusal(lambda: access.require(s, Actor(LI), "note", other)) == (
            "任务 C10.M01 的牵头或配合单位中没有 市科技局，李联络 不能添加备注",
            "联络员只能处理本单位牵头或配合的任务；分工有误请联系督查室",
            ("C10.M01",),
        )
    assert snapshot(office) == before


def test_what_a_liaison_and_a_viewer_may_do(office: Database) -> None:
    from lctasks.services import access

    with office.write() as s:
        own, co_owned = task_of(s, "C09.M01"), task_of(s, "C10.M02")
        for action in sorted(access.READ_ACTIONS):  # reading: every listed person
            for name in (VI, LI, BOSS):
                access.require(s, Actor(name), action)
        for action in ("progress", "check", "note", "status"):
            access.require(s, Actor(LI), action, own)
            access.require(s, Actor(LI), action, co_owned)  # a co-unit's task
        for to in ("in_progress", "blocked", "done"):
            access.require(s, Actor(LI), "status", own, to=to)
        for to in ("not_started", "suspended", "returned", "closed"):
            with pytest.raises(PermissionDeniedError):
                access.require(s, Actor(LI), "status", own, to=to)
        for action in ("assign", "accept", "close", "return", "reopen", "extend", "people"):
            access.require(s, Actor(BOSS), action, own)
            with pytest.raises(PermissionDeniedError):
                access.require(s, Actor(LI), action, own)
        with pytest.raises(PermissionDeniedError, match="不在人员名单"):
            access.require(s, Actor("陌生人"), "show")  # reading needs to be listed too


def test_a_co_unit_of_another_unit_does_not_let_a_liaison_in(office: Database) -> None:
    from lctasks.services import access

    wf(office, BOSS).assign(["C10.M01"], co=["东昌府区"])  # 市大数据局 + 东昌府区
    with office.write() as s, pytest.raises(PermissionDeniedError, match="没有 市科技局"):
        access.require(s, Actor(LI), "note", task_of(s, "C10.M01"))


def test_a_liaison_without_a_unit_on_record_is_refused(office: Database) -> None:
    from lctasks.services import access

    with office.write() as s:  # e.g. written by plain SQL: the rule does not trust it
        s.add(PersonRow(name="孙联络", role="liaison", unit_id=None))
    before = snapshot(office)
    with pytest.raises(PermissionDeniedError) as exc:
        wf(office, "孙联络").note(["C09.M01"], "备注")
    assert exc.value.message.splitlines()[1] == (
        "  C09.M01：联络员 孙联络 没有登记所属单位，不能添加备注"
    )
    with office.write() as s:
        assert refusal(
            lambda: access.require(s, Actor("孙联络"), "note", task_of(s, "C09.M01"))
        ) == (
            "联络员 孙联络 没有登记所属单位，不能添加备注",
            "请督查室登记单位：lctasks people set 孙联络 --unit 单位",
            (),
        )
    assert snapshot(office) == before


def test_people_are_read_once_per_transaction_until_forgotten(office: Database) -> None:
    from lctasks.services import access

    with office.write() as s:
        access.forget(s)  # nothing cached yet: nothing to drop
        assert not access.trusted(s)
        with pytest.raises(PermissionDeniedError):
            access.require(s, Actor("新人"), "note", task_of(s, "C09.M01"))
        s.add(PersonRow(name="新人", role="supervisor", unit_id=None))
        s.flush()
        access.forget(s)  # the people table changed in this transaction
        access.require(s, Actor("新人"), "close", task_of(s, "C09.M01"))


def test_single_user_mode_until_someone_is_added(database: Database) -> None:
    from lctasks.services import access

    seed(database)
    with database.write() as s:
        assert access.trusted(s)
        access.require(s, Actor("任何人"), "restore")
        access.require(s, Actor("任何人"), "status", task_of(s, "C10.M01"), to="closed")


def test_identity_on_sqlite_is_the_name_given(tmp_path: Path) -> None:
    from lctasks.services import access

    database = open_database(tmp_path / "who.db")
    assert access.identify(database, "王督查") == Actor("王督查", Source.CLI)
    assert access.identify(database, "王督查", explicit=True, source=Source.TUI) == Actor(
        "王督查", Source.TUI
    )
    database.dispose()


class _LoginDb:
    """A PostgreSQL connection as identify() sees it: not SQLite, a current_user."""

    is_sqlite = False

    def __init__(self, login: str) -> None:
        self.login = login
        self.asked: list[str] = []

    @contextlib.contextmanager
    def read(self) -> Iterator[_LoginDb]:
        yield self

    def execute(self, statement: object) -> _LoginDb:
        self.asked.append(str(statement))
        return self

    def scalar_one(self) -> str:
        return self.login


def test_identity_on_postgresql_is_the_login_and_as_cannot_name_another() -> None:
    """The rule of identify() over a stand-in connection (SQLite-only runs, e.g. the
    mutation score); the real server: tests/functional/test_pg_security.py."""
    from lctasks.services import access

    db = _LoginDb("李联络")
    # LCTASKS_USER (not explicit) naming somebody else is ignored: the login acts
    assert access.identify(db, "王督查", source=Source.TUI) == Actor("李联络", Source.TUI)  # type: ignore[arg-type]
    assert db.asked == ["SELECT current_user"]
    assert access.identify(db, "李联络", explicit=True) == Actor("李联络", Source.CLI)  # type: ignore[arg-type]
    assert refusal(lambda: access.identify(db, "王督查", explicit=True)) == (  # type: ignore[arg-type]
        "在 PostgreSQL 上，操作人就是数据库登录名“李联络”，不能用 --as 王督查 代替他人操作",
        "以 王督查 的身份连接数据库（连接 URL 中的用户名），或去掉 --as",
        (),
    )
