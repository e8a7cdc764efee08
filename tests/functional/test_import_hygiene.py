"""The layering holds: nothing below the faces imports a UI library, and a CLI
call that does not open the TUI never imports textual."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "lctasks"
UI_LIBS = {"textual", "typer", "rich", "click", "textual_plotext"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_a_ui_library() -> None:
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] in {"cli", "tui"}:
            continue
        bad = _imports(path) & UI_LIBS
        if bad:
            offenders.append(f"{rel}: {sorted(bad)}")
    assert offenders == []


def test_domain_uses_only_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"lctasks"}
    files = sorted(p.name for p in (PKG / "domain").glob("*.py"))
    assert files == ["__init__.py", "ledger.py", "parsed.py", "task.py"]
    for name in files:
        assert _imports(PKG / "domain" / name) - allowed == set(), name


def test_reading_a_task_does_not_build_the_parser_classes() -> None:
    """``lctasks.domain``'s dataclasses are built on first use: a command that reads
    the ledger (``show``, ``list``) never pays for the plan tree's classes."""
    code = (
        "import sys\n"
        "from lctasks.domain import Status, Task, NotFoundError\n"
        "import lctasks.domain as d\n"
        "before = 'lctasks.domain.parsed' in sys.modules\n"
        "tree = d.PlanTree\n"
        "print(before, 'lctasks.domain.parsed' in sys.modules, tree.__name__, Task.__name__)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert res.stdout.split() == ["False", "True", "PlanTree", "Task"], res.stdout + res.stderr


def test_an_unknown_domain_name_is_an_attribute_error() -> None:
    import lctasks.domain as d

    try:
        d.NoSuchThing  # noqa: B018
    except AttributeError as exc:
        assert str(exc) == "module 'lctasks.domain' has no attribute 'NoSuchThing'"
    else:
        raise AssertionError("no AttributeError")


def test_cli_version_does_not_import_textual_or_sqlalchemy() -> None:
    code = (
        "import sys\n"
        "from lctasks.cli.app import app\n"
        "try:\n    app(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('textual', 'sqlalchemy') if m in sys.modules))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert res.stdout.strip().endswith("[]"), res.stdout + res.stderr


def test_help_texts_are_read_only_when_help_or_a_usage_error_is_shown() -> None:
    code = (
        "import sys\n"
        "from lctasks.cli.app import app\n"
        "def run(*args):\n"
        "    try:\n        app(list(args))\n    except SystemExit:\n        pass\n"
        "    return sorted(m for m in ('lctasks.cli.help', 'lctasks.cli.help_texts')"
        " if m in sys.modules)\n"
        "print(run('--version'), run('close', '--help'))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    last = res.stdout.strip().splitlines()[-1]
    assert last == "[] ['lctasks.cli.help', 'lctasks.cli.help_texts']", res.stdout + res.stderr


# What each read command may not load on the fast path: every module here once crept
# into one of them and cost it 5-20 ms of start-up (issue 11 measures these commands
# against Taskwarrior's `task export`).
NEVER_ON_READS = {
    "typer",
    "click",
    "sqlalchemy",
    "textual",
    "platformdirs",  # lctasks.userdirs answers on Linux
    "pypinyin",
    "lctasks.domain.parsed",  # the parser's 12 classes
    "lctasks.services.batch",  # the workflow engine
    "lctasks.services.base",
    "tomllib",  # the settings as last parsed come from the cache (config.SETTINGS_MEMO)
}
READS = {
    ("list", "--json"): {"lctasks.services.query", "lctasks.domain.ledger"},
    ("list", "--status", "推进中"): {"lctasks.services.query"},
    ("show", "C10.M03", "--json"): {"lctasks.services.query", "lctasks.domain.ledger"},
    ("show", "C10.M03"): set(),
    ("report",): {"lctasks.services.query"},
    ("report", "--json"): {"lctasks.services.query"},
    ("history", "C10.M03"): {"lctasks.services.query"},
    ("log",): {"lctasks.services.query"},
    ("plan",): set(),
}
# ... except what a command shows: plan's coverage lists the unplaced text
ALLOWED = {("plan",): {"lctasks.domain.parsed"}}
READ_PROBE = r"""
import contextlib, io, json, sys
before = set(sys.modules)  # the interpreter's own (and coverage's, under make coverage)
from lctasks.cli.fast_read import run
with contextlib.redirect_stdout(io.StringIO()):
    code = run(sys.argv[1:])
print(json.dumps([code, sorted(set(sys.modules) - before)]))
"""


@pytest.mark.parametrize("argv", sorted(READS), ids=" ".join)
def test_a_read_command_loads_only_what_it_needs(
    argv: tuple[str, ...], bundled_plan_db: str
) -> None:
    env = {**os.environ, "LCTASKS_DB": bundled_plan_db, "LCTASKS_USER": "督查员"}
    for _ in range(2):  # the second call: the settings were parsed by the first one
        res = subprocess.run(
            [sys.executable, "-c", READ_PROBE, *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
    code, modules = json.loads(res.stdout.strip().splitlines()[-1])
    assert code == 0, res.stderr  # the fast path answered (None: it left it to Typer)
    never = (NEVER_ON_READS | READS[argv]) - ALLOWED.get(argv, set())
    assert sorted(never & set(modules)) == []
