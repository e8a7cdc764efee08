"""Indicators judged as numbers: paths and lights checked against hand calculations.

Every expected figure below is worked out by hand in the comment beside it from the
printed row of the plan's indicator table (plan lines 146–169).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lctasks.domain import Light
from lctasks.indicators import (
    Assessment,
    Compare,
    PathKind,
    Spec,
    Thresholds,
    judge,
    spec_from_indicator,
    spec_from_target,
    worst,
)


def row(name: str, base: str, target: str, annual: str, kind: str = "预期性") -> Spec:
    cells = {"2020年": base, "2025年": target, "年均/[累计]": annual, "属性": kind}
    return spec_from_indicator(name, cells)


GDP = row("地区生产总值增速(%)", "2.8", "—", "≥6")
SHARE = row("“四新”经济增加值占比(%)", "29.85", "—", "2左右")
URBAN = row("常住人口城镇化率(%)", "—", "—", "0.8左右")
RND = row("研发支出与生产总值之比(%)", "约1.9", "2.5", "—")
DOCTORS = row("每千人口拥有执业(助理)医师数(人)", "2.53", "3.64", "8.77")
PENSION = row("基本养老保险参保人数(万人)", "396.3", "408", "2.3")
NURSERY = row("每千人口拥有3岁以下婴幼儿托位数(个)", "—", "不少于4", "—")
LIFE = row("人均预期寿命(年)", "78.2", "80左右", "—")
ENERGY = row("单位地区生产总值能源消耗降低(%)", "—", "完成省分解任务", "", "约束性")


def test_rows_become_the_paths_the_plan_means() -> None:
    assert (GDP.path, GDP.compare, GDP.annual, GDP.growth) == (
        PathKind.EACH_YEAR,
        Compare.AT_LEAST,
        6.0,
        True,
    )
    # a share growing "2左右" a year grows by percentage points, not percent
    assert (SHARE.path, SHARE.compare, SHARE.annual_unit) == (
        PathKind.POINTS,
        Compare.ABOUT,
        "个百分点",
    )
    assert (URBAN.path, URBAN.baseline, URBAN.annual) == (PathKind.POINTS, None, 0.8)
    assert (RND.path, RND.baseline, RND.target, RND.unit) == (PathKind.LINEAR, 1.9, 2.5, "%")
    # 2.53 + 5 × 8.77 is far from 3.64: 8.77 is a growth rate, the path compounds
    assert DOCTORS.path is PathKind.COMPOUND
    assert DOCTORS.name == "每千人口拥有执业(助理)医师数" and DOCTORS.unit == "人"
    # 396.3 + 5 × 2.3 = 407.8 ≈ 408: 2.3 is the yearly increment, the path is linear
    assert PENSION.path is PathKind.LINEAR
    assert (NURSERY.path, NURSERY.compare, NURSERY.target) == (
        PathKind.FINAL,
        Compare.AT_LEAST,
        4.0,
    )
    assert (LIFE.path, LIFE.compare) == (PathKind.LINEAR, Compare.ABOUT)
    assert (ENERGY.path, ENERGY.text, ENERGY.binding) == (PathKind.TEXT, "完成省分解任务", True)


def test_expected_values_by_hand() -> None:
    # "四新" share: 29.85 + 2 × 3 = 35.85 in 2023
    assert SHARE.expected(2023) == pytest.approx(35.85)
    # R&D ratio: 1.9 + (2.5 − 1.9) × 2/5 = 2.14 in 2022
    assert RND.expected(2022) == pytest.approx(2.14)
    # doctors: 2.53 × (3.64/2.53)^(3/5) = 3.1471 in 2023
    assert DOCTORS.expected(2023) == pytest.approx(2.53 * (3.64 / 2.53) ** 0.6)
    assert DOCTORS.expected(2023) == pytest.approx(3.1471, abs=1e-4)
    # the path stops at the target: 2027 expects what 2025 does
    assert PENSION.expected(2027) == pytest.approx(408.0)
    assert NURSERY.expected(2024) is None and NURSERY.expected(2025) == 4.0


def test_growth_rate_each_year_uses_the_geometric_mean() -> None:
    # 6.5, 5.0, 6.2: (1.065 × 1.05 × 1.062)^(1/3) − 1 = 5.898 % < 6 → short by 0.103
    j = judge(GDP, {2021: 6.5, 2022: 5.0, 2023: 6.2}, year=2023)
    mean = ((1.065 * 1.05 * 1.062) ** (1 / 3) - 1) * 100
    assert j.actual == pytest.approx(mean)
    assert j.expected == 6.0 and j.met is False
    # behind = 0.103 / 6 × 100 = 1.7 points: under the yellow band (10) → green
    assert j.behind_points == pytest.approx(round((6 - mean) / 6 * 100, 1))
    assert j.light is Light.GREEN
    # one bad year: 6.5 then 2.0 → mean 4.22 %, (6 − 4.22)/6 = 29.6 points → yellow
    j2 = judge(GDP, {2021: 6.5, 2022: 2.0}, year=2022)
    assert j2.light is Light.YELLOW
    # 1.0 and 2.0: mean 1.5 → 75 points behind → red
    assert judge(GDP, {2021: 1.0, 2022: 2.0}, year=2022).light is Light.RED


def test_percentage_points_and_about() -> None:
    # share 2023 expected 35.85; tolerance 5 % of it = 1.7925 → 34.2 is within → green
    assert judge(SHARE, {2023: 34.2}, year=2023).light is Light.GREEN
    # 33.0: short 2.85 − 1.7925 = 1.0575 of a planned 10-point change → 10.6 points → yellow
    j = judge(SHARE, {2023: 33.0}, year=2023)
    assert j.behind_points == pytest.approx(10.6) and j.light is Light.YELLOW
    # urbanisation has no printed baseline: a recorded 2020 actual becomes it
    assert judge(URBAN, {2022: 55.0}, year=2022).light is None
    j = judge(URBAN, {2020: 53.0, 2022: 54.6}, year=2022)
    # 53 + 0.8 × 2 = 54.6 expected → met
    assert j.expected == pytest.approx(54.6) and j.light is Light.GREEN


def test_ceilings() -> None:
    spec = Spec(
        "单位GDP能耗", "吨标煤/万元", PathKind.LINEAR, Compare.AT_MOST, baseline=1.0, target=0.8
    )
    # 2023 expected 1.0 − 0.2 × 3/5 = 0.88; actual 0.87 is under the ceiling → green
    assert judge(spec, {2023: 0.87}, year=2023).light is Light.GREEN
    # 0.95: over by 0.07 of a planned 0.2 change = 35 points → red
    j = judge(spec, {2023: 0.95}, year=2023)
    assert j.behind_points == pytest.approx(35.0) and j.light is Light.RED
    # a falling bare target is a ceiling too
    assert row("城镇登记失业率(%)", "5.5", "4.5", "—").compare is Compare.AT_MOST


def test_final_only_and_text_targets() -> None:
    assert judge(NURSERY, {2023: 3.0}, year=2023).light is None
    assert judge(NURSERY, {2025: 4.1}, year=2025).reached is True
    assert judge(NURSERY, {2025: 3.0}, year=2025).light is Light.RED
    # a text target is judged by its assessment only, never by a number
    assert judge(ENERGY, {2025: 99.0}, year=2025).light is None
    assert judge(ENERGY, {}, year=2025, assessment=Assessment.REACHED).light is Light.GREEN
    assert judge(ENERGY, {}, year=2025, assessment=Assessment.NOT_REACHED).reached is False
    assert Assessment.parse("达到") is Assessment.REACHED
    assert Assessment.parse("待评估") is Assessment.PENDING
    assert Assessment.parse("也许") is None


def test_quantified_targets_in_text() -> None:
    yearly = spec_from_target(
        {
            "text": "每年孵化科技型中小微企业100家",
            "value": 100.0,
            "unit": "家",
            "deadline": "2025-12-31",
            "yearly": True,
        }
    )
    assert (yearly.path, yearly.annual) == (PathKind.EACH_YEAR, 100.0)
    # 90, 110, 95: mean 98.33, 1.7 points behind → green
    assert judge(yearly, {2021: 90, 2022: 110, 2023: 95}, year=2023).light is Light.GREEN
    final = spec_from_target(
        {
            "text": "到2025年，力争新增省级以上创新平台100家",
            "value": 100.0,
            "unit": "家",
            "deadline": "2025-12-31",
            "yearly": False,
        }
    )
    assert final.path is PathKind.FINAL and final.compare is Compare.AT_LEAST
    about = spec_from_target(
        {"text": "建设100个左右", "value": 100.0, "unit": "个", "deadline": "2025-12-31"}
    )
    assert about.compare is Compare.ABOUT
    text = spec_from_target({"text": "完成省分解任务", "value": None, "unit": ""})
    assert text.path is PathKind.TEXT


def test_worst() -> None:
    assert worst([Light.GREEN, None, Light.YELLOW]) is Light.YELLOW
    assert worst([Light.GREEN, Light.RED]) is Light.RED
    assert worst([None]) is None


@given(
    base=st.floats(1, 1000),
    target=st.floats(1, 1000),
    year=st.integers(2020, 2030),
)
def test_paths_stay_between_baseline_and_target(base: float, target: float, year: int) -> None:
    for path in (PathKind.LINEAR, PathKind.COMPOUND):
        spec = Spec("x", "", path, baseline=base, target=target)
        e = spec.expected(year)
        assert e is not None
        assert min(base, target) - 1e-6 <= e <= max(base, target) + 1e-6
        assert spec.expected(2025) == pytest.approx(target)
        assert spec.expected(2020) == pytest.approx(base)


@given(
    base=st.floats(1, 100),
    target=st.floats(101, 200),
    actual=st.floats(0, 300),
    year=st.integers(2021, 2025),
)
def test_meeting_the_path_is_green_and_more_is_never_worse(
    base: float, target: float, actual: float, year: int
) -> None:
    spec = Spec("x", "", PathKind.LINEAR, baseline=base, target=target)
    expected = spec.expected(year)
    assert expected is not None
    j = judge(spec, {year: actual}, year=year)
    if actual >= expected:
        assert j.light is Light.GREEN and j.met
    better = judge(spec, {year: actual + 1}, year=year)
    order = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}
    assert j.light is not None and better.light is not None
    assert order[better.light] >= order[j.light]
    assert j.behind_points is not None and not math.isnan(j.behind_points)


def test_thresholds_come_from_settings() -> None:
    strict = Thresholds(yellow_behind_points=1, red_behind_points=2)
    assert judge(GDP, {2021: 5.8}, year=2021, thresholds=strict).light is Light.RED
    assert judge(GDP, {2021: 5.8}, year=2021).light is Light.GREEN
