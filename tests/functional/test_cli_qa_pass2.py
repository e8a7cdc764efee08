"""The second QA pass of issue 10: each finding run as the user met it."""

from __future__ import annotations

from pathlib import Path

import pytest

from lctasks.domain import Actor
from lctasks.services.base import ServiceContext
from tests.cli_helpers import invoke


@pytest.fixture
def db(bundled_plan_db: str) -> str:
    """A fresh copy of the bundled plan (tests/conftest.py)."""
    return bundled_plan_db


def cli(db: str, *args: str) -> tuple[int, str, str]:
    return invoke(db, "--as", "王督查", *args)


def history_len(db: str, key: str) -> int:
    code, stdout, _ = cli(db, "--json", "history", key)
    assert code == 0
    import json

    return len(json.loads(stdout)["events"])


@pytest.mark.parametrize("made", ["", "   ", "\t"])
def test_progress_with_an_empty_made_is_refused(db: str, made: str) -> None:
    # QA 11: as the workbook's apply, a report needs its 进展情况
    code, stdout, stderr = cli(db, "progress", "C10.M06", "--made", made, "--percent", "10")
    assert (code, stdout) == (4, "")
    assert stderr.splitlines()[0] == "错误：缺少进展情况（--made）"
    assert history_len(db, "C10.M06") == 0


def test_a_refused_extension_to_a_past_date_claims_nothing(db: str, office_clock: object) -> None:
    # QA 14: "注意：…已按此记录" and then "错误：…无法延期" contradicted each other
    code, stdout, stderr = cli(db, "extend", "C10.M06", "--to", "2020-01-01", "--reason", "x")
    assert (code, stdout) == (4, "")
    assert stderr.splitlines() == [
        "错误：1 个任务无法延期，本批次未做任何更改：",
        "  C10.M06：新期限 2020-01-01 不晚于当前期限 2025-12-31",
        "提示：改正或去掉出错的 ID 后重试；整批是一个事务",
    ]
    # a dry run does not say "recorded"; a real one does, after the change went through
    args = ("extend", "C10.M06", "--to", "2026-06-30", "--reason", "x", "--late")
    code, _, stderr = cli(db, *args, "--dry-run")
    assert code == 0
    assert stderr.splitlines()[0] == "注意：期限 2026-06-30 早于今天（2026-12-01）"
    code, _, stderr = cli(db, *args)
    assert code == 0
    assert stderr.splitlines()[0] == (
        "注意：期限 2026-06-30 早于今天（2026-12-01），已按此记录；如是笔误，请再次设置"
    )


def test_list_refuses_a_negative_count_and_names_the_orders(db: str) -> None:
    # QA 23: --limit -1 listed everything; --order foo said only "错误：--order foo?"
    assert cli(db, "list", "--limit", "-1") == (
        4,
        "",
        "错误：--limit 须为 0 或正整数，不能是 -1\n提示：例如 --limit 20\n",
    )
    code, _, stderr = cli(db, "list", "--offset", "-2")
    assert code == 4 and stderr.startswith("错误：--offset 须为 0 或正整数，不能是 -2\n")
    orders = "plan（规划顺序） | due（截止日期） | key（编号） | updated（最近更改在前）"
    assert cli(db, "list", "--order", "foo") == (
        4,
        "",
        f"错误：--order 的取值 foo 无效；可选：{orders}\n提示：例如 --order due\n",
    )
    code, _, stderr = cli(db, "--json", "list", "--order", "updatd")
    assert code == 4
    assert '"hint": "是否想写 --order updated？"' in stderr
    code, stdout, _ = cli(db, "list", "--order", "key", "--limit", "1")
    assert code == 0 and stdout.splitlines()[1].startswith("C04.G01")


def _reimport_with_a_changed_paragraph(db: str, tmp_path: Path) -> None:
    from lctasks.plan import bundled_plan_path

    text = bundled_plan_path().read_text(encoding="utf-8")
    old = "高性能动力电池铝箔、"
    assert text.count(old) == 1
    changed = tmp_path / "plan.txt"
    changed.write_text(text.replace(old, old + "铝基新材料、"), encoding="utf-8")
    code, stdout, stderr = cli(db, "import", str(changed))
    assert code == 0, stderr
    assert "变更：C10.M06" in stdout


