"""Plain SQL over either back end: the hot path of the workflow services.

Why this exists: a single ``lctasks close ID`` must cost about what
Taskwarrior's ``task N done`` does (~80 ms here). Importing SQLAlchemy alone
costs ~300 ms on this machine, so the write path of the workflow services is
written once, as portable SQL with ``:name`` parameters, and runs through a
``Runner``:

- ``SessionRunner`` wraps a SQLAlchemy ``Session`` (``Database.write()``): used by
  the TUI, the tests and PostgreSQL;
- ``Sqlite3Runner`` wraps a standard-library ``sqlite3`` connection opened by
  ``LiteDatabase``: used by the CLI on an SQLite file, with no SQLAlchemy import.

Both runners write values exactly as SQLAlchemy's column types store them
(dates as ISO text, UTC datetimes as ``YYYY-MM-DD HH:MM:SS.ffffff`` on SQLite,
JSON as text), so the ORM reads back what the SQL wrote and the other way round.
Standard library only at import time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from lctasks.domain import InvalidInputError, StorageError
from lctasks.i18n import DB
from lctasks.i18n import db_t as t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Params = Mapping[str, Any]
# write transactions committed by this process (engine.Database.write and
# LiteDatabase.write append): an error writing the output afterwards says the
# change was made (cli.common.OutputError)
COMMITS: list[str] = []
Row = tuple[Any, ...]


class Runner(Protocol):
    """What the services need from a connection inside one transaction."""

    dialect: str  # "sqlite" | "postgresql"

    def all(self, sql: str, params: Params | None = None) -> list[Row]: ...

    def each(self, sql: str, params: Params | None = None) -> Iterator[Row]:
        """The rows one at a time (run no other SQL on this runner until it is done)."""
        ...

    def run(self, sql: str, params: Params | None = None) -> int: ...

    def run_many(self, sql: str, rows: Sequence[Params]) -> None: ...


# ---------------------------------------------------------------------------
# Values: one storage format whichever runner writes
# ---------------------------------------------------------------------------


def db_date(runner: Runner, value: dt.date | None) -> Any:
    if value is None or runner.dialect != "sqlite":
        return value
    return value.isoformat()


def db_datetime(runner: Runner, value: dt.datetime) -> Any:
    value = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if runner.dialect != "sqlite":
        return value
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def json_param(runner: Runner, name: str) -> str:
    """The SQL for a JSON-typed parameter (PostgreSQL needs the cast)."""
    return f"CAST(:{name} AS JSON)" if runner.dialect == "postgresql" else f":{name}"


def as_date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


def as_json(value: Any) -> Any:
    if isinstance(value, str | bytes):
        return json.loads(value) if value else None
    return value


def in_clause(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``(:k0, :k1, …)`` and its parameters, for ``WHERE x IN …``."""
    names = [f"{prefix}{i}" for i in range(len(values))]
    return "(" + ", ".join(f":{n}" for n in names) + ")", dict(zip(names, values, strict=True))


# ---------------------------------------------------------------------------
# Runners
# ---------------------------------------------------------------------------


class SessionRunner:
    """Runs SQL in a SQLAlchemy session's transaction (any back end)."""

    def __init__(self, session: Session) -> None:
        from sqlalchemy import text  # only here: this runner already has SQLAlchemy loaded

        self.session = session
        self._text = text
        self.dialect = session.get_bind().dialect.name

    def all(self, sql: str, params: Params | None = None) -> list[Row]:
        return [tuple(r) for r in self.session.execute(self._text(sql), dict(params or {}))]

    def each(self, sql: str, params: Params | None = None) -> Iterator[Row]:
        for r in self.session.execute(self._text(sql), dict(params or {})):
            yield tuple(r)

    def run(self, sql: str, params: Params | None = None) -> int:
        res = self.session.execute(self._text(sql), dict(params or {}))
        return int(getattr(res, "rowcount", 0) or 0)

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self.session.execute(self._text(sql), [dict(r) for r in rows])


class Sqlite3Runner:
    """Runs SQL on a standard-library sqlite3 connection (no SQLAlchemy)."""

    dialect = "sqlite"
    session = None

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def all(self, sql: str, params: Params | None = None) -> list[Row]:
        return self.conn.execute(sql, dict(params or {})).fetchall()

    def each(self, sql: str, params: Params | None = None) -> Iterator[Row]:
        yield from self.conn.execute(sql, dict(params or {}))

    def run(self, sql: str, params: Params | None = None) -> int:
        return self.conn.execute(sql, dict(params or {})).rowcount

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self.conn.executemany(sql, [dict(r) for r in rows])


# ---------------------------------------------------------------------------
# LiteDatabase: the SQLite file through sqlite3, for the CLI's hot path
# ---------------------------------------------------------------------------

BUSY_TIMEOUT_MS = 30_000  # the same as lctasks.db.engine


def _translate(exc: sqlite3.Error) -> Exception:
    """sqlite3 errors a user can cause, as on the SQLAlchemy path (errors.translate_errors)."""
    from lctasks.domain import BusyError
    from lctasks.i18n import db_t as t

    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    bound = out_of_bounds(detail)
    if bound is not None:
        return bound
    if isinstance(exc, sqlite3.OperationalError) and "locked" in detail:
        return BusyError(t("db.busy", detail=detail), hint=t("db.busy.hint"))
    return exc


