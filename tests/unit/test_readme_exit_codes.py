"""The README's exit-code table names every code a command can end with (QA 13: 130 was missing)."""

from __future__ import annotations

import re
from pathlib import Path

from lctasks import domain
from lctasks.cli.entry import INTERRUPTED

README = Path(__file__).resolve().parents[2] / "README.md"


def _codes_in_readme() -> set[int]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Exit codes", 1)[1].split("\n\n", 2)[1]
    return {int(m) for m in re.findall(r"^\| (\d+) \|", table, flags=re.M)}


def test_every_exit_code_is_in_the_readme_table() -> None:
    def subclasses(cls: type) -> set[type]:
        return {cls, *(s for c in cls.__subclasses__() for s in subclasses(c))}

    raised = {c.exit_code for c in subclasses(domain.LctasksError)}
    assert raised | {0, 1, 2, INTERRUPTED} == _codes_in_readme()
    assert INTERRUPTED == 130
