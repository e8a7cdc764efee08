"""Backup and restore: ``lctasks backup FILE`` and ``lctasks restore FILE``.

A backup is always **an lctasks SQLite database file**, whichever back end it
came from, so it can be opened directly (``lctasks --db backup.db list``) and
restored into SQLite or PostgreSQL:

* SQLite → SQLite's online backup API (a consistent copy while others keep
  working), then the copy is switched to a single self-contained file;
* PostgreSQL → every table copied row by row, in one REPEATABLE READ READ ONLY
  transaction (a consistent snapshot), into a fresh lctasks SQLite file.

Every backup is checked before it is put in place: SQLite's integrity check,
the same row count in every table as the source, and a valid hash chain. It is
written beside ``FILE`` and renamed over it at the end, so a failed or killed
backup never leaves a half file under the name.

``restore`` refuses a database that already holds data unless ``force``; it
copies the backup (migrated to the current schema on a scratch copy, the file
itself is never changed) into the target in **one transaction**, resets
PostgreSQL's id sequences, and verifies the chain and the row counts before
committing: a restore happens entirely or not at all. PostgreSQL logins are
server-wide and are not part of a backup: recreate them with
``lctasks people set NAME --role …`` / ``people add --login`` on a new server.
On PostgreSQL, restore as the database owner (events are insert-only for every
lctasks role, and ``--force`` must delete them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from lctasks.atomic import atomic_write
from lctasks.db.engine import Database, open_database, sqlite_file_problem
from lctasks.db.models import Base
from lctasks.domain import (
    ConflictError,
    InvalidInputError,
    LctasksError,
    NotFoundError,
    StorageError,
)
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.services import access
from lctasks.services.audit import ChainReport, problem_text, verify_chain
from lctasks.services.base import ServiceContext

MESSAGES.add(
    {
        "backup.failed": (
            "无法写出备份 {path}：{detail}；没有留下不完整的文件",
            "cannot write the backup {path}: {detail}; no partial file was left",
        ),
        "backup.failed.hint": (
            "检查目标磁盘的剩余空间和写权限，或换一个位置",
            "check free space and write permission on the target disk, or choose another place",
        ),
        "backup.exists": ("{path} 已存在", "{path} already exists"),
        "backup.exists.hint": (
            "换一个文件名，或加 --force 覆盖",
            "choose another name, or add --force to overwrite it",
        ),
        "backup.same": (
            "不能把数据库备份到它自己：{path}",
            "cannot back a database up onto itself: {path}",
        ),
        "backup.bad_copy": (
            "备份校验未通过（{detail}），未写入 {path}",
            "the backup failed its check ({detail}); {path} was not written",
        ),
        "backup.bad_copy.hint": (
            "先运行 lctasks log --verify 检查数据库；磁盘空间是否足够",
            "check the database with lctasks log --verify, and the free disk space",
        ),
        "restore.missing": ("备份文件不存在：{path}", "no such backup file: {path}"),
        "restore.not_backup": (
            "{path} 不是 lctasks 备份：{detail}",
            "{path} is not an lctasks backup: {detail}",
        ),
        "restore.not_backup.hint": (
            "给出 lctasks backup 生成的文件",
            "give a file written by lctasks backup",
        ),
        "restore.chain": (
            "备份中的历史记录校验失败：第 {seq} 条事件 {problem}",
            "the backup's history does not verify: event {seq}: {problem}",
        ),
        "restore.chain.hint": (
            "这份备份的历史记录被改动过，请改用其他备份",
            "this backup's history was altered; use another backup",
        ),
        "restore.not_empty": (
            "目标数据库已有数据（{counts}），未做任何更改",
            "the target database already holds data ({counts}); nothing was changed",
        ),
        "restore.not_empty.hint": (
            "确认要用备份覆盖时加 --force（现有数据将被替换）",
            "add --force to replace its contents with the backup",
        ),
        "restore.mismatch": (
            "恢复后的 {table} 表有 {got} 行，备份中为 {want} 行，已撤销",
            "after restoring, table {table} has {got} rows, the backup {want}; rolled back",
        ),
    }
)

BATCH = 2000


@dataclass(frozen=True)
class CopyResult:
    path: str
    rows: dict[str, int] = field(default_factory=dict)
    events: int = 0
    chain_ok: bool = True
    bytes: int = 0
    seconds: float = 0.0
    method: str = ""  # sqlite-online-backup | table-copy

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def tables() -> list[Table]:
    """lctasks tables in foreign-key order (parents first); not the chain lock row."""
    return [tb for tb in Base.metadata.sorted_tables if tb.name != "lctasks_chain"]


def row_counts(session: Session) -> dict[str, int]:
    return {
        tb.name: int(session.execute(select(func.count()).select_from(tb)).scalar_one())
        for tb in tables()
    }


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _portable(row: dict[str, Any], to_sqlite: bool) -> dict[str, Any]:
    """Datetimes as UTC instants (SQLite stores naive UTC; PostgreSQL timestamptz)."""
    out = {}
    for k, v in row.items():
        if isinstance(v, dt.datetime):
            v = _as_utc(v)
            if to_sqlite:
                v = v.replace(tzinfo=None)
        out[k] = v
    return out


def _rows(session: Session, table: Table) -> Iterator[list[dict[str, Any]]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = session.execute(select(table).order_by(*order).execution_options(yield_per=BATCH))
    for chunk in result.mappings().partitions(BATCH):
        yield [dict(r) for r in chunk]


def _copy_tables(src: Session, dst: Session, *, to_sqlite: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in tables():
        n = 0
        for chunk in _rows(src, table):
            dst.execute(table.insert(), [_portable(r, to_sqlite) for r in chunk])
            n += len(chunk)
        counts[table.name] = n
    return counts


def _check_copy(path: Path, want: dict[str, int]) -> tuple[int, bool]:
    """Integrity, row counts and chain of a finished backup file; (events, chain ok)."""
    con = sqlite3.connect(path)
    try:
        status = con.execute("PRAGMA integrity_check").fetchone()
    finally:
        con.close()
    if not status or status[0] != "ok":
        raise StorageError(
            t("backup.bad_copy", detail=f"integrity_check: {status}", path=path),
            hint=t("backup.bad_copy.hint"),
        )
    db = open_database(path)
    try:
        with db.read() as s:
            got = row_counts(s)
            report = verify_chain(s)
    finally:
        db.dispose()
    if got != want:
        diff = ", ".join(f"{k} {want.get(k)}→{got.get(k)}" for k in want if got.get(k) != want[k])
        raise StorageError(
            t("backup.bad_copy", detail=diff, path=path), hint=t("backup.bad_copy.hint")
        )
    return report.checked, report.ok


def _single_file(path: Path) -> None:
    """Fold the WAL into the file and leave no side files: one portable file."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode = DELETE")
    finally:
        con.close()


