"""PostgreSQL enforces the roles itself: real logins, plain SQL, and lctasks.

A liaison's login can change only their unit's tasks, only the working
columns, never the history, never in somebody else's name — whether through
lctasks (PermissionDeniedError, exit 6, nothing changed) or with plain SQL
(refused by grants, row-level security and triggers, or 0 rows).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database, open_database
from lctasks.domain import Actor, PermissionDeniedError, Source
from lctasks.services import access
from lctasks.services.audit import verify_chain
from lctasks.services.base import ServiceContext
from lctasks.services.people import PeopleService
from lctasks.services.workflow import WorkflowService
from tests.conftest import TEST_LOGIN
from tests.wfdata import seed

pytestmark = pytest.mark.postgres


class Office:
    """A seeded PostgreSQL database with three real logins (names unique per test)."""

    def __init__(self, url: str) -> None:
        self.url = url
        tag = uuid.uuid4().hex[:6]
        self.boss = f"boss_{tag}"
        self.li = f"li_{tag}"
        self.vi = f"vi_{tag}"
        self.admin = open_database(url)  # the superuser login 测试员
        seed(self.admin)
        me = ServiceContext(self.admin, Actor(TEST_LOGIN, Source.CLI))
        w = WorkflowService(me)
        w.assign(["C09.M01"], lead="市科技局")
        w.assign(["C10.M02"], lead="市工业和信息化局", co=["市科技局"])
        w.assign(["C10.M01"], lead="市大数据局")
        p = PeopleService(me)
        p.add(TEST_LOGIN, "supervisor")
        p.add(self.boss, "supervisor", login=True)
        p.add(self.li, "liaison", "市科技局", login=True)
        p.add(self.vi, "viewer", login=True)
        self._engines: list[Engine] = []
        self._dbs: list[Database] = []

    def url_as(self, login: str) -> str:
        return make_url(self.url).set(username=login).render_as_string(hide_password=False)

    def sql(self, login: str) -> Connection:
        engine = create_engine(self.url_as(login), poolclass=NullPool)
        self._engines.append(engine)
        return engine.connect()

    def db(self, login: str) -> Database:
        db = open_database(self.url_as(login))
        self._dbs.append(db)
        return db

    def task(self, key: str) -> tuple[object, ...]:
        with self.admin.engine.connect() as c:
            row = c.execute(
                text("SELECT status, progress, version, due FROM tasks WHERE key = :k"), {"k": key}
            ).one()
        return tuple(row)

    def count(self, table: str) -> int:
        with self.admin.engine.connect() as c:
            return int(c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    def close(self) -> None:
        for db in self._dbs:
            db.dispose()
        for e in self._engines:
            e.dispose()
        self.admin.dispose()
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as c:
            for login in (self.boss, self.li, self.vi):
                c.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        admin.dispose()


@pytest.fixture
def office(pg_db_url: str) -> Iterator[Office]:
    o = Office(pg_db_url)
    try:
        yield o
    finally:
        o.close()


def refused(conn: Connection, sql: str, **params: object) -> bool:
    """True when PostgreSQL refuses the statement or it changes no row."""
    try:
        with conn.begin():
            res = conn.execute(text(sql), params)
            return res.rowcount == 0
    except DBAPIError as exc:
        assert getattr(exc.orig, "sqlstate", None) in {"42501", "P0001"}, exc
        return True


def test_liaison_plain_sql_reaches_only_their_units_rows(office: Office) -> None:
    before_other = office.task("C10.M01")
    events = office.count("events")
    with office.sql(office.li) as c:
        # another unit's task: refused
        assert refused(c, "UPDATE tasks SET status = 'done' WHERE key = 'C10.M01'")
        assert refused(
            c,
            "UPDATE checklist_items SET done = true WHERE task_id = "
            "(SELECT id FROM tasks WHERE key = 'C10.M01')",
        )
        assert refused(
            c,
            "INSERT INTO progress_reports (task_id, at, actor, period, made, problems, "
            "next_steps) SELECT id, now(), current_user, '', 'x', '', '' FROM tasks "
            "WHERE key = 'C10.M01'",
        )
        # their own task, but columns and statuses that are the office's
        assert refused(c, "UPDATE tasks SET due = '2030-12-31' WHERE key = 'C09.M01'")
        assert refused(c, "UPDATE tasks SET lead_unit_id = NULL WHERE key = 'C09.M01'")
        assert refused(c, "UPDATE tasks SET status = 'suspended' WHERE key = 'C09.M01'")
        assert refused(c, "DELETE FROM tasks WHERE key = 'C09.M01'")
        # the history and the people
        assert refused(c, "UPDATE events SET reason = 'x'")
        assert refused(c, "DELETE FROM events")
        assert refused(
            c,
            "INSERT INTO events (seq, at, actor, source, action, changes, reason, prev_hash, "
            "hash) VALUES (999, now(), :who, 'cli', 'note', '{}', '', '', 'forged')",
            who=office.boss,
        )
        assert refused(c, "UPDATE people SET role = 'supervisor' WHERE name = current_user")
        assert refused(
            c, "INSERT INTO people (name, role, display_name) VALUES ('x', 'supervisor', '')"
        )
        # what a liaison may do with plain SQL: their unit's working columns
        with c.begin():
            n = c.execute(
                text("UPDATE tasks SET status = 'in_progress' WHERE key IN ('C09.M01', 'C10.M02')")
            ).rowcount
        assert n == 2
    assert office.task("C10.M01") == before_other
    assert office.count("events") == events


def test_viewer_plain_sql_reads_only(office: Office) -> None:
    with office.sql(office.vi) as c:
        assert c.execute(text("SELECT count(*) FROM tasks")).scalar_one() == 5
        c.rollback()
        assert refused(c, "UPDATE tasks SET progress = 50")
        assert refused(
            c,
            "INSERT INTO events (seq, at, actor, source, action, changes, reason, "
            "prev_hash, hash) VALUES (999, now(), current_user, 'cli', 'note', "
            "'{}', '', '', 'h')",
        )


def test_liaison_through_lctasks(office: Office) -> None:
    db = office.db(office.li)
    me = access.identify(db, "anything", explicit=False)
    assert me.name == office.li  # the login, not the claim
    w = WorkflowService(ServiceContext(db, me))
    before = office.task("C10.M01")
    events = office.count("events")
    with pytest.raises(PermissionDeniedError) as exc:
        w.report_progress(["C09.M01", "C10.M01"], made="越权")
    assert exc.value.ids == ("C10.M01",)
    assert office.task("C10.M01") == before and office.count("events") == events
    res = w.report_progress(["C09.M01"], made="平台建设已启动", percent=15)
    assert res.applied
    w.check("C10.M02", [1])  # a co-owned task's checklist
    w.set_status(["C09.M01"], "done")
    with pytest.raises(PermissionDeniedError):
        w.close(["C09.M01"], note="完成", evidence="x")
    with pytest.raises(PermissionDeniedError):
        PeopleService(ServiceContext(db, me)).add("someone", "viewer")
    with office.admin.read() as s:
        assert verify_chain(s).ok
        actors = {
            r[0]
            for r in s.execute(
                text("SELECT DISTINCT actor FROM events WHERE seq > :n"), {"n": events}
            )
        }
    assert actors == {office.li}


def test_supervisor_login_manages_and_closes(office: Office) -> None:
    db = office.db(office.boss)
    me = access.identify(db, office.boss, explicit=True)
    w = WorkflowService(ServiceContext(db, me))
    w.set_status(["C10.M01"], "done")
    assert w.close(["C10.M01"], note="完成", evidence="验收报告").applied
    # a supervisor's login may create logins (CREATEROLE) and grant the groups
    extra = f"new_{uuid.uuid4().hex[:6]}"
    try:
        p = PeopleService(ServiceContext(db, me))
        person = p.add(extra, "viewer", login=True)
        assert person.login is True
        p.set(extra, role="liaison", unit="市大数据局")
        with office.sql(extra) as c:
            assert c.execute(
                text("SELECT pg_has_role(current_user, 'lctasks_liaison', 'MEMBER')")
            ).scalar()
            assert not c.execute(
                text("SELECT pg_has_role(current_user, 'lctasks_viewer', 'MEMBER')")
            ).scalar()
        p.remove(extra)
    finally:
        for e in office._engines:
            e.dispose()
        with office.admin.engine.connect() as c:
            c.execute(text(f'DROP ROLE IF EXISTS "{extra}"'))
            c.commit()


def test_cli_as_somebody_else_is_refused_on_postgres(office: Office) -> None:
    runner = CliRunner()
    url = office.url_as(office.li)
    r = runner.invoke(app, ["--db", url, "--as", office.boss, "people", "list"])
    assert r.exit_code == 6
    assert office.li in r.stderr and "--as" in r.stderr and "Traceback" not in r.stderr
    # LCTASKS_USER is ambient (SQLite) configuration: ignored, the login acts
    r = runner.invoke(
        app,
        ["--db", url, "people", "add", "x9", "--role", "viewer"],
        env={"LCTASKS_USER": office.boss},
    )
    assert r.exit_code == 6 and "督查室" in r.stderr
    r = runner.invoke(app, ["--db", url, "--as", office.li, "people", "list", "--json"])
    assert r.exit_code == 0 and office.li in r.stdout


def test_liaison_workflow_commands_on_postgres(office: Office) -> None:
    """The real commands: another unit's task → exit 6 and nothing changes."""
    from lctasks.cli import fast

    runner = CliRunner()
    url = office.url_as(office.li)
    before = office.task("C10.M01")
    events = office.count("events")
    r = runner.invoke(app, ["--db", url, "progress", "C09.M01", "C10.M01", "--made", "越权"])
    assert r.exit_code == 6, r.output
    assert "C10.M01" in r.stderr and "Traceback" not in r.stderr
    r = runner.invoke(app, ["--db", url, "status", "C09.M01", "suspended"])
    assert r.exit_code == 6 and "暂缓" in r.stderr
    # the start-up fast path (no Typer) checks the --as claim too
    assert fast.run(["--db", url, "--as", office.boss, "note", "C09.M01", "冒名"]) == 6
    assert office.task("C10.M01") == before and office.count("events") == events
    r = runner.invoke(app, ["--db", url, "progress", "C09.M01", "--made", "已启动", "--json"])
    assert r.exit_code == 0, r.output
    assert office.count("events") == events + 1
