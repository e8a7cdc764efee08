"""The SQL event appender (services/chain.SqlEventLog) under every workflow step and
the CLI's sqlite3 fast path: exact rows, one chain, both back ends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from lctasks.db.engine import Database
from lctasks.db.models import EventRow
from lctasks.db.sql import LiteDatabase, SessionRunner
from lctasks.domain import Actor, InvalidInputError, Source, Status
from lctasks.services.audit import verify_chain
from lctasks.services.chain import GENESIS, SqlEventLog, stored_digest

AT = dt.datetime(2026, 11, 30, 17, 0, 0, 123456, tzinfo=dt.UTC)  # 01:00 Beijing
ACTOR = Actor("王督查", Source.TUI)


def rows(db: Database) -> list[EventRow]:
    with db.read() as s:
        out = list(s.scalars(select(EventRow).order_by(EventRow.seq)))
        s.expunge_all()
        return out


def digest_of(e: EventRow) -> str:
    return stored_digest(
        e.seq,
        e.at,
        e.actor,
        e.source,
        e.action,
        e.plan_code,
        e.task_key,
        e.changes,
        e.reason,
        e.prev_hash,
    )


def utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def test_appended_events_are_one_chain_with_exact_rows(database: Database) -> None:
    with database.write() as s:
        log = SqlEventLog(SessionRunner(s), ACTOR, at=AT)
        assert (log.at, log.count) == (AT, 0)
        log.flush()  # nothing pending: writes nothing
        first = log.append(
            "extend",
            plan="lc-14th",
            task="C10.M01",
            changes={"due": [dt.date(2025, 12, 31), dt.date(2026, 6, 30)]},
            reason="项目调整",
        )
        second = log.append(
            "status",
            task="C10.M03",
            changes={"status": [Status.NOT_STARTED, Status.IN_PROGRESS]},
            source=Source.REVIEW,
        )
        assert (first, second, log.count) == (1, 2, 2)
        assert rows(database) == []  # buffered until flush
        log.flush()
        log.flush()  # flushed rows are not written twice
    got = rows(database)
    assert [
        (e.seq, e.actor, e.source, e.action, e.plan_code, e.task_key, e.changes, e.reason)
        for e in got
    ] == [
        (
            1,
            "王督查",
            "tui",
            "extend",
            "lc-14th",
            "C10.M01",
            {"due": ["2025-12-31", "2026-06-30"]},
            "项目调整",
        ),
        (
            2,
            "王督查",
            "review",
            "status",
            None,
            "C10.M03",
            {"status": ["not_started", "in_progress"]},
            "",
        ),
    ]
    assert [utc(e.at) for e in got] == [AT, AT]
    assert got[0].prev_hash == GENESIS
    assert got[1].prev_hash == got[0].hash
    assert [e.hash for e in got] == [digest_of(e) for e in got]
    assert len({e.hash for e in got}) == 2
    with database.read() as s:
        report = verify_chain(s)
    assert (report.ok, report.checked) == (True, 2)


def test_a_later_log_continues_the_chain(database: Database) -> None:
    with database.write() as s:
        log = SqlEventLog(SessionRunner(s), ACTOR, at=AT)
        log.append("note", task="C10.M01", changes={"note": [None, "甲"]})
        log.flush()
    later = AT + dt.timedelta(minutes=5)
    with database.write() as s:
        log = SqlEventLog(SessionRunner(s), Actor("李联络"), at=later)
        assert log.append("note", task="I07", changes={"note": [None, "乙"]}) == 2
        log.flush()
    got = rows(database)
    assert [(e.seq, e.actor, e.source, utc(e.at)) for e in got] == [
        (1, "王督查", "tui", AT),
        (2, "李联络", "cli", later),
    ]
    assert got[1].prev_hash == got[0].hash == digest_of(got[0])
    with database.read() as s:
        assert verify_chain(s).ok


def test_the_time_defaults_to_now_in_utc(database: Database, office_clock: object) -> None:
    with database.write() as s:
        log = SqlEventLog(SessionRunner(s), ACTOR)
        assert log.at.tzinfo is not None and log.at.utcoffset() == dt.timedelta(0)
        assert abs(log.at - dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)) < dt.timedelta(
            minutes=5
        )


def test_a_text_over_the_limit_is_refused_before_anything_is_written(database: Database) -> None:
    from lctasks.textsafe import MAX_TEXT_CHARS

    with database.write() as s:
        log = SqlEventLog(SessionRunner(s), ACTOR, at=AT)
        with pytest.raises(InvalidInputError) as reason:
            log.append("note", task="C10.M01", reason="长" * (MAX_TEXT_CHARS + 1))
        assert reason.value.message == (
            f"文字有 {MAX_TEXT_CHARS + 1} 个字符，超过上限 {MAX_TEXT_CHARS}"
        )
        with pytest.raises(InvalidInputError) as note:
            log.append(
                "note", task="C10.M01", changes={"note": [None, "长" * (MAX_TEXT_CHARS + 1)]}
            )
        assert note.value.message == (
            f"文字.note有 {MAX_TEXT_CHARS + 1} 个字符，超过上限 {MAX_TEXT_CHARS}"
        )
        assert log.count == 0
        log.flush()
    assert rows(database) == []


def test_the_fast_path_writes_the_same_chain(tmp_path: Path) -> None:
    """The CLI's sqlite3 runner (LiteDatabase) appends what the ORM path verifies."""
    from lctasks.db.engine import open_database

    path = tmp_path / "lite.db"
    open_database(path).dispose()
    lite = LiteDatabase.open(f"sqlite:///{path}")
    assert lite is not None
    with lite.write() as runner:
        log = SqlEventLog(runner, ACTOR, at=AT)
        log.append("note", task="C10.M01", changes={"note": [None, "甲"]}, reason="调度会")
        log.append("note", task="C10.M03", changes={"note": [None, "乙"]})
        log.flush()
    lite.conn.close()
    database = open_database(path)
    try:
        got = rows(database)
        assert [(e.seq, e.task_key, e.reason, utc(e.at)) for e in got] == [
            (1, "C10.M01", "调度会", AT),
            (2, "C10.M03", "", AT),
        ]
        assert [e.hash for e in got] == [digest_of(e) for e in got]
        with database.read() as s:
            assert verify_chain(s).ok
    finally:
        database.dispose()


def test_the_changes_are_stored_as_readable_text(tmp_path: Path) -> None:
    """Who opens the database (sqlite3, a dump) reads 聊科字, not \\u804a escapes."""
    import sqlite3

    from lctasks.db.engine import open_database

    path = tmp_path / "t.db"
    open_database(path).dispose()
    db = LiteDatabase.open(f"sqlite:///{path}")
    assert db is not None
    with db.write() as runner:
        log = SqlEventLog(runner, ACTOR, at=AT)
        log.append("close", task="C10.M01", changes={"evidence": [None, "聊科字12号"]})
        log.flush()
    db.conn.close()
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT changes FROM events").fetchall() == [
            ('{"evidence": [null, "聊科字12号"]}',)
        ]
    finally:
        con.close()
