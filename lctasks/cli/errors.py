"""Exceptions → a message on stderr and a documented exit code, in one place.

Both ways a command line runs end here: the start-up fast path
(``lctasks.cli.fast``) and the Typer application, which runs its Click command
with ``standalone_mode=False`` (``lctasks.cli.app``). Standard library only:
Typer's (Click's) exceptions are recognised only when Typer is loaded.
"""

from __future__ import annotations

import os
import sys

from lctasks.cli.common import err, report_error
from lctasks.domain import LctasksError
from lctasks.textsafe import visible


class PipeClosed(Exception):
    """stdout's reader went away (``lctasks list | head -1``): not an error.

    Raised in place of ``BrokenPipeError``, which Click would turn into exit 1."""


def exit_code_for(exc: BaseException, *, as_json: bool) -> int:
    """Report ``exc`` as users read it (JSON on stderr with ``as_json``); its exit code.

    Anything that is not a user's error (a bug) is raised again: a traceback, exit 1.
    """
    if isinstance(exc, LctasksError):
        report_error(exc, as_json=as_json)
        return exc.exit_code
    if isinstance(exc, BrokenPipeError | PipeClosed):
        # the change (if any) is committed; the reader simply had enough. Point
        # stdout at /dev/null so the final flush at exit does not fail again
        # (the Python docs' recipe for SIGPIPE).
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    typer = sys.modules.get("typer")
    if typer is not None:
        if isinstance(exc, typer.Exit):
            code: int = exc.exit_code
            return code
        if isinstance(exc, typer.Abort):
            err("Aborted!")
            return 1
        if isinstance(exc, typer.TyperException):  # Click's own (Typer vendors Click)
            code = int(getattr(exc, "exit_code", 1))
            if isinstance(getattr(exc, "message", None), str):
                exc.message = visible(exc.message)  # e.g. an option value with ESC in it
            if code == 2 and type(exc).__name__ != "NoArgsIsHelpError":
                # a command line Click refused: said as every error is, in the
                # user's language ("错误：…" / "提示：…"), JSON when --json was typed
                from lctasks.cli.help import usage_error

                report_error(usage_error(exc), as_json=as_json)
            else:
                exc.show()  # a group called without a command (its help), a file error
            return code
    raise exc


def wants_json(argv: list[str]) -> bool:
    """``--json`` anywhere among the options (global or the command's)."""
    options = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in options