def read_only_place(p: Path) -> bool:
    """True when the database file ``p`` cannot be written here: a read-only
    mount, or a file or directory without write permission for us."""
    try:
        if os.statvfs(p.parent).f_flag & os.ST_RDONLY:
            return True
    except (OSError, AttributeError):
        pass
    return p.exists() and not (os.access(p, os.W_OK) and os.access(p.parent, os.W_OK))


def read_only_uri(p: Path) -> str:
    """An SQLite URI that reads ``p`` without writing anything beside it.

    On a read-only mount nobody can change the file, so ``immutable=1`` lets
    SQLite read a WAL database without creating its ``-shm`` file.
    """
    uri = p.resolve().as_uri() + "?mode=ro"
    try:
        if os.statvfs(p.parent).f_flag & os.ST_RDONLY:
            uri += "&immutable=1"
    except (OSError, AttributeError):
        pass
    return uri


# CHECK constraints of migration 0003, by the name in the database's message
BOUNDS = {
    "progress_range": "db.bound.progress",
    "percent_range": "db.bound.percent",
    "version_positive": "db.bound.version",
    "seq_positive": "db.bound.seq",
    "start_range": "db.bound.date",
    "original_due_range": "db.bound.date",
    "due_range": "db.bound.date",
}


def out_of_bounds(detail: str) -> InvalidInputError | None:
    """The error for a CHECK constraint of ours named in ``detail``, else None."""
    for name, key in BOUNDS.items():
        if f"_{name}" in detail:
            return InvalidInputError(
                t("db.out_of_bounds", what=t(key)), hint=t("db.out_of_bounds.hint")
            )
    return None


DB.add(
    {
        "db.busy": (
            "数据库忙：另一个会话占用所需数据超时（{detail}）；本命令未做任何更改",
            "the database is busy: another session held what this needs past the "
            "timeout ({detail}); nothing of this command was changed",
        ),
        "db.busy.hint": (
            "稍后重试；等待时限见 LCTASKS_PG_LOCK_TIMEOUT / LCTASKS_PG_STATEMENT_TIMEOUT",
            "try again in a moment; the limits are LCTASKS_PG_LOCK_TIMEOUT / "
            "LCTASKS_PG_STATEMENT_TIMEOUT",
        ),
        "db.bound.progress": ("进度必须在 0 到 100 之间", "progress must be between 0 and 100"),
        "db.bound.percent": (
            "百分比必须在 0 到 100 之间",
            "a percentage must be between 0 and 100",
        ),
        "db.bound.version": ("版本号必须不小于 1", "a version must be at least 1"),
        "db.bound.seq": ("事件序号必须不小于 1", "an event number must be at least 1"),
        "db.bound.date": (
            "日期必须在 2000-01-01 到 2100-12-31 之间",
            "dates must lie between 2000-01-01 and 2100-12-31",
        ),
        "db.out_of_bounds": (
            "数据库拒绝了超出范围的值：{what}；未做任何更改",
            "the database refused a value out of bounds: {what}; nothing was changed",
        ),
        "db.out_of_bounds.hint": (
            "改正输入后重试",
            "correct the value and try again",
        ),
    }
)


class LiteDatabase:
    """An SQLite lctasks database opened with the standard library only.

    ``open`` returns ``None`` when the fast path does not apply — the file does
    not exist yet, its schema is not at head (Alembic must run), or people and
    roles are configured (the access policy needs the ORM) — and the caller
    then opens the full ``Database`` instead. Same pragmas as the engine:
    WAL, foreign keys, busy timeout, and ``BEGIN IMMEDIATE`` for writes.
    """

    is_sqlite = True

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self.conn = conn

    @classmethod
    def open(cls, url: str, *, reading: bool = False) -> LiteDatabase | None:
        """The database at ``url``, or None (see above). ``reading``: only reads
        will run (the TUI's first page), so people on record do not matter."""
        if not url.startswith("sqlite:///"):
            return None
        raw = url.split(":///", 1)[1]
        if not raw or raw == ":memory:" or "?" in raw:
            return None
        path = Path(raw)
        if not path.is_file() or path.stat().st_size == 0:
            return None
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return None  # the full path reports it properly
        if read_only_place(path):
            return None  # the full path reads it read-only and says so on a write
        from lctasks.db.migrations import HEAD_REVISION

        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            # look before switching to WAL: that pragma would already change
            # another program's database (the full path refuses those)
            head = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            people = conn.execute("SELECT 1 FROM people LIMIT 1").fetchone()
            if head is None or head[0] != HEAD_REVISION or (people is not None and not reading):
                conn.close()
                return None
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error:
            conn.close()
            return None
        return cls(path, conn)

    @contextmanager
    def write(self) -> Iterator[Sqlite3Runner]:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise _translate(exc) from exc
            raise StorageError(f"cannot write {self.path}: {exc}") from exc
        try:
            yield Sqlite3Runner(self.conn)
        except sqlite3.Error as exc:
            self.conn.execute("ROLLBACK")
            raise _translate(exc) from exc
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        COMMITS.append(self.url)

    @contextmanager
    def read(self) -> Iterator[Sqlite3Runner]:
        self.conn.execute("BEGIN DEFERRED")
        try:
            yield Sqlite3Runner(self.conn)
        finally:
            self.conn.execute("ROLLBACK")

    def dispose(self) -> None:
        self.conn.close()
