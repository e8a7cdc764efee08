"""Shared fixtures.

``db_url`` gives a fresh, empty database URL for one test: an SQLite file, and —
when ``LCTASKS_TEST_PG_URL`` names a PostgreSQL server (``.ci/run`` starts one) —
a fresh PostgreSQL database too, so service and CLI tests run on both back ends.
Use ``db_url`` (or ``database``) in every test that touches storage.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lctasks.db.engine import Database, open_database

PG_URL = os.environ.get("LCTASKS_TEST_PG_URL", "")
BACKENDS = ["sqlite", "postgres"]


def _pg_database(base_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"lct_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lctasks.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: set LCTASKS_TEST_PG_URL (.ci/run starts a server)")
    request.applymarker(pytest.mark.postgres)
    yield from _pg_database(PG_URL)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = open_database(db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never touch the user's real data, config or identity."""
    monkeypatch.delenv("LCTASKS_DB", raising=False)
    monkeypatch.delenv("LCTASKS_PLAN", raising=False)
    monkeypatch.delenv("LCTASKS_CONFIG", raising=False)
    monkeypatch.setenv("LCTASKS_USER", "测试员")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("LCTASKS_LANG", raising=False)
