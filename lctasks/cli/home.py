"""`lctasks` with no command: the plan overview (the TUI will open here in a terminal)."""

from __future__ import annotations

import typer


def open_home(ctx: typer.Context) -> None:
    from lctasks.cli.plan_cmds import print_overview

    print_overview(ctx)


def register(app: typer.Typer) -> None:
    pass