def _sqlite_path(db: Database) -> Path | None:
    if not db.is_sqlite:
        return None
    raw = db.url.split(":///", 1)[1] if ":///" in db.url else ""
    return Path(raw).resolve() if raw and raw != ":memory:" else None


TEMP_MARK = ".lctasks-tmp-"


def _temp_prefix(target: Path) -> str:
    """``.NAME.lctasks-tmp-PID-``: whose it is, so a later backup can clean it up."""
    return f".{target.name}{TEMP_MARK}{os.getpid()}-"


def _remove_stale_temps(target: Path) -> int:
    """Remove temporary files a killed backup to ``target`` left (its process is gone)."""
    removed = 0
    for p in target.parent.glob(f".{glob_escape(target.name)}{TEMP_MARK}*"):
        pid_text = p.name[len(f".{target.name}{TEMP_MARK}") :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            p.unlink()
            removed += 1
    return removed


def glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, not ours
    return True


class BackupService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- backup -------------------------------------------------------------

    def backup(self, dest: str | os.PathLike[str], *, force: bool = False) -> CopyResult:
        """Write a verified backup of the database to ``dest`` (an SQLite file)."""
        started = time.perf_counter()
        target = Path(dest).expanduser().resolve()
        if target.exists() and not force:
            raise ConflictError(
                t("backup.exists", path=target), hint=t("backup.exists.hint"), ids=(str(target),)
            )
        if target.is_dir():
            raise InvalidInputError(t("db.is_dir", path=target), hint=t("db.is_dir.hint"))
        db = self.ctx.db
        if _sqlite_path(db) == target:
            raise InvalidInputError(t("backup.same", path=target))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_temps(target)
        except OSError as exc:
            raise StorageError(
                t("backup.failed", path=target, detail=exc.strerror or exc),
                hint=t("backup.failed.hint"),
            ) from exc
        copied: list[Any] = []  # counts, method, events, chain ok

        def fill(tmp: Path) -> None:
            try:
                if db.is_sqlite:
                    copied[:] = [self._sqlite_online(tmp), "sqlite-online-backup"]
                else:
                    copied[:] = [self._table_copy(tmp), "table-copy"]
                _single_file(tmp)
                copied.extend(_check_copy(tmp, copied[0]))
            finally:
                for p in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
                    p.unlink(missing_ok=True)

        try:
            # private like the database it copies; written whole or not at all
            atomic_write(target, fill, prefix=_temp_prefix(target), suffix="", mode=0o600)
        except (OSError, sqlite3.Error) as exc:  # a full disk, a read-only directory
            detail = getattr(exc, "strerror", None) or str(exc)
            raise StorageError(
                t("backup.failed", path=target, detail=detail), hint=t("backup.failed.hint")
            ) from exc
        counts, method, events, ok = copied
        return CopyResult(
            path=str(target),
            rows=counts,
            events=events,
            chain_ok=ok,
            bytes=target.stat().st_size,
            seconds=time.perf_counter() - started,
            method=method,
        )

    def _sqlite_online(self, tmp: Path) -> dict[str, int]:
        db = self.ctx.db
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            dst = sqlite3.connect(tmp)
            try:
                raw.backup(dst, pages=4096)  # pages at a time: writers are not shut out
            finally:
                dst.close()
            conn.rollback()
        con = sqlite3.connect(tmp)
        try:
            return {
                tb.name: int(con.execute(f'SELECT count(*) FROM "{tb.name}"').fetchone()[0])
                for tb in tables()
            }
        finally:
            con.close()

    def _table_copy(self, tmp: Path) -> dict[str, int]:
        from sqlalchemy.orm import Session as OrmSession

        tmp.unlink()  # open_database creates and migrates it
        out = open_database(tmp)
        try:
            snapshot = self.ctx.db.engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with OrmSession(snapshot) as src, src.begin(), out.write() as dst:
                counts = _copy_tables(src, dst, to_sqlite=True)
        finally:
            out.dispose()
        return counts

    # -- restore ------------------------------------------------------------

    def restore(self, source: str | os.PathLike[str], *, force: bool = False) -> CopyResult:
        """Replace the (empty, or with ``force`` any) database by the backup's contents."""
        started = time.perf_counter()
        path = Path(source).expanduser().resolve()
        if not path.is_file():
            raise NotFoundError(t("restore.missing", path=path), ids=(str(path),))
        problem = sqlite_file_problem(path)
        if problem:
            raise InvalidInputError(
                t("restore.not_backup", path=path, detail=t(problem)),
                hint=t("restore.not_backup.hint"),
            )
        with tempfile.TemporaryDirectory(prefix="lctasks-restore-") as scratch:
            copy = Path(scratch) / "backup.db"
            shutil.copyfile(path, copy)
            try:
                src_db = open_database(copy)  # migrates the scratch copy if older
            except StorageError as exc:
                raise InvalidInputError(
                    t("restore.not_backup", path=path, detail=exc.message),
                    hint=t("restore.not_backup.hint"),
                ) from exc
            try:
                return self._restore_from(src_db, force=force, started=started, path=path)
            finally:
                src_db.dispose()

    def _restore_from(
        self, src_db: Database, *, force: bool, started: float, path: Path
    ) -> CopyResult:
        with src_db.read() as src:
            _require_chain(verify_chain(src), InvalidInputError)  # the backup's own
            want = row_counts(src)
        db = self.ctx.db
        to_sqlite = db.is_sqlite
        with db.write() as dst, src_db.read() as src:
            if dst.execute(text("SELECT 1 FROM people LIMIT 1")).first() is not None:
                access.require(dst, self.ctx.actor, "restore")
            have = {k: v for k, v in row_counts(dst).items() if v}
            if have and not force:
                raise ConflictError(
                    t("restore.not_empty", counts=", ".join(f"{k} {v}" for k, v in have.items())),
                    hint=t("restore.not_empty.hint"),
                )
            for table in reversed(tables()):
                if have.get(table.name):
                    dst.execute(table.delete())
            _copy_tables(src, dst, to_sqlite=to_sqlite)
            dst.flush()
            if not to_sqlite:
                _reset_sequences(dst)
            got = row_counts(dst)
            for name, n in want.items():
                if got.get(name) != n:
                    raise StorageError(t("restore.mismatch", table=name, got=got.get(name), want=n))
            after = verify_chain(dst)
            _require_chain(after, StorageError)  # what was written
        return CopyResult(
            path=str(path),
            rows=want,
            events=after.checked,
            chain_ok=after.ok,
            bytes=path.stat().st_size,
            seconds=time.perf_counter() - started,
            method="restore",
        )


def _require_chain(report: ChainReport, error: type[LctasksError]) -> None:
    """``error`` naming the first event that does not fit, unless the chain is whole."""
    if not report.ok:
        raise error(
            t("restore.chain", seq=report.first_bad_seq, problem=problem_text(report.problem)),
            hint=t("restore.chain.hint"),
        )


def _reset_sequences(session: Session) -> None:
    """After inserting explicit ids, make PostgreSQL's serials continue after them."""
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        name, col = table.name, pk[0].name
        seq = session.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": name, "c": col}
        ).scalar()
        if seq:
            session.execute(
                text(
                    f'SELECT setval(:s, COALESCE((SELECT max("{col}") FROM "{name}"), 0) + 1, '
                    "false)"
                ),
                {"s": seq},
            )
