"""Shared fixtures.

``db_url`` gives a fresh database URL holding no data for one test: an SQLite
file (not yet created), and — when ``LCTASKS_TEST_PG_URL`` names a PostgreSQL
server (``.ci/run`` starts one) — a fresh PostgreSQL database too, so service and
CLI tests run on both back ends. The PostgreSQL one is a copy of a template
migrated once per session, so it already has the schema at head (exactly what
``open_database`` builds). ``empty_pg_url`` gives a PostgreSQL database with no
schema at all, for migration and restore tests.
Use ``db_url`` (or ``database``) in every test that touches storage.

``bundled_plan_db`` gives an SQLite file holding the bundled plan, a copy of a
template imported once per module, for CLI tests on the real plan; they run the
app with the helpers of ``tests.cli_helpers``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest
import time_machine
from hypothesis import HealthCheck, settings

from lctasks.db.engine import Database, open_database

# Hypothesis profiles: "dev" (hypothesis' defaults, 100 examples) while developing;
# "ci" (.ci/run sets LCTASKS_HYPOTHESIS_PROFILE=ci for its first run): 3x the
# examples, no deadline (a loaded CI machine), and the failing example printed so
# it can be replayed. Properties with their own max_examples scale with the profile
# through hypothesis_examples().
settings.register_profile("dev", settings.get_profile("default"))
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("LCTASKS_HYPOTHESIS_PROFILE", "dev"))


def once_per_module(fixture_name: str, config: pytest.Config) -> Literal["module", "function"]:
    """Scope of a fixture that parses the bundled plan: once per module, but once per
    test under mutmut (it sets ``MUTANT_UNDER_TEST``). mutmut 3 runs each mutant
    against the tests during which the mutated function ran; a module-scoped fixture
    runs during the module's first test only, so the module's other tests would never
    meet the mutant and it would be counted a survivor (benchmarks/mutation.py)."""
    return "function" if "MUTANT_UNDER_TEST" in os.environ else "module"


def hypothesis_examples(dev: int) -> int:
    """``dev`` examples under the dev profile, scaled like the active profile (ci: 3x)."""
    return max(1, dev * settings.default.max_examples // 100)


if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

PG_URL = os.environ.get("LCTASKS_TEST_PG_URL", "")
BACKENDS = ["sqlite", "postgres"]
NO_PG = "PostgreSQL: set LCTASKS_TEST_PG_URL (.ci/run starts a server)"
# .ci/run sets LCTASKS_REQUIRE_PG=1 when it started a server: then a skipped
# PostgreSQL test (or any skip while PostgreSQL is required) fails the run.
REQUIRE_PG = os.environ.get("LCTASKS_REQUIRE_PG", "") == "1"


def skip_without_pg(reason: str = NO_PG) -> None:
    """Skip a test that needs the PostgreSQL server; a failure when it is required."""
    if REQUIRE_PG:
        pytest.fail(f"LCTASKS_REQUIRE_PG=1 but the test would be skipped: {reason}")
    pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """With LCTASKS_REQUIRE_PG=1, a test skipped for want of the PostgreSQL server
    (LCTASKS_TEST_PG_URL) or driver (psycopg) is reported failed. A test that skips
    its PostgreSQL variant on purpose (a reason naming neither) still skips."""
    outcome = yield
    if not REQUIRE_PG:
        return
    report = outcome.get_result()
    text = str(report.longrepr).lower() if report.longrepr else ""
    if report.skipped and ("lctasks_test_pg_url" in text or "psycopg" in text):
        report.outcome = "failed"
        report.longrepr = f"LCTASKS_REQUIRE_PG=1: a PostgreSQL test was skipped ({text})"


# On PostgreSQL the acting person is the database login, so tests connect as a
# superuser login named like LCTASKS_USER (_isolated_env): the same actor on both
# back ends. PgDatabases creates it.
TEST_LOGIN = "测试员"
TEST_CHAIN_KEY = "lctasks-test-chain-key-0123456789"


def pg_url_for(name: str, user: str | None = TEST_LOGIN) -> str:
    """The URL of database ``name`` on the test server, as ``user`` (None: as PG_URL)."""
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).set(database=name)
    if user is not None:
        url = url.set(username=user, password=None)
    return url.render_as_string(hide_password=False)


def _admin_engine() -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


class PgDatabases:
    """Fresh PostgreSQL databases for tests, made fast.

    * A template database is migrated once per session by the same
      ``open_database`` the application uses, so a test's database is exactly
      what a fresh office database looks like; each test then gets
      ``CREATE DATABASE … TEMPLATE`` of it (no Alembic run per test).
    * CREATE DATABASE still costs ~0.25 s on a small server, so the next
      database is created (and the previous one dropped) by one background
      thread while the current test runs.

    Nothing connects to the template after it is built (PostgreSQL refuses to
    copy a template that has sessions); everything is dropped at the end.
    Names are random, so several pytest sessions can share one server.
    """

    def __init__(self) -> None:
        self.admin = _admin_engine()
        self._run(
            f"""DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{TEST_LOGIN}') THEN
                    CREATE ROLE "{TEST_LOGIN}" LOGIN SUPERUSER;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$"""
        )
        self.template = f"lct_tpl_{uuid.uuid4().hex[:12]}"
        self._run(f'CREATE DATABASE "{self.template}"')
        open_database(pg_url_for(self.template)).dispose()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pgdb")
        self._next: Future[str] | None = None

    def _run(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def create(self, template: str | None) -> str:
        name = f"lct_{uuid.uuid4().hex[:12]}"
        self._run(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop(self, name: str) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def take(self) -> str:
        """A new database's name: schema at head, no data."""
        current = self._next or self._pool.submit(self.create, self.template)
        self._next = self._pool.submit(self.create, self.template)
        return current.result()

    def give_back(self, name: str) -> None:
        self._pool.submit(self.drop, name)

    def close(self) -> None:
        if self._next is not None:
            with contextlib.suppress(Exception):
                self.drop(self._next.result())
        self._pool.shutdown(wait=True)
        self.drop(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases | None]:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("LCTASKS_REQUIRE_PG=1 but LCTASKS_TEST_PG_URL is not set")
        yield None
        return
    dbs = PgDatabases()
    try:
        yield dbs
    finally:
        dbs.close()


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_databases: PgDatabases | None
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lctasks.db'}"
        return
    if pg_databases is None:
        skip_without_pg()
    request.applymarker(pytest.mark.postgres)
    name = pg_databases.take()
    try:
        yield pg_url_for(name)
    finally:
        pg_databases.give_back(name)


