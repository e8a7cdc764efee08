"""The words around a number that make it a target or not (lctasks/plan/targets.py's
rules, each on a sentence of the plan's kind)."""

from __future__ import annotations

import datetime as dt

import pytest

from lctasks.plan.targets import find_targets

END = dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a number right after a Latin letter is part of a name (ABS66, A66), not 66 项
        ("新建ABS66项目2个", [(2.0, "个", "", "")]),
        ("新建A66项目2个", [(2.0, "个", "", "")]),
        # 第2批 is an ordinal, ±5% a tolerance: neither is the quantity
        ("新建改造第2批项目5个", [(5.0, "个", "", "")]),
        ("价格波动控制在±5%以内", []),
        # the longest word before the value is kept: 不超过, not 超过
        ("新增光伏装机不超过10万千瓦", [(10.0, "万千瓦", "不超过", "")]),
        ("新增光伏装机超过10万千瓦", [(10.0, "万千瓦", "超过", "")]),
        # 力争 anywhere earlier in the clause, and 以上 after the value
        ("力争新增高新技术企业100家以上", [(100.0, "家", "力争", "以上")]),
        ("力争新增光伏装机不少于20万千瓦", [(20.0, "万千瓦", "力争不少于", "")]),
        # a voltage class is not the quantity: 56 座
        ("建设35-110kV变电站56座", [(56.0, "座", "", "")]),
        ("培育千亿级产业2个、800亿级产业1个", [(2.0, "个", "", ""), (1.0, "个", "", "")]),
    ],
)
def test_words_around_a_number(sentence: str, expected: list[tuple[float, str, str, str]]) -> None:
    got = [(t.value, t.unit, t.before, t.after) for t in find_targets(sentence, END)]
    assert got == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # the plan writes both percent signs and both colons; a target is stored in one form
        ("城镇登记失业率控制在4.5％以内", ("number", 4.5, None, "%", "4.5%以内")),
        ("研发经费投入强度达到2.5%", ("number", 2.5, None, "%", "2.5%")),
        ("森林覆盖率达到25%-35%", ("range", 25.0, 35.0, "%", "25%–35%")),
        ("农产品加工业与农业总产值比达到1.42:1", ("ratio", 1.42, None, ":1", "1.42:1")),
        ("农产品加工业与农业总产值比达到1.42：1", ("ratio", 1.42, None, ":1", "1.42:1")),
        ("新增高新技术企业100家", ("number", 100.0, None, "家", "100家")),
    ],
)
def test_the_kind_and_the_stored_form_of_a_value(
    sentence: str, expected: tuple[str, float, float | None, str, str]
) -> None:
    (target,) = find_targets(sentence, END)
    assert (target.kind, target.value, target.value_max, target.unit, target.shown()) == expected


@pytest.mark.parametrize(
    ("year", "kept"), [(1999, False), (2000, True), (2100, True), (2101, False)]
)
def test_a_deadline_year_is_read_between_2000_and_2100(year: int, kept: bool) -> None:
    found = find_targets(f"到{year}年建成", END)
    assert [t.deadline for t in found] == ([dt.date(year, 12, 31)] if kept else [])


def test_a_number_inside_a_book_title_is_not_a_quantity() -> None:
    got = [(t.value, t.unit) for t in find_targets("建成《中国制造2025》示范区5个", END)]
    assert got == [(5.0, "个")]
