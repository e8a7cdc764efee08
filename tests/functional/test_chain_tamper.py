"""The event hash: a golden value, every hashed field matters, tampering is caught."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import text

from lctasks.db.engine import Database
from lctasks.domain import Actor, Source
from lctasks.services.audit import verify_chain
from lctasks.services.base import ServiceContext
from lctasks.services.chain import GENESIS, canonical, event_digest
from lctasks.services.workflow import WorkflowService
from tests.wfdata import seed

FIELDS = dict(
    seq=7,
    at=dt.datetime(2026, 11, 30, 17, 0, 0, 123456, tzinfo=dt.UTC),
    actor="王督查",
    source="cli",
    action="close",
    plan="lc-14th",
    task="C10.M01",
    changes={"status": ["done", "closed"], "progress": [90, 100], "evidence": [None, "聊科字12号"]},
    reason="平台已挂牌",
    prev_hash="ab" * 32,
)
# The hash input, written out by hand: keys sorted, no spaces, UTF-8 as is, the time
# as UTC with microseconds. Changing it breaks every recorded chain: a migration then.
CANONICAL = (
    '{"action":"close","actor":"王督查","at":"2026-11-30T17:00:00.123456+00:00",'
    '"changes":{"evidence":[null,"聊科字12号"],"progress":[90,100],"status":["done","closed"]},'
    '"plan":"lc-14th","prev":"' + "ab" * 32 + '","reason":"平台已挂牌","seq":7,'
    '"source":"cli","task":"C10.M01"}'
)
GOLDEN = "934ade89abad8fbc94c8f5be6b2435483afa62402668c5d6f4c50c108239415f"


def test_one_fixed_event_has_its_known_hash() -> None:
    assert canonical(**FIELDS) == CANONICAL
    assert hashlib.sha256(CANONICAL.encode("utf-8")).hexdigest() == GOLDEN
    assert event_digest(**FIELDS) == GOLDEN
    # the same instant given in Beijing time hashes the same (stored as UTC)
    beijing = FIELDS["at"].astimezone(dt.timezone(dt.timedelta(hours=8)))  # type: ignore[attr-defined]
    assert event_digest(**{**FIELDS, "at": beijing}) == GOLDEN
    assert GENESIS == "0" * 64


ALTERED = {
    "seq": 8,
    "at": FIELDS["at"] + dt.timedelta(microseconds=1),  # type: ignore[operator]
    "actor": "王督察",
    "source": "tui",
    "action": "return",
    "plan": "lc-15th",
    "task": "C10.M02",
    "changes": {**FIELDS["changes"], "progress": [90, 99]},  # type: ignore[dict-item]
    "reason": "平台已挂牌。",
    "prev_hash": "ab" * 31 + "ac",
}


@pytest.mark.parametrize("name", sorted(ALTERED))
def test_every_field_is_in_the_hash(name: str) -> None:
    assert set(ALTERED) == set(FIELDS)
    assert event_digest(**{**FIELDS, name: ALTERED[name]}) != GOLDEN


# events columns, and a tampered value for each (SQL; %s is replaced per dialect)
TAMPER = {
    "at": "at = at + INTERVAL '1 second'",
    "actor": "actor = '李联络'",
    "source": "source = 'tui'",
    "action": "action = 'note'",
    "plan_code": "plan_code = 'lc-15th'",
    "task_key": "task_key = 'C10.M03'",
    "changes": "changes = {changes}",
    "reason": "reason = '改过'",
    "prev_hash": "prev_hash = '" + "1" * 64 + "'",
    "hash": "hash = '" + "2" * 64 + "'",
}


@pytest.mark.parametrize("column", sorted(TAMPER))
def test_tampering_with_each_column_is_detected(database: Database, column: str) -> None:
    seed(database)
    wf = WorkflowService(ServiceContext(database, Actor("王督查", Source.CLI)))
    wf.assign(["C10.M01", "C10.M02"], lead="市科技局")
    wf.set_status(["C10.M01"], "done")
    wf.close(["C10.M01"], note="完成", evidence="文件")
    with database.read() as s:
        assert verify_chain(s).ok and verify_chain(s).checked == 4
    sqlite = database.engine.dialect.name == "sqlite"
    new_changes = json.dumps({"status": ["done", "returned"]})
    sql = TAMPER[column].format(
        changes=f"'{new_changes}'" if sqlite else f"CAST('{new_changes}' AS JSON)"
    )
    if sqlite and column == "at":
        sql = "at = datetime(at, '+1 second')"
    with database.engine.begin() as c:
        assert c.execute(text(f"UPDATE events SET {sql} WHERE seq = 3")).rowcount == 1
    with database.read() as s:
        rep = verify_chain(s)
    assert not rep.ok
    assert (rep.checked, rep.first_bad_seq) == (2, 3)
    if column == "prev_hash":
        assert rep.problem == "link"  # its link to the previous event does not match
    else:
        assert rep.problem == "content"  # its content was changed after recording


def test_changes_are_hashed_in_one_json_form() -> None:
    from lctasks.domain import Status
    from lctasks.services.chain import _jsonable

    beijing = dt.timezone(dt.timedelta(hours=8))
    changes = {
        "due": [dt.date(2025, 12, 31), dt.date(2026, 6, 30)],
        "at": dt.datetime(2026, 1, 1, 8, 0),  # naive: UTC, as SQLite hands it back
        "at_bj": dt.datetime(2026, 1, 1, 16, 0, tzinfo=beijing),
        1: (Status.DONE, None),
        "nested": {"x": [1, 2.5, True, "文字"]},
    }
    assert _jsonable(changes) == {
        "due": ["2025-12-31", "2026-06-30"],
        "at": "2026-01-01T08:00:00.000000+00:00",
        "at_bj": "2026-01-01T08:00:00.000000+00:00",
        "1": ["done", None],
        "nested": {"x": [1, 2.5, True, "文字"]},
    }
    # a naive time in the hash input is UTC; an aware one is converted to UTC
    naive = {**FIELDS, "at": dt.datetime(2026, 11, 30, 17, 0, 0, 123456)}
    assert event_digest(**naive) == GOLDEN


def test_a_stored_row_hashes_as_it_was_written() -> None:
    """``log --verify`` hashes rows as read back: SQLite's text, an aware time (PostgreSQL)."""
    from lctasks.services.chain import stored_digest

    row = [FIELDS[k] for k in ("seq", "at", "actor", "source", "action", "plan", "task")]
    rest = [FIELDS["changes"], FIELDS["reason"], FIELDS["prev_hash"]]
    for at in (
        "2026-11-30 17:00:00.123456",  # as SQLite stores it (UTC)
        "2026-12-01T01:00:00.123456+08:00",  # ISO text with an offset
        FIELDS["at"],
        dt.datetime(2026, 12, 1, 1, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    ):
        assert stored_digest(*row[:1], at, *row[2:], *rest) == GOLDEN, at  # type: ignore[arg-type]
    altered = stored_digest(*row[:1], "2026-11-30 17:00:00.123457", *row[2:], *rest)  # type: ignore[arg-type]
    assert altered != GOLDEN
