"""Owner suggestions from the plan's own wording (plan_data/rules.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lctasks.domain import InvalidInputError
from lctasks.resources import bundled
from lctasks.suggest import (
    RuleSet,
    default_rules,
    explain_suggestion,
    load_rules,
    main,
    suggest,
)
from lctasks.units import UnitDirectory, load_units

PLAN = bundled("liaocheng-14th-five-year-plan-2021-2025.txt")


@pytest.fixture(scope="module")
def units() -> UnitDirectory:
    return UnitDirectory(load_units(bundled("units.toml")))


@pytest.fixture(scope="module")
def rules(units: UnitDirectory) -> RuleSet:
    return load_rules(bundled("rules.toml"), units)


def plan_line(number: int) -> str:
    return PLAN.read_text(encoding="utf-8").splitlines()[number - 1]


@pytest.mark.parametrize(
    ("title", "chapter", "lead"),
    [
        ("建设技术创新平台", "加强创新载体平台建设", "市科技局"),
        ("加快科技成果转移转化", "提升企业技术创新能力", "市科技局"),
        ("装备制造", "发展先进制造业", "市工业和信息化局"),
        ("5G 产业", "建设数字经济发展高地", "市工业和信息化局"),
        ("大数据和云计算产业", "建设数字经济发展高地", "市大数据局"),
        ("铁路建设", "加强基础设施建设", "市交通运输局"),
        ("机场建设", "加强基础设施建设", "市交通运输局"),
        ("防洪抗旱减灾治理工程", "加强基础设施建设", "市水利局"),
        ("强化大气污染联防联控", "开展污染防治攻坚行动", "市生态环境局"),
        ("巩固提升基础教育", "建设高质量教育体系", "市教育和体育局"),
        ("加强传染病救治体系建设", "全面推进健康聊城建设", "市卫生健康委"),
        ("完善多层次养老服务体系", "积极应对人口老龄化", "市民政局"),
        ("扩大就业总量", "实现更加充分更高质量就业", "市人力资源社会保障局"),
        ("推动金融服务实体经济", "深化财税金融改革", "市地方金融监管局"),
        ("深化国资国企改革", "充分激发市场主体活力", "市国资委"),
        ("优化提升外贸商品结构", "培育外贸竞争新优势", "市商务局"),
        ("加强文化遗产保护", "提高文化软实力", "市文化和旅游局"),
        ("促进农业产业提质增效", "推动农业高质量发展", "市农业农村局"),
        ("加强重点领域立法", "建设法治聊城", "市司法局"),
        ("全面提升应急管理水平", "构建现代应急管理体系", "市应急局"),
        ("加强退役军人工作", "健全多层次社会保障体系", "市退役军人事务局"),
        ("加强规划实施和管理", "加强规划实施和管理", "市发展改革委"),
    ],
)
def test_real_plan_titles_get_the_expected_lead(
    rules: RuleSet, title: str, chapter: str, lead: str
) -> None:
    assert rules.suggest(title, "", chapter).lead == lead


def test_a_county_project_gets_the_county_as_co_unit(units: UnitDirectory) -> None:
    s = suggest("东阿县中医药大健康产业基础设施建设项目", "", "发展先进制造业", units)
    assert s.lead == "市卫生健康委"
    assert "东阿县" in s.co_units
    assert s.rules[0] == "health" and "county.dong-e" in s.rules


def test_title_beats_body(rules: RuleSet) -> None:
    # the body talks about 数字 and 农业 again and again; the title says 科技
    body = "推进农业数字化、数字乡村、数字农业、农业大数据、农村电商。"
    s = rules.suggest("建设科技成果转化及招才引智基地", body, "深度对接京津冀协同发展")
    assert s.lead == "市科技局"


def test_chapter_title_decides_when_the_title_says_nothing(rules: RuleSet) -> None:
    assert rules.suggest("万达欢乐小镇项目", "", "发展现代服务业").lead == "市发展改革委"


def test_one_passing_mention_in_the_body_is_not_a_topic(rules: RuleSet) -> None:
    s = rules.suggest("统筹推进各项工作", "深化文明城市创建，推进依法行政。", "其他事项")
    assert s.lead is None
    assert s.rules == ()
    detail = rules.explain("统筹推进各项工作", "", "其他事项")
    assert detail.reasons() == ["没有规则命中：请人工指定责任单位"]
    # 文明 in the title or chapter title is the propaganda department's (市委宣传部)
    assert rules.suggest("提高市民文明素养", "", "创建文明聊城").lead == "市委宣传部"


def test_digital_rule_brings_its_co_unit_and_the_title_rules_their_leads(rules: RuleSet) -> None:
    s = rules.suggest("加快农业数字化转型", "", "建设数字经济发展高地")
    assert s.lead == "市大数据局"
    assert s.co_units == ("市工业和信息化局", "市农业农村局")
    assert s.rules == ("digital", "agriculture")


def test_whole_names_before_abbreviations_and_typos(rules: RuleSet) -> None:
    s = rules.suggest("东昌府区新材料产业园区", "", "")
    assert s.co_units == ("东昌府区",)
    # the plan's 茌平 typos still find 茌平区
    line_139 = plan_line(139)
    assert "在平" in line_139
    assert "茌平区" in rules.suggest("加快推进高铁建设", line_139, "").co_units
    assert "茌平区" in rules.suggest("支持荏平区发展铝精深加工", "", "").co_units


def test_zones_only_where_they_stand_alone(rules: RuleSet) -> None:
    # a county's own development zone is that county, not 聊城经济技术开发区
    assert rules.suggest("冠县经济开发区科技基地项目", "", "").co_units == ("冠县",)
    assert rules.suggest("东阿开发区数据服务中心基础设施建设项目", "", "").co_units[-1] == "东阿县"
    assert "开发区" not in rules.suggest("聊城鲁西经济开发区污水处理厂", "", "").co_units
    # 开发区域 is a planning term (line 924), never the zone
    line_924 = plan_line(924)
    assert "开发区域" in line_924
    assert "开发区" not in rules.suggest("优化国土空间开发保护格局", line_924, "").co_units
    # 省级高新园区 / 国家级高新区 / 各开发区 / 市属开发区 are generic
    assert rules.suggest("积极创建省级高新园区", plan_line(187), "").co_units == ()
    line_994 = plan_line(994)
    assert "市属开发区" in line_994 and "聊城经济开发区" in line_994
    generic = rules.suggest(
        "建设高品质的开放合作示范园区", line_994.replace("聊城经济开发区", ""), ""
    )
    assert "开发区" not in generic.co_units
    # ...but 支持开发区/支持高新区/支持度假区 (line 740) name the zones
    zones = rules.suggest("增强聊茌东都市区辐射带动能力", plan_line(740), "").co_units
    assert {"开发区", "高新区", "度假区"} <= set(zones)
    # a project listed under the zone's short name
    assert rules.suggest("高新区徐田中学", "", "").co_units == ("高新区",)
    assert rules.suggest("度假区弘山街中学", "", "").co_units == ("度假区",)
    # a tourist resort in a county is not 江北水城旅游度假区
    resort = rules.suggest("东阿黄河康养旅游度假区项目", "", "")
    assert "度假区" not in resort.co_units and "东阿县" in resort.co_units


def test_river_names_inside_company_names_do_not_fire_the_water_rule(rules: RuleSet) -> None:
    s = rules.suggest("阳谷汉河高压及特种电缆项目", "", "发展先进制造业")
    assert s.lead == "市工业和信息化局" and "water" not in s.rules
    assert rules.suggest("马颊河干流莘县段综合治理工程", "", "").lead == "市水利局"


def test_explanations_name_rule_place_and_words(units: UnitDirectory) -> None:
    detail = explain_suggestion("东阿县中医药大健康产业基础设施建设项目", "", "", units)
    assert detail.reasons() == [
        "牵头：市卫生健康委 ← 规则 health（标题含“健康、中医药、中医”）",
        "配合：东阿县 ← 规则 county.dong-e（标题含“东阿县”）",
    ]


def test_almost_every_task_of_the_plan_gets_a_lead(rules: RuleSet) -> None:
    from lctasks.plan import load_plan

    tree = load_plan()
    titles = {c.number: c.title for c in tree.chapters()}
    results = [rules.suggest(d.title, d.source_text, titles[d.chapter]) for d in tree.tasks]
    without = [d.key for d, s in zip(tree.tasks, results, strict=True) if s.lead is None]
    assert len(tree.tasks) == 633
    assert len(without) <= 10, without
    # every suggested unit exists in the unit list
    assert all(units_ok(s.lead, s.co_units) for s in results)


def units_ok(lead: str | None, co: tuple[str, ...]) -> bool:
    shorts = {u.short for u in load_units(bundled("units.toml"))}
    return (lead is None or lead in shorts) and set(co) <= shorts


# -- the rule file -----------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rule_names_may_use_aliases(tmp_path: Path, units: UnitDirectory) -> None:
    path = _write(
        tmp_path, '[[rule]]\nid = "tech"\nmatch = ["科技"]\nlead = "kjj"\nco = ["发改委"]\n'
    )
    ruleset = load_rules(path, units)
    assert ruleset.rules[0].lead == "市科技局"
    assert ruleset.rules[0].co == ("市发展改革委",)


def test_an_unknown_unit_names_the_rule_the_file_and_the_line(
    tmp_path: Path, units: UnitDirectory
) -> None:
    path = _write(
        tmp_path,
        '[[rule]]\nid = "tech"\nmatch = ["科技"]\nlead = "市科技局"\n\n'
        '[[rule]]\nid = "water"\nmatch = ["水利"]\nlead = "市水务局"\n',
    )
    with pytest.raises(InvalidInputError) as err:
        load_rules(path, units)
    message = err.value.message
    assert str(path) in message and "第 9 行" in message
    assert "water" in message and "市水务局" in message
    assert "python -m lctasks.suggest" in err.value.hint


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[[rule]]\nid = "a"\nmatch = []\nlead = "市科技局"\n', "match"),
        ('[[rule]]\nid = "a"\nmatch = ["x"]\nlead = "市科技局"\nweight = 0\n', "weight"),
        ('[[rule]]\nid = "a"\nmatch = ["x"]\nlead = "市科技局"\nmatches = ["y"]\n', "matches"),
        (
            '[[rule]]\nid = "a"\nmatch = ["x"]\nlead = "市科技局"\n'
            '[[rule]]\nid = "a"\nmatch = ["y"]\nlead = "市科技局"\n',
            "重复",
        ),
        ('[[place]]\nid = "p"\nunit = "冠州"\nmatch = ["冠州"]\n', "冠州"),
        ('[[rules]]\nid = "a"\n', "rules"),
        ('[[rule]]\nid = "a"\nmatch = ["x"\n', "第 3 行"),
    ],
)
def test_mistakes_in_the_rule_file(
    tmp_path: Path, units: UnitDirectory, text: str, words: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InvalidInputError) as err:
        load_rules(path, units)
    assert words in err.value.message and str(path) in err.value.message


def test_env_var_selects_another_rule_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, units: UnitDirectory
) -> None:
    path = _write(tmp_path, '[[rule]]\nid = "only"\nmatch = ["铁路"]\nlead = "市水利局"\n')
    monkeypatch.setenv("LCTASKS_RULES", str(path))
    assert default_rules(units).path == path
    assert suggest("铁路建设", "", "", units).lead == "市水利局"


def test_check_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(bundled("rules.toml"))]) == 0
    out, _err = capsys.readouterr()
    assert "tech\t市科技局" in out and "zone.hi-tech\t高新区" in out
    assert main(["--try", "建设技术创新平台"]) == 0
    assert (
        capsys.readouterr().out.strip()
        == "牵头：市科技局 ← 规则 tech（标题含“创新平台、技术创新”）"
    )
