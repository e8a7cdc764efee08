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

Text = tuple[str, str]
"""A text people read: (中文, English). ``lctasks.cli.help_texts`` puts these in the
CLI message catalogue; the help is written in the user's language (``lctasks.cli.help``)."""
"""What the positional words are: IDs; IDs then a status; one ID then checklist
item numbers; IDs then a note text."""


@dataclass(frozen=True, slots=True)
class Opt:
    dest: str  # the keyword the service method takes
    flags: tuple[str, ...]  # "--note", "-n"
    kind: Kind = "str"
    default: object = None
    metavar: str = ""
    help: Text = ("", "")
    envvar: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # the word on the command line
    method: str  # the WorkflowService method it runs
    help: Text
    shape: Shape
    metavar: str  # of the positional words
    arg_help: Text
    options: tuple[Opt, ...] = field(default=())
    example: str = ""  # command lines, one a line (the same in both languages)

    @property
    def positional(self) -> str:
        """The Python name of the positional words."""
        return "ids" if self.shape == "ids" else "args"


# -- options shared by the commands ---------------------------------------------

FROM = Opt(
    "from_file",
    ("--from",),
    metavar="FILE",
    help=(
        "从文件读取任务编号（每行一个，# 开头为注释）；- 表示标准输入。",
        "Read IDs from FILE (one per line, # comments); - for stdin.",
    ),
)
DRY_RUN = Opt(
    "dry_run",
    ("--dry-run",),
    "flag",
    False,
    help=("只显示将做的更改，不写入。", "Show what would change; write nothing."),
)
JSON = Opt(
    "as_json",
    ("--json",),
    "flag",
    False,
    help=(
        "以 JSON 输出到标准输出：逐个编号的结果和汇总。",
        "JSON on stdout: per-ID results + summary.",
    ),
)
IF_VERSION = Opt(
    "if_version",
    ("--if-version",),
    "int",
    metavar="N",
    help=(
        "仅当任务仍是第 N 版时才修改（只用于一个编号）。",
        "Only if the task is at this version (single ID).",
    ),
)
REASON = Opt(
    "reason",
    ("--reason", "-r"),
    default="",
    metavar="TEXT",
    help=("原因（记入历史）。", "Why (recorded on the event)."),
)
BATCH = (FROM, DRY_RUN, JSON, IF_VERSION)  # every command that takes many IDs
ONE = (DRY_RUN, JSON, IF_VERSION)  # check: one task
IDS: tuple[str, Text] = ("ID...", ("任务编号，如 C10.M03 I07。", "Task IDs, e.g. C10.M03 I07."))

