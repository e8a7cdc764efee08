"""TUI fixtures: a file database (worker threads need one) holding the bundled
plan, imported once per session and copied per test; a fixed as-of date."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lctasks.db.engine import Database, open_database
from lctasks.domain import Actor, Source
from lctasks.services.base import ServiceContext
from tests.tui.seed import seed

AS_OF = dt.date(2021, 6, 30)


@pytest.fixture(scope="session")
def plan_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lctasks.services.ledger import LedgerService

    path = tmp_path_factory.mktemp("plan") / "plan.db"
    db = open_database(path)
    try:
        LedgerService(ServiceContext(db, Actor("导入", Source.IMPORT))).import_plan()
    finally:
        db.dispose()  # the last connection to close checkpoints the WAL into the file
    assert not path.with_name("plan.db-wal").exists()
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tui.db"


@pytest.fixture
def plan_db(plan_template: Path, db_path: Path) -> Iterator[Database]:
    """The bundled plan, imported (a fresh copy for each test)."""
    shutil.copyfile(plan_template, db_path)
    db = open_database(db_path)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def seeded(db_path: Path) -> Iterator[Database]:
    """A small synthetic plan (40 tasks, 4 chapters) for layout-level tests."""
    db = open_database(db_path)
    seed(db, 40)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def script(plan_db: Database) -> ServiceContext:
    """Services as a script would call them (another process, source cli)."""
    return ServiceContext(plan_db, Actor("脚本", Source.CLI))
