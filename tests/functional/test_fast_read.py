"""The read fast path (`list --json`, `report --json`, `show --json`: no Typer, no
SQLAlchemy) prints as Typer.

All read through the same task read model (lctasks.services.read_model), which
the board and the services use too; these tests hold the scripting contract byte
for byte, and on PostgreSQL (the read model over a SQLAlchemy session) the same
documents as on SQLite.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lctasks.cli import fast_read
from lctasks.cli.app import app
from lctasks.db.engine import open_database
from lctasks.domain import Actor
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from lctasks.services.workflow import WorkflowService

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(scope="module")
def worked_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled plan with owners, reports, a closed and a suspended task."""
    path = tmp_path_factory.mktemp("plan") / "plan.db"
    _work(str(path))
    return path


@pytest.fixture
def db(worked_db_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "lctasks.db"
    shutil.copy(worked_db_template, path)
    return str(path)


def _work(db_url: str) -> None:
    """Owners, reports, a closed and a suspended task (the same on either back end)."""
    db = open_database(db_url)
    try:
        ctx = ServiceContext(db, Actor("督查员"))
        LedgerService(ctx).import_plan()
        wf = WorkflowService(ctx)
        wf.assign(["C10.M01", "C10.M02", "C10.M03"], lead="kjj", co=["fgw", "czj"])
        wf.set_status(["C10.M01", "C10.M02"], "in_progress")
        wf.report_progress(["C10.M01"], made="按计划推进", percent=40)
        wf.set_status(["C10.M03"], "done")
        wf.close(["C10.M03"], note="完成", evidence="文件")
        wf.set_status(["C10.M04"], "suspended", reason="等待")
    finally:
        db.dispose()


def _typer(db: str, *args: str) -> str:
    res = runner.invoke(app, ["--db", db, *args])
    assert res.exit_code == 0, res.output
    return res.stdout


def _fast(db: str, *args: str, capsys: pytest.CaptureFixture[str]) -> str | None:
    capsys.readouterr()
    code = fast_read.run(["--db", db, *args])
    if code is None:
        return None
    assert code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--json"),
        ("--json", "list"),
        ("list", "--json", "--as-of", "2023-06-30"),
        ("list", "--json", "--as-of", "2021-01-15"),
        ("list", "--json", "--as-of", "2030-01-01"),
        ("list", "--json", "--order", "due", "-n", "12"),
        ("list", "--json", "--order", "key", "--limit=5"),
        ("list", "--json", "--limit", "0"),
        ("--plan", "lc-14th", "list", "--json"),
        ("--plan", "LC-14TH", "list", "--json"),
        ("report", "--json"),
        ("--json", "report", "--by", "chapter"),
        ("report", "--json", "--as-of", "2023-06-30", "--overdue", "3"),
        ("report", "--json", "--by=unit", "--as-of", "2030-01-01"),
        ("list",),  # the table
        ("list", "--order", "due", "-n", "7", "--as-of", "2023-06-30"),
        ("list", "--csv", "--limit=5"),
        ("list", "--limit", "0"),
        ("report",),  # the table
        ("report", "--by", "chapter", "--overdue", "0"),
        ("report", "--csv", "--by=chapter"),
        ("report", "--as-of", "2023-06-30", "--overdue", "3"),
        ("show", "C10.M03"),  # the text, closed
        ("show", "c10.m01", "--as-of", "2021-01-15"),
        ("show", "C11.P01"),
        ("show", "I07"),
        ("show", "C04.G02"),
        ("history", "C10.M03"),
        ("history", "c10.m01", "--json"),
        ("history", "C10.M04", "--csv"),
        ("--json", "history", "C10.M03"),
        ("log",),
        ("log", "--json", "-n", "3"),
        ("log", "--csv", "--actor", "督查员"),
        ("--json", "log", "--limit=2", "--actor", "nobody"),
        ("show", "C10.M03", "--json"),  # closed: the closure from its close event
        ("show", "--json", "c10.m01"),  # as typed; a report, owners
        ("--json", "show", "C10.M01", "--as-of", "2021-01-15"),  # the report came later
        ("show", "C10.M04", "--json"),
        ("show", "I07", "--json"),  # an indicator with targets
        ("show", "C10.G01", "--json"),
        ("show", "C11.P01", "--json", "--as-of=2030-01-01"),  # a box printed elsewhere
        ("show", "C04.G02", "--json"),  # printed fields (attrs)
        ("show", "C06.P01", "--json"),
    ],
)
def test_list_json_is_byte_identical(
    db: str, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    fast = _fast(db, *args, capsys=capsys)
    assert fast is not None, "the fast path should take this command line"
    assert fast == _typer(db, *args)
    if "--json" not in args:
        return
    rows = json.loads(fast)
    if "list" in args and "--limit" not in args and "-n" not in args and "--limit=5" not in args:
        assert len(rows) == 633


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--json", "--as-of", "某天"),  # filtered lists: test_fast_read_parity.py
        ("list", "--json", "--limit", "x"),
        ("list", "--json", "--help"),
        ("--plan", "nope", "list", "--json"),
        ("show", "C99.X01", "--json"),  # unknown: Typer names the nearest IDs
        ("history", "C99.X01"),
        ("history", "#"),
        ("history", "C10.M01", "--limit", "3"),
        ("log", "--verify"),
        ("log", "--limit", "0"),
        ("show", "--json"),
        ("show", "C10.M01", "C10.M02", "--json"),
        ("show", "C10.M01", "--json", "--as-of", "某天"),
        ("report", "--by", "person"),
        ("report", "--overdue", "x"),
        ("report", "--json", "--by", "person"),
        ("report", "--json", "--csv"),
        ("report", "--json", "--overdue", "many"),
    ],
)
def test_everything_else_goes_to_typer(
    db: str, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _fast(db, *args, capsys=capsys) is None


def test_a_missing_database_goes_to_typer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _fast(str(tmp_path / "none.db"), "list", "--json", capsys=capsys) is None


def test_list_json_does_not_import_orm_or_typer(db: str) -> None:
    code = (
        "import sys\n"
        "from lctasks.cli.fast_read import run\n"
        f"assert run(['--db', {db!r}, 'list', '--json']) == 0\n"
        "heavy = ('textual', 'sqlalchemy', 'typer', 'pydantic', 'rich', 'pypinyin')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert res.stdout.strip().splitlines()[-1] == "[]", res.stderr


def test_report_json_speaks_the_language_typer_speaks(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lctasks.i18n import set_language

    monkeypatch.setenv("LCTASKS_LANG", "en")
    try:
        fast = _fast(db, "report", "--json", capsys=capsys)
        assert fast is not None and '"group": "total"' in fast
        assert fast == _typer(db, "report", "--json")
        show = _fast(db, "show", "C11.P01", "--json", capsys=capsys)
        assert show is not None and "printed after chapter 12" in show
        assert show == _typer(db, "show", "C11.P01", "--json")
    finally:
        set_language("zh")


SHOWN = ("C10.M01", "C10.M03", "C10.M04", "I07", "C10.G01", "C11.P01", "C04.G02")
STAMPS = ("updated_at",)


def _no_stamps(doc: dict[str, Any]) -> dict[str, Any]:
    """A show document without the instants that differ between two databases."""
    doc = {k: v for k, v in doc.items() if k not in STAMPS}
    if doc.get("latest_report"):
        doc["latest_report"] = {**doc["latest_report"], "at": "…"}
    if doc.get("closure"):
        doc["closure"] = {**doc["closure"], "at": "…"}
    return doc


def test_postgresql_reads_what_the_sqlite_fast_path_reads(
    db: str, pg_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The read model over a SQLAlchemy session on PostgreSQL (JSON, dates and
    instants come back typed there) gives the documents the fast path gives."""
    _work(pg_db_url)
    for args in (
        ("report", "--json"),
        ("report", "--by", "chapter"),
        ("list", "--json", "--as-of", "2023-06-30"),
        ("list", "--order", "due"),
        ("list", "--unit", "kjj", "--status", "in_progress", "--json"),
        ("plan", "--as-of", "2023-06-30"),  # the outline (plan --json has the import instant)
        ("list", "--fields", "id,checklist,where,owners", "-c", "10"),
    ):
        fast = _fast(db, *args, capsys=capsys)
        assert fast is not None
        assert _typer(pg_db_url, *args) == fast
    for key in SHOWN:
        fast = _fast(db, "show", key, "--json", capsys=capsys)
        assert fast is not None
        pg = json.loads(_typer(pg_db_url, "show", key, "--json"))
        assert _no_stamps(pg) == _no_stamps(json.loads(fast))
    for args in (("history", "C10.M01"), ("history", "C10.M03"), ("log", "-n", "5")):
        # the same events, but for instants and hashes
        fast = _fast(db, *args, "--json", capsys=capsys)
        assert fast is not None
        pg = json.loads(_typer(pg_db_url, *args, "--json"))
        same = ("actor", "source", "action", "plan", "task", "changes", "reason")
        assert [{k: e[k] for k in same} for e in pg["events"]] == [
            {k: e[k] for k in same} for e in json.loads(fast)["events"]
        ]
    for key in ("C10.M04", "I07", "C11.P01", "C04.G02"):  # no instant printed
        fast = _fast(db, "show", key, capsys=capsys)
        assert fast is not None
        assert _typer(pg_db_url, "show", key) == fast
