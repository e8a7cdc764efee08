"""Database errors a user can cause → domain errors with exit codes.

The SQLAlchemy path's one translation (``translate_errors``, around every unit
of work of ``lctasks.db.engine.Database``); the sqlite3 fast path has its twin in
``lctasks.db.sql``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from lctasks.db.sql import out_of_bounds
from lctasks.db.urls import display_url
from lctasks.domain import BusyError, InvalidInputError, PermissionDeniedError, StorageError
from lctasks.i18n import DB as MESSAGES
from lctasks.i18n import db_t as t

MESSAGES.add(
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
        "db.read_only": (
            "数据库 {path} 位于只读位置（只读挂载或没有写权限），只能查看，不能修改",
            "the database {path} is in a read-only place (read-only mount or no write "
            "permission): it can be read, not changed",
        ),
        "db.read_only.hint": (
            "数据库完好；要修改请把它复制到可写的位置，或请管理员开放写权限",
            "the database is intact; to change it, copy it somewhere writable or ask "
            "for write permission",
        ),
        "db.bad_value": (
            "数据库拒绝了输入的值：{detail}",
            "the database refused a value: {detail}",
        ),
        "db.bad_value.hint": (
            "检查输入（例如不能含有 NUL 字符、数字不能过大）",
            "check the input (e.g. no NUL characters, numbers in range)",
        ),
        "db.damaged": (
            "数据库 {path} 已损坏：{detail}",
            "the database {path} is damaged: {detail}",
        ),
        "db.damaged.hint": (
            "从备份恢复：lctasks --db 新文件 restore 备份文件；"
            "损坏的文件保持原样，可交技术人员检查",
            "restore from a backup: lctasks --db NEW_FILE restore BACKUP; "
            "the damaged file is left as it is",
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


def first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__


# lock_not_available (lock_timeout), query_canceled (statement_timeout),
# deadlock and serialization failures: nothing was saved, trying again may work
BUSY_STATES = frozenset({"55P03", "57014", "40P01", "40001"})


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
        detail = first_line(exc)
        if state in BUSY_STATES or (
            isinstance(exc, sa_exc.OperationalError) and "database is locked" in detail
        ):
            raise BusyError(t("db.busy", detail=detail), hint=t("db.busy.hint")) from exc
        if state == "42501":
            raise PermissionDeniedError(
                t("db.denied", detail=detail), hint=t("db.denied.hint")
            ) from exc
        bound = out_of_bounds(detail)
        if bound is not None:
            raise bound from exc
        if (
            isinstance(exc, sa_exc.DataError)
            or state.startswith("22")
            or state == "23514"
            or (isinstance(exc, sa_exc.IntegrityError) and "CHECK constraint failed" in detail)
        ):
            raise InvalidInputError(
                t("db.bad_value", detail=detail), hint=t("db.bad_value.hint")
            ) from exc
        if "readonly database" in detail or "read-only" in detail:
            raise StorageError(
                t("db.read_only", path=display_url(url), detail=detail),
                hint=t("db.read_only.hint"),
            ) from exc
        if type(exc) is sa_exc.DatabaseError and (
            "malformed" in detail or "not a database" in detail
        ):
            raise StorageError(
                t("db.damaged", path=display_url(url), detail=detail), hint=t("db.damaged.hint")
            ) from exc
        if isinstance(exc, sa_exc.OperationalError) or state[:2] in {"08", "53", "57", "58"}:
            raise StorageError(
                t("db.unavailable", detail=detail), hint=t("db.unavailable.hint")
            ) from exc
        raise
