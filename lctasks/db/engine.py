"""Engines, sessions and migrations.

SQLite: WAL, foreign keys, busy timeout, and write transactions that take the
write lock first (``BEGIN IMMEDIATE``, SQLAlchemy's documented pysqlite recipe)
so that concurrent scripts never see "database is locked".

PostgreSQL: every session lctasks opens sets a connect timeout, ``lock_timeout``
and ``statement_timeout`` (seconds; environment ``LCTASKS_PG_CONNECT_TIMEOUT``,
``LCTASKS_PG_LOCK_TIMEOUT``, ``LCTASKS_PG_STATEMENT_TIMEOUT``; 0 = no limit), so
a server that never answers or a session that holds a lock ends the command
with a clear error (BusyError, exit 8, for timeouts) instead of a hang.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lctasks.db.errors import first_line, translate_errors
from lctasks.db.sql import COMMITS, read_only_place, read_only_uri
from lctasks.db.urls import display_url, resolve_url
from lctasks.domain import InvalidInputError, LctasksError, StorageError
from lctasks.i18n import DB as MESSAGES
from lctasks.i18n import db_t as t

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000
# PostgreSQL session limits, seconds: (environment variable, default)
PG_TIMEOUTS = {
    "connect": ("LCTASKS_PG_CONNECT_TIMEOUT", 10),
    "lock": ("LCTASKS_PG_LOCK_TIMEOUT", 15),
    "statement": ("LCTASKS_PG_STATEMENT_TIMEOUT", 120),
}
SQLITE_MAGIC = b"SQLite format 3\x00"


def sqlite_file_problem(p: Path) -> str | None:
    """Why the file ``p`` is not a usable SQLite database, or None.

    Cheap (reads the 100-byte header): not SQLite at all; an impossible page
    size; or truncated — the file is shorter than the size its header records,
    or not a whole number of pages. A file with a non-empty ``-wal`` beside it
    is judged by SQLite itself (a crash may have left pages only in the WAL).
    """
    size = p.stat().st_size
    with p.open("rb") as fh:
        head = fh.read(100)
    if head[:16] != SQLITE_MAGIC:
        return "db.problem.not_sqlite"
    if len(head) < 100:
        return "db.problem.truncated"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "db.problem.header"
    wal = p.with_name(p.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None
    pages = int.from_bytes(head[28:32], "big")
    header_valid = head[24:28] == head[92:96]
    if size % page_size or (header_valid and pages and size < pages * page_size):
        return "db.problem.truncated"
    return None


def _check_sqlite_tables(p: Path) -> None:
    """Refuse another program's SQLite database before our engine touches it.

    Read-only (our connections switch a file to WAL mode, which would already
    change a foreign file). What cannot be read here is left to ``upgrade``.
    """
    import sqlite3

    try:
        conn = sqlite3.connect(read_only_uri(p), uri=True)
    except sqlite3.Error:
        return
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        rev = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            rev = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        if "malformed" not in str(exc) and "not a database" not in str(exc):
            return  # cannot look (locked, no -shm beside it): upgrade() reports what it is
        raise StorageError(
            t("db.damaged", path=p, detail=str(exc)), hint=t("db.damaged.hint")
        ) from exc
    finally:
        conn.close()
    foreign = sorted(n for n in tables - {"alembic_version"} if not n.startswith("sqlite_"))
    if rev is None and foreign:
        shown = "、".join(foreign[:5]) + ("…" if len(foreign) > 5 else "")
        raise StorageError(t("db.foreign", path=p, tables=shown), hint=t("db.not_sqlite.hint"))
    if rev is not None:
        from lctasks.db.migrations import HEAD_REVISION

        if rev != HEAD_REVISION and rev not in _known_revisions():
            raise StorageError(
                t("db.unknown_revision", path=p, rev=rev), hint=t("db.unknown_revision.hint")
            )


def _sqlite_path_of(url: str) -> Path | None:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path.split("?", 1)[0])


def _check_sqlite_file(url: str) -> None:
    """Refuse a path that is a directory or a file that is not a sound SQLite database."""
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    p = Path(path.split("?", 1)[0])
    if p.is_dir():
        raise StorageError(t("db.is_dir", path=p), hint=t("db.is_dir.hint"))
    if p.exists() and not p.is_file():
        raise StorageError(t("db.not_file", path=p), hint=t("db.is_dir.hint"))
    if p.exists() and p.stat().st_size > 0:
        try:
            problem = sqlite_file_problem(p)
        except OSError as exc:
            raise StorageError(
                t("db.unreadable", path=p, detail=exc.strerror or exc), hint=t("db.is_dir.hint")
            ) from exc
        if problem == "db.problem.not_sqlite":
            raise StorageError(t("db.not_sqlite", path=p), hint=t("db.not_sqlite.hint"))
        if problem:
            raise StorageError(
                t("db.damaged", path=p, detail=t(problem)), hint=t("db.damaged.hint")
            )
        _check_sqlite_tables(p)
    elif not p.exists():
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                t("db.unreadable", path=p, detail=exc.strerror or exc), hint=t("db.is_dir.hint")
            ) from exc


def pg_timeout(which: str) -> int:
    """A PostgreSQL limit in whole seconds (0: none), from the environment or the default."""
    env, default = PG_TIMEOUTS[which]
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise InvalidInputError(
            t("db.bad_timeout", env=env, value=raw), hint=t("db.bad_timeout.hint", env=env)
        )
    return value


def pg_connect_args(url: str) -> dict[str, Any]:
    """psycopg connection arguments: connect timeout and the session's timeouts."""
    from sqlalchemy.engine import make_url

    query = make_url(url).query
    args: dict[str, Any] = {}
    if "connect_timeout" not in query:  # a URL that names one keeps it
        connect = pg_timeout("connect")
        if connect:
            args["connect_timeout"] = max(connect, 2)  # libpq treats 1 as 2
    options = [
        f"-c lock_timeout={pg_timeout('lock') * 1000}",
        f"-c statement_timeout={pg_timeout('statement') * 1000}",
    ]
    given = query.get("options")  # the URL's own options (e.g. a time zone) come first
    given = given if isinstance(given, str) else " ".join(given or ())
    args["options"] = " ".join([given, *options] if given else options)
    return args


