"""Click's refusals of a command line, as a user meets them in a shell: one Chinese
error line and a hint (English with LCTASKS_LANG=en), exit 2, nothing on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def lctasks(*args: str, lang: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LCTASKS_LANG"}
    if lang:
        env["LCTASKS_LANG"] = lang
    return subprocess.run(
        [sys.executable, "-c", "from lctasks.cli.entry import main; main()", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("list", "--fields2", "id"), "错误：没有这个选项：--fields2"),
        (("notice", "--unit", "gxj"), "错误：缺少必填选项 --out"),
        (("report", "--overdue", "abc"), "错误：--overdue 的值“abc”无效：应为整数"),
        # -1 listed every overdue task, as 0 does (QA pass 2)
        (("report", "--overdue", "-1"), "错误：--overdue 的值“-1”无效：应不小于 0"),
        (("close", "C10.M03", "--bogus"), "错误：没有这个选项：--bogus"),  # via the fast path
    ],
)
def test_usage_errors_are_one_chinese_line_and_a_hint(args: tuple[str, ...], line: str) -> None:
    res = lctasks(*args)
    assert (res.returncode, res.stdout) == (2, "")
    first, hint = res.stderr.splitlines()
    assert first == line
    assert hint.startswith("提示：") and hint.endswith(f"lctasks {args[0]} --help")


def test_usage_errors_are_english_with_the_language_switch() -> None:
    res = lctasks("list", "--fields2", "id", lang="en")
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == (
        "error: no such option: --fields2\n"
        "hint: did you mean --fields? usage and examples: lctasks list --help\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--json", "--csv"),
        ("--json", "report", "--csv"),
        ("log", "--csv", "--json"),
        ("units", "--json", "--csv"),
    ],
)
def test_json_and_csv_together_are_refused(args: tuple[str, ...]) -> None:
    """One output at a time: JSON used to win over CSV without a word (QA pass 2)."""
    res = lctasks(*args)
    assert (res.returncode, res.stdout) == (2, "")
    assert json.loads(res.stderr)["error"] == {
        "type": "UsageError",
        "message": "--json 与 --csv 只能选一个",
        "hint": "程序读取用 --json，电子表格用 --csv",
        "ids": [],
        "exit_code": 2,
    }


def test_fields_and_csv_together_are_refused() -> None:
    res = lctasks("list", "--fields", "id", "--csv")
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == (
        "错误：--json 与 --csv 只能选一个\n提示：程序读取用 --json，电子表格用 --csv\n"
    )
