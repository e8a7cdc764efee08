"""The read fast path (`list --json`, `report --json`: no Typer, no SQLAlchemy) prints as Typer.

Both read through the same task read model (lctasks.services.read_model), which
the board uses too; these tests hold the scripting contract byte for byte.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

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
    db = open_database(str(path))
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
    return path


@pytest.fixture
def db(worked_db_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "lctasks.db"
    shutil.copy(worked_db_template, path)
    return str(path)


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
    ],
)
def test_list_json_is_byte_identical(
    db: str, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    fast = _fast(db, *args, capsys=capsys)
    assert fast is not None, "the fast path should take this command line"
    assert fast == _typer(db, *args)
    rows = json.loads(fast)
    if "list" in args and "--limit" not in args and "-n" not in args and "--limit=5" not in args:
        assert len(rows) == 633


@pytest.mark.parametrize(
    "args",
    [
        ("list",),  # the table: Typer
        ("list", "--json", "--light", "red"),
        ("list", "--json", "--order", "updated"),
        ("list", "--json", "--as-of", "某天"),
        ("list", "--json", "--limit", "x"),
        ("list", "--json", "--help"),
        ("--plan", "nope", "list", "--json"),
        ("show", "C10.M01", "--json"),
        ("report",),
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
    finally:
        set_language("zh")
