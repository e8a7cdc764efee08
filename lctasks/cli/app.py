"""The Typer application: global options and command registration.

Start-up stays cheap: command modules import services, SQLAlchemy and Textual
inside the functions that need them. ``lctasks close X`` never imports textual.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import DefaultPlaceholder

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
        if os.environ.get("_LCTASKS_COMPLETE"):  # the shell asks for completions
            from lctasks.cli.help import localize_tree

            localize_tree(self)  # their descriptions in the user's language
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

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as exc:
            name = args[0] if args else ""
            if not name or name.startswith("-") or self.get_command(ctx, name) is not None:
                raise
            from lctasks.cli.help import NoSuchCommand

            raise NoSuchCommand(name, self.commands, ctx) from exc

    def get_help(self, ctx: Any) -> str:
        from lctasks.cli.help import render_help  # only now: the texts cost nothing otherwise

        return render_help(self, ctx)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return _parse_args(super().parse_args, ctx, args)


class _Command(TyperCommand):
    """Every command: its --help in the user's language (``lctasks.cli.help``)."""

    def get_help(self, ctx: Any) -> str:
        from lctasks.cli.help import render_help

        return render_help(self, ctx)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return _parse_args(super().parse_args, ctx, args)

    def invoke(self, ctx: Any) -> Any:
        root = ctx.find_root().obj
        p = ctx.params
        wants_json = p.get("as_json") or p.get("json_") or p.get("fields")  # --fields: JSON
        if p.get("csv") and (wants_json or getattr(root, "json", False)):
            from lctasks.domain import UsageError
            from lctasks.i18n import cli_t as t

            # one output at a time: JSON silently won over CSV
            raise UsageError(t("usage.json_csv"), hint=t("usage.json_csv.hint"))
        return super().invoke(ctx)


def _parse_args(parse: Any, ctx: Any, args: list[str]) -> list[str]:
    """Click's option parser raises some usage errors without their command (``--lead``
    with no value): attach it, so the message can name ``lctasks assign --help``."""
    try:
        result: list[str] = parse(ctx, args)
    except typer.TyperException as exc:
        if getattr(exc, "ctx", False) is None:
            exc.ctx = ctx  # type: ignore[attr-defined]
        raise
    return result


app = typer.Typer(
    cls=_Group,
    name="lctasks",
    help="聊城市“十四五”规划任务台账 — plan tasks, owners, deadlines, progress, 销号.",
    no_args_is_help=False,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},  # as gh: -h too
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
    _localised(app)


def _localised(typer_app: typer.Typer) -> None:
    """Build every command (and sub-group) with the classes above, whose --help is
    written in the user's language."""
    for info in typer_app.registered_commands:
        if info.cls is TyperCommand or _unset(info.cls):
            info.cls = _Command
    for group in typer_app.registered_groups:
        sub = group.typer_instance
        if sub is not None:
            if _unset(sub.info.cls) and _unset(group.cls):
                group.cls = _Group
            _localised(sub)


def _unset(cls: object) -> bool:
    return cls is None or isinstance(cls, DefaultPlaceholder)


_register()


def main() -> None:
    """Run the command line; exit with the code ``lctasks.cli.errors`` chose."""
    sys.exit(typer.main.get_command(app).main(standalone_mode=False))
