"""The README's layout section lists every module of the package, one line each (issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lctasks"


def _listed() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    return re.findall(r"^  (\S+\.py)\s+\S", block, flags=re.M)


def _modules() -> set[str]:
    # a package's __init__ may be listed (its API) but need not be; migrations are data
    return {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if p.name != "__init__.py" and "migrations" not in p.parts
    }


def test_every_module_has_a_line_in_the_readme_layout() -> None:
    assert sorted(_modules() - set(_listed())) == []


def test_every_module_the_readme_lists_exists_once() -> None:
    listed = _listed()
    assert sorted(m for m in listed if not (PACKAGE / m).is_file()) == []
    assert len(listed) == len(set(listed))
