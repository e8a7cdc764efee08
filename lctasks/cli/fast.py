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

from collections.abc import Callable, Sequence
from typing import Any

# option kinds: "str" (one value), "int", "flag", "multi" (repeatable value)
Spec = dict[str, tuple[str, str]]

COMMON: Spec = {
    "--from": ("from_file", "str"),
    "--dry-run": ("dry_run", "flag"),
    "--json": ("as_json", "flag"),
    "--if-version": ("if_version", "int"),
}
REASON: Spec = {"--reason": ("reason", "str"), "-r": ("reason", "str")}

# command -> (name of the positional parameter, its options)
COMMANDS: dict[str, tuple[str, Spec]] = {
    "assign": (
        "ids",
        {
            "--lead": ("lead", "str"),
            "-l": ("lead", "str"),
            "--co": ("co", "multi"),
            "-c": ("co", "multi"),
            "--no-co": ("no_co", "flag"),
            "--due": ("due", "str"),
            "--person": ("person", "str"),
            "--leader": ("leader", "str"),
            **REASON,
            **COMMON,
        },
    ),
    "accept": ("ids", dict(COMMON)),
    "status": ("args", {"--to": ("to", "str"), **REASON, **COMMON}),
    "progress": (
        "ids",
        {
            "--made": ("made", "str"),
            "-m": ("made", "str"),
            "--problems": ("problems", "str"),
            "--next": ("next_steps", "str"),
            "--percent": ("percent", "int"),
            "-p": ("percent", "int"),
            "--period": ("period", "str"),
            **COMMON,
        },
    ),
    "check": (
        "args",
        {
            "--undo": ("undo", "flag"),
            "--dry-run": ("dry_run", "flag"),
            "--json": ("as_json", "flag"),
            "--if-version": ("if_version", "int"),
        },
    ),
    "close": (
        "ids",
        {
            "--note": ("note", "str"),
            "-n": ("note", "str"),
            "--evidence": ("evidence", "str"),
            "-e": ("evidence", "str"),
            **COMMON,
        },
    ),
    "return": ("ids", {**REASON, **COMMON}),
    "reopen": ("ids", {**REASON, **COMMON}),
    "extend": (
        "ids",
        {"--to": ("to", "str"), "--late": ("late", "flag"), **REASON, **COMMON},
    ),
    "note": ("args", dict(COMMON)),
}

GLOBAL: Spec = {
    "--db": ("db", "str"),
    "--as": ("actor_name", "str"),
    "--json": ("json", "flag"),
    "--plan": ("plan", "str"),
}


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
    from lctasks.cli.common import CliState, report_error
    from lctasks.domain import LctasksError

    db = glob.get("db") or os.environ.get("LCTASKS_DB") or None
    st = CliState(
        db=db,
        actor_name=glob.get("actor_name") or os.environ.get("LCTASKS_USER") or None,
        json=bool(glob.get("json") or kwargs.pop("as_json", False)),
        plan=glob.get("plan") or os.environ.get("LCTASKS_PLAN") or None,
        actor_explicit="actor_name" in glob,  # typed --as: on PostgreSQL a claim to check
    )
    kwargs.pop("as_json", None)
    body: Callable[..., None] = getattr(actions, "return_" if command == "return" else command)
    positional = kwargs.pop("ids", None) if "ids" in kwargs else kwargs.pop("args", None)
    try:
        body(st, positional, **kwargs)
    except LctasksError as exc:
        report_error(exc, as_json=st.json)
        return exc.exit_code
    except BrokenPipeError:
        # the reader went away (`| head`) after the change was committed: not an error
        return 0
    return 0
