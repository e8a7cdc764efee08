"""Issue 10 on the command line: each fix run as a person or a script meets it."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lctasks.db.engine import open_database
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from tests.cli_helpers import ROOT, invoke


@pytest.fixture
def db(bundled_plan_db: str) -> str:
    """A fresh copy of the bundled plan (tests/conftest.py)."""
    return bundled_plan_db


def _wait_blocked_in_read(pid: int) -> None:
    """Until the process sits in read(2) (a Ctrl-C lands there; one that arrives between
    the prompt and the read would wait for the read to return, as in any Python program)."""
    syscall = Path(f"/proc/{pid}/syscall")
    if not syscall.exists():
        pytest.skip("needs /proc/PID/syscall (Linux)")
    while True:
        try:
            fields = syscall.read_text().split()
        except OSError:
            pytest.skip("cannot read /proc/PID/syscall")
        if fields and fields[0] == "0":  # x86-64 / arm64 differ: 0 is read on x86-64
            return
        if fields and fields[0] == "running":
            continue
        if os.uname().machine != "x86_64":
            pytest.skip("read(2) syscall number differs on this machine")


def _interrupt_while_reading(args: list[str]) -> tuple[int, str, str]:
    """Run the real entry point with a terminal on stdin; Ctrl-C once it says it waits."""
    master, slave = pty.openpty()
    env = {**os.environ, "LCTASKS_LANG": "zh"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lctasks", *args],
        cwd=ROOT,
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    try:
        assert proc.stderr is not None and proc.stdout is not None
        first = proc.stderr.readline().decode()  # blocks until the prompt is written
        _wait_blocked_in_read(proc.pid)
        proc.send_signal(signal.SIGINT)  # Ctrl-C, as a person presses it: mid-read
        stdout, rest = proc.communicate(timeout=60)
    finally:
        os.close(master)
    return proc.returncode, stdout.decode(), first + rest.decode()


def test_ctrl_c_while_reading_ids_exits_130_with_one_line(db: str) -> None:
    code, stdout, stderr = _interrupt_while_reading(
        ["--db", db, "assign", "--from", "-", "--lead", "kjj"]
    )
    assert code == 130
    assert stdout == ""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines == [
        "正在等待任务 ID（每行一个）：输入完按 Ctrl-D 结束，Ctrl-C 取消",
        "已中断（Ctrl-C）：未完成的更改没有写入",
    ]
    task = LedgerService(ServiceContext(open_database(db))).get_task("C06.M01")
    assert task.lead_unit is None  # nothing written


def test_ctrl_c_on_the_typer_path_too(db: str) -> None:
    code, stdout, stderr = _interrupt_while_reading(["--db", db, "apply", "-"])
    assert code == 130 and stdout == ""
    assert "Traceback" not in stderr and "Aborted" not in stderr
    assert stderr.strip().splitlines()[-1] == "已中断（Ctrl-C）：未完成的更改没有写入"


def cli(db: str, *args: str) -> tuple[int, str, str]:
    return invoke(db, "--as", "王督查", *args)


def _a_worked_task(db: str) -> None:
    assert cli(db, "assign", "C06.M01", "--lead", "kjj", "--co", "fgw")[0] == 0
    assert cli(db, "status", "C06.M01", "done")[0] == 0
    assert cli(db, "progress", "C06.M01", "--made", "建成", "--percent", "50")[0] == 0
    code, _, err = cli(db, "extend", "C06.M01", "--to", "2026-06-30", "--reason", "调整", "--late")
    assert code == 0, err
    assert cli(db, "close", "C06.M01", "--note", "平台挂牌", "--evidence", "聊科字12号")[0] == 0


def test_history_shows_labels_not_internal_values(db: str) -> None:
    _a_worked_task(db)
    code, stdout, _ = cli(db, "history", "C06.M01")
    assert code == 0
    for leak in ("None", "False", "True", "explicit", "extended", "period=", "{'", "[]", "cli"):
        assert leak not in stdout, leak
    assert "期限依据：原文明确 → 已延期" in stdout
    assert "逾期补批：否 → 是" in stdout
    assert "进展报告：报告期：" in stdout and "进展：建成；完成：50%" in stdout
    assert "佐证材料：— → 聊科字12号" in stdout
    assert "配合单位：— → 市发展改革委" in stdout


def test_history_log_report_line_up_by_display_width(db: str) -> None:
    from lctasks.cli.table import width

    _a_worked_task(db)
    for args in (["history", "C06.M01"], ["log", "-n", "5"], ["report", "--as-of", "2026-01-15"]):
        code, stdout, _ = cli(db, *args)
        assert code == 0 and "\t" not in stdout, args
        lines = [ln for ln in stdout.splitlines() if ln.strip()]
        head = next(ln for ln in lines if ln.startswith(("序号", "牵头单位")))
        table = lines[lines.index(head) : lines.index(head) + 3]
        if args[0] == "report":  # numbers right-aligned: every line ends in one column
            assert len({width(ln) for ln in table}) == 1, table
            continue
        # the second column starts at the same display column on every line
        starts = set()
        for ln in table:
            first = ln.split("  ")[0]
            rest = ln[len(first) :]
            starts.add(width(first) + len(rest) - len(rest.lstrip(" ")))
        assert len(starts) == 1, table


def test_csv_where_a_table_is_printed(db: str, tmp_path: Path) -> None:
    import csv
    import io

    _a_worked_task(db)
    code, stdout, _ = cli(db, "history", "C06.M01", "--csv")
    rows = list(csv.reader(io.StringIO(stdout)))
    assert rows[0] == ["序号", "时间", "操作人", "来源", "动作", "任务", "变更", "原因"]
    assert rows[-1][4] == "销号" and rows[-1][7] == "“平台挂牌”"
    code, stdout, _ = cli(db, "report", "--as-of", "2026-01-15", "--csv")
    rows = list(csv.reader(io.StringIO(stdout)))
    assert rows[0][:3] == ["牵头单位", "总数", "完成"]
    assert ["市科技局", "1", "1", "100.0%", "1", "0", "0", "0", "0"] in rows  # 结转 0
    before, after = tmp_path / "a.toml", tmp_path / "b.toml"
    assert cli(db, "export", "--as-of", "2025-06-30", "--out", str(before))[0] == 0
    assert cli(db, "note", "C06.M02", "开会")[0] == 0
    assert cli(db, "assign", "C06.M02", "--lead", "kjj")[0] == 0
    assert cli(db, "export", "--as-of", "2025-06-30", "--out", str(after))[0] == 0
    code, stdout, _ = cli(db, "diff", str(before), str(after), "--csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(stdout)))
    assert rows[0] == ["类别", "编号", "任务", "牵头单位", "变化"]
    assert rows[1][1] == "C06.M02" and rows[1][4] == "— → 市科技局"


def test_show_after_close_has_the_note_and_evidence(db: str) -> None:
    import json

    _a_worked_task(db)
    code, stdout, _ = cli(db, "show", "C06.M01")
    assert code == 0
    assert "尚未指派" not in stdout
    assert "  办结说明：平台挂牌\n  佐证材料：聊科字12号" in stdout
    code, stdout, _ = cli(db, "show", "C06.M01", "--json")
    closure = json.loads(stdout)["closure"]
    assert closure["note"] == "平台挂牌" and closure["evidence"] == "聊科字12号"
    assert closure["by"] == "王督查"
    code, stdout, _ = cli(db, "show", "C06.M02", "--json")
    assert json.loads(stdout)["closure"] is None
    assert "规则建议（仅为建议，尚未指派）" in cli(db, "show", "C06.M02")[1]  # unassigned


def test_apply_dry_run_shows_the_evidence_it_would_record(db: str, tmp_path: Path) -> None:
    assert cli(db, "assign", "C06.M02", "--lead", "kjj")[0] == 0
    assert cli(db, "status", "C06.M02", "done")[0] == 0
    snap = tmp_path / "m.toml"
    assert cli(db, "export", "--as-of", "2025-06-30", "--out", str(snap))[0] == 0
    text = snap.read_text(encoding="utf-8")
    start = text.index('[tasks."C06.M02"]')
    pos = text.index('status = "done"', start)
    text = (
        text[:pos]
        + 'status = "closed"\nnote = "平台已建成"\nevidence = "聊科字〔2021〕12号"'
        + text[pos + len('status = "done"') :]
    )
    snap.write_text(text, encoding="utf-8")
    code, stdout, stderr = cli(db, "apply", str(snap), "--dry-run")
    assert code == 0, stderr
    assert "  佐证材料：聊科字〔2021〕12号" in stdout.splitlines()


def test_status_light_kind_take_the_printed_labels(db: str) -> None:
    assert cli(db, "status", "C06.M01", "推进中")[0] == 0
    for args, first in (
        (["--status", "推进中"], "C06.M01"),
        (["--status", "in_progress"], "C06.M01"),
        (["--kind", "重点项目", "--chapter", "6"], "C06.P01"),
        (["--kind", "举措", "--light", "红灯", "-c", "6", "--as-of", "2026-03-01"], "C06.M01"),
    ):
        code, stdout, stderr = cli(db, "list", *args, "--json")
        assert code == 0, (args, stderr)
        import json

        assert json.loads(stdout)[0]["id"] == first, args
    code, _, stderr = cli(db, "list", "--light", "紫灯")
    assert code == 4
    assert "红灯（red） | 黄灯（yellow） | 绿灯（green）" in stderr
    assert "例如 --light 红灯" in stderr


def test_a_mistyped_db_path_creates_nothing_and_names_the_file(tmp_path: Path) -> None:
    typo = tmp_path / "no-such-dir" / "lctasks.db"
    for args in (
        ["list"],
        ["show", "C06.M01"],
        ["close", "C06.M01", "--note", "a", "--evidence", "b"],
    ):
        code, _, stderr = cli(str(typo), *args)
        assert code == 3, (args, stderr)
        assert f"没有数据库文件 {typo}" in stderr
        assert "import" in stderr  # how to create one on purpose
        assert not typo.parent.exists()
    # an explicit import creates it (directories included)
    code, _, stderr = cli(str(typo), "import")
    assert code == 0, stderr
    assert typo.is_file()


def test_undo_from_the_command_line(db: str) -> None:
    import json

    assert cli(db, "assign", "C06.M01", "C06.M02", "--lead", "kjj")[0] == 0
    code, stdout, stderr = cli(db, "undo", "--dry-run")
    assert code == 0, stderr
    assert "撤销 #" in stderr and "2 个任务" in stderr
    # the last line every --dry-run ends with
    assert stderr.splitlines()[-1] == "演练（--dry-run）：数据库未改动"
    assert "C06.M01\t已更改\tv3\t牵头单位：市科技局 → —" in stdout  # the version it would have
    code, stdout, stderr = cli(db, "undo", "--json")
    doc = json.loads(stdout)
    assert code == 0 and doc["applied"] and doc["undo_of"]["tasks"] == 2
    code, stdout, _ = cli(db, "history", "C06.M01")
    assert "撤销" in stdout.splitlines()[-1]
    assert cli(db, "log", "--verify")[0] == 0
    code, _, stderr = cli(db, "undo", "#abc")
    assert code == 4


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("月底", "2026-12-31"),
        ("年底", "2026-12-31"),
        ("12月底", "2026-12-31"),
        ("下月底", "2027-01-31"),
        ("明年6月", "2027-06-30"),
        ("本季度末", "2026-12-31"),
        ("下季度末", "2027-03-31"),
        ("3月底前", "2027-03-31"),  # said in December: next March
        ("到明年底", "2027-12-31"),
        ("eom", "2026-12-31"),
        ("EOQ", "2026-12-31"),
    ],
)
def test_dates_people_say(said: str, meant: str) -> None:
    import datetime as dt

    from lctasks.dates import parse_date

    assert parse_date(said, today=dt.date(2026, 12, 1)).isoformat() == meant
    assert parse_date(said, today=dt.date(2026, 5, 15)) >= dt.date(2026, 5, 15)


def test_a_past_deadline_is_warned_about(db: str, office_clock: object) -> None:
    code, stdout, stderr = cli(db, "assign", "C06.M01", "--due", "2021-05-31")
    assert code == 0
    assert "注意：期限 2021-05-31 早于今天（2026-12-01）" in stderr
    code, stdout, stderr = cli(db, "assign", "C06.M01", "--due", "下月底", "--reason", "调度")
    assert code == 0 and "期限：2021-05-31 → 2027-01-31" in stdout and "注意" not in stderr


def test_progress_in_editor_at_a_terminal_only(db: str, tmp_path: Path) -> None:
    """No --made at a terminal: $EDITOR opens with the three sections; never in a script."""
    editor = tmp_path / "fake-editor.py"
    editor.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        "text = text.replace('## 进展情况\\n', '## 进展情况\\n完成平台选址\\n')\n"
        "text = text.replace('## 存在问题\\n', '## 存在问题\\n资金未到位\\n')\n"
        "open(path, 'w', encoding='utf-8').write(text)\n",
        encoding="utf-8",
    )
    master, slave = pty.openpty()
    env = {**os.environ, "EDITOR": f"{sys.executable} {editor}", "LCTASKS_LANG": "zh"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lctasks", "--db", db, "progress", "C06.M01"],
        cwd=ROOT,
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    _, stderr = proc.communicate(timeout=60)
    os.close(master)
    assert proc.returncode == 0, stderr.decode()
    task = LedgerService(ServiceContext(open_database(db))).get_task("C06.M01")
    report = task.latest_report
    assert report is not None
    assert report.made == "完成平台选址" and report.problems == "资金未到位"
    # from a script (no terminal): no editor, the usual refusal
    code, _, stderr2 = cli(db, "progress", "C06.M02")
    assert code == 4 and "进展情况" in stderr2


def test_a_report_without_a_percent_keeps_the_percentage_on_record(db: str) -> None:
    """A unit reported 50 %; a later report without --percent must not wipe it to the
    ticked share of a checklist nobody ticked (0)."""
    import json

    code, stdout, _ = cli(db, "progress", "C06.M01", "--made", "平台建设过半", "--percent", "50")
    assert code == 0 and "进度：0 → 50" in stdout
    code, stdout, stderr = cli(db, "progress", "C06.M01", "--made", "继续推进")
    assert code == 0, stderr
    assert stdout.startswith("C06.M01\t已更改\tv3\t进展报告：") and "进度" not in stdout
    code, stdout, _ = cli(db, "show", "C06.M01", "--json")
    doc = json.loads(stdout)
    assert doc["progress"] == 50 and doc["latest_report"]["made"] == "继续推进"
    # ticks above the figure on record still raise it
    assert cli(db, "check", "C06.M01", "1-4")[0] == 0  # 4 of 6: 67 %
    assert cli(db, "progress", "C06.M01", "--made", "x", "--percent", "20")[0] == 0
    code, stdout, _ = cli(db, "progress", "C06.M01", "--made", "四项已完成")
    assert code == 0 and "进度：20 → 67" in stdout
