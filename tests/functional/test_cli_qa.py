"""Found in a hands-on QA pass: each test reproduces what a user or script saw.

On the real plan, through Typer's CliRunner and, where the start-up path or a
closed pipe matters, as real subprocesses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import ROOT, lctasks_process
from tests.cli_helpers import event_count as events
from tests.cli_helpers import invoke as run


@pytest.fixture
def db(bundled_plan_db: str) -> str:
    """A fresh copy of the bundled plan (tests/conftest.py)."""
    return bundled_plan_db


def test_a_list_cut_short_by_head_exits_quietly_with_0(db: str) -> None:
    # `lctasks list | head -1`: Click made it exit 1, which the README calls "a bug"
    env = {**os.environ, "LCTASKS_DB": db}
    for args in (["list"], ["report"], ["--json", "list"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "lctasks", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # the reader had enough
        stderr = proc.stderr.read().decode()
        assert proc.wait() == 0, (args, stderr)
        assert "Traceback" not in stderr and "Error" not in stderr


def test_an_impossible_date_is_explained_in_chinese_without_python_text(db: str) -> None:
    code, _, err = run(db, "assign", "C10.M05", "--due", "2026-13-01")
    assert code == 4
    assert "日期不存在：“2026-13-01”" in err
    assert "must be in" not in err  # was: Python's English "(month must be in 1..12)"
    code, _, err = run(db, "log", "--since", "明年")
    assert code == 4
    assert "--due" not in err  # the hint named --due on a --since error


def test_status_words_people_type_and_a_status_placed_among_ids(db: str) -> None:
    code, out, _ = run(db, "status", "C10.M05", "进行中")
    assert code == 0 and "推进中" in out
    code, out, _ = run(db, "status", "C10.M06", "已完成")
    assert code == 0 and "已完成（待销号）" in out
    before = events(db)
    code, _, err = run(db, "status", "C10.M07", "in_progress", "C10.M08")
    assert code == 4
    assert "未知状态“C10.M08”" in err
    assert "状态写在所有 ID 之后" in err  # not a bare "可用：" ending the message
    code, _, err = run(db, "status", "C10.M07", "foo")
    assert "未知状态“foo”\n" in err and "可用的状态：not_started（未启动）" in err
    assert events(db) == before


def test_english_messages_use_english_punctuation(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCTASKS_LANG", "en")
    code, _, err = run(db, "close", "C10.M05", "--note", "x", "--evidence", "y")
    assert code == 5
    assert err.startswith("error: 1 task(s)")
    assert "C10.M05: status 'not started' does not allow close" in err
    assert "(allowed from: in progress, done (awaiting close))" in err
    assert "：" not in err and "、" not in err
    code, _, err = run(db, "status", "C10.M05", "xx")
    assert "hint: statuses: not_started (not started) / in_progress (in progress)" in err


def test_failed_batch_json_gives_the_current_version_of_existing_tasks(db: str) -> None:
    run(db, "note", "C10.M05", "一", "--json")  # C10.M05 now at v2
    code, out, _ = run(
        db, "close", "C10.M05", "C99.M01", "--note", "x", "--evidence", "y", "--json"
    )
    assert code == 3
    versions = {r["id"]: r["version"] for r in json.loads(out)["results"]}
    assert versions == {"C10.M05": 2, "C99.M01": 0}


def test_log_refuses_an_unknown_task_or_action_instead_of_an_empty_answer(db: str) -> None:
    run(db, "close", "C10.M05", "--note", "x", "--evidence", "y")
    code, _, err = run(db, "log", "--task", "C10.M3")
    assert code == 3
    assert "没有这个任务 ID：C10.M3" in err and "C10.M03" in err
    code, _, err = run(db, "history", "C10.M3")
    assert code == 3 and "是否想写 C10.M03" in err
    code, _, err = run(db, "log", "--action", "closee")
    assert code == 4 and "未知动作“closee”" in err and "close" in err
    # a known action that has not happened yet is simply empty
    code, _, err = run(db, "log", "--action", "extend")
    assert code == 0 and "没有符合条件的事件" in err
    # the action as printed (销号) finds the close events
    run(db, "status", "C10.M05", "in_progress")
    run(db, "close", "C10.M05", "--note", "完成", "--evidence", "聊督字1号")
    code, out, _ = run(db, "log", "--action", "销号", "--json")
    assert code == 0
    assert [e["action"] for e in json.loads(out)["events"]] == ["close"]


def test_a_reimport_change_is_described_with_field_names(db: str, tmp_path: Path) -> None:
    plan = (ROOT / "plan_data" / "liaocheng-14th-five-year-plan-2021-2025.txt").read_text("utf-8")
    edited = tmp_path / "corrected.txt"
    edited.write_text(plan.replace("力争达到 200 亿元", "力争达到 220 亿元"), encoding="utf-8")
    assert run(db, "import", str(edited))[0] == 0
    code, out, _ = run(db, "history", "C10.M03")
    assert code == 0
    # the paragraph is long: shown around where it changed (all of it in --json)
    assert "原文：…入力争达到200亿元。 → …入力争达到220亿元。；清单：第 3 项改动" in out
    assert "source_text" not in out and "checklist：" not in out


def test_workflow_help_names_what_each_option_takes(db: str) -> None:
    code, out, _ = run(db, "close", "--help")
    assert code == 0
    assert "--note TEXT" in out and "--evidence REF" in out and "--from FILE" in out
    assert "<str>" not in out and "<int>" not in out.split("选项：")[1]
    code, out, _ = run(db, "log", "--help")
    assert "--since DATE" in out and "<str>" not in out
    code, out, _ = run(db, "--help")
    assert "--db PATH_OR_URL" in out and "--as NAME" in out and "--plan CODE" in out
    code, out, _ = run(db, "report", "--help")
    assert "unit | chapter." not in out  # the help only repeated the metavar


def test_id_lists_saved_by_windows_editors_are_read(db: str, tmp_path: Path) -> None:
    lists = {
        "bom.txt": "\ufeffC10.M05\r\nC10.M06\r\n".encode(),
        "utf16.txt": "C10.M05\r\nC10.M06\r\n".encode("utf-16"),  # Excel "Unicode text"
        "gbk.txt": "# 本周办结\r\nC10.M05\r\nC10.M06\r\n".encode("gb18030"),
    }
    for name, data in lists.items():
        (tmp_path / name).write_bytes(data)
        code, out, err = run(db, "note", "--from", str(tmp_path / name), "已调度", "--dry-run")
        assert code == 0, (name, err)  # was: 3 for "\ufeffC10.M05", a traceback for UTF-16
        assert [line.split("\t")[0] for line in out.splitlines()] == ["C10.M05", "C10.M06"]
    (tmp_path / "binary.txt").write_bytes(b"\xff\x00\x81\x30\xfe" * 3)
    code, _, err = run(db, "note", "--from", str(tmp_path / "binary.txt"), "x")
    assert code == 4 and "不是文本" in err
    # stdin with a BOM
    code, out, _ = run(db, "note", "--from", "-", "x", input="\ufeffC10.M05\n")
    assert code == 0 and out.startswith("C10.M05\t")


def test_progress_period_is_checked_and_follows_the_cadence(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = events(db)
    for bad in ("2026-13", "下月", "2026"):
        code, _, err = run(db, "progress", "C10.M05", "--made", "x", "--period", bad)
        assert code == 4 and f"无法识别的报送期：“{bad}”" in err  # was stored as typed
    assert events(db) == before
    code, out, _ = run(db, "progress", "C10.M05", "--made", "x", "--period", "2026年第三季度")
    assert code == 0 and "报告期：2026-Q3" in out
    settings = tmp_path / "settings.toml"
    settings.write_text('[reports]\ncadence = "quarterly"\n', encoding="utf-8")
    monkeypatch.setenv("LCTASKS_CONFIG", str(settings))
    code, out, _ = run(db, "progress", "C10.M06", "--made", "y", "--json")
    assert code == 0
    period = json.loads(out)["results"][0]["changes"]["report"][1]["period"]
    assert "-Q" in period  # the default period was always a month


def test_every_command_offers_the_same_near_ids(db: str) -> None:
    # show, close and history each had their own "did you mean" (close: no C10.M03 here)
    for args in (["show"], ["history"], ["close", "--note", "x", "--evidence", "y"]):
        code, _, err = run(db, *args[:1], "C10.M3", *args[1:])
        assert code == 3
        assert "C10.M03" in err.split("C10.M3", 2)[-1], (args, err)


def test_a_failed_batch_reports_one_error_object_on_stdout_and_stderr(db: str) -> None:
    code, out, err = run(db, "close", "C10.M05", "C99.M01", "-n", "x", "-e", "y", "--json")
    assert code == 3
    assert json.loads(out)["error"] == json.loads(err)["error"]
    assert json.loads(err)["error"]["ids"] == ["C10.M05", "C99.M01"]


def test_usage_errors_are_json_on_stderr_when_json_was_asked_for(db: str) -> None:
    # a script with --json parses stderr: Click's usage text was not JSON
    for args in (
        ["close", "C10.M05", "--json", "--bogus"],
        ["--json", "bogus"],
        ["progress", "C10.M05", "--made", "x", "--percent", "abc", "--json"],
        ["show", "--json"],
    ):
        code, out, err = run(db, *args)
        assert code == 2, args
        assert out == ""
        error = json.loads(err)["error"]
        assert error["type"] == "UsageError" and error["exit_code"] == 2
        assert error["hint"].endswith("--help")
    code, _, err = run(db, "close", "C10.M05", "--bogus")
    assert code == 2 and "错误：没有这个选项：--bogus" in err and not err.startswith("{")


def test_check_says_what_is_wrong_with_the_item_numbers(db: str) -> None:
    before = events(db)
    code, _, err = run(db, "check", "C10.M03", "3-1")
    assert code == 4 and "清单项须为序号（如 1 3 或 2-4）：3-1" in err  # was "缺少清单项序号"
    code, _, err = run(db, "check", "C10.M03", "C10.M04", "1")
    assert code == 4 and "check 一次只针对一个任务" in err  # was "序号：C10.M04"
    assert events(db) == before
    code, out, _ = run(db, "check", "C10.M03", "1-2")
    assert code == 0 and "1：☐ → ☑；2：☐ → ☑" in out


def test_show_a_task_with_a_progress_report(tmp_path: Path) -> None:
    """QA: `show` crashed (UnboundLocalError: clock) on any open task with a report."""
    db = tmp_path / "s.db"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return lctasks_process(db, *args)

    assert run("import").returncode == 0
    assert run("progress", "C10.M03", "--made", "完成选址", "--percent", "20").returncode == 0
    r = run("show", "C10.M03")
    assert r.returncode == 0, r.stderr
    assert "完成选址" in r.stdout and "Traceback" not in r.stderr
