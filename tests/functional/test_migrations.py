"""Alembic migrations build the schema the models describe, on an empty database."""

from __future__ import annotations

from pathlib import Path

import pytest

from lctasks.db.engine import Database, open_database
from lctasks.domain import StorageError


def test_upgrade_head_matches_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from lctasks.db.models import Base

    db = open_database(tmp_path / "m.db")
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_second_open_keeps_data(tmp_path: Path) -> None:
    from sqlalchemy import text

    path = tmp_path / "keep.db"
    db = open_database(path)
    with db.write() as s:
        s.execute(text("INSERT INTO lctasks_meta(key, value) VALUES ('k', 'v')"))
    db.dispose()
    db2 = open_database(path)
    with db2.read() as s:
        assert s.execute(text("SELECT value FROM lctasks_meta WHERE key='k'")).scalar() == "v"


def test_foreign_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("这不是数据库\n", encoding="utf-8")
    with pytest.raises(StorageError, match="不是 lctasks 数据库"):
        open_database(path)
    assert path.read_text(encoding="utf-8") == "这不是数据库\n"


def test_upgrade_head_matches_models_on_postgres(empty_pg_url: str) -> None:
    """The migrations, run from nothing on PostgreSQL, build what the models say."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from lctasks.db.models import Base

    db = open_database(empty_pg_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        db.dispose()
    assert diff == []


def test_fixture_database_is_at_head_and_empty(database: Database) -> None:
    """What `db_url` hands a test (on PostgreSQL: a template copy) is a fresh database."""
    from sqlalchemy import func, select, text

    from lctasks.db.migrations import HEAD_REVISION
    from lctasks.db.models import Base

    with database.read() as s:
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
        for table in Base.metadata.sorted_tables:
            want = 1 if table.name == "lctasks_chain" else 0  # the chain lock row
            assert s.execute(select(func.count()).select_from(table)).scalar() == want, table.name


def test_0003_keeps_every_row_and_adds_the_bounds(tmp_path: Path) -> None:
    """Upgrading a 0002 database with data: batch rebuilds lose nothing (no FK cascade)."""
    import sqlite3

    from alembic import command
    from sqlalchemy import text

    from lctasks.db.engine import _alembic_config, make_engine
    from tests.wfdata import seed

    path = tmp_path / "old.db"
    old = Database(f"sqlite:///{path}", make_engine(f"sqlite:///{path}"), None)  # type: ignore[arg-type]
    with old.engine.begin() as conn:
        cfg = _alembic_config(old)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    old.dispose()
    db = open_database(path, migrate=False)
    seed(db)
    with db.read() as s:
        before = [
            s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("tasks", "checklist_items", "task_co_units", "units", "plans")
        ]
    db.dispose()
    db = open_database(path)  # 0002 -> head
    with db.read() as s:
        after = [
            s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("tasks", "checklist_items", "task_co_units", "units", "plans")
        ]
        assert s.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    db.dispose()
    assert after == before and before[1] == 4
    con = sqlite3.connect(path)
    try:
        for sql in (
            "UPDATE tasks SET progress = -2147483648",
            "UPDATE tasks SET progress = 101",
            "UPDATE tasks SET version = -1",
            "UPDATE tasks SET due = '9999-12-31'",
            "INSERT INTO events (seq, at, actor, source, action, changes, reason, prev_hash, "
            "hash) VALUES (0, '2026-01-01', 'x', 'cli', 'note', '{}', '', '', 'h')",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
                con.execute(sql)
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()
