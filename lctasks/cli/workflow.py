"""Workflow commands (Typer face): assign, accept, status, progress, check, close,
return, reopen, extend, note.

Common to all: many IDs (or ``--from FILE`` / ``--from -``, one per line, ``#``
comments), one transaction per call (one bad ID → nothing changes, the exit
code of the error), ``--dry-run``, ``--json`` (per-ID ``changed`` /
``unchanged`` / ``error`` and a summary), ``--if-version N`` for a single ID,
never a prompt. Results go to stdout, the summary and errors to stderr.

Nothing is declared here: the commands are built from the table in
``lctasks.cli.spec``, which the start-up fast path (``lctasks.cli.fast``) parses
with too, and run by ``lctasks.cli.actions.run_command`` (no typer).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from lctasks.cli import actions
from lctasks.cli.common import CliState, state, want_json
from lctasks.cli.spec import COMMANDS, Command, Opt

_TYPES: dict[str, Any] = {"str": str, "date": str, "int": int, "flag": bool, "multi": list[str]}


def typer_param(opt: Opt) -> inspect.Parameter:
    """A Typer option (name, type, default, help, env var) from its declaration."""
    kind: Any = _TYPES[opt.kind]
    if opt.default is None:
        kind = kind | None
    # the help is set when --help is asked for, in the user's language (lctasks.cli.help)
    info = typer.Option(*opt.flags, metavar=opt.metavar or None, envvar=opt.envvar)
    return inspect.Parameter(
        opt.dest,
        inspect.Parameter.KEYWORD_ONLY,
        default=opt.default,
        annotation=Annotated[kind, info],
    )


CTX = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)


def _st(ctx: typer.Context, as_json: bool) -> CliState:
    want_json(ctx, as_json)  # first: errors raised later are reported as JSON too
    return state(ctx)


def typer_command(cmd: Command) -> Callable[..., None]:
    """The Typer callback of one workflow command, its signature from the table."""

    def command(ctx: typer.Context, **values: Any) -> None:
        words = values.pop(cmd.positional)
        actions.run_command(_st(ctx, values.pop("as_json")), cmd, words, **values)

    words = inspect.Parameter(
        cmd.positional,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            list[str] | None,
            typer.Argument(metavar=cmd.metavar, show_default=False),
        ],
    )
    ctx = inspect.Parameter(
        "ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
    )
    signature = inspect.Signature([ctx, words, *(typer_param(o) for o in cmd.options)])
    command.__signature__ = signature  # type: ignore[attr-defined]
    command.__doc__ = cmd.help[1]
    command.__name__ = cmd.method
    return command


def register(app: typer.Typer) -> None:
    for cmd in COMMANDS:
        app.command(cmd.name)(typer_command(cmd))