def test_log_and_history_read_every_action_as_a_label(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA 15: 动作 showed import / changed / carry …; a re-import's "changed" event printed
    # the old and new paragraph and checklist in one line of thousands of characters
    assert cli(db, "assign", "C10.M06", "--lead", "gxj")[0] == 0
    _reimport_with_a_changed_paragraph(db, tmp_path)
    code, stdout, stderr = cli(db, "history", "C10.M06")
    assert code == 0
    changed = stdout.splitlines()[2]
    assert (
        "原文变更  C10.M06  原文：…力电池铝箔、新型环保建筑铝材等产品，建设中国信发… → " in changed
    )
    assert changed.endswith(
        "→ …力电池铝箔、铝基新材料、新型环保建筑铝材等产品，…；清单：第 1 项改动"
    )
    assert max(len(line) for line in stdout.splitlines()) < 160
    assert stderr == (
        "长文字已缩略；全文见 lctasks history ID --json，规划原文见 lctasks show ID\n"
    )
    code, stdout, _ = cli(db, "log")
    assert code == 0
    import re

    actions = [re.split(r"\s{2,}", line)[4] for line in stdout.splitlines()[1:]]
    assert actions == ["导入规划", "原文变更", "分配", "导入规划"]
    assert stdout.splitlines()[1].endswith(
        "文件：plan.txt；校验和："
        + stdout.splitlines()[1].split("校验和：")[1][:12]
        + "…；任务：633 个（举措 194、重点项目 337、指标 24、章任务 6、目标 72）；"
        "新增：0；变更：1；移除：0"
    )
    for code_ in ("import", "changed", "counts", "sha256：—", "None"):
        assert code_ not in stdout, code_
    code, stdout, _ = cli(db, "--json", "history", "C10.M06")
    assert "铝基新材料" in stdout and "支持开发区打造全国优质钢管产销基地" in stdout  # all of it
    monkeypatch.setenv("LCTASKS_LANG", "en")
    code, stdout, _ = cli(db, "log")
    actions = [re.split(r"\s{2,}", line)[4] for line in stdout.splitlines()[1:]]
    assert actions == ["import the plan", "plan text changed", "assign", "import the plan"]


def test_people_events_read_as_labels(db: str) -> None:
    assert cli(db, "people", "add", "王督查", "--role", "supervisor")[0] == 0
    code, stdout, _ = cli(db, "log", "--limit", "1")
    assert code == 0
    assert stdout.splitlines()[1].endswith(
        "登记人员  -     人员：— → 王督查；角色：— → 督查室；单位：— → —"
    )


def test_closing_a_closed_task_with_other_evidence_is_refused_not_dropped(
    db: str, office_clock: object
) -> None:
    # QA 20: `close` on a closed task said "未变" and dropped the new evidence silently
    assert cli(db, "status", "C10.M03", "done")[0] == 0
    args = ("close", "C10.M03", "--note", "完成", "--evidence", "聊工信字1号")
    assert cli(db, *args)[0] == 0
    code, stdout, stderr = cli(db, *args)  # the same close again: unchanged, exit 0
    assert (code, stdout) == (0, "C10.M03\t未变（已是该状态）\tv3\n")
    code, stdout, stderr = cli(db, "close", "C10.M03", "--note", "完成", "--evidence", "新材料")
    assert (code, stdout) == (5, "")
    assert stderr.splitlines()[:2] == [
        "错误：1 个任务无法销号，本批次未做任何更改：",
        "  C10.M03：已于 2026-12-01 销号（办结说明：完成；佐证材料：聊工信字1号），"
        "本次的说明和材料未记录；补充材料请加备注，改正销号请先重新打开",
    ]
    assert history_len(db, "C10.M03") == 2


def test_undo_says_what_it_did_as_every_batch_does(db: str) -> None:
    # QA 16: `undo` printed "C10.M01\tv5" (no 已更改, no change) and history read
    # "撤销：— → #11–#11"; an undo of a note appended an empty event and said "已撤销"
    assert cli(db, "assign", "C10.M01", "C10.M02", "--lead", "gxj")[0] == 0
    code, stdout, stderr = cli(db, "undo")
    assert code == 0
    assert stdout.splitlines() == [
        "C10.M01\t已更改\tv3\t牵头单位：市工业和信息化局 → —",
        "C10.M02\t已更改\tv3\t牵头单位：市工业和信息化局 → —",
    ]
    assert stderr.splitlines()[0].startswith("撤销 #2–#3：王督查 的“分配”，2 个任务")
    code, stdout, _ = cli(db, "history", "C10.M01")
    assert stdout.splitlines()[-1].endswith(
        "撤销  C10.M01  牵头单位：市工业和信息化局 → —；撤销：#2–#3  “撤销 #2–#3（分配）”"
    )
    # a batch that only recorded text: nothing to revert, said so (exit 4, nothing written)
    assert cli(db, "note", "C10.M01", "测试备注")[0] == 0
    code, stdout, stderr = cli(db, "undo")
    assert (code, stdout) == (4, "")
    assert stderr.splitlines() == [
        "错误：#6（加备注）只是记录（备注、进展报告、销号材料），没有可还原的状态、进度、期限、"
        "责任单位或清单勾选；记录保留在历史中",
        "提示：写错了就再加一条备注或进展报告更正",
    ]
    assert history_len(db, "C10.M01") == 3
    # a report with a status change: the status goes back, the report stays (and it says so)
    assert cli(db, "progress", "C10.M03", "--made", "开始", "--percent", "10")[0] == 0
    code, stdout, stderr = cli(db, "undo")
    assert code == 0
    assert stdout == "C10.M03\t已更改\tv3\t状态：推进中 → 未启动；进度：10 → 0\n"
    assert stderr.splitlines()[1] == (
        "这批记下的文字（备注、进展报告、销号材料）保留在历史中，撤销只还原状态、进度、期限、"
        "责任单位和清单勾选"
    )


@pytest.fixture
def carried(db: str) -> str:
    """市工业和信息化局 leads four tasks: C10.M01 and C10.M02 carried over unfinished to a
    second plan, C10.M03 closed, C10.M06 open; 东阿县 co-owns only the carried C10.M01."""
    from lctasks.plan import bundled_plan_path

    assert cli(db, "import", str(bundled_plan_path()), "--code", "lc-15th")[0] == 0
    p = ("--plan", "lc-14th")
    assert (
        cli(db, *p, "assign", "C10.M01", "C10.M02", "C10.M03", "C10.M06", "--lead", "gxj")[0] == 0
    )
    assert cli(db, *p, "assign", "C10.M01", "--co", "东阿县")[0] == 0
    assert cli(db, *p, "status", "C10.M03", "done")[0] == 0
    assert cli(db, *p, "close", "C10.M03", "--note", "完成", "--evidence", "聊工信字1号")[0] == 0
    code, _, stderr = cli(db, *p, "carry", "C10.M01", "C10.M02", "--to", "lc-15th")
    assert code == 0, stderr
    return db


def test_carried_tasks_are_counted_apart_not_as_done(carried: str, office_clock: object) -> None:
    # QA 10: report said 完成 2 / 销号 2 for two tasks carried over unfinished at 0%
    code, stdout, _ = cli(carried, "--plan", "lc-14th", "report")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[1].split() == [
        "牵头单位",
        "总数",
        "完成",
        "完成率",
        "销号",
        "结转",
        "红灯",
        "黄灯",
        "逾期",
    ]
    assert lines[2].split() == ["市工业和信息化局", "4", "1", "25.0%", "1", "2", "1", "0", "1"]
    code, stdout, _ = cli(carried, "--plan", "lc-14th", "--json", "report")
    import json

    gxj = json.loads(stdout)["rows"][0]
    assert (gxj["done"], gxj["closed"], gxj["carried"]) == (1, 1, 2)
    # a plan with nothing carried: no 结转 column
    code, stdout, _ = cli(carried, "--plan", "lc-15th", "report")
    assert "结转" not in stdout.splitlines()[1]
    # the TUI dashboard's ranking: done % of 市工业和信息化局 is 1 of 4, not 3 of 4
    from lctasks.db.engine import open_database
    from lctasks.services.board import BoardService
    from lctasks.tui.model import scoreboard

    database = open_database(carried)
    try:
        rows = BoardService(ServiceContext(database, Actor("王督查"))).rows(
            "lc-14th", as_of=__import__("datetime").date(2026, 12, 1)
        )
    finally:
        database.dispose()
    [score] = [s for s in scoreboard(rows) if s.unit == "市工业和信息化局"]
    assert (score.tasks, score.done) == (4, 1)
    # and a carried task is not closed again
    code, _, stderr = cli(
        carried, "--plan", "lc-14th", "close", "C10.M01", "--note", "x", "--evidence", "y"
    )
    assert code == 5
    assert stderr.splitlines()[1] == "  C10.M01：已结转至 lc-15th:JZ001，不再销号；在接续任务上办理"


def test_a_units_workbook_holds_the_tasks_it_still_reports_on(carried: str, tmp_path: Path) -> None:
    # QA 19: the closed and carried tasks were in 市工业和信息化局's 报送表, and --per-unit
    # wrote a workbook for 东阿县, whose only task was carried over
    import openpyxl

    from lctasks.formats.xlsx.layout import SHEET

    out = tmp_path / "gxj.xlsx"
    code, _, stderr = cli(
        carried,
        "--plan",
        "lc-14th",
        "export",
        "--format",
        "xlsx",
        "--unit",
        "gxj",
        "--out",
        str(out),
    )
    assert code == 0, stderr
    ws = openpyxl.load_workbook(out)[SHEET]
    assert [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)] == ["C10.M06"]
    folder = tmp_path / "books"
    code, _, stderr = cli(
        carried,
        "--plan",
        "lc-14th",
        "export",
        "--format",
        "xlsx",
        "--per-unit",
        "--out",
        str(folder),
    )
    assert code == 0, stderr
    assert sorted(p.name.split("_")[0] for p in folder.iterdir()) == ["市工业和信息化局"]
    # asked for explicitly, closed tasks are there
    code, _, _ = cli(
        carried, "--plan", "lc-14th", "export", "--format", "xlsx", "--unit", "gxj",
        "--status", "closed", "--out", str(out),
    )  # fmt: skip
    ws = openpyxl.load_workbook(out)[SHEET]
    assert [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)] == [
        "C10.M01",
        "C10.M02",
        "C10.M03",
    ]


