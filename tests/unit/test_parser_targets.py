"""Targets on the real plan: every quantity of a commitment, the indicator table's
merged cells, text targets and percentage points.

Each expectation was read off plan_data/liaocheng-14th-five-year-plan-2021-2025.txt
(task key and the printed words quoted), not taken from the parser's output.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lctasks.domain import PlanTree, Target, TaskDraft
from lctasks.plan import BUNDLED_PLAN, load_plan
from lctasks.plan.targets import find_targets
from tests.conftest import once_per_module

END = dt.date(2025, 12, 31)


@pytest.fixture(scope=once_per_module)
def tree() -> PlanTree:
    return load_plan(BUNDLED_PLAN)


def _task(tree: PlanTree, key: str) -> TaskDraft:
    (found,) = [t for t in tree.tasks if t.key == key]
    return found


def _targets(tree: PlanTree, key: str, words: str = "") -> list[Target]:
    return [g for c in _task(tree, key).checklist if words in c.text for g in c.targets]


def _shown(targets: list[Target]) -> list[str]:
    return [g.shown() for g in targets if g.kind]


# -- the indicator table --------------------------------------------------------


def test_merged_cells_cover_every_row_of_their_run(tree: PlanTree) -> None:
    # 2025 column: 完成省分解任务 printed on row 11 (单位地区生产总值能源消耗降低) and
    # left empty on rows 12–15; printed on row 23 (粮食) and empty on row 24 (能源)
    rows = {r.number: r for r in tree.indicators}
    covered = {n: (r.target_text, r.target_from_row) for n, r in rows.items() if r.target_from_row}
    assert covered == {
        12: ("完成省分解任务", 11),
        13: ("完成省分解任务", 11),
        14: ("完成省分解任务", 11),
        15: ("完成省分解任务", 11),
        24: ("完成省分解任务", 23),
    }
    binding = [r for r in tree.indicators if r.nature == "约束性"]
    assert [r.number for r in binding] == [11, 12, 13, 14, 15, 18, 23, 24]
    for key in ("I12", "I13", "I14", "I15", "I24"):
        (g,) = _targets(tree, key)
        assert (g.kind, g.value_text, g.value, g.deadline) == ("text", "完成省分解任务", None, END)
    (i15,) = _task(tree, "I15").checklist
    assert i15.text == "森林覆盖率（%）：2025年完成省分解任务（合并单元格，印于I11）"
    # the row carries the merged value and says where it is printed
    attrs = dict(_task(tree, "I15").attrs)
    assert (attrs["2025年"], attrs["合并单元格"]) == ("完成省分解任务", "2025年栏印于I11")


def test_text_targets_are_kept_exactly(tree: PlanTree) -> None:
    texts = {
        d.key: d.checklist[0].targets[0].value_text
        for d in tree.tasks
        if d.key.startswith("I") and d.checklist[0].targets[0].kind == "text"
    }
    assert texts == {
        "I09": "高于全省平均水平",
        "I11": "完成省分解任务",
        "I12": "完成省分解任务",
        "I13": "完成省分解任务",
        "I14": "完成省分解任务",
        "I15": "完成省分解任务",
        "I17": "低于全省平均水平",
        "I18": "完成省分解任务",
        "I23": "完成省分解任务",
        "I24": "完成省分解任务",
    }
    assert all(d.checklist[0].targets for d in tree.tasks if d.key.startswith("I"))


def test_rate_of_a_rate_is_in_percentage_points(tree: PlanTree) -> None:
    (urban,) = _targets(tree, "I06")  # 常住人口城镇化率(%) 年均 0.8左右
    assert (urban.value, urban.unit, urban.after, urban.yearly) == (0.8, "百分点", "左右", True)
    assert urban.shown() == "0.8百分点左右"
    (share,) = _targets(tree, "I03")  # “四新”经济增加值占比(%) 年均 2左右
    assert (share.value, share.unit) == (2.0, "百分点")
    (gdp,) = _targets(tree, "I01")  # 地区生产总值增速(%) 年均 ≥6: a growth rate, percent
    assert (gdp.value, gdp.unit, gdp.before, gdp.shown()) == (6.0, "%", "≥", "≥6%")
    (rd,) = _targets(tree, "I08")  # 研发支出与生产总值之比(%) 2025年 2.5: a level, percent
    assert (rd.value, rd.unit, rd.yearly) == (2.5, "%", False)
    (beds,) = _targets(tree, "I21")  # 每千人口拥有3岁以下婴幼儿托位数(个) 不少于4
    assert beds.shown() == "不少于4个"


# -- every quantity of a commitment ----------------------------------------------


def test_several_quantities_and_voltage_classes(tree: PlanTree) -> None:
    # C20.M12: 规划新（扩）建500千伏变电站2座，新（扩）建220千伏变电站12座 …
    # 新（扩）建35-110kV变电站56座，新建10-110kV线路长度6300公里
    assert _shown(_targets(tree, "C20.M12")) == ["2座", "12座", "56座", "6300公里"]
    # C10.G01: 培育千亿级产业2个、800亿级产业1个、500亿级产业3个 (亿级 is a class)
    assert _shown(_targets(tree, "C10.G01", "千亿级")) == ["2个", "1个", "3个"]


def test_ranges_ratios_decimals_and_counting_units(tree: PlanTree) -> None:
    # C50.M02: …比例在25%-35%和35%-45%之间…
    low, high = _targets(tree, "C50.M02", "25%-35%")
    assert (low.kind, low.value, low.value_max, low.unit) == ("range", 25.0, 35.0, "%")
    assert (high.value, high.value_max, high.shown()) == (35.0, 45.0, "35%–45%")
    # C21.M02: 农产品加工业与农业总产值比达到1.42:1
    (ratio,) = [g for g in _targets(tree, "C21.M02", "总产值比") if g.kind == "ratio"]
    assert (ratio.kind, ratio.value, ratio.unit, ratio.shown()) == ("ratio", 1.42, ":1", "1.42:1")
    # C21.M01: 农田灌溉水有效利用系数保持在0.6363以上; 粮食综合产能稳定在100亿斤水平
    (coef,) = _targets(tree, "C21.M01", "0.6363")
    assert (coef.value, coef.unit, coef.after, coef.deadline) == (0.6363, "", "以上", END)
    grain = [g for g in _targets(tree, "C21.M01", "100亿斤") if g.unit == "亿斤"]
    assert [g.value for g in grain] == [100.0]
    # C51.M03: 设立不少于50张…床位; C51.M07: …指导员人数达3.8以上
    assert _shown(_targets(tree, "C51.M03", "50张")) == ["不少于50张"]
    assert _shown(_targets(tree, "C51.M07", "3.8")) == ["3.8以上"]
    # C08.M01: 争取入选省级产业领军人才30名 (名; 争取/入选 are target verbs)
    assert _shown(_targets(tree, "C08.M01", "30名")) == ["30名"]
    # projects: a project's scale is its quantity — C10.P47 莘县瑞鑫达年产100万吨镀铝锌硅板项目
    assert _shown(_targets(tree, "C10.P47")) == ["100万吨"]


def test_qualifiers_are_kept(tree: PlanTree) -> None:
    # C11.G01: 到2025年，建成10个左右特色文化旅游集聚区，10个左右医养健康集聚区，…
    assert _shown(_targets(tree, "C11.G01")) == ["10个左右", "10个左右", "10个左右"]
    # C10.G01: 到2025年，力争全市规模以上制造业企业营业收入突破5100亿元
    (rev,) = _targets(tree, "C10.G01", "5100")
    assert (rev.before, rev.shown(), rev.deadline) == ("力争", "力争5100亿元", END)
    # C26.M01: “十四五”期间，力争累计引进京津地区各类项目500个以上，其中投资过亿元项目100个以上
    assert _shown(_targets(tree, "C26.M01", "500")) == ["力争500个以上", "100个以上"]
    # C33.M01: 市属重点制造业企业研发投入强度不低于3%
    assert _shown(_targets(tree, "C33.M01", "不低于")) == ["不低于3%"]


def test_time_phrases_set_deadlines(tree: PlanTree) -> None:
    # C08.M01 未来五年，争取入选省级产业领军人才30名
    (g,) = _targets(tree, "C08.M01", "未来五年")
    assert g.deadline == END
    # C26.M05 “十四五”时期，培植…旅游项目10个，推出20条精品旅游线路，每年接待…300万人次
    t = _targets(tree, "C26.M05", "十四五")
    assert [(x.shown(), x.deadline, x.yearly) for x in t] == [
        ("10个", END, False),
        ("20条", END, False),
        ("300万人次", END, True),
    ]
    # C51.M02 力争用3年时间全面建成…疾病预防控制网络 → end of the plan's 3rd year
    (net,) = _targets(tree, "C51.M02", "用3年时间")
    assert net.deadline == dt.date(2023, 12, 31)
    # C48.M01 “十四五”期间，每年城镇新增就业不低于4万人
    (jobs,) = _targets(tree, "C48.M01", "每年城镇新增就业")
    assert (jobs.shown(), jobs.yearly, jobs.deadline) == ("不低于4万人", True, END)


def test_never_a_baseline_nor_a_name() -> None:
    # chapter 1 (line 27): 2020年，全市生产总值达到2316.84亿元，年均增长4.9%
    assert find_targets("2020年，全市生产总值达到2316.84亿元，年均增长4.9%", END) == ()
    # a comparison with a year is not a baseline
    (cmp_,) = find_targets("到2025年，单位产值能耗比2020年下降15%", END)
    assert (cmp_.value, cmp_.unit) == (15.0, "%")
    assert find_targets("更好发挥我市39家国家级科技创新平台的支撑引领作用", END) == ()
    assert find_targets("加快推进重点应用区域5G规模组网和商用", END) == ()
    assert find_targets("推动全市3A级以上景区建设智慧景区", END) == ()
    assert find_targets("主动对接世界500强", END) == ()
    assert find_targets("落实《三年行动计划（2021-2023年）》", END) == ()
    (two,) = find_targets("规划新（扩）建500千伏变电站2座", END)
    assert (two.value, two.unit) == (2.0, "座")
