"""Workflow commands (Typer face): assign, accept, status, progress, check, close,
return, reopen, extend, note.

Common to all: many IDs (or ``--from FILE`` / ``--from -``, one per line, ``#``
comments), one transaction per call (one bad ID → nothing changes, the exit
code of the error), ``--dry-run``, ``--json`` (per-ID ``changed`` /
``unchanged`` / ``error`` and a summary), ``--if-version N`` for a single ID,
never a prompt. Results go to stdout, the summary and errors to stderr.

The bodies live in ``lctasks.cli.actions`` (no typer), which the start-up fast
path (``lctasks.cli.fast``) calls too; this module only declares the options.
``tests/test_cli_workflow.py`` checks that both parsers accept the same options.
"""

from __future__ import annotations

from typing import Annotated

import typer

from lctasks.cli import actions
from lctasks.cli.common import CliState, state, want_json

Ids = Annotated[
    list[str] | None,
    typer.Argument(metavar="ID...", help="Task IDs, e.g. C10.M03 I07.", show_default=False),
]
FromFile = Annotated[
    str | None,
    typer.Option(
        "--from", metavar="FILE", help="Read IDs from FILE (one per line, # comments); - for stdin."
    ),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")]
Json = Annotated[bool, typer.Option("--json", help="JSON on stdout: per-ID results + summary.")]
IfVersion = Annotated[
    int | None,
    typer.Option(
        "--if-version", metavar="N", help="Only if the task is at this version (single ID)."
    ),
]
Reason = Annotated[
    str, typer.Option("--reason", "-r", metavar="TEXT", help="Why (recorded on the event).")
]


def _st(ctx: typer.Context, as_json: bool) -> CliState:
    want_json(ctx, as_json)  # first: errors raised later are reported as JSON too
    return state(ctx)


def assign(
    ctx: typer.Context,
    ids: Ids = None,
    lead: Annotated[
        str | None,
        typer.Option(
            "--lead", "-l", metavar="UNIT", help="Lead unit (牵头单位): name, pinyin, kjj."
        ),
    ] = None,
    co: Annotated[
        list[str] | None,
        typer.Option(
            "--co", "-c", metavar="UNIT", help="Co-unit (配合单位); repeat or comma-separate."
        ),
    ] = None,
    no_co: Annotated[bool, typer.Option("--no-co", help="Remove all co-units.")] = False,
    due: Annotated[
        str | None,
        typer.Option("--due", metavar="DATE", help="Deadline: 2025-12-31, 2025年底, +30d …"),
    ] = None,
    person: Annotated[
        str | None, typer.Option("--person", metavar="NAME", help="Responsible person.")
    ] = None,
    leader: Annotated[
        str | None, typer.Option("--leader", metavar="NAME", help="Lead city leader.")
    ] = None,
    reason: Reason = "",
    from_file: FromFile = None,
    dry_run: DryRun = False,
    as_json: Json = False,
    if_version: IfVersion = None,
) -> None:
    """Assign tasks: lead unit, co-units, deadline, person, leader (转办 needs --reason)."""
    actions.assign(
        _st(ctx, as_json),
        ids,
        lead=lead,
        co=co,
        no_co=no_co,
        due=due,
        person=person,
        leader=leader,
        reason=reason,
        from_file=from_file,
        dry_run=dry_run,
        if_version=if_version,
    )


def accept(
    ctx: typer.Context,
    ids: Ids = None,
    from_file: FromFile = None,
    dry_run: DryRun = False,
    as_json: Json = False,
    if_version: IfVersion = None,
) -> None:
    """Accept the rule-suggested lead and co-units (recorded as coming from a rule)."""
    actions.accept(
        _st(ctx, as_json), ids, from_file=from_file, dry_run=dry_run, if_version=if_version
    )


def status(
    ctx: typer.Context,
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ID... STATUS", help="IDs, then the status (unless --to).", show_default=False
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="STATUS",
            help="not_started | in_progress | blocked | suspended | done (or 推进中 …).",
        ),
    ] = None,
    reason: Reason = "",
    from_file: FromFile = None,
    dry_run: DryRun = False,
    as_json: Json = False,
    if_version: IfVersion = None,
) -> None:
    """Set the status of tasks (close / return have their own commands)."""
    actions.status(
        _st(ctx, as_json),
        args,
        to=to,
        reason=reason,
        from_file=from_file,
        dry_run=dry_run,
        if_version=if_version,
    )