def make_engine(url: str, *, echo: bool = False) -> Engine:
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        _check_sqlite_file(url)
        path = _sqlite_path_of(url)
        read_only = path is not None and path.exists() and read_only_place(path)
        connect_args: dict[str, Any] = {
            "timeout": BUSY_TIMEOUT_MS / 1000,
            "check_same_thread": False,
        }
        if read_only and path is not None:
            # reads work; a write says "read-only" (translate_errors), never "damaged"
            import sqlite3

            uri = read_only_uri(path)
            engine = create_engine(
                "sqlite://",
                echo=echo,
                creator=lambda: sqlite3.connect(
                    uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
                ),
            )
        else:
            engine = create_engine(url, echo=echo, connect_args=connect_args)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            # take over transaction control from pysqlite (SQLAlchemy recipe)
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys = ON")
            if not read_only:
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA synchronous = NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
            if read_only:  # no write lock to take; a write fails as "read-only"
                mode = "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    try:
        connect_args = pg_connect_args(url) if url.startswith("postgresql") else {}
        return create_engine(url, echo=echo, pool_pre_ping=True, connect_args=connect_args)
    except LctasksError:
        raise
    except ModuleNotFoundError as exc:  # driver missing
        raise StorageError(
            f"no database driver for {url.split('://')[0]}: {exc.name}",
            hint="for PostgreSQL install the extra: pip install 'lctasks[postgres]'",
        ) from exc
    except Exception as exc:
        raise StorageError(f"cannot use database URL: {exc}") from exc


