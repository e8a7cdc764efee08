"""The Typer application: global options and command registration.

Start-up stays cheap: command modules import services, SQLAlchemy and Textual
inside the functions that need them. ``lctasks close X`` never imports textual.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from lctasks import __version__
from lctasks.cli.common import CliState, report_error
from lctasks.domain import LctasksError


class _Group(TyperGroup):
    """Turns domain errors into a clear message and a documented exit code."""

    def invoke(self, ctx: Any) -> Any:
        # the command line below the root, before Click consumes it
        rest = [*(getattr(ctx, "protected_args", None) or getattr(ctx, "_protected_args", []))]
        rest += list(ctx.args)
        try:
            return super().invoke(ctx)
        except LctasksError as exc:
            st = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
            as_json = st.json or "--json" in sys.argv[1:] or _json_in(ctx)
            report_error(exc, as_json=as_json)
            ctx.exit(exc.exit_code)
        except typer.TyperException as exc:
            # Typer vendors Click; its UsageError (exit 2) is a TyperException
            usage = getattr(exc, "exit_code", None) == 2 and hasattr(exc, "format_message")
            st = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
            if not usage or not (st.json or ctx.params.get("json_") or "--json" in rest):
                raise  # Click prints usage and the error (exit 2)
            # a script asked for JSON: the error as JSON on stderr too, same exit code
            sub_ctx = getattr(exc, "ctx", None)
            sub = sub_ctx.command_path if sub_ctx is not None else "lctasks"
            payload = {
                "error": {
                    "type": "UsageError",
                    "message": exc.format_message(),  # type: ignore[attr-defined]
                    "hint": f"{sub} --help",
                    "ids": [],
                    "exit_code": 2,
                }
            }
            sys.stderr.write(json.dumps(payload, ensure_ascii=False) + "\n")
            ctx.exit(2)


def _json_in(ctx: Any) -> bool:
    sub = getattr(ctx, "invoked_subcommand", None)
    # Click 8.2 renamed protected_args; commands also record --json in CliState
    # (common.want_json), which covers errors raised after their first line
    args = list(getattr(ctx, "protected_args", None) or getattr(ctx, "_protected_args", []))
    return bool(sub) and "--json" in (args + list(ctx.args))


app = typer.Typer(
    cls=_Group,
    name="lctasks",
    help="聊城市“十四五”规划任务台账 — plan tasks, owners, deadlines, progress, 销号.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lctasks {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH_OR_URL",
            envvar="LCTASKS_DB",
            help="Database file or SQLAlchemy URL.",
        ),
    ] = None,
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="NAME",
            envvar="LCTASKS_USER",
            help="Act as this person (recorded on events).",
        ),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON output on stdout.")] = False,
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            metavar="CODE",
            envvar="LCTASKS_PLAN",
            help="Plan code when several are loaded.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    # typed on the command line (not LCTASKS_USER): on PostgreSQL a claim to check
    explicit = getattr(ctx.get_parameter_source("as_"), "name", "") == "COMMANDLINE"
    ctx.obj = CliState(db=db, actor_name=as_, json=json_, plan=plan, actor_explicit=explicit)
    if ctx.invoked_subcommand is None:
        from lctasks.cli.home import open_home

        open_home(ctx)


def _register() -> None:
    # each module adds its commands to `app`; imports inside commands stay lazy
    from lctasks.cli import (
        admin_cmds,
        carry_cmds,
        formats_cmds,
        home,
        indicator_cmds,
        log,
        people_cmds,
        plan_cmds,
        snapshot_cmds,
        tui_cmds,
        units_cmds,
        workflow,
    )

    for module in (
        home,
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
    ):
        module.register(app)


_register()


def main() -> None:
    app()
