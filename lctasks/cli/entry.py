"""The ``lctasks`` entry point: the workflow fast path first, else the Typer app.

Kept apart from ``lctasks.cli.app`` so that importing it costs nothing: the
fast path (``lctasks.cli.fast``) runs the hot workflow commands without
importing typer, pydantic or SQLAlchemy; everything else goes to Typer.
"""

from __future__ import annotations

import sys


def main() -> None:
    from lctasks.cli.fast import run

    code = run(sys.argv[1:])
    if code is not None:
        sys.stdout.flush()
        raise SystemExit(code)
    from lctasks.cli.app import main as typer_main

    typer_main()