def test_apply_moves_a_past_deadline_only_with_late(
    db: str, tmp_path: Path, office_clock: object
) -> None:
    # QA 21: apply extended a deadline already past (2025-12-31 → 2026-12-31) where
    # `extend` refuses the same change without --late
    snap = tmp_path / "s.toml"
    assert cli(db, "export", "--out", str(snap))[0] == 0
    text = snap.read_text(encoding="utf-8")
    start = text.index('[tasks."C10.M05"]')
    at = text.index("due = 2025-12-31", start)
    snap.write_text(text[:at] + "due = 2026-12-31" + text[at + 16 :], encoding="utf-8")
    line = text[:start].count("\n") + 1
    code, stdout, stderr = cli(db, "apply", str(snap))
    assert (code, stdout) == (5, "")
    assert stderr.splitlines() == [
        "错误：1 个任务的期限已过，不能在会议审定中直接延期，未做任何更改：",
        f"  {snap}:{line} C10.M05：期限 2025-12-31 已过（今天 2026-12-01），"
        "延期至 2026-12-31 须督查室补批",
        "提示：会议审定同意逾期补批的，加 --late 再应用（与 lctasks extend --late 相同）",
    ]
    assert history_len(db, "C10.M05") == 0
    code, stdout, stderr = cli(db, "apply", str(snap), "--late")
    assert code == 0, stderr
    assert "期限：2025-12-31 → 2026-12-31（延期）" in stdout
    code, stdout, _ = cli(db, "history", "C10.M05")
    assert "逾期补批：否 → 是" in stdout


def test_show_says_where_a_carried_task_came_from_and_went(carried: str) -> None:
    # QA 17: the new plan's task showed "位置：第0章 ；原文第 0 行"
    code, stdout, _ = cli(carried, "--plan", "lc-15th", "show", "JZ001")
    assert code == 0
    assert stdout.splitlines()[2] == "位置：结转任务，不在本规划文本中（结转自 lc-14th:C10.M01）"
    code, stdout, _ = cli(carried, "--plan", "lc-14th", "show", "C10.M01")
    assert stdout.splitlines()[3].startswith("状态：已销号（结转至 lc-15th:JZ001）    预警：")
