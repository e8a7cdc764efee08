"""The ``lctasks`` entry point: the read and workflow fast paths first, else the Typer app.

Kept apart from ``lctasks.cli.app`` so that importing it costs nothing: the
fast path (``lctasks.cli.fast``) runs the hot workflow commands without
importing typer, pydantic or SQLAlchemy; everything else goes to Typer.
"""

from __future__ import annotations

import contextlib
import os
import sys

INTERRUPTED = 130  # 128 + SIGINT, as shells report a command ended by Ctrl-C


class Interrupted(BaseException):
    """Ctrl-C. Not a KeyboardInterrupt, so Click does not turn it into "Aborted!" (exit 1)
    and no ``except Exception`` swallows it; an open transaction rolls back on it and
    files are written to a temporary name first, so nothing is left half-written."""


def _on_sigint(signum: int, frame: object) -> None:
    raise Interrupted


def main() -> None:
    import signal

    signal.signal(signal.SIGINT, _on_sigint)
    try:
        _main()
    except (Interrupted, KeyboardInterrupt):
        _interrupted()


def _main() -> None:
    # the read fast path first: it imports nothing until it knows the command is
    # one of its own, while the workflow path's option table (cli.spec) costs a few ms
    from lctasks.cli.fast_read import run as run_read

    code = run_read(sys.argv[1:])
    if code is not None:
        _finish(code)
    from lctasks.cli.fast import run

    code = run(sys.argv[1:])
    if code is not None:
        _finish(code)
    from lctasks.cli.tui_fast import run as run_tui  # bare `lctasks` on a terminal, `tui`

    code = run_tui(sys.argv[1:])
    if code is not None:
        _finish(code)
    from lctasks.cli.app import main as typer_main

    try:
        typer_main()
    except SystemExit:
        # what is still buffered: a full disk now must not become a traceback
        from lctasks.cli.common import flush_stdout

        failed = flush_stdout()
        if failed:
            raise SystemExit(failed) from None
        raise


def _interrupted() -> None:
    """One line on stderr, exit 130: no traceback, nothing changed."""
    from lctasks.i18n import EN, language

    with contextlib.suppress(Exception):
        sys.stderr.write("\n" + INTERRUPTED_TEXT[language() == EN] + "\n")
    _finish(INTERRUPTED)


INTERRUPTED_TEXT = (
    "已中断（Ctrl-C）：未完成的更改没有写入",
    "interrupted (Ctrl-C): no unfinished change was written",
)


def _finish(code: int) -> None:
    """End a fast-path call without the interpreter's teardown.

    By now the transaction is committed and the database closed; what remains
    is finalising every module and object, measured at ~15 % of a whole
    ``lctasks close`` here. Flush the output, then leave.
    """
    from lctasks.cli.common import flush_stdout

    failed = flush_stdout()  # a full disk: said on stderr, exit 9, not a traceback
    if failed is not None and code == 0:
        code = failed
    # a closed pipe (`| head`): nothing left to keep
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)
