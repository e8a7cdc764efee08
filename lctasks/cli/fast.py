"""The start-up fast path for the workflow commands (standard library only).

A single ``lctasks close C10.M03 --note … --evidence …`` is what scripts run in
loops, so its cold start is measured against Taskwarrior's ``task N done``.
Typer costs ~50 ms to import and, since 0.29, builds a pydantic TypeAdapter for
every parameter when a command runs (~130 ms more here); SQLAlchemy ~300 ms.
So ``lctasks.cli.entry.main`` first offers the command line to ``run`` below:
it understands the global options and the workflow commands' options exactly
as declared in ``lctasks.cli.workflow`` (a test compares the two), calls the
same bodies (``lctasks.cli.actions``) and services, and reports errors the same
way. Anything else — ``--help``, an unknown option, a malformed number,
another command — returns ``None`` and Typer handles the command line as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lctasks.cli import spec

# flag -> (destination, kind) as the parser below reads it; a date is a string
# here (the command body reads it as a date, as it does Typer's)
Spec = dict[str, tuple[str, str]]


def _spec(options: Sequence[spec.Opt]) -> Spec:
    return {
        flag: (o.dest, "str" if o.kind == "date" else o.kind) for o in options for flag in o.flags
    }


# command -> (name of the positional parameter, its options)
COMMANDS: dict[str, tuple[str, Spec]] = {
    c.name: (c.positional, _spec(c.options)) for c in spec.COMMANDS
}
GLOBAL: Spec = _spec(spec.GLOBAL)


class _Fallback(Exception):
    """The fast parser does not handle this command line: let Typer do it."""


def _parse_options(
    args: Sequence[str], spec: Spec, *, stop_at_positional: bool
) -> tuple[dict[str, Any], list[str], int]:
    values: dict[str, Any] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            positional.extend(args[i + 1 :])
            return values, positional, len(args)
        if arg.startswith("-") and arg != "-" and len(arg) > 1:
            name, eq, inline = arg.partition("=")
            if name not in spec:
                raise _Fallback(arg)  # --help, -h, typos: Typer explains
            dest, kind = spec[name]
            if kind == "flag":
                if eq:
                    raise _Fallback(arg)
                values[dest] = True
                i += 1
                continue
            if eq:
                raw = inline
                i += 1
            else:
                if i + 1 >= len(args):
                    raise _Fallback(arg)
                raw = args[i + 1]
                i += 2
            if kind == "int":
                try:
                    values[dest] = int(raw)
                except ValueError:
                    raise _Fallback(arg) from None
            elif kind == "multi":
                values.setdefault(dest, []).append(raw)
            else:
                values[dest] = raw
            continue
        if stop_at_positional:
            return values, positional, i
        positional.append(arg)
        i += 1
    return values, positional, i


def parse(argv: Sequence[str]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """(command, global options, command keyword arguments), or None for Typer."""
    try:
        glob, _, at = _parse_options(argv, GLOBAL, stop_at_positional=True)
        if at >= len(argv) or argv[at] not in COMMANDS:
            return None
        command = argv[at]
        positional_name, spec = COMMANDS[command]
        kwargs, positional, _ = _parse_options(argv[at + 1 :], spec, stop_at_positional=False)
    except _Fallback:
        return None
    kwargs[positional_name] = positional or None
    return command, glob, kwargs


def run(argv: Sequence[str]) -> int | None:
    """Run a workflow command without Typer; the exit code, or None to fall back."""
    parsed = parse(argv)
    if parsed is None:
        return None
    command, glob, kwargs = parsed
    import os

    from lctasks.cli import actions
    from lctasks.cli.common import CliState
    from lctasks.cli.errors import exit_code_for
    from lctasks.config import apply_language

    apply_language()  # LCTASKS_LANG or the settings' language, as the Typer path

    explicit = "actor_name" in glob  # typed --as (not LCTASKS_USER): a claim to check
    # options not given: their environment variable, as Typer reads it
    for opt in spec.GLOBAL:
        if opt.dest not in glob and opt.envvar:
            glob[opt.dest] = os.environ.get(opt.envvar) or None
    st = CliState(
        db=glob.get("db"),
        actor_name=glob.get("actor_name"),
        json=bool(glob.get("json") or kwargs.pop("as_json", False)),
        plan=glob.get("plan"),
        actor_explicit=explicit,
    )
    cmd = spec.BY_NAME[command]
    try:
        actions.run_command(st, cmd, kwargs.pop(cmd.positional), **kwargs)
    except Exception as exc:
        return exit_code_for(exc, as_json=st.json)
    return 0
