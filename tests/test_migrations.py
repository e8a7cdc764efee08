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
            assert s.execute(select(func.count()).select_from(table)).scalar() == 0, table.name
