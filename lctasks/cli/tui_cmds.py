"""`lctasks tui`: the supervision workbench (Textual). Textual is imported here only."""

from __future__ import annotations

from typing import Annotated

import typer

from lctasks import clock
from lctasks.cli.common import state


def run_tui(
    ctx: typer.Context, *, as_of: str | None = None, poll: float = 1.5, unit: str | None = None
) -> None:
    st = state(ctx)
    from lctasks.cli.common import require_existing_db

    require_existing_db(st.db)  # a mistyped --db is named, not created and filled
    # settings first: they may switch the language before any label is built
    from lctasks.config import apply_language, load_settings

    settings = load_settings()
    apply_language(settings)
    day = None
    if as_of:
        from lctasks.dates import parse_date

        day = parse_date(as_of, today=clock.today())
    # textual is heavy (~260 ms): imported only when the TUI opens
    from lctasks.tui.app import LctasksApp
    from lctasks.tui.backend import Backend

    actor = st.actor().name

    def factory() -> Backend:
        return Backend.open(st.db, actor=actor, plan=st.plan, settings=settings)

    app = LctasksApp(
        backend_factory=factory,
        as_of=day,
        poll_interval=poll,
        keymap=dict(settings.keymap),
        my_unit=unit or "",
    )
    app.run()


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
