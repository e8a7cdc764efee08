"""The parser's small rules, each on its own: lead phrases, headings, cells,
sentences, targets and deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from lctasks.domain import DueBasis
from lctasks.plan import parse_plan
from lctasks.plan.indicator_table import parse_cell_number
from lctasks.plan.structure import chinese_number, ends_terminal, heading, lead_phrase
from lctasks.plan.targets import find_targets, sentence_deadline, split_commitments, task_due

START, END = dt.date(2021, 1, 1), dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("建设技术创新平台。实施制造业创新中心建设工程，", "建设技术创新平台"),
        ("装备制造。依托时风集团", "装备制造"),
        ("5G产业。依托莘县现代农业产业园", "5G产业"),
        ("建设“内陆港、综合保税区”二合一开放平台。坚持", "建设“内陆港、综合保税区”二合一开放平台"),
        ("——坚持党的全面领导。以更严要求", "坚持党的全面领导"),
        (
            "建设中原城市群北部省际交汇区域发展经济带重要节点城市。依托",
            "建设中原城市群北部省际交汇区域发展经济带重要节点城市",  # 26 characters
        ),
        ("到2025年，新旧动能实现接续转换。", None),  # a dated sentence
        ("“十四五”规划是我市开启全面建设社会主义现代化强市的重要规划。", None),  # 是
        ("营业收入过亿元的规模以上农产品加工业企业达到133家。", None),  # a statement
        ("合理优化人口抚养比、男女结构比例，促进人口长期均衡发展。", None),  # a clause
        ("实施科技强市行动计划，更好发挥国家级创新平台支撑引领作用", None),  # no 。
        ("推进一项非常非常非常非常非常非常非常非常长的没有逗号的事项而且超过了三十个字。", None),
    ],
)
def test_lead_phrase(text: str, phrase: str | None) -> None:
    assert lead_phrase(text) == phrase


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("六十一", 61),
        ("一百零二", 102),
        ("甲", None),
    ],
)
def test_chinese_numbers(numeral: str, value: int | None) -> None:
    assert chinese_number(numeral) == value


def test_headings() -> None:
    assert heading("第六十一章加强规划实施和管理") == ("章", 61, "加强规划实施和管理")
    assert heading("第一节“十四五”时期经济社会发展主要目标") == (
        "节",
        1,
        "“十四五”时期经济社会发展主要目标",
    )
    assert heading("第一章发展基础，回顾过去。") is None  # a sentence, not a heading
    assert heading("第零章 无") is None


def test_terminal_punctuation() -> None:
    assert ends_terminal("的“放心大市场”。")
    assert ends_terminal("直属机构：")
    assert not ends_terminal("对外开放“桥头堡”")
    assert not ends_terminal("形成“1+N”的产业")


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("≥6", 6.0),
        (">6.5", 6.5),
        ("约1.9", 1.9),
        ("预计2.3", 2.3),
        ("2左右", 2.0),
        ("25%", 25.0),
        ("不少于4", 4.0),
        ("—", None),
        ("", None),
        ("高于全省平均水平", None),
        ("完成省分解任务", None),
    ],
)
def test_indicator_cells(cell: str, value: float | None) -> None:
    assert parse_cell_number(cell) == value


def test_sentences_do_not_split_inside_quotes_or_brackets() -> None:
    text = "推进“食安山东。建设”工程；实施《方案（2018-2025年）。》。每年评估一次！"
    assert split_commitments(text) == [
        "推进“食安山东。建设”工程",
        "实施《方案（2018-2025年）。》",
        "每年评估一次",
    ]


@pytest.mark.parametrize(
    ("sentence", "deadline", "words"),
    [
        ("到2025年，全市高铁通车里程达到216公里", dt.date(2025, 12, 31), "到2025年"),
        ("到2022年实现混改户数、资产占比双提升", dt.date(2022, 12, 31), "到2022年"),
        ("到二〇三五年基本实现社会主义现代化", dt.date(2035, 12, 31), "到二〇三五年"),
        ("2023年底前完成改造", dt.date(2023, 12, 31), "2023年底前"),
        ("“十四五”期间，全市规划新建幼儿园155所", END, "“十四五”期间"),
        (
            "强化应对气候变化能力建设，2027年与全省同步实现碳排放达峰目标",
            dt.date(2027, 12, 31),
            "2027年",
        ),
        ("2020年，全市生产总值达到2316.84亿元", None, ""),  # a fact before the plan
        ("实施《山东省（2018-2025年）》目标任务", None, ""),
        ("加强疾病预防控制体系建设", None, ""),
    ],
)
def test_sentence_deadlines(sentence: str, deadline: dt.date | None, words: str) -> None:
    found = sentence_deadline(sentence, END)
    if deadline is None:
        assert found is None
    else:
        assert found == (deadline, words)


def test_targets() -> None:
    (t,) = find_targets("到2025年，力争新增省级以上创新平台100家", END)
    assert (t.value, t.unit, t.deadline, t.yearly, t.text) == (
        100.0,
        "家",
        END,
        False,
        "力争新增省级以上创新平台100家",
    )
    (y,) = find_targets("每年孵化科技型中小微企业100家", END)
    assert (y.value, y.unit, y.deadline, y.yearly) == (100.0, "家", END, True)
    (p,) = find_targets("全市数字经济占生产总值的比重达到40%以上", END)
    assert (p.value, p.unit, p.deadline) == (40.0, "%", None)
    (r,) = find_targets("各县（市、区）因地制宜培育1-2个步行街或特色商业街", END)
    # a range keeps both ends
    assert (r.kind, r.value, r.value_max, r.unit, r.shown()) == ("range", 1.0, 2.0, "个", "1个–2个")
    assert find_targets("更好发挥我市39家国家级科技创新平台的支撑引领作用", END) == ()
    assert find_targets("落实《三年行动计划（2021-2023年）》", END) == ()
    assert find_targets("莘县瑞鑫达年产100万吨镀铝锌硅板项目", END) == ()  # 达 in a name
    (o,) = find_targets("公共体育设施向公众开放率达100%", END)
    assert (o.value, o.unit) == (100.0, "%")
    (d,) = find_targets("到2022年，实现国家卫生县城全覆盖", END)
    assert (d.value, d.deadline) == (None, dt.date(2022, 12, 31))


def _due(text: str) -> tuple[dt.date, DueBasis, str]:
    d = task_due(text, START, END)
    return d.date, d.basis, d.text


def test_task_due_rules() -> None:
    assert _due("到2025年，达到500亿元。") == (END, DueBasis.EXPLICIT, "到2025年")
    assert _due("到2022年，实现全覆盖。") == (dt.date(2022, 12, 31), DueBasis.EXPLICIT, "到2022年")
    # an early milestone among undated commitments: the task runs to the plan end
    assert _due("到2022年，实现全覆盖。完善制度。") == (END, DueBasis.INFERRED, "")
    assert _due("到2022年实现甲。到2025年实现乙。完善制度。") == (
        END,
        DueBasis.EXPLICIT,
        "到2025年",
    )
    assert _due("每年培训1万人。完善制度。") == (END, DueBasis.YEARLY, "每年")
    assert _due("到二〇三五年基本实现现代化。") == (END, DueBasis.INFERRED, "")
    assert _due("完善制度。") == (END, DueBasis.INFERRED, "")


def test_box_before_any_chapter_is_unplaced() -> None:
    text = "专栏 1：重点项目\n（1）甲项目\n\n第一篇 总体\n\n第一章 目标\n\n文字。\n"
    tree = parse_plan(text)
    assert [(u.line, u.text) for u in tree.unplaced] == [(1, "专栏1：重点项目"), (2, "（1）甲项目")]
    assert all("专栏" in u.reason for u in tree.unplaced)


def test_chapter_before_any_part_goes_to_part_zero() -> None:
    tree = parse_plan("第六章 任务\n\n推进甲事项。做好甲。\n")
    assert tree.parts[0].number == 0
    assert [t.key for t in tree.tasks] == ["C06.M01"]


def test_period_and_title_from_the_preamble() -> None:
    tree = parse_plan("某市第十五个五年规划纲要\n（2026-2030年）\n\n第一章 目标\n\n文字。\n")
    assert tree.title == "某市第十五个五年规划纲要"
    assert (tree.start, tree.end) == (dt.date(2026, 1, 1), dt.date(2030, 12, 31))