def progress(
    ctx: typer.Context,
    ids: Ids = None,
    made: Annotated[
        str, typer.Option("--made", "-m", metavar="TEXT", help="进展情况: progress made.")
    ] = "",
    problems: Annotated[
        str, typer.Option("--problems", metavar="TEXT", help="存在问题: problems.")
    ] = "",
    next_steps: Annotated[
        str, typer.Option("--next", metavar="TEXT", help="下一步措施: next steps.")
    ] = "",
    percent: Annotated[
        int | None, typer.Option("--percent", "-p", metavar="N", help="Progress 0-100.")
    ] = None,
    period: Annotated[
        str,
        typer.Option(
            "--period", metavar="YYYY-MM", help="Reporting period, default this month (2026-11)."
        ),
    ] = "",
    from_file: FromFile = None,
    dry_run: DryRun = False,
    as_json: Json = False,
    if_version: IfVersion = None,
) -> None:
    """Report progress (进展情况 / 存在问题 / 下一步措施)."""
    actions.progress(
        _st(ctx, as_json),
        ids,
        made=made,
        problems=problems,
        next_steps=next_steps,
        percent=percent,
        period=period,
        from_file=from_file,
        dry_run=dry_run,
        if_version=if_version,
    )


def check(
    ctx: typer.Context,
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ID ITEM...",
            help="The task ID, then item numbers (1 3, 2-4).",
            show_default=False,
        ),
    ] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Untick instead of tick.")] = False,
    dry_run: DryRun = False,
    as_json: Json = False,
    if_version: IfVersion = None,
) -> None:
    """Tick (or --undo) checklist items of one task; progress follows the ticked share."""
    actions.check(_st(ctx, as_json), args, undo=undo, dry_run=dry_run, if_version=if_version)


def close(
    ctx: typer.Context,
    ids: Ids = None,
    note: Annotated[
        str, typer.Option("--note", "-n", metavar="TEXT", help="办结说明: completion note.")
    ] = "",
    evidence: Annotated[
        str, typer.Option("--evidence", "-e", metavar="REF", help="佐证材料: evidence reference.")
    ] = "",
    from_file: FromFile = None,
    dry_run: DryRun = False,
    as_json: Json = False,
    if_version: IfVersion = None,
) -> None:
    """Close tasks (销号): needs --note and --evidence; a closed task stays unchanged."""
    actions.close(
        _st(ctx, as_json),
        ids,
        note=note,
        evidence=evidence,
        from_file=from_file,
        dry_run=dry_run,
        if_version=if_version,
    )


def return_(
    ctx: typer.Context,
    ids: Ids = None,
    reason: Reason = "",
    from_file: FromFile = None,
    dry_run: DryRun = False,
    as_json: Json = False,
    if_version: IfVersion = None,
) -> None:
    """Return done or closed tasks for rework (退回重办); needs --reason."""
    actions.return_(
        _st(ctx, as_json),
        ids,
        reason=reason,
        from_file=from_file,
        dry_run=dry_run,
        if_version=if_version,
    )


def reopen(
    ctx: typer.Context,
    ids: Ids = None,
    reason: Reason = "",
    from_file: FromFile = None,
    dry_run: DryRun = False,
    as_json: Json = False,
    if_version: IfVersion = None,
) -> None:
    """Reopen closed, done or suspended tasks (back to in progress)."""
    actions.reopen(
        _st(ctx, as_json),
        ids,
        reason=reason,
        from_file=from_file,
        dry_run=dry_run,
        if_version=if_version,
    )


def extend(
    ctx: typer.Context,
    ids: Ids = None,
    to: Annotated[
        str,
        typer.Option(
            "--to", metavar="DATE", help="New deadline: 2026-06-30, 2026年6月底前, +30d …"
        ),
    ] = "",
    reason: Reason = "",
    late: Annotated[
        bool, typer.Option("--late", help="Grant after the deadline has passed (督查室).")
    ] = False,
    from_file: FromFile = None,
    dry_run: DryRun = False,
    as_json: Json = False,
    if_version: IfVersion = None,
) -> None:
    """Extend deadlines (延期): needs --to and --reason; the first deadline is kept."""
    actions.extend(
        _st(ctx, as_json),
        ids,
        to=to,
        reason=reason,
        late=late,
        from_file=from_file,
        dry_run=dry_run,
        if_version=if_version,
    )


def note(
    ctx: typer.Context,
    args: Annotated[
        list[str] | None,
        typer.Argument(metavar="ID... TEXT", help="IDs, then the note text.", show_default=False),
    ] = None,
    from_file: FromFile = None,
    dry_run: DryRun = False,
    as_json: Json = False,
    if_version: IfVersion = None,
) -> None:
    """Add a note to tasks' records."""
    actions.note(
        _st(ctx, as_json), args, from_file=from_file, dry_run=dry_run, if_version=if_version
    )


def register(app: typer.Typer) -> None:
    app.command("assign")(assign)
    app.command("accept")(accept)
    app.command("status")(status)
    app.command("progress")(progress)
    app.command("check")(check)
    app.command("close")(close)
    app.command("return")(return_)
    app.command("reopen")(reopen)
    app.command("extend")(extend)
    app.command("note")(note)
