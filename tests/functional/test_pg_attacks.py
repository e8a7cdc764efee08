"""A liaison (and a viewer) who knows SQL, with psql-style plain SQL (issue 16, items 1-5).

Each attack of the issue is repeated with a real login on a seeded office:
the database refuses it, nothing changes, the history stays intact, and
nothing hangs past the documented timeouts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.domain import Actor, Source
from lctasks.services.audit import verify_chain
from lctasks.services.base import ServiceContext
from lctasks.services.chain import event_digest
from lctasks.services.workflow import WorkflowService
from tests.conftest import TEST_LOGIN
from tests.functional.test_pg_security import Office

pytestmark = pytest.mark.postgres

REFUSED = {"42501", "23514", "P0001"}  # insufficient privilege, CHECK, lctasks trigger


@pytest.fixture
def office(pg_db_url: str) -> Iterator[Office]:
    o = Office(pg_db_url)
    try:
        yield o
    finally:
        o.close()


def refused(conn: Connection, sql: str, **params: object) -> str:
    """Run ``sql`` in its own transaction; the SQLSTATE PostgreSQL refused it with."""
    try:
        with conn.begin():
            res = conn.execute(text(sql), params)
            if res.rowcount == 0:
                return "0 rows"
    except DBAPIError as exc:
        state = str(getattr(exc.orig, "sqlstate", ""))
        assert state in REFUSED, exc
        return state
    raise AssertionError(f"accepted: {sql}")


def snapshot(office: Office) -> tuple[object, ...]:
    """Everything an attack could change: tasks, checklists, reports, events."""
    with office.admin.engine.connect() as c:
        tasks = c.execute(
            text("SELECT key, status, progress, version, due, lead_unit_id FROM tasks ORDER BY key")
        ).all()
        ticks = c.execute(
            text("SELECT task_id, seq, done FROM checklist_items ORDER BY 1, 2")
        ).all()
        reports = c.execute(text("SELECT count(*) FROM progress_reports")).scalar_one()
        events = c.execute(text("SELECT seq, hash FROM events ORDER BY seq")).all()
    return tuple(tasks), tuple(ticks), reports, tuple(events)


def chain_ok(office: Office) -> bool:
    with office.admin.read() as s:
        return verify_chain(s).ok


def next_event(
    office: Office, actor: str, task: str, action: str = "note", seq: int | None = None
) -> dict[str, object]:
    """A correctly hashed event row following the current head (as an attacker computes it)."""
    with office.admin.engine.connect() as c:
        head = c.execute(text("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")).first()
    last, prev = (int(head[0]), str(head[1])) if head else (0, "0" * 64)
    number = last + 1 if seq is None else seq
    at = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    fields = dict(
        seq=number,
        at=at,
        actor=actor,
        source="cli",
        action=action,
        plan="lc-14th",
        task=task,
        changes={},
        reason="伪造",
        prev_hash=prev,
    )
    return {
        "seq": number,
        "at": at,
        "actor": actor,
        "action": action,
        "task": task,
        "prev": prev,
        "hash": event_digest(**fields),
    }


INSERT_EVENT = (
    "INSERT INTO events (seq, at, actor, source, action, plan_code, task_key, changes, "
    "reason, prev_hash, hash) VALUES (:seq, :at, :actor, 'cli', :action, 'lc-14th', :task, "
    "'{}', '伪造', :prev, :hash)"
)


def close_as_admin(office: Office, key: str) -> None:
    w = WorkflowService(ServiceContext(office.admin, Actor(TEST_LOGIN, Source.CLI)))
    w.set_status([key], "done")
    w.close([key], note="完成", evidence="验收报告")


# -- 1. shadowed tables --------------------------------------------------------------


def test_temp_table_people_does_not_move_the_liaison(office: Office) -> None:
    before = snapshot(office)
    with office.sql(office.li) as c:
        with c.begin():
            other = c.execute(text("SELECT id FROM units WHERE short = '市大数据局'")).scalar_one()
            c.execute(text("CREATE TEMP TABLE people (name text, role text, unit_id integer)"))
            c.execute(text("INSERT INTO people VALUES (current_user, 'liaison', :u)"), {"u": other})
        # the temporary people table now comes first on the caller's search path
        assert c.execute(text("SELECT unit_id FROM people")).scalar_one() == other
        c.rollback()
        assert refused(c, "UPDATE tasks SET status = 'in_progress' WHERE key = 'C10.M01'")
        assert refused(c, "UPDATE tasks SET progress = 50 WHERE key = 'C10.M01'")
    assert snapshot(office) == before


def test_temp_table_pg_roles_does_not_make_a_superuser(office: Office) -> None:
    close_as_admin(office, "C09.M01")
    before = snapshot(office)
    with office.sql(office.li) as c:
        with c.begin():
            c.execute(text("CREATE TEMP TABLE pg_roles AS SELECT * FROM pg_catalog.pg_roles"))
            c.execute(text("UPDATE pg_temp.pg_roles SET rolsuper = true"))
            c.execute(text("SET search_path = pg_temp, pg_catalog, public"))
        assert c.execute(text("SELECT bool_and(rolsuper) FROM pg_roles")).scalar_one() is True
        c.rollback()
        # their own unit's closed task back to done, or a status only the office sets
        assert refused(c, "UPDATE tasks SET status = 'done' WHERE key = 'C09.M01'")
        assert refused(c, "UPDATE tasks SET status = 'suspended' WHERE key = 'C10.M02'")
    assert snapshot(office) == before


def test_temp_table_pg_class_does_not_hand_over_the_events_table(office: Office) -> None:
    before = snapshot(office)
    ev = next_event(office, office.boss, "C09.M01")
    with office.sql(office.li) as c:
        with c.begin():
            c.execute(text("CREATE TEMP TABLE pg_class AS SELECT * FROM pg_catalog.pg_class"))
            c.execute(
                text(
                    "UPDATE pg_temp.pg_class SET relowner = "
                    "(SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)"
                )
            )
            c.execute(text("SET search_path = pg_temp, pg_catalog, public"))
        c.rollback()
        # an event signed with a supervisor's name
        assert refused(c, INSERT_EVENT, **ev) == "42501"
    assert snapshot(office) == before and chain_ok(office)


def test_every_function_of_a_policy_or_trigger_has_a_fixed_search_path(office: Office) -> None:
    with office.admin.engine.connect() as c:
        schema = c.execute(text("SELECT current_schema()")).scalar_one()
        used = c.execute(
            text(
                """
                SELECT DISTINCT p.oid::regprocedure::text, p.proconfig, p.prosecdef
                FROM pg_catalog.pg_proc p
                WHERE p.oid IN (
                    SELECT t.tgfoid FROM pg_catalog.pg_trigger t WHERE NOT t.tgisinternal
                    UNION
                    SELECT d.refobjid FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_policy'::regclass
                      AND d.refclassid = 'pg_catalog.pg_proc'::regclass
                )
                OR p.pronamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = :s)
                """
            ),
            {"s": schema},
        ).all()
    names = {r[0] for r in used}
    # the policies' and triggers' functions, and the helpers they call
    assert {
        "lctasks_my_unit()",
        "lctasks_may_edit(integer)",
        "lctasks_may_work(integer)",
        "lctasks_may_edit_key(text,text)",
        "lctasks_is_admin()",
        "lctasks_task_guard()",
        "lctasks_event_actor()",
    } <= names
    for name, config, definer in used:
        assert config == [f"search_path=pg_catalog, {schema}, pg_temp"], name
        assert definer is False, name  # all run with the caller's rights


# -- 2. the state machine and bounded columns ------------------------------------------


def test_liaison_cannot_leave_closed_or_set_impossible_numbers(office: Office) -> None:
    close_as_admin(office, "C09.M01")
    before = snapshot(office)
    with office.sql(office.li) as c:
        assert refused(c, "UPDATE tasks SET status = 'done' WHERE key = 'C09.M01'") == "42501"
        assert refused(c, "UPDATE tasks SET status = 'in_progress' WHERE key = 'C09.M01'")
        assert refused(
            c,
            "UPDATE checklist_items SET done = false WHERE task_id = "
            "(SELECT id FROM tasks WHERE key = 'C09.M01')",
        )
        assert refused(
            c,
            "INSERT INTO progress_reports (task_id, at, actor, period, made, problems, "
            "next_steps) SELECT id, now(), current_user, '', 'x', '', '' FROM tasks "
            "WHERE key = 'C09.M01'",
        )
        assert refused(c, "UPDATE tasks SET progress = -2147483648 WHERE key = 'C10.M02'") == (
            "23514"
        )
        assert refused(c, "UPDATE tasks SET progress = 101 WHERE key = 'C10.M02'") == "23514"
        # a liaison's version moves by +1 only (trigger); below 1 for nobody (CHECK)
        assert refused(c, "UPDATE tasks SET version = -1 WHERE key = 'C10.M02'") == "42501"
        assert refused(c, "UPDATE tasks SET version = 2147483647 WHERE key = 'C10.M02'") == (
            "42501"
        )
        assert refused(
            c,
            "INSERT INTO progress_reports (task_id, at, actor, period, made, problems, "
            "next_steps, percent) SELECT id, now(), current_user, '', 'x', '', '', -5 "
            "FROM tasks WHERE key = 'C10.M02'",
        )
    # a supervisor is held to the same bounds
    with office.sql(office.boss) as c:
        assert refused(c, "UPDATE tasks SET version = -1 WHERE key = 'C10.M01'") == "23514"
        assert refused(c, "UPDATE tasks SET due = '9999-12-31' WHERE key = 'C10.M01'") == "23514"
    assert snapshot(office) == before
    # what a liaison may still do with plain SQL: their open task forward, version +1
    with office.sql(office.li) as c, c.begin():
        n = c.execute(
            text(
                "UPDATE tasks SET status = 'done', progress = 100, version = version + 1 "
                "WHERE key = 'C10.M02'"
            )
        ).rowcount
    assert n == 1


def test_negative_version_cannot_slip_past_if_version(office: Office) -> None:
    runner = CliRunner()
    with office.sql(office.boss) as c:
        assert refused(c, "UPDATE tasks SET version = -1 WHERE key = 'C10.M01'") == "23514"
    url = office.url_as(office.boss)
    r = runner.invoke(app, ["--db", url, "note", "C10.M01", "核实", "--if-version", "-1"])
    assert r.exit_code != 0 and "Traceback" not in r.output


# -- 3. events of other units ------------------------------------------------------------


def test_liaison_cannot_write_events_for_another_units_task(office: Office) -> None:
    before = snapshot(office)
    with office.sql(office.li) as c:
        ev = next_event(office, office.li, "C10.M01")  # 市大数据局's task, correctly hashed
        assert refused(c, INSERT_EVENT, **ev) == "42501"
        ev = next_event(office, office.li, "C09.M01", action="close")  # not a liaison's action
        assert refused(c, INSERT_EVENT, **ev) == "42501"
    assert snapshot(office) == before and chain_ok(office)
    # their own task, the next number, their own name: accepted, the chain holds
    with office.sql(office.li) as c, c.begin():
        c.execute(text(INSERT_EVENT), next_event(office, office.li, "C09.M01"))
    assert chain_ok(office)


# -- 4. denial of service ------------------------------------------------------------------


def test_huge_seq_is_refused_and_writes_go_on(office: Office) -> None:
    before = snapshot(office)
    with office.sql(office.li) as c:
        ev = next_event(office, office.li, "C09.M01", seq=2147483647)
        assert refused(c, INSERT_EVENT, **ev) == "42501"
        ev = next_event(office, office.li, "C09.M01", seq=1)  # an old number again
        assert refused(c, INSERT_EVENT, **ev) == "42501"
    assert snapshot(office) == before
    runner = CliRunner()
    r = runner.invoke(app, ["--db", office.url_as(office.boss), "note", "C10.M01", "督办"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--db", office.url_as(office.li), "note", "C09.M01", "已推进"])
    assert r.exit_code == 0, r.output
    assert chain_ok(office)


def test_viewer_cannot_hold_writers_up(office: Office) -> None:
    runner = CliRunner()
    with office.sql(office.vi) as c:
        assert refused(c, "SELECT id FROM lctasks_chain FOR UPDATE") == "42501"
        assert refused(c, "SELECT id FROM lctasks_chain FOR KEY SHARE") == "42501"
        assert refused(c, "LOCK TABLE lctasks_chain IN EXCLUSIVE MODE") == "42501"
        assert refused(c, "LOCK TABLE tasks IN SHARE MODE") == "42501"
        # the advisory lock lctasks used to take: anyone can hold it; nobody waits for it
        c.execute(text("SELECT pg_advisory_lock(727275)"))
        c.execute(text("LOCK TABLE events IN ACCESS SHARE MODE"))
        r = runner.invoke(
            app,
            ["--db", office.url_as(office.boss), "note", "C10.M01", "督办"],
            env={"LCTASKS_PG_LOCK_TIMEOUT": "2"},
        )
        assert r.exit_code == 0, r.output
        c.rollback()


def test_a_writer_holding_the_chain_lock_means_busy_not_a_hang(office: Office) -> None:
    before = snapshot(office)
    runner = CliRunner()
    with office.sql(office.li) as c:
        c.execute(text("SELECT id FROM lctasks_chain FOR UPDATE"))  # and sits there
        r = runner.invoke(
            app,
            ["--db", office.url_as(office.boss), "note", "C10.M01", "督办", "--json"],
            env={"LCTASKS_PG_LOCK_TIMEOUT": "1"},
        )
        c.rollback()
    assert r.exit_code == 8, r.output
    err = json.loads(r.stderr)["error"]
    assert err["exit_code"] == 8 and err["type"] == "BusyError"
    assert "LCTASKS_PG_LOCK_TIMEOUT" in err["hint"]
    r = runner.invoke(
        app,
        ["--db", office.url_as(office.boss), "list"],
        env={"LCTASKS_PG_STATEMENT_TIMEOUT": "x"},
    )
    assert r.exit_code == 4 and "LCTASKS_PG_STATEMENT_TIMEOUT" in r.stderr
    assert snapshot(office) == before


def test_every_lctasks_session_has_timeouts(office: Office) -> None:
    db = office.db(office.vi)
    with db.read() as s:
        lock = s.execute(text("SHOW lock_timeout")).scalar_one()
        stmt = s.execute(text("SHOW statement_timeout")).scalar_one()
    assert (lock, stmt) == ("15s", "2min")


# -- 5. what supervisors and the owner can rewrite ---------------------------------------


def test_supervisor_cannot_rewrite_history_and_owner_rewrites_are_caught(office: Office) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["--db", office.url_as(office.boss), "note", "C10.M01", "督办"])
    assert r.exit_code == 0
    with office.sql(office.boss) as c:
        assert refused(c, "UPDATE events SET reason = '改写'") == "42501"
        assert refused(c, "DELETE FROM events") == "42501"
        assert refused(c, "TRUNCATE events") == "42501"
        ev = next_event(office, office.li, "C09.M01")  # in a liaison's name
        assert refused(c, INSERT_EVENT, **ev) == "42501"
    # a supervisor's plain-SQL rewrite of a task leaves no event: the replay names it
    with office.sql(office.boss) as c, c.begin():
        c.execute(
            text(
                "UPDATE tasks SET lead_unit_id = (SELECT id FROM units WHERE short = '市科技局') "
                "WHERE key = 'C10.M01'"
            )
        )
    r = runner.invoke(app, ["--db", office.url_as(office.vi), "log", "--verify"])
    assert r.exit_code == 7 and "C10.M01" in r.stdout + r.stderr
    with office.sql(office.boss) as c, c.begin():
        c.execute(
            text(
                "UPDATE tasks SET lead_unit_id = (SELECT id FROM units WHERE short = '市大数据局') "
                "WHERE key = 'C10.M01'"
            )
        )
    # the owner (here a superuser) can: the history check names the event
    with office.admin.engine.begin() as c:
        c.execute(text("UPDATE events SET reason = '改写' WHERE seq = 1"))
    r = runner.invoke(app, ["--db", office.url_as(office.vi), "log", "--verify"])
    assert r.exit_code == 7 and "1" in r.stderr
