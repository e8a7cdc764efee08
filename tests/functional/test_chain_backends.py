"""The event chain hashes identically on SQLite and PostgreSQL, and tampering
through plain SQL is caught and named by `lctasks log --verify` on both."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, text
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database, open_database
from lctasks.db.models import EventRow
from lctasks.domain import Actor, Source
from lctasks.services.audit import EventLog, verify_chain
from lctasks.services.base import ServiceContext
from lctasks.services.workflow import WorkflowService
from tests.wfdata import seed

# values whose storage differs between back ends: a non-UTC instant with
# microseconds, floats, big integers, nested JSON, CJK, emoji, None, dates
TRICKY: list[dict[str, Any]] = [
    {"status": ["not_started", "in_progress"]},
    {"progress": [0.1, 33.333333333333336], "percent": [None, 100]},
    {"due": [dt.date(2025, 12, 31), dt.date(2026, 6, 30)], "n": [2**53 + 1, -(2**40)]},
    {
        "note": ["", "“十四五”规划✅ 𠀀 \\ \" ' \t 换行\n第二行"],
        "list": [[1, [2, {"a": None}]], []],
    },
]
AT = dt.datetime(2026, 11, 29, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _write(db: Database) -> list[str]:
    with db.write() as s:
        log = EventLog(s, Actor("测试员", Source.CLI), at=AT)
        for i, changes in enumerate(TRICKY):
            log.append("note", plan="lc-14th", task=f"C10.M0{i}", changes=changes, reason="调度会")
    with db.read() as s:
        return [r.hash for r in s.scalars(select(EventRow).order_by(EventRow.seq))]


def test_same_events_hash_the_same_on_both_back_ends(tmp_path: Any, pg_db_url: str) -> None:
    lite = open_database(tmp_path / "a.db")
    pg = open_database(pg_db_url)
    try:
        assert _write(lite) == _write(pg)
        for db in (lite, pg):
            with db.read() as s:
                rep = verify_chain(s)
            assert rep.ok and rep.checked == len(TRICKY)
    finally:
        lite.dispose()
        pg.dispose()


def test_log_verify_names_the_tampered_event(db_url: str) -> None:
    db = open_database(db_url)
    seed(db)
    w = WorkflowService(ServiceContext(db, Actor("测试员", Source.CLI)))
    w.assign(["C09.M01"], lead="市科技局", co=["东昌府区"], due=dt.date(2025, 6, 30))
    w.report_progress(["C09.M01"], made="完成平台申报", percent=40)
    w.set_status(["C09.M01"], "done")
    w.close(["C09.M01"], note="通过验收", evidence="聊科字〔2026〕3号")
    w.note(["C10.M01", "C10.M02"], "已督办")
    runner = CliRunner()
    ok = runner.invoke(app, ["--db", db_url, "log", "--verify"])
    assert ok.exit_code == 0, ok.output
    with db.read() as s:
        n = len(list(s.scalars(select(EventRow.seq))))
    assert n == 6
    with db.engine.begin() as c:  # a superuser / file owner edits history by hand
        c.execute(text("UPDATE events SET reason = '补录' WHERE seq = 4"))
    bad = runner.invoke(app, ["--db", db_url, "log", "--verify"])
    assert bad.exit_code == 7
    assert bad.stderr.splitlines()[0] == (
        "错误：事件链被破坏：第 4 号事件 — 记录后内容被改动（此前 3 条核验无误）"
    )
    assert "Traceback" not in bad.output
    with db.read() as s:
        rep = verify_chain(s)
    assert not rep.ok and rep.first_bad_seq == 4
    db.dispose()
