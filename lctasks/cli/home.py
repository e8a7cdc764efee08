"""`lctasks` with no command: the TUI in a terminal, the plan overview otherwise."""

from __future__ import annotations

import typer

from lctasks.cli.common import err


def open_home(ctx: typer.Context) -> None:
    err("lctasks: no command yet; see `lctasks --help`")


def register(app: typer.Typer) -> None:
    pass
