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