COMMANDS: tuple[Command, ...] = (
    Command(
        "assign",
        "assign",
        (
            "分配任务：牵头单位、配合单位、截止日期、责任人、牵头领导（转办须写 --reason）。",
            "Assign tasks: lead unit, co-units, deadline, person, leader (转办 needs --reason).",
        ),
        "ids",
        *IDS,
        (
            Opt(
                "lead",
                ("--lead", "-l"),
                metavar="UNIT",
                help=(
                    "牵头单位：全称、简称、拼音或首字母（如 kjj）。",
                    "Lead unit (牵头单位): name, pinyin, kjj.",
                ),
            ),
            Opt(
                "co",
                ("--co", "-c"),
                "multi",
                metavar="UNIT",
                help=(
                    "配合单位；可重复，或用逗号分隔。",
                    "Co-unit (配合单位); repeat or comma-separate.",
                ),
            ),
            Opt(
                "no_co",
                ("--no-co",),
                "flag",
                False,
                help=("清除全部配合单位。", "Remove all co-units."),
            ),
            Opt(
                "due",
                ("--due",),
                "date",
                metavar="DATE",
                help=(
                    "截止日期：2025-12-31、2025年底、月底、+30d …",
                    "Deadline: 2025-12-31, 2025年底, +30d …",
                ),
            ),
            Opt(
                "person",
                ("--person",),
                metavar="NAME",
                help=("责任人。", "Responsible person."),
            ),
            Opt(
                "leader",
                ("--leader",),
                metavar="NAME",
                help=("牵头市领导。", "Lead city leader."),
            ),
            REASON,
            *BATCH,
        ),
        example=(
            "lctasks assign C10.M03 --lead kjj --co 市财政局 --due 2026年6月底前\n"
            "lctasks assign C10.M03 C10.M04 --person 张伟 --leader 李明\n"
            "lctasks assign --from 本周.txt --lead 市发展改革委 --dry-run"
        ),
    ),
    Command(
        "accept",
        "accept_suggestion",
        (
            "采纳规则建议的牵头单位和配合单位（记为来自规则）。",
            "Accept the rule-suggested lead and co-units (recorded as coming from a rule).",
        ),
        "ids",
        *IDS,
        BATCH,
        example=("lctasks accept C10.M03 C10.M04\nlctasks accept --from 待采纳.txt --dry-run"),
    ),
    Command(
        "status",
        "set_status",
        (
            "修改任务状态（销号、退回另有命令 close、return）。",
            "Set the status of tasks (close / return have their own commands).",
        ),
        "ids_status",
        "ID... STATUS",
        ("任务编号，最后是状态（用 --to 时不写）。", "IDs, then the status (unless --to)."),
        (
            Opt(
                "to",
                ("--to",),
                metavar="STATUS",
                help=(
                    "目标状态：推进中、受阻、暂缓、已完成、未启动（或 in_progress、blocked …）。",
                    "not_started | in_progress | blocked | suspended | done (or 推进中 …).",
                ),
            ),
            REASON,
            *BATCH,
        ),
        example=(
            "lctasks status C10.M03 推进中\n"
            'lctasks status C10.M03 C10.M04 --to blocked --reason "资金未到位"'
        ),
    ),
    Command(
        "progress",
        "report_progress",
        (
            "报送进展：进展情况、存在问题、下一步措施。",
            "Report progress: what was done, problems, next steps "
            "(进展情况 / 存在问题 / 下一步措施).",
        ),
        "ids",
        *IDS,
        (
            Opt(
                "made",
                ("--made", "-m"),
                default="",
                metavar="TEXT",
                help=("进展情况。", "What was done (进展情况)."),
            ),
            Opt(
                "problems",
                ("--problems",),
                default="",
                metavar="TEXT",
                help=("存在问题。", "Problems met (存在问题)."),
            ),
            Opt(
                "next_steps",
                ("--next",),
                default="",
                metavar="TEXT",
                help=("下一步措施。", "Next steps (下一步措施)."),
            ),
            Opt(
                "percent",
                ("--percent", "-p"),
                "int",
                metavar="N",
                help=("完成进度 0–100。", "Progress 0-100."),
            ),
            Opt(
                "period",
                ("--period",),
                default="",
                metavar="YYYY-MM",
                help=(
                    "报送期，默认本期（如 2026-11、2026年第三季度）。",
                    "Reporting period, default this month (2026-11).",
                ),
            ),
            *BATCH,
        ),
        example=(
            'lctasks progress C10.M03 --made "完成主体工程" --next "组织验收" --percent 80\n'
            'lctasks progress C10.M03 --made "已开工" --period 2026年第三季度'
        ),
    ),
    Command(
        "check",
        "check",
        (
            "勾选（或用 --undo 取消）一个任务的清单项；进度按已勾选的比例计算。",
            "Tick (or --undo) checklist items of one task; progress follows the ticked share.",
        ),
        "id_items",
        "ID ITEM...",
        ("任务编号，然后是清单项序号（1 3、2-4）。", "The task ID, then item numbers (1 3, 2-4)."),
        (
            Opt(
                "undo",
                ("--undo",),
                "flag",
                False,
                help=("取消勾选。", "Untick instead of tick."),
            ),
            *ONE,
        ),
        example="lctasks check C10.M03 1 3\nlctasks check C10.M03 2-4 --undo",
    ),
    Command(
        "close",
        "close",
        (
            "销号：须写 --note 办结说明和 --evidence 佐证材料；已销号的任务不变。",
            "Close tasks (销号): needs --note and --evidence; a closed task stays unchanged.",
        ),
        "ids",
        *IDS,
        (
            Opt(
                "note",
                ("--note", "-n"),
                default="",
                metavar="TEXT",
                help=("办结说明。", "Completion note (办结说明)."),
            ),
            Opt(
                "evidence",
                ("--evidence", "-e"),
                default="",
                metavar="REF",
                help=(
                    "佐证材料（文号、文件名或链接）。",
                    "Evidence: document number, file name or link (佐证材料).",
                ),
            ),
            *BATCH,
        ),
        example=(
            'lctasks close C10.M03 --note "已建成投用" --evidence "聊发改〔2026〕12号"\n'
            'lctasks close --from 办结.txt -n "已办结" -e "验收报告" --dry-run'
        ),
    ),
    Command(
        "return",
        "return_",
        (
            "退回重办：把已完成或已销号的任务退回；须写 --reason。",
            "Return done or closed tasks for rework (退回重办); needs --reason.",
        ),
        "ids",
        *IDS,
        (REASON, *BATCH),
        example='lctasks return C10.M03 --reason "佐证材料不全"',
    ),
    Command(
        "reopen",
        "reopen",
        (
            "重新打开已销号、已完成或暂缓的任务（回到推进中）。",
            "Reopen closed, done or suspended tasks (back to in progress).",
        ),
        "ids",
        *IDS,
        (REASON, *BATCH),
        example='lctasks reopen C10.M03 --reason "需继续推进"',
    ),
    Command(
        "extend",
        "extend",
        (
            "延期：须写 --to 新期限和 --reason 原因；原定期限保留。",
            "Extend deadlines (延期): needs --to and --reason; the first deadline is kept.",
        ),
        "ids",
        *IDS,
        (
            Opt(
                "to",
                ("--to",),
                "date",
                "",
                metavar="DATE",
                help=(
                    "新期限：2026-06-30、2026年6月底前、+30d …",
                    "New deadline: 2026-06-30, 2026年6月底前, +30d …",
                ),
            ),
            REASON,
            Opt(
                "late",
                ("--late",),
                "flag",
                False,
                help=(
                    "期限已过后补批延期（督查室）。",
                    "Grant after the deadline has passed (督查室).",
                ),
            ),
            *BATCH,
        ),
        example=(
            'lctasks extend C10.M03 --to 2026年12月底前 --reason "受汛期影响"\n'
            'lctasks --as 王芳 extend C10.M03 --to +30d --reason "省级审批延后" --late'
        ),
    ),
    Command(
        "note",
        "note",
        ("给任务加一条备注，记入历史。", "Add a note to tasks' records."),
        "ids_text",
        "ID... TEXT",
        ("任务编号，最后是备注内容。", "IDs, then the note text."),
        BATCH,
        example=(
            'lctasks note C10.M03 "已在调度会上通报"\n'
            'lctasks note --from 名单.txt "请于月底前报送进展"'
        ),
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
        help=("数据库文件或 SQLAlchemy URL。", "Database file or SQLAlchemy URL."),
    ),
    Opt(
        "actor_name",
        ("--as",),
        metavar="NAME",
        envvar="LCTASKS_USER",
        help=("以此人身份操作（记入历史）。", "Act as this person (recorded on events)."),
    ),
    Opt(
        "json",
        ("--json",),
        "flag",
        False,
        help=("以 JSON 输出到标准输出。", "JSON output on stdout."),
    ),
    Opt(
        "plan",
        ("--plan",),
        metavar="CODE",
        envvar="LCTASKS_PLAN",
        help=("规划代码（载入了多个规划时）。", "Plan code when several are loaded."),
    ),
)
