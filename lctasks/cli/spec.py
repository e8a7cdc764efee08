"""The workflow commands' options, declared once (standard library only).

Three readers, one table:

- ``lctasks.cli.fast`` parses a command line with it (no typer at start-up);
- ``lctasks.cli.workflow`` builds the Typer commands (``--help``, usage errors)
  from it;
- ``lctasks.cli.actions.run_command`` hands the values to the workflow service
  method named by the command, keyword for keyword (``Opt.dest`` is the
  service's parameter name).

``tests/functional/test_cli_workflow.py`` checks that the two parsers agree, option kinds,
defaults and environment variables included. Adding an option to ``close``
means one ``Opt`` below and the parameter in ``WorkflowService.close``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["str", "int", "flag", "multi", "date"]
"""``str`` one value; ``int``; ``flag`` (no value); ``multi`` a repeatable value;
``date`` a value people type as a date (2026-06-30, 2026年6月底前, +30d), handed
to the service as a ``datetime.date`` (empty: ``None``, not given)."""

Shape = Literal["ids", "ids_status", "id_items", "ids_text"]
"""What the positional words are: IDs; IDs then a status; one ID then checklist
item numbers; IDs then a note text."""


@dataclass(frozen=True, slots=True)
class Opt:
    dest: str  # the keyword the service method takes
    flags: tuple[str, ...]  # "--note", "-n"
    kind: Kind = "str"
    default: object = None
    metavar: str = ""
    help: str = ""
    envvar: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # the word on the command line
    method: str  # the WorkflowService method it runs
    help: str
    shape: Shape
    metavar: str  # of the positional words
    arg_help: str
    options: tuple[Opt, ...] = field(default=())

    @property
    def positional(self) -> str:
        """The Python name of the positional words."""
        return "ids" if self.shape == "ids" else "args"


# -- options shared by the commands ---------------------------------------------

FROM = Opt(
    "from_file",
    ("--from",),
    metavar="FILE",
    help="Read IDs from FILE (one per line, # comments); - for stdin.",
)
DRY_RUN = Opt(
    "dry_run", ("--dry-run",), "flag", False, help="Show what would change; write nothing."
)
JSON = Opt("as_json", ("--json",), "flag", False, help="JSON on stdout: per-ID results + summary.")
IF_VERSION = Opt(
    "if_version",
    ("--if-version",),
    "int",
    metavar="N",
    help="Only if the task is at this version (single ID).",
)
REASON = Opt(
    "reason", ("--reason", "-r"), default="", metavar="TEXT", help="Why (recorded on the event)."
)
BATCH = (FROM, DRY_RUN, JSON, IF_VERSION)  # every command that takes many IDs
ONE = (DRY_RUN, JSON, IF_VERSION)  # check: one task
IDS = ("ID...", "Task IDs, e.g. C10.M03 I07.")

COMMANDS: tuple[Command, ...] = (
    Command(
        "assign",
        "assign",
        "Assign tasks: lead unit, co-units, deadline, person, leader (转办 needs --reason).",
        "ids",
        *IDS,
        (
            Opt(
                "lead",
                ("--lead", "-l"),
                metavar="UNIT",
                help="Lead unit (牵头单位): name, pinyin, kjj.",
            ),
            Opt(
                "co",
                ("--co", "-c"),
                "multi",
                metavar="UNIT",
                help="Co-unit (配合单位); repeat or comma-separate.",
            ),
            Opt("no_co", ("--no-co",), "flag", False, help="Remove all co-units."),
            Opt(
                "due",
                ("--due",),
                "date",
                metavar="DATE",
                help="Deadline: 2025-12-31, 2025年底, +30d …",
            ),
            Opt("person", ("--person",), metavar="NAME", help="Responsible person."),
            Opt("leader", ("--leader",), metavar="NAME", help="Lead city leader."),
            REASON,
            *BATCH,
        ),
    ),
    Command(
        "accept",
        "accept_suggestion",
        "Accept the rule-suggested lead and co-units (recorded as coming from a rule).",
        "ids",
        *IDS,
        BATCH,
    ),
    Command(
        "status",
        "set_status",
        "Set the status of tasks (close / return have their own commands).",
        "ids_status",
        "ID... STATUS",
        "IDs, then the status (unless --to).",
        (
            Opt(
                "to",
                ("--to",),
                metavar="STATUS",
                help="not_started | in_progress | blocked | suspended | done (or 推进中 …).",
            ),
            REASON,
            *BATCH,
        ),
    ),
    Command(
        "progress",
        "report_progress",
        "Report progress (进展情况 / 存在问题 / 下一步措施).",
        "ids",
        *IDS,
        (
            Opt(
                "made",
                ("--made", "-m"),
                default="",
                metavar="TEXT",
                help="进展情况: progress made.",
            ),
            Opt(
                "problems", ("--problems",), default="", metavar="TEXT", help="存在问题: problems."
            ),
            Opt(
                "next_steps",
                ("--next",),
                default="",
                metavar="TEXT",
                help="下一步措施: next steps.",
            ),
            Opt("percent", ("--percent", "-p"), "int", metavar="N", help="Progress 0-100."),
            Opt(
                "period",
                ("--period",),
                default="",
                metavar="YYYY-MM",
                help="Reporting period, default this month (2026-11).",
            ),
            *BATCH,
        ),
    ),
    Command(
        "check",
        "check",
        "Tick (or --undo) checklist items of one task; progress follows the ticked share.",
        "id_items",
        "ID ITEM...",
        "The task ID, then item numbers (1 3, 2-4).",
        (Opt("undo", ("--undo",), "flag", False, help="Untick instead of tick."), *ONE),
    ),
    Command(
        "close",
        "close",
        "Close tasks (销号): needs --note and --evidence; a closed task stays unchanged.",
        "ids",
        *IDS,
        (
            Opt(
                "note",
                ("--note", "-n"),
                default="",
                metavar="TEXT",
                help="办结说明: completion note.",
            ),
            Opt(
                "evidence",
                ("--evidence", "-e"),
                default="",
                metavar="REF",
                help="佐证材料: evidence reference.",
            ),
            *BATCH,
        ),
    ),
    Command(
        "return",
        "return_",
        "Return done or closed tasks for rework (退回重办); needs --reason.",
        "ids",
        *IDS,
        (REASON, *BATCH),
    ),
    Command(
        "reopen",
        "reopen",
        "Reopen closed, done or suspended tasks (back to in progress).",
        "ids",
        *IDS,
        (REASON, *BATCH),
    ),
    Command(
        "extend",
        "extend",
        "Extend deadlines (延期): needs --to and --reason; the first deadline is kept.",
        "ids",
        *IDS,
        (
            Opt(
                "to",
                ("--to",),
                "date",
                "",
                metavar="DATE",
                help="New deadline: 2026-06-30, 2026年6月底前, +30d …",
            ),
            REASON,
            Opt(
                "late",
                ("--late",),
                "flag",
                False,
                help="Grant after the deadline has passed (督查室).",
            ),
            *BATCH,
        ),
    ),
    Command(
        "note",
        "note",
        "Add a note to tasks' records.",
        "ids_text",
        "ID... TEXT",
        "IDs, then the note text.",
        BATCH,
    ),
)
BY_NAME = {c.name: c for c in COMMANDS}

# -- the root's options (every command) ------------------------------------------

GLOBAL: tuple[Opt, ...] = (
    Opt(
        "db",
        ("--db",),
        metavar="PATH_OR_URL",
        envvar="LCTASKS_DB",
        help="Database file or SQLAlchemy URL.",
    ),
    Opt(
        "actor_name",
        ("--as",),
        metavar="NAME",
        envvar="LCTASKS_USER",
        help="Act as this person (recorded on events).",
    ),
    Opt("json", ("--json",), "flag", False, help="JSON output on stdout."),
    Opt(
        "plan",
        ("--plan",),
        metavar="CODE",
        envvar="LCTASKS_PLAN",
        help="Plan code when several are loaded.",
    ),
)
