"""Every unit of measure the plan's targets use, read from the real plan text.

The list is written out here (not taken from the parser's unit pattern): a unit
dropped from the parser, or one parsed into a different unit, fails the test of
that unit with the real sentence that uses it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from lctasks.domain import PlanTree
from lctasks.plan import bundled_plan_path, load_plan
from lctasks.plan.targets import find_targets
from tests.conftest import once_per_module

END = dt.date(2025, 12, 31)

# unit -> (task, the clause that states the target, its value): the first use in the plan
MEASURE_UNITS: dict[str, tuple[str, str, float | None]] = {
    "%": ("C21.M03", "全市主要农作物良种覆盖率达到99%", 99.0),
    "个": ("C07.M02", "每年实施50个左右重大课题攻关项目", 50.0),
    "人": ("C26.M02", "引进京津地区企业管理人才100人以上", 100.0),
    "万人": ("C06.M03", "每年培训创业者1万人", 1.0),
    "家": ("C06.M01", "力争新增省级以上创新平台100家", 100.0),
    "名": ("C08.M01", "每年培育技师、高级技师800名", 800.0),
    "亿元": ("C10.M01", "装备制造业营业收入力争达到500亿元", 500.0),
    "项": ("C12.M02", "每个产业链每年筛选5项左右科技成果", 5.0),
    "条": ("C17.M03", "全市重点打造2-3条市级示范商业步行街", 2.0),  # a range 2–3
    "亿斤": ("C21.M01", "保障粮食综合产能稳定在100亿斤水平", 100.0),
    ":1": ("C21.M02", "农产品加工业与农业总产值比达到1.42:1", 1.42),  # a ratio
    # a project's scale (every quantity of a project item counts)
    "吨": ("C10.P04", "阳谷波米科技年产1500吨液晶取向剂和300吨光敏性聚酰亚胺电子材料项目", 1500.0),
    "台套": ("C10.P18", "中创联投智能装备制造年产5000台套智能机器人项目", 5000.0),
    "万套": ("C10.P34", "山东易迈医疗年产10万套关节置换辅助设备项目", 10.0),
    "万吨": ("C10.P45", "山东冠洲鼎鑫科技公司25万吨彩涂板项目", 25.0),
    "公里": ("C20.M01", "全市高铁通车里程达到216公里", 216.0),
    "万千瓦": ("C20.M11", "全市可再生能源装机容量达到300万千瓦", 300.0),
    "座": ("C20.M12", "规划新（扩）建500千伏变电站2座", 2.0),
    "万亩": ("C21.M01", "到2025年全市高标准农田面积稳定在600万亩以上", 600.0),
    "所": ("C22.M04", "在全市规划建设2000所左右的标准化公立村卫生室", 2000.0),
    "万名": ("C26.M04", "为京津地区和本地企业输送专业技能人才20万名左右", 20.0),
    "万人次": ("C26.M05", "每年接待京津冀地区游客达到300万人次", 300.0),
    "张": ("C51.M03", "依托市人民医院设立不少于50张符合传染病防控要求的床位", 50.0),
    "平方米": ("C51.M07", "全市人均体育场地面积达到2.2平方米", 2.2),
    "项次": ("C51.M07", "每年举办县级及以上全民健身赛事和活动次数200项次以上", 200.0),
}
# units of the indicator table (主要指标), from its "（单位）" column
# (粮食 万吨 and 能源 万吨标准煤 have text targets, 完成省分解任务; a yearly change of a
# rate is in 百分点: 常住人口城镇化率, “四新”经济增加值占比)
INDICATOR_UNITS = {"%", "个", "年", "人", "万人", "百分点"}


@pytest.fixture(scope=once_per_module)
def tree() -> PlanTree:
    return load_plan()


@pytest.mark.parametrize("unit", sorted(MEASURE_UNITS))
def test_each_unit_on_the_plan_sentence_that_uses_it(tree: PlanTree, unit: str) -> None:
    key, text, value = MEASURE_UNITS[unit]
    plan_text = bundled_plan_path().read_text(encoding="utf-8")
    assert text in "".join(plan_text.split())  # the text wraps lines
    task = next(t for t in tree.tasks if t.key == key)
    found = [(tg.text, tg.value, tg.unit) for item in task.checklist for tg in item.targets]
    assert (text, value, unit) in found
    # and the parser alone, on that clause (a project item: every quantity counts)
    every = ".P" in key
    first, *_ = [tg for tg in find_targets(text, END, every_quantity=every) if tg.unit == unit]
    assert (first.text, first.value, first.unit) == (text, value, unit)


def test_the_plan_uses_exactly_these_units(tree: PlanTree) -> None:
    measures: Counter[str] = Counter()
    indicators: set[str] = set()
    for task in tree.tasks:
        for item in task.checklist:
            for tg in item.targets:
                if task.key.startswith("I"):
                    indicators.add(tg.unit)
                elif tg.unit:
                    measures[tg.unit] += 1
    assert set(measures) == set(MEASURE_UNITS)
    assert indicators - {""} == INDICATOR_UNITS


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("力争新增光伏装机200兆瓦", "兆瓦", 200.0),
        ("新建标准化厂房30万平方米", "万平方米", 30.0),
        ("新增汽车充电桩500台套", "台套", 500.0),
        ("新增养老床位1000床", "床", 1000.0),
        ("力争引进外资3亿美元", "亿美元", 3.0),
        ("新增就业岗位2000个以上", "个", 2000.0),
        ("城镇居民收入增长6.5％", "%", 6.5),  # full-width percent sign
    ],
)
def test_units_the_plan_does_not_use_yet(text: str, unit: str, value: float) -> None:
    (target,) = find_targets(text, END)
    assert (target.value, target.unit) == (value, unit)


def test_checklist_items_carry_their_targets() -> None:
    from lctasks.plan.targets import checklist

    sentences = [
        "到2025年，力争新增省级以上创新平台100家",
        "加快建设产业园",
        "每年培育技师、高级技师800名",
    ]
    items = checklist(sentences, END)
    assert [i.text for i in items] == sentences
    assert [
        [(t.text, t.value, t.unit, t.deadline, t.yearly) for t in i.targets] for i in items
    ] == [
        [("力争新增省级以上创新平台100家", 100.0, "家", END, False)],
        [],
        [("每年培育技师、高级技师800名", 800.0, "名", END, True)],
    ]
