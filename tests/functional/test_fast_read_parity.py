"""Filtered `list` and `plan` on the read fast path print what Typer prints.

Each command line runs both ways — ``fast_read.run`` (no Typer, no SQLAlchemy) and
the Typer app — and stdout, stderr and the exit code must be the same, byte for
byte. A line the fast path cannot answer exactly (an unknown unit or chapter, a
date it cannot read, a value the command refuses) must be handed to Typer
untouched: ``run`` returns None and has written nothing, so the person sees
Typer's message and exit code.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lctasks.cli import fast_read
from lctasks.cli.app import app
from tests.functional.test_fast_read import ROOT, _work

runner = CliRunner()


@pytest.fixture(scope="module")
def worked_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parity") / "plan.db"
    _work(str(path))
    return path


@pytest.fixture
def db(worked_template: Path, tmp_path: Path, office_clock: object) -> str:
    path = tmp_path / "lctasks.db"
    shutil.copy(worked_template, path)
    return str(path)


def _both(
    db: str, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> tuple[tuple[int, str, str] | None, tuple[int, str, str]]:
    capsys.readouterr()
    code = fast_read.run(["--db", db, *args])
    got = capsys.readouterr()
    fast = None if code is None else (code, got.out, got.err)
    if code is None:
        assert (got.out, got.err) == ("", ""), "a fall-back must leave the output to Typer"
    res = runner.invoke(app, ["--db", db, *args])
    return fast, (res.exit_code, res.stdout, res.stderr)


LIST_LINES = [
    ("list",),  # the plain table and CSV: from the read model's records, no Task made
    ("list", "--order", "due", "-n", "40", "--as-of", "2023-06-30"),
    ("list", "--csv", "--order", "key", "--as-of", "2030-01-01"),
    ("list", "-n", "0"),
    ("list", "--unit", "kjj"),
    ("list", "--unit", "市科技局", "--json"),
    ("list", "-u", "fgw,czj", "--csv"),
    ("list", "--unit", "kjj", "--unit", "fgw", "--order", "due"),
    ("list", "--status", "in_progress", "--json"),
    ("list", "-s", "推进中", "-s", "done"),
    ("list", "--status", "done,suspended", "--csv"),
    ("list", "--light", "red", "-n", "5", "--as-of", "2023-06-30"),
    ("list", "-l", "green", "--json", "--as-of", "2021-01-15"),
    ("list", "--light", "黄灯", "--offset", "2", "--limit", "3", "--as-of=2022-03-01"),
    ("list", "--chapter", "10"),
    ("list", "-c", "10", "-c", "11", "--json", "--order", "key"),
    ("list", "--kind", "indicator", "-n", "4"),
    ("list", "-k", "project,goal", "--csv", "--offset", "5"),
    ("list", "--text", "科技"),
    ("list", "-t", "c10.m0", "--json"),
    ("list", "--text", "100%_"),  # wildcards taken literally: no task
    ("list", "--due-before", "2023-12-31", "--json"),
    ("list", "--due-after", "2025年底", "-n", "3"),
    ("list", "--unassigned", "-c", "12"),
    ("list", "--include-removed", "-n", "2"),
    ("list", "--order", "updated", "-n", "4"),
    ("list", "--order", "updated", "--json", "-n", "3"),
    ("list", "--offset", "630"),
    ("list", "--offset", "630", "--json"),
    ("--json", "list", "--status", "closed"),
    ("--plan", "lc-14th", "list", "--unit", "kjj", "--status", "in_progress"),
    ("list", "--status", "blocked"),  # none: 没有符合条件的任务 on stderr
    ("list", "--status", "blocked", "--json"),
    ("list", "--unit", "kjj", "--light", "red", "--kind", "measure", "--as-of", "2030-01-01"),
    ("list", "--fields", "id,title"),  # show --json's fields
    ("list", "--fields", "all", "-c", "10", "--as-of", "2023-06-30"),
    ("list", "--fields", "id,where,closure,checklist", "--status", "closed,in_progress"),
    ("list", "--fields", "owners,latest_report,light", "--unit", "kjj"),
    ("--json", "list", "--fields", "checklist,where", "--text", "科技", "-n", "5"),
    ("list", "--fields", "", "-n", "2"),
    ("list", "--fields", "id", "--status", "blocked"),  # none: []
    ("plan",),  # the outline and coverage
    ("plan", "--json"),
    ("--json", "plan", "--as-of", "2021-01-15"),
    ("plan", "--as-of", "2023-06-30"),
    ("plan", "--as-of=2030-01-01", "--json"),
    ("--plan", "LC-14TH", "plan"),
    ("log", "--task", "C10.M01"),  # the filtered log
    ("log", "--task", "c10.m03", "--json"),
    ("log", "--action", "assign", "--csv"),
    ("log", "--action", "销号"),
    ("log", "--action", "import", "--json", "-n", "1"),
    ("log", "--source", "cli", "--actor", "督查员", "-n", "2"),
    ("log", "--source", "tui"),  # none
    ("log", "--since", "2020-01-01", "--limit=3"),
    ("log", "--until", "2020-01-01", "--json"),  # none
    ("log", "--since", "", "--until", ""),
]


@pytest.mark.parametrize("args", LIST_LINES)
def test_fast_path_prints_what_typer_prints(
    db: str, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    fast, typer = _both(db, args, capsys)
    assert fast is not None, "the fast path should take this command line"
    assert fast == typer


FALL_BACK = [
    ("list", "--unit", "nosuchunit"),  # Typer names the nearest units
    ("list", "--unit", "局"),  # ambiguous
    ("list", "--chapter", "99"),  # no such chapter
    ("list", "--chapter", "x"),
    ("list", "--status", "finished"),
    ("list", "--light", "blue", "--json"),
    ("list", "--kind", "task"),
    ("list", "--order", "titel"),
    ("list", "--offset", "-1"),
    ("list", "--limit", "-3"),
    ("list", "--due-before", "某天"),
    ("list", "--due-after", ""),
    ("list", "--as-of", "2023-13-40"),
    ("list", "--fields", "id,nope"),
    ("list", "--fields", "id", "--csv"),  # JSON and CSV: Typer's usage error
    ("list", "--chapter", "3"),  # no tasks: Typer tells an empty chapter from none
    ("list", "--unit"),
    ("list", "--json", "--csv", "--unit", "kjj"),
    ("--plan", "nope", "list", "--status", "done"),
    ("plan", "--as-of", "某天"),
    ("plan", "C10"),
    ("plan", "--csv"),
    ("--plan", "nope", "plan"),
    ("log", "--task", "C99.X01"),  # Typer names the nearest IDs
    ("log", "--action", "nonsense"),  # Typer lists the actions
    ("log", "--source", "email"),
    ("log", "--since", "某天"),
    ("log", "--task", "#"),  # no ID at all (was a traceback)
    ("log", "--limit", "0"),
    ("log", "anchors.txt"),
    ("log", "--task", "C10.M02", "--action", "close"),  # none: Typer checks the ID
]


@pytest.mark.parametrize("args", FALL_BACK)
def test_what_the_fast_path_cannot_say_goes_to_typer(
    db: str, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    fast, typer = _both(db, args, capsys)
    assert fast is None
    answered = {
        ("list", "--chapter", "3"),
        ("log", "--task", "C10.M02", "--action", "close"),
    }
    assert (typer[0] == 0) == (args in answered), typer


def test_filtered_list_and_plan_import_neither_orm_nor_typer(db: str) -> None:
    code = (
        "import sys\n"
        "from lctasks.cli.fast_read import run\n"
        f"assert run(['--db', {db!r}, 'list', '--status', 'in_progress', '-c', '10',"
        " '--light', 'red', '--text', '装备', '--json']) == 0\n"
        f"assert run(['--db', {db!r}, 'plan']) == 0\n"
        f"assert run(['--db', {db!r}, 'plan', '--json']) == 0\n"
        "heavy = ('textual', 'sqlalchemy', 'typer', 'pydantic', 'rich')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert res.stdout.strip().splitlines()[-1] == "[]", res.stderr


def test_plan_speaks_the_language_typer_speaks(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lctasks.i18n import set_language

    monkeypatch.setenv("LCTASKS_LANG", "en")
    try:
        for args in (("plan", "--json"), ("list", "--status", "done,closed"), ("plan",)):
            fast, typer = _both(db, args, capsys)
            assert fast == typer
        assert fast is not None and "printed after chapter" in fast[1]
    finally:
        set_language("zh")


def test_the_paragraph_classes_are_the_parsers() -> None:
    """outline_read keeps the parser's class names (importing lctasks.plan costs ~60 ms)."""
    from lctasks.plan.coverage import CLASSES
    from lctasks.services.outline_read import CLASSES as READ

    assert READ == CLASSES
