"""Database errors a user can cause become domain errors with exit codes
(db.errors.translate_errors), on every branch: PostgreSQL's SQLSTATE classes and
SQLite's messages, without needing a server."""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc

from lctasks.db.errors import translate_errors
from lctasks.domain import BusyError, InvalidInputError, PermissionDeniedError, StorageError


class DriverError(Exception):
    """What psycopg raises: a message and a SQLSTATE."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _raise(kind: type[sa_exc.DBAPIError], message: str, sqlstate: str | None = None) -> None:
    with translate_errors("postgresql+psycopg://lc:secret@db.example/lc"):
        raise kind("UPDATE tasks SET …", {}, DriverError(message, sqlstate))


@pytest.mark.parametrize(
    ("kind", "sqlstate", "message", "error", "code", "text"),
    [
        (
            sa_exc.ProgrammingError,
            "42501",
            "permission denied for table events\nDETAIL: row-level security",
            PermissionDeniedError,
            6,
            "数据库拒绝了这项操作（权限不足）：permission denied for table events",
        ),
        (
            sa_exc.DataError,
            "22021",
            'invalid byte sequence for encoding "UTF8": 0x00',
            InvalidInputError,
            4,
            '数据库拒绝了输入的值：invalid byte sequence for encoding "UTF8": 0x00',
        ),
        (
            sa_exc.DatabaseError,
            "22003",
            "integer out of range",
            InvalidInputError,
            4,
            "数据库拒绝了输入的值：integer out of range",
        ),
        (
            sa_exc.OperationalError,
            "08006",
            "connection to server lost",
            StorageError,
            7,
            "数据库无法使用：connection to server lost",
        ),
        (
            sa_exc.DatabaseError,
            "53100",
            "could not extend file: No space left on device",
            StorageError,
            7,
            "数据库无法使用：could not extend file: No space left on device",
        ),
        (
            sa_exc.DatabaseError,
            "57P01",
            "terminating connection due to administrator command",
            StorageError,
            7,
            "数据库无法使用：terminating connection due to administrator command",
        ),
        (
            sa_exc.OperationalError,
            None,
            "database is locked",
            BusyError,
            8,
            "数据库忙：另一个会话占用所需数据超时（database is locked）；本命令未做任何更改",
        ),
        (
            sa_exc.OperationalError,
            "55P03",
            "canceling statement due to lock timeout",
            BusyError,
            8,
            "数据库忙：另一个会话占用所需数据超时（canceling statement due to lock timeout）；"
            "本命令未做任何更改",
        ),
        (
            sa_exc.OperationalError,
            "57014",  # statement_timeout: busy, not "unavailable" (class 57)
            "canceling statement due to statement timeout",
            BusyError,
            8,
            "数据库忙：另一个会话占用所需数据超时（canceling statement due to statement timeout）；"
            "本命令未做任何更改",
        ),
        (
            sa_exc.IntegrityError,
            "23514",
            'new row violates check constraint "something_else"',
            InvalidInputError,
            4,
            '数据库拒绝了输入的值：new row violates check constraint "something_else"',
        ),
    ],
)
def test_postgres_and_sqlite_errors_become_domain_errors(
    kind: type[sa_exc.DBAPIError],
    sqlstate: str | None,
    message: str,
    error: type[Exception],
    code: int,
    text: str,
) -> None:
    with pytest.raises(error) as caught:
        _raise(kind, message, sqlstate)
    exc = caught.value
    assert exc.exit_code == code  # type: ignore[attr-defined]
    assert exc.message == text  # type: ignore[attr-defined]
    assert "secret" not in exc.message + exc.hint  # type: ignore[attr-defined]
    assert isinstance(exc.__cause__, kind)


def test_a_damaged_sqlite_file_names_the_database() -> None:
    with pytest.raises(StorageError) as caught, translate_errors("sqlite:///data/ledger.db"):
        raise sa_exc.DatabaseError("SELECT 1", {}, DriverError("database disk image is malformed"))
    assert caught.value.message.startswith("数据库 ")
    assert caught.value.message.endswith("已损坏：database disk image is malformed")
    assert "ledger.db" in caught.value.message


@pytest.mark.parametrize(
    ("kind", "sqlstate"),
    [
        (sa_exc.IntegrityError, "23505"),  # a unique violation: a bug here, not the user
        (sa_exc.ProgrammingError, "42P01"),  # undefined table
        (sa_exc.DatabaseError, None),
    ],
)
def test_other_database_errors_pass_through(
    kind: type[sa_exc.DBAPIError], sqlstate: str | None
) -> None:
    with pytest.raises(kind):
        _raise(kind, "something else", sqlstate)


def test_non_database_errors_pass_through() -> None:
    with pytest.raises(KeyError), translate_errors():
        raise KeyError("x")
