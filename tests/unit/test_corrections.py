"""Reviewed print-defect corrections (plan_data/corrections.toml) on the bundled plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from lctasks.domain import InvalidInputError, PlanTree, TaskKind
from lctasks.plan import load_plan, parse_plan
from lctasks.plan.corrections import load_corrections
from tests.conftest import once_per_module


@pytest.fixture(scope=once_per_module)
def tree() -> PlanTree:
    return load_plan()


def _titles(tree: PlanTree) -> dict[str, str]:
    return {d.key: d.title for d in tree.tasks}


def test_the_three_reviewed_defects_are_corrected(tree: PlanTree) -> None:
    applied = {c.id: c for c in tree.corrections}
    assert all(c.applied for c in applied.values()) and len(applied) == 3
    titles = _titles(tree)
    # 专栏10 水污染治理 (4), line 946: two projects printed as one
    assert titles["C42.P04"] == "莘县河道综合治理工程"
    assert titles["C42.P45"] == "东阿县沉沙池扶贫旅游开发项目"  # the chapter's next free number
    assert applied["box10-water-4"].tasks == ("C42.P04", "C42.P45")
    p45 = next(d for d in tree.tasks if d.key == "C42.P45")
    assert dict(p45.attrs)["印刷原文"] == "莘县河道综合治理工程东阿县沉沙池扶贫旅游开发项目"
    assert dict(p45.attrs)["印刷更正"].startswith("box10-water-4：两个项目印成了一项")
    # 专栏10 固体废物 (1) and (5), line 948: the same project printed twice
    same = [k for k, v in titles.items() if v == "东昌府区固废处理联合体项目"]
    assert same == ["C42.P26"] and "C42.P30" not in titles  # never reused
    # 第五十八章, lines 1168–1170: 全面从从严治党
    c58 = next(d for d in tree.tasks if d.key == "C58.T01")
    assert "全面从严治党主体责任" in c58.source_text and "从从" not in c58.source_text
    assert not any("从从" in c.text for c in c58.checklist)
    assert dict(c58.attrs)["印刷原文"] == "全面从从严治党"
    # the printed text stays as printed in the plan tree
    ch58 = next(c for c in tree.chapters() if c.number == 58)
    assert "全面从从严治党" in ch58.paragraphs[0].text
    # split + duplicate: the number of projects is unchanged (337)
    assert sum(1 for d in tree.tasks if d.kind is TaskKind.PROJECT) == 337


def test_a_correction_that_does_not_match_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[[correction]]\nid = "x"\nkind = "replace"\nline = 3\nprinted = "甲甲"\n'
        'corrected = "甲"\nwhere = "某处"\nwhy = "重复字"\nby = "测试"\nreviewed = "2026-12-01"\n',
        encoding="utf-8",
    )
    text = "某市规划纲要\n\n第一篇 总\n\n第六章 任务\n\n推进甲事项。到2025年，甲达到10家。\n"
    t = parse_plan(text, corrections=load_corrections(path))
    (c,) = t.corrections
    assert (c.id, c.applied) == ("x", False)
    assert [d.source_text for d in t.tasks] == ["推进甲事项。到2025年，甲达到10家。"]


def test_a_broken_corrections_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[[correction]]\nid = "x"\nkind = "rename"\n', encoding="utf-8")
    with pytest.raises(InvalidInputError):
        load_corrections(path)
