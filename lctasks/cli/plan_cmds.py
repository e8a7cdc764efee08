"""`lctasks plan`, `list`, `show`, `import`: seeing the plan and its tasks.

Thin: each command builds a request, calls LedgerService, prints the lines of
cli/plan_text.py. Services and SQLAlchemy are imported inside the commands (start-up
stays cheap).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lctasks.cli.common import out, print_json, state, want_json
from lctasks.cli.list_args import parse_fields, task_filter, when
from lctasks.cli.plan_text import (
    coverage_lines,
    import_lines,
    outline_json,
    outline_lines,
    place_of,
    print_task_table,
    show_doc,
    show_lines,
    task_cells,
    task_json,
    tasks_with_fields,
)
from lctasks.domain import Status, Task
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

if TYPE_CHECKING:
    from lctasks.services.ledger import LedgerService

MESSAGES.add(
    {
        "list.no_chapter": ("规划中没有第 {n} 章", "the plan has no chapter {n}"),
        "list.no_chapter.hint": (
            "本规划的章为第 {first}–{last} 章；用 lctasks plan 查看目录",
            "this plan's chapters are {first}–{last}; see them with lctasks plan",
        ),
    }
)


def _service(ctx: typer.Context) -> LedgerService:
    from lctasks.services.base import ServiceContext
    from lctasks.services.ledger import LedgerService

    st = state(ctx)
    return LedgerService(ServiceContext(st.database(), st.actor()))


# ---------------------------------------------------------------------------
# list
# ---------------------------------------------------------------------------


def list_cmd(
    ctx: typer.Context,
    chapter: Annotated[
        list[int] | None, typer.Option("--chapter", "-c", help="Chapter number (repeatable).")
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", "-k", help="measure | project | indicator | goal | chapter."),
    ] = None,
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", "-u", help="Lead or co-unit, as you type it (kjj, 科技局)."),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", "-s", help="not_started | in_progress | blocked | done | …"),
    ] = None,
    light: Annotated[
        list[str] | None, typer.Option("--light", "-l", help="red | yellow | green.")
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", "-t", help="Text in the ID, title or source text.")
    ] = None,
    due_before: Annotated[
        str | None, typer.Option("--due-before", help="Due on or before (2025-12-31, 2025年底).")
    ] = None,
    due_after: Annotated[str | None, typer.Option("--due-after", help="Due on or after.")] = None,
    unassigned: Annotated[
        bool, typer.Option("--unassigned", help="Only tasks with no lead unit yet.")
    ] = False,
    removed: Annotated[
        bool, typer.Option("--include-removed", help="Also tasks gone from the plan text.")
    ] = False,
    order: Annotated[str, typer.Option("--order", help="plan | due | key | updated.")] = "plan",
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most N tasks.")] = None,
    offset: Annotated[int, typer.Option("--offset", help="Skip the first N.")] = 0,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Lights as of this date (default today).")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
    csv: Annotated[
        bool, typer.Option("--csv", help="The table as CSV (UTF-8), for a spreadsheet.")
    ] = False,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields",
            help="JSON with these fields of `show --json` (a,b,… or all): e.g. "
            "id,title,source_text,checklist,owners,where. Implies --json.",
        ),
    ] = None,
) -> None:
    """List tasks, filtered (options of one kind combine with OR, different kinds with AND)."""
    as_json = want_json(ctx, json_)
    flt = task_filter(
        state(ctx).plan,
        chapter=chapter,
        kind=kind,
        unit=unit,
        status=status,
        light=light,
        text=text,
        due_before=due_before,
        due_after=due_after,
        unassigned=unassigned,
        removed=removed,
        order=order,
        limit=limit,
        offset=offset,
    )
    wanted = parse_fields(fields) if fields is not None else None
    service = _service(ctx)
    tasks = service.list_tasks(flt, as_of=when(as_of), with_reports=bool(wanted))
    if not tasks and flt.chapters:
        _refuse_unknown_chapters(service, flt)
    if wanted is not None:
        from lctasks.services.outline_read import places

        plan = state(ctx).plan
        lists = service.checklists([x.id for x in tasks], plan) if "checklist" in wanted else {}
        where = places(service.outline(plan)) if "where" in wanted else {}

        def closure(task: Task) -> dict[str, str] | None:
            return _closure(ctx, task)

        print_json(tasks_with_fields(tasks, wanted, lists, where, closure))
        return
    if as_json:
        print_json([task_json(x) for x in tasks])
        return
    print_task_table((task_cells(x) for x in tasks), csv=csv)


# ---------------------------------------------------------------------------
# show
# ---------------------------------------------------------------------------


def show_cmd(
    ctx: typer.Context,
    task_id: Annotated[str, typer.Argument(metavar="ID", help="Task ID, e.g. C10.M03.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Light as of this date (default today).")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
) -> None:
    """One task: source text, place in the plan, checklist and targets, owners, deadline."""
    as_json = want_json(ctx, json_)
    detail = _service(ctx).task_detail(task_id, state(ctx).plan, as_of=when(as_of))
    closure = _closure(ctx, detail.task)
    if as_json:
        data = show_doc(detail.task, place_of(detail), closure)
        print_json(data)
        return
    from lctasks.cli.output import paged

    with paged():
        for line in show_lines(detail, closure):
            out(line)


def _closure(ctx: typer.Context, task: Task) -> dict[str, str] | None:
    """销号 of a closed task: when, by whom, the completion note and the evidence.

    They are recorded on the close event (the task row keeps only the status).
    """
    if task.status is not Status.CLOSED:
        return None
    return _service(ctx).closure(task.id, task.plan)


def _refuse_unknown_chapters(service: Any, flt: Any) -> None:
    """An empty list for `--chapter 99` would read as "chapter 99 has no tasks"."""
    from lctasks.domain import NotFoundError

    out = service.outline(flt.plan)
    known = {c.number for p in out.parts for c in p.chapters}
    unknown = [n for n in flt.chapters if n not in known]
    if unknown:
        raise NotFoundError(
            t("list.no_chapter", n="、".join(str(n) for n in unknown)),
            hint=t("list.no_chapter.hint", first=min(known), last=max(known)),
        )


# ---------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------


class _Progress:
    """Stage lines on stderr; a live counter when stderr is a terminal."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            if self.tty and self.stage:
                sys.stderr.write("\n")
            self.stage = stage
            if not self.tty:
                sys.stderr.write(f"… {stage}\n")
        if self.tty:
            sys.stderr.write(f"\r… {stage} {done}/{total}   ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty and self.stage:
            sys.stderr.write("\n")


def import_cmd(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="[FILE]", help="Plan text (UTF-8/GBK); the bundled plan if omitted."
        ),
    ] = None,
    code: Annotated[
        str | None,
        typer.Option("--code", help="Plan code to store it under (default: from the text)."),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="The result as JSON on stdout.")] = False,
) -> None:
    """(Re)import a plan. Re-importing keeps every ID, owner, status and history entry."""
    as_json = want_json(ctx, json_)
    progress = _Progress()
    state(ctx).create = True  # import is the one command that creates a database
    try:
        result = _service(ctx).import_plan(file, code=code or state(ctx).plan, progress=progress)
    finally:
        progress.close()
    if as_json:
        print_json(result)
        return
    for line in import_lines(result):
        out(line)


# ---------------------------------------------------------------------------
# plan
# ---------------------------------------------------------------------------


def plan_cmd(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Lights as of this date (default today).")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Outline and coverage as JSON.")] = False,
) -> None:
    """The plan as a tree (篇 → 章 → 节, 专栏) with task counts, and the coverage report."""
    as_json = want_json(ctx, json_)
    svc = _service(ctx)
    plan = state(ctx).plan
    outline = svc.outline(plan, as_of=when(as_of))
    coverage = svc.coverage(plan)
    if as_json:
        print_json({"outline": outline_json(outline), "coverage": coverage})
        return
    from lctasks.cli.output import paged

    with paged():  # a tree of 60 chapters and their sections
        for line in outline_lines(outline, sections=True):
            out(line)
        out()
        for line in coverage_lines(coverage, outline):
            out(line)


def print_overview(ctx: typer.Context) -> None:
    """`lctasks` with no command (outside the TUI): the plan's parts and chapters."""
    outline = _service(ctx).outline(state(ctx).plan)
    for line in outline_lines(outline, sections=False):
        out(line)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_cmd)
    app.command("list")(list_cmd)
    app.command("show")(show_cmd)
    app.command("import")(import_cmd)
