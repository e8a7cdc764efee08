"""Engines, sessions and migrations.

SQLite: WAL, foreign keys, busy timeout, and write transactions that take the
write lock first (``BEGIN IMMEDIATE``, SQLAlchemy's documented pysqlite recipe)
so that concurrent scripts never see "database is locked". PostgreSQL engines
are left as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lctasks.domain import InvalidInputError, PermissionDeniedError, StorageError
from lctasks.i18n import MESSAGES, t

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000
SQLITE_MAGIC = b"SQLite format 3\x00"


def default_db_path() -> Path:
    """The embedded database in the user's data directory (platformdirs)."""
    from platformdirs import user_data_path

    return user_data_path("lctasks", appauthor=False) / "lctasks.db"


def resolve_url(db: str | os.PathLike[str] | None) -> str:
    """Turn ``--db`` / ``LCTASKS_DB`` (a path or a SQLAlchemy URL) into a URL."""
    value = str(db) if db is not None else os.environ.get("LCTASKS_DB", "")
    if not value:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if "://" in value:
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship (extra: postgres)
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
    path = Path(value).expanduser()
    return f"sqlite:///{path.resolve()}"


def _check_sqlite_file(url: str) -> None:
    """Refuse a file that exists but is not an SQLite database."""
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:":
        return
    p = Path(path)
    if p.is_dir():
        raise StorageError(
            f"--db {p} is a directory, not a database file",
            hint="give a file path, e.g. --db ~/lctasks.db",
        )
    if p.exists() and p.stat().st_size > 0:
        with p.open("rb") as fh:
            head = fh.read(16)
        if head != SQLITE_MAGIC:
            raise StorageError(
                f"{p} is not an lctasks database (not an SQLite file)",
                hint="check the --db path or LCTASKS_DB; lctasks will not overwrite it",
            )
    else:
        p.parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        _check_sqlite_file(url)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            # take over transaction control from pysqlite (SQLAlchemy recipe)
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    try:
        return create_engine(url, echo=echo, pool_pre_ping=True)
    except ModuleNotFoundError as exc:  # driver missing
        raise StorageError(
            f"no database driver for {url.split('://')[0]}: {exc.name}",
            hint="for PostgreSQL install the extra: pip install 'lctasks[postgres]'",
        ) from exc
    except Exception as exc:
        raise StorageError(f"cannot use database URL: {exc}") from exc


MESSAGES.update(
    {
        "db.denied": (
            "数据库拒绝了这项操作（权限不足）：{detail}",
            "the database refused this (insufficient privilege): {detail}",
        ),
        "db.denied.hint": (
            "PostgreSQL 按登录名的 lctasks 角色授权；用 lctasks people list 查看角色，"
            "需要时请督查室调整",
            "PostgreSQL grants by the login's lctasks role; see lctasks people list and "
            "ask the supervision office to change it if needed",
        ),
        "db.bad_value": (
            "数据库拒绝了输入的值：{detail}",
            "the database refused a value: {detail}",
        ),
        "db.bad_value.hint": (
            "检查输入（例如不能含有 NUL 字符、数字不能过大）",
            "check the input (e.g. no NUL characters, numbers in range)",
        ),
        "db.unavailable": (
            "数据库无法使用：{detail}",
            "the database cannot be used: {detail}",
        ),
        "db.unavailable.hint": (
            "检查 --db / LCTASKS_DB、磁盘空间和数据库服务器；已做的修改均未保存",
            "check --db / LCTASKS_DB, disk space and the database server; "
            "nothing of this command was saved",
        ),
    }
)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__


@contextmanager
def translate_errors(url: str = "") -> Iterator[None]:
    """Database errors a user can cause → domain errors with exit codes.

    insufficient privilege (PostgreSQL grants, row-level security, lctasks
    triggers) → PermissionDeniedError; a value the database refuses (NUL in
    text, out-of-range number) → InvalidInputError; the database unreachable,
    locked, full or damaged → StorageError. The transaction has been rolled
    back by then: nothing of the command is saved. Other errors (bugs) pass.
    """
    from sqlalchemy import exc as sa_exc

    try:
        yield
    except sa_exc.DBAPIError as exc:
        state = str(getattr(exc.orig, "sqlstate", "") or "")
        detail = _first_line(exc)
        if state == "42501":
            raise PermissionDeniedError(
                t("db.denied", detail=detail), hint=t("db.denied.hint")
            ) from exc
        if isinstance(exc, sa_exc.DataError) or state.startswith("22"):
            raise InvalidInputError(
                t("db.bad_value", detail=detail), hint=t("db.bad_value.hint")
            ) from exc
        if isinstance(exc, sa_exc.OperationalError) or state[:2] in {"08", "53", "57", "58"}:
            raise StorageError(
                t("db.unavailable", detail=detail), hint=t("db.unavailable.hint")
            ) from exc
        raise


@dataclass
class Database:
    """An engine plus a session factory. Services receive one of these."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (``BEGIN DEFERRED`` on SQLite: no write lock)."""
        from sqlalchemy.orm import Session

        engine = self.engine
        if self.is_sqlite:
            engine = engine.execution_options(sqlite_begin="DEFERRED")
        with (
            translate_errors(self.url),
            Session(engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write unit of work: commits on success, rolls back on any error.

        On SQLite it holds the write lock from its first statement (BEGIN IMMEDIATE).
        Database errors a user can cause become domain errors (translate_errors).
        """
        with translate_errors(self.url), self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(db: str | os.PathLike[str] | None = None, *, migrate: bool = True) -> Database:
    """Open (and by default create/upgrade) the database named by ``db``."""
    from sqlalchemy.orm import sessionmaker

    url = resolve_url(db)
    engine = make_engine(url)
    database = Database(url, engine, sessionmaker(engine, expire_on_commit=False))
    if migrate:
        upgrade(database)
    return database


def _alembic_config(database: Database) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return cfg


HEAD_MARKER = "schema_head"


def upgrade(database: Database) -> None:
    """Bring the schema to head. Cheap when already there (one SELECT)."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import text

    from lctasks.db.migrations import HEAD_REVISION

    try:
        with database.engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            conn.rollback()
        if current == HEAD_REVISION:
            return
    except sa_exc.DatabaseError as exc:
        msg = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
        if (
            "no such table" not in msg
            and "does not exist" not in msg
            and "UndefinedTable" not in msg
        ):
            if "file is not a database" in msg or "malformed" in msg:
                raise StorageError(
                    f"{database.url} is damaged or not a database: {msg}",
                    hint="restore from a backup (lctasks restore FILE)",
                ) from exc
            raise StorageError(f"cannot open database {database.url}: {msg}") from exc
    from alembic import command

    cfg = _alembic_config(database)
    try:
        with database.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except sa_exc.OperationalError as exc:
        raise StorageError(f"cannot migrate database {database.url}: {exc.orig}") from exc
