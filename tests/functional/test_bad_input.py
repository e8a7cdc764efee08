"""Bad input everywhere (hypothesis): a clear error with a documented exit code
(2–7), an unchanged database, never a traceback (exit 1).

Plan text, dates, unit names, reviewed TOML files and whole command lines,
through the real Typer app (CliRunner) on a database holding the real plan.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from typer.testing import CliRunner, Result

from lctasks.cli.app import app
from lctasks.db.engine import open_database
from lctasks.domain import Actor, Source
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from lctasks.services.workflow import WorkflowService
from tests.conftest import PgDatabases, hypothesis_examples, pg_url_for, skip_without_pg

OK_CODES = {0, 2, 3, 4, 5, 6, 7}
# 20 examples while developing, 60 in CI (profile "ci"); LCTASKS_FUZZ_EXAMPLES wins
FUZZ = settings(
    max_examples=int(os.environ.get("LCTASKS_FUZZ_EXAMPLES") or hypothesis_examples(20)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KEYS = ["C09.M01", "C10.M01", "C10.M02", "I01", "I07", "C05.T01", "C99.M99", "c09.m01", ""]

# text a person (or a broken script) could type: any printable or control
# character but NUL (argv cannot carry one) and lone surrogates
TYPED = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)
NUMBERISH = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["0", "100", "101", "-1", "1e9", "0x10", "五十", "50%", " 7 "]),
)
DATEISH = st.one_of(
    TYPED,
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
    st.sampled_from(
        [
            "2025-12-31",
            "2025年底",
            "2026年6月底前",
            "+30d",
            "+99999999d",
            "-3m",
            "2025-02-30",
            "0000-01-01",
            "2026年13月底",
            "今天",
            "明年",
            "+1e9d",
            "2026-06-30T00:00",
        ]
    ),
)
UNITISH = st.one_of(
    TYPED,
    st.sampled_from(
        [
            "市科技局",
            "kjj",
            "科技",
            "在平县",
            "市",
            "",
            " ",
            "市科技局,市大数据局",
            "ＫＪＪ",
            "shikejiju",
            "不存在局",
            "东昌府区",
        ]
    ),
)


@pytest.fixture(scope="module")
def plan_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real plan imported, a few tasks worked on: copied fresh per test."""
    path = tmp_path_factory.mktemp("plan") / "plan.db"
    db = open_database(path)
    ctx = ServiceContext(db, Actor("测试员", Source.CLI))
    LedgerService(ctx).import_plan()
    w = WorkflowService(ctx)
    w.assign(["C09.M01"], lead="市科技局")
    w.set_status(["C10.M01"], "done")
    db.dispose()
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


