"""The layering holds: nothing below the faces imports a UI library, and a CLI
call that does not open the TUI never imports textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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
    assert _imports(PKG / "domain.py") - allowed == set()


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
