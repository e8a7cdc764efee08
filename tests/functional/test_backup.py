"""backup → restore gives identical data (every table) and a valid chain, on
SQLite, on PostgreSQL, SQLite → PostgreSQL and PostgreSQL → SQLite."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database, open_database
from lctasks.domain import Actor, ConflictError, InvalidInputError, Source
from lctasks.services.audit import verify_chain
from lctasks.services.backup import BackupService
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from lctasks.services.people import PeopleService
from lctasks.services.workflow import WorkflowService
from tests.conftest import pg_url_for, skip_without_pg
from tests.dbdump import dump

ME = Actor("测试员", Source.CLI)


def ctx(db: Database) -> ServiceContext:
    return ServiceContext(db, ME)


def fill(db: Database) -> None:
    """The real plan, owners, reports, ticks, a close, notes, people."""
    LedgerService(ctx(db)).import_plan()
    w = WorkflowService(ctx(db))
    w.assign(["C09.M01"], lead="市科技局", co=["东昌府区", "市大数据局"], due=dt.date(2025, 6, 30))
    w.report_progress(["C09.M01"], made="新增省级创新平台12家", problems="资金", percent=30)
    w.check("C09.M01", [1])
    w.assign(["I01"], lead="市发展改革委")
    w.set_status(["I01"], "done")
    w.close(["I01"], note="年度目标完成", evidence="统计公报")
    w.note(["C10.M01", "C10.M02"], "调度会：加快进度")
    p = PeopleService(ctx(db))
    p.add("测试员", "supervisor")
    p.add("李联络", "liaison", "市科技局", display_name="李四")


@pytest.fixture
def other_pg(pg_databases: Any) -> Iterator[str]:
    if pg_databases is None:
        skip_without_pg()
    name = pg_databases.take()
    try:
        yield pg_url_for(name)
    finally:
        pg_databases.give_back(name)


def _roundtrip(src_url: str, dst_url: str, file: Path) -> None:
    src = open_database(src_url)
    dst = open_database(dst_url)
    try:
        fill(src)
        res = BackupService(ctx(src)).backup(file)
        assert res.chain_ok and res.events == res.rows["events"] == 11
        assert (res.rows["tasks"], res.rows["people"], res.rows["progress_reports"]) == (633, 2, 1)
        before = dump(src)
        # the backup is itself an lctasks database
        copy = open_database(file)
        assert dump(copy) == before
        copy.dispose()
        back = BackupService(ctx(dst)).restore(file)
        assert back.chain_ok and back.events == res.events
        assert dump(dst) == before
        with dst.read() as s:
            assert verify_chain(s).ok
        # and work continues on the restored database (ids, sequences, chain)
        WorkflowService(ctx(dst)).report_progress(["C09.M01"], made="继续推进", percent=50)
        with dst.read() as s:
            rep = verify_chain(s)
        assert rep.ok and rep.checked == res.events + 1
    finally:
        src.dispose()
        dst.dispose()


def test_backup_restore_same_back_end(
    db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if db_url.startswith("sqlite"):
        target = f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        target = request.getfixturevalue("other_pg")
    _roundtrip(db_url, target, tmp_path / "backup.db")


def test_sqlite_to_postgres(tmp_path: Path, pg_db_url: str) -> None:
    _roundtrip(f"sqlite:///{tmp_path / 'src.db'}", pg_db_url, tmp_path / "b.db")


def test_postgres_to_sqlite(tmp_path: Path, pg_db_url: str) -> None:
    _roundtrip(pg_db_url, f"sqlite:///{tmp_path / 'dst.db'}", tmp_path / "b.db")


def test_postgres_in_another_time_zone(tmp_path: Path, pg_db_url: str) -> None:
    """A server session in UTC+8 changes no instant and breaks no hash."""
    shanghai = pg_db_url + "?options=-c%20timezone%3DAsia/Shanghai"
    src = open_database(shanghai)
    with src.read() as s:
        assert s.execute(text("SHOW timezone")).scalar() == "Asia/Shanghai"
    src.dispose()
    _roundtrip(shanghai, f"sqlite:///{tmp_path / 'dst.db'}", tmp_path / "b.db")


def test_restore_refuses_a_database_with_data(db_url: str, tmp_path: Path) -> None:
    db = open_database(db_url)
    fill(db)
    BackupService(ctx(db)).backup(tmp_path / "b.db")
    WorkflowService(ctx(db)).note(["C09.M01"], "备份之后的备注")
    after = dump(db)
    runner = CliRunner()
    r = runner.invoke(app, ["--db", db_url, "restore", str(tmp_path / "b.db")])
    assert r.exit_code == 5 and "--force" in r.stderr
    assert dump(db) == after
    r = runner.invoke(app, ["--db", db_url, "restore", str(tmp_path / "b.db"), "--force", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["chain_ok"] is True
    restored = dump(db)
    assert restored != after and len(restored["events"]) == len(after["events"]) - 1
    db.dispose()


def test_tampered_or_foreign_backups_are_refused(tmp_path: Path) -> None:
    src = open_database(tmp_path / "src.db")
    fill(src)
    BackupService(ctx(src)).backup(tmp_path / "b.db")
    with pytest.raises(ConflictError):
        BackupService(ctx(src)).backup(tmp_path / "b.db")  # no silent overwrite
    src.dispose()
    con = sqlite3.connect(tmp_path / "b.db")
    con.execute("UPDATE events SET actor = '别人' WHERE seq = 2")
    con.commit()
    con.close()
    dst = open_database(tmp_path / "dst.db")
    with pytest.raises(InvalidInputError, match="2"):
        BackupService(ctx(dst)).restore(tmp_path / "b.db")
    assert all(not rows for name, rows in dump(dst).items())
    (tmp_path / "notes.txt").write_text("不是备份\n", encoding="utf-8")
    r = CliRunner().invoke(
        app, ["--db", str(tmp_path / "dst.db"), "restore", str(tmp_path / "notes.txt")]
    )
    assert r.exit_code == 4 and "Traceback" not in r.output
    r = CliRunner().invoke(app, ["--db", str(tmp_path / "dst.db"), "restore", "missing.db"])
    assert r.exit_code == 3
    dst.dispose()


def test_cli_backup_of_sqlite_while_open(tmp_path: Path) -> None:
    db = open_database(tmp_path / "live.db")
    fill(db)
    runner = CliRunner()
    r = runner.invoke(app, ["--db", str(tmp_path / "live.db"), "backup", str(tmp_path / "o.db")])
    assert r.exit_code == 0, r.output
    assert "sqlite-online-backup" in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("o.db")) == ["o.db"]
    r = runner.invoke(app, ["--db", str(tmp_path / "live.db"), "backup", str(tmp_path / "o.db")])
    assert r.exit_code == 5
    copy = open_database(tmp_path / "o.db")
    assert dump(copy) == dump(db)
    copy.dispose()
    db.dispose()