@pytest.fixture
def db(plan_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    path = tmp_path / "fuzz.db"
    shutil.copyfile(plan_db, path)
    monkeypatch.chdir(tmp_path)  # files a command may write land here
    yield str(path)


@pytest.fixture
def fresh_db(plan_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    """A fresh copy of the plan database for each hypothesis example: an example that
    changed the database (a command that succeeded) cannot shape the next one, so a
    failure replays from its example alone."""
    monkeypatch.chdir(tmp_path)
    made: list[Path] = []

    def fresh() -> str:
        # a new file each time (a connection of the last example may still be open);
        # the previous example's files are removed
        for old in made:
            for extra in ("", "-wal", "-shm", "-journal"):
                Path(f"{old}{extra}").unlink(missing_ok=True)
        made.clear()
        path = tmp_path / f"fuzz-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(plan_db, path)
        made.append(path)
        return str(path)

    return fresh


def state(path: str) -> tuple[Any, ...]:
    """What any change through lctasks would move."""
    database = open_database(path)
    with database.read() as s:
        out = (
            s.execute(text("SELECT count(*), max(hash) FROM events")).one(),
            s.execute(text("SELECT sum(version), count(*) FROM tasks")).one(),
            s.execute(text("SELECT count(*) FROM progress_reports")).scalar(),
            s.execute(text("SELECT count(*) FROM people")).scalar(),
            s.execute(text("SELECT count(*) FROM checklist_items WHERE done = true")).scalar(),
        )
    database.dispose()
    return out


def run(db: str, args: list[str], stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, ["--db", db, *args], input=stdin)


def assert_clean(r: Result, args: list[str]) -> None:
    assert r.exit_code in OK_CODES, (args, r.exit_code, r.output, r.exception)
    if r.exception is not None:
        assert isinstance(r.exception, SystemExit), (args, repr(r.exception))
    assert "Traceback" not in r.output
    if r.exit_code not in (0, 2):
        assert r.stderr.strip(), args  # an error says something, on stderr


def assert_error_changes_nothing(db: str, args: list[str], stdin: str | None = None) -> Result:
    before = state(db)
    r = run(db, args, stdin)
    assert_clean(r, args)
    if r.exit_code != 0:
        assert state(db) == before, (args, r.output)
    return r


@FUZZ
@given(when=DATEISH, key=st.sampled_from(KEYS))
def test_random_dates(fresh_db: Callable[[], str], when: str, key: str) -> None:
    db = fresh_db()
    assert_error_changes_nothing(db, ["extend", key, "--to", when, "--reason", "调整", "--late"])
    assert_error_changes_nothing(db, ["assign", key, "--due", when])
    assert_error_changes_nothing(db, ["report", "--as-of", when])


@FUZZ
@given(unit=UNITISH, key=st.sampled_from(KEYS))
def test_random_unit_names(fresh_db: Callable[[], str], unit: str, key: str) -> None:
    db = fresh_db()
    assert_error_changes_nothing(db, ["assign", key, "--lead", unit, "--reason", "转办"])
    assert_error_changes_nothing(db, ["assign", key, "--co", unit])
    assert_error_changes_nothing(db, ["people", "add", "甲", "--role", "supervisor"])
    assert_error_changes_nothing(db, ["people", "add", "乙", "--role", "liaison", "--unit", unit])
    assert_error_changes_nothing(db, ["list", "--unit", unit])


@FUZZ
@given(percent=NUMBERISH, version=NUMBERISH, item=NUMBERISH, made=TYPED)
def test_random_numbers(
    fresh_db: Callable[[], str], percent: str, version: str, item: str, made: str
) -> None:
    db = fresh_db()
    assert_error_changes_nothing(
        db, ["progress", "C09.M01", "--made", made or "x", "--percent", percent]
    )
    assert_error_changes_nothing(db, ["note", "C09.M01", "x", "--if-version", version])
    assert_error_changes_nothing(db, ["check", "C09.M01", item])


@FUZZ
@given(body=st.one_of(TYPED, st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_random_plan_text(fresh_db: Callable[[], str], tmp_path: Path, body: str) -> None:
    db = fresh_db()
    plan = tmp_path / "plan.txt"
    plan.write_text(body, encoding="utf-8", errors="surrogatepass")
    assert_error_changes_nothing(db, ["import", str(plan), "--code", "fuzz"])


COMMANDS = [
    "assign", "accept", "status", "progress", "check", "close", "return", "reopen",
    "extend", "note", "list", "show", "history", "log", "report", "people", "export",
    "diff", "apply", "backup", "restore", "plan", "units", "import",
]  # fmt: skip
OPTIONS = [
    "--json", "--dry-run", "--if-version", "--to", "--note", "--evidence", "--reason",
    "--made", "--percent", "--lead", "--co", "--due", "--force", "--role", "--unit",
    "--from", "--as-of", "--by", "--verify", "--limit", "--since", "--undo", "--late",
    "--plan", "add", "set", "remove", "-", "--", "1", "2-4", "in_progress", "done",
]  # fmt: skip


@FUZZ
@given(
    command=st.sampled_from(COMMANDS),
    rest=st.lists(
        st.one_of(st.sampled_from(OPTIONS), st.sampled_from(KEYS), TYPED, NUMBERISH, DATEISH),
        max_size=6,
    ),
    as_json=st.booleans(),
)
def test_random_command_lines(
    fresh_db: Callable[[], str], command: str, rest: list[str], as_json: bool
) -> None:
    db = fresh_db()
    args = ([*(["--json"] if as_json else [])], [command, *rest])
    assert_error_changes_nothing(db, [*args[0], *args[1]], stdin="C09.M01\n")


@pytest.fixture
def snapshot_text(db: str) -> str:
    r = run(db, ["export", "--out", "-"])
    assert r.exit_code == 0, r.output
    return r.stdout


@FUZZ
@given(data=st.data())
def test_reviewed_toml_mutations_to_apply(
    fresh_db: Callable[[], str], snapshot_text: str, data: Any
) -> None:
    """A real exported snapshot with random lines changed, added or broken."""
    db = fresh_db()
    lines = snapshot_text.splitlines()
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        i = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        line = lines[i]
        how = data.draw(st.sampled_from(["value", "key", "drop", "insert", "garble"]))
        if how == "value" and "=" in line:
            key = line.split("=", 1)[0]
            value = data.draw(
                st.one_of(
                    NUMBERISH,
                    DATEISH.map(lambda x: '"' + x.replace("\\", "").replace('"', "") + '"'),
                    st.sampled_from(
                        [
                            '"closed"',
                            '"done"',
                            "[]",
                            "{}",
                            "true",
                            '"市科技局"',
                            '"C10.M01"',
                            "1979-05-27",
                            '"x" "y"',
                            '"""',
                        ]
                    ),
                )
            )
            lines[i] = f"{key}= {value}"
        elif how == "key" and "=" in line:
            lines[i] = data.draw(TYPED) + " =" + line.split("=", 1)[1]
        elif how == "drop":
            lines[i] = ""
        elif how == "insert":
            lines.insert(i, data.draw(TYPED))
        else:
            lines[i] = line[: len(line) // 2]
    path = Path("reviewed.toml")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_error_changes_nothing(db, ["apply", str(path)])


@FUZZ
@given(body=st.one_of(TYPED, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_random_files_to_apply_and_restore(fresh_db: Callable[[], str], body: str) -> None:
    db = fresh_db()
    path = Path("random.toml")
    path.write_text(body, encoding="utf-8")
    assert_error_changes_nothing(db, ["apply", str(path)])
    assert_error_changes_nothing(db, ["restore", str(path), "--force"])
    assert_error_changes_nothing(
        db, ["close", "--from", str(path), "--note", "a", "--evidence", "b"]
    )


@pytest.fixture
def fresh_pg(
    pg_databases: PgDatabases | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], str]]:
    """A fresh PostgreSQL database holding the plan for each hypothesis example.

    The plan is imported once into a template database; each example gets
    ``CREATE DATABASE … TEMPLATE`` of it (a file copy on the server, no import),
    and the previous example's database is dropped. A command that succeeded in
    one example (``status C09.M01 done``) cannot shape the next, so a failing
    example replays from its example alone, as on SQLite (``fresh_db``)."""
    if pg_databases is None:
        skip_without_pg()
    assert pg_databases is not None
    template = pg_databases.take()
    database = open_database(pg_url_for(template))
    ctx = ServiceContext(database, Actor("测试员", Source.CLI))
    LedgerService(ctx).import_plan()
    WorkflowService(ctx).assign(["C09.M01"], lead="市科技局")
    database.dispose()  # nothing may be connected to a template while it is copied
    monkeypatch.chdir(tmp_path)
    made: list[str] = []

    def fresh() -> str:
        for old in made:
            pg_databases.give_back(old)  # dropped in the background (WITH FORCE)
        made.clear()
        name = pg_databases.create(template)
        made.append(name)
        return pg_url_for(name)

    try:
        yield fresh
    finally:
        for old in made:
            pg_databases.give_back(old)
        pg_databases.give_back(template)


@FUZZ
@given(
    command=st.sampled_from([c for c in COMMANDS if c not in {"backup", "restore", "import"}]),
    rest=st.lists(
        st.one_of(st.sampled_from(OPTIONS), st.sampled_from(KEYS), TYPED, NUMBERISH, DATEISH),
        max_size=6,
    ),
)
def test_random_command_lines_on_postgres(
    fresh_pg: Callable[[], str], command: str, rest: list[str]
) -> None:
    """The same on PostgreSQL, where NUL bytes, huge numbers and types are refused
    by the server rather than by SQLite's leniency; each example on its own fresh
    copy of the plan database."""
    assert_error_changes_nothing(fresh_pg(), [command, *rest], stdin="C09.M01\n")
