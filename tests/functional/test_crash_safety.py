"""A command killed halfway leaves the database exactly as before; damaged or
foreign files given as --db are refused with a clear message and exit 7."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.db.engine import Database, open_database
from lctasks.domain import StorageError
from lctasks.services.audit import verify_chain
from tests.dbdump import dump
from tests.wfdata import seed

ROOT = Path(__file__).resolve().parents[2]
BIG = 5000

# Runs the real `lctasks` entry point, but at the chosen point inside the batch's
# transaction it says READY and blocks, so the test can SIGKILL it right there.
DRIVER = """
import os, sys
from lctasks.db import sql

MODE = os.environ["LCTASKS_KILL_AT"]

def ready():
    sys.stdout.write("READY\\n")
    sys.stdout.flush()
    os.read(0, 1)  # never written: wait for SIGKILL
    os._exit(99)

def patch(cls):
    orig = cls.run_many
    def run_many(self, q, rows):
        if MODE == "half" and q.lstrip().startswith("UPDATE tasks") and len(rows) > 1:
            orig(self, q, rows[: len(rows) // 2])  # half the tasks updated, then killed
            ready()
        if MODE == "events" and "INSERT INTO events" in q:
            orig(self, q, rows)  # every update and event written, not committed
            ready()
        return orig(self, q, rows)
    cls.run_many = run_many

patch(sql.SessionRunner)
patch(sql.Sqlite3Runner)
from lctasks.cli.entry import main
sys.argv = ["lctasks", *sys.argv[1:]]
main()
"""


def _big(db: Database) -> list[str]:
    """The small ledger plus 5,000 tasks in progress (one bulk insert)."""
    import datetime as dt

    from lctasks.db.models import PlanRow, TaskRow

    seed(db)
    keys = [f"C99.M{i:04d}" for i in range(BIG)]
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with db.write() as s:
        plan_id = s.query(PlanRow.id).scalar()
        s.execute(
            TaskRow.__table__.insert(),
            [
                {
                    "plan_id": plan_id,
                    "key": k,
                    "kind": "measure",
                    "chapter": 99,
                    "title": f"任务{i}",
                    "source_text": "",
                    "line": 0,
                    "attrs": {},
                    "status": "in_progress",
                    "progress": 0,
                    "start": dt.date(2021, 1, 1),
                    "due": dt.date(2025, 12, 31),
                    "due_basis": "inferred",
                    "due_text": "",
                    "suggested_co": [],
                    "suggested_rules": [],
                    "removed": False,
                    "version": 1,
                    "updated_at": now,
                }
                for i, k in enumerate(keys)
            ],
        )
    return keys


def _kill_at(point: str, args: list[str], driver: Path) -> None:
    """Run the real command, SIGKILL it at ``point`` inside its transaction."""
    env = dict(os.environ, LCTASKS_KILL_AT=point, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(driver), *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "READY":
        proc.kill()
        pytest.fail(f"the command did not get to the kill point: {proc.communicate()}")
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def test_sigkill_in_a_5000_id_close_leaves_the_database_as_before(
    db_url: str, tmp_path: Path
) -> None:
    db = open_database(db_url)
    keys = _big(db)
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(keys) + "\n", encoding="utf-8")
    before = dump(db)
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    args = ["--db", db_url, "close", "--from", str(ids), "--note", "年度验收", "--evidence", "x"]
    # killed with half the 5,000 tasks updated; then with every update and
    # event written but not committed
    for point in ("half", "events"):
        _kill_at(point, args, driver)
        db.dispose()
        db = open_database(db_url)  # as a new process would
        assert dump(db) == before, point
        with db.read() as s:
            assert verify_chain(s).ok
    # and the same command afterwards goes through, whole
    r = subprocess.run(
        [sys.executable, "-m", "lctasks", *args, "--json"],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    with db.read() as s:
        closed = s.execute(text("SELECT count(*) FROM tasks WHERE status = 'closed'")).scalar()
        assert closed == BIG
        assert verify_chain(s).checked == len(before["events"]) + BIG
    db.dispose()


# ---------------------------------------------------------------------------
# Damaged and foreign files
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_db(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a real lctasks database with the plan imported."""
    path = tmp_path_factory.mktemp("good") / "good.db"
    r = subprocess.run(
        [sys.executable, "-m", "lctasks", "--db", str(path), "import"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT), LCTASKS_USER="测试员"),
    )
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path.read_bytes()


def _make(kind: str, path: Path, good: bytes) -> None:
    if kind == "truncated_half":
        path.write_bytes(good[: len(good) // 2])
    elif kind == "truncated_tail":
        path.write_bytes(good[: len(good) - 4096 * 3])
    elif kind == "truncated_header":
        path.write_bytes(good[:60])
    elif kind == "random_bytes":
        path.write_bytes(hashlib.sha256(b"x").digest() * 500)
    elif kind == "text_file":
        path.write_text("任务清单\n1. 建设技术创新平台\n", encoding="utf-8")
    elif kind == "directory":
        path.mkdir()
    elif kind == "garbled_header":
        b = bytearray(good)
        b[16:18] = b"\x00\x03"  # page size 3: impossible
        path.write_bytes(bytes(b))
    elif kind == "foreign_sqlite":
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        con.execute("INSERT INTO customers VALUES (1, '张三')")
        con.commit()
        con.close()
    elif kind == "other_alembic_project":
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        con.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
        con.execute("CREATE TABLE orders (id INTEGER)")
        con.commit()
        con.close()
    else:  # pragma: no cover
        raise AssertionError(kind)


KINDS = [
    "truncated_half",
    "truncated_tail",
    "truncated_header",
    "random_bytes",
    "text_file",
    "directory",
    "garbled_header",
    "foreign_sqlite",
    "other_alembic_project",
]


def _fingerprint(path: Path) -> str:
    if path.is_dir():
        return "dir:" + ",".join(sorted(p.name for p in path.iterdir()))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_or_foreign_db_is_refused_with_exit_7(
    kind: str, tmp_path: Path, good_db: bytes
) -> None:
    path = tmp_path / "bad.db"
    _make(kind, path, good_db)
    before = _fingerprint(path)
    runner = CliRunner()
    for args in (["list"], ["people", "list"], ["log", "--verify"], ["import"]):
        r = runner.invoke(app, ["--db", str(path), *args])
        assert r.exit_code == 7, (kind, args, r.output, r.exception)
        assert isinstance(r.exception, SystemExit)  # a clean exit, not a traceback
        assert "错误" in r.stderr and "提示" in r.stderr
    with pytest.raises(StorageError):
        open_database(path)
    # the real entry point (start-up fast path first) on a changing command
    r2 = subprocess.run(
        [
            sys.executable,
            "-m",
            "lctasks",
            "--db",
            str(path),
            "close",
            "C10.M03",
            "--note",
            "a",
            "--evidence",
            "b",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert r2.returncode == 7, r2.stderr
    assert "Traceback" not in r2.stderr and str(path) in r2.stderr
    # refused means untouched: no migration, no WAL switch, no side files (the user's
    # cache folder, which conftest puts in tmp_path as xdg-cache, is not beside it)
    assert _fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "xdg-cache") == ["bad.db"]


def test_foreign_postgres_database_is_refused(empty_pg_url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(empty_pg_url, poolclass=NullPool)
    with engine.begin() as c:
        c.execute(text("CREATE TABLE customers (id integer PRIMARY KEY, name text)"))
    with pytest.raises(StorageError, match="customers"):
        open_database(empty_pg_url)
    with engine.connect() as c:
        tables = c.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars()
        assert sorted(tables) == ["customers"]
    engine.dispose()


def test_unreachable_server_is_a_storage_error_without_the_password() -> None:
    pytest.importorskip(
        "psycopg", reason="PostgreSQL driver psycopg: pip install 'lctasks[postgres]'"
    )
    r = CliRunner().invoke(
        app, ["--db", "postgresql://someone:s3cret@127.0.0.1:1/nowhere", "people", "list"]
    )
    assert r.exit_code == 7
    assert "s3cret" not in r.stderr and "127.0.0.1" in r.stderr
