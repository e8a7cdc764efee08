"""`lctasks tui`: the supervision workbench (Textual), opened by ``lctasks.cli.tui_fast``."""

from __future__ import annotations

from typing import Annotated

import typer

from lctasks.cli.common import state


def run_tui(
    ctx: typer.Context, *, as_of: str | None = None, poll: float = 1.5, unit: str | None = None
) -> None:
    from lctasks.cli.tui_fast import open_tui

    open_tui(state(ctx), as_of=as_of, poll=poll, unit=unit)


def register(app: typer.Typer) -> None:
    @app.command("tui")
    def tui(
        ctx: typer.Context,
        as_of: Annotated[
            str | None,
            typer.Option("--as-of", help="Judge lights and deadlines as of this date."),
        ] = None,
        poll: Annotated[
            float, typer.Option("--poll", help="Seconds between checks for others' changes.")
        ] = 1.5,
        unit: Annotated[
            str | None,
            typer.Option(
                "--unit", help="Your unit, for the 'my unit' view (default: from `people`)."
            ),
        ] = None,
    ) -> None:
        """Open the terminal UI (also: `lctasks` with no command in a terminal)."""
        run_tui(ctx, as_of=as_of, poll=poll, unit=unit)