@pytest.fixture
def pg_db_url(pg_databases: PgDatabases | None) -> Iterator[str]:
    """Only PostgreSQL: a fresh database (schema at head, no data), for PG-only tests."""
    if pg_databases is None:
        skip_without_pg()
    name = pg_databases.take()
    try:
        yield pg_url_for(name)
    finally:
        pg_databases.give_back(name)


@pytest.fixture
def empty_pg_url(pg_databases: PgDatabases | None) -> Iterator[str]:
    """A PostgreSQL database without any schema (skipped without a server)."""
    if pg_databases is None:
        skip_without_pg()
    name = pg_databases.create(None)
    try:
        yield pg_url_for(name)
    finally:
        pg_databases.drop(name)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = open_database(db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(scope=once_per_module)
def bundled_plan_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled plan imported into an SQLite file, once per module (once per test
    under mutmut: :func:`once_per_module`). Copy it, never write to it: see
    ``bundled_plan_db``."""
    from lctasks.domain import Actor
    from lctasks.services.base import ServiceContext
    from lctasks.services.ledger import LedgerService

    path = tmp_path_factory.mktemp("plan") / "plan.db"
    db = open_database(str(path))
    try:
        LedgerService(ServiceContext(db, Actor("导入员"))).import_plan()
    finally:
        db.dispose()  # the last connection to close checkpoints the WAL into the file
    assert not path.with_name("plan.db-wal").exists()  # so a copy of the file is whole
    return path


@pytest.fixture
def bundled_plan_db(bundled_plan_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the bundled plan for one test: the path of an SQLite file, what
    CLI tests pass as ``--db`` (tests.cli_helpers.invoke)."""
    return copy_db(bundled_plan_template, tmp_path)


def copy_db(template: Path, tmp_path: Path) -> str:
    """``template`` (an SQLite file) copied to ``tmp_path/lctasks.db``: its path."""
    path = tmp_path / "lctasks.db"
    shutil.copy(template, path)
    return str(path)


# 01:00 on 1 December 2026 in Beijing = 17:00 UTC on 30 November: the hour where the
# office's date, month and report period differ from UTC's (and from New York's).
OFFICE_NOW = dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)
OFFICE_TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def office_clock() -> Iterator[time_machine.Traveller]:
    """Pin the clock at :data:`OFFICE_NOW` (ticking): "today" in the office is 2026-12-01."""
    with time_machine.travel(OFFICE_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never touch the user's real data, config or identity."""
    from lctasks import clock

    clock.use_zone(None)  # the office zone is re-read from this test's settings
    monkeypatch.delenv("LCTASKS_DB", raising=False)
    monkeypatch.delenv("LCTASKS_PLAN", raising=False)
    monkeypatch.delenv("LCTASKS_CONFIG", raising=False)
    monkeypatch.setenv("LCTASKS_USER", "测试员")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("LCTASKS_LANG", raising=False)
    # the office's chain key (services/keys.py): required to write on PostgreSQL
    monkeypatch.setenv("LCTASKS_CHAIN_KEY", TEST_CHAIN_KEY)
    monkeypatch.delenv("LCTASKS_CHAIN_KEY_FILE", raising=False)
    monkeypatch.delenv("LCTASKS_CHAIN_KEYED", raising=False)
    from lctasks.i18n import ZH, set_language

    set_language(ZH)  # the language is a process setting: each test starts in Chinese
