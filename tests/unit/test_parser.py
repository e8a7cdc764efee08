"""The plan parser on the real bundled plan: structure, boxes, indicators, tasks.

Expected counts come from reading plan_data/liaocheng-14th-five-year-plan-2021-2025.txt
by hand (line numbers given), not from the parser's own output.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from lctasks.domain import DueBasis, PlanTree, TaskDraft, TaskKind
from lctasks.plan import BUNDLED_PLAN, coverage, load_plan
from tests.conftest import once_per_module

END = dt.date(2025, 12, 31)


@pytest.fixture(scope=once_per_module)
def tree() -> PlanTree:
    return load_plan(BUNDLED_PLAN)


def _task(tree: PlanTree, key: str) -> TaskDraft:
    found = [t for t in tree.tasks if t.key == key]
    assert len(found) == 1, key
    return found[0]


# ---------------------------------------------------------------------------
# Document and structure
# ---------------------------------------------------------------------------


def test_title_number_and_period(tree: PlanTree) -> None:
    assert tree.code == "lc-14th"
    assert tree.title == "聊城市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    assert tree.doc_number == "聊政发〔2021〕4号"
    assert (tree.start, tree.end) == (dt.date(2021, 1, 1), END)
    assert len(tree.source_sha256) == 64


def test_fifteen_parts_sixty_one_chapters_in_order(tree: PlanTree) -> None:
    assert [p.number for p in tree.parts] == list(range(1, 16))
    assert tree.parts[1].title == "激发创新驱动新活力"
    chapters = tree.chapters()
    assert [c.number for c in chapters] == list(range(1, 62))
    # chapters per part, counted from the headings (lines 23-1184)
    per_part = [len(p.chapters) for p in tree.parts]
    assert per_part == [5, 4, 3, 4, 4, 4, 4, 3, 5, 2, 4, 4, 6, 4, 5]
    ch = {c.number: c for c in chapters}
    assert ch[6].title == "加强创新载体平台建设" and ch[6].part == 2 and ch[6].line == 175
    assert ch[61].title == "加强规划实施和管理"


def test_sections_only_where_printed(tree: PlanTree) -> None:
    with_sections = {c.number: [s.title for s in c.sections] for c in tree.chapters() if c.sections}
    assert with_sections == {
        3: ["指导思想", "基本原则"],
        4: ["“十四五”时期经济社会发展主要目标", "二〇三五年远景目标"],
        10: ["培育壮大新兴制造业", "改造提升传统制造业", "坚决淘汰落后动能"],
        11: ["做大做强特色优势服务业", "培育和发展生产性服务业", "推进生活性服务业转型升级"],
        14: ["加快推进产业数字化", "加快推进数字产业化"],
        20: ["构建现代化综合交通体系", "构建现代水网体系", "构建现代能源体系"],
    }


def test_part_introductions_are_kept_on_the_part(tree: PlanTree) -> None:
    # parts 2-15 open with one paragraph before their first chapter (e.g. line 173)
    assert [len(p.paragraphs) for p in tree.parts] == [0] + [1] * 14
    assert tree.parts[1].paragraphs[0].text.startswith("落实创新发展理念")
    assert tree.parts[1].paragraphs[0].line == 173


def test_preamble_holds_the_notice(tree: PlanTree) -> None:
    texts = [p.text for p in tree.preamble]
    assert texts[0] == "聊城市人民政府文件"
    assert (
        "聊城市人民政府关于印发聊城市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要的通知"
        in texts
    )
    assert texts[-1].startswith("“十四五”时期（2021-2025年）")


# ---------------------------------------------------------------------------
# Boxes (专栏)
# ---------------------------------------------------------------------------

# items per box, counted by hand from the numbering in lines 189-1094
BOX_ITEMS = {
    1: 38,  # 2+3+7+12 numbered, 3 single entries, 10 众创空间, 1 示范平台
    2: 51,  # 创新平台 21 + 创新载体 30
    3: 20,
    4: 68,  # 8+11+4+5+10+11+6+5+4+4
    5: 34,  # 14+8+7+5
    6: 38,  # 22+16
    7: 35,  # 11+13+11
    8: 3,  # 一心 / 两轴 / 两带
    9: 8,  # eight counties
    10: 44,  # 25+8+11
    11: 27,  # 14+12+1
    12: 20,
}


def test_twelve_boxes_with_their_items(tree: PlanTree) -> None:
    found = {b.number: len(b.items) for c in tree.chapters() for b in c.boxes}
    assert found == BOX_ITEMS


def test_reference_boxes_are_material_not_tasks(tree: PlanTree) -> None:
    boxes = [b for c in tree.chapters() for b in c.boxes]
    assert sorted(b.number for b in boxes if b.is_reference) == [1, 8, 9]
    assert [b.number for b in tree.chapters()[5].boxes] == [1, 2]  # chapter 6
    assert {b.number for b in tree.chapters()[29].boxes} == {8, 9}  # chapter 30
    assert not any(t.box in (1, 8, 9) for t in tree.tasks)


def test_box_printed_after_the_wrong_chapter_is_attached_to_its_own(tree: PlanTree) -> None:
    placement = {
        b.number: (b.chapter, b.printed_after_chapter) for c in tree.chapters() for b in c.boxes
    }
    assert placement[5] == (11, 12)  # 现代服务业重点项目: printed after 第十二章
    moved = {n for n, (ch, printed) in placement.items() if ch != printed}
    assert moved == {5}
    ch = {c.number: c for c in tree.chapters()}
    assert [b.number for b in ch[11].boxes] == [5]
    assert ch[12].boxes == ()
    c11_projects = [t for t in tree.tasks if t.key.startswith("C11.P")]
    assert len(c11_projects) == 34 and {t.box for t in c11_projects} == {5}


def test_box_heading_without_space(tree: PlanTree) -> None:
    titles = {b.number: b.title for c in tree.chapters() for b in c.boxes}
    assert titles[6] == "数字聊城重点项目"  # printed 专栏6：
    assert titles[8] == "聊城市城镇空间布局"  # printed 专栏8：


# ---------------------------------------------------------------------------
# Indicator table (chapter 4)
# ---------------------------------------------------------------------------


def test_indicator_table_has_24_rows_on_chapter_4(tree: PlanTree) -> None:
    # lines 146-169: 24 rows under the header on line 145
    assert len(tree.indicators) == 24
    assert [r.line for r in tree.indicators] == list(range(146, 170))
    keys = [t.key for t in tree.tasks if t.kind is TaskKind.INDICATOR]
    assert keys == [f"I{n:02d}" for n in range(1, 25)]
    assert {t.chapter for t in tree.tasks if t.kind is TaskKind.INDICATOR} == {4}
    # its title (printed after chapter 5) is kept on chapter 4
    ch4 = tree.chapters()[3]
    assert ch4.paragraphs[-1].text == "“十四五”时期聊城市经济社会发展主要指标"


def test_indicator_categories_are_filled_down(tree: PlanTree) -> None:
    counts = Counter(r.category for r in tree.indicators)
    assert counts == {"经济发展": 6, "创新驱动": 4, "绿色生态": 5, "民生福祉": 7, "安全保障": 2}
    i02 = _task(tree, "I02")
    assert i02.category == "经济发展"
    assert i02.attrs[0] == ("类别", "")  # the printed cell stays empty


def test_gdp_growth_indicator(tree: PlanTree) -> None:
    row = tree.indicators[0]
    assert (row.name, row.unit, row.category) == ("地区生产总值增速", "%", "经济发展")
    assert (row.baseline, row.target, row.nature) == (2.8, 6.0, "预期性")
    assert (row.baseline_text, row.target_text, row.annual_text) == ("2.8", "—", "≥6")
    task = _task(tree, "I01")
    assert task.title == "地区生产总值增速"
    assert dict(task.attrs) == {
        "类别": "经济发展",
        "指标": "地区生产总值增速(%)",
        "2020年": "2.8",
        "2025年": "—",
        "年均/[累计]": "≥6",
        "属性": "预期性",
    }
    (item,) = task.checklist
    (target,) = item.targets
    assert (target.value, target.unit, target.deadline) == (6.0, "%", END)
    assert (task.due, task.due_basis) == (END, DueBasis.EXPLICIT)


@pytest.mark.parametrize(
    ("number", "baseline", "target"),
    [
        (2, 2.3, 6.5),  # 预计2.3 / — / >6.5
        (3, 29.85, 2.0),  # 2左右
        (6, None, 0.8),  # — / — / 0.8左右
        (8, 1.9, 2.5),  # 约1.9 / 2.5 / —
        (9, None, None),  # 高于全省平均水平, empty annual cell
        (11, None, None),  # 完成省分解任务
        (12, None, None),  # — then two empty cells
        (14, 25.0, None),  # 25%
        (19, 2.53, 3.64),  # 2025 value wins over the annual 8.77
        (21, None, 4.0),  # 不少于4
        (22, 78.2, 80.0),  # 80左右
    ],
)
def test_indicator_cells(tree: PlanTree, number: int, baseline: float, target: float) -> None:
    row = tree.indicators[number - 1]
    assert (row.baseline, row.target) == (baseline, target)


def test_indicator_text_kept_when_not_a_number(tree: PlanTree) -> None:
    row = tree.indicators[8]
    assert row.target_text == "高于全省平均水平" and row.annual_text == ""
    i09 = _task(tree, "I09")
    assert "高于全省平均水平" in i09.source_text
    assert i09.checklist[0].targets[0].value is None
    assert tree.indicators[18].name == "每千人口拥有执业(助理)医师数"
    assert tree.indicators[18].unit == "人"
    assert tree.indicators[23].unit == "万吨标准煤"


# ---------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------


def test_task_counts_by_kind(tree: PlanTree) -> None:
    kinds = Counter(t.kind for t in tree.tasks)
    assert kinds[TaskKind.INDICATOR] == 24
    assert kinds[TaskKind.PROJECT] == sum(n for b, n in BOX_ITEMS.items() if b not in (1, 8, 9))
    assert kinds[TaskKind.PROJECT] == 337
    assert kinds[TaskKind.MEASURE] == 194
    assert kinds[TaskKind.CHAPTER] == 6
    # 14 part intros (篇 2–15) + 47 chapter intros (章 6–42, 47–56) + 3 section intros
    # (第二十章 第一–三节) + 8 paragraphs of 第四章 (主要目标 ×7, 远景目标)
    assert kinds[TaskKind.GOAL] == 72
    assert len({t.key for t in tree.tasks}) == len(tree.tasks)


# measures per chapter, counted by reading the lead phrases of each paragraph
HAND_MEASURES = {
    6: ["建设技术创新平台", "发挥国家级创新平台作用", "推动大众创业万众创新"],
    7: ["大力培育创新型企业", "开展核心技术攻关", "加快科技成果转移转化"],
    10: [
        "装备制造",
        "新材料",
        "新能源汽车",
        "新一代信息技术",
        "生物医药",
        "有色金属及金属深加工",
        "绿色化工",
        "农副产品加工",
        "纺织服装",
        "造纸印刷",
        "淘汰落后产能",
        "严禁新增违规产能和产能盲目扩张",
    ],
    11: [
        "文化旅游",
        "医养健康",
        "现代物流",
        "电子商务",
        "现代金融",
        "其他生产性服务业",
        "批发零售业",
        "房地产业",
        "餐饮业",
        "其他生活性服务业",
    ],
    12: ["实行产业链链长制", "塑造一流产业生态"],
    20: [
        "铁路建设",
        "公路建设",
        "机场建设",
        "内河通航",
        "交通枢纽",
        "重点水资源利用工程",
        "防洪抗旱减灾治理工程",
        "水生态保护与修复工程",
        "电力",
        "天然气",
        "新能源",
        "电网",
    ],
    27: [
        "建设郑济发展轴的重要节点城市",
        "建设中原城市群北部省际交汇区域发展经济带重要节点城市",
        "建设中原城市群北部跨区域协同发展示范区",
    ],
    28: ["加快推进济聊一体化发展", "加强与省会经济圈其他市合作发展"],
    46: [
        "建设“内陆港、综合保税区”二合一开放平台",
        "建设高品质的开放合作示范园区",
        "建设具有较高知名度的开放品牌",
    ],
    52: ["促进人口长期均衡发展", "完善多层次养老服务体系", "发展银发经济"],
}


@pytest.mark.parametrize("chapter", sorted(HAND_MEASURES))
def test_measures_of_sample_chapters(tree: PlanTree, chapter: int) -> None:
    found = [t for t in tree.tasks if t.kind is TaskKind.MEASURE and t.chapter == chapter]
    assert [t.title for t in found] == HAND_MEASURES[chapter]
    assert [t.key for t in found] == [f"C{chapter:02d}.M{n:02d}" for n in range(1, len(found) + 1)]


def test_measure_keeps_its_whole_paragraph(tree: PlanTree) -> None:
    m = _task(tree, "C06.M01")
    assert m.title == "建设技术创新平台" and m.line == 179 and m.chapter == 6
    assert m.source_text.startswith("建设技术创新平台。实施制造业创新中心建设工程")
    assert m.source_text.endswith("支持东阿县建设中医药（阿胶）产业科研创新平台。")
    c10 = _task(tree, "C10.M03")
    assert (c10.title, c10.section) == ("新能源汽车", 1)


def test_chapter_intro_is_a_goal_not_a_measure(tree: PlanTree) -> None:
    ch6 = tree.chapters()[5]
    assert ch6.paragraphs[0].text.startswith("实施科技强市行动计划")
    (intro,) = [t for t in tree.tasks if t.source_text.startswith("实施科技强市行动计划")]
    assert (intro.key, intro.kind, intro.line) == ("C06.G01", TaskKind.GOAL, 177)


def test_every_chapter_from_4_has_a_task_and_1_to_3_none(tree: PlanTree) -> None:
    chapters_with_tasks = {t.chapter for t in tree.tasks}
    assert chapters_with_tasks == set(range(4, 62))
    chapter_tasks = [t.key for t in tree.tasks if t.kind is TaskKind.CHAPTER]
    assert chapter_tasks == ["C05.T01", "C57.T01", "C58.T01", "C59.T01", "C60.T01", "C61.T01"]
    c58 = _task(tree, "C58.T01")
    assert c58.title == "健全完善监督体系"
    assert c58.source_text.startswith("健全党统一领导、全面覆盖、权威高效的监督体系")
    c61 = _task(tree, "C61.T01")
    # one paragraph: the closing words (…而努力奋斗！, line 1190) are context, not a task
    assert c61.source_text.count("\n") == 0
    assert "努力奋斗" not in c61.source_text


def test_project_tasks(tree: PlanTree) -> None:
    ev = [t for t in tree.tasks if t.kind is TaskKind.PROJECT and t.box == 4]
    assert len(ev) == 68 and ev[0].key == "C10.P01"
    zt = [t for t in ev if t.title == "中通新能源汽车升级改造项目"]
    assert len(zt) == 1
    assert (zt[0].key, zt[0].category, zt[0].chapter) == ("C10.P21", "新能源汽车", 10)
    # numbering runs across the boxes of a chapter: chapter 6 has 专栏1 (reference) and 专栏2
    c06 = [t.key for t in tree.tasks if t.kind is TaskKind.PROJECT and t.chapter == 6]
    assert c06[0] == "C06.P01" and c06[-1] == "C06.P51"
    # an un-numbered single entry is one project
    he = [t for t in tree.tasks if t.category == "高等教育"]
    assert [(t.key, t.title) for t in he] == [("C49.P27", "聊城理工学院（东昌学院转设）")]


def test_projects_per_box(tree: PlanTree) -> None:
    per_box = Counter(t.box for t in tree.tasks if t.kind is TaskKind.PROJECT)
    assert per_box == {b: n for b, n in BOX_ITEMS.items() if b not in (1, 8, 9)}


# ---------------------------------------------------------------------------
# Checklists, targets, deadlines
# ---------------------------------------------------------------------------


def test_checklist_splits_commitments_and_finds_targets(tree: PlanTree) -> None:
    m = _task(tree, "C06.M01")
    texts = [c.text for c in m.checklist]
    assert len(texts) == 6  # seven sentences, the first is the lead phrase
    assert "到2025年，力争新增省级以上创新平台100家" in texts
    item = m.checklist[texts.index("到2025年，力争新增省级以上创新平台100家")]
    (target,) = item.targets
    assert (target.value, target.unit, target.deadline, target.yearly) == (100.0, "家", END, False)
    assert (m.due, m.due_basis, m.due_text) == (END, DueBasis.EXPLICIT, "到2025年")


def test_yearly_target(tree: PlanTree) -> None:
    m = _task(tree, "C06.M03")
    item = next(c for c in m.checklist if c.text == "每年孵化科技型中小微企业100家")
    (target,) = item.targets
    assert (target.value, target.unit, target.yearly) == (100.0, "家", True)
    assert (m.due, m.due_basis, m.due_text) == (END, DueBasis.YEARLY, "每年")


def test_yearly_governs_only_what_follows_it(tree: PlanTree) -> None:
    m = _task(tree, "C26.M05")  # …旅游项目10个，推出20条精品旅游线路，每年接待…300万人次
    targets = {(t.value, t.unit): t.yearly for c in m.checklist for t in c.targets}
    assert targets == {(10.0, "个"): False, (20.0, "条"): False, (300.0, "万人次"): True}


def test_industry_revenue_target(tree: PlanTree) -> None:
    m = _task(tree, "C10.M01")
    targets = [t for c in m.checklist for t in c.targets]
    assert [(t.value, t.unit, t.deadline) for t in targets] == [(500.0, "亿元", END)]
    assert targets[0].text == "装备制造业营业收入力争达到500亿元"


def test_percentage_target(tree: PlanTree) -> None:
    m = _task(tree, "C33.M01")
    targets = [t for c in m.checklist for t in c.targets]
    pct = [t for t in targets if t.unit == "%"]
    assert [(t.value, t.text) for t in pct] == [(3.0, "市属重点制造业企业研发投入强度不低于3%")]


def test_an_earlier_milestone_does_not_shorten_the_task(tree: PlanTree) -> None:
    # 到2022年实现混改户数、资产占比双提升 is one commitment among undated ones
    m = _task(tree, "C33.M01")
    dated = [t for c in m.checklist for t in c.targets if t.deadline == dt.date(2022, 12, 31)]
    assert len(dated) == 1 and dated[0].value is None
    assert (m.due, m.due_basis, m.due_text) == (END, DueBasis.INFERRED, "")


def test_deadline_beyond_the_plan_stays_on_the_item(tree: PlanTree) -> None:
    m = _task(tree, "C39.M01")
    dated = [t for c in m.checklist for t in c.targets if t.deadline]
    assert [t.deadline for t in dated] == [dt.date(2027, 12, 31)]
    assert (m.due, m.due_basis) == (END, DueBasis.INFERRED)


def test_no_deadline_is_inferred(tree: PlanTree) -> None:
    m = _task(tree, "C11.M01")
    assert (m.due, m.due_basis, m.due_text) == (END, DueBasis.INFERRED, "")


def test_plan_period_wording_is_explicit(tree: PlanTree) -> None:
    m = _task(tree, "C48.M01")  # “十四五”期间，每年城镇新增就业不低于4万人
    assert (m.due, m.due_basis, m.due_text) == (END, DueBasis.EXPLICIT, "“十四五”期间")
    item = next(c for c in m.checklist if "每年城镇新增就业" in c.text)
    (target,) = item.targets
    assert (target.value, target.unit, target.yearly) == (4.0, "万人", True)


# ---------------------------------------------------------------------------
# coverage()
# ---------------------------------------------------------------------------


def test_coverage_summary(tree: PlanTree) -> None:
    cov = coverage(tree)
    assert cov["tasks"] == 633
    assert cov["tasks_by_kind"] == {
        "indicator": 24,
        "chapter": 6,
        "measure": 194,
        "project": 337,
        "goal": 72,
    }
    assert cov["reference_boxes"] == [1, 8, 9]
    assert cov["unplaced"] == 3
    assert cov["chapters"] == 61 and cov["parts"] == 15
    ch10 = next(c for c in cov["chapters_detail"] if c["chapter"] == 10)
    assert ch10["tasks"] == {"measure": 12, "project": 68, "goal": 2}  # P03.G01, C10.G01
    box5 = next(b for b in cov["boxes"] if b["box"] == 5)
    assert (box5["chapter"], box5["printed_after_chapter"]) == (11, 12)
