"""TUI fixtures: a file database (worker threads need one), a fixed as-of date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from lctasks.db.engine import Database, open_database
from lctasks.domain import Actor, Source
from lctasks.services.base import ServiceContext
from tests.tui.seed import seed

AS_OF = dt.date(2023, 6, 30)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tui.db"


@pytest.fixture
def seeded(db_path: Path) -> Iterator[Database]:
    db = open_database(db_path)
    seed(db, 40)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def ctx(seeded: Database) -> ServiceContext:
    return ServiceContext(seeded, Actor("脚本", Source.CLI))
