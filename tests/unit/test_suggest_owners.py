"""Owner suggestions for the plan's own owners: Party bodies, the people's congress,
the CPPCC, mass organisations; 属地负责 for projects; cross-cutting co-units.

Each case is a real task of the bundled plan (key and printed words quoted).
"""

from __future__ import annotations

import pytest

from lctasks.domain import PlanTree, Suggestion
from lctasks.plan import load_plan
from lctasks.services.plan_import import suggest_for
from lctasks.suggest import RuleSet, default_rules
from lctasks.units import default_directory


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return default_rules(default_directory())


@pytest.fixture(scope="module")
def tree() -> PlanTree:
    return load_plan()


def _suggest(rules: RuleSet, tree: PlanTree, key: str) -> Suggestion:
    (d,) = [x for x in tree.tasks if x.key == key]
    titles = {c.number: c.title for c in tree.chapters()}
    return suggest_for(rules, d, titles[d.chapter])


@pytest.mark.parametrize(
    ("key", "lead"),
    [
        ("C57.T01", "市委办公室"),  # 坚持党对经济社会发展的领导
        ("C58.T01", "市纪委监委"),  # 健全完善监督体系: 从严治党, 巡察, 纪律监督
        ("C59.T01", "市委组织部"),  # 打造高素质干部队伍: 领导班子, 干部能力
        ("C60.T01", "市人大常委会办公室"),  # 凝聚全社会力量: 人民代表大会制度, 人民政协 …
        ("C37.G01", "市委宣传部"),  # 创建文明聊城: 精神文明建设
        ("C37.M02", "市委宣传部"),  # 提高市民文明素养
        ("C56.G01", "市委政法委"),  # 提高社会综合治理效能: 社会治理
    ],
)
def test_party_led_chapters_get_party_bodies(
    rules: RuleSet, tree: PlanTree, key: str, lead: str
) -> None:
    assert _suggest(rules, tree, key).lead == lead


def test_a_chapter_task_takes_every_topic_of_its_prose_as_co_units(
    rules: RuleSet, tree: PlanTree
) -> None:
    s = _suggest(rules, tree, "C60.T01")
    assert s.co_units[:2] == ("市政协办公室", "市委统战部")


def test_a_project_in_one_county_is_led_by_it(rules: RuleSet, tree: PlanTree) -> None:
    # C10.P01 东昌府区新材料产业园区: 属地负责, the sector department as co-unit
    s = _suggest(rules, tree, "C10.P01")
    assert (s.lead, s.co_units) == ("东昌府区", ("市工业和信息化局",))
    assert s.rules[0] == "county.dongchangfu"  # the place rule gave the lead
    # C10.P04 阳谷波米科技年产1500吨液晶取向剂…项目
    s = _suggest(rules, tree, "C10.P04")
    assert s.lead == "阳谷县" and "市工业和信息化局" in s.co_units
    # a zone: C06.P34 度假区江北水城5G生态科创园区产城融合项目
    assert _suggest(rules, tree, "C06.P34").lead == "度假区"
    # no place named: the sector department leads (C10.P06 山东上达稀土材料…项目)
    assert _suggest(rules, tree, "C10.P06").lead == "市工业和信息化局"
    # the box category counts before the chapter title: 专栏5 文化旅游 万达欢乐小镇项目
    assert _suggest(rules, tree, "C11.P06").lead == "市文化和旅游局"
    # a production capacity is manufacturing: C10.P34 山东易迈医疗年产10万套…设备项目
    assert _suggest(rules, tree, "C10.P34").lead == "市工业和信息化局"
    # a measure naming a county is not a located project: C06.M01 (…支持东阿县建设…)
    assert _suggest(rules, tree, "C06.M01").lead == "市科技局"


def test_about_every_located_project_has_its_county_as_lead(rules: RuleSet, tree: PlanTree) -> None:
    counties = {u.short for u in default_directory().units if u.kind.value in ("county", "zone")}
    projects = [d for d in tree.tasks if d.kind.value == "project"]
    local = [d.key for d in projects if _suggest(rules, tree, d.key).lead in counties]
    # 170 project titles name exactly one county or zone: 171 printed items, less the
    # second printing of 东昌府区固废处理联合体项目, with C42.P04 (two projects printed
    # as one) split into a 莘县 and a 东阿县 project by plan_data/corrections.toml
    assert len(local) == 170


def test_cross_cutting_measures_get_complete_co_units(rules: RuleSet) -> None:
    # 质量/标准/品牌 anywhere → 市市场监管局 as co-unit, never as lead
    s = rules.suggest(
        "推动农业品牌化发展", "加强区域公用品牌建设，推进农业标准化生产。", "推动农业高质量发展"
    )
    assert s.lead == "市农业农村局" and "市市场监管局" in s.co_units
    s = rules.suggest("发展绿色化工", "严格危化品安全生产监管。", "发展先进制造业")
    assert s.lead == "市工业和信息化局" and "市应急局" in s.co_units
    # a service's quality is not product quality
    s = rules.suggest("提高公共法律服务质量", "完善公共法律服务体系。", "建设法治聊城")
    assert "市市场监管局" not in s.co_units
