"""``--help`` and usage errors in the user's language (imported only when needed).

Nothing here runs on a normal call: the command classes of ``lctasks.cli.app``
call :func:`render_help` when ``--help`` is asked for, and ``lctasks.cli.errors``
calls :func:`usage_error` when Click refuses a command line.

The texts are in the CLI catalogue (``lctasks.cli.help_texts``; the workflow
commands' in ``lctasks.cli.spec``), under ``cmd.<command path>`` (the summary),
``cmd.<path>.example`` (command lines, one a line) and ``cmd.<path>.<parameter>``;
``cmd.opt.<parameter>`` is the help of an option many commands share. The root
command's path is ``root``. They are set on the Click objects just before the help
is written, so the language is the one ``lctasks.config.apply_language`` chose.

Help is laid out by display width: a Chinese character takes two columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from typer._click.core import Command, Context
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoSuchOption,
)
from typer._click.exceptions import UsageError as ClickUsageError
from typer._click.formatting import HelpFormatter

from lctasks.domain import UsageError
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t
from lctasks.textwidth import clip, width

MESSAGES.add(
    {
        "usage.usage": ("用法：", "Usage: "),
        "usage.options_metavar": ("[选项]", "[OPTIONS]"),
        "usage.subcommand_metavar": ("命令 [参数]...", "COMMAND [ARGS]..."),
        "usage.heading.arguments": ("参数", "Arguments"),
        "usage.heading.options": ("选项", "Options"),
        "usage.heading.commands": ("命令", "Commands"),
        "usage.heading.examples": ("示例", "Examples"),
        "usage.help_option": ("显示本帮助并退出。", "Show this message and exit."),
        "usage.env": ("环境变量：", "env var: "),
        "usage.default": ("默认：", "default: "),
        "usage.required": ("必填", "required"),
        # usage errors: "错误：…" then "提示：…", exit 2
        "usage.see": ("用法和示例见 {help}", "usage and examples: {help}"),
        "usage.maybe": ("是不是 {words}？", "did you mean {words}? "),
        "usage.no_option": ("没有这个选项：{name}", "no such option: {name}"),
        "usage.no_command": ("没有这个命令：{name}", "no such command: {name}"),
        "usage.missing_command": ("缺少子命令", "missing command"),
        "usage.missing_option": ("缺少必填选项 {name}", "missing option {name}"),
        "usage.missing_argument": ("缺少参数 {name}", "missing argument {name}"),
        "usage.missing_hint": ("{name}：{help}", "{name}: {help}"),
        "usage.bad_value": (
            "{name} 的值“{value}”无效：{reason}",
            "invalid value for {name}: '{value}': {reason}",
        ),
        "usage.bad_value_plain": (
            "{name} 的值无效：{reason}",
            "invalid value for {name}: {reason}",
        ),
        "usage.want_int": ("应为整数", "must be a whole number"),
        "usage.want_number": ("应为数字", "must be a number"),
        "usage.want_bool": ("应为 true 或 false", "must be true or false"),
        "usage.want_ge": ("应不小于 {n}", "must be at least {n}"),
        "usage.want_gt": ("应大于 {n}", "must be more than {n}"),
        "usage.want_le": ("应不大于 {n}", "must be at most {n}"),
        "usage.want_lt": ("应小于 {n}", "must be less than {n}"),
        "usage.want_choice": ("应为 {choices} 之一", "must be one of {choices}"),
        "usage.needs_value": ("选项 {name} 后面要跟一个值", "option {name} needs a value"),
        "usage.takes_no_value": ("选项 {name} 不带值", "option {name} does not take a value"),
        "usage.extra": ("多余的参数：{args}", "unexpected extra argument(s): {args}"),
        "usage.other": ("命令行有误：{detail}", "{detail}"),
    }
)

_HEADINGS = {
    "Arguments": "usage.heading.arguments",
    "Options": "usage.heading.options",
    "Commands": "usage.heading.commands",
}

# -- wrapping by display width ---------------------------------------------------

# a run of spaces, a run of other non-wide characters (a word, an option), or one
# wide character (Chinese text breaks between any two characters)
_TOKEN = re.compile(
    r"\s+|[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uffef]+|."
)
_NO_LINE_START = set("，。、；：？！）」』》〉】”’…,.;:?!)")
_NO_LINE_END = set("（「『《〈【“‘(")


def _tokens(text: str) -> list[str]:
    """Words to wrap: closing punctuation kept with what it follows, opening with what
    follows it, so no line starts with "，" or ends with "（"."""
    out: list[str] = []
    glue = False
    for tok in _TOKEN.findall(text):
        if out and not tok.isspace() and (glue or tok[0] in _NO_LINE_START):
            out[-1] += tok
        else:
            out.append(tok)
        glue = not tok.isspace() and tok[-1] in _NO_LINE_END
    return out


def fill(text: str, limit: int, initial: str = "", subsequent: str = "") -> str:
    """``text`` wrapped to ``limit`` columns (a wide character counts two)."""
    lines: list[str] = []
    line, used, space = initial, width(initial), False
    fresh = True  # nothing on this line yet
    for tok in _tokens(text):
        if tok.isspace():
            space = not fresh
            continue
        gap = 1 if space and not _joins(line, tok) else 0
        w = width(tok)
        if not fresh and used + gap + w > limit:
            lines.append(line.rstrip())
            line, used = subsequent + tok, width(subsequent) + w
        else:
            line += " " * gap + tok
            used += gap + w
        fresh, space = False, False
    lines.append(line.rstrip())
    return "\n".join(lines)


def _joins(line: str, tok: str) -> bool:
    """Chinese next to Chinese needs no space (a line break in the source is not one)."""
    return bool(line) and width(line[-1]) == 2 and width(tok[0]) == 2


class Formatter(HelpFormatter):
    """Click's help layout, with headings in the user's language and text wrapped by
    display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        # Typer's "{ID}" (a required argument) and "[ID...]..." read as ID and [ID...],
        # "[[FILE]...]" (a metavar with its own brackets) as [FILE...]
        args = re.sub(r"\{([^{}]*)\}", r"\1", args).replace("...]...", "...]")
        args = re.sub(r"\[\[([^\[\]]+)\](\.\.\.)?\]", r"[\1\2]", args)
        head = " " * self.current_indent + (t("usage.usage") if prefix is None else prefix)
        head += f"{prog} "
        self.write(fill(args, self.width, head, " " * width(head)) + "\n")

    def write_heading(self, heading: str) -> None:
        key = _HEADINGS.get(heading)
        title = t(key) if key else heading
        self.write(f"{'':>{self.current_indent}}{title}{t('colon').strip()}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        out = []
        for paragraph in re.split(r"\n\s*\n", text.strip("\n")):
            lines = paragraph.splitlines()
            if lines and lines[0].strip() == "\b":  # as in Click: keep the lines as they are
                out.append("\n".join(indent + line for line in lines[1:]))
            else:
                joined = " ".join(line.strip() for line in lines)
                out.append(fill(joined, self.width, indent, indent))
        self.write("\n\n".join(out) + "\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = [(_term(term), text) for term, text in rows]
        if not rows:
            return
        first = min(max(width(r[0]) for r in rows), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(indent + term)
            if not text:
                self.write("\n")
                continue
            if width(term) <= first - col_spacing:
                self.write(" " * (first - width(term)))
            else:
                self.write("\n" + " " * (first + self.current_indent))
            lines = fill(_extras(text), max(self.width - first - 2, 10)).splitlines()
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first + self.current_indent) + line + "\n")


_TYPE = re.compile(r" <(?:list\[)?([a-z ]+)\]?>$")
_TYPES = {"str": "TEXT", "int": "N", "int range": "N", "float": "NUM", "float range": "NUM"}


def _term(term: str) -> str:
    """Typer writes a parameter's Python type: ``--unit <str>``, ``ID... <list[str]>``.
    People read TEXT and N after an option, nothing after an argument's name."""
    m = _TYPE.search(term)
    if m is None:
        return term
    if not term.startswith("-"):
        return term[: m.start()]
    return term[: m.start()] + " " + _TYPES.get(m.group(1), "VALUE")


_EXTRAS = re.compile(r"\[([^\[\]]*)\]$")


def _extras(text: str) -> str:
    """Typer's "[env var: X; default: Y; required]" after an option's help, translated."""

    def one(part: str) -> str:
        for prefix, key in (("env var: ", "usage.env"), ("default: ", "usage.default")):
            if part.startswith(prefix):
                return t(key) + part[len(prefix) :]
        return t("usage.required") if part == "required" else part

    def repl(m: re.Match[str]) -> str:
        return "[" + t("semi").join(one(p) for p in m.group(1).split("; ")) + "]"

    return _EXTRAS.sub(repl, text)


# -- the texts -------------------------------------------------------------------


def command_path(ctx: Context | None) -> tuple[str, ...]:
    """The command words below ``lctasks``: ``("people", "add")``."""
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return tuple(reversed(names))


def key_of(path: Sequence[str]) -> str:
    return "cmd." + (".".join(path) if path else "root")


def text(key: str) -> str | None:
    """The catalogue's text for ``key`` in the current language, None when there is none."""
    from lctasks.cli import help_texts  # noqa: F401  (adds the texts to the catalogue)

    return t(key) if key in MESSAGES else None


def param_help(path: Sequence[str], name: str) -> str | None:
    key = key_of(path)
    return text(f"{key}.{name}") or text(f"cmd.opt.{name}")


def examples(path: Sequence[str]) -> list[str]:
    found = text(key_of(path) + ".example")
    return found.splitlines() if found else []


def _first_sentence(summary: str) -> str:
    m = re.match(r"(.+?[。！？]|.+?[.!?](?=\s|$))", summary)
    return m.group(1) if m else summary


def localize(cmd: Command, path: Sequence[str], ctx: Context | None = None) -> None:
    """Put the current language's summary and option help on ``cmd`` (Click objects)."""
    summary = text(key_of(path))
    if summary is not None:
        cmd.help = summary
    cmd.options_metavar = t("usage.options_metavar")
    if hasattr(cmd, "subcommand_metavar"):  # a group
        cmd.subcommand_metavar = t("usage.subcommand_metavar")  # type: ignore[attr-defined]
    for param in cmd.params:
        if getattr(param, "param_type_name", "") == "argument" and not param.metavar:
            param.metavar = (param.name or "").upper()  # "FILE", as Click writes it
        found = param_help(path, param.name or "")
        if found is not None and hasattr(param, "help"):
            param.help = found
    if ctx is not None:
        option = cmd.get_help_option(ctx)
        if option is not None:
            option.help = t("usage.help_option")


def localize_tree(root: Command) -> None:
    """Every command's texts, for shell completion (zsh and fish show them)."""
    from lctasks.config import apply_language

    apply_language()

    def walk(cmd: Command, path: tuple[str, ...]) -> None:
        localize(cmd, path)
        if path:
            cmd.short_help = clip(_first_sentence(cmd.help or ""), 45)
        for name, sub in subcommands(cmd).items():
            walk(sub, (*path, name))

    walk(root, ())


def subcommands(cmd: Command) -> dict[str, Command]:
    found: dict[str, Command] = getattr(cmd, "commands", {})
    return found


def render_help(cmd: Command, ctx: Context) -> str:
    """The ``--help`` page of ``cmd``: summary, usage, arguments, options, examples."""
    from lctasks.config import apply_language

    apply_language()  # `lctasks --help` is written before the root callback runs
    path = command_path(ctx)
    localize(cmd, path, ctx)
    formatter = Formatter(width=ctx.terminal_width, max_width=ctx.max_content_width)
    subs = subcommands(cmd)
    for name, sub in subs.items():
        localize(sub, (*path, name))
        # one line each in the list of commands (Click's own limit counts characters)
        room = formatter.width - 6 - max(width(n) for n in subs)
        sub.short_help = clip(_first_sentence(sub.help or ""), max(room, 20))
    cmd.format_usage(ctx, formatter)
    cmd.format_help_text(ctx, formatter)
    cmd.format_options(ctx, formatter)
    lines = examples(path)
    if lines:
        with formatter.section(t("usage.heading.examples")):
            formatter.write_text("\b\n" + "\n".join(lines))
    return formatter.getvalue().rstrip("\n")


# -- usage errors ----------------------------------------------------------------


class NoSuchCommand(ClickUsageError):
    """A command word the group does not have (raised by the app's group class)."""

    def __init__(self, name: str, known: Iterable[str], ctx: Context) -> None:
        super().__init__(f"No such command {name!r}.", ctx)
        self.name = name
        self.known = list(known)


def _display(param: Any) -> str:
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "option" and param.opts:
        longest: str = max(param.opts, key=len)
        return longest
    metavar = getattr(param, "metavar", None) or (param.name or "").upper()
    return str(metavar).rstrip(".…").strip("[]")


_BOUNDS = {  # pydantic's error type → (its bound, our message)
    "greater_than_equal": ("ge", "usage.want_ge"),
    "greater_than": ("gt", "usage.want_gt"),
    "less_than_equal": ("le", "usage.want_le"),
    "less_than": ("lt", "usage.want_lt"),
}


def _reason(exc: BadParameter) -> tuple[str | None, str]:
    """(the value typed, why it is refused) from the pydantic error Typer raised from."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None, exc.message
    try:
        first = errors()[0]
    except (IndexError, TypeError):
        return None, exc.message
    kind = str(first.get("type", ""))
    value = first.get("input")
    if kind in ("int_parsing", "int_from_float", "int_type"):
        reason = t("usage.want_int")
    elif kind in ("float_parsing", "float_type", "decimal_parsing"):
        reason = t("usage.want_number")
    elif kind in ("bool_parsing", "bool_type"):
        reason = t("usage.want_bool")
    elif kind in _BOUNDS:
        bound = (first.get("ctx") or {}).get(_BOUNDS[kind][0])
        reason = t(_BOUNDS[kind][1], n=bound)
    elif kind in ("enum", "literal_error"):
        expected = str((first.get("ctx") or {}).get("expected", ""))
        reason = t("usage.want_choice", choices=expected)
    else:
        reason = str(first.get("msg", exc.message))
    return (None if value is None else str(value)), reason


def _close(word: str, known: Iterable[str]) -> list[str]:
    """The nearest command or option names (the product's one ranker, lctasks.nearest)."""
    from lctasks.nearest import nearest

    choices = sorted(set(known))
    return [choices[i] for i, _ in nearest(word, choices, limit=3, cutoff=75)]


_EXTRA = "Got unexpected extra argument(s) ("  # Click's words (typer._click.core)


def usage_error(exc: ClickUsageError) -> UsageError:
    """Click's refusal of a command line as the product says errors (exit 2)."""
    from lctasks.config import apply_language

    apply_language()  # a mistyped command is refused before the root callback runs
    ctx = exc.ctx
    path = command_path(ctx)
    see = t("usage.see", help=" ".join(("lctasks", *path, "--help")))
    maybe: Sequence[str] = ()
    if isinstance(exc, NoSuchCommand):
        message = t("usage.no_command", name=exc.name)
        maybe = _close(exc.name, exc.known)
    elif isinstance(exc, NoSuchOption):
        message = t("usage.no_option", name=exc.option_name)
        if ctx is not None:
            params = ctx.command.get_params(ctx)
            options = [o for p in params for o in (*p.opts, *p.secondary_opts) if o[:1] == "-"]
            maybe = _close(exc.option_name, options)
    elif isinstance(exc, MissingParameter):
        name = _display(exc.param)
        kind = exc.param_type or getattr(exc.param, "param_type_name", "option")
        message = t(
            "usage.missing_argument" if kind == "argument" else "usage.missing_option", name=name
        )
        about = param_help(path, exc.param.name or "") if exc.param is not None else None
        if about:
            see = t("usage.missing_hint", name=name, help=about.rstrip("。.")) + t("semi") + see
    elif isinstance(exc, BadParameter):
        name = _display(exc.param) or str(exc.param_hint or "")
        value, reason = _reason(exc)
        if value is None:
            message = t("usage.bad_value_plain", name=name, reason=reason)
        else:
            message = t("usage.bad_value", name=name, value=value, reason=reason)
    elif isinstance(exc, BadOptionUsage) and exc.message.endswith("requires an argument."):
        message = t("usage.needs_value", name=exc.option_name)
    elif isinstance(exc, BadOptionUsage) and exc.message.endswith("take a value."):
        message = t("usage.takes_no_value", name=exc.option_name)
    elif exc.message.startswith(_EXTRA):
        message = t("usage.extra", args=exc.message[len(_EXTRA) :].removesuffix(")"))
    elif exc.message == "Missing command.":
        message = t("usage.missing_command")
    else:
        message = t("usage.other", detail=exc.format_message())
    hint = (t("usage.maybe", words=" / ".join(maybe)) if maybe else "") + see
    return UsageError(message, hint=hint)
