"""The start-up fast path for read commands (standard library only).

``lctasks list --json`` is what scripts run to read the ledger, so its cold start
is measured against Taskwarrior's ``task export``. Typer, pydantic and SQLAlchemy
cost ~0.5 s to import here, while the query and the lights of the bundled plan
take ~30 ms. So ``lctasks.cli.entry`` offers the command line to ``run`` below
after the workflow fast path (``lctasks.cli.fast``): on an SQLite file that the
standard-library ``LiteDatabase`` can open, it reads the rows through the shared
task read model (``lctasks.services.read_model``, the one the board uses) and
prints exactly what the Typer command prints. Anything it does not handle — other
options, an ambiguous or unknown plan, a date it cannot read, PostgreSQL, a
database with people configured — returns ``None`` and Typer runs the command
as usual, with its own messages.

Handled: ``list`` (``--json``, the table or ``--csv``) with ``--as-of``, ``--limit``,
``--order`` and every filter (``--unit``, ``--status``, ``--light``, ``--chapter``,
``--kind``, ``--text``, ``--due-before``/``--due-after``, ``--unassigned``,
``--include-removed``, ``--offset``: ``cli/list_args`` builds the filter, as for
Typer; an unknown unit, or no task in the chapters asked for, goes to Typer) and
``--fields``;
``plan`` (the outline and coverage: text or ``--json``) with ``--as-of``, read through
``services/outline_read.py`` as the Typer command reads it; ``report --json``
with ``--by``, ``--as-of`` and ``--overdue`` (the JSON lists every overdue task);
``show ID`` (text or ``--json``) with ``--as-of`` (an unknown ID goes to Typer, which
names the nearest IDs); the ``report`` table with ``--by``, ``--as-of``, ``--overdue``
and ``--csv``; ``history ID`` and ``log`` (table, ``--csv`` or ``--json``) with ``--limit``,
``--actor``, ``--task``, ``--action``, ``--source``, ``--since`` and ``--until``
(``services/event_reads.log_query`` reads them, as for Typer; nothing found for a
``--task`` or an unknown ``--action`` goes to Typer, which says if it was mistyped).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from typing import Any

GLOBAL = {"--db": "db", "--plan": "plan", "--as": "actor", "--json": "json"}
GLOBAL_FLAGS = {"--json"}
LIST = {
    "--as-of": "as_of",
    "--json": "json",
    "--limit": "limit",
    "-n": "limit",
    "--order": "order",
    "--csv": "csv",
    # the filters (lctasks.cli.list_args builds the TaskFilter, as the Typer command)
    "--chapter": "chapter",
    "-c": "chapter",
    "--kind": "kind",
    "-k": "kind",
    "--unit": "unit",
    "-u": "unit",
    "--status": "status",
    "-s": "status",
    "--light": "light",
    "-l": "light",
    "--text": "text",
    "-t": "text",
    "--due-before": "due_before",
    "--due-after": "due_after",
    "--unassigned": "unassigned",
    "--include-removed": "removed",
    "--offset": "offset",
    "--fields": "fields",
}
LIST_FLAGS = {"--json", "--csv", "--unassigned", "--include-removed"}
# options that may be given more than once (each value kept, in order)
MULTI = {"chapter", "kind", "unit", "status", "light"}
REPORT = {
    "--as-of": "as_of",
    "--json": "json",
    "--by": "by",
    "--overdue": "overdue",
    "--csv": "csv",
}
SHOW = {"--as-of": "as_of", "--json": "json"}
HISTORY = {"--json": "json", "--csv": "csv"}
PLAN = {"--as-of": "as_of", "--json": "json"}
LOG = {
    "--json": "json",
    "--csv": "csv",
    "--limit": "limit",
    "-n": "limit",
    "--actor": "actor",
    "--task": "task",
    "--action": "action",
    "--source": "source",
    "--since": "since",
    "--until": "until",
}
# command → (its options, its flags, how many positional arguments it takes)
COMMANDS = {
    "list": (LIST, LIST_FLAGS, 0),
    "report": (REPORT, {"--json", "--csv"}, 0),
    "show": (SHOW, {"--json"}, 1),
    "history": (HISTORY, {"--json", "--csv"}, 1),
    "log": (LOG, {"--json", "--csv"}, 0),
    "plan": (PLAN, {"--json"}, 0),
}
# the orders the unfiltered ``list --json`` reads straight from ``read_model.task_records``
PLAIN_ORDERS = ("plan", "due", "key")


def _options(
    args: Sequence[str],
    spec: dict[str, str],
    flags: set[str],
    *,
    stop: bool,
    positional: list[str] | None = None,
) -> tuple[dict[str, Any], int] | None:
    values: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-"):
            if stop:
                return values, i
            if positional is None:
                return None  # no positional arguments on this command
            positional.append(arg)
            i += 1
            continue
        name, eq, inline = arg.partition("=")
        if name not in spec:
            return None
        if name in flags:
            if eq:
                return None
            values[spec[name]] = True
            i += 1
            continue
        if eq:
            value = inline
            i += 1
        elif i + 1 < len(args):
            value = args[i + 1]
            i += 2
        else:
            return None
        if spec[name] in MULTI:
            values.setdefault(spec[name], []).append(value)
        else:
            values[spec[name]] = value
    return values, i


def run(argv: Sequence[str]) -> int | None:
    """Run a read command without Typer; the exit code, or None to fall back."""
    parsed = _options(argv, GLOBAL, GLOBAL_FLAGS, stop=True)
    if parsed is None:
        return None
    glob, at = parsed
    if at >= len(argv) or argv[at] not in COMMANDS:
        return None
    command = argv[at]
    spec, flags, wanted = COMMANDS[command]
    words: list[str] = []
    opts = _options(argv[at + 1 :], spec, flags, stop=False, positional=words if wanted else None)
    if opts is None or len(words) != wanted:
        return None
    cmd = opts[0]
    as_json = bool(glob.get("json") or cmd.get("json") or "fields" in cmd)  # --fields: JSON
    if as_json and cmd.get("csv"):
        return None
    try:
        for name in ("limit", "overdue", "offset"):
            if name in cmd:
                cmd[name] = int(cmd[name])
                if cmd[name] < 0:  # Typer refuses it with its own message
                    return None
        if "chapter" in cmd:
            cmd["chapter"] = [int(n) for n in cmd["chapter"]]
    except ValueError:
        return None  # Typer says what the option takes
    if command == "list":
        build = _list(cmd, glob, as_json)
        if build is None:
            return None

    elif command == "show":
        key = words[0]

        def build(runner: Any, plan_id: int, code: str, as_of: Any, settings: Any) -> Any:
            return _show(runner, plan_id, code, key, as_of, settings, as_json)

    elif command == "history":
        from lctasks.keys import normalize_keys

        keys = normalize_keys([words[0]])
        if not keys:
            return None
        asked = glob.get("plan") or os.environ.get("LCTASKS_PLAN") or None

        def build(runner: Any, plan_id: int, code: str, as_of: Any, settings: Any) -> Any:
            from lctasks.services.event_reads import task_events

            events = task_events(runner, keys[0], asked)  # the plan as given, as Typer
            if events is None or not as_json:
                return events
            from lctasks.cli.log_text import event_json

            return {"task": words[0].strip().upper(), "events": [event_json(e) for e in events]}

    elif command == "log":
        query = _log_query(cmd)
        if query is None:
            return None

        def build(runner: Any, plan_id: int, code: str, as_of: Any, settings: Any) -> Any:
            from lctasks.services.event_reads import KNOWN_ACTIONS, log_events

            events = log_events(runner, **query)
            if not events and (query["task"] or query["action"] not in (None, *KNOWN_ACTIONS)):
                return None  # a mistyped ID or action? Typer says so
            if not as_json:
                return events
            from lctasks.cli.log_text import event_json

            return {"events": [event_json(e) for e in events]}

    elif command == "plan":

        def build(runner: Any, plan_id: int, code: str, as_of: Any, settings: Any) -> Any:
            from lctasks.services.outline_read import coverage, outline

            tree = outline(runner, plan_id, as_of=as_of, settings=settings)
            cov = coverage(runner, plan_id, tree)
            if not as_json:
                return tree, cov
            from lctasks.cli.common import to_jsonable
            from lctasks.cli.plan_text import outline_json

            return to_jsonable({"outline": outline_json(tree), "coverage": cov})

    else:  # report
        from lctasks.cli.report_text import report_listed

        by = cmd.get("by", "unit")
        if by not in ("unit", "chapter"):
            return None
        listed = report_listed(cmd.get("overdue", 20), csv=bool(cmd.get("csv")), as_json=as_json)

        def build(runner: Any, plan_id: int, code: str, as_of: Any, settings: Any) -> Any:
            from lctasks.services.reports import build_report

            return build_report(runner, plan_id, code, by, as_of, settings, overdue=listed)

    data = _read(
        glob.get("db") or os.environ.get("LCTASKS_DB") or None,
        glob.get("plan") or os.environ.get("LCTASKS_PLAN") or None,
        cmd.get("as_of"),
        build,
    )
    if data is None:
        return None
    import sys

    from lctasks.cli.common import output_error, report_error
    from lctasks.domain import OutputError

    try:
        if as_json and command == "report":
            from lctasks.cli.report_text import report_json

            for piece in report_json(data):
                sys.stdout.write(piece)
        elif as_json:
            from lctasks.textsafe import json_text

            for piece in _json_pieces(data):
                sys.stdout.write(json_text(piece))  # C1 / bidi controls escaped too
        elif command == "list":
            from lctasks.cli.plan_text import print_task_table, task_cells

            print_task_table(
                data if isinstance(data, Iterator) else map(task_cells, data),
                csv=bool(cmd.get("csv")),
            )
        elif command in ("history", "log"):
            from lctasks.cli.log_text import page_events

            page_events(data, csv=bool(cmd.get("csv")))
        elif command == "plan":
            from lctasks.cli.common import out
            from lctasks.cli.output import paged
            from lctasks.cli.plan_text import coverage_lines, outline_lines

            tree, cov = data
            with paged():  # as plan_cmds.plan_cmd
                for line in outline_lines(tree, sections=True):
                    out(line)
                out()
                for line in coverage_lines(cov, tree):
                    out(line)
        elif command == "show":
            from lctasks.cli.common import out
            from lctasks.cli.output import paged
            from lctasks.cli.plan_text import show_lines

            with paged():
                for line in show_lines(*data):
                    out(line)
        else:
            from lctasks.cli.report_text import print_report

            print_report(data, overdue=cmd.get("overdue", 20), csv=bool(cmd.get("csv")))
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # `| head`: the reader had enough
    except (OutputError, OSError) as exc:  # a full disk: said on stderr, exit 9 (no change)
        failed = exc if isinstance(exc, OutputError) else output_error(exc)
        report_error(failed, as_json=as_json)
        return int(failed.exit_code)
    return 0


def _list(cmd: dict[str, Any], glob: dict[str, Any], as_json: bool) -> Any:
    """The ``build`` of ``list``: the rows of its filter (None: Typer's to say why not)."""
    from lctasks.cli.list_args import parse_fields, task_filter
    from lctasks.domain import LctasksError

    try:
        wanted = parse_fields(cmd["fields"]) if "fields" in cmd else None
        flt = task_filter(
            glob.get("plan") or os.environ.get("LCTASKS_PLAN") or None,
            chapter=cmd.get("chapter"),
            kind=cmd.get("kind"),
            unit=cmd.get("unit"),
            status=cmd.get("status"),
            light=cmd.get("light"),
            text=cmd.get("text"),
            due_before=cmd.get("due_before"),
            due_after=cmd.get("due_after"),
            unassigned=bool(cmd.get("unassigned")),
            removed=bool(cmd.get("removed")),
            order=cmd.get("order", "plan"),
            limit=cmd.get("limit"),
            offset=cmd.get("offset", 0),
        )
    except LctasksError:
        return None  # a value the command refuses: Typer says so, as always
    plain = flt == type(flt)(plan=flt.plan, order=flt.order, limit=flt.limit)

    def build(runner: Any, plan_id: int, code: str, as_of: Any, settings: Any) -> Any:
        if plain and wanted is None and flt.order in PLAIN_ORDERS:
            if as_json:
                return _list_rows(runner, plan_id, code, as_of, settings, flt.order, flt.limit)
            # the table of every task from the same records (100,000: no ``Task`` made)
            from lctasks.cli.plan_text import record_cells
            from lctasks.services.read_model import task_records

            records = task_records(
                runner, plan_id, as_of=as_of, settings=settings, limit=flt.limit, order=flt.order
            )
            return (record_cells(r) for r in records)
        from lctasks.services.read_model import list_tasks

        shorts: set[str] = set()
        if flt.units:
            from lctasks.units import resolve_shorts

            try:
                shorts = resolve_shorts(flt.units)
            except LctasksError:
                return None  # Typer names the nearest units
        tasks = list_tasks(
            runner,
            plan_id,
            code,
            flt,
            as_of=as_of,
            settings=settings,
            unit_shorts=shorts,
            with_reports=wanted is not None,
        )
        if not tasks and flt.chapters:
            return None  # maybe no such chapter: Typer says so
        if wanted is not None:
            return iter(_with_fields(runner, plan_id, code, tasks, wanted, as_of, settings))
        if as_json:
            from lctasks.cli.plan_text import task_json

            return (task_json(x) for x in tasks)
        return tasks

    return build


def _log_query(cmd: dict[str, Any]) -> dict[str, Any] | None:
    """``log_events``' arguments for ``log``'s options (None: Typer's to refuse them)."""
    from lctasks.domain import LctasksError
    from lctasks.services.event_reads import LogFilter, log_query

    try:
        from lctasks.cli.common import typed_date

        since, until = (typed_date(cmd[k]) if cmd.get(k) else None for k in ("since", "until"))
        return log_query(
            LogFilter(
                task=cmd.get("task"),
                actor=cmd.get("actor"),
                action=cmd.get("action"),
                source=cmd.get("source"),
                since=since,
                until=until,
                limit=cmd.get("limit"),
            )
        )
    except LctasksError:
        return None


def _with_fields(
    runner: Any,
    plan_id: int,
    code: str,
    tasks: list[Any],
    wanted: tuple[str, ...],
    as_of: Any,
    settings: Any,
) -> list[dict[str, Any]]:
    """``list --fields``: what ``plan_cmds.list_cmd`` prints, read over ``runner``."""
    from lctasks.cli.plan_text import tasks_with_fields
    from lctasks.domain import Status
    from lctasks.services.outline_read import outline, places
    from lctasks.services.task_read import checklists, closure

    lists = checklists(runner, plan_id, [x.id for x in tasks]) if "checklist" in wanted else {}
    where = {}
    if "where" in wanted:
        where = places(outline(runner, plan_id, as_of=as_of, settings=settings))

    def closed(task: Any) -> dict[str, str] | None:
        return closure(runner, code, task.id) if task.status is Status.CLOSED else None

    return tasks_with_fields(tasks, wanted, lists, where, closed)


def _read(db: str | None, plan: str | None, as_of_text: str | None, build: Any) -> Any:
    """Open the SQLite file with sqlite3, find the plan, build the answer; None: use Typer."""
    from lctasks import clock
    from lctasks.db.sql import LiteDatabase
    from lctasks.db.urls import resolve_url
    from lctasks.domain import LctasksError

    if as_of_text == "":
        return None
    try:
        lite = LiteDatabase.open(resolve_url(db))
    except (LctasksError, OSError):
        return None
    if lite is None:
        return None
    try:
        from lctasks.config import load_settings
        from lctasks.services.plan_choice import find_plan
        from lctasks.services.read_model import plan_codes

        if as_of_text is not None:
            from lctasks.dates import parse_date

            try:
                as_of = parse_date(as_of_text, today=clock.today())
            except LctasksError:
                return None
        else:
            as_of = clock.today()
        try:
            settings = load_settings()
        except LctasksError:
            return None
        from lctasks.config import apply_language

        apply_language(settings)  # LCTASKS_LANG or the settings' language, as the Typer path
        with lite.read() as runner:
            found = find_plan(plan_codes(runner), plan)
            if found is None:
                return None
            data = build(runner, found[0], found[1], as_of, settings)
    finally:
        lite.dispose()
    return data


def _json_pieces(data: Any) -> Iterator[str]:
    """The JSON document of ``data`` (rows one by one when it is an iterator)."""
    if isinstance(data, Iterator):
        return _dump_list(data)
    return iter([dumps(data) + "\n"])


def _dump_list(rows: Iterator[Any]) -> Iterator[str]:
    """``dumps(list(rows)) + "\\n"`` piece by piece: 100,000 rows never exist at once."""
    first = next(rows, None)
    if first is None:
        yield "[]\n"
        return
    yield "[\n  " + dumps(first).replace("\n", "\n  ")
    for row in rows:
        yield ",\n  " + dumps(row).replace("\n", "\n  ")
    yield "\n]\n"


def _list_rows(
    runner: Any, plan_id: int, code: str, as_of: Any, settings: Any, order: str, limit: int | None
) -> Iterator[dict[str, Any]]:
    """The rows of ``lctasks list --json`` (``plan_text.task_json``'s contract)."""
    from lctasks.services.read_model import task_records

    records = task_records(
        runner, plan_id, as_of=as_of, settings=settings, limit=limit, order=order
    )
    return (
        {
            "id": r.key,
            "plan": code,
            "kind": r.kind,
            "chapter": r.chapter,
            "section": r.section,
            "box": r.box,
            "category": r.category,
            "title": r.title,
            "lead_unit": r.lead,
            "co_units": list(r.co_units),
            "person": r.person,
            "leader": r.leader,
            "due": r.due.isoformat(),
            "due_basis": r.due_basis,
            "status": r.status,
            "progress": r.progress,
            "light": r.light.value,
            "suggested_lead": r.suggested_lead,
            "removed": r.removed,
            "version": r.version,
        }
        for r in records
    )


def _show(
    runner: Any, plan_id: int, code: str, key: str, as_of: Any, settings: Any, as_json: bool
) -> Any:
    """What ``show`` prints (``plan_cmds.show_cmd``): the JSON document, or the task
    detail and 销号 for the text; None: no such task (Typer names the nearest IDs).

    The JSON skips ``TaskDetail`` (importing ``services.query`` costs ~7 ms here)."""
    from lctasks.domain import Status
    from lctasks.services.task_read import closure, task_detail, task_full, task_place

    if as_json:
        task = task_full(runner, plan_id, code, key, as_of=as_of, settings=settings)
        if task is None:
            return None
        from lctasks.cli.plan_text import show_doc

        where = task_place(runner, plan_id, task.chapter, task.section, task.box)
        closed = closure(runner, code, task.id) if task.status is Status.CLOSED else None
        return show_doc(task, where, closed)
    detail = task_detail(runner, plan_id, code, key, as_of=as_of, settings=settings)
    if detail is None:
        return None
    task = detail.task
    return detail, closure(runner, code, task.id) if task.status is Status.CLOSED else None


def dumps(value: Any) -> str:
    """What ``lctasks.cli.common.print_json`` writes (plain data: no conversion needed)."""
    return json.dumps(value, ensure_ascii=False, indent=2)
