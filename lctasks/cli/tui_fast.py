"""Opening the TUI: ``lctasks`` (no command, on a terminal) and ``lctasks tui``.

``run`` is offered the command line by ``lctasks.cli.entry`` before Typer is
imported: importing Typer and building its command tree costs ~0.25 s here,
which a person opening the workbench would wait through before the first
paint. It understands the global options and ``tui``'s own (``--as-of``,
``--poll``, ``--unit``); anything else (``--help``, a typo, ``--json``, a
PostgreSQL URL, whose login names the acting person) returns ``None`` and
Typer handles the command line as before. Textual is imported only here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from lctasks.cli.common import CliState

TUI_OPTIONS = {"--as-of": "as_of", "--poll": "poll", "--unit": "unit"}


def open_tui(
    st: CliState, *, as_of: str | None = None, poll: float = 1.5, unit: str | None = None
) -> None:
    """Run the workbench for ``st``'s database and acting person until it quits."""
    from lctasks import clock
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

    backend = Backend.open(st.db, actor=st.actor().name, plan=st.plan, settings=settings)
    app = LctasksApp(
        backend=backend,
        as_of=day,
        poll_interval=poll,
        keymap=dict(settings.keymap),
        my_unit=unit or "",
    )
    app.run()


def run(argv: Sequence[str]) -> int | None:
    """Open the TUI without Typer; the exit code, or None to let Typer run ``argv``."""
    from lctasks.cli import spec
    from lctasks.cli.fast import GLOBAL, _Fallback, _parse_options

    try:
        glob, _, at = _parse_options(argv, GLOBAL, stop_at_positional=True)
    except _Fallback:
        return None
    rest = list(argv[at:])
    if glob.get("json"):
        return None
    if not rest:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            return None  # off a terminal: the plan overview (Typer's path)
        opts: dict[str, str] = {}
    elif rest[0] == "tui":
        parsed = _tui_options(rest[1:])
        if parsed is None:
            return None
        opts = parsed
    else:
        return None
    for opt in spec.GLOBAL:  # options not given: their environment variable
        if opt.dest not in glob and opt.envvar:
            glob[opt.dest] = os.environ.get(opt.envvar) or None
    from lctasks.db.urls import resolve_url

    if not resolve_url(glob.get("db")).startswith("sqlite"):
        return None  # PostgreSQL: the login is checked on Typer's path
    try:
        poll = float(opts.get("poll", 1.5))
    except ValueError:
        return None
    from lctasks.cli.errors import exit_code_for
    from lctasks.config import apply_language

    apply_language()
    st = CliState(
        db=glob.get("db"),
        actor_name=glob.get("actor_name"),
        plan=glob.get("plan"),
        actor_explicit="actor_name" in glob,
    )
    try:
        open_tui(st, as_of=opts.get("as_of"), poll=poll, unit=opts.get("unit"))
    except Exception as exc:
        return exit_code_for(exc, as_json=False)
    return 0


def _tui_options(args: Sequence[str]) -> dict[str, str] | None:
    out: dict[str, str] = {}
    i = 0
    while i < len(args):
        name, eq, inline = args[i].partition("=")
        if name not in TUI_OPTIONS:
            return None
        if eq:
            out[TUI_OPTIONS[name]] = inline
            i += 1
        elif i + 1 < len(args):
            out[TUI_OPTIONS[name]] = args[i + 1]
            i += 2
        else:
            return None
    return out
