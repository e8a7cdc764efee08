"""Every command's --help is in the user's language, with option help and examples;
Click's usage errors are said as the product's errors ("错误：…" / "提示：…", exit 2).

The walk covers the whole Click tree of the Typer app, so a new command (or option)
without its texts in the CLI catalogue (lctasks/cli/help_texts.py, or lctasks/cli/spec.py
for the workflow commands) fails here.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from lctasks.cli.app import app
from lctasks.cli.help import examples, key_of
from lctasks.i18n import CLI
from lctasks.textwidth import width

runner = CliRunner()
CJK = re.compile(r"[\u4e00-\u9fff]")


def _walk() -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    root = get_command(app)

    def go(path: tuple[str, ...], cmd: Any, ctx: Any) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
        yield path, cmd, ctx
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from go((*path, name), sub, type(ctx)(sub, info_name=name, parent=ctx))

    yield from go((), root, root.context_class(root, info_name="lctasks"))


def _english(text: str) -> bool:
    """Mostly English (a Chinese term in brackets, 销号, is fine)."""
    return len(re.findall(r"[A-Za-z]", text)) > len(CJK.findall(text))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_has_help_and_an_example_in_the_users_language(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if lang == "en":
        monkeypatch.setenv("LCTASKS_LANG", "en")
    seen = 0
    for path, cmd, ctx in _walk():
        page = cmd.get_help(ctx)
        where = " ".join(("lctasks", *path))
        heads = (
            ("用法：", "选项：", "示例：") if lang == "zh" else ("Usage:", "Options:", "Examples:")
        )
        assert all(h in page for h in heads), (where, page)
        shown = page.split(heads[2])[1].split()
        assert "lctasks" in shown, where
        assert max(width(line) for line in page.splitlines()) <= 80, where  # examples too
        texts = {"summary": cmd.help or ""}
        texts |= {p.name: getattr(p, "help", None) or "" for p in cmd.get_params(ctx)}
        for name, text in texts.items():
            assert text, (where, name)
            if lang == "zh":
                assert CJK.search(text), (where, name, text)
            else:
                assert _english(text), (where, name, text)
            assert text.split("。")[0][:12] in page or name == "summary", (where, name)
        seen += 1
    assert seen >= 37  # 32 commands, the people group and its 4, the root


def test_every_example_is_a_command_line_the_cli_accepts() -> None:
    root = get_command(app)
    for path, _, _ in _walk():
        for line in examples(path):
            words = shlex.split(line)
            words = [w for w in words if not re.fullmatch(r"[A-Z_]+=\S*", w)]
            for stop in (">", "|"):
                words = words[: words.index(stop)] if stop in words else words
            assert words[0] == "lctasks", line
            if "--help" in words:
                continue
            ctx = root.make_context("lctasks", words[1:])
            cmd = root
            while hasattr(cmd, "commands"):
                rest = [*ctx._protected_args, *ctx.args]
                if not rest:
                    break
                name, cmd, args = cmd.resolve_command(ctx, rest)
                ctx = cmd.make_context(name, args, parent=ctx)  # raises on a usage error


def test_no_help_text_is_left_over_from_a_command_or_option_that_is_gone() -> None:
    wanted: set[str] = set()
    shared: set[str] = set()
    for path, cmd, _ in _walk():
        key = key_of(path)
        wanted |= {key, f"{key}.example"}
        for p in cmd.params:
            if f"{key}.{p.name}" in CLI:
                wanted.add(f"{key}.{p.name}")
            else:
                shared.add(f"cmd.opt.{p.name}")
    keys = {k for k in CLI.own if k.startswith("cmd.")}
    assert keys - wanted - shared == set()


def test_help_is_chinese_by_default_and_english_with_the_language_switch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    res = runner.invoke(app, ["close", "--help"])
    assert res.exit_code == 0
    assert "销号：须写 --note 办结说明和 --evidence 佐证材料" in res.stdout
    assert "-n, --note TEXT     办结说明。" in res.stdout
    assert "示例：\n  lctasks close C10.M03 --note" in res.stdout
    assert runner.invoke(app, ["close", "-h"]).stdout == res.stdout  # -h as gh has it
    monkeypatch.setenv("LCTASKS_LANG", "en")
    res = runner.invoke(app, ["close", "--help"])
    assert "Close tasks (销号): needs --note and --evidence" in res.stdout
    assert "Examples:\n  lctasks close C10.M03 --note" in res.stdout


def test_help_lines_fit_the_terminal_counting_chinese_as_two_columns() -> None:
    res = runner.invoke(app, ["--help"], terminal_width=80)
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert max(width(line) for line in lines) <= 80
    # one line per command in the list
    assert sum(1 for line in lines if line.startswith("  close ")) == 1


USAGE_ERRORS = [
    (
        ["list", "--fields2", "id"],
        "错误：没有这个选项：--fields2\n提示：是不是 --fields？用法和示例见 lctasks list --help\n",
        "error: no such option: --fields2\n"
        "hint: did you mean --fields? usage and examples: lctasks list --help\n",
    ),
    (
        ["notice", "--unit", "gxj"],
        "错误：缺少必填选项 --out\n"
        "提示：--out：要写入的 .docx 文件；用法和示例见 lctasks notice --help\n",
        "error: missing option --out\n"
        "hint: --out: The .docx file to write; usage and examples: lctasks notice --help\n",
    ),
    (
        ["report", "--overdue", "abc"],
        "错误：--overdue 的值“abc”无效：应为整数\n提示：用法和示例见 lctasks report --help\n",
        "error: invalid value for --overdue: 'abc': must be a whole number\n"
        "hint: usage and examples: lctasks report --help\n",
    ),
    (
        ["notice", "--unit", "gxq", "--out", "x.docx", "--within", "0"],
        "错误：--within 的值“0”无效：应不小于 1\n提示：用法和示例见 lctasks notice --help\n",
        "error: invalid value for --within: '0': must be at least 1\n"
        "hint: usage and examples: lctasks notice --help\n",
    ),
    (
        ["lst"],
        "错误：没有这个命令：lst\n提示：是不是 list？用法和示例见 lctasks --help\n",
        "error: no such command: lst\n"
        "hint: did you mean list? usage and examples: lctasks --help\n",
    ),
    (
        ["show", "C10.M03", "C10.M04"],
        "错误：多余的参数：C10.M04\n提示：用法和示例见 lctasks show --help\n",
        "error: unexpected extra argument(s): C10.M04\n"
        "hint: usage and examples: lctasks show --help\n",
    ),
    (
        ["assign", "C10.M03", "--lead"],
        "错误：选项 --lead 后面要跟一个值\n提示：用法和示例见 lctasks assign --help\n",
        "error: option --lead needs a value\nhint: usage and examples: lctasks assign --help\n",
    ),
    (
        ["people", "add"],
        "错误：缺少参数 NAME\n"
        "提示：NAME：姓名；在 PostgreSQL 上即数据库登录名；"
        "用法和示例见 lctasks people add --help\n",
        "error: missing argument NAME\n"
        "hint: NAME: Person's name; on PostgreSQL the database login; "
        "usage and examples: lctasks people add --help\n",
    ),
]


@pytest.mark.parametrize(("args", "zh", "en"), USAGE_ERRORS)
def test_usage_errors_are_said_as_the_products_errors(
    args: list[str], zh: str, en: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = runner.invoke(app, args)
    assert (res.exit_code, res.stdout, res.stderr) == (2, "", zh)
    monkeypatch.setenv("LCTASKS_LANG", "en")
    res = runner.invoke(app, args)
    assert (res.exit_code, res.stdout, res.stderr) == (2, "", en)


def test_shell_completion_describes_commands_and_options_in_the_users_language() -> None:
    env = {"_LCTASKS_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "lctasks cl"}
    res = runner.invoke(app, [], env=env, prog_name="lctasks")
    assert '"close":"销号：' in res.stdout
    env["_TYPER_COMPLETE_ARGS"] = "lctasks close --"
    res = runner.invoke(app, [], env=env, prog_name="lctasks")
    assert '"--note":"办结说明。"' in res.stdout
    res = runner.invoke(app, [], env={**env, "LCTASKS_LANG": "en"}, prog_name="lctasks")
    assert '"--note":"Completion note (办结说明)."' in res.stdout


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["evaluate", "--year", "2023", "--final"], "只能选一个", "give only one of"),
        (["share", "I11"], "需要 --unit 和 --target", "--unit and --target are needed"),
        (["actual", "I01", "2023"], "用法：lctasks actual", "usage: lctasks actual"),
    ],
)
def test_the_indicator_commands_refuse_in_the_users_language(
    args: list[str], zh: str, en: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 4 and zh in res.stderr
    monkeypatch.setenv("LCTASKS_LANG", "en")
    res = runner.invoke(app, args)
    assert res.exit_code == 4 and en in res.stderr and not CJK.search(res.stderr.split("\n")[0])
