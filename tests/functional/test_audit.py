"""The event log is hash-chained: editing or deleting a row is caught."""

from __future__ import annotations

from sqlalchemy import text

from lctasks.db.engine import Database, open_database
from lctasks.domain import Actor, Source
from lctasks.services.audit import EventLog, verify_chain


def _db_with_events(url: str, n: int = 5) -> Database:
    db = open_database(url)
    for i in range(n):
        with db.write() as s:
            log = EventLog(s, Actor("张三", Source.CLI))
            log.append(
                "status",
                plan="lc-14th",
                task=f"C10.M0{i}",
                changes={"status": ["not_started", "in_progress"]},
                reason="调度会",
            )
    return db


def test_intact_chain_verifies(db_url: str) -> None:
    db = _db_with_events(db_url)
    with db.read() as s:
        rep = verify_chain(s)
    assert rep.ok and rep.checked == 5


def test_edited_event_is_named(db_url: str) -> None:
    db = _db_with_events(db_url)
    with db.engine.begin() as c:
        c.execute(text("UPDATE events SET actor='李四' WHERE seq=3"))
    with db.read() as s:
        rep = verify_chain(s)
    assert not rep.ok and rep.first_bad_seq == 3


def test_deleted_event_is_named(db_url: str) -> None:
    db = _db_with_events(db_url)
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM events WHERE seq=2"))
    with db.read() as s:
        rep = verify_chain(s)
    assert not rep.ok and rep.first_bad_seq == 2


def test_rolled_back_change_leaves_no_event(db_url: str) -> None:
    db = _db_with_events(db_url, 1)
    try:
        with db.write() as s:
            EventLog(s, Actor("张三")).append("note", reason="x")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with db.read() as s:
        assert verify_chain(s).checked == 1
