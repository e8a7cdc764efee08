"""The Typer application: global options and command registration.

Start-up stays cheap: command modules import services, SQLAlchemy and Textual
inside the functions that need them. ``lctasks close X`` never imports textual.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from lctasks import __version__
from lctasks.cli.common import CliState
from lctasks.cli.errors import PipeClosed, exit_code_for, wants_json
from lctasks.cli.spec import GLOBAL
from lctasks.cli.workflow import CTX, typer_param
from lctasks.config import apply_language


class _Group(TyperGroup):
    """Runs the command line with ``standalone_mode=False`` and turns every exception
    into its message and exit code in one place (``lctasks.cli.errors``), the same
    function the fast path uses."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            # returns None when the command ran through, an exit code when it raised Exit
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except Exception as exc:
            code = exit_code_for(exc, as_json=wants_json(argv))
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: Any) -> None:
        try:
            super().invoke(ctx)  # a command's return value is not an exit code
        except BrokenPipeError as exc:
            raise PipeClosed from exc


app = typer.Typer(
    cls=_Group,
    name="lctasks",
    help="聊城市“十四五”规划任务台账 — plan tasks, owners, deadlines, progress, 销号.",
    no_args_is_help=False,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lctasks {__version__}")
        raise typer.Exit()


def _root(ctx: typer.Context, **values: Any) -> None:
    values.pop("version")
    apply_language()  # first: every message after this is in the chosen language
    # typed on the command line (not LCTASKS_USER): on PostgreSQL a claim to check
    explicit = getattr(ctx.get_parameter_source("actor_name"), "name", "") == "COMMANDLINE"
    ctx.obj = CliState(**values, actor_explicit=explicit)
    if ctx.invoked_subcommand is None:
        from lctasks.cli.home import open_home

        open_home(ctx)


# the global options come from the table the fast path reads (lctasks.cli.spec)
_root.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        CTX,
        *(typer_param(o) for o in GLOBAL),
        inspect.Parameter(
            "version",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[
                bool,
                typer.Option(
                    "--version", callback=_version, is_eager=True, help="Show the version."
                ),
            ],
        ),
    ]
)
app.callback(invoke_without_command=True)(_root)


def _register() -> None:
    # each module adds its commands to `app`; imports inside commands stay lazy
    from lctasks.cli import (
        admin_cmds,
        carry_cmds,
        formats_cmds,
        indicator_cmds,
        log,
        people_cmds,
        plan_cmds,
        snapshot_cmds,
        tui_cmds,
        undo_cmds,
        units_cmds,
        workflow,
    )

    for module in (
        plan_cmds,
        units_cmds,
        workflow,
        log,
        people_cmds,
        tui_cmds,
        snapshot_cmds,
        formats_cmds,
        admin_cmds,
        indicator_cmds,
        carry_cmds,
        undo_cmds,
    ):
        module.register(app)


_register()


def main() -> None:
    """Run the command line; exit with the code ``lctasks.cli.errors`` chose."""
    sys.exit(typer.main.get_command(app).main(standalone_mode=False))
