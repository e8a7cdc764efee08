"""`lctasks` with no command: the TUI in a terminal, the plan overview otherwise."""

from __future__ import annotations

import sys

import typer


def open_home(ctx: typer.Context) -> None:
    if sys.stdin.isatty() and sys.stdout.isatty():
        from lctasks.cli.tui_cmds import run_tui

        run_tui(ctx)
        return
    from lctasks.cli.plan_cmds import print_overview

    print_overview(ctx)