MESSAGES.add(
    {
        "db.bad_timeout": (
            "{env} 必须是不小于 0 的整数秒数，而不是 {value!r}",
            "{env} must be a whole number of seconds, at least 0, not {value!r}",
        ),
        "db.bad_timeout.hint": (
            "例如 {env}=30；0 表示不限",
            "e.g. {env}=30; 0 means no limit",
        ),
        "db.is_dir": (
            "--db {path} 是目录，不是数据库文件",
            "--db {path} is a directory, not a file",
        ),
        "db.not_file": ("--db {path} 不是普通文件", "--db {path} is not a regular file"),
        "db.is_dir.hint": (
            "给出数据库文件路径，例如 --db ~/lctasks.db",
            "give a database file path, e.g. --db ~/lctasks.db",
        ),
        "db.unreadable": ("无法读取 {path}：{detail}", "cannot read {path}: {detail}"),
        "db.not_sqlite": (
            "{path} 不是 lctasks 数据库（不是 SQLite 文件）",
            "{path} is not an lctasks database (not an SQLite file)",
        ),
        "db.not_sqlite.hint": (
            "检查 --db 路径或 LCTASKS_DB；lctasks 不会改动这个文件",
            "check the --db path or LCTASKS_DB; lctasks leaves this file alone",
        ),
        "db.problem.not_sqlite": ("不是 SQLite 文件", "not an SQLite file"),
        "db.problem.truncated": (
            "文件被截断（比文件头记录的短）",
            "truncated (shorter than its header says)",
        ),
        "db.problem.header": ("文件头无效", "invalid file header"),
        "db.foreign": (
            "{path} 不是 lctasks 数据库：其中已有其他程序的表（{tables}）",
            "{path} is not an lctasks database: it holds another program's tables ({tables})",
        ),
        "db.unknown_revision": (
            "{path} 的结构版本 {rev} 不是本版 lctasks 所知道的"
            "（由更新版本的 lctasks 或其他程序创建）",
            "{path} has schema revision {rev}, unknown to this lctasks "
            "(made by a newer lctasks or another program)",
        ),
        "db.unknown_revision.hint": (
            "升级 lctasks（pip install -U lctasks），或检查 --db",
            "upgrade lctasks (pip install -U lctasks), or check --db",
        ),
        "db.cannot_open": (
            "无法打开数据库 {path}：{detail}",
            "cannot open the database {path}: {detail}",
        ),
        "db.open.hint": (
            "检查 --db / LCTASKS_DB、文件权限，或数据库服务器是否可达、用户名和密码",
            "check --db / LCTASKS_DB and file permissions, or that the server is "
            "reachable and the user and password are right",
        ),
        "db.migrate_failed": (
            "无法升级数据库 {path} 的结构：{detail}",
            "cannot upgrade the schema of {path}: {detail}",
        ),
        "db.migrate_failed.hint": (
            "PostgreSQL 上请由数据库所有者（或超级用户）运行一次任意 lctasks 命令来升级结构",
            "on PostgreSQL the database owner (or a superuser) must run any lctasks "
            "command once to upgrade the schema",
        ),
    }
)


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
        COMMITS.append(self.url)  # the change is saved (an output error must say so)

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


def _missing_table(exc: BaseException) -> bool:
    msg = first_line(exc)
    return (
        "no such table" in msg
        or "does not exist" in msg
        or getattr(getattr(exc, "orig", None), "sqlstate", None) == "42P01"
    )


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(Path(__file__).parent / "migrations"))
    return {rev.revision for rev in script.walk_revisions()}


def _opening_error(database: Database, exc: Exception) -> StorageError:
    detail = first_line(exc)
    where = display_url(database.url)
    if database.is_sqlite and ("not a database" in detail or "malformed" in detail):
        return StorageError(t("db.damaged", path=where, detail=detail), hint=t("db.damaged.hint"))
    return StorageError(t("db.cannot_open", path=where, detail=detail), hint=t("db.open.hint"))


def upgrade(database: Database) -> None:
    """Bring the schema to head. Cheap when already there (one SELECT).

    Before migrating, look: a database with tables but no lctasks schema
    marker (another program's data) or with a schema revision this lctasks
    does not know (a newer lctasks, another Alembic project) is refused with
    StorageError and left untouched. Migrations run in one transaction.
    """
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import inspect, text

    from lctasks.db.migrations import HEAD_REVISION

    current: str | None = None
    try:
        with database.engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            conn.rollback()
        if current == HEAD_REVISION:
            return
    except sa_exc.DBAPIError as exc:
        if not _missing_table(exc):
            raise _opening_error(database, exc) from exc
    where = display_url(database.url)
    try:
        with database.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            conn.rollback()
    except sa_exc.DBAPIError as exc:
        raise _opening_error(database, exc) from exc
    if current is None:
        foreign = sorted(n for n in tables - {"alembic_version"} if not n.startswith("sqlite_"))
        if foreign:
            shown = "、".join(foreign[:5]) + ("…" if len(foreign) > 5 else "")
            raise StorageError(
                t("db.foreign", path=where, tables=shown), hint=t("db.not_sqlite.hint")
            )
    elif current not in _known_revisions():
        raise StorageError(
            t("db.unknown_revision", path=where, rev=current), hint=t("db.unknown_revision.hint")
        )
    from alembic import command

    cfg = _alembic_config(database)
    try:
        with database.engine.connect() as conn:
            # SQLite: batch migrations rebuild tables (DROP + RENAME); with foreign
            # keys on, dropping ``tasks`` would cascade into its children. The
            # pragma only takes effect outside a transaction, so set it first.
            raw = conn.connection.driver_connection if database.is_sqlite else None
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = OFF")
            try:
                with conn.begin():
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    if raw is not None:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                        if broken is not None:
                            raise StorageError(
                                t("db.migrate_failed", path=where, detail=str(tuple(broken))),
                                hint=t("db.migrate_failed.hint"),
                            )
            finally:
                if raw is not None:
                    raw.execute("PRAGMA foreign_keys = ON")
    except sa_exc.DBAPIError as exc:
        raise StorageError(
            t("db.migrate_failed", path=where, detail=first_line(exc)),
            hint=t("db.migrate_failed.hint"),
        ) from exc
