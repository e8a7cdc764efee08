"""Goal tasks (chapter / section / part intros, chapter 4's goals) and the paragraph
ledger of the coverage report, on the bundled plan.

Figures were counted by reading plan_data/liaocheng-14th-five-year-plan-2021-2025.txt
(line numbers given), not taken from the parser's output.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lctasks.domain import PlanTree, TaskDraft, TaskKind
from lctasks.plan import BUNDLED_PLAN, coverage, load_plan
from lctasks.plan.coverage import CLASSES, classify
from lctasks.plan.text import normalise_line, read_plan_text
from tests.conftest import once_per_module

END = dt.date(2025, 12, 31)


@pytest.fixture(scope=once_per_module)
def tree() -> PlanTree:
    return load_plan(BUNDLED_PLAN)


def _task(tree: PlanTree, key: str) -> TaskDraft:
    found = [t for t in tree.tasks if t.key == key]
    assert len(found) == 1, key
    return found[0]


def test_chapter_intro_goal_keeps_its_headline_targets(tree: PlanTree) -> None:
    g = _task(tree, "C10.G01")  # line 271: 大力实施制造业强市战略…突破5100亿元…
    assert (g.kind, g.chapter, g.line, g.title) == (TaskKind.GOAL, 10, 271, "发展先进制造业")
    assert g.source_text.startswith("大力实施制造业强市战略")
    targets = [x for c in g.checklist for x in c.targets]
    assert (targets[0].value, targets[0].unit, targets[0].deadline) == (5100.0, "亿元", END)
    assert (g.due, g.due_text) == (END, "到2025年")
    g14 = _task(tree, "C14.G01")  # line 413: …数字经济占生产总值的比重达到40%以上
    (t14,) = [x for c in g14.checklist for x in c.targets]
    assert (t14.value, t14.unit) == (40.0, "%")


def test_part_intro_goal_is_attached_to_the_part(tree: PlanTree) -> None:
    g = _task(tree, "P04.G01")  # line 397, 第四篇 发展数字经济新引擎
    assert (g.kind, g.line, g.chapter, g.title) == (TaskKind.GOAL, 397, 13, "发展数字经济新引擎")
    assert dict(g.attrs) == {"篇": "第4篇 发展数字经济新引擎"}
    assert any("印发实施《聊城市数字经济发展规划》" in c.text for c in g.checklist)
    parts = [t.key for t in tree.tasks if t.key.startswith("P")]
    assert parts == [f"P{n:02d}.G01" for n in range(2, 16)]  # 第一篇 has no intro


def test_section_intros_are_goals_of_their_chapter(tree: PlanTree) -> None:
    keys = [(t.key, t.section, t.line) for t in tree.tasks if t.key.startswith("C20.G")]
    # lines 542 (chapter intro), 546 / 564 / 576 (第一–三节 intros)
    assert keys == [
        ("C20.G01", None, 542),
        ("C20.G02", 1, 546),
        ("C20.G03", 2, 564),
        ("C20.G04", 3, 576),
    ]
    assert _task(tree, "C20.G03").title == "构建现代水网体系"


def test_chapter_four_goals_link_to_their_indicators(tree: PlanTree) -> None:
    goals = [t for t in tree.tasks if t.chapter == 4 and t.kind is TaskKind.GOAL]
    assert [(t.key, t.line, t.title) for t in goals] == [
        ("C04.G01", 105, "“十四五”时期经济社会发展主要目标"),
        ("C04.G02", 107, "经济实力更强"),
        ("C04.G03", 109, "发展质效更高"),
        ("C04.G04", 111, "生态环境更优"),
        ("C04.G05", 113, "改革开放更深入"),
        ("C04.G06", 117, "治理体系更完善"),
        ("C04.G07", 119, "人民生活更美好"),
        ("C04.G08", 123, "二〇三五年远景目标"),
    ]
    links = {t.key: dict(t.attrs).get("指标", "") for t in goals}
    assert links["C04.G02"] == "I01、I02、I03、I04、I05、I06"  # 经济发展 rows
    assert links["C04.G04"] == "I11、I12、I13、I14、I15"  # 绿色生态 rows
    assert links["C04.G07"] == "I16、I17、I18、I19、I20、I21、I22"  # 民生福祉
    assert links["C04.G05"] == links["C04.G06"] == ""  # no row measures them
    # the lead phrase is the title, the checklist is what follows it
    assert _task(tree, "C04.G02").checklist[0].text == "经济总量迈上新台阶"


def test_coverage_accounts_for_every_paragraph(tree: PlanTree) -> None:
    para = coverage(tree)["paragraphs"]
    counts = para["classes"]
    assert sum(counts.values()) == para["total"] == 725
    assert counts == {
        "task": 633,  # one piece per task
        "checklist": 5,  # 第五章's five ——定位 paragraphs inside C05.T01 (lines 131–141)
        "reference": 49,  # 专栏1 (38), 专栏8 (3), 专栏9 (8)
        # 10 notice / title-page lines, 22 paragraphs of chapters 1–3, the table title
        # (143) and header (145), the closing words (1190), the 3-line footer
        "context": 38,
        "unplaced": 0,
    }
    assert para["lines"]["checklist"] == [131, 133, 137, 139, 141]
    context = {c["line"]: c["reason"] for c in para["context"]}
    assert context[1190] == "规划结束语" and context[143] == "主要指标表标题"
    assert context[145] == "主要指标表表头" and "版记" in context[1192]


def test_coverage_line_numbers_check_against_the_text(tree: PlanTree) -> None:
    text, _ = read_plan_text(BUNDLED_PLAN)
    lines = text.split("\n")
    for piece in classify(tree):
        assert piece.cls in CLASSES
        printed = normalise_line(lines[piece.line - 1].strip())
        probe = piece.text[:4] if piece.text else "指标"
        # a box item may start at the very end of its line (…（17）立 / 海现代…)
        starts_here = probe in printed or any(printed.endswith(probe[:k]) for k in (1, 2, 3))
        assert starts_here, (piece.line, piece.cls, piece.text[:20], printed[:40])


def test_part_intros_and_every_goal_are_tasks_not_context(tree: PlanTree) -> None:
    pieces = {p.line: p for p in classify(tree)}
    for line in (173, 267, 397, 271, 339, 1160, 1164):
        assert pieces[line].cls == "task", line
    assert pieces[1164].task == "C57.T01"
    assert pieces[397].task == "P04.G01"
